package xpath

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

const invoiceXML = `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>  INV-1 </cbc:ID>
  <cbc:IssueDate>2024-03-15</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:Note>Straße</cbc:Note>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyTaxScheme><cbc:CompanyID>DE123456789</cbc:CompanyID><cac:TaxScheme><cbc:ID>vat</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AllowanceCharge>
    <cbc:ChargeIndicator>true</cbc:ChargeIndicator>
    <cbc:Amount currencyID="EUR">10.00</cbc:Amount>
    <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
  </cac:AllowanceCharge>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">40.13</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">160.50</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">40.13</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="SEK">460.00</cbc:TaxAmount>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">150.50</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">160.50</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">200.63</cbc:TaxInclusiveAmount>
    <cbc:ChargeTotalAmount currencyID="EUR">10.00</cbc:ChargeTotalAmount>
    <cbc:PayableAmount currencyID="EUR">200.63</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>A</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
  </cac:InvoiceLine>
  <cac:InvoiceLine>
    <cbc:ID>2</cbc:ID>
    <cbc:LineExtensionAmount currencyID="EUR">50.50</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>B</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
  </cac:InvoiceLine>
</Invoice>`

var ublNS = map[string]string{
	"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
	"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
	"ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
	"cn":  "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
	"xs":  "http://www.w3.org/2001/XMLSchema",
}

