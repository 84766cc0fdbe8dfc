package pades

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func dump(t *testing.T, rep *Report) {
	t.Helper()
	for i, s := range rep.Signatures {
		t.Logf("sig %d field=%q sub=%s kind=%v cov=%v app=%d valid=%v reasons=%q anomalies=%v changes=%q dev=%q", i, s.FieldName, s.SubFilter, s.Kind, s.Coverage, s.AppendedBytes, s.Valid, s.Reasons, s.Anomalies, s.Changes, s.Deviations)
	}
}

func TestSignVerifyBB(t *testing.T) {
	in := genPDF([]string{"Vedtak", "Side 2"}, 0)
	when := time.Now().Add(-time.Minute).Truncate(time.Second)
	out := signBytes(t, in, WithReason("Vedtak"), WithLocation("Oslo"), WithSigningTime(when))
	if !bytes.HasPrefix(out, in) {
		t.Fatal("original bytes not preserved")
	}
	if !bytes.Contains(out, []byte("/SubFilter /ETSI.CAdES.detached")) {
		t.Fatal("no PAdES subfilter")
	}
	rep := verifyBytes(t, out)
	dump(t, rep)
	if !rep.Valid() || len(rep.Signatures) != 1 {
		t.Fatalf("want one valid signature")
	}
	s := rep.Signatures[0]
	if s.Coverage != CoverageEntireFile || s.Kind != KindApproval || s.FieldName != "Signature1" {
		t.Errorf("coverage %v kind %v field %q", s.Coverage, s.Kind, s.FieldName)
	}
	if !s.SigningTime.Equal(when) {
		t.Errorf("signing time %v, want %v", s.SigningTime, when)
	}
	if s.Signer == nil || s.Signer.Subject.CommonName != "Testkommune" {
		t.Errorf("signer %v", s.Signer)
	}
	if len(s.Deviations) != 0 {
		t.Errorf("deviations %q", s.Deviations)
	}
}

func TestVerifyUntrustedRoot(t *testing.T) {
	out := signBytes(t, genPDF([]string{"x"}, 0))
	rep, err := Verify(context.Background(), bytes.NewReader(out), int64(len(out)), VerifyOptions{}) // system roots: no test CA
	if err != nil {
		t.Fatal(err)
	}
	if rep.Valid() {
		t.Fatal("valid without trusted root")
	}
}

func TestTamperedDetected(t *testing.T) {
	in := genPDF([]string{"Vedtak om tilskudd"}, 0)
	out := signBytes(t, in)
	i := bytes.Index(out, []byte("Vedtak om tilskudd"))
	bad := append([]byte(nil), out...)
	bad[i] = 'v'
	if rep := verifyBytes(t, bad); rep.Valid() {
		dump(t, rep)
		t.Fatal("tampered content accepted")
	}
	// Flip a byte of the signature value.
	j := bytes.Index(out, []byte("/Contents <")) + len("/Contents <") + 200
	bad = append([]byte(nil), out...)
	if bad[j] == '0' {
		bad[j] = '1'
	} else {
		bad[j] = '0'
	}
	if rep := verifyBytes(t, bad); rep.Valid() {
		t.Fatal("tampered signature value accepted")
	}
}

func TestTwoSignaturesAndAppend(t *testing.T) {
	one := signBytes(t, genPDF([]string{"a", "b"}, 0))
	two := signBytes(t, one, WithName("Second signer"))
	rep := verifyBytes(t, two)
	dump(t, rep)
	if !rep.Valid() || len(rep.Signatures) != 2 {
		t.Fatalf("want two valid signatures")
	}
	var first SignatureReport
	for _, s := range rep.Signatures {
		if s.FieldName == "Signature1" {
			first = s
		}
	}
	if first.Coverage != CoverageRevision || first.AppendedBytes != int64(len(two)-len(one)) {
		t.Errorf("first signature coverage %v appended %d", first.Coverage, first.AppendedBytes)
	}
	if hasAnomaly(first, AnomalyUnsafeChange) {
		t.Errorf("second signature flagged as unsafe: %q", first.Changes)
	}

	// Bytes appended after signing.
	app := append(append([]byte(nil), one...), []byte("\n% sneaky appended text that is not a revision\n")...)
	rep = verifyBytes(t, app)
	dump(t, rep)
	if rep.Valid() || !hasAnomaly(rep.Signatures[0], AnomalyTrailingGarbage) {
		t.Fatal("appended bytes not flagged")
	}
}

