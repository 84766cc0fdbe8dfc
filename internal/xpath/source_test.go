package xpath

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	nsSch   = "http://purl.oclc.org/dsdl/schematron"
	nsXSL   = "http://www.w3.org/1999/XSL/Transform"
	confRel = "../../../shared/conformance"
)

// srcExpr is one XPath expression found in an official source file.
type srcExpr struct {
	File string
	Line int
	Kind string // e.g. "rule/@context", "assert/@test", "let/@value", "xsl:variable/@select"
	Rule string // assert/report id, or let/variable/function name
	Text string
}

// schCounts are structural counts of a Schematron file.
type schCounts struct {
	Patterns, Rules, Asserts, Reports, Lets, Params, Functions int
	Flags                                                      map[string]int
	NS                                                         map[string]string
}

func confDir(t testing.TB) string {
	t.Helper()
	d := filepath.FromSlash(confRel)
	if _, err := os.Stat(d); err != nil {
		t.Skipf("conformance material not found at %s (it lives outside the module; see ../shared/conformance/README.md from the project root): %v", d, err)
	}
	return d
}

func attr(se xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// extract reads a Schematron (.sch) or compiled XSLT file and returns every
// XPath expression in it: Schematron rule/@context, assert|report/@test,
// let/@value, value-of/@select and name/@path (in messages), and in the XSLT
// namespace (xsl:function bodies in .sch, everything in .xslt) @select,
// @test, and the patterns @match and @count.
func extract(t testing.TB, path string) ([]srcExpr, schCounts) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := schCounts{Flags: map[string]int{}, NS: map[string]string{}}
	d := xml.NewDecoder(f)
	var out []srcExpr
	var stack []string // names for context (function / rule id)
	curID := ""
	base := filepath.Base(path)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			if _, ok := tok.(xml.EndElement); ok && len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		line, _ := d.InputPos()
		name := se.Name.Local
		label := name
		if se.Name.Space == nsXSL {
			label = "xsl:" + name
		}
		id, _ := attr(se, "id")
		if n, ok := attr(se, "name"); ok && id == "" {
			id = n
		}
		if id != "" {
			curID = id
		} else if len(stack) > 0 {
			curID = stack[len(stack)-1]
		}
		stack = append(stack, curID)
		add := func(attrName, kind string) {
			if v, ok := attr(se, attrName); ok {
				out = append(out, srcExpr{File: base, Line: line, Kind: kind, Rule: curID, Text: v})
			}
		}
		switch se.Name.Space {
		case nsSch:
			switch name {
			case "pattern":
				c.Patterns++
			case "rule":
				c.Rules++
				add("context", "rule/@context")
			case "assert", "report":
				if name == "assert" {
					c.Asserts++
				} else {
					c.Reports++
				}
				fl, _ := attr(se, "flag")
				c.Flags[fl]++
				add("test", name+"/@test")
			case "let":
				c.Lets++
				add("value", "let/@value")
			case "param": // abstract-pattern parameter (UBL binding)
				c.Params++
				add("value", "param/@value")
			case "value-of":
				add("select", "value-of/@select")
			case "name":
				add("path", "name/@path")
			case "ns":
				p, _ := attr(se, "prefix")
				u, _ := attr(se, "uri")
				c.NS[p] = u
			}
		case nsXSL:
			if name == "function" {
				c.Functions++
			}
			add("select", label+"/@select")
			add("test", label+"/@test")
			add("match", label+"/@match")
			add("count", label+"/@count")
		}
	}
	return out, c
}

type source struct {
	Name  string
	Files []string // relative to confDir
}

var schSources = []source{
	{"Peppol BIS 3.0.19 (sch/*.sch)", []string{
		"peppol-bis-3.0.19/sch/PEPPOL-EN16931-UBL.sch",
		"peppol-bis-3.0.19/sch/CEN-EN16931-UBL.sch",
		"peppol-bis-3.0.19/sch/PEPPOL-EN16931-CII.sch",
		"peppol-bis-3.0.19/sch/CEN-EN16931-CII.sch",
	}},
	{"CEN 1.3.16 preprocessed UBL", []string{
		"cen-en16931-1.3.16/schematron/preprocessed/EN16931-UBL-validation-preprocessed.sch",
	}},
}

var cenSourceFiles = source{"CEN 1.3.16 Schematron sources (driver, abstract, UBL-bound, codelist)", []string{
	"cen-en16931-1.3.16/schematron/EN16931-UBL-validation.sch",
	"cen-en16931-1.3.16/schematron/abstract/EN16931-model.sch",
	"cen-en16931-1.3.16/schematron/abstract/EN16931-syntax.sch",
	"cen-en16931-1.3.16/schematron/UBL/EN16931-UBL-model.sch",
	"cen-en16931-1.3.16/schematron/UBL/EN16931-UBL-syntax.sch",
	"cen-en16931-1.3.16/schematron/codelist/EN16931-UBL-codes.sch",
}}

