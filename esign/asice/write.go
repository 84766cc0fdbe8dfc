package asice

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"hash/crc32"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/fellesgo/felles/esign/xades"
)

// Option configures [Sign].
type Option func(*signConfig) error

type signConfig struct {
	profile      Profile
	signingTime  time.Time
	odf          *bool
	level        int
	storeIncomp  bool
	maxFiles     int
	xadesOptions []xades.Option
}

// WithProfile selects the container layout; the default is [ProfileDPI].
func WithProfile(p Profile) Option {
	return func(c *signConfig) error {
		if p != ProfileDPI && p != ProfileSignering {
			return ferr(ErrInput, "", "unknown profile "+p.String())
		}
		c.profile = p
		return nil
	}
}

// WithSigningTime sets the XAdES SigningTime and the entries' modification
// time; the default is now.
func WithSigningTime(t time.Time) Option {
	return func(c *signConfig) error {
		if t.IsZero() {
			return ferr(ErrInput, "", "zero signing time")
		}
		c.signingTime = t
		return nil
	}
}

// WithODFManifest says whether a [ProfileDPI] container carries the ODF
// manifest META-INF/manifest.xml (the default, as integrasjonspunkt writes
// it; the DPI prose says it "should not be present"). [ProfileSignering]
// refuses true.
func WithODFManifest(on bool) Option {
	return func(c *signConfig) error {
		c.odf = &on
		return nil
	}
}

// WithCompressionLevel sets the DEFLATE level (compress/flate levels 1 to
// 9, or flate.DefaultCompression) of the files; flate.NoCompression stores
// every file. The default is flate.BestSpeed.
func WithCompressionLevel(level int) Option {
	return func(c *signConfig) error {
		if level < flate.DefaultCompression || level > flate.BestCompression {
			return ferr(ErrInput, "", "compression level out of range")
		}
		c.level = level
		return nil
	}
}

// WithStoreIncompressible says whether a file whose first 64 KiB do not
// compress (JPEG, PNG, most PDFs' streams, ZIP) is stored rather than
// deflated. The default is true: it saves time and space, and every ZIP
// reader handles stored entries (they are written with their sizes in the
// local header, as Java's ZipInputStream needs). Set false to deflate
// every file, as the Java implementations do.
func WithStoreIncompressible(on bool) Option {
	return func(c *signConfig) error {
		c.storeIncomp = on
		return nil
	}
}

// WithMaxFiles sets the most files [Sign] accepts. The defaults are the
// profiles' limits: 202 for [ProfileDPI] (manifest.xml, the main document
// and at most 200 attachments) and 21 for [ProfileSignering] (at most 20
// documents and the manifest).
func WithMaxFiles(n int) Option {
	return func(c *signConfig) error {
		if n < 1 {
			return ferr(ErrInput, "", "max files must be positive")
		}
		c.maxFiles = n
		return nil
	}
}

// WithXAdESOptions passes further options to [xades.Sign], after the ones
// the profile sets (namespace, c14n 1.0, signing time), so they can
// override them.
func WithXAdESOptions(opts ...xades.Option) Option {
	return func(c *signConfig) error {
		c.xadesOptions = append(c.xadesOptions, opts...)
		return nil
	}
}

