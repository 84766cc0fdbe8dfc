// Package xmlsafe is the gate every felles parser of untrusted XML
// (PEPPOL BIS Billing 3.0 e-invoices, XAdES signatures, SAML later) passes
// before anything else reads the bytes.
//
// Go's encoding/xml does not expand DTD entities, so the classic XXE and
// "billion laughs" attacks do not work against it, but it hands a DOCTYPE
// through as an [xml.Directive] token, silently accepts duplicate
// attributes, accepts bytes that are not UTF-8, and has a history of
// stack and CPU exhaustion bugs on deep or huge input (CVE-2022-28131,
// CVE-2022-30633, CVE-2026-56859). [Check] refuses all of these up front
// in one streaming pass, so that later parsers (encoding/xml, etree,
// goxmldsig) only ever see small, DTD-free, well-nested UTF-8 documents
// with one root element and unique attributes.
//
// See https://www.w3.org/TR/xml/ and https://www.w3.org/TR/xml-names/ for
// the well-formedness rules and
// https://docs.peppol.eu/poacc/billing/3.0/ for the e-invoice format.
package xmlsafe

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Default limits, used for the zero fields of [Limits].
const (
	// DefaultMaxBytes is the default [Limits.MaxBytes]: 20 MiB.
	DefaultMaxBytes int64 = 20 << 20
	// DefaultMaxDepth is the default [Limits.MaxDepth].
	DefaultMaxDepth = 256
	// DefaultMaxAttributes is the default [Limits.MaxAttributes].
	DefaultMaxAttributes = 256
	// DefaultMaxTokens is the default [Limits.MaxTokens]: 10 million.
	DefaultMaxTokens = 10_000_000
)

// Limits bounds the resources [Check] and [Reader] spend on one document.
// The zero value is useful: every field that is zero or negative takes its
// default.
type Limits struct {
	// MaxBytes is the largest accepted document, in bytes. Default
	// [DefaultMaxBytes].
	MaxBytes int64
	// MaxDepth is the deepest accepted element nesting; the root element
	// is at depth 1. Default [DefaultMaxDepth].
	MaxDepth int
	// MaxAttributes is the largest number of attributes, namespace
	// declarations included, accepted on one element. Default
	// [DefaultMaxAttributes].
	MaxAttributes int
	// MaxTokens is the largest number of tokens (start and end tags, text
	// runs, comments, processing instructions) accepted in one document.
	// Default [DefaultMaxTokens].
	MaxTokens int
}

// withDefaults returns lim with its zero and negative fields set to the
// defaults.
func (lim Limits) withDefaults() Limits {
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultMaxBytes
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = DefaultMaxDepth
	}
	if lim.MaxAttributes <= 0 {
		lim.MaxAttributes = DefaultMaxAttributes
	}
	if lim.MaxTokens <= 0 {
		lim.MaxTokens = DefaultMaxTokens
	}
	return lim
}

// Kind classifies why [Check] refused a document. Use it through
// [Error.Reason], or match the per-kind sentinels such as [ErrEntity] with
// [errors.Is].
type Kind int

// The reasons for refusing a document.
const (
	// DOCTYPE means the document has a document type declaration or
	// another DTD markup declaration (<!ELEMENT, <!ATTLIST, <!NOTATION).
	DOCTYPE Kind = iota + 1
	// Entity means the document contains "<!ENTITY" somewhere: an internal
	// or external entity, a parameter entity, a billion-laughs bomb.
	Entity
	// TooLarge means the document exceeds [Limits.MaxBytes].
	TooLarge
	// TooDeep means elements are nested deeper than [Limits.MaxDepth].
	TooDeep
	// TooManyAttributes means an element has more than
	// [Limits.MaxAttributes] attributes.
	TooManyAttributes
	// TooManyTokens means the document has more than [Limits.MaxTokens]
	// tokens.
	TooManyTokens
	// DuplicateAttribute means an element has two attributes with the same
	// namespace URI and local name, or declares one prefix twice.
	DuplicateAttribute
	// Encoding means the document is not valid UTF-8 or declares an
	// encoding other than UTF-8.
	Encoding
	// Malformed means the document is not well-formed XML (with
	// namespaces), for example a mismatched end tag, an unknown entity
	// reference, an unbound prefix or text before the root element.
	Malformed
	// NoRoot means the document has no root element.
	NoRoot
	// TrailingContent means an element or text follows the root element.
	TrailingContent
)

