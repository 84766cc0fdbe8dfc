// Benchmarks of the native validator, with the XML parse step alone as a
// baseline (the validator's own parser, internal/xpath, and an encoding/xml
// token loop), on two documents: the Peppol BIS example base-example.xml and
// lines-1000, the same invoice with 1000 invoice lines (made by
// benchdoc.ManyLines, totals and VAT breakdown recomputed so it is valid;
// TestLines1000Valid checks that).
//
//	go test -run XXX -bench 'Validate|Parse' -benchmem ./einvoice/
//	go test -tags oracle -run XXX -bench 'Validate|Parse|Oracle' ./einvoice/   # with the reference (warm JVM), see BenchmarkOracle in oracle_test.go
//
// No timing assertions. Skips where the shared conformance material is absent.
package einvoice_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/fellesgo/felles/einvoice"
	"github.com/fellesgo/felles/internal/benchdoc"
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
	lines, err := benchdoc.ManyLines(base, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return []benchDoc{{"base-example", base}, {"lines-1000", lines}}
}

// TestLines1000Valid: the generated 1000-line invoice is valid with the
// default rules and carries 1000 distinct lines.
func TestLines1000Valid(t *testing.T) {
	base := benchBaseExample(t)
	data, err := benchdoc.ManyLines(base, 1000)
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

// BenchmarkValidate times validation with the default Validator (whose two
// rule layers run side by side on a large document when GOMAXPROCS > 1) and,
// as "sequential", with WithConcurrency(1). cpu-ns/op is the CPU time of
// the whole process per validation, the collector's included: for the
// default on lines-1000 it is larger than ns/op. "tree" times the rules
// alone, on a tree parsed before (with the default Validator), as the
// reference's ns/op does; the others start from the bytes, as the
// reference's doc-ns/op.
func BenchmarkValidate(b *testing.B) {
	v, err := einvoice.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	seq, err := einvoice.NewValidator(einvoice.WithConcurrency(1))
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range benchDocs(b) {
		for _, c := range []struct {
			name string
			v    *einvoice.Validator
		}{{d.name, v}, {d.name + "/sequential", seq}} {
			b.Run(c.name, func(b *testing.B) {
				if rep, err := c.v.Validate(d.data); err != nil || !rep.Valid() {
					b.Fatalf("%s not valid: %v %+v", d.name, err, rep)
				}
				b.SetBytes(int64(len(d.data)))
				b.ReportAllocs()
				cpu := benchdoc.CPUTime()
				for b.Loop() {
					if _, err := c.v.Validate(d.data); err != nil {
						b.Fatal(err)
					}
				}
				benchdoc.ReportCPU(b, cpu)
			})
		}
		// The rules alone, on a tree parsed before, as the reference's
		// ns/op (see BenchmarkOracle).
		b.Run(d.name+"/tree", func(b *testing.B) {
			doc, err := einvoice.ParseForBench(v, d.data)
			if err != nil {
				b.Fatal(err)
			}
			if rep, err := einvoice.RunForBench(v, doc); err != nil || !rep.Valid() {
				b.Fatalf("%s not valid: %v %+v", d.name, err, rep)
			}
			b.ReportAllocs()
			cpu := benchdoc.CPUTime()
			for b.Loop() {
				if _, err := einvoice.RunForBench(v, doc); err != nil {
					b.Fatal(err)
				}
			}
			benchdoc.ReportCPU(b, cpu)
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
