package xmldsig_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log"
	"math/big"
	"time"

	"github.com/beevik/etree"

	"github.com/fellesgo/felles/internal/xmldsig"
)

func ExampleSignEnveloped() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	cert, _ := x509.ParseCertificate(der)

	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1"><Issuer>https://idp.example</Issuer></Assertion>`); err != nil {
		log.Fatal(err)
	}
	signed, err := xmldsig.SignEnveloped(doc.Root(), key, []*x509.Certificate{cert}, xmldsig.SignOptions{})
	if err != nil {
		log.Fatal(err)
	}
	out := etree.NewDocument()
	out.SetRoot(signed)
	data, _ := out.WriteToBytes()

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	v, err := xmldsig.VerifyEnveloped(data, roots, xmldsig.VerifyOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Element.FindElement("./Issuer").Text(), v.Chain[0].Subject.CommonName)
	// Output: https://idp.example idp
}
