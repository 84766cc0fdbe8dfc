package einvoice_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/fellesgo/felles/einvoice"
)

// A Norwegian EHF Billing 3.0 invoice from a VAT-registered limited
// company to a municipality, with lines at 25 % and 15 % VAT, a KID and a
// Norwegian bank account.
func ExampleBuilder() {
	seller, err := einvoice.NorwegianSeller(einvoice.NorwegianParty{
		OrganizationNumber: "921605900",
		Name:               "Fjellvann Konsult AS",
		Address:            einvoice.Address{StreetName: "Storgata 1", CityName: "Oslo", PostalZone: "0155"},
		VATRegistered:      true, // NO921605900MVA
		Foretaksregisteret: true, // required for an AS
	})
	if err != nil {
		log.Fatal(err)
	}
	buyer, err := einvoice.NorwegianBuyer(einvoice.NorwegianParty{
		OrganizationNumber: "974760673",
		Name:               "Eksempel kommune",
		Address:            einvoice.Address{StreetName: "Rådhusplassen 1", CityName: "Bergen", PostalZone: "5003"},
	})
	if err != nil {
		log.Fatal(err)
	}
	payment, err := einvoice.NorwegianCreditTransfer("1234.56.78903", "1234567890128")
	if err != nil {
		log.Fatal(err)
	}

	b := einvoice.Builder{
		ID:             "2025-0042",
		IssueDate:      einvoice.NewDate(2025, 3, 1),
		DueDate:        einvoice.NewDate(2025, 3, 31),
		Currency:       "NOK",
		BuyerReference: "4025-Ola Hansen",
		Seller:         seller,
		Buyer:          buyer,
		PaymentMeans:   []einvoice.PaymentMeans{payment},
		Lines: []einvoice.LineInput{{
			Quantity: einvoice.MustDecimal("7.5"),
			Unit:     "HUR",
			Name:     "Rådgivning",
			NetPrice: einvoice.MustDecimal("1150"),
			VAT:      einvoice.VAT{Category: einvoice.VATStandard, Rate: einvoice.MustDecimal("25")},
		}, {
			Quantity: einvoice.MustDecimal("12"),
			Unit:     "EA",
			Name:     "Lunsj",
			NetPrice: einvoice.MustDecimal("129.90"),
			VAT:      einvoice.VAT{Category: einvoice.VATStandard, Rate: einvoice.MustDecimal("15")},
		}},
	}
	doc, err := b.Build()
	if err != nil {
		log.Fatal(err)
	}
	for _, st := range doc.TaxTotal[0].TaxSubtotal {
		fmt.Printf("VAT %s %s%%: %s of %s\n", st.TaxCategory.ID, st.TaxCategory.Percent, st.TaxAmount, st.TaxableAmount)
	}
	fmt.Println("Total VAT:", doc.TaxTotal[0].TaxAmount)
	fmt.Println("Payable:", doc.LegalMonetaryTotal.PayableAmount)

	xml, err := doc.Marshal()
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(string(xml), "\n")[:6] {
		fmt.Println(line)
	}
	// Output:
	// VAT S 25%: 2156.25 NOK of 8625.00 NOK
	// VAT S 15%: 233.82 NOK of 1558.80 NOK
	// Total VAT: 2390.07 NOK
	// Payable: 12573.87 NOK
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
	//   <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
	//   <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
	//   <cbc:ID>2025-0042</cbc:ID>
	//   <cbc:IssueDate>2025-03-01</cbc:IssueDate>
}

// Build reports every missing mandatory field at once.
func ExampleBuilder_Build_missingFields() {
	b := einvoice.Builder{ID: "1", Currency: "NOK"}
	_, err := b.Build()
	var be *einvoice.BuildError
	if errors.As(err, &be) {
		for _, p := range be.Problems[:4] {
			fmt.Println(p)
		}
	}
	// Output:
	// IssueDate (BT-2): issue date is missing [BR-03]
	// BuyerReference (BT-10): a buyer reference or a purchase order reference (BT-13) is required [PEPPOL-EN16931-R003]
	// Seller.PartyLegalEntity.RegistrationName (BT-27): legal registration name is missing [BR-06]
	// Seller.PostalAddress.Country (BT-40): postal address with country code is missing [BR-09]
}

