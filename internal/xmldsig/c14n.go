package xmldsig

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/beevik/etree"
)

// Canonicalization algorithm URIs accepted by [Canonicalize].
const (
	C14N10              = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	C14N10WithComments  = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	C14N11              = "http://www.w3.org/2006/12/xml-c14n11"
	C14N11WithComments  = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
	ExcC14N             = "http://www.w3.org/2001/10/xml-exc-c14n#"
	ExcC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
)

const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

// IsCanonicalization reports whether alg is one of the allowed
// canonicalization algorithms.
func IsCanonicalization(alg string) bool {
	switch alg {
	case C14N10, C14N10WithComments, C14N11, C14N11WithComments, ExcC14N, ExcC14NWithComments:
		return true
	}
	return false
}

// Canonicalize returns the canonical form, under alg, of the subtree rooted
// at el as it sits in its document: the namespace declarations in scope at
// el (and, for inclusive canonicalization, the inherited xml:* attributes)
// are taken from el's ancestors, as the W3C recommendations require for a
// document subset. el is not modified. prefixList is the
// InclusiveNamespaces PrefixList of exclusive canonicalization (ignored
// otherwise; "#default" names the default namespace).
//
// The serializer is our own, not goxmldsig's: goxmldsig orders attributes
// by prefix rather than by namespace URI, renders xmlns:xml and a
// superfluous xmlns="" (exclusive), and copies the in-scope namespace map
// at every element (quadratic time in namespaces × elements). This one
// keeps a chain of scopes and does work proportional to the input.
func Canonicalize(el *etree.Element, alg, prefixList string) ([]byte, error) {
	if el == nil {
		return nil, fmt.Errorf("xmldsig: nil element")
	}
	c := &c14n{}
	var xmlAttrs func(key string) bool
	switch alg {
	case C14N10, C14N10WithComments:
		xmlAttrs = func(string) bool { return true }
	case C14N11, C14N11WithComments:
		// C14N 1.1 inherits xml:lang and xml:space, not xml:id; xml:base
		// fix-up is not implemented: an inherited xml:base is refused.
		xmlAttrs = func(k string) bool { return k == "lang" || k == "space" || k == "base" }
	case ExcC14N, ExcC14NWithComments:
		c.exclusive = true
		c.inclusive = map[string]bool{}
		for _, p := range strings.Fields(prefixList) {
			if p == "#default" {
				p = ""
			}
			c.inclusive[p] = true
		}
	default:
		return nil, fmt.Errorf("xmldsig: canonicalization %q not allowed", alg)
	}
	c.comments = strings.HasSuffix(alg, "#WithComments")

	// In-scope namespaces and inheritable xml:* attributes from the
	// ancestors, nearest first (the nearest declaration wins).
	inherited := &scope{m: map[string]string{}}
	var xmlInherited []etree.Attr
	seenXML := map[string]bool{}
	for _, a := range el.Attr {
		if a.Space == "xml" {
			seenXML[a.Key] = true
		}
	}
	for p := el.Parent(); p != nil; p = p.Parent() {
		for _, a := range p.Attr {
			if prefix, ok := nsDecl(a); ok {
				if _, seen := inherited.m[prefix]; !seen {
					inherited.m[prefix] = a.Value
				}
				continue
			}
			if a.Space == "xml" && xmlAttrs != nil && xmlAttrs(a.Key) && !seenXML[a.Key] {
				if a.Key == "base" && (alg == C14N11 || alg == C14N11WithComments) {
					return nil, fmt.Errorf("xmldsig: inherited xml:base is not supported with C14N 1.1")
				}
				seenXML[a.Key] = true
				xmlInherited = append(xmlInherited, etree.Attr{Space: a.Space, Key: a.Key, Value: a.Value})
			}
		}
	}
	c.apexXML = xmlInherited
	if err := c.element(el, inherited, &scope{m: map[string]string{}}, true); err != nil {
		return nil, err
	}
	return c.buf.Bytes(), nil
}

// scope is one level of a chain of prefix → namespace URI maps ("" is the
// default namespace).
type scope struct {
	parent *scope
	m      map[string]string
}

func (s *scope) lookup(prefix string) (string, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.m[prefix]; ok {
			return v, true
		}
	}
	return "", false
}

// nsDecl reports whether a is a namespace declaration, and its prefix.
func nsDecl(a etree.Attr) (string, bool) {
	switch {
	case a.Space == "xmlns":
		return a.Key, true
	case a.Space == "" && a.Key == "xmlns":
		return "", true
	}
	return "", false
}

type c14n struct {
	buf       bytes.Buffer
	exclusive bool
	inclusive map[string]bool // exclusive: InclusiveNamespaces PrefixList
	comments  bool
	apexXML   []etree.Attr // inclusive: xml:* attributes inherited by the apex
}

