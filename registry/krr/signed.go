package krr

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/fellesgo/felles/identity"
)

// DigdirOrganizationNumber is the organisation number of Digdir
// (Digitaliseringsdirektoratet), which runs KRR and signs its responses.
const DigdirOrganizationNumber = "991825827"

// verifySigned verifies a compact JWS as KRR sends it for Accept:
// application/jose (identity-and-registers.md §3.5): RS256, the signer's
// certificate chain in the protected header's x5c, leading to a root in
// c.roots (never the system roots), the leaf a Norwegian enterprise
// certificate (see [norwegian]) with the digitalSignature key usage, an RSA
// key and the organisation number c.signerOrg. It returns the verified
// payload and nothing else.
func (c *Client) verifySigned(body []byte) ([]byte, error) {
	if c.roots == nil {
		return nil, &SignatureError{Reason: "no trusted roots configured"}
	}
	obj, err := jose.ParseSignedCompact(string(bytes.TrimSpace(body)), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, &SignatureError{Reason: "not a compact JWS signed with RS256", Err: err}
	}
	if len(obj.Signatures) != 1 {
		return nil, &SignatureError{Reason: "not exactly one signature"}
	}
	chains, err := obj.Signatures[0].Protected.Certificates(x509.VerifyOptions{
		Roots:       c.roots,
		CurrentTime: c.now(),
		// Enterprise certificates carry varying extended key usages.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if errors.Is(err, jose.ErrMissingX5cHeader) {
		return nil, &SignatureError{Reason: "no certificate chain (x5c) in the JWS header"}
	}
	if err != nil {
		return nil, &SignatureError{Reason: "the signer's certificate chain (x5c) does not verify", Err: err}
	}
	leaf := chains[0][0]
	if leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return nil, &SignatureError{Reason: "the signer's certificate does not allow digital signatures (no digitalSignature key usage)"}
	}
	if !norwegian(leaf) {
		return nil, &SignatureError{Reason: "the signer's certificate is not a Norwegian enterprise certificate (neither subject C=NO nor organizationIdentifier NTRNO-...)"}
	}
	org, err := identity.OrganizationNumber(leaf)
	if err != nil {
		return nil, &SignatureError{Reason: "the signer's certificate carries no organisation number", Err: err}
	}
	if org != c.signerOrg {
		return nil, &SignatureError{Reason: "the signer's certificate belongs to organisation " + org + ", not " + c.signerOrg}
	}
	if _, ok := leaf.PublicKey.(*rsa.PublicKey); !ok {
		return nil, &SignatureError{Reason: "the signer's certificate has no RSA key"}
	}
	payload, err := obj.Verify(leaf.PublicKey)
	if err != nil {
		return nil, &SignatureError{Reason: "the signature does not match the response", Err: err}
	}
	return payload, nil
}

var oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}

// norwegian reports whether cert's subject is Norwegian: its country (C) is
// NO, or it names no country and has an organizationIdentifier "NTRNO-..."
// (a number in the Norwegian register of legal entities). A subject with a country other
// than NO is not, whatever else it holds: a bare nine-digit serialNumber
// from another country is another country's registration number.
func norwegian(cert *x509.Certificate) bool {
	for _, c := range cert.Subject.Country {
		if !strings.EqualFold(c, "NO") {
			return false
		}
	}
	if len(cert.Subject.Country) > 0 {
		return true
	}
	for _, atv := range cert.Subject.Names {
		if s, ok := atv.Value.(string); ok && atv.Type.Equal(oidOrganizationIdentifier) &&
			len(s) > 6 && strings.EqualFold(s[:6], "NTRNO-") {
			return true
		}
	}
	return false
}
