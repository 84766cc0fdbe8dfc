// Package identity loads enterprise certificates (virksomhetssertifikat) and
// exposes them as a crypto.Signer with its certificate chain, the form every
// felles client that signs or authenticates takes.
//
// Norwegian enterprise certificates are issued by Buypass and Commfides,
// usually delivered as PKCS#12 (.p12/.pfx) files with a password. The
// organisation number sits in the subject, either as serialNumber (older
// certificates) or as organizationIdentifier "NTRNO-<orgnr>" (newer ones).
// Any crypto.Signer works in place of a file-held key (an HSM, a cloud KMS).
package identity

import (
	"crypto"
	"crypto/x509"
	"errors"
	"time"
)

// Certificate is an enterprise certificate: a private key, held by a
// crypto.Signer, and its certificate chain, leaf first.
type Certificate struct {
	// Signer holds the private key. It may be an *rsa.PrivateKey, an
	// *ecdsa.PrivateKey or any crypto.Signer (HSM, KMS).
	Signer crypto.Signer
	// Chain is the certificate chain, leaf first, then the issuing CAs in
	// order. The root may be omitted.
	Chain []*x509.Certificate
}

// Sentinel errors, matched with errors.Is.
var (
	ErrWrongPassword        = errors.New("identity: wrong password for the PKCS#12 file")
	ErrNoPrivateKey         = errors.New("identity: no private key found")
	ErrNoCertificate        = errors.New("identity: no certificate found")
	ErrKeyMismatch          = errors.New("identity: private key does not match the certificate")
	ErrNoOrganizationNumber = errors.New("identity: certificate subject has no organisation number")
)

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
