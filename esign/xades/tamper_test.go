package xades_test

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/beevik/etree"

	"github.com/fellesgo/felles/esign/xades"
	"github.com/fellesgo/felles/internal/xmldsig"
	"github.com/fellesgo/felles/internal/xmlsafe"
)

const dsNS = "http://www.w3.org/2000/09/xmldsig#"

func mustVerifyErr(t *testing.T, sigXML []byte, fsys fstest.MapFS, want error) *xades.VerifyError {
	t.Helper()
	return mustVerifyErrWith(t, sigXML, fsys, want, xades.VerifyOptions{})
}

// mustVerifyErrWith is mustVerifyErr with opts, the test roots filled in
// when nil.
func mustVerifyErrWith(t *testing.T, sigXML []byte, fsys fstest.MapFS, want error, opts xades.VerifyOptions) *xades.VerifyError {
	t.Helper()
	if opts.Roots == nil {
		ca, _ := testPKI(t)
		opts.Roots = ca.Roots()
	}
	sig, err := xades.Verify(sigXML, fsys, opts)
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	if sig != nil && !errors.Is(err, xades.ErrUntrusted) {
		t.Fatalf("got a *Signature with error %v", err)
	}
	var ve *xades.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("%T is not a *VerifyError", err)
	}
	if !strings.HasPrefix(err.Error(), "xades: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
	return ve
}

func replaceOnce(t *testing.T, s []byte, old, new string) []byte {
	t.Helper()
	if strings.Count(string(s), old) != 1 {
		t.Fatalf("%q occurs %d times", old, strings.Count(string(s), old))
	}
	return []byte(strings.Replace(string(s), old, new, 1))
}

