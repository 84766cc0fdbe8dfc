package asice

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

// Default limits of [Open]: generous for DPI (at most 200 attachments, 30
// MB per package in the prose, 50 MB enforced by integrasjonspunkt) and
// Posten signering (at most 20 documents of 10 MB), tight enough to keep
// a hostile container from exhausting memory.
const (
	// DefaultMaxEntries is the most entries (files and directories).
	DefaultMaxEntries = 1024
	// DefaultMaxFileSize is the largest uncompressed entry, 128 MiB.
	DefaultMaxFileSize = 128 << 20
	// DefaultMaxTotal is the largest total uncompressed size, 512 MiB.
	DefaultMaxTotal = 512 << 20
	// DefaultMaxRatio is the largest uncompressed:compressed ratio of an
	// entry over 1 MiB.
	DefaultMaxRatio = 200
)

// ratioFloor is the uncompressed size below which the ratio limit does not
// apply (small, very repetitive files are legitimate and harmless).
const ratioFloor = 1 << 20

// ReadOption configures [Open].
type ReadOption func(*readConfig) error

type readConfig struct {
	maxEntries int
	maxFile    int64
	maxTotal   int64
	maxRatio   int64
}

func defaultReadConfig() readConfig {
	return readConfig{maxEntries: DefaultMaxEntries, maxFile: DefaultMaxFileSize, maxTotal: DefaultMaxTotal, maxRatio: DefaultMaxRatio}
}

// WithMaxEntries sets the most entries (files and directories) a container
// may have; default [DefaultMaxEntries].
func WithMaxEntries(n int) ReadOption {
	return func(c *readConfig) error {
		if n < 1 {
			return ferr(ErrInput, "", "max entries must be positive")
		}
		c.maxEntries = n
		return nil
	}
}

// WithMaxFileSize sets the largest uncompressed size of one entry; default
// [DefaultMaxFileSize].
func WithMaxFileSize(n int64) ReadOption {
	return func(c *readConfig) error {
		if n < 1 {
			return ferr(ErrInput, "", "max file size must be positive")
		}
		c.maxFile = n
		return nil
	}
}

// WithMaxTotalSize sets the largest total uncompressed size of all entries;
// default [DefaultMaxTotal].
func WithMaxTotalSize(n int64) ReadOption {
	return func(c *readConfig) error {
		if n < 1 {
			return ferr(ErrInput, "", "max total size must be positive")
		}
		c.maxTotal = n
		return nil
	}
}

// WithMaxRatio sets the largest compression ratio (uncompressed size over
// compressed size) of an entry larger than 1 MiB; default
// [DefaultMaxRatio].
func WithMaxRatio(n int) ReadOption {
	return func(c *readConfig) error {
		if n < 1 {
			return ferr(ErrInput, "", "max ratio must be positive")
		}
		c.maxRatio = int64(n)
		return nil
	}
}

// Container is an opened, validated ASiC-E container. Its methods read
// entries lazily from the underlying [io.ReaderAt], through the limits;
// they are safe for concurrent use if the ReaderAt is.
type Container struct {
	files    []*entry          // file entries, in archive order
	byName   map[string]*entry // by exact name
	dirs     map[string][]fs.DirEntry
	mimetype bool
	maxFile  int64
}

type entry struct {
	name  string
	f     *zip.File
	size  int64 // declared uncompressed size, within the limits
	csize int64
}

// cdEntry is what Open reads from the central directory itself, beyond
// what archive/zip exposes: the local header offset.
type cdEntry struct {
	name           string
	flags, method  uint16
	crc            uint32
	csize, usize   uint64
	offset         uint64
	dataOffset     uint64 // set by checkLayout
	externalAttrs  uint32
	creatorVersion uint16
}

