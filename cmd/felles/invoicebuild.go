package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fellesgo/felles/einvoice"
)

// invoiceDesc is the JSON description "felles invoice build" reads; the
// README documents it ("Building an invoice"). Parties are Norwegian
// organisations given by organisation number, or any party given by its
// electronic address and identifiers.
type invoiceDesc struct {
	Kind             string           `json:"kind"` // "invoice" (default) or "creditnote"
	ID               string           `json:"id"`
	IssueDate        string           `json:"issue_date"`
	DueDate          string           `json:"due_date"`
	TypeCode         string           `json:"type_code"`
	Currency         string           `json:"currency"`
	Note             string           `json:"note"`
	BuyerReference   string           `json:"buyer_reference"`
	OrderReference   string           `json:"order_reference"`
	ContractRef      string           `json:"contract_reference"`
	ProjectRef       string           `json:"project_reference"`
	AccountingCost   string           `json:"accounting_cost"`
	PrecedingInvoice string           `json:"preceding_invoice"`
	Preceding        []precedDesc     `json:"preceding_invoices"`
	InvoicePeriod    *periodDesc      `json:"invoice_period"`
	Delivery         *deliveryDesc    `json:"delivery"`
	Seller           partyDesc        `json:"seller"`
	Buyer            partyDesc        `json:"buyer"`
	Payment          *paymentDesc     `json:"payment"`
	PaymentTerms     string           `json:"payment_terms"`
	Lines            []lineDesc       `json:"lines"`
	AllowanceCharges []acDesc         `json:"allowances_charges"`
	Prepaid          einvoice.Decimal `json:"prepaid"`
	Rounding         einvoice.Decimal `json:"rounding"`
}

type precedDesc struct {
	ID        string `json:"id"`
	IssueDate string `json:"issue_date"`
}

type periodDesc struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type deliveryDesc struct {
	Date     string       `json:"date"`
	Name     string       `json:"name"`
	Location *idDesc      `json:"location"`
	Address  *addressDesc `json:"address"`
}

type partyDesc struct {
	// Norwegian organisations: the organisation number is enough for the
	// electronic address, legal identifier and VAT identifier.
	OrganizationNumber string `json:"organization_number"`
	VATRegistered      bool   `json:"vat_registered"`
	Foretaksregisteret bool   `json:"foretaksregisteret"`
	// Other parties.
	Endpoint *idDesc `json:"endpoint"`
	LegalID  *idDesc `json:"legal_id"`
	VATID    string  `json:"vat_id"`

	Name        string       `json:"name"`
	TradingName string       `json:"trading_name"`
	Address     addressDesc  `json:"address"`
	Contact     *contactDesc `json:"contact"`
}

type idDesc struct {
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
}

