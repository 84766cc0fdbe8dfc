package xmldsig

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/fellesgo/felles/internal/xmlsafe"
)

// Namespace is the XML Signature namespace.
const Namespace = "http://www.w3.org/2000/09/xmldsig#"

const envelopedTransform = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

// Sentinel errors, matched with errors.Is on an *Error.
var (
	// ErrInput: invalid arguments.
	ErrInput = errors.New("xmldsig: invalid input")
	// ErrMalformed: the document is refused by the XML gate or is not an
	// enveloped signature of the expected shape.
	ErrMalformed = errors.New("xmldsig: malformed document")
	// ErrAlgorithm: an algorithm outside the allow-list.
	ErrAlgorithm = errors.New("xmldsig: algorithm not allowed")
	// ErrWrapping: more than one signature, duplicate Ids, or a reference
	// that is not to the document element.
	ErrWrapping = errors.New("xmldsig: signature wrapping")
	// ErrUntrusted: the signing certificate does not chain to the roots.
	ErrUntrusted = errors.New("xmldsig: signer not trusted")
	// ErrBadSignature: the digest or the signature value does not verify.
	ErrBadSignature = errors.New("xmldsig: signature does not verify")
)

// Error is the error of [VerifyEnveloped] and [SignEnveloped].
type Error struct {
	Kind   error  // one of the sentinels
	Reason string // what failed
	Err    error  // underlying cause (xmlsafe, x509, goxmldsig), if any
}

