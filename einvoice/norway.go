package einvoice

import (
	"github.com/fellesgo/felles/internal/redact"
	"strings"

	"github.com/fellesgo/felles/identity"
)

// Norwegian EHF Billing 3.0 specifics. EHF Billing 3.0 is PEPPOL BIS
// Billing 3.0 with the Norwegian rules NO-R-001 and NO-R-002 (and
// PEPPOL-COMMON-R041 for scheme 0192) inside the PEPPOL Schematron; see
// https://anskaffelser.dev/postaward/g3/spec/current/billing-3.0/norway/.

// SchemeNorwegianOrgNumber is the ISO 6523 ICD of the Norwegian
// organisation number (Enhetsregisteret), used as schemeID of EndpointID,
// PartyIdentification/ID and PartyLegalEntity/CompanyID.
const SchemeNorwegianOrgNumber = "0192"

// What an [NumberError] is about.
const (
	NumberOrganization = "organisation number"
	NumberBankAccount  = "bank account number"
	NumberKID          = "KID"
)

// NumberError reports an invalid Norwegian number: an organisation
// number, a bank account number (BBAN) or a KID payment reference.
type NumberError struct {
	// What is [NumberOrganization], [NumberBankAccount] or [NumberKID].
	What string
	// Value is the refused input, clipped to a readable length.
	Value string
	// Reason says what is wrong with it.
	Reason string
}

func (e *NumberError) Error() string {
	// A person number typed where an organisation number or a bank account
	// belongs must not end up in a log: 11-digit runs are masked.
	return redact.String("einvoice: invalid " + e.What + " " + quoteClip(e.Value) + ": " + e.Reason)
}

func quoteClip(s string) string { return "\"" + strings.ReplaceAll(clip(s, 40), "\"", "'") + "\"" }

// NorwegianParty describes a party registered in Enhetsregisteret, the
// Norwegian register of legal entities. [NorwegianSeller] and
// [NorwegianBuyer] turn it into a [Party] shaped as EHF Billing 3.0
// expects.
type NorwegianParty struct {
	// OrganizationNumber is the nine-digit organisation number; spaces
	// are ignored ("921 605 900"). It must pass the mod-11 check.
	OrganizationNumber string
	// Name is the legal registration name BT-27/BT-44.
	Name string
	// TradingName is the trading name BT-28/BT-45, if different.
	TradingName string
	// Address is the postal address; an empty Country means "NO".
	Address Address
	// Contact is the contact point, if any.
	Contact *Contact
	// VATRegistered says that the party is registered in
	// Merverdiavgiftsregisteret; the VAT identifier "NO" + number + "MVA"
	// is then added (rule NO-R-001).
	VATRegistered bool
	// Foretaksregisteret says that the party is registered in
	// Foretaksregisteret (aksjeselskap, allmennaksjeselskap, filial of a
	// foreign company, …). For a seller the tax registration
	// "Foretaksregisteret" with tax scheme "TAX" is then added, as rule
	// NO-R-002 and foretaksregisterloven § 10-2 require. Ignored for a
	// buyer.
	Foretaksregisteret bool
}

// NorwegianSeller returns the seller party BG-4 for p: electronic address
// BT-34 and legal registration identifier BT-30 as organisation numbers
// (scheme 0192), the VAT identifier "NO…MVA" (BT-31) if VAT registered,
// and "Foretaksregisteret" (BT-32) if registered there. It returns a
// *[NumberError] for an invalid organisation number.
func NorwegianSeller(p NorwegianParty) (Party, error) {
	return p.party(true)
}

// NorwegianBuyer returns the buyer party BG-7 for p, such as a
// municipality: electronic address BT-49 and legal registration
// identifier BT-47 as organisation numbers (scheme 0192), and the VAT
// identifier BT-48 if VAT registered. It returns a *[NumberError] for an
// invalid organisation number.
func NorwegianBuyer(p NorwegianParty) (Party, error) {
	return p.party(false)
}