// Sign writes a signed ASiC-E container with files, in the given order, to
// w, as the profile (default [ProfileDPI]) lays it out, signed as XAdES
// baseline B-B with signer and chain (leaf first; include the intermediates
// so the signature carries the chain). Each file is hashed once, as it is
// written. Names must be safe relative paths outside META-INF/, unique also
// when case is ignored, and every file needs a MimeType; [*FormatError]
// with ErrUnsafeName, ErrDuplicate, ErrTooManyFiles or ErrInput otherwise.
//
// Sign does not close w. On error, w holds a partial container.
func Sign(w io.Writer, files []File, signer crypto.Signer, chain []*x509.Certificate, opts ...Option) error {
	c := signConfig{level: flate.BestSpeed, storeIncomp: true}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&c); err != nil {
			return err
		}
	}
	if c.signingTime.IsZero() {
		c.signingTime = time.Now()
	}
	odf := c.profile == ProfileDPI
	if c.odf != nil {
		if *c.odf && c.profile == ProfileSignering {
			return ferr(ErrInput, "", "the Posten signering profile has no ODF manifest")
		}
		odf = *c.odf
	}
	if c.maxFiles == 0 {
		c.maxFiles = 202
		if c.profile == ProfileSignering {
			c.maxFiles = 21
		}
	}
	if signer == nil || len(chain) == 0 || chain[0] == nil {
		return ferr(ErrInput, "", "signer and certificate chain required")
	}
	if err := checkFiles(files, c.maxFiles); err != nil {
		return err
	}

	zw := zip.NewWriter(w)
	// One DEFLATE compressor (about 1 MB of state) for all entries.
	level := c.level
	if level == flate.NoCompression {
		level = flate.BestSpeed // for the small META-INF files
	}
	fw, err := flate.NewWriter(io.Discard, level)
	if err != nil {
		return err
	}
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		fw.Reset(out)
		return fw, nil
	})
	dosDate, dosTime := msDOSTime(c.signingTime)
	header := func(name string, method uint16) *zip.FileHeader {
		fh := &zip.FileHeader{Name: name, Method: method}
		// The legacy MS-DOS fields, not Modified: Modified adds an
		// extended-timestamp extra field, and the mimetype entry must
		// have none so that its content sits at offset 38.
		fh.ModifiedDate, fh.ModifiedTime = dosDate, dosTime //nolint:staticcheck // see above
		return fh
	}

	// Decide before any entry is open: the sampling uses fw.
	store := make([]bool, len(files))
	for i, f := range files {
		store[i] = c.level == flate.NoCompression || (c.storeIncomp && incompressible(fw, f.Data))
	}

	if c.profile == ProfileDPI {
		if err := writeStored(zw, header(mimetypeName, zip.Store), []byte(MimeType)); err != nil {
			return err
		}
	}

	refs := make([]xades.Reference, 0, len(files))
	for i, f := range files {
		sum, err := writeFile(zw, header(f.Name, zip.Deflate), f.Data, store[i])
		if err != nil {
			return err
		}
		refs = append(refs, xades.Reference{URI: referenceURI(f.Name, c.profile), MimeType: f.MimeType, Digest: sum})
	}

	ns := xades.NamespaceASiC
	if c.profile == ProfileSignering {
		ns = xades.NamespaceASiC2014
	}
	xopts := append([]xades.Option{
		xades.WithNamespace(ns),
		xades.WithCanonicalization(xades.C14N10),
		xades.WithSigningTime(c.signingTime),
	}, c.xadesOptions...)
	sig, err := xades.Sign(refs, signer, chain, xopts...)
	if err != nil {
		return err
	}
	if err := writeDeflated(zw, header(SignaturesName, zip.Deflate), sig); err != nil {
		return err
	}
	if odf {
		if err := writeDeflated(zw, header(ODFManifestName, zip.Deflate), odfManifest(files)); err != nil {
			return err
		}
	}
	return zw.Close()
}

func checkFiles(files []File, maxFiles int) error {
	if len(files) == 0 {
		return ferr(ErrInput, "", "no files")
	}
	if len(files) > maxFiles {
		return ferr(ErrTooManyFiles, "", itoa(len(files))+" files, at most "+itoa(maxFiles))
	}
	names := newNameSet()
	for _, f := range files {
		if r := checkName(f.Name, false); r != "" {
			return ferr(ErrUnsafeName, f.Name, r)
		}
		if isMetaInf(f.Name) {
			return ferr(ErrUnsafeName, f.Name, "META-INF/ is reserved for the container")
		}
		if strings.EqualFold(f.Name, mimetypeName) || strings.EqualFold(f.Name, "META-INF") {
			// Reserved in every profile: a reader would take a file
			// named mimetype for the container's media type.
			return ferr(ErrUnsafeName, f.Name, "reserved for the container")
		}
		if r := names.add(f.Name); r != "" {
			return ferr(ErrDuplicate, f.Name, r)
		}
		if !validMimeType(f.MimeType) {
			return ferr(ErrInput, f.Name, "missing or invalid MIME type")
		}
	}
	return nil
}

// validMimeType accepts type/subtype with optional parameters, printable
// ASCII only.
func validMimeType(m string) bool {
	if len(m) < 3 || len(m) > 255 {
		return false
	}
	for i := 0; i < len(m); i++ {
		if m[i] < 0x20 || m[i] > 0x7e {
			return false
		}
	}
	slash := strings.IndexByte(m, '/')
	return slash > 0 && slash < len(m)-1
}