// Open reads and validates the ZIP structure of an ASiC-E container of
// size bytes from r. It reads the central directory and every local
// header, and the mimetype entry, but no other content; the content is
// read (through the limits, with its CRC checked) when asked for.
//
// Open refuses, with a [*FormatError]: unsafe names ([ErrUnsafeName]:
// "..", absolute names, drive letters, backslashes, control characters,
// symlinks), duplicates ([ErrDuplicate], also case-folded, and a name that
// is both a file and a directory), more entries than allowed
// ([ErrTooManyFiles]), entries beyond the size or ratio limits
// ([ErrTooLarge]), a mimetype entry that is not first, not stored, or not
// exactly application/vnd.etsi.asic-e+zip ([ErrMimetype]), and encrypted,
// overlapping or otherwise malformed entries, data before the first or
// after the last record, and local headers that disagree with the central
// directory ([ErrMalformed]). A missing mimetype entry is allowed (Posten
// signering and older DPI packages have none).
func Open(r io.ReaderAt, size int64, opts ...ReadOption) (*Container, error) {
	cfg := defaultReadConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if r == nil || size < 22 {
		return nil, ferr(ErrMalformed, "", "not a ZIP archive")
	}
	dirOff, dirSize, count, err := readEnd(r, size)
	if err != nil {
		return nil, err
	}
	if count > uint64(cfg.maxEntries) {
		return nil, ferr(ErrTooManyFiles, "", "more than "+itoa(cfg.maxEntries)+" entries")
	}
	cd, err := readCentral(r, dirOff, dirSize, int(count))
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, ferr(ErrMalformed, "", err.Error())
	}
	if len(zr.File) != len(cd) {
		return nil, ferr(ErrMalformed, "", "central directory entry count mismatch")
	}
	c := &Container{byName: map[string]*entry{}, dirs: map[string][]fs.DirEntry{}, maxFile: cfg.maxFile}
	names := newNameSet()
	var total int64
	for i, f := range zr.File {
		ce := cd[i]
		if f.Name != ce.name {
			return nil, ferr(ErrMalformed, f.Name, "central directory mismatch")
		}
		isDir := strings.HasSuffix(f.Name, "/")
		if reason := checkName(f.Name, true); reason != "" {
			return nil, ferr(ErrUnsafeName, f.Name, reason)
		}
		if m := f.Mode(); m&fs.ModeSymlink != 0 || (ce.creatorVersion>>8 == 3 && (ce.externalAttrs>>16)&0o170000 == 0o120000) {
			return nil, ferr(ErrUnsafeName, f.Name, "symbolic link")
		} else if m&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice|fs.ModeIrregular) != 0 {
			return nil, ferr(ErrUnsafeName, f.Name, "not a regular file")
		}
		if reason := names.add(f.Name); reason != "" {
			return nil, ferr(ErrDuplicate, f.Name, reason)
		}
		if f.Flags&0x1 != 0 || f.Flags&0x40 != 0 {
			return nil, ferr(ErrMalformed, f.Name, "encrypted entry")
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, ferr(ErrMalformed, f.Name, "compression method "+itoa(int(f.Method))+" not allowed")
		}
		if f.UncompressedSize64 > uint64(cfg.maxFile) {
			return nil, ferr(ErrTooLarge, f.Name, "larger than "+itoa(int(cfg.maxFile))+" bytes")
		}
		if f.CompressedSize64 > uint64(size) {
			return nil, ferr(ErrMalformed, f.Name, "compressed size beyond the archive")
		}
		usize, csize := int64(f.UncompressedSize64), int64(f.CompressedSize64)
		if f.Method == zip.Store && usize != csize {
			return nil, ferr(ErrMalformed, f.Name, "stored entry with different sizes")
		}
		if usize > ratioFloor && usize > csize*cfg.maxRatio {
			return nil, ferr(ErrTooLarge, f.Name, "compression ratio above "+itoa(int(cfg.maxRatio)))
		}
		total += usize
		if total > cfg.maxTotal {
			return nil, ferr(ErrTooLarge, "", "total size above "+itoa(int(cfg.maxTotal))+" bytes")
		}
		if isDir {
			if usize != 0 {
				return nil, ferr(ErrMalformed, f.Name, "directory with content")
			}
			continue
		}
		e := &entry{name: f.Name, f: f, size: usize, csize: csize}
		c.files = append(c.files, e)
		c.byName[f.Name] = e
	}
	if err := checkLayout(r, cd, dirOff); err != nil {
		return nil, err
	}
	// archive/zip reads the content: it must have read the very directory
	// checked above (a second directory, reached through a second end
	// record or a ZIP64 end record only one parser honours, would
	// otherwise carry other data under the same names).
	for i, f := range zr.File {
		ce := cd[i]
		off, err := f.DataOffset()
		if err != nil || off < 0 || uint64(off) != ce.dataOffset || f.CRC32 != ce.crc ||
			f.CompressedSize64 != ce.csize || f.UncompressedSize64 != ce.usize ||
			f.Method != ce.method || f.Flags != ce.flags {
			return nil, ferr(ErrMalformed, f.Name, "central directory read two ways disagrees")
		}
	}
	if err := c.checkMimetype(cd); err != nil {
		return nil, err
	}
	c.buildDirs()
	return c, nil
}

