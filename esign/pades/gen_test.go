package pades

import (
	"os"
	"testing"
)

// TestGenerateTestdata rewrites testdata/signed.pdf (a PAdES B-B signed
// PDF used as fuzz seed) when PADES_GENERATE=1.
func TestGenerateTestdata(t *testing.T) {
	if os.Getenv("PADES_GENERATE") == "" {
		t.Skip("set PADES_GENERATE=1 to regenerate testdata")
	}
	two := signBytes(t, signBytes(t, genPDF([]string{"Vedtak"}, 0)))
	if err := os.WriteFile("testdata/signed.pdf", two, 0o644); err != nil {
		t.Fatal(err)
	}
}