// kindNames are the texts of [Kind.String].
var kindNames = [...]string{
	DOCTYPE:            "document type declaration",
	Entity:             "entity declaration",
	TooLarge:           "document too large",
	TooDeep:            "elements nested too deep",
	TooManyAttributes:  "too many attributes",
	TooManyTokens:      "too many tokens",
	DuplicateAttribute: "duplicate attribute",
	Encoding:           "not UTF-8",
	Malformed:          "malformed XML",
	NoRoot:             "no root element",
	TrailingContent:    "content after the root element",
}

// String returns a short lower-case description of k.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("xmlsafe.Kind(%d)", int(k))
}

// Sentinels, one per [Kind]: errors.Is(err, ErrEntity) reports whether
// err is an [*Error] whose Reason is [Entity].
var (
	// ErrDOCTYPE matches an [*Error] of kind [DOCTYPE].
	ErrDOCTYPE = errors.New("xmlsafe: " + DOCTYPE.String())
	// ErrEntity matches an [*Error] of kind [Entity].
	ErrEntity = errors.New("xmlsafe: " + Entity.String())
	// ErrTooLarge matches an [*Error] of kind [TooLarge].
	ErrTooLarge = errors.New("xmlsafe: " + TooLarge.String())
	// ErrTooDeep matches an [*Error] of kind [TooDeep].
	ErrTooDeep = errors.New("xmlsafe: " + TooDeep.String())
	// ErrTooManyAttributes matches an [*Error] of kind [TooManyAttributes].
	ErrTooManyAttributes = errors.New("xmlsafe: " + TooManyAttributes.String())
	// ErrTooManyTokens matches an [*Error] of kind [TooManyTokens].
	ErrTooManyTokens = errors.New("xmlsafe: " + TooManyTokens.String())
	// ErrDuplicateAttribute matches an [*Error] of kind [DuplicateAttribute].
	ErrDuplicateAttribute = errors.New("xmlsafe: " + DuplicateAttribute.String())
	// ErrEncoding matches an [*Error] of kind [Encoding].
	ErrEncoding = errors.New("xmlsafe: " + Encoding.String())
	// ErrMalformed matches an [*Error] of kind [Malformed].
	ErrMalformed = errors.New("xmlsafe: " + Malformed.String())
	// ErrNoRoot matches an [*Error] of kind [NoRoot].
	ErrNoRoot = errors.New("xmlsafe: " + NoRoot.String())
	// ErrTrailingContent matches an [*Error] of kind [TrailingContent].
	ErrTrailingContent = errors.New("xmlsafe: " + TrailingContent.String())
)

// sentinels maps each [Kind] to its sentinel.
var sentinels = [...]error{
	DOCTYPE:            ErrDOCTYPE,
	Entity:             ErrEntity,
	TooLarge:           ErrTooLarge,
	TooDeep:            ErrTooDeep,
	TooManyAttributes:  ErrTooManyAttributes,
	TooManyTokens:      ErrTooManyTokens,
	DuplicateAttribute: ErrDuplicateAttribute,
	Encoding:           ErrEncoding,
	Malformed:          ErrMalformed,
	NoRoot:             ErrNoRoot,
	TrailingContent:    ErrTrailingContent,
}

// Error is the error [Check] and [Reader] return for a refused document.
// Match it with [errors.As], or its Reason with [errors.Is] and a sentinel
// such as [ErrDOCTYPE].
type Error struct {
	// Reason says why the document was refused.
	Reason Kind
	// Line is the 1-based line of the offending construct, or 0 when the
	// refusal concerns the whole document (such as [TooLarge]).
	Line int
	// Column is the 1-based byte column within Line, or 0 with Line.
	Column int
	// Offset is the 0-based byte offset of the offending construct in the
	// input, or -1 when the refusal concerns the whole document.
	Offset int64
	// Detail describes the problem. It quotes at most about 40 bytes of
	// the input, with control characters replaced, so it is safe to log.
	Detail string

	// err is the underlying decoder error, if any.
	err error
}

