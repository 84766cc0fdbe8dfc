package einvoice

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var dec = MustDecimal

// Valid Norwegian organisation numbers (mod 11).
const (
	sellerOrgNr = "921605900"
	buyerOrgNr  = "974760673"
)

func norwegianSeller(t testing.TB) Party {
	t.Helper()
	p, err := NorwegianSeller(NorwegianParty{
		OrganizationNumber: "921 605 900",
		Name:               "Fjellvann Konsult AS",
		TradingName:        "Fjellvann",
		Address:            Address{StreetName: "Storgata 1", CityName: "Oslo", PostalZone: "0155"},
		Contact:            &Contact{Name: "Kari Nordmann", ElectronicMail: "kari@example.no"},
		VATRegistered:      true,
		Foretaksregisteret: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func norwegianBuyer(t testing.TB) Party {
	t.Helper()
	p, err := NorwegianBuyer(NorwegianParty{
		OrganizationNumber: buyerOrgNr,
		Name:               "Eksempel kommune",
		Address:            Address{StreetName: "Rådhusplassen 1", CityName: "Bergen", PostalZone: "5003"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// baseBuilder returns a complete Norwegian invoice builder without lines.
func baseBuilder(t testing.TB) *Builder {
	t.Helper()
	pm, err := NorwegianCreditTransfer("1234.56.78903", "1234567890128")
	if err != nil {
		t.Fatal(err)
	}
	return &Builder{
		ID:             "2025-0001",
		IssueDate:      NewDate(2025, 3, 1),
		DueDate:        NewDate(2025, 3, 31),
		Currency:       "NOK",
		BuyerReference: "Ola Hansen",
		Seller:         norwegianSeller(t),
		Buyer:          norwegianBuyer(t),
		PaymentMeans:   []PaymentMeans{pm},
		PaymentTerms:   "30 dager netto",
	}
}

func vat(rate string) VAT { return VAT{Category: VATStandard, Rate: dec(rate)} }

func mustBuild(t *testing.T, b *Builder) *Document {
	t.Helper()
	doc, err := b.Build()
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	checkValid(t, doc)
	return doc
}

// breakdown renders the VAT breakdown as "S 25: 100.00 → 25.00" lines.
func breakdown(d *Document) []string {
	var out []string
	for _, st := range d.TaxTotal[0].TaxSubtotal {
		p := "-"
		if st.TaxCategory.Percent != nil {
			p = st.TaxCategory.Percent.String()
		}
		out = append(out, st.TaxCategory.ID+" "+p+": "+st.TaxableAmount.Value.String()+" -> "+st.TaxAmount.Value.String())
	}
	return out
}

type totals struct {
	Lines, Allowances, Charges, TaxExcl, Tax, TaxIncl, Prepaid, Rounding, Payable string
}

func totalsOf(d *Document) totals {
	m := d.LegalMonetaryTotal
	opt := func(a *Amount) string {
		if a == nil {
			return ""
		}
		return a.Value.String()
	}
	return totals{
		Lines: m.LineExtensionAmount.Value.String(), Allowances: opt(m.AllowanceTotalAmount), Charges: opt(m.ChargeTotalAmount),
		TaxExcl: m.TaxExclusiveAmount.Value.String(), Tax: d.TaxTotal[0].TaxAmount.Value.String(),
		TaxIncl: m.TaxInclusiveAmount.Value.String(), Prepaid: opt(m.PrepaidAmount), Rounding: opt(m.PayableRoundingAmount),
		Payable: m.PayableAmount.Value.String(),
	}
}

func lineNets(d *Document) []string {
	var out []string
	for _, l := range d.Lines {
		out = append(out, l.LineExtensionAmount.Value.String())
	}
	return out
}

func TestBuildNorwegianRates(t *testing.T) {
	b := baseBuilder(t)
	b.Lines = []LineInput{
		{Quantity: dec("2"), Unit: "HUR", Name: "Rådgivning", NetPrice: dec("1000"), VAT: vat("25")},
		{Quantity: dec("3"), Unit: "EA", Name: "Lunsj", NetPrice: dec("99.90"), VAT: vat("15")},
		{Quantity: dec("1"), Unit: "EA", Name: "Kinobillett", NetPrice: dec("150"), VAT: vat("12")},
		{Quantity: dec("10"), Unit: "EA", Name: "Avis", NetPrice: dec("35"), VAT: VAT{Category: VATZero}},
		{Quantity: dec("1.5"), Unit: "HUR", Name: "Reise", NetPrice: dec("800"), VAT: vat("25.00")},
	}
	doc := mustBuild(t, b)
	if diff := cmp.Diff([]string{"2000.00", "299.70", "150.00", "350.00", "1200.00"}, lineNets(doc)); diff != "" {
		t.Errorf("line nets (-want +got):\n%s", diff)
	}
	want := []string{"S 25: 3200.00 -> 800.00", "S 15: 299.70 -> 44.96", "S 12: 150.00 -> 18.00", "Z 0: 350.00 -> 0.00"}
	if diff := cmp.Diff(want, breakdown(doc)); diff != "" {
		t.Errorf("VAT breakdown (-want +got):\n%s", diff)
	}
	wantT := totals{Lines: "3999.70", TaxExcl: "3999.70", Tax: "862.96", TaxIncl: "4862.66", Payable: "4862.66"}
	if diff := cmp.Diff(wantT, totalsOf(doc)); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	if doc.CustomizationID != CustomizationPeppolBIS3 || doc.ProfileID != ProfileBilling || doc.TypeCode != "380" {
		t.Errorf("identifiers: %q %q %q", doc.CustomizationID, doc.ProfileID, doc.TypeCode)
	}
	if doc.Lines[4].ID != "5" || doc.Lines[4].Price.PriceAmount.Currency != "NOK" {
		t.Errorf("line defaults: %+v", doc.Lines[4])
	}
}

func TestBuildAllowancesChargesAndPrices(t *testing.T) {
	b := baseBuilder(t)
	b.Lines = []LineInput{
		{ // 10 × 250 = 2500 − 10 % (250) + 100 fee = 2350
			Quantity: dec("10"), Unit: "EA", Name: "Stol", NetPrice: dec("250"), VAT: vat("25"),
			AllowanceCharges: []AllowanceChargeInput{
				{Percent: dec("10"), ReasonCode: "95", Reason: "Rabatt"},
				{Charge: true, Amount: dec("100"), ReasonCode: "ABL", Reason: "Emballasje"},
			},
		},
		{ // price 45 per 100 units (gross 50, discount 5): 250 × 45 / 100 = 112.50
			Quantity: dec("250"), Unit: "EA", Name: "Skruer", NetPrice: dec("45"), GrossPrice: dec("50"), BaseQuantity: dec("100"), VAT: vat("25"),
		},
		{ // 3 × 19.99 / 2 = 29.985 → 29.99
			Quantity: dec("3"), Unit: "KGM", Name: "Kaffe", NetPrice: dec("19.99"), BaseQuantity: dec("2"), VAT: vat("15"),
		},
	}
	b.AllowanceCharges = []AllowanceChargeInput{
		{Amount: dec("62.50"), Reason: "Kundebonus", VAT: vat("25")},                         // allowance
		{Charge: true, Percent: dec("5"), ReasonCode: "FC", Reason: "Frakt", VAT: vat("15")}, // 5 % of 29.99 = 1.4995 → 1.50
	}
	doc := mustBuild(t, b)
	if diff := cmp.Diff([]string{"2350.00", "112.50", "29.99"}, lineNets(doc)); diff != "" {
		t.Errorf("line nets (-want +got):\n%s", diff)
	}
	if got := doc.Lines[0].AllowanceCharge[0]; got.Amount.Value.String() != "250.00" || got.BaseAmount.Value.String() != "2500.00" || got.MultiplierFactorNumeric.String() != "10" {
		t.Errorf("line allowance = %+v", got)
	}
	if pa := doc.Lines[1].Price.AllowanceCharge; pa == nil || pa.Amount.Value.String() != "5" || pa.BaseAmount.Value.String() != "50" || pa.ChargeIndicator {
		t.Errorf("price discount = %+v", pa)
	}
	if bq := doc.Lines[1].Price.BaseQuantity; bq == nil || bq.Value.String() != "100" || bq.Unit != "EA" {
		t.Errorf("base quantity = %+v", bq)
	}
	if got := doc.AllowanceCharge[1]; got.Amount.Value.String() != "1.50" || got.BaseAmount.Value.String() != "29.99" {
		t.Errorf("document charge = %+v", got)
	}
	want := []string{"S 25: 2400.00 -> 600.00", "S 15: 31.49 -> 4.72"}
	if diff := cmp.Diff(want, breakdown(doc)); diff != "" {
		t.Errorf("VAT breakdown (-want +got):\n%s", diff)
	}
	wantT := totals{Lines: "2492.49", Allowances: "62.50", Charges: "1.50", TaxExcl: "2431.49", Tax: "604.72", TaxIncl: "3036.21", Payable: "3036.21"}
	if diff := cmp.Diff(wantT, totalsOf(doc)); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
}

func TestBuildRoundingEdges(t *testing.T) {
	b := baseBuilder(t)
	b.Lines = []LineInput{
		{Quantity: dec("1"), Unit: "EA", Name: "Halv øre", NetPrice: dec("0.005"), VAT: vat("25")},    // 0.005 → 0.01
		{Quantity: dec("3"), Unit: "EA", Name: "Tredel", NetPrice: dec("0.335"), VAT: vat("25")},      // 1.005 → 1.01
		{Quantity: dec("1"), Unit: "EA", Name: "Skatt halv", NetPrice: dec("0.02"), VAT: vat("15")},   // VAT 0.003 → 0.00
		{Quantity: dec("1"), Unit: "EA", Name: "Skatt halv 2", NetPrice: dec("0.10"), VAT: vat("12")}, // VAT 0.012 → 0.01
	}
	b.PrepaidAmount = dec("1.00")
	b.RoundingAmount = dec("-0.01")
	doc := mustBuild(t, b)
	if diff := cmp.Diff([]string{"0.01", "1.01", "0.02", "0.10"}, lineNets(doc)); diff != "" {
		t.Errorf("line nets (-want +got):\n%s", diff)
	}
	// 25 %: 1.02 × 0.25 = 0.255 → 0.26 (half away from zero).
	want := []string{"S 25: 1.02 -> 0.26", "S 15: 0.02 -> 0.00", "S 12: 0.10 -> 0.01"}
	if diff := cmp.Diff(want, breakdown(doc)); diff != "" {
		t.Errorf("VAT breakdown (-want +got):\n%s", diff)
	}
	wantT := totals{Lines: "1.14", TaxExcl: "1.14", Tax: "0.27", TaxIncl: "1.41", Prepaid: "1.00", Rounding: "-0.01", Payable: "0.40"}
	if diff := cmp.Diff(wantT, totalsOf(doc)); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
}

func TestBuildNegativeLineAndPrepaid(t *testing.T) {
	b := baseBuilder(t)
	b.PrecedingInvoices = []DocumentReference{{ID: Identifier{Value: "2025-0000"}, IssueDate: NewDate(2025, 2, 1)}}
	b.Lines = []LineInput{
		{Quantity: dec("5"), Unit: "EA", Name: "Lisens", NetPrice: dec("400"), VAT: vat("25")},
		{Quantity: dec("-2"), Unit: "EA", Name: "Lisens, kreditert", NetPrice: dec("400"), VAT: vat("25")},
	}
	b.PrepaidAmount = dec("500.00")
	doc := mustBuild(t, b)
	if diff := cmp.Diff([]string{"2000.00", "-800.00"}, lineNets(doc)); diff != "" {
		t.Errorf("line nets (-want +got):\n%s", diff)
	}
	wantT := totals{Lines: "1200.00", TaxExcl: "1200.00", Tax: "300.00", TaxIncl: "1500.00", Prepaid: "500.00", Payable: "1000.00"}
	if diff := cmp.Diff(wantT, totalsOf(doc)); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
}

func TestBuildNegativeInvoice(t *testing.T) {
	b := baseBuilder(t)
	b.DueDate = Date{}
	b.Lines = []LineInput{
		{Quantity: dec("-3"), Unit: "EA", Name: "Retur", NetPrice: dec("33.33"), VAT: vat("25")}, // -99.99, VAT -24.9975 → -25.00
	}
	doc := mustBuild(t, b)
	wantT := totals{Lines: "-99.99", TaxExcl: "-99.99", Tax: "-25.00", TaxIncl: "-124.99", Payable: "-124.99"}
	if diff := cmp.Diff(wantT, totalsOf(doc)); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
}

func TestBuildCreditNote(t *testing.T) {
	b := baseBuilder(t)
	b.Kind = KindCreditNote
	b.ProjectReference = "PRJ-7"
	b.PrecedingInvoices = []DocumentReference{{ID: Identifier{Value: "2025-0001"}, IssueDate: NewDate(2025, 3, 1)}}
	b.Lines = []LineInput{{Quantity: dec("2"), Unit: "HUR", Name: "Rådgivning", NetPrice: dec("1000"), VAT: vat("25")}}
	doc := mustBuild(t, b)
	if doc.Kind != KindCreditNote || doc.TypeCode != "381" || !doc.DueDate.IsZero() || doc.PaymentMeans[0].PaymentDueDate != b.DueDate {
		t.Errorf("credit note header: %v %q %v %v", doc.Kind, doc.TypeCode, doc.DueDate, doc.PaymentMeans[0].PaymentDueDate)
	}
	last := doc.AdditionalDocumentReference[len(doc.AdditionalDocumentReference)-1]
	if last.ID.Value != "PRJ-7" || last.DocumentTypeCode != "50" || doc.ProjectReference != "" {
		t.Errorf("project reference: %+v", last)
	}
	if b.PaymentMeans[0].PaymentDueDate != (Date{}) {
		t.Error("Build modified the builder's payment means")
	}
	out, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "<cbc:CreditedQuantity unitCode=\"HUR\">2</cbc:CreditedQuantity>") {
		t.Errorf("credit note XML:\n%s", out)
	}
}

func TestBuildVATCategories(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(b *Builder)
		vat   VAT
		wantC string
	}{
		{"exempt", nil, VAT{Category: VATExempt, ExemptionReasonCode: "VATEX-EU-132"}, "E 0: 1000.00 -> 0.00"},
		{"exempt text", nil, VAT{Category: VATExempt, ExemptionReason: "Helsetjenester"}, "E 0: 1000.00 -> 0.00"},
		{"reverse charge", nil, VAT{Category: VATReverseCharge}, "AE 0: 1000.00 -> 0.00"},
		{"export", func(b *Builder) { b.Buyer.PostalAddress = &Address{CityName: "Stockholm", Country: "SE"} }, VAT{Category: VATExport}, "G 0: 1000.00 -> 0.00"},
		{"not subject", func(b *Builder) { b.Seller.PartyTaxScheme = b.Seller.PartyTaxScheme[1:] }, VAT{Category: VATNotSubject}, "O -: 1000.00 -> 0.00"},
		{"intra-community", func(b *Builder) {
			b.Buyer.PartyTaxScheme = []PartyTaxScheme{{CompanyID: "SE556036079301", TaxScheme: "VAT"}}
			b.Buyer.PostalAddress = &Address{CityName: "Stockholm", Country: "SE"}
			b.Delivery = &Delivery{ActualDeliveryDate: NewDate(2025, 2, 27), DeliveryLocation: &Location{Address: &Address{CityName: "Stockholm", Country: "SE"}}}
		}, VAT{Category: VATIntraCommunity}, "K 0: 1000.00 -> 0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := baseBuilder(t)
			if tt.edit != nil {
				tt.edit(b)
			}
			b.Lines = []LineInput{{Quantity: dec("4"), Unit: "EA", Name: "Tjeneste", NetPrice: dec("250"), VAT: tt.vat}}
			doc := mustBuild(t, b)
			if diff := cmp.Diff([]string{tt.wantC}, breakdown(doc)); diff != "" {
				t.Errorf("VAT breakdown (-want +got):\n%s", diff)
			}
			cat := doc.TaxTotal[0].TaxSubtotal[0].TaxCategory
			if tt.vat.Category != VATExempt && tt.vat.Category != VATStandard && cat.TaxExemptionReasonCode == "" {
				t.Errorf("no default exemption reason: %+v", cat)
			}
			if tt.vat.Category == VATNotSubject && (doc.Lines[0].Item.ClassifiedTaxCategory.Percent != nil || cat.Percent != nil) {
				t.Error("category O must not have a rate")
			}
		})
	}
}

func TestBuildMissingFields(t *testing.T) {
	var b Builder
	_, err := b.Build()
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("Build() = %v, want *BuildError", err)
	}
	var got []string
	for _, p := range be.Problems {
		got = append(got, p.Field+" "+p.Term)
	}
	want := []string{
		"ID BT-1", "IssueDate BT-2", "Currency BT-5", "BuyerReference BT-10",
		"Seller.PartyLegalEntity.RegistrationName BT-27", "Seller.PostalAddress.Country BT-40", "Seller.EndpointID BT-34",
		"Seller.PartyLegalEntity.CompanyID BT-30",
		"Buyer.PartyLegalEntity.RegistrationName BT-44", "Buyer.PostalAddress.Country BT-55", "Buyer.EndpointID BT-49",
		"Lines BG-25",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s\n%v", diff, err)
	}
	if !strings.HasPrefix(err.Error(), "einvoice: cannot build document: 12 problems: ID (BT-1): invoice number is missing [BR-02]") {
		t.Errorf("message = %q", err)
	}
}

func TestBuildLineAndVATProblems(t *testing.T) {
	b := baseBuilder(t)
	b.DueDate, b.PaymentTerms = Date{}, ""
	b.Lines = []LineInput{
		{Quantity: dec("1"), NetPrice: dec("-1"), VAT: VAT{Category: VATStandard}},
		{Quantity: dec("1"), Unit: "EA", Name: "x", NetPrice: dec("1"), VAT: VAT{Category: VATExempt}},
		{Quantity: dec("1"), Unit: "EA", Name: "y", NetPrice: dec("1"), VAT: VAT{Category: "Q"}},
		{Quantity: dec("1"), Unit: "EA", Name: "z", NetPrice: dec("1"), VAT: vat("25"), AllowanceCharges: []AllowanceChargeInput{{Amount: dec("0.001")}}},
	}
	b.AllowanceCharges = []AllowanceChargeInput{{Amount: dec("1"), Reason: "r", VAT: VAT{Category: VATNotSubject}}}
	_, err := b.Build()
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("Build() = %v, want *BuildError", err)
	}
	var rules []string
	for _, p := range be.Problems {
		rules = append(rules, p.Field+" "+p.Rule)
	}
	want := []string{
		"Lines[0].Unit BR-23", "Lines[0].Name BR-25", "Lines[0].NetPrice BR-27", "Lines[0].VAT.Rate BR-S-05",
		"Lines[2].VAT.Category ",
		"Lines[3].AllowanceCharges[0].Reason BR-33", "Lines[3].AllowanceCharges[0].Amount BR-DEC",
		"Lines BR-O-11", "Seller.PartyTaxScheme BR-O-02",
		"Lines[1].VAT.ExemptionReason BR-E-10",
		"DueDate BR-CO-25",
	}
	if diff := cmp.Diff(want, rules); diff != "" {
		t.Errorf("problems (-want +got):\n%s\n%v", diff, err)
	}
}

func TestBuildEmptyElements(t *testing.T) {
	b := baseBuilder(t)
	b.Seller.Contact = &Contact{}
	b.Lines = []LineInput{{Quantity: dec("1"), Unit: "EA", Name: " ", NetPrice: dec("1"), VAT: vat("25")}}
	_, err := b.Build()
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("Build() = %v, want *BuildError", err)
	}
	want := []string{
		"/Invoice/cac:AccountingSupplierParty/cac:Party/cac:Contact",
		"/Invoice/cac:InvoiceLine[1]/cac:Item/cbc:Name",
	}
	var got []string
	for _, p := range be.Problems {
		if p.Rule == "PEPPOL-EN16931-R008" {
			got = append(got, p.Field)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("empty elements (-want +got):\n%s", diff)
	}
}

func TestNorwegianParty(t *testing.T) {
	p := norwegianSeller(t)
	want := Party{
		EndpointID:    Identifier{Value: sellerOrgNr, SchemeID: "0192"},
		PartyName:     "Fjellvann",
		PostalAddress: &Address{StreetName: "Storgata 1", CityName: "Oslo", PostalZone: "0155", Country: "NO"},
		PartyTaxScheme: []PartyTaxScheme{
			{CompanyID: "NO" + sellerOrgNr + "MVA", TaxScheme: "VAT"},
			{CompanyID: "Foretaksregisteret", TaxScheme: "TAX"},
		},
		PartyLegalEntity: &PartyLegalEntity{RegistrationName: "Fjellvann Konsult AS", CompanyID: Identifier{Value: sellerOrgNr, SchemeID: "0192"}},
		Contact:          &Contact{Name: "Kari Nordmann", ElectronicMail: "kari@example.no"},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("seller (-want +got):\n%s", diff)
	}
	buyer, err := NorwegianBuyer(NorwegianParty{OrganizationNumber: buyerOrgNr, Name: "K", VATRegistered: true, Foretaksregisteret: true})
	if err != nil || len(buyer.PartyTaxScheme) != 1 || buyer.PartyTaxScheme[0].TaxScheme != "VAT" {
		t.Errorf("buyer = %+v, %v", buyer, err)
	}
	for _, bad := range []string{"921605901", "12345678", "92160590A", "", "0000000000"} {
		_, err := NorwegianSeller(NorwegianParty{OrganizationNumber: bad, Name: "X"})
		var ne *NumberError
		if !errors.As(err, &ne) || ne.What != NumberOrganization {
			t.Errorf("org number %q: err = %v, want *NumberError", bad, err)
		}
	}
	b := baseBuilder(t)
	b.Buyer.EndpointID.Value = "974760674"
	b.Lines = []LineInput{{Quantity: dec("1"), Unit: "EA", Name: "x", NetPrice: dec("1"), VAT: vat("25")}}
	_, err = b.Build()
	var be *BuildError
	if !errors.As(err, &be) || be.Problems[0].Rule != "PEPPOL-COMMON-R041" {
		t.Errorf("bad buyer endpoint: %v", err)
	}
}

func TestNorwegianPayment(t *testing.T) {
	pm, err := NorwegianCreditTransfer("1234 56 78903", "")
	if err != nil || pm.PayeeFinancialAccount.ID != "12345678903" || pm.PaymentMeansCode.Value != "30" || pm.PaymentID != "" {
		t.Errorf("credit transfer = %+v, %v", pm, err)
	}
	// Mod 10 (Luhn) and mod 11 check digits.
	valid := []string{"1234567890128", "1234567890125", "12345674", "0000000018", "00000000019", "123456785", "18", "100008-"}
	for _, kid := range valid {
		if err := ValidateKID(kid); err != nil {
			t.Errorf("ValidateKID(%q) = %v", kid, err)
		}
	}
	for _, kid := range []string{"1234567890124", "1", "12a4", strings.Repeat("1", 26), "--", "12345678901-"} {
		var ne *NumberError
		if err := ValidateKID(kid); !errors.As(err, &ne) || ne.What != NumberKID {
			t.Errorf("ValidateKID(%q) = %v, want *NumberError", kid, err)
		}
	}
	for _, acct := range []string{"12345678900", "1234567890", "abcdefghijk"} {
		var ne *NumberError
		if _, err := NorwegianCreditTransfer(acct, ""); !errors.As(err, &ne) || ne.What != NumberBankAccount {
			t.Errorf("account %q: err = %v", acct, err)
		}
	}
	if _, err := NorwegianCreditTransfer("12345678903", "999"); err == nil {
		t.Error("bad KID accepted")
	}
}

// checkValid validates the marshalled document with the official rules
// (CEN EN 16931 and PEPPOL BIS 3), requiring no fatal failure and no
// warning.
func checkValid(t *testing.T, doc *Document) {
	t.Helper()
	out, err := doc.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(Marshal): %v", err)
	}
	if diff := cmp.Diff(doc, back, cmp.AllowUnexported(Decimal{}, Date{})); diff != "" {
		t.Errorf("Parse(Marshal(built)) differs:\n%s", diff)
	}
	if _, err := os.Stat(peppolDir); err != nil {
		t.Logf("skipping rule validation: %s absent", peppolDir)
		return
	}
	rep, err := Validate(out)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !rep.Valid() || len(rep.Failures) > 0 {
		for _, f := range rep.Failures {
			t.Errorf("%s", f)
		}
		for _, u := range rep.Unevaluated {
			t.Errorf("%s", u)
		}
		t.Logf("document:\n%s", out)
	}
}

// TestValidatorCatchesBrokenTotals makes sure checkValid would notice a
// wrong amount, so that the validity checks above mean something.
func TestValidatorCatchesBrokenTotals(t *testing.T) {
	if _, err := os.Stat(peppolDir); err != nil {
		t.Skipf("official rules absent (%s)", peppolDir)
	}
	b := baseBuilder(t)
	b.Lines = []LineInput{{Quantity: dec("1"), Unit: "EA", Name: "x", NetPrice: dec("10"), VAT: vat("25")}}
	doc, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	doc.LegalMonetaryTotal.PayableAmount.Value = dec("12.49")
	out, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Validate(out)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rep.Failures {
		found = found || f.Rule == "BR-CO-16"
	}
	if rep.Valid() || !found {
		t.Errorf("broken payable amount not caught: %+v", rep.Failures)
	}
}

// TestBuildOptionalFields fills every optional Builder input and checks
// that the result is still valid with no warning.
func TestBuildOptionalFields(t *testing.T) {
	for _, kind := range []Kind{KindInvoice, KindCreditNote} {
		t.Run(kind.String(), func(t *testing.T) {
			b := baseBuilder(t)
			b.Kind = kind
			b.Note = "Takk for handelen"
			b.TaxPointDate = NewDate(2025, 2, 28)
			b.OrderReference = "PO-77"
			b.SalesOrderReference = "SO-12"
			b.ContractReference = "Rammeavtale 2024/17"
			b.ProjectReference = "Prosjekt Fjord"
			b.AccountingCost = "4010"
			b.InvoicePeriod = &Period{StartDate: NewDate(2025, 2, 1), EndDate: NewDate(2025, 2, 28)}
			b.PrecedingInvoices = []DocumentReference{{ID: Identifier{Value: "2025-0000"}, IssueDate: NewDate(2025, 1, 31)}}
			b.AdditionalDocuments = []DocumentReference{
				{ID: Identifier{Value: "Timeliste"}, DocumentDescription: "Timeliste februar", Attachment: &Attachment{
					EmbeddedDocumentBinaryObject: &BinaryObject{Data: []byte("dato;timer\n2025-02-03;7.5\n"), MimeCode: "text/csv", Filename: "timer.csv"},
				}},
				{ID: Identifier{Value: "Avtale"}, Attachment: &Attachment{ExternalReference: "https://example.no/avtale.pdf"}},
			}
			b.Payee = &Party{PartyName: "Factoring AS", PartyIdentification: []Identifier{{Value: "998004993", SchemeID: "0192"}},
				PartyLegalEntity: &PartyLegalEntity{CompanyID: Identifier{Value: "998004993", SchemeID: "0192"}}}
			b.Delivery = &Delivery{
				ActualDeliveryDate: NewDate(2025, 2, 27),
				DeliveryLocation:   &Location{ID: Identifier{Value: "7080001000010", SchemeID: "0088"}, Address: &Address{StreetName: "Kaigata 5", CityName: "Bergen", PostalZone: "5015", Country: "NO"}},
				DeliveryParty:      "Eksempel kommune, lager",
			}
			b.Lines = []LineInput{{
				Quantity: dec("7.5"), Unit: "HUR", Name: "Rådgivning", Description: "Bistand februar",
				SellersItemID: "RG-1", BuyersItemID: "K-99", StandardItemID: Identifier{Value: "7300010000001", SchemeID: "0160"},
				OriginCountry: "NO", Classifications: []Code{{Value: "80101500", ListID: "STI"}},
				Properties: []ItemProperty{{Name: "Konsulent", Value: "Kari"}},
				NetPrice:   dec("1150"), VAT: vat("25"), Note: "Se timeliste",
				Period:             &Period{StartDate: NewDate(2025, 2, 3), EndDate: NewDate(2025, 2, 28)},
				OrderLineReference: "3", AccountingCost: "4010-12", ObjectID: Identifier{Value: "OBJ-1", SchemeID: "ABZ"},
			}}
			doc := mustBuild(t, b)
			if doc.LegalMonetaryTotal.PayableAmount.Value.String() != "10781.25" {
				t.Errorf("payable = %v", doc.LegalMonetaryTotal.PayableAmount)
			}
		})
	}
}

// Document level percentages default to the sum of the line net amounts of
// their VAT category and rate, whatever other allowances or charges come
// before them: the order of the entries must not change the amounts.
func TestBuildDocumentPercentBase(t *testing.T) {
	b := baseBuilder(t)
	b.Lines = []LineInput{{Name: "Vare", Quantity: dec("1"), Unit: "EA", NetPrice: dec("1000"), VAT: vat("25")}}
	b.AllowanceCharges = []AllowanceChargeInput{
		{Charge: true, Amount: dec("500"), ReasonCode: "FC", VAT: vat("25")},
		{Percent: dec("10"), ReasonCode: "95", VAT: vat("25")},
		{Percent: dec("10"), ReasonCode: "95", VAT: vat("25")},
	}
	doc := mustBuild(t, b)
	for i, want := range []string{"500.00", "100.00", "100.00"} {
		if got := doc.AllowanceCharge[i].Amount.Value.String(); got != want {
			t.Errorf("allowance/charge %d: %s, want %s", i, got, want)
		}
	}
	for i := 1; i <= 2; i++ {
		if got := doc.AllowanceCharge[i].BaseAmount.Value.String(); got != "1000.00" {
			t.Errorf("allowance %d base %s, want 1000.00", i, got)
		}
	}
	// 1000 + 500 − 100 − 100 = 1300, VAT 325.
	if got := strings.Join(breakdown(doc), "; "); !strings.Contains(got, "1300.00") || !strings.Contains(got, "325.00") {
		t.Errorf("breakdown %s", got)
	}
	checkValid(t, doc)

	// A percentage for a VAT category and rate no line has: say so.
	b.AllowanceCharges = []AllowanceChargeInput{{Percent: dec("10"), ReasonCode: "95", VAT: vat("15")}}
	_, err := b.Build()
	var be *BuildError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "BaseAmount") {
		t.Errorf("percentage without lines of its rate: %v", err)
	}
}

// Input quoted in errors never shows an 11-digit person number whole.
func TestErrorsMaskPersonNumbers(t *testing.T) {
	_, err := NormalizeOrganizationNumber("01019912345")
	if err == nil || strings.Contains(err.Error(), "01019912345") {
		t.Errorf("organisation number error shows the input: %v", err)
	}
	if _, err := ParseDecimal("01019912345x"); err == nil || strings.Contains(err.Error(), "01019912345") {
		t.Errorf("decimal error shows the input: %v", err)
	}
	if _, err := ParseDate("01019912345"); err == nil || strings.Contains(err.Error(), "01019912345") {
		t.Errorf("date error shows the input: %v", err)
	}
	if _, err := NorwegianCreditTransfer("01019912345", ""); err == nil || strings.Contains(err.Error(), "01019912345") {
		t.Errorf("bank account error shows the input: %v", err)
	}
}
