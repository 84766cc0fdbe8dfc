package xades_test

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/fellesgo/felles/esign/xades"
)

// unzipMem reads a ZIP into memory: the files outside META-INF/ as an
// fs.FS, and META-INF/signatures.xml.
func unzipMem(tb testing.TB, path string) (fstest.MapFS, []byte) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	fsys := fstest.MapFS{}
	var sig []byte
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, 50<<20))
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		switch {
		case f.Name == "META-INF/signatures.xml":
			sig = b
		case strings.HasPrefix(f.Name, "META-INF/"), f.Name == "mimetype":
			// Not signed in ASiC-E.
		default:
			fsys[f.Name] = &fstest.MapFile{Data: b, Mode: 0o644}
		}
	}
	if sig == nil {
		tb.Fatalf("%s: no META-INF/signatures.xml", path)
	}
	return fsys, sig
}

// TestDPISamples verifies the official DPI sample containers (Digdir,
// Apache-2.0). Their certificates (Buypass test) have expired, so the clock
// is pinned to the signed SigningTime. For trust, the test pins the top
// certificate of the signature's own X509Data (the Buypass Class 3 Test4
// Root CA): the samples carry the whole chain, and felles has no
// independent copy of that root.
func TestDPISamples(t *testing.T) {
	dir := sharedDir(t, "testdata/dpi/examples/komplette")
	paths, err := filepath.Glob(filepath.Join(dir, "*-dokumentpakke.zip"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no sample containers in %s: %v", dir, err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			fsys, sigXML := unzipMem(t, p)
			// First pass with the system roots (no Roots), which do not
			// hold the test CA: everything but trust verifies.
			sig, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{})
			if !errors.Is(err, xades.ErrUntrusted) || sig == nil {
				t.Fatalf("Verify with the system roots: %v", err)
			}
			top := lastCertificate(t, sigXML)
			roots := x509.NewCertPool()
			roots.AddCert(top)
			sig, err = xades.Verify(sigXML, fsys, xades.VerifyOptions{Roots: roots, Time: sig.SigningTime})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if len(sig.Files) != len(fsys) {
				t.Errorf("signed files %q, container has %d files", sig.Files, len(fsys))
			}
			if sig.Namespace != xades.NamespaceASiC {
				t.Errorf("namespace %q", sig.Namespace)
			}
			if sig.Signer.Subject.CommonName == "" || len(sig.Chain) != 3 {
				t.Errorf("signer %s, chain of %d", sig.Signer.Subject, len(sig.Chain))
			}
			// Now: the certificates have expired.
			if _, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{Roots: roots, Time: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}); !errors.Is(err, xades.ErrUntrusted) {
				t.Errorf("in 2030: err = %v, want ErrUntrusted", err)
			}
			// A changed file is caught.
			for name, f := range fsys {
				bad := fstest.MapFS{}
				for n, g := range fsys {
					bad[n] = g
				}
				bad[name] = &fstest.MapFile{Data: append(bytes.Clone(f.Data), ' ')}
				if _, err := xades.Verify(sigXML, bad, xades.VerifyOptions{Roots: roots, Time: sig.SigningTime}); !errors.Is(err, xades.ErrDigestMismatch) {
					t.Errorf("changed %s: err = %v, want ErrDigestMismatch", name, err)
				}
			}
		})
	}
}

// lastCertificate returns the last ds:X509Certificate of a signature.
func lastCertificate(tb testing.TB, sigXML []byte) *x509.Certificate {
	tb.Helper()
	s := string(sigXML)
	i := strings.LastIndex(s, "X509Certificate>")
	j := strings.LastIndex(s[:i], "</")
	k := strings.LastIndex(s[:j], ">")
	b64 := strings.NewReplacer("&#13;", "", "\r", "", "\n", "", " ", "").Replace(s[k+1 : j])
	der, err := base64Decode(b64)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestLegacySDPSample verifies the 2014 SDP sample post.asice.zip (no
// mimetype, 2918 namespace, C14N 1.1 SignedInfo), trusting the top of its
// own X509Data, at its signing time.
func TestLegacySDPSample(t *testing.T) {
	p := filepath.Join(sharedDir(t, "testdata/dpi/legacy-sdp"), "post.asice.zip")
	fsys, sigXML := unzipMem(t, p)
	sig, err := xades.Verify(sigXML, fsys, xades.VerifyOptions{})
	if !errors.Is(err, xades.ErrUntrusted) || sig == nil {
		t.Fatalf("Verify with the system roots: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(lastCertificate(t, sigXML))
	sig, err = xades.Verify(sigXML, fsys, xades.VerifyOptions{Roots: roots, Time: sig.SigningTime})
	if err != nil {
		t.Fatal(err)
	}
	if sig.Namespace != xades.NamespaceASiC2014 || sig.Canonicalization != string(xades.C14N11) || len(sig.Files) != len(fsys) {
		t.Errorf("ns %q c14n %q files %q", sig.Namespace, sig.Canonicalization, sig.Files)
	}
}

// TestPostenSignatureSample checks the Posten signering sample
// signatures.xml (SIGSPEC, 2918 namespace). It was pretty-printed after
// signing, so as published its signature value does not verify; with the
// indentation removed it does (the RSA DigestInfo matches felles' canonical
// SignedInfo; checked by hand with openssl pkeyutl -verifyrecover). Its
// documents are not published, so the first file reference cannot resolve.
func TestPostenSignatureSample(t *testing.T) {
	p := filepath.Join(sharedDir(t, "testdata/signature-api/examples/xades"), "signatures.xml")
	sigXML, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := xades.Verify(sigXML, fstest.MapFS{}, xades.VerifyOptions{}); !errors.Is(err, xades.ErrBadSignature) {
		t.Fatalf("as published: err = %v, want ErrBadSignature", err)
	}
	compact := regexp.MustCompile(`>\s+<`).ReplaceAll(sigXML, []byte("><"))
	_, err = xades.Verify(compact, fstest.MapFS{}, xades.VerifyOptions{})
	var ve *xades.VerifyError
	if !errors.As(err, &ve) || !errors.Is(err, xades.ErrReference) || ve.URI != "document.pdf" {
		t.Fatalf("compacted: err = %v, want ErrReference for document.pdf (the signature value must verify first)", err)
	}
}
