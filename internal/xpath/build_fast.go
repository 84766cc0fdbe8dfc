package xpath

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unsafe"
)

// Builder builds a Document from a document's start tags, end tags and text
// with names as written (encoding/xml's RawToken tokens through Add, or the
// calls of xmlsafe.Handler, which Builder implements), resolving namespaces
// itself and checking that end tags match; see xmlsafe.WalkHandler for
// feeding it while checking a document.
//
// It allocates nodes in slabs, the Children and Attrs slices from shared
// pointer slabs, and builds the document's name index (see docIndex) as it
// goes, so that the first query does not walk the tree.
type Builder struct {
	root  *Node
	order int
	err   error // the first error; later calls do nothing

	stack []bframe // the open elements, innermost last
	kids  []*Node  // the children of the open elements so far, stacked
	// kidKey has the name key of each of kids (-1 for text), and kidKeys
	// those of the closed elements' children (see docIndex.kids).
	kidKey, kidKeys []int32
	// The document node, then every element followed by its attributes,
	// with their name keys and parents (see Document.Visit).
	visit                 []*Node
	visitKey, visitParent []int32
	ns                    []binding // namespace declarations in scope, innermost last

	// The slabs the next nodes and the next Children and Attrs slices
	// come from, from nodes[nodeAt] and ptrs[ptrAt] on: indexes, so that
	// taking one stores no pointer (a write barrier while the GC runs).
	nodes  []Node
	ptrs   []*Node
	nodeAt int
	ptrAt  int
	slab   int // size of the next node slab
	pslab  int // size of the next pointer slab

	// The chunk of bytes that the values and text of the tree are copied
	// to from arenaAt on (see keep), and the size of the next one. A
	// chunk is never reused: the tree's strings point into it.
	arena     []byte
	arenaAt   int
	arenaSize int

	// The slabs handed out for this document, and cleared ones from
	// recycled documents (see Recycle).
	used     [][]Node
	usedPtrs [][]*Node
	free     [][]Node
	freePtrs [][]*Node

	// The name index under construction: every element and attribute in
	// document order with the id of its expanded name.
	elems, attrs     []*Node
	elemKey, attrKey []int32
	keys             []nameKey // expanded names by id
	// keyGID has the registered id of each of keys (0 for none), as of
	// the registry gidReg; gidMixed is set when the registry changed while
	// they were looked up (then index looks them up again).
	keyGID    []int32
	gidReg    *map[nameKey]int
	gidSet    bool // gidReg is set (it may be nil: an empty registry)
	gidMixed  bool
	keyID     map[nameKey]int32 // and their ids
	names     *internTable      // from internPool; nil until needed
	lookupAll bool              // see table and keyOf
	backing   []*Node           // for the index's lists; kept by Recycle
	// The storage of the index's tables, kept by Recycle.
	count, byID []int32
	lists       [][]*Node
}

// internTable interns element and attribute names as written, across
// documents: a Builder takes one from internPool and puts it back when its
// document is done, so that a run of similar documents looks its names up
// without inserting them again.
type internTable struct {
	elem, attr           map[xml.Name]*qname
	elemCache, attrCache [128]*qname       // recent names of elem and attr
	locals               map[string]*qname // a name with each local part; see qname.twin
	gen                  uint64            // the current document's number; see qname.gen
	scope                uint64            // the namespace scope's number; see qname.scope
	bytes                int               // the length of the names interned
}

// maxInterned and maxInternedBytes bound the names an internTable keeps
// between documents.
const (
	maxInterned      = 4096
	maxInternedBytes = 64 << 10
)

var internPool = sync.Pool{New: func() any {
	return &internTable{elem: make(map[xml.Name]*qname, 64), attr: make(map[xml.Name]*qname, 16),
		locals: make(map[string]*qname, 80)}
}}

// table returns b's intern table, taking one from the pool if needed.
func (b *Builder) table() *internTable {
	if b.names == nil {
		b.names = internPool.Get().(*internTable)
		b.names.gen++
		b.names.scope++
		// Names added before (only after Document, which gave the
		// table back) are in keyID under no gen: keyOf looks up all.
		b.lookupAll = len(b.keys) > 0
	}
	return b.names
}

