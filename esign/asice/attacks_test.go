package asice

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"strings"
	"testing"
)

// zipOf builds an archive with archive/zip, which writes whatever names
// and headers it is given (duplicates too).
type zent struct {
	name   string
	data   []byte
	method uint16
	mode   fs.FileMode
}

func zipOf(t testing.TB, ents ...zent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ents {
		fh := &zip.FileHeader{Name: e.name, Method: e.method}
		if e.mode != 0 {
			fh.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Hand-crafted ZIP records, for what archive/zip will not write.
type raw struct {
	name          string // central name
	localName     string // local name; default name
	method, flags uint16
	crc           uint32
	csize, usize  uint32
	offset        uint32
}

func localHeader(r raw) []byte {
	name := r.localName
	if name == "" {
		name = r.name
	}
	b := make([]byte, 30, 30+len(name))
	binary.LittleEndian.PutUint32(b, 0x04034b50)
	binary.LittleEndian.PutUint16(b[4:], 20)
	binary.LittleEndian.PutUint16(b[6:], r.flags)
	binary.LittleEndian.PutUint16(b[8:], r.method)
	binary.LittleEndian.PutUint32(b[14:], r.crc)
	binary.LittleEndian.PutUint32(b[18:], r.csize)
	binary.LittleEndian.PutUint32(b[22:], r.usize)
	binary.LittleEndian.PutUint16(b[26:], uint16(len(name)))
	return append(b, name...)
}

func centralHeader(r raw) []byte {
	b := make([]byte, 46, 46+len(r.name))
	binary.LittleEndian.PutUint32(b, 0x02014b50)
	binary.LittleEndian.PutUint16(b[4:], 20)
	binary.LittleEndian.PutUint16(b[6:], 20)
	binary.LittleEndian.PutUint16(b[8:], r.flags)
	binary.LittleEndian.PutUint16(b[10:], r.method)
	binary.LittleEndian.PutUint32(b[16:], r.crc)
	binary.LittleEndian.PutUint32(b[20:], r.csize)
	binary.LittleEndian.PutUint32(b[24:], r.usize)
	binary.LittleEndian.PutUint16(b[28:], uint16(len(r.name)))
	binary.LittleEndian.PutUint32(b[42:], r.offset)
	return append(b, r.name...)
}

func endRecord(count int, dirSize, dirOff int) []byte {
	b := make([]byte, 22)
	binary.LittleEndian.PutUint32(b, 0x06054b50)
	binary.LittleEndian.PutUint16(b[8:], uint16(count))
	binary.LittleEndian.PutUint16(b[10:], uint16(count))
	binary.LittleEndian.PutUint32(b[12:], uint32(dirSize))
	binary.LittleEndian.PutUint32(b[16:], uint32(dirOff))
	return b
}

// craft lays out body (all local records and data) and the central
// records.
func craft(body []byte, central ...raw) []byte {
	out := bytes.Clone(body)
	dirOff := len(out)
	for _, r := range central {
		out = append(out, centralHeader(r)...)
	}
	return append(out, endRecord(len(central), len(out)-dirOff, dirOff)...)
}

// simple returns a well-formed hand-made archive of stored files, with
// hooks to corrupt the records.
func simple(files []raw, data [][]byte) []byte {
	var body []byte
	for i := range files {
		files[i].offset = uint32(len(body))
		files[i].crc = crc32.ChecksumIEEE(data[i])
		files[i].csize, files[i].usize = uint32(len(data[i])), uint32(len(data[i]))
		body = append(body, localHeader(files[i])...)
		body = append(body, data[i]...)
	}
	return craft(body, files...)
}

func deflate(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func open(data []byte, opts ...ReadOption) error {
	c, err := Open(bytes.NewReader(data), int64(len(data)), opts...)
	if err != nil {
		return err
	}
	for _, f := range c.Files() {
		if _, err := c.ReadFile(f.Name); err != nil {
			return err
		}
	}
	return nil
}

func TestOpenRefusesAttacks(t *testing.T) {
	txt := []byte("hello")
	mt := []byte(MimeType)
	zeros := make([]byte, 20<<20)

	// Fifield's overlap: "a" is stored, and its data quotes the whole
	// local record of "b", so both central entries read the same bytes.
	bRec := raw{name: "b", method: zip.Store, crc: crc32.ChecksumIEEE(txt), csize: 5, usize: 5}
	inner := append(localHeader(bRec), txt...)
	aRec := raw{name: "a", method: zip.Store, crc: crc32.ChecksumIEEE(inner), csize: uint32(len(inner)), usize: uint32(len(inner))}
	bRec.offset = uint32(30 + len("a"))
	overlap := craft(append(localHeader(aRec), inner...), aRec, bRec)

	// Many central entries pointing at one local record (names differ:
	// refused as a header mismatch; same name: duplicate).
	one := raw{name: "x", method: zip.Store, crc: crc32.ChecksumIEEE(txt), csize: 5, usize: 5}
	same := craft(append(localHeader(one), txt...), one, one)

	// Declared-size lie: headers say 10 bytes, the data inflates to 1 MiB.
	big := bytes.Repeat([]byte("A"), 1<<20)
	comp := deflate(t, big)
	lie := raw{name: "lie.txt", method: zip.Deflate, crc: crc32.ChecksumIEEE(big[:10]), csize: uint32(len(comp)), usize: 10}
	sizeLie := craft(append(localHeader(lie), comp...), lie)

	mismatch := raw{name: "evil.txt", localName: "good.txt", method: zip.Store, crc: crc32.ChecksumIEEE(txt), csize: 5, usize: 5}
	nameMismatch := craft(append(localHeader(mismatch), txt...), mismatch)

	enc := raw{name: "e.txt", method: zip.Store, flags: 1, crc: crc32.ChecksumIEEE(txt), csize: 5, usize: 5}
	encrypted := craft(append(localHeader(enc), txt...), enc)

	bz := raw{name: "m.txt", method: 12, crc: crc32.ChecksumIEEE(txt), csize: 5, usize: 5}
	bzip := craft(append(localHeader(bz), txt...), bz)

	good := zipOf(t, zent{name: "a.txt", data: txt})
	manyEntries := make([]zent, DefaultMaxEntries+1)
	for i := range manyEntries {
		manyEntries[i] = zent{name: "f" + itoa(i), data: []byte{1}}
	}

	for _, tc := range []struct {
		name string
		data []byte
		opts []ReadOption
		want error
	}{
		{"traversal", zipOf(t, zent{name: "../evil.txt", data: txt}), nil, ErrUnsafeName},
		{"deep traversal", zipOf(t, zent{name: "a/../../evil.txt", data: txt}), nil, ErrUnsafeName},
		{"absolute", zipOf(t, zent{name: "/etc/passwd", data: txt}), nil, ErrUnsafeName},
		{"drive letter", zipOf(t, zent{name: "C:/Windows/evil.txt", data: txt}), nil, ErrUnsafeName},
		{"backslash", zipOf(t, zent{name: `..\evil.txt`, data: txt}), nil, ErrUnsafeName},
		{"nul", zipOf(t, zent{name: "a.txt\x00.pdf", data: txt}), nil, ErrUnsafeName},
		{"dot segment", zipOf(t, zent{name: "./a.txt", data: txt}), nil, ErrUnsafeName},
		{"symlink", zipOf(t, zent{name: "link", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}), nil, ErrUnsafeName},
		{"duplicate", zipOf(t, zent{name: "a.txt", data: txt}, zent{name: "a.txt", data: []byte("other")}), nil, ErrDuplicate},
		{"case duplicate", zipOf(t, zent{name: "a.txt", data: txt}, zent{name: "A.TXT", data: txt}), nil, ErrDuplicate},
		{"normalisation duplicate", zipOf(t, zent{name: "bl\u00e5b\u00e6r.pdf", data: txt}, zent{name: "bla\u030ab\u00e6r.pdf", data: txt}), nil, ErrDuplicate},
		{"case duplicate signatures", zipOf(t, zent{name: "META-INF/signatures.xml", data: txt}, zent{name: "META-INF/Signatures.xml", data: txt}), nil, ErrDuplicate},
		{"dir and file", zipOf(t, zent{name: "d/"}, zent{name: "d", data: txt}), nil, ErrDuplicate},
		{"file and below", zipOf(t, zent{name: "d", data: txt}, zent{name: "d/x", data: txt}), nil, ErrDuplicate},
		{"same central entry twice", same, nil, ErrDuplicate},
		{"too many entries", zipOf(t, manyEntries...), nil, ErrTooManyFiles},
		{"too many entries (option)", zipOf(t, manyEntries[:11]...), []ReadOption{WithMaxEntries(10)}, ErrTooManyFiles},
		{"bomb by ratio", zipOf(t, zent{name: "zeros", data: zeros, method: zip.Deflate}), nil, ErrTooLarge},
		{"file too large", zipOf(t, zent{name: "a", data: make([]byte, 2000), method: zip.Store}), []ReadOption{WithMaxFileSize(1000)}, ErrTooLarge},
		{"total too large", zipOf(t, zent{name: "a", data: make([]byte, 800)}, zent{name: "b", data: make([]byte, 800)}), []ReadOption{WithMaxTotalSize(1000)}, ErrTooLarge},
		{"bomb by overlap", overlap, nil, ErrMalformed},
		{"declared size lie", sizeLie, nil, ErrTooLarge},
		{"local/central name mismatch", nameMismatch, nil, ErrMalformed},
		{"encrypted", encrypted, nil, ErrMalformed},
		{"bzip2", bzip, nil, ErrMalformed},
		{"trailing junk", append(bytes.Clone(good), "junk"...), nil, ErrMalformed},
		{"prefix junk", append([]byte("MZ junk before"), good...), nil, ErrMalformed},
		{"truncated", good[:len(good)-5], nil, ErrMalformed},
		{"not a zip", []byte("this is not a zip archive at all, just text"), nil, ErrMalformed},
		{"mimetype not first", zipOf(t, zent{name: "a.txt", data: txt}, zent{name: "mimetype", data: mt}), nil, ErrMimetype},
		{"mimetype deflated", zipOf(t, zent{name: "mimetype", data: mt, method: zip.Deflate}), nil, ErrMimetype},
		{"mimetype wrong", simple([]raw{{name: "mimetype"}}, [][]byte{[]byte("application/vnd.etsi.asic-s+zip")}), nil, ErrMimetype},
		{"mimetype newline", simple([]raw{{name: "mimetype"}}, [][]byte{append(bytes.Clone(mt), '\n')}), nil, ErrMimetype},
		{"mimetype zip", simple([]raw{{name: "mimetype"}}, [][]byte{[]byte("application/zip")}), nil, ErrMimetype},
		{"mimetype case", simple([]raw{{name: "MIMETYPE"}}, [][]byte{mt}), nil, ErrMimetype},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := open(tc.data, tc.opts...)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), "asice: ") {
				t.Errorf("%v: not a *FormatError with the asice prefix", err)
			}
		})
	}

	// The well-formed hand-made archives open.
	for name, data := range map[string][]byte{
		"stored mimetype": simple([]raw{{name: "mimetype"}, {name: "a.txt"}}, [][]byte{mt, txt}),
		"archive/zip":     good,
		"no mimetype":     zipOf(t, zent{name: "dir/a.txt", data: txt, method: zip.Deflate}),
	} {
		if err := open(data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// rewrite copies a container, with edit deciding per entry: keep (nil,
// false), drop (nil, true) or replace (data, true); extra entries are
// appended before META-INF/signatures.xml's successors.
func rewrite(t *testing.T, data []byte, edit func(name string) ([]byte, bool), extra ...zent) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if b, changed := edit(f.Name); changed {
			if b == nil {
				continue
			}
			w, err := zw.Create(f.Name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(b)
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range extra {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	zw.Close()
	return buf.Bytes()
}

func TestVerifyTampered(t *testing.T) {
	data := signed(t, dpiFiles())
	keep := func(string) ([]byte, bool) { return nil, false }
	verify := func(b []byte) (*Report, error) {
		return Verify(bytes.NewReader(b), int64(len(b)), verifyOpts(t))
	}
	if rep, err := verify(rewrite(t, data, keep)); err != nil || !rep.Valid {
		t.Fatalf("untouched copy: %v %+v", err, rep)
	}

	t.Run("unsigned file added", func(t *testing.T) {
		rep, err := verify(rewrite(t, data, keep, zent{name: "faktura.pdf", data: []byte("%PDF pay here")}))
		if !errors.Is(err, ErrInvalid) || !errors.Is(err, ErrNotSigned) || rep == nil || rep.Valid {
			t.Fatalf("got %v %+v", err, rep)
		}
		if len(rep.Unsigned) != 1 || rep.Unsigned[0] != "faktura.pdf" {
			t.Errorf("Unsigned = %q", rep.Unsigned)
		}
	})
	t.Run("file replaced", func(t *testing.T) {
		rep, err := verify(rewrite(t, data, func(n string) ([]byte, bool) {
			if n == "vedtak.pdf" {
				return []byte("%PDF-1.7\n% endret vedtak\n%%EOF\n"), true
			}
			return nil, false
		}))
		if !errors.Is(err, ErrInvalid) || rep == nil || rep.Valid || len(rep.Problems) == 0 {
			t.Fatalf("got %v %+v", err, rep)
		}
	})
	t.Run("file removed", func(t *testing.T) {
		rep, err := verify(rewrite(t, data, func(n string) ([]byte, bool) { return nil, n == "vedtak.pdf" }))
		if !errors.Is(err, ErrInvalid) || rep == nil || rep.Valid {
			t.Fatalf("got %v %+v", err, rep)
		}
	})
	t.Run("signature removed", func(t *testing.T) {
		_, err := verify(rewrite(t, data, func(n string) ([]byte, bool) { return nil, n == SignaturesName }))
		if !errors.Is(err, ErrNotSigned) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("second signature file", func(t *testing.T) {
		sig, _ := (func() ([]byte, bool) {
			c, err := Open(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			return c.SignatureXML()
		})()
		_, err := verify(rewrite(t, data, keep, zent{name: "META-INF/signatures2.xml", data: sig}))
		if !errors.Is(err, ErrNotSigned) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("untrusted root", func(t *testing.T) {
		rep, err := Verify(bytes.NewReader(data), int64(len(data)), VerifyOptions{Roots: pool()})
		if !errors.Is(err, ErrInvalid) || rep == nil || rep.Valid || rep.Signer == nil {
			t.Fatalf("got %v %+v", err, rep)
		}
	})
}

// TestReadLazyLimits checks that a declared-size lie is caught while
// reading through FS too, and that reading stops early.
func TestReadLazyLimits(t *testing.T) {
	big := bytes.Repeat([]byte("B"), 4<<20)
	comp := deflate(t, big)
	lie := raw{name: "lie.txt", method: zip.Deflate, crc: 0, csize: uint32(len(comp)), usize: 100}
	data := craft(append(localHeader(lie), comp...), lie)
	c, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.FS().Open("lie.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := io.Copy(io.Discard, f)
	if !errors.Is(err, ErrTooLarge) || n > 100 {
		t.Errorf("read %d bytes, err %v", n, err)
	}
}
