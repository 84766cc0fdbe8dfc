package schematron

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/fellesgo/felles/internal/xpath"
)

// TestValidatePatternsSplit checks that the runs of any split of a schema's
// patterns, concatenated, give what one run of all of them gives.
func TestValidatePatternsSplit(t *testing.T) {
	cen, pep, data := sharedSchemas(t)
	// Failures in every layer: an unknown currency, a line without price.
	bad := strings.Replace(string(data), `currencyID="`, `currencyID="X`, 3)
	bad = strings.Replace(bad, "<cac:Price>", "<cac:Pricing>", 1)
	bad = strings.Replace(bad, "</cac:Price>", "</cac:Pricing>", 1)
	ctx := context.Background()
	for _, src := range []string{string(data), bad} {
		doc, err := xpath.ParseDocument(strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []*Schema{cen, pep} {
			n := len(s.Patterns)
			want, wantErr := s.ValidateContext(ctx, doc)
			if src == bad && len(want) == 0 {
				t.Errorf("%s: no failure on the broken document", s.Title)
			}
			for k := 0; k <= n; k++ {
				a, errA := s.ValidatePatterns(ctx, doc, 0, k)
				b, errB := s.ValidatePatterns(ctx, doc, k, n)
				got := append(a, b...)
				if len(got) == 0 {
					got = nil
				}
				if !reflect.DeepEqual(got, want) || (errA != nil || errB != nil) != (wantErr != nil) {
					t.Errorf("%s split at %d: %d failures (%v, %v), want %d (%v)", s.Title, k, len(got), errA, errB, len(want), wantErr)
				}
			}
			if _, err := s.ValidatePatterns(ctx, doc, 1, 0); err == nil {
				t.Error("patterns 1 to 0 accepted")
			}
			if _, err := s.ValidatePatterns(ctx, doc, 0, n+1); err == nil {
				t.Error("patterns past the end accepted")
			}
		}
	}
}
