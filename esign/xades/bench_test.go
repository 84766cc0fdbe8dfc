package xades_test

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"testing"
	"testing/fstest"

	"github.com/fellesgo/felles/esign/xades"
)

// BenchmarkSign signs three precomputed file digests.
func BenchmarkSign(b *testing.B) {
	_, cert := testPKI(b)
	_, refs := testFS()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := xades.Sign(refs, cert.Signer, cert.Chain); err != nil {
			b.Fatal(err)
		}
	}
}

const bigFile = 10 << 20

// BenchmarkVerify verifies a signature over the three test files plus a
// 10 MB file (digest recomputed from fsys each time).
func BenchmarkVerify(b *testing.B) {
	ca, cert := testPKI(b)
	fsys, refs := testFS()
	data := make([]byte, bigFile)
	rand.Read(data)
	fsys["big.bin"] = &fstest.MapFile{Data: data}
	sum := sha256.Sum256(data)
	refs = append(refs, xades.Reference{URI: "big.bin", Digest: sum[:]})
	sigXML, err := xades.Sign(refs, cert.Signer, cert.Chain)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(bigFile)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{Roots: ca.Roots()}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloor is the floor for BenchmarkVerify and for signing a 10 MB
// container: SHA-256 over the same 10 MB plus one RSA-2048 signature.
func BenchmarkFloor(b *testing.B) {
	_, cert := testPKI(b)
	data := make([]byte, bigFile)
	rand.Read(data)
	b.SetBytes(bigFile)
	b.ReportAllocs()
	for b.Loop() {
		sum := sha256.Sum256(data)
		if _, err := cert.Signer.Sign(rand.Reader, sum[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorSign is the floor for BenchmarkSign: one RSA-2048
// signature.
func BenchmarkFloorSign(b *testing.B) {
	_, cert := testPKI(b)
	sum := sha256.Sum256([]byte("x"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cert.Signer.Sign(rand.Reader, sum[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}