func TestTamper(t *testing.T) {
	sigXML, fsys := signTest(t)

	t.Run("each file", func(t *testing.T) {
		for name := range fsys {
			bad := fstest.MapFS{}
			for n, f := range fsys {
				bad[n] = f
			}
			bad[name] = &fstest.MapFile{Data: append([]byte(strings.Clone(string(fsys[name].Data))), 'x')}
			ve := mustVerifyErr(t, sigXML, bad, xades.ErrDigestMismatch)
			if !strings.Contains(ve.Reason, name) {
				t.Errorf("reason %q does not name %q", ve.Reason, name)
			}
		}
	})
	t.Run("missing file", func(t *testing.T) {
		bad := fstest.MapFS{}
		for n, f := range fsys {
			bad[n] = f
		}
		delete(bad, "vedtak.pdf")
		mustVerifyErr(t, sigXML, bad, xades.ErrReference)
	})
	t.Run("SigningTime", func(t *testing.T) {
		bad := replaceOnce(t, sigXML, "2026-11-23T12:00:00.123Z", "2026-11-23T13:00:00.123Z")
		ve := mustVerifyErr(t, bad, fsys, xades.ErrDigestMismatch)
		if ve.URI != "#SignedProperties" {
			t.Errorf("URI %q", ve.URI)
		}
	})
	t.Run("MimeType", func(t *testing.T) {
		bad := replaceOnce(t, sigXML, "<MimeType>application/pdf<", "<MimeType>text/html<")
		mustVerifyErr(t, bad, fsys, xades.ErrDigestMismatch)
	})
	t.Run("SignatureValue", func(t *testing.T) {
		doc := parse(t, sigXML)
		sv := find(doc.Root(), "SignatureValue")
		raw, _ := base64.StdEncoding.DecodeString(sv.Text())
		raw[10] ^= 1
		sv.SetText(base64.StdEncoding.EncodeToString(raw))
		mustVerifyErr(t, write(t, doc), fsys, xades.ErrBadSignature)
	})
	t.Run("reference digest", func(t *testing.T) {
		doc := parse(t, sigXML)
		dv := find(doc.Root(), "DigestValue")
		sum := sha256.Sum256([]byte("other"))
		dv.SetText(base64.StdEncoding.EncodeToString(sum[:]))
		mustVerifyErr(t, write(t, doc), fsys, xades.ErrBadSignature)
	})
	t.Run("reference digest re-signed", func(t *testing.T) {
		// Even a correctly signed wrong digest does not match the file.
		doc := parse(t, sigXML)
		sum := sha256.Sum256([]byte("other"))
		find(doc.Root(), "DigestValue").SetText(base64.StdEncoding.EncodeToString(sum[:]))
		mustVerifyErr(t, resign(t, doc), fsys, xades.ErrDigestMismatch)
	})
	t.Run("CertDigest", func(t *testing.T) {
		doc := parse(t, sigXML)
		cd := find(find(doc.Root(), "CertDigest"), "DigestValue")
		cd.SetText(base64.StdEncoding.EncodeToString(make([]byte, 20)))
		mustVerifyErr(t, write(t, doc), fsys, xades.ErrCertificate)
	})
	t.Run("serial number", func(t *testing.T) {
		doc := parse(t, sigXML)
		find(doc.Root(), "X509SerialNumber").SetText("12345")
		mustVerifyErr(t, write(t, doc), fsys, xades.ErrCertificate)
	})
	t.Run("DOCTYPE", func(t *testing.T) {
		bad := replaceOnce(t, sigXML, "?><XAdESSignatures", `?><!DOCTYPE XAdESSignatures [<!ENTITY x "y">]><XAdESSignatures`)
		mustVerifyErr(t, bad, fsys, xades.ErrMalformed)
		if _, err := xades.Verify(bad, fsys, xades.VerifyOptions{}); !errors.Is(err, xmlsafe.ErrDOCTYPE) && !errors.Is(err, xmlsafe.ErrEntity) {
			t.Errorf("err = %v, want the xmlsafe cause", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		mustVerifyErrWith(t, sigXML, fsys, xades.ErrMalformed, xades.VerifyOptions{MaxSize: 1000})
		if _, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{MaxSize: -1}); !errors.Is(err, xades.ErrInput) {
			t.Errorf("negative MaxSize: err = %v, want ErrInput", err)
		}
	})
}

func TestAlgorithms(t *testing.T) {
	sigXML, fsys := signTest(t)
	sha1Method := `"http://www.w3.org/2000/09/xmldsig#rsa-sha1"`
	bad := replaceOnce(t, sigXML, `"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"`, sha1Method)
	mustVerifyErr(t, bad, fsys, xades.ErrAlgorithm)
	// Allowed as legacy, but the value was made with SHA-256.
	mustVerifyErrWith(t, bad, fsys, xades.ErrBadSignature, xades.VerifyOptions{LegacyAlgorithms: true})

	md5 := replaceOnce(t, sigXML, `<Reference Id="ID_0" URI="manifest.xml"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>`,
		`<Reference Id="ID_0" URI="manifest.xml"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#md5"/>`)
	mustVerifyErrWith(t, md5, fsys, xades.ErrAlgorithm, xades.VerifyOptions{LegacyAlgorithms: true})

	c14n := replaceOnce(t, sigXML, `<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>`,
		`<CanonicalizationMethod Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>`)
	mustVerifyErr(t, c14n, fsys, xades.ErrAlgorithm)

	// A SHA-1 reference digest, correctly signed, needs LegacyAlgorithms.
	doc := parse(t, sigXML)
	ref := find(doc.Root(), "Reference")
	find(ref, "DigestMethod").CreateAttr("Algorithm", "http://www.w3.org/2000/09/xmldsig#sha1")
	sum := sha1Sum(testFiles["manifest.xml"].data)
	find(ref, "DigestValue").SetText(base64.StdEncoding.EncodeToString(sum))
	legacy := resign(t, doc)
	mustVerifyErr(t, legacy, fsys, xades.ErrAlgorithm)
	ca, _ := testPKI(t)
	if _, err := xades.Verify(legacy, fsys, xades.VerifyOptions{Roots: ca.Roots(), LegacyAlgorithms: true}); err != nil {
		t.Fatalf("legacy SHA-1 digest with LegacyAlgorithms: %v", err)
	}

	// Transforms on a file reference are refused.
	doc = parse(t, sigXML)
	ref = find(doc.Root(), "Reference")
	tr := etree.NewElement("Transforms")
	tr.CreateElement("Transform").CreateAttr("Algorithm", xmldsig.C14N10)
	ref.InsertChildAt(0, tr)
	mustVerifyErr(t, resign(t, doc), fsys, xades.ErrAlgorithm)
	// So is an XSLT transform on the SignedProperties reference, even
	// without a valid signature value.
	xslt := replaceOnce(t, sigXML, `<Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>`,
		`<Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>`)
	mustVerifyErr(t, xslt, fsys, xades.ErrAlgorithm)
}

func TestReferenceURIs(t *testing.T) {
	_, cert := testPKI(t)
	fsys, _ := testFS()
	fsys["dir/a b+c.txt"] = &fstest.MapFile{Data: []byte("abc")}
	sum := sha256.Sum256([]byte("abc"))
	good := map[string]string{
		"dir/a%20b%2Bc.txt": "dir/a b+c.txt", // percent-encoded
		"dir/a+b%2Bc.txt":   "dir/a b+c.txt", // form-encoded
	}
	ca, _ := testPKI(t)
	for uri, name := range good {
		sigXML, err := xades.Sign([]xades.Reference{{URI: uri, Digest: sum[:]}}, cert.Signer, cert.Chain)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{Roots: ca.Roots()})
		if err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		if len(sig.Files) != 1 || sig.Files[0] != name {
			t.Errorf("%s: files %q", uri, sig.Files)
		}
	}
	for _, uri := range []string{"../x.txt", "dir/../vedtak.pdf", "/vedtak.pdf", "http://example.com/vedtak.pdf",
		"file:///etc/passwd", "//host/vedtak.pdf", "vedtak.pdf?x=1", "%2e%2e/x", "dir%5cx", "nonexistent.txt", "dir"} {
		sigXML, err := xades.Sign([]xades.Reference{{URI: uri, Digest: sum[:]}}, cert.Signer, cert.Chain)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(uri, func(t *testing.T) { mustVerifyErr(t, sigXML, fsys, xades.ErrReference) })
	}
}