// TestContentChangeFlagged appends an incremental update that replaces the
// page's content stream after signing.
func TestContentChangeFlagged(t *testing.T) {
	one := signBytes(t, genPDF([]string{"Innvilget"}, 0))
	rep := verifyBytes(t, one)
	prevXref := lastStartxref(t, one)
	var b bytes.Buffer
	b.Write(one)
	off6 := b.Len()
	content := "BT /F1 24 Tf 72 720 Td (Avslag) Tj ET"
	b.WriteString("6 0 obj\n<< /Length " + itoa(len(content)) + " >>\nstream\n" + content + "\nendstream\nendobj\n")
	x := b.Len()
	b.WriteString("xref\n6 1\n" + pad10(off6) + " 00000 n\r\n")
	b.WriteString("trailer\n<< /Size 20 /Root 1 0 R /Info 3 0 R /Prev " + itoa(prevXref) + " >>\nstartxref\n" + itoa(x) + "\n%%EOF\n")
	_ = rep
	rep = verifyBytes(t, b.Bytes())
	dump(t, rep)
	if rep.Valid() {
		t.Fatal("content change accepted")
	}
	s := rep.Signatures[0]
	if s.Coverage != CoverageRevision || !hasAnomaly(s, AnomalyUnsafeChange) {
		t.Fatalf("want unsafe change, got %v %v", s.Coverage, s.Anomalies)
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	return strings.TrimLeft(pad10(n), "0") + map[bool]string{true: "0", false: ""}[n == 0]
}

func pad10(n int) string {
	s := make([]byte, 10)
	for i := 9; i >= 0; i-- {
		s[i] = byte('0' + n%10)
		n /= 10
	}
	return string(s)
}

func lastStartxref(t *testing.T, b []byte) int {
	i := bytes.LastIndex(b, []byte("startxref"))
	if i < 0 {
		t.Fatal("no startxref")
	}
	f := strings.Fields(string(b[i+9:]))
	n := 0
	for _, c := range f[0] {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestSignBT(t *testing.T) {
	f := getFixture(t)
	out := signBytes(t, genPDF([]string{"x"}, 0), WithTimestamp(f.tsa))
	rep := verifyBytes(t, out)
	dump(t, rep)
	if !rep.Valid() || rep.Signatures[0].Timestamp == nil {
		t.Fatal("want valid B-T signature with timestamp")
	}
}

func TestDocTimestamp(t *testing.T) {
	f := getFixture(t)
	one := signBytes(t, genPDF([]string{"x"}, 0))
	var out bytes.Buffer
	if err := Timestamp(context.Background(), bytes.NewReader(one), int64(len(one)), &out, f.tsa); err != nil {
		t.Fatal(err)
	}
	rep := verifyBytes(t, out.Bytes())
	dump(t, rep)
	if !rep.Valid() || len(rep.Signatures) != 2 {
		t.Fatal("want signature + doc timestamp valid")
	}
	var dts *SignatureReport
	for i := range rep.Signatures {
		if rep.Signatures[i].Kind == KindDocTimestamp {
			dts = &rep.Signatures[i]
		}
	}
	if dts == nil || dts.Timestamp == nil || dts.SubFilter != "ETSI.RFC3161" || dts.Coverage != CoverageEntireFile {
		t.Fatalf("doc timestamp report %+v", dts)
	}
}

func TestVisible(t *testing.T) {
	out := signBytes(t, genPDF([]string{"a", "b"}, 0), WithVisible(2, 300, 50, 550, 120, "Testkommune\nSaksbehandler Ærlig Østby"))
	if !bytes.Contains(out, []byte("/BaseFont /Helvetica")) || !bytes.Contains(out, []byte("/AP << /N")) {
		t.Fatal("no appearance")
	}
	rep := verifyBytes(t, out)
	dump(t, rep)
	if !rep.Valid() {
		t.Fatal("visible signature invalid")
	}
}

func TestMaxSize(t *testing.T) {
	in := genPDF([]string{"x"}, 5000)
	f := getFixture(t)
	var out bytes.Buffer
	err := Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, f.cert.Signer, f.cert.Chain, WithMaxSize(1000))
	var se *SizeError
	if !errors.As(err, &se) {
		t.Fatalf("want SizeError, got %v", err)
	}
	_, err = Verify(context.Background(), bytes.NewReader(in), int64(len(in)), VerifyOptions{MaxSize: 1000})
	if !errors.As(err, &se) {
		t.Fatalf("want SizeError, got %v", err)
	}
	if _, err := Verify(context.Background(), bytes.NewReader(in), int64(len(in)), VerifyOptions{MaxSize: -1}); err == nil || errors.As(err, &se) {
		t.Fatalf("negative MaxSize: got %v, want an option error", err)
	}
}

func TestGarbageInput(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("hello"), []byte("%PDF-1.7\n%%EOF"), []byte("%PDF-1.7\nstartxref\n5\n%%EOF\n")} {
		_, err := Verify(context.Background(), bytes.NewReader(in), int64(len(in)), VerifyOptions{})
		if err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestCoverageCorpus(t *testing.T) {
	dir := sharedDir(t, "testdata/attacks/pdf-coverage")
	cases := map[string][]Anomaly{
		"base.pdf":                  {AnomalyIncrementalUpdate},
		"one-byterange.pdf":         {AnomalyMalformedByteRange},
		"signature-gap-too-big.pdf": {AnomalyGapMismatch, AnomalyNotRevisionEnd},
		"tail-uncovered.pdf":        {AnomalyNotRevisionEnd},
		"weird-byterange.pdf":       {AnomalyGapMismatch, AnomalyNotRevisionEnd},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			rep := verifyBytes(t, b)
			dump(t, rep)
			if rep.Valid() {
				t.Fatal("reported valid")
			}
			if len(rep.Signatures) != 1 {
				t.Fatalf("%d signatures", len(rep.Signatures))
			}
			for _, a := range want {
				if !hasAnomaly(rep.Signatures[0], a) {
					t.Errorf("missing anomaly %s", a)
				}
			}
		})
	}
}

// TestSignPyHankoBase signs the pyHanko-made base.pdf (indirect AcroForm
// with an existing signature field): the new signature is valid, the old
// field is kept and still reported.
func TestSignPyHankoBase(t *testing.T) {
	dir := sharedDir(t, "testdata/attacks/pdf-coverage")
	in, err := os.ReadFile(filepath.Join(dir, "base.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	out := signBytes(t, in)
	rep := verifyBytes(t, out)
	dump(t, rep)
	if len(rep.Signatures) != 2 {
		t.Fatalf("%d signatures", len(rep.Signatures))
	}
	for _, s := range rep.Signatures {
		switch s.FieldName {
		case "Sig1":
			if s.Valid || s.Revision != 1 {
				t.Errorf("Sig1: valid %v revision %d", s.Valid, s.Revision)
			}
		case "Signature1":
			if !s.Valid || s.Coverage != CoverageEntireFile || s.Revision != 3 {
				t.Errorf("new signature: %v %v rev %d", s.Reasons, s.Coverage, s.Revision)
			}
		default:
			t.Errorf("unexpected field %q", s.FieldName)
		}
	}
}
