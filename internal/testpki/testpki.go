// Package testpki is the sandbox's own certificate authority. It issues
// certificates shaped like Norwegian enterprise certificates
// (virksomhetssertifikat) for any organisation number: a root, an issuing
// CA, and leaf certificates whose subject carries the organisation number as
// organizationIdentifier "NTRNO-<orgnr>" (as current Buypass and Commfides
// certificates do) or, in the older form, as serialNumber.
//
// Nothing here is fit to protect anything real: it exists so that felles
// and its users can test without a real test certificate.
package testpki

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/fellesgo/felles/identity"
)

// OIDOrganizationIdentifier is X.520 organizationIdentifier (2.5.4.97).
var OIDOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}

// CA is a two-level test certificate authority: a self-signed root and an
// issuing CA below it, as the real enterprise-certificate issuers have.
type CA struct {
	Root    *x509.Certificate
	Issuing *x509.Certificate

	rootKey    crypto.Signer
	issuingKey crypto.Signer
}

// KeyBits is the RSA key size testpki generates.
const KeyBits = 2048

// New creates a CA whose certificates carry name ("Felles Sandbox").
func New(name string) (*CA, error) {
	rootKey, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, err
	}
	issKey, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, err
	}
	now := time.Now().Add(-time.Hour).Truncate(time.Second)
	rootTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{Country: []string{"NO"}, Organization: []string{name}, CommonName: name + " Root CA"},
		NotBefore:             now,
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		return nil, err
	}
	issTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{Country: []string{"NO"}, Organization: []string{name}, CommonName: name + " Class 3 CA"},
		NotBefore:             now,
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	issDER, err := x509.CreateCertificate(rand.Reader, issTmpl, root, issKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	iss, err := x509.ParseCertificate(issDER)
	if err != nil {
		return nil, err
	}
	return &CA{Root: root, Issuing: iss, rootKey: rootKey, issuingKey: issKey}, nil
}

// Roots returns a pool holding the CA's root certificate.
func (ca *CA) Roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Root)
	return p
}

// Intermediates returns a pool holding the CA's issuing certificate.
func (ca *CA) Intermediates() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Issuing)
	return p
}

// Request describes an enterprise certificate to issue.
type Request struct {
	OrganizationNumber string // nine digits; required
	OrganizationName   string // subject O; required
	CommonName         string // subject CN; default OrganizationName
	// LegacySubject puts the organisation number in subject serialNumber
	// (older Buypass certificates) instead of organizationIdentifier
	// "NTRNO-<orgnr>".
	LegacySubject bool
	// NotBefore and NotAfter default to one hour ago and two years ahead.
	NotBefore, NotAfter time.Time
	// Key is the subject's key; nil generates an RSA-2048 key.
	Key crypto.Signer
}

// Issue returns a certificate for r with its chain (leaf, issuing CA; the
// root omitted, as in certificates delivered by the real issuers).
func (ca *CA) Issue(r Request) (*identity.Certificate, error) {
	if r.OrganizationNumber == "" || r.OrganizationName == "" {
		return nil, errors.New("testpki: organisation number and name are required")
	}
	key := r.Key
	if key == nil {
		k, err := rsa.GenerateKey(rand.Reader, KeyBits)
		if err != nil {
			return nil, err
		}
		key = k
	}
	cn := r.CommonName
	if cn == "" {
		cn = r.OrganizationName
	}
	rawSubject, err := enterpriseSubject(r.OrganizationNumber, r.OrganizationName, cn, r.LegacySubject)
	if err != nil {
		return nil, fmt.Errorf("testpki: %w", err)
	}
	nb, na := r.NotBefore, r.NotAfter
	if nb.IsZero() {
		nb = time.Now().Add(-time.Hour)
	}
	if na.IsZero() {
		na = nb.AddDate(2, 0, 0)
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		RawSubject:   rawSubject,
		NotBefore:    nb,
		NotAfter:     na,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Issuing, key.Public(), ca.issuingKey)
	if err != nil {
		return nil, fmt.Errorf("testpki: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &identity.Certificate{Signer: key, Chain: []*x509.Certificate{leaf, ca.Issuing}}, nil
}

// EncodePKCS12 encodes c as a PKCS#12 file protected by password, with the
// modern algorithms (PBES2, AES-256-CBC, HMAC-SHA-256) openssl 3 uses by
// default.
func EncodePKCS12(c *identity.Certificate, password string) ([]byte, error) {
	if len(c.Chain) == 0 {
		return nil, errors.New("testpki: empty chain")
	}
	return pkcs12.Modern.Encode(c.Signer, c.Chain[0], c.Chain[1:], password)
}

// MarshalPEM writes the CA (both certificates and keys, unencrypted) as PEM,
// for a standalone sandbox to keep its CA across restarts.
func (ca *CA) MarshalPEM() ([]byte, error) {
	var out []byte
	for _, item := range []struct {
		cert *x509.Certificate
		key  crypto.Signer
	}{{ca.Root, ca.rootKey}, {ca.Issuing, ca.issuingKey}} {
		kd, err := x509.MarshalPKCS8PrivateKey(item.key)
		if err != nil {
			return nil, err
		}
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: item.cert.Raw})...)
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})...)
	}
	return out, nil
}

