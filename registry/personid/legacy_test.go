package personid

import (
	"errors"
	"strings"
	"testing"
)

func TestParseLegacy(t *testing.T) {
	// 30108299939 is valid only under the 2032 rule (remainder 1).
	if _, err := Parse("30108299939"); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	_, err := ParseLegacy("30108299939")
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(pe.Reason, "2032") || strings.Contains(err.Error(), "30108299939") {
		t.Errorf("ParseLegacy(2032-scheme number) = %v", err)
	}
	for _, s := range []string{"20914695016", "02013299997", "41814061033"} {
		n, err := ParseLegacy(s)
		if err != nil || n.Digits() != s {
			t.Errorf("ParseLegacy(%s) = %v, %v", s, n, err)
		}
	}
	if _, err := ParseLegacy("20914695017"); !errors.As(err, &pe) {
		t.Errorf("ParseLegacy of a bad number: %v", err)
	}
}
