package xades

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/fellesgo/felles/internal/xmldsig"
)

// Sign returns a complete META-INF/signatures.xml: an XAdESSignatures root
// holding one ds:Signature Id="Signature" over refs, made with signer, whose
// certificate is chain[0]; the whole chain goes into KeyInfo/X509Data.
// RSA keys sign with rsa-sha256, ECDSA keys with ecdsa-sha256. Reference
// Ids are ID_0, ID_1, ... in the order of refs. Invalid arguments and
// options give an error wrapping [ErrInput].
func Sign(refs []Reference, signer crypto.Signer, chain []*x509.Certificate, opts ...Option) ([]byte, error) {
	cfg := signConfig{ns: NamespaceASiC, c14n: C14N10}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.time.IsZero() {
		cfg.time = time.Now()
	}
	if signer == nil || len(chain) == 0 || chain[0] == nil {
		return nil, fmt.Errorf("%w: a signer and a certificate chain are required", ErrInput)
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("%w: no references", ErrInput)
	}
	if !publicKeyEqual(signer.Public(), chain[0].PublicKey) {
		return nil, fmt.Errorf("%w: chain[0] does not hold the signer's public key", ErrInput)
	}
	var method string
	switch signer.Public().(type) {
	case *rsa.PublicKey:
		method = sigRSASHA256
	case *ecdsa.PublicKey:
		method = sigECDSASHA256
	default:
		return nil, fmt.Errorf("%w: unsupported key type %T", ErrInput, signer.Public())
	}
	seen := make(map[string]bool, len(refs))
	for i, r := range refs {
		if r.URI == "" || r.URI[0] == '#' {
			return nil, fmt.Errorf("%w: reference %d: empty or same-document URI %q", ErrInput, i, r.URI)
		}
		if seen[r.URI] {
			return nil, fmt.Errorf("%w: reference %d: duplicate URI %q", ErrInput, i, r.URI)
		}
		seen[r.URI] = true
		// A control character does not survive the round trip through
		// XML (CR becomes LF; Verify cannot parse such a URI): the
		// signature would not verify.
		if !printable(r.URI) || !printable(r.MimeType) {
			return nil, fmt.Errorf("%w: reference %d: control character or invalid UTF-8 in URI or MimeType", ErrInput, i)
		}
		if len(r.Digest) != sha256.Size {
			return nil, fmt.Errorf("%w: reference %q: digest must be SHA-256 (32 bytes), got %d", ErrInput, r.URI, len(r.Digest))
		}
	}

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8" standalone="no"`)
	root := doc.CreateElement("XAdESSignatures")
	root.CreateAttr("xmlns", string(cfg.ns))
	sig := root.CreateElement("Signature")
	sig.CreateAttr("xmlns", nsDSig)
	sig.CreateAttr("Id", "Signature")

	si := sig.CreateElement("SignedInfo")
	si.CreateElement("CanonicalizationMethod").CreateAttr("Algorithm", string(cfg.c14n))
	si.CreateElement("SignatureMethod").CreateAttr("Algorithm", method)
	for i, r := range refs {
		ref := si.CreateElement("Reference")
		ref.CreateAttr("Id", "ID_"+strconv.Itoa(i))
		ref.CreateAttr("URI", r.URI)
		ref.CreateElement("DigestMethod").CreateAttr("Algorithm", digestSHA256)
		ref.CreateElement("DigestValue").SetText(base64.StdEncoding.EncodeToString(r.Digest))
	}
	spRef := si.CreateElement("Reference")
	spRef.CreateAttr("Type", typeSignedPr)
	spRef.CreateAttr("URI", "#SignedProperties")
	spRef.CreateElement("Transforms").CreateElement("Transform").CreateAttr("Algorithm", string(C14N10))
	spRef.CreateElement("DigestMethod").CreateAttr("Algorithm", digestSHA256)
	spDigest := spRef.CreateElement("DigestValue")

	sigValue := sig.CreateElement("SignatureValue")
	x509Data := sig.CreateElement("KeyInfo").CreateElement("X509Data")
	for _, c := range chain {
		x509Data.CreateElement("X509Certificate").SetText(base64.StdEncoding.EncodeToString(c.Raw))
	}

	qp := sig.CreateElement("Object").CreateElement("QualifyingProperties")
	qp.CreateAttr("xmlns", nsXAdES)
	qp.CreateAttr("xmlns:ns2", nsDSig)
	qp.CreateAttr("Target", "#Signature")
	sp := qp.CreateElement("SignedProperties")
	sp.CreateAttr("Id", "SignedProperties")
	ssp := sp.CreateElement("SignedSignatureProperties")
	ssp.CreateElement("SigningTime").SetText(cfg.time.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	cert := ssp.CreateElement("SigningCertificate").CreateElement("Cert")
	cd := cert.CreateElement("CertDigest")
	cd.CreateElement("ns2:DigestMethod").CreateAttr("Algorithm", digestSHA1)
	certSum := sha1.Sum(chain[0].Raw)
	cd.CreateElement("ns2:DigestValue").SetText(base64.StdEncoding.EncodeToString(certSum[:]))
	is := cert.CreateElement("IssuerSerial")
	is.CreateElement("ns2:X509IssuerName").SetText(chain[0].Issuer.String())
	is.CreateElement("ns2:X509SerialNumber").SetText(chain[0].SerialNumber.String())
	sdop := sp.CreateElement("SignedDataObjectProperties")
	for i, r := range refs {
		dof := sdop.CreateElement("DataObjectFormat")
		dof.CreateAttr("ObjectReference", "#ID_"+strconv.Itoa(i))
		mt := r.MimeType
		if mt == "" {
			mt = "application/octet-stream"
		}
		dof.CreateElement("MimeType").SetText(mt)
	}

	// Digest of SignedProperties as it sits in the final document: inclusive
	// c14n pulls in the namespace declarations in scope.
	spCanon, err := xmldsig.Canonicalize(sp, string(C14N10), "")
	if err != nil {
		return nil, fmt.Errorf("xades: canonicalize SignedProperties: %w", err)
	}
	spSum := sha256.Sum256(spCanon)
	spDigest.SetText(base64.StdEncoding.EncodeToString(spSum[:]))

	siCanon, err := xmldsig.Canonicalize(si, string(cfg.c14n), "")
	if err != nil {
		return nil, fmt.Errorf("xades: canonicalize SignedInfo: %w", err)
	}
	siSum := sha256.Sum256(siCanon)
	sv, err := signer.Sign(rand.Reader, siSum[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("xades: sign: %w", err)
	}
	if pub, ok := signer.Public().(*ecdsa.PublicKey); ok {
		if sv, err = ecdsaRaw(sv, pub); err != nil {
			return nil, err
		}
	}
	sigValue.SetText(base64.StdEncoding.EncodeToString(sv))

	doc.WriteSettings.CanonicalEndTags = false
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("xades: serialize: %w", err)
	}
	return buf.Bytes(), nil
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0xfffe || r == 0xffff {
			return false
		}
	}
	return true
}

func publicKeyEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// ecdsaRaw converts an ASN.1 ECDSA signature to the r||s form XML
// Signature uses.
func ecdsaRaw(der []byte, pub *ecdsa.PublicKey) ([]byte, error) {
	var s struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &s); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("xades: signer returned a malformed ECDSA signature")
	}
	n := (pub.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*n)
	s.R.FillBytes(out[:n])
	s.S.FillBytes(out[n:])
	return out, nil
}
