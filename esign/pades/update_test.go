package pades

import (
	"bytes"
	"fmt"
	"sort"
	"testing"
)

// appendUpdate appends a classic incremental update defining objs.
func appendUpdate(t *testing.T, doc []byte, objs map[int]string, size int) []byte {
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
	x := b.Len()
	b.WriteString("xref\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "%d 1\n%010d 00000 n\r\n", id, offs[id])
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", size, prev, x)
	return b.Bytes()
}

// The page of genPDF([]string{"x"}) is object 5 and its widget (after
// signing) object 8; catalog 1.
func TestUpdateClassification(t *testing.T) {
	signed := signBytes(t, genPDF([]string{"x"}, 0))
	rep := verifyBytes(t, signed)
	widget := "8 0 R"
	if !bytes.Contains(signed, []byte("/Annots ["+widget+"]")) {
		t.Fatalf("unexpected layout")
	}
	page := "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R /Annots [8 0 R 20 0 R] >>"
	_ = rep
	cases := []struct {
		name   string
		objs   map[int]string
		unsafe bool
	}{
		{"annotation added", map[int]string{5: page, 20: "<< /Type /Annot /Subtype /FreeText /Rect [72 700 300 740] /Contents (Avslag) /DA (/Helv 24 Tf) >>"}, true},
		{"resources changed", map[int]string{5: "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R /F2 4 0 R >> >> /Contents 6 0 R /Annots [8 0 R] >>"}, true},
		{"info changed", map[int]string{3: "<< /Producer (other) >>"}, false},
		{"DSS added", map[int]string{1: "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [8 0 R] /SigFlags 3 >> /DSS 20 0 R >>", 20: "<< /Type /DSS /Certs [] >>"}, false},
		{"catalog open action", map[int]string{1: "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [8 0 R] /SigFlags 3 >> /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"}, true},
		{"font replaced", map[int]string{4: "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := appendUpdate(t, signed, c.objs, 21)
			rep := verifyBytes(t, doc)
			dump(t, rep)
			s := rep.Signatures[0]
			if s.Coverage != CoverageRevision {
				t.Fatalf("coverage %v", s.Coverage)
			}
			if got := hasAnomaly(s, AnomalyUnsafeChange); got != c.unsafe {
				t.Fatalf("unsafe = %v, want %v (changes %q)", got, c.unsafe, s.Changes)
			}
			if rep.Valid() == c.unsafe {
				t.Fatalf("Valid() = %v", rep.Valid())
			}
		})
	}
}
