package xpath

import (
	"encoding/xml"
	"fmt"
)

// oldBuilder is the Builder as it was before build_fast.go: one token at a
// time, a map per namespace-declaring element, a heap Node per node and the
// name index built lazily by docIndex.build. The tests compare the new
// Builder's trees with its.
// oldBuilder builds a Document from the tokens of encoding/xml's RawToken
// (names as written), resolving namespaces itself and checking that end
// tags match; see xmlsafe.Walk for feeding it while checking a document.
type oldBuilder struct {
	root, cur *Node
	order     int32
	stack     []oldFrame
}

type oldFrame struct {
	raw  xml.Name          // the start tag's name as written, to match the end tag
	decl map[string]string // prefix -> URI declared here; nil for most elements
}

// newOldBuilder returns a oldBuilder for one document.
func newOldBuilder() *oldBuilder {
	root := &Node{Kind: DocumentNode, ix: &docIndex{}}
	return &oldBuilder{root: root, cur: root, order: 1}
}

func (b *oldBuilder) resolve(prefix string) (string, bool) {
	if prefix == "xml" {
		return xmlNS, true
	}
	for i := len(b.stack) - 1; i >= 0; i-- {
		if u, ok := b.stack[i].decl[prefix]; ok {
			return u, true
		}
	}
	return "", prefix == "" // no default namespace: none
}

// Add adds the next token. Byte slices in tok are copied.
func (b *oldBuilder) Add(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		var decl map[string]string
		for _, a := range t.Attr {
			switch {
			case a.Name.Space == "xmlns":
				if decl == nil {
					decl = map[string]string{}
				}
				decl[a.Name.Local] = a.Value
			case a.Name.Space == "" && a.Name.Local == "xmlns":
				if decl == nil {
					decl = map[string]string{}
				}
				decl[""] = a.Value
			}
		}
		b.stack = append(b.stack, oldFrame{raw: t.Name, decl: decl})
		uri, ok := b.resolve(t.Name.Space)
		if !ok {
			return fmt.Errorf("%w: unbound prefix %q on element %s", ErrDocument, t.Name.Space, t.Name.Local)
		}
		cur := b.cur
		el := &Node{Kind: ElementNode, Space: uri, Local: t.Name.Local, Prefix: t.Name.Space, Parent: cur, Order: b.order, idx: int32(len(cur.Children))}
		b.order++
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
				continue
			}
			at := &Node{Kind: AttributeNode, Local: a.Name.Local, Prefix: a.Name.Space, Data: a.Value, Parent: el, Order: b.order, Last: b.order, idx: int32(len(el.Attrs))}
			if a.Name.Space != "" { // unprefixed attributes are in no namespace
				if at.Space, ok = b.resolve(a.Name.Space); !ok {
					return fmt.Errorf("%w: unbound prefix %q on attribute %s", ErrDocument, a.Name.Space, a.Name.Local)
				}
			}
			b.order++
			el.Attrs = append(el.Attrs, at)
		}
		cur.Children = append(cur.Children, el)
		b.cur = el
	case xml.EndElement:
		if len(b.stack) == 0 || b.stack[len(b.stack)-1].raw != t.Name {
			return fmt.Errorf("%w: unexpected end tag </%s>", ErrDocument, rawName(t.Name))
		}
		b.stack = b.stack[:len(b.stack)-1]
		b.cur.Last = b.order - 1
		b.cur = b.cur.Parent
	case xml.CharData:
		cur := b.cur
		if cur == b.root {
			return nil // whitespace outside the document element
		}
		if n := len(cur.Children); n > 0 && cur.Children[n-1].Kind == TextNode {
			cur.Children[n-1].Data += string(t)
			return nil
		}
		cur.Children = append(cur.Children, &Node{Kind: TextNode, Data: string(t), Parent: cur, Order: b.order, Last: b.order, idx: int32(len(cur.Children))})
		b.order++
	}
	return nil
}

// Document returns the document built, once every token has been added.
func (b *oldBuilder) Document() (*Document, error) {
	if len(b.stack) > 0 {
		return nil, fmt.Errorf("%w: unexpected end of input inside <%s>", ErrDocument, rawName(b.stack[len(b.stack)-1].raw))
	}
	if len(b.root.Children) == 0 {
		return nil, fmt.Errorf("%w: no document element", ErrDocument)
	}
	b.root.Last = b.order - 1
	return &Document{Root: b.root}, nil
}
