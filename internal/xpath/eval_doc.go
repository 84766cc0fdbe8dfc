package xpath

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
)

// NodeKind is the kind of a Node in the read-only document model.
type NodeKind int

const (
	DocumentNode NodeKind = iota
	ElementNode
	AttributeNode
	TextNode
)

// Node is a node of a read-only document tree built by ParseDocument.
// Comments and processing instructions are not kept.
type Node struct {
	Kind     NodeKind
	Space    string // namespace URI (elements, attributes)
	Local    string // local name (elements, attributes)
	Prefix   string // prefix as written in the source (for name())
	Data     string // value of attribute and text nodes
	Parent   *Node
	Children []*Node // elements and text nodes, in document order
	Attrs    []*Node
	Order    int // position in document order, unique within the document
	// Last is the Order of the last node in the subtree rooted here
	// (attributes included); the subtree is the nodes with Order in
	// [n.Order, n.Last].
	Last int
	idx  int       // index among the parent's Children (or Attrs)
	ix   *docIndex // on the document node: elements by name
}

// docIndex lists a document's elements and attributes by expanded name, in document order,
// so that //name steps need not walk the whole tree. It is built on first use.
type docIndex struct {
	once   sync.Once
	byName map[nameKey][]*Node
	byID   [][]*Node // the lists of registered names by id (see nameID)
}

// The registry of the names prepared expressions test for: each gets a
// small id, so that a document's index answers them by slice position
// instead of hashing two strings. It only grows; readers load an immutable
// snapshot.
var names struct {
	mu  sync.Mutex
	ids atomic.Pointer[map[nameKey]int]
}

// nameID returns the id of k, registering it (at Prepare time).
func nameID(k nameKey) int {
	if m := names.ids.Load(); m != nil {
		if id, ok := (*m)[k]; ok {
			return id
		}
	}
	names.mu.Lock()
	defer names.mu.Unlock()
	next := map[nameKey]int{}
	if old := names.ids.Load(); old != nil {
		if id, ok := (*old)[k]; ok {
			return id
		}
		for kk, v := range *old {
			next[kk] = v
		}
	}
	id := len(next) + 1
	next[k] = id
	names.ids.Store(&next)
	return id
}

type nameKey struct {
	attr         bool
	space, local string
}

// Keys of the lists of all elements and all attributes ("*" is not a valid
// namespace URI or local name, so they cannot collide with real names).
var (
	allElements   = nameKey{false, "*", "*"}
	allAttributes = nameKey{true, "*", "*"}
)

// named returns the document's elements with the expanded name, in document
// order; ok is false when n does not belong to a parsed document.
func named(n *Node, attr bool, space, local string) (list []*Node, ok bool) {
	root := n.Root()
	if root.ix == nil {
		return nil, false
	}
	root.ix.build(root)
	return root.ix.byName[nameKey{attr, space, local}], true
}

// namedID is named for a registered name id; ok is false when the id was
// registered after the document's index was built.
func namedID(n *Node, id int) (list []*Node, ok bool) {
	root := n.Root()
	if root.ix == nil {
		return nil, false
	}
	root.ix.build(root)
	if id < len(root.ix.byID) {
		return root.ix.byID[id], true
	}
	return nil, false
}

// build makes the index, once.
func (ix *docIndex) build(root *Node) {
	ix.once.Do(func() {
		m := map[nameKey][]*Node{}
		var walk func(*Node)
		walk = func(x *Node) {
			for _, c := range x.Children {
				if c.Kind == ElementNode {
					k := nameKey{false, c.Space, c.Local}
					m[k] = append(m[k], c)
					m[allElements] = append(m[allElements], c)
					for _, a := range c.Attrs {
						k := nameKey{true, a.Space, a.Local}
						m[k] = append(m[k], a)
						m[allAttributes] = append(m[allAttributes], a)
					}
					walk(c)
				}
			}
		}
		walk(root)
		ix.byName = m
		if reg := names.ids.Load(); reg != nil {
			ix.byID = make([][]*Node, len(*reg)+1)
			for k, list := range m { // only names some expression asks for get a slot
				if id, ok := (*reg)[k]; ok {
					ix.byID[id] = list
				}
			}
		}
	})
}

