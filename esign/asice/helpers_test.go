package asice

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

var (
	pkiOnce sync.Once
	pkiCA   *testpki.CA
	pkiCert *identity.Certificate
	pkiErr  error
)

// testPKI returns one CA and one enterprise certificate per test binary.
func testPKI(tb testing.TB) (*testpki.CA, *identity.Certificate) {
	tb.Helper()
	pkiOnce.Do(func() {
		pkiCA, pkiErr = testpki.New("Felles ASiC-E Test")
		if pkiErr != nil {
			return
		}
		pkiCert, pkiErr = pkiCA.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Testkommune"})
	})
	if pkiErr != nil {
		tb.Fatal(pkiErr)
	}
	return pkiCA, pkiCert
}

var testTime = time.Date(2026, 3, 16, 14, 16, 8, 0, time.UTC)

func signed(tb testing.TB, files []File, opts ...Option) []byte {
	tb.Helper()
	_, cert := testPKI(tb)
	var buf bytes.Buffer
	opts = append([]Option{WithSigningTime(time.Now().Truncate(time.Second))}, opts...)
	if err := Sign(&buf, files, cert.Signer, cert.Chain, opts...); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func verifyOpts(tb testing.TB) []VerifyOption {
	ca, _ := testPKI(tb)
	return []VerifyOption{WithRoots(ca.Roots()), WithIntermediates(ca.Intermediates())}
}

func dpiFiles() []File {
	return []File{
		{Name: "manifest.xml", MimeType: "application/xml", Data: []byte(`<manifest xmlns="http://begrep.difi.no/sdp/schema_v10"><hoveddokument href="vedtak.pdf" mime="application/pdf"/></manifest>`)},
		{Name: "vedtak.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.7\n% vedtak\n%%EOF\n")},
		{Name: "vedlegg/info fil.txt", MimeType: "text/plain", Data: bytes.Repeat([]byte("informasjon "), 1000)},
	}
}

// sharedDir returns ../shared/<rel> next to the module root, or skips.
func sharedDir(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("module root not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("%s absent (the shared test data is not checked out): skipping", p)
	}
	return p
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}
