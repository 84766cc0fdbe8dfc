package einvoice

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"github.com/fellesgo/felles/internal/redact"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/fellesgo/felles/internal/xmlsafe"
)

// UBL 2.1 namespace URIs.
const (
	// NamespaceInvoice is the namespace of the UBL 2.1 Invoice root.
	NamespaceInvoice = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	// NamespaceCreditNote is the namespace of the UBL 2.1 CreditNote root.
	NamespaceCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
	// NamespaceCAC is the UBL common aggregate components namespace,
	// written with prefix cac.
	NamespaceCAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	// NamespaceCBC is the UBL common basic components namespace, written
	// with prefix cbc.
	NamespaceCBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

	nsExt = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
	nsXSI = "http://www.w3.org/2001/XMLSchema-instance"
)

// ErrUnknownDocument is wrapped by the [ParseError] that [Parse] returns
// when the root element is neither a UBL Invoice nor a UBL CreditNote.
var ErrUnknownDocument = errors.New("einvoice: not a UBL 2.1 Invoice or CreditNote")

// ParseError reports why [Parse] refused a document. Err, if not nil, is
// the underlying cause: an *[XMLError] (DOCTYPE, size or depth limits,
// malformed XML; it wraps [ErrDOCTYPE], [ErrTooLarge], [ErrTooDeep] or
// [ErrMalformed]), a *[DecimalError], a *[DateError], or
// [ErrUnknownDocument]; use errors.As and errors.Is on the ParseError.
type ParseError struct {
	// Path locates the offending element or attribute, such as
	// "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"; empty when the
	// document as a whole is refused.
	Path string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying error, if any.
	Err error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("einvoice: parse")
	if e.Path != "" {
		b.WriteString(" ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	b.WriteString(redact.String(e.Msg)) // quoted input may hold a person number
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// MarshalError reports a [Document] that cannot be written as UBL, for
// example text that XML cannot carry or a field the document's kind does
// not allow.
type MarshalError struct {
	// Path locates the offending element, as in [Document.Unmapped].
	Path string
	// Msg says what is wrong.
	Msg string
}

func (e *MarshalError) Error() string {
	return "einvoice: marshal " + e.Path + ": " + e.Msg
}

// Parse reads a PEPPOL BIS Billing 3.0 invoice or credit note in UBL 2.1
// syntax. The input is untrusted: it must first pass the same XML gate as
// [Validate] with the default limits (at most 20 MiB and nesting depth
// 256, no DOCTYPE or entity declarations, well-formed UTF-8), and is then
// mapped onto [Document]. Parse never panics; every error is a
// *[ParseError].
//
// Parse does not validate business rules (use Validate for that) and
// accepts any content UBL allows, but values it must interpret are
// checked: amounts, quantities and percentages must be xs:decimal
// literals (see [ParseDecimal]), dates must be YYYY-MM-DD (see
// [ParseDate]), indicators must be xs:boolean and embedded documents must
// be base64. Elements and attributes that the model does not carry are
// listed in [Document.Unmapped] rather than dropped silently. Comments
// and processing instructions are ignored. An empty text, date, identifier
// or code element reads as absent (and is not written back); an empty
// number is an error.
func Parse(data []byte) (*Document, error) {
	if err := xmlsafe.Check(data, xmlsafe.Limits{}); err != nil {
		return nil, &ParseError{Msg: "unsafe or malformed XML", Err: newXMLError(err)}
	}
	root, err := readTree(data)
	if err != nil {
		return nil, err
	}
	doc := &Document{}
	switch root.name {
	case xml.Name{Space: NamespaceInvoice, Local: "Invoice"}:
		doc.Kind = KindInvoice
	case xml.Name{Space: NamespaceCreditNote, Local: "CreditNote"}:
		doc.Kind = KindCreditNote
	default:
		return nil, &ParseError{Path: "/" + segment(root.name), Msg: "unexpected root element", Err: ErrUnknownDocument}
	}
	d := &decoder{kind: doc.Kind}
	if err := d.structure(root, reflect.ValueOf(doc).Elem(), "/"+doc.Kind.String()); err != nil {
		return nil, err
	}
	doc.Unmapped = d.unmapped
	return doc, nil
}

// node is one element of the generic tree Parse builds before mapping.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	text     []byte
	children []*node
}

// readTree parses data, which xmlsafe.Check has accepted, into a tree.
func readTree(data []byte) (*node, error) {
	var stack []*node
	var root *node
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &ParseError{Msg: "malformed XML", Err: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				n.attrs = append(n.attrs, a)
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, &ParseError{Msg: "malformed XML: unbalanced end element"}
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.text = append(p.text, t...)
			}
		}
	}
	if root == nil {
		return nil, &ParseError{Msg: "no root element"}
	}
	return root, nil
}

