//go:build oracle

package xmldsig_test

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesgo/felles/internal/oracle"
	"github.com/fellesgo/felles/internal/xmldsig"
)

func pemDir(t *testing.T) string {
	t.Helper()
	oracle.Need(t, "xmlsec1")
	ca, _ := testPKI(t)
	dir := t.TempDir()
	oracle.WritePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", ca.Root.Raw)
	oracle.WritePEM(t, filepath.Join(dir, "issuing.pem"), "CERTIFICATE", ca.Issuing.Raw)
	return dir
}

// xmlsec1 --verify, trusting only root.pem.
func xmlsec1Verify(t *testing.T, dir string, doc []byte, idAttr string) (bool, string) {
	t.Helper()
	os.WriteFile(filepath.Join(dir, "doc.xml"), doc, 0o644)
	cmd := exec.Command("xmlsec1", "--verify", "--trusted-pem", "root.pem", "--untrusted-pem", "issuing.pem",
		"--id-attr:"+idAttr, "Response", "--enabled-reference-uris", "empty,same-doc", "doc.xml")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return err == nil && bytes.Contains(out, []byte("OK")), string(out)
}

func TestXmlsec1VerifiesSignEnveloped(t *testing.T) {
	dir := pemDir(t)
	for _, opts := range []xmldsig.SignOptions{{}, {Canonicalization: xmldsig.C14N10}, {Canonicalization: xmldsig.C14N11}} {
		doc := signed(t, opts)
		if ok, out := xmlsec1Verify(t, dir, doc, "ID"); !ok {
			t.Fatalf("%+v: xmlsec1 refused:\n%s\n%s", opts, out, doc)
		}
		bad := bytes.Replace(doc, []byte("https://idp.example"), []byte("https://evil.example"), 1)
		if ok, out := xmlsec1Verify(t, dir, bad, "ID"); ok {
			t.Fatalf("xmlsec1 accepted tampered content:\n%s", out)
		}
	}
}

func TestVerifyEnvelopedAcceptsXmlsec1Signature(t *testing.T) {
	dir := pemDir(t)
	ca, cert := testPKI(t)
	keyDER, err := x509MarshalPKCS8(cert.Signer)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	var certs bytes.Buffer
	for _, c := range cert.Chain {
		pem.Encode(&certs, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	os.WriteFile(filepath.Join(dir, "cert.pem"), certs.Bytes(), 0o644)
	tmpl := strings.Replace(response, `<saml:Issuer>`, `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>`+
		`<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>`+
		`<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>`+
		`<ds:Reference URI="#_resp1"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>`+
		`<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>`+
		`<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>`+
		`<ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature><saml:Issuer>`, 1)
	os.WriteFile(filepath.Join(dir, "tmpl.xml"), []byte(tmpl), 0o644)
	cmd := exec.Command("xmlsec1", "--sign", "--privkey-pem", "key.pem,cert.pem", "--id-attr:ID", "Response", "--output", "signed.xml", "tmpl.xml")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xmlsec1 --sign: %v\n%s", err, out)
	}
	doc, _ := os.ReadFile(filepath.Join(dir, "signed.xml"))
	v, err := xmldsig.VerifyEnveloped(doc, ca.Roots(), xmldsig.VerifyOptions{Intermediates: ca.Intermediates()})
	if err != nil {
		t.Fatalf("felles refused the xmlsec1 signature: %v\n%s", err, doc)
	}
	if v.Element.FindElement("./Issuer").Text() != "https://idp.example" {
		t.Error("wrong element")
	}
	bad := bytes.Replace(doc, []byte("https://idp.example"), []byte("https://evil.example"), 1)
	if _, err := xmldsig.VerifyEnveloped(bad, ca.Roots(), xmldsig.VerifyOptions{Intermediates: ca.Intermediates()}); !errors.Is(err, xmldsig.ErrBadSignature) {
		t.Fatal("tampered xmlsec1 document accepted")
	}
}
