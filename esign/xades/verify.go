package xades

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/fellesgo/felles/internal/xmldsig"
	"github.com/fellesgo/felles/internal/xmlsafe"
)

// Limits on what Verify accepts (see the package documentation).
const (
	defaultMaxBytes  = 10 << 20
	maxDepth         = 64
	maxReferences    = 1000
	maxCertificates  = 16
	maxIdAttributes  = 10000
	maxBase64Decoded = 1 << 20
)

// Verify checks signaturesXML (META-INF/signatures.xml) against the files in
// fsys: every Reference/@URI is resolved by name (percent- or
// form-decoded; absolute, external and ".." URIs are refused), every digest,
// the signature value over canonical SignedInfo, the signing certificate
// against the signed SigningCertificate, the chain against
// [VerifyOptions.Roots] at [VerifyOptions.Time], an allow-list of
// algorithms, and signature wrapping. Verification failures are a
// *[VerifyError] (use [errors.As]) wrapping one of the sentinel errors (use
// [errors.Is]); an invalid option or a nil fsys gives an error wrapping
// [ErrInput].
//
// When everything but trust verifies (the chain does not verify against
// the roots, which are the system roots when none are given), Verify
// returns the *Signature together with an [ErrUntrusted] error, so that
// callers can report who signed; Signature.Chain is nil then. On any other
// error the *Signature is nil.
func Verify(signaturesXML []byte, fsys fs.FS, opts VerifyOptions) (*Signature, error) {
	cfg, err := newVerifyConfig(opts)
	if err != nil {
		return nil, err
	}
	if fsys == nil {
		return nil, fmt.Errorf("%w: nil fs.FS", ErrInput)
	}
	if err := xmlsafe.Check(signaturesXML, xmlsafe.Limits{MaxBytes: cfg.maxBytes, MaxDepth: maxDepth}); err != nil {
		return nil, &VerifyError{Kind: ErrMalformed, Reason: "refused by the XML gate", Err: err}
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(signaturesXML); err != nil {
		return nil, &VerifyError{Kind: ErrMalformed, Reason: "parse", Err: err}
	}
	v := &verifier{cfg: cfg, fsys: fsys}
	return v.verify(doc)
}

type verifier struct {
	cfg  verifyConfig
	fsys fs.FS
}

func isDS(el *etree.Element, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == nsDSig
}

func isXAdES(el *etree.Element, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == nsXAdES
}

// only returns the single child element of el with the given local name in
// ns; it is an error if there are several.
func only(el *etree.Element, ns, local string) (*etree.Element, error) {
	var found *etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			if found != nil {
				return nil, verr(ErrWrapping, "more than one "+local+" in "+el.Tag)
			}
			found = c
		}
	}
	if found == nil {
		return nil, verr(ErrMalformed, "missing "+local+" in "+el.Tag)
	}
	return found, nil
}

