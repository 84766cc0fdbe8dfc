package pades

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/internal/testpki"
)

// A seal whose certificate has expired since stays valid when a later
// document timestamp proves it existed while the certificate was valid;
// without one (or with the timestamp before the signature) it does not.
func TestDocumentTimestampProvesExistence(t *testing.T) {
	f := getFixture(t)
	short, err := f.ca.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Testkommune",
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	in := genPDF([]string{"Vedtak"}, 0)
	var sealed bytes.Buffer
	if err := Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &sealed, short.Signer, short.Chain); err != nil {
		t.Fatal(err)
	}
	var archived bytes.Buffer
	if err := Timestamp(context.Background(), bytes.NewReader(sealed.Bytes()), int64(sealed.Len()), &archived, f.tsa); err != nil {
		t.Fatal(err)
	}
	later := VerifyOptions{Roots: f.roots, Intermediates: f.interm, Time: time.Now().Add(3 * time.Hour)}

	rep, err := Verify(context.Background(), bytes.NewReader(sealed.Bytes()), int64(sealed.Len()), later)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Valid() || !strings.Contains(strings.Join(rep.Signatures[0].Reasons, " "), "certificate chain") {
		t.Fatalf("expired seal without a document timestamp: valid %t, %v", rep.Valid(), rep.Signatures[0].Reasons)
	}

	rep, err = Verify(context.Background(), bytes.NewReader(archived.Bytes()), int64(archived.Len()), later)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Signatures) != 2 || !rep.Valid() {
		t.Fatalf("expired seal with a later document timestamp: %+v", rep.Signatures)
	}
	if s := rep.Signatures[0]; s.Chain == nil || !strings.Contains(strings.Join(s.Deviations, " "), "document timestamp proves") {
		t.Errorf("the seal does not say how it was validated: %+v", s)
	}

	// The proof must cover the signature: a document timestamp added
	// before the seal proves nothing about it.
	var first, thenSealed bytes.Buffer
	if err := Timestamp(context.Background(), bytes.NewReader(in), int64(len(in)), &first, f.tsa); err != nil {
		t.Fatal(err)
	}
	if err := Sign(context.Background(), bytes.NewReader(first.Bytes()), int64(first.Len()), &thenSealed, short.Signer, short.Chain); err != nil {
		t.Fatal(err)
	}
	rep, err = Verify(context.Background(), bytes.NewReader(thenSealed.Bytes()), int64(thenSealed.Len()), later)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Valid() {
		t.Errorf("a document timestamp before the seal made the expired seal valid: %+v", rep.Signatures)
	}
}

// A document timestamp proves existence from its time on: verifying as at
// an earlier time (VerifyOptions.Time before the certificate was valid),
// it must not make the signature valid.
func TestDocumentTimestampAfterTheValidationTime(t *testing.T) {
	f := getFixture(t)
	short, err := f.ca.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Testkommune",
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	in := genPDF([]string{"Vedtak"}, 0)
	var sealed, archived bytes.Buffer
	if err := Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &sealed, short.Signer, short.Chain); err != nil {
		t.Fatal(err)
	}
	if err := Timestamp(context.Background(), bytes.NewReader(sealed.Bytes()), int64(sealed.Len()), &archived, f.tsa); err != nil {
		t.Fatal(err)
	}
	before := VerifyOptions{Roots: f.roots, Intermediates: f.interm, Time: time.Now().Add(-2 * time.Hour)}
	rep, err := Verify(context.Background(), bytes.NewReader(archived.Bytes()), int64(archived.Len()), before)
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Signatures[0]; s.Valid || s.Chain != nil {
		t.Errorf("as at a time before its certificate was valid, the seal is valid by a later document timestamp: %+v", s)
	}
}