// Error formats the sentinel, the reason and the cause.
func (e *Error) Error() string {
	s := e.Kind.Error() + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the sentinel and the cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func fail(kind error, reason string, err error) *Error {
	return &Error{Kind: kind, Reason: reason, Err: err}
}

// SignOptions configures [SignEnveloped]. The zero value is useful.
type SignOptions struct {
	// IdAttribute names the attribute holding the element's Id, which the
	// Reference URI points at ("#" + value; "" when absent). Default "ID"
	// (SAML).
	IdAttribute string
	// Canonicalization is the algorithm URI for SignedInfo and the
	// reference transform. Default [ExcC14N].
	Canonicalization string
	// Hash is the digest and signature hash: SHA-256 (default), SHA-384 or
	// SHA-512.
	Hash crypto.Hash
	// Prefix is the namespace prefix of the signature elements. Default
	// "ds".
	Prefix string
}

// SignEnveloped returns a signed copy of el (el is not modified): an
// enveloped ds:Signature is appended to the copy, over the whole element,
// with rsa-sha256 (or the configured hash), chain in KeyInfo/X509Data.
// Only RSA keys are supported: goxmldsig writes ECDSA signature values in
// ASN.1 form, which other XML Signature implementations do not read.
func SignEnveloped(el *etree.Element, signer crypto.Signer, chain []*x509.Certificate, opts SignOptions) (*etree.Element, error) {
	if el == nil || signer == nil || len(chain) == 0 || chain[0] == nil {
		return nil, fail(ErrInput, "an element, a signer and a certificate chain are required", nil)
	}
	if _, ok := signer.Public().(*rsa.PublicKey); !ok {
		return nil, fail(ErrInput, fmt.Sprintf("unsupported key type %T (RSA only)", signer.Public()), nil)
	}
	if pub, ok := chain[0].PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(signer.Public()) {
		return nil, fail(ErrInput, "chain[0] does not hold the signer's public key", nil)
	}
	if opts.IdAttribute == "" {
		opts.IdAttribute = dsig.DefaultIdAttr
	}
	if opts.Canonicalization == "" {
		opts.Canonicalization = ExcC14N
	}
	if opts.Hash == 0 {
		opts.Hash = crypto.SHA256
	}
	if opts.Prefix == "" {
		opts.Prefix = dsig.DefaultPrefix
	}
	if opts.Hash != crypto.SHA256 && opts.Hash != crypto.SHA384 && opts.Hash != crypto.SHA512 {
		return nil, fail(ErrInput, "hash must be SHA-256, SHA-384 or SHA-512", nil)
	}
	var c dsig.Canonicalizer
	switch opts.Canonicalization {
	case ExcC14N:
		c = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	case C14N10:
		c = dsig.MakeC14N10RecCanonicalizer()
	case C14N11:
		c = dsig.MakeC14N11Canonicalizer()
	default:
		return nil, fail(ErrInput, fmt.Sprintf("canonicalization %q not supported for signing", opts.Canonicalization), nil)
	}
	raw := make([][]byte, len(chain))
	for i, cert := range chain {
		raw[i] = cert.Raw
	}
	ctx, err := dsig.NewSigningContext(signer, raw)
	if err != nil {
		return nil, fail(ErrInput, "signing context", err)
	}
	ctx.Hash = opts.Hash
	ctx.IdAttribute = opts.IdAttribute
	ctx.Prefix = opts.Prefix
	ctx.Canonicalizer = c
	// Copy before signing, and detach the copy: the signature covers the
	// element as a document of its own.
	cp := el.Copy()
	signed, err := ctx.SignEnveloped(cp)
	if err != nil {
		return nil, fail(ErrInput, "sign", err)
	}
	return signed, nil
}

// VerifyOptions configures [VerifyEnveloped]. The zero value is useful.
type VerifyOptions struct {
	// IdAttribute names the document element's Id attribute. Default "ID".
	IdAttribute string
	// Intermediates are added to the certificates in KeyInfo.
	Intermediates *x509.CertPool
	// Time is when the chain must be valid. Default time.Now().
	Time time.Time
	// KeyUsages for chain verification. Default any.
	KeyUsages []x509.ExtKeyUsage
	// Legacy allows SHA-1 (rsa-sha1, xmldsig#sha1).
	Legacy bool
	// MaxBytes bounds the document size. Default 10 MiB.
	MaxBytes int64
}

// Verified is what [VerifyEnveloped] returns.
type Verified struct {
	// Element is the verified document element, with the signature
	// removed, as goxmldsig verified it: use only this, never the input
	// bytes.
	Element *etree.Element
	// Chain is the verified chain, signer first.
	Chain []*x509.Certificate
}

var allowedSignatureMethods = map[string]crypto.Hash{
	dsig.RSASHA256SignatureMethod: crypto.SHA256,
	dsig.RSASHA384SignatureMethod: crypto.SHA384,
	dsig.RSASHA512SignatureMethod: crypto.SHA512,
	dsig.RSASHA1SignatureMethod:   crypto.SHA1,
}

var allowedDigests = map[string]crypto.Hash{
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
	"http://www.w3.org/2000/09/xmldsig#sha1":        crypto.SHA1,
}

// maxNamespaceWork bounds, for [VerifyEnveloped], the sum over the
// document's elements of the namespace declarations in scope.
const maxNamespaceWork = 1 << 20

// VerifyEnveloped verifies a document whose element carries one enveloped
// ds:Signature over the whole element, and returns the verified element.
// The document passes the XML gate first (DOCTYPE, size, depth); then the
// shape is checked (exactly one ds:Signature in the document, a direct
// child of the document element, with one Reference to "" or "#" + the
// element's Id, no duplicate Ids), the algorithm allow-list is applied,
// and the signing certificate (the first X509Certificate) is verified
// against roots with crypto/x509, before goxmldsig checks the digest and
// the signature value against that certificate.
func VerifyEnveloped(doc []byte, roots *x509.CertPool, opts VerifyOptions) (*Verified, error) {
	if roots == nil {
		return nil, fail(ErrInput, "roots are required", nil)
	}
	if opts.IdAttribute == "" {
		opts.IdAttribute = dsig.DefaultIdAttr
	}
	if opts.Time.IsZero() {
		opts.Time = time.Now()
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 10 << 20
	}
	if len(opts.KeyUsages) == 0 {
		opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	}
	if err := xmlsafe.Check(doc, xmlsafe.Limits{MaxBytes: opts.MaxBytes, MaxDepth: 64}); err != nil {
		return nil, fail(ErrMalformed, "refused by the XML gate", err)
	}
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		return nil, fail(ErrMalformed, "parse", err)
	}
	root := d.Root()
	if root == nil {
		return nil, fail(ErrMalformed, "no document element", nil)
	}

	var sigs []*etree.Element
	ids := map[string]bool{}
	var dup string
	// goxmldsig copies the in-scope namespace map at every element it
	// traverses (before the signature value is checked): bound the sum of
	// in-scope declarations over the elements.
	nsWork := 0
	var walk func(*etree.Element, int)
	walk = func(el *etree.Element, inScope int) {
		for _, a := range el.Attr {
			if a.Space == "xmlns" || a.Space == "" && a.Key == "xmlns" {
				inScope++
			}
		}
		nsWork += inScope + 1
		if el.Tag == "Signature" && el.NamespaceURI() == Namespace {
			sigs = append(sigs, el)
		}
		for _, a := range el.Attr {
			if a.Space == "" && (a.Key == opts.IdAttribute || a.Key == "ID" || a.Key == "Id" || a.Key == "id") {
				if ids[a.Value] {
					dup = a.Value
				}
				ids[a.Value] = true
			}
		}
		for _, c := range el.ChildElements() {
			walk(c, inScope)
		}
	}
	walk(root, 0)
	if nsWork > maxNamespaceWork {
		return nil, fail(ErrMalformed, "too many namespace declarations in scope over too many elements", nil)
	}
	if dup != "" {
		return nil, fail(ErrWrapping, fmt.Sprintf("duplicate Id %q", dup), nil)
	}
	if len(sigs) != 1 || sigs[0].Parent() != root {
		return nil, fail(ErrWrapping, fmt.Sprintf("want exactly one ds:Signature, a child of the document element; found %d", len(sigs)), nil)
	}
	sig := sigs[0]
	certs, err := checkShape(sig, root.SelectAttrValue(opts.IdAttribute, ""), opts.Legacy)
	if err != nil {
		return nil, err
	}

	inter := x509.NewCertPool()
	if opts.Intermediates != nil {
		inter = opts.Intermediates.Clone()
	}
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	chains, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: opts.Time, KeyUsages: opts.KeyUsages})
	if err != nil {
		return nil, fail(ErrUntrusted, "certificate chain", err)
	}
	pub, ok := certs[0].PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fail(ErrAlgorithm, "only RSA signing certificates are supported", nil)
	}

	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{certs[0]}})
	vc.IdAttribute = opts.IdAttribute
	vc.Clock = dsig.NewFakeClockAt(opts.Time)
	el, err := vc.Validate(root)
	if err != nil {
		return nil, fail(ErrBadSignature, "goxmldsig", err)
	}
	// Checked last only so that the fuzz test's small key reaches
	// goxmldsig; any failure refuses the document all the same.
	if pub.N.BitLen() < 2048 {
		return nil, fail(ErrAlgorithm, "RSA key shorter than 2048 bits", nil)
	}
	return &Verified{Element: el, Chain: chains[0]}, nil
}