func (v *verifier) verify(doc *etree.Document) (*Signature, error) {
	root := doc.Root()
	if root == nil || root.Tag != "XAdESSignatures" {
		return nil, verr(ErrMalformed, "root element is not XAdESSignatures")
	}
	ns := Namespace(root.NamespaceURI())
	if ns != NamespaceASiC && ns != NamespaceASiC2014 {
		return nil, verr(ErrMalformed, fmt.Sprintf("unknown XAdESSignatures namespace %q", ns))
	}

	// Walk the whole document once: count signatures and Id attributes.
	var sigs []*etree.Element
	ids := map[string]*etree.Element{}
	var walkErr error
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		if walkErr != nil {
			return
		}
		if isDS(el, "Signature") {
			sigs = append(sigs, el)
		}
		for _, a := range el.Attr {
			if a.Space == "" && (a.Key == "Id" || a.Key == "ID" || a.Key == "id") || a.Space == "xml" && a.Key == "id" {
				if _, dup := ids[a.Value]; dup {
					walkErr = verr(ErrWrapping, fmt.Sprintf("duplicate Id %q", a.Value))
					return
				}
				if len(ids) >= maxIdAttributes {
					walkErr = verr(ErrMalformed, "too many Id attributes")
					return
				}
				ids[a.Value] = el
			}
		}
		for _, c := range el.ChildElements() {
			walk(c)
		}
	}
	walk(root)
	if walkErr != nil {
		return nil, walkErr
	}
	if len(sigs) != 1 {
		return nil, verr(ErrWrapping, fmt.Sprintf("want exactly one ds:Signature, found %d", len(sigs)))
	}
	sig := sigs[0]
	if sig.Parent() != root {
		return nil, verr(ErrWrapping, "ds:Signature is not a child of XAdESSignatures")
	}
	for _, c := range root.ChildElements() {
		if c != sig {
			return nil, verr(ErrWrapping, "unexpected element "+c.Tag+" next to the signature in XAdESSignatures")
		}
	}
	sigID := sig.SelectAttrValue("Id", "")

	// Shape of ds:Signature: SignedInfo, SignatureValue, KeyInfo, Object*.
	children := sig.ChildElements()
	if len(children) < 3 || !isDS(children[0], "SignedInfo") || !isDS(children[1], "SignatureValue") || !isDS(children[2], "KeyInfo") {
		return nil, verr(ErrMalformed, "ds:Signature must hold SignedInfo, SignatureValue, KeyInfo, Object")
	}
	for _, c := range children[3:] {
		if !isDS(c, "Object") {
			return nil, verr(ErrMalformed, "unexpected element "+c.Tag+" in ds:Signature")
		}
	}
	si, sigValueEl, keyInfo := children[0], children[1], children[2]

	// The one QualifyingProperties/SignedProperties of this signature.
	var qps []*etree.Element
	for _, obj := range children[3:] {
		for _, c := range obj.ChildElements() {
			if isXAdES(c, "QualifyingProperties") {
				qps = append(qps, c)
			}
		}
	}
	if len(qps) == 0 {
		return nil, verr(ErrMalformed, "no xades:QualifyingProperties in the signature (not a XAdES signature)")
	}
	if len(qps) != 1 {
		return nil, verr(ErrWrapping, fmt.Sprintf("want exactly one xades:QualifyingProperties in the signature, found %d", len(qps)))
	}
	qp := qps[0]
	if sigID == "" || qp.SelectAttrValue("Target", "") != "#"+sigID {
		return nil, verr(ErrWrapping, "QualifyingProperties/@Target does not name this signature")
	}
	sp, err := only(qp, nsXAdES, "SignedProperties")
	if err != nil {
		return nil, &VerifyError{Kind: ErrWrapping, Reason: "want exactly one SignedProperties in this signature's QualifyingProperties", Err: err}
	}

	// SignedInfo.
	siKids := si.ChildElements()
	if len(siKids) < 3 || !isDS(siKids[0], "CanonicalizationMethod") || !isDS(siKids[1], "SignatureMethod") {
		return nil, verr(ErrMalformed, "SignedInfo must hold CanonicalizationMethod, SignatureMethod, Reference+")
	}
	c14nAlg := siKids[0].SelectAttrValue("Algorithm", "")
	siCanonicalizer := canonicalizer(siKids[0])
	if siCanonicalizer == nil {
		return nil, verr(ErrAlgorithm, fmt.Sprintf("canonicalization %q", c14nAlg))
	}
	methodURI := siKids[1].SelectAttrValue("Algorithm", "")
	method, ok := signatureMethods[methodURI]
	if !ok || method.hash == crypto.SHA1 && !v.cfg.legacy {
		return nil, verr(ErrAlgorithm, fmt.Sprintf("signature method %q", methodURI))
	}
	if len(siKids) > 2+maxReferences+1 {
		return nil, verr(ErrMalformed, "too many references")
	}

	// Shape and algorithms of every reference, before any cryptography.
	type refParts struct {
		el         *etree.Element
		uri        string
		hash       crypto.Hash
		want       []byte
		transforms []*etree.Element
	}
	var parts []refParts
	for _, ref := range siKids[2:] {
		if !isDS(ref, "Reference") {
			return nil, verr(ErrMalformed, "unexpected element "+ref.Tag+" in SignedInfo")
		}
		uri, hasURI := attr(ref, "URI")
		if !hasURI {
			return nil, verr(ErrReference, "Reference without URI")
		}
		h, want, transforms, rerr := v.referenceParts(ref)
		if rerr != nil {
			rerr.URI = uri
			return nil, rerr
		}
		switch {
		case !strings.HasPrefix(uri, "#") && len(transforms) != 0:
			return nil, &VerifyError{Kind: ErrAlgorithm, Reason: "transforms on a file reference", URI: uri}
		case len(transforms) > 1:
			return nil, &VerifyError{Kind: ErrAlgorithm, Reason: "more than one transform", URI: uri}
		case len(transforms) == 1 && canonicalizer(transforms[0]) == nil:
			return nil, &VerifyError{Kind: ErrAlgorithm, Reason: fmt.Sprintf("transform %q", transforms[0].SelectAttrValue("Algorithm", "")), URI: uri}
		}
		parts = append(parts, refParts{ref, uri, h, want, transforms})
	}

	// Signer certificate, and the signature value over SignedInfo: checked
	// before the references so that a forged digest is reported as a bad
	// signature.
	certs, err := parseCertificates(keyInfo)
	if err != nil {
		return nil, err
	}
	signer, err := v.signingCertificate(sp, certs)
	if err != nil {
		return nil, err
	}
	sigValue, err := decodeBase64(sigValueEl.Text())
	if err != nil {
		return nil, &VerifyError{Kind: ErrMalformed, Reason: "SignatureValue is not base64", Err: err}
	}
	siCanon, err := siCanonicalizer(si)
	if err != nil {
		return nil, &VerifyError{Kind: ErrMalformed, Reason: "canonicalize SignedInfo", Err: err}
	}
	if err := verifySignature(signer, method, siCanon, sigValue); err != nil {
		return nil, err
	}

	// References.
	out := &Signature{
		Signer:           signer,
		Canonicalization: c14nAlg,
		SignatureMethod:  methodURI,
		Namespace:        ns,
		MimeTypes:        map[string]string{},
	}
	refIDs := map[string]string{} // Reference/@Id -> file name
	usedFiles := map[string]bool{}
	spRefs := 0
	for _, p := range parts {
		ref, uri, h, want, transforms := p.el, p.uri, p.hash, p.want, p.transforms
		if strings.HasPrefix(uri, "#") {
			spRefs++
			if spRefs > 1 {
				return nil, &VerifyError{Kind: ErrWrapping, Reason: "more than one same-document reference", URI: uri}
			}
			target := ids[uri[1:]]
			if target == nil || target != sp {
				return nil, &VerifyError{Kind: ErrWrapping, Reason: "same-document reference does not point at this signature's SignedProperties", URI: uri}
			}
			if t := ref.SelectAttrValue("Type", typeSignedPr); t != typeSignedPr {
				return nil, &VerifyError{Kind: ErrWrapping, Reason: fmt.Sprintf("Type %q on the SignedProperties reference", t), URI: uri}
			}
			// No transform: the default for a same-document reference
			// is inclusive C14N 1.0.
			var canon []byte
			if len(transforms) == 0 {
				canon, err = xmldsig.Canonicalize(sp, string(C14N10), "")
			} else {
				canon, err = canonicalizer(transforms[0])(sp)
			}
			if err != nil {
				return nil, &VerifyError{Kind: ErrMalformed, Reason: "canonicalize SignedProperties", URI: uri, Err: err}
			}
			hh := h.New()
			hh.Write(canon)
			if !bytes.Equal(hh.Sum(nil), want) {
				return nil, &VerifyError{Kind: ErrDigestMismatch, Reason: "SignedProperties changed", URI: uri}
			}
			continue
		}
		name, rerr := v.resolve(uri)
		if rerr != nil {
			return nil, rerr
		}
		if usedFiles[name] {
			return nil, &VerifyError{Kind: ErrWrapping, Reason: fmt.Sprintf("two references to %q", name), URI: uri}
		}
		usedFiles[name] = true
		got, err := fileDigest(v.fsys, name, h)
		if err != nil {
			return nil, &VerifyError{Kind: ErrReference, Reason: "read " + strconv.Quote(name), URI: uri, Err: err}
		}
		if !bytes.Equal(got, want) {
			return nil, &VerifyError{Kind: ErrDigestMismatch, Reason: fmt.Sprintf("file %q changed", name), URI: uri}
		}
		if id := ref.SelectAttrValue("Id", ""); id != "" {
			refIDs[id] = name
		}
		out.Files = append(out.Files, name)
	}
	if spRefs != 1 {
		return nil, verr(ErrMalformed, "no reference to SignedProperties")
	}
	if len(out.Files) == 0 {
		return nil, verr(ErrMalformed, "no file references")
	}

	// Signed properties, now verified.
	ssp, err := only(sp, nsXAdES, "SignedSignatureProperties")
	if err != nil {
		return nil, err
	}
	st, err := only(ssp, nsXAdES, "SigningTime")
	if err != nil {
		return nil, err
	}
	out.SigningTime, err = parseDateTime(st.Text())
	if err != nil {
		return nil, &VerifyError{Kind: ErrMalformed, Reason: "SigningTime", Err: err}
	}
	if sdop := firstChild(sp, nsXAdES, "SignedDataObjectProperties"); sdop != nil {
		for _, dof := range sdop.ChildElements() {
			if !isXAdES(dof, "DataObjectFormat") {
				continue
			}
			target := strings.TrimPrefix(dof.SelectAttrValue("ObjectReference", ""), "#")
			name, ok := refIDs[target]
			if mt := firstChild(dof, nsXAdES, "MimeType"); ok && mt != nil {
				out.MimeTypes[name] = strings.TrimSpace(mt.Text())
			}
		}
	}

	// Chain.
	inter := x509.NewCertPool()
	if v.cfg.intermediates != nil {
		inter = v.cfg.intermediates.Clone()
	}
	for _, c := range certs {
		if c != signer {
			inter.AddCert(c)
		}
	}
	chains, err := signer.Verify(x509.VerifyOptions{
		Roots:         v.cfg.roots,
		Intermediates: inter,
		CurrentTime:   v.cfg.time,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return out, &VerifyError{Kind: ErrUntrusted, Reason: "certificate chain", Err: err}
	}
	out.Chain = chains[0]
	return out, nil
}

