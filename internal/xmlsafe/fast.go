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
	for i := 0; ; {
		k := bytes.IndexByte(data[i:], '<')
		if k < 0 {
			break
		}
		i += k + 1
		if i < len(data) && (data[i] == '!' || data[i] == '?' && i != 1) {
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
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	n := len(data)
	i := 0
	for ; i+8 <= n; i += 8 {
		x := binary.LittleEndian.Uint64(data[i:])
		// Some byte below 0x20 (bytes from 0x80 up never count).
		if (x-ones*0x20)&^x&highs == 0 {
			continue
		}
		for _, c := range data[i : i+8] {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
		}
	}
	for _, c := range data[i:] {
		if c < 0x20 && c != '\t' && c != '\n' {
			return false
		}
	}
	return true
}

// walkFast is [Walk] over data, which has no BOM, is valid UTF-8 and is
// [plain], on the fast tokenizer. ok is false if the fast path gave up
// before calling f; the caller must then start over on the slow path.
func walkFast(data []byte, lim Limits, f func(xml.Token) error) (ok bool, err error) {
	z := fastTokenizer{b: data, s: string(data), attr: make([]xml.Attr, 0, 16)}
	c := checker{lim: lim, seen: make(map[xml.Name]struct{})}
	// Pass 1: tokenize and check, calling nothing.
	for {
		c.off = int64(z.pos)
		k := z.next()
		if k == fastEOF {
			break
		}
		if k == fastBail || c.count() != nil {
			return false, nil
		}
		switch k {
		case fastStart:
			err = c.startRoot(xml.StartElement{Name: z.name, Attr: z.attr})
		case fastEnd:
			err = c.end(xml.EndElement{Name: z.name})
		case fastText:
			err = c.text(z.text)
		case fastProcInst:
			err = c.procInst(xml.ProcInst{Target: "xml", Inst: z.text})
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
		switch z.next() {
		case fastEOF:
			return true, nil
		case fastStart:
			tok = xml.StartElement{Name: z.name, Attr: z.attr}
		case fastEnd:
			tok = xml.EndElement{Name: z.name}
		case fastText:
			// Hand out a copy, never the caller's input itself.
			out = append(out[:0], z.text...)
			tok = xml.CharData(out)
		case fastProcInst:
			tok = xml.ProcInst{Target: "xml", Inst: bytes.Clone(z.text)}
		default:
			// Only possible if f changed data under us.
			return true, &Error{Reason: Malformed, Offset: -1, Detail: "input changed during Walk"}
		}
		if err := f(tok); err != nil {
			return true, err
		}
	}
}

// textString returns the current text token as a string: a substring of
// the input's string when it needed no decoding.
func (z *fastTokenizer) textString() string {
	if z.decoded {
		return string(z.text)
	}
	return z.s[z.textAt : z.textAt+len(z.text)]
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

	// The current token.
	name xml.Name   // of a start or end tag
	attr []xml.Attr // of a start tag; reused
	text []byte     // text, decoded, or the XML declaration's content

	// For text: whether text is decoded into buf, else it is the input at
	// textAt.
	decoded bool
	textAt  int

	buf []byte // decoded text; reused
}

// next reads the next token, returning its kind; fastBail means the fast
// tokenizer does not handle what follows.
func (z *fastTokenizer) next() int {
	if z.needClose {
		z.needClose = false
		return fastEnd
	}
	b, i, n := z.b, z.pos, len(z.b)
	if i >= n {
		return fastEOF
	}
	if b[i] != '<' {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			j = n
		} else {
			j += i
		}
		seg := b[i:j]
		z.decoded = false
		if bytes.IndexByte(seg, '&') >= 0 {
			var ok bool
			if z.buf, ok = decode(z.buf[:0], seg); !ok {
				return fastBail
			}
			seg = z.buf
			z.decoded = true
		}
		z.text = seg
		z.textAt = i
		z.pos = j
		return fastText
	}
	i++
	if i >= n {
		return fastBail
	}
	switch b[i] {
	case '/':
		name, j, ok := z.nsname(i + 1)
		if !ok {
			return fastBail
		}
		j = skipSpace(b, j)
		if j >= n || b[j] != '>' {
			return fastBail
		}
		z.name, z.pos = name, j+1
		return fastEnd
	case '?':
		return z.xmlDecl()
	case '!':
		return fastBail // cannot happen in plain input
	}
	name, j, ok := z.nsname(i)
	if !ok {
		return fastBail
	}
	z.name = name
	z.attr = z.attr[:0]
	for {
		j = skipSpace(b, j)
		if j >= n {
			return fastBail
		}
		switch b[j] {
		case '/':
			if j+1 >= n || b[j+1] != '>' {
				return fastBail
			}
			z.needClose = true
			z.pos = j + 2
			return fastStart
		case '>':
			z.pos = j + 1
			return fastStart
		}
		var a xml.Attr
		if a.Name, j, ok = z.nsname(j); !ok {
			return fastBail
		}
		j = skipSpace(b, j)
		if j >= n || b[j] != '=' {
			return fastBail
		}
		j = skipSpace(b, j+1)
		if j >= n || (b[j] != '"' && b[j] != '\'') {
			return fastBail
		}
		q := b[j]
		j++
		k := bytes.IndexByte(b[j:], q)
		if k < 0 {
			return fastBail
		}
		val := b[j : j+k]
		if bytes.IndexByte(val, '<') >= 0 {
			return fastBail
		}
		if bytes.IndexByte(val, '&') >= 0 {
			if z.buf, ok = decode(z.buf[:0], val); !ok {
				return fastBail
			}
			a.Value = string(z.buf)
		} else {
			a.Value = z.s[j : j+k]
		}
		z.attr = append(z.attr, a)
		j += k + 1
	}
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
	z.text = b[i : i+k]
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
