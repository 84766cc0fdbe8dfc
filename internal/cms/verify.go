package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// VerifySignature checks that the messageDigest attribute equals digest
// (the digest of the content made with sd.Hash) and that the signature
// over the DER SET OF signed attributes verifies with sd.Signer's key.
// Without signed attributes, the signature must be over digest itself.
// It does not check the certificate chain (see [SignedData.VerifyChain]).
func (sd *SignedData) VerifySignature(digest []byte) error {
	if sd.Signer == nil {
		return ErrNoSigner
	}
	h := sd.Hash
	if h == 0 || !h.Available() || sd.SignatureAlgorithm == x509.UnknownSignatureAlgorithm {
		return fmt.Errorf("%w: %v with %v", ErrUnsupportedAlgorithm, sd.sigAlgOID, h)
	}
	if len(digest) != h.Size() {
		return fmt.Errorf("%w: digest is %d bytes, %v needs %d", ErrDigestMismatch, len(digest), h, h.Size())
	}
	signed := digest
	if sd.HasSignedAttributes {
		if subtle.ConstantTimeCompare(sd.MessageDigest, digest) != 1 {
			return ErrDigestMismatch
		}
		// The signature covers the attributes with the SET OF tag (RFC 5652 §5.4).
		attrs := bytes.Clone(sd.signedAttrs)
		attrs[0] = 0x31
		hh := h.New()
		hh.Write(attrs)
		signed = hh.Sum(nil)
	}
	err := verifyDigest(sd.Signer.PublicKey, sd.SignatureAlgorithm, h, sd.pssSalt, signed, sd.Signature)
	if err == nil || len(sd.candidates) < 2 {
		return err
	}
	// Another certificate with the same sid: the signer is the one whose
	// key verifies.
	for _, c := range sd.candidates {
		if c == sd.Signer {
			continue
		}
		if verifyDigest(c.PublicKey, sd.SignatureAlgorithm, h, sd.pssSalt, signed, sd.Signature) == nil {
			sd.Signer = c
			if sd.HasSigningCertificateV2 {
				sd.SigningCertificateV2Matches = essMatches(sd.essV2, c, true)
			}
			if sd.HasSigningCertificate {
				sd.SigningCertificateMatches = essMatches(sd.essV1, c, false)
			}
			return nil
		}
	}
	return err
}

// VerifyContent checks the encapsulated content (sd.Content) with
// [SignedData.VerifySignature].
func (sd *SignedData) VerifyContent() error {
	if sd.Content == nil {
		return fmt.Errorf("cms: no encapsulated content")
	}
	if sd.Hash == 0 || !sd.Hash.Available() {
		return fmt.Errorf("%w: digest %v", ErrUnsupportedAlgorithm, sd.Hash)
	}
	hh := sd.Hash.New()
	hh.Write(sd.Content)
	return sd.VerifySignature(hh.Sum(nil))
}

func verifyDigest(pub any, alg x509.SignatureAlgorithm, h crypto.Hash, salt int, digest, sig []byte) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		var err error
		switch alg {
		case x509.SHA1WithRSA, x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA:
			err = rsa.VerifyPKCS1v15(k, h, digest, sig)
		case x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
			err = rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: salt, Hash: h})
		default:
			return fmt.Errorf("%w: %v with an RSA key", ErrUnsupportedAlgorithm, alg)
		}
		if err != nil {
			return ErrSignature
		}
		return nil
	case *ecdsa.PublicKey:
		switch alg {
		case x509.ECDSAWithSHA1, x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512:
		default:
			return fmt.Errorf("%w: %v with an ECDSA key", ErrUnsupportedAlgorithm, alg)
		}
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return ErrSignature
		}
		return nil
	}
	return fmt.Errorf("%w: key type %T", ErrUnsupportedAlgorithm, pub)
}

// VerifyChain verifies sd.Signer up to roots at time t, with
// sd.Certificates and intermediates as intermediates, for the given
// extended key usages (x509.ExtKeyUsageAny if none are given).
func (sd *SignedData) VerifyChain(roots, intermediates *x509.CertPool, t time.Time, usages ...x509.ExtKeyUsage) ([][]*x509.Certificate, error) {
	if sd.Signer == nil {
		return nil, ErrNoSigner
	}
	var pool *x509.CertPool
	if intermediates != nil {
		pool = intermediates.Clone()
	} else {
		pool = x509.NewCertPool()
	}
	for _, c := range sd.Certificates {
		if c != sd.Signer {
			pool.AddCert(c)
		}
	}
	if len(usages) == 0 {
		usages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	}
	if roots == nil {
		roots = x509.NewCertPool() // never fall back to the system roots silently
	}
	chains, err := sd.Signer.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: pool, CurrentTime: t, KeyUsages: usages,
	})
	if err != nil {
		return nil, fmt.Errorf("cms: signer certificate: %w", err)
	}
	return chains, nil
}

// AddSignatureTimestamp adds token (a DER TimeStampToken, a ContentInfo
// holding SignedData) as the unsigned attribute
// id-aa-signatureTimeStampToken of the SignerInfo of signedData, keeping
// any unsigned attributes already there. The signed part is unchanged.
func AddSignatureTimestamp(signedData, token []byte) ([]byte, error) {
	sd, err := Parse(signedData)
	if err != nil {
		return nil, err
	}
	tok := cryptobyte.String(token)
	var el cryptobyte.String
	if !tok.ReadASN1Element(&el, cbasn1.SEQUENCE) || !tok.Empty() {
		return nil, parseErr("timestamp token is not one DER SEQUENCE")
	}
	var ab cryptobyte.Builder
	ab.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(OIDSignatureTimeStampToken)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(el) })
	})
	attr, err := ab.Bytes()
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	r := sd.raw
	unsigned := append(append([][]byte{}, r.unsigned...), attr)
	slices.SortFunc(unsigned, bytes.Compare) // DER SET OF order
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(OIDSignedData)
		b.AddASN1(tagCtx0Constructed, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(r.version)
				b.AddBytes(r.digestAlgs)
				b.AddBytes(r.encap)
				b.AddBytes(r.certs)
				b.AddBytes(r.crls)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(r.siVersion)
						b.AddBytes(r.sid)
						b.AddBytes(r.siDigestAlg)
						b.AddBytes(r.signedAttrs)
						b.AddBytes(r.sigAlg)
						b.AddBytes(r.signature)
						b.AddASN1(tagCtx1Constructed, func(b *cryptobyte.Builder) {
							for _, u := range unsigned {
								b.AddBytes(u)
							}
						})
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
