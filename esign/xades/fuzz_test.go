package xades_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fellesgo/felles/esign/xades"
)

// FuzzVerify feeds arbitrary signatures.xml to Verify: it must never panic
// and never accept anything but the genuine signature.
//
// The fuzz workers avoid testpki: RSA key generation under the fuzzer's
// coverage instrumentation takes many seconds per worker. A self-signed
// ECDSA certificate signs the seeds; the DPI sample seeds exercise RSA.
// Run with -fuzzminimizetime 2s: minimizing inputs derived from the large
// seeds otherwise stalls the workers for the default 60 s.
func FuzzVerify(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
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
	fsys, refs := testFS()
	for _, opts := range [][]xades.Option{nil, {xades.WithCanonicalization(xades.C14N11), xades.WithNamespace(xades.NamespaceASiC2014)}} {
		sigXML, err := xades.Sign(refs, key, []*x509.Certificate{cert}, opts...)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{Roots: roots}); err != nil {
			f.Fatal(err)
		}
		f.Add(sigXML)
	}
	f.Add([]byte(`<XAdESSignatures xmlns="http://uri.etsi.org/02918/v1.2.1#"/>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`))
	if paths, _ := filepath.Glob("../../../shared/testdata/dpi/examples/komplette/*-dokumentpakke.zip"); len(paths) > 0 {
		_, s := unzipMem(f, paths[0])
		f.Add(s)
	}
	if b, err := os.ReadFile("../../../shared/testdata/signature-api/examples/xades/signatures.xml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sig, err := xades.Verify(data, fsys, xades.VerifyOptions{Roots: roots})
		if err == nil && sig == nil {
			t.Fatal("nil signature without error")
		}
		if err == nil && len(sig.Files) == 0 {
			t.Fatal("accepted a signature over no files")
		}
	})
}
