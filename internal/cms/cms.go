package cms

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"
)

// Limits on what Parse accepts.
const (
	// MaxSize is the largest ContentInfo Parse accepts, padding excluded.
	MaxSize = 1 << 20
	// MaxCertificates is the largest number of certificates in SignedData.
	MaxCertificates = 64
	// MaxAttributes is the largest number of signed or unsigned attributes.
	MaxAttributes = 64
)

// Object identifiers used by CMS SignedData and its attributes.
var (
	OIDData                    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDTSTInfo                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	OIDAttributeContentType    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDAttributeMessageDigest  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDAttributeSigningTime    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDSigningCertificate      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	OIDSigningCertificateV2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	OIDSignatureTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidSHA1                    = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA224                  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	oidSHA256                  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384                  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512                  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidRSAEncryption           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASSAPSS               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1                    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidSHA1WithRSA             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSHA256WithRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidSHA224WithRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	oidECPublicKey             = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSAWithSHA1           = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSAWithSHA224         = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	oidECDSAWithSHA256         = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384         = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512         = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
)

// Errors returned by the verification functions; test with errors.Is.
var (
	// ErrDigestMismatch: the messageDigest attribute is not the digest given.
	ErrDigestMismatch = errors.New("cms: message digest does not match")
	// ErrSignature: the signature does not verify with the signer's key.
	ErrSignature = errors.New("cms: signature does not verify")
	// ErrNoSigner: the signer's certificate is not among the certificates.
	ErrNoSigner = errors.New("cms: signer certificate not found")
	// ErrUnsupportedAlgorithm: a digest or signature algorithm felles does not handle.
	ErrUnsupportedAlgorithm = errors.New("cms: unsupported algorithm")
)

// ParseError reports malformed or over-limit CMS input.
type ParseError struct {
	Msg string
}

func (e *ParseError) Error() string { return "cms: malformed SignedData: " + e.Msg }

func parseErr(format string, args ...any) error {
	return &ParseError{Msg: fmt.Sprintf(format, args...)}
}

// SignOptions configure [SignDetached] and [Sign].
type SignOptions struct {
	// Hash is the digest algorithm; zero means crypto.SHA256.
	Hash crypto.Hash
	// SigningTime, when non-zero, is put in a signing-time attribute
	// (legacy profiles). Zero omits it, as PAdES baseline requires.
	SigningTime time.Time
	// OmitCertificates leaves out the certificates field (an RFC 3161 TSA
	// answering a request with certReq false). The chain is still needed
	// for the signer identifier and the ESS attribute.
	OmitCertificates bool
}

// SignedData is a parsed ContentInfo holding SignedData with one SignerInfo.
type SignedData struct {
	Raw                 []byte                // the ContentInfo, trimmed to its DER length
	ContentType         asn1.ObjectIdentifier // eContentType
	Content             []byte                // encapsulated content (nil when detached), e.g. TSTInfo DER
	Certificates        []*x509.Certificate
	Signer              *x509.Certificate // found by sid among Certificates (nil if absent)
	Hash                crypto.Hash       // digest algorithm of the SignerInfo
	SignatureAlgorithm  x509.SignatureAlgorithm
	Signature           []byte // SignerInfo.signature (what a signature timestamp imprints)
	MessageDigest       []byte // signed attribute; nil when there are no signed attributes
	SigningTime         time.Time
	HasSigningTime      bool
	HasSignedAttributes bool
	// HasSigningCertificateV2 tells whether the ESS signing-certificate-v2
	// attribute is present; SigningCertificateV2Matches whether its first
	// ESSCertIDv2 identifies Signer (hash, and issuer and serial if given).
	HasSigningCertificateV2     bool
	SigningCertificateV2Matches bool
	// HasSigningCertificate and SigningCertificateMatches are the same for
	// the older ESS signing-certificate attribute (SHA-1, RFC 2634).
	HasSigningCertificate     bool
	SigningCertificateMatches bool
	SignatureTimestamp        []byte // unsigned attr id-aa-signatureTimeStampToken, raw DER, nil if none

	candidates  []*x509.Certificate // certificates matching the sid
	essV1       []byte              // signing-certificate attribute values
	essV2       []byte              // signing-certificate-v2 attribute values
	signedAttrs []byte              // [0] IMPLICIT signed attributes element as encoded
	sigAlgOID   asn1.ObjectIdentifier
	pssSalt     int
	raw         rawSignedData
}