func loadInvoice(t *testing.T) *Document {
	t.Helper()
	d, err := ParseDocument(strings.NewReader(invoiceXML))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// render gives a compact, type-tagged form of a result sequence.
func render(s Seq) string {
	var parts []string
	for _, it := range s {
		switch v := it.(type) {
		case *Node:
			switch v.Kind {
			case ElementNode:
				parts = append(parts, "<"+v.Local+">")
			case AttributeNode:
				parts = append(parts, "@"+v.Local+"="+v.Data)
			case TextNode:
				parts = append(parts, "text:"+v.Data)
			default:
				parts = append(parts, "doc")
			}
		case Boolean:
			parts = append(parts, StringOf(v))
		case Integer:
			parts = append(parts, "i:"+StringOf(v))
		case Decimal:
			parts = append(parts, "d:"+StringOf(v))
		case Double:
			parts = append(parts, "f:"+StringOf(v))
		case String:
			parts = append(parts, `"`+string(v)+`"`)
		case Untyped:
			parts = append(parts, `u"`+string(v)+`"`)
		case Date:
			parts = append(parts, "date:"+v.String())
		}
	}
	return strings.Join(parts, " ")
}

// evalAt evaluates ctx from the document node, then expr on ctx's first node.
func evalAt(t *testing.T, d *Document, env *Env, ctx, expr string) (Seq, error) {
	t.Helper()
	var item Item = d.Root
	if ctx != "" {
		ce, err := Parse(ctx)
		if err != nil {
			t.Fatalf("parse context %q: %v", ctx, err)
		}
		cs, err := Eval(ce, d.Root, env)
		if err != nil || len(cs) == 0 {
			t.Fatalf("context %q: %v (%d items)", ctx, err, len(cs))
		}
		item = cs[0]
	}
	e, err := Parse(expr)
	if err != nil {
		t.Fatalf("parse %q: %v", expr, err)
	}
	return Eval(e, item, env)
}

func TestDocumentModel(t *testing.T) {
	d := loadInvoice(t)
	el := d.Root.Children[0]
	if el.Kind != ElementNode || el.Local != "Invoice" || el.Space != ublNS["ubl"] {
		t.Fatalf("document element = %+v", el)
	}
	if el.Parent != d.Root || len(d.Root.Children) != 1 {
		t.Fatal("parent link / document children")
	}
	id := el.Children[3] // text, CustomizationID, text, ID
	if id.Local != "ID" || id.Space != ublNS["cbc"] || id.StringValue() != "  INV-1 " || id.Prefix != "cbc" {
		t.Fatalf("cbc:ID = %+v %q", id, id.StringValue())
	}
	last := int32(0)
	var walk func(*Node)
	walk = func(n *Node) {
		if n.Order <= last && n != d.Root {
			t.Fatalf("order not increasing at %s: %d <= %d", n.Local, n.Order, last)
		}
		last = n.Order
		for _, a := range n.Attrs {
			walk(a)
			if a.Parent != n {
				t.Fatal("attribute parent")
			}
		}
		for _, c := range n.Children {
			walk(c)
			if c.Parent != n {
				t.Fatal("child parent")
			}
		}
	}
	walk(d.Root)
	if _, err := ParseDocument(strings.NewReader("<a><b></a>")); !errors.Is(err, ErrDocument) {
		t.Fatalf("malformed: %v", err)
	}
	if _, err := ParseDocument(strings.NewReader("")); !errors.Is(err, ErrDocument) {
		t.Fatalf("empty: %v", err)
	}
}

func TestEvalRules(t *testing.T) {
	d := loadInvoice(t)
	env := &Env{Namespaces: ublNS, Vars: map[string]Seq{"profile": {String("01")}}}
	cases := []struct{ ctx, expr, want string }{
		// BR-01, BR-02, BR-16 (context /ubl:Invoice)
		{"/ubl:Invoice", "normalize-space(cbc:CustomizationID) != ''", "true"},
		{"/ubl:Invoice", "normalize-space(cbc:ID) != ''", "true"},
		{"/ubl:Invoice", "normalize-space(cbc:ID)", `"INV-1"`},
		{"/ubl:Invoice", "normalize-space(cbc:ProfileID) != ''", "false"},
		{"/ubl:Invoice", "exists(cac:InvoiceLine) or exists(cac:CreditNoteLine)", "true"},
		{"/ubl:Invoice", "exists(cac:CreditNoteLine)", "false"},
		// BR-CO-10 (context cac:LegalMonetaryTotal)
		{"//cac:LegalMonetaryTotal", "(xs:decimal(cbc:LineExtensionAmount) = xs:decimal(round(sum(//(cac:InvoiceLine|cac:CreditNoteLine)/xs:decimal(cbc:LineExtensionAmount)) * 10 * 10) div 100))", "true"},
		{"//cac:LegalMonetaryTotal", "sum(//(cac:InvoiceLine|cac:CreditNoteLine)/xs:decimal(cbc:LineExtensionAmount))", "d:150.5"},
		{"//cac:LegalMonetaryTotal", "sum(//cac:InvoiceLine/cbc:LineExtensionAmount)", "f:150.5"},
		// BR-CO-12, BR-CO-13
		{"//cac:LegalMonetaryTotal", "xs:decimal(cbc:ChargeTotalAmount) = (round(sum(../cac:AllowanceCharge[cbc:ChargeIndicator=true()]/xs:decimal(cbc:Amount)) * 10 * 10) div 100) or (not(cbc:ChargeTotalAmount) and not(../cac:AllowanceCharge[cbc:ChargeIndicator=true()]))", "true"},
		{"//cac:LegalMonetaryTotal", "((cbc:ChargeTotalAmount) and (cbc:AllowanceTotalAmount) and (xs:decimal(cbc:TaxExclusiveAmount) = round((xs:decimal(cbc:LineExtensionAmount) + xs:decimal(cbc:ChargeTotalAmount) - xs:decimal(cbc:AllowanceTotalAmount)) * 10 * 10) div 100 ))  or (not(cbc:ChargeTotalAmount) and (cbc:AllowanceTotalAmount) and (xs:decimal(cbc:TaxExclusiveAmount) = round((xs:decimal(cbc:LineExtensionAmount) - xs:decimal(cbc:AllowanceTotalAmount)) * 10 * 10 ) div 100)) or ((cbc:ChargeTotalAmount) and not(cbc:AllowanceTotalAmount) and (xs:decimal(cbc:TaxExclusiveAmount) = round((xs:decimal(cbc:LineExtensionAmount) + xs:decimal(cbc:ChargeTotalAmount)) * 10 * 10 ) div 100)) or (not(cbc:ChargeTotalAmount) and not(cbc:AllowanceTotalAmount) and (xs:decimal(cbc:TaxExclusiveAmount) = xs:decimal(cbc:LineExtensionAmount)))", "true"},
		// BR-CO-15 (context /ubl:Invoice): only the EUR TaxTotal counts
		{"/ubl:Invoice", "every $Currency in cbc:DocumentCurrencyCode satisfies (count(cac:TaxTotal/xs:decimal(cbc:TaxAmount[@currencyID=$Currency])) eq 1) and (cac:LegalMonetaryTotal/xs:decimal(cbc:TaxInclusiveAmount) = round( (cac:LegalMonetaryTotal/xs:decimal(cbc:TaxExclusiveAmount) + cac:TaxTotal/xs:decimal(cbc:TaxAmount[@currencyID=$Currency])) * 10 * 10) div 100)", "true"},
		{"/ubl:Invoice", "count(cac:TaxTotal/xs:decimal(cbc:TaxAmount))", "i:2"},
		// BR-CO-14 (context cac:TaxTotal)
		{"//cac:TaxTotal", "(xs:decimal(child::cbc:TaxAmount)= round((sum(cac:TaxSubtotal/xs:decimal(cbc:TaxAmount)) * 10 * 10)) div 100) or not(cac:TaxSubtotal)", "true"},
		// BR-CO-17 (context cac:TaxTotal/cac:TaxSubtotal): 160.50*0.25 = 40.125 -> 40.13
		{"//cac:TaxSubtotal", "(round(cac:TaxCategory[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']/xs:decimal(cbc:Percent)) = 0 and (round(xs:decimal(cbc:TaxAmount)) = 0)) or (round(cac:TaxCategory[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']/xs:decimal(cbc:Percent)) != 0 and ((abs(xs:decimal(cbc:TaxAmount)) - 1 < round(abs(xs:decimal(cbc:TaxableAmount)) * (cac:TaxCategory[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']/xs:decimal(cbc:Percent) div 100) * 10 * 10) div 100 ) and (abs(xs:decimal(cbc:TaxAmount)) + 1 > round(abs(xs:decimal(cbc:TaxableAmount)) * (cac:TaxCategory[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']/xs:decimal(cbc:Percent) div 100) * 10 * 10) div 100 )))  or (not(exists(cac:TaxCategory[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']/xs:decimal(cbc:Percent))) and (round(xs:decimal(cbc:TaxAmount)) = 0))", "true"},
		{"//cac:TaxSubtotal", "round(abs(xs:decimal(cbc:TaxableAmount)) * (cac:TaxCategory/xs:decimal(cbc:Percent) div 100) * 10 * 10) div 100", "d:40.13"},
		// BR-S-08 style (context cac:TaxSubtotal/cac:TaxCategory)
		{"//cac:TaxSubtotal/cac:TaxCategory", "every $rate in xs:decimal(cbc:Percent) satisfies ((exists(//cac:InvoiceLine[cac:Item/cac:ClassifiedTaxCategory/normalize-space(cbc:ID) = 'S'][cac:Item/cac:ClassifiedTaxCategory/xs:decimal(cbc:Percent) =$rate])) and ((../xs:decimal(cbc:TaxableAmount - 1) < (sum(../../../cac:InvoiceLine[cac:Item/cac:ClassifiedTaxCategory/normalize-space(cbc:ID)='S'][cac:Item/cac:ClassifiedTaxCategory/xs:decimal(cbc:Percent) =$rate]/xs:decimal(cbc:LineExtensionAmount)) + sum(../../../cac:AllowanceCharge[cbc:ChargeIndicator=true()][cac:TaxCategory/normalize-space(cbc:ID)='S'][cac:TaxCategory/xs:decimal(cbc:Percent) = $rate]/xs:decimal(cbc:Amount)) - sum(../../../cac:AllowanceCharge[cbc:ChargeIndicator=false()][cac:TaxCategory/normalize-space(cbc:ID)='S'][cac:TaxCategory/xs:decimal(cbc:Percent) = $rate]/xs:decimal(cbc:Amount)))) and (../xs:decimal(cbc:TaxableAmount + 1) > (sum(../../../cac:InvoiceLine[cac:Item/cac:ClassifiedTaxCategory/normalize-space(cbc:ID)='S'][cac:Item/cac:ClassifiedTaxCategory/xs:decimal(cbc:Percent) =$rate]/xs:decimal(cbc:LineExtensionAmount)) + sum(../../../cac:AllowanceCharge[cbc:ChargeIndicator=true()][cac:TaxCategory/normalize-space(cbc:ID)='S'][cac:TaxCategory/xs:decimal(cbc:Percent) = $rate]/xs:decimal(cbc:Amount))))))", "true"},
		// BR-CO-04 (context cac:InvoiceLine)
		{"//cac:InvoiceLine", "(cac:Item/cac:ClassifiedTaxCategory[cac:TaxScheme/(normalize-space(upper-case(cbc:ID))='VAT')]/cbc:ID)", "<ID>"},
		// BR-CO-09 style code list + substring
		{"//cac:PartyTaxScheme", "( contains( ' AD AE DE FR ',substring(cbc:CompanyID,1,2) ) )", "true"},
		{"//cac:PartyTaxScheme", "substring(cbc:CompanyID,1,2)", `"DE"`},
		// BR-DEC-09
		{"//cac:LegalMonetaryTotal", "string-length(substring-after(cbc:LineExtensionAmount,'.'))<=2", "true"},
		// general comparison over multiple nodes (existential)
		{"/ubl:Invoice", "cac:InvoiceLine/cbc:LineExtensionAmount = 50.5", "true"},
		{"/ubl:Invoice", "cac:InvoiceLine/cbc:LineExtensionAmount = 50.25", "false"},
		{"/ubl:Invoice", "cac:InvoiceLine/cbc:LineExtensionAmount != 100", "true"},
		{"/ubl:Invoice", "cac:InvoiceLine/cbc:ID = ('3', '2')", "true"},
		{"/ubl:Invoice", "cac:InvoiceLine/cbc:ID = cac:TaxTotal/cbc:TaxAmount", "false"},
		{"/ubl:Invoice", "() = ()", "false"},
		{"/ubl:Invoice", "cac:TaxTotal/cbc:TaxAmount/@currencyID = 'SEK'", "true"},
		// union: document order, no duplicates
		{"/ubl:Invoice", "(cac:InvoiceLine[2]/cbc:ID | cbc:ID | cac:InvoiceLine/cbc:ID | cbc:ID)/normalize-space(.)", `"INV-1" "1" "2"`},
		{"/ubl:Invoice", "count(//cbc:ID union //cac:InvoiceLine/cbc:ID)", "i:12"},
		{"/ubl:Invoice", "(cac:InvoiceLine | cac:CreditNoteLine)[last()]/cbc:ID/string()", `"2"`},
		// axes
		{"//cac:InvoiceLine[2]/cbc:ID", "../preceding-sibling::cac:InvoiceLine/cbc:ID/string()", `"1"`},
		{"//cac:InvoiceLine[1]", "following-sibling::*[1]/cbc:ID/string()", `"2"`},
		{"//cac:InvoiceLine[1]/cbc:ID", "count(ancestor::*)", "i:2"},
		{"//cac:InvoiceLine[1]/cbc:ID", "ancestor::ubl:Invoice/cbc:DocumentCurrencyCode/string()", `"EUR"`},
		{"//cac:InvoiceLine[1]/cbc:ID", "self::cbc:ID/text()", "text:1"},
		{"/ubl:Invoice", "count(cac:InvoiceLine/descendant::cbc:ID)", "i:6"},
		{"/ubl:Invoice", "count(//cbc:ID[. = 'S'])", "i:4"},
		{"/ubl:Invoice", "(//cbc:Percent)[1]/parent::*/cbc:ID/string()", `"S"`},
		{"/ubl:Invoice", "//cac:InvoiceLine[position() = last()]/cbc:ID/string()", `"2"`},
		{"/ubl:Invoice", "cac:TaxTotal[cbc:TaxAmount/@currencyID = 'SEK']/cbc:TaxAmount/@currencyID", "@currencyID=SEK"},
		{"/ubl:Invoice", "local-name(*[1])", `"CustomizationID"`},
		{"/ubl:Invoice", "name(cac:InvoiceLine[1])", `"cac:InvoiceLine"`},
		{"/ubl:Invoice", "count(*:InvoiceLine) + count(cac:*)", "i:9"},
		// for / some / every / if / let-style variables
		{"/ubl:Invoice", "for $l in cac:InvoiceLine return xs:decimal($l/cbc:LineExtensionAmount) * 2", "d:200 d:101"},
		{"/ubl:Invoice", "some $l in cac:InvoiceLine satisfies $l/cbc:ID = '2'", "true"},
		{"/ubl:Invoice", "every $l in cac:InvoiceLine satisfies $l/cbc:ID = '2'", "false"},
		{"/ubl:Invoice", "every $l in () satisfies false()", "true"},
		{"/ubl:Invoice", "if ($profile = '01') then 'yes' else 'no'", `"yes"`},
		{"/ubl:Invoice", "(10, 20, 30)[2]", "i:20"},
		{"/ubl:Invoice", "(1 to 5)[. mod 2 = 0]", "i:2 i:4"},
		{"", "5 to 1", ""},
		// values and arithmetic
		{"", "1 + 2 * 3", "i:7"},
		{"", "7 div 2", "d:3.5"},
		{"", "7 idiv 2", "i:3"},
		{"", "-7 mod 3", "i:-1"},
		{"", "0.1 + 0.2 = 0.3", "true"},
		{"", "0.1e0 + 0.2e0 = 0.3e0", "false"},
		{"", "1.5 + 1e0", "f:2.5"},
		{"", "round(xs:decimal('1.005') * 100) div 100", "d:1.01"},
		{"", "round(1.005e0 * 100) div 100", "f:1"},
		{"", "round(-2.5)", "d:-2"},
		{"", "round(2.5)", "d:3"},
		{"", "round(-0.4e0)", "f:-0"},
		{"", "abs(-3.25)", "d:3.25"},
		{"", "1 div 3", "d:0.333333333333333333"},
		{"", "2 div 3", "d:0.666666666666666666"},
		{"", "-2 div 3", "d:-0.666666666666666666"},
		{"", "1 div 3 * 3 = 1", "false"},
		{"", "1 div 8", "d:0.125"},
		{"", "xs:decimal('40.125') div 1", "d:40.125"},
		{"", "1 eq 1.0", "true"},
		{"", "'abc' lt 'abd'", "true"},
		{"", "() eq 1", ""},
		{"", "xs:integer('  42 ')", "i:42"},
		{"", "xs:integer(3.9)", "i:3"},
		{"", "'1e3' castable as xs:decimal", "false"},
		{"", "'-12.50' castable as xs:decimal", "true"},
		{"", "'12' castable as xs:integer", "true"},
		{"", "'12.0' castable as xs:integer", "false"},
		{"", "'2024-02-29' castable as xs:date", "true"},
		{"", "'2023-02-29' castable as xs:date", "false"},
		{"", "'2024-02-29+01:00' castable as xs:date", "true"},
		{"", "() castable as xs:date?", "true"},
		{"", "() castable as xs:date", "false"},
		{"", "xs:date('2024-01-02') < xs:date('2024-01-10')", "true"},
		{"/ubl:Invoice", "cbc:IssueDate = xs:date('2024-03-15')", "true"},
		{"", "number('abc')", "f:NaN"},
		{"", "number('12') + 1", "f:13"},
		{"", "number('abc') = number('abc')", "false"},
		{"", "string(1.50)", `"1.5"`},
		{"", "string(1e7)", `"1.0E7"`},
		{"", "string(123456.5e0)", `"123456.5"`},
		{"", "boolean('')", "false"},
		{"", "true() and not(false())", "true"},
		// strings
		{"/ubl:Invoice", "upper-case(cbc:Note)", `"STRASSE"`},
		{"", "lower-case('ÄB')", `"äb"`},
		{"", "concat('a', (), 1, 'b')", `"a1b"`},
		{"", "string-length('Straße')", "i:6"},
		{"", "substring('12345', 1.5, 2.6)", `"234"`},
		{"", "substring('12345', 0, 3)", `"12"`},
		{"", "starts-with('urn:cen', 'urn:')", "true"},
		{"", "translate('a-b-c', '-', '')", `"abc"`},
		{"", "matches('١٢٣', '^\\d+$')", "true"},
		{"", "matches('12a', '^\\d+$')", "false"},
		{"", "matches('a b', 'a\\sb')", "true"},
		{"", "matches('ABC', '^[a-z]+$', 'i')", "true"},
		{"", "distinct-values(('a', 'b', 'a', 1, 1.0))", `"a" "b" i:1`},
		{"/ubl:Invoice", "count(distinct-values(//cbc:Percent))", "i:1"},
		{"", "string-join(('a','b'), ',')", `"a,b"`},
		{"", "reverse((1,2,3))", "i:3 i:2 i:1"},
		{"", "tokenize(' a  b', '\\s+')", `"" "a" "b"`},
		{"", "tokenize('', ',')", ""},
		{"", "replace('a-b-c', '-', '')", `"abc"`},
		{"", "replace('abc', '(b)', '[$1\\$]')", `"a[b$]c"`},
		{"", "string-to-codepoints('Aé')", "i:65 i:233"},
		{"", "codepoints-to-string((72, 105))", `"Hi"`},
	}
	for _, c := range cases {
		got, err := evalAt(t, d, env, c.ctx, c.expr)
		if err != nil {
			t.Errorf("%s :: %s: error %v", c.ctx, c.expr, err)
			continue
		}
		if r := render(got); r != c.want {
			t.Errorf("%s :: %s\n got  %s\n want %s", c.ctx, c.expr, r, c.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	d := loadInvoice(t)
	env := &Env{Namespaces: ublNS}
	cases := []struct {
		expr string
		want error
		code string
	}{
		{"frobnicate(1)", ErrUnknownFunction, "XPST0017"},
		{"count(1, 2)", ErrUnknownFunction, "XPST0017"},
		{"xs:frob('1')", ErrUnknownFunction, "XPST0017"},
		{"u:gln('1')", ErrUnboundPrefix, "XPST0081"},
		{"nope:Invoice", ErrUnboundPrefix, "XPST0081"},
		{"if (1) then 2 else nope:x", ErrUnboundPrefix, "XPST0081"},
		{"$undefined", ErrUnboundVariable, "XPST0008"},
		{"'a' + 1", ErrType, "XPTY0004"},
		{"'a' = 1", ErrType, "XPTY0004"},
		{"(1, 2) eq 1", ErrType, "XPTY0004"},
		{"xs:decimal('abc')", ErrCast, "FORG0001"},
		{"//cbc:ID = 1", ErrCast, "FORG0001"}, // 'INV-1' is not a double
		{"boolean((1, 2))", ErrType, "FORG0006"},
		{"1 div 0", ErrDynamic, "FOAR0001"},
		{"1 idiv 0", ErrDynamic, "FOAR0001"},
		{"sum(('a', 'b'))", ErrType, "FORG0006"},
		{"(1, 2)/cbc:ID", ErrType, "XPTY0019"},
		{"1 to 100000000", ErrDynamic, ""},
		{"-9223372036854775807 to 9223372036854775807", ErrDynamic, ""},
		{"matches('a', '(a)\\1')", ErrDynamic, "FORX0002"},
		{"tokenize('a', 'x*')", ErrDynamic, "FORX0003"},
		{"replace('a', 'a', '$')", ErrDynamic, "FORX0004"},
		{"codepoints-to-string(0)", ErrDynamic, "FOCH0001"},
		{"1 instance of xs:integer", ErrUnsupported, ""},
		{"(1, //cbc:ID) | //cbc:ID", ErrType, "XPTY0004"},
	}
	for _, c := range cases {
		_, err := evalAt(t, d, env, "", c.expr)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.expr, err, c.want)
			continue
		}
		var ee *EvalError
		if !errors.As(err, &ee) || (c.code != "" && ee.Code != c.code) {
			t.Errorf("%s: got %#v, want code %s", c.expr, err, c.code)
		}
	}
	// no context item
	e, _ := Parse("cbc:ID")
	if _, err := Eval(e, nil, env); !errors.Is(err, ErrDynamic) {
		t.Errorf("no context: %v", err)
	}
	e, _ = Parse("/x")
	if _, err := Eval(e, String("a"), env); !errors.Is(err, ErrType) {
		t.Errorf("atomic context for rooted path: %v", err)
	}
}

func TestEvalCallerFunctionsAndVars(t *testing.T) {
	d := loadInvoice(t)
	env := &Env{
		Namespaces: map[string]string{"u": "utils", "cbc": ublNS["cbc"]},
		Vars:       map[string]Seq{"n": {newInt(3)}},
		Functions: map[string]Function{"{utils}double": func(_ Item, a []Seq) (Seq, error) {
			v, err := singleNumeric(a[0], "u:double")
			if err != nil {
				return nil, err
			}
			return Seq{Integer{new(big.Int).Mul(v.(Integer).V, big.NewInt(2))}}, nil
		}},
	}
	got, err := evalAt(t, d, env, "", "u:double($n) + count(//cbc:ID)")
	if err != nil || render(got) != "i:18" {
		t.Fatalf("got %s, %v", render(got), err)
	}
	b, err := EvalBool(mustParse(t, "//cbc:ID"), d.Root, env)
	if err != nil || !b {
		t.Fatalf("EvalBool: %v %v", b, err)
	}
}

func mustParse(t *testing.T, s string) Expr {
	t.Helper()
	e, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEvalOfficialNoPanic evaluates every official expression against the
// sample invoice: errors are fine, panics (recovered as "internal evaluator
// error") are not.
func TestEvalOfficialNoPanic(t *testing.T) {
	d := loadInvoice(t)
	env := &Env{Namespaces: ublNS}
	tally := map[string]int{}
	for _, x := range allExprs(t, schSources) {
		e, err := Parse(x.Text)
		if err != nil {
			continue
		}
		for _, ctx := range []Item{d.Root, d.Root.Children[0]} {
			_, err := Eval(e, ctx, env)
			if err != nil && strings.Contains(err.Error(), "internal evaluator error") {
				t.Errorf("%s: %v", oneLine(x.Text), err)
			}
			key := "ok"
			if ee := (*EvalError)(nil); errors.As(err, &ee) {
				key = ee.Code + " " + ee.Err.Error()
				if ee.Err == ErrUnsupported || ee.Err == ErrUnknownFunction {
					key += ": " + ee.Msg
				}
			}
			tally[key]++
		}
	}
	for k, n := range tally {
		t.Logf("%5d %s", n, k)
	}
}

func FuzzEval(f *testing.F) {
	for _, s := range []string{"//cac:InvoiceLine[1]/cbc:ID", "sum(//cbc:Amount) div 3", "substring('abc', -1 div 0e0)",
		"for $i in 1 to 3 return $i idiv 2", "(//*)[last()]/..", "round(-0.5e0)", "'1' castable as xs:date?",
		"tokenize('a,b', ',')", "following::*[1] | preceding::*[2]"} {
		f.Add(s)
	}
	d, err := ParseDocument(strings.NewReader(invoiceXML))
	if err != nil {
		f.Fatal(err)
	}
	env := &Env{Namespaces: ublNS, MaxItems: 1000}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseOptions(src, Options{MaxLength: 512, MaxDepth: 50})
		if err != nil {
			return
		}
		for _, ctx := range []Item{d.Root, d.Root.Children[0].Children[1]} {
			if _, err := Eval(e, ctx, env); err != nil && strings.Contains(err.Error(), "internal evaluator error") {
				t.Fatalf("%q: %v", src, err)
			}
		}
	})
}

func TestParseDocumentRefuses(t *testing.T) {
	for _, doc := range []string{
		`<a><b></a></b>`,            // end tags do not match
		`<a><b></b>`,                // not closed
		`<p:a/>`,                    // unbound element prefix
		`<a p:x="1"/>`,              // unbound attribute prefix
		`<a xmlns:p="urn:p"></p:a>`, // end tag with another name
	} {
		if _, err := ParseDocument(strings.NewReader(doc)); !errors.Is(err, ErrDocument) {
			t.Errorf("%s: %v", doc, err)
		}
	}
	d, err := ParseDocument(strings.NewReader(`<r xmlns="urn:d" xmlns:p="urn:p" xml:lang="no"><p:c a="1" p:b="2"/></r>`))
	if err != nil {
		t.Fatal(err)
	}
	r := d.Root.Children[0]
	c := r.Children[0]
	if r.Space != "urn:d" || r.Prefix != "" || c.Space != "urn:p" || c.Prefix != "p" ||
		r.Attrs[0].Space != xmlNS || c.Attrs[0].Space != "" || c.Attrs[1].Space != "urn:p" || c.Attrs[1].Prefix != "p" {
		t.Errorf("names: %+v %+v %+v %+v", r, c, c.Attrs[0], c.Attrs[1])
	}
}

func TestParseNumbers(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool
		want string // decimalString of the value
	}{
		{"12.50", true, "12.5"}, {"-0.005", true, "-0.005"}, {"+3", true, "3"}, {"5.", true, "5"}, {".25", true, "0.25"},
		{" 7 ", true, "7"}, {"1234567890123456789.5", true, "1234567890123456789.5"}, {"-0", true, "0"},
		{".", false, ""}, {"", false, ""}, {"1e3", false, ""}, {"1.2.3", false, ""}, {"+-1", false, ""}, {"1,5", false, ""},
	} {
		d, ok := parseDecimal(c.in)
		if ok != c.ok || (ok && (decimalString(d.rat()) != c.want || decString(d) != c.want)) {
			t.Errorf("parseDecimal(%q) = %v, %v; want %s, %v", c.in, d.rat(), ok, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		in   string
		ok   bool
		want string
	}{
		{"42", true, "42"}, {"-7", true, "-7"}, {"+0", true, "0"}, {"12345678901234567890123", true, "12345678901234567890123"},
		{"4.0", false, ""}, {"", false, ""}, {"-", false, ""},
	} {
		i, ok := parseInteger(c.in)
		if ok != c.ok || (ok && i.V.String() != c.want) {
			t.Errorf("parseInteger(%q) = %v, %v; want %s, %v", c.in, i.V, ok, c.want, c.ok)
		}
	}
}
