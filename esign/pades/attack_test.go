package pades

import (
	"bytes"
	"context"
	"crypto"
	_ "crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/digitorus/pkcs7"
)

// appendUpdateTrailer is appendUpdate with extra trailer entries and an
// optional hybrid /XRefStm section (xrefStm maps object ids to bodies that
// are listed only in a cross-reference stream).
func appendUpdateTrailer(t *testing.T, doc []byte, objs map[int]string, size int, trailerExtra string, xrefStm map[int]string) []byte {
	t.Helper()
	prev := lastStartxref(t, doc)
	var b bytes.Buffer
	b.Write(doc)
	ids := make([]int, 0, len(objs))
	for id := range objs {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	offs := map[int]int{}
	for _, id := range ids {
		offs[id] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", id, objs[id])
	}
	if len(xrefStm) > 0 {
		sids := make([]int, 0, len(xrefStm))
		for id := range xrefStm {
			sids = append(sids, id)
		}
		sort.Ints(sids)
		var raw []byte
		var index string
		for _, id := range sids {
			o := b.Len()
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", id, xrefStm[id])
			raw = append(raw, 1, byte(o>>24), byte(o>>16), byte(o>>8), byte(o), 0)
			index += fmt.Sprintf("%d 1 ", id)
		}
		xs := b.Len()
		fmt.Fprintf(&b, "99 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Index [%s] /Length %d >>\nstream\n", size, index, len(raw))
		b.Write(raw)
		b.WriteString("\nendstream\nendobj\n")
		trailerExtra += fmt.Sprintf(" /XRefStm %d", xs)
	}
	x := b.Len()
	b.WriteString("xref\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "%d 1\n%010d 00000 n\r\n", id, offs[id])
	}
	if len(ids) == 0 {
		b.WriteString("0 0\n")
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R /Prev %d%s >>\nstartxref\n%d\n%%%%EOF\n", size, prev, trailerExtra, x)
	return b.Bytes()
}

// Layout of signBytes(genPDF({"x"})): 1 catalog (inline AcroForm), 2 pages,
// 3 info, 4 font, 5 page, 6 content, 7 signature, 8 widget.
const (
	evilContent = "BT /F1 24 Tf 72 720 Td (Avslag) Tj ET"
	evilPage    = "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 20 0 R /Annots [8 0 R] >>"
)

func evilStream() string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(evilContent), evilContent)
}

func evilForm() string {
	return fmt.Sprintf("<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Length %d >>\nstream\n%s\nendstream", len(evilContent), evilContent)
}

// Each update changes what a viewer shows; Verify must not call it valid.
func TestAttackUpdatesFlagged(t *testing.T) {
	signed := signBytes(t, genPDF([]string{"x"}, 0))
	cases := []struct {
		name    string
		objs    map[int]string
		trailer string
		stm     map[int]string
	}{
		// The update's trailer names the page as /Info, so the page
		// change was classified as an information dictionary change.
		{"info points at page", map[int]string{5: evilPage, 20: evilStream()}, " /Info 5 0 R", nil},
		// A font turned into a "/Type /DSS" dictionary was "DSS data".
		{"font relabelled DSS", map[int]string{4: "<< /Type /DSS /Subtype /Type1 /BaseFont /Courier >>"}, "", nil},
		// The existing signature widget gets a full-page appearance.
		{"sig widget new appearance", map[int]string{8: "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /V 7 0 R /P 5 0 R /F 4 /Rect [0 0 595 842] /AP << /N 20 0 R >> >>", 20: evilForm()}, "", nil},
		// The existing signature widget becomes a FreeText annotation.
		{"sig widget becomes freetext", map[int]string{8: "<< /Type /Annot /Subtype /FreeText /FT /Sig /T (Signature1) /V 7 0 R /P 5 0 R /F 4 /Rect [72 700 300 740] /Contents (Avslag) /DA (/Helv 24 Tf) >>"}, "", nil},
		// A FreeText annotation that carries /FT /Sig is not a signature widget.
		{"freetext with FT Sig", map[int]string{5: "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R /Annots [8 0 R 20 0 R] >>", 20: "<< /Type /Annot /Subtype /FreeText /FT /Sig /Rect [72 700 300 740] /Contents (Avslag) /DA (/Helv 24 Tf) >>"}, "", nil},
		// An inline AcroForm in the catalog gains /XFA and /NeedAppearances.
		{"acroform XFA", map[int]string{1: "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [8 0 R] /SigFlags 3 /NeedAppearances true /XFA 20 0 R >> >>", 20: evilStream()}, "", nil},
		// The same, with the AcroForm moved to a new indirect object.
		{"acroform moved XFA", map[int]string{1: "<< /Type /Catalog /Pages 2 0 R /AcroForm 21 0 R >>", 21: "<< /Fields [8 0 R] /SigFlags 3 /XFA 20 0 R >>", 20: evilStream()}, "", nil},
		// Hybrid-reference update: the page is redefined only in the
		// /XRefStm stream, which digitorus/pdf does not read.
		{"hybrid XRefStm", nil, "", map[int]string{5: evilPage, 20: evilStream()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := appendUpdateTrailer(t, signed, c.objs, 100, c.trailer, c.stm)
			rep := verifyBytes(t, doc)
			if len(rep.Signatures) == 0 {
				t.Fatal("no signatures")
			}
			s := rep.Signatures[0]
			if s.Valid || rep.Valid() {
				t.Fatalf("attack update reported valid: changes %q anomalies %v", s.Changes, s.Anomalies)
			}
		})
	}
}

