package tsa

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"testing"
)

// BenchmarkTimestamp is one round trip to the sandbox TSA over loopback
// HTTP: request, TSA signing (RSA-2048), response parse and checks.
func BenchmarkTimestamp(b *testing.B) {
	_, tc, _ := pki(b)
	srv := server(b, tc)
	c := client(b, srv.URL)
	sum := sha256.Sum256([]byte("bench"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Timestamp(context.Background(), crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify parses and fully verifies a token.
func BenchmarkVerify(b *testing.B) {
	ca, tc, _ := pki(b)
	srv := server(b, tc)
	sum := sha256.Sum256([]byte("bench"))
	tok, err := client(b, srv.URL).Timestamp(context.Background(), crypto.SHA256, sum[:])
	if err != nil {
		b.Fatal(err)
	}
	roots := ca.Roots()
	b.ReportAllocs()
	for b.Loop() {
		t, err := Parse(tok.Raw)
		if err != nil {
			b.Fatal(err)
		}
		if err := t.Verify(crypto.SHA256, sum[:], roots, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloor is one RSA-2048 signature over a SHA-256 digest, the
// TSA's unavoidable work per token.
func BenchmarkFloor(b *testing.B) {
	_, tc, _ := pki(b)
	sum := sha256.Sum256([]byte("bench"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tc.Signer.Sign(rand.Reader, sum[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}
