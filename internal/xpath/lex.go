package xpath

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on input, checked by Parse. Exceeding them yields an *Error that
// wraps ErrTooLong or ErrTooDeep.
const (
	DefaultMaxLength = 1 << 20 // bytes of expression text
	DefaultMaxDepth  = 500     // nesting of sub-expressions / operator chains
)

var (
	// ErrTooLong is wrapped by the error returned for over-long input.
	ErrTooLong = errors.New("xpath: expression too long")
	// ErrTooDeep is wrapped by the error returned for over-deep nesting.
	ErrTooDeep = errors.New("xpath: expression nested too deeply")
	// ErrSyntax is wrapped by every syntax error.
	ErrSyntax = errors.New("xpath: syntax error")
)

// Error is a parse error at byte offset Pos of the input.
type Error struct {
	Pos int
	Msg string
	Err error // ErrSyntax, ErrTooLong or ErrTooDeep
}

func (e *Error) Error() string { return fmt.Sprintf("xpath: at offset %d: %s", e.Pos, e.Msg) }
func (e *Error) Unwrap() error { return e.Err }

type tokKind int

const (
	tEOF     tokKind = iota
	tName            // QName, NCName, prefix:*, *:local (Val holds the text)
	tVar             // $name (Val holds the name)
	tString          // Val holds the unescaped value
	tInteger         // Val holds the lexical form
	tDecimal         //
	tDouble          //
	tSym             // punctuation/operator symbol in Val
)

type token struct {
	kind tokKind
	val  string
	pos  int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tString:
		return fmt.Sprintf("string %q", t.val)
	case tVar:
		return "$" + t.val
	}
	return fmt.Sprintf("%q", t.val)
}

func isNameStart(r rune) bool {
	return r == '_' || unicode.IsLetter(r)
}

func isNameChar(r rune) bool {
	return isNameStart(r) || r == '-' || r == '.' || unicode.IsDigit(r) ||
		unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == '\u00B7'
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	errAt := func(pos int, format string, a ...any) error {
		return &Error{Pos: pos, Msg: fmt.Sprintf(format, a...), Err: ErrSyntax}
	}
	ncname := func(j int) int { // returns end of NCName starting at j, or j
		r, sz := utf8.DecodeRuneInString(src[j:])
		if j >= len(src) || !isNameStart(r) {
			return j
		}
		j += sz
		for j < len(src) {
			r, sz = utf8.DecodeRuneInString(src[j:])
			if !isNameChar(r) {
				break
			}
			j += sz
		}
		return j
	}
	for {
		// skip whitespace and (: nested comments :)
		for i < len(src) {
			c := src[i]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				i++
				continue
			}
			if strings.HasPrefix(src[i:], "(:") {
				depth, start := 0, i
				for {
					if i >= len(src) {
						return nil, errAt(start, "unterminated comment")
					}
					if strings.HasPrefix(src[i:], "(:") {
						depth++
						i += 2
					} else if strings.HasPrefix(src[i:], ":)") {
						depth--
						i += 2
						if depth == 0 {
							break
						}
					} else {
						i++
					}
				}
				continue
			}
			break
		}
		if i >= len(src) {
			toks = append(toks, token{tEOF, "", i})
			return toks, nil
		}
		start := i
		c := src[i]
		switch {
		case c == '\'' || c == '"':
			var b strings.Builder
			i++
			for {
				if i >= len(src) {
					return nil, errAt(start, "unterminated string literal")
				}
				if src[i] == c {
					if i+1 < len(src) && src[i+1] == c {
						b.WriteByte(c)
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(src[i])
				i++
			}
			toks = append(toks, token{tString, b.String(), start})
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			kind := tInteger
			for i < len(src) && src[i] >= '0' && src[i] <= '9' {
				i++
			}
			if i < len(src) && src[i] == '.' {
				kind = tDecimal
				i++
				for i < len(src) && src[i] >= '0' && src[i] <= '9' {
					i++
				}
			}
			if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
				j := i + 1
				if j < len(src) && (src[j] == '+' || src[j] == '-') {
					j++
				}
				if j < len(src) && src[j] >= '0' && src[j] <= '9' {
					for j < len(src) && src[j] >= '0' && src[j] <= '9' {
						j++
					}
					kind = tDouble
					i = j
				} else {
					return nil, errAt(i, "malformed double literal")
				}
			}
			// XPath forbids a name character directly after a numeric literal.
			if r, _ := utf8.DecodeRuneInString(src[i:]); i < len(src) && isNameStart(r) {
				return nil, errAt(i, "name character directly after number")
			}
			toks = append(toks, token{kind, src[start:i], start})
		case c == '$':
			j := i + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r') {
				j++
			}
			e := ncname(j)
			if e == j {
				return nil, errAt(i, "expected variable name after $")
			}
			if e+1 < len(src) && src[e] == ':' {
				if e2 := ncname(e + 1); e2 > e+1 {
					e = e2
				}
			}
			toks = append(toks, token{tVar, src[j:e], start})
			i = e
		case c == '*':
			// "*:local" wildcard
			if i+1 < len(src) && src[i+1] == ':' {
				if e := ncname(i + 2); e > i+2 {
					toks = append(toks, token{tName, src[i:e], start})
					i = e
					continue
				}
			}
			toks = append(toks, token{tSym, "*", start})
			i++
		default:
			if e := ncname(i); e > i {
				// QName or prefix:*
				if e+1 < len(src) && src[e] == ':' && src[e+1] != ':' {
					if src[e+1] == '*' {
						e += 2
					} else if e2 := ncname(e + 1); e2 > e+1 {
						e = e2
					}
				}
				toks = append(toks, token{tName, src[i:e], start})
				i = e
				continue
			}
			for _, s := range []string{"::", "//", "..", "!=", "<=", ">=", "<<", ">>"} {
				if strings.HasPrefix(src[i:], s) {
					toks = append(toks, token{tSym, s, start})
					i += 2
					goto next
				}
			}
			if strings.ContainsRune("()[],/@.=<>+-|?:", rune(c)) {
				toks = append(toks, token{tSym, string(c), start})
				i++
				continue
			}
			{
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, errAt(i, "unexpected character %q", r)
			}
		next:
		}
	}
}
