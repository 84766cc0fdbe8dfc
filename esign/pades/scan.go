package pades

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"

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
	if err := checkXrefBounds(in, size); err != nil {
		return nil, err
	}
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
func diffRevisions(in io.ReaderAt, end, size int64, cur *pdf.Reader) (changes []string, unsafe bool) {
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
		for _, id := range freedAfter(in, end, size) {
			if id < int64(len(oldX)) && (oldX[id].offset != 0 || oldX[id].inStream) {
				add(true, "object %d deleted (marked free by an update)", id)
			}
		}
		n := 0
		// Objects beyond the update's /Size vanish for digitorus/pdf (a
		// smaller /Size truncates its table): count them as deleted.
		for id := 1; id < len(newX) || id < len(oldX); id++ {
			if id >= len(newX) {
				if oe := oldX[id]; oe.offset != 0 || oe.inStream {
					add(true, "object %d deleted", id)
					return nil
				}
				continue
			}
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
	keysChanged := func(except ...string) []string { return dictKeysChanged(ov, nv, except...) }
	switch {
	case id == infoID:
		add(false, "document information dictionary changed (object %d)", id)
	case id == rootID:
		if ks := keysChanged("AcroForm", "DSS", "Extensions", "Version"); len(ks) > 0 {
			add(true, "document catalog changed: %v", ks)
		} else if oa, na := ov.Key("AcroForm"), nv.Key("AcroForm"); oa.Kind() == pdf.Dict || na.Kind() == pdf.Dict {
			// Inline or (possibly new) indirect AcroForm: only the field
			// list and signature flags may change (not /XFA,
			// /NeedAppearances, ...).
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

// maxObjects bounds the object numbers a PDF of size bytes may use.
// digitorus/pdf grows its cross-reference table to the largest object
// number an xref subsection, an xref stream's /Index or /Size names, so a
// few hundred bytes could otherwise make it allocate gigabytes (a fatal,
// unrecoverable out-of-memory). The spec's own implementation limit is
// 8,388,607 objects.
func maxObjects(size int64) int64 {
	n := 2 * size
	if n < 1<<16 {
		n = 1 << 16
	}
	if n > 1<<23 {
		n = 1 << 23
	}
	return n
}

// checkXrefBounds rejects cross-reference data that would make the PDF
// reader allocate more than the input justifies: classic xref subsections
// and /Index, /Size and /W entries (of xref streams and trailers) naming
// objects beyond maxObjects, or xref stream field widths over 1 MiB.
func checkXrefBounds(in io.ReaderAt, size int64) error {
	// The nesting check follows the file's structure byte by byte; the
	// keyword checks are independent of it: run them side by side.
	var stop atomic.Bool
	nested := make(chan error, 1)
	go func() { nested <- checkNesting(in, size, &stop) }()
	err := checkXrefKeys(in, size)
	if err != nil {
		stop.Store(true)
	}
	if nerr := <-nested; err == nil {
		err = nerr
	}
	return err
}

// scanChunk is the size of the pieces the pre-parse checks read.
const scanChunk = 256 << 10

// checkNesting runs a nestingChecker over the whole input, giving up
// (without error) when stop is set.
func checkNesting(in io.ReaderAt, size int64, stop *atomic.Bool) error {
	buf := make([]byte, scanChunk)
	var nest nestingChecker
	for off := int64(0); off < size && !stop.Load(); off += scanChunk {
		b := buf[:min(int64(len(buf)), size-off)]
		if _, err := in.ReadAt(b, off); err != nil && err != io.EOF {
			return fmt.Errorf("pades: reading input: %w", err)
		}
		if err := nest.feed(b); err != nil {
			return err
		}
	}
	return nil
}

// checkXrefKeys checks every /Size, /Index, /W and xref keyword of the
// input (see checkXrefBounds).
func checkXrefKeys(in io.ReaderAt, size int64) error {
	limit := maxObjects(size)
	const overlap = 256
	buf := make([]byte, scanChunk+overlap)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
	hits := 0
	check := func(b []byte, off int64, p int, key string) error {
		rest := b[p+len(key):]
		if len(rest) > 0 && !isDelim(rest[0]) {
			return nil // e.g. /SizeX, /Widths
		}
		switch key {
		case "/Size":
			if v, ok := leadingInt(rest); ok && (v < 0 || v > limit) {
				return bad("/Size %d exceeds the limit of %d objects", v, limit)
			}
		case "/Index":
			if arr, ok := parseIntArray(rest); ok {
				for k := 0; k+1 < len(arr); k += 2 {
					if arr[k] < 0 || arr[k+1] < 0 || arr[k] > limit || arr[k+1] > limit-arr[k] {
						return bad("xref stream /Index %v exceeds the limit of %d objects", arr, limit)
					}
				}
			}
		case "/W":
			if arr, ok := parseIntArray(rest); ok {
				// CID fonts use /W for widths too, so only widths
				// no font has are refused (they make the reader
				// allocate a buffer of that many bytes).
				for _, w := range arr {
					if w > 1<<20 {
						return bad("xref stream /W %v: field width out of range", arr)
					}
				}
			}
		case "xref":
			if p > 0 && !isDelim(b[p-1]) {
				return nil // startxref
			}
			hits++
			if hits > maxScanHits {
				return bad("too many cross-reference sections")
			}
			if err := checkXrefTable(in, off+int64(p+len(key)), size, limit); err != nil {
				return bad("%v", err)
			}
		}
		return nil
	}
	for off := int64(0); off < size; off += scanChunk {
		b := buf[:min(int64(len(buf)), size-off)]
		if _, err := in.ReadAt(b, off); err != nil && err != io.EOF {
			return fmt.Errorf("pades: reading input: %w", err)
		}
		lim := min(scanChunk, len(b)) // keywords starting here belong to this chunk
		// One pass for the three names (all start with '/'), one for xref.
		for i := 0; i < lim; {
			j := bytes.IndexByte(b[i:lim], '/')
			if j < 0 {
				break
			}
			p := i + j
			i = p + 1
			for _, key := range []string{"/Size", "/Index", "/W"} {
				if bytes.HasPrefix(b[p:], []byte(key)) {
					if err := check(b, off, p, key); err != nil {
						return err
					}
				}
			}
		}
		for i := 0; i < lim; {
			j := bytes.Index(b[i:], []byte("xref"))
			if j < 0 || i+j >= lim {
				break
			}
			p := i + j
			i = p + 1
			if err := check(b, off, p, "xref"); err != nil {
				return err
			}
		}
	}
	return nil
}

func isDelim(c byte) bool {
	return bytes.IndexByte([]byte(" \t\r\n\f\x00[]<>()/%"), c) >= 0
}

// leadingInt parses the integer after optional whitespace.
func leadingInt(b []byte) (int64, bool) {
	b = bytes.TrimLeft(b, " \t\r\n\f\x00")
	k := 0
	for k < len(b) && k < 20 && (b[k] >= '0' && b[k] <= '9' || k == 0 && (b[k] == '-' || b[k] == '+')) {
		k++
	}
	v, err := strconv.ParseInt(string(b[:k]), 10, 64)
	if err != nil {
		if k > 0 && b[0] != '-' && b[0] != '+' || k > 1 {
			return 1 << 62, true // too many digits: out of range
		}
		return 0, false
	}
	return v, true
}

// checkXrefTable checks the subsection headers of the classic xref table
// whose keyword ends at pos.
func checkXrefTable(in io.ReaderAt, pos, size, limit int64) error {
	_, err := readXrefTable(in, pos, size, limit)
	return err
}

// freedAfter returns the object numbers (other than 0) that classic xref
// tables after offset end mark free. digitorus/pdf ignores free entries of
// newer sections (an older in-use entry wins), while viewers treat the
// object as deleted.
func freedAfter(in io.ReaderAt, end, size int64) []int64 {
	var out []int64
	const chunk = 256 << 10
	buf := make([]byte, chunk+8)
	for off := end; off < size && len(out) < maxScanHits; off += chunk {
		n, _ := in.ReadAt(buf, off)
		b := buf[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte("xref"))
			if j < 0 || i+j >= chunk {
				break
			}
			p := i + j
			i = p + 1
			if p > 0 && !isDelim(b[p-1]) || p+4 < len(b) && !isDelim(b[p+4]) {
				continue
			}
			free, _ := readXrefTable(in, off+int64(p+4), size, maxObjects(size))
			out = append(out, free...)
		}
	}
	return out
}

// readXrefTable reads the classic xref table whose keyword ends at pos,
// checking its subsections against limit and returning the object numbers
// (other than 0) it marks free.
func readXrefTable(in io.ReaderAt, pos, size, limit int64) (free []int64, err error) {
	r := bufio.NewReaderSize(io.NewSectionReader(in, pos, size-pos), 4096)
	tok := func() string {
		var t []byte
		for {
			c, err := r.ReadByte()
			if err != nil {
				return string(t)
			}
			if isDelim(c) && c != '/' {
				if len(t) > 0 {
					return string(t)
				}
				continue
			}
			t = append(t, c)
			if len(t) > 32 {
				return string(t)
			}
		}
	}
	for sub := 0; sub < 1<<16; sub++ {
		s := tok()
		if s == "" || s == "trailer" {
			return free, nil
		}
		start, err1 := strconv.ParseInt(s, 10, 64)
		count, err2 := strconv.ParseInt(tok(), 10, 64)
		if err1 != nil || err2 != nil {
			return free, nil // not a table digitorus/pdf would read
		}
		if start < 0 || count < 0 || start > limit || count > limit-start {
			return free, fmt.Errorf("xref subsection %d %d exceeds the limit of %d objects", start, count, limit)
		}
		for k := int64(0); k < count; k++ {
			o := tok()
			tok()
			kw := tok()
			if kw == "" {
				return free, nil
			}
			// An in-use entry at offset 0 is as good as free for viewers;
			// digitorus/pdf ignores it too and keeps the older entry.
			zero := strings.Trim(o, "0") == ""
			if (kw == "f" || kw == "n" && zero) && start+k != 0 && len(free) < maxScanHits {
				free = append(free, start+k)
			}
		}
	}
	return free, nil
}

// maxNesting bounds how deeply arrays and dictionaries may nest. The PDF
// reader parses them recursively, and a few megabytes of "[" overflow the
// goroutine stack: a fatal error that recover cannot catch.
const maxNesting = 1000

// nestingChecker follows array and dictionary nesting through the file,
// skipping strings, comments and the data of top-level streams. The PDF
// reader tokenizes everything but top-level stream data (it reads on past
// "stream" inside an array), and starts each object it parses at an object
// header ("12 0 obj") or "trailer", which therefore end the skipping too.
// (A bare "obj" in compressed stream data, which half of all 10 MB
// streams have, does not.)
type nestingChecker struct {
	depth      int
	str        int // literal string nesting
	esc        bool
	comment    bool
	inStream   bool
	afterClose bool // only whitespace and "stream" letters since a top-level ">>"
	prev       byte
	win        [32]byte // the last bytes seen, for keywords
}

// endsWith reports whether the bytes seen up to and including p[i] end
// with s, looking back into the bytes of earlier calls (c.win) when s
// starts before p.
func (c *nestingChecker) endsWith(p []byte, i int, s string) bool {
	n := len(s)
	if i+1 >= n {
		return string(p[i+1-n:i+1]) == s
	}
	k := n - (i + 1) // bytes of s before p
	if k > len(c.win) {
		return false
	}
	return string(c.win[len(c.win)-k:]) == s[:k] && string(p[:i+1]) == s[k:]
}

// objHeaderAt reports whether the "obj" ending at p[i] follows an object
// number and generation ("12 0 obj"), looking back into c.win as needed.
func (c *nestingChecker) objHeaderAt(p []byte, i int) bool {
	var tmp [len(c.win)]byte
	var t []byte
	if i+1 >= len(tmp) {
		t = p[i+1-len(tmp) : i+1]
	} else {
		t = append(append(tmp[:0], c.win[i+1:]...), p[:i+1]...)
	}
	return isObjHeader(t)
}

// isObjHeader reports whether t ends with an object header: digits,
// white space, an optionally signed run of digits, optional white space,
// "obj" (the reader's tokens: integer, integer, keyword). When t is used
// up before the header is complete (a long run of digits or white space)
// it answers true, the safe side. So it does where white space holding a
// line end follows something other than the expected token: a comment,
// which may be of any length, may end there ("12 0 % c\nobj" is a header
// to the reader).
func isObjHeader(t []byte) bool {
	if !bytes.HasSuffix(t, []byte("obj")) {
		return false
	}
	j := len(t) - 3
	eol := false // the last white space run held a line end
	white := func() int {
		k := j
		eol = false
		for j > 0 && isWhite(t[j-1]) {
			j--
			eol = eol || t[j] == '\n' || t[j] == '\r'
		}
		return k - j
	}
	digits := func() int {
		k := j
		for j > 0 && t[j-1] >= '0' && t[j-1] <= '9' {
			j--
		}
		return k - j
	}
	white()
	if j == 0 {
		return true
	}
	if digits() == 0 {
		return eol // the generation may end a comment
	}
	if j > 0 && (t[j-1] == '+' || t[j-1] == '-') {
		j-- // "+0" and "-0" are integers to the reader
	}
	if j == 0 {
		return true
	}
	if white() == 0 {
		return false
	}
	if j == 0 || digits() > 0 {
		return true
	}
	return eol // the object number may end a comment
}

// isWhite reports whether b is PDF white space.
func isWhite(b byte) bool {
	return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\f' || b == 0
}

// remember keeps the last bytes of p (after those of earlier calls) in
// c.win for endsWith.
func (c *nestingChecker) remember(p []byte) {
	if len(p) >= len(c.win) {
		copy(c.win[:], p[len(p)-len(c.win):])
		return
	}
	copy(c.win[:], c.win[len(p):])
	copy(c.win[len(c.win)-len(p):], p)
}

func (c *nestingChecker) feed(p []byte) error {
	defer c.remember(p)
	// Stream data, most of a large PDF, is skipped by searching for the
	// keywords that end it; next[k] caches where the next streamEnds[k]
	// starts at or after i (len(p): none).
	streamEnds := [3]string{"endstream", "obj", "trailer"}
	next := [3]int{-1, -1, -1}
	for i := 0; i < len(p); i++ {
		if c.inStream {
			// A keyword begun before p[i] (in an earlier call, or before a
			// jump) ends within the next 8 bytes: check those one by one.
			end := -1
			for j := i; j < min(i+8, len(p)) && end < 0; j++ {
				if b := p[j]; b == 'm' && c.endsWith(p, j, "endstream") || b == 'j' && c.endsWith(p, j, "obj") && c.objHeaderAt(p, j) || b == 'r' && c.endsWith(p, j, "trailer") {
					end = j
				}
			}
			if end < 0 {
				// Otherwise the first keyword lying wholly in p[i:].
				end = len(p)
				for k, kw := range streamEnds {
					for from := i; next[k] < i; {
						n := bytes.Index(p[from:], []byte(kw))
						switch {
						case n < 0:
							next[k] = len(p)
						case kw == "obj" && !c.objHeaderAt(p, from+n+2):
							from += n + 1 // "obj" in stream data
						default:
							next[k] = from + n
						}
					}
					if next[k] < len(p) {
						end = min(end, next[k]+len(kw)-1)
					}
				}
			}
			if end >= len(p) {
				c.prev = p[len(p)-1]
				return nil
			}
			i = end
			c.inStream = false
			c.prev = p[i]
			continue
		}
		b := p[i]
		switch {
		case c.comment:
			if b == '\n' || b == '\r' {
				c.comment = false
			}
		case c.str > 0:
			switch {
			case c.esc:
				c.esc = false
			case b == '\\':
				c.esc = true
			case b == '(':
				c.str++
			case b == ')':
				c.str--
			}
		default:
			close := false
			switch b {
			case '%':
				c.comment = true
			case '(':
				c.str = 1
			case '[':
				c.depth++
			case ']':
				if c.depth > 0 {
					c.depth--
				}
			case '<':
				if c.prev == '<' {
					c.depth++
					b = 0
				}
			case '>':
				if c.prev == '>' {
					if c.depth > 0 {
						c.depth--
					}
					b = 0
					close = c.depth == 0
				}
			case 'm':
				if c.afterClose && c.endsWith(p, i, "stream") {
					c.inStream = true
				}
			}
			switch {
			case close:
				c.afterClose = true
			case b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\f' || b == 0 || b == '>':
			case strings.IndexByte("stream", b) >= 0:
			default:
				c.afterClose = false
			}
			if c.depth > maxNesting {
				return fmt.Errorf("%w: arrays or dictionaries nested more than %d deep", ErrMalformed, maxNesting)
			}
		}
		c.prev = b
	}
	return nil
}
