package xades

import (
	"errors"
	"fmt"
	"time"

	"crypto/x509"
)

// Reference is one file to be covered by a signature.
type Reference struct {
	// URI is the value of ds:Reference/@URI: the ZIP entry name, encoded as
	// the profile wants (the caller encodes; Posten signering form-encodes).
	URI string
	// MimeType goes into the file's xades:DataObjectFormat/MimeType.
	// Empty means "application/octet-stream".
	MimeType string
	// Digest is the SHA-256 digest of the file's bytes.
	Digest []byte
}

// Namespace is the namespace of the XAdESSignatures root element.
type Namespace string

// The two ASiC namespaces found in Norwegian documents. Both are accepted by
// [Verify].
const (
	// NamespaceASiC2014 is the namespace Posten signering and the 2014 SDP
	// samples use.
	NamespaceASiC2014 Namespace = "http://uri.etsi.org/2918/v1.2.1#"
	// NamespaceASiC is the namespace of ETSI TS 102 918 as written by
	// Digdir's integration point (DPI, 2022). It is the default.
	NamespaceASiC Namespace = "http://uri.etsi.org/02918/v1.2.1#"
)

// Canonicalization is the algorithm URI of a canonicalization method.
type Canonicalization string

// Canonicalization methods [Sign] can use for SignedInfo.
const (
	// C14N10 is inclusive Canonical XML 1.0 (the default: what both
	// Norwegian implementations use).
	C14N10 Canonicalization = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	// C14N11 is inclusive Canonical XML 1.1 (what the baseline profile
	// recommends).
	C14N11 Canonicalization = "http://www.w3.org/2006/12/xml-c14n11"
)

// Signature is what [Verify] found and verified.
type Signature struct {
	// Signer is the signing certificate (its key verified the signature
	// value, and its digest matches the signed SigningCertificate).
	Signer *x509.Certificate
	// Chain is the verified chain from Signer to a trusted root (nil when
	// the chain could not be verified; see [ErrUntrusted]).
	Chain []*x509.Certificate
	// SigningTime is the signed xades:SigningTime (the signer's claim).
	SigningTime time.Time
	// Files are the names (decoded, as in the fs.FS) of the files covered by
	// verified references, in reference order.
	Files []string
	// MimeTypes maps each name in Files to its signed DataObjectFormat
	// MimeType (absent when the signature has none for the file).
	MimeTypes map[string]string
	// Canonicalization is the SignedInfo canonicalization algorithm URI.
	Canonicalization string
	// SignatureMethod is the signature algorithm URI.
	SignatureMethod string
	// Namespace is the namespace of the XAdESSignatures root.
	Namespace Namespace
}

// Sentinel errors, matched with [errors.Is] on a *[VerifyError] or the error
// of [Sign].
var (
	// ErrMalformed: the document is not a well-formed, hardened-parseable
	// XAdES signature of the expected shape.
	ErrMalformed = errors.New("xades: malformed signature")
	// ErrAlgorithm: an algorithm outside the allow-list.
	ErrAlgorithm = errors.New("xades: algorithm not allowed")
	// ErrReference: a reference URI that is absolute, external, escapes the
	// container, or names a file that is not there.
	ErrReference = errors.New("xades: bad reference")
	// ErrDigestMismatch: a referenced file or the SignedProperties does not
	// match its signed digest.
	ErrDigestMismatch = errors.New("xades: digest mismatch")
	// ErrBadSignature: the signature value does not verify over SignedInfo.
	ErrBadSignature = errors.New("xades: signature value does not verify")
	// ErrCertificate: no usable signing certificate, or the signed
	// SigningCertificate does not match it.
	ErrCertificate = errors.New("xades: signing certificate mismatch")
	// ErrUntrusted: the certificate chain does not verify against the roots
	// (the system roots when none were given).
	ErrUntrusted = errors.New("xades: signer not trusted")
	// ErrWrapping: the structure allows a signed element to differ from the
	// one used (signature wrapping): duplicate Ids, references pointing
	// outside this signature's SignedProperties, several signatures, two
	// references to the same file.
	ErrWrapping = errors.New("xades: signature wrapping")
	// ErrInput: invalid arguments to Sign or Verify, or an invalid option.
	ErrInput = errors.New("xades: invalid input")
)

