package identity

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// LoadPKCS12File reads an enterprise certificate from a PKCS#12 file
// (.p12/.pfx) protected by password. See [ParsePKCS12]; errors also name
// path. The file may be at most [MaxInputSize] bytes.
func LoadPKCS12File(path, password string) (*Certificate, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return parsePKCS12(data, password, path)
}

// ParsePKCS12 reads an enterprise certificate from PKCS#12 data (the
// contents of a .p12/.pfx file) protected by password.
//
// Both the modern encryption (PBES2 with PBKDF2 and AES-256-CBC, the
// default of openssl 3 and current Java and Windows) and the legacy ones
// (40-bit RC2 and 3DES with a SHA-1 MAC, as older Buypass and Commfides
// files and "openssl pkcs12 -legacy" produce) are read. An empty password
// also opens a file that has no password at all.
//
// The data must hold exactly one private key (RSA, ECDSA or Ed25519) and
// the certificate for it. The returned chain starts with that certificate
// and continues with its issuers in chain order, whatever order the file
// stores them in; certificates in the file that are not part of that chain
// are left out.
//
// A wrong password gives an error wrapping [ErrWrongPassword]; data with
// certificates but no key, [ErrNoPrivateKey]; a key with no certificate,
// [ErrNoCertificate]; a key that matches none of the certificates,
// [ErrKeyMismatch]. Data larger than [MaxInputSize] is refused.
//
// ParsePKCS12 is meant for the holder's own certificate files. The
// key-derivation iteration counts are taken from the data and are not
// capped, so a hostile file can keep it busy for a long time; do not parse
// files uploaded by untrusted parties where that matters.
func ParsePKCS12(data []byte, password string) (*Certificate, error) {
	return parsePKCS12(data, password, "")
}

func parsePKCS12(data []byte, password, file string) (*Certificate, error) {
	if len(data) > MaxInputSize {
		return nil, tooLarge(file, len(data))
	}
	if len(data) == 0 {
		return nil, newError(file, "the PKCS#12 data is empty", nil, nil)
	}
	key, cert, caCerts, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, pkcs12Error(file, data, err)
	}
	signer, ok := signerFromKey(key)
	if !ok {
		return nil, newError(file, fmt.Sprintf("the private key in the PKCS#12 data is of type %T, which cannot sign; an RSA, ECDSA or Ed25519 key is needed", key), nil, nil)
	}
	certs := append([]*x509.Certificate{cert}, caCerts...)
	chain := buildChain(signer.Public(), certs)
	if chain == nil {
		return nil, newError(file, fmt.Sprintf("the private key in the PKCS#12 data belongs to none of its %d certificate(s)", len(certs)), ErrKeyMismatch, nil)
	}
	return &Certificate{Signer: signer, Chain: chain}, nil
}

// The texts of errors that go-pkcs12 (v0.7.x) returns as plain errors.New
// values, with no sentinel to match. pkcs12Error falls back to a generic
// message if a later version words them differently; the tests pin them.
const (
	pkcs12MsgNoKey        = "pkcs12: private key missing"
	pkcs12MsgNoCert       = "pkcs12: certificate missing"
	pkcs12MsgSeveralKeys  = "pkcs12: expected exactly one key bag"
	pkcs12MsgNoMAC        = "pkcs12: no MAC in data"
	pkcs12MsgNotEncodable = "cannot be encoded in UCS-2"
)

// pkcs12Error turns an error from go-pkcs12 into one of ours. It never
// puts the password into the message: go-pkcs12's errors do not carry it.
func pkcs12Error(file string, data []byte, err error) error {
	var notImpl pkcs12.NotImplementedError
	msg := err.Error()
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return newError(file, "wrong password for the PKCS#12 data (its integrity check failed)", ErrWrongPassword, nil)
	case errors.Is(err, pkcs12.ErrDecryption) || strings.Contains(msg, pkcs12.ErrDecryption.Error()):
		return newError(file, "wrong password for the PKCS#12 data (decryption failed), or the data is damaged", ErrWrongPassword, nil)
	case strings.Contains(msg, pkcs12MsgNotEncodable):
		return newError(file, "the password contains characters outside the Unicode Basic Multilingual Plane, which a PKCS#12 password cannot hold", ErrWrongPassword, nil)
	case msg == pkcs12MsgNoMAC:
		return newError(file, "the PKCS#12 data has no password (no integrity MAC); open it with an empty password", ErrWrongPassword, nil)
	case msg == pkcs12MsgNoKey:
		return newError(file, "the PKCS#12 data holds certificates but no private key; export it again with the private key included", ErrNoPrivateKey, nil)
	case msg == pkcs12MsgNoCert:
		return newError(file, "the PKCS#12 data holds no certificate", ErrNoCertificate, nil)
	case msg == pkcs12MsgSeveralKeys:
		return newError(file, "the PKCS#12 data holds more than one private key; export the one enterprise certificate you need into a file of its own", nil, nil)
	}
	if hint := formatHint(data); hint != "" {
		return newError(file, hint, nil, nil)
	}
	if errors.As(err, &notImpl) {
		return newError(file, "the PKCS#12 data uses a layout or algorithm that is not supported", nil, err)
	}
	return newError(file, "cannot read the PKCS#12 data", nil, err)
}

// formatHint recognises data that is not DER PKCS#12 but something a
// user may have mistaken for it, and says what to do.
func formatHint(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xED, 0xFE, 0xED}), bytes.HasPrefix(data, []byte{0xCE, 0xCE, 0xCE, 0xCE}):
		return "this is a Java KeyStore (JKS/JCEKS), not PKCS#12; convert it with: keytool -importkeystore -srckeystore FILE.jks -destkeystore FILE.p12 -deststoretype PKCS12"
	case bytes.Contains(data, []byte("-----BEGIN ")):
		return "this is PEM, not PKCS#12; read it with LoadPEMFiles or ParsePEM"
	}
	if data[0] != 0x30 {
		// Base64 of DER PKCS#12 (a SEQUENCE, 0x30) starts with "M".
		trimmed := bytes.Join(bytes.Fields(data), nil)
		if len(trimmed) > 0 && trimmed[0] == 'M' {
			if der, err := base64.StdEncoding.DecodeString(string(trimmed)); err == nil && len(der) > 0 && der[0] == 0x30 {
				return "the PKCS#12 data is base64-encoded; decode it first (base64.StdEncoding)"
			}
		}
	}
	return ""
}

// readFile reads a certificate or key file of at most MaxInputSize bytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, newError(path, "is a directory, not a certificate or key file", nil, nil)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxInputSize+1))
	if err != nil {
		return nil, fileError(path, err)
	}
	if len(data) > MaxInputSize {
		return nil, newError(path, fmt.Sprintf("the file is larger than %d bytes, too large for a certificate or key file; is it the right file?", MaxInputSize), nil, nil)
	}
	return data, nil
}

// fileError reports a failure to read path, without repeating the path
// that *fs.PathError already carries.
func fileError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return newError(path, "cannot read the file", nil, err)
}

func tooLarge(file string, n int) error {
	return newError(file, fmt.Sprintf("the input is %d bytes, larger than the %d-byte limit for a certificate or key; is it the right data?", n, MaxInputSize), nil, nil)
}
