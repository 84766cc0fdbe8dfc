package tsa

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/fellesgo/felles/internal/cms"
)

// MaxResponseSize is the largest TimeStampResp or token felles reads.
const MaxResponseSize = cms.MaxSize

// Errors from verification; test with errors.Is.
var (
	// ErrImprintMismatch: the token timestamps another digest or hash.
	ErrImprintMismatch = errors.New("tsa: token imprints another digest")
	// ErrNonceMismatch: the answer does not carry the request's nonce.
	ErrNonceMismatch = errors.New("tsa: nonce in the answer differs from the request's")
	// ErrPolicyMismatch: the token is under another policy than asked for.
	ErrPolicyMismatch = errors.New("tsa: token policy differs from the one requested")
	// ErrNotTSACertificate: the signer certificate is not a TSA
	// certificate (no critical id-kp-timeStamping as its only extended key usage).
	ErrNotTSACertificate = errors.New("tsa: signer certificate is not a timestamping certificate")
	// ErrSigningCertificate: the token lacks the ESS signing-certificate
	// attribute RFC 3161 requires, or it names another certificate.
	ErrSigningCertificate = errors.New("tsa: ESS signing-certificate attribute missing or not matching the signer")
)

// ParseError reports a malformed timestamp response or token.
type ParseError struct {
	Msg string
	Err error // the underlying *cms.ParseError, if any
}

// Error reports what is malformed.
func (e *ParseError) Error() string {
	if e.Err != nil {
		return "tsa: malformed timestamp: " + e.Msg + ": " + e.Err.Error()
	}
	return "tsa: malformed timestamp: " + e.Msg
}

// Unwrap returns the underlying error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// Token is a parsed RFC 3161 TimeStampToken.
type Token struct {
	Raw          []byte    // the TimeStampToken (ContentInfo SignedData), DER
	Time         time.Time // TSTInfo genTime
	Hash         crypto.Hash
	Digest       []byte   // the imprinted digest
	SerialNumber *big.Int // unique per TSA
	Policy       string   // TSA policy OID, dotted
	Nonce        *big.Int // nil if the request had none
	// Accuracy is the TSTInfo accuracy (zero if absent).
	Accuracy     time.Duration
	Certificates []*x509.Certificate // in the SignedData
	Signer       *x509.Certificate   // the TSA certificate, nil if not included

	sd *cms.SignedData
}

// Parse reads a DER TimeStampToken: a ContentInfo holding SignedData
// whose encapsulated content is a TSTInfo. Trailing zero padding is
// tolerated. It does not verify anything; see [Token.Verify].
func Parse(der []byte) (*Token, error) {
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, &ParseError{Msg: "token", Err: err}
	}
	if !sd.ContentType.Equal(cms.OIDTSTInfo) {
		return nil, &ParseError{Msg: fmt.Sprintf("content type %v is not id-ct-TSTInfo", sd.ContentType)}
	}
	if sd.Content == nil {
		return nil, &ParseError{Msg: "no TSTInfo"}
	}
	t, err := parseTSTInfo(sd.Content)
	if err != nil {
		return nil, err
	}
	t.Raw = sd.Raw
	t.Certificates = sd.Certificates
	t.Signer = sd.Signer
	t.sd = sd
	return t, nil
}

