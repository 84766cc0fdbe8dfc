package pades

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/digitorus/pdf"

	"github.com/fellesgo/felles/esign/tsa"
	"github.com/fellesgo/felles/internal/cms"
	"github.com/fellesgo/felles/internal/pdfsig"
)

// Kind tells approval signatures from document timestamps.
type Kind int

const (
	// KindApproval is a signature by a person or organisation.
	KindApproval Kind = iota + 1
	// KindDocTimestamp is a document timestamp (/SubFilter /ETSI.RFC3161).
	KindDocTimestamp
)

// String returns "approval", "document timestamp" or "unknown".
func (k Kind) String() string {
	switch k {
	case KindApproval:
		return "approval"
	case KindDocTimestamp:
		return "document timestamp"
	}
	return "unknown"
}

// Coverage says what part of the file a signature covers.
type Coverage int

const (
	// CoverageUnclear: the byte range is malformed or ends inside a revision.
	CoverageUnclear Coverage = iota
	// CoverageEntireFile: everything but the signature value is covered.
	CoverageEntireFile
	// CoverageRevision: an earlier revision is covered entirely and bytes
	// were appended after it (see AppendedBytes and Changes).
	CoverageRevision
)

// String returns "entire file", "revision" or "unclear".
func (c Coverage) String() string {
	switch c {
	case CoverageEntireFile:
		return "entire file"
	case CoverageRevision:
		return "revision"
	}
	return "unclear"
}

// Anomaly is a machine-readable finding about a signature's byte range or
// what follows it.
type Anomaly string

// The anomalies Verify reports.
const (
	AnomalyMalformedByteRange Anomaly = "malformed-byterange"   // not [0 a b c] with non-negative integers
	AnomalyNotFromStart       Anomaly = "not-from-start"        // first range does not start at 0
	AnomalyOverlap            Anomaly = "overlapping-ranges"    // a >= b
	AnomalyBeyondFile         Anomaly = "range-beyond-file"     // b+c > size
	AnomalyGapMismatch        Anomaly = "gap-not-contents"      // bytes a..b are not exactly the /Contents hex string
	AnomalyNotRevisionEnd     Anomaly = "tail-uncovered"        // range ends inside a revision (not at %%EOF)
	AnomalyIncrementalUpdate  Anomaly = "incremental-update"    // bytes were appended after the signed revision
	AnomalyUnsafeChange       Anomaly = "unsafe-change"         // an update after the signature changed content
	AnomalyTrailingGarbage    Anomaly = "trailing-bytes"        // bytes after the last %%EOF
	AnomalyUnreachable        Anomaly = "unreachable-signature" // signature dictionary not reachable from the AcroForm
)

// SignatureReport is the verdict on one signature or document timestamp.
type SignatureReport struct {
	// FieldName is the signature field's /T ("" for a signature found
	// only by scanning the file).
	FieldName string
	// SubFilter is the signature dictionary's /SubFilter, such as
	// "ETSI.CAdES.detached", "ETSI.RFC3161" or "adbe.pkcs7.detached".
	SubFilter string
	// Kind tells approval signatures from document timestamps.
	Kind Kind
	// Signer is the signing (or, for document timestamps, TSA) certificate.
	Signer *x509.Certificate
	// Chain is the verified chain (nil when chain verification failed).
	Chain []*x509.Certificate
	// SigningTime is the signer's claimed time (/M, or the CMS
	// signing-time of a legacy signature), or a document timestamp's time.
	SigningTime time.Time
	// Timestamp is the time of a verified signature timestamp or document
	// timestamp.
	Timestamp *time.Time
	// ByteRange is the signature's /ByteRange as found.
	ByteRange []int64
	// Coverage says what part of the file the byte range covers.
	Coverage Coverage
	// Revision is the 1-based number of the revision the signature covers
	// (counted by %%EOF markers), 0 when the coverage is unclear.
	Revision int
	// AppendedBytes is how many bytes follow the signed range.
	AppendedBytes int64
	// Changes describes what the updates after the signature changed.
	Changes []string
	// Anomalies lists coverage findings.
	Anomalies []Anomaly
	// Deviations lists departures from the PAdES baseline profile that do
	// not make the signature invalid (e.g. a CMS signing-time attribute).
	Deviations []string
	// Valid is true when the integrity, chain, timestamp and coverage
	// checks all passed; Reasons says why not.
	Valid   bool
	Reasons []string

	// recheck verifies the chain again at another time; set when the
	// chain check was the only failure of a signature with no timestamp of
	// its own, for a later document timestamp to prove its existence.
	recheck func(at time.Time) ([][]*x509.Certificate, error)
}

