package identity

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// Certificate is an enterprise certificate: a private key, held by a
// crypto.Signer, and its certificate chain, leaf first.
//
// Get one from [LoadPKCS12File], [ParsePKCS12], [LoadPEMFiles], [ParsePEM]
// or [NewCertificate]; those check that Signer belongs to Chain[0]. A
// Certificate built by hand is not checked.
type Certificate struct {
	// Signer holds the private key. It may be an *rsa.PrivateKey, an
	// *ecdsa.PrivateKey or any crypto.Signer (HSM, KMS).
	Signer crypto.Signer
	// Chain is the certificate chain, leaf first, then the issuing CAs in
	// order. The root may be omitted.
	Chain []*x509.Certificate
}

// Sentinel errors, matched with errors.Is. The errors this package returns
// wrap them and add the file and the details.
var (
	// ErrWrongPassword: the password does not open the PKCS#12 data.
	ErrWrongPassword = errors.New("identity: wrong password for the PKCS#12 file")
	// ErrNoPrivateKey: the PKCS#12 data or PEM key input holds no
	// private key (or NewCertificate got a nil signer).
	ErrNoPrivateKey = errors.New("identity: no private key found")
	// ErrNoCertificate: the input holds no certificate, or a chain is
	// empty.
	ErrNoCertificate = errors.New("identity: no certificate found")
	// ErrKeyMismatch: the private key belongs to none of the certificates
	// (for NewCertificate: not to the leaf).
	ErrKeyMismatch = errors.New("identity: private key does not match the certificate")
	// ErrNoOrganizationNumber: the certificate subject carries neither an
	// organizationIdentifier "NTRNO-..." nor a nine-digit serialNumber.
	ErrNoOrganizationNumber = errors.New("identity: certificate subject has no organisation number")
	// ErrEncryptedKey: the PEM private key is encrypted, which this
	// package does not decrypt. Use the PKCS#12 file instead, or decrypt
	// the key with openssl.
	ErrEncryptedKey = errors.New("identity: the PEM private key is encrypted")
)

// MaxInputSize is the largest PKCS#12 or PEM input, in bytes, the loaders
// accept. An enterprise certificate file is a few kilobytes; anything
// larger than this is not one.
const MaxInputSize = 1 << 20

// ValidityError reports a certificate used outside its validity period.
// Match it with errors.As.
type ValidityError struct {
	Subject   string    // the certificate subject, for the message
	NotBefore time.Time // the certificate's NotBefore
	NotAfter  time.Time // the certificate's NotAfter
	At        time.Time // the time checked
}

func (e *ValidityError) Error() string {
	if e.At.Before(e.NotBefore) {
		return "identity: certificate " + e.Subject + " is not valid until " + e.NotBefore.UTC().Format(time.RFC3339)
	}
	return "identity: certificate " + e.Subject + " expired at " + e.NotAfter.UTC().Format(time.RFC3339)
}

// Expired reports whether the certificate had expired at the time checked
// (as opposed to not yet being valid).
func (e *ValidityError) Expired() bool { return e.At.After(e.NotAfter) }

// NewCertificate returns a Certificate for a key held outside this process,
// such as in an HSM or a cloud KMS, or for a key already in memory. chain
// is the certificate chain, leaf first; the leaf's public key must be
// signer.Public(), or the error wraps [ErrKeyMismatch]. An empty chain is
// an error wrapping [ErrNoCertificate]. The chain is copied, not reordered.
func NewCertificate(signer crypto.Signer, chain []*x509.Certificate) (*Certificate, error) {
	if signer == nil {
		return nil, newError("", "the signer is nil", ErrNoPrivateKey, nil)
	}
	if len(chain) == 0 {
		return nil, newError("", "the certificate chain is empty", ErrNoCertificate, nil)
	}
	for i, c := range chain {
		if c == nil {
			return nil, newError("", fmt.Sprintf("certificate %d of the chain is nil", i), ErrNoCertificate, nil)
		}
	}
	if !publicKeysEqual(signer.Public(), chain[0].PublicKey) {
		return nil, newError("", "the signer's public key is not the key of the leaf certificate "+subjectString(chain[0].Subject), ErrKeyMismatch, nil)
	}
	return &Certificate{Signer: signer, Chain: append([]*x509.Certificate(nil), chain...)}, nil
}

