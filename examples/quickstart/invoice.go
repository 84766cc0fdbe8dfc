package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/fellesgo/felles/einvoice"
)

// invoiceStep builds an EHF Billing 3.0 invoice from the enterprise (seller)
// to a municipality, validates it with the official rules, natively, and
// prints it.
func invoiceStep(say func(string, ...any), orgnr, sellerName string) error {
	seller, err := einvoice.NorwegianSeller(einvoice.NorwegianParty{
		OrganizationNumber: orgnr,
		Name:               sellerName,
		Address:            einvoice.Address{StreetName: "Storgata 1", CityName: "Oslo", PostalZone: "0155"},
		VATRegistered:      true, // VAT identifier NO<orgnr>MVA (rule NO-R-001)
		Foretaksregisteret: true, // "Foretaksregisteret" for an AS (rule NO-R-002)
	})
	if err != nil {
		return err
	}
	buyer, err := einvoice.NorwegianBuyer(einvoice.NorwegianParty{
		OrganizationNumber: "974760673", // a municipality's organisation number
		Name:               "Eksempel kommune",
		Address:            einvoice.Address{StreetName: "Rådhusplassen 1", CityName: "Bergen", PostalZone: "5003"},
	})
	if err != nil {
		return err
	}
	pay, err := einvoice.NorwegianCreditTransfer("1234.56.78903", "1234567890128") // bank account and KID
	if err != nil {
		return err
	}
	b := einvoice.Builder{
		ID:             "2026-0042",
		IssueDate:      einvoice.DateOf(time.Now()),
		DueDate:        einvoice.DateOf(time.Now().AddDate(0, 0, 30)),
		Currency:       "NOK",
		BuyerReference: "4025-Ola Hansen", // the buyer's reference (bestillerreferanse)
		Seller:         seller,
		Buyer:          buyer,
		PaymentMeans:   []einvoice.PaymentMeans{pay},
		Lines: []einvoice.LineInput{
			{Name: "Rådgivning", Quantity: einvoice.MustDecimal("7.5"), Unit: "HUR", NetPrice: einvoice.MustDecimal("1150"),
				VAT: einvoice.VAT{Category: einvoice.VATStandard, Rate: einvoice.MustDecimal("25")}},
			{Name: "Lunsj", Quantity: einvoice.MustDecimal("12"), Unit: "EA", NetPrice: einvoice.MustDecimal("129.90"),
				VAT: einvoice.VAT{Category: einvoice.VATStandard, Rate: einvoice.MustDecimal("15")}},
		},
	}
	doc, err := b.Build()
	if err != nil {
		return err
	}
	for _, st := range doc.TaxTotal[0].TaxSubtotal {
		say("   VAT %s %s %%: %s on %s", st.TaxCategory.ID, st.TaxCategory.Percent, st.TaxAmount.Value, st.TaxableAmount.Value)
	}
	say("   Payable: %s %s", doc.LegalMonetaryTotal.PayableAmount.Value, doc.LegalMonetaryTotal.PayableAmount.Currency)
	xml, err := doc.Marshal()
	if err != nil {
		return err
	}

	v, err := einvoice.NewValidator() // the newest Peppol BIS rules with their CEN rules
	if err != nil {
		return err
	}
	rep, err := v.Validate(xml)
	if err != nil {
		return err
	}
	say("   Validated natively with the official CEN EN 16931 and Peppol BIS %s rules: valid %t, %d rules fired.",
		rep.Rules, rep.Valid(), len(rep.Failures))
	if !rep.Valid() {
		return fmt.Errorf("the built invoice is not valid: %v", rep.Failures)
	}

	// A mistake a hand-made invoice could have: totals that do not add up.
	broken := strings.Replace(string(xml), ">"+doc.LegalMonetaryTotal.TaxInclusiveAmount.Value.String()+"<", ">1.00<", 1)
	rep, err = v.Validate([]byte(broken))
	if err != nil {
		return err
	}
	for _, f := range rep.Fatal() {
		say("   With a wrong TaxInclusiveAmount: %s at %s", f.Rule, f.Location)
		say("     %s", f.Message)
	}

	say("   The invoice (UBL 2.1, EHF Billing 3.0):")
	for _, line := range strings.Split(strings.TrimSpace(string(xml)), "\n") {
		say("   | %s", line)
	}
	return nil
}