// Parse reads an invoice or credit note; elements the model does not carry
// are listed, not dropped silently.
func ExampleParse() {
	doc, err := einvoice.Parse([]byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
	 <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
	 <cbc:ID>INV-1</cbc:ID>
	 <cbc:IssueDate>2025-03-01</cbc:IssueDate>
	</Invoice>`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.Kind, doc.ID, doc.IssueDate)
	fmt.Println("unmapped:", doc.Unmapped)
	// Output:
	// Invoice INV-1 2025-03-01
	// unmapped: [/Invoice/cbc:UBLVersionID]
}

// Decimals keep the scale they were written with, and Round rounds half
// away from zero.
func ExampleDecimal_Round() {
	price := einvoice.MustDecimal("0.335")
	net := price.Mul(einvoice.NewDecimalFromInt(3)) // 1.005, exact
	fmt.Println(net, net.Round(2), einvoice.MustDecimal("100").Round(2), einvoice.MustDecimal("-0.125").Round(2))
	// Output: 1.005 1.01 100.00 -0.13
}

// A Validator checks a received invoice against the official rules. A
// service that validates many invoices at once may keep each validation on
// one goroutine; a deadline bounds the time one document can take.
func ExampleNewValidator() {
	v, err := einvoice.NewValidator(einvoice.WithRules("3.0.21"), einvoice.WithConcurrency(1))
	if err != nil {
		log.Fatal(err)
	}
	seller, _ := einvoice.NorwegianSeller(einvoice.NorwegianParty{OrganizationNumber: "921605900", Name: "Fjellvann Konsult AS",
		Address: einvoice.Address{CityName: "Oslo", PostalZone: "0155"}, VATRegistered: true, Foretaksregisteret: true})
	buyer, _ := einvoice.NorwegianBuyer(einvoice.NorwegianParty{OrganizationNumber: "974760673", Name: "Eksempel kommune",
		Address: einvoice.Address{CityName: "Bergen", PostalZone: "5003"}})
	doc, err := (&einvoice.Builder{ID: "2025-0043", IssueDate: einvoice.NewDate(2025, 3, 1), DueDate: einvoice.NewDate(2025, 3, 31), Currency: "NOK",
		BuyerReference: "4025", Seller: seller, Buyer: buyer,
		Lines: []einvoice.LineInput{{Quantity: einvoice.MustDecimal("2"), Unit: "EA", Name: "Kaffe",
			NetPrice: einvoice.MustDecimal("100"), VAT: einvoice.VAT{Category: einvoice.VATStandard, Rate: einvoice.MustDecimal("15")}}},
	}).Build()
	if err != nil {
		log.Fatal(err)
	}
	xml, err := doc.Marshal()
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	report, err := v.ValidateContext(ctx, xml)
	if err != nil {
		log.Fatal(err) // not acceptable XML, or the deadline passed
	}
	fmt.Println("as built:", report.Valid())

	// The same invoice with a wrong amount due.
	tampered := strings.Replace(string(xml), `<cbc:PayableAmount currencyID="NOK">230.00</cbc:PayableAmount>`,
		`<cbc:PayableAmount currencyID="NOK">200.00</cbc:PayableAmount>`, 1)
	report, err = v.ValidateContext(ctx, []byte(tampered))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tampered:", report.Valid())
	for _, f := range report.Fatal() {
		fmt.Println(f.Rule, f.Location)
	}
	// Output:
	// as built: true
	// tampered: false
	// BR-CO-16 /Invoice[1]/cac:LegalMonetaryTotal[1]
}
