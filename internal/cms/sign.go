package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SignDetached returns a DER ContentInfo(SignedData) over detached content
// with the given digest (computed with opts.Hash): signed attributes
// contentType=id-data, messageDigest, id-aa-signingCertificateV2 (ESS,
// RFC 5035, over chain[0]) and, if opts.SigningTime is set, signing-time;
// certificates = chain; sid = issuerAndSerialNumber; RSA PKCS#1 v1.5
// (sha256WithRSAEncryption) or ECDSA by key type.
func SignDetached(digest []byte, signer crypto.Signer, chain []*x509.Certificate, opts SignOptions) ([]byte, error) {
	return sign(OIDData, nil, digest, signer, chain, opts)
}

// SignEncapsulated is like [SignDetached] but carries content inside the
// SignedData under eContentType contentType (for example [OIDTSTInfo] for
// an RFC 3161 timestamp token).
func SignEncapsulated(contentType asn1.ObjectIdentifier, content []byte, signer crypto.Signer, chain []*x509.Certificate, opts SignOptions) ([]byte, error) {
	h := opts.hash()
	if !h.Available() {
		return nil, fmt.Errorf("%w: hash %v", ErrUnsupportedAlgorithm, h)
	}
	hh := h.New()
	hh.Write(content)
	if content == nil {
		content = []byte{}
	}
	return sign(contentType, content, hh.Sum(nil), signer, chain, opts)
}

func (o SignOptions) hash() crypto.Hash {
	if o.Hash == 0 {
		return crypto.SHA256
	}
	return o.Hash
}

func sign(contentType asn1.ObjectIdentifier, content, digest []byte, signer crypto.Signer, chain []*x509.Certificate, opts SignOptions) ([]byte, error) {
	if signer == nil {
		return nil, errors.New("cms: nil signer")
	}
	if len(chain) == 0 || chain[0] == nil {
		return nil, errors.New("cms: empty certificate chain")
	}
	h := opts.hash()
	digestOID, ok := hashOID(h)
	if !ok || !h.Available() {
		return nil, fmt.Errorf("%w: hash %v", ErrUnsupportedAlgorithm, h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("cms: digest is %d bytes, %v needs %d", len(digest), h, h.Size())
	}
	leaf := chain[0]
	if !publicKeysEqual(leaf.PublicKey, signer.Public()) {
		return nil, errors.New("cms: signer key does not match the first certificate of the chain")
	}
	sigAlg, err := signatureAlgorithmFor(signer.Public(), h)
	if err != nil {
		return nil, err
	}

	// Signed attributes, each encoded, then sorted as DER SET OF wants.
	var attrs [][]byte
	add := func(oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) error {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1(cbasn1.SET, value)
		})
		der, err := b.Bytes()
		if err != nil {
			return err
		}
		attrs = append(attrs, der)
		return nil
	}
	if err := add(OIDAttributeContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(contentType) }); err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	if err := add(OIDAttributeMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) }); err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	if !opts.SigningTime.IsZero() {
		t, err := asn1.Marshal(opts.SigningTime.UTC()) // UTCTime in 1950-2049, GeneralizedTime otherwise
		if err != nil {
			return nil, fmt.Errorf("cms: signing time: %w", err)
		}
		if err := add(OIDAttributeSigningTime, func(b *cryptobyte.Builder) { b.AddBytes(t) }); err != nil {
			return nil, fmt.Errorf("cms: %w", err)
		}
	}
	certHash := crypto.SHA256.New()
	certHash.Write(leaf.Raw)
	if err := add(OIDSigningCertificateV2, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2, hashAlgorithm DEFAULT sha256
					b.AddASN1OctetString(certHash.Sum(nil))
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
							b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddBytes(leaf.RawIssuer)
							})
						})
						b.AddASN1BigInt(leaf.SerialNumber)
					})
				})
			})
		})
	}); err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	slices.SortFunc(attrs, bytes.Compare)
	attrSet := []byte{}
	for _, a := range attrs {
		attrSet = append(attrSet, a...)
	}
	// The signature is over the explicit SET OF encoding (RFC 5652 §5.4).
	var sb cryptobyte.Builder
	sb.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(attrSet) })
	setDER, err := sb.Bytes()
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	hh := h.New()
	hh.Write(setDER)
	signature, err := signer.Sign(rand.Reader, hh.Sum(nil), h)
	if err != nil {
		return nil, fmt.Errorf("cms: signing: %w", err)
	}

	version := int64(1)
	if !contentType.Equal(OIDData) {
		version = 3
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(OIDSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(version)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(digestOID) })
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncapsulatedContentInfo
					b.AddASN1ObjectIdentifier(contentType)
					if content != nil {
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddASN1OctetString(content)
						})
					}
				})
				if !opts.OmitCertificates {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						for _, c := range chain {
							b.AddBytes(c.Raw)
						}
					})
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { // SignerInfos
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerAndSerialNumber
							b.AddBytes(leaf.RawIssuer)
							b.AddASN1BigInt(leaf.SerialNumber)
						})
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(digestOID) })
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(attrSet) })
						b.AddBytes(sigAlg)
						b.AddASN1OctetString(signature)
					})
				})
			})
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	return out, nil
}

