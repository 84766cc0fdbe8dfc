package pades_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/fellesgo/felles/esign/pades"
	"github.com/fellesgo/felles/esign/tsa"
	"github.com/fellesgo/felles/internal/testpki"
	"github.com/fellesgo/felles/sandbox"
)

// minimalPDF is a one-page PDF with a classic cross-reference table.
func minimalPDF() []byte {
	var b bytes.Buffer
	var offs []int
	b.WriteString("%PDF-1.7\n")
	for _, body := range []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	} {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 4\n0000000000 65535 f\r\n")
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", x)
	return b.Bytes()
}

func Example() {
	ca, err := testpki.New("example")
	if err != nil {
		log.Fatal(err)
	}
	cert, err := ca.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Testkommune"})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	in := minimalPDF()

	var signed bytes.Buffer
	err = pades.Sign(ctx, bytes.NewReader(in), int64(len(in)), &signed, cert.Signer, cert.Chain,
		pades.WithReason("Vedtak"), pades.WithLocation("Oslo"))
	if err != nil {
		log.Fatal(err)
	}

	rep, err := pades.Verify(ctx, bytes.NewReader(signed.Bytes()), int64(signed.Len()),
		pades.VerifyOptions{Roots: ca.Roots(), Intermediates: ca.Intermediates()})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range rep.Signatures {
		fmt.Println(s.FieldName, s.SubFilter, s.Coverage, s.Signer.Subject.CommonName, s.Valid)
	}
	fmt.Println("document valid:", rep.Valid())
	// Output:
	// Signature1 ETSI.CAdES.detached entire file Testkommune true
	// document valid: true
}

// Sign with a signature timestamp (PAdES B-T) from the sandbox's timestamp
// authority, and verify against the sandbox's root, which issued both the
// signer's and the TSA's certificates.
func ExampleWithTimestamp() {
	sb, err := sandbox.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	ts, err := tsa.New(sb.TSAURL())
	if err != nil {
		log.Fatal(err)
	}
	cert := sb.TestClient().Certificate
	ctx := context.Background()
	in := minimalPDF()

	var signed bytes.Buffer
	err = pades.Sign(ctx, bytes.NewReader(in), int64(len(in)), &signed, cert.Signer, cert.Chain,
		pades.WithTimestamp(ts))
	if err != nil {
		log.Fatal(err)
	}

	rep, err := pades.Verify(ctx, bytes.NewReader(signed.Bytes()), int64(signed.Len()),
		pades.VerifyOptions{Roots: sb.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	s := rep.Signatures[0]
	fmt.Println(s.Kind, s.Timestamp != nil, s.Valid)
	// Output: approval true true
}

// Add a document timestamp (/ETSI.RFC3161) to a PDF, for example to extend
// the life of the signatures it already has.
func ExampleTimestamp() {
	sb, err := sandbox.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	ts, err := tsa.New(sb.TSAURL())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	in := minimalPDF()

	var stamped bytes.Buffer
	if err := pades.Timestamp(ctx, bytes.NewReader(in), int64(len(in)), &stamped, ts); err != nil {
		log.Fatal(err)
	}

	rep, err := pades.Verify(ctx, bytes.NewReader(stamped.Bytes()), int64(stamped.Len()),
		pades.VerifyOptions{Roots: sb.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range rep.Signatures {
		fmt.Println(s.FieldName, s.SubFilter, s.Kind, s.Signer.Subject.CommonName, s.Valid)
	}
	// Output: DocTimeStamp1 ETSI.RFC3161 document timestamp Felles Sandbox TSA true
}
