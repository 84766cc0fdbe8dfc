package xmlsafe

// A fast tokenizer for "plain" documents, used by [Walk] instead of
// encoding/xml when it can be. It produces exactly the tokens that
// encoding/xml's Decoder.RawToken produces, and it is safe by construction:
//
//   - [plain] pre-scans the input and refuses anything the fast tokenizer
//     does not handle: '\r', "<!" (comments, CDATA, DOCTYPE), "<?" other
//     than at offset 0, "]]>", control characters, U+FFFE and U+FFFF.
//   - [walkFast] tokenizes and checks the whole document first without
//     calling f. At the first thing the tokenizer does not know exactly how
//     encoding/xml would handle, or the first check that fails, it gives up
//     and Walk starts over on the encoding/xml path, so that every error,
//     with its position and detail, comes from that path. Only when the
//     whole document has passed does a second pass hand the tokens to f;
//     that pass meets the same bytes and cannot fail.
//   - [WalkHandler] instead checks and hands on each token in one pass
//     (walkFastHandler, handler.go); when it gives up it Resets the
//     [Handler] and starts over on the encoding/xml path in the same way.

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// forceSlow disables the fast path, for tests and benchmarks.
var forceSlow = false

// plain reports whether the fast tokenizer may try data, which has no BOM:
// whether it has no '\r' or other control character but tab and newline,
// no "<!" (comments, CDATA, DOCTYPE), no "<?" other than at offset 0, no
// "]]>", and neither U+FFFE nor U+FFFF. It looks at 8 bytes at a time.
func plain(data []byte) bool {
	if bytes.Contains(data, []byte("]]>")) {
		return false
	}
	// "<!" anywhere and "<?" anywhere but at offset 0, found from their
	// second byte, which is rare where '<' is at every tag.
	for i := 0; ; {
		k := bytes.IndexByte(data[i:], '!')
		if k < 0 {
			break
		}
		i += k + 1
		if i >= 2 && data[i-2] == '<' {
			return false
		}
	}
	for i := 0; ; {
		k := bytes.IndexByte(data[i:], '?')
		if k < 0 {
			break
		}
		i += k + 1
		if i >= 3 && data[i-2] == '<' {
			return false
		}
	}
	for i := 0; ; {
		k := bytes.IndexByte(data[i:], 0xEF)
		if k < 0 {
			break
		}
		i += k + 1
		if i+1 < len(data) && data[i] == 0xBF && (data[i+1] == 0xBE || data[i+1] == 0xBF) {
			return false
		}
	}
	n := len(data)
	i := 0
	for ; i+8 <= n; i += 8 {
		x := binary.LittleEndian.Uint64(data[i:])
		// Some byte below 0x20, maybe (bytes from 0x80 up never count),
		// as in the words with a tab or newline; then exactly.
		if (x-bytes01*0x20)&^x&bytes80 != 0 && ctrlBytes(x) != 0 {
			return false
		}
	}
	for _, c := range data[i:] {
		if c < 0x20 && c != '\t' && c != '\n' {
			return false
		}
	}
	return true
}

// Words of 8 bytes 0x01 and 0x80, for plain and ctrlBytes.
const bytes01, bytes80 = 0x0101010101010101, 0x8080808080808080

// ctrlBytes marks the bytes of x (8 bytes of input) that are control
// characters other than tab and newline: the high bit of each such byte
// is set in the result, and no other bit. Each byte is computed apart
// from the others (no carry or borrow crosses a byte), so the result is
// exact: the usual has-less-than trick also flags every tab and newline,
// and bytes above a flagged one, which then need a look one by one.
func ctrlBytes(x uint64) uint64 {
	const lows = 0x7F7F7F7F7F7F7F7F
	// Bytes below 0x20: under 0x80 (high bit clear), and their low 7 bits
	// plus 0x60 do not reach 0x80.
	below := ^((x&lows + bytes01*(0x80-0x20)) | x) & bytes80
	// Tabs and newlines: the bytes that XOR to zero.
	tab, nl := x^(bytes01*'\t'), x^(bytes01*'\n')
	isTab := ^((tab&lows + lows) | tab) & bytes80
	isNL := ^((nl&lows + lows) | nl) & bytes80
	return below &^ (isTab | isNL)
}

