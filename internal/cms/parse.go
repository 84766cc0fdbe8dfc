package cms

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// rawSignedData keeps the encoded pieces of the SignedData so that
// AddSignatureTimestamp can re-encode it with an unsigned attribute added
// without touching what the signature covers.
type rawSignedData struct {
	version     []byte // INTEGER element
	digestAlgs  []byte // SET element
	encap       []byte // SEQUENCE element
	certs       []byte // [0] element or nil
	crls        []byte // [1] element or nil
	siVersion   []byte
	sid         []byte
	siDigestAlg []byte
	signedAttrs []byte // [0] element or nil
	sigAlg      []byte
	signature   []byte // OCTET STRING element
	unsigned    [][]byte
}

var (
	tagCtx0Constructed = cbasn1.Tag(0).Constructed().ContextSpecific()
	tagCtx1Constructed = cbasn1.Tag(1).Constructed().ContextSpecific()
	tagCtx0Primitive   = cbasn1.Tag(0).ContextSpecific()
)

// Parse reads a DER ContentInfo holding SignedData with exactly one
// SignerInfo. Trailing zero bytes (the padding of a PDF /Contents) are
// ignored; anything else after the ContentInfo is an error. Errors about
// the input are *ParseError.
func Parse(der []byte) (*SignedData, error) {
	in := cryptobyte.String(der)
	var ci cryptobyte.String
	if !in.ReadASN1Element(&ci, cbasn1.SEQUENCE) {
		return nil, parseErr("not a DER SEQUENCE")
	}
	for _, c := range in {
		if c != 0 {
			return nil, parseErr("data after the ContentInfo")
		}
	}
	if len(ci) > MaxSize {
		return nil, parseErr("larger than %d bytes", MaxSize)
	}
	sd := &SignedData{Raw: []byte(ci)}
	var body, content cryptobyte.String
	var ct asn1.ObjectIdentifier
	if !ci.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1ObjectIdentifier(&ct) ||
		!body.ReadASN1(&content, tagCtx0Constructed) || !body.Empty() {
		return nil, parseErr("bad ContentInfo")
	}
	if !ct.Equal(OIDSignedData) {
		return nil, parseErr("content type %v is not signedData", ct)
	}
	var s cryptobyte.String
	if !content.ReadASN1(&s, cbasn1.SEQUENCE) || !content.Empty() {
		return nil, parseErr("bad SignedData")
	}
	var version int64
	if !s.ReadASN1Integer(&version) || version < 0 || version > 5 {
		return nil, parseErr("bad SignedData version")
	}
	return parseRest(sd, s, version)
}