// bframe is an open element.
type bframe struct {
	name  *qname // the start tag's name as written, to match the end tag
	el    *Node
	kids  int   // len(Builder.kids) at the start tag
	nsLen int   // len(Builder.ns) before its declarations
	vi    int32 // the element's index in Builder.visit
}

// binding is a namespace declaration in scope.
type binding struct{ prefix, uri string }

// qname is an element or attribute name as written, interned, with the
// expanded-name id it last resolved to in document gen, and for an element
// name the namespace URI its prefix is bound to in namespace scope scope.
type qname struct {
	prefix, local string
	uri           string // the URI of key, in document gen
	key           int32
	gen           uint64
	elemURI       string // the URI of prefix, in scope
	scope         uint64
	bit           uint64 // kidBit(local)

	// gid is the registered id (see nameID) of {gidURI}local, 0 for none,
	// as of the registry gidReg.
	gid    int32
	gidURI string
	gidReg *map[nameKey]int

	// twin is the next of the names in the same map of the table with
	// the same local part but another prefix, in a ring, or nil if there
	// are none (see keyOf).
	twin *qname
}

// raw returns q as an xml.Name.
func (q *qname) raw() xml.Name { return xml.Name{Space: q.prefix, Local: q.local} }

// NewBuilder returns a Builder for one document.
func NewBuilder() *Builder {
	b := &Builder{}
	b.Reset()
	return b
}

// Reset discards everything added so far, to start the document over.
func (b *Builder) Reset() { b.reset(nil, nil) }

// reset is Reset with the (empty) name table to use, or nil for new ones.
func (b *Builder) reset(keyID map[nameKey]int32, keys []nameKey) {
	if keyID == nil {
		keyID, keys = make(map[nameKey]int32, 64), make([]nameKey, 0, 64)
	}
	root := &Node{Kind: DocumentNode, kidsNamed: true}
	root.ix = &docIndex{root: root}
	*b = Builder{
		root:   root,
		order:  1,
		stack:  b.stack[:0],
		kids:   b.kids[:0],
		kidKey: b.kidKey[:0],
		ns:     b.ns[:0],
		slab:   64,
		pslab:  256,
		keyID:  keyID,
		keys:   keys,
		names:  b.names,
		free:   b.free,
		// the slabs of an abandoned attempt are left to the collector
		freePtrs: b.freePtrs,
	}
	if b.names != nil {
		b.names.gen++ // the ids of the names so far are gone
		b.names.scope++
	}
}

// maxNodes bounds the nodes of a document: Node.Order is an int32. (A
// variable, for the tests.)
var maxNodes = math.MaxInt32 - 1

// maxRecycled bounds the slab memory a recycled Builder keeps (bytes).
const maxRecycled = 16 << 20