// Error returns "xmlsafe: " followed by the reason, the detail and the
// position.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("xmlsafe: ")
	b.WriteString(e.Reason.String())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d, column %d)", e.Line, e.Column)
	} else if e.Offset >= 0 {
		fmt.Fprintf(&b, " (offset %d)", e.Offset)
	}
	return b.String()
}

// Is reports whether target is the sentinel of e.Reason, such as
// [ErrTooDeep] for [TooDeep].
func (e *Error) Is(target error) bool {
	return e.Reason > 0 && int(e.Reason) < len(sentinels) && sentinels[e.Reason] == target
}

// Unwrap returns the underlying encoding/xml error, such as an
// [*xml.SyntaxError], or nil.
func (e *Error) Unwrap() error { return e.err }

// maxQuote is the most input bytes an [Error] quotes.
const maxQuote = 40

// quote returns s, clipped to [maxQuote] bytes at a rune boundary, with
// control characters and invalid bytes replaced, in double quotes.
func quote(s string) string {
	return quoteN(s, maxQuote)
}

// quoteN is [quote] clipped to n bytes, for details that quote more than
// one piece of input.
func quoteN(s string, n int) string {
	return `"` + quoteEscaper.Replace(clip(s, n)) + `"`
}

// quoteEscaper escapes the quotes in a quoted piece of input.
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// clip returns s clipped to at most n bytes at a rune boundary, followed by
// "…" if clipped, with control characters and invalid UTF-8 replaced by
// U+FFFD so that the result is safe to log.
func clip(s string, n int) string {
	cut := len(s) > n
	if cut {
		s = s[:n]
		for len(s) > 0 && !utf8.ValidString(s) && len(s) > n-utf8.UTFMax {
			s = s[:len(s)-1]
		}
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
	if cut {
		s += "…"
	}
	return s
}

// utf8BOM is the UTF-8 byte order mark, allowed before the XML declaration.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// errCharset is returned by the decoder's CharsetReader.
var errCharset = errors.New("charset not supported")

// Check reports whether data is a document that felles parsers may read,
// in a single streaming pass over its encoding/xml tokens. It returns nil
// or an [*Error]. It refuses:
//
//   - input larger than lim.MaxBytes ([TooLarge]);
//   - bytes that are not valid UTF-8, or an XML declaration whose encoding
//     is not UTF-8 ([Encoding]); a leading UTF-8 byte order mark is allowed;
//   - "<!ENTITY" anywhere in the input, even inside a comment or CDATA
//     section, so that no other parser can be made to see a declaration
//     ([Entity]);
//   - any other DTD markup: a DOCTYPE with or without an internal subset,
//     <!ELEMENT, <!ATTLIST, <!NOTATION ([DOCTYPE]);
//   - two attributes on one element with the same namespace URI and local
//     name, whatever their prefixes, or the same namespace declaration
//     twice ([DuplicateAttribute]);
//   - more than lim.MaxDepth nested elements, lim.MaxAttributes attributes
//     on an element, or lim.MaxTokens tokens ([TooDeep],
//     [TooManyAttributes], [TooManyTokens]);
//   - documents without a root element ([NoRoot]), or with a second root
//     element or non-whitespace text after it ([TrailingContent]);
//   - anything else that is not namespace-well-formed XML 1.0 as far as
//     encoding/xml can tell: mismatched tags, unknown entity references,
//     unbound prefixes, text before the root, an XML declaration that is
//     not at the start ([Malformed]).
//
// Comments and processing instructions are allowed anywhere; they count
// towards lim.MaxTokens. Check does not validate against a schema.
func Check(data []byte, lim Limits) error {
	return Walk(data, lim, nil)
}

// Walk is Check that also hands each token to f as soon as the checks up to
// it have passed, so that a caller can build its own tree in the same pass
// instead of tokenising the document twice. Tokens are those of
// encoding/xml's RawToken: names are not namespace-resolved, end tags are
// checked to match, and a token's byte slices (CharData, Comment, ...) and
// a StartElement's Attr slice are only valid during the call. If a later
// check fails, Walk returns its *Error and the caller must discard what it
// built; if f returns an error, Walk stops and returns it. f may be nil.
//
// Plain documents (no comments, CDATA, DOCTYPE, processing instructions
// or carriage returns) take a faster tokenizer that yields the same tokens
// and verdicts; see fast.go.
func Walk(data []byte, lim Limits, f func(xml.Token) error) error {
	lim = lim.withDefaults()
	data, base, err := precheck(data, lim)
	if err != nil {
		return err
	}
	if !forceSlow && plain(data) {
		if ok, err := walkFast(data, lim, f); ok {
			return err
		}
	}
	c := checker{lim: lim, base: base, onToken: f}
	return c.run(data)
}

// precheck runs the whole-document checks that come before tokenizing
// (size, UTF-8, "<!ENTITY") and strips a leading BOM, returning the rest
// and the number of bytes stripped. lim has its defaults.
func precheck(data []byte, lim Limits) (_ []byte, base int64, _ error) {
	if int64(len(data)) > lim.MaxBytes {
		return nil, 0, &Error{Reason: TooLarge, Offset: -1,
			Detail: fmt.Sprintf("more than %d bytes", lim.MaxBytes)}
	}
	if bytes.HasPrefix(data, utf8BOM) {
		data = data[len(utf8BOM):]
		base = int64(len(utf8BOM))
	}
	if !utf8.Valid(data) {
		off := invalidUTF8(data)
		line, col := position(data, off)
		return nil, 0, &Error{Reason: Encoding, Line: line, Column: col, Offset: base + int64(off),
			Detail: "invalid UTF-8"}
	}
	if i := indexEntityDecl(data); i >= 0 {
		line, col := position(data, i)
		return nil, 0, &Error{Reason: Entity, Line: line, Column: col, Offset: base + int64(i),
			Detail: quote(string(data[i:min(len(data), i+maxQuote)]))}
	}
	return data, base, nil
}

// indexEntityDecl is bytes.Index(data, "<!ENTITY"), found by its "!",
// which is rare in XML, rather than by its "<", which starts every tag.
func indexEntityDecl(data []byte) int {
	for off := 0; ; {
		j := bytes.Index(data[off:], []byte("!ENTITY"))
		if j < 0 {
			return -1
		}
		if i := off + j; i > 0 && data[i-1] == '<' {
			return i - 1
		}
		off += j + 1
	}
}

// Reader reads a document from r and checks it with [Check]. It reads at
// most lim.MaxBytes+1 bytes, so an oversized document fails with
// [TooLarge] without being read in full. On success it returns the bytes
// read; on failure it returns nil and an [*Error], or the read error.
func Reader(r io.Reader, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	limit := lim.MaxBytes
	if limit < 1<<62 {
		limit++
	}
	data, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("xmlsafe: reading document: %w", err)
	}
	if err := Check(data, lim); err != nil {
		return nil, err
	}
	return data, nil
}

