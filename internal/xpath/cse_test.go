package xpath

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// cseCount returns the cse nodes in e, by printed form.
func cseCount(e Expr) map[string]int {
	m := map[string]int{}
	Walk(e, func(x Expr) bool {
		if c, ok := x.(*cseExpr); ok {
			m[c.String()]++
		}
		return true
	})
	return m
}

// TestCSEPlaced: a repeated subexpression at the test's focus is shared,
// inside a quantifier too; one in a predicate or later step, or seen once,
// or cheap, is not.
func TestCSEPlaced(t *testing.T) {
	ns := map[string]string{"a": "urn:a"}
	for _, c := range []struct {
		src  string
		want string // the cse nodes, as "form:count" sorted; "" none
	}{
		{"every $r in a:P satisfies (sum(../a:L[a:R = $r]/a:A) > 1 and sum(../a:L[a:R = $r]/a:A) < 9)", "sum(parent::node()/a:L[(a:R = $r)]/a:A):2"},
		{"count(a:L[a:X]) = count(a:L[a:X])", "count(a:L[a:X]):2"},
		{"a:L[count(a:M[a:X]) = count(a:M[a:X])]", ""}, // in a predicate: another focus
		{"count(a:L[a:X]) = 1", ""},      // once
		{"a:ID = 'x' or a:ID = 'y'", ""}, // cheap
		{"exists(a:L/a:M/a:N) and not(a:L/a:M/a:N = '1') and a:L/a:M/a:N != ''", ""}, // bare paths: fast paths of their own
		{"string-join(a:L/a:M/a:N, ',') = string-join(a:L/a:M/a:N, ',')", "string-join(a:L/a:M/a:N, ','):2"},
	} {
		e, err := Parse(c.src)
		if err != nil {
			t.Fatal(err)
		}
		if err := Prepare(e, &Env{Namespaces: ns}); err != nil {
			t.Fatal(err)
		}
		var got []string
		for k, v := range cseCount(e) {
			got = append(got, fmt.Sprintf("%s:%d", k, v))
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%s: cse %q, want %q", c.src, g, c.want)
		}
	}
}

// TestCSERandom: tests with repeated subexpressions, in and out of
// quantifiers binding variables they use, shadowing, at every node of
// random documents, agree with evaluating every occurrence.
func TestCSERandom(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	pick := func(a []string) string { return a[r.Intn(len(a))] }
	subs := []string{
		"sum(../a:L[a:R = $r]/a:A)", "count(a:L[a:X = $v])", "../../a:L[a:R = $r]/a:A",
		"sum(a:L[a:R = '1']/a:A)", "count(//a:L[a:X])", "a:L/a:M/a:N", "count(a:L[a:X][. = $r])",
		"sum(for $r in a:L/a:A return $r)", "string-join(a:L[a:R != $v]/a:R, ',')",
		"count(a:L[position() = 1])", "count(a:L[xs:decimal(a:A) > 1])",
	}
	// (No bare path whose predicate may raise an error: exists() of one
	// stops at the first node found, the plain evaluation does not, and
	// XPath allows either.)
	vals := []string{"1", "2", "x", "", "1.5", "-1"}
	var wrap func(d int) string
	wrap = func(d int) string {
		s1, s2 := pick(subs), pick(subs)
		if r.Intn(2) == 0 {
			s2 = s1
		}
		body := fmt.Sprintf("(%s) %s (%s)", s1, pick([]string{"=", "!=", "<", ">="}), s2)
		if r.Intn(3) == 0 {
			body = fmt.Sprintf("exists(%s) or string(%s) = '%s'", s1, s1, pick(vals))
		}
		if d < 2 && r.Intn(2) == 0 {
			body = "(" + body + ") and (" + wrap(d+1) + ")"
		}
		switch r.Intn(6) {
		case 4, 5: // a value per iteration: a stale one shows
			s := pick(subs)
			return "for $r in (a:L/a:R, a:G/a:L/a:X) return concat(string-join(for $x in " + s + " return string($x), ' '), '|', string-join(for $x in " + s + " return string($x), ' '))"
		case 0:
			return "every $r in (a:L/a:R, '" + pick(vals) + "') satisfies (" + body + ")"
		case 1:
			return "some $v in a:L/a:X satisfies (" + body + ")"
		case 2:
			return "for $r in a:L/a:R return (" + body + ")"
		}
		return body
	}
	placed := 0
	for round := 0; round < 40; round++ {
		var b strings.Builder
		b.WriteString(`<r xmlns:a="urn:a">`)
		for i := 0; i < 3; i++ {
			b.WriteString(`<a:G>`)
			for j := r.Intn(4); j > 0; j-- {
				fmt.Fprintf(&b, `<a:L><a:R>%s</a:R><a:A>%s</a:A><a:X>%s</a:X><a:M><a:N>%s</a:N></a:M></a:L>`, pick(vals), pick(vals), pick(vals), pick(vals))
			}
			b.WriteString(`</a:G>`)
		}
		b.WriteString(`</r>`)
		items := reviewItems(t, b.String())
		ns := map[string]string{"a": "urn:a"}
		for k := 0; k < 15; k++ {
			src := wrap(0)
			plain, err := Parse(src)
			if err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			fast, _ := Parse(src)
			fenv := &Env{Namespaces: ns, Vars: map[string]Seq{"v": {String("1")}, "r": {String("2")}}}
			if err := Prepare(fast, fenv); err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			placed += len(cseCount(fast))
			test := CompileTest(fast)
			ev := NewEvaluator(fenv) // one evaluator for all nodes, as a validation has
			penv := &Env{Namespaces: ns, Vars: fenv.Vars}
			for _, it := range items {
				want, werr := EvalBool(plain, it, penv)
				got, gerr := ev.EvalBool(test, it)
				if (gerr == nil) != (werr == nil) || (gerr == nil && got != want) {
					t.Fatalf("%s at %v: cse %v (%v), plain %v (%v)\ndocument: %s", src, it, got, gerr, want, werr, b.String())
				}
				ws, werr := Eval(plain, it, penv)
				gs, gerr := ev.Eval(fast, it)
				if (gerr == nil) != (werr == nil) || (gerr == nil && reviewShow(ws) != reviewShow(gs)) {
					t.Fatalf("%s at %v: value cse %v (%v), plain %v (%v)", src, it, gs, gerr, ws, werr)
				}
			}
		}
	}
	if placed < 200 {
		t.Errorf("%d cse nodes placed in 600 tests, want most to have one", placed)
	}
}

