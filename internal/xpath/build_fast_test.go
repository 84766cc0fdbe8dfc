package xpath

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fellesgo/felles/internal/corpus"
	"github.com/fellesgo/felles/internal/xmlsafe"
)

// buildOld is the validator's parse step before build_fast.go: xmlsafe.Walk
// feeding oldBuilder.Add; the index is built at once.
func buildOld(data []byte, lim xmlsafe.Limits) (*Document, error) {
	b := newOldBuilder()
	if err := xmlsafe.Walk(data, lim, b.Add); err != nil {
		return nil, err
	}
	d, err := b.Document()
	if err == nil {
		d.Root.ix.build(d.Root)
	}
	return d, err
}

// buildNew is the validator's parse step now.
func buildNew(data []byte, lim xmlsafe.Limits) (*Document, error) {
	b := NewBuilder()
	b.Hint(data)
	if err := xmlsafe.WalkHandler(data, lim, b); err != nil {
		return nil, err
	}
	return b.Document()
}

// rawTokens feeds encoding/xml's RawTokens to add, as ParseDocument did.
func rawTokens(data []byte, add func(xml.Token) error) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrDocument, err)
		}
		if err := add(tok); err != nil {
			return err
		}
	}
}

// buildOldRaw and buildNewRaw are the two Builders on unchecked RawTokens,
// as ParseDocument used them (decoder errors wrap ErrDocument).
func buildOldRaw(data []byte) (*Document, error) {
	b := newOldBuilder()
	if err := rawTokens(data, b.Add); err != nil {
		return nil, err
	}
	d, err := b.Document()
	if err == nil {
		d.Root.ix.build(d.Root)
	}
	return d, err
}

// parseNew is ParseDocument, fast path or not.
func parseNew(data []byte) (*Document, error) { return ParseDocument(bytes.NewReader(data)) }

// parseNewSlow is ParseDocument with a reader that fails at the end, which
// forces the encoding/xml path.
func parseNewFailing(data []byte) (*Document, error) {
	return ParseDocument(io.MultiReader(bytes.NewReader(data), errReader{errors.New("read failed")}))
}