// readEnd finds the end of central directory record (and its ZIP64 form)
// and returns the directory's offset, size and entry count. Data after the
// record (beyond its comment) and before the directory is refused.
func readEnd(r io.ReaderAt, size int64) (dirOff, dirSize, count uint64, err error) {
	const endLen = 22
	n := min(size, 65535+endLen)
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return 0, 0, 0, ferr(ErrMalformed, "", "cannot read the end of the archive")
	}
	// The last signature is the record archive/zip (and Info-ZIP) use: it
	// must be the one whose comment ends the archive, or the two readers
	// would see different central directories.
	at := -1
	for i := len(buf) - endLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == 0x06054b50 {
			clen := int(binary.LittleEndian.Uint16(buf[i+20:]))
			if i+endLen+clen == len(buf) {
				at = i
			}
			break
		}
	}
	if at < 0 {
		return 0, 0, 0, ferr(ErrMalformed, "", "no end of central directory record (or data after it)")
	}
	endOff := uint64(size - n + int64(at))
	b := buf[at:]
	if binary.LittleEndian.Uint16(b[4:]) != 0 || binary.LittleEndian.Uint16(b[6:]) != 0 {
		return 0, 0, 0, ferr(ErrMalformed, "", "multi-disk archive")
	}
	count = uint64(binary.LittleEndian.Uint16(b[10:]))
	if binary.LittleEndian.Uint16(b[8:]) != uint16(count) {
		return 0, 0, 0, ferr(ErrMalformed, "", "entry counts disagree")
	}
	dirSize = uint64(binary.LittleEndian.Uint32(b[12:]))
	dirOff = uint64(binary.LittleEndian.Uint32(b[16:]))
	dirEnd := endOff
	if count == 0xffff || dirSize == 0xffffffff || dirOff == 0xffffffff {
		// ZIP64: locator (20 bytes) just before the record.
		if endOff < 20 {
			return 0, 0, 0, ferr(ErrMalformed, "", "bad ZIP64 locator")
		}
		var loc [20]byte
		if _, err := r.ReadAt(loc[:], int64(endOff-20)); err != nil || binary.LittleEndian.Uint32(loc[:]) != 0x07064b50 {
			return 0, 0, 0, ferr(ErrMalformed, "", "bad ZIP64 locator")
		}
		off64 := binary.LittleEndian.Uint64(loc[8:])
		if off64 > endOff-20 || endOff-20-off64 < 56 {
			return 0, 0, 0, ferr(ErrMalformed, "", "bad ZIP64 end record offset")
		}
		var rec [56]byte
		if _, err := r.ReadAt(rec[:], int64(off64)); err != nil || binary.LittleEndian.Uint32(rec[:]) != 0x06064b50 {
			return 0, 0, 0, ferr(ErrMalformed, "", "bad ZIP64 end record")
		}
		count = binary.LittleEndian.Uint64(rec[32:])
		dirSize = binary.LittleEndian.Uint64(rec[40:])
		dirOff = binary.LittleEndian.Uint64(rec[48:])
		dirEnd = off64
	}
	if dirOff > dirEnd || dirEnd-dirOff != dirSize {
		return 0, 0, 0, ferr(ErrMalformed, "", "central directory not where the end record says (data before the archive?)")
	}
	if count > dirSize/46 {
		return 0, 0, 0, ferr(ErrMalformed, "", "entry count larger than the central directory")
	}
	return dirOff, dirSize, count, nil
}

