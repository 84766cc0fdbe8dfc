// Package pdfsig is the seam between felles and github.com/digitorus/pdfsign
// and github.com/digitorus/pdf. Everything felles uses from those modules
// goes through here, so that a later PAdES-capable pdfsign release (or
// another implementation) can take over in one place.
//
// The pdfsign release usable with Go 1.26 writes only adbe.pkcs7.detached
// signatures with a CMS signing-time attribute (not PAdES baseline); felles
// offers it as a legacy profile.
package pdfsig

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/digitorus/pdfsign/verify"
)

// ErrMalformed reports a PDF the reader could not parse (including a panic
// inside the underlying reader, which is turned into this error).
var ErrMalformed = errors.New("pdfsig: malformed PDF")

// Open opens a PDF for reading with github.com/digitorus/pdf, turning
// panics of the reader into errors wrapping [ErrMalformed].
func Open(in io.ReaderAt, size int64) (r *pdf.Reader, err error) {
	err = Safe(func() error {
		var e error
		r, e = pdf.NewReader(in, size)
		return e
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Safe runs f, turning a panic (digitorus/pdf panics on malformed input)
// into an error wrapping [ErrMalformed]. Errors returned by f are wrapped in
// ErrMalformed too.
func Safe(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s", ErrMalformed, clip(fmt.Sprint(p)))
		}
	}()
	if e := f(); e != nil {
		if errors.Is(e, ErrMalformed) {
			return e
		}
		return fmt.Errorf("%w: %s", ErrMalformed, clip(e.Error()))
	}
	return nil
}

// clip shortens messages of the PDF reader, which can quote large parts of
// the (untrusted) input, and drops control characters.
func clip(s string) string {
	const max = 120
	b := []rune{}
	for _, r := range s {
		if len(b) >= max {
			b = append(b, '…')
			break
		}
		if r < 0x20 || r == 0x7f {
			r = ' '
		}
		b = append(b, r)
	}
	return string(b)
}

// LegacyInfo is the optional text of a legacy signature dictionary.
type LegacyInfo struct {
	Name, Reason, Location, ContactInfo string
	Time                                time.Time // default now
}

// SignLegacy signs the PDF in (size bytes) with pdfsign's approval
// signature profile: /SubFilter /adbe.pkcs7.detached, SHA-256, a CMS with a
// signing-time attribute and ESS signing-certificate-v2. The result (the
// original bytes plus an incremental update) is written to out.
func SignLegacy(in io.ReaderAt, size int64, out io.Writer, signer crypto.Signer, chain []*x509.Certificate, info LegacyInfo) error {
	if len(chain) == 0 {
		return errors.New("pdfsig: empty certificate chain")
	}
	rd, err := Open(in, size)
	if err != nil {
		return err
	}
	t := info.Time
	if t.IsZero() {
		t = time.Now()
	}
	data := sign.SignData{
		Signature: sign.SignDataSignature{
			CertType:   sign.ApprovalSignature,
			DocMDPPerm: sign.AllowFillingExistingFormFieldsAndSignaturesPerms,
			Info: sign.SignDataSignatureInfo{
				Name: info.Name, Location: info.Location, Reason: info.Reason,
				ContactInfo: info.ContactInfo, Date: t,
			},
		},
		Signer:            signer,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       chain[0],
		CertificateChains: [][]*x509.Certificate{chain},
	}
	return safeSign(func() error {
		return sign.Sign(io.NewSectionReader(in, 0, size), out, rd, size, data)
	})
}

func safeSign(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pdfsig: legacy signing failed: %v", p)
		}
	}()
	if e := f(); e != nil {
		return fmt.Errorf("pdfsig: legacy signing failed: %w", e)
	}
	return nil
}

// CheckResult is pdfsign's verdict on one signature, used as an
// independent cross-check of felles' own verifier (pdfsign neither checks
// byte-range coverage nor reports skipped signatures; never rely on it
// alone).
type CheckResult struct {
	Name           string
	ValidSignature bool
	Timestamped    bool
}

// CrossCheck runs github.com/digitorus/pdfsign/verify over the PDF with
// untrusted roots allowed (only the signatures are of interest).
func CrossCheck(in io.ReaderAt, size int64) (res []CheckResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("%w: %s", ErrMalformed, clip(fmt.Sprint(p)))
		}
	}()
	opts := verify.DefaultVerifyOptions()
	opts.AllowUntrustedRoots = true
	opts.EnableExternalRevocationCheck = false
	resp, err := verify.VerifyWithOptions(in, size, opts)
	if resp == nil {
		if err == nil {
			err = errors.New("no result")
		}
		return nil, fmt.Errorf("pdfsig: cross-check: %s", clip(err.Error()))
	}
	for _, s := range resp.Signers {
		res = append(res, CheckResult{Name: s.Name, ValidSignature: s.ValidSignature, Timestamped: s.TimeStamp != nil})
	}
	if err != nil {
		return res, fmt.Errorf("pdfsig: cross-check: %s", clip(err.Error()))
	}
	return res, nil
}