// Leaf returns the end-entity certificate, Chain[0], or nil if the chain
// is empty.
func (c *Certificate) Leaf() *x509.Certificate {
	if c == nil || len(c.Chain) == 0 {
		return nil
	}
	return c.Chain[0]
}

// OrganizationNumber returns the organisation number in the leaf
// certificate's subject; see the function [OrganizationNumber].
func (c *Certificate) OrganizationNumber() (string, error) {
	leaf := c.Leaf()
	if leaf == nil {
		return "", newError("", "the certificate chain is empty", ErrNoCertificate, nil)
	}
	return OrganizationNumber(leaf)
}

// CheckValidity returns a [*ValidityError] if the leaf certificate is not
// valid at the time at: expired, or not yet valid. A zero at means now.
// It checks the validity period only, not the chain, trust or revocation.
func (c *Certificate) CheckValidity(at time.Time) error {
	leaf := c.Leaf()
	if leaf == nil {
		return newError("", "the certificate chain is empty", ErrNoCertificate, nil)
	}
	if at.IsZero() {
		at = time.Now()
	}
	if at.Before(leaf.NotBefore) || at.After(leaf.NotAfter) {
		return &ValidityError{Subject: subjectString(leaf.Subject), NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, At: at}
	}
	return nil
}

// loadError is the error the loaders return: what went wrong, and where.
// It unwraps to a sentinel (kind) and to the underlying cause, if any.
// Neither msg nor cause may carry a password or key material.
type loadError struct {
	file  string // the file (or files) concerned; "" for in-memory input
	msg   string
	kind  error // one of the sentinels, or nil
	cause error // the underlying error, or nil; its text is appended
}

func newError(file, msg string, kind, cause error) error {
	return &loadError{file: file, msg: msg, kind: kind, cause: cause}
}

func (e *loadError) Error() string {
	s := "identity: "
	if e.file != "" {
		s += e.file + ": "
	}
	s += e.msg
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

func (e *loadError) Unwrap() []error {
	var errs []error
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// signerFromKey returns k as a crypto.Signer if it is a key type that
// signs: RSA, ECDSA or Ed25519.
func signerFromKey(k any) (crypto.Signer, bool) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, true
	case *ecdsa.PrivateKey:
		return k, true
	case ed25519.PrivateKey:
		return k, true
	}
	return nil, false
}

// publicKeysEqual reports whether a and b are the same public key.
func publicKeysEqual(a, b crypto.PublicKey) bool {
	switch k := a.(type) {
	case *rsa.PublicKey:
		if k == nil {
			return false
		}
	case *ecdsa.PublicKey:
		if k == nil {
			return false
		}
	}
	// All the standard library's public key types have Equal.
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && eq.Equal(b)
}

// buildChain finds the certificate for pub among certs and returns it
// followed by its issuers, in chain order, whatever order certs is in.
// Certificates that are not part of that chain are left out. It returns
// nil if no certificate carries pub.
func buildChain(pub crypto.PublicKey, certs []*x509.Certificate) []*x509.Certificate {
	leaf := -1
	for i, c := range certs {
		if !publicKeysEqual(pub, c.PublicKey) {
			continue
		}
		// Prefer an end-entity certificate should a CA certificate carry
		// the same key.
		if leaf == -1 || (certs[leaf].IsCA && !c.IsCA) {
			leaf = i
		}
	}
	if leaf == -1 {
		return nil
	}
	used := make([]bool, len(certs))
	used[leaf] = true
	chain := []*x509.Certificate{certs[leaf]}
	for cur := certs[leaf]; !bytes.Equal(cur.RawIssuer, cur.RawSubject); {
		next := findIssuer(cur, certs, used)
		if next == -1 {
			break
		}
		used[next] = true
		cur = certs[next]
		chain = append(chain, cur)
	}
	return chain
}

// findIssuer returns the index of the unused certificate in certs whose
// subject is child's issuer, or -1. Among several (a CA renewed under the
// same name) it prefers the one whose signature on child verifies.
func findIssuer(child *x509.Certificate, certs []*x509.Certificate, used []bool) int {
	first := -1
	for i, c := range certs {
		if used[i] {
			continue
		}
		if !bytes.Equal(c.RawSubject, child.RawIssuer) {
			continue
		}
		if c.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature) == nil {
			return i
		}
		if first == -1 {
			first = i
		}
	}
	return first
}
