package pades

import (
	"bytes"
	"testing"
)

func BenchmarkCheckXrefBounds(b *testing.B) {
	in := genPDF([]string{"x"}, 10<<20)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if err := checkXrefBounds(bytes.NewReader(in), int64(len(in))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNesting(b *testing.B) {
	in := genPDF([]string{"x"}, 10<<20)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		var c nestingChecker
		for off := 0; off < len(in); off += 256 << 10 {
			c.feed(in[off:min(len(in), off+256<<10)])
		}
	}
}
