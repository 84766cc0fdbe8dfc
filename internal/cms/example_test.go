package cms_test

import (
	"crypto/sha256"
	"fmt"
	"log"
	"time"

	"github.com/fellesgo/felles/internal/cms"
	"github.com/fellesgo/felles/internal/testpki"
)

// Sign a digest as PAdES baseline wants it (no signing-time attribute),
// then parse and verify the signature and its chain.
func ExampleSignDetached() {
	ca, err := testpki.New("Example")
	if err != nil {
		log.Fatal(err)
	}
	cert, err := ca.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Testkommune"})
	if err != nil {
		log.Fatal(err)
	}
	digest := sha256.Sum256([]byte("the signed byte range"))
	der, err := cms.SignDetached(digest[:], cert.Signer, cert.Chain, cms.SignOptions{})
	if err != nil {
		log.Fatal(err)
	}

	sd, err := cms.Parse(der)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signing time attribute:", sd.HasSigningTime)
	fmt.Println("ESS signing-certificate-v2 matches:", sd.SigningCertificateV2Matches)
	fmt.Println("signature:", sd.VerifySignature(digest[:]))
	_, err = sd.VerifyChain(ca.Roots(), nil, time.Now())
	fmt.Println("chain:", err)
	// Output:
	// signing time attribute: false
	// ESS signing-certificate-v2 matches: true
	// signature: <nil>
	// chain: <nil>
}
