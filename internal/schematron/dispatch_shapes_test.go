package schematron

import (
	"fmt"
	"strings"
	"testing"
)

// reviewAgree compares node matching with the plain evaluation of the
// contexts, each alone in a pattern and all in one pattern.
func reviewAgree(t *testing.T, contexts []string, lets string, doc string) (fast *Schema, fired []Failure) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><ns prefix="a" uri="urn:a"/><ns prefix="b" uri="urn:b"/>` + lets)
	rule := func(i int, c string) string {
		return fmt.Sprintf(`<rule context="%s"><report id="R%d" test="true()">m</report></rule>`, strings.ReplaceAll(c, "'", "&apos;"), i)
	}
	for i, c := range contexts {
		fmt.Fprintf(&b, `<pattern id="alone%d">%s</pattern>`, i, rule(i, c))
	}
	b.WriteString(`<pattern id="all">`)
	for i, c := range contexts {
		b.WriteString(rule(i, c))
	}
	b.WriteString(`</pattern></schema>`)
	fast, plain := parseFastAndPlain(t, b.String())
	a, aerr := fast.ValidateBytes([]byte(doc))
	p, perr := plain.ValidateBytes([]byte(doc))
	if fmt.Sprint(a) != fmt.Sprint(p) {
		t.Errorf("node matching:\n%v\nplain evaluation:\n%v", a, p)
	}
	if fmt.Sprint(unrecovered(aerr)) != fmt.Sprint(unrecovered(perr)) {
		t.Errorf("errors: %v / %v", aerr, perr)
	}
	return fast, a
}

const reviewDoc = `<p:D xmlns:p="urn:a" xmlns:q="urn:b" q:z="1">
  <p:L id="1" k="a"><p:X>x1</p:X><p:X>2</p:X><q:X>b</q:X></p:L>
  <p:L id="2"><p:X>x2</p:X></p:L>
  <p:M id="3" k="b"><p:X>3</p:X></p:M>
  <p:L id="3" k="c"/>
  <p:N><p:L id="4"><p:X>x2</p:X><X>none</X></p:L></p:N>
</p:D>`

func TestReviewDispatchShapes(t *testing.T) {
	reviewAgree(t, []string{
		"a:L[$str]", "a:L[$nodes]", "a:L[$empty]", "a:L[$two]", "a:L[$dec]", "a:L[$dbl]",
		"a:L[count(a:X)]", "a:L[number(@id)]", "a:L[a:X/number(.)]", "a:L[a:X/string(.)]",
		"a:D//a:X[1]", "a:N//a:X", "a:L/@*", "@*", "*:X", "X", "b:*", "@b:z", "/a:D/@*", "/*",
		"a:L[a:X[xs:decimal(.) > 1]]", "a:L[xs:integer(@id) = 2]", "a:L[@id = 1]", "a:L[@id = '1'] | a:L[@id = 2]",
		"a:L[(@id)]", "a:L[(1)]", "a:L[@k][2]", "a:L[2][@k]", "a:D/*[@k = 'c']", "a:L[not(a:X)]",
		"a:L[a:X = 'x2']/a:X", "a:L[if (@k) then 1 else 2]", "a:L[a:X/@missing]",
		"(//a:L | //a:M)[@k]", "(/a:D/a:L)[@k]", "(//a:X)[. = 'x2']", "(//a:L/@id | //a:M/@k)[. != '1']", "(//a:N//a:X | /a:D/a:M/a:X)[1 = 1]", "a:L//@id", "a:D//@*", "//a:L[1]//a:X[2]",
	}, `<let name="two" value="2"/><let name="str" value="'x'"/><let name="nodes" value="//a:X"/><let name="empty" value="()"/><let name="dec" value="1.0"/><let name="dbl" value="1e0"/>`, reviewDoc)
}

// parseFastAndPlain parses a schema twice: prepared as usual, and plain
// (every expression evaluated as written), for the tests to compare.
func parseFastAndPlain(t *testing.T, schema string) (fast, plain *Schema) {
	t.Helper()
	fast, err := Parse([]byte(schema))
	if err != nil {
		t.Fatal(err)
	}
	testSkipPrepare = true
	plain, err = Parse([]byte(schema))
	testSkipPrepare = false
	if err != nil {
		t.Fatal(err)
	}
	return fast, plain
}

// TestStringEqualsRecovered: a rule context's predicate src = 'literal'
// whose src raises an error at a node (two a:X where one string is
// wanted) does not match there and is reported as recovered, also when
// other rules compare the same src with other literals at that node.
func TestStringEqualsRecovered(t *testing.T) {
	schema := `<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><ns prefix="a" uri="urn:a"/><pattern>` +
		`<rule context="a:L[normalize-space(a:X) = 'x1']"><report id="A" test="true()">a</report></rule>` +
		`<rule context="a:L[normalize-space(a:X) = 'x2']"><report id="B" test="true()">b</report></rule>` +
		`</pattern></schema>`
	fast, plain := parseFastAndPlain(t, schema)
	for _, s := range []*Schema{fast, plain} {
		fs, err := s.ValidateBytes([]byte(reviewDoc))
		var ids []string
		for _, f := range fs {
			ids = append(ids, f.RuleID+" "+f.Location)
		}
		if fmt.Sprint(ids) != "[B /p:D[1]/p:L[2] B /p:D[1]/p:N[1]/p:L[1]]" {
			t.Errorf("fired %v", ids)
		}
		if err == nil || !strings.Contains(err.Error(), "a:L[normalize-space(a:X) = 'x1']") || !strings.Contains(err.Error(), "a:L[normalize-space(a:X) = 'x2']") {
			t.Errorf("recovered errors %v, want one for each rule", err)
		}
	}
}

// TestStringEqualsPerPattern: the strings of a source kept at a node for
// one pattern are not used for the next, whose lets may give the source
// another value.
func TestStringEqualsPerPattern(t *testing.T) {
	schema := `<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><ns prefix="a" uri="urn:a"/>` +
		`<pattern><let name="v" value="'x'"/><rule context="a:L[$v = 'x']"><report id="P1" test="true()">1</report></rule></pattern>` +
		`<pattern><let name="v" value="'y'"/><rule context="a:L[$v = 'x']"><report id="P2" test="true()">2</report></rule></pattern>` +
		`</schema>`
	fast, plain := parseFastAndPlain(t, schema)
	for _, s := range []*Schema{fast, plain} {
		// One a:L: the last node of the first pattern is the first of the
		// second.
		fs, err := s.ValidateBytes([]byte(`<r xmlns:a="urn:a"><a:L/></r>`))
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || fs[0].RuleID != "P1" {
			t.Errorf("reports %v, want P1 only", fs)
		}
	}
}