func buildOldRawFailing(data []byte) (*Document, error) {
	b := newOldBuilder()
	d := xml.NewDecoder(io.MultiReader(bytes.NewReader(data), errReader{errors.New("read failed")}))
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

func buildNewRaw(data []byte) (*Document, error) {
	b := NewBuilder()
	if err := rawTokens(data, b.Add); err != nil {
		return nil, err
	}
	return b.Document()
}

// sameBuild fails t unless both builds give equal trees and indexes, or
// the same error.
func sameBuild(t testing.TB, name string, old, new func([]byte) (*Document, error), data []byte) {
	t.Helper()
	od, oerr := old(data)
	nd, nerr := new(data)
	if (oerr == nil) != (nerr == nil) {
		t.Fatalf("%s: old error %v, new error %v", name, oerr, nerr)
	}
	if oerr != nil {
		if oerr.Error() != nerr.Error() || fmt.Sprintf("%T", oerr) != fmt.Sprintf("%T", nerr) {
			t.Fatalf("%s: old error %T %v, new error %T %v", name, oerr, oerr, nerr, nerr)
		}
		return
	}
	if msg := diffDocs(od, nd); msg != "" {
		t.Fatalf("%s: %s", name, msg)
	}
}

// diffDocs describes the first difference between two documents' trees
// and name indexes, or returns "".
func diffDocs(a, b *Document) string {
	if msg := diffNodes(a.Root, b.Root); msg != "" {
		return msg
	}
	ia, ib := a.Root.ix, b.Root.ix
	if ia == nil || ib == nil {
		return fmt.Sprintf("index %v vs %v", ia, ib)
	}
	ia.build(a.Root)
	ib.build(b.Root) // a no-op if it was built while parsing
	if len(ia.keyID) != len(ib.keyID) {
		return fmt.Sprintf("index: %d names vs %d", len(ia.keyID), len(ib.keyID))
	}
	for k := range ia.keyID {
		if _, ok := ib.keyID[k]; !ok {
			return fmt.Sprintf("index: %v missing", k)
		}
		if msg := diffList(ia.list(k), ib.list(k)); msg != "" {
			return fmt.Sprintf("index %v: %s", k, msg)
		}
	}
	if len(ia.byID) != len(ib.byID) || (ia.byID == nil) != (ib.byID == nil) {
		return fmt.Sprintf("byID: %d vs %d", len(ia.byID), len(ib.byID))
	}
	for id := range ia.byID {
		la, oka := namedID(a.Root, id)
		lb, okb := namedID(b.Root, id)
		if oka != okb {
			return fmt.Sprintf("byID %d: ok %v vs %v", id, oka, okb)
		}
		if msg := diffList(la, lb); msg != "" {
			return fmt.Sprintf("byID %d: %s", id, msg)
		}
	}
	return diffVisit(b)
}

// diffVisit checks b.Visit against a walk of the tree: the document node,
// then each element followed by its attributes and its child elements,
// with their name keys and parents, and NameKey against the index.
func diffVisit(d *Document) string {
	nodes, keys, parents, ok := d.Visit()
	if !ok || len(nodes) != len(keys) || len(nodes) != len(parents) {
		return fmt.Sprintf("Visit: ok %v, %d nodes, %d keys, %d parents", ok, len(nodes), len(keys), len(parents))
	}
	ix := d.Root.ix
	var want []*Node
	var wantKeys, wantParents []int32
	var walk func(n *Node, parent int32)
	walk = func(n *Node, parent int32) {
		me := int32(len(want))
		want, wantParents = append(want, n), append(wantParents, parent)
		switch n.Kind {
		case DocumentNode:
			wantKeys = append(wantKeys, -1)
		case ElementNode:
			wantKeys = append(wantKeys, ix.keyID[nameKey{false, n.Space, n.Local}])
		}
		for _, a := range n.Attrs {
			want, wantParents = append(want, a), append(wantParents, me)
			wantKeys = append(wantKeys, -2-ix.keyID[nameKey{true, a.Space, a.Local}])
		}
		for _, c := range n.Children {
			if c.Kind == ElementNode {
				walk(c, me)
			}
		}
	}
	walk(d.Root, -1)
	if !slices.Equal(nodes, want) || !slices.Equal(keys, wantKeys) || !slices.Equal(parents, wantParents) {
		return fmt.Sprintf("Visit differs from a walk of the tree (%d nodes, want %d)", len(nodes), len(want))
	}
	for id := range ix.byID {
		key, ok := d.NameKey(id)
		if !ok || key != ix.byID[id]-1 || key >= int32(d.NameKeys()) {
			return fmt.Sprintf("NameKey(%d) = %d, %v", id, key, ok)
		}
	}
	if _, ok := d.NameKey(len(ix.byID)); ok {
		return "NameKey of an id registered later"
	}
	return ""
}

// diffList compares two node lists by Order (the trees are already known
// to be equal).
func diffList(a, b []*Node) string {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return fmt.Sprintf("%d nodes vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Order != b[i].Order {
			return fmt.Sprintf("node %d: order %d vs %d", i, a[i].Order, b[i].Order)
		}
	}
	return ""
}

// diffNodes compares two subtrees field by field.
func diffNodes(a, b *Node) string {
	where := func() string {
		return fmt.Sprintf("node %d (%s %s)", a.Order, a.Prefix, a.Local)
	}
	switch {
	case a.Kind != b.Kind || a.Space != b.Space || a.Local != b.Local || a.Prefix != b.Prefix || (a.Data != b.Data && !b.leaf):
		return fmt.Sprintf("%s: %+v vs %+v", where(), *a, *b)
	case b.leaf != (b.Kind == ElementNode && len(b.Children) == 1 && b.Children[0].Kind == TextNode) ||
		b.leaf && b.Data != b.Children[0].Data:
		return fmt.Sprintf("%s: leaf %v with %q", where(), b.leaf, b.Data)
	case a.Order != b.Order || a.Last != b.Last || a.idx != b.idx:
		return fmt.Sprintf("%s: order/last/idx %d/%d/%d vs %d/%d/%d", where(), a.Order, a.Last, a.idx, b.Order, b.Last, b.idx)
	case (a.Parent == nil) != (b.Parent == nil) || a.Parent != nil && a.Parent.Order != b.Parent.Order:
		return where() + ": parents differ"
	case a.Kind == DocumentNode && (a.ix == nil) != (b.ix == nil):
		return where() + ": index presence differs"
	case b.ix == nil || b.ix.root == nil || b.ix.root.Parent != nil || b.Root() != b.ix.root:
		return where() + ": the node does not know its document"
	case len(a.Children) != len(b.Children) || (a.Children == nil) != (b.Children == nil):
		return fmt.Sprintf("%s: %d children vs %d", where(), len(a.Children), len(b.Children))
	case len(a.Attrs) != len(b.Attrs) || (a.Attrs == nil) != (b.Attrs == nil):
		return fmt.Sprintf("%s: %d attributes vs %d", where(), len(a.Attrs), len(b.Attrs))
	}
	// b, from the Builder, knows its children's local names (see noKids).
	if b.Kind == ElementNode || b.Kind == DocumentNode {
		var want uint64
		for _, c := range b.Children {
			if c.Kind == ElementNode {
				want |= kidBit(c.Local)
			}
		}
		if !b.kidsNamed || b.kidNames != want {
			return fmt.Sprintf("%s: kidNames %x (set %v), want %x", where(), b.kidNames, b.kidsNamed, want)
		}
		// And the index, each child's name key (see docIndex.kids).
		ix := b.ix
		for i, c := range b.Children {
			want := int32(-1)
			if c.Kind == ElementNode {
				want = ix.keyID[nameKey{false, c.Space, c.Local}]
			}
			if got := ix.kids[int(b.kidOff)+i]; got != want || (want >= 0 && !slices.Contains(ix.lists[want], c)) {
				return fmt.Sprintf("%s: child %d has name key %d, want %d", where(), i, got, want)
			}
			if b.ChildIsElement(i) != (c.Kind == ElementNode) || a.ChildIsElement(i) != (c.Kind == ElementNode) {
				return fmt.Sprintf("%s: ChildIsElement(%d) wrong", where(), i)
			}
		}
	}
	for i := range a.Attrs {
		if b.Attrs[i].Parent != b {
			return where() + ": attribute's parent is not its element"
		}
		if msg := diffNodes(a.Attrs[i], b.Attrs[i]); msg != "" {
			return msg
		}
	}
	for i := range a.Children {
		if b.Children[i].Parent != b {
			return where() + ": child's parent is not its element"
		}
		if msg := diffNodes(a.Children[i], b.Children[i]); msg != "" {
			return msg
		}
	}
	return ""
}