type nsAttr struct{ prefix, uri string }

type plainAttr struct {
	uri, local, qname, value string
}

// element writes el. inScope holds the namespaces in scope at el's parent
// (in the input), rendered those the output ancestors rendered.
func (c *c14n) element(el *etree.Element, inScope, rendered *scope, apex bool) error {
	own := &scope{parent: inScope, m: map[string]string{}}
	for _, a := range el.Attr {
		if prefix, ok := nsDecl(a); ok {
			if prefix == "xmlns" || prefix == "xml" && a.Value != xmlNamespace || prefix != "xml" && (a.Value == xmlNamespace || a.Value == "http://www.w3.org/2000/xmlns/") {
				return fmt.Errorf("xmldsig: reserved namespace declaration %s", a.FullKey())
			}
			own.m[prefix] = a.Value
		}
	}
	if apex && !c.exclusive {
		// The apex's in-scope namespaces are all the ancestors' too.
		for p, v := range inScope.m {
			if _, ok := own.m[p]; !ok {
				own.m[p] = v
			}
		}
		own.parent = nil
	}

	// Which namespace declarations to render.
	var candidates []string
	if c.exclusive {
		used := map[string]bool{el.Space: true}
		for _, a := range el.Attr {
			if _, ok := nsDecl(a); !ok && a.Space != "" {
				used[a.Space] = true
			}
		}
		for p := range c.inclusive {
			if _, ok := own.lookup(p); ok {
				used[p] = true
			}
		}
		for p := range used {
			candidates = append(candidates, p)
		}
	} else {
		for p := range own.m {
			candidates = append(candidates, p)
		}
	}
	out := &scope{parent: rendered, m: map[string]string{}}
	var nss []nsAttr
	for _, p := range candidates {
		if p == "xml" {
			continue
		}
		uri, ok := own.lookup(p)
		if !ok && p != "" {
			return fmt.Errorf("xmldsig: undeclared namespace prefix %q", p)
		}
		if have, _ := rendered.lookup(p); have == uri {
			continue // also: xmlns="" where no default is rendered
		}
		out.m[p] = uri
		nss = append(nss, nsAttr{p, uri})
	}
	sort.Slice(nss, func(i, j int) bool { return nss[i].prefix < nss[j].prefix })

	var attrs []plainAttr
	add := func(a etree.Attr) error {
		pa := plainAttr{local: a.Key, qname: a.FullKey(), value: a.Value}
		switch a.Space {
		case "":
		case "xml":
			pa.uri = xmlNamespace
		default:
			uri, ok := own.lookup(a.Space)
			if !ok {
				return fmt.Errorf("xmldsig: undeclared namespace prefix %q", a.Space)
			}
			pa.uri = uri
		}
		attrs = append(attrs, pa)
		return nil
	}
	for _, a := range el.Attr {
		if _, ok := nsDecl(a); ok {
			continue
		}
		if err := add(a); err != nil {
			return err
		}
	}
	if apex {
		for _, a := range c.apexXML {
			if err := add(a); err != nil {
				return err
			}
		}
	}
	sort.Slice(attrs, func(i, j int) bool {
		if attrs[i].uri != attrs[j].uri {
			return attrs[i].uri < attrs[j].uri
		}
		return attrs[i].local < attrs[j].local
	})
	for i := 1; i < len(attrs); i++ {
		if attrs[i].uri == attrs[i-1].uri && attrs[i].local == attrs[i-1].local {
			return fmt.Errorf("xmldsig: duplicate attribute %s", attrs[i].qname)
		}
	}

	b := &c.buf
	b.WriteByte('<')
	b.WriteString(el.FullTag())
	for _, n := range nss {
		if n.prefix == "" {
			b.WriteString(` xmlns="`)
		} else {
			b.WriteString(` xmlns:` + n.prefix + `="`)
		}
		escapeAttr(b, n.uri)
		b.WriteByte('"')
	}
	for _, a := range attrs {
		b.WriteString(" " + a.qname + `="`)
		escapeAttr(b, a.value)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.Element:
			if err := c.element(t, own, out, false); err != nil {
				return err
			}
		case *etree.CharData:
			escapeText(b, t.Data)
		case *etree.Comment:
			if c.comments {
				b.WriteString("<!--" + t.Data + "-->")
			}
		case *etree.ProcInst:
			b.WriteString("<?" + t.Target)
			if t.Inst != "" {
				b.WriteString(" " + t.Inst)
			}
			b.WriteString("?>")
		}
	}
	b.WriteString("</" + el.FullTag() + ">")
	return nil
}

func escapeAttr(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '"':
			b.WriteString("&quot;")
		case '\t':
			b.WriteString("&#x9;")
		case '\n':
			b.WriteString("&#xA;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteByte(ch)
		}
	}
}

func escapeText(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteByte(ch)
		}
	}
}