// invalidUTF8 returns the offset of the first invalid UTF-8 sequence in b.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// position returns the 1-based line and byte column of offset off in b.
func position(b []byte, off int) (line, col int) {
	b = b[:off]
	line = 1 + bytes.Count(b, []byte{'\n'})
	return line, off - bytes.LastIndexByte(b, '\n')
}

// checker holds the state of one [Check] run.
type checker struct {
	lim  Limits
	base int64 // bytes skipped before the decoder's input (a BOM)
	dec  *xml.Decoder

	// Position of the start of the current token.
	line, col int
	off       int64

	// stack holds the raw names of the open elements; ns the namespace
	// bindings they declare, innermost last.
	stack []xml.Name
	ns    []binding
	nsLen []int // len(ns) before each open element's declarations

	seen map[xml.Name]struct{} // attribute keys of the current element
	keys [8]xml.Name           // the same, when it has at most 8 attributes

	tokens, roots int // tokens and root elements seen so far

	onToken func(xml.Token) error // Walk's callback, or nil
}

// binding is one namespace declaration in scope.
type binding struct{ prefix, uri string }

// Namespace names fixed by https://www.w3.org/TR/xml-names/.
const (
	xmlURI   = "http://www.w3.org/XML/1998/namespace"
	xmlnsURI = "http://www.w3.org/2000/xmlns/"
)

