package asice

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"testing"
)

// TestOpenRefusesHiddenLocalRecords: a local record that no central entry
// names, between two entries or after the last one, is invisible to Open
// and Verify but is what a streaming reader (Java's ZipInputStream,
// bsdtar reading a pipe) extracts.
func TestOpenRefusesHiddenLocalRecords(t *testing.T) {
	good, evil := []byte("hello"), []byte("EVIL!")
	mk := func(hiddenAfter int) []byte {
		a := raw{name: "a.txt", method: zip.Store, crc: crc32.ChecksumIEEE(good), csize: 5, usize: 5}
		b := raw{name: "b.txt", method: zip.Store, crc: crc32.ChecksumIEEE(good), csize: 5, usize: 5}
		h := raw{name: "c.txt", method: zip.Store, crc: crc32.ChecksumIEEE(evil), csize: 5, usize: 5}
		hidden := append(localHeader(h), evil...)
		var body []byte
		for i, r := range []*raw{&a, &b} {
			r.offset = uint32(len(body))
			body = append(body, localHeader(*r)...)
			body = append(body, good...)
			if i == hiddenAfter {
				body = append(body, hidden...)
			}
		}
		return craft(body, a, b)
	}
	for name, data := range map[string][]byte{"between entries": mk(0), "after the last entry": mk(1)} {
		t.Run(name, func(t *testing.T) {
			if err := open(data); !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
	// Data descriptors (archive/zip writes them) still tile exactly.
	if err := open(zipOf(t, zent{name: "a.txt", data: good, method: zip.Deflate}, zent{name: "b.txt", data: good, method: zip.Store})); err != nil {
		t.Fatalf("archive/zip output: %v", err)
	}
}

// TestOpenRefusesSecondEndRecord: an end record in the comment of the
// real one, pointing at a second central directory with the same names:
// Open's own parser checks the first directory, archive/zip (and so
// ReadFile, FS and Verify) reads the second.
func TestOpenRefusesSecondEndRecord(t *testing.T) {
	good, evil := []byte("hello"), []byte("EVIL!")
	a := raw{name: "a.txt", method: zip.Store, crc: crc32.ChecksumIEEE(good), csize: 5, usize: 5}
	body := append(localHeader(a), good...)
	dirOff := len(body)
	cd1 := centralHeader(a)
	end1 := endRecord(1, len(cd1), dirOff)
	// The comment: a local record of a.txt with other content, a central
	// directory naming it, an end record, one byte of padding.
	commentStart := dirOff + len(cd1) + len(end1)
	e := raw{name: "a.txt", method: zip.Store, crc: crc32.ChecksumIEEE(evil), csize: 5, usize: 5, offset: uint32(commentStart)}
	comment := append(localHeader(e), evil...)
	cd2Off := commentStart + len(comment)
	cd2 := centralHeader(e)
	comment = append(comment, cd2...)
	comment = append(comment, endRecord(1, len(cd2), cd2Off)...)
	comment = append(comment, 0)
	binary.LittleEndian.PutUint16(end1[20:], uint16(len(comment)))
	data := append(append(append(body, cd1...), end1...), comment...)

	c, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("got %v, want ErrMalformed", err)
		}
		return
	}
	got, err := c.ReadFile("a.txt")
	t.Fatalf("opened; a.txt reads %q (%v), while the checked directory holds %q", got, err, good)
}

// TestOpenRefusesLocalHeaderDisagreements: the local header is what
// streaming readers trust.
func TestOpenRefusesLocalHeaderDisagreements(t *testing.T) {
	txt := []byte("hello world, hello world")
	crc := crc32.ChecksumIEEE(txt)
	t.Run("ZIP64 sentinel sizes in the local header", func(t *testing.T) {
		r := raw{name: "a.txt", method: zip.Store, crc: crc, csize: uint32(len(txt)), usize: uint32(len(txt))}
		lh := localHeader(raw{name: "a.txt", method: zip.Store, crc: crc, csize: 0xffffffff, usize: 0xffffffff})
		// ZIP64 extra in the local header giving other sizes (5 bytes: a
		// streaming reader reads "hello" and then looks for a record).
		extra := make([]byte, 20)
		binary.LittleEndian.PutUint16(extra, 1)
		binary.LittleEndian.PutUint16(extra[2:], 16)
		binary.LittleEndian.PutUint64(extra[4:], 5)
		binary.LittleEndian.PutUint64(extra[12:], 5)
		binary.LittleEndian.PutUint16(lh[28:], uint16(len(extra)))
		lh = append(lh, extra...)
		data := craft(append(lh, txt...), r)
		if err := open(data); !errors.Is(err, ErrMalformed) {
			t.Fatalf("got %v, want ErrMalformed", err)
		}
	})
	t.Run("CRC-32 differs", func(t *testing.T) {
		r := raw{name: "a.txt", method: zip.Store, crc: crc, csize: uint32(len(txt)), usize: uint32(len(txt))}
		l := r
		l.crc = crc ^ 1
		data := craft(append(localHeader(l), txt...), r)
		if err := open(data); !errors.Is(err, ErrMalformed) {
			t.Fatalf("got %v, want ErrMalformed", err)
		}
	})
}

// TestVerifyLowercaseMetaInfIsData: only "META-INF/" (as spelled) is the
// container's own folder; "meta-inf/x.pdf" is a data file that must be
// signed (and lands in META-INF on a case-insensitive disk).
func TestVerifyLowercaseMetaInfIsData(t *testing.T) {
	data := signed(t, dpiFiles())
	added := rewrite(t, data, func(string) ([]byte, bool) { return nil, false }, zent{name: "meta-inf/betal.pdf", data: []byte("%PDF pay here")})
	rep, err := Verify(bytes.NewReader(added), int64(len(added)), verifyOpts(t))
	if err == nil || rep == nil || rep.Valid {
		t.Fatalf("unsigned meta-inf/betal.pdf: got %v, Valid %v", err, rep != nil && rep.Valid)
	}
	if !errors.Is(err, ErrNotSigned) || len(rep.Unsigned) != 1 || rep.Unsigned[0] != "meta-inf/betal.pdf" {
		t.Errorf("got %v, Unsigned %q", err, rep.Unsigned)
	}
}

// TestVerifyRefusesDataAfterDeflateEnd: the signature covers the
// uncompressed content, so the compressed bytes of a signed entry can be
// redone: a deflate stream that ends early, followed (inside the entry's
// compressed size) by a local record that a reader resynchronising on the
// stream's end finds. archive/zip ignores such trailing bytes.
func TestVerifyRefusesDataAfterDeflateEnd(t *testing.T) {
	data := signed(t, dpiFiles())
	const target = "vedlegg/info fil.txt"
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	evil := []byte("%PDF pay here")
	h := raw{name: "betal.pdf", method: zip.Store, crc: crc32.ChecksumIEEE(evil), csize: uint32(len(evil)), usize: uint32(len(evil))}
	hidden := append(localHeader(h), evil...)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, f := range zr.File {
		if f.Name != target {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		found = true
		if f.Method != zip.Deflate {
			t.Fatalf("%s is not deflated", target)
		}
		rc, _ := f.Open()
		content, _ := io.ReadAll(rc)
		comp := append(deflate(t, content), hidden...)
		fh := f.FileHeader
		fh.CompressedSize64 = uint64(len(comp))
		fh.Flags &^= 0x8
		w, err := zw.CreateRaw(&fh)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp)
	}
	zw.Close()
	if !found {
		t.Fatal("no " + target)
	}
	out := buf.Bytes()
	c, err := Open(bytes.NewReader(out), int64(len(out)))
	if err == nil {
		_, err = c.ReadFile(target)
	}
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("ReadFile: got %v, want ErrMalformed", err)
	}
	rep, err := Verify(bytes.NewReader(out), int64(len(out)), verifyOpts(t))
	if err == nil || (rep != nil && rep.Valid) {
		t.Errorf("Verify accepted an entry with data after its deflate stream")
	}
}

// TestFSShortDeflatedEntry: an entry that inflates to less than it
// declares fails through FS as through ReadFile.
func TestFSShortDeflatedEntry(t *testing.T) {
	content := bytes.Repeat([]byte("kort "), 100)
	comp := deflate(t, content)
	r := raw{name: "a.txt", method: zip.Deflate, crc: crc32.ChecksumIEEE(content), csize: uint32(len(comp)), usize: uint32(len(content) + 10)}
	data := craft(append(localHeader(r), comp...), r)
	c, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.FS().Open("a.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.ReadAll(f); !errors.Is(err, ErrMalformed) {
		t.Errorf("FS read: got %v, want ErrMalformed", err)
	}
}
