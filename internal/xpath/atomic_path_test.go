package xpath

import (
	"strings"
	"testing"
)

// reviewItems returns every element and attribute of doc.
func reviewItems(t *testing.T, doc string) []Item {
	d, err := ParseDocument(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return docItems(d)
}

// docItems returns the document node and every element and attribute of d,
// in document order.
func docItems(d *Document) []Item {
	var items []Item
	var walk func(*Node)
	walk = func(n *Node) {
		items = append(items, n)
		for _, a := range n.Attrs {
			items = append(items, a)
		}
		for _, c := range n.Children {
			if c.Kind == ElementNode {
				walk(c)
			}
		}
	}
	walk(d.Root)
	return items
}

// reviewCompare evaluates src plainly (unprepared) and prepared, compiled
// and memoised, on every item, as a test and as a value; values are
// compared when neither evaluation fails.
func reviewCompare(t *testing.T, doc string, srcs []string) {
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

const reviewDoc = `<r xmlns:a="urn:a" xmlns:b="urn:b"><a:L id="1"><a:ID> </a:ID><a:N>0</a:N><a:N>0.0</a:N></a:L>` +
	`<a:L id="2"><a:ID>S</a:ID><a:ID>Z</a:ID><a:N>NaN</a:N><a:N>-0</a:N><a:M>INF</a:M></a:L><a:E/></r>`

func TestReviewExistsOfAtomicPath(t *testing.T) {
	reviewCompare(t, reviewDoc, []string{
		"exists(a:ID/normalize-space(.))",
		"exists(a:N/number(.))",
		"empty(a:ID/string(.))",
		"exists(a:L/a:ID/normalize-space())",
	})
}
