// Package oracle helps the tests, built with the tag oracle, that check
// felles against independent tools from Debian (openssl, xmlsec1, pdfsig,
// certutil, xmllint): finding a tool, or skipping with the package to
// install, and writing certificates and keys as PEM files for them.
package oracle

import (
	"bytes"
	"encoding/pem"
	"os"
	"os/exec"
	"testing"
)

// debianPackage names the Debian package that installs a tool.
var debianPackage = map[string]string{
	"openssl":  "openssl",
	"xmlsec1":  "xmlsec1",
	"pdfsig":   "poppler-utils",
	"certutil": "libnss3-tools",
	"xmllint":  "libxml2-utils",
	"unzip":    "unzip",
	"qpdf":     "qpdf",
}

// Need skips the test, naming what to install, unless every tool is on
// the PATH.
func Need(tb testing.TB, tools ...string) {
	tb.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			pkg := debianPackage[tool]
			if pkg == "" {
				pkg = tool
			}
			tb.Skipf("%s is not installed (apt-get install %s); skipping this oracle test", tool, pkg)
		}
	}
}

// WritePEM writes the DER blocks as PEM blocks of type typ ("CERTIFICATE",
// "PRIVATE KEY") to path.
func WritePEM(tb testing.TB, path, typ string, ders ...[]byte) {
	tb.Helper()
	var buf bytes.Buffer
	for _, d := range ders {
		if err := pem.Encode(&buf, &pem.Block{Type: typ, Bytes: d}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// Saxon returns the java command and the Saxon-HE jar (Debian's, or
// $SAXON_JAR), or skips the test, naming what to install.
func Saxon(tb testing.TB) (java, jar string) {
	tb.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		tb.Skip("oracle: java not found (needs Java 17+; apt-get install -y default-jre-headless libsaxonhe-java)")
	}
	jar = os.Getenv("SAXON_JAR")
	if jar == "" {
		jar = "/usr/share/java/Saxon-HE.jar"
	}
	if _, err := os.Stat(jar); err != nil {
		tb.Skipf("oracle: Saxon-HE not found at %s (apt-get install -y libsaxonhe-java, or set SAXON_JAR)", jar)
	}
	return java, jar
}
