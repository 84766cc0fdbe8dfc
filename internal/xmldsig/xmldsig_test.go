package xmldsig_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
	"github.com/fellesgo/felles/internal/xmldsig"
	"github.com/fellesgo/felles/internal/xmlsafe"
)

func testPKI(tb testing.TB) (*testpki.CA, *identity.Certificate) {
	tb.Helper()
	ca, cert, err := testpki.Shared()
	if err != nil {
		tb.Fatal(err)
	}
	return ca, cert
}

const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_resp1" Version="2.0"><saml:Issuer>https://idp.example</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:Response>`

func element(tb testing.TB, s string) *etree.Element {
	tb.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromString(s); err != nil {
		tb.Fatal(err)
	}
	return d.Root()
}

func serialize(tb testing.TB, el *etree.Element) []byte {
	tb.Helper()
	d := etree.NewDocument()
	d.SetRoot(el)
	b, err := d.WriteToBytes()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func signed(tb testing.TB, opts xmldsig.SignOptions) []byte {
	tb.Helper()
	_, cert := testPKI(tb)
	el, err := xmldsig.SignEnveloped(element(tb, response), cert.Signer, cert.Chain, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return serialize(tb, el)
}

func wantErr(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want %v", err, kind)
	}
	var e *xmldsig.Error
	if !errors.As(err, &e) {
		t.Fatalf("%T is not *xmldsig.Error", err)
	}
	if !strings.HasPrefix(err.Error(), "xmldsig: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
}

func TestRoundTrip(t *testing.T) {
	ca, cert := testPKI(t)
	for _, opts := range []xmldsig.SignOptions{
		{},
		{Canonicalization: xmldsig.C14N10, Hash: crypto.SHA512},
		{Canonicalization: xmldsig.C14N11, Hash: crypto.SHA384},
	} {
		doc := signed(t, opts)
		v, err := xmldsig.VerifyEnveloped(doc, ca.Roots(), xmldsig.VerifyOptions{})
		if err != nil {
			t.Fatalf("%+v: %v\n%s", opts, err, doc)
		}
		if v.Element.SelectAttrValue("ID", "") != "_resp1" || v.Element.FindElement("./Issuer").Text() != "https://idp.example" {
			t.Errorf("verified element: %v", v.Element)
		}
		if v.Element.FindElement("./Signature") != nil {
			t.Error("verified element still holds the signature")
		}
		if len(v.Chain) != 3 || !v.Chain[0].Equal(cert.Chain[0]) {
			t.Errorf("chain of %d", len(v.Chain))
		}
	}
}

func TestCopyBeforeSign(t *testing.T) {
	_, cert := testPKI(t)
	el := element(t, response)
	before := string(serialize(t, el.Copy()))
	if _, err := xmldsig.SignEnveloped(el, cert.Signer, cert.Chain, xmldsig.SignOptions{}); err != nil {
		t.Fatal(err)
	}
	if after := string(serialize(t, el.Copy())); after != before {
		t.Fatalf("input changed:\n%s\n%s", before, after)
	}
}

func TestIdAttribute(t *testing.T) {
	ca, cert := testPKI(t)
	el := element(t, `<Doc xmlns="urn:x" Id="d1"><v>1</v></Doc>`)
	s, err := xmldsig.SignEnveloped(el, cert.Signer, cert.Chain, xmldsig.SignOptions{IdAttribute: "Id"})
	if err != nil {
		t.Fatal(err)
	}
	doc := serialize(t, s)
	if !strings.Contains(string(doc), `URI="#d1"`) {
		t.Fatalf("reference not to #d1:\n%s", doc)
	}
	if _, err := xmldsig.VerifyEnveloped(doc, ca.Roots(), xmldsig.VerifyOptions{IdAttribute: "Id"}); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	ca, cert := testPKI(t)
	doc := string(signed(t, xmldsig.SignOptions{}))
	verify := func(s string, opts xmldsig.VerifyOptions) error {
		_, err := xmldsig.VerifyEnveloped([]byte(s), ca.Roots(), opts)
		return err
	}
	t.Run("content", func(t *testing.T) {
		wantErr(t, verify(strings.Replace(doc, "https://idp.example", "https://evil.example", 1), xmldsig.VerifyOptions{}), xmldsig.ErrBadSignature)
	})
	t.Run("signature value", func(t *testing.T) {
		i := strings.Index(doc, "SignatureValue>") + len("SignatureValue>")
		c := "A"
		if doc[i] == 'A' {
			c = "B"
		}
		wantErr(t, verify(doc[:i]+c+doc[i+1:], xmldsig.VerifyOptions{}), xmldsig.ErrBadSignature)
	})
	t.Run("untrusted", func(t *testing.T) {
		other, err := testpki.New("Other")
		if err != nil {
			t.Fatal(err)
		}
		_, err = xmldsig.VerifyEnveloped([]byte(doc), other.Roots(), xmldsig.VerifyOptions{})
		wantErr(t, err, xmldsig.ErrUntrusted)
	})
	t.Run("expired", func(t *testing.T) {
		wantErr(t, verify(doc, xmldsig.VerifyOptions{Time: time.Now().AddDate(30, 0, 0)}), xmldsig.ErrUntrusted)
	})
	t.Run("DOCTYPE", func(t *testing.T) {
		err := verify(`<!DOCTYPE r [<!ENTITY x "y">]>`+doc, xmldsig.VerifyOptions{})
		wantErr(t, err, xmldsig.ErrMalformed)
		if !errors.Is(err, xmlsafe.ErrDOCTYPE) && !errors.Is(err, xmlsafe.ErrEntity) {
			t.Errorf("cause: %v", err)
		}
	})
	t.Run("sha1", func(t *testing.T) {
		ctx, err := dsig.NewSigningContext(cert.Signer, [][]byte{cert.Chain[0].Raw, cert.Chain[1].Raw})
		if err != nil {
			t.Fatal(err)
		}
		ctx.Hash = crypto.SHA1
		ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
		s, err := ctx.SignEnveloped(element(t, response))
		if err != nil {
			t.Fatal(err)
		}
		legacy := string(serialize(t, s))
		wantErr(t, verify(legacy, xmldsig.VerifyOptions{}), xmldsig.ErrAlgorithm)
		if err := verify(legacy, xmldsig.VerifyOptions{Legacy: true}); err != nil {
			t.Fatalf("legacy: %v", err)
		}
	})
	t.Run("reference to another element", func(t *testing.T) {
		// Wrapping: the signed element is moved under an evil root that
		// carries a different ID.
		el := element(t, doc)
		evil := etree.NewElement("samlp:Response")
		evil.CreateAttr("xmlns:samlp", "urn:oasis:names:tc:SAML:2.0:protocol")
		evil.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
		evil.CreateAttr("ID", "_evil")
		sig := el.FindElement("./Signature")
		el.RemoveChild(sig)
		evil.AddChild(sig)
		evil.AddChild(el)
		wantErr(t, verify(string(serialize(t, evil)), xmldsig.VerifyOptions{}), xmldsig.ErrWrapping)
	})
	t.Run("second signature", func(t *testing.T) {
		el := element(t, doc)
		el.AddChild(el.FindElement("./Signature").Copy())
		wantErr(t, verify(string(serialize(t, el)), xmldsig.VerifyOptions{}), xmldsig.ErrWrapping)
	})
	t.Run("duplicate ID", func(t *testing.T) {
		el := element(t, doc)
		x := el.CreateElement("saml:Extra")
		x.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
		x.CreateAttr("ID", "_resp1")
		wantErr(t, verify(string(serialize(t, el)), xmldsig.VerifyOptions{}), xmldsig.ErrWrapping)
	})
	t.Run("nil roots", func(t *testing.T) {
		_, err := xmldsig.VerifyEnveloped([]byte(doc), nil, xmldsig.VerifyOptions{})
		wantErr(t, err, xmldsig.ErrInput)
	})
}

func TestSignInputErrors(t *testing.T) {
	_, cert := testPKI(t)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	el := element(t, response)
	for name, f := range map[string]func() error{
		"nil el": func() error {
			_, err := xmldsig.SignEnveloped(nil, cert.Signer, cert.Chain, xmldsig.SignOptions{})
			return err
		},
		"no chain": func() error { _, err := xmldsig.SignEnveloped(el, cert.Signer, nil, xmldsig.SignOptions{}); return err },
		"ecdsa":    func() error { _, err := xmldsig.SignEnveloped(el, ec, cert.Chain, xmldsig.SignOptions{}); return err },
		"sha1": func() error {
			_, err := xmldsig.SignEnveloped(el, cert.Signer, cert.Chain, xmldsig.SignOptions{Hash: crypto.SHA1})
			return err
		},
		"unknown c14n": func() error {
			_, err := xmldsig.SignEnveloped(el, cert.Signer, cert.Chain, xmldsig.SignOptions{Canonicalization: "urn:x"})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantErr(t, f(), xmldsig.ErrInput) })
	}
}

// TestCanonicalizeSubtree checks that in-scope namespaces are taken from
// the ancestors, and that an element's own redeclaration wins.
func TestCanonicalizeSubtree(t *testing.T) {
	root := element(t, `<a xmlns="urn:a" xmlns:p="urn:p" xml:lang="no"><b xmlns="urn:b"><c p:x="1">t</c></b></a>`)
	c := root.FindElement("./b/c")
	b := root.FindElement("./b")
	for _, tc := range []struct {
		el   *etree.Element
		alg  string
		want string
	}{
		{c, xmldsig.C14N10, `<c xmlns="urn:b" xmlns:p="urn:p" xml:lang="no" p:x="1">t</c>`},
		{c, xmldsig.C14N11, `<c xmlns="urn:b" xmlns:p="urn:p" xml:lang="no" p:x="1">t</c>`},
		{c, xmldsig.ExcC14N, `<c xmlns="urn:b" xmlns:p="urn:p" p:x="1">t</c>`},
		{b, xmldsig.C14N10, `<b xmlns="urn:b" xmlns:p="urn:p" xml:lang="no"><c p:x="1">t</c></b>`},
	} {
		got, err := xmldsig.Canonicalize(tc.el, tc.alg, "")
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tc.el.Tag, tc.alg, got, tc.want)
		}
	}
	if _, err := xmldsig.Canonicalize(c, "urn:x", ""); err == nil {
		t.Error("unknown algorithm accepted")
	}
}

func x509MarshalPKCS8(k crypto.Signer) ([]byte, error) { return x509.MarshalPKCS8PrivateKey(k) }

func TestShortRSAKeyRefused(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "short"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	cert, _ := x509.ParseCertificate(der)
	el, err := xmldsig.SignEnveloped(element(t, response), key, []*x509.Certificate{cert}, xmldsig.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	_, err = xmldsig.VerifyEnveloped(serialize(t, el), roots, xmldsig.VerifyOptions{})
	wantErr(t, err, xmldsig.ErrAlgorithm)
}