// A few hundred bytes naming object 400000000 in an xref subsection (or an
// xref stream /Index or /W) made digitorus/pdf allocate gigabytes: a fatal
// out-of-memory, not a recoverable panic.
func TestHugeXrefRejected(t *testing.T) {
	pad := string(bytes.Repeat([]byte("%pad\n"), 100))
	head := "%PDF-1.7\n" + pad
	obj := "1 0 obj\n<< /Type /Catalog >>\nendobj\n"
	o := len(head)
	classic := func(sub string) []byte {
		x := o + len(obj)
		return []byte(fmt.Sprintf("%s%sxref\n0 2\n0000000000 65535 f\r\n%010d 00000 n\r\n%s\ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", head, obj, o, sub, x))
	}
	stream := func(extra string) []byte {
		x := o + len(obj)
		raw := []byte{0, 0, 0, 0, 0, 1, byte(o >> 8), byte(o), 0}
		return []byte(fmt.Sprintf("%s%s2 0 obj\n<< /Type /XRef /Root 1 0 R %s /Length %d >>\nstream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", head, obj, extra, len(raw), raw, x))
	}
	cases := map[string][]byte{
		"subsection": classic(fmt.Sprintf("400000000 1\n%010d 00000 n\r", o)),
		"size":       classic(""),
		"index":      stream("/Size 3 /W [1 2 0] /Index [0 2 400000000 1]"),
		"width":      stream("/Size 3 /W [1 2 1000000000000]"),
	}
	cases["size"] = bytes.Replace(cases["size"], []byte("/Size 2"), []byte("/Size 900000000"), 1)
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Verify(context.Background(), bytes.NewReader(doc), int64(len(doc)), VerifyOptions{})
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Verify: %v, want ErrMalformed", err)
			}
		})
	}
}

// An update that marks the page content free (viewers show a blank page)
// or shrinks /Size below the signed revision's objects.
func TestAttackDeletionFlagged(t *testing.T) {
	signed := signBytes(t, genPDF([]string{"x"}, 0))
	prev := lastStartxref(t, signed)
	var freed bytes.Buffer
	freed.Write(signed)
	x := freed.Len()
	fmt.Fprintf(&freed, "xref\n0 1\n0000000000 65535 f\r\n6 1\n0000000000 00001 f\r\ntrailer\n<< /Size 9 /Root 1 0 R /Info 3 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", prev, x)
	var shrunk bytes.Buffer
	shrunk.Write(signed)
	x = shrunk.Len()
	fmt.Fprintf(&shrunk, "xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 6 /Root 1 0 R /Info 3 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", prev, x)
	zero := bytes.Replace(freed.Bytes()[len(signed):], []byte("0000000000 00001 f"), []byte("0000000000 00000 n"), 1)
	zeroDoc := append(bytes.Clone(signed), zero...)
	for name, doc := range map[string][]byte{"freed": freed.Bytes(), "shrunk": shrunk.Bytes(), "offset zero": zeroDoc} {
		t.Run(name, func(t *testing.T) {
			rep := verifyBytes(t, doc)
			if rep.Valid() {
				t.Fatalf("deletion reported valid: %+v", rep.Signatures)
			}
		})
	}
}

// resignWith replaces the approval signature of signed (made by signBytes)
// with a CMS over the same byte range made with hash h.
func resignWith(t *testing.T, signed []byte, h crypto.Hash) []byte {
	t.Helper()
	rep := verifyBytes(t, signed)
	br := rep.Signatures[0].ByteRange
	content := append(bytes.Clone(signed[:br[1]]), signed[br[2]:br[2]+br[3]]...)
	f := getFixture(t)
	p7, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	if h == crypto.SHA1 {
		p7.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA1)
	} else {
		p7.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	}
	if err := p7.AddSigner(f.cert.Chain[0], f.cert.Signer, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	p7.Detach()
	der, err := p7.Finish()
	if err != nil {
		t.Fatal(err)
	}
	out := bytes.Clone(signed)
	gap := out[br[1]+1 : br[2]-1]
	for i := range gap {
		gap[i] = '0'
	}
	hex.Encode(gap, der)
	return out
}