func parseRest(sd *SignedData, s cryptobyte.String, version int64) (*SignedData, error) {
	r := &sd.raw
	var vb cryptobyte.Builder
	vb.AddASN1Int64(version)
	r.version = vb.BytesOrPanic()

	var digestAlgs, encap cryptobyte.String
	if !s.ReadASN1Element(&digestAlgs, cbasn1.SET) {
		return nil, parseErr("bad digestAlgorithms")
	}
	r.digestAlgs = digestAlgs
	if !s.ReadASN1Element(&encap, cbasn1.SEQUENCE) {
		return nil, parseErr("bad encapContentInfo")
	}
	r.encap = encap
	{
		var e, ec cryptobyte.String
		var present bool
		if !encap.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1ObjectIdentifier(&sd.ContentType) ||
			!e.ReadOptionalASN1(&ec, &present, tagCtx0Constructed) || !e.Empty() {
			return nil, parseErr("bad encapContentInfo")
		}
		if present {
			var oct []byte
			if !ec.ReadASN1Bytes(&oct, cbasn1.OCTET_STRING) || !ec.Empty() {
				return nil, parseErr("bad eContent (constructed or BER OCTET STRING?)")
			}
			sd.Content = oct
		}
	}
	if s.PeekASN1Tag(tagCtx0Constructed) {
		var certs, el cryptobyte.String
		if !s.ReadASN1Element(&certs, tagCtx0Constructed) {
			return nil, parseErr("bad certificates")
		}
		r.certs = certs
		var body cryptobyte.String
		certs.ReadASN1(&body, tagCtx0Constructed)
		for !body.Empty() {
			var tag cbasn1.Tag
			if !body.ReadAnyASN1Element(&el, &tag) {
				return nil, parseErr("bad certificate")
			}
			if tag != cbasn1.SEQUENCE {
				continue // attribute or other certificate formats: not used
			}
			if len(sd.Certificates) >= MaxCertificates {
				return nil, parseErr("more than %d certificates", MaxCertificates)
			}
			c, err := x509.ParseCertificate(el)
			if err != nil {
				return nil, parseErr("certificate: %v", err)
			}
			sd.Certificates = append(sd.Certificates, c)
		}
	}
	if s.PeekASN1Tag(tagCtx1Constructed) {
		var crls cryptobyte.String
		if !s.ReadASN1Element(&crls, tagCtx1Constructed) {
			return nil, parseErr("bad crls")
		}
		r.crls = crls
	}
	var sis, si cryptobyte.String
	if !s.ReadASN1(&sis, cbasn1.SET) || !s.Empty() {
		return nil, parseErr("bad signerInfos")
	}
	if !sis.ReadASN1(&si, cbasn1.SEQUENCE) || !sis.Empty() {
		return nil, parseErr("want exactly one SignerInfo")
	}
	if err := parseSignerInfo(sd, si); err != nil {
		return nil, err
	}
	return sd, nil
}

