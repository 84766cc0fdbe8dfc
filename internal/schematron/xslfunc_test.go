package schematron

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fellesgo/felles/internal/xpath"
)

const funcSchema = `<?xml version="1.0" encoding="UTF-8"?>
<schema xmlns="http://purl.oclc.org/dsdl/schematron" xmlns:u="utils" queryBinding="xslt2">
  <ns prefix="xs" uri="http://www.w3.org/2001/XMLSchema"/>
  <ns prefix="u" uri="utils"/>
  <function xmlns="http://www.w3.org/1999/XSL/Transform" name="u:isDigits" as="xs:boolean">
    <param name="s" as="xs:string"/>
    <choose>
      <when test="not(matches($s, '^[0-9]+$'))"><sequence select="false()"/></when>
      <otherwise>
        <variable name="n" as="xs:integer"><value-of select="string-length($s)"/></variable>
        <sequence select="$n mod 2 = 0"/>
      </otherwise>
    </choose>
  </function>
  <function xmlns="http://www.w3.org/1999/XSL/Transform" name="u:sumDigits" as="xs:integer">
    <param name="s" as="xs:string"/>
    <sequence select="if ($s = '') then 0 else xs:integer(substring($s, 1, 1)) + u:sumDigits(substring($s, 2))"/>
  </function>
  <function xmlns="http://www.w3.org/1999/XSL/Transform" name="u:ge" as="xs:boolean">
    <param name="a" as="xs:decimal"/>
    <param name="b" as="xs:decimal"/>
    <value-of select="$a &gt;= $b"/>
  </function>
  <function xmlns="http://www.w3.org/1999/XSL/Transform" name="u:chars" as="xs:boolean">
    <param name="s"/>
    <variable name="allowed">ABC</variable>
    <value-of select="translate($s, $allowed, '') = ''"/>
  </function>
  <function xmlns="http://www.w3.org/1999/XSL/Transform" name="u:loop" as="xs:integer">
    <param name="n" as="xs:integer"/>
    <sequence select="u:loop($n + 1)"/>
  </function>
  <pattern>
    <rule context="/Doc">
      <assert id="DIGITS" flag="fatal" test="u:isDigits(Id)">id</assert>
      <assert id="SUM" flag="fatal" test="u:sumDigits(Id) = 10">sum <value-of select="u:sumDigits(Id)"/></assert>
      <assert id="GE" flag="fatal" test="u:ge(A, B)">ge</assert>
      <assert id="CHARS" flag="fatal" test="u:chars(C)">chars</assert>
    </rule>
  </pattern>
</schema>`

func ids(fs []Failure) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.RuleID)
	}
	return strings.Join(s, ",")
}

func TestXSLFunction(t *testing.T) {
	s, err := Parse([]byte(funcSchema))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Functions) != 5 || s.Functions["{utils}sumDigits"] == nil {
		t.Fatalf("functions: %v", s.Functions)
	}
	for _, c := range []struct{ doc, want string }{
		{`<Doc><Id>1234</Id><A>10.5</A><B>9</B><C>ABBA</C></Doc>`, ""},
		{`<Doc><Id>123</Id><A>1</A><B>1.0</B><C>AB</C></Doc>`, "DIGITS,SUM"},
		{`<Doc><Id>12a4</Id><A>1</A><B>2</B><C>ABD</C></Doc>`, "DIGITS,GE,CHARS"},
	} {
		fs, err := s.ValidateBytes([]byte(c.doc))
		if c.want == "DIGITS,GE,CHARS" {
			// u:sumDigits('12a4') fails casting 'a': the assert is skipped with an error.
			if err == nil || !strings.Contains(err.Error(), "SUM") {
				t.Errorf("%s: want an error for SUM, got %v", c.doc, err)
			}
		} else if err != nil {
			t.Errorf("%s: %v", c.doc, err)
		}
		if got := ids(fs); got != c.want {
			t.Errorf("%s: fired %q, want %q", c.doc, got, c.want)
		}
	}
	// Functions calling no extension function run without a call state of
	// their own; the recursive ones keep theirs (and their depth limit).
	leaf := map[string]bool{}
	for _, f := range s.xslFuncs {
		leaf[f.name] = f.leaf
	}
	if want := map[string]bool{"u:isDigits": true, "u:sumDigits": false, "u:ge": true, "u:chars": true, "u:loop": false}; !reflect.DeepEqual(leaf, want) {
		t.Errorf("leaf functions %v, want %v", leaf, want)
	}
	// Direct call, and runaway recursion is an error, not a crash.
	r, err := s.Functions["{utils}sumDigits"](nil, []xpath.Seq{{xpath.Untyped("9876")}})
	if err != nil || len(r) != 1 || xpath.StringOf(r[0]) != "30" {
		t.Errorf("sumDigits = %v, %v", r, err)
	}
	if _, err := s.Functions["{utils}loop"](nil, []xpath.Seq{{xpath.Untyped("1")}}); err == nil || !strings.Contains(err.Error(), "depth") {
		t.Errorf("loop: want a depth error, got %v", err)
	}
	if _, err := s.Functions["{utils}ge"](nil, []xpath.Seq{{xpath.Untyped("1")}}); err == nil {
		t.Error("wrong arity: want an error")
	}
}

