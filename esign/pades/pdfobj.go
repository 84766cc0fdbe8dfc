package pades

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/digitorus/pdf"
)

// ref is an indirect object reference.
type ref struct {
	id  uint32
	gen uint16
}

func (r ref) String() string { return fmt.Sprintf("%d %d R", r.id, r.gen) }

func ptrOf(v pdf.Value) ref {
	p := v.GetPtr()
	return ref{p.GetID(), p.GetGen()}
}

// writeValue serialises v, which was read from the object container, as
// PDF syntax. Values resolved from other objects are written as references.
func writeValue(w *bytes.Buffer, v pdf.Value, container ref, depth int) {
	if depth > 32 {
		w.WriteString("null")
		return
	}
	if v.IsNull() {
		w.WriteString("null")
		return
	}
	if p := ptrOf(v); p != container {
		w.WriteString(p.String())
		return
	}
	switch v.Kind() {
	case pdf.Bool:
		if v.Bool() {
			w.WriteString("true")
		} else {
			w.WriteString("false")
		}
	case pdf.Integer:
		w.WriteString(strconv.FormatInt(v.Int64(), 10))
	case pdf.Real:
		w.WriteString(strconv.FormatFloat(v.Float64(), 'f', -1, 64))
	case pdf.String:
		writeHexString(w, []byte(v.RawString()))
	case pdf.Name:
		writeName(w, v.Name())
	case pdf.Array:
		w.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				w.WriteByte(' ')
			}
			writeValue(w, v.Index(i), container, depth+1)
		}
		w.WriteByte(']')
	case pdf.Dict:
		w.WriteString("<<")
		for _, k := range v.Keys() {
			w.WriteByte(' ')
			writeName(w, k)
			w.WriteByte(' ')
			writeValue(w, v.Key(k), container, depth+1)
		}
		w.WriteString(" >>")
	default:
		w.WriteString("null")
	}
}

// writeDictExcept writes the entries of the dictionary v (read from
// container) except the keys in skip, without the enclosing << >>.
func writeDictEntries(w *bytes.Buffer, v pdf.Value, container ref, skip ...string) {
outer:
	for _, k := range v.Keys() {
		for _, s := range skip {
			if k == s {
				continue outer
			}
		}
		w.WriteByte(' ')
		writeName(w, k)
		w.WriteByte(' ')
		writeValue(w, v.Key(k), container, 1)
		w.WriteByte('\n')
	}
}

func writeName(w *bytes.Buffer, n string) {
	w.WriteByte('/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c < 0x21 || c > 0x7e || strings.IndexByte("#()<>[]{}/%", c) >= 0 {
			fmt.Fprintf(w, "#%02X", c)
			continue
		}
		w.WriteByte(c)
	}
}

func writeHexString(w *bytes.Buffer, b []byte) {
	const hexdigits = "0123456789ABCDEF"
	w.WriteByte('<')
	for _, c := range b {
		w.WriteByte(hexdigits[c>>4])
		w.WriteByte(hexdigits[c&15])
	}
	w.WriteByte('>')
}

// textString encodes s as a PDF text string: PDFDocEncoding-compatible ASCII
// as a literal string, anything else as UTF-16BE with BOM (hex).
func textString(s string) string {
	var b bytes.Buffer
	ascii := true
	for _, r := range s {
		if r > 0x7e || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') {
			ascii = false
			break
		}
	}
	if ascii {
		b.WriteByte('(')
		b.WriteString(escapeLiteral(s))
		b.WriteByte(')')
		return b.String()
	}
	u := []byte{0xfe, 0xff}
	for _, c := range utf16.Encode([]rune(s)) {
		u = append(u, byte(c>>8), byte(c))
	}
	writeHexString(&b, u)
	return b.String()
}

func escapeLiteral(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`, "\r", `\r`, "\n", `\n`)
	return r.Replace(s)
}

// pdfDate formats t as a PDF date string (D:YYYYMMDDHHmmSS+HH'mm').
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	if off == 0 {
		return "(D:" + t.Format("20060102150405") + "Z)"
	}
	return fmt.Sprintf("(D:%s%c%02d'%02d')", t.Format("20060102150405"), sign, off/3600, (off%3600)/60)
}

// parsePDFDate parses a PDF date string (with or without the D: prefix).
func parsePDFDate(s string) (time.Time, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	if len(s) < 4 {
		return time.Time{}, false
	}
	layout := "20060102150405"
	n := len(s)
	if n > 14 {
		n = 14
	}
	// pad missing fields: month/day default 01, time 00
	base := s[:n]
	def := "00000101000000"
	if len(base) < 14 {
		base += def[len(base):]
	}
	t, err := time.Parse(layout, base)
	if err != nil {
		return time.Time{}, false
	}
	rest := s[n:]
	loc := time.UTC
	if len(rest) > 0 && (rest[0] == '+' || rest[0] == '-') {
		rest2 := strings.NewReplacer("'", "").Replace(rest[1:])
		h, m := 0, 0
		if len(rest2) >= 2 {
			h, _ = strconv.Atoi(rest2[:2])
		}
		if len(rest2) >= 4 {
			m, _ = strconv.Atoi(rest2[2:4])
		}
		off := h*3600 + m*60
		if rest[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), true
}

// lastByte returns the last byte of the input.
func lastByte(in io.ReaderAt, size int64) (byte, error) {
	var b [1]byte
	if size == 0 {
		return 0, ErrMalformed
	}
	if _, err := in.ReadAt(b[:], size-1); err != nil && err != io.EOF {
		return 0, err
	}
	return b[0], nil
}

// findPages returns the page objects in document order (at most limit).
func findPages(root pdf.Value, limit int) []pdf.Value {
	var pages []pdf.Value
	seen := map[ref]bool{}
	var walk func(n pdf.Value, depth int)
	walk = func(n pdf.Value, depth int) {
		if depth > 64 || len(pages) >= limit {
			return
		}
		p := ptrOf(n)
		if seen[p] {
			return
		}
		seen[p] = true
		switch n.Key("Type").Name() {
		case "Pages":
			kids := n.Key("Kids")
			for i := 0; i < kids.Len(); i++ {
				walk(kids.Index(i), depth+1)
			}
		case "Page":
			pages = append(pages, n)
		default:
			if n.Key("Kids").Kind() == pdf.Array {
				kids := n.Key("Kids")
				for i := 0; i < kids.Len(); i++ {
					walk(kids.Index(i), depth+1)
				}
			}
		}
	}
	walk(root.Key("Pages"), 0)
	return pages
}