// referenceURI is the Reference/@URI for an entry name: form-encoded for
// Posten signering (Java's URLEncoder: space becomes '+', '/' becomes
// %2F), percent-encoded otherwise (RFC 3986 unreserved characters and '/'
// kept), so that a name never reads as an absolute URI or a fragment.
func referenceURI(name string, p Profile) string {
	if p == ProfileSignering {
		return url.QueryEscape(name)
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isLetter(c) || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

const chunk = 256 << 10

// writeFile writes data as the entry fh, stored or deflated, returning its
// SHA-256.
func writeFile(zw *zip.Writer, fh *zip.FileHeader, data []byte, store bool) ([]byte, error) {
	if store {
		h := sha256.New()
		crc := crc32.NewIEEE()
		for p := data; len(p) > 0; {
			n := min(len(p), chunk)
			h.Write(p[:n])
			crc.Write(p[:n])
			p = p[n:]
		}
		fh.Method = zip.Store
		fh.CRC32 = crc.Sum32()
		if err := writeRaw(zw, fh, data); err != nil {
			return nil, err
		}
		return h.Sum(nil), nil
	}
	ew, err := zw.CreateHeader(fh)
	if err != nil {
		return nil, err
	}
	// Hash while compressing: for a large file the SHA-256 runs on another
	// core, reading the same bytes (no copy).
	var sum [sha256.Size]byte
	done := make(chan struct{})
	if len(data) >= parallelHash {
		go func() {
			sum = sha256.Sum256(data)
			close(done)
		}()
	} else {
		sum = sha256.Sum256(data)
		close(done)
	}
	for p := data; len(p) > 0; {
		n := min(len(p), chunk)
		if _, err := ew.Write(p[:n]); err != nil {
			<-done
			return nil, err
		}
		p = p[n:]
	}
	<-done
	return sum[:], nil
}

// parallelHash is the size from which writeFile hashes on another
// goroutine.
const parallelHash = 1 << 20

// writeStored writes a small stored entry with its sizes and CRC in the
// local header and no data descriptor.
func writeStored(zw *zip.Writer, fh *zip.FileHeader, data []byte) error {
	fh.CRC32 = crc32.ChecksumIEEE(data)
	return writeRaw(zw, fh, data)
}

func writeRaw(zw *zip.Writer, fh *zip.FileHeader, data []byte) error {
	fh.Method = zip.Store
	fh.CompressedSize64 = uint64(len(data))
	fh.UncompressedSize64 = uint64(len(data))
	if fh.UncompressedSize64 >= 1<<32-1 {
		return ferr(ErrTooLarge, fh.Name, "4 GiB or more")
	}
	fh.Flags |= utf8Flag(fh.Name)
	// CreateRaw leaves the versions zero; 1.0 is what a stored entry
	// needs (APPNOTE 4.4.3.2), as integrasjonspunkt writes the mimetype.
	fh.ReaderVersion = 10
	fh.CreatorVersion = 20
	w, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func writeDeflated(zw *zip.Writer, fh *zip.FileHeader, data []byte) error {
	w, err := zw.CreateHeader(fh)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// utf8Flag is general-purpose bit 11 for non-ASCII names (CreateHeader
// sets it itself; CreateRaw does not).
func utf8Flag(name string) uint16 {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return 0x800
		}
	}
	return 0
}

// incompressible reports whether a DEFLATE of the first 64 KiB of data
// saves less than 2%.
func incompressible(fw *flate.Writer, data []byte) bool {
	const sample = 64 << 10
	if len(data) < 4<<10 {
		return false
	}
	s := data[:min(len(data), sample)]
	var cw countWriter
	fw.Reset(&cw)
	fw.Write(s)
	fw.Close()
	return cw.n*100 >= int64(len(s))*98
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// msDOSTime converts t (in UTC) to the MS-DOS date and time of a ZIP header.
func msDOSTime(t time.Time) (date, tm uint16) {
	t = t.UTC()
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, tm
}

// odfManifest returns the ODF manifest (urn:oasis:names:tc:opendocument:
// xmlns:manifest:1.0) as integrasjonspunkt writes it: the container's media
// type for "/", then one entry per file.
func odfManifest(files []File) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString(`<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">` + "\n")
	entry := func(path, mime string) {
		b.WriteString(`    <manifest:file-entry manifest:full-path="`)
		xmlAttr(&b, path)
		b.WriteString(`" manifest:media-type="`)
		xmlAttr(&b, mime)
		b.WriteString(`"/>` + "\n")
	}
	entry("/", MimeType)
	for _, f := range files {
		entry(f.Name, f.MimeType)
	}
	b.WriteString(`</manifest:manifest>` + "\n")
	return b.Bytes()
}

func xmlAttr(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\t':
			b.WriteString("&#9;")
		case '\n':
			b.WriteString("&#10;")
		case '\r':
			b.WriteString("&#13;")
		default:
			b.WriteRune(r)
		}
	}
}
