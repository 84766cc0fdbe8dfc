package identity_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

func TestParsePEM(t *testing.T) {
	ca := testCA(t)
	rsaCert := issue(t, testpki.Request{OrganizationNumber: orgBrreg})
	ecCert := issue(t, testpki.Request{OrganizationNumber: orgTiger, LegacySubject: true, Key: ecKey(t)})
	rsaKey := rsaCert.Signer.(*rsa.PrivateKey)
	ecK := ecCert.Signer.(*ecdsa.PrivateKey)
	sec1, err := x509.MarshalECPrivateKey(ecK)
	if err != nil {
		t.Fatal(err)
	}
	ecParams := "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" // prime256v1, as openssl ecparam -genkey writes
	block := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }

	tests := []struct {
		name  string
		certs []byte
		key   []byte
		want  *identity.Certificate
	}{
		{"RSA PKCS#8", certsPEM(rsaCert.Chain...), pkcs8PEM(t, rsaKey), rsaCert},
		{"RSA PKCS#1", certsPEM(rsaCert.Chain...), block("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), rsaCert},
		{"ECDSA PKCS#8", certsPEM(ecCert.Chain...), pkcs8PEM(t, ecK), ecCert},
		{"ECDSA SEC 1", certsPEM(ecCert.Chain...), block("EC PRIVATE KEY", sec1), ecCert},
		{"ECDSA SEC 1 after EC PARAMETERS", certsPEM(ecCert.Chain...), append([]byte(ecParams), block("EC PRIVATE KEY", sec1)...), ecCert},
		{"PKCS#1 mislabelled PRIVATE KEY", certsPEM(rsaCert.Chain...), block("PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), rsaCert},
		{"PKCS#8 mislabelled RSA PRIVATE KEY", certsPEM(rsaCert.Chain...), block("RSA PRIVATE KEY", mustPKCS8(t, rsaKey)), rsaCert},
		{"chain reversed", certsPEM(rsaCert.Chain[1], rsaCert.Chain[0]), pkcs8PEM(t, rsaKey), rsaCert},
		{"text around blocks", append([]byte("Bag Attributes\n    friendlyName: virksomhet\n"), certsPEM(rsaCert.Chain...)...), append([]byte("Key Attributes: <No Attributes>\n"), pkcs8PEM(t, rsaKey)...), rsaCert},
		{"cert and key in one", append(pkcs8PEM(t, ecK), certsPEM(ecCert.Chain...)...), append(pkcs8PEM(t, ecK), certsPEM(ecCert.Chain...)...), ecCert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identity.ParsePEM(tt.certs, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, got, tt.want)
		})
	}
	t.Run("root included, any order", func(t *testing.T) {
		got, err := identity.ParsePEM(certsPEM(ca.Root, rsaCert.Chain[0], ecCert.Chain[0], rsaCert.Chain[1]), pkcs8PEM(t, rsaKey))
		if err != nil {
			t.Fatal(err)
		}
		if d := chainDiff(got.Chain, []*x509.Certificate{rsaCert.Chain[0], rsaCert.Chain[1], ca.Root}); d != "" {
			t.Error(d)
		}
	})
	t.Run("Ed25519", func(t *testing.T) {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		c := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: k})
		got, err := identity.ParsePEM(certsPEM(c.Chain...), pkcs8PEM(t, k))
		if err != nil {
			t.Fatal(err)
		}
		checkSame(t, got, c)
	})
}

