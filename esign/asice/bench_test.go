package asice

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"testing"
	"time"
)

const benchSize = 10 << 20

var (
	benchRandom = func() []byte { b := make([]byte, benchSize); rand.Read(b); return b }()
	benchText   = func() []byte {
		line := []byte("Vedtak om tildeling av plass i barnehage, kommunen viser til søknad mottatt 01.03. 0123456789\n")
		return bytes.Repeat(line, benchSize/len(line)+1)[:benchSize]
	}()
)

func benchFiles(data []byte) []File {
	return []File{
		{Name: "manifest.xml", MimeType: "application/xml", Data: []byte(`<manifest xmlns="http://begrep.difi.no/sdp/schema_v10"/>`)},
		{Name: "vedlegg.bin", MimeType: "application/octet-stream", Data: data},
	}
}

// BenchmarkSignASiCE signs a DPI container with a 10 MB attachment; compare
// with BenchmarkFloor (SHA-256 over the same bytes plus one RSA-2048
// signature).
func BenchmarkSignASiCE(b *testing.B) {
	_, cert := testPKI(b)
	for _, bc := range []struct {
		name string
		data []byte
	}{{"random", benchRandom}, {"text", benchText}} {
		b.Run(bc.name, func(b *testing.B) {
			files := benchFiles(bc.data)
			b.SetBytes(benchSize)
			b.ReportAllocs()
			var signT, floorT time.Duration
			for b.Loop() {
				t0 := time.Now()
				if err := Sign(io.Discard, files, cert.Signer, cert.Chain); err != nil {
					b.Fatal(err)
				}
				signT += time.Since(t0)
				// The floor, interleaved so that the ratio survives a
				// noisy machine; not counted in ns/op.
				b.StopTimer()
				t0 = time.Now()
				floor(b, cert.Signer, bc.data)
				floorT += time.Since(t0)
				b.StartTimer()
			}
			b.ReportMetric(float64(signT)/float64(floorT), "x-floor")
		})
	}
}

// BenchmarkFloor is the least any signer must do: hash the 10 MB once
// with SHA-256 and make one RSA-2048 signature.
func BenchmarkFloor(b *testing.B) {
	_, cert := testPKI(b)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		floor(b, cert.Signer, benchRandom)
	}
}

func floor(b *testing.B, signer crypto.Signer, data []byte) {
	sum := sha256.Sum256(data)
	if _, err := signer.Sign(rand.Reader, sum[:], crypto.SHA256); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkOpenVerify opens and verifies a container with a 10 MB
// attachment.
func BenchmarkOpenVerify(b *testing.B) {
	for _, bc := range []struct {
		name string
		data []byte
	}{{"random", benchRandom}, {"text", benchText}} {
		b.Run(bc.name, func(b *testing.B) {
			data := signed(b, benchFiles(bc.data))
			opts := verifyOpts(b)
			b.SetBytes(benchSize)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Verify(bytes.NewReader(data), int64(len(data)), opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