// fail returns an [*Error] of kind k at the start of the current token.
func (c *checker) fail(k Kind, detail string) error {
	return &Error{Reason: k, Line: c.line, Column: c.col, Offset: c.base + c.off, Detail: detail}
}

// run streams over data's tokens.
func (c *checker) run(data []byte) error {
	c.dec = xml.NewDecoder(bytes.NewReader(data))
	c.dec.Strict = true
	c.dec.CharsetReader = func(string, io.Reader) (io.Reader, error) { return nil, errCharset }
	c.seen = make(map[xml.Name]struct{})
	for {
		c.line, c.col = c.dec.InputPos()
		c.off = c.dec.InputOffset()
		tok, err := c.dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return c.decodeError(err)
		}
		if err := c.count(); err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := c.startRoot(t); err != nil {
				return err
			}
		case xml.EndElement:
			if err := c.end(t); err != nil {
				return err
			}
		case xml.CharData:
			if err := c.text(t); err != nil {
				return err
			}
		case xml.ProcInst:
			if err := c.procInst(t); err != nil {
				return err
			}
		case xml.Directive:
			return c.directive(t)
		case xml.Comment:
			// Allowed anywhere.
		}
		if c.onToken != nil {
			if err := c.onToken(tok); err != nil {
				return err
			}
		}
	}
	return c.finish()
}

// count counts one more token.
func (c *checker) count() error {
	c.tokens++
	if c.tokens > c.lim.MaxTokens {
		return c.fail(TooManyTokens, fmt.Sprintf("more than %d tokens", c.lim.MaxTokens))
	}
	return nil
}

// startRoot checks a start tag, a second root element included, and opens
// its element.
func (c *checker) startRoot(t xml.StartElement) error {
	if len(c.stack) == 0 {
		c.roots++
		if c.roots > 1 {
			return c.fail(TrailingContent, "second root element "+quote(rawName(t.Name)))
		}
	}
	return c.start(t)
}

// text checks character data.
func (c *checker) text(t []byte) error {
	if len(c.stack) == 0 && !isSpace(t) {
		if c.roots > 0 {
			return c.fail(TrailingContent, "text after the root element")
		}
		return c.fail(Malformed, "text before the root element")
	}
	return nil
}

// procInst checks a processing instruction.
func (c *checker) procInst(t xml.ProcInst) error {
	if t.Target != "xml" && strings.EqualFold(t.Target, "xml") {
		return c.fail(Malformed, "reserved processing instruction target "+quote(t.Target))
	}
	if t.Target == "xml" && c.off != 0 {
		return c.fail(Malformed, "XML declaration not at the start of the document")
	}
	return nil
}

// finish checks the end of the document.
func (c *checker) finish() error {
	if len(c.stack) > 0 {
		return c.fail(Malformed, "unexpected end of input inside "+quote(rawName(c.stack[len(c.stack)-1])))
	}
	if c.roots == 0 {
		return c.fail(NoRoot, "")
	}
	return nil
}

// decodeError converts an error from the decoder.
func (c *checker) decodeError(err error) error {
	line, col := c.dec.InputPos()
	e := &Error{Reason: Malformed, Line: line, Column: col,
		Offset: c.base + c.dec.InputOffset(), err: err}
	var se *xml.SyntaxError
	switch {
	case errors.Is(err, errCharset):
		e.Reason = Encoding
		e.Line, e.Column, e.Offset = c.line, c.col, c.base+c.off
		e.Detail = "declared encoding is not UTF-8"
	case errors.As(err, &se):
		e.Line = se.Line
		e.Detail = clip(se.Msg, maxQuote+16)
	default:
		e.Detail = clip(strings.TrimPrefix(err.Error(), "xml: "), maxQuote+16)
	}
	return e
}

// directive refuses a <!...> markup declaration.
func (c *checker) directive(d xml.Directive) error {
	if bytes.Contains(d, []byte("ENTITY")) {
		return c.fail(Entity, quote("<!"+string(d)))
	}
	return c.fail(DOCTYPE, quote("<!"+string(d)))
}

