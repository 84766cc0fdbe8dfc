package asice

import (
	"crypto/x509"
	"errors"
	"io"
	"path"
	"strings"
	"time"

	"github.com/fellesgo/felles/esign/xades"
)

// VerifyOptions are the policy of [Verify]. The zero value is useful:
// the system roots, now, the default limits, no SHA-1.
type VerifyOptions struct {
	// Roots are the trust anchors for the signer's certificate chain (see
	// [xades.VerifyOptions]). Nil means the system roots
	// ([x509.SystemCertPool]; none if that fails). When the chain does not
	// verify, [Verify] returns a Report with Valid false (Signer set,
	// Chain nil) and an error wrapping [ErrInvalid] and
	// [xades.ErrUntrusted].
	Roots *x509.CertPool
	// Intermediates are extra intermediate certificates for building the
	// chain, beyond those the signature carries. Nil adds none.
	Intermediates *x509.CertPool
	// Time is when the certificate chain must be valid; zero means now.
	// Set it to, for example, the time a container was received, to check
	// a signature whose certificate has expired since. The claimed
	// SigningTime is not used for this.
	Time time.Time
	// LegacyAlgorithms also accepts SHA-1 in signature methods and
	// reference digests (see [xades.VerifyOptions]). Without it they are
	// refused and the Report is not valid.
	LegacyAlgorithms bool
	// MaxSignatureSize is the largest META-INF/signatures.xml accepted
	// (see [xades.VerifyOptions.MaxSize]); zero means 10 MiB, negative
	// is an error wrapping [ErrInput].
	MaxSignatureSize int64
	// Read are the limits [Open] applies to the container (see
	// [WithMaxEntries], [WithMaxFileSize], [WithMaxTotalSize] and
	// [WithMaxRatio]); nil means the defaults.
	Read []ReadOption
}

// Report is the outcome of [Verify].
type Report struct {
	// Valid is true when the signature verified, its chain is trusted,
	// and it covers every file outside META-INF/ and nothing else.
	Valid bool
	// Problems says why the container is not valid (empty when Valid).
	Problems []string
	// Signer is the signing certificate, Chain the verified chain; set
	// only when the signature verified.
	Signer *x509.Certificate
	Chain  []*x509.Certificate
	// SigningTime is the signature's claimed XAdES SigningTime.
	SigningTime time.Time
	// Files are the container files the verified signature covers.
	Files []string
	// Unsigned are the files outside META-INF/ the signature does not
	// cover (mimetype excepted).
	Unsigned []string
	// Signature is the verified XAdES signature, or nil.
	Signature *xades.Signature
	// HasMimetype says whether the container has the mimetype entry.
	HasMimetype bool
}

// Verify opens the container (see [Open] for what it refuses, returned as
// a [*FormatError] with a nil Report), finds its one signature file
// META-INF/signatures.xml, verifies it with [xades.Verify] over the
// container's files, and checks that the signature covers every file
// outside META-INF/ (the mimetype entry excepted).
//
// When the signature does not verify or does not cover everything, Verify
// returns the Report (Valid false, Problems set) and an error wrapping
// [ErrInvalid] (and the xades error, if any); when the container has no
// signature, or more than one signature file, the error wraps
// [ErrNotSigned]. A nil error means Report.Valid. The xades error (a
// *[xades.VerifyError]) can be matched with [errors.Is] and [errors.As]
// on the returned error, for example [xades.ErrUntrusted] when the chain
// does not verify against [VerifyOptions.Roots].
func Verify(r io.ReaderAt, size int64, opts VerifyOptions) (*Report, error) {
	if opts.MaxSignatureSize < 0 {
		// An invalid option, not a verdict on the container.
		return nil, ferr(ErrInput, "", "max signature size must not be negative")
	}
	c, err := Open(r, size, opts.Read...)
	if err != nil {
		return nil, err
	}
	rep := &Report{HasMimetype: c.mimetype}
	var sigFiles []string
	for _, e := range c.files {
		if isMetaInf(e.name) && strings.Contains(strings.ToLower(path.Base(e.name)), "signature") {
			sigFiles = append(sigFiles, e.name)
		}
	}
	switch {
	case len(sigFiles) == 0:
		rep.Problems = append(rep.Problems, "no META-INF/signatures.xml")
		return rep, ferr(ErrNotSigned, "", "no signature file")
	case len(sigFiles) > 1:
		rep.Problems = append(rep.Problems, "more than one signature file: "+strings.Join(quoteAll(sigFiles), ", "))
		return rep, ferr(ErrNotSigned, sigFiles[1], "more than one signature file")
	case sigFiles[0] != SignaturesName:
		rep.Problems = append(rep.Problems, "signature file "+quote(sigFiles[0])+" is not "+SignaturesName)
		return rep, ferr(ErrNotSigned, sigFiles[0], "not "+SignaturesName)
	}
	sigXML, err := c.ReadFile(SignaturesName)
	if err != nil {
		return nil, err
	}
	sig, verr := xades.Verify(sigXML, c.FS(), xades.VerifyOptions{
		Roots:            opts.Roots,
		Intermediates:    opts.Intermediates,
		Time:             opts.Time,
		LegacyAlgorithms: opts.LegacyAlgorithms,
		MaxSize:          opts.MaxSignatureSize,
	})
	if verr != nil {
		rep.Problems = append(rep.Problems, verr.Error())
	}
	if sig != nil {
		// Also when only trust failed (xades returns the signature with
		// ErrUntrusted), so the report says who signed and what.
		rep.Signer, rep.SigningTime = sig.Signer, sig.SigningTime
		if verr == nil {
			rep.Signature, rep.Chain = sig, sig.Chain
		}
		rep.Files, rep.Unsigned = coverage(c, sig.Files, &rep.Problems)
	}
	if len(rep.Problems) > 0 {
		errs := []error{ErrInvalid}
		if verr != nil {
			errs = append(errs, verr)
		}
		if len(rep.Unsigned) > 0 {
			errs = append(errs, ferr(ErrNotSigned, rep.Unsigned[0], "not covered by the signature"))
		}
		return rep, errors.Join(errs...)
	}
	rep.Valid = true
	return rep, nil
}

// coverage checks that the signed names are exactly the container's data
// files, returning the covered and the unsigned files and adding problems.
func coverage(c *Container, signed []string, problems *[]string) (files, unsigned []string) {
	covered := map[string]bool{}
	for _, name := range signed {
		if _, ok := c.byName[name]; !ok {
			*problems = append(*problems, "signed reference "+quote(name)+" is not in the container")
			continue
		}
		if inMetaInf(name) || name == mimetypeName {
			*problems = append(*problems, "signed reference "+quote(name)+" is not a data file")
			continue
		}
		covered[name] = true
		files = append(files, name)
	}
	for _, e := range c.files {
		if inMetaInf(e.name) || (e.name == mimetypeName && c.mimetype) {
			continue
		}
		if !covered[e.name] {
			unsigned = append(unsigned, e.name)
			*problems = append(*problems, "file "+quote(e.name)+" is not signed")
		}
	}
	return files, unsigned
}

// inMetaInf reports whether name is in the container's own folder,
// "META-INF/" exactly as ASiC spells it: "meta-inf/x.pdf" is a data file
// like any other, and must be signed (extracted on a case-insensitive
// disk it even lands beside the signature).
func inMetaInf(name string) bool { return strings.HasPrefix(name, "META-INF/") }

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return out
}
