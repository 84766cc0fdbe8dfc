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
// and memoised, on every item, as a test and as a value (see numCompare).
func reviewCompare(t *testing.T, doc string, srcs []string) {
	t.Helper()
	numCompare(t, doc, nil, srcs)
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