var xsltSources = []source{
	{"Peppol 3.0.20 compiled XSLT", []string{
		"xslt/peppol-3.0.20/PEPPOL-EN16931-UBL.xslt",
		"xslt/peppol-3.0.20/CEN-EN16931-UBL.xslt",
	}},
	{"Peppol 3.0.21 compiled XSLT", []string{
		"xslt/peppol-3.0.21/PEPPOL-EN16931-UBL.xslt",
		"xslt/peppol-3.0.21/CEN-EN16931-UBL.xslt",
	}},
}

func allExprs(t testing.TB, srcs []source) []srcExpr {
	dir := confDir(t)
	var all []srcExpr
	for _, s := range srcs {
		for _, f := range s.Files {
			e, _ := extract(t, filepath.Join(dir, filepath.FromSlash(f)))
			all = append(all, e...)
		}
	}
	return all
}

// wantExprCounts pins how many expressions extract finds per source, so a
// silent extraction regression cannot make the parse tests vacuous.
var wantExprCounts = map[string]int{
	"Peppol BIS 3.0.19 (sch/*.sch)": 2497,
	"CEN 1.3.16 preprocessed UBL":   1083,
	"Peppol 3.0.20 compiled XSLT":   2975,
	"Peppol 3.0.21 compiled XSLT":   2998,
	cenSourceFiles.Name:             2129,
}

func parseAllSources(t *testing.T, srcs []source) {
	dir := confDir(t)
	for _, s := range srcs {
		total, failed := 0, 0
		for _, f := range s.Files {
			exprs, c := extract(t, filepath.Join(dir, filepath.FromSlash(f)))
			byKind := map[string]int{}
			for _, x := range exprs {
				byKind[x.Kind]++
				total++
				if _, err := Parse(x.Text); err != nil {
					failed++
					if failed <= 30 {
						t.Errorf("%s:%d %s %s: %v\n\t%s", x.File, x.Line, x.Kind, x.Rule, err, oneLine(x.Text))
					}
				}
			}
			t.Logf("%s: patterns=%d rules=%d asserts=%d reports=%d lets=%d params=%d xsl:functions=%d flags=%v exprs=%d %v",
				f, c.Patterns, c.Rules, c.Asserts, c.Reports, c.Lets, c.Params, c.Functions, c.Flags, len(exprs), byKind)
		}
		t.Logf("%s: parsed %d/%d expressions, %d failures", s.Name, total-failed, total, failed)
		if want, ok := wantExprCounts[s.Name]; ok && total != want {
			t.Errorf("%s: extracted %d expressions, want %d (extraction changed or sources updated?)", s.Name, total, want)
		}
		if total == 0 {
			t.Errorf("%s: no expressions found", s.Name)
		}
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// TestParseOfficialSchematron is the milestone: every expression in the
// official Peppol and CEN Schematron parses.
func TestParseOfficialSchematron(t *testing.T) {
	parseAllSources(t, append(append([]source{}, schSources...), cenSourceFiles))
}

// TestParseOfficialXSLT parses every @select/@test/@match/@count of the
// compiled XSLTs.
func TestParseOfficialXSLT(t *testing.T) { parseAllSources(t, xsltSources) }

// TestRoundTripOfficial checks parse(print(parse(x))) == parse(x).
func TestRoundTripOfficial(t *testing.T) {
	exprs := allExprs(t, append(append([]source{cenSourceFiles}, schSources...), xsltSources...))
	n := 0
	for _, x := range exprs {
		e1, err := Parse(x.Text)
		if err != nil {
			continue // reported by the parse tests
		}
		s1 := e1.String()
		e2, err := Parse(s1)
		if err != nil {
			t.Errorf("%s:%d reparse of printed form failed: %v\n\tprinted: %s", x.File, x.Line, err, oneLine(s1))
			continue
		}
		if !equalExpr(e1, e2) {
			t.Errorf("%s:%d round trip changed AST\n\tprinted:   %s\n\treprinted: %s", x.File, x.Line, oneLine(s1), oneLine(e2.String()))
			continue
		}
		n++
	}
	t.Logf("round-tripped %d expressions", n)
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000)
	if _, err := Parse(deep); !errors.Is(err, ErrTooDeep) {
		t.Errorf("deep parens: got %v, want ErrTooDeep", err)
	}
	chain := "1" + strings.Repeat(" + 1", 10000)
	if _, err := Parse(chain); !errors.Is(err, ErrTooDeep) {
		t.Errorf("long chain: got %v, want ErrTooDeep", err)
	}
	neg := strings.Repeat("-", 10000) + "1"
	if _, err := Parse(neg); !errors.Is(err, ErrTooDeep) {
		t.Errorf("unary chain: got %v, want ErrTooDeep", err)
	}
	preds := "a" + strings.Repeat("[b", 10000) + strings.Repeat("]", 10000)
	if _, err := Parse(preds); !errors.Is(err, ErrTooDeep) {
		t.Errorf("nested predicates: got %v, want ErrTooDeep", err)
	}
	long := strings.Repeat("a", 100)
	if _, err := ParseOptions(long, Options{MaxLength: 10}); !errors.Is(err, ErrTooLong) {
		t.Errorf("long: got %v, want ErrTooLong", err)
	}
	var pe *Error
	if _, err := Parse("1 +"); !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) {
		t.Errorf("syntax: got %v, want *Error wrapping ErrSyntax", err)
	}
}
