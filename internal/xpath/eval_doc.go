package xpath

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fellesgo/felles/internal/xmlsafe"
)

// NodeKind is the kind of a Node in the read-only document model.
type NodeKind uint8

const (
	DocumentNode NodeKind = iota
	ElementNode
	AttributeNode
	TextNode
)

// Node is a node of a read-only document tree built by ParseDocument.
// Comments and processing instructions are not kept.
type Node struct {
	Kind NodeKind
	// kidsNamed says that kidNames is set (in trees from a Builder).
	kidsNamed bool
	// leaf is set on an element whose only child is a text node (from a
	// Builder): Data has the text too, so that reading it does not load
	// the text node.
	leaf bool
	idx  int32 // index among the parent's Children (or Attrs)
	// kidNames has the kidBit of the local name of each element child:
	// a child step whose name's bit is not set selects nothing.
	kidNames uint64
	Space    string // namespace URI (elements, attributes)
	Local    string // local name (elements, attributes)
	Prefix   string // prefix as written in the source (for name())
	Data     string // value of attribute and text nodes (and see leaf)
	Parent   *Node
	Children []*Node // elements and text nodes, in document order
	Attrs    []*Node
	Order    int32 // position in document order, unique within the document
	// Last is the Order of the last node in the subtree rooted here
	// (attributes included); the subtree is the nodes with Order in
	// [n.Order, n.Last].
	Last int32
	// kidOff is where the name keys of the children are in ix.kids (in
	// trees from a Builder).
	kidOff int32
	ix     *docIndex // the document's index of elements by name: on every node from a Builder, else on the document node only
}

// docIndex lists a document's elements and attributes by expanded name, in document order,
// so that //name steps need not walk the whole tree. Builder fills it while
// parsing; for other trees it is built on first use.
type docIndex struct {
	root  *Node // the document node, when set
	once  sync.Once
	keyID map[nameKey]int32 // the names (and allElements, allAttributes) present: their index in lists
	lists [][]*Node         // the nodes of each name, in document order
	byID  []int32           // by registered name id (see nameID): 1 + the index in lists, or 0 for none
	// kids has, for each element (and the document node) from a Builder,
	// the index in lists of the name of each child, from its kidOff on, -1
	// for a text node: a child step scans these instead of the children.
	kids []int32
	// The document node, then every element followed by its attributes,
	// with their name keys and parents; nil when not from a Builder (see
	// Document.Visit).
	visit                 []*Node
	visitKey, visitParent []int32
}

// ChildIsElement reports whether n.Children[i] is an element, without
// reading the child when the tree keeps its children's name keys (a tree
// from a Builder).
func (n *Node) ChildIsElement(i int) bool {
	if ix := n.ix; ix != nil && ix.kids != nil {
		return ix.kids[int(n.kidOff)+i] >= 0
	}
	return n.Children[i].Kind == ElementNode
}

// kidKeys returns the keys of m's children in ix.kids and the key of the
// name of the child step st, -1 when no node of the document has it; ok is
// false when the tree or the step does not have them (see docIndex.kids).
func kidKeys(m *Node, st *AxisStep) (keys []int32, key int32, ok bool) {
	ix := m.ix
	if ix == nil || ix.kids == nil || !st.kidExact || st.nid >= len(ix.byID) {
		return nil, 0, false
	}
	return ix.kids[m.kidOff : int(m.kidOff)+len(m.Children)], ix.byID[st.nid] - 1, true
}

// list returns the nodes with name k.
func (ix *docIndex) list(k nameKey) []*Node {
	if i, ok := ix.keyID[k]; ok {
		return ix.lists[i]
	}
	return nil
}

// setByID fills byID from keyID, for the names registered so far.
func (ix *docIndex) setByID(buf []int32) {
	if reg := names.ids.Load(); reg != nil {
		if n := len(*reg) + 1; cap(buf) >= n {
			ix.byID = buf[:n]
			clear(ix.byID)
		} else {
			ix.byID = make([]int32, n)
		}
		for k, i := range ix.keyID { // only names some expression asks for get a slot
			if id, ok := (*reg)[k]; ok {
				ix.byID[id] = i + 1
			}
		}
	}
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

// kidBit is the bit of kidNames for an element child with the local name
// local.
func kidBit(local string) uint64 {
	h := uint32(2166136261)
	for i := 0; i < len(local); i++ {
		h = (h ^ uint32(local[i])) * 16777619
	}
	return 1 << (h >> 26)
}

// noKids reports whether the child step st surely selects no node from n:
// n's children have none of the local names st's name test allows.
func noKids(n *Node, st *AxisStep) bool {
	return st.kidMask != 0 && n.kidsNamed && n.kidNames&st.kidMask == 0
}

// named returns the document's elements with the expanded name, in document
// order; ok is false when n does not belong to a parsed document.
func named(n *Node, attr bool, space, local string) (list []*Node, ok bool) {
	root := n.Root()
	if root.ix == nil {
		return nil, false
	}
	root.ix.build(root)
	return root.ix.list(nameKey{attr, space, local}), true
}

// namedID is named for a registered name id; ok is false when the id was
// registered after the document's index was built.
func namedID(n *Node, id int) (list []*Node, ok bool) {
	root := n.Root()
	if root.ix == nil {
		return nil, false
	}
	root.ix.build(root)
	if ix := root.ix; id < len(ix.byID) {
		if i := ix.byID[id]; i > 0 {
			return ix.lists[i-1], true
		}
		return nil, true
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
		ix.keyID = make(map[nameKey]int32, len(m))
		for k, list := range m {
			ix.keyID[k] = int32(len(ix.lists))
			ix.lists = append(ix.lists, list)
		}
		ix.setByID(nil)
	})
}

