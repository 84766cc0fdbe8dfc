package identity_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

// Organisation numbers with valid mod-11 check digits.
const (
	orgDigdir = "991825827" // Digitaliseringsdirektoratet, as in the official samples
	orgTiger  = "810969342" // KOLLEKTIV TIGER AS, a Digdir test organisation
	orgBrreg  = "974760673" // Brønnøysundregistrene
)

// samplesDir is where the official Digdir samples are, relative to this
// package; shared sits next to the repository.
const samplesDir = "../../shared/testdata/dpi/examples/komplette"

func sample(t testing.TB, name string) []byte {
	t.Helper()
	p := filepath.Join(samplesDir, name)
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("official sample %s is not present (the shared test data sits next to the repository); skipping", p)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var (
	caOnce sync.Once
	ca     *testpki.CA
	caErr  error
)

// testCA returns a CA shared by the tests, as RSA key generation is slow.
func testCA(t testing.TB) *testpki.CA {
	t.Helper()
	caOnce.Do(func() { ca, caErr = testpki.New("Felles Test") })
	if caErr != nil {
		t.Fatal(caErr)
	}
	return ca
}

func issue(t testing.TB, r testpki.Request) *identity.Certificate {
	t.Helper()
	if r.OrganizationName == "" {
		r.OrganizationName = "Test Kommune"
	}
	c, err := testCA(t).Issue(r)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// selfSigned returns a self-signed certificate with the given subject and
// an ECDSA key (fast to generate).
func selfSigned(t testing.TB, subject pkix.Name) *x509.Certificate {
	t.Helper()
	k := ecKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      subject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func orgIDName(value string) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{
		Type:  testpki.OIDOrganizationIdentifier,
		Value: asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(value)},
	}
}

func certsPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func pkcs8PEM(t testing.TB, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// chainDiff reports how got differs from want, comparing DER.
func chainDiff(got, want []*x509.Certificate) string {
	name := func(cs []*x509.Certificate) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.Subject.CommonName)
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	if len(got) != len(want) {
		return "chain " + name(got) + ", want " + name(want)
	}
	for i := range got {
		if !got[i].Equal(want[i]) {
			return "chain " + name(got) + ", want " + name(want)
		}
	}
	return ""
}

// checkErr fails t unless err wraps want (if want is not nil) and reads
// as a felles error: prefixed, and mentioning each of mention.
func checkErr(t testing.TB, err, want error, mention ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	if want != nil && !errors.Is(err, want) {
		t.Errorf("error %q does not wrap %q", err, want)
	}
	if !strings.HasPrefix(err.Error(), "identity: ") {
		t.Errorf("error %q lacks the \"identity: \" prefix", err)
	}
	for _, m := range mention {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not mention %q", err, m)
		}
	}
}

// hand-built PKCS#12 (RFC 7292), for layouts no encoder writes: no
// encryption and no MAC, which go-pkcs12 reads with an empty password.

var (
	oidData      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidKeyBag    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidCertBag   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509InBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
)

// asn1.Marshal ignores struct tags on RawValue fields, so explicit [0]
// wrappers are built with explicit0.

type p12ContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue
}

type p12SafeBag struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue
}

func explicit0(inner []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}
}

type p12CertBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type p12PFX struct {
	Version  int
	AuthSafe p12ContentInfo
}

// plainPKCS12 builds a password-less PKCS#12 file holding keys and certs.
func plainPKCS12(t testing.TB, keys []crypto.Signer, certs []*x509.Certificate) []byte {
	t.Helper()
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var bags []p12SafeBag
	for _, k := range keys {
		der := must(x509.MarshalPKCS8PrivateKey(k))
		bags = append(bags, p12SafeBag{ID: oidKeyBag, Value: explicit0(der)})
	}
	for _, c := range certs {
		cb := must(asn1.Marshal(p12CertBag{ID: oidX509InBag, Data: c.Raw}))
		bags = append(bags, p12SafeBag{ID: oidCertBag, Value: explicit0(cb)})
	}
	safeContents := must(asn1.Marshal(bags))
	octets := func(b []byte) asn1.RawValue { return explicit0(must(asn1.Marshal(b))) }
	authSafe := must(asn1.Marshal([]p12ContentInfo{{ContentType: oidData, Content: octets(safeContents)}}))
	return must(asn1.Marshal(p12PFX{Version: 3, AuthSafe: p12ContentInfo{ContentType: oidData, Content: octets(authSafe)}}))
}