// Recycle makes b ready for another document and keeps the storage of the
// nodes of the last one for it, cleared. Nothing of the documents b built
// may be used afterwards: their nodes are overwritten by the next one.
func (b *Builder) Recycle() {
	size := 0
	for _, sl := range b.used {
		size += len(sl) * int(unsafe.Sizeof(Node{}))
	}
	for _, sl := range b.usedPtrs {
		size += len(sl) * int(unsafe.Sizeof((*Node)(nil)))
	}
	for _, sl := range b.free {
		size += len(sl) * int(unsafe.Sizeof(Node{}))
	}
	for _, sl := range b.freePtrs {
		size += len(sl) * int(unsafe.Sizeof((*Node)(nil)))
	}
	keep := size <= maxRecycled
	if !keep {
		b.free, b.freePtrs = nil, nil // a large document: let it go
	} else {
		for _, sl := range b.used {
			clear(sl[:cap(sl)])
			b.free = append(b.free, sl[:cap(sl)])
		}
		for _, sl := range b.usedPtrs {
			clear(sl[:cap(sl)])
			b.freePtrs = append(b.freePtrs, sl[:cap(sl)])
		}
	}
	b.nodes, b.ptrs, b.used, b.usedPtrs = nil, nil, nil, nil
	// The last document's index used the name table; it is gone too.
	keyID, keys, keyGID := b.keyID, b.keys, b.keyGID
	if keyID != nil {
		clear(keyID)
		keys = keys[:0]
	}
	// So did its lists of elements and attributes; their storage is kept
	// with the slabs, cleared (they point into them).
	elems, elemKey, attrs, attrKey, backing := b.elems, b.elemKey, b.attrs, b.attrKey, b.backing
	kidKeys, count, byID, lists := b.kidKeys, b.count, b.byID, b.lists
	visit, visitKey, visitParent := b.visit, b.visitKey, b.visitParent
	b.reset(keyID, keys)
	if keep {
		clear(elems)
		clear(attrs)
		clear(backing)
		b.elems, b.elemKey, b.attrs, b.attrKey, b.backing = elems[:0], elemKey[:0], attrs[:0], attrKey[:0], backing[:0]
		b.kidKeys = kidKeys[:0]
		clear(visit) // they point into the slabs, as elems do
		b.visit, b.visitKey, b.visitParent = visit[:0], visitKey[:0], visitParent[:0]
		b.keyGID = keyGID[:0]
		clear(lists[:cap(lists)]) // they point into the slabs
		b.count, b.byID, b.lists = count[:0], byID[:0], lists[:0]
	}
}

// Hint tells b that the document's source is data, so that it can size its
// slabs; it is optional and does not read data's content beyond counting.
func (b *Builder) Hint(data []byte) {
	// Elements and text runs together are at most about 1.5 per '<' (a
	// start tag, an end tag, a text run before each); each attribute has
	// an '='.
	lt := bytes.Count(data, []byte{'<'})
	eq := bytes.Count(data, []byte{'='})
	n := lt + lt/2 + eq + 1
	// Capped: '=' may be in text, and the document may be refused.
	ne, na := min(lt/2+1, 1<<16), min(eq, 1<<16)
	if len(b.elems) == 0 && cap(b.elems) < ne {
		b.elems = make([]*Node, 0, ne)
		b.elemKey = make([]int32, 0, ne)
	}
	if len(b.attrs) == 0 && cap(b.attrs) < na {
		b.attrs = make([]*Node, 0, na)
		b.attrKey = make([]int32, 0, na)
	}
	if n > b.slab {
		b.slab = min(n, 1<<16)
		b.pslab = b.slab // every node but the root is in one Children or Attrs
	}
	// Values and text other than indentation are usually well under a
	// tenth of a document.
	b.arenaSize = min(max(len(data)/16, minArena), maxArena)
}

// Bounds of the size of an arena chunk (bytes), and the longest string
// keep copies into one rather than on its own.
const (
	minArena  = 512
	maxArena  = 64 << 10
	maxInline = 4 << 10
)

// CopiesStrings marks Builder as an xmlsafe.Copier: it copies the strings
// it keeps (values and text with keep; names when it interns them; see
// StartElement), so xmlsafe.WalkHandler need not copy the document.
func (b *Builder) CopiesStrings() {}

// indent is the common indentation, newline then spaces or tabs, that keep
// hands out substrings of instead of copies.
var indent = [2]string{"\n" + strings.Repeat(" ", 128), "\n" + strings.Repeat("\t", 32)}

// keep returns s, which may point into the document's bytes (see
// CopiesStrings), as a string the tree may keep: a substring of indent,
// a copy in the arena, or a copy of its own if it is long.
func (b *Builder) keep(s string) string {
	n := len(s)
	if n == 0 {
		return ""
	}
	if s[0] == '\n' && n > 1 {
		for _, in := range &indent {
			if n <= len(in) && s[1] == in[1] && s[1:] == in[1:n] {
				return in[:n]
			}
		}
	}
	if n > maxInline {
		return strings.Clone(s)
	}
	if len(b.arena)-b.arenaAt < n {
		size := max(b.arenaSize, minArena, n)
		b.arena, b.arenaAt = make([]byte, size), 0
		b.arenaSize = min(2*size, maxArena)
	}
	at := b.arenaAt
	copy(b.arena[at:], s)
	b.arenaAt += n
	return unsafe.String(&b.arena[at], n)
}