func (*Node) isItem() {}

// Root returns the document (or topmost) node.
func (n *Node) Root() *Node {
	if n.ix != nil && n.ix.root != nil {
		return n.ix.root
	}
	for n.Parent != nil {
		n = n.Parent
	}
	return n
}

// StringValue is the XPath string value of the node.
func (n *Node) StringValue() string {
	if n.leaf {
		return n.Data
	}
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
//
// A document that passes xmlsafe's checks with the default limits (as most
// do) is built on xmlsafe's fast path; any other, or one whose reading
// fails, is parsed with encoding/xml's RawToken as before, so that the tree
// or error is the same either way.
func ParseDocument(r io.Reader) (*Document, error) {
	data, rerr := readAll(r)
	if rerr == nil {
		b := NewBuilder()
		b.Hint(data)
		if xmlsafe.WalkHandler(data, xmlsafe.Limits{}, b) == nil {
			if doc, err := b.Document(); err == nil {
				return doc, nil
			}
		}
		r = bytes.NewReader(data)
	} else {
		// The same bytes, then the same error.
		r = io.MultiReader(bytes.NewReader(data), errReader{rerr})
	}
	return parseRaw(r)
}

// readAll is io.ReadAll, reading into a buffer of the right size when r
// says how much it holds (as *bytes.Reader and *strings.Reader do).
func readAll(r io.Reader) ([]byte, error) {
	l, ok := r.(interface{ Len() int })
	if !ok || l.Len() < 0 || l.Len() > 64<<20 {
		return io.ReadAll(r)
	}
	var buf bytes.Buffer
	buf.Grow(l.Len() + bytes.MinRead)
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// errReader is a reader that fails with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// parseRaw builds the tree from encoding/xml's RawTokens of r.
func parseRaw(r io.Reader) (*Document, error) {
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

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

const xmlNS = "http://www.w3.org/XML/1998/namespace"

// Names calls f for each expanded name of the document's elements and
// attributes, with its nodes in document order.
func (d *Document) Names(f func(attr bool, space, local string, nodes []*Node)) {
	root := d.Root
	if root.ix == nil {
		return
	}
	root.ix.build(root)
	for k, i := range root.ix.keyID {
		if k == allElements || k == allAttributes {
			continue
		}
		f(k.attr, k.space, k.local, root.ix.lists[i])
	}
}

// NameID registers the expanded name of an element (attr false) or an
// attribute for NamedID, and returns its id. Register names before parsing
// the documents to look them up in.
func NameID(attr bool, space, local string) int {
	return nameID(nameKey{attr, space, local})
}

// NamedID returns the document's elements (attributes) with the name
// registered as id, in document order; ok is false when the document was
// indexed before the name was registered (then use Names).
func (d *Document) NamedID(id int) (nodes []*Node, ok bool) {
	return namedID(d.Root, id)
}

// Visit returns, for a document from a Builder, the document node and then
// every element followed by its attributes, in document order (the order
// in which a Schematron's compiled XSLT visits them), without reading the
// nodes: with each one's name key (see NameKey; -1 for the document node,
// -2-k for an attribute of key k) and the index of its parent in nodes (-1
// for the document node). ok is false for other trees. The slices belong
// to the document.
func (d *Document) Visit() (nodes []*Node, keys, parents []int32, ok bool) {
	ix := d.Root.ix
	if ix == nil || ix.visit == nil {
		return nil, nil, nil, false
	}
	return ix.visit, ix.visitKey, ix.visitParent, true
}

// NameKey returns the key, in this document, of the name registered with
// id (see NameID): -1 when no node has the name; ok is false when the id
// was registered after the document was built, or the tree is not from a
// Builder. Keys are below NameKeys().
func (d *Document) NameKey(id int) (key int32, ok bool) {
	ix := d.Root.ix
	if ix == nil || ix.visit == nil || id >= len(ix.byID) {
		return 0, false
	}
	return ix.byID[id] - 1, true
}

// NameKeys is the number of name keys of a document from a Builder.
func (d *Document) NameKeys() int {
	if ix := d.Root.ix; ix != nil {
		return len(ix.lists)
	}
	return 0
}
