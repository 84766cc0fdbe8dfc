package xpath

import (
	"fmt"
	"math/big"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
)

// numCompare checks each expression, prepared and compiled (Prepare,
// CompileValue, CompileTest), against its plain evaluation at every item
// of doc: the same value with the same types, the same boolean value, an
// error where the plain evaluation has one. It returns how many of the
// expressions have a compiled part.
func numCompare(t *testing.T, doc string, vars map[string]Seq, srcs []string) (compiled int) {
	t.Helper()
	items := reviewItems(t, doc)
	ns := map[string]string{"a": "urn:a", "b": "urn:b"}
	for _, src := range srcs {
		plain, err := Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		fast, _ := Parse(src)
		fenv := &Env{Namespaces: ns, Memo: NewMemo(), Vars: vars}
		if err := Prepare(fast, fenv); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		value, test := CompileValue(fast), CompileTest(fast)
		found := false
		for _, x := range []Expr{value, test} {
			Walk(x, func(x Expr) bool {
				switch x.(type) {
				case *numExpr, *boolExpr:
					found = true
				}
				return !found
			})
		}
		if found {
			compiled++
		}
		penv := &Env{Namespaces: ns, Vars: vars}
		for _, it := range items {
			ws, werr := Eval(plain, it, penv)
			gs, gerr := NewEvaluator(fenv).Eval(value, it)
			if (gerr == nil) != (werr == nil) || (gerr == nil && reviewShow(ws) != reviewShow(gs)) {
				t.Errorf("%s at %v: value compiled %v (%v), plain %v (%v)", src, it, reviewShow(gs), gerr, reviewShow(ws), werr)
			}
			want, werr := EvalBool(plain, it, penv)
			got, gerr := NewEvaluator(fenv).EvalBool(test, it)
			if (gerr == nil) != (werr == nil) || (gerr == nil && got != want) {
				t.Errorf("%s at %v: as test compiled %v (%v), plain %v (%v)", src, it, got, gerr, want, werr)
			}
		}
	}
	return compiled
}

