package identity_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

const p12Password = "Hemmelig-passord-æøå-42"

// encoders are the go-pkcs12 encoders, modern and legacy. None of them is
// felles code; LegacyRC2 and LegacyDES write what older Buypass and
// Commfides files and "openssl pkcs12 -legacy" hold.
var encoders = []struct {
	name string
	enc  *pkcs12.Encoder
}{
	{"Modern2023 (PBES2 AES-256, HMAC-SHA-256)", pkcs12.Modern2023},
	{"Modern2026 (PBES2 AES-256, PBMAC1)", pkcs12.Modern2026},
	{"LegacyDES (3DES, HMAC-SHA-1)", pkcs12.LegacyDES},
	{"LegacyRC2 (RC2-40 certificates, 3DES key)", pkcs12.LegacyRC2},
}

func TestParsePKCS12(t *testing.T) {
	rsaCert := issue(t, testpki.Request{OrganizationNumber: orgBrreg})
	ecCert := issue(t, testpki.Request{OrganizationNumber: orgTiger, LegacySubject: true, Key: ecKey(t)})
	for _, e := range encoders {
		for _, c := range []*identity.Certificate{rsaCert, ecCert} {
			name := e.name + "/" + keyType(c.Signer)
			t.Run(name, func(t *testing.T) {
				data, err := e.enc.Encode(c.Signer, c.Chain[0], c.Chain[1:], p12Password)
				if err != nil {
					t.Fatal(err)
				}
				got, err := identity.ParsePKCS12(data, p12Password)
				if err != nil {
					t.Fatal(err)
				}
				checkSame(t, got, c)

				_, err = identity.ParsePKCS12(data, p12Password+"x")
				checkErr(t, err, identity.ErrWrongPassword, "wrong password")
				if strings.Contains(err.Error(), p12Password) {
					t.Errorf("error %q contains the password", err)
				}
				_, err = identity.ParsePKCS12(data, "")
				checkErr(t, err, identity.ErrWrongPassword)
			})
		}
	}
}

func keyType(s crypto.Signer) string {
	switch s.(type) {
	case *rsa.PrivateKey:
		return "RSA"
	case *ecdsa.PrivateKey:
		return "ECDSA"
	}
	return "other"
}

// checkSame fails t unless got holds the key and chain of want.
func checkSame(t *testing.T, got, want *identity.Certificate) {
	t.Helper()
	if d := chainDiff(got.Chain, want.Chain); d != "" {
		t.Error(d)
	}
	eq, ok := got.Signer.(interface{ Equal(crypto.PrivateKey) bool })
	if !ok || !eq.Equal(want.Signer) {
		t.Errorf("signer %T is not the original key", got.Signer)
	}
	wantNr, _ := want.OrganizationNumber()
	if n, err := got.OrganizationNumber(); err != nil || n != wantNr {
		t.Errorf("OrganizationNumber() = %q, %v; want %s", n, err, wantNr)
	}
}

func TestParsePKCS12TestPKIEncoder(t *testing.T) {
	c := issue(t, testpki.Request{OrganizationNumber: orgBrreg})
	data, err := testpki.EncodePKCS12(c, p12Password)
	if err != nil {
		t.Fatal(err)
	}
	got, err := identity.ParsePKCS12(data, p12Password)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, got, c)
}