// Conventional prefixes used in paths and in the output.
var prefixes = map[string]string{
	NamespaceCAC: "cac",
	NamespaceCBC: "cbc",
	nsExt:        "ext",
	nsXSI:        "xsi",
}

// segment returns the path segment for an element or attribute name.
func segment(n xml.Name) string {
	switch n.Space {
	case "", NamespaceInvoice, NamespaceCreditNote:
		return n.Local
	}
	if p, ok := prefixes[n.Space]; ok {
		return p + ":" + n.Local
	}
	return "{" + n.Space + "}" + n.Local
}

// Field metadata, derived from the struct tags in model.go.

type fieldInfo struct {
	index int
	name  string     // Go field name
	path  []xml.Name // element path below the parent
	seg   string     // segment(path[0])
	rest  string     // "/"-prefixed segments of path[1:], or ""
}

type structInfo struct {
	fields  []fieldInfo
	byFirst map[xml.Name]int // first path element -> index into fields
}

type infoKey struct {
	t reflect.Type
	k Kind
}

var infoCache sync.Map // infoKey -> *structInfo

// creditNoteOrder is the order of the Document fields in a UBL 2.1
// CreditNote, which differs from the Invoice order (the struct order).
var creditNoteOrder = []string{
	"CustomizationID", "ProfileID", "ID", "IssueDate", "TaxPointDate", "TypeCode", "Note",
	"DocumentCurrencyCode", "TaxCurrencyCode", "AccountingCost", "BuyerReference",
	"InvoicePeriod", "OrderReference", "BillingReference", "DespatchDocumentReference",
	"ReceiptDocumentReference", "ContractDocumentReference", "AdditionalDocumentReference",
	"OriginatorDocumentReference", "AccountingSupplierParty", "AccountingCustomerParty",
	"PayeeParty", "TaxRepresentativeParty", "Delivery", "PaymentMeans", "PaymentTerms",
	"AllowanceCharge", "TaxTotal", "LegalMonetaryTotal", "Lines",
}

