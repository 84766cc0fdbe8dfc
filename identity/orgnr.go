package identity

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

var (
	oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97} // X.520 organizationIdentifier
	oidSerialNumber           = asn1.ObjectIdentifier{2, 5, 4, 5}  // X.520 serialNumber
)

// ntrNOPrefix is the ETSI EN 319 412-1 semantics identifier for a number
// from a national trade register (NTR), here the Norwegian one (NO).
const ntrNOPrefix = "NTRNO-"

// OrganizationNumberError reports an organisation number in a certificate
// subject that is not a valid Norwegian organisation number: not nine
// digits, or failing the mod-11 check digit. Match it with errors.As.
type OrganizationNumberError struct {
	// Number is the number as the subject gives it, without the "NTRNO-"
	// prefix.
	Number string
	// Attribute is the subject attribute it was found in:
	// "organizationIdentifier" or "serialNumber".
	Attribute string
}

func (e *OrganizationNumberError) Error() string {
	n := e.Number
	if len(n) > 40 {
		n = n[:40] + "..."
	}
	what := "is not nine digits"
	if isNineDigits(e.Number) {
		what = "fails the mod-11 check digit"
	}
	return "identity: organisation number " + strconv.Quote(n) + " in certificate subject " + e.Attribute + " " + what
}

// OrganizationNumber returns the Norwegian organisation number
// (organisasjonsnummer) in the subject of an enterprise certificate.
//
// Current certificates carry it as organizationIdentifier (OID 2.5.4.97)
// "NTRNO-<nine digits>" (ETSI EN 319 412-1); older ones as a subject
// serialNumber of exactly nine digits. When both are present,
// organizationIdentifier wins. With neither, the error wraps
// [ErrNoOrganizationNumber]. A number that fails [ValidOrganizationNumber]
// gives an [*OrganizationNumberError].
func OrganizationNumber(cert *x509.Certificate) (string, error) {
	if cert == nil {
		return "", newError("", "the certificate is nil", ErrNoCertificate, nil)
	}
	var fromOrgID, fromSerial string
	var haveOrgID, haveSerial bool
	for _, atv := range cert.Subject.Names {
		s, ok := atv.Value.(string)
		if !ok {
			continue
		}
		switch {
		case atv.Type.Equal(oidOrganizationIdentifier):
			if !haveOrgID && len(s) >= len(ntrNOPrefix) && strings.EqualFold(s[:len(ntrNOPrefix)], ntrNOPrefix) {
				fromOrgID, haveOrgID = s[len(ntrNOPrefix):], true
			}
		case atv.Type.Equal(oidSerialNumber):
			// Personal certificates also use serialNumber ("UN:NO-..."),
			// so only nine digits count as an organisation number.
			if !haveSerial && isNineDigits(s) {
				fromSerial, haveSerial = s, true
			}
		}
	}
	number, attr := fromOrgID, "organizationIdentifier"
	switch {
	case haveOrgID:
	case haveSerial:
		number, attr = fromSerial, "serialNumber"
	default:
		return "", newError("", "certificate subject "+strconv.Quote(subjectString(cert.Subject))+
			" has no organisation number (no organizationIdentifier \"NTRNO-...\" and no nine-digit serialNumber)", ErrNoOrganizationNumber, nil)
	}
	if !ValidOrganizationNumber(number) {
		return "", &OrganizationNumberError{Number: number, Attribute: attr}
	}
	return number, nil
}

// ValidOrganizationNumber reports whether s is a valid Norwegian
// organisation number: exactly nine ASCII digits (no spaces) whose last
// digit is the mod-11 check digit of the first eight, with weights
// 3, 2, 7, 6, 5, 4, 3, 2. The check digit is 11 minus the weighted sum
// modulo 11, 0 when that is 11; a result of 10 means no number is valid.
func ValidOrganizationNumber(s string) bool {
	if !isNineDigits(s) {
		return false
	}
	weights := [8]int{3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	check := 11 - sum%11
	switch check {
	case 11:
		check = 0
	case 10:
		return false
	}
	return int(s[8]-'0') == check
}

// attributeNames are the short names of the subject attributes that
// enterprise certificates use. pkix.Name.String prints the others,
// organizationIdentifier among them, as hex DER.
var attributeNames = map[string]string{
	"2.5.4.3":  "CN",
	"2.5.4.5":  "SERIALNUMBER",
	"2.5.4.6":  "C",
	"2.5.4.7":  "L",
	"2.5.4.8":  "ST",
	"2.5.4.10": "O",
	"2.5.4.11": "OU",
	"2.5.4.97": "organizationIdentifier",
}

// subjectString renders a certificate subject for messages, most specific
// attribute first as pkix.Name.String does, with organizationIdentifier by
// name and value rather than as hex.
func subjectString(n pkix.Name) string {
	if len(n.Names) == 0 {
		return n.String()
	}
	parts := make([]string, 0, len(n.Names))
	for i := len(n.Names) - 1; i >= 0; i-- {
		atv := n.Names[i]
		name, ok := attributeNames[atv.Type.String()]
		if !ok {
			name = atv.Type.String()
		}
		v := fmt.Sprint(atv.Value)
		if strings.ContainsFunc(v, func(r rune) bool { return !unicode.IsGraphic(r) }) {
			v = strconv.QuoteToGraphic(v)
		}
		parts = append(parts, name+"="+v)
	}
	return strings.Join(parts, ",")
}

func isNineDigits(s string) bool {
	if len(s) != 9 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
