//go:build oracle

package xades_test

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"bytes"
	"encoding/pem"
	"github.com/fellesgo/felles/esign/xades"
	"github.com/fellesgo/felles/internal/oracle"
	"github.com/fellesgo/felles/internal/testpki"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// writeDir writes fsys, signatures.xml and the test PKI's root and issuing
// certificates (PEM) into a fresh temporary directory.
func writeDir(t *testing.T, fsys fstest.MapFS, sigXML []byte) string {
	t.Helper()
	ca, _ := testPKI(t)
	dir := t.TempDir()
	for name, f := range fsys {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if sigXML != nil {
		write("signatures.xml", sigXML)
	}
	write("root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Root.Raw}))
	write("issuing.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Issuing.Raw}))
	return dir
}

// xmlsec1Verify runs xmlsec1 --verify in dir (so that relative reference
// URIs resolve), trusting only root.pem. It reports whether xmlsec1 said OK.
func xmlsec1Verify(t *testing.T, dir string) (bool, string) {
	t.Helper()
	oracle.Need(t, "xmlsec1")
	cmd := exec.Command("xmlsec1", "--verify",
		"--trusted-pem", "root.pem", "--untrusted-pem", "issuing.pem",
		"--id-attr:Id", "SignedProperties",
		"--enabled-reference-uris", "empty,same-doc,remote",
		"signatures.xml")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	ok := err == nil && bytes.Contains(out, []byte("OK"))
	return ok, string(out)
}

func TestXmlsec1VerifiesFellesSignature(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []xades.Option
	}{
		{"c14n10", nil},
		{"c14n11-2014", []xades.Option{xades.WithCanonicalization(xades.C14N11), xades.WithNamespace(xades.NamespaceASiC2014)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sigXML, fsys := signTest(t, tc.opts...)
			dir := writeDir(t, fsys, sigXML)
			if ok, out := xmlsec1Verify(t, dir); !ok {
				t.Fatalf("xmlsec1 refused the felles signature:\n%s", out)
			}
		})
	}
}

func TestXmlsec1VerifiesFellesECDSASignature(t *testing.T) {
	ec := testECCert(t)
	fsys, refs := testFS()
	sigXML, err := xades.Sign(refs, ec.Signer, ec.Chain)
	if err != nil {
		t.Fatal(err)
	}
	if ok, out := xmlsec1Verify(t, writeDir(t, fsys, sigXML)); !ok {
		t.Fatalf("xmlsec1 refused the felles ECDSA signature:\n%s", out)
	}
}

func TestXmlsec1RefusesTamperedSignature(t *testing.T) {
	sigXML, fsys := signTest(t)
	t.Run("file", func(t *testing.T) {
		bad := fstest.MapFS{}
		for n, f := range fsys {
			bad[n] = f
		}
		bad["vedtak.pdf"] = &fstest.MapFile{Data: []byte("%PDF-1.7 changed")}
		if ok, out := xmlsec1Verify(t, writeDir(t, bad, sigXML)); ok {
			t.Fatalf("xmlsec1 accepted a changed file:\n%s", out)
		}
	})
	t.Run("SigningTime", func(t *testing.T) {
		bad := replaceOnce(t, sigXML, "2026-11-23T12:00:00.123Z", "2026-11-23T13:00:00.123Z")
		if ok, out := xmlsec1Verify(t, writeDir(t, fsys, bad)); ok {
			t.Fatalf("xmlsec1 accepted a changed SigningTime:\n%s", out)
		}
	})
	t.Run("SignatureValue", func(t *testing.T) {
		doc := parse(t, sigXML)
		sv := find(doc.Root(), "SignatureValue")
		raw, _ := base64.StdEncoding.DecodeString(sv.Text())
		raw[10] ^= 1
		sv.SetText(base64.StdEncoding.EncodeToString(raw))
		if ok, out := xmlsec1Verify(t, writeDir(t, fsys, write(t, doc))); ok {
			t.Fatalf("xmlsec1 accepted a changed SignatureValue:\n%s", out)
		}
	})
	t.Run("untrusted root", func(t *testing.T) {
		dir := writeDir(t, fsys, sigXML)
		other, err := testpki.New("Other")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "root.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Root.Raw}), 0o644); err != nil {
			t.Fatal(err)
		}
		if ok, out := xmlsec1Verify(t, dir); ok {
			t.Fatalf("xmlsec1 accepted a signature under a foreign root:\n%s", out)
		}
	})
}

// TestXmlsec1VerifiesDPISamples cross-checks the test data: xmlsec1 accepts
// the official samples (trusting the root they carry, at their signing
// time), like felles does in TestDPISamples.
func TestXmlsec1VerifiesDPISamples(t *testing.T) {
	dir := sharedDir(t, "testdata/dpi/examples/komplette")
	paths, _ := filepath.Glob(filepath.Join(dir, "*-dokumentpakke.zip"))
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			fsys, sigXML := unzipMem(t, p)
			sig, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{})
			if sig == nil {
				t.Fatal(err)
			}
			tmp := t.TempDir()
			for name, f := range fsys {
				if err := os.WriteFile(filepath.Join(tmp, name), f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			os.WriteFile(filepath.Join(tmp, "signatures.xml"), sigXML, 0o644)
			top := lastCertificate(t, sigXML)
			os.WriteFile(filepath.Join(tmp, "root.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: top.Raw}), 0o644)
			cmd := exec.Command("xmlsec1", "--verify", "--trusted-pem", "root.pem",
				"--verification-gmt-time", sig.SigningTime.UTC().Format("2006-01-02 15:04:05"),
				"--id-attr:Id", "SignedProperties", "signatures.xml")
			cmd.Dir = tmp
			out, err := cmd.CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte("OK")) {
				t.Fatalf("xmlsec1: %v\n%s", err, out)
			}
		})
	}
}

