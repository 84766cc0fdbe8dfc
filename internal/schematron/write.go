package schematron

import (
	"bufio"
	"io"
	"maps"
	"slices"
	"strings"
)

// WriteSchematron writes s as a normalised ISO Schematron schema
// (queryBinding xslt2) that Parse reads back to the same rules: title,
// namespaces, lets, patterns with their rules, lets, asserts and reports
// (message text and value-of), and the interpreted xsl:function elements.
// Comments, phases, diagnostics and layout are not kept. header, when not
// empty, is written as an XML comment before the root element.
func (s *Schema) WriteSchematron(w io.Writer, header string) error {
	b := bufio.NewWriter(w)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if header != "" {
		b.WriteString("<!--\n" + strings.ReplaceAll(header, "--", "- -") + "\n-->\n")
	}
	b.WriteString(`<schema xmlns="` + SchNS + `" xmlns:xsl="` + XSLNS + `" queryBinding="xslt2">` + "\n")
	if s.Title != "" {
		b.WriteString("<title>" + escText(s.Title) + "</title>\n")
	}
	for _, p := range slices.Sorted(maps.Keys(s.Namespaces)) {
		b.WriteString(`<ns prefix="` + escAttr(p) + `" uri="` + escAttr(s.Namespaces[p]) + `"/>` + "\n")
	}
	writeLets(b, s.Lets)
	for _, p := range s.Patterns {
		b.WriteString("<pattern")
		if p.ID != "" {
			b.WriteString(` id="` + escAttr(p.ID) + `"`)
		}
		b.WriteString(">\n")
		writeLets(b, p.Lets)
		for _, r := range p.Rules {
			b.WriteString(`<rule context="` + escAttr(r.Context) + `">` + "\n")
			writeLets(b, r.Lets)
			for _, a := range r.Asserts {
				tag := "assert"
				if a.Report {
					tag = "report"
				}
				b.WriteString("<" + tag)
				if a.ID != "" {
					b.WriteString(` id="` + escAttr(a.ID) + `"`)
				}
				if a.Flag != "" {
					b.WriteString(` flag="` + escAttr(a.Flag) + `"`)
				}
				b.WriteString(` test="` + escAttr(a.Test) + `">`)
				for _, m := range a.msg {
					switch {
					case m.isName:
						b.WriteString("<name/>")
					case m.expr != nil:
						b.WriteString(`<value-of select="` + escAttr(m.expr.String()) + `"/>`)
					default:
						b.WriteString(escText(m.text))
					}
				}
				b.WriteString("</" + tag + ">\n")
			}
			b.WriteString("</rule>\n")
		}
		b.WriteString("</pattern>\n")
	}
	for _, f := range s.xslFuncs {
		writeElem(b, f.src, f.ns, true)
		b.WriteString("\n")
	}
	b.WriteString("</schema>\n")
	return b.Flush()
}

func writeLets(b *bufio.Writer, lets []*Let) {
	for _, l := range lets {
		b.WriteString(`<let name="` + escAttr(l.Name) + `" value="` + escAttr(l.Value) + `"/>` + "\n")
	}
}

// writeElem writes an element of an xsl:function body. The outermost one
// declares every namespace its expressions may use.
func writeElem(b *bufio.Writer, e *elem, ns map[string]string, top bool) {
	name := "xsl:" + e.name.Local
	if e.name.Space != XSLNS {
		name = e.name.Local // literal result elements do not occur in the rules' functions
	}
	b.WriteString("<" + name)
	if top {
		for _, p := range slices.Sorted(maps.Keys(ns)) {
			if p == "xsl" || p == "" {
				continue
			}
			b.WriteString(` xmlns:` + p + `="` + escAttr(ns[p]) + `"`)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(e.attrs)) {
		b.WriteString(" " + k + `="` + escAttr(e.attrs[k]) + `"`)
	}
	if len(e.content) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	for _, c := range e.content {
		switch c := c.(type) {
		case string:
			b.WriteString(escText(c))
		case *elem:
			writeElem(b, c, ns, false)
		}
	}
	b.WriteString("</" + name + ">")
}

var (
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#xA;", "\r", "&#xD;", "\t", "&#x9;")
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;")
)

func escAttr(s string) string { return attrEscaper.Replace(s) }
func escText(s string) string { return textEscaper.Replace(s) }