func infoFor(t reflect.Type, k Kind) *structInfo {
	key := infoKey{t, k}
	if v, ok := infoCache.Load(key); ok {
		return v.(*structInfo)
	}
	si := &structInfo{byFirst: map[xml.Name]int{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("ubl")
		if k == KindCreditNote {
			if cn, ok := f.Tag.Lookup("cn"); ok {
				tag = cn
			}
		}
		if tag == "" || tag == "-" {
			continue
		}
		var path []xml.Name
		for _, s := range strings.Split(tag, "/") {
			prefix, local, _ := strings.Cut(s, ":")
			ns := NamespaceCBC
			if prefix == "cac" {
				ns = NamespaceCAC
			}
			path = append(path, xml.Name{Space: ns, Local: local})
		}
		var rest string
		for _, n := range path[1:] {
			rest += "/" + segment(n)
		}
		si.fields = append(si.fields, fieldInfo{index: i, name: f.Name, path: path, seg: segment(path[0]), rest: rest})
	}
	if t == documentType && k == KindCreditNote {
		slices.SortStableFunc(si.fields, func(a, b fieldInfo) int {
			return slices.Index(creditNoteOrder, a.name) - slices.Index(creditNoteOrder, b.name)
		})
	}
	for j, f := range si.fields {
		si.byFirst[f.path[0]] = j
	}
	v, _ := infoCache.LoadOrStore(key, si)
	return v.(*structInfo)
}

var (
	documentType     = reflect.TypeFor[Document]()
	stringType       = reflect.TypeFor[string]()
	boolType         = reflect.TypeFor[bool]()
	decimalType      = reflect.TypeFor[Decimal]()
	dateType         = reflect.TypeFor[Date]()
	amountType       = reflect.TypeFor[Amount]()
	quantityType     = reflect.TypeFor[Quantity]()
	identifierType   = reflect.TypeFor[Identifier]()
	codeType         = reflect.TypeFor[Code]()
	binaryObjectType = reflect.TypeFor[BinaryObject]()
)

// isLeaf reports whether t is written as one element with text content.
func isLeaf(t reflect.Type) bool {
	switch t {
	case stringType, boolType, decimalType, dateType, amountType, quantityType, identifierType, codeType, binaryObjectType:
		return true
	}
	return false
}

// decoder maps a node tree onto the model.
type decoder struct {
	kind     Kind
	unmapped []string
}

func (d *decoder) skip(path string) { d.unmapped = append(d.unmapped, path) }

// extras records the attributes, non-blank text and children of n, none
// of which the model carries, as unmapped.
func (d *decoder) extras(n *node, path string, attrs, text, children bool) {
	if attrs {
		for _, a := range n.attrs {
			d.skip(path + "/@" + segment(a.Name))
		}
	}
	if text && trimSpace(string(n.text)) != "" {
		d.skip(path + "/text()")
	}
	if children {
		for _, c := range n.children {
			d.skip(path + "/" + segment(c.name))
		}
	}
}

// structure decodes the children of n into the struct v.
func (d *decoder) structure(n *node, v reflect.Value, path string) error {
	si := infoFor(v.Type(), d.kind)
	d.extras(n, path, true, true, false)
	seen := make([]int, len(si.fields))
	for _, c := range n.children {
		j, ok := si.byFirst[c.name]
		if !ok {
			d.skip(path + "/" + segment(c.name))
			continue
		}
		fi := si.fields[j]
		f := v.Field(fi.index)
		seen[j]++
		if f.Kind() == reflect.Slice && f.Type() != reflect.TypeFor[[]byte]() {
			elem := reflect.New(f.Type().Elem()).Elem()
			p := path + "/" + fi.seg + "[" + strconv.Itoa(seen[j]) + "]"
			if err := d.path(c, fi.path[1:], elem, p); err != nil {
				return err
			}
			if len(fi.path) > 1 && elem.IsZero() {
				// A wrapper without its value (<cac:PartyIdentification/>):
				// nothing to carry; say so rather than invent an empty entry.
				d.skip(p)
				continue
			}
			f.Set(reflect.Append(f, elem))
			continue
		}
		if seen[j] > 1 {
			d.skip(path + "/" + fi.seg + "[" + strconv.Itoa(seen[j]) + "]")
			continue
		}
		if err := d.path(c, fi.path[1:], f, path+"/"+fi.seg); err != nil {
			return err
		}
	}
	return nil
}

// path decodes n, which matched the first element of a field path, where
// rest are the remaining wrapper elements down to the value.
func (d *decoder) path(n *node, rest []xml.Name, v reflect.Value, path string) error {
	if len(rest) == 0 {
		return d.value(n, v, path)
	}
	d.extras(n, path, true, true, false)
	found := false
	for _, c := range n.children {
		if c.name == rest[0] && !found {
			found = true
			if err := d.path(c, rest[1:], v, path+"/"+segment(c.name)); err != nil {
				return err
			}
			continue
		}
		d.skip(path + "/" + segment(c.name))
	}
	return nil
}

// leafAttrs returns the value of the unqualified attribute names and
// records all other attributes as unmapped.
func (d *decoder) leafAttrs(n *node, path string, names ...string) []string {
	out := make([]string, len(names))
	for _, a := range n.attrs {
		i := -1
		if a.Name.Space == "" {
			i = slices.Index(names, a.Name.Local)
		}
		if i < 0 {
			d.skip(path + "/@" + segment(a.Name))
			continue
		}
		out[i] = a.Value
	}
	return out
}

// value decodes the element n into v.
func (d *decoder) value(n *node, v reflect.Value, path string) error {
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		p := reflect.New(t.Elem())
		if err := d.value(n, p.Elem(), path); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	if !isLeaf(t) {
		return d.structure(n, v, path)
	}
	d.extras(n, path, false, false, true)
	text := string(n.text)
	switch t {
	case stringType:
		d.leafAttrs(n, path)
		v.SetString(text)
	case boolType:
		d.leafAttrs(n, path)
		switch trimSpace(text) {
		case "true", "1":
			v.SetBool(true)
		case "false", "0":
			v.SetBool(false)
		default:
			return &ParseError{Path: path, Msg: fmt.Sprintf("invalid boolean %q", clip(text, 40))}
		}
	case decimalType:
		d.leafAttrs(n, path)
		x, err := ParseDecimal(text)
		if err != nil {
			return &ParseError{Path: path, Msg: "invalid number", Err: err}
		}
		v.Set(reflect.ValueOf(x))
	case dateType:
		d.leafAttrs(n, path)
		if trimSpace(text) == "" {
			return nil // absent, as for other text leaves
		}
		x, err := ParseDate(text)
		if err != nil {
			return &ParseError{Path: path, Msg: "invalid date", Err: err}
		}
		v.Set(reflect.ValueOf(x))
	case amountType, quantityType:
		attr := "currencyID"
		if t == quantityType {
			attr = "unitCode"
		}
		a := d.leafAttrs(n, path, attr)
		x, err := ParseDecimal(text)
		if err != nil {
			return &ParseError{Path: path, Msg: "invalid number", Err: err}
		}
		if t == amountType {
			v.Set(reflect.ValueOf(Amount{Value: x, Currency: a[0]}))
		} else {
			v.Set(reflect.ValueOf(Quantity{Value: x, Unit: a[0]}))
		}
	case identifierType:
		a := d.leafAttrs(n, path, "schemeID")
		v.Set(reflect.ValueOf(Identifier{Value: text, SchemeID: a[0]}))
	case codeType:
		a := d.leafAttrs(n, path, "name", "listID", "listVersionID")
		v.Set(reflect.ValueOf(Code{Value: text, Name: a[0], ListID: a[1], ListVersionID: a[2]}))
	case binaryObjectType:
		a := d.leafAttrs(n, path, "mimeCode", "filename")
		b, err := base64.StdEncoding.DecodeString(stripSpace(text))
		if err != nil {
			return &ParseError{Path: path, Msg: "invalid base64 content", Err: err}
		}
		v.Set(reflect.ValueOf(BinaryObject{Data: b, MimeCode: a[0], Filename: a[1]}))
	}
	return nil
}

// stripSpace removes all XML white space from s.
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
}

