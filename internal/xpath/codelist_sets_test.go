package xpath

import (
	"fmt"
	"strings"
	"testing"
)

// TestReviewStringSetGrowth: a long list bound anew for every context node
// (a rule let such as value="//cbc:ID") gets an entry in the evaluator's
// stringSet map on each evaluation, and each entry keeps its sequence
// alive for the whole validation.
func TestReviewStringSetGrowth(t *testing.T) {
	d, err := ParseDocument(strings.NewReader(`<r><x>EUR</x></r>`))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Parse("some $c in $list satisfies x = $c")
	env := &Env{Vars: map[string]Seq{}}
	if err := Prepare(e, env); err != nil {
		t.Fatal(err)
	}
	ev := NewEvaluator(env)
	for i := 0; i < 1000; i++ {
		list := make(Seq, 20)
		for k := range list {
			list[k] = String(fmt.Sprint("C", i, k))
		}
		env.Vars["list"] = list // a rule let, evaluated again for each node
		if _, err := ev.EvalBool(e, d.Root.Children[0]); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(ev.ev.sets); n > 100 {
		t.Errorf("the evaluator keeps %d lists (all alive until it is dropped)", n)
	}
}
