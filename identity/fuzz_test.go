package identity_test

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/fellesgo/felles/identity"
)

// fuzzPasswords are tried on every input; errors must never contain them.
var fuzzPasswords = []string{samplePassword, p12Password, ""}

func readSeed(name string) []byte {
	data, err := os.ReadFile(filepath.Join(samplesDir, name))
	if err != nil {
		return nil // the samples are optional; the generated seeds remain
	}
	return data
}

// checkResult fails t unless c or err is sane: a result whose key is the
// leaf's, or a prefixed error that does not leak passwords.
func checkResult(t *testing.T, c *identity.Certificate, err error) {
	t.Helper()
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "identity: ") {
			t.Fatalf("error %q lacks the prefix", msg)
		}
		for _, pw := range fuzzPasswords {
			if pw != "" && strings.Contains(msg, pw) {
				t.Fatalf("error %q contains a password", msg)
			}
		}
		return
	}
	if c == nil || c.Signer == nil || len(c.Chain) == 0 {
		t.Fatalf("no error but result %+v", c)
	}
	if _, err := identity.NewCertificate(c.Signer, c.Chain); err != nil {
		t.Fatalf("result's key does not match its leaf: %v", err)
	}
	_, _ = c.OrganizationNumber()
}

// ecChain returns a leaf with an organizationIdentifier and its root, with
// ECDSA keys: the fuzz setup runs in every worker under coverage
// instrumentation, where generating RSA keys (as testpki does) takes long.
func ecChain(t testing.TB, orgnr string) *identity.Certificate {
	t.Helper()
	rootKey, leafKey := ecKey(t), ecKey(t)
	now := time.Now().Add(-time.Hour)
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Fuzz Root"},
		NotBefore: now, NotAfter: now.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{Organization: []string{"Fuzz AS"}, ExtraNames: []pkix.AttributeTypeAndValue{orgIDName("NTRNO-" + orgnr)}},
		NotBefore:    now, NotAfter: now.AddDate(1, 0, 0),
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, root, leafKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(leafDER)
	if err != nil {
		t.Fatal(err)
	}
	return &identity.Certificate{Signer: leafKey, Chain: []*x509.Certificate{leaf, root}}
}

func FuzzParsePKCS12(f *testing.F) {
	if data := readSeed("eksempel.p12"); data != nil {
		f.Add(data)
	}
	if data := readSeed("eksempel.jks"); data != nil {
		f.Add(data)
	}
	c := ecChain(f, orgBrreg)
	for _, enc := range []*pkcs12.Encoder{pkcs12.Modern2023, pkcs12.Modern2026, pkcs12.LegacyDES, pkcs12.LegacyRC2} {
		data, err := enc.WithIterations(1).Encode(c.Signer, c.Chain[0], c.Chain[1:], p12Password)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	data, err := pkcs12.Passwordless.Encode(c.Signer, c.Chain[0], c.Chain[1:], "")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte{})
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, pw := range fuzzPasswords {
			c, err := identity.ParsePKCS12(data, pw)
			checkResult(t, c, err)
		}
	})
}

func FuzzParsePEM(f *testing.F) {
	certPEM, keyPEM := readSeed("eksempel-cert.pem"), readSeed("eksempel-key.pem")
	if certPEM != nil && keyPEM != nil {
		f.Add(certPEM, keyPEM)
		// The same RSA key as PKCS#1.
		if b, _ := pem.Decode(keyPEM); b != nil {
			if k, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
				if rk, ok := k.(*rsa.PrivateKey); ok {
					f.Add(certPEM, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}))
				}
			}
		}
	}
	c := ecChain(f, orgBrreg)
	chain := certsPEM(c.Chain...)
	sec1, err := x509.MarshalECPrivateKey(c.Signer.(*ecdsa.PrivateKey))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(chain, pkcs8PEM(f, c.Signer))
	f.Add(chain, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}))
	both := append(pkcs8PEM(f, c.Signer), chain...)
	f.Add(both, both)
	f.Add(chain, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n"))
	f.Add([]byte{}, []byte{})

	f.Fuzz(func(t *testing.T, certPEM, keyPEM []byte) {
		c, err := identity.ParsePEM(certPEM, keyPEM)
		checkResult(t, c, err)
	})
}
