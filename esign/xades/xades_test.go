package xades_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fellesgo/felles/esign/xades"
)

func TestRoundTrip(t *testing.T) {
	ca, cert := testPKI(t)
	for _, tc := range []struct {
		name string
		opts []xades.Option
		ns   xades.Namespace
		c14n string
	}{
		{"default", nil, xades.NamespaceASiC, string(xades.C14N10)},
		{"2014-c14n11", []xades.Option{xades.WithNamespace(xades.NamespaceASiC2014), xades.WithCanonicalization(xades.C14N11)}, xades.NamespaceASiC2014, string(xades.C14N11)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sigXML, fsys := signTest(t, tc.opts...)
			sig, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{Roots: ca.Roots()})
			if err != nil {
				t.Fatalf("Verify: %v\n%s", err, sigXML)
			}
			if !sig.Signer.Equal(cert.Chain[0]) {
				t.Error("wrong signer")
			}
			if len(sig.Chain) != 3 {
				t.Errorf("chain length %d, want 3", len(sig.Chain))
			}
			if !sig.SigningTime.Equal(fixedTime) {
				t.Errorf("SigningTime %v, want %v", sig.SigningTime, fixedTime)
			}
			want := []string{"manifest.xml", "vedtak.pdf", "vedlegg 1.txt"}
			if len(sig.Files) != len(want) {
				t.Fatalf("Files %q, want %q", sig.Files, want)
			}
			for i := range want {
				if sig.Files[i] != want[i] {
					t.Errorf("Files[%d] = %q, want %q", i, sig.Files[i], want[i])
				}
				if got := sig.MimeTypes[want[i]]; got != testFiles[want[i]].mime {
					t.Errorf("MimeType of %q = %q", want[i], got)
				}
			}
			if sig.Namespace != tc.ns || sig.Canonicalization != tc.c14n {
				t.Errorf("ns %q c14n %q", sig.Namespace, sig.Canonicalization)
			}
		})
	}
}

// With no Roots the system roots are used, and the test CA is not among
// them: everything but trust verifies.
func TestVerifySystemRootsIsUntrusted(t *testing.T) {
	sigXML, fsys := signTest(t)
	sig, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{})
	if !errors.Is(err, xades.ErrUntrusted) {
		t.Fatalf("err = %v, want ErrUntrusted", err)
	}
	var ve *xades.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("not a *VerifyError: %T", err)
	}
	if sig == nil || sig.Signer == nil || sig.Chain != nil {
		t.Fatalf("want signature without chain, got %+v", sig)
	}
	other, err2 := testPKIOther(t)
	if err2 != nil {
		t.Fatal(err2)
	}
	if _, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{Roots: other}); !errors.Is(err, xades.ErrUntrusted) {
		t.Fatalf("foreign roots: err = %v, want ErrUntrusted", err)
	}
}

func TestECDSA(t *testing.T) {
	ca, _ := testPKI(t)
	ec := testECCert(t)
	fsys, refs := testFS()
	sigXML, err := xades.Sign(refs, ec.Signer, ec.Chain)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{Roots: ca.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	if sig.SignatureMethod != "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" {
		t.Errorf("method %q", sig.SignatureMethod)
	}
}

func TestSignInputErrors(t *testing.T) {
	_, cert := testPKI(t)
	ec := testECCert(t)
	_, refs := testFS()
	for name, f := range map[string]func() ([]byte, error){
		"no refs":      func() ([]byte, error) { return xades.Sign(nil, cert.Signer, cert.Chain) },
		"no chain":     func() ([]byte, error) { return xades.Sign(refs, cert.Signer, nil) },
		"nil signer":   func() ([]byte, error) { return xades.Sign(refs, nil, cert.Chain) },
		"key mismatch": func() ([]byte, error) { return xades.Sign(refs, ec.Signer, cert.Chain) },
		"short digest": func() ([]byte, error) {
			return xades.Sign([]xades.Reference{{URI: "a", Digest: []byte{1}}}, cert.Signer, cert.Chain)
		},
		"fragment URI": func() ([]byte, error) {
			return xades.Sign([]xades.Reference{{URI: "#x", Digest: make([]byte, 32)}}, cert.Signer, cert.Chain)
		},
		// Both signed "successfully" and then did not verify.
		"CR in MimeType": func() ([]byte, error) {
			return xades.Sign([]xades.Reference{{URI: "a", MimeType: "text/plain\r", Digest: make([]byte, 32)}}, cert.Signer, cert.Chain)
		},
		"newline in URI": func() ([]byte, error) {
			return xades.Sign([]xades.Reference{{URI: "a\n.txt", Digest: make([]byte, 32)}}, cert.Signer, cert.Chain)
		},
		"duplicate URI": func() ([]byte, error) { return xades.Sign(append(refs, refs[0]), cert.Signer, cert.Chain) },
		"bad namespace": func() ([]byte, error) { return xades.Sign(refs, cert.Signer, cert.Chain, xades.WithNamespace("urn:x")) },
		"bad c14n": func() ([]byte, error) {
			return xades.Sign(refs, cert.Signer, cert.Chain, xades.WithCanonicalization("urn:x"))
		},
		"zero time": func() ([]byte, error) {
			return xades.Sign(refs, cert.Signer, cert.Chain, xades.WithSigningTime(time.Time{}))
		},
	} {
		if _, err := f(); !errors.Is(err, xades.ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
}