// TestWrapping builds signature-wrapping variants. Each is re-signed with
// the test key (SignedInfo's signature is valid), so that only the
// structural checks can refuse them.
func TestWrapping(t *testing.T) {
	sigXML, fsys := signTest(t)
	cases := []struct {
		name   string
		mutate func(root *etree.Element)
	}{
		{"SignedProperties moved out of the signature", func(root *etree.Element) {
			sp := detach(find(root, "SignedProperties"))
			root.AddChild(sp)
		}},
		{"SignedProperties moved to another Object", func(root *etree.Element) {
			sp := detach(find(root, "SignedProperties"))
			sig := find(root, "Signature")
			obj := sig.CreateElement("Object")
			obj.CreateAttr("xmlns", dsNS)
			obj.AddChild(sp)
		}},
		{"SignedProperties duplicated with the same Id", func(root *etree.Element) {
			sp := find(root, "SignedProperties")
			cp := withNS(sp, sp.Copy())
			find(cp, "SigningTime").SetText("2020-01-01T00:00:00Z")
			find(root, "Signature").CreateElement("Object").AddChild(cp)
		}},
		{"SignedProperties duplicated in QualifyingProperties", func(root *etree.Element) {
			sp := find(root, "SignedProperties")
			sp.Parent().AddChild(sp.Copy())
		}},
		{"re-identified: reference points at an untouched copy", func(root *etree.Element) {
			sp := find(root, "SignedProperties")
			cp := withNS(sp, sp.Copy()) // still Id="SignedProperties", digest matches
			sp.CreateAttr("Id", "Evil")
			find(sp, "SigningTime").SetText("2020-01-01T00:00:00Z")
			obj := find(root, "Signature").CreateElement("Object")
			qp := obj.CreateElement("Wrapper")
			qp.AddChild(cp)
		}},
		{"reference points at another element", func(root *etree.Element) {
			for _, r := range findAll(root, "Reference") {
				if r.SelectAttrValue("URI", "") == "#SignedProperties" {
					r.CreateAttr("URI", "#ID_0")
				}
			}
		}},
		{"extra Signature", func(root *etree.Element) {
			root.AddChild(find(root, "Signature").Copy())
			// Give the copy's Ids fresh values so that only the count
			// trips.
			sigs := findAll(root, "Signature")
			for _, el := range walkAll(sigs[1]) {
				if id := el.SelectAttrValue("Id", ""); id != "" {
					el.CreateAttr("Id", id+"-2")
				}
			}
		}},
		{"Signature nested in an Object", func(root *etree.Element) {
			sig := find(root, "Signature")
			inner := sig.Copy()
			for _, el := range walkAll(inner) {
				if id := el.SelectAttrValue("Id", ""); id != "" {
					el.CreateAttr("Id", id+"-2")
				}
			}
			sig.CreateElement("Object").AddChild(inner)
		}},
		{"Object moved out of the signature", func(root *etree.Element) {
			obj := find(root, "Object")
			obj.Parent().RemoveChild(obj)
			root.AddChild(obj)
		}},
		{"QualifyingProperties targets another signature", func(root *etree.Element) {
			find(root, "QualifyingProperties").CreateAttr("Target", "#Other")
		}},
		{"two SignedProperties references", func(root *etree.Element) {
			si := find(root, "SignedInfo")
			refs := findAll(si, "Reference")
			si.AddChild(refs[len(refs)-1].Copy())
		}},
		{"two references to the same file", func(root *etree.Element) {
			si := find(root, "SignedInfo")
			ref := findAll(si, "Reference")[1].Copy()
			ref.CreateAttr("URI", "vedtak%2Epdf")
			ref.CreateAttr("Id", "ID_X")
			si.InsertChildAt(si.ChildElements()[2].Index(), ref)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, sigXML)
			tc.mutate(doc.Root())
			bad := resign(t, doc)
			ve := mustVerifyErr(t, bad, fsys, xades.ErrWrapping)
			t.Log(ve)
		})
	}
}

