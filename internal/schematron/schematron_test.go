package schematron

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const testSchema = `<?xml version="1.0" encoding="UTF-8"?>
<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <ns prefix="a" uri="urn:a"/>
  <let name="max" value="2"/>
  <phase id="p"><active pattern="P2"/></phase>
  <pattern id="P1">
    <let name="lines" value="count(//a:Line)"/>
    <rule context="a:Line[@special]">
      <assert id="SPECIAL" flag="warning" test="false()">special line <value-of select="@id"/></assert>
    </rule>
    <rule context="a:Line">
      <let name="v" value="number(a:Amount)"/>
      <assert id="MAX" flag="fatal" test="$v &lt;= $max">[MAX]-<name/> amount <value-of select="$v"/> of <value-of select="$lines"/> lines</assert>
      <report id="REP" flag="fatal" test="a:Note">note present</report>
    </rule>
    <rule context="/a:Doc">
      <assert id="HAS-LINE" flag="fatal" test="a:Line">no line</assert>
    </rule>
    <rule context="@currency">
      <assert id="CUR" flag="fatal" test=". = 'EUR'">bad currency</assert>
    </rule>
  </pattern>
  <pattern id="P2">
    <rule context="a:Line">
      <assert id="P2-ID" flag="fatal" test="@id">line without id</assert>
    </rule>
  </pattern>
</schema>`

const testDoc = `<x:Doc xmlns:x="urn:a">
  <x:Line id="1"><x:Amount currency="EUR">1</x:Amount></x:Line>
  <x:Line id="2" special="y"><x:Amount>5</x:Amount></x:Line>
  <x:Line><x:Amount currency="USD">3</x:Amount><x:Note/></x:Line>
</x:Doc>`

func TestValidate(t *testing.T) {
	s, err := Parse([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := s.ValidateBytes([]byte(testDoc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.RuleID+"|"+f.Flag+"|"+f.Location+"|"+f.Message)
	}
	want := []string{
		// P1: line 2 is owned by the first (SPECIAL) rule only.
		"SPECIAL|warning|/x:Doc[1]/x:Line[2]|special line 2",
		"MAX|fatal|/x:Doc[1]/x:Line[3]|[MAX]-x:Line amount 3 of 3 lines",
		"REP|fatal|/x:Doc[1]/x:Line[3]|note present",
		"CUR|fatal|/x:Doc[1]/x:Line[3]/x:Amount[1]/@currency|bad currency",
		// P2 (phases are ignored).
		"P2-ID|fatal|/x:Doc[1]/x:Line[3]|line without id",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	fs, err = s.ValidateBytes([]byte(`<Doc xmlns="urn:a"/>`))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].RuleID != "HAS-LINE" || fs[0].Location != "/Doc[1]" {
		t.Errorf("empty doc: %+v", fs)
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{
		`<schema xmlns="urn:other"/>`,
		`<schema xmlns="http://purl.oclc.org/dsdl/schematron"><pattern><rule context="a["/></pattern></schema>`,
		`<schema xmlns="http://purl.oclc.org/dsdl/schematron"><pattern><rule context="x"><assert test="1 +"/></rule></pattern></schema>`,
		`<schema xmlns="http://purl.oclc.org/dsdl/schematron"><pattern abstract="true" id="a"/></schema>`,
	} {
		if _, err := Parse([]byte(src)); !errors.Is(err, ErrSchema) {
			t.Errorf("Parse(%q) = %v, want ErrSchema", src, err)
		}
	}
	if _, err := Parse([]byte(`<!DOCTYPE x><schema/>`)); err == nil {
		t.Error("DOCTYPE accepted")
	}
}

func TestEvalErrorReported(t *testing.T) {
	s, err := Parse([]byte(`<schema xmlns="http://purl.oclc.org/dsdl/schematron"><pattern>
	  <rule context="/*"><assert id="U" test="nosuch(.)">x</assert><assert id="F" test="false()">f</assert></rule>
	</pattern></schema>`))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := s.ValidateBytes([]byte(`<r/>`))
	if err == nil {
		t.Error("no error for unknown function")
	}
	if len(fs) != 1 || fs[0].RuleID != "F" {
		t.Errorf("failures %+v", fs)
	}
}

// TestWriteSchematronRoundTrip writes every official schema (Schematron and
// compiled XSLT) back as normalised Schematron and checks that it reads back
// to the same rules and gives the same verdicts on the official examples.
func TestWriteSchematronRoundTrip(t *testing.T) {
	conf := filepath.Join(sharedDir, "conformance")
	paths := []string{
		filepath.Join(conf, "peppol-bis-3.0.19", "sch", "CEN-EN16931-UBL.sch"),
		filepath.Join(conf, "peppol-bis-3.0.19", "sch", "PEPPOL-EN16931-UBL.sch"),
		filepath.Join(conf, "xslt", "peppol-3.0.21", "CEN-EN16931-UBL.xslt"),
		filepath.Join(conf, "xslt", "peppol-3.0.21", "PEPPOL-EN16931-UBL.xslt"),
	}
	examples, _ := filepath.Glob(filepath.Join(conf, "peppol-bis-3.0.19", "snippets", "*.xml"))
	for _, p := range paths {
		t.Run(filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p), func(t *testing.T) {
			orig := loadAny(t, p)
			var buf bytes.Buffer
			if err := orig.WriteSchematron(&buf, "test"); err != nil {
				t.Fatal(err)
			}
			back, err := Parse(buf.Bytes())
			if err != nil {
				t.Fatalf("reading the written schema: %v", err)
			}
			var again bytes.Buffer
			if err := back.WriteSchematron(&again, "test"); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Errorf("write → parse → write is not stable")
			}
			if len(back.Patterns) != len(orig.Patterns) || len(back.Lets) != len(orig.Lets) || len(back.Functions) != len(orig.Functions) {
				t.Fatalf("shape differs: patterns %d/%d lets %d/%d functions %d/%d", len(back.Patterns), len(orig.Patterns), len(back.Lets), len(orig.Lets), len(back.Functions), len(orig.Functions))
			}
			for _, ex := range examples {
				data, err := os.ReadFile(ex)
				if err != nil {
					t.Fatal(err)
				}
				want, werr := orig.ValidateBytes(data)
				got, gerr := back.ValidateBytes(data)
				if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(want, got) {
					t.Errorf("%s: verdicts differ:\n orig %v %v\n back %v %v", filepath.Base(ex), want, werr, got, gerr)
				}
			}
		})
	}
}