func (*Node) isItem() {}

// Root returns the document (or topmost) node.
func (n *Node) Root() *Node {
	for n.Parent != nil {
		n = n.Parent
	}
	return n
}

// StringValue is the XPath string value of the node.
func (n *Node) StringValue() string {
	switch n.Kind {
	case AttributeNode, TextNode:
		return n.Data
	}
	switch len(n.Children) {
	case 0:
		return ""
	case 1: // a leaf element: its one text node, without copying
		if c := n.Children[0]; c.Kind == TextNode {
			return c.Data
		}
	}
	var b strings.Builder
	var walk func(*Node)
	walk = func(m *Node) {
		for _, c := range m.Children {
			if c.Kind == TextNode {
				b.WriteString(c.Data)
			} else {
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// Document is a parsed XML document.
type Document struct {
	Root *Node // the document node
}

// ErrDocument is wrapped by errors from ParseDocument.
var ErrDocument = errors.New("xpath: invalid XML document")

// ParseDocument builds the read-only tree from XML read from r. It assumes
// the caller has already applied its own safety checks (size, DTDs).
func ParseDocument(r io.Reader) (*Document, error) {
	d := xml.NewDecoder(r)
	b := NewBuilder()
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrDocument, err)
		}
		if err := b.Add(tok); err != nil {
			return nil, err
		}
	}
	return b.Document()
}

// Builder builds a Document from the tokens of encoding/xml's RawToken
// (names as written), resolving namespaces itself and checking that end
// tags match; see xmlsafe.Walk for feeding it while checking a document.
type Builder struct {
	root, cur *Node
	order     int
	stack     []frame
}

type frame struct {
	raw  xml.Name          // the start tag's name as written, to match the end tag
	decl map[string]string // prefix -> URI declared here; nil for most elements
}

// NewBuilder returns a Builder for one document.
func NewBuilder() *Builder {
	root := &Node{Kind: DocumentNode, ix: &docIndex{}}
	return &Builder{root: root, cur: root, order: 1}
}

func (b *Builder) resolve(prefix string) (string, bool) {
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
func (b *Builder) Add(tok xml.Token) error {
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
		b.stack = append(b.stack, frame{raw: t.Name, decl: decl})
		uri, ok := b.resolve(t.Name.Space)
		if !ok {
			return fmt.Errorf("%w: unbound prefix %q on element %s", ErrDocument, t.Name.Space, t.Name.Local)
		}
		cur := b.cur
		el := &Node{Kind: ElementNode, Space: uri, Local: t.Name.Local, Prefix: t.Name.Space, Parent: cur, Order: b.order, idx: len(cur.Children)}
		b.order++
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
				continue
			}
			at := &Node{Kind: AttributeNode, Local: a.Name.Local, Prefix: a.Name.Space, Data: a.Value, Parent: el, Order: b.order, Last: b.order, idx: len(el.Attrs)}
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
		cur.Children = append(cur.Children, &Node{Kind: TextNode, Data: string(t), Parent: cur, Order: b.order, Last: b.order, idx: len(cur.Children)})
		b.order++
	}
	return nil
}

// Document returns the document built, once every token has been added.
func (b *Builder) Document() (*Document, error) {
	if len(b.stack) > 0 {
		return nil, fmt.Errorf("%w: unexpected end of input inside <%s>", ErrDocument, rawName(b.stack[len(b.stack)-1].raw))
	}
	if len(b.root.Children) == 0 {
		return nil, fmt.Errorf("%w: no document element", ErrDocument)
	}
	b.root.Last = b.order - 1
	return &Document{Root: b.root}, nil
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

const xmlNS = "http://www.w3.org/XML/1998/namespace"