func isDS(el *etree.Element, local string) bool {
	return el.Tag == local && el.NamespaceURI() == Namespace
}

// checkShape checks the signature's structure and algorithms and returns
// its certificates (at least one).
func checkShape(sig *etree.Element, rootID string, legacy bool) ([]*x509.Certificate, error) {
	kids := sig.ChildElements()
	if len(kids) < 3 || !isDS(kids[0], "SignedInfo") || !isDS(kids[1], "SignatureValue") || !isDS(kids[2], "KeyInfo") {
		return nil, fail(ErrMalformed, "ds:Signature must hold SignedInfo, SignatureValue, KeyInfo", nil)
	}
	si := kids[0].ChildElements()
	if len(si) != 3 || !isDS(si[0], "CanonicalizationMethod") || !isDS(si[1], "SignatureMethod") || !isDS(si[2], "Reference") {
		return nil, fail(ErrWrapping, "SignedInfo must hold CanonicalizationMethod, SignatureMethod and exactly one Reference", nil)
	}
	if alg := si[0].SelectAttrValue("Algorithm", ""); !IsCanonicalization(alg) {
		return nil, fail(ErrAlgorithm, fmt.Sprintf("canonicalization %q", alg), nil)
	}
	if alg := si[1].SelectAttrValue("Algorithm", ""); !allowed(allowedSignatureMethods, alg, legacy) {
		return nil, fail(ErrAlgorithm, fmt.Sprintf("signature method %q", alg), nil)
	}
	ref := si[2]
	uri := ref.SelectAttrValue("URI", "")
	if uri != "" && (rootID == "" || uri != "#"+rootID) {
		return nil, fail(ErrWrapping, fmt.Sprintf("reference %q is not to the document element", uri), nil)
	}
	rk := ref.ChildElements()
	if len(rk) != 3 || !isDS(rk[0], "Transforms") || !isDS(rk[1], "DigestMethod") || !isDS(rk[2], "DigestValue") {
		return nil, fail(ErrMalformed, "Reference must hold Transforms, DigestMethod, DigestValue", nil)
	}
	enveloped := false
	for _, t := range rk[0].ChildElements() {
		alg := t.SelectAttrValue("Algorithm", "")
		switch {
		case !isDS(t, "Transform"):
			return nil, fail(ErrMalformed, "unexpected element in Transforms", nil)
		case alg == envelopedTransform:
			enveloped = true
		case IsCanonicalization(alg):
		default:
			return nil, fail(ErrAlgorithm, fmt.Sprintf("transform %q", alg), nil)
		}
	}
	if !enveloped {
		return nil, fail(ErrMalformed, "not an enveloped signature", nil)
	}
	if alg := rk[1].SelectAttrValue("Algorithm", ""); !allowed(allowedDigests, alg, legacy) {
		return nil, fail(ErrAlgorithm, fmt.Sprintf("digest method %q", alg), nil)
	}
	var certs []*x509.Certificate
	nData := 0
	for _, xd := range kids[2].ChildElements() {
		if !isDS(xd, "X509Data") {
			continue
		}
		if nData++; nData > 1 {
			return nil, fail(ErrWrapping, "more than one X509Data", nil)
		}
		for _, c := range xd.ChildElements() {
			if !isDS(c, "X509Certificate") {
				continue
			}
			if len(certs) >= 16 {
				return nil, fail(ErrMalformed, "too many certificates", nil)
			}
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c.Text()), ""))
			if err != nil {
				return nil, fail(ErrMalformed, "X509Certificate is not base64", err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, fail(ErrMalformed, "X509Certificate", err)
			}
			certs = append(certs, cert)
		}
	}
	if len(certs) == 0 {
		return nil, fail(ErrMalformed, "no X509Certificate in KeyInfo", nil)
	}
	return certs, nil
}

func allowed(m map[string]crypto.Hash, alg string, legacy bool) bool {
	h, ok := m[alg]
	return ok && (h != crypto.SHA1 || legacy)
}