// sharedXML returns the XML files under ../shared/conformance and
// ../shared/testdata, skipping t if there are none.
func sharedXML(tb testing.TB) map[string][]byte {
	files := map[string][]byte{}
	for _, rel := range []string{"conformance", "testdata"} {
		root := corpus.Dir(tb, rel)
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".xml") {
				return nil
			}
			if data, err := os.ReadFile(p); err == nil {
				files[p] = data
			}
			return nil
		})
	}
	if len(files) == 0 {
		tb.Skip("no XML files under ../shared")
	}
	return files
}

func checkedOld(data []byte) (*Document, error) { return buildOld(data, xmlsafe.Limits{}) }
func checkedNew(data []byte) (*Document, error) { return buildNew(data, xmlsafe.Limits{}) }

var smallLimits = xmlsafe.Limits{MaxDepth: 8, MaxAttributes: 4, MaxTokens: 200}

func checkedOldSmall(data []byte) (*Document, error) { return buildOld(data, smallLimits) }
func checkedNewSmall(data []byte) (*Document, error) { return buildNew(data, smallLimits) }

// TestBuilderSameTreesShared: on every shared XML file the new Builder
// (through xmlsafe.WalkHandler and through Add) gives the old one's tree
// and index.
func TestBuilderSameTreesShared(t *testing.T) {
	// Register some names first, so that byID is compared too.
	nameID(nameKey{false, "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2", "ID"})
	nameID(nameKey{true, "", "currencyID"})
	nameID(allElements)
	files := sharedXML(t)
	for p, data := range files {
		sameBuild(t, p, checkedOld, checkedNew, data)
		sameBuild(t, p+" (raw)", buildOldRaw, buildNewRaw, data)
		sameBuild(t, p+" (ParseDocument)", buildOldRaw, parseNew, data)
		sameBuild(t, p+" (ParseDocument, failing reader)", buildOldRawFailing, parseNewFailing, data)
		sameBuild(t, p+" (half)", checkedOld, checkedNew, data[:len(data)/2])
	}
	t.Logf("%d files", len(files))
}

// builderCases are small documents with the corners of tree building.
var builderCases = []string{
	`<a/>`,
	" \n<a>x<b>y</b>z</a>\n ",
	`<a><!-- c -->x<!-- d -->y<![CDATA[<z>]]>w<?pi x?></a>`,
	`<r xmlns="urn:d" xmlns:p="urn:p" xml:lang="no"><p:c a="1" p:b="2"/><c xmlns="" x="&lt;&#65;"/></r>`,
	`<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2" p:x="1"/><p:b p:x="2"/></p:a>`,
	`<a xmlns:p="urn:1" xmlns:p="urn:2"><p:b/></a>`,
	`<a><b></a>`,
	`<a></b>`,
	`<p:a/>`,
	`<a p:x="1"/>`,
	`<a/><b/>`,
	`text<a/>`,
	`<a>` + "\r\n" + `x</a>`,
	``,
	`<a x="1" x="2"/>`,
	`<a><b/><b/><b><c x="1" y="2">t</c></b>tail</a>`,
	`<a a="1" xmlns:p="urn:p" p:a="2"><a a="3"/><p:a a="4" p:a="5"/></a>`,
	`<a xmlns="urn:1"><b xmlns="urn:2"><a/></b><a/></a>`,
}

