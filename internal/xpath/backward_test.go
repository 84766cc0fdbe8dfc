package xpath

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// TestBackwardPaths: existence of a path of child steps, answered from the
// name index backwards (anyBackward), agrees with plain evaluation from every
// node of random documents where the same names recur at several depths,
// under other parents and in two namespaces.
func TestBackwardPaths(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	pick := func(a []string) string { return a[r.Intn(len(a))] }
	elems := []string{"a:L", "a:I", "a:N", "a:S", "b:N", "a:T"}
	attrs := []string{"id", "n", "a:id"}
	steps := []string{"a:L", "a:I", "a:N", "a:S", "b:N", "a:T", "c"}
	var gen func(b *strings.Builder, depth int)
	gen = func(b *strings.Builder, depth int) {
		for i := r.Intn(4); i > 0; i-- {
			name := pick(elems)
			b.WriteString("<" + name)
			for j := r.Intn(2); j > 0; j-- {
				fmt.Fprintf(b, ` %s="x"`, pick(attrs))
			}
			b.WriteString(">")
			if depth < 4 {
				gen(b, depth+1)
			}
			b.WriteString("</" + name + ">")
		}
	}
	tried, backward := 0, 0
	for round := 0; round < 80; round++ {
		var b strings.Builder
		b.WriteString(`<r xmlns:a="urn:a" xmlns:b="urn:b">`)
		gen(&b, 0)
		b.WriteString(`</r>`)
		doc := b.String()
		var exprs []string
		for k := 0; k < 25; k++ {
			n := 2 + r.Intn(3)
			var parts []string
			for i := 0; i < n; i++ {
				parts = append(parts, pick(steps))
			}
			switch r.Intn(5) {
			case 0:
				parts[0] = "(" + pick(steps) + " | " + pick(steps) + ")"
			case 1:
				parts[n-1] = "@" + pick(attrs)
			}
			path := strings.Join(parts, "/")
			switch r.Intn(4) {
			case 0:
				path = "/r/" + path
			case 1:
				path = "/" + path
			}
			exprs = append(exprs, pick([]string{"exists", "empty", "not", "boolean"})+"("+path+")")
		}
		reviewCompare(t, doc, exprs)
		if t.Failed() {
			t.Logf("document: %s", doc)
			return
		}
		// The same paths straight through anyBackward, to see it decides
		// (and is right) for most of them.
		items := reviewItems(t, doc)
		ns := map[string]string{"a": "urn:a", "b": "urn:b"}
		for _, src := range exprs {
			arg := src[strings.Index(src, "(")+1 : len(src)-1]
			e, err := Parse(arg)
			if err != nil {
				t.Fatal(err)
			}
			if err := Prepare(e, &Env{Namespaces: ns}); err != nil {
				t.Fatal(err)
			}
			p, ok := e.(*Path)
			if !ok {
				continue
			}
			first, _ := p.Steps[0].Expr.(*AxisStep)
			var alts []*AxisStep
			if first == nil {
				alts = unionSteps(p.Steps[0].Expr)
			}
			for _, it := range items {
				start := it.(*Node)
				if p.Root == RootSlash {
					start = start.Root()
				}
				tried++
				found, ok := anyBackward(start, p.Root, first, alts, p.Steps)
				if !ok {
					continue
				}
				backward++
				want, err := EvalBool(&FuncCall{Name: QName{Local: "exists"}, Args: []Expr{e}}, it, &Env{Namespaces: ns})
				if err != nil {
					t.Fatal(err)
				}
				if found != want {
					t.Fatalf("%s at %v: backward %v, plain %v\ndocument: %s", arg, it, found, want, doc)
				}
			}
		}
	}
	t.Logf("anyBackward decided %d of %d", backward, tried)
	if backward < tried/2 {
		t.Errorf("anyBackward decided %d of %d searches, want most", backward, tried)
	}
}

// TestUpwardPaths: existence of paths that start up the tree (parent,
// ancestor, ancestor-or-self with name tests), answered without building
// the axis, agrees with plain evaluation at every node.
func TestUpwardPaths(t *testing.T) {
	var exprs []string
	for _, axis := range []string{"parent::", "ancestor::", "ancestor-or-self::", ".."} {
		for _, rest := range []string{"", "/a:X", "/a:L/a:X", "/@id", "/a:X[. = 'x2']"} {
			for _, name := range []string{"a:L", "a:D", "*", "b:N", "a:M"} {
				step := axis + name
				if axis == ".." {
					if name != "a:L" {
						continue
					}
					step = ".."
				}
				exprs = append(exprs, "exists("+step+rest+")", "not("+step+rest+")")
			}
		}
	}
	exprs = append(exprs, "not(ancestor::a:L/a:X) and exists(ancestor::*)", "ancestor::a:D[@k]", "exists(ancestor::node())")
	reviewCompare(t, `<a:D xmlns:a="urn:a" k="1"><a:L id="1"><a:X>x1</a:X><a:M><a:X>x2</a:X><a:L><a:N id="2"/></a:L></a:M></a:L><a:N><a:M/></a:N></a:D>`, exprs)
}
