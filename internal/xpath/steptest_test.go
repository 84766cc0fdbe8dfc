package xpath

import "testing"

func TestReviewStepTest(t *testing.T) {
	doc := `<r xmlns:a="urn:a"><a:L><a:S><a:ID>vat</a:ID></a:S></a:L><a:L><a:S><a:ID>VAT</a:ID></a:S><a:S><a:ID>x</a:ID></a:S></a:L><a:L/>` +
		`<a:L><a:S><a:ID>VAT</a:ID><a:ID>VAT</a:ID></a:S></a:L></r>`
	reviewCompare2(t, doc, []string{
		"a:S/(normalize-space(upper-case(a:ID)) = 'VAT')",
		"a:L[a:S/(upper-case(a:ID) = 'VAT')]",
		"a:L[a:S/(position() = 1)]",
		"a:L[a:S/(last() = 1)]",
		"not(a:S/(a:ID = 'x'))",
		"exists(a:S/(a:ID = 'x'))",
		"empty(a:S/(a:ID = 'nope'))",
		"a:S/(a:ID = 'x') or true()",
		"a:L/a:S/(a:ID = 'VAT')",
		"a:S/(not(a:ID))",
		"a:S/(a:ID)",
		"a:L[a:S/(a:ID = 'VAT')][1]",
		"count(a:L[a:S/(a:ID = 'VAT' and . = 'VAT')])",
	})
}

// reviewCompare2 is reviewCompare comparing values only when neither
// evaluation fails.
func reviewCompare2(t *testing.T, doc string, srcs []string) {
	t.Helper()
	items := reviewItems(t, doc)
	ns := map[string]string{"a": "urn:a", "b": "urn:b"}
	for _, src := range srcs {
		plain, err := Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		fast, _ := Parse(src)
		fenv := &Env{Namespaces: ns, Memo: NewMemo()}
		if err := Prepare(fast, fenv); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		test := CompileTest(fast)
		penv := &Env{Namespaces: ns}
		for _, it := range items {
			want, werr := EvalBool(plain, it, penv)
			got, gerr := NewEvaluator(fenv).EvalBool(test, it)
			if (gerr == nil) != (werr == nil) || (gerr == nil && got != want) {
				t.Errorf("%s at %v: as test fast %v (%v), plain %v (%v)", src, it, got, gerr, want, werr)
			}
			ws, werr := Eval(plain, it, penv)
			gs, gerr := NewEvaluator(fenv).Eval(fast, it)
			if (gerr == nil) != (werr == nil) || (gerr == nil && reviewShow(ws) != reviewShow(gs)) {
				t.Errorf("%s at %v: value fast %v (%v), plain %v (%v)", src, it, gs, gerr, ws, werr)
			}
		}
	}
}
