package pades

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/fellesgo/felles/esign/tsa"
	sandboxtsa "github.com/fellesgo/felles/sandbox/tsa"
)

// TestSignBTSandboxTSA fetches the signature timestamp over HTTP from the
// sandbox TSA through the felles tsa client.
func TestSignBTSandboxTSA(t *testing.T) {
	f := getFixture(t)
	tc, err := f.ca.IssueTSA("pades sandbox TSA", nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := sandboxtsa.New(tc)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client, err := tsa.New(srv.URL, tsa.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	out := signBytes(t, genPDF([]string{"x"}, 0), WithTimestamp(client))
	rep := verifyBytes(t, out)
	dump(t, rep)
	if !rep.Valid() || rep.Signatures[0].Timestamp == nil {
		t.Fatal("B-T with sandbox TSA not valid")
	}
	var dts bytes.Buffer
	if err := Timestamp(context.Background(), bytes.NewReader(out), int64(len(out)), &dts, client); err != nil {
		t.Fatal(err)
	}
	if rep := verifyBytes(t, dts.Bytes()); !rep.Valid() || len(rep.Signatures) != 2 {
		dump(t, rep)
		t.Fatal("doc timestamp from sandbox TSA not valid")
	}
}

// genPDFXrefStream builds a PDF 1.7 whose cross-reference section is a
// compressed xref stream.
func genPDFXrefStream(text string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	content := "BT /F1 24 Tf 72 720 Td (" + text + ") Tj ET"
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>")
	obj("<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> /Contents 4 0 R >>")
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	xrefAt := b.Len()
	offs = append(offs, xrefAt)
	var raw []byte
	raw = append(raw, 0, 0, 0, 0, 0xff, 0xff)
	for _, o := range offs {
		raw = append(raw, 1, byte(o>>24), byte(o>>16), byte(o>>8), byte(o), 0)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n", len(offs), len(offs)+1, z.Len())
	b.Write(z.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xrefAt)
	return b.Bytes()
}

func TestXrefStreamInput(t *testing.T) {
	in := genPDFXrefStream("Vedtak")
	if rep := verifyBytes(t, in); len(rep.Signatures) != 0 || rep.Valid() {
		t.Fatal("unsigned PDF reported signed")
	}
	out := signBytes(t, in)
	if !bytes.Contains(out[len(in):], []byte("/Type /XRef")) {
		t.Fatal("update after an xref stream should be an xref stream")
	}
	two := signBytes(t, out)
	rep := verifyBytes(t, two)
	dump(t, rep)
	if !rep.Valid() || len(rep.Signatures) != 2 {
		t.Fatal("want two valid signatures")
	}
}

func TestLegacyProfile(t *testing.T) {
	out := signBytes(t, genPDF([]string{"x"}, 0), WithLegacyProfile(), WithReason("legacy"))
	rep := verifyBytes(t, out)
	dump(t, rep)
	if len(rep.Signatures) != 1 {
		t.Fatalf("%d signatures", len(rep.Signatures))
	}
	s := rep.Signatures[0]
	if s.SubFilter != "adbe.pkcs7.detached" || !s.Valid || len(s.Deviations) == 0 {
		t.Fatalf("legacy signature: %+v", s.Reasons)
	}
	if _, err := New(getFixture(t).cert.Signer, getFixture(t).cert.Chain, WithLegacyProfile(), WithTimestamp(getFixture(t).tsa)); err == nil {
		t.Fatal("legacy + timestamp accepted")
	}
}

func TestContentsTooSmall(t *testing.T) {
	in := genPDF([]string{"x"}, 0)
	f := getFixture(t)
	var out bytes.Buffer
	err := Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, f.cert.Signer, f.cert.Chain, WithContentsSize(1024))
	if !errors.Is(err, ErrContentsTooSmall) {
		t.Fatalf("want ErrContentsTooSmall, got %v", err)
	}
	// Default estimate retries once with more room.
	if rep := verifyBytes(t, signBytes(t, in)); !rep.Valid() {
		t.Fatal("default contents size")
	}
}

func TestFieldNameClash(t *testing.T) {
	one := signBytes(t, genPDF([]string{"x"}, 0), WithFieldName("Saksbehandler"))
	f := getFixture(t)
	var out bytes.Buffer
	if err := Sign(context.Background(), bytes.NewReader(one), int64(len(one)), &out, f.cert.Signer, f.cert.Chain, WithFieldName("Saksbehandler")); !errors.Is(err, ErrFieldName) {
		t.Fatalf("duplicate field name: %v", err)
	}
}

func TestEncryptedRefused(t *testing.T) {
	in := genPDF([]string{"x"}, 0)
	in = bytes.Replace(in, []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt << /Filter /Standard /V 1 /R 2 /O <1111111111111111111111111111111111111111111111111111111111111111> /U <2222222222222222222222222222222222222222222222222222222222222222> /P -4 >>"), 1)
	f := getFixture(t)
	var out bytes.Buffer
	err := Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, f.cert.Signer, f.cert.Chain)
	if !errors.Is(err, ErrEncrypted) {
		t.Fatalf("want ErrEncrypted, got %v", err)
	}
}

func FuzzVerify(f *testing.F) {
	// No key generation here: it is very slow under fuzzing
	// instrumentation. testdata/signed.pdf has two felles signatures.
	signed, err := os.ReadFile("testdata/signed.pdf")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed)
	f.Add(genPDF([]string{"a", "b"}, 0))
	f.Add(genPDFXrefStream("x"))
	f.Add([]byte("%PDF-1.7\n1 0 obj << /ByteRange [0 1 2 3] /Contents <00> >> endobj\nstartxref\n9\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		rep, err := Verify(context.Background(), bytes.NewReader(b), int64(len(b)), VerifyOptions{Roots: x509.NewCertPool()})
		if err != nil {
			return
		}
		// Nothing is trusted, so nothing may be valid.
		if rep.Valid() {
			t.Fatal("valid without trust anchors")
		}
	})
}

// Benchmarks: sign and verify 100 KB and 10 MB PDFs, and the floor
// (SHA-256 over the same bytes plus one RSA-2048 signature).
var benchSizes = []struct {
	name string
	n    int
}{{"100KB", 100 << 10}, {"10MB", 10 << 20}}

func BenchmarkSignPDF(b *testing.B) {
	f := getFixture(b)
	for _, sz := range benchSizes {
		in := genPDF([]string{"x"}, sz.n)
		b.Run(sz.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if err := Sign(context.Background(), bytes.NewReader(in), int64(len(in)), discard{}, f.cert.Signer, f.cert.Chain); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyPDF(b *testing.B) {
	f := getFixture(b)
	for _, sz := range benchSizes {
		in := signBytes(b, genPDF([]string{"x"}, sz.n))
		b.Run(sz.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				rep, err := Verify(context.Background(), bytes.NewReader(in), int64(len(in)), VerifyOptions{Roots: f.roots})
				if err != nil || !rep.Valid() {
					b.Fatal("verify failed", err)
				}
			}
		})
	}
}

func BenchmarkFloor(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	for _, sz := range benchSizes {
		in := genPDF([]string{"x"}, sz.n)
		b.Run(sz.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				d := sha256.Sum256(in)
				if _, err := key.Sign(rand.Reader, d[:], crypto.SHA256); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
