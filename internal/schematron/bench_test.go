package schematron

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/fellesgo/felles/internal/xpath"
)

// sharedSchemas loads the CEN 1.3.16 and Peppol 3.0.19 schemas and the
// Peppol base example, skipping tb without ../shared.
func sharedSchemas(tb testing.TB) (cen, pep *Schema, base []byte) {
	tb.Helper()
	cen, err := LoadFile(filepath.Join(sharedDir, "conformance", "cen-en16931-1.3.16", "schematron", "preprocessed", "EN16931-UBL-validation-preprocessed.sch"))
	if err != nil {
		tb.Skip("shared conformance material absent:", err)
	}
	pep, err = LoadFile(filepath.Join(sharedDir, "conformance", "peppol-bis-3.0.19", "sch", "PEPPOL-EN16931-UBL.sch"))
	if err != nil {
		tb.Fatal(err)
	}
	base, err = os.ReadFile(filepath.Join(sharedDir, "conformance", "peppol-bis-3.0.19", "examples", "base-example.xml"))
	if err != nil {
		tb.Fatal(err)
	}
	return cen, pep, base
}

// BenchmarkValidateBaseExample runs the CEN 1.3.16 and Peppol 3.0.19 schemas
// over the Peppol base example (skipped without ../shared).
func BenchmarkValidateBaseExample(b *testing.B) {
	cen, pep, data := sharedSchemas(b)
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := xpath.ParseDocument(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name string
		s    *Schema
	}{{"cen", cen}, {"peppol", pep}} {
		b.Run(c.name, func(b *testing.B) {
			doc, _ := xpath.ParseDocument(bytes.NewReader(data))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.s.Validate(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
