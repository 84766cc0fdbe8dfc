package maskinporten_test

import (
	"testing"

	"github.com/fellesgo/felles/identity/maskinporten"
)

// BenchmarkTokenCached is a cached Token call through a TokenSource, the
// path every authenticated request takes. Target: under 1 µs, 0 allocations.
func BenchmarkTokenCached(b *testing.B) {
	f := newFake(memIssuer)
	f.expiresIn = 3600
	c := newClient(b, memIssuer, memClient(f))
	ts := c.TokenSource(req)
	srcToken(b, ts)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ts.Token(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenCachedParallel is BenchmarkTokenCached from every CPU.
func BenchmarkTokenCachedParallel(b *testing.B) {
	f := newFake(memIssuer)
	f.expiresIn = 3600
	c := newClient(b, memIssuer, memClient(f))
	ts := c.TokenSource(req)
	srcToken(b, ts)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ts.Token(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAssertion builds and signs one JWT grant with an RSA-2048 key
// and a two-certificate x5c chain.
func BenchmarkAssertion(b *testing.B) {
	c := newClient(b, memIssuer, memClient(newFake(memIssuer)))
	r := maskinporten.Request{Scopes: []string{scope}, ConsumerOrg: "910753614"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := maskinporten.SignGrant(c, r); err != nil {
			b.Fatal(err)
		}
	}
}