// node returns a new zero node from the slab.
func (b *Builder) node() *Node {
	if b.nodeAt == len(b.nodes) {
		b.newSlab()
	}
	n := &b.nodes[b.nodeAt]
	b.nodeAt++
	return n
}

// newSlab makes a new or recycled node slab the current one.
func (b *Builder) newSlab() {
	if k := len(b.free); k > 0 {
		b.nodes, b.free = b.free[k-1], b.free[:k-1]
	} else {
		b.nodes = make([]Node, b.slab)
		b.slab = min(2*b.slab, 4096)
	}
	b.nodeAt = 0
	b.used = append(b.used, b.nodes)
}

// ptrSlice returns a slice of n node pointers (len and cap n) from the slab.
func (b *Builder) ptrSlice(n int) []*Node {
	if len(b.ptrs)-b.ptrAt < n {
		if k := len(b.freePtrs); k > 0 && len(b.freePtrs[k-1]) >= n {
			b.ptrs, b.freePtrs = b.freePtrs[k-1], b.freePtrs[:k-1]
		} else {
			b.ptrs = make([]*Node, max(n, b.pslab))
			b.pslab = min(2*b.pslab, 4096)
		}
		b.ptrAt = 0
		b.usedPtrs = append(b.usedPtrs, b.ptrs)
	}
	s := b.ptrs[b.ptrAt : b.ptrAt+n : b.ptrAt+n]
	b.ptrAt += n
	return s
}

// resolve returns the namespace URI bound to prefix.
func (b *Builder) resolve(prefix string) (string, bool) {
	if prefix == "xml" {
		return xmlNS, true
	}
	for i := len(b.ns) - 1; i >= 0; i-- {
		if b.ns[i].prefix == prefix {
			return b.ns[i].uri, true
		}
	}
	return "", prefix == "" // no default namespace: none
}

// intern returns the interned entry of name in names, looking in cache
// first.
func (t *internTable) intern(names map[xml.Name]*qname, cache *[128]*qname, name xml.Name) *qname {
	h := len(name.Local)*7 + len(name.Space)
	if l := name.Local; l != "" {
		h += int(l[0]) + int(l[len(l)-1])*3
	}
	slot := &cache[h&127]
	if q := *slot; q != nil && q.local == name.Local && q.prefix == name.Space {
		return q
	}
	q := names[name]
	if q == nil {
		// Copies: the table outlives the document, whose text the
		// name's strings may point into.
		full := name.Space + ":" + name.Local
		t.bytes += len(full)
		q = &qname{prefix: full[:len(name.Space)], local: full[len(name.Space)+1:]}
		q.bit = kidBit(q.local)
		names[xml.Name{Space: q.prefix, Local: q.local}] = q
		// Into the ring of its twins; elements and attributes apart.
		lk := q.local
		if cache == &t.attrCache {
			lk = "@" + lk // not a name character
		}
		if first := t.locals[lk]; first == nil {
			t.locals[lk] = q
		} else if first.twin == nil {
			first.twin, q.twin = q, first
		} else {
			first.twin, q.twin = q, first.twin
		}
	}
	*slot = q
	return q
}

// keyOf returns the id of the expanded name {uri}q.local.
func (b *Builder) keyOf(q *qname, attr bool, uri string) int32 {
	gen := b.names.gen
	if q.gen == gen && q.uri == uri {
		return q.key
	}
	k := nameKey{attr, uri, q.local}
	// The name is new to the index unless q or a twin (the only names with
	// its local part) was seen in this document: then it is looked up.
	// keyID holds the names of document gen only (see reset and Recycle).
	id, ok := int32(0), false
	if q.gen == gen || b.lookupAll || q.twinSeen(gen) {
		id, ok = b.keyID[k]
	}
	if !ok {
		id = int32(len(b.keys))
		b.keys = append(b.keys, k)
		b.keyID[k] = id
		b.keyGID = append(b.keyGID, b.globalID(q, attr, uri))
	}
	q.uri, q.key, q.gen = uri, id, gen
	return id
}

