package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesgo/felles/einvoice"
)

const examplesDir = "../../../shared/conformance/peppol-bis-3.0.19/examples"

func example(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(examplesDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("official examples not found at %s (%v)", examplesDir, err)
	}
	return p
}

func TestInvoiceValidate(t *testing.T) {
	good := example(t, "base-example.xml")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.xml")
	broken := strings.Replace(string(data), "<cbc:TaxInclusiveAmount currencyID=\"EUR\">", "<cbc:TaxInclusiveAmount currencyID=\"EUR\">1", 1)
	if broken == string(data) {
		t.Fatal("could not break the example")
	}
	if err := os.WriteFile(bad, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errs := runCLI(t, "invoice", "validate", good)
	if code != exitOK || !strings.HasPrefix(out, good+": valid (rules 3.0.21): 0 fatal, 0 warning") {
		t.Errorf("valid file: exit %d\n%s%s", code, out, errs)
	}

	code, out, errs = runCLI(t, "invoice", "validate", "-rules", "3.0.20", good, bad)
	if code != exitFailure || !strings.Contains(errs, "1 of 2 files invalid") {
		t.Errorf("invalid file: exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(out, bad+": INVALID (rules 3.0.20)") || !strings.Contains(out, "fatal   BR-CO-15 at /Invoice[1]") || !strings.Contains(out, "[BR-CO-15]-Invoice total amount with VAT (BT-112)") {
		t.Errorf("human output:\n%s", out)
	}

	code, out, _ = runCLI(t, "invoice", "validate", "-json", good, bad)
	if code != exitFailure {
		t.Errorf("-json: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got:\n%s", out)
	}
	var r struct {
		File     string `json:"file"`
		Valid    bool   `json:"valid"`
		Failures []struct {
			Rule, Flag, Location, Message string
		} `json:"failures"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil || !r.Valid || r.File != good || r.Failures == nil {
		t.Errorf("first line %s: %+v %v", lines[0], r, err)
	}
	r.Failures = nil
	if err := json.Unmarshal([]byte(lines[1]), &r); err != nil || r.Valid || len(r.Failures) == 0 {
		t.Fatalf("second line %s: %v", lines[1], err)
	}
	found := false
	for _, f := range r.Failures {
		if f.Rule == "BR-CO-15" && f.Flag == "fatal" && f.Location != "" && strings.HasPrefix(f.Message, "[BR-CO-15]") {
			found = true
		}
	}
	if !found {
		t.Errorf("BR-CO-15 missing from %s", lines[1])
	}
}

func TestInvoiceValidateUnreadable(t *testing.T) {
	dir := t.TempDir()
	dtd := filepath.Join(dir, "dtd.xml")
	if err := os.WriteFile(dtd, []byte(`<!DOCTYPE Invoice [<!ENTITY x "y">]><Invoice/>`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "invoice", "validate", dtd, filepath.Join(dir, "missing.xml"))
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(out, dtd+": error: einvoice: refused XML: ") || !strings.Contains(out, "missing.xml: error:") || !strings.Contains(errs, "2 of 2 files could not be read") {
		t.Errorf("output:\n%s%s", out, errs)
	}
	if code, _, errs := runCLI(t, "invoice", "validate", "-rules", "2.0", dtd); code != exitUsage || !strings.Contains(errs, "unknown rule set") {
		t.Errorf("unknown rules: exit %d %q", code, errs)
	}
	if code, _, _ := runCLI(t, "invoice", "validate"); code != exitUsage {
		t.Errorf("no files: exit %d", code)
	}
	code, out, _ = runCLI(t, "invoice", "validate", "-timeout", "1ns", example(t, "base-example.xml"))
	if code != exitUsage || !strings.Contains(out, "validation stopped: context deadline exceeded") {
		t.Errorf("timeout: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "invoice", "frobnicate"); code != exitUsage {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}

func TestInvoiceBuild(t *testing.T) {
	out := filepath.Join(t.TempDir(), "inv.xml")
	code, stdout, errs := runCLI(t, "invoice", "build", "-o", out, "../../docs/invoice-example.json")
	if code != exitOK || stdout != "" {
		t.Fatalf("exit %d\n%s%s", code, stdout, errs)
	}
	xml, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<cbc:EndpointID schemeID="0192">921605900</cbc:EndpointID>`,
		`<cbc:CompanyID>NO921605900MVA</cbc:CompanyID>`,
		`<cbc:CompanyID>Foretaksregisteret</cbc:CompanyID>`,
		`<cbc:PaymentID>1234567890128</cbc:PaymentID>`,
		// 7.5 × 1150 = 8625.00 and the 250.00 freight at 25 %; 12 × 129.90 − 50 = 1508.80 at 15 %.
		`<cbc:TaxableAmount currencyID="NOK">8875.00</cbc:TaxableAmount>`,
		`<cbc:TaxAmount currencyID="NOK">2218.75</cbc:TaxAmount>`,
		`<cbc:TaxableAmount currencyID="NOK">1508.80</cbc:TaxableAmount>`,
		`<cbc:TaxAmount currencyID="NOK">226.32</cbc:TaxAmount>`,
		`<cbc:PayableAmount currencyID="NOK">12828.87</cbc:PayableAmount>`,
	} {
		if !strings.Contains(string(xml), want) {
			t.Errorf("built invoice lacks %s", want)
		}
	}
	if code, out, _ := runCLI(t, "invoice", "validate", out); code != exitOK {
		t.Errorf("built invoice does not validate:\n%s", out)
	}
}

func TestInvoiceBuildErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A typo in a member name is a usage error, not a silently dropped field.
	if code, _, errs := runCLI(t, "invoice", "build", write("typo.json", `{"id": "1", "curency": "NOK"}`)); code != exitUsage || !strings.Contains(errs, `unknown field "curency"`) {
		t.Errorf("typo: exit %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "invoice", "build", write("amount.json", `{"lines": [{"price": "12,50"}]}`)); code != exitUsage || !strings.Contains(errs, "12,50") {
		t.Errorf("bad amount: exit %d %q", code, errs)
	}
	// Well-formed but incomplete: every missing business term is listed.
	code, _, errs := runCLI(t, "invoice", "build", write("empty.json", `{"currency": "NOK"}`))
	if code != exitFailure || !strings.Contains(errs, "BT-1") || !strings.Contains(errs, "BT-2") {
		t.Errorf("incomplete: exit %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "invoice", "build", write("org.json", `{"seller": {"organization_number": "921605901"}}`)); code != exitFailure || !strings.Contains(errs, "921605901") {
		t.Errorf("bad org number: exit %d %q", code, errs)
	}
}

// FuzzBuildFromJSON: any description gives a document or an error, never a
// panic; a document that builds also marshals and validates.
func FuzzBuildFromJSON(f *testing.F) {
	if data, err := os.ReadFile("../../docs/invoice-example.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"id":"1","currency":"NOK","lines":[{"name":"x","quantity":-1e3,"unit":"EA","price":"0.005","vat":{"category":"Z"}}]}`))
	f.Add([]byte(`{"kind":"creditnote","allowances_charges":[{"percent":"10","vat":{"category":"S","rate":"25"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := buildFromJSON(data)
		if err != nil {
			return
		}
		xml, err := doc.Marshal()
		if err != nil {
			t.Fatalf("built but does not marshal: %v", err)
		}
		if _, err := einvoice.Validate(xml); err != nil {
			t.Fatalf("built XML refused: %v", err)
		}
	})
}

// The optional members: periods, delivery, gross price, preceding invoices.
func TestInvoiceBuildOptionalMembers(t *testing.T) {
	desc := `{
  "kind": "creditnote", "id": "K-7", "issue_date": "2026-11-23", "currency": "NOK", "buyer_reference": "4025",
  "preceding_invoices": [{"id": "2026-0042", "issue_date": "2026-11-01"}],
  "invoice_period": {"start": "2026-10-01", "end": "2026-10-31"},
  "delivery": {"date": "2026-10-15", "name": "Skole", "location": {"scheme": "0088", "id": "7080000000017"},
               "address": {"street": "Skoleveien 2", "city": "Bergen", "postal_code": "5003", "country": "NO"}},
  "seller": {"organization_number": "921605900", "name": "Fjellvann Konsult AS", "vat_registered": true, "foretaksregisteret": true,
             "address": {"street": "Storgata 1", "city": "Oslo", "postal_code": "0155", "country": "NO"}},
  "buyer": {"organization_number": "974760673", "name": "Eksempel kommune",
            "address": {"street": "Rådhusplassen 1", "city": "Bergen", "postal_code": "5003", "country": "NO"}},
  "payment": {"account": "1234.56.78903"}, "payment_terms": "Trekkes fra neste faktura",
  "lines": [{"name": "Lisens", "quantity": "2", "unit": "EA", "price": "90", "gross_price": "100",
             "period": {"start": "2026-10-01", "end": "2026-10-31"}, "vat": {"category": "S", "rate": "25"}}]
}`
	dir := t.TempDir()
	in := filepath.Join(dir, "cn.json")
	if err := os.WriteFile(in, []byte(desc), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "cn.xml")
	if code, stdout, errs := runCLI(t, "invoice", "build", "-o", out, in); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, errs)
	}
	xml, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<CreditNote ",
		"<cbc:StartDate>2026-10-01</cbc:StartDate>",
		"<cbc:ActualDeliveryDate>2026-10-15</cbc:ActualDeliveryDate>",
		`<cbc:ID schemeID="0088">7080000000017</cbc:ID>`,
		"<cbc:ID>2026-0042</cbc:ID>",
		"<cbc:IssueDate>2026-11-01</cbc:IssueDate>",
		`<cbc:BaseAmount currencyID="NOK">100</cbc:BaseAmount>`, // the gross price, as given,
		`<cbc:LineExtensionAmount currencyID="NOK">180.00</cbc:LineExtensionAmount>`,
	} {
		if !strings.Contains(string(xml), want) {
			t.Errorf("built credit note lacks %s", want)
		}
	}
	if code, out, _ := runCLI(t, "invoice", "validate", out); code != exitOK {
		t.Errorf("does not validate:\n%s", out)
	}
}