func parseSignerInfo(sd *SignedData, si cryptobyte.String) error {
	r := &sd.raw
	var el cryptobyte.String
	var v int64
	if !si.ReadASN1Element(&el, cbasn1.INTEGER) {
		return parseErr("bad SignerInfo version")
	}
	r.siVersion = el
	if !el.ReadASN1Integer(&v) {
		return parseErr("bad SignerInfo version")
	}
	// sid
	var issuer []byte
	var serial *big.Int
	var ski []byte
	switch {
	case si.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias cryptobyte.String
		if !si.ReadASN1Element(&el, cbasn1.SEQUENCE) {
			return parseErr("bad sid")
		}
		r.sid = el
		var name cryptobyte.String
		serial = new(big.Int)
		if !el.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&name, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Integer(serial) || !ias.Empty() {
			return parseErr("bad issuerAndSerialNumber")
		}
		issuer = name
	case si.PeekASN1Tag(tagCtx0Primitive):
		if !si.ReadASN1Element(&el, tagCtx0Primitive) {
			return parseErr("bad sid")
		}
		r.sid = el
		var k cryptobyte.String
		el.ReadASN1(&k, tagCtx0Primitive)
		ski = k
	default:
		return parseErr("bad sid")
	}
	// Several certificates can match the sid (the certificates are not
	// signed, so anyone can add one with the same issuer and serial or key
	// identifier): VerifySignature settles on the one whose key verifies.
	for _, c := range sd.Certificates {
		if (issuer != nil && bytes.Equal(c.RawIssuer, issuer) && c.SerialNumber.Cmp(serial) == 0) ||
			(ski != nil && len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, ski)) {
			if sd.Signer == nil {
				sd.Signer = c
			}
			sd.candidates = append(sd.candidates, c)
		}
	}
	// digestAlgorithm
	if !si.ReadASN1Element(&el, cbasn1.SEQUENCE) {
		return parseErr("bad digestAlgorithm")
	}
	r.siDigestAlg = el
	dOID, _, ok := parseAlgorithm(el)
	if !ok {
		return parseErr("bad digestAlgorithm")
	}
	sd.Hash = hashFromOID(dOID)
	// signedAttrs
	if si.PeekASN1Tag(tagCtx0Constructed) {
		if !si.ReadASN1Element(&el, tagCtx0Constructed) {
			return parseErr("bad signedAttrs")
		}
		r.signedAttrs = el
		sd.signedAttrs = el
		sd.HasSignedAttributes = true
		if err := parseSignedAttrs(sd, el); err != nil {
			return err
		}
	}
	if !si.ReadASN1Element(&el, cbasn1.SEQUENCE) {
		return parseErr("bad signatureAlgorithm")
	}
	r.sigAlg = el
	sOID, params, ok := parseAlgorithm(el)
	if !ok {
		return parseErr("bad signatureAlgorithm")
	}
	sd.sigAlgOID = sOID
	sd.SignatureAlgorithm = signatureAlgorithm(sOID, sd.Hash)
	if sOID.Equal(oidRSASSAPSS) {
		h, salt, ok := parsePSSParams(params)
		if !ok || h != sd.Hash {
			sd.SignatureAlgorithm = x509.UnknownSignatureAlgorithm
		}
		sd.pssSalt = salt
	}
	if !si.ReadASN1Element(&el, cbasn1.OCTET_STRING) {
		return parseErr("bad signature")
	}
	r.signature = el
	var sig []byte
	el.ReadASN1Bytes(&sig, cbasn1.OCTET_STRING)
	sd.Signature = sig
	if si.PeekASN1Tag(tagCtx1Constructed) {
		var ua cryptobyte.String
		if !si.ReadASN1(&ua, tagCtx1Constructed) {
			return parseErr("bad unsignedAttrs")
		}
		for !ua.Empty() {
			var a, a2 cryptobyte.String
			if len(r.unsigned) >= MaxAttributes {
				return parseErr("more than %d unsigned attributes", MaxAttributes)
			}
			if !ua.ReadASN1Element(&a, cbasn1.SEQUENCE) {
				return parseErr("bad unsigned attribute")
			}
			r.unsigned = append(r.unsigned, a)
			var oid asn1.ObjectIdentifier
			var vals cryptobyte.String
			if !a.ReadASN1(&a2, cbasn1.SEQUENCE) || !a2.ReadASN1ObjectIdentifier(&oid) ||
				!a2.ReadASN1(&vals, cbasn1.SET) || !a2.Empty() {
				return parseErr("bad unsigned attribute")
			}
			if oid.Equal(OIDSignatureTimeStampToken) && sd.SignatureTimestamp == nil {
				var tok cryptobyte.String
				if !vals.ReadASN1Element(&tok, cbasn1.SEQUENCE) {
					return parseErr("bad signature timestamp attribute")
				}
				sd.SignatureTimestamp = tok
			}
		}
	}
	if !si.Empty() {
		return parseErr("data after SignerInfo")
	}
	return nil
}

func parseSignedAttrs(sd *SignedData, el cryptobyte.String) error {
	var attrs cryptobyte.String
	if !el.ReadASN1(&attrs, tagCtx0Constructed) {
		return parseErr("bad signedAttrs")
	}
	seen := map[string]bool{}
	n := 0
	hasContentType := false
	for !attrs.Empty() {
		n++
		if n > MaxAttributes {
			return parseErr("more than %d signed attributes", MaxAttributes)
		}
		var a, vals cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !attrs.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&oid) ||
			!a.ReadASN1(&vals, cbasn1.SET) || !a.Empty() {
			return parseErr("bad signed attribute")
		}
		key := oid.String()
		if seen[key] {
			return parseErr("signed attribute %v repeated", oid)
		}
		seen[key] = true
		switch {
		case oid.Equal(OIDAttributeContentType):
			var v asn1.ObjectIdentifier
			if !vals.ReadASN1ObjectIdentifier(&v) || !vals.Empty() {
				return parseErr("bad content-type attribute")
			}
			if !v.Equal(sd.ContentType) {
				return parseErr("content-type attribute %v differs from eContentType %v", v, sd.ContentType)
			}
			hasContentType = true
		case oid.Equal(OIDAttributeMessageDigest):
			var v []byte
			if !vals.ReadASN1Bytes(&v, cbasn1.OCTET_STRING) || !vals.Empty() {
				return parseErr("bad message-digest attribute")
			}
			sd.MessageDigest = v
		case oid.Equal(OIDAttributeSigningTime):
			var t time.Time
			var ok bool
			if vals.PeekASN1Tag(cbasn1.UTCTime) {
				ok = vals.ReadASN1UTCTime(&t)
			} else {
				ok = vals.ReadASN1GeneralizedTime(&t)
			}
			if !ok || !vals.Empty() {
				return parseErr("bad signing-time attribute")
			}
			sd.SigningTime, sd.HasSigningTime = t, true
		case oid.Equal(OIDSigningCertificateV2):
			sd.HasSigningCertificateV2 = true
			sd.essV2 = vals
			sd.SigningCertificateV2Matches = essMatches(vals, sd.Signer, true)
		case oid.Equal(OIDSigningCertificate):
			sd.HasSigningCertificate = true
			sd.essV1 = vals
			sd.SigningCertificateMatches = essMatches(vals, sd.Signer, false)
		}
	}
	if !hasContentType || sd.MessageDigest == nil {
		return parseErr("signed attributes lack content-type or message-digest")
	}
	return nil
}