// TestCSEAcrossCalls: one Evaluator kept across documents built in the
// same recycled storage (so nodes may have the same addresses) gives each
// document's own values.
func TestCSEAcrossCalls(t *testing.T) {
	ns := map[string]string{"a": "urn:a"}
	src := "concat(count(a:L[a:X = '1']), '/', count(a:L[a:X = '1']))"
	e, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Namespaces: ns}
	if err := Prepare(e, env); err != nil {
		t.Fatal(err)
	}
	if len(cseCount(e)) == 0 {
		t.Fatal("no cse node placed")
	}
	ev := NewEvaluator(env)
	b := NewBuilder()
	same := 0
	var prev *Node
	for i := 1; i <= 4; i++ {
		doc := `<a:R xmlns:a="urn:a">` + strings.Repeat(`<a:L><a:X>1</a:X></a:L>`, i) + `</a:R>`
		d, err := buildWith(b, []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		r := d.Root.Children[0]
		if r == prev {
			same++
		}
		prev = r
		got, err := ev.Eval(e, r)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d/%d", i, i); reviewShow(got) != reviewShow(Seq{String(want)}) {
			t.Errorf("document %d: %v, want %s", i, got, want)
		}
		b.Recycle()
	}
	if same == 0 {
		t.Log("no node address reused: the test shows less than it could")
	}
}

