package asice

import (
	"bytes"
	"crypto/x509"
	"github.com/fellesgo/felles/internal/corpus"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

// testPKI returns one CA and one enterprise certificate per test binary.
func testPKI(tb testing.TB) (*testpki.CA, *identity.Certificate) {
	tb.Helper()
	ca, cert, err := testpki.Shared()
	if err != nil {
		tb.Fatal(err)
	}
	return ca, cert
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

func verifyOpts(tb testing.TB) VerifyOptions {
	ca, _ := testPKI(tb)
	return VerifyOptions{Roots: ca.Roots(), Intermediates: ca.Intermediates()}
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
	return corpus.Dir(tb, rel)
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}
