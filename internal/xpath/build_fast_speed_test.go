package xpath

// Benchmarks of the validator's parse step as einvoice/validate.go's
// parseWith runs it: a pooled Builder, recycled after each document, given
// a Hint and fed by xmlsafe.WalkHandler. No timing assertions.
//
//	go test -run XXX -bench BuildRecycled -benchmem ./internal/xpath/

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesgo/felles/internal/benchdoc"
	"github.com/fellesgo/felles/internal/corpus"
	"github.com/fellesgo/felles/internal/xmlsafe"
)

// speedDocs returns base-example.xml and its 1000-line variant.
func speedDocs(b *testing.B) []struct {
	name string
	data []byte
} {
	p := filepath.Join(corpus.Dir(b, "conformance"), "peppol-bis-3.0.19", "examples", "base-example.xml")
	base, err := os.ReadFile(p)
	if err != nil {
		b.Skip(err)
	}
	lines, err := benchdoc.ManyLines(base, 1000)
	if err != nil {
		b.Fatal(err)
	}
	return []struct {
		name string
		data []byte
	}{{"base-example", base}, {"lines-1000", lines}}
}

// BenchmarkBuildRecycled is parseWith: Hint, WalkHandler, Document on a
// Builder recycled after every document.
func BenchmarkBuildRecycled(b *testing.B) {
	for _, d := range speedDocs(b) {
		b.Run("recycled/"+d.name, func(b *testing.B) {
			bl := NewBuilder()
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			start := benchdoc.CPUTime()
			for b.Loop() {
				bl.Hint(d.data)
				if err := xmlsafe.WalkHandler(d.data, xmlsafe.Limits{}, bl); err != nil {
					b.Fatal(err)
				}
				if _, err := bl.Document(); err != nil {
					b.Fatal(err)
				}
				bl.Recycle()
			}
			benchdoc.ReportCPU(b, start)
		})
		b.Run("fresh/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			start := benchdoc.CPUTime()
			for b.Loop() {
				if _, err := buildNew(d.data, xmlsafe.Limits{}); err != nil {
					b.Fatal(err)
				}
			}
			benchdoc.ReportCPU(b, start)
		})
	}
}

// dumpTree writes n's subtree, every field a query can see, as text.
func dumpTree(sb *strings.Builder, n *Node) {
	fmt.Fprintf(sb, "(%d %q %q %q %q %d %d", n.Kind, n.Space, n.Local, n.Prefix, n.Data, n.Order, n.Last)
	for _, a := range n.Attrs {
		dumpTree(sb, a)
	}
	for _, c := range n.Children {
		dumpTree(sb, c)
	}
	sb.WriteString(")")
}

// TestBuilderNoAliasing: the strings of a tree built through WalkHandler
// (which hands the Builder, a Copier, strings that point into the input)
// do not change when the input is overwritten afterwards.
func TestBuilderNoAliasing(t *testing.T) {
	docs := map[string][]byte{}
	for _, d := range builderCases {
		docs[d] = []byte(d)
	}
	docs["indent"] = []byte("<a xmlns='urn:a'>\n  <b x='1'>\n\t\t<c>v &amp; w</c>\n\t</b>\n" + strings.Repeat(" ", 200) + "<d/>\n</a>")
	for name, data := range sharedXML(t) {
		docs[name] = data
	}
	b := NewBuilder()
	for name, data := range docs {
		data = bytes.Clone(data)
		b.Hint(data)
		if err := xmlsafe.WalkHandler(data, xmlsafe.Limits{}, b); err != nil {
			b.Recycle()
			continue
		}
		doc, err := b.Document()
		if err != nil {
			b.Recycle()
			continue
		}
		var before, after strings.Builder
		dumpTree(&before, doc.Root)
		for i := range data {
			data[i] = 'X'
		}
		dumpTree(&after, doc.Root)
		if before.String() != after.String() {
			t.Fatalf("%s: the tree changed with its input", name)
		}
		b.Recycle()
	}
}