func TestParsePKCS12ChainOrder(t *testing.T) {
	ca := testCA(t)
	c := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: ecKey(t)})
	leaf, issuing := c.Chain[0], c.Chain[1]
	stranger := selfSigned(t, leaf.Subject) // unrelated, same subject as the leaf
	want := []*x509.Certificate{leaf, issuing, ca.Root}

	tests := []struct {
		name  string
		first *x509.Certificate
		rest  []*x509.Certificate
		want  []*x509.Certificate
	}{
		{"in order", leaf, []*x509.Certificate{issuing, ca.Root}, want},
		{"root first", ca.Root, []*x509.Certificate{leaf, issuing}, want},
		{"reversed", ca.Root, []*x509.Certificate{issuing, leaf}, want},
		{"issuing first, no root", issuing, []*x509.Certificate{leaf}, want[:2]},
		{"unrelated certificate left out", stranger, []*x509.Certificate{ca.Root, issuing, leaf}, want},
		{"leaf only", leaf, nil, want[:1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// go-pkcs12 does not check that the key belongs to the first
			// certificate, which lets the test store any order.
			data, err := pkcs12.Modern.Encode(c.Signer, tt.first, tt.rest, p12Password)
			if err != nil {
				t.Fatal(err)
			}
			got, err := identity.ParsePKCS12(data, p12Password)
			if err != nil {
				t.Fatal(err)
			}
			if d := chainDiff(got.Chain, tt.want); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestParsePKCS12Errors(t *testing.T) {
	a := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: ecKey(t)})
	b := issue(t, testpki.Request{OrganizationNumber: orgTiger, Key: ecKey(t)})

	t.Run("key mismatch", func(t *testing.T) {
		data, err := pkcs12.Modern.Encode(a.Signer, b.Chain[0], b.Chain[1:], p12Password)
		if err != nil {
			t.Fatal(err)
		}
		_, err = identity.ParsePKCS12(data, p12Password)
		checkErr(t, err, identity.ErrKeyMismatch, "2 certificate(s)")
	})
	t.Run("no key", func(t *testing.T) {
		data, err := pkcs12.Modern.EncodeTrustStore(a.Chain, p12Password)
		if err != nil {
			t.Fatal(err)
		}
		_, err = identity.ParsePKCS12(data, p12Password)
		checkErr(t, err, identity.ErrNoPrivateKey, "no private key")
	})
	t.Run("no key, password-less", func(t *testing.T) {
		_, err := identity.ParsePKCS12(plainPKCS12(t, nil, a.Chain), "")
		checkErr(t, err, identity.ErrNoPrivateKey)
	})
	t.Run("no certificate", func(t *testing.T) {
		_, err := identity.ParsePKCS12(plainPKCS12(t, []crypto.Signer{a.Signer}, nil), "")
		checkErr(t, err, identity.ErrNoCertificate)
	})
	t.Run("two keys", func(t *testing.T) {
		data := plainPKCS12(t, []crypto.Signer{a.Signer, b.Signer}, []*x509.Certificate{a.Chain[0], a.Chain[1], b.Chain[0]})
		_, err := identity.ParsePKCS12(data, "")
		checkErr(t, err, nil, "more than one private key")
	})
	t.Run("password-less file with a password", func(t *testing.T) {
		data := plainPKCS12(t, []crypto.Signer{a.Signer}, a.Chain)
		got, err := identity.ParsePKCS12(data, "")
		if err != nil {
			t.Fatal(err)
		}
		checkSame(t, got, a)
		_, err = identity.ParsePKCS12(data, p12Password)
		checkErr(t, err, identity.ErrWrongPassword, "empty password")
	})
	t.Run("password outside the BMP", func(t *testing.T) {
		data, err := pkcs12.Modern.Encode(a.Signer, a.Chain[0], a.Chain[1:], p12Password)
		if err != nil {
			t.Fatal(err)
		}
		pw := "passord-\U0001F511"
		_, err = identity.ParsePKCS12(data, pw)
		checkErr(t, err, identity.ErrWrongPassword, "Basic Multilingual Plane")
		if strings.Contains(err.Error(), pw) {
			t.Errorf("error %q contains the password", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		_, err := identity.ParsePKCS12(nil, p12Password)
		checkErr(t, err, nil, "empty")
	})
	t.Run("garbage", func(t *testing.T) {
		_, err := identity.ParsePKCS12([]byte{0x30, 0x03, 0x02, 0x01, 0x03}, p12Password)
		checkErr(t, err, nil, "PKCS#12")
	})
	t.Run("truncated", func(t *testing.T) {
		data, err := pkcs12.Modern.Encode(a.Signer, a.Chain[0], a.Chain[1:], p12Password)
		if err != nil {
			t.Fatal(err)
		}
		_, err = identity.ParsePKCS12(data[:len(data)/2], p12Password)
		checkErr(t, err, nil, "cannot read the PKCS#12 data")
	})
	t.Run("too large", func(t *testing.T) {
		_, err := identity.ParsePKCS12(make([]byte, identity.MaxInputSize+1), p12Password)
		checkErr(t, err, nil, "limit")
	})
	t.Run("PEM", func(t *testing.T) {
		_, err := identity.ParsePKCS12(append(certsPEM(a.Chain...), pkcs8PEM(t, a.Signer)...), p12Password)
		checkErr(t, err, nil, "PEM", "ParsePEM")
	})
	t.Run("base64", func(t *testing.T) {
		data, err := pkcs12.Modern.Encode(a.Signer, a.Chain[0], a.Chain[1:], p12Password)
		if err != nil {
			t.Fatal(err)
		}
		b64 := base64.StdEncoding.EncodeToString(data)
		_, err = identity.ParsePKCS12([]byte(b64+"\n"), p12Password)
		checkErr(t, err, nil, "base64")
	})
	t.Run("JKS", func(t *testing.T) {
		_, err := identity.ParsePKCS12([]byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2}, p12Password)
		checkErr(t, err, nil, "Java KeyStore", "keytool")
	})
}

func TestLoadPKCS12File(t *testing.T) {
	c := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: ecKey(t)})
	data, err := pkcs12.LegacyDES.Encode(c.Signer, c.Chain[0], c.Chain[1:], p12Password)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "virksomhet.p12", data)
	got, err := identity.LoadPKCS12File(path, p12Password)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, got, c)

	_, err = identity.LoadPKCS12File(path, "feil")
	checkErr(t, err, identity.ErrWrongPassword, "identity: "+path+": wrong password")
	if strings.Contains(err.Error(), "feil") {
		t.Errorf("error %q contains the password", err)
	}

	missing := filepath.Join(t.TempDir(), "finnes-ikke.p12")
	_, err = identity.LoadPKCS12File(missing, p12Password)
	checkErr(t, err, fs.ErrNotExist, missing)
	if strings.Count(err.Error(), missing) != 1 {
		t.Errorf("error %q names the path more than once", err)
	}

	_, err = identity.LoadPKCS12File(t.TempDir(), p12Password)
	checkErr(t, err, nil, "directory")

	big := writeFile(t, "stor.p12", bytes.Repeat([]byte{0x30}, identity.MaxInputSize+1))
	_, err = identity.LoadPKCS12File(big, p12Password)
	checkErr(t, err, nil, big, "too large")

	// A file exactly at the limit is read (and then fails as PKCS#12).
	edge := writeFile(t, "grense.p12", bytes.Repeat([]byte{0x30}, identity.MaxInputSize))
	_, err = identity.LoadPKCS12File(edge, p12Password)
	checkErr(t, err, nil, edge, "PKCS#12")

	mismatch, err := pkcs12.Modern.Encode(ecKey(t), c.Chain[0], nil, p12Password)
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "mismatch.p12", mismatch)
	_, err = identity.LoadPKCS12File(p, p12Password)
	checkErr(t, err, identity.ErrKeyMismatch, p)
}

