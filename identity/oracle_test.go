//go:build oracle

package identity_test

// Oracle tests: the openssl command line writes the keys, certificates,
// PKCS#12 and PEM files (none of them felles code), and checks the
// signatures made with what identity loads. Run with: go test -tags oracle

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/oracle"
)

const oraclePassword = "Orakel-passord-42"

func needOpenSSL(t *testing.T) {
	t.Helper()
	oracle.Need(t, "openssl")
}

// openssl runs openssl in dir and returns its output.
func openssl(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func legacyProvider(t *testing.T) bool {
	out, err := exec.Command("openssl", "list", "-providers", "-provider", "legacy").CombinedOutput()
	return err == nil && strings.Contains(string(out), "active")
}

// readCertPEM parses the first certificate in a PEM file, with the
// standard library only.
func readCertPEM(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			t.Fatalf("%s: no certificate", path)
		}
		if b.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
}

// checkSignerWithOpenSSL signs with c.Signer and has openssl verify the
// signature with the public key of certFile.
func checkSignerWithOpenSSL(t *testing.T, dir string, c *identity.Certificate, certFile string) {
	t.Helper()
	msg := []byte("Melding fra Test Kommune, æøå")
	digest := sha256.Sum256(msg)
	sig, err := c.Signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("msg.bin", msg)
	write("sig.bin", sig)
	openssl(t, dir, "x509", "-in", certFile, "-pubkey", "-noout", "-out", "pub.pem")
	out := openssl(t, dir, "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.bin", "msg.bin")
	if !strings.Contains(out, "Verified OK") {
		t.Errorf("openssl did not verify the signature: %s", out)
	}
}

