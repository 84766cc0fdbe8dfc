package xpath

import (
	"fmt"
	"strings"
	"testing"
)

// TestReviewMemoShared evaluates many expressions sharing memoised
// subexpressions with one Memo, interleaved on every node, and compares
// each value with the plain evaluation.
func TestReviewMemoShared(t *testing.T) {
	docs := []string{
		`<r xmlns:a="urn:a"><a:L n="1"><a:V>1</a:V><a:V>x</a:V></a:L><a:L n="2"><a:V>2.5</a:V></a:L><a:T>3.5</a:T><a:T>4</a:T></r>`,
		`<r xmlns:a="urn:a"><a:L n="7"><a:V>4</a:V></a:L><a:T>9</a:T></r>`,
	}
	srcs := []string{
		"(//a:V, //a:T)", "(//a:V, 1)", "(//a:V, //a:L)", "reverse(//a:V)", "(//a:V)[2]", "(//a:V)[last()]",
		"count((//a:V, //a:T))", "//a:V | //a:T", "(//a:V | //a:T)[1]", "distinct-values((//a:V, //a:T))",
		"for $x in //a:V return ($x, //a:T)", "string-join((//a:V, //a:T), ',')", "(//a:V)[. = 'x']",
		"count(//a:V) + count(//a:T)", "count(//a:V) * count(//a:T)", "(//a:V/string(), 'z')",
		"(//a:V/string(), 'y')", "((//a:V, //a:T), 'q')", "(//a:T, //a:V)", "//a:L/(a:V, //a:T)",
		"if (count(//a:V) > 2) then //a:V else //a:T", "(//a:V)[position() > 1]",
		"sum(//a:T) - count(//a:V)", "//a:V[. = //a:T]", "(count(//a:V), count(//a:T))",
		"(//a:V[1], //a:V[1])", "tokenize(string-join(//a:V, ' '), ' ')", "(tokenize(string-join(//a:V, ' '), ' '), 'w')",
	}
	ns := map[string]string{"a": "urn:a"}
	memo := NewMemo()
	env := &Env{Namespaces: ns, Memo: memo}
	var fast, plain []Expr
	for _, src := range srcs {
		e, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := Prepare(e, env); err != nil {
			t.Fatal(err)
		}
		fast = append(fast, e)
		p, _ := Parse(src)
		plain = append(plain, p)
	}
	ev := NewEvaluator(env)
	for _, doc := range docs {
		items := reviewItems(t, doc)
		type res struct {
			s   Seq
			str string
		}
		var kept []res
		for round := 0; round < 2; round++ {
			for _, it := range items {
				for i := range fast {
					got, gerr := ev.Eval(fast[i], it)
					want, werr := Eval(plain[i], it, &Env{Namespaces: ns})
					if fmt.Sprint(got) != fmt.Sprint(want) || (gerr == nil) != (werr == nil) {
						t.Errorf("%s at %v: memo %v (%v), plain %v (%v)", srcs[i], it, got, gerr, want, werr)
					}
					kept = append(kept, res{got, fmt.Sprint(got)})
				}
			}
		}
		for _, k := range kept {
			if fmt.Sprint(k.s) != k.str {
				t.Errorf("a result changed after it was returned: %s, now %v", k.str, k.s)
				break
			}
		}
	}
	_ = strings.TrimSpace
}
