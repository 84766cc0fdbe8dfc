package einvoice

import (
	"fmt"
	"github.com/fellesgo/felles/internal/redact"
	"strconv"
	"strings"
	"time"
)

// This file holds the typed model of a PEPPOL BIS Billing 3.0 (EHF Billing
// 3.0) document in its UBL 2.1 syntax.
//
// Design: one [Document] type serves both the UBL Invoice and the UBL
// CreditNote. The two syntaxes carry the same business terms and differ
// only in a few element names (InvoiceTypeCode/CreditNoteTypeCode,
// InvoiceLine/CreditNoteLine, InvoicedQuantity/CreditedQuantity), in where
// the payment due date BT-9 lives (cbc:DueDate on an invoice,
// cac:PaymentMeans/cbc:PaymentDueDate on a credit note), in ProjectReference
// (invoice only) and in the element order the two XSDs prescribe.
// [Document.Kind] selects the syntax; the neutral field names
// ([Document.TypeCode], [Document.Lines], [Line.Quantity]) map to the
// kind's element names when reading and writing. Code that handles both
// kinds therefore needs no type switch.
//
// Fields are named after the UBL elements and carry their EN 16931
// business term (BT-n) or business group (BG-n) in the doc comment. Where a
// UBL aggregate only wraps one value in PEPPOL BIS (for example
// cac:Country/cbc:IdentificationCode), the wrapper is flattened into one
// field and the doc comment gives the UBL path. Optional aggregates and
// optional numbers are pointers (nil means absent); mandatory ones are
// values and are always written. Empty strings and zero [Date] and
// [Identifier] values mean absent.
//
// The struct tags (`ubl:"…"`, `cn:"…"`) drive the XML codec in xml.go and
// are not meant for other encoders.

// Kind says whether a [Document] is a UBL Invoice or a UBL CreditNote.
type Kind int

const (
	// KindInvoice is a UBL 2.1 Invoice (root element Invoice in namespace
	// urn:oasis:names:specification:ubl:schema:xsd:Invoice-2). It is the
	// zero value.
	KindInvoice Kind = iota
	// KindCreditNote is a UBL 2.1 CreditNote (root element CreditNote in
	// namespace urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2).
	KindCreditNote
)

