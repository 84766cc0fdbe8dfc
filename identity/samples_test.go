package identity_test

// Tests against the official Digdir samples in ../../shared: material no
// one in this project wrote.

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity"
)

const samplePassword = "changeit" // eksempel.p12, as documented with the samples

func TestSampleP12AndPEM(t *testing.T) {
	p12 := sample(t, "eksempel.p12")
	certPEM := sample(t, "eksempel-cert.pem")
	keyPEM := sample(t, "eksempel-key.pem")

	fromP12, err := identity.ParsePKCS12(p12, samplePassword)
	if err != nil {
		t.Fatal(err)
	}
	fromPEM, err := identity.ParsePEM(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	fromFiles, err := identity.LoadPEMFiles(filepath.Join(samplesDir, "eksempel-cert.pem"), filepath.Join(samplesDir, "eksempel-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	fromP12File, err := identity.LoadPKCS12File(filepath.Join(samplesDir, "eksempel.p12"), samplePassword)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*identity.Certificate{"PEM": fromPEM, "PEM files": fromFiles, "PKCS#12 file": fromP12File} {
		if d := chainDiff(c.Chain, fromP12.Chain); d != "" {
			t.Errorf("%s: %s", name, d)
		}
		if !c.Signer.(interface{ Equal(crypto.PrivateKey) bool }).Equal(fromP12.Signer) {
			t.Errorf("%s: the key differs from the one in eksempel.p12", name)
		}
	}
	// Both carry the same self-signed certificate, the one in the PEM file.
	blockCert, _ := x509.ParseCertificate(pemBody(t, certPEM))
	if len(fromP12.Chain) != 1 || !fromP12.Leaf().Equal(blockCert) {
		t.Errorf("eksempel.p12 chain has %d certificates; want exactly the one of eksempel-cert.pem", len(fromP12.Chain))
	}
	// The sample's subject is "CN=Unknown, ...": no organisation number.
	if _, err := fromP12.OrganizationNumber(); !errors.Is(err, identity.ErrNoOrganizationNumber) {
		t.Errorf("OrganizationNumber() error %v, want ErrNoOrganizationNumber", err)
	}
	// Valid 2022-03-16 to 2032-03-13.
	if err := fromP12.CheckValidity(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Error(err)
	}

	_, err = identity.ParsePKCS12(p12, "changeme")
	checkErr(t, err, identity.ErrWrongPassword)
	_, err = identity.LoadPKCS12File(filepath.Join(samplesDir, "eksempel.p12"), "changeme")
	checkErr(t, err, identity.ErrWrongPassword, "eksempel.p12")
}

func pemBody(t *testing.T, data []byte) []byte {
	t.Helper()
	const begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
	s := string(data)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatal("no certificate block")
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s[i+len(begin):j]), ""))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestSampleJKSIsExplained(t *testing.T) {
	jks := sample(t, "eksempel.jks")
	_, err := identity.ParsePKCS12(jks, samplePassword)
	checkErr(t, err, nil, "Java KeyStore", "keytool")
	_, err = identity.LoadPKCS12File(filepath.Join(samplesDir, "eksempel.jks"), samplePassword)
	checkErr(t, err, nil, "eksempel.jks", "Java KeyStore")
}