// signatureAlgorithmFor returns the DER AlgorithmIdentifier for signing
// with pub's key type and h.
func signatureAlgorithmFor(pub crypto.PublicKey, h crypto.Hash) ([]byte, error) {
	var oid asn1.ObjectIdentifier
	null := false
	switch pub.(type) {
	case *rsa.PublicKey:
		null = true
		switch h {
		case crypto.SHA256:
			oid = oidSHA256WithRSA
		case crypto.SHA384:
			oid = oidSHA384WithRSA
		case crypto.SHA512:
			oid = oidSHA512WithRSA
		}
	case *ecdsa.PublicKey:
		switch h {
		case crypto.SHA256:
			oid = oidECDSAWithSHA256
		case crypto.SHA384:
			oid = oidECDSAWithSHA384
		case crypto.SHA512:
			oid = oidECDSAWithSHA512
		}
	default:
		return nil, fmt.Errorf("%w: key type %T", ErrUnsupportedAlgorithm, pub)
	}
	if oid == nil {
		return nil, fmt.Errorf("%w: signing with %v", ErrUnsupportedAlgorithm, h)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if null {
			b.AddASN1NULL()
		}
	})
	return b.Bytes()
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

func hashOID(h crypto.Hash) (asn1.ObjectIdentifier, bool) {
	switch h {
	case crypto.SHA1:
		return oidSHA1, true
	case crypto.SHA224:
		return oidSHA224, true
	case crypto.SHA256:
		return oidSHA256, true
	case crypto.SHA384:
		return oidSHA384, true
	case crypto.SHA512:
		return oidSHA512, true
	}
	return nil, false
}

func hashFromOID(oid asn1.ObjectIdentifier) crypto.Hash {
	switch {
	case oid.Equal(oidSHA1):
		return crypto.SHA1
	case oid.Equal(oidSHA224):
		return crypto.SHA224
	case oid.Equal(oidSHA256):
		return crypto.SHA256
	case oid.Equal(oidSHA384):
		return crypto.SHA384
	case oid.Equal(oidSHA512):
		return crypto.SHA512
	}
	return 0
}

// HashOID returns the object identifier of h, for callers building
// structures that name a digest algorithm (an RFC 3161 MessageImprint).
func HashOID(h crypto.Hash) (asn1.ObjectIdentifier, bool) { return hashOID(h) }

// HashFromOID returns the hash named by oid, or 0 if felles does not know it.
func HashFromOID(oid asn1.ObjectIdentifier) crypto.Hash { return hashFromOID(oid) }