// String returns "Invoice" or "CreditNote".
func (k Kind) String() string {
	switch k {
	case KindInvoice:
		return "Invoice"
	case KindCreditNote:
		return "CreditNote"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Document is a PEPPOL BIS Billing 3.0 invoice or credit note (EN 16931
// in the UBL 2.1 syntax). See
// https://docs.peppol.eu/poacc/billing/3.0/syntax/ubl-invoice/tree/ and
// https://docs.peppol.eu/poacc/billing/3.0/syntax/ubl-creditnote/tree/.
//
// Read one with [Parse], write one with [Document.Marshal] or
// [Document.WriteTo], and build a valid one with [Builder].
type Document struct {
	// Kind selects Invoice or CreditNote syntax.
	Kind Kind `ubl:"-"`

	// CustomizationID is the specification identifier BT-24
	// (cbc:CustomizationID).
	CustomizationID string `ubl:"cbc:CustomizationID"`
	// ProfileID is the business process type BT-23 (cbc:ProfileID).
	ProfileID string `ubl:"cbc:ProfileID"`
	// ID is the invoice number BT-1 (cbc:ID).
	ID string `ubl:"cbc:ID"`
	// IssueDate is the invoice issue date BT-2 (cbc:IssueDate).
	IssueDate Date `ubl:"cbc:IssueDate"`
	// DueDate is the payment due date BT-9 of an invoice (cbc:DueDate).
	// A credit note carries BT-9 in [PaymentMeans.PaymentDueDate] instead;
	// marshalling a credit note with DueDate set is an error.
	DueDate Date `ubl:"cbc:DueDate" cn:"-"`
	// TypeCode is the invoice type code BT-3 (cbc:InvoiceTypeCode, or
	// cbc:CreditNoteTypeCode in a credit note), from UNTDID 1001: 380
	// commercial invoice, 381 credit note, …
	TypeCode string `ubl:"cbc:InvoiceTypeCode" cn:"cbc:CreditNoteTypeCode"`
	// Note is the invoice note BT-22 of group BG-1 (cbc:Note).
	Note string `ubl:"cbc:Note"`
	// TaxPointDate is the value added tax point date BT-7
	// (cbc:TaxPointDate).
	TaxPointDate Date `ubl:"cbc:TaxPointDate"`
	// DocumentCurrencyCode is the invoice currency code BT-5
	// (cbc:DocumentCurrencyCode), ISO 4217.
	DocumentCurrencyCode string `ubl:"cbc:DocumentCurrencyCode"`
	// TaxCurrencyCode is the VAT accounting currency code BT-6
	// (cbc:TaxCurrencyCode).
	TaxCurrencyCode string `ubl:"cbc:TaxCurrencyCode"`
	// AccountingCost is the buyer accounting reference BT-19
	// (cbc:AccountingCost).
	AccountingCost string `ubl:"cbc:AccountingCost"`
	// BuyerReference is the buyer reference BT-10 (cbc:BuyerReference).
	BuyerReference string `ubl:"cbc:BuyerReference"`
	// InvoicePeriod is the invoicing period BG-14 (cac:InvoicePeriod).
	InvoicePeriod *Period `ubl:"cac:InvoicePeriod"`
	// OrderReference holds the purchase order reference BT-13 and the
	// sales order reference BT-14 (cac:OrderReference).
	OrderReference *OrderReference `ubl:"cac:OrderReference"`
	// BillingReference is the preceding invoice reference group BG-3
	// (cac:BillingReference/cac:InvoiceDocumentReference): ID BT-25 and
	// IssueDate BT-26.
	BillingReference []DocumentReference `ubl:"cac:BillingReference/cac:InvoiceDocumentReference"`
	// DespatchDocumentReference is the despatch advice reference BT-16
	// (cac:DespatchDocumentReference/cbc:ID).
	DespatchDocumentReference string `ubl:"cac:DespatchDocumentReference/cbc:ID"`
	// ReceiptDocumentReference is the receiving advice reference BT-15
	// (cac:ReceiptDocumentReference/cbc:ID).
	ReceiptDocumentReference string `ubl:"cac:ReceiptDocumentReference/cbc:ID"`
	// OriginatorDocumentReference is the tender or lot reference BT-17
	// (cac:OriginatorDocumentReference/cbc:ID).
	OriginatorDocumentReference string `ubl:"cac:OriginatorDocumentReference/cbc:ID"`
	// ContractDocumentReference is the contract reference BT-12
	// (cac:ContractDocumentReference/cbc:ID).
	ContractDocumentReference string `ubl:"cac:ContractDocumentReference/cbc:ID"`
	// AdditionalDocumentReference is the additional supporting documents
	// group BG-24 (cac:AdditionalDocumentReference); with DocumentTypeCode
	// 130 its ID is the invoiced object identifier BT-18, and in a credit
	// note DocumentTypeCode 50 carries the project reference BT-11.
	AdditionalDocumentReference []DocumentReference `ubl:"cac:AdditionalDocumentReference"`
	// ProjectReference is the project reference BT-11 of an invoice
	// (cac:ProjectReference/cbc:ID). Not allowed in a credit note.
	ProjectReference string `ubl:"cac:ProjectReference/cbc:ID" cn:"-"`
	// AccountingSupplierParty is the seller BG-4
	// (cac:AccountingSupplierParty/cac:Party).
	AccountingSupplierParty Party `ubl:"cac:AccountingSupplierParty/cac:Party"`
	// AccountingCustomerParty is the buyer BG-7
	// (cac:AccountingCustomerParty/cac:Party).
	AccountingCustomerParty Party `ubl:"cac:AccountingCustomerParty/cac:Party"`
	// PayeeParty is the payee BG-10 (cac:PayeeParty): PartyName BT-59,
	// PartyIdentification BT-60, PartyLegalEntity.CompanyID BT-61.
	PayeeParty *Party `ubl:"cac:PayeeParty"`
	// TaxRepresentativeParty is the seller tax representative party BG-11
	// (cac:TaxRepresentativeParty): PartyName BT-62, PostalAddress BG-12,
	// PartyTaxScheme BT-63.
	TaxRepresentativeParty *Party `ubl:"cac:TaxRepresentativeParty"`
	// Delivery is the delivery information group BG-13 (cac:Delivery).
	Delivery *Delivery `ubl:"cac:Delivery"`
	// PaymentMeans is the payment instructions group BG-16
	// (cac:PaymentMeans).
	PaymentMeans []PaymentMeans `ubl:"cac:PaymentMeans"`
	// PaymentTerms is the payment terms BT-20
	// (cac:PaymentTerms/cbc:Note).
	PaymentTerms string `ubl:"cac:PaymentTerms/cbc:Note"`
	// AllowanceCharge holds the document level allowances BG-20 and
	// charges BG-21 (cac:AllowanceCharge).
	AllowanceCharge []AllowanceCharge `ubl:"cac:AllowanceCharge"`
	// TaxTotal holds the VAT totals (cac:TaxTotal): the one in the
	// document currency carries BT-110 and the VAT breakdown BG-23; an
	// optional second one in the VAT accounting currency carries BT-111.
	TaxTotal []TaxTotal `ubl:"cac:TaxTotal"`
	// LegalMonetaryTotal is the document totals group BG-22
	// (cac:LegalMonetaryTotal).
	LegalMonetaryTotal MonetaryTotal `ubl:"cac:LegalMonetaryTotal"`
	// Lines are the invoice lines BG-25 (cac:InvoiceLine, or
	// cac:CreditNoteLine in a credit note).
	Lines []Line `ubl:"cac:InvoiceLine" cn:"cac:CreditNoteLine"`

	// Unmapped lists, for a document read by [Parse], every element and
	// attribute of the input that this model does not carry and that
	// [Document.Marshal] will therefore not write, as a path such as
	// "/Invoice/cac:InvoiceLine[2]/cac:Item/cbc:PackQuantity" or
	// "/Invoice/cbc:UBLVersionID". It is empty for every official PEPPOL
	// BIS 3 example. Parse does not fail on such content, because UBL
	// allows much more than PEPPOL BIS uses, but a caller that must not
	// drop data should check it. Marshal ignores this field.
	Unmapped []string `ubl:"-"`
}

// Party is a UBL cac:Party as PEPPOL BIS uses it for the seller BG-4, the
// buyer BG-7, the payee BG-10 and the tax representative BG-11. The BT
// numbers below are the seller's; the buyer's, payee's and tax
// representative's equivalents are listed with each field.
type Party struct {
	// EndpointID is the seller electronic address BT-34 (buyer BT-49)
	// with its scheme identifier, an ISO 6523 ICD such as 0192 for a
	// Norwegian organisation number (cbc:EndpointID/@schemeID).
	EndpointID Identifier `ubl:"cbc:EndpointID"`
	// PartyIdentification holds the seller identifier BT-29 (buyer BT-46,
	// payee BT-60), or a bank assigned creditor identifier with scheme
	// "SEPA" (cac:PartyIdentification/cbc:ID).
	PartyIdentification []Identifier `ubl:"cac:PartyIdentification/cbc:ID"`
	// PartyName is the seller trading name BT-28 (buyer BT-45, payee name
	// BT-59, tax representative name BT-62) (cac:PartyName/cbc:Name).
	PartyName string `ubl:"cac:PartyName/cbc:Name"`
	// PostalAddress is the seller postal address BG-5 (buyer BG-8, tax
	// representative BG-12) (cac:PostalAddress).
	PostalAddress *Address `ubl:"cac:PostalAddress"`
	// PartyTaxScheme holds the seller VAT identifier BT-31 (TaxScheme
	// "VAT"; buyer BT-48, tax representative BT-63) and the seller tax
	// registration identifier BT-32 (any other TaxScheme, in Norway
	// "Foretaksregisteret" with TaxScheme "TAX") (cac:PartyTaxScheme).
	PartyTaxScheme []PartyTaxScheme `ubl:"cac:PartyTaxScheme"`
	// PartyLegalEntity holds the seller legal registration name BT-27
	// (buyer BT-44), legal registration identifier BT-30 (buyer BT-47,
	// payee BT-61) and additional legal information BT-33
	// (cac:PartyLegalEntity).
	PartyLegalEntity *PartyLegalEntity `ubl:"cac:PartyLegalEntity"`
	// Contact is the seller contact BG-6 (buyer BG-9) (cac:Contact).
	Contact *Contact `ubl:"cac:Contact"`
}

// Address is a UBL postal address (cac:PostalAddress, cac:Address): the
// seller BG-5, buyer BG-8, tax representative BG-12 and deliver-to BG-15
// addresses. The BT numbers are the seller's.
type Address struct {
	// StreetName is address line 1, BT-35 (cbc:StreetName).
	StreetName string `ubl:"cbc:StreetName"`
	// AdditionalStreetName is address line 2, BT-36
	// (cbc:AdditionalStreetName).
	AdditionalStreetName string `ubl:"cbc:AdditionalStreetName"`
	// CityName is the city BT-37 (cbc:CityName).
	CityName string `ubl:"cbc:CityName"`
	// PostalZone is the post code BT-38 (cbc:PostalZone).
	PostalZone string `ubl:"cbc:PostalZone"`
	// CountrySubentity is the country subdivision BT-39
	// (cbc:CountrySubentity).
	CountrySubentity string `ubl:"cbc:CountrySubentity"`
	// AddressLine is address line 3, BT-162 (cac:AddressLine/cbc:Line).
	AddressLine string `ubl:"cac:AddressLine/cbc:Line"`
	// Country is the ISO 3166-1 alpha-2 country code BT-40
	// (cac:Country/cbc:IdentificationCode).
	Country string `ubl:"cac:Country/cbc:IdentificationCode"`
}

// PartyTaxScheme is a tax registration of a party (cac:PartyTaxScheme).
type PartyTaxScheme struct {
	// CompanyID is the VAT identifier BT-31/BT-48/BT-63, or the tax
	// registration identifier BT-32 (cbc:CompanyID).
	CompanyID string `ubl:"cbc:CompanyID"`
	// TaxScheme is "VAT" for a VAT identifier, otherwise for example "TAX"
	// (cac:TaxScheme/cbc:ID).
	TaxScheme string `ubl:"cac:TaxScheme/cbc:ID"`
}

// PartyLegalEntity is the legal registration of a party
// (cac:PartyLegalEntity).
type PartyLegalEntity struct {
	// RegistrationName is the legal registration name BT-27/BT-44
	// (cbc:RegistrationName).
	RegistrationName string `ubl:"cbc:RegistrationName"`
	// CompanyID is the legal registration identifier BT-30/BT-47/BT-61
	// with its ICD scheme (cbc:CompanyID/@schemeID).
	CompanyID Identifier `ubl:"cbc:CompanyID"`
	// CompanyLegalForm is the seller additional legal information BT-33
	// (cbc:CompanyLegalForm).
	CompanyLegalForm string `ubl:"cbc:CompanyLegalForm"`
}

// Contact is a contact point, seller BG-6 or buyer BG-9 (cac:Contact).
type Contact struct {
	// Name is the contact point BT-41/BT-56 (cbc:Name).
	Name string `ubl:"cbc:Name"`
	// Telephone is the contact telephone number BT-42/BT-57
	// (cbc:Telephone).
	Telephone string `ubl:"cbc:Telephone"`
	// ElectronicMail is the contact email address BT-43/BT-58
	// (cbc:ElectronicMail).
	ElectronicMail string `ubl:"cbc:ElectronicMail"`
}

// Period is a period with start and end date: the invoicing period BG-14
// and the invoice line period BG-26 (cac:InvoicePeriod).
type Period struct {
	// StartDate is the period start date BT-73/BT-134 (cbc:StartDate).
	StartDate Date `ubl:"cbc:StartDate"`
	// EndDate is the period end date BT-74/BT-135 (cbc:EndDate).
	EndDate Date `ubl:"cbc:EndDate"`
	// DescriptionCode is the value added tax point date code BT-8
	// (cbc:DescriptionCode), UNTDID 2005: 3, 35 or 432. Document level
	// only.
	DescriptionCode string `ubl:"cbc:DescriptionCode"`
}

// OrderReference is the order reference (cac:OrderReference).
type OrderReference struct {
	// ID is the purchase order reference BT-13 (cbc:ID).
	ID string `ubl:"cbc:ID"`
	// SalesOrderID is the sales order reference BT-14 (cbc:SalesOrderID).
	SalesOrderID string `ubl:"cbc:SalesOrderID"`
}

// DocumentReference is a UBL document reference, used for preceding
// invoices BG-3 (cac:InvoiceDocumentReference), additional supporting
// documents BG-24 (cac:AdditionalDocumentReference) and the invoice line
// object identifier BT-128 (cac:DocumentReference).
type DocumentReference struct {
	// ID is the referenced document's identifier: preceding invoice
	// reference BT-25, supporting document reference BT-122, invoiced
	// object identifier BT-18 or BT-128 with its scheme (cbc:ID).
	ID Identifier `ubl:"cbc:ID"`
	// IssueDate is the preceding invoice issue date BT-26 (cbc:IssueDate).
	IssueDate Date `ubl:"cbc:IssueDate"`
	// DocumentTypeCode is UNTDID 1001 code 130 for an invoiced object
	// identifier BT-18/BT-128, or 50 for a credit note's project
	// reference BT-11 (cbc:DocumentTypeCode).
	DocumentTypeCode string `ubl:"cbc:DocumentTypeCode"`
	// DocumentDescription is the supporting document description BT-123
	// (cbc:DocumentDescription).
	DocumentDescription string `ubl:"cbc:DocumentDescription"`
	// Attachment holds the attached document BT-125 or its external
	// location BT-124 (cac:Attachment).
	Attachment *Attachment `ubl:"cac:Attachment"`
}

// Attachment is a supporting document, embedded or by reference
// (cac:Attachment).
type Attachment struct {
	// EmbeddedDocumentBinaryObject is the attached document BT-125 with
	// its MIME code and filename (cbc:EmbeddedDocumentBinaryObject).
	EmbeddedDocumentBinaryObject *BinaryObject `ubl:"cbc:EmbeddedDocumentBinaryObject"`
	// ExternalReference is the external document location BT-124
	// (cac:ExternalReference/cbc:URI).
	ExternalReference string `ubl:"cac:ExternalReference/cbc:URI"`
}

// Delivery is the delivery information group BG-13 (cac:Delivery).
type Delivery struct {
	// ActualDeliveryDate is the actual delivery date BT-72
	// (cbc:ActualDeliveryDate).
	ActualDeliveryDate Date `ubl:"cbc:ActualDeliveryDate"`
	// DeliveryLocation holds the deliver-to location identifier BT-71 and
	// the deliver-to address BG-15 (cac:DeliveryLocation).
	DeliveryLocation *Location `ubl:"cac:DeliveryLocation"`
	// DeliveryParty is the deliver-to party name BT-70
	// (cac:DeliveryParty/cac:PartyName/cbc:Name).
	DeliveryParty string `ubl:"cac:DeliveryParty/cac:PartyName/cbc:Name"`
}

// Location is a delivery location (cac:DeliveryLocation).
type Location struct {
	// ID is the deliver-to location identifier BT-71 (cbc:ID/@schemeID).
	ID Identifier `ubl:"cbc:ID"`
	// Address is the deliver-to address BG-15 (cac:Address).
	Address *Address `ubl:"cac:Address"`
}

// PaymentMeans is the payment instructions group BG-16 (cac:PaymentMeans).
type PaymentMeans struct {
	// PaymentMeansCode is the payment means type code BT-81 (UNCL 4461:
	// 30 credit transfer, 58 SEPA credit transfer, 49/59 direct debit, 48
	// card, …) with the payment means text BT-82 in its Name
	// (cbc:PaymentMeansCode/@name).
	PaymentMeansCode Code `ubl:"cbc:PaymentMeansCode"`
	// PaymentDueDate is the payment due date BT-9 of a credit note
	// (cbc:PaymentDueDate). An invoice carries BT-9 in
	// [Document.DueDate].
	PaymentDueDate Date `ubl:"cbc:PaymentDueDate"`
	// PaymentID is the remittance information BT-83, in Norway usually a
	// KID number (cbc:PaymentID).
	PaymentID string `ubl:"cbc:PaymentID"`
	// CardAccount is the payment card information BG-18 (cac:CardAccount).
	CardAccount *CardAccount `ubl:"cac:CardAccount"`
	// PayeeFinancialAccount is the credit transfer group BG-17
	// (cac:PayeeFinancialAccount).
	PayeeFinancialAccount *FinancialAccount `ubl:"cac:PayeeFinancialAccount"`
	// PaymentMandate is the direct debit group BG-19
	// (cac:PaymentMandate).
	PaymentMandate *PaymentMandate `ubl:"cac:PaymentMandate"`
}

// CardAccount is the payment card information BG-18 (cac:CardAccount).
type CardAccount struct {
	// PrimaryAccountNumberID is the payment card primary account number
	// BT-87; only the last 4 to 6 digits may be given
	// (cbc:PrimaryAccountNumberID).
	PrimaryAccountNumberID string `ubl:"cbc:PrimaryAccountNumberID"`
	// NetworkID is the card network, such as VISA (cbc:NetworkID).
	NetworkID string `ubl:"cbc:NetworkID"`
	// HolderName is the payment card holder name BT-88 (cbc:HolderName).
	HolderName string `ubl:"cbc:HolderName"`
}

// FinancialAccount is the payee's account for a credit transfer BG-17
// (cac:PayeeFinancialAccount).
type FinancialAccount struct {
	// ID is the payment account identifier BT-84: an IBAN, or in Norway
	// an 11-digit BBAN (cbc:ID).
	ID string `ubl:"cbc:ID"`
	// Name is the payment account name BT-85 (cbc:Name).
	Name string `ubl:"cbc:Name"`
	// FinancialInstitutionBranch is the payment service provider
	// identifier BT-86, a BIC (cac:FinancialInstitutionBranch/cbc:ID).
	FinancialInstitutionBranch string `ubl:"cac:FinancialInstitutionBranch/cbc:ID"`
}

// PaymentMandate is the direct debit group BG-19 (cac:PaymentMandate).
type PaymentMandate struct {
	// ID is the mandate reference identifier BT-89 (cbc:ID).
	ID string `ubl:"cbc:ID"`
	// PayerFinancialAccount is the debited account identifier BT-91
	// (cac:PayerFinancialAccount/cbc:ID).
	PayerFinancialAccount string `ubl:"cac:PayerFinancialAccount/cbc:ID"`
}

// AllowanceCharge is an allowance or a charge (cac:AllowanceCharge): at
// document level BG-20/BG-21, at line level BG-27/BG-28, or as the price
// discount of an item price (BT-147/BT-148). The BT numbers below are the
// document level allowance's.
type AllowanceCharge struct {
	// ChargeIndicator is true for a charge and false for an allowance
	// (cbc:ChargeIndicator). Parse accepts the xs:boolean forms true,
	// false, 1 and 0; Marshal writes true or false.
	ChargeIndicator bool `ubl:"cbc:ChargeIndicator"`
	// AllowanceChargeReasonCode is the reason code BT-98/BT-105/BT-140/
	// BT-145 (cbc:AllowanceChargeReasonCode), UNTDID 5189 for allowances
	// and UNTDID 7161 for charges.
	AllowanceChargeReasonCode string `ubl:"cbc:AllowanceChargeReasonCode"`
	// AllowanceChargeReason is the reason text BT-97/BT-104/BT-139/BT-144
	// (cbc:AllowanceChargeReason).
	AllowanceChargeReason string `ubl:"cbc:AllowanceChargeReason"`
	// MultiplierFactorNumeric is the percentage BT-94/BT-101/BT-138/
	// BT-143, as a number such as 20 for 20 %
	// (cbc:MultiplierFactorNumeric).
	MultiplierFactorNumeric *Decimal `ubl:"cbc:MultiplierFactorNumeric"`
	// Amount is the amount BT-92/BT-99/BT-136/BT-141, or the item price
	// discount BT-147 (cbc:Amount).
	Amount Amount `ubl:"cbc:Amount"`
	// BaseAmount is the base amount BT-93/BT-100/BT-137/BT-142, or the
	// item gross price BT-148 (cbc:BaseAmount).
	BaseAmount *Amount `ubl:"cbc:BaseAmount"`
	// TaxCategory is the VAT category BT-95/BT-102 and rate BT-96/BT-103
	// of a document level allowance or charge (cac:TaxCategory).
	TaxCategory *TaxCategory `ubl:"cac:TaxCategory"`
}

// TaxCategory is a VAT category with its rate (cac:TaxCategory,
// cac:ClassifiedTaxCategory).
type TaxCategory struct {
	// ID is the VAT category code (UNCL 5305 subset: S, Z, E, AE, K, G,
	// O, L, M): BT-95, BT-102, BT-118 or BT-151 (cbc:ID).
	ID string `ubl:"cbc:ID"`
	// Percent is the VAT rate BT-96, BT-103, BT-119 or BT-152; nil for
	// category O (cbc:Percent).
	Percent *Decimal `ubl:"cbc:Percent"`
	// TaxExemptionReasonCode is the VAT exemption reason code BT-121
	// (cbc:TaxExemptionReasonCode), VATEX code list. VAT breakdown only.
	TaxExemptionReasonCode string `ubl:"cbc:TaxExemptionReasonCode"`
	// TaxExemptionReason is the VAT exemption reason text BT-120
	// (cbc:TaxExemptionReason). VAT breakdown only.
	TaxExemptionReason string `ubl:"cbc:TaxExemptionReason"`
	// TaxScheme is "VAT" (cac:TaxScheme/cbc:ID).
	TaxScheme string `ubl:"cac:TaxScheme/cbc:ID"`
}

// TaxTotal is a VAT total (cac:TaxTotal).
type TaxTotal struct {
	// TaxAmount is the invoice total VAT amount BT-110, or in the VAT
	// accounting currency BT-111 (cbc:TaxAmount).
	TaxAmount Amount `ubl:"cbc:TaxAmount"`
	// TaxSubtotal is the VAT breakdown BG-23, one per VAT category and
	// rate (cac:TaxSubtotal).
	TaxSubtotal []TaxSubtotal `ubl:"cac:TaxSubtotal"`
}

// TaxSubtotal is one VAT breakdown entry BG-23 (cac:TaxSubtotal).
type TaxSubtotal struct {
	// TaxableAmount is the VAT category taxable amount BT-116
	// (cbc:TaxableAmount).
	TaxableAmount Amount `ubl:"cbc:TaxableAmount"`
	// TaxAmount is the VAT category tax amount BT-117 (cbc:TaxAmount).
	TaxAmount Amount `ubl:"cbc:TaxAmount"`
	// TaxCategory holds the VAT category code BT-118, rate BT-119 and
	// exemption reason BT-120/BT-121 (cac:TaxCategory).
	TaxCategory TaxCategory `ubl:"cac:TaxCategory"`
}

// MonetaryTotal is the document totals group BG-22
// (cac:LegalMonetaryTotal).
type MonetaryTotal struct {
	// LineExtensionAmount is the sum of invoice line net amounts BT-106
	// (cbc:LineExtensionAmount).
	LineExtensionAmount Amount `ubl:"cbc:LineExtensionAmount"`
	// TaxExclusiveAmount is the invoice total amount without VAT BT-109
	// (cbc:TaxExclusiveAmount).
	TaxExclusiveAmount Amount `ubl:"cbc:TaxExclusiveAmount"`
	// TaxInclusiveAmount is the invoice total amount with VAT BT-112
	// (cbc:TaxInclusiveAmount).
	TaxInclusiveAmount Amount `ubl:"cbc:TaxInclusiveAmount"`
	// AllowanceTotalAmount is the sum of allowances on document level
	// BT-107 (cbc:AllowanceTotalAmount).
	AllowanceTotalAmount *Amount `ubl:"cbc:AllowanceTotalAmount"`
	// ChargeTotalAmount is the sum of charges on document level BT-108
	// (cbc:ChargeTotalAmount).
	ChargeTotalAmount *Amount `ubl:"cbc:ChargeTotalAmount"`
	// PrepaidAmount is the paid amount BT-113 (cbc:PrepaidAmount).
	PrepaidAmount *Amount `ubl:"cbc:PrepaidAmount"`
	// PayableRoundingAmount is the rounding amount BT-114
	// (cbc:PayableRoundingAmount).
	PayableRoundingAmount *Amount `ubl:"cbc:PayableRoundingAmount"`
	// PayableAmount is the amount due for payment BT-115
	// (cbc:PayableAmount).
	PayableAmount Amount `ubl:"cbc:PayableAmount"`
}

// Line is an invoice line BG-25 (cac:InvoiceLine, or cac:CreditNoteLine
// in a credit note).
type Line struct {
	// ID is the invoice line identifier BT-126 (cbc:ID).
	ID string `ubl:"cbc:ID"`
	// Note is the invoice line note BT-127 (cbc:Note).
	Note string `ubl:"cbc:Note"`
	// Quantity is the invoiced quantity BT-129 with its unit of measure
	// code BT-130 (cbc:InvoicedQuantity, or cbc:CreditedQuantity in a
	// credit note).
	Quantity Quantity `ubl:"cbc:InvoicedQuantity" cn:"cbc:CreditedQuantity"`
	// LineExtensionAmount is the invoice line net amount BT-131
	// (cbc:LineExtensionAmount).
	LineExtensionAmount Amount `ubl:"cbc:LineExtensionAmount"`
	// AccountingCost is the invoice line buyer accounting reference BT-133
	// (cbc:AccountingCost).
	AccountingCost string `ubl:"cbc:AccountingCost"`
	// InvoicePeriod is the invoice line period BG-26 (cac:InvoicePeriod).
	InvoicePeriod *Period `ubl:"cac:InvoicePeriod"`
	// OrderLineReference is the referenced purchase order line reference
	// BT-132 (cac:OrderLineReference/cbc:LineID).
	OrderLineReference string `ubl:"cac:OrderLineReference/cbc:LineID"`
	// DocumentReference is the invoice line object identifier BT-128, with
	// DocumentTypeCode 130 (cac:DocumentReference).
	DocumentReference *DocumentReference `ubl:"cac:DocumentReference"`
	// AllowanceCharge holds the invoice line allowances BG-27 and charges
	// BG-28 (cac:AllowanceCharge).
	AllowanceCharge []AllowanceCharge `ubl:"cac:AllowanceCharge"`
	// Item is the item information group BG-31 (cac:Item).
	Item Item `ubl:"cac:Item"`
	// Price is the price details group BG-29 (cac:Price).
	Price Price `ubl:"cac:Price"`
}

// Item is the item information group BG-31 (cac:Item).
type Item struct {
	// Description is the item description BT-154 (cbc:Description).
	Description string `ubl:"cbc:Description"`
	// Name is the item name BT-153 (cbc:Name).
	Name string `ubl:"cbc:Name"`
	// BuyersItemIdentification is the item buyer's identifier BT-156
	// (cac:BuyersItemIdentification/cbc:ID).
	BuyersItemIdentification string `ubl:"cac:BuyersItemIdentification/cbc:ID"`
	// SellersItemIdentification is the item seller's identifier BT-155
	// (cac:SellersItemIdentification/cbc:ID).
	SellersItemIdentification string `ubl:"cac:SellersItemIdentification/cbc:ID"`
	// StandardItemIdentification is the item standard identifier BT-157,
	// such as a GTIN with scheme 0160
	// (cac:StandardItemIdentification/cbc:ID/@schemeID).
	StandardItemIdentification Identifier `ubl:"cac:StandardItemIdentification/cbc:ID"`
	// OriginCountry is the item country of origin BT-159
	// (cac:OriginCountry/cbc:IdentificationCode).
	OriginCountry string `ubl:"cac:OriginCountry/cbc:IdentificationCode"`
	// CommodityClassification holds the item classification identifiers
	// BT-158 with their list identifier (UNTDID 7143) and list version
	// (cac:CommodityClassification/cbc:ItemClassificationCode).
	CommodityClassification []Code `ubl:"cac:CommodityClassification/cbc:ItemClassificationCode"`
	// ClassifiedTaxCategory is the line VAT information group BG-30:
	// category BT-151 and rate BT-152 (cac:ClassifiedTaxCategory).
	ClassifiedTaxCategory TaxCategory `ubl:"cac:ClassifiedTaxCategory"`
	// AdditionalItemProperty holds the item attributes BG-32
	// (cac:AdditionalItemProperty).
	AdditionalItemProperty []ItemProperty `ubl:"cac:AdditionalItemProperty"`
}

// ItemProperty is an item attribute BG-32 (cac:AdditionalItemProperty).
type ItemProperty struct {
	// Name is the item attribute name BT-160 (cbc:Name).
	Name string `ubl:"cbc:Name"`
	// Value is the item attribute value BT-161 (cbc:Value).
	Value string `ubl:"cbc:Value"`
}

// Price is the price details group BG-29 (cac:Price).
type Price struct {
	// PriceAmount is the item net price BT-146 (cbc:PriceAmount).
	PriceAmount Amount `ubl:"cbc:PriceAmount"`
	// BaseQuantity is the item price base quantity BT-149 with its unit
	// BT-150 (cbc:BaseQuantity); nil means 1.
	BaseQuantity *Quantity `ubl:"cbc:BaseQuantity"`
	// AllowanceCharge is the item price discount BT-147 with the gross
	// price BT-148 as its BaseAmount (cac:AllowanceCharge, always an
	// allowance).
	AllowanceCharge *AllowanceCharge `ubl:"cac:AllowanceCharge"`
}

// Amount is a monetary amount with its ISO 4217 currency
// (UBL AmountType: text with a currencyID attribute).
type Amount struct {
	// Value is the amount.
	Value Decimal
	// Currency is the currencyID attribute, such as "NOK".
	Currency string
}

// String returns the amount as "123.45 NOK".
func (a Amount) String() string {
	if a.Currency == "" {
		return a.Value.String()
	}
	return a.Value.String() + " " + a.Currency
}

// Quantity is a quantity with its UN/ECE Recommendation 20/21 unit code
// (UBL QuantityType: text with a unitCode attribute).
type Quantity struct {
	// Value is the quantity.
	Value Decimal
	// Unit is the unitCode attribute, such as "EA" (each), "C62" (one),
	// "HUR" (hour) or "KGM" (kilogram).
	Unit string
}

// Identifier is an identifier with an optional scheme (UBL IdentifierType:
// text with a schemeID attribute), such as an electronic address
// {"921605900", "0192"}.
type Identifier struct {
	// Value is the identifier.
	Value string
	// SchemeID is the schemeID attribute: an ISO 6523 ICD ("0192"), an EAS
	// code, or another scheme; empty if absent.
	SchemeID string
}

// Code is a code with the optional code attributes PEPPOL BIS uses (UBL
// CodeType): the payment means code BT-81 with its text BT-82 in Name,
// and the item classification code BT-158 with ListID and ListVersionID.
type Code struct {
	// Value is the code.
	Value string
	// Name is the name attribute (payment means text BT-82).
	Name string
	// ListID is the listID attribute, such as "STI" or "CV".
	ListID string
	// ListVersionID is the listVersionID attribute.
	ListVersionID string
}

// BinaryObject is an embedded document BT-125 (UBL BinaryObjectType).
type BinaryObject struct {
	// Data is the document content; it is base64 encoded in XML.
	Data []byte
	// MimeCode is the mimeCode attribute, such as "application/pdf".
	MimeCode string
	// Filename is the filename attribute.
	Filename string
}

// DateError reports a date that [ParseDate] refused.
type DateError struct {
	// Input is the refused text, clipped to a readable length.
	Input string
}

func (e *DateError) Error() string {
	return redact.String(fmt.Sprintf("einvoice: invalid date %q: want YYYY-MM-DD", e.Input))
}

// Date is a calendar date without time zone, written YYYY-MM-DD as PEPPOL
// BIS requires for every date (rule PEPPOL-EN16931-F001). The zero value
// means "no date" and is omitted when writing. Dates are comparable with
// ==.
type Date struct {
	s string // "YYYY-MM-DD" or ""
}

// NewDate returns the date year-month-day. Out-of-range values are
// normalised as [time.Date] does (January 32 becomes February 1). Years
// outside 1..9999 cannot be written as YYYY and give the zero Date.
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	if t.Year() < 1 || t.Year() > 9999 {
		return Date{}
	}
	return Date{s: t.Format(time.DateOnly)}
}

// ParseDate parses a date in the form YYYY-MM-DD; surrounding XML white
// space is ignored. It refuses other forms, including the time zone
// suffixes xs:date allows, and impossible dates such as 2025-02-30.
// Errors are of type *[DateError].
func ParseDate(s string) (Date, error) {
	t := trimSpace(s)
	if len(t) != 10 || t[4] != '-' || t[7] != '-' {
		return Date{}, &DateError{Input: clip(s, 40)}
	}
	tm, err := time.Parse(time.DateOnly, t)
	if err != nil || tm.Year() < 1 {
		return Date{}, &DateError{Input: clip(s, 40)}
	}
	return Date{s: t}, nil
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d.s == "" }

// String returns the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string { return d.s }

// Time returns midnight UTC at the start of d, or the zero [time.Time] for
// the zero Date.
func (d Date) Time() time.Time {
	if d.s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.DateOnly, d.s)
	return t
}

// MarshalText implements [encoding.TextMarshaler].
func (d Date) MarshalText() ([]byte, error) { return []byte(d.s), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]; empty text gives
// the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// trimSpace removes leading and trailing XML white space.
func trimSpace(s string) string { return strings.Trim(s, " \t\r\n") }
