package xades_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"github.com/fellesgo/felles/internal/corpus"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/fellesgo/felles/esign/xades"
	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

// testPKI returns one CA and enterprise certificate per test binary.
func testPKI(tb testing.TB) (*testpki.CA, *identity.Certificate) {
	tb.Helper()
	ca, cert, err := testpki.Shared()
	if err != nil {
		tb.Fatal(err)
	}
	return ca, cert
}

// sharedDir returns <module root>/../shared/<rel>, skipping the test when
// it is absent.
func sharedDir(tb testing.TB, rel string) string {
	tb.Helper()
	return corpus.Dir(tb, rel)
}

var testFiles = map[string]struct {
	data string
	mime string
}{
	"manifest.xml":  {`<manifest xmlns="http://begrep.difi.no/sdp/schema_v10"/>`, "application/xml"},
	"vedtak.pdf":    {"%PDF-1.7 pretend", "application/pdf"},
	"vedlegg 1.txt": {"hello, world\n", "text/plain"},
}

// testFS returns the test files as an fs.FS and the matching references
// (percent-encoding the space).
func testFS() (fstest.MapFS, []xades.Reference) {
	fsys := fstest.MapFS{}
	var refs []xades.Reference
	for _, name := range []string{"manifest.xml", "vedtak.pdf", "vedlegg 1.txt"} {
		f := testFiles[name]
		fsys[name] = &fstest.MapFile{Data: []byte(f.data), Mode: 0o644}
		sum := sha256.Sum256([]byte(f.data))
		uri := name
		if name == "vedlegg 1.txt" {
			uri = "vedlegg%201.txt"
		}
		refs = append(refs, xades.Reference{URI: uri, MimeType: f.mime, Digest: sum[:]})
	}
	return fsys, refs
}

var fixedTime = time.Date(2026, 11, 23, 12, 0, 0, 123e6, time.UTC)

// signTest signs the test files with the test certificate.
func signTest(tb testing.TB, opts ...xades.Option) ([]byte, fstest.MapFS) {
	tb.Helper()
	_, cert := testPKI(tb)
	fsys, refs := testFS()
	opts = append([]xades.Option{xades.WithSigningTime(fixedTime)}, opts...)
	out, err := xades.Sign(refs, cert.Signer, cert.Chain, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return out, fsys
}

// testPKIOther returns the roots of an unrelated CA.
func testPKIOther(tb testing.TB) (*x509.CertPool, error) {
	other, err := testpki.New("Other")
	if err != nil {
		return nil, err
	}
	return other.Roots(), nil
}

func base64Decode(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

func sha1Sum(s string) []byte {
	h := sha1.Sum([]byte(s))
	return h[:]
}

var (
	ecOnce sync.Once
	ecCert *identity.Certificate
	ecErr  error
)

// testECCert returns an ECDSA P-256 certificate from the test CA.
func testECCert(tb testing.TB) *identity.Certificate {
	tb.Helper()
	ca, _ := testPKI(tb)
	ecOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			ecErr = err
			return
		}
		ecCert, ecErr = ca.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Testkommune EC", Key: key})
	})
	if ecErr != nil {
		tb.Fatal(ecErr)
	}
	return ecCert
}
