// Mutation generator for the differential tests of package einvoice (used by
// differential_test.go, build tag "oracle"), plus an untagged self-check that
// the mutants stay well-formed and that the native validator survives them:
//
//	go test -run TestMutants ./einvoice/   (TestMutantsValidate runs felles over them)
//
// A mutant is a seeded, reproducible variant of one of the official Peppol BIS
// example documents: 1–4 edits on the parsed XML tree (remove or duplicate an
// element, alter a text or attribute value along the lines of the business
// rules: amounts, code lists, dates, identifiers, countries that switch on the
// national rules). Mutant i of seed s depends only on (s, i) and the examples.
package einvoice_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fellesgo/felles/einvoice"
)

// mutSharedDir is the shared conformance material, relative to this package.
const mutSharedDir = "../../shared/conformance"

// mutExampleFiles lists the complete example documents of Peppol BIS 3.0.19
// (examples/ and snippets/), sorted; it skips the test if they are absent.
func mutExampleFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"peppol-bis-3.0.19/examples", "peppol-bis-3.0.19/snippets"} {
		m, _ := filepath.Glob(filepath.Join(mutSharedDir, dir, "*.xml"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skipf("shared conformance material not found at %s (it lives outside the module; see DEVELOPERS.md)", mutSharedDir)
	}
	sort.Strings(files)
	return files
}

// ---- a minimal XML tree that keeps prefixes, so a mutant serialises back
// ---- with the same namespace declarations and stays well-formed.

type mutKind int

const (
	mutElem mutKind = iota
	mutText
	mutRaw // comment, processing instruction, directive: written verbatim
)

type mutNode struct {
	kind   mutKind
	name   string     // qualified name as written, e.g. "cbc:ID"
	attrs  []xml.Attr // Name.Space holds the prefix as written
	kids   []*mutNode
	text   string // mutText: character data; mutRaw: the markup
	parent *mutNode
}

type mutDoc struct {
	prolog []*mutNode // before the root element
	root   *mutNode
	name   string // base name of the source file
}

func mutParse(name string, data []byte) (*mutDoc, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	doc := &mutDoc{name: name}
	var stack []*mutNode
	add := func(n *mutNode) {
		if len(stack) == 0 {
			if n.kind == mutText && strings.TrimSpace(n.text) == "" {
				return
			}
			doc.prolog = append(doc.prolog, n)
			return
		}
		p := stack[len(stack)-1]
		n.parent = p
		p.kids = append(p.kids, n)
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &mutNode{kind: mutElem, name: rawName(tk.Name), attrs: append([]xml.Attr(nil), tk.Attr...)}
			if len(stack) == 0 {
				if doc.root != nil {
					return nil, errors.New("two root elements")
				}
				doc.root = n
			} else {
				add(n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, errors.New("unbalanced end tag")
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			add(&mutNode{kind: mutText, text: string(tk)})
		case xml.Comment:
			add(&mutNode{kind: mutRaw, text: "<!--" + string(tk) + "-->"})
		case xml.ProcInst:
			add(&mutNode{kind: mutRaw, text: "<?" + tk.Target + " " + string(tk.Inst) + "?>"})
		case xml.Directive:
			add(&mutNode{kind: mutRaw, text: "<!" + string(tk) + ">"})
		}
	}
	if doc.root == nil {
		return nil, errors.New("no root element")
	}
	return doc, nil
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func (d *mutDoc) bytes() []byte {
	var b bytes.Buffer
	for _, n := range d.prolog {
		mutWrite(&b, n)
		b.WriteByte('\n')
	}
	mutWrite(&b, d.root)
	b.WriteByte('\n')
	return b.Bytes()
}

func mutWrite(b *bytes.Buffer, n *mutNode) {
	switch n.kind {
	case mutText:
		mutEscape(b, n.text, false)
	case mutRaw:
		b.WriteString(n.text)
	case mutElem:
		b.WriteByte('<')
		b.WriteString(n.name)
		for _, a := range n.attrs {
			b.WriteByte(' ')
			b.WriteString(rawName(a.Name))
			b.WriteString(`="`)
			mutEscape(b, a.Value, true)
			b.WriteByte('"')
		}
		if len(n.kids) == 0 {
			b.WriteString("/>")
			return
		}
		b.WriteByte('>')
		for _, k := range n.kids {
			mutWrite(b, k)
		}
		b.WriteString("</")
		b.WriteString(n.name)
		b.WriteByte('>')
	}
}

func mutEscape(b *bytes.Buffer, s string, attr bool) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		case r == '\r':
			b.WriteString("&#xD;")
		case attr && (r == '\n' || r == '\t'):
			fmt.Fprintf(b, "&#x%X;", r)
		default:
			b.WriteRune(r)
		}
	}
}