// globalID returns the registered id of {uri}q.local (an attribute name
// when attr), cached on q, the interned name, across documents.
func (b *Builder) globalID(q *qname, attr bool, uri string) int32 {
	reg := names.ids.Load()
	switch {
	case !b.gidSet:
		b.gidReg, b.gidSet = reg, true
	case b.gidReg != reg:
		b.gidMixed = true
	}
	if q.gidReg == reg && q.gidURI == uri {
		return q.gid
	}
	var id int32
	if reg != nil {
		if v, ok := (*reg)[nameKey{attr, uri, q.local}]; ok {
			id = int32(v)
		}
	}
	q.gid, q.gidURI, q.gidReg = id, uri, reg
	return id
}

// twinSeen reports whether a twin of q was seen in document gen, or that
// it may have been: it looks at no more than maxTwins of them, so that a
// document with one local part under ever new prefixes costs no more than
// the lookups.
func (q *qname) twinSeen(gen uint64) bool {
	n := 0
	for t := q.twin; t != nil && t != q; t = t.twin {
		if t.gen == gen || n == maxTwins {
			return true
		}
		n++
	}
	return false
}

// maxTwins is how many twins twinSeen looks at.
const maxTwins = 8

// parent returns the innermost open element, or the document node.
func (b *Builder) parent() (*Node, int) {
	if n := len(b.stack); n > 0 {
		f := &b.stack[n-1]
		return f.el, f.kids
	}
	return b.root, 0
}

// StartElement adds a start tag; name and attr are as written. attr is not
// kept.
func (b *Builder) StartElement(name xml.Name, attr []xml.Attr) error {
	if b.err != nil {
		return b.err
	}
	nsLen := len(b.ns)
	nattr := 0
	for _, a := range attr {
		switch {
		case a.Name.Space == "xmlns":
			// The prefix is only compared while the element is open;
			// the URI goes into the tree.
			b.ns = append(b.ns, binding{a.Name.Local, b.keep(a.Value)})
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			b.ns = append(b.ns, binding{"", b.keep(a.Value)})
		default:
			nattr++
		}
	}
	if b.order+len(attr) >= maxNodes {
		b.err = fmt.Errorf("%w: more than %d nodes", ErrDocument, maxNodes)
		return b.err
	}
	cur, start := b.parent()
	t := b.table()
	if len(b.ns) != nsLen {
		t.scope++ // prefixes may resolve differently from here on
	}
	q := t.intern(t.elem, &t.elemCache, name)
	// The prefix's URI as the last time the name was seen if no namespace
	// declaration has come or gone since: most documents declare their
	// namespaces once, on the document element.
	uri, ok := q.elemURI, true
	if q.scope != t.scope {
		if uri, ok = b.resolve(name.Space); !ok {
			b.err = fmt.Errorf("%w: unbound prefix %q on element %s", ErrDocument, name.Space, name.Local)
			return b.err
		}
		q.elemURI, q.scope = uri, t.scope
	}
	el := b.node()
	// Field by field: the slab node is zero, and a whole-struct copy
	// costs a bulk write barrier while the GC runs.
	el.Kind, el.Space, el.Local, el.Prefix, el.Parent = ElementNode, uri, q.local, q.prefix, cur
	el.Order, el.idx, el.kidsNamed, el.ix = int32(b.order), int32(len(b.kids)-start), true, b.root.ix
	if len(b.visit) == 0 {
		b.visit, b.visitKey, b.visitParent = append(b.visit, b.root), append(b.visitKey, -1), append(b.visitParent, -1)
	}
	pvi := int32(0) // the document node
	if n := len(b.stack); n > 0 {
		pvi = b.stack[n-1].vi
	}
	vi := int32(len(b.visit))
	cur.kidNames |= q.bit
	// The interned name, not name: one pointer to store, not two strings
	// that may point into the document's bytes.
	b.stack = append(b.stack, bframe{name: q, el: el, kids: len(b.kids) + 1, nsLen: nsLen, vi: vi})
	b.order++
	b.elems = append(b.elems, el)
	key := b.keyOf(q, false, uri)
	b.elemKey = append(b.elemKey, key)
	b.kids = append(b.kids, el)
	b.kidKey = append(b.kidKey, key)
	b.visit, b.visitKey, b.visitParent = append(b.visit, el), append(b.visitKey, key), append(b.visitParent, pvi)
	if nattr == 0 {
		return nil
	}
	el.Attrs = b.ptrSlice(nattr)
	i := 0
	for _, a := range attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		q := t.intern(t.attr, &t.attrCache, a.Name)
		at := b.node()
		at.Kind, at.Local, at.Prefix, at.Data, at.Parent = AttributeNode, q.local, q.prefix, b.keep(a.Value), el
		at.Order, at.Last, at.idx, at.ix = int32(b.order), int32(b.order), int32(i), b.root.ix
		if a.Name.Space != "" { // unprefixed attributes are in no namespace
			if at.Space, ok = b.resolve(a.Name.Space); !ok {
				b.err = fmt.Errorf("%w: unbound prefix %q on attribute %s", ErrDocument, a.Name.Space, a.Name.Local)
				return b.err
			}
		}
		b.order++
		el.Attrs[i] = at
		i++
		b.attrs = append(b.attrs, at)
		akey := b.keyOf(q, true, at.Space)
		b.attrKey = append(b.attrKey, akey)
		b.visit, b.visitKey, b.visitParent = append(b.visit, at), append(b.visitKey, -2-akey), append(b.visitParent, vi)
	}
	return nil
}