// TestPKCS12LibraryMessages pins the go-pkcs12 error texts that
// ParsePKCS12 classifies by, so that a dependency upgrade that rewords
// them fails here rather than silently degrading the errors.
func TestPKCS12LibraryMessages(t *testing.T) {
	a := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: ecKey(t)})
	b := issue(t, testpki.Request{OrganizationNumber: orgTiger, Key: ecKey(t)})
	tests := []struct {
		name string
		data []byte
		pw   string
		want string
	}{
		{"no key", plainPKCS12(t, nil, a.Chain), "", "pkcs12: private key missing"},
		{"no cert", plainPKCS12(t, []crypto.Signer{a.Signer}, nil), "", "pkcs12: certificate missing"},
		{"two keys", plainPKCS12(t, []crypto.Signer{a.Signer, b.Signer}, a.Chain), "", "pkcs12: expected exactly one key bag"},
		{"no MAC", plainPKCS12(t, []crypto.Signer{a.Signer}, a.Chain), "x", "pkcs12: no MAC in data"},
	}
	for _, tt := range tests {
		_, _, _, err := pkcs12.DecodeChain(tt.data, tt.pw)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: go-pkcs12 says %v, want %q", tt.name, err, tt.want)
		}
	}
	data, err := pkcs12.Modern.Encode(a.Signer, a.Chain[0], nil, "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := pkcs12.DecodeChain(data, "b"); !errors.Is(err, pkcs12.ErrIncorrectPassword) {
		t.Errorf("wrong password: go-pkcs12 says %v", err)
	}
	if _, _, _, err := pkcs12.DecodeChain(data, "\U0001F511"); err == nil || !strings.Contains(err.Error(), "cannot be encoded in UCS-2") {
		t.Errorf("password outside the BMP: go-pkcs12 says %v", err)
	}
}

func TestLoadPKCS12FileUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: file permissions do not stop reading")
	}
	c := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: ecKey(t)})
	data, err := testpki.EncodePKCS12(c, p12Password)
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "locked.p12", data)
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	_, err = identity.LoadPKCS12File(p, p12Password)
	checkErr(t, err, fs.ErrPermission, p)
}

// TestChainSameNameIssuers: a CA renewed with a new key keeps its name, and
// a file may hold both CA certificates. The chain takes the one whose
// signature on the leaf verifies.
func TestChainSameNameIssuers(t *testing.T) {
	rootKey, oldKey, newKey, leafKey := ecKey(t), ecKey(t), ecKey(t), ecKey(t)
	now := time.Now().Add(-time.Hour)
	create := func(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
		t.Helper()
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ca := func(serial int64, name string) *x509.Certificate {
		return &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: now, NotAfter: now.AddDate(1, 0, 0),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		}
	}
	root := create(ca(1, "Root"), ca(1, "Root"), rootKey.Public(), rootKey)
	oldCA := create(ca(2, "Issuing CA"), root, oldKey.Public(), rootKey)
	newCA := create(ca(3, "Issuing CA"), root, newKey.Public(), rootKey)
	leaf := create(&x509.Certificate{
		SerialNumber: big.NewInt(4),
		Subject:      pkix.Name{CommonName: "Test Kommune", ExtraNames: []pkix.AttributeTypeAndValue{orgIDName("NTRNO-" + orgBrreg)}},
		NotBefore:    now, NotAfter: now.AddDate(1, 0, 0),
	}, newCA, leafKey.Public(), newKey)

	data, err := pkcs12.Modern.Encode(leafKey, oldCA, []*x509.Certificate{root, leaf, newCA}, p12Password)
	if err != nil {
		t.Fatal(err)
	}
	got, err := identity.ParsePKCS12(data, p12Password)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Chain) != 3 || !got.Chain[0].Equal(leaf) || !got.Chain[1].Equal(newCA) || !got.Chain[2].Equal(root) {
		t.Errorf("%s; want the renewed CA (serial 3)", chainDiff(got.Chain, []*x509.Certificate{leaf, newCA, root}))
		for i, c := range got.Chain {
			t.Logf("chain[%d]: %s serial %v", i, c.Subject, c.SerialNumber)
		}
	}
}