func (n *mutNode) clone(parent *mutNode) *mutNode {
	c := *n
	c.parent = parent
	c.attrs = append([]xml.Attr(nil), n.attrs...)
	c.kids = nil
	for _, k := range n.kids {
		c.kids = append(c.kids, k.clone(&c))
	}
	return &c
}

func (n *mutNode) local() string {
	if i := strings.IndexByte(n.name, ':'); i >= 0 {
		return n.name[i+1:]
	}
	return n.name
}

func (n *mutNode) elems() []*mutNode {
	var out []*mutNode
	for _, k := range n.kids {
		if k.kind == mutElem {
			out = append(out, k)
		}
	}
	return out
}

// isLeaf: an element with no element children (its value is its text).
func (n *mutNode) isLeaf() bool {
	for _, k := range n.kids {
		if k.kind == mutElem {
			return false
		}
	}
	return true
}

func (n *mutNode) textValue() string {
	var s strings.Builder
	for _, k := range n.kids {
		if k.kind == mutText {
			s.WriteString(k.text)
		}
	}
	return s.String()
}

func (n *mutNode) setText(v string) {
	var kids []*mutNode
	for _, k := range n.kids {
		if k.kind != mutText {
			kids = append(kids, k)
		}
	}
	if v != "" {
		kids = append([]*mutNode{{kind: mutText, text: v, parent: n}}, kids...)
	}
	n.kids = kids
}

func (n *mutNode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

func (n *mutNode) setAttr(local, v string) {
	for i, a := range n.attrs {
		if a.Name.Local == local && a.Name.Space == "" {
			n.attrs[i].Value = v
			return
		}
	}
	n.attrs = append(n.attrs, xml.Attr{Name: xml.Name{Local: local}, Value: v})
}

func (n *mutNode) delAttr(local string) {
	for i, a := range n.attrs {
		if a.Name.Local == local && a.Name.Space == "" {
			n.attrs = append(n.attrs[:i], n.attrs[i+1:]...)
			return
		}
	}
}

// plainAttrs: the attributes that are not namespace declarations.
func (n *mutNode) plainAttrs() []string {
	var out []string
	for _, a := range n.attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		out = append(out, rawName(a.Name))
	}
	return out
}

// path: an XPath-like location for messages, e.g. /Invoice/cac:InvoiceLine[2]/cbc:ID.
func (n *mutNode) path() string {
	if n.parent == nil {
		return "/" + n.name
	}
	i, k := 0, 0
	for _, s := range n.parent.kids {
		if s.kind == mutElem && s.name == n.name {
			k++
			if s == n {
				i = k
			}
		}
	}
	p := n.parent.path() + "/" + n.name
	if k > 1 {
		p += "[" + strconv.Itoa(i) + "]"
	}
	return p
}

func (n *mutNode) indexIn() int {
	for i, k := range n.parent.kids {
		if k == n {
			return i
		}
	}
	return -1
}

