//go:build oracle

package pades

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesgo/felles/internal/cms"
	"github.com/fellesgo/felles/internal/oracle"
	"github.com/fellesgo/felles/internal/testpki"
)

type oracleEnv struct {
	dir, nss, rootPEM, issuingPEM, tsaRootPEM string
}

func newOracleEnv(t *testing.T) *oracleEnv {
	t.Helper()
	oracle.Need(t, "pdfsig", "certutil", "openssl")
	f := getFixture(t)
	e := &oracleEnv{dir: t.TempDir()}
	e.nss = filepath.Join(e.dir, "nss")
	e.rootPEM = filepath.Join(e.dir, "root.pem")
	e.issuingPEM = filepath.Join(e.dir, "issuing.pem")
	e.tsaRootPEM = filepath.Join(e.dir, "tsaroot.pem")
	oracle.WritePEM(t, e.rootPEM, "CERTIFICATE", f.ca.Root.Raw)
	oracle.WritePEM(t, e.issuingPEM, "CERTIFICATE", f.ca.Issuing.Raw)
	oracle.WritePEM(t, e.tsaRootPEM, "CERTIFICATE", f.tsaRoot.Raw)
	if err := os.Mkdir(e.nss, 0o700); err != nil {
		t.Fatal(err)
	}
	run(t, "certutil", "-N", "-d", "sql:"+e.nss, "--empty-password")
	run(t, "certutil", "-A", "-d", "sql:"+e.nss, "-n", "root", "-t", "C,C,C", "-i", e.rootPEM)
	run(t, "certutil", "-A", "-d", "sql:"+e.nss, "-n", "tsaroot", "-t", "C,C,C", "-i", e.tsaRootPEM)
	return e
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}

type pdfsigResult struct {
	valid, trusted bool
	subFilter, dn  string
}

// pdfsigCheck runs pdfsig and parses its per-signature lines (its exit code
// says nothing about validity).
func (e *oracleEnv) pdfsig(t *testing.T, pdfBytes []byte) []pdfsigResult {
	t.Helper()
	p := filepath.Join(e.dir, "in.pdf")
	if err := os.WriteFile(p, pdfBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("pdfsig", "-nssdir", "sql:"+e.nss, p).CombinedOutput()
	t.Logf("pdfsig:\n%s", out)
	var res []pdfsigResult
	for _, line := range strings.Split(string(out), "\n") {
		l := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(l, "Signature #"):
			res = append(res, pdfsigResult{})
		case len(res) == 0:
		case strings.HasPrefix(l, "- Signature Validation:"):
			res[len(res)-1].valid = l == "- Signature Validation: Signature is Valid."
		case strings.HasPrefix(l, "- Certificate Validation:"):
			res[len(res)-1].trusted = l == "- Certificate Validation: Certificate is Trusted."
		case strings.HasPrefix(l, "- Signer full Distinguished Name:"):
			res[len(res)-1].dn = l
		case strings.HasPrefix(l, "- Signature Type:"):
			res[len(res)-1].subFilter = strings.TrimSpace(strings.TrimPrefix(l, "- Signature Type:"))
		}
	}
	return res
}

// extract returns the /Contents bytes and the signed ranges of a signature.
func extract(t *testing.T, pdfBytes []byte, s SignatureReport) (contents, signed []byte) {
	t.Helper()
	br := s.ByteRange
	gap := pdfBytes[br[1]+1 : br[2]-1]
	contents, err := hex.DecodeString(string(gap))
	if err != nil {
		t.Fatal(err)
	}
	signed = append(append([]byte(nil), pdfBytes[:br[1]]...), pdfBytes[br[2]:br[2]+br[3]]...)
	return contents, signed
}

func (e *oracleEnv) opensslCMS(t *testing.T, contents, signed []byte) {
	t.Helper()
	sd, err := cms.Parse(contents)
	if err != nil {
		t.Fatal(err)
	}
	sig := filepath.Join(e.dir, "sig.der")
	content := filepath.Join(e.dir, "content.bin")
	_ = os.WriteFile(sig, sd.Raw, 0o600)
	_ = os.WriteFile(content, signed, 0o600)
	out := run(t, "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", content,
		"-CAfile", e.rootPEM, "-certfile", e.issuingPEM, "-purpose", "any", "-out", os.DevNull)
	if !strings.Contains(out, "Verification successful") {
		t.Fatalf("openssl cms: %s", out)
	}
}

func (e *oracleEnv) opensslTS(t *testing.T, token, digest []byte) {
	t.Helper()
	p := filepath.Join(e.dir, "token.der")
	_ = os.WriteFile(p, token, 0o600)
	out := run(t, "openssl", "ts", "-verify", "-token_in", "-in", p, "-digest", hex.EncodeToString(digest), "-CAfile", e.tsaRootPEM)
	if !strings.Contains(out, "Verification: OK") {
		t.Fatalf("openssl ts: %s", out)
	}
}