// parseTSTInfo reads
//
//	TSTInfo ::= SEQUENCE { version INTEGER, policy OID, messageImprint,
//	  serialNumber INTEGER, genTime GeneralizedTime, accuracy OPTIONAL,
//	  ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL,
//	  tsa [0] GeneralName OPTIONAL, extensions [1] IMPLICIT OPTIONAL }
func parseTSTInfo(der []byte) (*Token, error) {
	in := cryptobyte.String(der)
	var s cryptobyte.String
	if !in.ReadASN1(&s, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, &ParseError{Msg: "TSTInfo is not one SEQUENCE"}
	}
	var version int64
	var policy asn1.ObjectIdentifier
	t := &Token{SerialNumber: new(big.Int)}
	if !s.ReadASN1Integer(&version) || version != 1 {
		return nil, &ParseError{Msg: "TSTInfo version is not 1"}
	}
	if !s.ReadASN1ObjectIdentifier(&policy) {
		return nil, &ParseError{Msg: "bad TSTInfo policy"}
	}
	t.Policy = policy.String()
	h, digest, err := parseImprint(&s)
	if err != nil {
		return nil, err
	}
	t.Hash, t.Digest = h, digest
	if !s.ReadASN1Integer(t.SerialNumber) {
		return nil, &ParseError{Msg: "bad TSTInfo serialNumber"}
	}
	var gt []byte
	if !s.ReadASN1Bytes(&gt, cbasn1.GeneralizedTime) {
		return nil, &ParseError{Msg: "bad TSTInfo genTime"}
	}
	if t.Time, err = parseGeneralizedTime(string(gt)); err != nil {
		return nil, err
	}
	if s.PeekASN1Tag(cbasn1.SEQUENCE) {
		var acc cryptobyte.String
		s.ReadASN1(&acc, cbasn1.SEQUENCE)
		var sec, ms, us int64
		if acc.PeekASN1Tag(cbasn1.INTEGER) && !acc.ReadASN1Integer(&sec) {
			return nil, &ParseError{Msg: "bad TSTInfo accuracy"}
		}
		if acc.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()) && !acc.ReadASN1Int64WithTag(&ms, cbasn1.Tag(0).ContextSpecific()) {
			return nil, &ParseError{Msg: "bad TSTInfo accuracy"}
		}
		if acc.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific()) && !acc.ReadASN1Int64WithTag(&us, cbasn1.Tag(1).ContextSpecific()) {
			return nil, &ParseError{Msg: "bad TSTInfo accuracy"}
		}
		if !acc.Empty() || sec < 0 || sec > 1<<31 || ms < 0 || ms > 999 || us < 0 || us > 999 {
			return nil, &ParseError{Msg: "bad TSTInfo accuracy"}
		}
		t.Accuracy = time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond + time.Duration(us)*time.Microsecond
	}
	var ordering bool
	if s.PeekASN1Tag(cbasn1.BOOLEAN) && !s.ReadASN1Boolean(&ordering) {
		return nil, &ParseError{Msg: "bad TSTInfo ordering"}
	}
	if s.PeekASN1Tag(cbasn1.INTEGER) {
		t.Nonce = new(big.Int)
		if !s.ReadASN1Integer(t.Nonce) {
			return nil, &ParseError{Msg: "bad TSTInfo nonce"}
		}
	}
	var skip cryptobyte.String
	var present bool
	if !s.ReadOptionalASN1(&skip, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!s.ReadOptionalASN1(&skip, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) || !s.Empty() {
		return nil, &ParseError{Msg: "bad TSTInfo tail"}
	}
	return t, nil
}

// parseImprint reads MessageImprint ::= SEQUENCE { hashAlgorithm, hashedMessage OCTET STRING }.
func parseImprint(s *cryptobyte.String) (crypto.Hash, []byte, error) {
	var mi, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	var digest []byte
	if !s.ReadASN1(&mi, cbasn1.SEQUENCE) || !mi.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) || !mi.ReadASN1Bytes(&digest, cbasn1.OCTET_STRING) || !mi.Empty() {
		return 0, nil, &ParseError{Msg: "bad messageImprint"}
	}
	// Parameters: absent or NULL.
	if !alg.Empty() && !bytes.Equal(alg, []byte{5, 0}) {
		return 0, nil, &ParseError{Msg: "bad messageImprint hash parameters"}
	}
	h := cms.HashFromOID(oid)
	if h == 0 {
		return 0, nil, &ParseError{Msg: fmt.Sprintf("unknown imprint hash %v", oid)}
	}
	if len(digest) != h.Size() {
		return 0, nil, &ParseError{Msg: "imprint length does not fit its hash"}
	}
	return h, digest, nil
}

