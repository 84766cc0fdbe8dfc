//go:build oracle

package cms

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/oracle"
)

func runOpenSSL(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	oracle.Need(t, "openssl")
	return exec.Command("openssl", args...).CombinedOutput()
}

// TestOracleOpenSSLVerifiesOurs: openssl cms -verify accepts felles'
// detached signatures (RSA and ECDSA) and rejects them over other content.
func TestOracleOpenSSLVerifiesOurs(t *testing.T) {
	ca, rc, ec := pki(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	oracle.WritePEM(t, root, "CERTIFICATE", ca.Root.Raw)
	content := []byte("%PDF-1.7 pretend byte range\n")
	contentFile := filepath.Join(dir, "content")
	os.WriteFile(contentFile, content, 0o600)
	otherFile := filepath.Join(dir, "other")
	os.WriteFile(otherFile, []byte("something else"), 0o600)
	sum := sha256.Sum256(content)
	for name, c := range map[string]*identity.Certificate{"rsa": rc, "ecdsa": ec} {
		for _, st := range []time.Time{{}, time.Now()} {
			der, err := SignDetached(sum[:], c.Signer, c.Chain, SignOptions{SigningTime: st})
			if err != nil {
				t.Fatal(err)
			}
			sig := filepath.Join(dir, name+".p7s")
			os.WriteFile(sig, der, 0o600)
			out, err := runOpenSSL(t, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
				"-content", contentFile, "-CAfile", root, "-purpose", "any", "-out", os.DevNull)
			if err != nil {
				t.Errorf("%s: openssl rejected: %v\n%s", name, err, out)
			}
			out, err = runOpenSSL(t, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
				"-content", otherFile, "-CAfile", root, "-purpose", "any", "-out", os.DevNull)
			if err == nil {
				t.Errorf("%s: openssl accepted the signature over other content\n%s", name, out)
			}
			// openssl's own reading of the ESS attribute.
			out, err = runOpenSSL(t, "cms", "-cmsout", "-print", "-inform", "DER", "-in", sig)
			if err != nil || !bytes.Contains(out, []byte("id-smime-aa-signingCertificateV2")) {
				t.Errorf("%s: openssl -print: %v\n%s", name, err, out)
			}
			if st.IsZero() == bytes.Contains(out, []byte("signingTime")) {
				t.Errorf("%s: signingTime presence wrong (want %v)", name, !st.IsZero())
			}
		}
	}
}

// TestOracleWeVerifyOpenSSL: signatures made by openssl cms -sign (RSA
// PKCS#1 v1.5, RSA-PSS, ECDSA) parse and verify with felles.
func TestOracleWeVerifyOpenSSL(t *testing.T) {
	ca, rc, ec := pki(t)
	dir := t.TempDir()
	content := []byte("innhold fra openssl\n")
	contentFile := filepath.Join(dir, "content")
	os.WriteFile(contentFile, content, 0o600)
	sum := sha256.Sum256(content)
	issuing := filepath.Join(dir, "issuing.pem")
	oracle.WritePEM(t, issuing, "CERTIFICATE", ca.Issuing.Raw)
	type variant struct {
		name  string
		cert  *identity.Certificate
		extra []string
		alg   x509.SignatureAlgorithm
	}
	for _, v := range []variant{
		{"rsa", rc, nil, x509.SHA256WithRSA},
		{"rsa-pss", rc, []string{"-keyopt", "rsa_padding_mode:pss"}, x509.SHA256WithRSAPSS},
		{"ecdsa", ec, nil, x509.ECDSAWithSHA256},
		{"rsa-noattr", rc, []string{"-noattr"}, x509.SHA256WithRSA},
		{"rsa-cades", rc, []string{"-cades"}, x509.SHA256WithRSA},
		{"ecdsa-cades", ec, []string{"-cades"}, x509.ECDSAWithSHA256},
	} {
		t.Run(v.name, func(t *testing.T) {
			keyDER, err := x509.MarshalPKCS8PrivateKey(v.cert.Signer)
			if err != nil {
				t.Fatal(err)
			}
			key := filepath.Join(dir, v.name+".key")
			cert := filepath.Join(dir, v.name+".pem")
			oracle.WritePEM(t, key, "PRIVATE KEY", keyDER)
			oracle.WritePEM(t, cert, "CERTIFICATE", v.cert.Chain[0].Raw)
			sig := filepath.Join(dir, v.name+".p7s")
			args := append([]string{"cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
				"-in", contentFile, "-signer", cert, "-inkey", key, "-certfile", issuing, "-out", sig}, v.extra...)
			if out, err := runOpenSSL(t, args...); err != nil {
				t.Fatalf("openssl: %v\n%s", err, out)
			}
			der, _ := os.ReadFile(sig)
			sd, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if sd.SignatureAlgorithm != v.alg {
				t.Errorf("algorithm %v, want %v", sd.SignatureAlgorithm, v.alg)
			}
			if err := sd.VerifySignature(sum[:]); err != nil {
				t.Fatal(err)
			}
			if _, err := sd.VerifyChain(ca.Roots(), nil, time.Now()); err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(v.name, "-cades") && !sd.HasSigningCertificateV2 {
				t.Error("openssl -cades signature without ESS signing-certificate-v2")
			}
			if sd.HasSigningCertificateV2 && !sd.SigningCertificateV2Matches {
				t.Error("openssl's ESS signing-certificate-v2 does not match")
			}
			bad := sha256.Sum256([]byte("other"))
			if err := sd.VerifySignature(bad[:]); err == nil {
				t.Error("verified over other content")
			}
		})
	}
}
