package xades_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"math/big"
	"testing/fstest"
	"time"

	"github.com/fellesgo/felles/esign/xades"
)

// selfSigned returns a throwaway key and self-signed certificate; real
// callers use their enterprise certificate (identity.Certificate).
func selfSigned() (*ecdsa.PrivateKey, *x509.Certificate) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Testkommune"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	return key, cert
}

func ExampleSign() {
	key, cert := selfSigned()
	letter := []byte("%PDF-1.7 ...")
	sum := sha256.Sum256(letter)
	sigXML, err := xades.Sign(
		[]xades.Reference{{URI: "vedtak.pdf", MimeType: "application/pdf", Digest: sum[:]}},
		key, []*x509.Certificate{cert},
		xades.WithSigningTime(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)),
	)
	if err != nil {
		log.Fatal(err)
	}
	// sigXML is META-INF/signatures.xml of the ASiC-E container.

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	files := fstest.MapFS{"vedtak.pdf": {Data: letter}}
	sig, err := xades.Verify(sigXML, files, xades.VerifyOptions{Roots: roots})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sig.Signer.Subject.CommonName, sig.Files, sig.MimeTypes["vedtak.pdf"], sig.SigningTime)
	// Output:
	// Testkommune [vedtak.pdf] application/pdf 2026-11-23 12:00:00 +0000 UTC
}

func ExampleVerify() {
	key, cert := selfSigned()
	sum := sha256.Sum256([]byte("original"))
	sigXML, err := xades.Sign([]xades.Reference{{URI: "brev.txt", MimeType: "text/plain", Digest: sum[:]}}, key, []*x509.Certificate{cert})
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)

	changed := fstest.MapFS{"brev.txt": {Data: []byte("changed")}}
	_, err = xades.Verify(sigXML, changed, xades.VerifyOptions{Roots: roots})
	var ve *xades.VerifyError
	fmt.Println(errors.Is(err, xades.ErrDigestMismatch), errors.As(err, &ve) && ve.URI == "brev.txt")
	fmt.Println(err)

	// With the system roots (no Roots), which do not hold the test CA,
	// everything but trust is checked.
	sig, err := xades.Verify(sigXML, fstest.MapFS{"brev.txt": {Data: []byte("original")}}, xades.VerifyOptions{})
	fmt.Println(errors.Is(err, xades.ErrUntrusted), sig.Signer.Subject.CommonName)
	// Output:
	// true true
	// xades: digest mismatch: file "brev.txt" changed (reference "brev.txt")
	// true Testkommune
}