type addressDesc struct {
	Street     string `json:"street"`
	Additional string `json:"additional"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

type contactDesc struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

type paymentDesc struct {
	Account string `json:"account"` // Norwegian bank account (11 digits)
	KID     string `json:"kid"`
}

type vatDesc struct {
	Category        string           `json:"category"`
	Rate            einvoice.Decimal `json:"rate"`
	ExemptionCode   string           `json:"exemption_code"`
	ExemptionReason string           `json:"exemption_reason"`
}

type lineDesc struct {
	ID               string           `json:"id"`
	Name             string           `json:"name"`
	Description      string           `json:"description"`
	SellersItemID    string           `json:"sellers_item_id"`
	Quantity         einvoice.Decimal `json:"quantity"`
	Unit             string           `json:"unit"`
	Price            einvoice.Decimal `json:"price"`
	GrossPrice       einvoice.Decimal `json:"gross_price"`
	Period           *periodDesc      `json:"period"`
	BaseQuantity     einvoice.Decimal `json:"base_quantity"`
	VAT              vatDesc          `json:"vat"`
	AccountingCost   string           `json:"accounting_cost"`
	OrderLine        string           `json:"order_line"`
	AllowanceCharges []acDesc         `json:"allowances_charges"`
}

type acDesc struct {
	Charge     bool             `json:"charge"`
	Amount     einvoice.Decimal `json:"amount"`
	Percent    einvoice.Decimal `json:"percent"`
	BaseAmount einvoice.Decimal `json:"base_amount"`
	ReasonCode string           `json:"reason_code"`
	Reason     string           `json:"reason"`
	VAT        vatDesc          `json:"vat"`
}

const invoiceBuildHelp = `usage: felles invoice build [-o FILE] [-validate=false] [DESCRIPTION.json | -]

Build a Peppol BIS Billing 3.0 / EHF invoice or credit note from a JSON
description (standard input if no file or "-"; see the README, "Building an
invoice"), compute line amounts, VAT breakdown and totals, check the result
with the official rules, and write the UBL XML to standard output or FILE.

Flags:
`

func runInvoiceBuild(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("invoice build", stderr)
	out := fs.String("o", "", "write the XML to `FILE` instead of standard output")
	check := fs.Bool("validate", true, "validate the result with the default rules and refuse an invalid one")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), invoiceBuildHelp)
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) > 1 {
		fmt.Fprintln(stderr, "give at most one DESCRIPTION")
		return errUsage
	}
	const maxDescription = 16 << 20
	var data []byte
	if len(files) == 0 || files[0] == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, maxDescription+1))
	} else {
		data, err = os.ReadFile(files[0])
	}
	if err != nil {
		return &exitCodeError{exitUsage, err.Error()}
	}
	if len(data) > maxDescription {
		return &exitCodeError{exitUsage, "the description is over 16 MiB"}
	}
	doc, err := buildFromJSON(data)
	if err != nil {
		var se *descSyntaxError
		if errors.As(err, &se) {
			return &exitCodeError{exitUsage, err.Error()}
		}
		return err // well-formed but incomplete or inconsistent: exit 1
	}
	xml, err := doc.Marshal()
	if err != nil {
		return err
	}
	if *check {
		rep, err := einvoice.Validate(xml)
		if err != nil {
			return err
		}
		if !rep.Valid() {
			for _, f := range rep.Fatal() {
				fmt.Fprintln(stderr, " ", f)
			}
			// The builder computes amounts and structure; codes (units,
			// countries, currencies, scheme identifiers) are the
			// description's, and the rules check them.
			return errors.New("the invoice built from this description breaks the rules above")
		}
	}
	if *out != "" {
		// Invoices name people and bank accounts: readable by the owner only.
		return os.WriteFile(*out, xml, 0o600)
	}
	_, err = stdout.Write(xml)
	return err
}

// buildFromJSON reads a description strictly (unknown members are errors)
// and builds the document.
func buildFromJSON(data []byte) (*einvoice.Document, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d invoiceDesc
	if err := dec.Decode(&d); err != nil {
		return nil, &descSyntaxError{err}
	}
	if dec.More() {
		return nil, &descSyntaxError{errors.New("more than one JSON value")}
	}
	b := einvoice.Builder{
		ID: d.ID, TypeCode: d.TypeCode, Currency: d.Currency, Note: d.Note,
		BuyerReference: d.BuyerReference, OrderReference: d.OrderReference,
		ContractReference: d.ContractRef, ProjectReference: d.ProjectRef,
		AccountingCost: d.AccountingCost, PaymentTerms: d.PaymentTerms,
		PrepaidAmount: d.Prepaid, RoundingAmount: d.Rounding,
	}
	switch strings.ToLower(d.Kind) {
	case "", "invoice":
	case "creditnote", "credit_note", "credit-note":
		b.Kind = einvoice.KindCreditNote
	default:
		return nil, fmt.Errorf("kind %q: want invoice or creditnote", d.Kind)
	}
	var err error
	if b.IssueDate, err = optDate("issue_date", d.IssueDate); err != nil {
		return nil, err
	}
	if b.DueDate, err = optDate("due_date", d.DueDate); err != nil {
		return nil, err
	}
	if d.PrecedingInvoice != "" {
		b.PrecedingInvoices = []einvoice.DocumentReference{{ID: einvoice.Identifier{Value: d.PrecedingInvoice}}}
	}
	for i, p := range d.Preceding {
		date, err := optDate(fmt.Sprintf("preceding_invoices[%d].issue_date", i), p.IssueDate)
		if err != nil {
			return nil, err
		}
		b.PrecedingInvoices = append(b.PrecedingInvoices, einvoice.DocumentReference{ID: einvoice.Identifier{Value: p.ID}, IssueDate: date})
	}
	if b.InvoicePeriod, err = d.InvoicePeriod.period("invoice_period"); err != nil {
		return nil, err
	}
	if d.Delivery != nil {
		date, err := optDate("delivery.date", d.Delivery.Date)
		if err != nil {
			return nil, err
		}
		b.Delivery = &einvoice.Delivery{ActualDeliveryDate: date, DeliveryParty: d.Delivery.Name}
		if d.Delivery.Location != nil || d.Delivery.Address != nil {
			loc := &einvoice.Location{}
			if d.Delivery.Location != nil {
				loc.ID = einvoice.Identifier{Value: d.Delivery.Location.ID, SchemeID: d.Delivery.Location.Scheme}
			}
			if a := d.Delivery.Address; a != nil {
				loc.Address = a.address()
			}
			b.Delivery.DeliveryLocation = loc
		}
	}
	if b.Seller, err = d.Seller.party("seller", true); err != nil {
		return nil, err
	}
	if b.Buyer, err = d.Buyer.party("buyer", false); err != nil {
		return nil, err
	}
	if d.Payment != nil {
		pm, err := einvoice.NorwegianCreditTransfer(d.Payment.Account, d.Payment.KID)
		if err != nil {
			return nil, err
		}
		b.PaymentMeans = []einvoice.PaymentMeans{pm}
	}
	for _, l := range d.Lines {
		period, err := l.Period.period("lines[].period")
		if err != nil {
			return nil, err
		}
		li := einvoice.LineInput{
			GrossPrice: l.GrossPrice, Period: period,
			ID: l.ID, Name: l.Name, Description: l.Description, SellersItemID: l.SellersItemID,
			Quantity: l.Quantity, Unit: l.Unit, NetPrice: l.Price, BaseQuantity: l.BaseQuantity,
			VAT: l.VAT.vat(), AccountingCost: l.AccountingCost, OrderLineReference: l.OrderLine,
		}
		for _, ac := range l.AllowanceCharges {
			li.AllowanceCharges = append(li.AllowanceCharges, ac.input())
		}
		b.Lines = append(b.Lines, li)
	}
	for _, ac := range d.AllowanceCharges {
		b.AllowanceCharges = append(b.AllowanceCharges, ac.input())
	}
	return b.Build()
}

// descSyntaxError is a description that is not the JSON the README
// documents (exit status 2).
type descSyntaxError struct{ err error }

func (e *descSyntaxError) Error() string { return "reading the description: " + e.err.Error() }
func (e *descSyntaxError) Unwrap() error { return e.err }

func optDate(name, s string) (einvoice.Date, error) {
	if s == "" {
		return einvoice.Date{}, nil
	}
	d, err := einvoice.ParseDate(s)
	if err != nil {
		return einvoice.Date{}, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

func (p *periodDesc) period(name string) (*einvoice.Period, error) {
	if p == nil {
		return nil, nil
	}
	start, err := optDate(name+".start", p.Start)
	if err != nil {
		return nil, err
	}
	end, err := optDate(name+".end", p.End)
	if err != nil {
		return nil, err
	}
	return &einvoice.Period{StartDate: start, EndDate: end}, nil
}

func (a addressDesc) address() *einvoice.Address {
	return &einvoice.Address{StreetName: a.Street, AdditionalStreetName: a.Additional,
		CityName: a.City, PostalZone: a.PostalCode, Country: a.Country}
}

func (v vatDesc) vat() einvoice.VAT {
	return einvoice.VAT{Category: v.Category, Rate: v.Rate, ExemptionReasonCode: v.ExemptionCode, ExemptionReason: v.ExemptionReason}
}

func (a acDesc) input() einvoice.AllowanceChargeInput {
	return einvoice.AllowanceChargeInput{
		Charge: a.Charge, Amount: a.Amount, Percent: a.Percent, BaseAmount: a.BaseAmount,
		ReasonCode: a.ReasonCode, Reason: a.Reason, VAT: a.VAT.vat(),
	}
}

func (p partyDesc) party(role string, seller bool) (einvoice.Party, error) {
	addr := *p.Address.address()
	var contact *einvoice.Contact
	if p.Contact != nil {
		contact = &einvoice.Contact{Name: p.Contact.Name, Telephone: p.Contact.Phone, ElectronicMail: p.Contact.Email}
	}
	if p.OrganizationNumber != "" {
		if p.Endpoint != nil || p.LegalID != nil || p.VATID != "" {
			return einvoice.Party{}, fmt.Errorf("%s: give organization_number or endpoint/legal_id/vat_id, not both", role)
		}
		np := einvoice.NorwegianParty{OrganizationNumber: p.OrganizationNumber, Name: p.Name, TradingName: p.TradingName,
			Address: addr, Contact: contact, VATRegistered: p.VATRegistered, Foretaksregisteret: p.Foretaksregisteret}
		var pt einvoice.Party
		var err error
		if seller {
			pt, err = einvoice.NorwegianSeller(np)
		} else {
			pt, err = einvoice.NorwegianBuyer(np)
		}
		if err != nil {
			return einvoice.Party{}, fmt.Errorf("%s: %w", role, err)
		}
		return pt, nil
	}
	if p.VATRegistered || p.Foretaksregisteret {
		return einvoice.Party{}, fmt.Errorf("%s: vat_registered and foretaksregisteret go with organization_number; for another party give vat_id", role)
	}
	pt := einvoice.Party{PartyName: p.TradingName, PostalAddress: &addr, Contact: contact,
		PartyLegalEntity: &einvoice.PartyLegalEntity{RegistrationName: p.Name}}
	if p.Endpoint != nil {
		pt.EndpointID = einvoice.Identifier{Value: p.Endpoint.ID, SchemeID: p.Endpoint.Scheme}
	}
	if p.LegalID != nil {
		pt.PartyLegalEntity.CompanyID = einvoice.Identifier{Value: p.LegalID.ID, SchemeID: p.LegalID.Scheme}
	}
	if p.VATID != "" {
		pt.PartyTaxScheme = append(pt.PartyTaxScheme, einvoice.PartyTaxScheme{CompanyID: p.VATID, TaxScheme: "VAT"})
	}
	return pt, nil
}
