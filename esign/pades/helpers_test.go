package pades

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"github.com/fellesgo/felles/internal/corpus"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/fellesgo/felles/esign/tsa"
	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

type fixture struct {
	ca      *testpki.CA
	cert    *identity.Certificate
	tsa     *testTSA
	roots   *x509.CertPool
	interm  *x509.CertPool
	tsaRoot *x509.Certificate
}

var (
	fixOnce sync.Once
	fix     fixture
	fixErr  error
)

func getFixture(t testing.TB) *fixture {
	t.Helper()
	fixOnce.Do(func() {
		ca, err := testpki.New("pades test")
		if err != nil {
			fixErr = err
			return
		}
		cert, err := ca.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Testkommune"})
		if err != nil {
			fixErr = err
			return
		}
		ts, root, err := newTestTSA()
		if err != nil {
			fixErr = err
			return
		}
		roots := ca.Roots()
		roots.AddCert(root)
		fix = fixture{ca: ca, cert: cert, tsa: ts, roots: roots, interm: ca.Intermediates(), tsaRoot: root}
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return &fix
}

// testTSA is an in-process RFC 3161 TSA built with digitorus/timestamp.
type testTSA struct {
	cert  *x509.Certificate
	key   crypto.Signer
	calls int
	mu    sync.Mutex
}

func newTestTSA() (*testTSA, *x509.Certificate, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	rt := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pades test TSA root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	rder, err := x509.CreateCertificate(rand.Reader, rt, rt, rk.Public(), rk)
	if err != nil {
		return nil, nil, err
	}
	root, _ := x509.ParseCertificate(rder)
	tk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	tt := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "pades test TSA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(2, 0, 0),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}
	tder, err := x509.CreateCertificate(rand.Reader, tt, root, tk.Public(), rk)
	if err != nil {
		return nil, nil, err
	}
	tc, _ := x509.ParseCertificate(tder)
	return &testTSA{cert: tc, key: tk}, root, nil
}

func (s *testTSA) Timestamp(ctx context.Context, h crypto.Hash, digest []byte) (*tsa.Token, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	ts := timestamp.Timestamp{
		HashAlgorithm: h, HashedMessage: digest, Time: time.Now(),
		Policy: asn1.ObjectIdentifier{1, 2, 3, 4, 1}, AddTSACertificate: true,
	}
	resp, err := ts.CreateResponseWithOpts(s.cert, s.key, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	p, err := timestamp.ParseResponse(resp)
	if err != nil {
		return nil, err
	}
	return tsa.Parse(p.RawToken)
}

// genPDF builds a PDF 1.7 with classic xref: one page per text, and an
// optional incompressible stream of extra bytes.
func genPDF(texts []string, extra int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	n := len(texts)
	// 1 catalog, 2 pages, 3 info, 4 font, then per page: page, content; then extra.
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	kids := ""
	for i := 0; i < n; i++ {
		kids += fmt.Sprintf("%d 0 R ", 5+2*i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 595 842] >>", kids, n))
	obj("<< /Producer (felles pades test) /Title (Vedtak) >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, t := range texts {
		res := "<< /Font << /F1 4 0 R >> >>"
		if extra > 0 && i == 0 {
			res = fmt.Sprintf("<< /Font << /F1 4 0 R >> /XObject << /Im1 %d 0 R >> >>", 5+2*n)
		}
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources %s /Contents %d 0 R >>", res, 6+2*i))
		content := fmt.Sprintf("BT /F1 24 Tf 72 720 Td (%s) Tj ET", t)
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	if extra > 0 {
		data := make([]byte, extra)
		_, _ = rand.Read(data)
		w := extra / 3
		if w == 0 {
			w = 1
		}
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n", len(offs), w, extra)
		b.Write(data)
		b.WriteString("\nendstream\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>] >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// sharedDir returns ../shared relative to the module root, or skips.
func sharedDir(t testing.TB, rel string) string {
	t.Helper()
	return corpus.Dir(t, rel)
}

func signBytes(t testing.TB, pdfBytes []byte, opts ...Option) []byte {
	t.Helper()
	f := getFixture(t)
	var out bytes.Buffer
	if err := Sign(context.Background(), bytes.NewReader(pdfBytes), int64(len(pdfBytes)), &out, f.cert.Signer, f.cert.Chain, opts...); err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return out.Bytes()
}

func verifyBytes(t testing.TB, pdfBytes []byte) *Report {
	t.Helper()
	return verifyBytesWith(t, pdfBytes, VerifyOptions{})
}

// verifyBytesWith verifies with opts, the fixture's roots and
// intermediates filled in when nil.
func verifyBytesWith(t testing.TB, pdfBytes []byte, opts VerifyOptions) *Report {
	t.Helper()
	f := getFixture(t)
	if opts.Roots == nil {
		opts.Roots = f.roots
	}
	if opts.Intermediates == nil {
		opts.Intermediates = f.interm
	}
	rep, err := Verify(context.Background(), bytes.NewReader(pdfBytes), int64(len(pdfBytes)), opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

func hasAnomaly(s SignatureReport, a Anomaly) bool {
	for _, x := range s.Anomalies {
		if x == a {
			return true
		}
	}
	return false
}
