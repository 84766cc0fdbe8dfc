// Benchmarks of the native validator, with the XML parse step alone as a
// baseline (the validator's own parser, internal/xpath, and an encoding/xml
// token loop), on two documents: the Peppol BIS example base-example.xml and
// lines-1000, the same invoice with 1000 invoice lines (generated here, totals
// and VAT breakdown recomputed so it is valid; TestLines1000Valid checks that).
//
//	go test -run XXX -bench 'Validate|Parse' -benchmem ./einvoice/
//	go test -tags oracle -run XXX -bench 'Validate|Parse|Oracle' ./einvoice/   # with the reference (warm JVM), see BenchmarkOracle in oracle_test.go
//
// No timing assertions. Skips where the shared conformance material is absent.
package einvoice_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fellesgo/felles/einvoice"
	"github.com/fellesgo/felles/internal/xpath"
)

// benchDoc is a named benchmark document.
type benchDoc struct {
	name string
	data []byte
}

func benchBaseExample(t testing.TB) []byte {
	t.Helper()
	p := filepath.Join(mutSharedDir, "peppol-bis-3.0.19", "examples", "base-example.xml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Skipf("base-example.xml not found at %s (shared conformance material lives outside the module): %v", p, err)
	}
	return data
}

func benchDocs(t testing.TB) []benchDoc {
	base := benchBaseExample(t)
	lines, err := benchManyLines(base, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return []benchDoc{{"base-example", base}, {"lines-1000", lines}}
}

var (
	benchReLineQty  = regexp.MustCompile(`(<cbc:InvoicedQuantity[^>]*>)[^<]*(</cbc:InvoicedQuantity>)`)
	benchReLineExt  = regexp.MustCompile(`(<cbc:LineExtensionAmount[^>]*>)[^<]*(</cbc:LineExtensionAmount>)`)
	benchReLineID   = regexp.MustCompile(`(<cbc:ID>)[^<]*(</cbc:ID>)`)
	benchReTaxAmt   = regexp.MustCompile(`(<cbc:TaxAmount[^>]*>)[^<]*(</cbc:TaxAmount>)`)
	benchReTaxable  = regexp.MustCompile(`(<cbc:TaxableAmount[^>]*>)[^<]*(</cbc:TaxableAmount>)`)
	benchReTaxExcl  = regexp.MustCompile(`(<cbc:TaxExclusiveAmount[^>]*>)[^<]*(</cbc:TaxExclusiveAmount>)`)
	benchReTaxIncl  = regexp.MustCompile(`(<cbc:TaxInclusiveAmount[^>]*>)[^<]*(</cbc:TaxInclusiveAmount>)`)
	benchRePayable  = regexp.MustCompile(`(<cbc:PayableAmount[^>]*>)[^<]*(</cbc:PayableAmount>)`)
	benchReCharge   = regexp.MustCompile(`<cbc:ChargeTotalAmount[^>]*>([^<]*)</cbc:ChargeTotalAmount>`)
	benchRePriceAmt = regexp.MustCompile(`<cbc:PriceAmount[^>]*>([^<]*)</cbc:PriceAmount>`)
)

func benchCents(c int64) string {
	s := ""
	if c < 0 {
		s, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", s, c/100, c%100)
}

func benchParseCents(s string) (int64, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	var w, f int64
	if _, err := fmt.Sscanf(whole, "%d", &w); err != nil {
		return 0, fmt.Errorf("amount %q: %v", s, err)
	}
	if frac != "" {
		frac = (frac + "00")[:2]
		if _, err := fmt.Sscanf(frac, "%d", &f); err != nil {
			return 0, fmt.Errorf("amount %q: %v", s, err)
		}
	}
	return w*100 + f, nil
}

// benchManyLines turns base-example.xml (its first invoice line repeated n
// times, quantities 1..10, unique line ids) into a valid n-line invoice:
// line amounts, document totals and the single 25 % VAT breakdown recomputed.
func benchManyLines(base []byte, n int) ([]byte, error) {
	s := string(base)
	first := strings.Index(s, "<cac:InvoiceLine>")
	endFirst := strings.Index(s, "</cac:InvoiceLine>")
	last := strings.LastIndex(s, "</cac:InvoiceLine>")
	if first < 0 || endFirst < 0 {
		return nil, fmt.Errorf("no invoice line in the base document")
	}
	header, tmpl, footer := s[:first], s[first:endFirst+len("</cac:InvoiceLine>")], s[last+len("</cac:InvoiceLine>"):]
	pm := benchRePriceAmt.FindStringSubmatch(tmpl)
	if pm == nil {
		return nil, fmt.Errorf("no price in the first line")
	}
	price, err := benchParseCents(pm[1])
	if err != nil {
		return nil, err
	}
	var charge int64
	if m := benchReCharge.FindStringSubmatch(header); m != nil {
		if charge, err = benchParseCents(m[1]); err != nil {
			return nil, err
		}
	}
	if strings.Contains(header, "AllowanceTotalAmount") {
		return nil, fmt.Errorf("base document has document-level allowances: not supported")
	}
	var b strings.Builder
	var sum int64
	for i := 1; i <= n; i++ {
		q := int64(1 + (i-1)%10)
		amt := q * price
		sum += amt
		// The line id is the line's first plain <cbc:ID>; the later ones
		// (tax category, tax scheme) are restored from the template.
		l := benchReLineID.ReplaceAllString(tmpl, fmt.Sprintf("${1}%d${2}", i))
		l = benchRestoreAfterFirst(tmpl, l, benchReLineID)
		l = benchReLineQty.ReplaceAllString(l, fmt.Sprintf("${1}%d${2}", q))
		l = benchReLineExt.ReplaceAllString(l, "${1}"+benchCents(amt)+"${2}")
		b.WriteString(l)
		b.WriteString("\n")
	}
	taxable := sum + charge
	if (taxable*25)%100 != 0 {
		return nil, fmt.Errorf("VAT not a whole number of cents")
	}
	tax := taxable * 25 / 100
	h := benchReTaxAmt.ReplaceAllString(header, "${1}"+benchCents(tax)+"${2}")
	h = benchReTaxable.ReplaceAllString(h, "${1}"+benchCents(taxable)+"${2}")
	h = benchReLineExt.ReplaceAllString(h, "${1}"+benchCents(sum)+"${2}")
	h = benchReTaxExcl.ReplaceAllString(h, "${1}"+benchCents(taxable)+"${2}")
	h = benchReTaxIncl.ReplaceAllString(h, "${1}"+benchCents(taxable+tax)+"${2}")
	h = benchRePayable.ReplaceAllString(h, "${1}"+benchCents(taxable+tax)+"${2}")
	return []byte(h + b.String() + footer), nil
}

// benchRestoreAfterFirst undoes re's replacements in got after the first match,
// taking the original text from orig (same structure, same match count).
func benchRestoreAfterFirst(orig, got string, re *regexp.Regexp) string {
	om := re.FindAllStringIndex(orig, -1)
	gm := re.FindAllStringIndex(got, -1)
	if len(om) != len(gm) || len(gm) < 2 {
		return got
	}
	var b strings.Builder
	prev := 0
	for i := range gm {
		b.WriteString(got[prev:gm[i][0]])
		if i == 0 {
			b.WriteString(got[gm[i][0]:gm[i][1]])
		} else {
			b.WriteString(orig[om[i][0]:om[i][1]])
		}
		prev = gm[i][1]
	}
	b.WriteString(got[prev:])
	return b.String()
}

// TestLines1000Valid: the generated 1000-line invoice is valid with the
// default rules and carries 1000 distinct lines.
func TestLines1000Valid(t *testing.T) {
	base := benchBaseExample(t)
	data, err := benchManyLines(base, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("<cac:InvoiceLine>")); n != 1000 {
		t.Fatalf("%d invoice lines, want 1000", n)
	}
	for _, id := range []string{"<cbc:ID>1</cbc:ID>", "<cbc:ID>500</cbc:ID>", "<cbc:ID>1000</cbc:ID>"} {
		if !bytes.Contains(data, []byte(id)) {
			t.Errorf("line %s missing", id)
		}
	}
	rep, err := einvoice.Validate(data)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid() || len(rep.Failures) > 0 {
		for _, f := range rep.Failures {
			t.Errorf("failure: %v", f)
		}
		for _, u := range rep.Unevaluated {
			t.Errorf("unevaluated: %v", u)
		}
		t.Fatalf("generated 1000-line invoice is not valid with rules %s", rep.Rules)
	}
}

func BenchmarkValidate(b *testing.B) {
	v, err := einvoice.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range benchDocs(b) {
		b.Run(d.name, func(b *testing.B) {
			if rep, err := v.Validate(d.data); err != nil || !rep.Valid() {
				b.Fatalf("%s not valid: %v %+v", d.name, err, rep)
			}
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Validate(d.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	v, err := einvoice.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range benchDocs(b) {
		// safe: the validator's parse step, xmlsafe checks and tree build.
		b.Run("safe/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := einvoice.ParseForBench(v, d.data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("xpath/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := xpath.ParseDocument(bytes.NewReader(d.data)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("encoding-xml/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			for b.Loop() {
				dec := xml.NewDecoder(bytes.NewReader(d.data))
				for {
					_, err := dec.Token()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
