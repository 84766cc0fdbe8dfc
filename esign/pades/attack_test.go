package pades

import (
	"bytes"
	"fmt"
	"sort"
	"testing"
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
