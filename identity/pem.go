package identity

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"strings"
)

// LoadPEMFiles reads an enterprise certificate from PEM files: certFile
// holds the certificate chain, keyFile the unencrypted private key. Both
// may be the same file. See [ParsePEM]; errors also name the file
// concerned. Each file may be at most [MaxInputSize] bytes.
func LoadPEMFiles(certFile, keyFile string) (*Certificate, error) {
	certPEM, err := readFile(certFile)
	if err != nil {
		return nil, err
	}
	keyPEM := certPEM
	if filepath.Clean(keyFile) != filepath.Clean(certFile) {
		if keyPEM, err = readFile(keyFile); err != nil {
			return nil, err
		}
	}
	return parsePEM(certPEM, keyPEM, certFile, keyFile)
}

// ParsePEM reads an enterprise certificate from PEM: certPEM holds one or
// more CERTIFICATE blocks (the leaf and its issuers, in any order), keyPEM
// the private key as PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or
// SEC 1 ("EC PRIVATE KEY"). Blocks of other types are skipped, so certPEM
// and keyPEM may be the same bytes, a file holding both.
//
// The returned chain starts with the certificate for the key and continues
// with its issuers in chain order; certificates that are not part of that
// chain are left out.
//
// An encrypted key ("ENCRYPTED PRIVATE KEY", or a legacy "Proc-Type: 4,ENCRYPTED"
// block) gives an error wrapping [ErrEncryptedKey]: use the PKCS#12 file
// with [ParsePKCS12] instead, or decrypt the key with
// "openssl pkey -in key.pem -out key-plain.pem". No key gives an error
// wrapping [ErrNoPrivateKey], more than one key an error; no certificate,
// [ErrNoCertificate]; a key that matches none of the certificates,
// [ErrKeyMismatch]. Inputs larger than [MaxInputSize] are refused.
func ParsePEM(certPEM, keyPEM []byte) (*Certificate, error) {
	return parsePEM(certPEM, keyPEM, "", "")
}

func parsePEM(certPEM, keyPEM []byte, certFile, keyFile string) (*Certificate, error) {
	if len(certPEM) > MaxInputSize {
		return nil, tooLarge(certFile, len(certPEM))
	}
	if len(keyPEM) > MaxInputSize {
		return nil, tooLarge(keyFile, len(keyPEM))
	}
	certs, err := parseCertificatesPEM(certPEM, certFile)
	if err != nil {
		return nil, err
	}
	signer, err := parsePrivateKeyPEM(keyPEM, keyFile)
	if err != nil {
		return nil, err
	}
	chain := buildChain(signer.Public(), certs)
	if chain == nil {
		where := certFile
		if keyFile != certFile {
			where = certFile + " and " + keyFile
		}
		return nil, newError(where, fmt.Sprintf("the private key belongs to none of the %d certificate(s)", len(certs)), ErrKeyMismatch, nil)
	}
	return &Certificate{Signer: signer, Chain: chain}, nil
}

// LoadCertPool reads a PEM file of certificates into a pool, for use as
// trust anchors when verifying signatures: the Buypass and Commfides roots,
// or the roots.pem that felles sandbox writes. Blocks other than
// CERTIFICATE are skipped; no certificate at all gives an error wrapping
// [ErrNoCertificate]. The file may be at most [MaxInputSize] bytes.
func LoadCertPool(path string) (*x509.CertPool, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := parseCertificatesPEM(data, path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

func parseCertificatesPEM(data []byte, file string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, newError(file, fmt.Sprintf("cannot parse PEM certificate %d", len(certs)+1), nil, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		msg := "no PEM CERTIFICATE block found"
		if len(data) > 0 && data[0] == 0x30 {
			msg += "; the data looks like DER: convert it with openssl x509 -inform der -in FILE -out FILE.pem"
		}
		return nil, newError(file, msg, ErrNoCertificate, nil)
	}
	return certs, nil
}

func parsePrivateKeyPEM(data []byte, file string) (crypto.Signer, error) {
	var signer crypto.Signer
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		default:
			continue // certificates, EC PARAMETERS, public keys
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
			return nil, newError(file, "the private key is encrypted, and PEM keys are read unencrypted only: use the PKCS#12 (.p12) file with LoadPKCS12File instead, or decrypt the key with: openssl pkey -in KEY.pem -out KEY-decrypted.pem (and protect that file)", ErrEncryptedKey, nil)
		}
		if signer != nil {
			return nil, newError(file, "more than one private key found; give a file with the one key of the certificate", nil, nil)
		}
		key, err := parsePrivateKeyDER(b.Type, b.Bytes)
		if err != nil {
			return nil, newError(file, "cannot parse the PEM "+b.Type, nil, err)
		}
		s, ok := signerFromKey(key)
		if !ok {
			return nil, newError(file, fmt.Sprintf("the private key is of type %T, which cannot sign; an RSA, ECDSA or Ed25519 key is needed", key), nil, nil)
		}
		signer = s
	}
	if signer == nil {
		msg := "no PEM private key block found (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)"
		if bytes.Contains(data, []byte("-----BEGIN OPENSSH PRIVATE KEY")) {
			msg = "this is an OpenSSH private key, not a certificate key in PEM; convert it with ssh-keygen -p -m PKCS8 -f FILE"
		}
		return nil, newError(file, msg, ErrNoPrivateKey, nil)
	}
	return signer, nil
}

// parsePrivateKeyDER parses a PKCS#8, PKCS#1 or SEC 1 private key. It
// tries the format the PEM type names first, then the others, since tools
// do not always label keys correctly. The error it returns is that of the
// format the type names.
func parsePrivateKeyDER(typ string, der []byte) (any, error) {
	pkcs8 := func(d []byte) (any, error) { return x509.ParsePKCS8PrivateKey(d) }
	pkcs1 := func(d []byte) (any, error) { return x509.ParsePKCS1PrivateKey(d) }
	sec1 := func(d []byte) (any, error) { return x509.ParseECPrivateKey(d) }
	order := []func([]byte) (any, error){pkcs8, pkcs1, sec1}
	switch typ {
	case "RSA PRIVATE KEY":
		order = []func([]byte) (any, error){pkcs1, pkcs8, sec1}
	case "EC PRIVATE KEY":
		order = []func([]byte) (any, error){sec1, pkcs8, pkcs1}
	}
	var firstErr error
	for _, parse := range order {
		k, err := parse(der)
		if err == nil {
			return k, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}
