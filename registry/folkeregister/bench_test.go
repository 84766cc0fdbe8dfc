package folkeregister_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fellesgo/felles/registry/folkeregister"
)

// BenchmarkEvents consumes a local feed of 100 000 events served over HTTP
// (httptest, loopback) in pages of 1000, and reports events per second.
func BenchmarkEvents(b *testing.B) {
	const total = 100_000
	f := newFake(b, folkeregister.OffentligMedHjemmel)
	f.addEvents("", seqRange(1, total, 0)...)
	c, _ := f.serve(b)
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		for _, err := range c.Events(ctx, 1) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkPersonDecode reads Skatteetaten's example person document.
func BenchmarkPersonDecode(b *testing.B) {
	doc := readTestdata(b, "person_oppslag.json")
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		var p folkeregister.Person
		if err := json.Unmarshal(doc, &p); err != nil {
			b.Fatal(err)
		}
	}
}