// parseGeneralizedTime reads a DER GeneralizedTime, UTC ("Z") with optional
// fractional seconds, as RFC 3161 §2.4.2 writes genTime.
func parseGeneralizedTime(s string) (time.Time, error) {
	if len(s) < 15 || !strings.HasSuffix(s, "Z") || strings.ContainsAny(s, ",+-") ||
		(len(s) > 15 && (s[14] != '.' || len(s) < 17 || strings.HasSuffix(s, "0Z") || len(s) > 25)) {
		return time.Time{}, &ParseError{Msg: "bad genTime " + fmt.Sprintf("%q", s)}
	}
	t, err := time.Parse("20060102150405Z", s[:14]+"Z")
	if err != nil {
		return time.Time{}, &ParseError{Msg: "bad genTime " + fmt.Sprintf("%q", s)}
	}
	if len(s) > 15 {
		frac := s[15 : len(s)-1]
		ns := 0
		for i := 0; i < 9; i++ {
			ns *= 10
			if i < len(frac) {
				c := frac[i]
				if c < '0' || c > '9' {
					return time.Time{}, &ParseError{Msg: "bad genTime " + fmt.Sprintf("%q", s)}
				}
				ns += int(c - '0')
			}
		}
		if len(frac) > 9 {
			return time.Time{}, &ParseError{Msg: "bad genTime " + fmt.Sprintf("%q", s)}
		}
		t = t.Add(time.Duration(ns))
	}
	return t, nil
}

// Verify checks that t timestamps digest made with h, that the CMS
// signature over the TSTInfo is intact and made by t.Signer, that the
// ESS signing-certificate(-v2) attribute names t.Signer, that t.Signer's
// only extended key usage is a critical id-kp-timeStamping, and that it
// chains to roots (with the token's certificates and intermediates) at
// t.Time. Nil roots means the system roots ([x509.SystemCertPool]; none
// if that fails); nil intermediates adds none. A token whose imprint
// differs gives [ErrImprintMismatch]; see the package documentation for
// the other errors.
func (t *Token) Verify(h crypto.Hash, digest []byte, roots, intermediates *x509.CertPool) error {
	if h != t.Hash || !bytes.Equal(digest, t.Digest) {
		return ErrImprintMismatch
	}
	return t.verifyToken(roots, intermediates)
}

func (t *Token) verifyToken(roots, intermediates *x509.CertPool) error {
	if t.sd == nil {
		return errors.New("tsa: token not made by Parse")
	}
	if t.Signer == nil {
		return fmt.Errorf("tsa: %w", cms.ErrNoSigner)
	}
	if err := t.sd.VerifyContent(); err != nil {
		return fmt.Errorf("tsa: token signature: %w", err)
	}
	t.Signer = t.sd.Signer // the certificate whose key verified
	if !(t.sd.HasSigningCertificateV2 && t.sd.SigningCertificateV2Matches) &&
		!(t.sd.HasSigningCertificate && t.sd.SigningCertificateMatches) {
		return ErrSigningCertificate
	}
	if err := CheckTSACertificate(t.Signer); err != nil {
		return err
	}
	if roots == nil {
		roots = systemRoots()
	}
	if _, err := t.sd.VerifyChain(roots, intermediates, t.Time, x509.ExtKeyUsageTimeStamping); err != nil {
		return fmt.Errorf("tsa: %w", err)
	}
	return nil
}

var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}

// CheckTSACertificate reports whether c is fit to sign timestamps as RFC
// 3161 §2.3 requires: an extended key usage extension, critical, with
// id-kp-timeStamping as its only purpose.
func CheckTSACertificate(c *x509.Certificate) error {
	for _, e := range c.Extensions {
		if e.Id.Equal(oidExtKeyUsage) {
			if !e.Critical {
				return fmt.Errorf("%w: extended key usage not critical", ErrNotTSACertificate)
			}
			if len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping || len(c.UnknownExtKeyUsage) != 0 {
				return fmt.Errorf("%w: extended key usage is not id-kp-timeStamping alone", ErrNotTSACertificate)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: no extended key usage", ErrNotTSACertificate)
}

// systemRoots returns the system roots, or an empty pool if they cannot
// be loaded.
func systemRoots() *x509.CertPool {
	if p, err := x509.SystemCertPool(); err == nil && p != nil {
		return p
	}
	return x509.NewCertPool()
}