func mustPKCS8(t *testing.T, k crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestParsePEMErrors(t *testing.T) {
	a := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: ecKey(t)})
	b := issue(t, testpki.Request{OrganizationNumber: orgTiger, Key: ecKey(t)})
	aKey := pkcs8PEM(t, a.Signer)

	//lint:ignore SA1019 x509.EncryptPEMBlock is deprecated, but it writes the legacy encrypted PEM this test needs.
	legacyEnc, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", mustSEC1(t, a.Signer.(*ecdsa.PrivateKey)), []byte("passord"), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		certs   []byte
		key     []byte
		want    error
		mention []string
	}{
		{"key mismatch", certsPEM(b.Chain...), aKey, identity.ErrKeyMismatch, []string{"2 certificate(s)"}},
		{"no key", certsPEM(a.Chain...), certsPEM(a.Chain...), identity.ErrNoPrivateKey, nil},
		{"empty key", certsPEM(a.Chain...), nil, identity.ErrNoPrivateKey, nil},
		{"no certificate", aKey, aKey, identity.ErrNoCertificate, []string{"no PEM CERTIFICATE"}},
		{"DER certificate", a.Chain[0].Raw, aKey, identity.ErrNoCertificate, []string{"DER", "openssl x509 -inform der"}},
		{"two keys", certsPEM(a.Chain...), append(aKey, pkcs8PEM(t, b.Signer)...), nil, []string{"more than one private key"}},
		{"encrypted PKCS#8", certsPEM(a.Chain...), pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}}), identity.ErrEncryptedKey, []string{"encrypted", "PKCS#12", "openssl"}},
		{"encrypted legacy PEM", certsPEM(a.Chain...), pem.EncodeToMemory(legacyEnc), identity.ErrEncryptedKey, []string{"encrypted", "PKCS#12", "openssl"}},
		{"damaged key", certsPEM(a.Chain...), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x01, 0x00}}), nil, []string{"cannot parse the PEM PRIVATE KEY"}},
		{"damaged certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x01, 0x00}}), aKey, nil, []string{"PEM certificate 1"}},
		{"OpenSSH key", certsPEM(a.Chain...), []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"), identity.ErrNoPrivateKey, []string{"OpenSSH"}},
		{"too large", make([]byte, identity.MaxInputSize+1), aKey, nil, []string{"limit"}},
		{"too large key", certsPEM(a.Chain...), make([]byte, identity.MaxInputSize+1), nil, []string{"limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identity.ParsePEM(tt.certs, tt.key)
			checkErr(t, err, tt.want, tt.mention...)
			if strings.Contains(err.Error(), "passord") {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func mustSEC1(t *testing.T, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestLoadPEMFiles(t *testing.T) {
	a := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: ecKey(t)})
	b := issue(t, testpki.Request{OrganizationNumber: orgTiger, Key: ecKey(t)})
	certFile := writeFile(t, "cert.pem", certsPEM(a.Chain...))
	keyFile := writeFile(t, "key.pem", pkcs8PEM(t, a.Signer))

	got, err := identity.LoadPEMFiles(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, got, a)

	both := writeFile(t, "both.pem", append(pkcs8PEM(t, a.Signer), certsPEM(a.Chain...)...))
	got, err = identity.LoadPEMFiles(both, both)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, got, a)
	// The same file under two spellings.
	got, err = identity.LoadPEMFiles(both, filepath.Join(filepath.Dir(both), ".", filepath.Base(both)))
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, got, a)

	otherCert := writeFile(t, "other.pem", certsPEM(b.Chain...))
	_, err = identity.LoadPEMFiles(otherCert, keyFile)
	checkErr(t, err, identity.ErrKeyMismatch, otherCert, keyFile)

	_, err = identity.LoadPEMFiles(keyFile, keyFile)
	checkErr(t, err, identity.ErrNoCertificate, keyFile)

	_, err = identity.LoadPEMFiles(certFile, certFile)
	checkErr(t, err, identity.ErrNoPrivateKey, certFile)

	encKey := writeFile(t, "enc.pem", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}}))
	_, err = identity.LoadPEMFiles(certFile, encKey)
	checkErr(t, err, identity.ErrEncryptedKey, "identity: "+encKey+": ")

	missing := filepath.Join(t.TempDir(), "finnes-ikke.pem")
	_, err = identity.LoadPEMFiles(certFile, missing)
	checkErr(t, err, fs.ErrNotExist, missing)
	_, err = identity.LoadPEMFiles(missing, keyFile)
	checkErr(t, err, fs.ErrNotExist, missing)
}

func TestLoadCertPool(t *testing.T) {
	ca := testCA(t)
	path := writeFile(t, "roots.pem", append([]byte("# trust anchors\n"), certsPEM(ca.Root)...))
	pool, err := identity.LoadCertPool(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Issuing.Verify(x509.VerifyOptions{Roots: pool}); err != nil {
		t.Errorf("the issuing CA does not verify against the loaded roots: %v", err)
	}
	der := writeFile(t, "root.der", ca.Root.Raw)
	if _, err := identity.LoadCertPool(der); !errors.Is(err, identity.ErrNoCertificate) || !strings.Contains(err.Error(), "openssl x509 -inform der") {
		t.Errorf("a DER file: %v; want ErrNoCertificate with the conversion hint", err)
	}
	if _, err := identity.LoadCertPool(filepath.Join(t.TempDir(), "missing.pem")); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("a missing file: %v", err)
	}
}