// jwtCertificate returns the certificate in x5c[0] of a JWS's header.
func jwtCertificate(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	jws := bytes.TrimSpace(sample(t, name))
	header, _, ok := bytes.Cut(jws, []byte("."))
	if !ok {
		t.Fatalf("%s is not a compact JWS", name)
	}
	js, err := base64.RawURLEncoding.DecodeString(string(header))
	if err != nil {
		t.Fatalf("%s header: %v", name, err)
	}
	var h struct {
		X5C []string `json:"x5c"`
	}
	if err := json.Unmarshal(js, &h); err != nil {
		t.Fatalf("%s header: %v", name, err)
	}
	if len(h.X5C) == 0 {
		t.Fatalf("%s header has no x5c", name)
	}
	der, err := base64.StdEncoding.DecodeString(h.X5C[0])
	if err != nil {
		t.Fatalf("%s x5c[0]: %v", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("%s x5c[0]: %v", name, err)
	}
	return cert
}

// TestSampleBuypassCertificates reads the organisation number from real
// Buypass test certificates, in both subject forms.
func TestSampleBuypassCertificates(t *testing.T) {
	tests := []struct {
		file      string
		want      string
		attr      string // the subject attribute that carries the number, to show which certificate it is
		value     string
		validAt   time.Time
		expiredAt time.Time
	}{
		// Legacy form: serialNumber=991825827 (Buypass Class 3 Test4 CA 3).
		{"digital-forretningsmelding.jwt", orgDigdir, "2.5.4.5", "991825827", date(2021, 6, 1), date(2023, 7, 1)},
		{"digital-avsenderidentifikator-forretningsmelding.jwt", orgDigdir, "2.5.4.5", "991825827", date(2021, 6, 1), date(2023, 7, 1)},
		{"digital-pa-vegne-av-forretningsmelding.jwt", orgTiger, "2.5.4.5", "810969342", date(2021, 6, 1), date(2023, 4, 1)},
		// Current form: organizationIdentifier=NTRNO-991825827 (Buypass Class 3 Test4 CA G2 ST Business).
		{"utskrift-forretningsmelding.jwt", orgDigdir, "2.5.4.97", "NTRNO-991825827", date(2024, 1, 1), date(2026, 5, 6)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cert := jwtCertificate(t, tt.file)
			if !hasAttr(cert, tt.attr, tt.value) {
				t.Fatalf("subject %s has no %s=%s: not the certificate this test expects", cert.Subject, tt.attr, tt.value)
			}
			// The legacy certificates have no organizationIdentifier at all.
			if tt.attr == "2.5.4.5" && hasAttr(cert, "2.5.4.97", "") {
				t.Fatalf("subject %s has an organizationIdentifier", cert.Subject)
			}
			if !strings.HasPrefix(cert.Issuer.CommonName, "Buypass Class 3 Test4") {
				t.Errorf("issuer %s, want a Buypass test CA", cert.Issuer)
			}
			got, err := identity.OrganizationNumber(cert)
			if err != nil || got != tt.want {
				t.Errorf("OrganizationNumber() = %q, %v; want %s", got, err, tt.want)
			}
			// A Certificate around it (no key: only the chain is used).
			c := &identity.Certificate{Chain: []*x509.Certificate{cert}}
			if got, err := c.OrganizationNumber(); err != nil || got != tt.want {
				t.Errorf("(*Certificate).OrganizationNumber() = %q, %v; want %s", got, err, tt.want)
			}
			if err := c.CheckValidity(tt.validAt); err != nil {
				t.Errorf("at %v: %v", tt.validAt, err)
			}
			var ve *identity.ValidityError
			err = c.CheckValidity(tt.expiredAt)
			if !errors.As(err, &ve) || !ve.Expired() {
				t.Fatalf("at %v: %v, want an expired *ValidityError", tt.expiredAt, err)
			}
			// The message names the subject readably, organizationIdentifier included.
			name := map[string]string{"2.5.4.5": "SERIALNUMBER", "2.5.4.97": "organizationIdentifier"}[tt.attr]
			checkErr(t, err, nil, name+"="+tt.value, "expired at")
			if err := c.CheckValidity(date(2019, 1, 1)); !errors.As(err, &ve) || ve.Expired() {
				t.Errorf("in 2019: %v, want a not-yet-valid *ValidityError", err)
			}
		})
	}
}

// hasAttr reports whether cert's subject has the attribute oid with value
// (any value if value is "").
func hasAttr(cert *x509.Certificate, oid, value string) bool {
	for _, atv := range cert.Subject.Names {
		if atv.Type.String() == oid && (value == "" || atv.Value == value) {
			return true
		}
	}
	return false
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
