package xmlsafe

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// copyToken copies tok deeply, keeping nil and empty slices apart.
func copyToken(tok xml.Token) xml.Token {
	switch t := tok.(type) {
	case xml.StartElement:
		if t.Attr != nil {
			t.Attr = append([]xml.Attr{}, t.Attr...)
		}
		return t
	case xml.CharData:
		return xml.CharData(bytes.Clone(t))
	case xml.Comment:
		return xml.Comment(bytes.Clone(t))
	case xml.Directive:
		return xml.Directive(bytes.Clone(t))
	case xml.ProcInst:
		t.Inst = bytes.Clone(t.Inst)
		return t
	}
	return tok
}

// walkTokens runs Walk on the fast (if allowed) or the slow path and
// returns the tokens it handed out.
func walkTokens(data []byte, lim Limits, slow bool) ([]xml.Token, error) {
	defer func(old bool) { forceSlow = old }(forceSlow)
	forceSlow = slow
	var toks []xml.Token
	err := Walk(data, lim, func(tok xml.Token) error {
		toks = append(toks, copyToken(tok))
		return nil
	})
	return toks, err
}

// usesFast reports whether Walk takes data on the fast path to the end.
func usesFast(data []byte, lim Limits) bool {
	lim = lim.withDefaults()
	data = bytes.TrimPrefix(data, utf8BOM)
	if !plain(data) {
		return false
	}
	ok, _ := walkFast(data, lim, nil)
	return ok
}

// sameWalk fails t unless Walk gives the same tokens and error on both paths.
func sameWalk(t testing.TB, name string, data []byte, lim Limits) {
	t.Helper()
	fastToks, fastErr := walkTokens(data, lim, false)
	slowToks, slowErr := walkTokens(data, lim, true)
	if !sameError(fastErr, slowErr) {
		t.Fatalf("%s: fast error %#v, slow error %#v", name, fastErr, slowErr)
	}
	if len(fastToks) != len(slowToks) {
		t.Fatalf("%s: fast %d tokens, slow %d", name, len(fastToks), len(slowToks))
	}
	for i := range fastToks {
		if !reflect.DeepEqual(fastToks[i], slowToks[i]) {
			t.Fatalf("%s: token %d: fast %#v, slow %#v", name, i, fastToks[i], slowToks[i])
		}
	}
}

// sameError reports whether a and b are both nil or the same *Error.
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var ea, eb *Error
	if !errors.As(a, &ea) || !errors.As(b, &eb) {
		return a.Error() == b.Error()
	}
	return ea.Reason == eb.Reason && ea.Line == eb.Line && ea.Column == eb.Column &&
		ea.Offset == eb.Offset && ea.Detail == eb.Detail
}

// xmlFiles returns every *.xml file under the shared conformance and test
// material and the repository, keyed by path.
func xmlFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	roots := []string{"../.."}
	for _, dir := range conformanceDirs {
		roots = append(roots, dir, filepath.Join(dir, "../testdata"))
	}
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".xml") {
				return nil
			}
			abs, _ := filepath.Abs(p)
			if _, ok := files[abs]; ok {
				return nil
			}
			data, err := os.ReadFile(p)
			if err == nil {
				files[abs] = data
			}
			return nil
		})
	}
	return files
}

// TestFastAgreesFiles compares both paths on every XML file around.
func TestFastAgreesFiles(t *testing.T) {
	files := xmlFiles(t)
	if len(files) == 0 {
		t.Skip("no XML files found (shared conformance material absent)")
	}
	fast := 0
	for p, data := range files {
		sameWalk(t, p, data, Limits{})
		if usesFast(data, Limits{}) {
			fast++
		}
	}
	t.Logf("%d files, %d on the fast path", len(files), fast)
}

// eachTestDocument calls f with the test documents of xmlsafe_test.go and
// fast_test.go, whole, under small limits and cut short at every byte.
func eachTestDocument(f func(name string, doc []byte, lim Limits)) {
	docs := map[string]string{}
	for name, doc := range valid {
		docs[name] = doc
	}
	for _, tc := range invalid {
		docs[tc.name] = tc.doc
	}
	for name, doc := range fastCases {
		docs[name] = doc
	}
	for name, doc := range docs {
		f(name, []byte(doc), Limits{})
		f(name+" (small limits)", []byte(doc), Limits{MaxDepth: 2, MaxAttributes: 1, MaxTokens: 5})
		if len(doc) < 2000 {
			for i := range len(doc) {
				f(name+" (cut)", []byte(doc[:i]), Limits{})
			}
		}
	}
}

// TestFastAgreesCorpus compares both paths on the test documents of
// xmlsafe_test.go, whole and cut short.
func TestFastAgreesCorpus(t *testing.T) {
	eachTestDocument(func(name string, doc []byte, lim Limits) { sameWalk(t, name, doc, lim) })
}