func attr(el *etree.Element, key string) (string, bool) {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

func firstChild(el *etree.Element, ns, local string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

// referenceParts returns a reference's digest algorithm, digest value and
// transforms, after checking their shape and the allow-list.
func (v *verifier) referenceParts(ref *etree.Element) (crypto.Hash, []byte, []*etree.Element, *VerifyError) {
	var transforms []*etree.Element
	kids := ref.ChildElements()
	i := 0
	if i < len(kids) && isDS(kids[i], "Transforms") {
		for _, t := range kids[i].ChildElements() {
			if !isDS(t, "Transform") {
				return 0, nil, nil, verr(ErrMalformed, "unexpected element "+t.Tag+" in Transforms")
			}
			transforms = append(transforms, t)
		}
		i++
	}
	if len(kids) != i+2 || !isDS(kids[i], "DigestMethod") || !isDS(kids[i+1], "DigestValue") {
		return 0, nil, nil, verr(ErrMalformed, "Reference must hold Transforms?, DigestMethod, DigestValue")
	}
	alg := kids[i].SelectAttrValue("Algorithm", "")
	h, ok := digestMethods[alg]
	if !ok || h == crypto.SHA1 && !v.cfg.legacy {
		return 0, nil, nil, verr(ErrAlgorithm, fmt.Sprintf("digest method %q", alg))
	}
	want, err := decodeBase64(kids[i+1].Text())
	if err != nil || len(want) != h.Size() {
		return 0, nil, nil, verr(ErrMalformed, "DigestValue is not a base64 "+h.String()+" digest")
	}
	return h, want, transforms, nil
}

// resolve maps a file reference URI to a name in v.fsys.
func (v *verifier) resolve(uri string) (string, *VerifyError) {
	bad := func(reason string) *VerifyError {
		return &VerifyError{Kind: ErrReference, Reason: reason, URI: uri}
	}
	if uri == "" {
		return "", bad("empty URI (the whole document) is not a file reference")
	}
	u, err := url.Parse(uri)
	if err != nil {
		return "", &VerifyError{Kind: ErrReference, Reason: "unparseable URI", URI: uri, Err: err}
	}
	if u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasPrefix(uri, "//") {
		return "", bad("external or non-relative URI")
	}
	var cands []string
	if p, err := url.PathUnescape(uri); err == nil {
		cands = append(cands, p)
	}
	if q, err := url.QueryUnescape(uri); err == nil && (len(cands) == 0 || q != cands[0]) {
		cands = append(cands, q)
	}
	var found []string
	for _, name := range cands {
		if !fs.ValidPath(name) || strings.Contains(name, `\`) || name == "." {
			return "", bad("URI escapes the container or is not a clean relative path")
		}
		if st, err := fs.Stat(v.fsys, name); err == nil && st.Mode().IsRegular() {
			found = append(found, name)
		}
	}
	switch len(found) {
	case 0:
		return "", bad("no such file in the container")
	case 1:
		return found[0], nil
	}
	return "", &VerifyError{Kind: ErrWrapping, Reason: fmt.Sprintf("URI is ambiguous: both %q and %q exist", found[0], found[1]), URI: uri}
}

func fileDigest(fsys fs.FS, name string, h crypto.Hash) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	hh := h.New()
	if _, err := io.Copy(hh, f); err != nil {
		return nil, err
	}
	return hh.Sum(nil), nil
}

func decodeBase64(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	if base64.StdEncoding.DecodedLen(len(clean)) > maxBase64Decoded {
		return nil, errors.New("too long")
	}
	return base64.StdEncoding.DecodeString(clean)
}

func parseCertificates(keyInfo *etree.Element) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for _, xd := range keyInfo.ChildElements() {
		if !isDS(xd, "X509Data") {
			continue
		}
		for _, c := range xd.ChildElements() {
			if !isDS(c, "X509Certificate") {
				continue
			}
			if len(certs) >= maxCertificates {
				return nil, verr(ErrMalformed, "too many certificates in KeyInfo")
			}
			der, err := decodeBase64(c.Text())
			if err != nil {
				return nil, &VerifyError{Kind: ErrMalformed, Reason: "X509Certificate is not base64", Err: err}
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, &VerifyError{Kind: ErrMalformed, Reason: "X509Certificate", Err: err}
			}
			certs = append(certs, cert)
		}
	}
	if len(certs) == 0 {
		return nil, verr(ErrCertificate, "no X509Certificate in KeyInfo")
	}
	return certs, nil
}

// signingCertificate returns the certificate among certs whose digest the
// (not yet verified; it is checked through the SignedProperties reference)
// SigningCertificate names.
func (v *verifier) signingCertificate(sp *etree.Element, certs []*x509.Certificate) (*x509.Certificate, error) {
	ssp, err := only(sp, nsXAdES, "SignedSignatureProperties")
	if err != nil {
		return nil, err
	}
	sc, err := only(ssp, nsXAdES, "SigningCertificate")
	if err != nil {
		return nil, &VerifyError{Kind: ErrCertificate, Reason: "no SigningCertificate", Err: err}
	}
	cert, err := only(sc, nsXAdES, "Cert")
	if err != nil {
		return nil, &VerifyError{Kind: ErrCertificate, Reason: "want exactly one SigningCertificate/Cert", Err: err}
	}
	cd, err := only(cert, nsXAdES, "CertDigest")
	if err != nil {
		return nil, err
	}
	dm, err := only(cd, nsDSig, "DigestMethod")
	if err != nil {
		return nil, err
	}
	dv, err := only(cd, nsDSig, "DigestValue")
	if err != nil {
		return nil, err
	}
	alg := dm.SelectAttrValue("Algorithm", "")
	h, ok := digestMethods[alg]
	if !ok {
		return nil, verr(ErrAlgorithm, fmt.Sprintf("CertDigest method %q", alg))
	}
	want, err := decodeBase64(dv.Text())
	if err != nil {
		return nil, &VerifyError{Kind: ErrMalformed, Reason: "CertDigest value", Err: err}
	}
	var match *x509.Certificate
	for _, c := range certs {
		hh := h.New()
		hh.Write(c.Raw)
		if bytes.Equal(hh.Sum(nil), want) {
			match = c
			break
		}
	}
	if match == nil {
		return nil, verr(ErrCertificate, "no certificate in KeyInfo matches SigningCertificate/CertDigest")
	}
	if is := firstChild(cert, nsXAdES, "IssuerSerial"); is != nil {
		if sn := firstChild(is, nsDSig, "X509SerialNumber"); sn != nil {
			n, ok := new(big.Int).SetString(strings.TrimSpace(sn.Text()), 10)
			if !ok || n.Cmp(match.SerialNumber) != 0 {
				return nil, verr(ErrCertificate, "IssuerSerial serial number does not match the signing certificate")
			}
		}
	}
	if match.KeyUsage != 0 && match.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return nil, verr(ErrCertificate, "signing certificate has neither digitalSignature nor nonRepudiation key usage")
	}
	return match, nil
}

// parseDateTime parses an xsd:dateTime; one without a time zone is taken
// as UTC.
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	if t, err2 := time.Parse("2006-01-02T15:04:05.999999999", s); err2 == nil {
		return t, nil
	}
	return time.Time{}, err
}

func verifySignature(cert *x509.Certificate, m sigMethod, signed, sig []byte) error {
	hh := m.hash.New()
	hh.Write(signed)
	sum := hh.Sum(nil)
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if m.key != x509.RSA {
			return verr(ErrAlgorithm, "signature method does not match the RSA key")
		}
		if pub.N.BitLen() < 2048 {
			return verr(ErrAlgorithm, "RSA key shorter than 2048 bits")
		}
		if err := rsa.VerifyPKCS1v15(pub, m.hash, sum, sig); err != nil {
			return verr(ErrBadSignature, "RSA signature over SignedInfo")
		}
	case *ecdsa.PublicKey:
		if m.key != x509.ECDSA {
			return verr(ErrAlgorithm, "signature method does not match the ECDSA key")
		}
		n := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*n {
			return verr(ErrBadSignature, "ECDSA signature has the wrong length")
		}
		r := new(big.Int).SetBytes(sig[:n])
		s := new(big.Int).SetBytes(sig[n:])
		if !ecdsa.Verify(pub, sum, r, s) {
			return verr(ErrBadSignature, "ECDSA signature over SignedInfo")
		}
	default:
		return verr(ErrAlgorithm, fmt.Sprintf("unsupported key type %T", cert.PublicKey))
	}
	return nil
}