// TestEvaluatorReuse keeps one Evaluator for many documents, with Reuse
// between them and variables bound to sequences it made itself (so that
// its recycled storage and its string sets are exercised), against plain
// evaluation.
func TestEvaluatorReuse(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	pick := func(a []string) string { return a[r.Intn(len(a))] }
	vals := []string{"1", "2", "x", "y", "1.5"}
	lists := []string{"(for $x in //a:R return string($x))[. != 'q']", "(//a:R, //a:A)", "//a:X[. != '2']", "for $x in //a:A return string($x)"}
	tests := []string{
		"$l = 'x'", "some $c in $l satisfies $c = '2'", "count($l[. = '1'])", "$l = //a:X",
		"string-join($l, ',')", "count(a:L[a:X = $l])", "sum(//a:A[. = '1'][a:R = $l]/../a:A) > 0",
		"every $c in $l satisfies $c != 'y'", "count(//a:L[a:R = $m])", "$m = ('1', '2')",
	}
	ns := map[string]string{"a": "urn:a"}
	ev := NewEvaluator(nil)
	b := NewBuilder()
	checked := 0
	for round := 0; round < 60; round++ {
		var sb strings.Builder
		sb.WriteString(`<r xmlns:a="urn:a">`)
		lines := 20 // the same length of $l, the same place in the storage
		if round%3 == 2 {
			lines = r.Intn(12)
		}
		for j := lines; j > 0; j-- {
			fmt.Fprintf(&sb, `<a:L><a:R>%s</a:R><a:A>%s</a:A><a:X>%s</a:X></a:L>`, pick(vals), pick(vals), pick(vals))
		}
		sb.WriteString(`</r>`)
		d, err := buildWith(b, []byte(sb.String()))
		if err != nil {
			t.Fatal(err)
		}
		root := d.Root.Children[0]
		env := &Env{Namespaces: ns, Vars: map[string]Seq{}}
		penv := &Env{Namespaces: ns, Vars: map[string]Seq{}}
		ev.Reuse(env)
		for _, v := range []string{"l", "m"} {
			src := pick(lists)
			if v == "l" && round%3 != 2 {
				src = lists[0] // 20 strings, carved from the evaluator's storage: long enough for a string set
			}
			fast, _ := Parse(src)
			plain, _ := Parse(src)
			if err := Prepare(fast, env); err != nil {
				t.Fatal(err)
			}
			if env.Vars[v], err = ev.Eval(fast, root); err != nil {
				t.Fatal(err)
			}
			if penv.Vars[v], err = Eval(plain, root, penv); err != nil {
				t.Fatal(err)
			}
		}
		for _, src := range tests {
			fast, _ := Parse(src)
			plain, _ := Parse(src)
			if err := Prepare(fast, env); err != nil {
				t.Fatal(err)
			}
			test := CompileTest(fast)
			for _, it := range append([]*Node{root}, root.Children...) {
				want, werr := EvalBool(plain, it, penv)
				got, gerr := ev.EvalBool(test, it)
				if (gerr == nil) != (werr == nil) || (gerr == nil && got != want) {
					t.Fatalf("round %d, %s: reused %v (%v), plain %v (%v)\ndocument: %s", round, src, got, gerr, want, werr, sb.String())
				}
				ws, werr := Eval(plain, it, penv)
				gs, gerr := ev.Eval(fast, it)
				if (gerr == nil) != (werr == nil) || (gerr == nil && reviewShow(ws) != reviewShow(gs)) {
					t.Fatalf("round %d, %s: value reused %v (%v), plain %v (%v)", round, src, gs, gerr, ws, werr)
				}
				checked++
			}
		}
		b.Recycle()
	}
	if len(ev.ev.free)+len(ev.ev.used) == 0 {
		t.Error("no storage kept across documents: the test shows less than it could")
	}
	t.Logf("%d evaluations", checked)
}

// TestReuseForgetsSets: a string set remembered for a sequence in the
// evaluator's storage must not answer for the sequence that storage holds
// after Reuse.
func TestReuseForgetsSets(t *testing.T) {
	ev := NewEvaluator(&Env{})
	for cap(ev.ev.ones) != chunkSize || len(ev.ev.ones) > chunkSize-32 {
		ev.ev.seq(32) // on to a full-size chunk, the kind Reuse keeps
	}
	mk := func(v string) Seq {
		s := ev.ev.seq(20)
		for i := range 20 {
			s = append(s, String(fmt.Sprint(v, i)))
		}
		return s
	}
	off := len(ev.ev.ones)
	a := mk("a")
	for range setAfter + 2 {
		ev.ev.stringSet(a)
	}
	if ev.ev.stringSet(a) == nil {
		t.Fatal("no string set made: the test shows nothing")
	}
	ev.Reuse(&Env{})
	for cap(ev.ev.ones) != chunkSize {
		ev.ev.one(String("x"))
	}
	ev.ev.ones = ev.ev.ones[:off] // where a was
	b := mk("b")
	if &a[0] != &b[0] {
		t.Fatal("the storage of a is not reused: the test shows nothing")
	}
	for range setAfter + 2 {
		if set := ev.ev.stringSet(b); set != nil {
			if _, ok := set["b0"]; !ok {
				t.Fatal("a string set of the sequence before Reuse answers for another")
			}
		}
	}
}
