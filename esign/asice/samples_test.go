package asice

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// dpiSamplesNoSkip returns the DPI samples, or nil when absent.
func dpiSamplesNoSkip() [][]byte {
	dir, err := os.Getwd()
	if err != nil {
		return nil
	}
	for range 8 {
		paths, _ := filepath.Glob(filepath.Join(dir, "..", "shared", "testdata", "dpi", "examples", "komplette", "*-dokumentpakke.zip"))
		if len(paths) > 0 {
			var out [][]byte
			for _, p := range paths {
				if b, err := os.ReadFile(p); err == nil {
					out = append(out, b)
				}
			}
			return out
		}
		dir = filepath.Dir(dir)
	}
	return nil
}

// dpiSamples returns the official DPI sample packages (Digdir, Apache-2.0).
func dpiSamples(tb testing.TB) map[string][]byte {
	tb.Helper()
	dir := sharedDir(tb, "testdata/dpi/examples/komplette")
	paths, err := filepath.Glob(filepath.Join(dir, "*-dokumentpakke.zip"))
	if err != nil || len(paths) == 0 {
		tb.Skipf("no *-dokumentpakke.zip in %s", dir)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

var (
	certRE = regexp.MustCompile(`(?s)<(?:\w+:)?X509Certificate>(.*?)</(?:\w+:)?X509Certificate>`)
	timeRE = regexp.MustCompile(`<(?:\w+:)?SigningTime>([^<]+)</`)
)

// sampleTrust reads, from a signatures.xml, its SigningTime and the last
// (top) certificate of its KeyInfo chain, to pin the clock and the trust.
func sampleTrust(tb testing.TB, sig []byte) (time.Time, *x509.Certificate) {
	tb.Helper()
	m := timeRE.FindSubmatch(sig)
	if m == nil {
		tb.Fatal("no SigningTime")
	}
	at, err := time.Parse(time.RFC3339Nano, string(m[1]))
	if err != nil {
		tb.Fatal(err)
	}
	certs := certRE.FindAllSubmatch(sig, -1)
	if len(certs) == 0 {
		tb.Fatal("no X509Certificate")
	}
	b64 := strings.NewReplacer("&#13;", "", "\r", "", "\n", "", " ", "").Replace(string(certs[len(certs)-1][1]))
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		tb.Fatal(err)
	}
	top, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return at, top
}

// TestDPISamples opens Digdir's sample document packages and checks the
// layout of spec §1.7: mimetype first and stored, manifest.xml, the
// documents, META-INF/signatures.xml, then the ODF manifest; then verifies
// them with the clock pinned to their signing time (their Buypass test
// certificates have expired) and their own top certificate as the root.
func TestDPISamples(t *testing.T) {
	for name, data := range dpiSamples(t) {
		t.Run(name, func(t *testing.T) {
			c, err := Open(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if !c.HasMimetype() {
				t.Error("no mimetype")
			}
			files := c.Files()
			if len(files) < 5 {
				t.Fatalf("files %+v", files)
			}
			if files[0].Name != "mimetype" || !files[0].Stored || files[1].Name != "manifest.xml" ||
				files[len(files)-2].Name != SignaturesName || files[len(files)-1].Name != ODFManifestName {
				t.Errorf("layout %+v", files)
			}
			for _, f := range files[1:] {
				if f.Stored {
					t.Errorf("%s stored, want deflated", f.Name)
				}
			}
			sig, ok := c.SignatureXML()
			if !ok {
				t.Fatal("no signatures.xml")
			}
			at, top := sampleTrust(t, sig)
			rep, err := Verify(bytes.NewReader(data), int64(len(data)), VerifyOptions{Roots: pool(top), Time: at})
			if err != nil {
				t.Fatalf("Verify: %v\n%+v", err, rep)
			}
			if !rep.Valid || !rep.HasMimetype || len(rep.Files) != len(files)-3 || !rep.SigningTime.Equal(at) {
				t.Errorf("report %+v", rep)
			}
			if rep.Signer == nil || rep.Signer.Subject.Organization == nil {
				t.Errorf("no signer in the report")
			}
			// Now (certificates expired) the same container must not verify.
			if rep, err := Verify(bytes.NewReader(data), int64(len(data)), VerifyOptions{Roots: pool(top)}); err == nil || rep == nil || rep.Valid {
				t.Errorf("verified with expired certificates: %+v", rep)
			}
		})
	}
}