// TestBuilderKeepLengths: values and text of every length around the
// arena's chunk sizes, with and without references, in documents that
// take the fast path and in ones that do not, give the old trees.
func TestBuilderKeepLengths(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	text := func(n int) string {
		var sb strings.Builder
		for sb.Len() < n {
			switch r.Intn(40) {
			case 0:
				sb.WriteString("&amp;&#x9;")
			case 1:
				sb.WriteString("\n    ")
			default:
				sb.WriteByte(byte('a' + r.Intn(26)))
			}
		}
		return sb.String()
	}
	for _, n := range []int{0, 1, 2, 100, 511, 512, 513, 1000, 4095, 4096, 4097, 5000, 70000} {
		for _, tail := range []string{"", "<!-- not plain -->"} {
			doc := "<r a='" + text(n) + "'>" + text(n) + "<e>" + text(n/3) + "</e>\n  " +
				"<e b='" + text(n/2) + "'/>" + text(n) + tail + "</r>"
			sameBuild(t, fmt.Sprint(n, tail), checkedOld, checkedNew, []byte(doc))
			sameBuild(t, fmt.Sprint(n, tail, " (ParseDocument)"), buildOldRaw, parseNew, []byte(doc))
		}
	}
}

// twinCases have names with one local part and several prefixes, bound to
// one namespace or to several, and prefixes bound anew: the corners of
// the name ids and the prefix URIs the Builder remembers between
// elements and documents.
var twinCases = []string{
	`<r xmlns:p="urn:1" xmlns:q="urn:1"><p:a/><q:a/><p:a q:x="1" p:y="2"/><q:b p:x="3"/></r>`,
	`<p:a xmlns:p="urn:1"><p:a xmlns:p="urn:2"><p:a/></p:a><p:a/><q:a xmlns:q="urn:2"/></p:a>`,
	`<q:a xmlns:q="urn:2"><p:a xmlns:p="urn:1"/><p:a xmlns:p="urn:2" q:x="1" p:x="2"/></q:a>`,
	`<a xmlns="urn:1"><a xmlns="urn:2"><a xmlns=""/><a/></a><a/></a>`,
	`<p:a xmlns:p="urn:1" xmlns:q="urn:2"><q:a/><p:a/><q:a p:x="1"/><p:a q:x="2"/></p:a>`,
	`<r xmlns:p="urn:1"><p:a/><s xmlns:p="urn:2"><p:a/></s><p:a/></r>`,
	manyTwins(),
	// After manyTwins, with the same intern table: the twins in between
	// were seen in another document only.
	fmt.Sprintf(`<r xmlns:p0="urn:0" xmlns:p%[1]d="urn:0"><p0:a/><p%[1]d:a/></r>`, 3*maxTwins-1),
}

// manyTwins is a document with one local part under more prefixes than
// twinSeen looks at, the last one bound to the namespace of the first,
// then some bound to one namespace.
func manyTwins() string {
	var sb strings.Builder
	sb.WriteString(`<r>`)
	for i := 0; i < 3*maxTwins; i++ {
		u := i
		if i == 3*maxTwins-1 {
			u = 0
		}
		fmt.Fprintf(&sb, `<p%d:a xmlns:p%d="urn:%d" p%d:a="%d"/>`, i, i, u, i, i)
	}
	for i := 3*maxTwins - 1; i >= 0; i-- {
		fmt.Fprintf(&sb, `<p%d:a xmlns:p%d="urn:%d"/>`, i, i, i%3)
	}
	sb.WriteString(`</r>`)
	return sb.String()
}

// TestBuilderTwins builds twinCases and builderCases one after the other,
// in several orders, with one recycled Builder, and compares each tree and
// index with the old Builder's.
func TestBuilderTwins(t *testing.T) {
	docs := append(append([]string{}, twinCases...), builderCases...)
	r := rand.New(rand.NewSource(2))
	b := NewBuilder()
	for round := 0; round < 20; round++ {
		for _, i := range r.Perm(len(docs)) {
			data := []byte(docs[i])
			want, werr := checkedOld(data)
			got, err := buildWith(b, data)
			if (err == nil) != (werr == nil) {
				t.Fatalf("%s: error %v, old %v", docs[i], err, werr)
			}
			if err == nil {
				if msg := diffDocs(want, got); msg != "" {
					t.Fatalf("round %d, %s: %s", round, docs[i], msg)
				}
			}
			b.Recycle()
		}
	}
	for _, d := range twinCases {
		sameBuild(t, d, checkedOld, checkedNew, []byte(d))
		sameBuild(t, d+" (raw)", buildOldRaw, buildNewRaw, []byte(d))
	}
}