// essMatches reports whether the first ESSCertID(v2) of a
// SigningCertificate(V2) attribute value identifies signer.
func essMatches(vals cryptobyte.String, signer *x509.Certificate, v2 bool) bool {
	if signer == nil {
		return false
	}
	var sc, certs, id cryptobyte.String
	if !vals.ReadASN1(&sc, cbasn1.SEQUENCE) || !sc.ReadASN1(&certs, cbasn1.SEQUENCE) ||
		!certs.ReadASN1(&id, cbasn1.SEQUENCE) {
		return false
	}
	h := crypto.SHA1
	if v2 {
		h = crypto.SHA256
		if id.PeekASN1Tag(cbasn1.SEQUENCE) {
			var alg cryptobyte.String
			id.ReadASN1Element(&alg, cbasn1.SEQUENCE)
			oid, _, ok := parseAlgorithm(alg)
			if !ok {
				return false
			}
			h = hashFromOID(oid)
			if h == 0 || !h.Available() {
				return false
			}
		}
	}
	var certHash []byte
	if !id.ReadASN1Bytes(&certHash, cbasn1.OCTET_STRING) {
		return false
	}
	var sum []byte
	if h == crypto.SHA1 {
		s := sha1.Sum(signer.Raw)
		sum = s[:]
	} else {
		hh := h.New()
		hh.Write(signer.Raw)
		sum = hh.Sum(nil)
	}
	if !bytes.Equal(sum, certHash) {
		return false
	}
	if id.Empty() {
		return true
	}
	// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }
	var is, names cryptobyte.String
	serial := new(big.Int)
	if !id.ReadASN1(&is, cbasn1.SEQUENCE) || !is.ReadASN1(&names, cbasn1.SEQUENCE) ||
		!is.ReadASN1Integer(serial) || serial.Cmp(signer.SerialNumber) != 0 {
		return false
	}
	for !names.Empty() {
		var gn cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&gn, &tag) {
			return false
		}
		if tag == cbasn1.Tag(4).Constructed().ContextSpecific() {
			var name cryptobyte.String
			if gn.ReadASN1Element(&name, cbasn1.SEQUENCE) && bytes.Equal(name, signer.RawIssuer) {
				return true
			}
		}
	}
	return false
}

// parseAlgorithm reads an AlgorithmIdentifier element.
func parseAlgorithm(el cryptobyte.String) (asn1.ObjectIdentifier, cryptobyte.String, bool) {
	var seq cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !el.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&oid) {
		return nil, nil, false
	}
	return oid, seq, true
}

