package xmldsig_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/fellesgo/felles/internal/xmldsig"
)

// FuzzVerifyEnveloped: never panic. The seed is signed with a small
// self-signed RSA key made in the worker (testpki's 2048-bit keys are slow
// under the fuzzer's instrumentation). Run with -fuzzminimizetime 2s.
func FuzzVerifyEnveloped(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fuzz"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		f.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	el, err := xmldsig.SignEnveloped(element(f, response), key, []*x509.Certificate{cert}, xmldsig.SignOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(serialize(f, el))
	f.Add([]byte(response))
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := xmldsig.VerifyEnveloped(data, roots, xmldsig.VerifyOptions{})
		if err == nil || v != nil {
			// The only key is 1024-bit RSA, which is always refused.
			t.Fatalf("accepted: %v", err)
		}
	})
}