func TestNumericCases(t *testing.T) {
	doc := `<r xmlns:a="urn:a"><a:L n="2"><a:A>1000.37</a:A><a:T>250.09</a:T><a:P>25</a:P><a:Q>3</a:Q><a:X>x</a:X>` +
		`<a:S><a:N>10.5</a:N></a:S><a:S><a:N>-0.25</a:N></a:S><a:S><a:N>NaN</a:N></a:S><a:B>123456789012345678901</a:B>` +
		`<a:E/><a:I>4</a:I><a:I>5</a:I></a:L></r>`
	vars := map[string]Seq{"d": {decSmall(5, 1)}, "i": {newInt(3)}, "f": {Double(0.5)}, "s": {String("1")},
		"u": {Untyped("2.5")}, "e": nil, "two": {newInt(1), newInt(2)}, "big": {decRat(big.NewRat(1, 3))}}
	n := numCompare(t, doc, vars, []string{
		// the calculation rules' shapes
		"xs:decimal(a:T) = round(xs:decimal(a:A) * (xs:decimal(a:P) div 100) * 10 * 10) div 100",
		"(abs(xs:decimal(a:T)) - 1 < round((abs(xs:decimal(a:A)) * (xs:decimal(a:P) div 100)) * 10 * 10) div 100) and " +
			"(abs(xs:decimal(a:T)) + 1 > round((abs(xs:decimal(a:A)) * (xs:decimal(a:P) div 100)) * 10 * 10) div 100)",
		"count(a:S) eq 3", "count(a:S/a:N) = 3", "count(a:I) ne 2",
		"sum(a:S/xs:decimal(a:N)) = 10.25", "sum(a:I) = 9", "sum(a:I/xs:decimal(.)) * 2", "sum(a:E)", "sum(a:S/a:N)",
		"sum(a:X)", "sum(a:L)", "sum(*/xs:decimal(a:N))", "sum(a:S[1]/xs:decimal(a:N))", "sum(a:S[a:N > 0]/xs:decimal(a:N))",
		"if (a:P) then xs:decimal(a:P) else 0", "if (a:Z) then xs:decimal(a:Z) else 1",
		"round(xs:decimal(a:A))", "round(-2.5)", "round(2.5)", "round(-0.25)", "round(xs:double(a:A))", "round(a:A)",
		"abs(xs:decimal(a:A) * -1)", "floor(-1.5)", "ceiling(-1.5)", "floor(a:A)", "ceiling(xs:decimal(a:A))",
		"-xs:decimal(a:A)", "- a:A", "+a:A", "-a:E", "-(1)", "-(1.0)",
		"xs:decimal(a:A) - 1", "a:A - 1", "xs:decimal(a:A - 1)", "xs:decimal(a:Q - 1)", "xs:decimal(a:X)", "xs:decimal(a:B)",
		"xs:decimal(a:I)", "xs:decimal(a:E)", "xs:decimal(a:Z)", "xs:decimal(a:B) + 1", "xs:decimal(1e3)", "xs:decimal(1.5e0)",
		"xs:decimal(normalize-space(a:P))", "xs:decimal(@n)", "xs:decimal(.)", "xs:decimal(true())",
		"1 div 3", "1 div 4", "1.0 div 0", "1 div 0", "1e0 div 0", "xs:decimal(a:A) div 0", "7 div 7", "10 div 4 * 4",
		"9223372036854775807 + 1", "9223372036854775807 * 2", "3037000500 * 3037000500", "-9223372036854775807 - 2",
		"0.000000001 * 0.0000000001 * 10", "1000000000000.5 * 1000000000.25",
		"$d * 2", "$i * $i", "$i div 2", "$f + $d", "$s + 1", "$u + 1", "$e + 1", "$two + 1", "$big + 1", "$big > 0",
		"$d = 0.5", "$d eq 0.5", "$u = 2.5", "$u eq 2.5", "$s = 1", "$two = 1", "$e = 1",
		"a:A > 1000", "a:A = xs:decimal('1000.37')", "a:A eq 1000.37", "a:S/a:N > 0", "a:S/a:N = 10.5", "a:X = 1",
		"a:N = 1 + 0", "1 + 0 = a:N", "xs:decimal(a:A) = 1000.370", "xs:decimal(a:A) != 1000.37", "1e0 = 1.0", "1.0 != 1e0",
		"0 div 0e0 = 0 div 0e0", "0 div 0e0 != 1", "0 div 0e0 ne 1", "0 div 0e0 < 1",
		"xs:decimal(a:B) > 1", "xs:decimal(a:A) * 1000000000000 > 1", "99999999999999999 * 10 > 1",
		"sum(a:S/xs:decimal(a:N)) + sum(a:I)", "round(sum(a:I) div 2)", "sum(a:I) div count(a:I)", "count(*) * 1.5",
		"(a:A, a:T)[1] + 1", "string(xs:decimal(a:A) + 1)", "string(a:I[1] + 1)", "concat(xs:decimal(a:A) div 4, '')",
		"every $r in xs:decimal(a:P) satisfies $r = 25", "some $x in a:S/xs:decimal(a:N) satisfies $x < 0",
		"for $x in a:I return $x * 2", "sum(for $x in a:I return xs:decimal($x) * 2)",
		// variables as strings
		"$s = '1'", "$u = '2.5'", "'1' != $s", "$d = '0.5'", "$two = '1'", "$e = ''", "$e != ''", "contains($s, '1')",
		"starts-with($u, '2')", "starts-with($d, '0')", "normalize-space($two)", "normalize-space($u) = '2.5'",
		"string-length($s) = 1", "string-length($two) = 1", "xs:decimal($s) + 1", "xs:decimal($d) + 1", "xs:decimal($u) * 2",
		"xs:decimal($two)", "xs:decimal($e)", "upper-case($s) = '1'", "contains(' 1 2 ', concat(' ', $s, ' '))",
		"a:A = a:T", "a:A != a:T", "@n = $s", "$s = $u", "$s != $u", "normalize-space(a:X) != a:X", "a:I = a:I", "a:I != a:I",
		"a:S/a:N = $s", "$two = $s", "$two != $s", "$e = $s", "$e != $s", "$d = $s", "$i != $s", "$s = a:E", "a:Z = a:Z",
	})
	if n < 100 {
		t.Errorf("only %d expressions compiled", n)
	}
}

