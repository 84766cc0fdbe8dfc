package einvoice

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// peppolDir holds the official PEPPOL BIS 3.0.19 examples and snippets,
// shared material outside the module.
const peppolDir = "../../shared/conformance/peppol-bis-3.0.19"

// officialSamples returns the example and snippet files, skipping the test
// if the shared material is absent.
func officialSamples(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"examples", "snippets"} {
		m, err := filepath.Glob(filepath.Join(peppolDir, dir, "*.xml"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skipf("official PEPPOL BIS 3.0.19 samples not found under %s (shared conformance material absent)", peppolDir)
	}
	return files
}

// xnode is a normalized XML tree for equivalence checks: names by
// namespace URI and local name, attributes without namespace declarations,
// trimmed text, no comments.
type xnode struct {
	Name     string
	Attrs    map[string]string
	Text     string
	Children []*xnode
}

func normalize(t *testing.T, data []byte) *xnode {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xnode
	var root *xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("normalize: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &xnode{Name: "{" + tk.Name.Space + "}" + tk.Name.Local, Attrs: map[string]string{}}
			for _, a := range tk.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				n.Attrs["{"+a.Name.Space+"}"+a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			n := stack[len(stack)-1]
			n.Text = strings.TrimSpace(n.Text)
			if strings.HasSuffix(n.Name, "}EmbeddedDocumentBinaryObject") {
				n.Text = stripSpace(n.Text)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(tk)
			}
		}
	}
	return root
}

func TestRoundTripOfficialSamples(t *testing.T) {
	for _, file := range officialSamples(t) {
		name := filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(doc.Unmapped) != 0 {
				t.Errorf("Unmapped = %q, want none", doc.Unmapped)
			}
			out, err := doc.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			again, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(Marshal): %v\n%s", err, out)
			}
			if diff := cmp.Diff(doc, again, cmp.AllowUnexported(Decimal{}, Date{})); diff != "" {
				t.Errorf("Parse(Marshal(doc)) differs (-first +second):\n%s", diff)
			}
			if diff := cmp.Diff(normalize(t, in), normalize(t, out)); diff != "" {
				t.Errorf("Marshal output not XML-equivalent to input (-input +output):\n%s", diff)
			}
		})
	}
}

func TestParseKinds(t *testing.T) {
	for _, file := range officialSamples(t) {
		in, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Parse(in)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		wantCN := bytes.Contains(in, []byte("<CreditNote"))
		if got := doc.Kind == KindCreditNote; got != wantCN {
			t.Errorf("%s: Kind = %v", file, doc.Kind)
		}
		if len(doc.Lines) == 0 || doc.Lines[0].Quantity.Unit == "" {
			t.Errorf("%s: lines or quantities not read: %+v", file, doc.Lines)
		}
	}
}

