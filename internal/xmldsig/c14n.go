package xmldsig

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
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
// otherwise).
//
// goxmldsig's own canonicalizers treat an element as a document root (C14N
// 1.1, exclusive) or let an ancestor's declaration override the element's
// own (C14N 1.0); this wrapper detaches a copy with the right in-scope
// declarations first and then uses them.
func Canonicalize(el *etree.Element, alg, prefixList string) ([]byte, error) {
	var c dsig.Canonicalizer
	var xmlAttrs func(key string) bool
	switch alg {
	case C14N10:
		c, xmlAttrs = dsig.MakeC14N10RecCanonicalizer(), func(string) bool { return true }
	case C14N10WithComments:
		c, xmlAttrs = dsig.MakeC14N10WithCommentsCanonicalizer(), func(string) bool { return true }
	case C14N11, C14N11WithComments:
		// C14N 1.1 inherits xml:lang and xml:space, not xml:id; xml:base
		// fix-up is not implemented: an inherited xml:base is refused.
		c = dsig.MakeC14N11Canonicalizer()
		if alg == C14N11WithComments {
			c = dsig.MakeC14N11WithCommentsCanonicalizer()
		}
		xmlAttrs = func(k string) bool { return k == "lang" || k == "space" || k == "base" }
	case ExcC14N:
		c = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(strings.TrimSpace(prefixList))
	case ExcC14NWithComments:
		c = dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList(strings.TrimSpace(prefixList))
	default:
		return nil, fmt.Errorf("xmldsig: canonicalization %q not allowed", alg)
	}
	cp := el.Copy()
	own := map[string]bool{}
	for _, a := range cp.Attr {
		own[a.FullKey()] = true
	}
	// Walk ancestors nearest first; the nearest declaration wins.
	for p := el.Parent(); p != nil; p = p.Parent() {
		for _, a := range p.Attr {
			key := a.FullKey()
			isNS := a.Space == "xmlns" || a.Space == "" && a.Key == "xmlns"
			isXML := a.Space == "xml" && xmlAttrs != nil && xmlAttrs(a.Key)
			if !isNS && !isXML || own[key] {
				continue
			}
			if isXML && a.Key == "base" && (alg == C14N11 || alg == C14N11WithComments) {
				return nil, fmt.Errorf("xmldsig: inherited xml:base is not supported with C14N 1.1")
			}
			own[key] = true
			cp.Attr = append(cp.Attr, etree.Attr{Space: a.Space, Key: a.Key, Value: a.Value})
		}
	}
	// A detached copy: give it an empty document so the canonicalizer sees
	// no parent.
	doc := etree.NewDocument()
	doc.SetRoot(cp)
	return c.Canonicalize(cp)
}