func TestNumericRandom(t *testing.T) {
	seed := int64(11)
	if s := os.Getenv("FELLES_NUM_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	r := rand.New(rand.NewSource(seed))
	vals := []string{"", " ", "1", "1.50", "-0", "NaN", "INF", "-INF", "12.5", "0", "1e2", "+1", "0.333", "x", "7", "-3.25",
		"1000.37", "99999999999999999999", "0.000000000000000001", "2.5", "-2.5", "100"}
	pick := func(a []string) string { return a[r.Intn(len(a))] }
	paths := []string{"a:N", "@n", "a:S/a:N", ".", "a:M", "a:S[1]/a:N", "../@n", "a:Z"}
	lits := []string{"0", "1", "2", "10", "100", "0.5", "1.5", "0.02", "1e0", "-1", "3", "0.1"}
	var num func(d int) string
	num = func(d int) string {
		if d > 3 {
			switch r.Intn(3) {
			case 0:
				return pick(lits)
			case 1:
				return "xs:decimal(" + pick(paths) + ")"
			}
			return pick(paths)
		}
		k := r.Intn(12)
		if d == 0 {
			k = r.Intn(9) // not a lone path or literal
		}
		switch k {
		case 0, 1:
			return "(" + num(d+1) + " " + pick([]string{"+", "-", "*", "div"}) + " " + num(d+1) + ")"
		case 2:
			return pick([]string{"round", "abs", "floor", "ceiling"}) + "(" + num(d+1) + ")"
		case 3:
			return "sum(" + pick([]string{"a:S/xs:decimal(a:N)", "a:N", "a:S/a:N", "a:M", "*/xs:decimal(@n)", "a:S[a:N > 1]/xs:decimal(a:N)"}) + ")"
		case 4:
			return "count(" + pick([]string{"a:N", "a:S", "*", "@*", "a:S/a:N"}) + ")"
		case 5:
			return "xs:decimal(" + pick(paths) + ")"
		case 6:
			return "(if (" + pick(paths) + ") then " + num(d+1) + " else " + num(d+1) + ")"
		case 7:
			return "-" + num(d+1)
		case 8:
			return "xs:decimal(" + num(d+1) + ")"
		case 9:
			return pick(paths)
		}
		return pick(lits)
	}
	ops := []string{"=", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "le", "gt", "ge"}
	total := 0
	for round := 0; round < 40; round++ {
		var b strings.Builder
		b.WriteString(`<r xmlns:a="urn:a" xmlns:b="urn:b">`)
		for i := 0; i < 3; i++ {
			fmt.Fprintf(&b, `<a:L n="%s">`, pick(vals))
			for j := r.Intn(3); j > 0; j-- {
				fmt.Fprintf(&b, `<a:N>%s</a:N>`, pick(vals))
			}
			for j := r.Intn(3); j > 0; j-- {
				fmt.Fprintf(&b, `<a:S n="%s"><a:N>%s</a:N></a:S>`, pick(vals), pick(vals))
			}
			if r.Intn(2) == 0 {
				fmt.Fprintf(&b, `<a:M>%s</a:M>`, pick(vals))
			}
			b.WriteString(`</a:L>`)
		}
		b.WriteString(`</r>`)
		var exprs []string
		for k := 0; k < 30; k++ {
			if r.Intn(2) == 0 {
				exprs = append(exprs, num(0))
			} else {
				exprs = append(exprs, num(1)+" "+pick(ops)+" "+num(1))
			}
		}
		total += numCompare(t, b.String(), nil, exprs)
		if t.Failed() {
			return
		}
	}
	if total < 1100 {
		t.Errorf("only %d expressions compiled", total)
	}
}

// TestNumericGiveUpNested: compiled arithmetic that gives up is evaluated
// again by the general evaluator, without trying the compiled arithmetic
// inside it again; else each level of nesting would double the work. The
// work is counted in allocations: from 6 to 12 levels it may grow with
// the square of the depth, not 64-fold.
func TestNumericGiveUpNested(t *testing.T) {
	d, err := ParseDocument(strings.NewReader(`<r xmlns:a="urn:a"><a:X>x</a:X><a:B>123456789012345678901</a:B></r>`))
	if err != nil {
		t.Fatal(err)
	}
	r := d.Root.Children[0]
	nest := func(depth int, leaf, wrap string) string {
		s := leaf
		for range depth {
			s = strings.ReplaceAll(wrap, "E", s)
		}
		return s
	}
	for _, c := range []struct{ leaf, wrap string }{
		{"xs:decimal(a:B)", "xs:decimal(string(E))"},                  // every level gives up: too many digits
		{"xs:decimal(a:X) > 0", "(if (E) then 1 else 2) > 0"},         // an error at the leaf
		{"xs:decimal(a:B) + 1", "abs(xs:decimal(string(E)) - 1) + 1"}, // arithmetic around it
	} {
		allocs := func(depth int) float64 {
			e, err := Parse(nest(depth, c.leaf, c.wrap))
			if err != nil {
				t.Fatal(err)
			}
			env := &Env{Namespaces: map[string]string{"a": "urn:a"}}
			if err := Prepare(e, env); err != nil {
				t.Fatal(err)
			}
			e = CompileValue(e)
			ev := NewEvaluator(env)
			return testing.AllocsPerRun(3, func() { ev.Eval(e, r) })
		}
		small, large := allocs(6), allocs(12)
		if large > 8*small {
			t.Errorf("%s nested: %.0f allocations at depth 6, %.0f at depth 12", c.wrap, small, large)
		}
	}
}
