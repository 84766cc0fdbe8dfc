package einvoice

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// PEPPOL BIS Billing 3.0 identifiers that [Builder.Build] writes.
const (
	// CustomizationPeppolBIS3 is the specification identifier BT-24 of
	// PEPPOL BIS Billing 3.0 (and EHF Billing 3.0).
	CustomizationPeppolBIS3 = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
	// ProfileBilling is the business process type BT-23 of PEPPOL BIS
	// Billing 3.0, process P1 "billing".
	ProfileBilling = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
)

// VAT category codes (UNCL 5305 subset used by EN 16931).
const (
	VATStandard          = "S"  // standard rate
	VATZero              = "Z"  // zero rated goods
	VATExempt            = "E"  // exempt from VAT
	VATReverseCharge     = "AE" // VAT reverse charge
	VATIntraCommunity    = "K"  // intra-community supply (EEA)
	VATExport            = "G"  // export outside the EU/EEA
	VATNotSubject        = "O"  // services outside scope of tax
	VATCanaryIslands     = "L"  // Canary Islands general indirect tax
	VATCeutaMelilla      = "M"  // tax for production, services and importation in Ceuta and Melilla
	taxSchemeVAT         = "VAT"
	defaultInvoiceType   = "380"
	defaultCreditNoteTyp = "381"
)

// VAT is the VAT treatment of a line or a document level allowance or
// charge: category and rate, plus the exemption reason that the VAT
// breakdown BG-23 of that category carries.
type VAT struct {
	// Category is the VAT category code: [VATStandard], [VATZero], … .
	Category string
	// Rate is the VAT rate in percent, such as 25, 15 or 12 for Norway.
	// It must be above zero for [VATStandard], is written as 0 for
	// Z, E, AE, K and G, and is omitted for [VATNotSubject].
	Rate Decimal
	// ExemptionReasonCode is the VATEX exemption reason code BT-121,
	// such as "VATEX-EU-132". Either it or ExemptionReason is required
	// for category E; categories AE, K, G and O get their standard VATEX
	// code and text when both are empty; S and Z must have none.
	ExemptionReasonCode string
	// ExemptionReason is the exemption reason text BT-120.
	ExemptionReason string
}

// AllowanceChargeInput is a document level allowance BG-20 or charge
// BG-21, or a line level allowance BG-27 or charge BG-28, for [Builder].
type AllowanceChargeInput struct {
	// Charge is true for a charge and false for an allowance.
	Charge bool
	// Amount is the amount without VAT, at most two decimals. Leave it
	// zero when Percent is set.
	Amount Decimal
	// Percent, if not zero, makes Amount = round(BaseAmount × Percent ÷
	// 100, 2).
	Percent Decimal
	// BaseAmount is the base for Percent. If zero, a line level one uses
	// the line amount before allowances and charges (quantity × price ÷
	// base quantity), and a document level one the sum of the line net
	// amounts with the same VAT category and rate.
	BaseAmount Decimal
	// ReasonCode is the reason code: UNCL 5189 for allowances (such as
	// "95" discount), UNCL 7161 for charges (such as "FC" freight).
	// ReasonCode or Reason is required.
	ReasonCode string
	// Reason is the reason text.
	Reason string
	// VAT is the VAT category and rate of a document level allowance or
	// charge; ignored on line level, where the line's VAT applies.
	VAT VAT
}

// LineInput is an invoice line BG-25 for [Builder].
type LineInput struct {
	// ID is the line identifier BT-126; empty means the 1-based position.
	ID string
	// Note is the line note BT-127.
	Note string
	// Quantity is the invoiced quantity BT-129; negative for a line that
	// corrects an earlier invoice.
	Quantity Decimal
	// Unit is the unit of measure code BT-130 (UN/ECE Recommendation 20),
	// such as "EA", "C62", "HUR" or "KGM". Required.
	Unit string
	// Name is the item name BT-153. Required.
	Name string
	// Description is the item description BT-154.
	Description string
	// SellersItemID is the item seller's identifier BT-155.
	SellersItemID string
	// BuyersItemID is the item buyer's identifier BT-156.
	BuyersItemID string
	// StandardItemID is the item standard identifier BT-157, such as a
	// GTIN with scheme "0160".
	StandardItemID Identifier
	// OriginCountry is the item country of origin BT-159.
	OriginCountry string
	// Classifications are the item classification identifiers BT-158.
	Classifications []Code
	// Properties are the item attributes BG-32.
	Properties []ItemProperty
	// NetPrice is the item net price BT-146, not negative.
	NetPrice Decimal
	// GrossPrice, if not zero, is the item gross price BT-148; the price
	// discount BT-147 is then GrossPrice − NetPrice.
	GrossPrice Decimal
	// BaseQuantity, if not zero, is the item price base quantity BT-149:
	// NetPrice is the price of BaseQuantity units. It must be positive.
	BaseQuantity Decimal
	// VAT is the line's VAT category and rate BG-30. Required.
	VAT VAT
	// AllowanceCharges are the line allowances BG-27 and charges BG-28.
	AllowanceCharges []AllowanceChargeInput
	// Period is the line period BG-26.
	Period *Period
	// OrderLineReference is the referenced purchase order line BT-132.
	OrderLineReference string
	// AccountingCost is the line buyer accounting reference BT-133.
	AccountingCost string
	// ObjectID is the line object identifier BT-128.
	ObjectID Identifier
}

