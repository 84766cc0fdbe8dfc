package identity_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

// An enterprise certificate as delivered: a PKCS#12 file and its password.
func ExampleLoadPKCS12File() {
	cert, err := identity.LoadPKCS12File("virksomhetssertifikat.p12", "passord-fra-buypass")
	if err != nil {
		if errors.Is(err, identity.ErrWrongPassword) {
			log.Fatal("wrong password for the certificate file")
		}
		log.Fatal(err)
	}
	if err := cert.CheckValidity(time.Time{}); err != nil {
		log.Fatal(err) // *identity.ValidityError: expired or not yet valid
	}
	orgnr, err := cert.OrganizationNumber()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signing as organisation", orgnr)
}

func ExampleParsePKCS12() {
	// testpki stands in for Buypass or Commfides.
	ca, err := testpki.New("Example")
	if err != nil {
		log.Fatal(err)
	}
	issued, err := ca.Issue(testpki.Request{OrganizationNumber: "974760673", OrganizationName: "Test Kommune"})
	if err != nil {
		log.Fatal(err)
	}
	p12, err := testpki.EncodePKCS12(issued, "hemmelig")
	if err != nil {
		log.Fatal(err)
	}

	cert, err := identity.ParsePKCS12(p12, "hemmelig")
	if err != nil {
		log.Fatal(err)
	}
	orgnr, _ := cert.OrganizationNumber()
	fmt.Println("organisation:", orgnr)
	fmt.Println("leaf:", cert.Leaf().Subject.CommonName)
	fmt.Println("issuer:", cert.Chain[1].Subject.CommonName)

	_, err = identity.ParsePKCS12(p12, "feil")
	fmt.Println("wrong password:", errors.Is(err, identity.ErrWrongPassword))
	// Output:
	// organisation: 974760673
	// leaf: Test Kommune
	// issuer: Example Class 3 CA
	// wrong password: true
}

func ExampleOrganizationNumber() {
	ca, err := testpki.New("Example")
	if err != nil {
		log.Fatal(err)
	}
	for _, legacy := range []bool{false, true} {
		c, err := ca.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Digdir", LegacySubject: legacy})
		if err != nil {
			log.Fatal(err)
		}
		orgnr, err := identity.OrganizationNumber(c.Leaf())
		fmt.Println(orgnr, err)
	}

	// A number with a wrong check digit.
	c, err := ca.Issue(testpki.Request{OrganizationNumber: "991825828", OrganizationName: "Digdir"})
	if err != nil {
		log.Fatal(err)
	}
	_, err = identity.OrganizationNumber(c.Leaf())
	var bad *identity.OrganizationNumberError
	if errors.As(err, &bad) {
		fmt.Println(bad.Number, "in", bad.Attribute)
		fmt.Println(err)
	}
	// Output:
	// 991825827 <nil>
	// 991825827 <nil>
	// 991825828 in organizationIdentifier
	// identity: organisation number "991825828" in certificate subject organizationIdentifier fails the mod-11 check digit
}

func ExampleValidOrganizationNumber() {
	for _, s := range []string{"974760673", "974760674", "974 760 673"} {
		fmt.Println(s, identity.ValidOrganizationNumber(s))
	}
	// Output:
	// 974760673 true
	// 974760674 false
	// 974 760 673 false
}

func ExampleCertificate_CheckValidity() {
	ca, err := testpki.New("Example")
	if err != nil {
		log.Fatal(err)
	}
	c, err := ca.Issue(testpki.Request{
		OrganizationNumber: "974760673",
		OrganizationName:   "Test Kommune",
		NotBefore:          time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:           time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	err = c.CheckValidity(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
	var ve *identity.ValidityError
	if errors.As(err, &ve) {
		fmt.Println("expired:", ve.Expired())
		fmt.Println(err)
	}
	// Output:
	// expired: true
	// identity: certificate organizationIdentifier=NTRNO-974760673,CN=Test Kommune,O=Test Kommune,C=NO expired at 2023-01-01T00:00:00Z
}

// hsmKey stands for a key in an HSM or a cloud KMS: only Public and Sign.
type hsmKey struct{ k crypto.Signer }

func (h hsmKey) Public() crypto.PublicKey { return h.k.Public() }
func (h hsmKey) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return h.k.Sign(r, digest, opts)
}

func ExampleNewCertificate() {
	ca, err := testpki.New("Example")
	if err != nil {
		log.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	issued, err := ca.Issue(testpki.Request{OrganizationNumber: "974760673", OrganizationName: "Test Kommune", Key: key})
	if err != nil {
		log.Fatal(err)
	}

	// The chain comes from the certificate files; the key stays in the HSM.
	cert, err := identity.NewCertificate(hsmKey{key}, issued.Chain)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(cert.Chain), "certificates")

	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, err = identity.NewCertificate(hsmKey{other}, issued.Chain)
	fmt.Println("wrong key:", errors.Is(err, identity.ErrKeyMismatch))
	// Output:
	// 2 certificates
	// wrong key: true
}