// walkFast is [Walk] over data, which has no BOM, is valid UTF-8 and is
// [plain], on the fast tokenizer. ok is false if the fast path gave up
// before calling f; the caller must then start over on the slow path.
func walkFast(data []byte, lim Limits, f func(xml.Token) error) (ok bool, err error) {
	// Check (f nil): the strings only live in the checker, which is gone
	// when walkFast returns; data cannot change before. f may keep the
	// names and values.
	z := newFastTokenizer(data, f == nil)
	c := checker{lim: lim, seen: make(map[xml.Name]struct{})}
	// Pass 1: tokenize and check, calling nothing.
	for {
		c.off = int64(z.pos)
		z.open = c.stack
		k, name := z.next()
		if k == fastEOF {
			break
		}
		if k == fastBail || c.count() != nil {
			return false, nil
		}
		switch k {
		case fastStart:
			err = c.startRoot(xml.StartElement{Name: name, Attr: z.attr})
		case fastEnd:
			err = c.end(xml.EndElement{Name: name})
		case fastText:
			err = c.text(z.textBytes())
		case fastProcInst:
			err = c.procInst(xml.ProcInst{Target: "xml", Inst: z.textBytes()})
		}
		if err != nil {
			return false, nil
		}
	}
	if c.finish() != nil {
		return false, nil
	}
	if f == nil {
		return true, nil
	}
	// Pass 2: the same tokens again, to f.
	z = fastTokenizer{b: data, s: z.s, attr: z.attr[:0], buf: z.buf[:0]}
	var out []byte
	for {
		var tok xml.Token
		switch k, name := z.next(); k {
		case fastEOF:
			return true, nil
		case fastStart:
			tok = xml.StartElement{Name: name, Attr: z.attr}
		case fastEnd:
			tok = xml.EndElement{Name: name}
		case fastText:
			// Hand out a copy, never the caller's input itself.
			out = append(out[:0], z.textBytes()...)
			tok = xml.CharData(out)
		case fastProcInst:
			tok = xml.ProcInst{Target: "xml", Inst: bytes.Clone(z.textBytes())}
		default:
			// Only possible if f changed data under us.
			return true, &Error{Reason: Malformed, Offset: -1, Detail: "input changed during Walk"}
		}
		if err := f(tok); err != nil {
			return true, err
		}
	}
}

// textBytes returns the current text token, or the XML declaration's
// content: decoded in buf, or the input itself.
func (z *fastTokenizer) textBytes() []byte {
	if z.decoded {
		return z.buf
	}
	return z.b[z.textAt:z.textEnd]
}

// textString returns the current text token as a string: a substring of
// the input's string when it needed no decoding.
func (z *fastTokenizer) textString() string {
	if z.decoded {
		return string(z.buf)
	}
	return z.s[z.textAt:z.textEnd]
}

// Token kinds of [fastTokenizer.next].
const (
	fastBail = iota
	fastEOF
	fastStart
	fastEnd
	fastText
	fastProcInst
)

// fastTokenizer splits a [plain] document into RawToken's tokens.
type fastTokenizer struct {
	b   []byte // the input
	s   string // the input as a string, for names and values
	pos int    // offset of the next token

	needClose bool // the last token was a self-closing start tag

	// open is the checker's stack of open elements as of the next token,
	// set by the caller, or nil: an end tag that names the innermost one is
	// matched against it whole instead of being scanned byte by byte (see
	// endName).
	open []xml.Name

	// The current token, but for its name, which next returns: a start
	// tag's attributes, or text (decoded) or the XML declaration's content.
	// Only offsets and flags change from token to token: storing slices
	// and strings here would cost write barriers while the GC runs.
	attr []xml.Attr // of a start tag; reused

	// Whether the text is decoded into buf, else it is the input at
	// [textAt, textEnd).
	decoded         bool
	textAt, textEnd int

	buf []byte // decoded text; reused

	selfName xml.Name // the name of the last self-closing start tag
}