func TestBuilderSameTreesCases(t *testing.T) {
	for _, doc := range builderCases {
		data := []byte(doc)
		sameBuild(t, doc, checkedOld, checkedNew, data)
		sameBuild(t, doc+" (small)", checkedOldSmall, checkedNewSmall, data)
		sameBuild(t, doc+" (raw)", buildOldRaw, buildNewRaw, data)
		sameBuild(t, doc+" (ParseDocument)", buildOldRaw, parseNew, data)
		sameBuild(t, doc+" (ParseDocument, failing reader)", buildOldRawFailing, parseNewFailing, data)
	}
}

// TestBuilderReuse: a Builder Reset in the middle gives the same tree.
func TestBuilderReset(t *testing.T) {
	data := []byte(`<a xmlns:p="urn:p"><p:b x="1">t</p:b></a>`)
	b := NewBuilder()
	b.StartElement(xml.Name{Local: "z"}, nil)
	b.CharData("junk")
	b.Reset()
	if err := xmlsafe.WalkHandler(data, xmlsafe.Limits{}, b); err != nil {
		t.Fatal(err)
	}
	nd, err := b.Document()
	if err != nil {
		t.Fatal(err)
	}
	od, err := checkedOld(data)
	if err != nil {
		t.Fatal(err)
	}
	if msg := diffDocs(od, nd); msg != "" {
		t.Fatal(msg)
	}
}

func FuzzBuilderSameTrees(f *testing.F) {
	for _, doc := range builderCases {
		f.Add([]byte(doc))
	}
	n := 0
	for _, data := range sharedXML(f) {
		if len(data) > 16<<10 || n >= 30 {
			continue
		}
		n++
		f.Add(data)
		f.Add(bytes.Replace(data, []byte(">"), []byte(" xmlns:q='urn:q' q:x='&#65;'>"), 2))
		f.Add(bytes.Replace(data, []byte("</"), []byte("&amp;<!--c-->x</"), 3))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameBuild(t, "checked", checkedOld, checkedNew, data)
		sameBuild(t, "small", checkedOldSmall, checkedNewSmall, data)
		sameBuild(t, "raw", buildOldRaw, buildNewRaw, data)
		sameBuild(t, "ParseDocument", buildOldRaw, parseNew, data)
	})
}

func benchData(b *testing.B) []byte {
	p := filepath.Join(corpus.Dir(b, "conformance"), "peppol-bis-3.0.19", "examples", "base-example.xml")
	data, err := os.ReadFile(p)
	if err != nil {
		b.Skip(err)
	}
	return data
}