func TestXSLFunctionErrors(t *testing.T) {
	for _, body := range []string{
		`<function xmlns="http://www.w3.org/1999/XSL/Transform" name="nofix"><sequence select="1"/></function>`,
		`<function xmlns="http://www.w3.org/1999/XSL/Transform" name="q:f"><sequence select="1"/></function>`,
		`<function xmlns="http://www.w3.org/1999/XSL/Transform" name="u:f"><for-each select="1"/></function>`,
		`<function xmlns="http://www.w3.org/1999/XSL/Transform" name="u:f"><sequence select="1 +"/></function>`,
		`<function xmlns="http://www.w3.org/1999/XSL/Transform" name="u:f"/><function xmlns="http://www.w3.org/1999/XSL/Transform" name="u:f"/>`,
	} {
		src := `<schema xmlns="http://purl.oclc.org/dsdl/schematron" xmlns:u="utils">` + body + `</schema>`
		if _, err := Parse([]byte(src)); err == nil {
			t.Errorf("%s: want an error", body)
		}
	}
}

// TestPeppolExamples: the Peppol rules fire no assert on the official example
// documents (as the reference run with Saxon shows).
func TestPeppolExamples(t *testing.T) {
	base := filepath.Join(sharedDir, "conformance", "peppol-bis-3.0.19")
	schPath := filepath.Join(base, "sch", "PEPPOL-EN16931-UBL.sch")
	if _, err := os.Stat(schPath); err != nil {
		t.Skipf("shared conformance material not found (%v)", err)
	}
	s, err := LoadFile(schPath)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(base, "examples", "*.xml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := s.ValidateBytes(data)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
		for _, x := range fs {
			t.Errorf("%s: %s (%s) at %s: %s", filepath.Base(f), x.RuleID, x.Flag, x.Location, x.Message)
		}
	}
	t.Logf("%d example documents", len(files))
}

func TestHasType(t *testing.T) {
	dec, _ := xpath.Parse("1.5")
	one, _ := xpath.Parse("1")
	d, _ := xpath.Eval(dec, nil, nil)
	i, _ := xpath.Eval(one, nil, nil)
	for _, c := range []struct {
		v    xpath.Seq
		atom string
		want bool
	}{
		{d, "decimal", true}, {i, "decimal", false}, {i, "integer", true},
		{xpath.Seq{xpath.Untyped("1")}, "decimal", false}, {xpath.Seq{xpath.String("a")}, "string", true},
		{xpath.Seq{xpath.Boolean(true), xpath.Untyped("x")}, "boolean", false}, {nil, "decimal", true},
	} {
		if got := hasType(c.v, c.atom); got != c.want {
			t.Errorf("hasType(%v, %s) = %v", c.v, c.atom, got)
		}
	}
}
