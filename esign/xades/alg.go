package xades

import (
	"crypto"
	"crypto/x509"

	"github.com/beevik/etree"

	"github.com/fellesgo/felles/internal/xmldsig"
)

// Namespaces and type URIs.
const (
	nsDSig       = "http://www.w3.org/2000/09/xmldsig#"
	nsXAdES      = "http://uri.etsi.org/01903/v1.3.2#"
	typeSignedPr = "http://uri.etsi.org/01903#SignedProperties"
)

// Digest methods.
const (
	digestSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	digestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	digestSHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	digestSHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
)

var digestMethods = map[string]crypto.Hash{
	digestSHA1:   crypto.SHA1,
	digestSHA256: crypto.SHA256,
	digestSHA384: crypto.SHA384,
	digestSHA512: crypto.SHA512,
}

type sigMethod struct {
	key  x509.PublicKeyAlgorithm
	hash crypto.Hash
}

const (
	sigRSASHA256   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	sigECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
)

var signatureMethods = map[string]sigMethod{
	"http://www.w3.org/2000/09/xmldsig#rsa-sha1": {x509.RSA, crypto.SHA1},
	sigRSASHA256: {x509.RSA, crypto.SHA256},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": {x509.RSA, crypto.SHA384},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": {x509.RSA, crypto.SHA512},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1": {x509.ECDSA, crypto.SHA1},
	sigECDSASHA256: {x509.ECDSA, crypto.SHA256},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": {x509.ECDSA, crypto.SHA384},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": {x509.ECDSA, crypto.SHA512},
}

// c14nFunc canonicalizes a subtree as it sits in its document.
type c14nFunc func(*etree.Element) ([]byte, error)

// canonicalizer returns the canonicalization named by an allowed
// CanonicalizationMethod or Transform element, or nil. For exclusive c14n
// the InclusiveNamespaces PrefixList child is honoured.
func canonicalizer(method *etree.Element) c14nFunc {
	alg := method.SelectAttrValue("Algorithm", "")
	if !xmldsig.IsCanonicalization(alg) {
		return nil
	}
	prefixes := ""
	for _, c := range method.ChildElements() {
		if c.Tag == "InclusiveNamespaces" {
			prefixes = c.SelectAttrValue("PrefixList", "")
		}
	}
	return func(el *etree.Element) ([]byte, error) { return xmldsig.Canonicalize(el, alg, prefixes) }
}
