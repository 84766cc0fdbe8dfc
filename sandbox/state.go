package sandbox

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

// Files in the state directory ([WithStateDir]); all PEM, mode 0600.
const (
	caFile         = "ca.pem"                // the CA: root and issuing certificates and keys
	tokenKeyFile   = "token-signing-key.pem" // Maskinporten's access-token signing key
	testClientFile = "test-client.pem"       // the test client's certificate chain and key
	krrSignerFile  = "krr-digdir.pem"        // KRR's signing certificate (Digdir) and key
	digipostFile   = "krr-digipost.pem"      // Digipost's mailbox certificate and key
	eboksFile      = "krr-eboks.pem"         // e-Boks's mailbox certificate and key
)

// caName names the sandbox's certificate authority.
const caName = "Felles Sandbox"

// state is what a sandbox keeps across restarts.
type state struct {
	ca         *testpki.CA
	tokenKey   crypto.Signer
	testClient *identity.Certificate
	// KRR's certificates: the signer of application/jose answers and the
	// two mailbox providers'.
	krrSigner, digipost, eboks *identity.Certificate
}

// loadState reads the state from dir, creating what is missing; with dir
// "" it creates everything afresh and keeps nothing.
func loadState(dir string, now time.Time) (*state, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sandbox: state directory: %w", err)
		}
	}
	st := &state{}
	data, err := readState(dir, caFile)
	switch {
	case err != nil:
		return nil, err
	case data == nil:
		if st.ca, err = testpki.New(caName); err != nil {
			return nil, fmt.Errorf("sandbox: creating the CA: %w", err)
		}
		pemData, err := st.ca.MarshalPEM()
		if err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		if err := writeState(dir, caFile, pemData); err != nil {
			return nil, err
		}
	default:
		if st.ca, err = testpki.ParsePEM(data); err != nil {
			return nil, corrupt(dir, caFile, err)
		}
	}

	if st.tokenKey, err = loadKey(dir, tokenKeyFile); err != nil {
		return nil, err
	}
	if err := loadRegisterCertificates(dir, st, now); err != nil {
		return nil, err
	}

	// The test client: reuse its certificate while it is valid and issued
	// by this CA; else issue a new one, for the same key.
	data, err = readState(dir, testClientFile)
	if err != nil {
		return nil, err
	}
	var key crypto.Signer
	if data != nil {
		cert, err := identity.ParsePEM(data, data)
		if err != nil {
			return nil, corrupt(dir, testClientFile, err)
		}
		key = cert.Signer
		if usableTestCertificate(cert, st.ca, now) {
			st.testClient = cert
			return st, nil
		}
	}
	if key == nil {
		if key, err = rsa.GenerateKey(rand.Reader, testpki.KeyBits); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	if st.testClient, err = st.ca.Issue(testpki.Request{
		OrganizationNumber: TestOrganizationNumber, OrganizationName: TestOrganizationName,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(2, 0, 0), Key: key,
	}); err != nil {
		return nil, fmt.Errorf("sandbox: issuing the test client's certificate: %w", err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	var out []byte
	for _, c := range st.testClient.Chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})...)
	if err := writeState(dir, testClientFile, out); err != nil {
		return nil, err
	}
	return st, nil
}

// usableTestCertificate reports whether cert can stay the test client's.
func usableTestCertificate(cert *identity.Certificate, ca *testpki.CA, now time.Time) bool {
	if cert.CheckValidity(now) != nil || cert.CheckValidity(now.Add(24*time.Hour)) != nil {
		return false
	}
	if n, err := cert.OrganizationNumber(); err != nil || n != TestOrganizationNumber {
		return false
	}
	inter := x509.NewCertPool()
	for _, c := range cert.Chain[1:] {
		inter.AddCert(c)
	}
	_, err := cert.Leaf().Verify(x509.VerifyOptions{Roots: ca.Roots(), Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err == nil
}

// loadKey reads an RSA key from dir/name, creating it when missing.
func loadKey(dir, name string) (crypto.Signer, error) {
	data, err := readState(dir, name)
	if err != nil {
		return nil, err
	}
	if data != nil {
		b, _ := pem.Decode(data)
		if b == nil || b.Type != "PRIVATE KEY" {
			return nil, corrupt(dir, name, errors.New("no PEM PRIVATE KEY block"))
		}
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, corrupt(dir, name, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, corrupt(dir, name, fmt.Errorf("the key is %T, not RSA", k))
		}
		return rk, nil
	}
	k, err := rsa.GenerateKey(rand.Reader, testpki.KeyBits)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := writeState(dir, name, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})); err != nil {
		return nil, err
	}
	return k, nil
}

// readState returns the content of dir/name, or nil when dir is "" or the
// file does not exist.
func readState(dir, name string) ([]byte, error) {
	if dir == "" {
		return nil, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return data, nil
}

// writeState replaces dir/name with data (mode 0600); nothing when dir is "".
func writeState(dir, name string, data []byte) error {
	if dir == "" {
		return nil
	}
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("sandbox: writing %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sandbox: writing %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

func corrupt(dir, name string, err error) error {
	return fmt.Errorf("sandbox: %s is not usable (%v); move it away or delete the folder %s to start afresh", filepath.Join(dir, name), err, dir)
}

// loadRegisterCertificates loads KRR's certificates from dir, or issues
// them (in parallel: key generation is the slow part of a start).
func loadRegisterCertificates(dir string, st *state, now time.Time) error {
	type want struct {
		file, orgnr, name string
		dst               **identity.Certificate
	}
	wants := []want{
		{krrSignerFile, "991825827", "Digitaliseringsdirektoratet", &st.krrSigner},
		{digipostFile, "984661185", "Posten Norge AS", &st.digipost},
		{eboksFile, "922020175", "e-Boks", &st.eboks},
	}
	errs := make([]error, len(wants))
	var wg sync.WaitGroup
	for k, w := range wants {
		wg.Go(func() {
			*w.dst, errs[k] = loadIssued(dir, w.file, st.ca, now, w.orgnr, w.name)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// loadIssued reads an enterprise certificate for orgnr with its key from
// dir/file, or, when missing, not issued by ca or not valid for another
// day, issues a new one and keeps it there.
func loadIssued(dir, file string, ca *testpki.CA, now time.Time, orgnr, name string) (*identity.Certificate, error) {
	data, err := readState(dir, file)
	if err != nil {
		return nil, err
	}
	if data != nil {
		cert, err := identity.ParsePEM(data, data)
		if err != nil {
			return nil, corrupt(dir, file, err)
		}
		if usableCertificate(cert, ca, now, orgnr) {
			return cert, nil
		}
	}
	cert, err := ca.Issue(testpki.Request{
		OrganizationNumber: orgnr, OrganizationName: name,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(2, 0, 0),
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox: issuing %s's certificate: %w", name, err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(cert.Signer)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	var out []byte
	for _, c := range cert.Chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})...)
	if err := writeState(dir, file, out); err != nil {
		return nil, err
	}
	return cert, nil
}

// usableCertificate reports whether cert, for orgnr, can be kept.
func usableCertificate(cert *identity.Certificate, ca *testpki.CA, now time.Time, orgnr string) bool {
	if cert.CheckValidity(now) != nil || cert.CheckValidity(now.Add(24*time.Hour)) != nil {
		return false
	}
	if n, err := cert.OrganizationNumber(); err != nil || n != orgnr {
		return false
	}
	inter := x509.NewCertPool()
	for _, c := range cert.Chain[1:] {
		inter.AddCert(c)
	}
	_, err := cert.Leaf().Verify(x509.VerifyOptions{Roots: ca.Roots(), Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err == nil
}