// EndElement adds an end tag; name is as written.
func (b *Builder) EndElement(name xml.Name) error {
	if b.err != nil {
		return b.err
	}
	n := len(b.stack)
	if n == 0 || b.stack[n-1].name.local != name.Local || b.stack[n-1].name.prefix != name.Space {
		b.err = fmt.Errorf("%w: unexpected end tag </%s>", ErrDocument, rawName(name))
		return b.err
	}
	f := &b.stack[n-1]
	if k := len(b.kids) - f.kids; k > 0 {
		f.el.Children = b.ptrSlice(k)
		copy(f.el.Children, b.kids[f.kids:])
		f.el.kidOff = int32(len(b.kidKeys))
		b.kidKeys = append(b.kidKeys, b.kidKey[f.kids:]...)
		if t := f.el.Children[0]; k == 1 && t.Kind == TextNode {
			f.el.Data, f.el.leaf = t.Data, true
		}
	}
	f.el.Last = int32(b.order - 1)
	b.kids = b.kids[:f.kids]
	b.kidKey = b.kidKey[:f.kids]
	if len(b.ns) != f.nsLen && b.names != nil {
		b.names.scope++ // the element's declarations go out of scope
	}
	b.ns = b.ns[:f.nsLen]
	b.stack = b.stack[:n-1]
	return nil
}

// CharData adds text; s is copied (see keep).
func (b *Builder) CharData(s string) error {
	if b.err != nil {
		return b.err
	}
	cur, start := b.parent()
	if cur == b.root {
		return nil // whitespace outside the document element
	}
	if n := len(b.kids); n > start && b.kids[n-1].Kind == TextNode {
		b.kids[n-1].Data += s
		return nil
	}
	if b.order >= maxNodes {
		b.err = fmt.Errorf("%w: more than %d nodes", ErrDocument, maxNodes)
		return b.err
	}
	t := b.node()
	t.Kind, t.Data, t.Parent = TextNode, b.keep(s), cur
	t.Order, t.Last, t.idx, t.ix = int32(b.order), int32(b.order), int32(len(b.kids)-start), b.root.ix
	b.kids = append(b.kids, t)
	b.kidKey = append(b.kidKey, -1)
	b.order++
	return nil
}