// VerifyError is the error of [Verify]. It wraps one of the sentinel errors
// (use [errors.Is]) and, for xmlsafe refusals or x509 failures, the
// underlying error.
type VerifyError struct {
	// Reason says what failed, in words.
	Reason string
	// URI is the reference concerned, if any.
	URI string
	// Kind is the sentinel (ErrDigestMismatch, ...).
	Kind error
	// Err is the underlying cause, if any.
	Err error
}

// Error formats the sentinel, the reason, the reference and the cause.
func (e *VerifyError) Error() string {
	s := e.Kind.Error() + ": " + e.Reason
	if e.URI != "" {
		s += fmt.Sprintf(" (reference %q)", e.URI)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the sentinel and the cause.
func (e *VerifyError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func verr(kind error, reason string) *VerifyError {
	return &VerifyError{Kind: kind, Reason: reason}
}

// Option configures [Sign].
type Option func(*signConfig) error

type signConfig struct {
	ns   Namespace
	c14n Canonicalization
	time time.Time
}

// WithNamespace selects the namespace of the XAdESSignatures root (default
// [NamespaceASiC]).
func WithNamespace(ns Namespace) Option {
	return func(c *signConfig) error {
		if ns != NamespaceASiC && ns != NamespaceASiC2014 {
			return fmt.Errorf("%w: unknown namespace %q", ErrInput, ns)
		}
		c.ns = ns
		return nil
	}
}

// WithCanonicalization selects the SignedInfo canonicalization ([C14N10],
// the default, or [C14N11]). The SignedProperties reference always uses
// C14N10, as the profile requires.
func WithCanonicalization(alg Canonicalization) Option {
	return func(c *signConfig) error {
		if alg != C14N10 && alg != C14N11 {
			return fmt.Errorf("%w: unsupported canonicalization %q", ErrInput, alg)
		}
		c.c14n = alg
		return nil
	}
}

// WithSigningTime sets xades:SigningTime (default time.Now()). It is
// written in UTC with millisecond precision.
func WithSigningTime(t time.Time) Option {
	return func(c *signConfig) error {
		if t.IsZero() {
			return fmt.Errorf("%w: zero signing time", ErrInput)
		}
		c.time = t
		return nil
	}
}

// VerifyOptions are the policy of [Verify]. The zero value is useful:
// the system roots, now, a 10 MiB limit, no SHA-1.
type VerifyOptions struct {
	// Roots are the trust anchors for the signer's certificate chain.
	// Nil means the system roots ([x509.SystemCertPool]; none if that
	// fails). When the chain does not verify, [Verify] returns the
	// *[Signature] together with an [ErrUntrusted] error.
	Roots *x509.CertPool
	// Intermediates are extra intermediate certificates for building
	// the chain, beyond those in KeyInfo/X509Data. Nil adds none.
	Intermediates *x509.CertPool
	// Time is when the certificate chain must be valid; zero means now.
	// Set it to, for example, the time a container was received, to
	// check a signature whose certificate has expired since. The signed
	// SigningTime is the signer's own claim and is not used for this.
	// (XAdES-T signature timestamps are not verified; see the package
	// documentation.)
	Time time.Time
	// LegacyAlgorithms also accepts SHA-1 in signature methods and
	// reference digests (rsa-sha1, ecdsa-sha1, xmldsig#sha1). Without it
	// they are refused with [ErrAlgorithm]: SHA-1 collisions can move a
	// signature to another document. SHA-1 in the SigningCertificate
	// CertDigest is always accepted: the profile requires it.
	LegacyAlgorithms bool
	// MaxSize is the largest signatures.xml accepted; a larger one is
	// refused with [ErrMalformed]. Zero means 10 MiB; negative is an
	// error ([ErrInput]). It has the same meaning as
	// pades.VerifyOptions.MaxSize.
	MaxSize int64
}

type verifyConfig struct {
	roots         *x509.CertPool
	intermediates *x509.CertPool
	time          time.Time
	legacy        bool
	maxBytes      int64
}

func newVerifyConfig(o VerifyOptions) (verifyConfig, error) {
	if o.MaxSize < 0 {
		return verifyConfig{}, fmt.Errorf("%w: max size must not be negative", ErrInput)
	}
	c := verifyConfig{
		roots:         o.Roots,
		intermediates: o.Intermediates,
		time:          o.Time,
		legacy:        o.LegacyAlgorithms,
		maxBytes:      o.MaxSize,
	}
	if c.maxBytes == 0 {
		c.maxBytes = defaultMaxBytes
	}
	if c.roots == nil {
		c.roots = systemRoots()
	}
	if c.time.IsZero() {
		c.time = time.Now()
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