// readCentral parses the central directory's count records.
func readCentral(r io.ReaderAt, off, size uint64, count int) ([]cdEntry, error) {
	buf := make([]byte, size)
	if _, err := r.ReadAt(buf, int64(off)); err != nil && !(err == io.EOF && len(buf) == 0) {
		return nil, ferr(ErrMalformed, "", "cannot read the central directory")
	}
	out := make([]cdEntry, 0, count)
	for i := 0; i < count; i++ {
		if len(buf) < 46 || binary.LittleEndian.Uint32(buf) != 0x02014b50 {
			return nil, ferr(ErrMalformed, "", "bad central directory record")
		}
		nl := int(binary.LittleEndian.Uint16(buf[28:]))
		el := int(binary.LittleEndian.Uint16(buf[30:]))
		cl := int(binary.LittleEndian.Uint16(buf[32:]))
		if len(buf) < 46+nl+el+cl {
			return nil, ferr(ErrMalformed, "", "truncated central directory record")
		}
		e := cdEntry{
			creatorVersion: binary.LittleEndian.Uint16(buf[4:]),
			flags:          binary.LittleEndian.Uint16(buf[8:]),
			method:         binary.LittleEndian.Uint16(buf[10:]),
			crc:            binary.LittleEndian.Uint32(buf[16:]),
			csize:          uint64(binary.LittleEndian.Uint32(buf[20:])),
			usize:          uint64(binary.LittleEndian.Uint32(buf[24:])),
			externalAttrs:  binary.LittleEndian.Uint32(buf[38:]),
			offset:         uint64(binary.LittleEndian.Uint32(buf[42:])),
			name:           string(buf[46 : 46+nl]),
		}
		// ZIP64 extra: the 64-bit fields present for those set to all ones.
		for extra := buf[46+nl : 46+nl+el]; len(extra) >= 4; {
			id, sz := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
			if len(extra) < 4+sz {
				break
			}
			if id == 0x0001 {
				f := extra[4 : 4+sz]
				next := func(v *uint64) {
					if *v == 0xffffffff && len(f) >= 8 {
						*v = binary.LittleEndian.Uint64(f)
						f = f[8:]
					}
				}
				next(&e.usize)
				next(&e.csize)
				next(&e.offset)
			}
			extra = extra[4+sz:]
		}
		out = append(out, e)
		buf = buf[46+nl+el+cl:]
	}
	if len(buf) != 0 {
		return nil, ferr(ErrMalformed, "", "data after the central directory records")
	}
	return out, nil
}