// Add adds the next token. Byte slices in tok are copied.
func (b *Builder) Add(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		return b.StartElement(t.Name, t.Attr)
	case xml.EndElement:
		return b.EndElement(t.Name)
	case xml.CharData:
		if b.err == nil && len(b.stack) == 0 {
			return nil // outside the document element: not even copied
		}
		return b.CharData(string(t))
	}
	return b.err
}

// Document returns the document built, once every token has been added.
func (b *Builder) Document() (*Document, error) {
	if b.err != nil {
		return nil, b.err
	}
	if len(b.stack) > 0 {
		return nil, fmt.Errorf("%w: unexpected end of input inside <%s>", ErrDocument, rawName(b.stack[len(b.stack)-1].name.raw()))
	}
	if len(b.kids) == 0 {
		return nil, fmt.Errorf("%w: no document element", ErrDocument)
	}
	root := b.root
	if root.Children == nil {
		root.Children = b.ptrSlice(len(b.kids))
		copy(root.Children, b.kids)
		root.kidOff = int32(len(b.kidKeys))
		b.kidKeys = append(b.kidKeys, b.kidKey...)
		root.Last = int32(b.order - 1)
		b.index()
		if t := b.names; t != nil {
			b.names = nil
			if len(t.elem)+len(t.attr) <= maxInterned && t.bytes <= maxInternedBytes {
				internPool.Put(t)
			}
		}
	}
	return &Document{Root: root}, nil
}

// index fills the document's name index, with the contents docIndex.build
// would give it.
func (b *Builder) index() {
	count := slices.Grow(b.count[:0], len(b.keys))[:len(b.keys)]
	clear(count)
	b.count = count
	for _, k := range b.elemKey {
		count[k]++
	}
	for _, k := range b.attrKey {
		count[k]++
	}
	lists := slices.Grow(b.lists[:0], len(b.keys)+2)[:len(b.keys)]
	clear(lists)
	n := len(b.elems) + len(b.attrs)
	if cap(b.backing) < n {
		b.backing = make([]*Node, n)
	}
	backing := b.backing[:n]
	b.backing = backing
	off := 0
	for id, c := range count {
		lists[id] = backing[off : off : off+int(c)]
		off += int(c)
	}
	for i, el := range b.elems {
		k := b.elemKey[i]
		lists[k] = append(lists[k], el)
	}
	for i, at := range b.attrs {
		k := b.attrKey[i]
		lists[k] = append(lists[k], at)
	}
	keyID := b.keyID
	if len(b.elems) > 0 {
		keyID[allElements] = int32(len(lists))
		lists = append(lists, b.elems[:len(b.elems):len(b.elems)])
	}
	if len(b.attrs) > 0 {
		keyID[allAttributes] = int32(len(lists))
		lists = append(lists, b.attrs[:len(b.attrs):len(b.attrs)])
	}
	ix := b.root.ix
	ix.once.Do(func() {
		ix.keyID, ix.lists, ix.kids = keyID, lists, b.kidKeys
		ix.visit, ix.visitKey, ix.visitParent = b.visit, b.visitKey, b.visitParent
		if reg := names.ids.Load(); reg != nil && reg == b.gidReg && !b.gidMixed && len(b.keyGID) == len(b.keys) {
			// The ids of the names, found as they came.
			n := len(*reg) + 1
			byID := b.byID[:0]
			if cap(byID) >= n {
				byID = byID[:n]
				clear(byID)
			} else {
				byID = make([]int32, n)
			}
			for k, g := range b.keyGID {
				if g > 0 {
					byID[g] = int32(k) + 1
				}
			}
			for _, k := range [...]nameKey{allElements, allAttributes} { // added above
				if i, ok := keyID[k]; ok {
					if g, ok := (*reg)[k]; ok {
						byID[g] = i + 1
					}
				}
			}
			ix.byID = byID
		} else {
			ix.setByID(b.byID)
		}
		b.byID, b.lists = ix.byID, lists
	})
}