// TestParseBaseExample checks some values of the base example in detail.
func TestParseBaseExample(t *testing.T) {
	officialSamples(t)
	in, err := os.ReadFile(filepath.Join(peppolDir, "examples", "base-example.xml"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if doc.ID != "Snippet1" || doc.IssueDate.String() != "2017-11-13" || doc.DocumentCurrencyCode != "EUR" {
		t.Errorf("header = %q %q %q", doc.ID, doc.IssueDate, doc.DocumentCurrencyCode)
	}
	if got := doc.AccountingSupplierParty.EndpointID; got != (Identifier{Value: "9482348239847239874", SchemeID: "0088"}) {
		t.Errorf("seller EndpointID = %+v", got)
	}
	if got := doc.LegalMonetaryTotal.PayableAmount; got.String() != "1656.25 EUR" {
		t.Errorf("PayableAmount = %v", got)
	}
}

func TestParseUnmapped(t *testing.T) {
	in := []byte(`<?xml version="1.0"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
  xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">
  <ext:UBLExtensions><ext:UBLExtension/></ext:UBLExtensions>
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:ID schemeAgencyID="x">1</cbc:ID>
  <cbc:Note>a</cbc:Note>
  <cbc:Note>b</cbc:Note>
  <cac:AccountingSupplierParty><cac:Party><cbc:WebsiteURI>u</cbc:WebsiteURI>
    <cac:PostalAddress><cac:Country><cbc:IdentificationCode>NO</cbc:IdentificationCode><cbc:Name>Norge</cbc:Name></cac:Country></cac:PostalAddress>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID><cac:Item><cbc:PackQuantity>1</cbc:PackQuantity></cac:Item></cac:InvoiceLine>
  <cac:InvoiceLine><cbc:ID>2</cbc:ID><cac:Item><cbc:PackQuantity>1</cbc:PackQuantity></cac:Item></cac:InvoiceLine>
</Invoice>`)
	doc, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/Invoice/ext:UBLExtensions",
		"/Invoice/cbc:UBLVersionID",
		"/Invoice/cbc:ID/@schemeAgencyID",
		"/Invoice/cbc:Note[2]",
		"/Invoice/cac:AccountingSupplierParty/cac:Party/cbc:WebsiteURI",
		"/Invoice/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:Name",
		"/Invoice/cac:InvoiceLine[1]/cac:Item/cbc:PackQuantity",
		"/Invoice/cac:InvoiceLine[2]/cac:Item/cbc:PackQuantity",
	}
	if diff := cmp.Diff(want, doc.Unmapped); diff != "" {
		t.Errorf("Unmapped (-want +got):\n%s", diff)
	}
	if doc.ID != "1" || doc.Note != "a" || doc.AccountingSupplierParty.PostalAddress.Country != "NO" {
		t.Errorf("mapped values lost: %q %q", doc.ID, doc.Note)
	}
}

func TestParseCreditNoteKindSpecific(t *testing.T) {
	in := []byte(`<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>CN1</cbc:ID><cbc:DueDate>2025-01-01</cbc:DueDate><cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
  <cac:PaymentMeans><cbc:PaymentMeansCode name="Credit transfer">30</cbc:PaymentMeansCode><cbc:PaymentDueDate>2025-02-01</cbc:PaymentDueDate></cac:PaymentMeans>
  <cac:CreditNoteLine><cbc:ID>1</cbc:ID><cbc:CreditedQuantity unitCode="EA">-2</cbc:CreditedQuantity></cac:CreditNoteLine>
  <cac:InvoiceLine><cbc:ID>2</cbc:ID></cac:InvoiceLine>
</CreditNote>`)
	doc, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Kind != KindCreditNote || doc.TypeCode != "381" || len(doc.Lines) != 1 || doc.Lines[0].Quantity.Value.String() != "-2" {
		t.Errorf("credit note fields: %+v", doc)
	}
	if got := doc.PaymentMeans[0].PaymentDueDate.String(); got != "2025-02-01" {
		t.Errorf("PaymentDueDate = %q", got)
	}
	if got := doc.PaymentMeans[0].PaymentMeansCode; got != (Code{Value: "30", Name: "Credit transfer"}) {
		t.Errorf("PaymentMeansCode = %+v", got)
	}
	want := []string{"/CreditNote/cbc:DueDate", "/CreditNote/cac:InvoiceLine"}
	if diff := cmp.Diff(want, doc.Unmapped); diff != "" {
		t.Errorf("Unmapped (-want +got):\n%s", diff)
	}
	out, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>", `<cbc:CreditedQuantity unitCode="EA">-2</cbc:CreditedQuantity>`, "<cac:CreditNoteLine>"} {
		if !bytes.Contains(out, []byte(s)) {
			t.Errorf("output lacks %s:\n%s", s, out)
		}
	}
	doc.DueDate = NewDate(2025, 1, 1)
	var me *MarshalError
	if _, err := doc.Marshal(); !errors.As(err, &me) {
		t.Errorf("Marshal credit note with DueDate: err = %v, want *MarshalError", err)
	}
}

func TestParseErrors(t *testing.T) {
	const head = `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">`
	tests := []struct {
		name, in, path string
		target         any
		sentinel       error
	}{
		{"doctype", `<!DOCTYPE x [<!ENTITY a "b">]><Invoice/>`, "", new(*XMLError), ErrDOCTYPE},
		{"malformed", `<Invoice>`, "", new(*XMLError), ErrMalformed},
		{"empty", ``, "", new(*XMLError), ErrMalformed},
		{"too deep", strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300), "", new(*XMLError), ErrTooDeep},
		{"wrong root", `<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>`, "/{urn:oasis:names:specification:ubl:schema:xsd:Order-2}Order", nil, ErrUnknownDocument},
		{"no namespace", `<Invoice/>`, "/Invoice", nil, ErrUnknownDocument},
		{"bad amount", head + `<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="NOK">1e3</cbc:PayableAmount></cac:LegalMonetaryTotal></Invoice>`, "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount", new(*DecimalError), nil},
		{"bad date", head + `<cbc:IssueDate>2025-02-30</cbc:IssueDate></Invoice>`, "/Invoice/cbc:IssueDate", new(*DateError), nil},
		{"bad bool", head + `<cac:AllowanceCharge><cbc:ChargeIndicator>yes</cbc:ChargeIndicator></cac:AllowanceCharge></Invoice>`, "/Invoice/cac:AllowanceCharge[1]/cbc:ChargeIndicator", nil, nil},
		{"bad base64", head + `<cac:AdditionalDocumentReference><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf">@@</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference></Invoice>`, "/Invoice/cac:AdditionalDocumentReference[1]/cac:Attachment/cbc:EmbeddedDocumentBinaryObject", nil, nil},
		{"huge number", head + `<cac:InvoiceLine><cbc:InvoicedQuantity>` + strings.Repeat("9", 100) + `</cbc:InvoicedQuantity></cac:InvoiceLine></Invoice>`, "/Invoice/cac:InvoiceLine[1]/cbc:InvoicedQuantity", new(*DecimalError), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, %v; want *ParseError", doc, err)
			}
			if pe.Path != tt.path {
				t.Errorf("Path = %q, want %q", pe.Path, tt.path)
			}
			if tt.target != nil && !errors.As(err, tt.target) {
				t.Errorf("error %v does not wrap %T", err, tt.target)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("error %v is not %v", err, tt.sentinel)
			}
			if !strings.HasPrefix(err.Error(), "einvoice: ") {
				t.Errorf("error %q lacks package prefix", err)
			}
		})
	}
}