// checkLayout reads every local header, compares it with the central
// directory, and checks that the entries do not overlap (Fifield's
// non-recursive zip bomb lets many central records point at one body) and
// tile the archive from offset 0 up to the central directory.
func checkLayout(r io.ReaderAt, cd []cdEntry, dirOff uint64) error {
	type span struct {
		start, end uint64
		name       string
	}
	spans := make([]span, 0, len(cd))
	for i := range cd {
		e := &cd[i]
		var h [30]byte
		if e.offset > dirOff {
			return ferr(ErrMalformed, e.name, "local header beyond the central directory")
		}
		if _, err := r.ReadAt(h[:], int64(e.offset)); err != nil {
			return ferr(ErrMalformed, e.name, "cannot read the local header")
		}
		if binary.LittleEndian.Uint32(h[:]) != 0x04034b50 {
			return ferr(ErrMalformed, e.name, "no local header at the recorded offset")
		}
		flags := binary.LittleEndian.Uint16(h[6:])
		method := binary.LittleEndian.Uint16(h[8:])
		nl := uint64(binary.LittleEndian.Uint16(h[26:]))
		el := uint64(binary.LittleEndian.Uint16(h[28:]))
		if method != e.method {
			return ferr(ErrMalformed, e.name, "local and central compression methods differ")
		}
		if flags&0x1 != 0 {
			return ferr(ErrMalformed, e.name, "encrypted entry")
		}
		if (flags^e.flags)&0x8 != 0 {
			return ferr(ErrMalformed, e.name, "local and central headers differ on the data descriptor")
		}
		if e.offset+30+nl+el > dirOff {
			return ferr(ErrMalformed, e.name, "entry data runs into the central directory")
		}
		name := make([]byte, nl+el)
		if _, err := r.ReadAt(name, int64(e.offset+30)); err != nil {
			return ferr(ErrMalformed, e.name, "cannot read the local header name")
		}
		name, extra := name[:nl], name[nl:]
		if string(name) != e.name {
			return ferr(ErrMalformed, e.name, "local header names "+quote(string(name)))
		}
		if flags&0x8 == 0 {
			// Streaming readers trust these fields: they must be the
			// central directory's (through the ZIP64 extra if need be).
			lcrc := binary.LittleEndian.Uint32(h[14:])
			lcs := uint64(binary.LittleEndian.Uint32(h[18:]))
			lus := uint64(binary.LittleEndian.Uint32(h[22:]))
			if lcs == 0xffffffff || lus == 0xffffffff {
				z, ok := zip64Extra(extra)
				if !ok || len(z) < 16 {
					return ferr(ErrMalformed, e.name, "ZIP64 local header without its sizes")
				}
				lus, lcs = binary.LittleEndian.Uint64(z), binary.LittleEndian.Uint64(z[8:])
			}
			if lcs != e.csize || lus != e.usize {
				return ferr(ErrMalformed, e.name, "local and central sizes differ")
			}
			if lcrc != e.crc {
				return ferr(ErrMalformed, e.name, "local and central CRC-32 differ")
			}
		}
		e.dataOffset = e.offset + 30 + nl + el
		end := e.dataOffset + e.csize
		if end < e.offset || end > dirOff {
			return ferr(ErrMalformed, e.name, "entry data runs into the central directory")
		}
		if flags&0x8 != 0 {
			n, ok := descriptorLen(r, end, dirOff, e)
			if !ok {
				return ferr(ErrMalformed, e.name, "data descriptor missing or disagreeing with the central directory")
			}
			end += n
		}
		spans = append(spans, span{e.offset, end, e.name})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	// The entries tile the archive from offset 0 to the central directory:
	// a gap could hide a local record that only streaming readers see.
	at := uint64(0)
	for i, s := range spans {
		switch {
		case s.start < at && i > 0:
			return ferr(ErrMalformed, s.name, "overlaps "+quote(spans[i-1].name))
		case s.start > at && i == 0:
			return ferr(ErrMalformed, "", "data before the first entry")
		case s.start > at:
			return ferr(ErrMalformed, s.name, "unlisted data before the entry")
		}
		at = s.end
	}
	if at != dirOff {
		return ferr(ErrMalformed, "", "unlisted data before the central directory")
	}
	return nil
}

// zip64Extra returns the data of the ZIP64 extended information field.
func zip64Extra(extra []byte) ([]byte, bool) {
	for len(extra) >= 4 {
		id, sz := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		if len(extra) < 4+sz {
			return nil, false
		}
		if id == 0x0001 {
			return extra[4 : 4+sz], true
		}
		extra = extra[4+sz:]
	}
	return nil, false
}

// descriptorLen returns the length of e's data descriptor at off (with or
// without its signature, with 32- or 64-bit sizes), which must repeat the
// central directory's CRC-32 and sizes.
func descriptorLen(r io.ReaderAt, off, limit uint64, e *cdEntry) (uint64, bool) {
	var b [24]byte
	n := min(limit-off, 24)
	if n < 12 {
		return 0, false
	}
	if _, err := r.ReadAt(b[:n], int64(off)); err != nil && err != io.EOF {
		return 0, false
	}
	d := b[:n]
	if binary.LittleEndian.Uint32(d) == 0x08074b50 {
		if len(d) >= 16 && binary.LittleEndian.Uint32(d[4:]) == e.crc {
			if uint64(binary.LittleEndian.Uint32(d[8:])) == e.csize && uint64(binary.LittleEndian.Uint32(d[12:])) == e.usize {
				return 16, true
			}
			if len(d) >= 24 && binary.LittleEndian.Uint64(d[8:]) == e.csize && binary.LittleEndian.Uint64(d[16:]) == e.usize {
				return 24, true
			}
		}
	}
	if binary.LittleEndian.Uint32(d) != e.crc {
		return 0, false
	}
	if uint64(binary.LittleEndian.Uint32(d[4:])) == e.csize && uint64(binary.LittleEndian.Uint32(d[8:])) == e.usize {
		return 12, true
	}
	if len(d) >= 20 && binary.LittleEndian.Uint64(d[4:]) == e.csize && binary.LittleEndian.Uint64(d[12:]) == e.usize {
		return 20, true
	}
	return 0, false
}

// checkMimetype validates the optional mimetype entry.
func (c *Container) checkMimetype(cd []cdEntry) error {
	for i, e := range cd {
		if !strings.EqualFold(e.name, mimetypeName) {
			continue
		}
		switch {
		case e.name != mimetypeName:
			return ferr(ErrMimetype, e.name, "must be spelled \"mimetype\"")
		case i != 0 || e.offset != 0:
			return ferr(ErrMimetype, e.name, "not the first entry")
		case e.method != zip.Store:
			return ferr(ErrMimetype, e.name, "compressed; must be stored")
		case e.usize != uint64(len(MimeType)):
			return ferr(ErrMimetype, e.name, "wrong content")
		}
		data, err := c.ReadFile(mimetypeName)
		if err != nil {
			return err
		}
		if string(data) != MimeType {
			return ferr(ErrMimetype, e.name, "content is not "+MimeType)
		}
		c.mimetype = true
	}
	return nil
}

// buildDirs builds the directory tree of FS.
func (c *Container) buildDirs() {
	c.addDir(".")
	for _, e := range c.files {
		d := path.Dir(e.name)
		c.addDir(d)
		c.dirs[d] = append(c.dirs[d], fs.FileInfoToDirEntry(fileInfo{name: path.Base(e.name), size: e.size, mod: e.f.Modified}))
	}
	for k := range c.dirs {
		slices.SortFunc(c.dirs[k], func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	}
}

func (c *Container) addDir(d string) {
	if _, ok := c.dirs[d]; ok {
		return
	}
	c.dirs[d] = nil
	if d == "." {
		return
	}
	parent := path.Dir(d)
	c.addDir(parent)
	c.dirs[parent] = append(c.dirs[parent], fs.FileInfoToDirEntry(fileInfo{name: path.Base(d), dir: true}))
}

// HasMimetype reports whether the container has the (valid) mimetype entry.
func (c *Container) HasMimetype() bool { return c.mimetype }

// Files returns the container's file entries (not directories) in archive
// order, including mimetype and those under META-INF/.
func (c *Container) Files() []FileInfo {
	out := make([]FileInfo, len(c.files))
	for i, e := range c.files {
		out[i] = FileInfo{Name: e.name, Size: e.size, CompressedSize: e.csize, Stored: e.f.Method == zip.Store}
	}
	return out
}

// ReadFile returns the content of the named entry, read through the limits
// and checked against its CRC-32.
func (c *Container) ReadFile(name string) ([]byte, error) {
	e, ok := c.byName[name]
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	rc, err := c.open(e)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// Grow with the data actually read, not the declared size, so that a
	// lying header costs no more memory than the data behind it.
	var buf bytes.Buffer
	buf.Grow(int(min(e.size, 1<<20)) + 1)
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, err
	}
	if int64(buf.Len()) != e.size {
		return nil, ferr(ErrMalformed, e.name, "size differs from the header")
	}
	return buf.Bytes(), nil
}

// SignatureXML returns the content of META-INF/signatures.xml, and whether
// the container has it.
func (c *Container) SignatureXML() ([]byte, bool) {
	if _, ok := c.byName[SignaturesName]; !ok {
		return nil, false
	}
	b, err := c.ReadFile(SignaturesName)
	if err != nil {
		return nil, false
	}
	return b, true
}

// open returns a reader of e's content that never yields more than the
// declared size and translates archive/zip's errors.
func (c *Container) open(e *entry) (io.ReadCloser, error) {
	if e.f.Method == zip.Deflate {
		// Inflated here rather than by archive/zip, which ignores bytes
		// after the end of the deflate stream: the signature covers only
		// the inflated content, so those bytes could be changed freely,
		// and hide a record from readers that resynchronise there.
		raw, err := e.f.OpenRaw()
		if err != nil {
			return nil, ferr(ErrMalformed, e.name, "cannot open: "+err.Error())
		}
		br := bufio.NewReaderSize(raw, 32<<10)
		fr := flate.NewReader(br)
		return &limitReader{rc: &inflater{fr: fr, br: br, crc: crc32.NewIEEE(), want: e.f.CRC32, size: e.size, name: e.name}, name: e.name, left: e.size}, nil
	}
	rc, err := e.f.Open()
	if err != nil {
		return nil, ferr(ErrMalformed, e.name, "cannot open: "+err.Error())
	}
	return &limitReader{rc: rc, name: e.name, left: e.size}, nil
}

// inflater inflates an entry, and at the end of the deflate stream checks
// that no compressed data is left over and the CRC-32.
type inflater struct {
	fr   io.ReadCloser
	br   *bufio.Reader // a ByteReader: flate reads no further than it must
	crc  hash.Hash32
	want uint32
	size int64 // declared; less data is an error, as in archive/zip
	read int64
	name string
}

func (d *inflater) Read(p []byte) (int, error) {
	n, err := d.fr.Read(p)
	d.crc.Write(p[:n])
	d.read += int64(n)
	if err == io.EOF {
		if d.read != d.size {
			return n, io.ErrUnexpectedEOF
		}
		if _, berr := d.br.ReadByte(); berr != io.EOF {
			return n, ferr(ErrMalformed, d.name, "data after the end of the deflate stream")
		}
		if d.crc.Sum32() != d.want {
			return n, zip.ErrChecksum
		}
	}
	return n, err
}

func (d *inflater) Close() error { return d.fr.Close() }

// limitReader passes at most left+1 bytes through (the one extra byte
// detects an entry that inflates beyond its declared size) and turns
// decompression and checksum errors into *FormatError.
type limitReader struct {
	rc   io.ReadCloser
	name string
	left int64
	err  error
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		l.err = ferr(ErrTooLarge, l.name, "more data than the header declares")
		return 0, l.err
	}
	if err != nil && err != io.EOF {
		switch {
		case errors.Is(err, zip.ErrFormat):
			err = ferr(ErrTooLarge, l.name, "more data than the header declares")
		case errors.Is(err, io.ErrUnexpectedEOF):
			err = ferr(ErrMalformed, l.name, "less data than the header declares")
		case errors.Is(err, zip.ErrChecksum):
			err = ferr(ErrMalformed, l.name, "CRC-32 mismatch")
		default:
			var fe *FormatError
			if !errors.As(err, &fe) {
				err = ferr(ErrMalformed, l.name, "cannot decompress: "+err.Error())
			}
		}
		l.err = err
	}
	return n, err
}

