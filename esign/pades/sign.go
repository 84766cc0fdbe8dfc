package pades

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/digitorus/pdf"

	"github.com/fellesgo/felles/esign/tsa"
	"github.com/fellesgo/felles/internal/cms"
	"github.com/fellesgo/felles/internal/pdfsig"
)

// Signer signs PDFs with one key and certificate chain.
type Signer struct {
	key   crypto.Signer
	chain []*x509.Certificate
	cfg   *config
}

// New returns a Signer for key and chain (leaf first; the root may be
// omitted). It returns an error for a nil key, an empty chain, an invalid
// option, or [WithLegacyProfile] combined with [WithTimestamp] or
// [WithVisible].
func New(key crypto.Signer, chain []*x509.Certificate, opts ...Option) (*Signer, error) {
	if key == nil {
		return nil, errors.New("pades: nil signer")
	}
	if len(chain) == 0 || chain[0] == nil {
		return nil, errors.New("pades: empty certificate chain")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.legacy && (cfg.tsa != nil || cfg.visible) {
		return nil, errors.New("pades: the legacy profile supports neither timestamps nor visible signatures")
	}
	return &Signer{key: key, chain: chain, cfg: cfg}, nil
}

// Sign is shorthand for New(signer, chain, opts...) followed by
// [Signer.Sign].
func Sign(ctx context.Context, in io.ReaderAt, size int64, out io.Writer, signer crypto.Signer, chain []*x509.Certificate, opts ...Option) error {
	s, err := New(signer, chain, opts...)
	if err != nil {
		return err
	}
	return s.Sign(ctx, in, size, out)
}

// Sign reads the PDF in (size bytes) and writes it to out with a PAdES
// signature appended as an incremental update. The original bytes are
// copied unchanged, so earlier signatures stay valid.
//
// Errors: a *[SizeError] when size exceeds [WithMaxSize], [ErrEncrypted],
// [ErrFieldName], [ErrContentsTooSmall] and [ErrMalformed] (all wrapped;
// test with [errors.Is] and [errors.As]), and the TSA's error (such as a
// *[tsa.Error]) when [WithTimestamp] was given.
func (s *Signer) Sign(ctx context.Context, in io.ReaderAt, size int64, out io.Writer) error {
	if size > s.cfg.maxSize {
		return &SizeError{Size: size, Limit: s.cfg.maxSize}
	}
	if s.cfg.legacy {
		// The same guard as Verify (writeSigned has its own): crafted
		// cross-reference data or nesting crashes the PDF reader beyond
		// recovery.
		if err := checkXrefBounds(in, size); err != nil {
			return err
		}
		return pdfsig.SignLegacy(in, size, out, s.key, s.chain, pdfsig.LegacyInfo{
			Name: s.cfg.name, Reason: s.cfg.reason, Location: s.cfg.location,
			ContactInfo: s.cfg.contact, Time: s.cfg.signingTime,
		})
	}
	est := 4096
	for _, c := range s.chain {
		est += len(c.Raw)
	}
	if s.cfg.tsa != nil {
		est += 12288
	}
	if s.cfg.contentsSize > 0 {
		est = s.cfg.contentsSize
	}
	t := s.cfg.signingTime
	if t.IsZero() {
		t = time.Now()
	}
	name := s.cfg.name
	if name == "" {
		name = s.chain[0].Subject.CommonName
	}
	return writeSigned(ctx, in, size, out, s.cfg, est, kindApproval, t, name, func(ctx context.Context, digest []byte) ([]byte, error) {
		der, err := cms.SignDetached(digest, s.key, s.chain, cms.SignOptions{Hash: crypto.SHA256})
		if err != nil {
			return nil, fmt.Errorf("pades: %w", err)
		}
		if s.cfg.tsa == nil {
			return der, nil
		}
		sd, err := cms.Parse(der)
		if err != nil {
			return nil, fmt.Errorf("pades: %w", err)
		}
		h := sha256.Sum256(sd.Signature)
		tok, err := s.cfg.tsa.Timestamp(ctx, crypto.SHA256, h[:])
		if err != nil {
			return nil, fmt.Errorf("pades: signature timestamp: %w", err)
		}
		der, err = cms.AddSignatureTimestamp(der, tok.Raw)
		if err != nil {
			return nil, fmt.Errorf("pades: %w", err)
		}
		return der, nil
	})
}

// Timestamp adds a document timestamp (/Type /DocTimeStamp, /SubFilter
// /ETSI.RFC3161) from ts to the PDF in, as an incremental update written to
// out. The token's time is the time of the timestamp; options other than
// [WithFieldName], [WithMaxSize], [WithContentsSize] and [WithVisible] are
// ignored. Errors are as for [Signer.Sign].
func Timestamp(ctx context.Context, in io.ReaderAt, size int64, out io.Writer, ts tsa.Timestamper, opts ...Option) error {
	if ts == nil {
		return errors.New("pades: nil timestamper")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	if size > cfg.maxSize {
		return &SizeError{Size: size, Limit: cfg.maxSize}
	}
	est := 16384
	if cfg.contentsSize > 0 {
		est = cfg.contentsSize
	}
	return writeSigned(ctx, in, size, out, cfg, est, kindDocTimestamp, time.Now(), "", func(ctx context.Context, digest []byte) ([]byte, error) {
		tok, err := ts.Timestamp(ctx, crypto.SHA256, digest)
		if err != nil {
			return nil, fmt.Errorf("pades: document timestamp: %w", err)
		}
		return tok.Raw, nil
	})
}

type sigKind int

const (
	kindApproval sigKind = iota
	kindDocTimestamp
)

// hashSection writes the first size bytes of in to h, in large reads,
// giving up (with no error) when stop is set.
func hashSection(h hash.Hash, in io.ReaderAt, size int64, stop *atomic.Bool) error {
	buf := make([]byte, 1<<20)
	for off := int64(0); off < size && !stop.Load(); {
		n, err := in.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		h.Write(buf[:n])
		off += int64(n)
		if err != nil && !(err == io.EOF && off == size) {
			return fmt.Errorf("pades: reading input: %w", err)
		}
	}
	return nil
}

func writeSigned(ctx context.Context, in io.ReaderAt, size int64, out io.Writer, cfg *config, est int, kind sigKind, t time.Time, name string, makeCMS func(context.Context, []byte) ([]byte, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Hash the original (the start of the first byte range) while it is
	// checked and parsed: the two passes over a large file take about as
	// long as each other.
	var stopHash atomic.Bool
	hashed := make(chan error, 1)
	base := sha256.New()
	go func() { hashed <- hashSection(base, in, size, &stopHash) }()
	defer func() {
		stopHash.Store(true)
		<-hashed // never leave a goroutine reading the caller's input
	}()
	if err := checkXrefBounds(in, size); err != nil {
		return err
	}
	build := func(contentsSize int) (*update, error) {
		var u *update
		var buildErr error
		err := pdfsig.Safe(func() error {
			rd, err := pdf.NewReader(in, size)
			if errors.Is(err, pdf.ErrInvalidPassword) {
				buildErr = ErrEncrypted
				return nil
			}
			if err != nil {
				return err
			}
			u, buildErr = buildUpdate(rd, in, size, cfg, kind, t, name, contentsSize)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		if buildErr != nil {
			if errors.Is(buildErr, ErrEncrypted) || errors.Is(buildErr, ErrFieldName) {
				return nil, buildErr
			}
			return nil, fmt.Errorf("%w: %v", ErrMalformed, buildErr)
		}
		return u, nil
	}
	u, err := build(est)
	if err != nil {
		return err
	}
	// The original is hashed once; its state is cloned for each attempt.
	err = <-hashed
	hashed <- err // for the deferred wait
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		h := base.(hash.Cloner)
		hh, err := h.Clone()
		if err != nil {
			return err
		}
		u.fillByteRange(size)
		hh.Write(u.buf[:u.contentsStart])
		hh.Write(u.buf[u.contentsEnd:])
		der, err := makeCMS(ctx, hh.Sum(nil))
		if err != nil {
			return err
		}
		if room := (u.contentsEnd - u.contentsStart - 2) / 2; len(der) > room {
			if attempt > 0 || cfg.contentsSize > 0 {
				return fmt.Errorf("%w: %d bytes needed, %d reserved", ErrContentsTooSmall, len(der), room)
			}
			// Grow the placeholder and sign again (a second signature and,
			// for B-T, a second TSA request).
			if u, err = build(len(der) + 4096); err != nil {
				return err
			}
			continue
		}
		hex.Encode(u.buf[u.contentsStart+1:], der)
		if _, err := io.Copy(out, io.NewSectionReader(in, 0, size)); err != nil {
			return fmt.Errorf("pades: writing output: %w", err)
		}
		if _, err := out.Write(u.buf); err != nil {
			return fmt.Errorf("pades: writing output: %w", err)
		}
		return nil
	}
}

// update is an incremental update being built.
type update struct {
	buf                        []byte
	prefix                     int // bytes before the first object (EOL)
	byteRangeAt                int // offset of the '[' of /ByteRange
	contentsStart, contentsEnd int // '<' and just after '>'
}

const byteRangeWidth = 44

func (u *update) fillByteRange(size int64) {
	a := size + int64(u.contentsStart)
	b := size + int64(u.contentsEnd)
	c := int64(len(u.buf) - u.contentsEnd)
	s := fmt.Sprintf("[0 %d %d %d]", a, b, c)
	for len(s) < byteRangeWidth {
		s += " "
	}
	copy(u.buf[u.byteRangeAt:], s)
}

// objWriter accumulates objects and their offsets.
type objWriter struct {
	w       bytes.Buffer
	base    int64 // file offset of w's first byte
	offsets map[uint32]int64
	gens    map[uint32]uint16
}

func (o *objWriter) begin(r ref) {
	o.offsets[r.id] = o.base + int64(o.w.Len())
	o.gens[r.id] = r.gen
	fmt.Fprintf(&o.w, "%d %d obj\n", r.id, r.gen)
}

func (o *objWriter) end() { o.w.WriteString("\nendobj\n") }

func buildUpdate(rd *pdf.Reader, in io.ReaderAt, size int64, cfg *config, kind sigKind, t time.Time, name string, contentsSize int) (*update, error) {
	trailer := rd.Trailer()
	if !trailer.Key("Encrypt").IsNull() {
		return nil, ErrEncrypted
	}
	root := trailer.Key("Root")
	if root.Kind() != pdf.Dict {
		return nil, errors.New("no document catalog")
	}
	rootRef := ptrOf(root)
	next := uint32(trailer.Key("Size").Int64())
	if next == 0 || int64(next) > 8<<20 {
		return nil, errors.New("bad trailer /Size")
	}
	xrefStream := rd.XrefInformation.Type == "stream"

	pages := findPages(root, 1<<16)
	pageNo := 1
	if cfg.visible {
		pageNo = cfg.page
	}
	if len(pages) < pageNo {
		return nil, fmt.Errorf("document has %d pages, wanted page %d", len(pages), pageNo)
	}
	page := pages[pageNo-1]
	pageRef := ptrOf(page)

	// Existing fields and a free field name.
	acro := root.Key("AcroForm")
	fields := acro.Key("Fields")
	used := map[string]bool{}
	for i := 0; i < fields.Len() && i < 1<<16; i++ {
		used[fields.Index(i).Key("T").Text()] = true
	}
	fieldName := cfg.fieldName
	if fieldName == "" {
		prefix := "Signature"
		if kind == kindDocTimestamp {
			prefix = "DocTimeStamp"
		}
		for n := 1; ; n++ {
			fieldName = prefix + strconv.Itoa(n)
			if !used[fieldName] {
				break
			}
		}
	} else if used[fieldName] {
		return nil, fmt.Errorf("%w: %q", ErrFieldName, fieldName)
	}

	last, err := lastByte(in, size)
	if err != nil {
		return nil, err
	}
	u := &update{}
	o := &objWriter{offsets: map[uint32]int64{}, gens: map[uint32]uint16{}}
	if last != '\n' && last != '\r' {
		o.w.WriteByte('\n')
	}
	o.base = size

	sigRef := ref{next, 0}
	widgetRef := ref{next + 1, 0}
	apRef := ref{next + 2, 0}
	next += 2
	if cfg.visible {
		next++
	}

	// Signature dictionary.
	o.begin(sigRef)
	if kind == kindDocTimestamp {
		o.w.WriteString("<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161\n")
	} else {
		o.w.WriteString("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n")
	}
	o.w.WriteString(" /ByteRange ")
	u.byteRangeAt = o.w.Len()
	o.w.Write(bytes.Repeat([]byte(" "), byteRangeWidth))
	o.w.WriteString("\n /Contents ")
	u.contentsStart = o.w.Len()
	o.w.WriteByte('<')
	o.w.Write(bytes.Repeat([]byte("0"), 2*contentsSize))
	o.w.WriteByte('>')
	u.contentsEnd = o.w.Len()
	o.w.WriteByte('\n')
	if kind == kindApproval {
		o.w.WriteString(" /M " + pdfDate(t) + "\n")
		if name != "" {
			o.w.WriteString(" /Name " + textString(name) + "\n")
		}
		if cfg.reason != "" {
			o.w.WriteString(" /Reason " + textString(cfg.reason) + "\n")
		}
		if cfg.location != "" {
			o.w.WriteString(" /Location " + textString(cfg.location) + "\n")
		}
		if cfg.contact != "" {
			o.w.WriteString(" /ContactInfo " + textString(cfg.contact) + "\n")
		}
	}
	o.w.WriteString(">>")
	o.end()

	// Widget annotation / signature field.
	rect := [4]float64{}
	if cfg.visible {
		rect = cfg.rect
	}
	o.begin(widgetRef)
	fmt.Fprintf(&o.w, "<< /Type /Annot /Subtype /Widget /FT /Sig /T %s /V %s /P %s /F 132\n /Rect [%s %s %s %s]",
		textString(fieldName), sigRef, pageRef, num(rect[0]), num(rect[1]), num(rect[2]), num(rect[3]))
	if cfg.visible {
		fmt.Fprintf(&o.w, "\n /AP << /N %s >>", apRef)
	}
	o.w.WriteString(" >>")
	o.end()

	if cfg.visible {
		stream := appearance(rect[2]-rect[0], rect[3]-rect[1], kind, name, t, cfg.text)
		o.begin(apRef)
		fmt.Fprintf(&o.w, "<< /Type /XObject /Subtype /Form /BBox [0 0 %s %s] /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >> /Length %d >>\nstream\n",
			num(rect[2]-rect[0]), num(rect[3]-rect[1]), len(stream))
		o.w.Write(stream)
		o.w.WriteString("\nendstream")
		o.end()
	}

	// New revision of the page with the widget in /Annots.
	o.begin(pageRef)
	o.w.WriteString("<<\n")
	writeDictEntries(&o.w, page, pageRef, "Annots")
	o.w.WriteString(" /Annots [")
	annots := page.Key("Annots")
	annotsContainer := pageRef
	if p := ptrOf(annots); !annots.IsNull() && p != pageRef {
		annotsContainer = p
	}
	for i := 0; i < annots.Len() && i < 1<<16; i++ {
		writeValue(&o.w, annots.Index(i), annotsContainer, 1)
		o.w.WriteByte(' ')
	}
	o.w.WriteString(widgetRef.String() + "]\n>>")
	o.end()

	// AcroForm: a new revision of the indirect AcroForm object, or of the
	// catalog with a direct one.
	writeAcro := func(container ref) {
		o.w.WriteString("<<\n")
		if !acro.IsNull() {
			writeDictEntries(&o.w, acro, container, "Fields", "SigFlags")
		}
		o.w.WriteString(" /Fields [")
		fc := container
		if p := ptrOf(fields); !fields.IsNull() && p != container {
			fc = p
		}
		for i := 0; i < fields.Len() && i < 1<<16; i++ {
			writeValue(&o.w, fields.Index(i), fc, 1)
			o.w.WriteByte(' ')
		}
		o.w.WriteString(widgetRef.String() + "]\n /SigFlags 3\n>>")
	}
	if p := ptrOf(acro); acro.Kind() == pdf.Dict && p != rootRef {
		o.begin(p)
		writeAcro(p)
		o.end()
	} else {
		o.begin(rootRef)
		o.w.WriteString("<<\n")
		writeDictEntries(&o.w, root, rootRef, "AcroForm")
		o.w.WriteString(" /AcroForm ")
		writeAcro(rootRef)
		o.w.WriteString("\n>>")
		o.end()
	}

	// Trailer entries.
	var tr bytes.Buffer
	fmt.Fprintf(&tr, " /Root %s", rootRef)
	if info := trailer.Key("Info"); info.Kind() == pdf.Dict {
		fmt.Fprintf(&tr, " /Info %s", ptrOf(info))
	}
	id0 := []byte(trailer.Key("ID").Index(0).RawString())
	id1 := make([]byte, 16)
	_, _ = rand.Read(id1)
	if len(id0) == 0 {
		id0 = id1
	}
	tr.WriteString(" /ID [")
	writeHexString(&tr, id0)
	writeHexString(&tr, id1)
	tr.WriteString("]")
	fmt.Fprintf(&tr, " /Prev %d", rd.XrefInformation.StartPos)

	xrefAt := o.base + int64(o.w.Len())
	if xrefStream {
		xref := ref{next, 0}
		next++
		o.offsets[xref.id] = xrefAt
		o.gens[xref.id] = 0
		data, index := xrefStreamData(o.offsets, o.gens)
		fmt.Fprintf(&o.w, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%s]%s /Length %d >>\nstream\n", xref.id, next, index, tr.String(), len(data))
		o.w.Write(data)
		o.w.WriteString("\nendstream\nendobj\n")
	} else {
		o.w.WriteString("xref\n")
		writeXrefTable(&o.w, o.offsets, o.gens)
		fmt.Fprintf(&o.w, "trailer\n<< /Size %d%s >>\n", next, tr.String())
	}
	fmt.Fprintf(&o.w, "startxref\n%d\n%%%%EOF\n", xrefAt)
	u.buf = o.w.Bytes()
	return u, nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func sortedIDs(offsets map[uint32]int64) []uint32 {
	ids := make([]uint32, 0, len(offsets))
	for id := range offsets {
		ids = append(ids, id)
	}
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	return ids
}

func writeXrefTable(w *bytes.Buffer, offsets map[uint32]int64, gens map[uint32]uint16) {
	ids := sortedIDs(offsets)
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j] == ids[j-1]+1 {
			j++
		}
		fmt.Fprintf(w, "%d %d\n", ids[i], j-i)
		for _, id := range ids[i:j] {
			fmt.Fprintf(w, "%010d %05d n\r\n", offsets[id], gens[id])
		}
		i = j
	}
}

func xrefStreamData(offsets map[uint32]int64, gens map[uint32]uint16) ([]byte, string) {
	ids := sortedIDs(offsets)
	var data []byte
	var index bytes.Buffer
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j] == ids[j-1]+1 {
			j++
		}
		if index.Len() > 0 {
			index.WriteByte(' ')
		}
		fmt.Fprintf(&index, "%d %d", ids[i], j-i)
		for _, id := range ids[i:j] {
			off := offsets[id]
			g := gens[id]
			data = append(data, 1, byte(off>>24), byte(off>>16), byte(off>>8), byte(off), byte(g>>8), byte(g))
		}
		i = j
	}
	return data, index.String()
}
