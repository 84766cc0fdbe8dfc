package identity_test

import (
	"crypto/x509/pkix"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

func TestValidOrganizationNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"123456785", true}, // the worked example of Brønnøysundregistrene
		{orgDigdir, true},
		{orgTiger, true},
		{orgBrreg, true},
		{"983163327", true}, // Buypass AS
		{"915000800", true}, // weighted sum divisible by 11: check digit 0
		{"123456789", false},
		{"991825828", false},
		{"991825820", false},
		{"000000000", true}, // sum 0, check digit 0; the rule alone allows it
		{"", false},
		{"12345678", false},
		{"1234567850", false},
		{"12345678a", false},
		{"974 760 673", false},
		{" 97476067", false},
		{"97476067\n", false},
		{"NTRNO-" + orgBrreg, false},
		{"９７４７６０６７３", false}, // full-width digits
	}
	for _, tt := range tests {
		if got := identity.ValidOrganizationNumber(tt.in); got != tt.want {
			t.Errorf("ValidOrganizationNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestValidOrganizationNumberCheckDigit checks the rule's shape on every
// eight-digit prefix in a sample: exactly one check digit is valid, except
// when 11 minus the weighted sum modulo 11 is 10, when none is.
func TestValidOrganizationNumberCheckDigit(t *testing.T) {
	weights := []int{3, 2, 7, 6, 5, 4, 3, 2}
	for p := 0; p < 100_000_000; p += 9_973 {
		prefix := strconv.Itoa(100_000_000 + p)[1:]
		sum := 0
		for i, w := range weights {
			sum += int(prefix[i]-'0') * w
		}
		var valid []int
		for d := 0; d <= 9; d++ {
			if identity.ValidOrganizationNumber(prefix + strconv.Itoa(d)) {
				valid = append(valid, d)
			}
		}
		switch sum % 11 {
		case 1:
			if len(valid) != 0 {
				t.Fatalf("prefix %s (remainder 1): check digits %v accepted, want none", prefix, valid)
			}
		case 0:
			if len(valid) != 1 || valid[0] != 0 {
				t.Fatalf("prefix %s (remainder 0): check digits %v accepted, want [0]", prefix, valid)
			}
		default:
			if len(valid) != 1 || valid[0] != 11-sum%11 {
				t.Fatalf("prefix %s: check digits %v accepted, want [%d]", prefix, valid, 11-sum%11)
			}
		}
	}
	// 93038836: the check digit would be 10, so no number is valid.
	for d := 0; d <= 9; d++ {
		if identity.ValidOrganizationNumber("93038836" + strconv.Itoa(d)) {
			t.Errorf("93038836%d accepted, but that prefix has no valid check digit", d)
		}
	}
}

func TestOrganizationNumberTestPKI(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		c := issue(t, testpki.Request{OrganizationNumber: orgBrreg, LegacySubject: legacy})
		got, err := c.OrganizationNumber()
		if err != nil || got != orgBrreg {
			t.Errorf("legacy subject %v: OrganizationNumber() = %q, %v; want %s", legacy, got, err, orgBrreg)
		}
		got, err = identity.OrganizationNumber(c.Leaf())
		if err != nil || got != orgBrreg {
			t.Errorf("legacy subject %v: OrganizationNumber(leaf) = %q, %v; want %s", legacy, got, err, orgBrreg)
		}
	}
	// testpki does not check the number; a bad one must be caught here.
	for _, legacy := range []bool{false, true} {
		c := issue(t, testpki.Request{OrganizationNumber: "123456789", LegacySubject: legacy})
		_, err := c.OrganizationNumber()
		var oe *identity.OrganizationNumberError
		if !errors.As(err, &oe) {
			t.Fatalf("legacy subject %v: error %v, want *OrganizationNumberError", legacy, err)
		}
		wantAttr := "organizationIdentifier"
		if legacy {
			wantAttr = "serialNumber"
		}
		if oe.Number != "123456789" || oe.Attribute != wantAttr {
			t.Errorf("legacy subject %v: got %+v", legacy, oe)
		}
		checkErr(t, err, nil, "123456789", "mod-11", wantAttr)
	}
}

func TestOrganizationNumberSubjects(t *testing.T) {
	base := pkix.Name{Country: []string{"NO"}, Organization: []string{"Test Kommune"}, CommonName: "Test"}
	with := func(serial string, orgIDs ...string) pkix.Name {
		n := base
		n.SerialNumber = serial
		for _, id := range orgIDs {
			n.ExtraNames = append(n.ExtraNames, orgIDName(id))
		}
		return n
	}
	tests := []struct {
		name    string
		subject pkix.Name
		want    string
		wantErr error  // sentinel, or nil
		badNum  string // for *OrganizationNumberError
		badAttr string
	}{
		{name: "organizationIdentifier", subject: with("", "NTRNO-"+orgBrreg), want: orgBrreg},
		{name: "serialNumber", subject: with(orgBrreg), want: orgBrreg},
		{name: "both, organizationIdentifier wins", subject: with(orgTiger, "NTRNO-"+orgBrreg), want: orgBrreg},
		{name: "lower-case prefix", subject: with("", "ntrno-"+orgBrreg), want: orgBrreg},
		{name: "foreign organizationIdentifier, serialNumber used", subject: with(orgTiger, "VATSE-556677889901"), want: orgTiger},
		{name: "first NTRNO organizationIdentifier", subject: with("", "VATNO-"+orgTiger+"MVA", "NTRNO-"+orgBrreg, "NTRNO-"+orgTiger), want: orgBrreg},
		{name: "none", subject: base, wantErr: identity.ErrNoOrganizationNumber},
		{name: "personal serialNumber", subject: with("UN:NO-9578-4050-127091783"), wantErr: identity.ErrNoOrganizationNumber},
		{name: "ten-digit serialNumber", subject: with("9747606731"), wantErr: identity.ErrNoOrganizationNumber},
		{name: "foreign organizationIdentifier only", subject: with("", "VATSE-556677889901"), wantErr: identity.ErrNoOrganizationNumber},
		{name: "bad check digit in organizationIdentifier", subject: with("", "NTRNO-974760674"), badNum: "974760674", badAttr: "organizationIdentifier"},
		{name: "bad check digit in serialNumber", subject: with("974760674"), badNum: "974760674", badAttr: "serialNumber"},
		{name: "bad organizationIdentifier beats good serialNumber", subject: with(orgBrreg, "NTRNO-974760674"), badNum: "974760674", badAttr: "organizationIdentifier"},
		{name: "short organizationIdentifier", subject: with("", "NTRNO-12345"), badNum: "12345", badAttr: "organizationIdentifier"},
		{name: "organizationIdentifier with spaces", subject: with("", "NTRNO-974 760 673"), badNum: "974 760 673", badAttr: "organizationIdentifier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert := selfSigned(t, tt.subject)
			got, err := identity.OrganizationNumber(cert)
			switch {
			case tt.badNum != "":
				var oe *identity.OrganizationNumberError
				if !errors.As(err, &oe) {
					t.Fatalf("got %q, %v; want *OrganizationNumberError", got, err)
				}
				if oe.Number != tt.badNum || oe.Attribute != tt.badAttr {
					t.Errorf("got %+v, want Number %q Attribute %q", oe, tt.badNum, tt.badAttr)
				}
				checkErr(t, err, nil, strconv.Quote(tt.badNum))
				if errors.Is(err, identity.ErrNoOrganizationNumber) {
					t.Errorf("an invalid number must not read as a missing one: %v", err)
				}
			case tt.wantErr != nil:
				if got != "" {
					t.Errorf("got %q with error", got)
				}
				checkErr(t, err, tt.wantErr, "Test Kommune")
			default:
				if err != nil || got != tt.want {
					t.Errorf("got %q, %v; want %q", got, err, tt.want)
				}
			}
		})
	}
}

func TestOrganizationNumberErrorMessage(t *testing.T) {
	tests := []struct {
		e    identity.OrganizationNumberError
		want string
	}{
		{identity.OrganizationNumberError{Number: "974760674", Attribute: "serialNumber"},
			`identity: organisation number "974760674" in certificate subject serialNumber fails the mod-11 check digit`},
		{identity.OrganizationNumberError{Number: "12345", Attribute: "organizationIdentifier"},
			`identity: organisation number "12345" in certificate subject organizationIdentifier is not nine digits`},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
	long := identity.OrganizationNumberError{Number: strings.Repeat("9", 500), Attribute: "organizationIdentifier"}
	if len(long.Error()) > 200 {
		t.Errorf("a long number is not shortened: %d bytes", len(long.Error()))
	}
}

func TestOrganizationNumberNil(t *testing.T) {
	_, err := identity.OrganizationNumber(nil)
	checkErr(t, err, identity.ErrNoCertificate)
	_, err = (&identity.Certificate{}).OrganizationNumber()
	checkErr(t, err, identity.ErrNoCertificate)
	var c *identity.Certificate
	if c.Leaf() != nil {
		t.Error("nil Certificate has a leaf")
	}
}