// next reads the next token, returning its kind and, for a start or end
// tag, its name; fastBail means the fast tokenizer does not handle what
// follows.
func (z *fastTokenizer) next() (kind int, name xml.Name) {
	if z.needClose {
		z.needClose = false
		return fastEnd, z.selfName
	}
	b, i, n := z.b, z.pos, len(z.b)
	if i >= n {
		return fastEOF, name
	}
	if b[i] != '<' {
		j, amp := scanText(b, i)
		seg := b[i:j]
		z.decoded = false
		if amp {
			var ok bool
			if z.buf, ok = decode(z.buf[:0], seg); !ok {
				return fastBail, name
			}
			z.decoded = true
		}
		z.textAt, z.textEnd = i, j
		z.pos = j
		return fastText, name
	}
	i++
	if i >= n {
		return fastBail, name
	}
	switch b[i] {
	case '/':
		name, j, ok := z.endName(i + 1)
		if !ok {
			if name, j, ok = z.nsname(i + 1); !ok {
				return fastBail, name
			}
		}
		j = skipSpace(b, j)
		if j >= n || b[j] != '>' {
			return fastBail, name
		}
		z.pos = j + 1
		return fastEnd, name
	case '?':
		return z.xmlDecl(), name
	case '!':
		return fastBail, name // cannot happen in plain input
	}
	name, j, ok := z.nsname(i)
	if !ok {
		return fastBail, name
	}
	z.attr = z.attr[:0]
	for {
		j = skipSpace(b, j)
		if j >= n {
			return fastBail, name
		}
		switch b[j] {
		case '/':
			if j+1 >= n || b[j+1] != '>' {
				return fastBail, name
			}
			z.needClose = true
			z.selfName = name
			z.pos = j + 2
			return fastStart, name
		case '>':
			z.pos = j + 1
			return fastStart, name
		}
		var a xml.Attr
		if a.Name, j, ok = z.nsname(j); !ok {
			return fastBail, name
		}
		j = skipSpace(b, j)
		if j >= n || b[j] != '=' {
			return fastBail, name
		}
		j = skipSpace(b, j+1)
		if j >= n || (b[j] != '"' && b[j] != '\'') {
			return fastBail, name
		}
		q := b[j]
		j++
		k, lt, amp := scanValue(b[j:], q)
		if k < 0 || lt {
			return fastBail, name
		}
		val := b[j : j+k]
		if amp {
			if z.buf, ok = decode(z.buf[:0], val); !ok {
				return fastBail, name
			}
			a.Value = string(z.buf)
		} else {
			a.Value = z.s[j : j+k]
		}
		z.attr = append(z.attr, a)
		j += k + 1
	}
}

// shortRun is how far scanText and scanValue look byte by byte before
// they turn to bytes.IndexByte: most text runs (indentation, values) and
// attribute values are shorter, and a loop over them costs less than the
// calls.
const shortRun = 32

// scanText returns the end of the text run at b[i:], the offset of the next
// '<' or len(b), and whether the run has an '&'.
func scanText(b []byte, i int) (j int, amp bool) {
	j = i
	for end := min(len(b), i+shortRun); j < end; j++ {
		switch b[j] {
		case '<':
			return j, amp
		case '&':
			amp = true
		}
	}
	if j == len(b) {
		return j, amp
	}
	k := bytes.IndexByte(b[j:], '<')
	if k < 0 {
		k = len(b) - j
	}
	return j + k, amp || bytes.IndexByte(b[j:j+k], '&') >= 0
}

// scanValue returns the offset in b of the closing quote q of an attribute
// value, or -1, and whether the value has a '<' or an '&'.
func scanValue(b []byte, q byte) (k int, lt, amp bool) {
	for end := min(len(b), shortRun); k < end; k++ {
		switch b[k] {
		case q:
			return k, lt, amp
		case '<':
			lt = true
		case '&':
			amp = true
		}
	}
	j := bytes.IndexByte(b[k:], q)
	if j < 0 {
		return -1, lt, amp
	}
	val := b[k : k+j]
	return k + j, lt || bytes.IndexByte(val, '<') >= 0, amp || bytes.IndexByte(val, '&') >= 0
}

// xmlDecl reads the XML declaration "<?xml ...?>", which [plain] allows
// only at offset 0.
func (z *fastTokenizer) xmlDecl() int {
	b := z.b
	if z.pos != 0 || !bytes.HasPrefix(b, []byte("<?xml")) || len(b) < 6 {
		return fastBail
	}
	switch b[5] {
	case ' ', '\t', '\n', '?':
	default:
		return fastBail
	}
	i := skipSpace(b, 5)
	k := bytes.Index(b[i:], []byte("?>"))
	if k < 0 {
		return fastBail
	}
	content := z.s[i : i+k]
	if v := procInst("version", content); v != "" && v != "1.0" {
		return fastBail
	}
	if enc := procInst("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
		return fastBail
	}
	z.decoded, z.textAt, z.textEnd = false, i, i+k
	z.pos = i + k + 2
	return fastProcInst
}

// nsname reads a name at b[i:] as encoding/xml's Decoder.nsname would,
// returning it split at its colon and the offset after it. It only
// accepts ASCII names with at most one colon, not at either end.
func (z *fastTokenizer) nsname(i int) (name xml.Name, j int, ok bool) {
	b := z.b
	j = i
	colon := -1
	for j < len(b) {
		c := b[j]
		if !nameByte[c] {
			break
		}
		if c == ':' {
			if colon >= 0 {
				return name, 0, false
			}
			colon = j
		}
		j++
	}
	// Stop at the end of input, at a non-ASCII byte (encoding/xml would
	// read it as part of the name), or at a name that does not start with
	// a letter or '_'.
	if j >= len(b) || b[j] >= utf8.RuneSelf || j == i || !nameStart[b[i]] {
		return name, 0, false
	}
	if colon < 0 {
		return xml.Name{Local: z.s[i:j]}, j, true
	}
	if colon == j-1 {
		return name, 0, false
	}
	return xml.Name{Space: z.s[i:colon], Local: z.s[colon+1 : j]}, j, true
}

