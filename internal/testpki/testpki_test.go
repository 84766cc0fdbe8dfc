package testpki

import (
	"crypto/x509"
	"encoding/asn1"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity"
)

func TestIssueChainsToRootInBothSubjectForms(t *testing.T) {
	ca, err := New("Felles Test")
	if err != nil {
		t.Fatal(err)
	}
	for _, legacy := range []bool{false, true} {
		c, err := ca.Issue(Request{OrganizationNumber: "991825827", OrganizationName: "Test Kommune", LegacySubject: legacy})
		if err != nil {
			t.Fatal(err)
		}
		leaf := c.Chain[0]
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Roots(), Intermediates: ca.Intermediates(),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			t.Errorf("legacy=%v: chain does not verify: %v", legacy, err)
		}
		if got, err := identity.OrganizationNumber(leaf); err != nil || got != "991825827" {
			t.Errorf("legacy=%v: OrganizationNumber = %q, %v", legacy, got, err)
		}
		// The organizationIdentifier must be a UTF8String, as in the real
		// Buypass certificates, and serialNumber a PrintableString.
		var rdns []attributeSET
		if _, err := asn1.Unmarshal(leaf.RawSubject, &rdns); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, rdn := range rdns {
			for _, atv := range rdn {
				switch {
				case atv.Type.Equal(OIDOrganizationIdentifier):
					found = !legacy && atv.Value.Tag == asn1.TagUTF8String && string(atv.Value.Bytes) == "NTRNO-991825827"
				case atv.Type.Equal(asn1.ObjectIdentifier{2, 5, 4, 5}):
					found = legacy && atv.Value.Tag == asn1.TagPrintableString && string(atv.Value.Bytes) == "991825827"
				}
			}
		}
		if !found {
			t.Errorf("legacy=%v: subject lacks the organisation number in the expected form", legacy)
		}
	}
}

func TestIssueValidityAndRequiredFields(t *testing.T) {
	ca, err := New("Felles Test")
	if err != nil {
		t.Fatal(err)
	}
	nb := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	c, err := ca.Issue(Request{OrganizationNumber: "991825827", OrganizationName: "X", NotBefore: nb, NotAfter: nb.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	var ve *identity.ValidityError
	if err := c.CheckValidity(time.Now()); err == nil || !asError(err, &ve) || !ve.Expired() {
		t.Errorf("CheckValidity = %v, want an expiry", err)
	}
	if _, err := ca.Issue(Request{OrganizationName: "X"}); err == nil {
		t.Error("Issue without organisation number succeeded")
	}
}

func TestPEMRoundTrip(t *testing.T) {
	ca, err := New("Felles Test")
	if err != nil {
		t.Fatal(err)
	}
	data, err := ca.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePEM(data)
	if err != nil {
		t.Fatal(err)
	}
	c, err := back.Issue(Request{OrganizationNumber: "991825827", OrganizationName: "X"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Chain[0].Verify(x509.VerifyOptions{Roots: ca.Roots(), Intermediates: ca.Intermediates(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("certificate from the reloaded CA does not chain to the original root: %v", err)
	}
	if _, err := ParsePEM(data[:len(data)/2]); err == nil {
		t.Error("ParsePEM accepted a truncated CA")
	}
}

func TestEncodePKCS12RoundTrip(t *testing.T) {
	ca, err := New("Felles Test")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ca.Issue(Request{OrganizationNumber: "991825827", OrganizationName: "X"})
	if err != nil {
		t.Fatal(err)
	}
	p12, err := EncodePKCS12(c, "pw")
	if err != nil {
		t.Fatal(err)
	}
	back, err := identity.ParsePKCS12(p12, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if !back.Chain[0].Equal(c.Chain[0]) || len(back.Chain) != 2 || !back.Chain[1].Equal(ca.Issuing) {
		t.Error("PKCS#12 round trip changed the chain")
	}
}

type attribute struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// attributeSET is a relative distinguished name; encoding/asn1 reads a
// slice type whose name ends in SET as an ASN.1 SET.
type attributeSET []attribute
