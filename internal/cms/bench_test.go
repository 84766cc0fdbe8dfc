package cms

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"testing"
)

// BenchmarkSignDetached signs a SHA-256 digest with RSA-2048.
func BenchmarkSignDetached(b *testing.B) {
	_, rc, _ := pki(b)
	sum := sha256.Sum256([]byte("bench"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SignDetached(sum[:], rc.Signer, rc.Chain, SignOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloor is one RSA-2048 PKCS#1 v1.5 signature over a digest: what
// SignDetached cannot go below.
func BenchmarkFloor(b *testing.B) {
	_, rc, _ := pki(b)
	sum := sha256.Sum256([]byte("bench"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rc.Signer.Sign(rand.Reader, sum[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseVerify parses a detached signature and verifies it.
func BenchmarkParseVerify(b *testing.B) {
	_, rc, _ := pki(b)
	sum := sha256.Sum256([]byte("bench"))
	der, err := SignDetached(sum[:], rc.Signer, rc.Chain, SignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		sd, err := Parse(der)
		if err != nil {
			b.Fatal(err)
		}
		if err := sd.VerifySignature(sum[:]); err != nil {
			b.Fatal(err)
		}
	}
}