// endName reads the name of an end tag at b[i:] if it is that of the
// innermost open element, which nsname read before: it then returns what
// nsname would, the open element's name, after comparing the bytes whole.
// ok is false for anything else, which is left to nsname.
func (z *fastTokenizer) endName(i int) (name xml.Name, j int, ok bool) {
	if len(z.open) == 0 {
		return name, 0, false
	}
	name = z.open[len(z.open)-1]
	b := z.b[i:]
	n := len(name.Local)
	if name.Space != "" {
		n += len(name.Space) + 1
	}
	if n >= len(b) { // nsname needs a byte after the name
		return name, 0, false
	}
	if name.Space == "" {
		if string(b[:n]) != name.Local {
			return name, 0, false
		}
	} else if k := len(name.Space); string(b[:k]) != name.Space || b[k] != ':' || string(b[k+1:n]) != name.Local {
		return name, 0, false
	}
	// The name must end here, where nsname would stop: at an ASCII byte
	// that is not a name byte.
	if c := b[n]; nameByte[c] || c >= utf8.RuneSelf {
		return name, 0, false
	}
	return name, i + n, true
}

// nameByte and nameStart are encoding/xml's name bytes (isNameByte), and
// the ASCII ones a name may start with, a colon left out.
var nameByte, nameStart = func() (nb, ns [256]bool) {
	for c := 0; c < 256; c++ {
		letter := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
		nb[c] = letter || '0' <= c && c <= '9' || c == '_' || c == ':' || c == '.' || c == '-'
		ns[c] = letter || c == '_'
	}
	return
}()

// skipSpace returns the offset of the first byte at or after i that is not
// XML white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// decode appends s with its entity and character references replaced to
// dst, as encoding/xml's Decoder.text would in strict mode. ok is false
// for anything else, or a reference encoding/xml would refuse.
func decode(dst, s []byte) (_ []byte, ok bool) {
	for {
		k := bytes.IndexByte(s, '&')
		if k < 0 {
			return append(dst, s...), true
		}
		dst = append(dst, s[:k]...)
		s = s[k+1:]
		semi := bytes.IndexByte(s, ';')
		if semi < 0 {
			return dst, false
		}
		ref := s[:semi]
		s = s[semi+1:]
		if len(ref) > 0 && ref[0] == '#' {
			digits, hex := ref[1:], false
			if len(digits) > 0 && digits[0] == 'x' {
				digits, hex = digits[1:], true
			}
			if len(digits) == 0 {
				return dst, false
			}
			var r rune
			for _, c := range digits {
				var d rune
				switch {
				case '0' <= c && c <= '9':
					d = rune(c - '0')
				case hex && 'a' <= c && c <= 'f':
					d = rune(c-'a') + 10
				case hex && 'A' <= c && c <= 'F':
					d = rune(c-'A') + 10
				default:
					return dst, false
				}
				if hex {
					r = r*16 + d
				} else {
					r = r*10 + d
				}
				if r > utf8.MaxRune {
					return dst, false
				}
			}
			// encoding/xml turns surrogates into U+FFFD; leave them to it.
			if 0xD800 <= r && r <= 0xDFFF || !isInCharacterRange(r) {
				return dst, false
			}
			dst = utf8.AppendRune(dst, r)
			continue
		}
		switch string(ref) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "apos":
			dst = append(dst, '\'')
		case "quot":
			dst = append(dst, '"')
		default:
			return dst, false
		}
	}
}

// isInCharacterRange is encoding/xml's: whether r is an XML Char.
func isInCharacterRange(r rune) bool {
	return r == 0x09 ||
		r == 0x0A ||
		r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// procInst is encoding/xml's: the value of param in the content of an
// XML declaration, or "".
func procInst(param, s string) string {
	param = param + "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// newFastTokenizer returns a tokenizer of data. Its strings alias data when
// alias is set (data must not change while they are used, and nothing may
// keep them), else they point into one copy of it.
func newFastTokenizer(data []byte, alias bool) fastTokenizer {
	var s string
	if alias && len(data) > 0 {
		s = unsafe.String(&data[0], len(data))
	} else {
		s = string(data)
	}
	return fastTokenizer{b: data, s: s, attr: make([]xml.Attr, 0, 16)}
}