// SHA-1 (chosen-prefix collisions are practical) must not make a valid
// PAdES signature unless the caller allows legacy algorithms.
func TestSHA1Refused(t *testing.T) {
	signed := signBytes(t, genPDF([]string{"x"}, 0))
	if rep := verifyBytes(t, resignWith(t, signed, crypto.SHA256)); !rep.Valid() {
		t.Fatalf("SHA-256 re-signature invalid: %+v", rep.Signatures)
	}
	doc := resignWith(t, signed, crypto.SHA1)
	if rep := verifyBytes(t, doc); rep.Valid() {
		t.Fatal("SHA-1 signature reported valid")
	}
	if rep := verifyBytesWith(t, doc, VerifyOptions{LegacyAlgorithms: true}); !rep.Valid() {
		t.Fatalf("SHA-1 signature with LegacyAlgorithms invalid: %+v", rep.Signatures)
	}
}

// Deeply nested arrays or dictionaries overflowed the goroutine stack in
// the recursive PDF parser (fatal, not recoverable).
func TestDeepNestingRejected(t *testing.T) {
	for name, open := range map[string]string{
		"array": "[", "dict": "<< /A ",
		// A dictionary followed by "stream" inside an array is not
		// skipped by the parser: its "data" is parsed as more of the array.
		"stream in array":       "[<< >> stream\n",
		"name ending in stream": "/Upstream [",
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			b.WriteString("%PDF-1.7\n")
			o := b.Len()
			fmt.Fprintf(&b, "1 0 obj\n<< /Type /Catalog /AcroForm %s >>\nendobj\n", bytes.Repeat([]byte(open), 8<<20/len(open)))
			x := b.Len()
			fmt.Fprintf(&b, "xref\n0 2\n0000000000 65535 f\r\n%010d 00000 n\r\ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", o, x)
			_, err := Verify(context.Background(), bytes.NewReader(b.Bytes()), int64(b.Len()), VerifyOptions{})
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Verify: %v, want ErrMalformed", err)
			}
			f := getFixture(t)
			for _, opts := range [][]Option{nil, {WithLegacyProfile()}} {
				err = Sign(context.Background(), bytes.NewReader(b.Bytes()), int64(b.Len()), discard{}, f.cert.Signer, f.cert.Chain, opts...)
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("Sign: %v, want ErrMalformed", err)
				}
			}
		})
	}
}

// b+c overflowing int64 slipped past the range-beyond-file check.
func TestByteRangeOverflow(t *testing.T) {
	signed := signBytes(t, genPDF([]string{"x"}, 0))
	rep := verifyBytes(t, signed)
	br := rep.Signatures[0].ByteRange
	old := fmt.Sprintf("/ByteRange [0 %d %d %d]", br[1], br[2], br[3])
	i := bytes.Index(signed, []byte(old))
	if i < 0 {
		t.Fatalf("no %s", old)
	}
	repl := fmt.Sprintf("/ByteRange [0 %d %d 9223372036854775807]", br[1], br[2])
	if len(repl) > len(old)+26 {
		t.Skip("no room")
	}
	doc := bytes.Clone(signed)
	// The placeholder is padded with spaces after the array.
	copy(doc[i:], repl)
	rep = verifyBytes(t, doc)
	for _, s := range rep.Signatures {
		if s.Valid || !hasAnomaly(s, AnomalyBeyondFile) {
			t.Fatalf("anomalies %v, want %v", s.Anomalies, AnomalyBeyondFile)
		}
	}
}

// The stricter change rules still accept a second, visible signature.
func TestSecondVisibleSignatureAllowed(t *testing.T) {
	signed := signBytes(t, genPDF([]string{"x"}, 0))
	doc := signBytes(t, signed, WithVisible(1, 100, 100, 300, 150, "Signert"), WithFieldName("Signature2"))
	rep := verifyBytes(t, doc)
	if !rep.Valid() || len(rep.Signatures) != 2 {
		for _, s := range rep.Signatures {
			t.Logf("%s: %v %q %v", s.FieldName, s.Valid, s.Changes, s.Reasons)
		}
		t.Fatal("two signatures, the second visible: not valid")
	}
}