// start checks a start tag and opens its element.
func (c *checker) start(t xml.StartElement) error {
	if len(c.stack) >= c.lim.MaxDepth {
		return c.fail(TooDeep, fmt.Sprintf("more than %d levels", c.lim.MaxDepth))
	}
	if len(t.Attr) > c.lim.MaxAttributes {
		return c.fail(TooManyAttributes, fmt.Sprintf("%d attributes on %s, more than %d",
			len(t.Attr), quote(rawName(t.Name)), c.lim.MaxAttributes))
	}
	if strings.Contains(t.Name.Local, ":") {
		return c.fail(Malformed, "bad element name "+quote(rawName(t.Name)))
	}
	c.nsLen = append(c.nsLen, len(c.ns))
	c.stack = append(c.stack, t.Name)
	// Namespace declarations first: they apply to the element's own
	// name and attributes.
	for _, a := range t.Attr {
		if strings.Contains(a.Name.Local, ":") {
			return c.fail(Malformed, "bad attribute name "+quote(rawName(a.Name)))
		}
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			if a.Value == xmlURI || a.Value == xmlnsURI {
				return c.fail(Malformed, "reserved default namespace "+quote(a.Value))
			}
			c.ns = append(c.ns, binding{"", a.Value})
		case a.Name.Space == "xmlns":
			switch {
			case a.Value == "":
				return c.fail(Malformed, "empty namespace for prefix "+quote(a.Name.Local))
			case a.Name.Local == "xml" && a.Value == xmlURI:
				continue // allowed and without effect
			case a.Name.Local == "xml" || a.Name.Local == "xmlns" || a.Value == xmlURI || a.Value == xmlnsURI:
				return c.fail(Malformed, "reserved namespace binding "+quote(rawName(a.Name)))
			}
			c.ns = append(c.ns, binding{a.Name.Local, a.Value})
		}
	}
	if t.Name.Space != "" {
		if _, ok := c.lookup(t.Name.Space); !ok {
			return c.fail(Malformed, "unbound prefix "+quote(t.Name.Space))
		}
	}
	small := len(t.Attr) <= len(c.keys)
	if !small {
		clear(c.seen)
	}
	for i, a := range t.Attr {
		var key xml.Name
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			key = xml.Name{Space: xmlnsURI}
		case a.Name.Space == "xmlns":
			key = xml.Name{Space: xmlnsURI, Local: a.Name.Local}
		case a.Name.Space == "":
			key = a.Name
		default:
			uri, ok := c.lookup(a.Name.Space)
			if !ok {
				return c.fail(Malformed, "unbound prefix "+quote(a.Name.Space))
			}
			key = xml.Name{Space: uri, Local: a.Name.Local}
		}
		dup := false
		if small {
			// A linear scan over the keys so far: same verdict as the
			// map, without hashing, for the usual few attributes.
			for _, k := range c.keys[:i] {
				if k == key {
					dup = true
					break
				}
			}
			c.keys[i] = key
		} else {
			_, dup = c.seen[key]
			c.seen[key] = struct{}{}
		}
		if dup {
			return c.fail(DuplicateAttribute, quoteN(rawName(a.Name), maxQuote/2)+" on "+quoteN(rawName(t.Name), maxQuote/2))
		}
	}
	return nil
}

// end checks an end tag and closes its element.
func (c *checker) end(t xml.EndElement) error {
	if len(c.stack) == 0 {
		return c.fail(Malformed, "unexpected end tag "+quote(rawName(t.Name)))
	}
	open := c.stack[len(c.stack)-1]
	if open != t.Name {
		return c.fail(Malformed, "element "+quoteN(rawName(open), maxQuote/2)+" closed by "+quoteN(rawName(t.Name), maxQuote/2))
	}
	c.stack = c.stack[:len(c.stack)-1]
	c.ns = c.ns[:c.nsLen[len(c.nsLen)-1]]
	c.nsLen = c.nsLen[:len(c.nsLen)-1]
	return nil
}

// lookup returns the namespace URI bound to prefix.
func (c *checker) lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return xmlURI, true
	}
	for i := len(c.ns) - 1; i >= 0; i-- {
		if c.ns[i].prefix == prefix {
			return c.ns[i].uri, true
		}
	}
	return "", false
}

// rawName returns n as written, prefix:local.
func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// isSpace reports whether b is all XML white space.
func isSpace(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}