func BenchmarkBuild(b *testing.B) {
	data := benchData(b)
	big := bytes.Repeat(data, 1)
	if i := bytes.Index(data, []byte("<cac:InvoiceLine>")); i > 0 {
		j := bytes.LastIndex(data, []byte("</cac:InvoiceLine>")) + len("</cac:InvoiceLine>")
		big = append(append(append([]byte{}, data[:i]...), bytes.Repeat(append(append([]byte{}, data[i:j]...), '\n'), 500)...), data[j:]...)
	}
	for _, d := range []struct {
		name string
		data []byte
	}{{"base", data}, {"big", big}} {
		b.Run("old/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := buildOld(d.data, xmlsafe.Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("new/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := buildNew(d.data, xmlsafe.Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBuilderConcurrent: Builders in parallel (sharing pooled intern
// tables one after the other) still give the old trees.
func TestBuilderConcurrent(t *testing.T) {
	docs := [][]byte{}
	for _, d := range builderCases {
		docs = append(docs, []byte(d))
	}
	docs = append(docs,
		[]byte(`<a xmlns="urn:x"><b a="1"/></a>`),
		[]byte(`<a xmlns="urn:y"><b a="2"/></a>`),
		[]byte(`<p:a xmlns:p="urn:x"><p:b p:a="1"/></p:a>`))
	want := make([]*Document, len(docs))
	for i, d := range docs {
		want[i], _ = checkedOld(d)
	}
	errc := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func() {
			msg := ""
			for round := 0; round < 50 && msg == ""; round++ {
				for i := range docs {
					j := (i + g + round) % len(docs)
					got, err := checkedNew(docs[j])
					if (err == nil) != (want[j] != nil) {
						msg = fmt.Sprintf("doc %d: error %v", j, err)
						break
					}
					if err == nil {
						if m := diffDocs(want[j], got); m != "" {
							msg = fmt.Sprintf("doc %d: %s", j, m)
							break
						}
					}
				}
			}
			errc <- msg
		}()
	}
	for g := 0; g < 8; g++ {
		if msg := <-errc; msg != "" {
			t.Error(msg)
		}
	}
}

// TestBuilderRecycle builds the official documents one after the other
// with one recycled Builder and compares each tree with a fresh build, and
// checks that a recycled Builder keeps nothing of the previous tree.
func TestBuilderRecycle(t *testing.T) {
	files := sharedXML(t)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	b := NewBuilder()
	for i, name := range names {
		if i > 150 && testing.Short() {
			break
		}
		data := files[name]
		want, werr := checkedOld(data)
		got, err := buildWith(b, data)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%s: recycled builder: %v, fresh: %v", name, err, werr)
		}
		if err == nil {
			if msg := diffDocs(want, got); msg != "" {
				t.Fatalf("%s after %d recycled documents: %s", name, i, msg)
			}
		}
		b.Recycle()
		for _, sl := range b.free {
			for j := range sl {
				if sl[j].Parent != nil || sl[j].Children != nil || sl[j].Data != "" || sl[j].Local != "" {
					t.Fatalf("%s: a recycled node slab still holds a node", name)
				}
			}
		}
		for _, sl := range b.freePtrs {
			for _, p := range sl {
				if p != nil {
					t.Fatalf("%s: a recycled pointer slab still holds a node", name)
				}
			}
		}
	}
}

// buildWith parses data with b as einvoice's parseWith does: Hint, then
// WalkHandler, then Document.
func buildWith(b *Builder, data []byte) (*Document, error) {
	b.Hint(data)
	if err := xmlsafe.WalkHandler(data, xmlsafe.Limits{}, b); err != nil {
		return nil, err
	}
	return b.Document()
}

// TestBuilderMaxNodes: a document with more nodes than Node.Order can
// number is refused, not numbered wrong.
func TestBuilderMaxNodes(t *testing.T) {
	defer func(n int) { maxNodes = n }(maxNodes)
	maxNodes = 10
	for _, c := range []struct {
		doc string
		ok  bool
	}{
		{`<a><b/><c/></a>`, true},
		{`<a>` + strings.Repeat(`<b/>`, 20) + `</a>`, false},
		{`<a>` + strings.Repeat(`<b>x</b>`, 6) + `</a>`, false},
		{`<a x="1" y="2" z="3" p="4" q="5" r="6" s="7" t="8" u="9" v="0"/>`, false},
	} {
		_, err := ParseDocument(strings.NewReader(c.doc))
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrDocument)) {
			t.Errorf("%s: %v", c.doc, err)
		}
	}
}

// TestNamesRegisteredDuringParse: names registered while a document is
// being built (another goroutine preparing expressions), here the first
// ones of the process, are found in the document (found by review: the ids
// looked up before were taken as final).
func TestNamesRegisteredDuringParse(t *testing.T) {
	old := names.ids.Load()
	defer names.ids.Store(old)
	for _, start := range []*map[nameKey]int{nil, {{false, "", "other"}: 1}} {
		names.ids.Store(start)
		b := NewBuilder()
		if err := b.StartElement(xml.Name{Local: "root"}, nil); err != nil {
			t.Fatal(err)
		}
		e, err := Parse("count(//root) + count(/root) + count(//kid)")
		if err != nil {
			t.Fatal(err)
		}
		env := &Env{}
		if err := Prepare(e, env); err != nil {
			t.Fatal(err)
		}
		b.StartElement(xml.Name{Local: "kid"}, nil)
		b.EndElement(xml.Name{Local: "kid"})
		b.EndElement(xml.Name{Local: "root"})
		d, err := b.Document()
		if err != nil {
			t.Fatal(err)
		}
		res, err := EvalPrepared(e, d.Root, env)
		if err != nil || reviewShow(res) != reviewShow(Seq{Integer{V: big.NewInt(3)}}) {
			t.Errorf("registry %v at the start: %v %v, want 3", start != nil, res, err)
		}
		if k, ok := d.NameKey(nameID(nameKey{false, "", "root"})); ok && k < 0 {
			t.Errorf("registry %v at the start: NameKey says root is absent", start != nil)
		}
	}
}