func TestOraclePdfsig(t *testing.T) {
	e := newOracleEnv(t)
	f := getFixture(t)
	base := genPDF([]string{"Vedtak", "Side 2"}, 0)
	bb := signBytes(t, base, WithReason("Vedtak"))
	bt := signBytes(t, base, WithTimestamp(f.tsa))
	two := signBytes(t, bb, WithVisible(1, 300, 50, 550, 120, "Testkommune"))
	vis := signBytes(t, base, WithVisible(1, 300, 50, 550, 120, "Testkommune"))
	// A second signer: poppler 22.12 with NSS reports "Unknown issue with
	// Certificate" for the second of two signatures by the same certificate
	// in one run (the signature itself is reported valid), so the
	// multi-signature cases use two certificates, as real documents do.
	c2, err := f.ca.Issue(testpki.Request{OrganizationNumber: "991825828", OrganizationName: "Annen kommune"})
	if err != nil {
		t.Fatal(err)
	}
	second := func(doc []byte, opts ...Option) []byte {
		var out bytes.Buffer
		if err := Sign(context.Background(), bytes.NewReader(doc), int64(len(doc)), &out, c2.Signer, c2.Chain, opts...); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	two = second(bb, WithVisible(1, 300, 50, 550, 120, "Annen kommune"))
	twoInv := second(bb)
	three := signBytes(t, twoInv, WithTimestamp(f.tsa))
	cases := map[string][]byte{"B-B": bb, "B-T": bt, "two+visible": two, "visible": vis, "two": twoInv, "three": three, "xref-stream": signBytes(t, genPDFXrefStream("Vedtak")),
		"legacy": signBytes(t, base, WithLegacyProfile())}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			res := e.pdfsig(t, doc)
			rep := verifyBytes(t, doc)
			if len(res) != len(rep.Signatures) || len(res) == 0 {
				t.Fatalf("pdfsig saw %d signatures, felles %d", len(res), len(rep.Signatures))
			}
			seen := map[string]bool{}
			for i, r := range res {
				repeat := seen[r.dn]
				seen[r.dn] = true
				want := "ETSI.CAdES.detached"
				if name == "legacy" {
					want = "adbe.pkcs7.detached"
				}
				if !r.valid || r.subFilter != want {
					t.Errorf("pdfsig signature %d: %+v", i+1, r)
				}
				if !r.trusted && !repeat {
					t.Errorf("pdfsig signature %d: certificate not trusted", i+1)
				}
			}
			for _, s := range rep.Signatures {
				contents, signed := extract(t, doc, s)
				e.opensslCMS(t, contents, signed)
				sd, _ := cms.Parse(contents)
				if sd.SignatureTimestamp != nil {
					d := sha256.Sum256(sd.Signature)
					e.opensslTS(t, sd.SignatureTimestamp, d[:])
				}
			}
			// Tampered copy: change a byte of the page text.
			bad := append([]byte(nil), doc...)
			i := bytes.Index(bad, []byte("(Vedtak)"))
			bad[i+1] = 'v'
			for j, r := range e.pdfsig(t, bad) {
				if r.valid {
					t.Errorf("pdfsig accepts tampered signature %d", j+1)
				}
			}
			if verifyBytes(t, bad).Valid() {
				t.Error("felles accepts tampered copy")
			}
		})
	}
}

func TestOracleDocTimestamp(t *testing.T) {
	e := newOracleEnv(t)
	f := getFixture(t)
	one := signBytes(t, genPDF([]string{"x"}, 0))
	var out bytes.Buffer
	if err := Timestamp(context.Background(), bytes.NewReader(one), int64(len(one)), &out, f.tsa); err != nil {
		t.Fatal(err)
	}
	doc := out.Bytes()
	rep := verifyBytes(t, doc)
	res := e.pdfsig(t, doc)
	if len(res) != 2 || !res[0].valid || !res[0].trusted {
		t.Fatalf("pdfsig: %+v", res)
	}
	for _, s := range rep.Signatures {
		if s.Kind != KindDocTimestamp {
			continue
		}
		contents, signed := extract(t, doc, s)
		sd, err := cms.Parse(contents)
		if err != nil {
			t.Fatal(err)
		}
		d := sha256.Sum256(signed)
		e.opensslTS(t, sd.Raw, d[:])
		// A tampered digest is refused by openssl.
		d[0] ^= 1
		p := filepath.Join(e.dir, "token.der")
		o, _ := exec.Command("openssl", "ts", "-verify", "-token_in", "-in", p, "-digest", hex.EncodeToString(d[:]), "-CAfile", e.tsaRootPEM).CombinedOutput()
		if strings.Contains(string(o), "Verification: OK") {
			t.Fatal("openssl accepts wrong digest")
		}
	}
}