// Marshal returns d as a UBL 2.1 Invoice or CreditNote (as d.Kind says),
// UTF-8 with an XML declaration, the root in the default namespace and
// the cac and cbc prefixes, elements in the order the UBL 2.1 XSD
// prescribes, indented by two spaces. Errors are of type *[MarshalError].
// Marshal does not check business rules.
func (d *Document) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	if _, err := d.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteTo writes d as [Document.Marshal] does and implements
// [io.WriterTo]. Nothing is written if d cannot be marshalled.
func (d *Document) WriteTo(w io.Writer) (int64, error) {
	if d == nil {
		return 0, &MarshalError{Path: "/", Msg: "nil document"}
	}
	switch d.Kind {
	case KindInvoice:
	case KindCreditNote:
		if !d.DueDate.IsZero() {
			return 0, &MarshalError{Path: "/CreditNote/cbc:DueDate", Msg: "a credit note carries the due date BT-9 in PaymentMeans.PaymentDueDate"}
		}
		if d.ProjectReference != "" {
			return 0, &MarshalError{Path: "/CreditNote/cac:ProjectReference", Msg: "a credit note carries the project reference BT-11 as an AdditionalDocumentReference with DocumentTypeCode 50"}
		}
	default:
		return 0, &MarshalError{Path: "/", Msg: "unknown document kind " + d.Kind.String()}
	}
	e := d.encode()
	if e.err != nil {
		return 0, e.err
	}
	n, err := w.Write(e.buf.Bytes())
	return int64(n), err
}

// encode writes d, whose Kind is valid, into an encoder's buffer.
func (d *Document) encode() *encoder {
	ns := NamespaceInvoice
	if d.Kind == KindCreditNote {
		ns = NamespaceCreditNote
	}
	root := d.Kind.String()
	e := &encoder{kind: d.Kind, path: []string{root}}
	e.buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	e.buf.WriteString("<" + root + ` xmlns="` + ns + `" xmlns:cac="` + NamespaceCAC + `" xmlns:cbc="` + NamespaceCBC + `">`)
	e.structure(reflect.ValueOf(d).Elem(), 1)
	e.buf.WriteString("\n</" + root + ">\n")
	return e
}

// encoder writes the model as indented XML.
type encoder struct {
	kind    Kind
	buf     bytes.Buffer
	path    []string
	err     error
	empties []string // paths of elements written without content
}

func (e *encoder) empty() {
	e.empties = append(e.empties, "/"+strings.Join(e.path, "/"))
}

func (e *encoder) fail(msg string) {
	if e.err == nil {
		e.err = &MarshalError{Path: "/" + strings.Join(e.path, "/"), Msg: msg}
	}
}

func (e *encoder) indent(depth int) {
	e.buf.WriteByte('\n')
	for range depth {
		e.buf.WriteString("  ")
	}
}

// qname returns the prefixed name written for n.
func qname(n xml.Name) string {
	if n.Space == NamespaceCAC {
		return "cac:" + n.Local
	}
	return "cbc:" + n.Local
}

// omit reports whether an optional field is absent. Mandatory values
// (numbers, amounts, quantities, indicators and value aggregates) are
// always written.
func omit(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	switch v.Type() {
	case dateType, identifierType, codeType:
		return v.IsZero()
	}
	return false
}