// Builder assembles a PEPPOL BIS Billing 3.0 (EHF Billing 3.0) invoice or
// credit note and computes everything derivable, so that what
// [Builder.Build] returns passes the EN 16931 and PEPPOL rules: line net
// amounts, allowance and charge amounts from percentages, the VAT
// breakdown BG-23, the totals BG-22, currencies, identifiers, and the
// placement of terms that Invoice and CreditNote syntax write differently.
//
// Fill in the fields and call Build; the zero value of every optional
// field means "absent". Parties are plain [Party] values; [NorwegianSeller]
// and [NorwegianBuyer] make EHF-shaped ones. Build reports every missing
// or inconsistent input at once in a *[BuildError].
//
// The calculation follows EN 16931 and the PEPPOL rule PEPPOL-EN16931-R120:
//
//	line net      = round2(quantity × price ÷ base quantity) − line allowances + line charges
//	taxable (cat) = Σ line nets + document charges − document allowances  (per VAT category and rate)
//	VAT (cat)     = round2(taxable × rate ÷ 100)
//	tax exclusive = Σ line nets − Σ document allowances + Σ document charges
//	tax inclusive = tax exclusive + Σ VAT
//	payable       = tax inclusive − prepaid + rounding
//
// where round2 rounds half away from zero to two decimals (see
// [Decimal.Round]). Every amount is written with exactly two decimals.
type Builder struct {
	// Kind selects invoice (the zero value) or credit note.
	Kind Kind
	// ID is the invoice number BT-1. Required.
	ID string
	// IssueDate is the issue date BT-2. Required.
	IssueDate Date
	// DueDate is the payment due date BT-9. For a credit note it is
	// written in the first PaymentMeans, which must then exist.
	DueDate Date
	// TypeCode is the type code BT-3; empty means 380 (commercial
	// invoice) or 381 (credit note).
	TypeCode string
	// Currency is the invoice currency code BT-5, such as "NOK".
	// Required.
	Currency string
	// Note is the invoice note BT-22.
	Note string
	// TaxPointDate is the VAT point date BT-7.
	TaxPointDate Date
	// BuyerReference is the buyer reference BT-10. BuyerReference or
	// OrderReference is required (PEPPOL-EN16931-R003); Norwegian public
	// buyers use it for the "bestillerreferanse".
	BuyerReference string
	// OrderReference is the purchase order reference BT-13.
	OrderReference string
	// SalesOrderReference is the sales order reference BT-14.
	SalesOrderReference string
	// ContractReference is the contract reference BT-12.
	ContractReference string
	// ProjectReference is the project reference BT-11.
	ProjectReference string
	// AccountingCost is the buyer accounting reference BT-19.
	AccountingCost string
	// InvoicePeriod is the invoicing period BG-14.
	InvoicePeriod *Period
	// PrecedingInvoices are the preceding invoice references BG-3, as
	// [DocumentReference] values with ID and IssueDate.
	PrecedingInvoices []DocumentReference
	// AdditionalDocuments are the additional supporting documents BG-24.
	AdditionalDocuments []DocumentReference
	// Seller is the seller BG-4. Required: legal registration name BT-27,
	// postal address with country BT-40, electronic address BT-34 with
	// scheme, and an identifier BT-29, BT-30 or BT-31.
	Seller Party
	// Buyer is the buyer BG-7. Required: legal registration name BT-44,
	// postal address with country BT-55, electronic address BT-49 with
	// scheme.
	Buyer Party
	// Payee is the payee BG-10, if not the seller.
	Payee *Party
	// TaxRepresentative is the seller tax representative BG-11.
	TaxRepresentative *Party
	// Delivery is the delivery information BG-13.
	Delivery *Delivery
	// PaymentMeans are the payment instructions BG-16; see
	// [NorwegianCreditTransfer].
	PaymentMeans []PaymentMeans
	// PaymentTerms is the payment terms text BT-20.
	PaymentTerms string
	// Lines are the invoice lines BG-25. At least one is required.
	Lines []LineInput
	// AllowanceCharges are the document level allowances BG-20 and
	// charges BG-21.
	AllowanceCharges []AllowanceChargeInput
	// PrepaidAmount is the paid amount BT-113, at most two decimals.
	PrepaidAmount Decimal
	// RoundingAmount is the rounding amount BT-114, at most two decimals.
	RoundingAmount Decimal
}

