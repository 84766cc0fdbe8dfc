package pades

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strconv"

	"github.com/digitorus/pdf"

	"github.com/fellesgo/felles/internal/pdfsig"
)

type scanResult struct {
	byteRanges        [][]int64
	revEnds           []int64
	lastRevEnd        int64
	trailingSpaceOnly bool
}

func (s *scanResult) isRevEnd(n int64) bool { return s.revIndex(n) > 0 }

// revIndex returns the 1-based number of the revision ending at n, or 0.
func (s *scanResult) revIndex(n int64) int {
	for i, e := range s.revEnds {
		if e == n {
			return i + 1
		}
	}
	return 0
}

const maxScanHits = 1000

// scan reads the whole file once, collecting /ByteRange arrays and the ends
// of revisions (just after %%EOF and its end-of-line).
func scan(in io.ReaderAt, size int64) (*scanResult, error) {
	res := &scanResult{}
	const chunk = 256 << 10
	const overlap = 256
	buf := make([]byte, chunk+overlap)
	seenBR := map[int64]bool{}
	seenEOF := map[int64]bool{}
	for off := int64(0); off < size; off += chunk {
		n := int64(len(buf))
		if off+n > size {
			n = size - off
		}
		b := buf[:n]
		if _, err := in.ReadAt(b, off); err != nil && err != io.EOF {
			return nil, fmt.Errorf("pades: reading input: %w", err)
		}
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte("/ByteRange"))
			if j < 0 {
				break
			}
			pos := off + int64(i+j)
			i += j + 1
			if seenBR[pos] || len(res.byteRanges) >= maxScanHits {
				continue
			}
			seenBR[pos] = true
			if br, ok := parseIntArray(b[i-1+len("/ByteRange"):]); ok {
				res.byteRanges = append(res.byteRanges, br)
			}
		}
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte("%%EOF"))
			if j < 0 {
				break
			}
			end := off + int64(i+j+5)
			i += j + 1
			if seenEOF[end] || len(res.revEnds) >= maxScanHits {
				continue
			}
			seenEOF[end] = true
			k := int(end - off)
			if k < len(b) && b[k] == '\r' {
				end++
				k++
			}
			if k < len(b) && b[k] == '\n' {
				end++
			}
			res.revEnds = append(res.revEnds, end)
		}
	}
	if len(res.revEnds) > 0 {
		res.lastRevEnd = res.revEnds[len(res.revEnds)-1]
	}
	res.trailingSpaceOnly = true
	if tail := size - res.lastRevEnd; tail > 0 {
		if tail > 64 {
			res.trailingSpaceOnly = false
		} else {
			t := make([]byte, tail)
			_, _ = in.ReadAt(t, res.lastRevEnd)
			res.trailingSpaceOnly = len(bytes.Trim(t, " \t\r\n\x00")) == 0
		}
	}
	return res, nil
}

// parseIntArray parses "[ n n n ... ]" (whitespace first allowed).
func parseIntArray(b []byte) ([]int64, bool) {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != '[' {
		return nil, false
	}
	end := bytes.IndexByte(b, ']')
	if end < 0 {
		return nil, false
	}
	var out []int64
	for _, f := range bytes.Fields(b[1:end]) {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			out = append(out, -1)
			continue
		}
		out = append(out, n)
	}
	return out, true
}

// xrefEntry is what diffRevisions compares of digitorus/pdf's unexported
// cross-reference entries.
type xrefEntry struct {
	offset   int64
	inStream bool
	stream   uint32
}

func xrefEntries(rd *pdf.Reader) []xrefEntry {
	xs := rd.Xref()
	out := make([]xrefEntry, len(xs))
	for i := range xs {
		v := reflect.ValueOf(xs[i])
		e := xrefEntry{}
		if f := v.FieldByName("offset"); f.IsValid() {
			e.offset = f.Int()
		}
		if f := v.FieldByName("inStream"); f.IsValid() {
			e.inStream = f.Bool()
		}
		if f := v.FieldByName("stream"); f.IsValid() {
			if g := f.FieldByName("id"); g.IsValid() {
				e.stream = uint32(g.Uint())
			}
		}
		out[i] = e
	}
	return out
}

const maxDiffObjects = 10000