func (l *limitReader) Close() error { return l.rc.Close() }

// FS returns the container's files as an [fs.FS] (directories implied by
// the names). Opening a file reads it lazily through the limits; reading
// to the end checks its CRC-32.
func (c *Container) FS() fs.FS { return containerFS{c} }

type containerFS struct{ c *Container }

func (f containerFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if e, ok := f.c.byName[name]; ok {
		rc, err := f.c.open(e)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &file{limitReader: rc.(*limitReader), info: fileInfo{name: path.Base(name), size: e.size, mod: e.f.Modified}}, nil
	}
	if entries, ok := f.c.dirs[name]; ok {
		return &dir{info: fileInfo{name: path.Base(name), dir: true}, entries: entries}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// ReadFile implements fs.ReadFileFS.
func (f containerFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	b, err := f.c.ReadFile(name)
	if err != nil {
		if _, ok := f.c.dirs[name]; ok {
			return nil, &fs.PathError{Op: "readfile", Path: name, Err: errors.New("is a directory")}
		}
		var pe *fs.PathError
		if !errors.As(err, &pe) {
			err = &fs.PathError{Op: "readfile", Path: name, Err: err}
		}
	}
	return b, err
}

type file struct {
	*limitReader
	info fileInfo
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }

type dir struct {
	info    fileInfo
	entries []fs.DirEntry
	pos     int
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}
func (d *dir) Close() error { return nil }
func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.pos:]
	if n <= 0 {
		d.pos = len(d.entries)
		return slices.Clone(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.pos += n
	return slices.Clone(rest[:n]), nil
}

type fileInfo struct {
	name string
	size int64
	mod  time.Time
	dir  bool
}

func (fi fileInfo) Name() string { return fi.name }
func (fi fileInfo) Size() int64  { return fi.size }
func (fi fileInfo) Mode() fs.FileMode {
	if fi.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (fi fileInfo) ModTime() time.Time { return fi.mod }
func (fi fileInfo) IsDir() bool        { return fi.dir }
func (fi fileInfo) Sys() any           { return nil }
