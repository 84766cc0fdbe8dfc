package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if code, _, _ := runCLI(t, "invoice", "frobnicate"); code != exitUsage {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}