// Report is the result of [Verify].
type Report struct {
	// Size is the size of the PDF in bytes.
	Size int64
	// Revisions is the number of revisions (%%EOF markers).
	Revisions int
	// Signatures has one entry per signature and document timestamp.
	Signatures []SignatureReport
}

// Valid reports whether the document has at least one signature and every
// signature is valid (which includes that nothing unsafe was added after it).
func (r *Report) Valid() bool {
	if r == nil || len(r.Signatures) == 0 {
		return false
	}
	for _, s := range r.Signatures {
		if !s.Valid {
			return false
		}
	}
	return true
}

const maxGap = 4 << 20

var oidData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}

type found struct {
	field string
	dict  pdf.Value
	br    []int64
	raw   bool  // only found by scanning
	err   error // why the AcroForm walk failed, if it did
}

// Verify checks every signature and document timestamp in the PDF in.
// Invalid signatures are reported in the Report, not as an error; check
// [Report.Valid]. An error is returned only for an invalid option, a PDF
// larger than [VerifyOptions.MaxSize] (*[SizeError]), one that cannot be
// read or parsed ([ErrMalformed]), one with more than [MaxSignatures]
// signatures ([ErrTooManySignatures]), or when ctx is done.
func Verify(ctx context.Context, in io.ReaderAt, size int64, opts VerifyOptions) (*Report, error) {
	cfg, err := newVerifyConfig(opts)
	if err != nil {
		return nil, err
	}
	if size > cfg.maxSize {
		return nil, &SizeError{Size: size, Limit: cfg.maxSize}
	}
	sc, err := scan(in, size)
	if err != nil {
		return nil, err
	}
	rep := &Report{Size: size, Revisions: len(sc.revEnds)}
	var rd *pdf.Reader
	var sigs []found
	var acroErr error
	err = pdfsig.Safe(func() error {
		var e error
		rd, e = pdf.NewReader(in, size)
		if e != nil {
			return e
		}
		sigs, acroErr = acroSignatures(rd)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	// Signature dictionaries found by scanning but not via the AcroForm.
	for _, br := range sc.byteRanges {
		match := false
		for _, s := range sigs {
			if equalInts(s.br, br) {
				match = true
			}
		}
		if !match {
			sigs = append(sigs, found{br: br, raw: true, err: acroErr})
		}
	}
	if acroErr != nil && len(sigs) == 0 {
		return nil, fmt.Errorf("%w: signature fields cannot be read: %v", ErrMalformed, acroErr)
	}
	if len(sigs) > MaxSignatures {
		return nil, fmt.Errorf("%w: %d (limit %d)", ErrTooManySignatures, len(sigs), MaxSignatures)
	}
	for _, f := range sigs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rep.Signatures = append(rep.Signatures, verifyOne(in, size, rd, sc, f, cfg))
	}
	proveExistence(rep.Signatures, cfg.now)
	return rep, nil
}

// proveExistence gives a signature whose chain did not verify now, and
// which has no signature timestamp, a second chance: a valid document
// timestamp over a later revision proves the signature existed at the
// timestamp's time, so its chain is checked at that time instead (as
// PAdES B-LTA validation does; revocation is not checked, see the package
// documentation). This is what keeps a sealed and archive-timestamped
// document valid after the sealing certificate expires. Only a proof from
// no later than the validation time now counts: one from after it says
// nothing about the signature then (a certificate not yet valid at now
// must not pass because it was valid later).
func proveExistence(sigs []SignatureReport, now time.Time) {
	for i := range sigs {
		s := &sigs[i]
		if s.recheck == nil || len(s.Reasons) != 1 || len(s.ByteRange) != 4 {
			continue
		}
		end := s.ByteRange[2] + s.ByteRange[3]
		var poe *time.Time
		for _, d := range sigs {
			if d.Kind != KindDocTimestamp || !d.Valid || d.Timestamp == nil || len(d.ByteRange) != 4 || d.ByteRange[2]+d.ByteRange[3] < end || d.Timestamp.After(now) {
				continue
			}
			if poe == nil || d.Timestamp.Before(*poe) {
				poe = d.Timestamp
			}
		}
		if poe == nil {
			continue
		}
		chains, err := s.recheck(*poe)
		if err != nil {
			continue
		}
		s.Reasons, s.Valid = nil, true
		s.Chain = chains[0]
		s.Deviations = append(s.Deviations, fmt.Sprintf("certificate chain checked at %s, when a later document timestamp proves the signature existed", poe.UTC().Format(time.RFC3339)))
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// acroSignatures walks the AcroForm field tree for signature fields.
func acroSignatures(rd *pdf.Reader) (out []found, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = pdfsig.Safe(func() error { panic(p) })
		}
	}()
	fields := rd.Trailer().Key("Root").Key("AcroForm").Key("Fields")
	count := 0
	var walk func(f pdf.Value, name string, depth int)
	walk = func(f pdf.Value, name string, depth int) {
		count++
		if depth > 32 || count > 10000 {
			return
		}
		if t := f.Key("T").Text(); t != "" {
			if name != "" {
				name += "."
			}
			name += t
		}
		if f.Key("FT").Name() == "Sig" {
			v := f.Key("V")
			if v.Kind() == pdf.Dict {
				out = append(out, found{field: name, dict: v, br: intArray(v.Key("ByteRange"))})
			}
		}
		kids := f.Key("Kids")
		for i := 0; i < kids.Len(); i++ {
			walk(kids.Index(i), name, depth+1)
		}
	}
	for i := 0; i < fields.Len(); i++ {
		walk(fields.Index(i), "", 0)
	}
	return out, nil
}

func intArray(v pdf.Value) []int64 {
	if v.Kind() != pdf.Array {
		return nil
	}
	out := make([]int64, 0, v.Len())
	for i := 0; i < v.Len() && i < 64; i++ {
		e := v.Index(i)
		if e.Kind() != pdf.Integer {
			return append(out, -1)
		}
		out = append(out, e.Int64())
	}
	return out
}

func (s *SignatureReport) fail(format string, args ...any) {
	s.Reasons = append(s.Reasons, fmt.Sprintf(format, args...))
}

func (s *SignatureReport) anomaly(a Anomaly, format string, args ...any) {
	s.Anomalies = append(s.Anomalies, a)
	s.fail(format, args...)
}

func verifyOne(in io.ReaderAt, size int64, rd *pdf.Reader, sc *scanResult, f found, cfg *verifyConfig) (sr SignatureReport) {
	sr.FieldName = f.field
	sr.ByteRange = f.br
	defer func() {
		if p := recover(); p != nil {
			sr.fail("%v", pdfsig.Safe(func() error { panic(p) }))
		}
		sr.Valid = len(sr.Reasons) == 0
	}()
	var contents []byte
	var mTime string
	if f.raw && f.err != nil {
		sr.anomaly(AnomalyUnreachable, "signature dictionary with /ByteRange %v cannot be read: %v", f.br, f.err)
	} else if f.raw {
		sr.anomaly(AnomalyUnreachable, "signature dictionary with /ByteRange %v is not reachable from the document's AcroForm", f.br)
	} else {
		sr.SubFilter = f.dict.Key("SubFilter").Name()
		contents = []byte(f.dict.Key("Contents").RawString())
		mTime = f.dict.Key("M").Text()
	}
	switch sr.SubFilter {
	case "ETSI.RFC3161":
		sr.Kind = KindDocTimestamp
	default:
		sr.Kind = KindApproval
	}
	br := f.br
	if len(br) != 4 {
		sr.anomaly(AnomalyMalformedByteRange, "/ByteRange %v does not have four entries", br)
		return
	}
	for _, x := range br {
		if x < 0 {
			sr.anomaly(AnomalyMalformedByteRange, "/ByteRange %v has a negative or non-integer entry", br)
			return
		}
	}
	a, b, c := br[1], br[2], br[3]
	ok := true
	if br[0] != 0 {
		sr.anomaly(AnomalyNotFromStart, "/ByteRange %v does not start at 0", br)
		ok = false
	}
	if a >= b {
		sr.anomaly(AnomalyOverlap, "/ByteRange %v: ranges overlap or touch", br)
		ok = false
	}
	if b > size || c > size-b || a > size { // not b+c > size: that can overflow
		sr.anomaly(AnomalyBeyondFile, "/ByteRange %v ends beyond the file (%d bytes)", br, size)
		ok = false
	}
	if !ok {
		return
	}
	if b-a > maxGap {
		sr.anomaly(AnomalyGapMismatch, "gap between ranges is %d bytes, too big", b-a)
		return
	}
	gap := make([]byte, b-a)
	if _, err := in.ReadAt(gap, a); err != nil && err != io.EOF {
		sr.fail("reading signature value: %v", err)
		return
	}
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' {
		sr.anomaly(AnomalyGapMismatch, "bytes %d..%d are not a hex string", a, b)
	} else if dec, err := hex.DecodeString(string(gap[1 : len(gap)-1])); err != nil {
		sr.anomaly(AnomalyGapMismatch, "bytes %d..%d are more than the /Contents hex string (gap too big)", a, b)
	} else if f.raw {
		contents = dec
	} else if !bytes.Equal(dec, contents) {
		sr.anomaly(AnomalyGapMismatch, "bytes %d..%d are not the signature dictionary's /Contents", a, b)
	}
	end := b + c
	switch {
	case end == size:
		sr.Coverage = CoverageEntireFile
		sr.Revision = sc.revIndex(end)
	case sc.isRevEnd(end):
		sr.Coverage = CoverageRevision
		sr.Revision = sc.revIndex(end)
		sr.AppendedBytes = size - end
		sr.Anomalies = append(sr.Anomalies, AnomalyIncrementalUpdate)
		changes, unsafe := diffRevisions(in, end, size, rd)
		sr.Changes = changes
		if unsafe {
			sr.anomaly(AnomalyUnsafeChange, "an incremental update after the signature changes the document")
		}
	default:
		sr.Coverage = CoverageUnclear
		sr.AppendedBytes = size - end
		sr.anomaly(AnomalyNotRevisionEnd, "signed range ends at %d, not at the end of a revision: part of the signed revision is uncovered", end)
	}
	if end < size && sc.lastRevEnd < size && !sc.trailingSpaceOnly {
		sr.anomaly(AnomalyTrailingGarbage, "%d bytes after the last %%%%EOF are not part of any revision", size-sc.lastRevEnd)
	}
	if len(contents) == 0 {
		sr.fail("empty /Contents")
		return
	}
	sd, err := cms.Parse(contents)
	if err != nil {
		sr.fail("signature value: %v", err)
		return
	}
	h := sd.Hash
	if sr.Kind == KindDocTimestamp {
		tok, err := tsa.Parse(sd.Raw)
		if err != nil {
			sr.fail("document timestamp: %v", err)
			return
		}
		h = tok.Hash
		if err := cfg.checkHash(h, tok.Hash); err != nil {
			sr.fail("document timestamp: %v", err)
			return
		}
		digest, err := rangeDigest(in, h, a, b, c)
		if err != nil {
			sr.fail("%v", err)
			return
		}
		sr.Signer = tok.Signer
		tt := tok.Time
		sr.SigningTime = tt
		if err := tok.Verify(h, digest, cfg.roots, cfg.intermediates); err != nil {
			sr.fail("document timestamp: %v", err)
			return
		}
		sr.Signer = tok.Signer
		sr.Timestamp = &tt
		return
	}
	switch sr.SubFilter {
	case "ETSI.CAdES.detached":
		if sd.HasSigningTime {
			sr.Deviations = append(sr.Deviations, "CMS signing-time attribute present (PAdES baseline puts the time in /M)")
		}
		if !sd.HasSigningCertificateV2 {
			sr.Deviations = append(sr.Deviations, "no ESS signing-certificate-v2 attribute (required by PAdES baseline)")
		}
	case "adbe.pkcs7.detached":
		sr.Deviations = append(sr.Deviations, "legacy adbe.pkcs7.detached signature, not PAdES baseline")
	default:
		sr.fail("unsupported /SubFilter %q", sr.SubFilter)
		return
	}
	sr.Signer = sd.Signer
	if sd.Signer == nil {
		sr.fail("signer certificate not in the CMS")
		return
	}
	if !sd.ContentType.Equal(oidData) || sd.Content != nil {
		sr.fail("CMS is not a detached signature over id-data")
	}
	if h == 0 || !h.Available() {
		sr.fail("unsupported digest algorithm")
		return
	}
	if err := cfg.checkHash(h, sd.SignatureAlgorithm); err != nil {
		sr.fail("%v", err)
		return
	}
	digest, err := rangeDigest(in, h, a, b, c)
	if err != nil {
		sr.fail("%v", err)
		return
	}
	if err := sd.VerifySignature(digest); err != nil {
		sr.fail("signature does not verify: %v", err)
		return
	}
	// VerifySignature settles on the certificate whose key verifies.
	sr.Signer = sd.Signer
	if sd.HasSigningCertificateV2 && !sd.SigningCertificateV2Matches {
		sr.fail("ESS signing-certificate-v2 does not match the signer certificate")
	}
	// The chain is checked when the signature is known to have existed: at
	// its timestamp's time, else now (or the caller's WithTime). The claimed
	// time (/M, or a CMS signing-time) is the signer's own word, so it can
	// not make an expired or later revoked certificate valid.
	at := cfg.now
	if t, ok := parsePDFDate(mTime); ok {
		sr.SigningTime = t
	} else if sd.HasSigningTime {
		sr.SigningTime = sd.SigningTime
	}
	if sd.SignatureTimestamp != nil {
		tok, err := tsa.Parse(sd.SignatureTimestamp)
		if err != nil {
			sr.fail("signature timestamp: %v", err)
		} else {
			th := tok.Hash
			if th == 0 || !th.Available() {
				th = crypto.SHA256
			}
			hh := th.New()
			hh.Write(sd.Signature)
			if err := cfg.checkHash(th); err != nil {
				sr.fail("signature timestamp: %v", err)
			} else if err := tok.Verify(th, hh.Sum(nil), cfg.roots, cfg.intermediates); err != nil {
				sr.fail("signature timestamp: %v", err)
			} else {
				tt := tok.Time
				sr.Timestamp = &tt
				if !sr.SigningTime.IsZero() && sr.SigningTime.After(tt.Add(5*time.Minute)) {
					sr.Deviations = append(sr.Deviations, fmt.Sprintf("claimed signing time %s is after the signature timestamp %s", sr.SigningTime.UTC().Format(time.RFC3339), tt.UTC().Format(time.RFC3339)))
				}
				at = tt
			}
		}
	}
	chains, err := sd.VerifyChain(cfg.roots, cfg.intermediates, at)
	if err != nil {
		if sr.Timestamp == nil && len(sr.Reasons) == 0 {
			sr.recheck = func(at time.Time) ([][]*x509.Certificate, error) {
				return sd.VerifyChain(cfg.roots, cfg.intermediates, at)
			}
		}
		sr.fail("certificate chain: %v", err)
		return
	}
	if len(chains) > 0 {
		sr.Chain = chains[0]
	}
	return
}

func rangeDigest(in io.ReaderAt, h crypto.Hash, a, b, c int64) ([]byte, error) {
	if h == 0 || !h.Available() {
		return nil, errors.New("unsupported digest algorithm")
	}
	hh := h.New()
	if _, err := io.Copy(hh, io.NewSectionReader(in, 0, a)); err != nil {
		return nil, fmt.Errorf("reading signed range: %w", err)
	}
	if _, err := io.Copy(hh, io.NewSectionReader(in, b, c)); err != nil {
		return nil, fmt.Errorf("reading signed range: %w", err)
	}
	return hh.Sum(nil), nil
}

// checkHash refuses SHA-1 (as a digest, or the digest of a signature
// algorithm) unless VerifyOptions.LegacyAlgorithms is set.
func (cfg *verifyConfig) checkHash(algs ...any) error {
	if cfg.legacy {
		return nil
	}
	for _, a := range algs {
		switch a {
		case crypto.SHA1, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
			return errors.New("SHA-1 is not accepted (see VerifyOptions.LegacyAlgorithms)")
		}
	}
	return nil
}
