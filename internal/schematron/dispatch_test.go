package schematron

import (
	"strings"
	"testing"

	"github.com/fellesgo/felles/internal/xpath"
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

// TestNamesRegisteredLater: a document parsed before the schema was loaded
// (its name index predates the schema's names) is matched as well.
func TestNamesRegisteredLater(t *testing.T) {
	doc, err := xpath.ParseDocument(strings.NewReader(`<x:R xmlns:x="urn:names-registered-later"><x:Late a="1"/><x:Late/></x:R>`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse([]byte(`<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><ns prefix="x" uri="urn:names-registered-later"/>` +
		`<pattern><rule context="x:R/x:Late"><report id="L" test="true()">late</report></rule><rule context="x:Late/@a"><report id="A" test="true()">a</report></rule></pattern></schema>`))
	if err != nil {
		t.Fatal(err)
	}
	fired, err := s.Validate(doc)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range fired {
		ids = append(ids, f.RuleID+" "+f.Location)
	}
	if got, want := strings.Join(ids, "; "), "L /x:R[1]/x:Late[1]; A /x:R[1]/x:Late[1]/@a; L /x:R[1]/x:Late[2]"; got != want {
		t.Errorf("fired %q, want %q", got, want)
	}
}
