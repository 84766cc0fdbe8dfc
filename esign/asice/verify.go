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

// VerifyOption configures [Verify].
type VerifyOption func(*verifyConfig) error

type verifyConfig struct {
	read  []ReadOption
	xades []xades.VerifyOption
}

// WithRoots sets the trusted roots for the signer's certificate chain (see
// [xades.WithRoots]). There is no default: the system roots are never
// used, so without WithRoots [Verify] returns a Report with Valid false
// (Signer set, Chain nil) and an error wrapping [ErrInvalid] and
// [xades.ErrUntrusted]. A nil pool gives a Report with Valid false (and
// no Signer) and an error wrapping [ErrInvalid] and [xades.ErrInput].
func WithRoots(roots *x509.CertPool) VerifyOption {
	return func(c *verifyConfig) error {
		c.xades = append(c.xades, xades.WithRoots(roots))
		return nil
	}
}

// WithIntermediates adds intermediate certificates to those the signature
// carries, for building the chain (nil adds none; see
// [xades.WithIntermediates]).
func WithIntermediates(pool *x509.CertPool) VerifyOption {
	return func(c *verifyConfig) error {
		c.xades = append(c.xades, xades.WithIntermediates(pool))
		return nil
	}
}

// WithTime sets the time at which the certificate chain must be valid
// (default, or zero: time.Now()), for example the time a container was
// received, to check a signature whose certificate has expired since (see
// [xades.WithTime]). The claimed SigningTime is not used for this.
func WithTime(t time.Time) VerifyOption {
	return func(c *verifyConfig) error {
		c.xades = append(c.xades, xades.WithTime(t))
		return nil
	}
}

// WithLegacyAlgorithms also accepts SHA-1 in signature methods and
// reference digests (see [xades.WithLegacyAlgorithms]). Without it they
// are refused and the Report is not valid.
func WithLegacyAlgorithms() VerifyOption {
	return func(c *verifyConfig) error {
		c.xades = append(c.xades, xades.WithLegacyAlgorithms())
		return nil
	}
}

// WithReadOptions sets the limits [Open] applies to the container (see
// [WithMaxEntries], [WithMaxFileSize], [WithMaxTotalSize] and
// [WithMaxRatio]).
func WithReadOptions(opts ...ReadOption) VerifyOption {
	return func(c *verifyConfig) error {
		c.read = append(c.read, opts...)
		return nil
	}
}

// WithXAdESVerifyOptions passes further options to [xades.Verify], such
// as [xades.WithVerifyMaxSize] for the size of META-INF/signatures.xml.
func WithXAdESVerifyOptions(opts ...xades.VerifyOption) VerifyOption {
	return func(c *verifyConfig) error {
		c.xades = append(c.xades, opts...)
		return nil
	}
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
// does not verify against [WithRoots].
func Verify(r io.ReaderAt, size int64, opts ...VerifyOption) (*Report, error) {
	var cfg verifyConfig
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	c, err := Open(r, size, cfg.read...)
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
	sig, verr := xades.Verify(sigXML, c.FS(), cfg.xades...)
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
