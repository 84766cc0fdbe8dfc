//go:build oracle

package tsa

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/fellesgo/felles/internal/oracle"
)

func openssl(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	oracle.Need(t, "openssl")
	return exec.Command("openssl", args...).CombinedOutput()
}

// TestOracleOpenSSLVerifiesSandboxToken: openssl ts -verify accepts a
// token from the sandbox TSA for the right digest and refuses it for
// another.
func TestOracleOpenSSLVerifiesSandboxToken(t *testing.T) {
	ca, tc, _ := pki(t)
	srv := server(t, tc)
	dir := t.TempDir()
	root, issuing := filepath.Join(dir, "root.pem"), filepath.Join(dir, "issuing.pem")
	oracle.WritePEM(t, root, "CERTIFICATE", ca.Root.Raw)
	oracle.WritePEM(t, issuing, "CERTIFICATE", ca.Issuing.Raw)
	sum := sha256.Sum256([]byte("signaturverdi"))
	tok, err := client(t, srv.URL).Timestamp(context.Background(), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	tokFile := filepath.Join(dir, "token.der")
	os.WriteFile(tokFile, tok.Raw, 0o600)
	out, err := openssl(t, "ts", "-verify", "-digest", hex.EncodeToString(sum[:]), "-token_in", "-in", tokFile,
		"-CAfile", root, "-untrusted", issuing)
	if err != nil || !bytes.Contains(out, []byte("Verification: OK")) {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}
	other := sha256.Sum256([]byte("annet"))
	out, err = openssl(t, "ts", "-verify", "-digest", hex.EncodeToString(other[:]), "-token_in", "-in", tokFile,
		"-CAfile", root, "-untrusted", issuing)
	if err == nil {
		t.Fatalf("openssl ts -verify accepted another digest\n%s", out)
	}
	// A token signed with a certificate lacking the timeStamping EKU is
	// refused by openssl as by felles.
	_, _, pc := pki(t)
	plainTok, err := client(t, server(t, pc).URL).Timestamp(context.Background(), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	plainFile := filepath.Join(dir, "plain.der")
	os.WriteFile(plainFile, plainTok.Raw, 0o600)
	out, err = openssl(t, "ts", "-verify", "-digest", hex.EncodeToString(sum[:]), "-token_in", "-in", plainFile,
		"-CAfile", root, "-untrusted", issuing)
	if err == nil {
		t.Fatalf("openssl ts -verify accepted a token from a non-TSA certificate\n%s", out)
	}
	// Without the issuing CA the chain cannot be built: openssl must refuse.
	out, err = openssl(t, "ts", "-verify", "-digest", hex.EncodeToString(sum[:]), "-token_in", "-in", tokFile,
		"-CAfile", issuing)
	if err == nil {
		t.Fatalf("openssl ts -verify accepted a token against the wrong trust anchor\n%s", out)
	}
}

// TestOracleOpenSSLQuery: a request made by openssl ts -query is answered
// by the sandbox TSA; openssl ts -reply -text prints the answer and
// openssl ts -verify -queryfile accepts it; felles parses and verifies it.
func TestOracleOpenSSLQuery(t *testing.T) {
	ca, tc, _ := pki(t)
	srv := server(t, tc)
	dir := t.TempDir()
	root, issuing := filepath.Join(dir, "root.pem"), filepath.Join(dir, "issuing.pem")
	oracle.WritePEM(t, root, "CERTIFICATE", ca.Root.Raw)
	oracle.WritePEM(t, issuing, "CERTIFICATE", ca.Issuing.Raw)
	data := filepath.Join(dir, "data")
	os.WriteFile(data, []byte("brev til innbygger"), 0o600)
	query := filepath.Join(dir, "req.tsq")
	if out, err := openssl(t, "ts", "-query", "-data", data, "-sha256", "-cert", "-out", query); err != nil {
		t.Fatalf("openssl ts -query: %v\n%s", err, out)
	}
	q, _ := os.ReadFile(query)
	resp, err := http.Post(srv.URL, "application/timestamp-query", bytes.NewReader(q))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/timestamp-reply" {
		t.Fatalf("status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	reply := filepath.Join(dir, "resp.tsr")
	os.WriteFile(reply, body, 0o600)
	out, err := openssl(t, "ts", "-reply", "-in", reply, "-text")
	if err != nil || !bytes.Contains(out, []byte("Status: Granted")) || !bytes.Contains(out, []byte("Nonce:")) {
		t.Fatalf("openssl ts -reply -text: %v\n%s", err, out)
	}
	out, err = openssl(t, "ts", "-verify", "-queryfile", query, "-in", reply, "-CAfile", root, "-untrusted", issuing)
	if err != nil || !bytes.Contains(out, []byte("Verification: OK")) {
		t.Fatalf("openssl ts -verify -queryfile: %v\n%s", err, out)
	}
	tok, err := ParseResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("brev til innbygger"))
	if err := tok.Verify(crypto.SHA256, sum[:], ca.Roots(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestOracleVerifyOpenSSLToken: a token made by openssl's own TSA
// (openssl ts -reply) verifies with felles.
func TestOracleVerifyOpenSSLToken(t *testing.T) {
	ca, tc, _ := pki(t)
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(tc.Signer)
	if err != nil {
		t.Fatal(err)
	}
	key, cert, chain := filepath.Join(dir, "tsa.key"), filepath.Join(dir, "tsa.pem"), filepath.Join(dir, "chain.pem")
	oracle.WritePEM(t, key, "PRIVATE KEY", keyDER)
	oracle.WritePEM(t, cert, "CERTIFICATE", tc.Chain[0].Raw)
	oracle.WritePEM(t, chain, "CERTIFICATE", ca.Issuing.Raw)
	conf := filepath.Join(dir, "tsa.cnf")
	os.WriteFile(conf, []byte(`[ tsa ]
default_tsa = tsa1
[ tsa1 ]
serial = `+filepath.Join(dir, "serial")+`
crypto_device = builtin
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
signer_digest = sha256
accuracy = secs:1, millisecs:500
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`), 0o600)
	os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600)
	data := filepath.Join(dir, "data")
	os.WriteFile(data, []byte("openssl TSA"), 0o600)
	query := filepath.Join(dir, "req.tsq")
	if out, err := openssl(t, "ts", "-query", "-data", data, "-sha256", "-cert", "-out", query); err != nil {
		t.Fatalf("openssl ts -query: %v\n%s", err, out)
	}
	reply := filepath.Join(dir, "resp.tsr")
	if out, err := openssl(t, "ts", "-reply", "-config", conf, "-queryfile", query, "-inkey", key, "-signer", cert,
		"-chain", chain, "-out", reply); err != nil {
		t.Fatalf("openssl ts -reply: %v\n%s", err, out)
	}
	body, _ := os.ReadFile(reply)
	tok, err := ParseResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Policy != "1.2.3.4.1" || tok.Accuracy.Milliseconds() != 1500 {
		t.Errorf("policy %s accuracy %v", tok.Policy, tok.Accuracy)
	}
	sum := sha256.Sum256([]byte("openssl TSA"))
	if err := tok.Verify(crypto.SHA256, sum[:], ca.Roots(), nil); err != nil {
		t.Fatal(err)
	}
	other := sha256.Sum256([]byte("x"))
	if err := tok.Verify(crypto.SHA256, other[:], ca.Roots(), nil); err == nil {
		t.Error("verified another digest")
	}
}
