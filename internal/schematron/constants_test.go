package schematron

import (
	"fmt"
	"strings"
	"testing"
)

// TestConstantLets: lets evaluated once at load (code lists, lets using
// them, pattern lets shadowing them) give the same reports and errors as
// evaluating every let per document; lets that depend on the document, the
// time or a failing expression are not taken as constants.
func TestConstantLets(t *testing.T) {
	var codes []string
	for i := 0; i < 40; i++ {
		codes = append(codes, fmt.Sprintf("C%02d", i))
	}
	list := strings.Join(codes, " ")
	schema := `<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><ns prefix="a" uri="urn:a"/>` +
		`<let name="L" value="tokenize('` + list + `', '\s')"/>` +
		`<let name="n" value="count($L)"/>` +
		`<let name="short" value="('C01', 'X')"/>` +
		`<let name="bad" value="xs:integer('x')"/>` +
		`<let name="first" value="/*/a:C[1]"/>` +
		`<let name="today" value="current-date()"/>` +
		`<let name="upper" value="upper-case(normalize-space(' c05 '))"/>` +
		`<pattern>` +
		`<rule context="a:C">` +
		`<assert id="IN" test="some $c in $L satisfies normalize-space(.) = $c">not in list</assert>` +
		`<assert id="SHORT" test="some $c in $short satisfies . = $c">not short</assert>` +
		`<assert id="N" test="$n = 40">count</assert>` +
		`<assert id="UP" test=". != $upper">upper</assert>` +
		`<assert id="FIRST" test=". = $first">first</assert>` +
		`<assert id="BAD" test="$bad = 1">bad</assert>` +
		`<assert id="TODAY" test="exists($today)">today</assert>` +
		`</rule></pattern>` +
		`<pattern><let name="L" value="('C07', 'C08')"/>` +
		`<rule context="a:C"><assert id="SHADOW" test="some $c in $L satisfies . = $c">shadowed</assert></rule></pattern>` +
		`</schema>`
	fast, plain := parseFastAndPlain(t, schema)
	if len(fast.consts) != 5 { // L, n, short, upper, and the pattern's L
		var names []string
		for l := range fast.consts {
			names = append(names, l.Name)
		}
		t.Errorf("constant lets %v, want L, n, short, upper and the pattern's L", names)
	}
	for _, doc := range []string{
		`<r xmlns:a="urn:a"><a:C>C01</a:C><a:C> C05 </a:C><a:C>C39</a:C><a:C>C40</a:C><a:C>X</a:C><a:C>C07</a:C></r>`,
		`<r xmlns:a="urn:a"><a:C>C05</a:C></r>`,
		`<r xmlns:a="urn:a"/>`,
	} {
		for round := 0; round < 3; round++ { // the sets are made once and reused
			a, aerr := fast.ValidateBytes([]byte(doc))
			p, perr := plain.ValidateBytes([]byte(doc))
			if fmt.Sprint(a) != fmt.Sprint(p) {
				t.Errorf("%s:\nconstants:\n%v\nplain:\n%v", doc, a, p)
			}
			if fmt.Sprint(aerr) != fmt.Sprint(perr) {
				t.Errorf("%s:\nconstants error: %v\nplain error: %v", doc, aerr, perr)
			}
		}
	}
}

// TestPatternLetScope: a pattern's lets are seen by its own rules only, and
// what they shadow is back for the next pattern, also for a name bound
// twice in one pattern.
func TestPatternLetScope(t *testing.T) {
	schema := `<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><ns prefix="a" uri="urn:a"/>` +
		`<let name="g" value="'global'"/>` +
		`<pattern><let name="g" value="'tmp'"/><let name="g" value="concat('p1', /*/a:C)"/><let name="only" value="'x'"/><let name="only" value="'y'"/>` +
		`<rule context="a:C"><assert id="P1G" test="$g = 'p1c'">g</assert><assert id="P1O" test="$only = 'y'">only</assert></rule></pattern>` +
		`<pattern><rule context="a:C"><assert id="P2G" test="$g = 'global'">g</assert>` +
		`<assert id="P2O" test="$only = 'y'">only</assert></rule></pattern>` +
		`</schema>`
	for _, s := range func() []*Schema { f, p := parseFastAndPlain(t, schema); return []*Schema{f, p} }() {
		for round := 0; round < 2; round++ {
			fs, err := s.ValidateBytes([]byte(`<r xmlns:a="urn:a"><a:C>c</a:C></r>`))
			if len(fs) != 0 {
				t.Errorf("failures %v", fs)
			}
			// $only is unbound in the second pattern: its assert is left
			// unevaluated, with an error naming it.
			if err == nil || !strings.Contains(err.Error(), "P2O") || strings.Contains(err.Error(), "P2G") || strings.Contains(err.Error(), "P1") {
				t.Errorf("error %v, want one for P2O only", err)
			}
		}
	}
}