func (p NorwegianParty) party(seller bool) (Party, error) {
	orgnr, err := NormalizeOrganizationNumber(p.OrganizationNumber)
	if err != nil {
		return Party{}, err
	}
	addr := p.Address
	if addr.Country == "" {
		addr.Country = "NO"
	}
	party := Party{
		EndpointID:    Identifier{Value: orgnr, SchemeID: SchemeNorwegianOrgNumber},
		PartyName:     p.TradingName,
		PostalAddress: &addr,
		PartyLegalEntity: &PartyLegalEntity{
			RegistrationName: p.Name,
			CompanyID:        Identifier{Value: orgnr, SchemeID: SchemeNorwegianOrgNumber},
		},
	}
	if p.Contact != nil {
		c := *p.Contact // the Party shares nothing with the input
		party.Contact = &c
	}
	if p.VATRegistered {
		party.PartyTaxScheme = append(party.PartyTaxScheme, PartyTaxScheme{CompanyID: "NO" + orgnr + "MVA", TaxScheme: "VAT"})
	}
	if seller && p.Foretaksregisteret {
		party.PartyTaxScheme = append(party.PartyTaxScheme, PartyTaxScheme{CompanyID: "Foretaksregisteret", TaxScheme: "TAX"})
	}
	return party, nil
}

// NormalizeOrganizationNumber removes spaces from s and checks that the
// result is a valid Norwegian organisation number: nine digits with the
// mod-11 check digit (weights 3, 2, 7, 6, 5, 4, 3, 2). Errors are of type
// *[NumberError].
func NormalizeOrganizationNumber(s string) (string, error) {
	n := strings.ReplaceAll(s, " ", "")
	if !identity.ValidOrganizationNumber(n) {
		reason := "want nine digits with a valid mod-11 check digit"
		if len(n) == 9 && allDigits(n) {
			reason = "wrong check digit"
		}
		return "", &NumberError{What: NumberOrganization, Value: s, Reason: reason}
	}
	return n, nil
}

// NorwegianCreditTransfer returns payment instructions BG-16 for a credit
// transfer (payment means code 30) to a Norwegian bank account, as the
// EHF guidance describes: the 11-digit account number (BBAN, dots and
// spaces ignored) as payment account identifier BT-84, and the KID, if
// not empty, as remittance information BT-83. Both are checked (account:
// mod 11; KID: 2–25 digits with a mod-10 or mod-11 check digit, "-" as
// mod-11 check digit 10). Errors are of type *[NumberError].
func NorwegianCreditTransfer(account, kid string) (PaymentMeans, error) {
	acct := strings.NewReplacer(" ", "", ".", "").Replace(account)
	if len(acct) != 11 || !allDigits(acct) {
		return PaymentMeans{}, &NumberError{What: NumberBankAccount, Value: account, Reason: "want 11 digits"}
	}
	if !mod11(acct[:10], acct[10]) {
		return PaymentMeans{}, &NumberError{What: NumberBankAccount, Value: account, Reason: "wrong check digit"}
	}
	pm := PaymentMeans{
		PaymentMeansCode:      Code{Value: "30", Name: "Credit transfer"},
		PayeeFinancialAccount: &FinancialAccount{ID: acct},
	}
	if kid != "" {
		if err := ValidateKID(kid); err != nil {
			return PaymentMeans{}, err
		}
		pm.PaymentID = kid
	}
	return pm, nil
}

// ValidateKID checks a Norwegian KID payment reference: 2 to 25
// characters, digits except that the last may be "-", whose last
// character is a valid mod-10 (Luhn) or mod-11 check digit of the rest.
// Errors are of type *[NumberError].
func ValidateKID(kid string) error {
	if len(kid) < 2 || len(kid) > 25 || !allDigits(kid[:len(kid)-1]) {
		return &NumberError{What: NumberKID, Value: kid, Reason: "want 2 to 25 digits"}
	}
	body, check := kid[:len(kid)-1], kid[len(kid)-1]
	if check != '-' && (check < '0' || check > '9') {
		return &NumberError{What: NumberKID, Value: kid, Reason: "want 2 to 25 digits"}
	}
	if luhn(body, check) || mod11(body, check) {
		return nil
	}
	return &NumberError{What: NumberKID, Value: kid, Reason: "wrong check digit (neither mod 10 nor mod 11)"}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// mod11 reports whether check is the mod-11 check digit of body with the
// weights 2, 3, 4, 5, 6, 7 repeating from the right; a remainder giving 10
// is written "-".
func mod11(body string, check byte) bool {
	sum := 0
	for i := 0; i < len(body); i++ {
		w := 2 + i%6
		sum += int(body[len(body)-1-i]-'0') * w
	}
	c := 11 - sum%11
	switch c {
	case 11:
		return check == '0'
	case 10:
		return check == '-'
	}
	return check == byte('0'+c)
}

// luhn reports whether check is the mod-10 (Luhn) check digit of body.
func luhn(body string, check byte) bool {
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return check == byte('0'+(10-sum%10)%10)
}
