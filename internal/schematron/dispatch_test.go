package schematron

import (
	"testing"
)

// TestDispatchAgrees checks node-by-node matching of rule contexts against
// the plain evaluation of each context from the document node, on pattern
// shapes the e-invoice rules use and some they do not: positional and
// variable predicates, "//" inside a pattern, rooted and parenthesised
// patterns, wildcards, attributes, first-rule-wins within a pattern, and a
// predicate that raises an error (no match).
func TestDispatchAgrees(t *testing.T) {
	contexts := []string{
		"a:L[2]",
		"a:L[$two]",
		"a:L[$yes]",
		"a:L[last()]",
		"a:D//a:X",
		"a:D/a:L/a:X[. = 'x2']",
		"/a:D/a:L[@id = '1']/a:X",
		"/a:L",
		"(/a:D/a:L | /a:D/a:M)[@id != '3']",
		"(/a:D/a:L)[$two]",
		"*[@k]",
		"a:*[@id][not(a:X)]",
		"@id",
		"a:L/@k",
		"a:X[xs:decimal(.) > 1]",
		"a:L[a:X][@id = ('1', '3')]",
		"a:M | a:L[1]",
		"*:X",
		"a:D/*[2]",
		"node()",
		"text()",
		"a:L[some $x in a:X satisfies $x = 'x2']",
		"//a:X[//a:M]",
	}
	doc := `<p:D xmlns:p="urn:a">
  <p:L id="1" k="a"><p:X>x1</p:X><p:X>2</p:X></p:L>
  <p:L id="2"><p:X>x2</p:X></p:L>
  <p:M id="3" k="b"><p:X>3</p:X></p:M>
  <p:L id="3" k="c"/>
  <p:N><p:L id="4"><p:X>x2</p:X></p:L></p:N>
</p:D>`
	// Every context both alone in its pattern and after all the others (to
	// test first-rule-wins), each rule reporting where it matched.
	fast, a := reviewAgree(t, contexts, `<let name="two" value="2"/><let name="yes" value="true()"/>`, doc)
	compiled := 0
	for _, p := range fast.Patterns {
		for _, r := range p.Rules {
			compiled += len(r.dispatch.paths)
		}
	}
	if compiled < len(contexts) {
		t.Errorf("only %d branches compiled for node matching", compiled)
	}
	if len(a) < 30 {
		t.Errorf("only %d firings: the test document does not exercise the patterns", len(a))
	}
}