// fastCases are plain documents the fast path must take.
var fastCases = map[string]string{
	"decl":              `<?xml version="1.0" encoding="UTF-8"?>` + "\n<a/>\n",
	"decl lower":        `<?xml version='1.0' encoding='utf-8' standalone="yes"?><a/>`,
	"decl bare":         `<?xml?><a/>`,
	"decl question":     `<?xml ??><a/>`,
	"no decl":           `<a/>`,
	"attrs":             `<a  x = "1"	y='2'` + "\n" + `z="'>"/>`,
	"attrs no space":    `<a x="1"y="2"></a >`,
	"entities":          `<a x="&lt;&gt;&amp;&apos;&quot;">&lt;&gt;&amp;&apos;&quot;</a>`,
	"char refs":         `<a x="&#65;&#x42;&#x00043;&#0068;">&#229;&#xE5;&#x1F600;&#9;&#10;&#13;&#xfffd;</a>`,
	"prefixes":          `<p:a xmlns:p="urn:p" p:x="1"><p:b/></p:a>`,
	"odd names":         `<_a.b-c xmlns:q="urn:q" q:1x="1"><Z9/></_a.b-c>`,
	"text around":       " \n\t<a>x<b>y</b>z</a>\n ",
	"non-ASCII text":    `<a x="Ærø">Blåbær 😀</a>`,
	"nested":            `<a><b><c/></b><b/></a>`,
	"greater in text":   `<a>1 > 0 ]] ] > ]></a>`,
	"quotes in values":  `<a x="it's" y='say "hi"'/>`,
	"bom":               "\xEF\xBB\xBF<?xml version=\"1.0\"?><a/>",
	"xml prefix":        `<a xml:lang="no"/>`,
	"empty value":       `<a x=""/>`,
	"empty decl value":  `<?xml version="1.0" encoding=""?><a/>`,
	"amp before quote":  `<a x="a&amp;"/>`,
	"ref in both":       `<a x="&#x26;lt;">&#38;lt;</a>`,
	"self close spaced": "<a\n/>",
}

func TestFastCases(t *testing.T) {
	for name, doc := range fastCases {
		if !usesFast([]byte(doc), Limits{}) {
			t.Errorf("%s: fast path not taken for %q", name, doc)
		}
		sameWalk(t, name, []byte(doc), Limits{})
	}
}

// TestFastBails checks every reason for the fast path to give up, and that
// Walk then still agrees with the slow path.
func TestFastBails(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		plain     bool // whether the pre-scan lets it through
	}{
		{"CR", "<a>\r\n</a>", false},
		{"CR in tag", "<a\rx='1'/>", false},
		{"comment", "<a><!-- c --></a>", false},
		{"CDATA", "<a><![CDATA[x]]></a>", false},
		{"DOCTYPE", "<!DOCTYPE a><a/>", false},
		{"PI", "<a><?pi x?></a>", false},
		{"PI first", "<?pi x?><a/>", true},
		{"stylesheet", `<?xml-stylesheet href="x"?><a/>`, true},
		{"decl late", ` <?xml version="1.0"?><a/>`, false},
		{"decl gt", `<?xml>?><a/>`, true},
		{"decl unterminated", `<?xml version="1.0"`, true},
		{"CDATA end", "<a>]]></a>", false},
		{"control", "<a>\x01</a>", false},
		{"NUL", "<a>\x00</a>", false},
		{"FFFE", "<a>\uFFFE</a>", false},
		{"FFFF", "<a x='\uFFFF'/>", false},
		{"encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, true},
		{"version", `<?xml version="1.1"?><a/>`, true},
		{"unknown entity", "<a>&nbsp;</a>", true},
		{"entity no semicolon", "<a>&amp </a>", true},
		{"bare ampersand", "<a>a & b</a>", true},
		{"entity in attr", "<a x='&foo;'/>", true},
		{"char ref NUL", "<a>&#0;</a>", true},
		{"char ref control", "<a>&#x1;</a>", true},
		{"char ref surrogate", "<a>&#xD800;</a>", true},
		{"char ref FFFE", "<a>&#xFFFE;</a>", true},
		{"char ref too big", "<a>&#x110000;</a>", true},
		{"char ref huge", "<a>&#99999999999999999999999;</a>", true},
		{"char ref empty", "<a>&#;</a>", true},
		{"char ref X", "<a>&#X41;</a>", true},
		{"char ref bad digit", "<a>&#1a;</a>", true},
		{"non-ASCII name", "<Fakturа/>", true},
		{"non-ASCII attr name", "<a å='1'/>", true},
		{"two colons", "<a:b:c/>", true},
		{"leading colon", "<:a/>", true},
		{"trailing colon", "<a:/>", true},
		{"digit name", "<1a/>", true},
		{"unquoted value", "<a x=1/>", true},
		{"no equals", "<a x/>", true},
		{"lt in value", "<a x='<'/>", true},
		{"unterminated value", "<a x='1/>", true},
		{"EOF in tag", "<a", true},
		{"EOF after lt", "<a/><", true},
		{"slash no gt", "<a/ >", true},
		{"bad end tag", "<a></a x>", true},
		{"end tag EOF", "<a></a", true},
		{"mismatched", "<a></b>", true},
		{"unbound prefix", "<p:a/>", true},
		{"duplicate attribute", `<a x="1" x="2"/>`, true},
		{"duplicate ns attribute", `<a xmlns:p="urn:1" xmlns:q="urn:1" p:x="1" q:x="2"/>`, true},
		{"second root", "<a/><b/>", true},
		{"text before", "x<a/>", true},
		{"text after", "<a/>x", true},
		{"no root", " ", true},
		{"empty", "", true},
		{"unclosed", "<a><b></b>", true},
		{"end without start", "</a>", true},
		{"too deep", strings.Repeat("<a>", DefaultMaxDepth+1) + strings.Repeat("</a>", DefaultMaxDepth+1), true},
		{"too many attributes", manyAttrs(DefaultMaxAttributes + 1), true},
		{"reserved ns", `<a xmlns:xml="urn:x"/>`, true},
		{"empty prefix ns", `<a xmlns:p=""/>`, true},
	} {
		data := []byte(tc.doc)
		if got := plain(data); got != tc.plain {
			t.Errorf("%s: plain = %v, want %v", tc.name, got, tc.plain)
		}
		if usesFast(data, Limits{}) {
			t.Errorf("%s: fast path taken for %q", tc.name, tc.doc)
		}
		sameWalk(t, tc.name, data, Limits{})
	}
}

