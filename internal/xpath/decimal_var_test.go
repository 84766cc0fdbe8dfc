package xpath

import (
	"math"
	"testing"
)

func TestReviewDecimalVarCompare(t *testing.T) {
	doc := `<r xmlns:a="urn:a"><a:L p="12.5"><a:N>12.50</a:N><a:N> +12.5 </a:N></a:L><a:L p=""><a:N>1e2</a:N></a:L><a:L><a:N>-0</a:N><a:N>INF</a:N></a:L>` +
		`<a:L><a:N/><a:N>0.0</a:N></a:L><a:L><a:C><a:N>12.5</a:N></a:C><a:C><a:N>3</a:N></a:C></a:L></r>`
	items := reviewItems(t, doc)
	ns := map[string]string{"a": "urn:a"}
	varsets := []map[string]Seq{
		{"v": {decSmall(125, 1)}}, {"v": {newInt(0)}}, {"v": {Double(math.NaN())}}, {"v": {Double(math.Inf(1))}},
		{"v": {String("12.5")}}, {"v": {Untyped("12.5")}}, {"v": {newInt(3), newInt(0)}}, {"v": nil}, {"v": {Double(12.5)}},
	}
	for _, src := range []string{
		"a:N/xs:decimal(.) = $v", "$v != xs:decimal(a:N)", "a:C/xs:decimal(a:N) = $v", "xs:decimal(@p) = $v", "a:C/xs:decimal(a:N) != $v",
		"xs:decimal(.) = $v",
	} {
		for _, vars := range varsets {
			plain, _ := Parse(src)
			fast, _ := Parse(src)
			fenv := &Env{Namespaces: ns, Vars: vars}
			if err := Prepare(fast, fenv); err != nil {
				t.Fatal(err)
			}
			test := CompileTest(fast)
			for _, it := range items {
				want, werr := EvalBool(plain, it, &Env{Namespaces: ns, Vars: vars})
				got, gerr := NewEvaluator(fenv).EvalBool(test, it)
				if got != want || (gerr == nil) != (werr == nil) {
					t.Errorf("%s with %v at %v: compiled %v (%v), plain %v (%v)", src, vars["v"], it, got, gerr, want, werr)
				}
			}
		}
	}
}