// TestFellesVerifiesXmlsec1Signature has xmlsec1 --sign fill in a
// XAdES-shaped template (file references and the SignedProperties
// reference; felles only writes the SignedProperties content) and checks
// that felles verifies the result.
func TestFellesVerifiesXmlsec1Signature(t *testing.T) {
	oracle.Need(t, "xmlsec1")
	for _, c14n := range []string{
		"http://www.w3.org/2006/12/xml-c14n11",
		"http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
		"http://www.w3.org/2001/10/xml-exc-c14n#",
		"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
	} {
		t.Run(c14n, func(t *testing.T) { xmlsec1SignAndFellesVerify(t, c14n) })
	}
}

func xmlsec1SignAndFellesVerify(t *testing.T, c14n string) {
	ca, cert := testPKI(t)
	fsys, _ := testFS()
	dir := writeDir(t, fsys, nil)
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.Signer)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Chain[0].Raw}), 0o644)

	leaf := cert.Chain[0]
	certSum := sha1.Sum(leaf.Raw)
	var refs, formats strings.Builder
	for i, name := range []string{"manifest.xml", "vedtak.pdf", "vedlegg%201.txt"} {
		fmt.Fprintf(&refs, `<Reference Id="ID_%d" URI="%s"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference>`, i, name)
		fmt.Fprintf(&formats, `<DataObjectFormat ObjectReference="#ID_%d"><MimeType>application/octet-stream</MimeType></DataObjectFormat>`, i)
	}
	tmpl := `<?xml version="1.0" encoding="UTF-8"?>
<XAdESSignatures xmlns="http://uri.etsi.org/2918/v1.2.1#">
  <Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="Signature">
    <SignedInfo>
      <CanonicalizationMethod Algorithm="` + c14n + `"/><!-- a comment -->
      <SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
      ` + refs.String() + `
      <Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#SignedProperties">
        <Transforms><Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/></Transforms>
        <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/>
      </Reference>
    </SignedInfo>
    <SignatureValue/>
    <KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo>
    <Object>
      <xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#Signature">
        <xades:SignedProperties Id="SignedProperties">
          <xades:SignedSignatureProperties>
            <xades:SigningTime>2026-11-23T10:00:00Z</xades:SigningTime>
            <xades:SigningCertificate><xades:Cert>
              <xades:CertDigest><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue>` +
		base64.StdEncoding.EncodeToString(certSum[:]) + `</DigestValue></xades:CertDigest>
              <xades:IssuerSerial><X509IssuerName>` + leaf.Issuer.String() + `</X509IssuerName><X509SerialNumber>` +
		leaf.SerialNumber.String() + `</X509SerialNumber></xades:IssuerSerial>
            </xades:Cert></xades:SigningCertificate>
          </xades:SignedSignatureProperties>
          <xades:SignedDataObjectProperties>` + formats.String() + `</xades:SignedDataObjectProperties>
        </xades:SignedProperties>
      </xades:QualifyingProperties>
    </Object>
  </Signature>
</XAdESSignatures>
`
	os.WriteFile(filepath.Join(dir, "template.xml"), []byte(tmpl), 0o644)
	cmd := exec.Command("xmlsec1", "--sign", "--privkey-pem", "key.pem,cert.pem",
		"--id-attr:Id", "SignedProperties", "--output", "signed.xml", "template.xml")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xmlsec1 --sign: %v\n%s", err, out)
	}
	signed, err := os.ReadFile(filepath.Join(dir, "signed.xml"))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := xades.Verify(signed, fsys, xades.VerifyOptions{Roots: ca.Roots(), Intermediates: ca.Intermediates()})
	if err != nil {
		t.Fatalf("felles refused the xmlsec1 signature: %v\n%s", err, signed)
	}
	if len(sig.Files) != 3 || sig.Namespace != xades.NamespaceASiC2014 || sig.Canonicalization != c14n {
		t.Errorf("got %+v", sig)
	}
	// And a tampered file is caught in the xmlsec1-made signature too.
	fsys["vedtak.pdf"] = &fstest.MapFile{Data: []byte("changed")}
	if _, err := xades.Verify(signed, fsys, xades.VerifyOptions{Roots: ca.Roots(), Intermediates: ca.Intermediates()}); !errors.Is(err, xades.ErrDigestMismatch) {
		t.Fatalf("tampered: err = %v", err)
	}
}