// structure writes the fields of the struct v as children at depth.
func (e *encoder) structure(v reflect.Value, depth int) {
	si := infoFor(v.Type(), e.kind)
	for _, fi := range si.fields {
		f := v.Field(fi.index)
		if f.Kind() == reflect.Slice {
			for i := 0; i < f.Len(); i++ {
				e.path = append(e.path, fi.seg+"["+strconv.Itoa(i+1)+"]"+fi.rest)
				e.chain(fi.path, f.Index(i), depth, false)
				e.path = e.path[:len(e.path)-1]
			}
			continue
		}
		if omit(f) {
			continue
		}
		e.path = append(e.path, fi.seg+fi.rest)
		e.chain(fi.path, f, depth, f.Kind() != reflect.Pointer)
		e.path = e.path[:len(e.path)-1]
	}
}

// chain writes v wrapped in the elements of path. An empty aggregate that
// is not mandatory is recorded in e.empties.
func (e *encoder) chain(path []xml.Name, v reflect.Value, depth int, mandatory bool) {
	for i, n := range path[:len(path)-1] {
		e.indent(depth + i)
		e.buf.WriteString("<" + qname(n) + ">")
	}
	e.element(path[len(path)-1], v, depth+len(path)-1, mandatory)
	for i := len(path) - 2; i >= 0; i-- {
		e.indent(depth + i)
		e.buf.WriteString("</" + qname(path[i]) + ">")
	}
}

// element writes v as the element name at depth.
func (e *encoder) element(name xml.Name, v reflect.Value, depth int, mandatory bool) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	q := qname(name)
	e.indent(depth)
	e.buf.WriteString("<" + q)
	t := v.Type()
	if !isLeaf(t) {
		e.buf.WriteString(">")
		mark := e.buf.Len()
		e.structure(v, depth+1)
		if e.buf.Len() == mark {
			if !mandatory {
				e.empty()
			}
			e.buf.Truncate(mark - 1)
			e.buf.WriteString("/>")
			return
		}
		e.indent(depth)
		e.buf.WriteString("</" + q + ">")
		return
	}
	var text string
	switch t {
	case stringType:
		text = v.String()
	case boolType:
		text = strconv.FormatBool(v.Bool())
	case decimalType:
		text = v.Interface().(Decimal).String()
	case dateType:
		text = v.Interface().(Date).String()
	case amountType:
		a := v.Interface().(Amount)
		e.attr("currencyID", a.Currency)
		text = a.Value.String()
	case quantityType:
		x := v.Interface().(Quantity)
		e.attr("unitCode", x.Unit)
		text = x.Value.String()
	case identifierType:
		x := v.Interface().(Identifier)
		e.attr("schemeID", x.SchemeID)
		text = x.Value
	case codeType:
		x := v.Interface().(Code)
		e.attr("listID", x.ListID)
		e.attr("listVersionID", x.ListVersionID)
		e.attr("name", x.Name)
		text = x.Value
	case binaryObjectType:
		x := v.Interface().(BinaryObject)
		e.attr("mimeCode", x.MimeCode)
		e.attr("filename", x.Filename)
		text = base64.StdEncoding.EncodeToString(x.Data)
	}
	if trimSpace(text) == "" {
		e.empty()
	}
	e.buf.WriteString(">")
	e.text(text, false)
	e.buf.WriteString("</" + q + ">")
}

// attr writes an attribute unless its value is empty.
func (e *encoder) attr(name, value string) {
	if value == "" {
		return
	}
	e.buf.WriteString(" " + name + `="`)
	e.text(value, true)
	e.buf.WriteString(`"`)
}

// text writes s escaped, failing on characters XML cannot carry.
func (e *encoder) text(s string, attr bool) {
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			e.fail("text is not valid UTF-8")
			return
		}
		if !isXMLChar(r) {
			e.fail(fmt.Sprintf("character %U cannot be written in XML", r))
			return
		}
		switch {
		case r == '&':
			e.buf.WriteString("&amp;")
		case r == '<':
			e.buf.WriteString("&lt;")
		case r == '>':
			e.buf.WriteString("&gt;")
		case r == '"' && attr:
			e.buf.WriteString("&quot;")
		case r == '\r':
			e.buf.WriteString("&#xD;")
		case r == '\n' && attr:
			e.buf.WriteString("&#xA;")
		case r == '\t' && attr:
			e.buf.WriteString("&#x9;")
		default:
			e.buf.WriteRune(r)
		}
	}
}

// isXMLChar reports whether r is a Char in the XML 1.0 grammar.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