func TestMarshalRefusesBadText(t *testing.T) {
	for _, s := range []string{"a\x00b", "bad \xff utf8", "\uFFFE"} {
		doc := &Document{ID: "1", Note: s}
		_, err := doc.Marshal()
		var me *MarshalError
		if !errors.As(err, &me) || me.Path != "/Invoice/cbc:Note" {
			t.Errorf("Marshal(Note=%q) = %v, want *MarshalError at /Invoice/cbc:Note", s, err)
		}
	}
	var nilDoc *Document
	if _, err := nilDoc.Marshal(); err == nil {
		t.Error("Marshal(nil) succeeded")
	}
	if _, err := (&Document{Kind: 7}).Marshal(); err == nil {
		t.Error("Marshal(Kind 7) succeeded")
	}
}

func TestMarshalEscapesAndPreservesText(t *testing.T) {
	doc := &Document{
		ID:   "A&B <1>",
		Note: "line 1\r\nline 2\t\"quoted\" ']]>'",
		AccountingSupplierParty: Party{
			EndpointID: Identifier{Value: "x", SchemeID: `a"b&c` + "\n"},
		},
		AdditionalDocumentReference: []DocumentReference{{
			ID:         Identifier{Value: "att"},
			Attachment: &Attachment{EmbeddedDocumentBinaryObject: &BinaryObject{Data: []byte{0, 1, 2, 250}, MimeCode: "application/pdf", Filename: "a.pdf"}},
		}},
	}
	out, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if back.ID != doc.ID || back.Note != doc.Note || back.AccountingSupplierParty.EndpointID != doc.AccountingSupplierParty.EndpointID {
		t.Errorf("text changed: %q %q %+v", back.ID, back.Note, back.AccountingSupplierParty.EndpointID)
	}
	if got := back.AdditionalDocumentReference[0].Attachment.EmbeddedDocumentBinaryObject; !reflect.DeepEqual(got, doc.AdditionalDocumentReference[0].Attachment.EmbeddedDocumentBinaryObject) {
		t.Errorf("binary object = %+v", got)
	}
}

func TestWriteTo(t *testing.T) {
	doc := &Document{ID: "1", IssueDate: NewDate(2025, 3, 1)}
	var buf bytes.Buffer
	n, err := doc.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo = %d, %v (buffer %d)", n, err, buf.Len())
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>1</cbc:ID>
  <cbc:IssueDate>2025-03-01</cbc:IssueDate>
  <cac:AccountingSupplierParty>
    <cac:Party/>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party/>
  </cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount>0</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount>0</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount>0</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount>0</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
</Invoice>
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestDate(t *testing.T) {
	d, err := ParseDate(" 2024-02-29\n")
	if err != nil || d.String() != "2024-02-29" || d.Time().Day() != 29 {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	for _, s := range []string{"", "2023-02-29", "2024-2-29", "2024-02-29Z", "2024-02-29+01:00", "0000-01-01", "20240229", "2024-02-29T00:00:00"} {
		var de *DateError
		if _, err := ParseDate(s); !errors.As(err, &de) {
			t.Errorf("ParseDate(%q) err = %v, want *DateError", s, err)
		}
	}
	if NewDate(2025, 1, 32) != MustDate(t, "2025-02-01") {
		t.Error("NewDate does not normalise")
	}
	if !(Date{}).IsZero() || !(Date{}).Time().IsZero() {
		t.Error("zero Date")
	}
	if NewDate(10000, 1, 1) != (Date{}) {
		t.Error("year 10000 accepted")
	}
	b, _ := d.MarshalText()
	var d2 Date
	if err := d2.UnmarshalText(b); err != nil || d2 != d {
		t.Errorf("text round trip: %v %v", d2, err)
	}
}

func MustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindInvoice: "Invoice", KindCreditNote: "CreditNote", 9: "Kind(9)"} {
		if got := fmt.Sprint(k); got != want {
			t.Errorf("%d: %q, want %q", int(k), got, want)
		}
	}
}

// An empty wrapper in a repeated group is not turned into an empty entry
// (which Marshal would write back as an empty identifier); it is reported.
func TestParseEmptyWrapper(t *testing.T) {
	doc := `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>1</cbc:ID>
<cac:AccountingSupplierParty><cac:Party><cac:PartyIdentification/><cac:PartyIdentification><cbc:ID>X</cbc:ID></cac:PartyIdentification></cac:Party></cac:AccountingSupplierParty>
</Invoice>`
	d, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	ids := d.AccountingSupplierParty.PartyIdentification
	if len(ids) != 1 || ids[0].Value != "X" {
		t.Errorf("identifications %+v", ids)
	}
	if !strings.Contains(strings.Join(d.Unmapped, " "), "PartyIdentification[1]") {
		t.Errorf("the empty wrapper is not reported: %v", d.Unmapped)
	}
}