// ParsePEM reads a CA written by [CA.MarshalPEM].
func ParsePEM(data []byte) (*CA, error) {
	var certs []*x509.Certificate
	var keys []crypto.Signer
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		switch b.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("testpki: %w", err)
			}
			certs = append(certs, c)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("testpki: %w", err)
			}
			s, ok := k.(crypto.Signer)
			if !ok {
				return nil, errors.New("testpki: key is not a signer")
			}
			keys = append(keys, s)
		}
	}
	if len(certs) != 2 || len(keys) != 2 {
		return nil, errors.New("testpki: want two certificates and two keys")
	}
	if err := certs[1].CheckSignatureFrom(certs[0]); err != nil {
		return nil, fmt.Errorf("testpki: issuing CA not signed by root: %w", err)
	}
	return &CA{Root: certs[0], Issuing: certs[1], rootKey: keys[0], issuingKey: keys[1]}, nil
}

// enterpriseSubject encodes a subject the way Buypass encodes its enterprise
// certificates: C as PrintableString, O and CN as UTF8String, and the
// organisation number as organizationIdentifier (UTF8String "NTRNO-<orgnr>")
// or, in the legacy form, serialNumber (PrintableString).
func enterpriseSubject(orgnr, org, cn string, legacy bool) ([]byte, error) {
	utf8 := func(s string) asn1.RawValue { return asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(s)} }
	printable := func(s string) asn1.RawValue { return asn1.RawValue{Tag: asn1.TagPrintableString, Bytes: []byte(s)} }
	id := pkix.AttributeTypeAndValue{Type: OIDOrganizationIdentifier, Value: utf8("NTRNO-" + orgnr)}
	if legacy {
		id = pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: printable(orgnr)}
	}
	return asn1.Marshal(pkix.RDNSequence{
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: printable("NO")}},
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: utf8(org)}},
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: utf8(cn)}},
		{id},
	})
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return n.Add(n, big.NewInt(1))
}

// oidKPTimeStamping is id-kp-timeStamping (1.3.6.1.5.5.7.3.8);
// oidExtKeyUsage the extended key usage extension.
var (
	oidKPTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidExtKeyUsage    = asn1.ObjectIdentifier{2, 5, 29, 37}
)

// IssueTSA returns a timestamp authority certificate named name for key
// (nil generates an RSA-2048 key), with its chain (leaf, issuing CA). The
// certificate has key usage digitalSignature and the extended key usage
// id-kp-timeStamping as the only purpose, marked critical as RFC 3161 §2.3
// requires (openssl refuses a TSA certificate whose EKU is not critical).
func (ca *CA) IssueTSA(name string, key crypto.Signer) (*identity.Certificate, error) {
	if name == "" {
		return nil, errors.New("testpki: TSA name is required")
	}
	if key == nil {
		k, err := rsa.GenerateKey(rand.Reader, KeyBits)
		if err != nil {
			return nil, err
		}
		key = k
	}
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oidKPTimeStamping})
	if err != nil {
		return nil, err
	}
	nb := time.Now().Add(-time.Hour)
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{Country: []string{"NO"}, Organization: []string{name}, CommonName: name},
		NotBefore:    nb,
		NotAfter:     nb.AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{
			{Id: oidExtKeyUsage, Critical: true, Value: eku},
		},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Issuing, key.Public(), ca.issuingKey)
	if err != nil {
		return nil, fmt.Errorf("testpki: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &identity.Certificate{Signer: key, Chain: []*x509.Certificate{leaf, ca.Issuing}}, nil
}

var (
	sharedOnce sync.Once
	sharedCA   *CA
	sharedCert *identity.Certificate
	sharedErr  error
)

// Shared returns one CA ("Felles Test") and one enterprise certificate
// issued by it (organisation number 991825827, "Testkommune") per process,
// made on the first call: RSA key generation is slow, and most tests need
// only some certificate.
func Shared() (*CA, *identity.Certificate, error) {
	sharedOnce.Do(func() {
		if sharedCA, sharedErr = New("Felles Test"); sharedErr == nil {
			sharedCert, sharedErr = sharedCA.Issue(Request{OrganizationNumber: "991825827", OrganizationName: "Testkommune"})
		}
	})
	return sharedCA, sharedCert, sharedErr
}
