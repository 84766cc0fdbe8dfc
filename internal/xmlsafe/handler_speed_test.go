package xmlsafe

// Benchmarks of WalkHandler's fast path on its own, with a handler that
// does nothing, on base-example.xml and a 1000-line variant. No timing
// assertions.
//
//	go test -run XXX -bench WalkHandler -benchmem ./internal/xmlsafe/

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"math/rand"
	"testing"

	"github.com/fellesgo/felles/internal/benchdoc"
)

// nopHandler is a Handler that keeps nothing.
type nopHandler struct{}

func (nopHandler) StartElement(xml.Name, []xml.Attr) error { return nil }
func (nopHandler) EndElement(xml.Name) error               { return nil }
func (nopHandler) CharData(string) error                   { return nil }
func (nopHandler) Reset()                                  {}

// nopCopier is nopHandler as a Copier, which spares WalkHandler its copy
// of the document.
type nopCopier struct{ nopHandler }

func (nopCopier) CopiesStrings() {}

// speedLines returns base with its first invoice line repeated n times
// (the shape of einvoice's benchManyLines, without its renumbering and
// totals, which do not matter to the tokenizer).
func speedLines(b *testing.B, base []byte, n int) []byte {
	i := bytes.Index(base, []byte("<cac:InvoiceLine>"))
	j := bytes.Index(base, []byte("</cac:InvoiceLine>"))
	k := bytes.LastIndex(base, []byte("</cac:InvoiceLine>"))
	if i < 0 || j < 0 {
		b.Fatal("no invoice line in base-example.xml")
	}
	end := len("</cac:InvoiceLine>")
	line := append(bytes.Clone(base[i:j+end]), '\n')
	out := append(bytes.Clone(base[:i]), bytes.Repeat(line, n)...)
	return append(out, base[k+end:]...)
}

func BenchmarkWalkHandler(b *testing.B) {
	base := benchBase(b)
	for _, d := range []struct {
		name string
		data []byte
	}{{"base-example", base}, {"lines-1000", speedLines(b, base, 1000)}} {
		if !usesFast(d.data, Limits{}) {
			b.Fatalf("%s not on the fast path", d.name)
		}
		b.Run("handler/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			start := benchdoc.CPUTime()
			for b.Loop() {
				if err := WalkHandler(d.data, Limits{}, nopHandler{}); err != nil {
					b.Fatal(err)
				}
			}
			benchdoc.ReportCPU(b, start)
		})
		b.Run("copier/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			start := benchdoc.CPUTime()
			for b.Loop() {
				if err := WalkHandler(d.data, Limits{}, nopCopier{}); err != nil {
					b.Fatal(err)
				}
			}
			benchdoc.ReportCPU(b, start)
		})
		b.Run("check/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			start := benchdoc.CPUTime()
			for b.Loop() {
				if err := Check(d.data, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
			benchdoc.ReportCPU(b, start)
		})
	}
}

// TestCtrlBytes: ctrlBytes marks exactly the control characters but tab
// and newline, whatever the other bytes of the word.
func TestCtrlBytes(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var w [8]byte
	for round := 0; round < 20000; round++ {
		for i := range w {
			switch r.Intn(3) {
			case 0:
				w[i] = byte(r.Intn(0x22)) // around the edge
			default:
				w[i] = byte(r.Intn(256))
			}
		}
		if round < 256*8 { // every byte value at every position
			w[round%8] = byte(round / 8)
		}
		var want uint64
		for i, c := range w {
			if c < 0x20 && c != '\t' && c != '\n' {
				want |= 0x80 << (8 * i)
			}
		}
		if got := ctrlBytes(binary.LittleEndian.Uint64(w[:])); got != want {
			t.Fatalf("ctrlBytes(% x) = %#x, want %#x", w, got, want)
		}
	}
}