func TestOracleOpenSSLPKCS12(t *testing.T) {
	needOpenSSL(t)
	keys := []struct {
		name   string
		newkey []string
	}{
		{"RSA", []string{"-newkey", "rsa:2048"}},
		{"ECDSA", []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"}},
	}
	subjects := []struct {
		name, subj string
	}{
		{"organizationIdentifier", "/C=NO/O=Test Kommune/organizationIdentifier=NTRNO-" + orgBrreg + "/CN=Test"},
		{"serialNumber", "/C=NO/O=Test Kommune/serialNumber=" + orgBrreg + "/CN=Test"},
	}
	type export struct {
		name  string
		args  []string
		infoX []string // extra args for openssl pkcs12 -info
		want  []string // in the -info output: the algorithms really used
	}
	exports := []export{
		{"default (modern)", nil, nil, []string{"PBES2, PBKDF2, AES-256-CBC", "MAC: sha256"}},
		{"3DES", []string{"-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"}, nil,
			[]string{"Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC", "Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1"}},
	}
	if legacyProvider(t) {
		exports = append(exports, export{"-legacy (RC2-40 certificates)", []string{"-legacy"}, []string{"-legacy"},
			[]string{"Encrypted data: pbeWithSHA1And40BitRC2-CBC", "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1"}})
	} else {
		t.Log("the openssl legacy provider is not available: no -legacy (RC2) file; 3DES covers legacy")
	}

	for _, k := range keys {
		for _, s := range subjects {
			t.Run(k.name+"/"+s.name, func(t *testing.T) {
				dir := t.TempDir()
				args := append([]string{"req", "-x509"}, k.newkey...)
				openssl(t, dir, append(args, "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", s.subj)...)
				want := readCertPEM(t, filepath.Join(dir, "cert.pem"))

				for _, e := range exports {
					t.Run(e.name, func(t *testing.T) {
						p12 := filepath.Join(dir, "out.p12")
						openssl(t, dir, append(append([]string{"pkcs12", "-export"}, e.args...),
							"-in", "cert.pem", "-inkey", "key.pem", "-name", "virksomhet", "-out", p12, "-passout", "pass:"+oraclePassword)...)
						info := openssl(t, dir, append([]string{"pkcs12", "-info", "-noout", "-in", p12, "-passin", "pass:" + oraclePassword}, e.infoX...)...)
						for _, w := range e.want {
							if !strings.Contains(info, w) {
								t.Fatalf("openssl wrote a file without %q:\n%s", w, info)
							}
						}

						c, err := identity.LoadPKCS12File(p12, oraclePassword)
						if err != nil {
							t.Fatal(err)
						}
						if len(c.Chain) != 1 || !c.Leaf().Equal(want) {
							t.Fatalf("chain of %d, want the one certificate openssl made", len(c.Chain))
						}
						if n, err := c.OrganizationNumber(); err != nil || n != orgBrreg {
							t.Errorf("OrganizationNumber() = %q, %v; want %s", n, err, orgBrreg)
						}
						if err := c.CheckValidity(want.NotBefore); err != nil {
							t.Error(err)
						}
						checkSignerWithOpenSSL(t, dir, c, "cert.pem")

						_, err = identity.LoadPKCS12File(p12, oraclePassword+"!")
						checkErr(t, err, identity.ErrWrongPassword, p12)
						if strings.Contains(err.Error(), oraclePassword) {
							t.Errorf("error %q contains the password", err)
						}
					})
				}
			})
		}
	}
}

// TestOracleOpenSSLChain has openssl act as a CA, and checks the chain
// order however the issuer and leaf are stored.
func TestOracleOpenSSLChain(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	openssl(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2",
		"-subj", "/C=NO/O=Orakel CA/CN=Orakel Class 3 CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	openssl(t, dir, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "leaf.csr",
		"-subj", "/C=NO/O=Test Kommune/organizationIdentifier=NTRNO-"+orgTiger+"/CN=Test Kommune")
	openssl(t, dir, "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "2", "-out", "leaf.pem")
	caCert, leafCert := readCertPEM(t, filepath.Join(dir, "ca.pem")), readCertPEM(t, filepath.Join(dir, "leaf.pem"))
	wantChain := []*x509.Certificate{leafCert, caCert}

	cat := func(name string, files ...string) string {
		var all []byte
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, all, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caFirst := cat("ca-first.pem", "ca.pem", "leaf.pem")

	openssl(t, dir, "pkcs12", "-export", "-in", "leaf.pem", "-certfile", "ca.pem", "-inkey", "key.pem", "-out", "chain.p12", "-passout", "pass:"+oraclePassword)
	openssl(t, dir, "pkcs12", "-export", "-in", caFirst, "-inkey", "key.pem", "-out", "ca-first.p12", "-passout", "pass:"+oraclePassword)
	for _, p12 := range []string{"chain.p12", "ca-first.p12"} {
		c, err := identity.LoadPKCS12File(filepath.Join(dir, p12), oraclePassword)
		if err != nil {
			t.Fatal(err)
		}
		if d := chainDiff(c.Chain, wantChain); d != "" {
			t.Errorf("%s: %s", p12, d)
		}
		if n, err := c.OrganizationNumber(); err != nil || n != orgTiger {
			t.Errorf("%s: OrganizationNumber() = %q, %v", p12, n, err)
		}
	}
	c, err := identity.LoadPEMFiles(caFirst, filepath.Join(dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if d := chainDiff(c.Chain, wantChain); d != "" {
		t.Errorf("PEM: %s", d)
	}
	checkSignerWithOpenSSL(t, dir, c, "leaf.pem")
}

func TestOracleOpenSSLPEM(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	subj := "/C=NO/O=Test Kommune/organizationIdentifier=NTRNO-" + orgBrreg + "/CN=Test"
	openssl(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa-pkcs8.pem", "-out", "rsa-cert.pem", "-days", "2", "-subj", subj)
	openssl(t, dir, "rsa", "-in", "rsa-pkcs8.pem", "-traditional", "-out", "rsa-pkcs1.pem")
	openssl(t, dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec-sec1.pem") // EC PARAMETERS + EC PRIVATE KEY
	openssl(t, dir, "req", "-x509", "-key", "ec-sec1.pem", "-out", "ec-cert.pem", "-days", "2", "-subj", subj)
	openssl(t, dir, "pkey", "-in", "ec-sec1.pem", "-out", "ec-pkcs8.pem")
	openssl(t, dir, "pkey", "-in", "rsa-pkcs8.pem", "-aes256", "-passout", "pass:"+oraclePassword, "-out", "rsa-enc-pkcs8.pem")
	openssl(t, dir, "rsa", "-in", "rsa-pkcs8.pem", "-aes256", "-traditional", "-passout", "pass:"+oraclePassword, "-out", "rsa-enc-pkcs1.pem")
	openssl(t, dir, "ec", "-in", "ec-sec1.pem", "-aes256", "-passout", "pass:"+oraclePassword, "-out", "ec-enc-sec1.pem")

	heads := map[string]string{
		"rsa-pkcs8.pem":     "-----BEGIN PRIVATE KEY-----",
		"rsa-pkcs1.pem":     "-----BEGIN RSA PRIVATE KEY-----",
		"ec-sec1.pem":       "-----BEGIN EC PARAMETERS-----",
		"ec-pkcs8.pem":      "-----BEGIN PRIVATE KEY-----",
		"rsa-enc-pkcs8.pem": "-----BEGIN ENCRYPTED PRIVATE KEY-----",
		"rsa-enc-pkcs1.pem": "Proc-Type: 4,ENCRYPTED",
		"ec-enc-sec1.pem":   "Proc-Type: 4,ENCRYPTED",
	}
	for f, h := range heads {
		b, err := os.ReadFile(path(f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), h) {
			t.Fatalf("openssl wrote %s without %q", f, h)
		}
	}

	for _, tt := range []struct{ cert, key string }{
		{"rsa-cert.pem", "rsa-pkcs8.pem"},
		{"rsa-cert.pem", "rsa-pkcs1.pem"},
		{"ec-cert.pem", "ec-sec1.pem"},
		{"ec-cert.pem", "ec-pkcs8.pem"},
	} {
		c, err := identity.LoadPEMFiles(path(tt.cert), path(tt.key))
		if err != nil {
			t.Fatalf("%s: %v", tt.key, err)
		}
		if n, err := c.OrganizationNumber(); err != nil || n != orgBrreg {
			t.Errorf("%s: OrganizationNumber() = %q, %v", tt.key, n, err)
		}
		checkSignerWithOpenSSL(t, dir, c, tt.cert)
	}
	for _, tt := range []struct{ cert, key string }{
		{"rsa-cert.pem", "rsa-enc-pkcs8.pem"},
		{"rsa-cert.pem", "rsa-enc-pkcs1.pem"},
		{"ec-cert.pem", "ec-enc-sec1.pem"},
	} {
		_, err := identity.LoadPEMFiles(path(tt.cert), path(tt.key))
		checkErr(t, err, identity.ErrEncryptedKey, path(tt.key), "PKCS#12", "openssl")
	}
	_, err := identity.LoadPEMFiles(path("ec-cert.pem"), path("rsa-pkcs8.pem"))
	checkErr(t, err, identity.ErrKeyMismatch, path("ec-cert.pem"), path("rsa-pkcs8.pem"))
}
