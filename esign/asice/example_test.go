package asice_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/fellesgo/felles/esign/asice"
	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

var (
	exampleOnce sync.Once
	exampleCA   *testpki.CA
	exampleCert *identity.Certificate
)

// enterpriseCertificate stands in for the caller's virksomhetssertifikat
// (load yours with package identity); the test CA is felles' own.
func enterpriseCertificate() (*testpki.CA, *identity.Certificate) {
	exampleOnce.Do(func() {
		var err error
		if exampleCA, err = testpki.New("Example"); err != nil {
			log.Fatal(err)
		}
		exampleCert, err = exampleCA.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Testkommune"})
		if err != nil {
			log.Fatal(err)
		}
	})
	return exampleCA, exampleCert
}

// Sign a DPI document package: the SDP manifest, the main document and an
// attachment, in that order.
func ExampleSign() {
	_, cert := enterpriseCertificate()
	files := []asice.File{
		{Name: "manifest.xml", MimeType: "application/xml", Data: []byte(`<manifest xmlns="http://begrep.difi.no/sdp/schema_v10">...</manifest>`)},
		{Name: "vedtak.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.7 ...")},
		{Name: "informasjon.html", MimeType: "text/html", Data: []byte("<!DOCTYPE html><title>Informasjon</title>")},
	}
	var buf bytes.Buffer
	if err := asice.Sign(&buf, files, cert.Signer, cert.Chain, asice.WithProfile(asice.ProfileDPI)); err != nil {
		log.Fatal(err)
	}
	c, err := asice.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range c.Files() {
		fmt.Println(f.Name)
	}
	// Output:
	// mimetype
	// manifest.xml
	// vedtak.pdf
	// informasjon.html
	// META-INF/signatures.xml
	// META-INF/manifest.xml
}

// Verify a container received from outside: Verify opens it safely, checks
// the XAdES signature and the chain, and that every file is signed.
func ExampleVerify() {
	ca, cert := enterpriseCertificate()
	var buf bytes.Buffer
	files := []asice.File{{Name: "kontrakt.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.7 ...")}}
	if err := asice.Sign(&buf, files, cert.Signer, cert.Chain, asice.WithProfile(asice.ProfileSignering), asice.WithSigningTime(time.Now())); err != nil {
		log.Fatal(err)
	}
	data := buf.Bytes()

	report, err := asice.Verify(bytes.NewReader(data), int64(len(data)), asice.VerifyOptions{Roots: ca.Roots()})
	var fe *asice.FormatError
	switch {
	case errors.As(err, &fe):
		fmt.Println("refused:", fe.Reason)
	case err != nil:
		fmt.Println("invalid:", report.Problems)
	default:
		fmt.Println("valid, signed by", report.Signer.Subject.Organization[0], "covering", report.Files)
	}
	// Output:
	// valid, signed by Testkommune covering [kontrakt.pdf]
}

// Open refuses malicious archives before anything is read from them.
func ExampleOpen() {
	// A crafted archive whose entry would escape an extraction directory.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("../../etc/cron.d/evil")
	f.Write([]byte("* * * * * root sh -c ..."))
	zw.Close()
	evil := buf.Bytes()

	_, err := asice.Open(bytes.NewReader(evil), int64(len(evil)))
	fmt.Println(errors.Is(err, asice.ErrUnsafeName))
	fmt.Println(err)
	// Output:
	// true
	// asice: unsafe file name: "../../etc/cron.d/evil": path traversal
}
