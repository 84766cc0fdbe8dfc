package asice

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"io/fs"
	"math/big"
	"testing"
	"time"
)

// FuzzOpen feeds arbitrary bytes to Open: it must never panic, and what it
// accepts must have only safe, unique names, readable within the limits.
// Run it with a short minimization time (the seeds are large):
//
//	go test -run XXX -fuzz FuzzOpen -fuzztime 20s -fuzzminimizetime 2x ./esign/asice/
func FuzzOpen(f *testing.F) {
	// Seeds signed with a quick ECDSA key: RSA key generation in every
	// (coverage-instrumented) fuzz worker takes too long.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fuzz"}, NotBefore: testTime, NotAfter: testTime.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		f.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	for _, opts := range [][]Option{nil, {WithProfile(ProfileSignering)}} {
		var buf bytes.Buffer
		if err := Sign(&buf, dpiFiles(), key, []*x509.Certificate{cert}, append(opts, WithSigningTime(testTime))...); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add(zipOf(f, zent{name: "../evil.txt", data: []byte("x")}))
	f.Add(zipOf(f, zent{name: "a", data: []byte("x")}, zent{name: "A", data: []byte("y")}))
	f.Add(simple([]raw{{name: "mimetype"}, {name: "a.txt"}}, [][]byte{[]byte(MimeType), []byte("hello")}))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	for _, b := range dpiSamplesNoSkip() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 64 << 10
		c, err := Open(bytes.NewReader(data), int64(len(data)), WithMaxFileSize(limit), WithMaxTotalSize(4*limit))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, fi := range c.Files() {
			if r := checkName(fi.Name, false); r != "" {
				t.Fatalf("accepted unsafe name %q: %s", fi.Name, r)
			}
			k := foldKey(fi.Name)
			if seen[k] {
				t.Fatalf("accepted duplicate %q", fi.Name)
			}
			seen[k] = true
			b, err := c.ReadFile(fi.Name)
			if err == nil && int64(len(b)) != fi.Size {
				t.Fatalf("%q: read %d bytes, declared %d", fi.Name, len(b), fi.Size)
			}
			if len(b) > limit {
				t.Fatalf("%q: read %d bytes past the limit", fi.Name, len(b))
			}
		}
		_ = fs.WalkDir(c.FS(), ".", func(string, fs.DirEntry, error) error { return nil })
	})
}