// withNS adds the namespace declarations in scope at orig to cp.
func withNS(orig, cp *etree.Element) *etree.Element {
	for p := orig.Parent(); p != nil; p = p.Parent() {
		for _, a := range p.Attr {
			if a.Space == "xmlns" || a.Space == "" && a.Key == "xmlns" {
				if cp.SelectAttr(a.FullKey()) == nil {
					cp.CreateAttr(a.FullKey(), a.Value)
				}
			}
		}
	}
	return cp
}

// detach removes el from its parent, keeping its namespace declarations.
func detach(el *etree.Element) *etree.Element {
	withNS(el, el)
	el.Parent().RemoveChild(el)
	return el
}

func parse(t testing.TB, b []byte) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatal(err)
	}
	return doc
}

func write(t testing.TB, doc *etree.Document) []byte {
	t.Helper()
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func walkAll(el *etree.Element) []*etree.Element {
	out := []*etree.Element{el}
	for _, c := range el.ChildElements() {
		out = append(out, walkAll(c)...)
	}
	return out
}

func findAll(el *etree.Element, local string) []*etree.Element {
	var out []*etree.Element
	for _, e := range walkAll(el) {
		if e.Tag == local {
			out = append(out, e)
		}
	}
	return out
}

func find(el *etree.Element, local string) *etree.Element {
	all := findAll(el, local)
	if len(all) == 0 {
		panic("no " + local)
	}
	return all[0]
}

// resign recomputes SignatureValue over the (first) SignedInfo with the
// test key, as an attacker holding a valid signing key (or a verifier
// bug that skips the value) would.
func resign(t testing.TB, doc *etree.Document) []byte {
	t.Helper()
	_, cert := testPKI(t)
	// Serialize and re-parse so that namespace scoping is that of the final
	// bytes.
	doc = parse(t, write(t, doc))
	si := find(doc.Root(), "SignedInfo")
	alg := find(si, "CanonicalizationMethod").SelectAttrValue("Algorithm", "")
	canon, err := xmldsig.Canonicalize(si, alg, "")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(canon)
	sv, err := cert.Signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	find(doc.Root(), "SignatureValue").SetText(base64.StdEncoding.EncodeToString(sv))
	return write(t, doc)
}

// TestResignHelper makes sure resign produces valid signatures, so that the
// wrapping tests test the structural checks.
func TestResignHelper(t *testing.T) {
	sigXML, fsys := signTest(t)
	ca, _ := testPKI(t)
	if _, err := xades.Verify(resign(t, parse(t, sigXML)), fsys, xades.VerifyOptions{Roots: ca.Roots()}); err != nil {
		t.Fatal(err)
	}
}