// find walks child elements by local name, e.g. find("AccountingSupplierParty", "Party").
func (n *mutNode) find(locals ...string) []*mutNode {
	cur := []*mutNode{n}
	for _, l := range locals {
		var next []*mutNode
		for _, c := range cur {
			for _, k := range c.elems() {
				if k.local() == l {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	return cur
}

func (d *mutDoc) allElems() []*mutNode {
	var out []*mutNode
	var walk func(*mutNode)
	walk = func(n *mutNode) {
		out = append(out, n)
		for _, k := range n.kids {
			if k.kind == mutElem {
				walk(k)
			}
		}
	}
	walk(d.root)
	return out
}

// prefixFor returns the prefix the document binds to a UBL namespace ("cac",
// "cbc"), searching the root's declarations; ok is false if unbound there.
func (d *mutDoc) prefixFor(uri string) (string, bool) {
	for _, a := range d.root.attrs {
		if a.Name.Space == "xmlns" && a.Value == uri {
			return a.Name.Local, true
		}
	}
	return "", false
}

const (
	nsCAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	nsCBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
)

// fragment parses a snippet written with the prefixes cac: and cbc: into a
// node, renaming the prefixes to the document's.
func (d *mutDoc) fragment(s string) (*mutNode, bool) {
	cac, ok1 := d.prefixFor(nsCAC)
	cbc, ok2 := d.prefixFor(nsCBC)
	if !ok1 || !ok2 {
		return nil, false
	}
	f, err := mutParse("fragment", []byte(s))
	if err != nil {
		panic("bad fragment " + s + ": " + err.Error())
	}
	var ren func(*mutNode)
	ren = func(n *mutNode) {
		if strings.HasPrefix(n.name, "cac:") {
			n.name = cac + ":" + n.local()
		} else if strings.HasPrefix(n.name, "cbc:") {
			n.name = cbc + ":" + n.local()
		}
		for _, k := range n.kids {
			if k.kind == mutElem {
				ren(k)
			}
		}
	}
	ren(f.root)
	return f.root, true
}

func (n *mutNode) insertAt(i int, k *mutNode) {
	k.parent = n
	n.kids = append(n.kids, nil)
	copy(n.kids[i+1:], n.kids[i:])
	n.kids[i] = k
}

// ---- the generator

type mutator struct {
	r    *rand.Rand
	doc  *mutDoc
	desc []string
}

type mutant struct {
	Seed  uint64
	Index int
	Base  string // file name of the example it came from
	Desc  string // the edits, in order
	Data  []byte
	Steps int // number of edit steps drawn
}

func (m mutant) String() string {
	return fmt.Sprintf("seed=%d index=%d base=%s: %s", m.Seed, m.Index, m.Base, m.Desc)
}

// mutBase is one parsed example (kept as bytes; each mutant re-parses it).
type mutBase struct {
	name string
	data []byte
}

func mutLoadBases(t testing.TB) []mutBase {
	t.Helper()
	var out []mutBase
	for _, f := range mutExampleFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, mutBase{filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f), data})
	}
	return out
}

// mutGenerate builds mutant index of seed from the bases; deterministic.
func mutGenerate(bases []mutBase, seed uint64, index int) mutant {
	return mutGenerateSteps(bases, seed, index, nil)
}

// mutGenerateSteps is mutGenerate applying only the listed edit steps (all if
// only is nil). Each step draws from its own random stream, so a step replays
// alone as it ran in the full mutant unless an earlier step changed what it
// picked from; this is what minimising a disagreement uses.
func mutGenerateSteps(bases []mutBase, seed uint64, index int, only []int) mutant {
	r := rand.New(rand.NewPCG(seed, uint64(index)))
	b := bases[r.IntN(len(bases))]
	n := 1 + r.IntN(4)
	doc, err := mutParse(b.name, b.data)
	if err != nil {
		panic(fmt.Sprintf("example %s: %v", b.name, err))
	}
	m := &mutator{doc: doc}
	for i := 0; i < n; i++ {
		if only != nil && !slices.Contains(only, i) {
			continue
		}
		m.r = rand.New(rand.NewPCG(seed^(0x9e3779b97f4a7c15*uint64(i+1)), uint64(index)))
		m.step()
	}
	desc := strings.Join(m.desc, "; ")
	if only != nil {
		desc = fmt.Sprintf("[steps %v of %d] %s", only, n, desc)
	}
	return mutant{Seed: seed, Index: index, Base: b.name, Desc: desc, Data: doc.bytes(), Steps: n}
}

func (m *mutator) pick(xs []string) string { return xs[m.r.IntN(len(xs))] }

func (m *mutator) logf(format string, a ...any) { m.desc = append(m.desc, fmt.Sprintf(format, a...)) }

func (m *mutator) step() {
	type op struct {
		w int
		f func() bool
	}
	ops := []op{
		{3, m.remove},
		{2, m.duplicate},
		{9, m.alterText},
		{3, m.alterAttr},
		{3, m.country},
		{2, m.nationalParty},
		{2, m.identifier},
		{2, m.insert},
		{1, m.swapDates},
		{1, m.swapSiblings},
	}
	total := 0
	for _, o := range ops {
		total += o.w
	}
	for tries := 0; tries < 20; tries++ {
		x := m.r.IntN(total)
		for _, o := range ops {
			if x < o.w {
				if o.f() {
					return
				}
				break
			}
			x -= o.w
		}
	}
}

func (m *mutator) randomElem(ok func(*mutNode) bool) *mutNode {
	var c []*mutNode
	for _, e := range m.doc.allElems() {
		if ok(e) {
			c = append(c, e)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[m.r.IntN(len(c))]
}

func (m *mutator) remove() bool {
	e := m.randomElem(func(e *mutNode) bool { return e.parent != nil })
	if e == nil {
		return false
	}
	m.logf("remove %s", e.path())
	p := e.parent
	p.kids = append(p.kids[:e.indexIn()], p.kids[e.indexIn()+1:]...)
	return true
}

func (m *mutator) duplicate() bool {
	e := m.randomElem(func(e *mutNode) bool { return e.parent != nil })
	if e == nil {
		return false
	}
	m.logf("duplicate %s", e.path())
	e.parent.insertAt(e.indexIn()+1, e.clone(e.parent))
	return true
}

var (
	mutCurrencies   = []string{"EUR", "NOK", "SEK", "DKK", "USD", "GBP", "ISK", "XXX", "eur", "ABC", ""}
	mutCountries    = []string{"NO", "DK", "SE", "DE", "IT", "GR", "EL", "NL", "IS", "GB", "FR", "BE", "XX", "no", ""}
	mutVATCats      = []string{"S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B", "X", "s", ""}
	mutUnitCodes    = []string{"C62", "EA", "H87", "DAY", "HUR", "KGM", "XYZ", "ea", ""}
	mutSchemeIDs    = []string{"0192", "0088", "0184", "0208", "9906", "0007", "0002", "0183", "0106", "0190", "0201", "0210", "0211", "9907", "0151", "9999", "", "GLN"}
	mutTypeCodes    = []string{"380", "381", "383", "384", "386", "389", "393", "395", "396", "575", "623", "780", "81", "82", "326", "999", ""}
	mutPayCodes     = []string{"30", "31", "42", "48", "49", "57", "58", "59", "1", "97", "ZZZ", "999", ""}
	mutExemptCodes  = []string{"VATEX-EU-G", "VATEX-EU-O", "VATEX-EU-IC", "VATEX-EU-AE", "VATEX-EU-D", "VATEX-EU-F", "VATEX-EU-I", "VATEX-EU-J", "VATEX-EU-79-C", "vatex-eu-o", "VATEX-FR-FRANCHISE", "BAD"}
	mutReasonCodes  = []string{"41", "42", "60", "95", "100", "104", "FC", "AA", "ABK", "ZZZ", "XYZ", "1", ""}
	mutDates        = []string{"2017-13-01", "2017-02-30", "2017-02-28", "13.11.2017", "20171113", "2017-11-13Z", "2017-11-13+01:00", "2030-01-01", "2000-01-01", "2017-11-14", "17-11-13", ""}
	mutPercents     = []string{"25", "25.0", "0", "15", "12.5", "10", "-25", "abc", ""}
	mutCustomIDs    = []string{"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0", "urn:cen.eu:en16931:2017", "urn:cen.eu:en16931:2017#conformant#urn:fdc:peppol.eu:2017:poacc:billing:international:aunz:3.0", "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", "x", ""}
	mutProfileIDs   = []string{"urn:fdc:peppol.eu:2017:poacc:billing:01:1.0", "urn:fdc:peppol.eu:2017:poacc:billing:02:1.0", "urn:fdc:peppol.eu:2017:poacc:billing:1:1.0", "urn:fdc:peppol.eu:poacc:billing:01:1.0", "bad", ""}
	mutBools        = []string{"true", "false", "TRUE", "1", " true ", ""}
	mutMimeCodes    = []string{"application/pdf", "image/png", "text/plain", "text/csv", ""}
	mutGenericTexts = []string{"", " ", "x", "0", "Foretaksregisteret", "  padded  ", "ÆØÅ &amp; <tag>"}
)

// alterText changes the text of a leaf element according to what it holds.
func (m *mutator) alterText() bool {
	e := m.randomElem(func(e *mutNode) bool { return e.parent != nil && e.isLeaf() })
	if e == nil {
		return false
	}
	old := e.textValue()
	v := m.valueFor(e, old)
	m.logf("text %s %q -> %q", e.path(), strings.TrimSpace(old), v)
	e.setText(v)
	return true
}

func (m *mutator) valueFor(e *mutNode, old string) string {
	l := e.local()
	parent := ""
	if e.parent != nil {
		parent = e.parent.local()
	}
	switch {
	case strings.HasSuffix(l, "Amount") || strings.HasSuffix(l, "Quantity") || l == "MultiplierFactorNumeric":
		return m.number(old)
	case l == "Percent":
		if m.r.IntN(2) == 0 {
			return m.number(old)
		}
		return m.pick(mutPercents)
	case strings.HasSuffix(l, "CurrencyCode"):
		return m.pick(mutCurrencies)
	case l == "IdentificationCode":
		return m.pick(mutCountries)
	case l == "ID" && (parent == "TaxCategory" || parent == "ClassifiedTaxCategory"):
		return m.pick(mutVATCats)
	case l == "ID" && parent == "TaxScheme":
		return m.pick([]string{"VAT", "TAX", "GST", "vat", ""})
	case l == "InvoiceTypeCode" || l == "CreditNoteTypeCode":
		return m.pick(mutTypeCodes)
	case l == "PaymentMeansCode":
		return m.pick(mutPayCodes)
	case l == "TaxExemptionReasonCode":
		return m.pick(mutExemptCodes)
	case l == "AllowanceChargeReasonCode":
		return m.pick(mutReasonCodes)
	case l == "ChargeIndicator":
		return m.pick(mutBools)
	case strings.HasSuffix(l, "Date"):
		return m.pick(mutDates)
	case l == "CustomizationID":
		return m.pick(mutCustomIDs)
	case l == "ProfileID":
		return m.pick(mutProfileIDs)
	case l == "EndpointID" || l == "CompanyID" || (l == "ID" && (parent == "PartyIdentification" || parent == "DeliveryLocation" || parent == "StandardItemIdentification")):
		return m.ident()
	case l == "ID" && (parent == "InvoiceLine" || parent == "CreditNoteLine"):
		return m.pick([]string{"1", "2", "", "1 ", "X"})
	}
	if m.r.IntN(3) == 0 {
		return m.number(old)
	}
	return m.pick(mutGenericTexts)
}

// number alters a (usually decimal) value the ways the calculation and
// format rules care about.
func (m *mutator) number(old string) string {
	s := strings.TrimSpace(old)
	switch m.r.IntN(12) {
	case 0, 1: // change a digit
		var idx []int
		for i, c := range s {
			if c >= '0' && c <= '9' {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			return strconv.Itoa(m.r.IntN(1000))
		}
		i := idx[m.r.IntN(len(idx))]
		return s[:i] + strconv.Itoa(m.r.IntN(10)) + s[i+1:]
	case 2, 3: // more decimals
		if !strings.Contains(s, ".") {
			s += "."
		}
		for k := 1 + m.r.IntN(3); k > 0; k-- {
			s += strconv.Itoa(m.r.IntN(10))
		}
		return s
	case 4: // negate
		if strings.HasPrefix(s, "-") {
			return s[1:]
		}
		return "-" + s
	case 5:
		return ""
	case 6: // off by a cent or more
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return "0.01"
		}
		d := []float64{0.01, -0.01, 0.02, 1, -1, 0.005}[m.r.IntN(6)]
		return strconv.FormatFloat(f+d, 'f', -1, 64)
	case 7: // scaled
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return "100"
		}
		return strconv.FormatFloat(f*[]float64{0, 2, 10, 0.5, 1.25}[m.r.IntN(5)], 'f', 2, 64)
	case 8:
		return m.pick([]string{"0", "0.00", "-0", "99999999999.99", "1e2", "abc", "+5", "1,5", " 100 ", ".5", "5.", "NaN", "INF",
			// Where XPath's readings of a number part (xs:double, xs:decimal,
			// integers compared exactly, -0, overflow) may part ways.
			"-0.0", "-INF", "0e0", "-0e0", "1E2", "+0", "-.5", "00025", "9999999999", "12345678901",
			"1234567890123456789.5", "25.000000000000000001", "1e400", "1e-400", "\t25\n", "0.0000001"})
	case 9: // trailing zeros / whitespace: same value, different text
		if strings.Contains(s, ".") {
			return s + "0"
		}
		return s + ".00"
	default:
		return strconv.Itoa(m.r.IntN(10000))
	}
}

func (m *mutator) alterAttr() bool {
	e := m.randomElem(func(e *mutNode) bool { return len(e.plainAttrs()) > 0 })
	if e == nil {
		return false
	}
	as := e.plainAttrs()
	a := as[m.r.IntN(len(as))]
	if strings.Contains(a, ":") {
		return false
	}
	old, _ := e.attr(a)
	if m.r.IntN(6) == 0 {
		m.logf("remove attribute %s/@%s (%q)", e.path(), a, old)
		e.delAttr(a)
		return true
	}
	var v string
	switch a {
	case "currencyID":
		v = m.pick(mutCurrencies)
	case "unitCode":
		v = m.pick(mutUnitCodes)
	case "schemeID":
		v = m.pick(mutSchemeIDs)
	case "mimeCode":
		v = m.pick(mutMimeCodes)
	case "unitCodeListID", "listID", "listVersionID", "schemeVersionID", "name", "filename":
		v = m.pick([]string{"", "X", "SRV", "STI", "ZZZ", "UNCL7143"})
	default:
		v = m.pick(mutGenericTexts)
	}
	m.logf("attribute %s/@%s %q -> %q", e.path(), a, old, v)
	e.setAttr(a, v)
	return true
}

// ---- national identifiers

func mutMod11NO(d string) (int, bool) { // Norwegian organisation number check digit
	w := []int{3, 2, 7, 6, 5, 4, 3, 2}
	s := 0
	for i := 0; i < 8; i++ {
		s += int(d[i]-'0') * w[i]
	}
	c := 11 - s%11
	if c == 11 {
		c = 0
	}
	return c, c != 10
}

func (m *mutator) orgNO(good bool) string {
	for {
		d := strconv.Itoa(8 + m.r.IntN(2)) // 8xxxxxxxx or 9xxxxxxxx
		for i := 0; i < 7; i++ {
			d += strconv.Itoa(m.r.IntN(10))
		}
		c, ok := mutMod11NO(d)
		if !ok {
			continue
		}
		if !good {
			c = (c + 1 + m.r.IntN(9)) % 10
		}
		return d + strconv.Itoa(c)
	}
}

func (m *mutator) digits(n int) string {
	var s strings.Builder
	for i := 0; i < n; i++ {
		s.WriteByte(byte('0' + m.r.IntN(10)))
	}
	return s.String()
}

func (m *mutator) gln(good bool) string {
	d := m.digits(12)
	s := 0
	for i := 0; i < 12; i++ { // weights 1,3,1,3... from the left for 13 digits
		w := 1
		if i%2 == 1 {
			w = 3
		}
		s += int(d[i]-'0') * w
	}
	c := (10 - s%10) % 10
	if !good {
		c = (c + 1 + m.r.IntN(9)) % 10
	}
	return d + strconv.Itoa(c)
}

// ident returns an identifier value from the families the rules check.
func (m *mutator) ident() string {
	good := m.r.IntN(2) == 0
	switch m.r.IntN(11) {
	case 0, 1:
		return m.orgNO(good)
	case 2:
		return "NO" + m.orgNO(good) + "MVA"
	case 3:
		return "NO" + m.orgNO(good) // MVA missing
	case 4:
		return "DK" + m.digits(8)
	case 5:
		return m.digits(8) // CVR without prefix
	case 6:
		return m.gln(good)
	case 7:
		return m.digits(10) // SE / BE shaped
	case 8:
		return "SE" + m.digits(10) + "01"
	case 9:
		return m.pick([]string{"IT" + m.digits(11), "EL" + m.digits(9), "NL" + m.digits(9) + "B01", "DE" + m.digits(9), "IS" + m.digits(6)})
	default:
		return m.pick([]string{"", "x", " " + m.digits(9) + " ", "12345678A"})
	}
}

// identifier rewrites an identifier element, sometimes with a matching scheme.
func (m *mutator) identifier() bool {
	e := m.randomElem(func(e *mutNode) bool {
		l := e.local()
		return e.isLeaf() && (l == "EndpointID" || l == "CompanyID" || (l == "ID" && e.parent != nil && e.parent.local() == "PartyIdentification"))
	})
	if e == nil {
		return false
	}
	good := m.r.IntN(2) == 0
	var v, scheme string
	switch m.r.IntN(6) {
	case 0:
		v, scheme = m.orgNO(good), "0192"
	case 1:
		v, scheme = m.gln(good), "0088"
	case 2:
		v, scheme = m.pick([]string{"DK" + m.digits(8), m.digits(8), m.digits(9), "DK" + m.digits(7)}), "0184"
	case 3:
		v, scheme = m.pick([]string{"0" + m.digits(9), m.digits(10), m.digits(9)}), "0208"
	case 4:
		v, scheme = m.pick([]string{"IT" + m.digits(11), m.digits(11), "X"}), "9906"
	default:
		v, scheme = m.ident(), m.pick(mutSchemeIDs)
	}
	old := strings.TrimSpace(e.textValue())
	e.setText(v)
	if _, has := e.attr("schemeID"); has || e.local() == "EndpointID" || m.r.IntN(2) == 0 {
		e.setAttr("schemeID", scheme)
		m.logf("identifier %s %q -> %q schemeID=%q", e.path(), old, v, scheme)
	} else {
		m.logf("identifier %s %q -> %q", e.path(), old, v)
	}
	return true
}

// country moves the supplier or the customer to another country, switching
// national rules on and off (postal address and, sometimes, the VAT prefix).
func (m *mutator) country() bool {
	party := m.pick([]string{"AccountingSupplierParty", "AccountingCustomerParty"})
	cc := m.pick([]string{"NO", "DK", "SE", "DE", "IT", "GR", "NL", "IS"})
	ps := m.doc.root.find(party, "Party")
	if len(ps) == 0 {
		return false
	}
	p := ps[0]
	done := false
	for _, c := range p.find("PostalAddress", "Country", "IdentificationCode") {
		c.setText(cc)
		done = true
	}
	if done {
		m.logf("country %s -> %s", party, cc)
	}
	if m.r.IntN(2) == 0 {
		for _, ts := range p.find("PartyTaxScheme") {
			ids := ts.find("TaxScheme", "ID")
			if len(ids) == 0 || strings.TrimSpace(ids[0].textValue()) != "VAT" {
				continue
			}
			for _, c := range ts.find("CompanyID") {
				vp := cc
				if cc == "GR" {
					vp = "EL"
				}
				old := strings.TrimSpace(c.textValue())
				nv := vp + strings.TrimLeft(old, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
				if cc == "NO" {
					nv = "NO" + m.orgNO(m.r.IntN(3) > 0) + "MVA"
				}
				c.setText(nv)
				m.logf("VAT id %s %q -> %q", c.path(), old, nv)
				done = true
			}
		}
	}
	return done
}

// nationalParty makes the supplier (or customer) a plausible party of one
// country: address, VAT id, legal registration with the national scheme.
func (m *mutator) nationalParty() bool {
	party := m.pick([]string{"AccountingSupplierParty", "AccountingSupplierParty", "AccountingCustomerParty"})
	ps := m.doc.root.find(party, "Party")
	if len(ps) == 0 {
		return false
	}
	p := ps[0]
	good := m.r.IntN(3) > 0
	var cc, vat, legal, scheme string
	switch m.pick([]string{"NO", "NO", "DK", "SE", "IT", "GR", "NL"}) {
	case "NO":
		org := m.orgNO(good)
		cc, vat, legal, scheme = "NO", "NO"+org+"MVA", org, "0192"
	case "DK":
		cvr := m.digits(8)
		cc, vat, legal, scheme = "DK", "DK"+cvr, "DK"+cvr, "0184"
	case "SE":
		org := m.digits(10)
		cc, vat, legal, scheme = "SE", "SE"+org+"01", org, "0007"
	case "IT":
		cc, vat, legal, scheme = "IT", "IT"+m.digits(11), m.digits(11), "0211"
	case "GR":
		cc, vat, legal, scheme = "GR", "EL"+m.digits(9), m.digits(9), "9933"
	default:
		cc, vat, legal, scheme = "NL", "NL"+m.digits(9)+"B01", m.digits(8), "0106"
	}
	for _, c := range p.find("PostalAddress", "Country", "IdentificationCode") {
		c.setText(cc)
	}
	for _, ts := range p.find("PartyTaxScheme") {
		ids := ts.find("TaxScheme", "ID")
		if len(ids) > 0 && strings.TrimSpace(ids[0].textValue()) == "VAT" {
			for _, c := range ts.find("CompanyID") {
				c.setText(vat)
			}
		}
	}
	for _, c := range p.find("PartyLegalEntity", "CompanyID") {
		c.setText(legal)
		c.setAttr("schemeID", scheme)
	}
	if cc == "NO" && party == "AccountingSupplierParty" && m.r.IntN(2) == 0 {
		if f, ok := m.doc.fragment(`<cac:PartyTaxScheme><cbc:CompanyID>Foretaksregisteret</cbc:CompanyID><cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>`); ok {
			if les := p.find("PartyLegalEntity"); len(les) > 0 {
				p.insertAt(les[0].indexIn(), f)
			}
		}
	}
	m.logf("national %s -> %s vat=%q legal=%q scheme=%s", party, cc, vat, legal, scheme)
	return true
}

// mutFragments are inserted as children of the root at a random position
// among its element children (order matters to no rule except positional ones).
var mutFragments = []string{
	`<cbc:Note/>`,
	`<cbc:Note>   </cbc:Note>`,
	`<cbc:TaxCurrencyCode>NOK</cbc:TaxCurrencyCode>`,
	`<cbc:TaxCurrencyCode>EUR</cbc:TaxCurrencyCode>`,
	`<cbc:TaxPointDate>2017-11-10</cbc:TaxPointDate>`,
	`<cac:TaxTotal><cbc:TaxAmount currencyID="NOK">3000.00</cbc:TaxAmount></cac:TaxTotal>`,
	`<cac:InvoicePeriod><cbc:StartDate>2017-12-01</cbc:StartDate><cbc:EndDate>2017-11-01</cbc:EndDate></cac:InvoicePeriod>`,
	`<cac:InvoicePeriod><cbc:StartDate>2017-11-01</cbc:StartDate><cbc:EndDate>2017-11-30</cbc:EndDate><cbc:DescriptionCode>35</cbc:DescriptionCode></cac:InvoicePeriod>`,
	`<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:AllowanceChargeReasonCode>95</cbc:AllowanceChargeReasonCode><cbc:MultiplierFactorNumeric>10</cbc:MultiplierFactorNumeric><cbc:Amount currencyID="EUR">10</cbc:Amount><cbc:BaseAmount currencyID="EUR">100</cbc:BaseAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:AllowanceCharge>`,
	`<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:AllowanceChargeReason>Freight</cbc:AllowanceChargeReason><cbc:Amount currencyID="EUR">10</cbc:Amount><cac:TaxCategory><cbc:ID>Z</cbc:ID><cbc:Percent>0</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:AllowanceCharge>`,
	`<cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>NO9386011117947</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>`,
	`<cac:PaymentMeans><cbc:PaymentMeansCode>49</cbc:PaymentMeansCode></cac:PaymentMeans>`,
	`<cac:AdditionalDocumentReference><cbc:ID>doc1</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="text/plain" filename="a.txt">aGVsbG8=</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>`,
	`<cac:AdditionalDocumentReference><cbc:ID>p1</cbc:ID><cbc:DocumentTypeCode>50</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>`,
	`<cac:TaxRepresentativeParty><cac:PartyName><cbc:Name>Rep</cbc:Name></cac:PartyName><cac:PostalAddress><cac:Country><cbc:IdentificationCode>NO</cbc:IdentificationCode></cac:Country></cac:PostalAddress><cac:PartyTaxScheme><cbc:CompanyID>NO999999999MVA</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme></cac:TaxRepresentativeParty>`,
	`<cac:PayeeParty><cac:PartyName><cbc:Name>Payee</cbc:Name></cac:PartyName></cac:PayeeParty>`,
	`<cbc:BuyerReference/>`,
}

func (m *mutator) insert() bool {
	frag := m.pick(mutFragments)
	f, ok := m.doc.fragment(frag)
	if !ok {
		return false
	}
	root := m.doc.root
	var pos []int
	for i, k := range root.kids {
		if k.kind == mutElem {
			pos = append(pos, i+1)
		}
	}
	if len(pos) == 0 {
		return false
	}
	i := pos[m.r.IntN(len(pos))]
	root.insertAt(i, f)
	m.logf("insert %s at %s", frag, f.path())
	return true
}

func (m *mutator) swapDates() bool {
	var pairs [][2]*mutNode
	r := m.doc.root
	if a, b := r.find("IssueDate"), r.find("DueDate"); len(a) > 0 && len(b) > 0 {
		pairs = append(pairs, [2]*mutNode{a[0], b[0]})
	}
	for _, p := range m.doc.allElems() {
		if p.local() == "InvoicePeriod" {
			if a, b := p.find("StartDate"), p.find("EndDate"); len(a) > 0 && len(b) > 0 {
				pairs = append(pairs, [2]*mutNode{a[0], b[0]})
			}
		}
	}
	if len(pairs) == 0 {
		return false
	}
	p := pairs[m.r.IntN(len(pairs))]
	a, b := p[0].textValue(), p[1].textValue()
	if strings.TrimSpace(a) == strings.TrimSpace(b) {
		return false
	}
	p[0].setText(b)
	p[1].setText(a)
	m.logf("swap dates %s <-> %s", p[0].path(), p[1].path())
	return true
}

func (m *mutator) swapSiblings() bool {
	e := m.randomElem(func(e *mutNode) bool { return len(e.elems()) >= 2 })
	if e == nil {
		return false
	}
	els := e.elems()
	i := m.r.IntN(len(els) - 1)
	a, b := els[i], els[i+1]
	ia, ib := a.indexIn(), b.indexIn()
	e.kids[ia], e.kids[ib] = b, a
	m.logf("swap siblings %s/%s <-> %s", e.path(), a.name, b.name)
	return true
}

// TestMutantsWellFormed checks that the generator is deterministic and its
// output is well-formed XML with the same root element.
func TestMutantsWellFormed(t *testing.T) {
	bases := mutLoadBases(t)
	for i := 0; i < 300; i++ {
		a, b := mutGenerate(bases, 7, i), mutGenerate(bases, 7, i)
		if !bytes.Equal(a.Data, b.Data) || a.Desc != b.Desc {
			t.Fatalf("mutant %d not deterministic", i)
		}
		d := xml.NewDecoder(bytes.NewReader(a.Data))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%v: not well-formed: %v\n%s", a, err, a.Data)
			}
		}
		if a.Desc == "" {
			t.Errorf("%v: no edit applied", a)
		}
	}
}

// TestMutantsValidate runs the native validator (default rules) over mutants:
// every mutant is well-formed, so Validate must return a report, never an
// error, and every Failure must name its rule and carry a known flag. (The
// verdicts themselves are checked against the reference by the oracle-tagged
// TestDifferentialFuzz.)
func TestMutantsValidate(t *testing.T) {
	bases := mutLoadBases(t)
	n := 100
	if testing.Short() {
		n = 20
	}
	for i := 0; i < n; i++ {
		m := mutGenerate(bases, 11, i)
		rep, err := einvoice.Validate(m.Data)
		if err != nil {
			t.Errorf("%v: Validate error: %v", m, err)
			continue
		}
		for _, f := range rep.Failures {
			if f.Rule == "" || (f.Flag != einvoice.FlagFatal && f.Flag != einvoice.FlagWarning) {
				t.Errorf("%v: malformed failure %+v", m, f)
			}
		}
	}
}