// Problem is one reason why [Builder.Build] failed.
type Problem struct {
	// Field names the Builder field, such as "Seller.PostalAddress.Country"
	// or "Lines[2].Unit".
	Field string
	// Term is the EN 16931 business term or group, such as "BT-40", if
	// there is one.
	Term string
	// Rule is the EN 16931 or PEPPOL rule the problem would break, such
	// as "BR-09", if there is one.
	Rule string
	// Message says what is wrong.
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Field)
	if p.Term != "" {
		b.WriteString(" (" + p.Term + ")")
	}
	b.WriteString(": " + p.Message)
	if p.Rule != "" {
		b.WriteString(" [" + p.Rule + "]")
	}
	return b.String()
}

// BuildError lists every problem that kept [Builder.Build] from building
// a valid document. Match it with errors.As.
type BuildError struct {
	// Problems lists every missing or inconsistent input, in the order of
	// the Builder's fields.
	Problems []Problem
}

func (e *BuildError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "einvoice: cannot build document: %d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// buildState collects problems while building.
type buildState struct {
	b        *Builder
	problems []Problem
}

func (s *buildState) add(field, term, rule, format string, args ...any) {
	s.problems = append(s.problems, Problem{Field: field, Term: term, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// amount checks that d has at most two decimals and returns it with
// exactly two.
func (s *buildState) amount(d Decimal, field, term string) Decimal {
	if d.Scale() > 2 {
		s.add(field, term, "BR-DEC", "amount %s has more than two decimals", d)
	}
	return d.Round(2)
}

// vatKey identifies a VAT breakdown entry.
type vatKey struct {
	category string
	rate     string // normalised rate, "" for category O
}

type vatGroup struct {
	key        vatKey
	vat        VAT
	taxable    Decimal
	lineNets   Decimal // Σ line net amounts: the default base of percentages
	lines      int
	firstField string
}

// Build checks the input and returns the complete document, or a
// *[BuildError] listing every problem found. The Builder is not modified
// and may be reused; the document shares no parties, addresses or slices
// with it (attachment data and payment means details excepted, which are
// copied shallowly).
func (b *Builder) Build() (*Document, error) {
	s := &buildState{b: b}
	cur := b.Currency
	amt := func(d Decimal) Amount { return Amount{Value: d, Currency: cur} }

	doc := &Document{
		Kind:                        b.Kind,
		CustomizationID:             CustomizationPeppolBIS3,
		ProfileID:                   ProfileBilling,
		ID:                          b.ID,
		IssueDate:                   b.IssueDate,
		TypeCode:                    b.TypeCode,
		Note:                        b.Note,
		TaxPointDate:                b.TaxPointDate,
		DocumentCurrencyCode:        cur,
		AccountingCost:              b.AccountingCost,
		BuyerReference:              b.BuyerReference,
		InvoicePeriod:               clonePtr(b.InvoicePeriod),
		BillingReference:            cloneSlice(b.PrecedingInvoices),
		ContractDocumentReference:   b.ContractReference,
		AdditionalDocumentReference: cloneSlice(b.AdditionalDocuments),
		AccountingSupplierParty:     cloneParty(b.Seller),
		AccountingCustomerParty:     cloneParty(b.Buyer),
		PayeeParty:                  clonePartyPtr(b.Payee),
		TaxRepresentativeParty:      clonePartyPtr(b.TaxRepresentative),
		Delivery:                    cloneDelivery(b.Delivery),
		PaymentMeans:                cloneSlice(b.PaymentMeans),
		PaymentTerms:                b.PaymentTerms,
	}

	// Header.
	switch b.Kind {
	case KindInvoice:
		if doc.TypeCode == "" {
			doc.TypeCode = defaultInvoiceType
		}
		doc.DueDate = b.DueDate
		doc.ProjectReference = b.ProjectReference
	case KindCreditNote:
		if doc.TypeCode == "" {
			doc.TypeCode = defaultCreditNoteTyp
		}
		if !b.DueDate.IsZero() {
			if len(doc.PaymentMeans) == 0 {
				s.add("DueDate", "BT-9", "", "a credit note carries the due date in its payment means; add PaymentMeans")
			} else {
				doc.PaymentMeans[0].PaymentDueDate = b.DueDate
			}
		}
		if b.ProjectReference != "" {
			doc.AdditionalDocumentReference = append(doc.AdditionalDocumentReference,
				DocumentReference{ID: Identifier{Value: b.ProjectReference}, DocumentTypeCode: "50"})
		}
	default:
		s.add("Kind", "", "", "unknown document kind %v", b.Kind)
	}
	if b.OrderReference != "" || b.SalesOrderReference != "" {
		id := b.OrderReference
		if id == "" {
			id = "NA" // UBL requires an order ID when only BT-14 is known.
		}
		doc.OrderReference = &OrderReference{ID: id, SalesOrderID: b.SalesOrderReference}
	}
	if b.ID == "" {
		s.add("ID", "BT-1", "BR-02", "invoice number is missing")
	}
	if b.IssueDate.IsZero() {
		s.add("IssueDate", "BT-2", "BR-03", "issue date is missing")
	}
	if !validCurrency(cur) {
		s.add("Currency", "BT-5", "BR-05", "currency code %q is not three upper-case letters", cur)
	}
	if b.BuyerReference == "" && b.OrderReference == "" {
		s.add("BuyerReference", "BT-10", "PEPPOL-EN16931-R003", "a buyer reference or a purchase order reference (BT-13) is required")
	}
	s.checkParty("Seller", &b.Seller, true)
	s.checkParty("Buyer", &b.Buyer, false)
	for i, pm := range b.PaymentMeans {
		f := "PaymentMeans[" + strconv.Itoa(i) + "]"
		if pm.PaymentMeansCode.Value == "" {
			s.add(f+".PaymentMeansCode", "BT-81", "BR-49", "payment means type code is missing")
		}
		if (pm.PaymentMeansCode.Value == "30" || pm.PaymentMeansCode.Value == "58") && (pm.PayeeFinancialAccount == nil || pm.PayeeFinancialAccount.ID == "") {
			s.add(f+".PayeeFinancialAccount.ID", "BT-84", "BR-61", "a credit transfer needs the payment account identifier")
		}
		if (pm.PaymentMeansCode.Value == "49" || pm.PaymentMeansCode.Value == "59") && (pm.PaymentMandate == nil || pm.PaymentMandate.ID == "") {
			s.add(f+".PaymentMandate.ID", "BT-89", "PEPPOL-EN16931-R061", "a direct debit needs the mandate reference")
		}
	}

	// Lines.
	var groups []*vatGroup
	group := func(v VAT, field string) *vatGroup {
		k := vatKey{category: v.Category}
		if v.Category != VATNotSubject {
			k.rate = v.Rate.Round(6).String()
			k.rate = strings.TrimRight(strings.TrimRight(k.rate, "0"), ".")
		}
		for _, g := range groups {
			if g.key == k {
				if (v.ExemptionReasonCode != "" || v.ExemptionReason != "") &&
					(v.ExemptionReasonCode != g.vat.ExemptionReasonCode || v.ExemptionReason != g.vat.ExemptionReason) {
					if g.vat.ExemptionReasonCode == "" && g.vat.ExemptionReason == "" {
						g.vat.ExemptionReasonCode, g.vat.ExemptionReason = v.ExemptionReasonCode, v.ExemptionReason
					} else {
						s.add(field+".VAT", "BT-120", "", "exemption reason differs from %s, which has the same VAT category and rate", g.firstField)
					}
				}
				return g
			}
		}
		g := &vatGroup{key: k, vat: v, firstField: field}
		groups = append(groups, g)
		return g
	}
	if len(b.Lines) == 0 {
		s.add("Lines", "BG-25", "BR-16", "at least one invoice line is required")
	}
	var lineTotal Decimal
	for i, in := range b.Lines {
		f := "Lines[" + strconv.Itoa(i) + "]"
		line := s.buildLine(in, i, f, cur)
		if s.checkVAT(in.VAT, f+".VAT") {
			g := group(in.VAT, f)
			g.taxable = g.taxable.Add(line.LineExtensionAmount.Value)
			g.lineNets = g.lineNets.Add(line.LineExtensionAmount.Value)
			g.lines++
		}
		line.Item.ClassifiedTaxCategory = taxCategory(in.VAT, false)
		lineTotal = lineTotal.Add(line.LineExtensionAmount.Value)
		doc.Lines = append(doc.Lines, line)
	}

	// Document level allowances and charges.
	var allowTotal, chargeTotal Decimal
	var hasAllow, hasCharge bool
	for i, in := range b.AllowanceCharges {
		f := "AllowanceCharges[" + strconv.Itoa(i) + "]"
		if !s.checkVAT(in.VAT, f+".VAT") {
			continue
		}
		g := group(in.VAT, f)
		base := in.BaseAmount
		if base.IsZero() {
			// The lines of this VAT category and rate, whatever other
			// document level allowances and charges come before.
			base = g.lineNets
			if !in.Percent.IsZero() && g.lines == 0 {
				s.add(f+".BaseAmount", "BT-93", "", "a percentage needs a BaseAmount when no line has this VAT category and rate")
			}
		}
		ac := s.allowanceCharge(in, base, f, cur)
		ac.TaxCategory = ptr(taxCategory(in.VAT, false))
		doc.AllowanceCharge = append(doc.AllowanceCharge, ac)
		if in.Charge {
			hasCharge = true
			chargeTotal = chargeTotal.Add(ac.Amount.Value)
			g.taxable = g.taxable.Add(ac.Amount.Value)
		} else {
			hasAllow = true
			allowTotal = allowTotal.Add(ac.Amount.Value)
			g.taxable = g.taxable.Sub(ac.Amount.Value)
		}
	}

	// VAT breakdown.
	s.checkVATCombination(groups)
	var taxTotal Decimal
	tt := TaxTotal{}
	for _, g := range groups {
		tax := Decimal{}
		if g.key.category != VATNotSubject {
			tax = g.taxable.Mul(g.vat.Rate).Mul(MustDecimal("0.01")).Round(2)
		}
		taxTotal = taxTotal.Add(tax)
		cat := taxCategory(g.vat, true)
		tt.TaxSubtotal = append(tt.TaxSubtotal, TaxSubtotal{
			TaxableAmount: amt(g.taxable.Round(2)),
			TaxAmount:     amt(tax.Round(2)),
			TaxCategory:   cat,
		})
	}
	tt.TaxAmount = amt(taxTotal.Round(2))
	doc.TaxTotal = []TaxTotal{tt}

	// Totals.
	taxExcl := lineTotal.Sub(allowTotal).Add(chargeTotal)
	taxIncl := taxExcl.Add(taxTotal)
	prepaid := s.amount(b.PrepaidAmount, "PrepaidAmount", "BT-113")
	rounding := s.amount(b.RoundingAmount, "RoundingAmount", "BT-114")
	payable := taxIncl.Sub(prepaid).Add(rounding)
	mt := MonetaryTotal{
		LineExtensionAmount: amt(lineTotal.Round(2)),
		TaxExclusiveAmount:  amt(taxExcl.Round(2)),
		TaxInclusiveAmount:  amt(taxIncl.Round(2)),
		PayableAmount:       amt(payable.Round(2)),
	}
	if hasAllow {
		mt.AllowanceTotalAmount = ptr(amt(allowTotal.Round(2)))
	}
	if hasCharge {
		mt.ChargeTotalAmount = ptr(amt(chargeTotal.Round(2)))
	}
	if !b.PrepaidAmount.IsZero() {
		mt.PrepaidAmount = ptr(amt(prepaid))
	}
	if !b.RoundingAmount.IsZero() {
		mt.PayableRoundingAmount = ptr(amt(rounding))
	}
	doc.LegalMonetaryTotal = mt
	if payable.Sign() > 0 && b.DueDate.IsZero() && b.PaymentTerms == "" {
		s.add("DueDate", "BT-9", "BR-CO-25", "a positive amount due needs a due date or payment terms (BT-20)")
	}

	// Structure: every element must have content (PEPPOL-EN16931-R008),
	// and the document must be writable.
	if b.Kind == KindInvoice || b.Kind == KindCreditNote {
		e := doc.encode()
		if e.err != nil {
			var me *MarshalError
			if errors.As(e.err, &me) {
				s.add(me.Path, "", "", "%s", me.Msg)
			}
		}
		for _, p := range e.empties {
			s.add(p, "", "PEPPOL-EN16931-R008", "element would be empty")
		}
	}
	if len(s.problems) > 0 {
		return nil, &BuildError{Problems: s.problems}
	}
	return doc, nil
}

// buildLine computes one invoice line.
func (s *buildState) buildLine(in LineInput, i int, f, cur string) Line {
	amt := func(d Decimal) Amount { return Amount{Value: d, Currency: cur} }
	line := Line{
		ID:                 in.ID,
		Note:               in.Note,
		Quantity:           Quantity{Value: in.Quantity, Unit: in.Unit},
		AccountingCost:     in.AccountingCost,
		InvoicePeriod:      clonePtr(in.Period),
		OrderLineReference: in.OrderLineReference,
		Item: Item{
			Description:                in.Description,
			Name:                       in.Name,
			BuyersItemIdentification:   in.BuyersItemID,
			SellersItemIdentification:  in.SellersItemID,
			StandardItemIdentification: in.StandardItemID,
			OriginCountry:              in.OriginCountry,
			CommodityClassification:    cloneSlice(in.Classifications),
			AdditionalItemProperty:     cloneSlice(in.Properties),
		},
		Price: Price{PriceAmount: amt(in.NetPrice)},
	}
	if line.ID == "" {
		line.ID = strconv.Itoa(i + 1)
	}
	if in.ObjectID != (Identifier{}) {
		line.DocumentReference = &DocumentReference{ID: in.ObjectID, DocumentTypeCode: "130"}
	}
	if in.Unit == "" {
		s.add(f+".Unit", "BT-130", "BR-23", "unit of measure code is missing")
	}
	if in.Name == "" {
		s.add(f+".Name", "BT-153", "BR-25", "item name is missing")
	}
	if in.NetPrice.Sign() < 0 {
		s.add(f+".NetPrice", "BT-146", "BR-27", "item net price must not be negative")
	}
	bq := NewDecimalFromInt(1)
	if !in.BaseQuantity.IsZero() {
		if in.BaseQuantity.Sign() < 0 {
			s.add(f+".BaseQuantity", "BT-149", "PEPPOL-EN16931-R121", "base quantity must be positive")
		} else {
			bq = in.BaseQuantity
		}
		line.Price.BaseQuantity = &Quantity{Value: in.BaseQuantity, Unit: in.Unit}
	}
	if !in.GrossPrice.IsZero() {
		disc := in.GrossPrice.Sub(in.NetPrice)
		if in.GrossPrice.Sign() < 0 || disc.Sign() < 0 {
			s.add(f+".GrossPrice", "BT-148", "BR-28", "gross price must not be negative or below the net price")
		}
		line.Price.AllowanceCharge = &AllowanceCharge{
			ChargeIndicator: false,
			Amount:          amt(disc),
			BaseAmount:      ptr(amt(in.GrossPrice)),
		}
	}
	gross, err := in.Quantity.Mul(in.NetPrice).Div(bq, 2)
	if err != nil {
		gross = Decimal{}
	}
	net := gross
	for j, ac := range in.AllowanceCharges {
		af := f + ".AllowanceCharges[" + strconv.Itoa(j) + "]"
		base := ac.BaseAmount
		if base.IsZero() {
			base = gross
		}
		x := s.allowanceCharge(ac, base, af, cur)
		if ac.Charge {
			net = net.Add(x.Amount.Value)
		} else {
			net = net.Sub(x.Amount.Value)
		}
		line.AllowanceCharge = append(line.AllowanceCharge, x)
	}
	line.LineExtensionAmount = amt(net.Round(2))
	return line
}

// allowanceCharge computes an allowance or charge from its input.
func (s *buildState) allowanceCharge(in AllowanceChargeInput, base Decimal, f, cur string) AllowanceCharge {
	amt := func(d Decimal) Amount { return Amount{Value: d, Currency: cur} }
	ac := AllowanceCharge{
		ChargeIndicator:           in.Charge,
		AllowanceChargeReasonCode: in.ReasonCode,
		AllowanceChargeReason:     in.Reason,
	}
	if in.ReasonCode == "" && in.Reason == "" {
		rule := "BR-33"
		if in.Charge {
			rule = "BR-38"
		}
		s.add(f+".Reason", "", rule, "an allowance or charge needs a reason or a reason code")
	}
	if !in.Percent.IsZero() {
		if !in.Amount.IsZero() {
			s.add(f+".Amount", "", "", "set Amount or Percent, not both")
		}
		base = s.amount(base, f+".BaseAmount", "")
		a := base.Mul(in.Percent).Mul(MustDecimal("0.01")).Round(2)
		ac.Amount = amt(a)
		ac.MultiplierFactorNumeric = ptr(in.Percent)
		ac.BaseAmount = ptr(amt(base))
		return ac
	}
	a := s.amount(in.Amount, f+".Amount", "")
	if a.Sign() < 0 {
		s.add(f+".Amount", "", "", "amount must not be negative; use an allowance instead of a negative charge or vice versa")
	}
	ac.Amount = amt(a)
	return ac
}

// checkVAT checks a VAT input and reports whether it can be grouped.
func (s *buildState) checkVAT(v VAT, f string) bool {
	switch v.Category {
	case VATStandard:
		if v.Rate.Sign() <= 0 {
			s.add(f+".Rate", "BT-152", "BR-S-05", "standard rated VAT needs a rate above zero")
		}
	case VATZero, VATExempt, VATReverseCharge, VATIntraCommunity, VATExport:
		if !v.Rate.IsZero() {
			s.add(f+".Rate", "BT-152", "", "VAT category %s has rate 0", v.Category)
		}
	case VATNotSubject:
		if !v.Rate.IsZero() {
			s.add(f+".Rate", "BT-152", "BR-O-05", "VAT category O has no rate")
		}
	case VATCanaryIslands, VATCeutaMelilla:
		if v.Rate.Sign() < 0 {
			s.add(f+".Rate", "BT-152", "", "VAT rate must not be negative")
		}
	case "":
		s.add(f+".Category", "BT-151", "BR-CO-04", "VAT category code is missing")
		return false
	default:
		s.add(f+".Category", "BT-151", "", "unknown VAT category code %q", v.Category)
		return false
	}
	if (v.Category == VATStandard || v.Category == VATZero) && (v.ExemptionReason != "" || v.ExemptionReasonCode != "") {
		s.add(f+".ExemptionReason", "BT-120", "BR-"+v.Category+"-10", "VAT category %s must not have an exemption reason", v.Category)
	}
	return true
}

// checkVATCombination checks the rules that depend on the VAT categories
// used together with the parties.
func (s *buildState) checkVATCombination(groups []*vatGroup) {
	b := s.b
	sellerVAT := vatID(&b.Seller) != ""
	sellerTaxReg := taxRegistration(&b.Seller)
	repVAT := b.TaxRepresentative != nil && vatID(b.TaxRepresentative) != ""
	buyerVAT := vatID(&b.Buyer) != ""
	buyerLegal := b.Buyer.PartyLegalEntity != nil && b.Buyer.PartyLegalEntity.CompanyID.Value != ""
	seen := map[string]bool{}
	for _, g := range groups {
		seen[g.key.category] = true
	}
	for cat := range seen {
		switch cat {
		case VATStandard, VATZero, VATExempt:
			if !sellerVAT && !sellerTaxReg && !repVAT {
				s.add("Seller.PartyTaxScheme", "BT-31", "BR-"+cat+"-02", "VAT category %s needs the seller VAT identifier or tax registration identifier", cat)
			}
		case VATReverseCharge:
			if !sellerVAT && !sellerTaxReg && !repVAT {
				s.add("Seller.PartyTaxScheme", "BT-31", "BR-AE-02", "reverse charge needs the seller VAT identifier")
			}
			if !buyerVAT && !buyerLegal {
				s.add("Buyer.PartyTaxScheme", "BT-48", "BR-AE-02", "reverse charge needs the buyer VAT identifier or legal registration identifier")
			}
		case VATIntraCommunity:
			if !sellerVAT && !repVAT {
				s.add("Seller.PartyTaxScheme", "BT-31", "BR-IC-02", "intra-community supply needs the seller VAT identifier")
			}
			if !buyerVAT {
				s.add("Buyer.PartyTaxScheme", "BT-48", "BR-IC-02", "intra-community supply needs the buyer VAT identifier")
			}
			d := b.Delivery
			if (d == nil || d.ActualDeliveryDate.IsZero()) && b.InvoicePeriod == nil {
				s.add("Delivery.ActualDeliveryDate", "BT-72", "BR-IC-11", "intra-community supply needs the delivery date or the invoicing period")
			}
			if d == nil || d.DeliveryLocation == nil || d.DeliveryLocation.Address == nil || d.DeliveryLocation.Address.Country == "" {
				s.add("Delivery.DeliveryLocation.Address.Country", "BT-80", "BR-IC-12", "intra-community supply needs the deliver-to country")
			}
		case VATExport, VATCanaryIslands, VATCeutaMelilla:
			if !sellerVAT && !repVAT {
				s.add("Seller.PartyTaxScheme", "BT-31", "BR-"+map[string]string{"G": "G", "L": "IG", "M": "IP"}[cat]+"-02", "VAT category %s needs the seller VAT identifier", cat)
			}
		case VATNotSubject:
			if len(seen) > 1 {
				s.add("Lines", "BT-151", "BR-O-11", "VAT category O cannot be combined with other VAT categories")
			}
			if sellerVAT || repVAT || buyerVAT {
				s.add("Seller.PartyTaxScheme", "BT-31", "BR-O-02", "VAT category O does not allow seller, buyer or tax representative VAT identifiers")
			}
		}
	}
	for _, g := range groups {
		if g.key.category == VATExempt && g.vat.ExemptionReasonCode == "" && g.vat.ExemptionReason == "" {
			s.add(g.firstField+".VAT.ExemptionReason", "BT-120", "BR-E-10", "VAT category E needs an exemption reason code or text")
		}
	}
}

// defaultExemptions are the VATEX codes and texts used for categories
// whose reason is implied by the category.
var defaultExemptions = map[string][2]string{
	VATReverseCharge:  {"VATEX-EU-AE", "Reverse charge"},
	VATIntraCommunity: {"VATEX-EU-IC", "Intra-Community supply"},
	VATExport:         {"VATEX-EU-G", "Export outside the EU"},
	VATNotSubject:     {"VATEX-EU-O", "Not subject to VAT"},
}

// taxCategory returns the UBL tax category for v; breakdown adds the
// exemption reason, which only the VAT breakdown carries.
func taxCategory(v VAT, breakdown bool) TaxCategory {
	tc := TaxCategory{ID: v.Category, TaxScheme: taxSchemeVAT}
	switch v.Category {
	case VATNotSubject:
	case VATZero, VATExempt, VATReverseCharge, VATIntraCommunity, VATExport:
		tc.Percent = ptr(Decimal{})
	default:
		tc.Percent = ptr(v.Rate)
	}
	if breakdown {
		tc.TaxExemptionReasonCode, tc.TaxExemptionReason = v.ExemptionReasonCode, v.ExemptionReason
		if d, ok := defaultExemptions[v.Category]; ok && tc.TaxExemptionReasonCode == "" && tc.TaxExemptionReason == "" {
			tc.TaxExemptionReasonCode, tc.TaxExemptionReason = d[0], d[1]
		}
	}
	return tc
}

// checkParty checks the mandatory parts of the seller or the buyer.
func (s *buildState) checkParty(f string, p *Party, seller bool) {
	terms := map[string][2]string{ // field -> seller term, buyer term
		"name":     {"BT-27", "BT-44"},
		"country":  {"BT-40", "BT-55"},
		"endpoint": {"BT-34", "BT-49"},
	}
	idx := 1
	if seller {
		idx = 0
	}
	if p.PartyLegalEntity == nil || p.PartyLegalEntity.RegistrationName == "" {
		s.add(f+".PartyLegalEntity.RegistrationName", terms["name"][idx], map[bool]string{true: "BR-06", false: "BR-07"}[seller], "legal registration name is missing")
	}
	if p.PostalAddress == nil || p.PostalAddress.Country == "" {
		s.add(f+".PostalAddress.Country", terms["country"][idx], map[bool]string{true: "BR-09", false: "BR-11"}[seller], "postal address with country code is missing")
	}
	if p.EndpointID.Value == "" || p.EndpointID.SchemeID == "" {
		s.add(f+".EndpointID", terms["endpoint"][idx], map[bool]string{true: "PEPPOL-EN16931-R020", false: "PEPPOL-EN16931-R010"}[seller], "electronic address with scheme identifier is missing")
	}
	type fieldID struct {
		field string
		id    Identifier
	}
	ids := []fieldID{{f + ".EndpointID", p.EndpointID}}
	for i, id := range p.PartyIdentification {
		ids = append(ids, fieldID{f + ".PartyIdentification[" + strconv.Itoa(i) + "]", id})
	}
	if p.PartyLegalEntity != nil {
		ids = append(ids, fieldID{f + ".PartyLegalEntity.CompanyID", p.PartyLegalEntity.CompanyID})
	}
	for _, x := range ids {
		if x.id.SchemeID == SchemeNorwegianOrgNumber {
			if _, err := NormalizeOrganizationNumber(x.id.Value); err != nil || strings.Contains(x.id.Value, " ") {
				s.add(x.field, "", "PEPPOL-COMMON-R041", "invalid Norwegian organisation number %q", clip(x.id.Value, 40))
			}
		}
	}
	if seller {
		legal := p.PartyLegalEntity != nil && p.PartyLegalEntity.CompanyID.Value != ""
		if len(p.PartyIdentification) == 0 && !legal && vatID(p) == "" {
			s.add(f+".PartyLegalEntity.CompanyID", "BT-30", "BR-CO-26", "the seller needs an identifier, a legal registration identifier or a VAT identifier")
		}
		for i, ts := range p.PartyTaxScheme {
			if ts.TaxScheme == taxSchemeVAT && strings.HasPrefix(ts.CompanyID, "NO") {
				n := strings.TrimSuffix(strings.TrimPrefix(ts.CompanyID, "NO"), "MVA")
				if !strings.HasSuffix(ts.CompanyID, "MVA") || len(n) != 9 {
					s.add(f+".PartyTaxScheme["+strconv.Itoa(i)+"].CompanyID", "BT-31", "NO-R-001", "a Norwegian VAT identifier is NO, the organisation number and MVA")
				} else if _, err := NormalizeOrganizationNumber(n); err != nil {
					s.add(f+".PartyTaxScheme["+strconv.Itoa(i)+"].CompanyID", "BT-31", "NO-R-001", "invalid organisation number in VAT identifier")
				}
			}
		}
	}
}

// vatID returns the party's VAT identifier, if any.
func vatID(p *Party) string {
	for _, ts := range p.PartyTaxScheme {
		if ts.TaxScheme == taxSchemeVAT {
			return ts.CompanyID
		}
	}
	return ""
}

// taxRegistration reports whether the party has a non-VAT tax
// registration identifier BT-32.
func taxRegistration(p *Party) bool {
	for _, ts := range p.PartyTaxScheme {
		if ts.TaxScheme != taxSchemeVAT && ts.CompanyID != "" {
			return true
		}
	}
	return false
}

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

func ptr[T any](v T) *T { return &v }

// cloneParty copies p so that the built document shares no memory with
// the Builder.
func cloneParty(p Party) Party {
	p.PartyIdentification = cloneSlice(p.PartyIdentification)
	p.PostalAddress = clonePtr(p.PostalAddress)
	p.PartyTaxScheme = cloneSlice(p.PartyTaxScheme)
	p.PartyLegalEntity = clonePtr(p.PartyLegalEntity)
	p.Contact = clonePtr(p.Contact)
	return p
}

func clonePartyPtr(p *Party) *Party {
	if p == nil {
		return nil
	}
	c := cloneParty(*p)
	return &c
}

func cloneDelivery(d *Delivery) *Delivery {
	if d == nil {
		return nil
	}
	c := *d
	if d.DeliveryLocation != nil {
		loc := *d.DeliveryLocation
		loc.Address = clonePtr(loc.Address)
		c.DeliveryLocation = &loc
	}
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneSlice[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append([]T(nil), s...)
}