// diffRevisions compares the revision ending at end with the whole file
// (read by cur) and describes what changed. unsafe is true when the change
// is more than adding signatures, signature fields, document timestamps,
// DSS data and metadata.
func diffRevisions(in io.ReaderAt, end int64, cur *pdf.Reader) (changes []string, unsafe bool) {
	add := func(u bool, format string, args ...any) {
		changes = append(changes, fmt.Sprintf(format, args...))
		if u {
			unsafe = true
		}
	}
	var old *pdf.Reader
	err := pdfsig.Safe(func() error {
		var e error
		old, e = pdf.NewReader(io.NewSectionReader(in, 0, end), end)
		return e
	})
	if err != nil {
		add(true, "the signed revision cannot be read: %v", err)
		return
	}
	err = pdfsig.Safe(func() error {
		oldX, newX := xrefEntries(old), xrefEntries(cur)
		oxs, nxs := old.Xref(), cur.Xref()
		rootID := ptrOf(cur.Trailer().Key("Root")).id
		oldRootID := ptrOf(old.Trailer().Key("Root")).id
		// The information dictionary is the one the signed revision names:
		// the update's trailer is the attacker's word and could name a page.
		infoID := uint32(0)
		if info := old.Trailer().Key("Info"); info.Kind() == pdf.Dict {
			if ptrOf(cur.Trailer().Key("Info")) == ptrOf(info) {
				infoID = ptrOf(info).id
			}
		}
		if hasXRefStm(in, end, cur) {
			add(true, "an update uses a hybrid cross-reference section (/XRefStm), which this verifier cannot compare")
		}
		if rootID != oldRootID {
			add(true, "document catalog replaced")
		}
		n := 0
		for id := 1; id < len(newX); id++ {
			ne := newX[id]
			var oe xrefEntry
			if id < len(oldX) {
				oe = oldX[id]
			}
			if ne == oe {
				continue
			}
			n++
			if n > maxDiffObjects {
				add(true, "too many changed objects")
				return nil
			}
			newFree := ne.offset == 0 && !ne.inStream
			oldFree := oe.offset == 0 && !oe.inStream
			if newFree {
				if !oldFree {
					add(true, "object %d deleted", id)
				}
				continue
			}
			np := nxs[id].Ptr()
			nv := cur.Resolve(np, np)
			if oldFree {
				classifyNew(nv, id, add)
				continue
			}
			op := oxs[id].Ptr()
			ov := old.Resolve(op, op)
			classifyChanged(ov, nv, uint32(id), rootID, infoID, oldHas(oldX), add)
		}
		return nil
	})
	if err != nil {
		add(true, "the update cannot be read: %v", err)
	}
	if len(changes) == 0 {
		changes = append(changes, "no object changed")
	}
	return
}

func isSigField(v pdf.Value) bool {
	return v.Key("FT").Name() == "Sig" || v.Key("Parent").Key("FT").Name() == "Sig"
}

func classifyNew(v pdf.Value, id int, add func(bool, string, ...any)) {
	switch t := v.Key("Type").Name(); {
	case t == "Sig":
		add(false, "signature dictionary added (object %d)", id)
	case t == "DocTimeStamp":
		add(false, "document timestamp added (object %d)", id)
	case t == "XRef" || t == "ObjStm":
	case t == "DSS" || t == "VRI":
		add(false, "DSS data added (object %d)", id)
	case isSigField(v):
		add(false, "signature field added (object %d)", id)
	case v.Kind() == pdf.Stream && v.Key("Subtype").Name() == "Form":
		add(false, "appearance stream added (object %d)", id)
	case v.Kind() == pdf.Stream:
		add(false, "stream added (object %d)", id)
	case t == "Annot":
		add(true, "annotation added (object %d, /Subtype /%s)", id, v.Key("Subtype").Name())
	default:
		add(false, "object added (object %d)", id)
	}
}

func serial(v pdf.Value) string {
	var b bytes.Buffer
	writeValue(&b, v, ptrOf(v), 0)
	return b.String()
}

// oldHas reports whether an object id was in use in the signed revision.
func oldHas(oldX []xrefEntry) func(id uint32) bool {
	return func(id uint32) bool {
		if int64(id) >= int64(len(oldX)) {
			return false
		}
		e := oldX[id]
		return e.offset != 0 || e.inStream
	}
}

// hasXRefStm reports whether the bytes after the signed revision (end..)
// contain a hybrid-reference /XRefStm entry (digitorus/pdf ignores those
// streams, viewers do not).
func hasXRefStm(in io.ReaderAt, end int64, cur *pdf.Reader) bool {
	if cur.Trailer().Key("XRefStm").Kind() != pdf.Null {
		return true
	}
	const chunk = 64 << 10
	pat := []byte("XRefStm")
	buf := make([]byte, chunk+len(pat))
	for off := end; ; off += chunk {
		n, err := in.ReadAt(buf, off)
		if bytes.Contains(buf[:n], pat) {
			return true
		}
		if err != nil || n < len(buf) {
			return false
		}
	}
}

// dictKeysChanged lists the keys (but except) whose values differ between
// the dictionaries ov and nv.
func dictKeysChanged(ov, nv pdf.Value, except ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range append(ov.Keys(), nv.Keys()...) {
		if seen[k] {
			continue
		}
		seen[k] = true
		skip := false
		for _, e := range except {
			if e == k {
				skip = true
			}
		}
		if skip {
			continue
		}
		var a, b bytes.Buffer
		writeValue(&a, ov.Key(k), ptrOf(ov), 1)
		writeValue(&b, nv.Key(k), ptrOf(nv), 1)
		if a.String() != b.String() {
			out = append(out, "/"+k)
		}
	}
	return out
}

// isSigWidget reports whether the annotation a is a signature field's widget.
func isSigWidget(a pdf.Value) bool {
	return isSigField(a) && a.Key("Subtype").Name() == "Widget"
}

