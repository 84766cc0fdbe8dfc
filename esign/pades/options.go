package pades

import (
	"crypto/x509"
	"errors"
	"time"

	"github.com/fellesgo/felles/esign/tsa"
)

// DefaultMaxSize is the default limit on the size of a PDF to sign or verify.
const DefaultMaxSize = 64 << 20

// Option configures [New], [Sign] and [Timestamp].
type Option func(*config) error

type config struct {
	name, reason, location, contact string
	fieldName                       string
	signingTime                     time.Time
	tsa                             tsa.Timestamper
	visible                         bool
	page                            int
	rect                            [4]float64
	text                            string
	legacy                          bool
	maxSize                         int64
	contentsSize                    int
}

func newConfig(opts []Option) (*config, error) {
	c := &config{maxSize: DefaultMaxSize}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// WithName sets the signature dictionary's /Name (the signer's name as
// shown by viewers; default the certificate's common name).
func WithName(s string) Option { return func(c *config) error { c.name = s; return nil } }

// WithReason sets the signature dictionary's /Reason.
func WithReason(s string) Option { return func(c *config) error { c.reason = s; return nil } }

// WithLocation sets the signature dictionary's /Location.
func WithLocation(s string) Option { return func(c *config) error { c.location = s; return nil } }

// WithContactInfo sets the signature dictionary's /ContactInfo.
func WithContactInfo(s string) Option { return func(c *config) error { c.contact = s; return nil } }

// WithFieldName sets the signature field's name (/T). It must not be used by
// another field of the document. Default: "Signature<n>" with the first
// free n.
func WithFieldName(s string) Option {
	return func(c *config) error {
		if s == "" {
			return errors.New("pades: empty field name")
		}
		c.fieldName = s
		return nil
	}
}

// WithSigningTime sets the claimed signing time written to /M (default:
// now). PAdES baseline puts the time there, not in the CMS.
func WithSigningTime(t time.Time) Option {
	return func(c *config) error { c.signingTime = t; return nil }
}

// WithTimestamp makes the signature PAdES B-T: the CMS signature value is
// timestamped by ts and the token is added as an unsigned attribute.
func WithTimestamp(ts tsa.Timestamper) Option {
	return func(c *config) error {
		if ts == nil {
			return errors.New("pades: nil timestamper")
		}
		c.tsa = ts
		return nil
	}
}

// WithVisible makes the signature visible on page (1-based) in the
// rectangle (llx, lly)-(urx, ury) in default user space units. The
// appearance shows the signer's name, the signing time and text (optional).
func WithVisible(page int, llx, lly, urx, ury float64, text string) Option {
	return func(c *config) error {
		if page < 1 {
			return errors.New("pades: page numbers start at 1")
		}
		if urx-llx < 10 || ury-lly < 10 {
			return errors.New("pades: visible signature rectangle too small")
		}
		c.visible, c.page, c.rect, c.text = true, page, [4]float64{llx, lly, urx, ury}, text
		return nil
	}
}

// WithLegacyProfile signs with the legacy adbe.pkcs7.detached profile of
// github.com/digitorus/pdfsign (CMS with a signing-time attribute), for
// receivers that do not understand PAdES. It cannot be combined with
// [WithTimestamp] or [WithVisible].
func WithLegacyProfile() Option { return func(c *config) error { c.legacy = true; return nil } }

// WithMaxSize sets the largest PDF accepted by [Sign], [Signer.Sign] and
// [Timestamp] (default [DefaultMaxSize]); a larger one is refused with a
// *[SizeError]. For [Verify] use [VerifyOptions.MaxSize]. n must be positive.
func WithMaxSize(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return errors.New("pades: max size must be positive")
		}
		c.maxSize = n
		return nil
	}
}

// WithContentsSize sets the number of bytes reserved for the CMS (or the
// timestamp token) in /Contents. Default: estimated from the chain, grown
// and retried once when too small.
func WithContentsSize(n int) Option {
	return func(c *config) error {
		if n < 1024 || n > 1<<20 {
			return errors.New("pades: contents size must be between 1 KiB and 1 MiB")
		}
		c.contentsSize = n
		return nil
	}
}

// VerifyOptions are the policy of [Verify]. The zero value is useful:
// the system roots, now, [DefaultMaxSize], no SHA-1.
type VerifyOptions struct {
	// Roots are the trust anchors for the signers' and the TSAs'
	// certificate chains. Nil means the system roots
	// ([x509.SystemCertPool]; none if that fails). A chain that does not
	// verify makes the signature invalid (SignatureReport.Chain nil),
	// while the integrity checks are still made and reported.
	Roots *x509.CertPool
	// Intermediates are extra intermediate certificates for building
	// chains, beyond those the CMS signatures and timestamp tokens
	// carry. Nil adds none.
	Intermediates *x509.CertPool
	// Time is when the certificate chain of a signature without a
	// signature timestamp is checked; zero means now. Set it to, for
	// example, the time a document was received, to check a signature
	// whose certificate has expired since. A signature with a verified
	// timestamp is checked at the timestamp's time; the claimed time /M
	// is never trusted for this, being the signer's own word.
	Time time.Time
	// MaxSize is the largest PDF accepted; a larger one is refused with
	// a *[SizeError]. Zero means [DefaultMaxSize]; negative is an error.
	// It is the Verify counterpart of [WithMaxSize].
	MaxSize int64
	// LegacyAlgorithms also accepts SHA-1 digests in signatures,
	// signature timestamps and document timestamps. Without it they are
	// refused (the signature is reported invalid): SHA-1 collisions can
	// move a signature to another document.
	LegacyAlgorithms bool
}

type verifyConfig struct {
	roots, intermediates *x509.CertPool
	now                  time.Time
	maxSize              int64
	legacy               bool
}

func newVerifyConfig(o VerifyOptions) (*verifyConfig, error) {
	if o.MaxSize < 0 {
		return nil, errors.New("pades: max size must not be negative")
	}
	c := &verifyConfig{
		roots:         o.Roots,
		intermediates: o.Intermediates,
		now:           o.Time,
		maxSize:       o.MaxSize,
		legacy:        o.LegacyAlgorithms,
	}
	if c.maxSize == 0 {
		c.maxSize = DefaultMaxSize
	}
	if c.roots == nil {
		c.roots = systemRoots()
	}
	if c.now.IsZero() {
		c.now = time.Now()
	}
	return c, nil
}

// systemRoots returns the system roots, or an empty pool if they cannot
// be loaded.
func systemRoots() *x509.CertPool {
	if p, err := x509.SystemCertPool(); err == nil && p != nil {
		return p
	}
	return x509.NewCertPool()
}
