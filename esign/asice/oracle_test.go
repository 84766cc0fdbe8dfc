//go:build oracle

package asice

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesgo/felles/internal/oracle"
)

// TestOracleUnzip has Info-ZIP's unzip, which no one here wrote, test the
// CRCs of felles containers of both profiles and list them in order.
func TestOracleUnzip(t *testing.T) {
	if _, err := exec.LookPath("unzip"); err != nil {
		t.Skip("unzip not installed (apt-get install unzip)")
	}
	for _, p := range []Profile{ProfileDPI, ProfileSignering} {
		random := make([]byte, 200<<10)
		rand.Read(random)
		files := append(dpiFiles(), File{Name: "foto.jpg", MimeType: "image/jpeg", Data: random})
		data := signed(t, files, WithProfile(p))
		path := filepath.Join(t.TempDir(), "c.asice")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("unzip", "-t", path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "No errors detected") {
			t.Errorf("%v: unzip -t: %v\n%s", p, err, out)
		}
		out, err = exec.Command("unzip", "-Z1", path).CombinedOutput()
		if err != nil {
			t.Fatalf("unzip -Z1: %v\n%s", err, out)
		}
		want := "manifest.xml\nvedtak.pdf\nvedlegg/info fil.txt\nfoto.jpg\nMETA-INF/signatures.xml\n"
		if p == ProfileDPI {
			want = "mimetype\n" + want + "META-INF/manifest.xml\n"
		}
		if string(out) != want {
			t.Errorf("%v: unzip lists\n%s\nwant\n%s", p, out, want)
		}
	}
}

// TestOracleXmlsec has xmlsec1 verify the signatures.xml of a felles
// container, extracted next to its files so that the relative URIs
// resolve (spec §4), with explicit trust flags; and reject it when a file
// is changed.
func TestOracleXmlsec(t *testing.T) {
	oracle.Need(t, "xmlsec1")
	ca, _ := testPKI(t)
	for _, p := range []Profile{ProfileDPI, ProfileSignering} {
		files := dpiFiles()
		if p == ProfileSignering {
			// Form encoding ('+' for a space) is Posten's own; xmlsec1
			// reads URIs as RFC 3986, so keep this name space-free.
			files[2].Name = "vedlegg/info-fil.txt"
		}
		data := signed(t, files, WithProfile(p))
		c, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		write := func(name string, b []byte) {
			path := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range files {
			b, err := c.ReadFile(f.Name)
			if err != nil {
				t.Fatal(err)
			}
			write(f.Name, b)
		}
		sig, _ := c.SignatureXML()
		write("signatures.xml", sig)
		write("root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Root.Raw}))
		write("issuing.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Issuing.Raw}))
		run := func() (string, error) {
			cmd := exec.Command("xmlsec1", "--verify", "--trusted-pem", "root.pem", "--untrusted-pem", "issuing.pem",
				"--id-attr:Id", "SignedProperties", "signatures.xml")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		if out, err := run(); err != nil || !strings.Contains(out, "OK") {
			t.Errorf("%v: xmlsec1 rejects felles' signature: %v\n%s", p, err, out)
		}
		write("vedtak.pdf", []byte("%PDF-1.7\n% endret\n%%EOF\n"))
		if out, err := run(); err == nil {
			t.Errorf("%v: xmlsec1 accepts a changed file:\n%s", p, out)
		}
	}
}