func classifyChanged(ov, nv pdf.Value, id, rootID, infoID uint32, inOld func(uint32) bool, add func(bool, string, ...any)) {
	if ov.Kind() != pdf.Stream && nv.Kind() != pdf.Stream && serial(ov) == serial(nv) {
		add(false, "object %d rewritten unchanged", id)
		return
	}
	if ov.Kind() == pdf.Stream || nv.Kind() == pdf.Stream {
		add(true, "stream object %d changed (page content, image, font or other data)", id)
		return
	}
	keysChanged := func(except ...string) []string {
		var out []string
		seen := map[string]bool{}
		for _, k := range append(ov.Keys(), nv.Keys()...) {
			if seen[k] {
				continue
			}
			seen[k] = true
			skip := false
			for _, e := range except {
				if e == k {
					skip = true
				}
			}
			if skip {
				continue
			}
			var a, b bytes.Buffer
			writeValue(&a, ov.Key(k), ptrOf(ov), 1)
			writeValue(&b, nv.Key(k), ptrOf(nv), 1)
			if a.String() != b.String() {
				out = append(out, "/"+k)
			}
		}
		return out
	}
	switch {
	case id == infoID:
		add(false, "document information dictionary changed (object %d)", id)
	case id == rootID:
		if ks := keysChanged("AcroForm", "DSS", "Extensions", "Version"); len(ks) > 0 {
			add(true, "document catalog changed: %v", ks)
		} else if oa, na := ov.Key("AcroForm"), nv.Key("AcroForm"); (oa.Kind() == pdf.Dict || na.Kind() == pdf.Dict) && ptrOf(na) == ptrOf(nv) {
			// An AcroForm written inside the catalog: only the field list
			// and signature flags may change (not /XFA, /NeedAppearances, ...).
			if ks := dictKeysChanged(oa, na, "Fields", "SigFlags", "DR", "DA"); len(ks) > 0 {
				add(true, "form changed: %v", ks)
			} else {
				add(false, "document catalog updated (AcroForm/DSS)")
			}
		} else {
			add(false, "document catalog updated (AcroForm/DSS)")
		}
	case nv.Key("Type").Name() == "Page":
		if ks := keysChanged("Annots"); len(ks) > 0 {
			add(true, "page (object %d) content or resources changed: %v", id, ks)
		}
		oa, na := nv.Key("Annots"), ov.Key("Annots")
		_ = na
		old := map[ref]bool{}
		olds := ov.Key("Annots")
		for i := 0; i < olds.Len(); i++ {
			old[ptrOf(olds.Index(i))] = true
		}
		for i := 0; i < oa.Len(); i++ {
			a := oa.Index(i)
			if old[ptrOf(a)] {
				delete(old, ptrOf(a))
				continue
			}
			if isSigWidget(a) {
				vis := "invisible"
				if r := a.Key("Rect"); r.Len() == 4 && (r.Index(2).Float64() != r.Index(0).Float64() || r.Index(3).Float64() != r.Index(1).Float64()) {
					vis = "visible"
				}
				// A visible widget draws its appearance over the page: it
				// must belong to a signature added after this one (which
				// covers it), not be unsigned or reuse an old signature.
				if v := a.Key("V"); vis == "visible" && a.Key("AP").Kind() != pdf.Null && (v.Kind() != pdf.Dict || inOld(ptrOf(v).id) || ptrOf(v) == ptrOf(a)) {
					add(true, "visible signature widget without a new signature added to page (object %d)", id)
				} else {
					add(false, "%s signature widget added to page (object %d)", vis, id)
				}
			} else {
				add(true, "annotation /%s added to page (object %d)", a.Key("Subtype").Name(), id)
			}
		}
		if len(old) > 0 {
			add(true, "annotations removed from page (object %d)", id)
		}
	case isSigField(ov) && isSigField(nv):
		// Only filling an empty signature field with a new signature (and
		// its appearance) is allowed; anything else can redraw or retype
		// the widget.
		v := nv.Key("V")
		if ks := keysChanged("V", "AP"); len(ks) > 0 {
			add(true, "signature field (object %d) changed: %v", id, ks)
		} else if ov.Key("V").Kind() != pdf.Null && len(keysChanged()) > 0 {
			add(true, "signed signature field (object %d) changed", id)
		} else if len(keysChanged()) > 0 && (v.Kind() != pdf.Dict || inOld(ptrOf(v).id) || ptrOf(v) == ptrOf(nv)) {
			add(true, "signature field (object %d) filled without a new signature", id)
		} else {
			add(false, "signature field updated (object %d)", id)
		}
	case nv.Key("Fields").Kind() == pdf.Array && ov.Key("Fields").Kind() == pdf.Array:
		if ks := keysChanged("Fields", "SigFlags", "DR", "DA"); len(ks) > 0 {
			add(true, "form changed: %v", ks)
		} else {
			add(false, "form fields updated (object %d)", id)
		}
	case (nv.Key("Type").Name() == "DSS" || nv.Key("Type").Name() == "VRI") && nv.Key("Type").Name() == ov.Key("Type").Name():
		add(false, "DSS data updated (object %d)", id)
	default:
		add(true, "object %d changed", id)
	}
}