// TestFastCallbackError checks that an error from f stops both paths at the
// same token.
func TestFastCallbackError(t *testing.T) {
	doc := []byte(fastCases["entities"])
	stop := errors.New("stop")
	for _, slow := range []bool{false, true} {
		forceSlow = slow
		n := 0
		err := Walk(doc, Limits{}, func(xml.Token) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		})
		forceSlow = false
		if err != stop || n != 2 {
			t.Errorf("slow=%v: err %v after %d tokens", slow, err, n)
		}
	}
}

// TestFastNoAliasing checks that CharData handed out does not alias the
// input, so a callback writing to it cannot change the document.
func TestFastNoAliasing(t *testing.T) {
	doc := []byte("<a>text</a>")
	want := string(doc)
	err := Walk(doc, Limits{}, func(tok xml.Token) error {
		if cd, ok := tok.(xml.CharData); ok {
			for i := range cd {
				cd[i] = 'X'
			}
		}
		return nil
	})
	if err != nil || string(doc) != want {
		t.Fatalf("Walk = %v, doc now %q", err, doc)
	}
}

func FuzzFastAgrees(f *testing.F) {
	for _, doc := range valid {
		f.Add([]byte(doc))
	}
	for _, tc := range invalid {
		if len(tc.doc) < 4096 {
			f.Add([]byte(tc.doc))
		}
	}
	for _, doc := range fastCases {
		f.Add([]byte(doc))
	}
	n := 0
	for _, data := range xmlFiles(f) {
		if len(data) > 16<<10 || n >= 40 {
			continue
		}
		n++
		f.Add(data)
		// Mutations: entities, attributes and tags that need care.
		f.Add(bytes.Replace(data, []byte(">"), []byte(" x='&#1;'>"), 1))
		f.Add(bytes.Replace(data, []byte("</"), []byte("&amp;&#x41;</"), 3))
		f.Add(bytes.Replace(data, []byte("cbc:"), []byte("cbc:x:"), 1))
		f.Add(bytes.Replace(data, []byte("\n"), []byte("\r\n"), 1))
		f.Add(data[:len(data)/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameWalk(t, "fuzz", data, Limits{})
		sameWalk(t, "fuzz small", data, Limits{MaxDepth: 8, MaxAttributes: 4, MaxTokens: 200})
	})
}

// benchBase is the Peppol base example, or nil.
func benchBase(b *testing.B) []byte {
	for _, dir := range conformanceDirs {
		data, err := os.ReadFile(filepath.Join(dir, "peppol-bis-3.0.19/examples/base-example.xml"))
		if err == nil {
			return data
		}
	}
	b.Skip("base-example.xml not found")
	return nil
}

func BenchmarkWalk(b *testing.B) {
	data := benchBase(b)
	if !usesFast(data, Limits{}) {
		b.Fatal("base example not on the fast path")
	}
	nop := func(xml.Token) error { return nil }
	for _, mode := range []struct {
		name string
		slow bool
		f    func(xml.Token) error
	}{
		{"fast/check", false, nil},
		{"slow/check", true, nil},
		{"fast/walk", false, nop},
		{"slow/walk", true, nop},
	} {
		b.Run(mode.name, func(b *testing.B) {
			forceSlow = mode.slow
			defer func() { forceSlow = false }()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := Walk(data, Limits{}, mode.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
