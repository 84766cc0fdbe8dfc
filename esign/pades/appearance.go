package pades

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// appearance returns the content stream of a visible signature: a light
// box with the signer's name, the time and optional text in Helvetica.
func appearance(w, h float64, kind sigKind, name string, t time.Time, text string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "q 0.95 0.95 0.95 rg 0 0 %s %s re f 0.4 G 0.5 w 0.25 0.25 %s %s re S Q\n", num(w), num(h), num(w-0.5), num(h-0.5))
	lines := []string{}
	if kind == kindDocTimestamp {
		lines = append(lines, "Document timestamp")
	} else {
		lines = append(lines, "Digitally signed by: "+name)
	}
	lines = append(lines, "Date: "+t.UTC().Format("2006-01-02 15:04:05 UTC"))
	for _, l := range strings.Split(text, "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	fs := 9.0
	if need := float64(len(lines))*fs*1.25 + 6; need > h {
		fs = (h - 6) / (float64(len(lines)) * 1.25)
	}
	b.WriteString("BT 0 g\n")
	fmt.Fprintf(&b, "/F1 %s Tf %s TL 4 %s Td\n", num(fs), num(fs*1.25), num(h-4-fs))
	for i, l := range lines {
		if i > 0 {
			b.WriteString("T* ")
		}
		b.WriteString("(" + winAnsi(l) + ") Tj\n")
	}
	b.WriteString("ET\n")
	return b.Bytes()
}

// winAnsi encodes s for a WinAnsiEncoding literal string (Latin-1 range;
// other characters become '?').
func winAnsi(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r >= 0xa0 && r <= 0xff:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
