package einvoice

import (
	"os"
	"reflect"
	"testing"
)

// fuzzSeedInvoice is a small invoice that exercises most leaf kinds.
const fuzzSeedInvoice = `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>1</cbc:ID>
  <cbc:IssueDate>2025-01-31</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>NOK</cbc:DocumentCurrencyCode>
  <cac:AdditionalDocumentReference><cbc:ID>a</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="text/csv" filename="a.csv">YSxiCg==</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>
  <cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID="0192">921605900</cbc:EndpointID></cac:Party></cac:AccountingSupplierParty>
  <cac:PaymentMeans><cbc:PaymentMeansCode name="Kreditoverføring">30</cbc:PaymentMeansCode><cbc:PaymentID>1234567890</cbc:PaymentID></cac:PaymentMeans>
  <cac:AllowanceCharge><cbc:ChargeIndicator>1</cbc:ChargeIndicator><cbc:Amount currencyID="NOK">10.00</cbc:Amount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:AllowanceCharge>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="NOK">12.50</cbc:PayableAmount></cac:LegalMonetaryTotal>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="EA">-1.5</cbc:InvoicedQuantity><cac:Item><cbc:Name>x</cbc:Name><cac:CommodityClassification><cbc:ItemClassificationCode listID="STI" listVersionID="1">9</cbc:ItemClassificationCode></cac:CommodityClassification></cac:Item></cac:InvoiceLine>
</Invoice>`

// FuzzParse checks that Parse never panics and that whatever it accepts
// survives Marshal and a second Parse unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(fuzzSeedInvoice))
	f.Add([]byte(`<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"><x/></CreditNote>`))
	for _, file := range officialSamplesIfPresent() {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			return
		}
		out, err := doc.Marshal()
		if err != nil {
			// Parse only yields text that XML can carry, so every parsed
			// document must be writable.
			t.Fatalf("Marshal of parsed document: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(doc)): %v\n%s", err, out)
		}
		doc.Unmapped, again.Unmapped = nil, nil
		if !reflect.DeepEqual(doc, again) {
			t.Fatalf("Parse(Marshal(doc)) != doc\nfirst:  %+v\nsecond: %+v\n%s", doc, again, out)
		}
	})
}

// officialSamplesIfPresent lists the official samples without skipping.
func officialSamplesIfPresent() []string {
	var files []string
	for _, dir := range []string{"examples", "snippets"} {
		entries, err := os.ReadDir(peppolDir + "/" + dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			files = append(files, peppolDir+"/"+dir+"/"+e.Name())
		}
	}
	return files
}