// parsePSSParams reads RSASSA-PSS-params (RFC 4055), returning the hash
// (which must also be the MGF1 hash) and the salt length.
func parsePSSParams(p cryptobyte.String) (crypto.Hash, int, bool) {
	var seq cryptobyte.String
	if !p.ReadASN1(&seq, cbasn1.SEQUENCE) || !p.Empty() {
		return 0, 0, false
	}
	h := crypto.SHA1
	mgfHash := crypto.SHA1
	salt := int64(20)
	var el cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&el, &present, tagCtx0Constructed) {
		return 0, 0, false
	}
	if present {
		oid, _, ok := parseAlgorithm(el)
		if !ok {
			return 0, 0, false
		}
		h = hashFromOID(oid)
	}
	if !seq.ReadOptionalASN1(&el, &present, tagCtx1Constructed) {
		return 0, 0, false
	}
	if present {
		oid, inner, ok := parseAlgorithm(el)
		if !ok || !oid.Equal(oidMGF1) {
			return 0, 0, false
		}
		var hoid asn1.ObjectIdentifier
		var hseq cryptobyte.String
		if !inner.ReadASN1(&hseq, cbasn1.SEQUENCE) || !hseq.ReadASN1ObjectIdentifier(&hoid) {
			return 0, 0, false
		}
		mgfHash = hashFromOID(hoid)
	}
	if !seq.ReadOptionalASN1(&el, &present, cbasn1.Tag(2).Constructed().ContextSpecific()) {
		return 0, 0, false
	}
	if present && (!el.ReadASN1Integer(&salt) || salt < 0 || salt > 1<<16) {
		return 0, 0, false
	}
	if h == 0 || h != mgfHash {
		return 0, 0, false
	}
	return h, int(salt), true
}

func signatureAlgorithm(oid asn1.ObjectIdentifier, h crypto.Hash) x509.SignatureAlgorithm {
	switch {
	case oid.Equal(oidRSAEncryption):
		switch h {
		case crypto.SHA1:
			return x509.SHA1WithRSA
		case crypto.SHA256:
			return x509.SHA256WithRSA
		case crypto.SHA384:
			return x509.SHA384WithRSA
		case crypto.SHA512:
			return x509.SHA512WithRSA
		}
	case oid.Equal(oidSHA1WithRSA) && h == crypto.SHA1:
		return x509.SHA1WithRSA
	case oid.Equal(oidSHA256WithRSA) && h == crypto.SHA256:
		return x509.SHA256WithRSA
	case oid.Equal(oidSHA384WithRSA) && h == crypto.SHA384:
		return x509.SHA384WithRSA
	case oid.Equal(oidSHA512WithRSA) && h == crypto.SHA512:
		return x509.SHA512WithRSA
	case oid.Equal(oidRSASSAPSS):
		switch h {
		case crypto.SHA256:
			return x509.SHA256WithRSAPSS
		case crypto.SHA384:
			return x509.SHA384WithRSAPSS
		case crypto.SHA512:
			return x509.SHA512WithRSAPSS
		}
	case oid.Equal(oidECPublicKey), oid.Equal(oidECDSAWithSHA1), oid.Equal(oidECDSAWithSHA256),
		oid.Equal(oidECDSAWithSHA384), oid.Equal(oidECDSAWithSHA512):
		want := map[string]crypto.Hash{
			oidECDSAWithSHA1.String(): crypto.SHA1, oidECDSAWithSHA256.String(): crypto.SHA256,
			oidECDSAWithSHA384.String(): crypto.SHA384, oidECDSAWithSHA512.String(): crypto.SHA512,
		}
		if w, ok := want[oid.String()]; ok && w != h {
			return x509.UnknownSignatureAlgorithm
		}
		switch h {
		case crypto.SHA1:
			return x509.ECDSAWithSHA1
		case crypto.SHA256:
			return x509.ECDSAWithSHA256
		case crypto.SHA384:
			return x509.ECDSAWithSHA384
		case crypto.SHA512:
			return x509.ECDSAWithSHA512
		}
	}
	return x509.UnknownSignatureAlgorithm
}
