package krr_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/jws"
	"github.com/fellesgo/felles/registry/krr"
)

// TestSignedResponses checks the verification of application/jose answers
// (identity-and-registers.md §3.5). The fake signs with felles's own JWS
// signer; the client verifies with go-jose.
func TestSignedResponses(t *testing.T) {
	pki := testCA()
	b64 := base64.RawURLEncoding
	cases := []struct {
		name   string
		signer *identity.Certificate
		tamper func(string) string
		hook   func(w http.ResponseWriter) // answers instead of the signer
		opts   []krr.Option
		reason string // in the error; "" means success
	}{
		{name: "valid", signer: pki.digdir},
		{name: "tampered payload", signer: pki.digdir, tamper: func(tok string) string {
			p := strings.Split(tok, ".")
			payload, _ := b64.DecodeString(p[1])
			payload = []byte(strings.Replace(string(payload), `"NEI"`, `"JA"`, 1))
			return p[0] + "." + b64.EncodeToString(payload) + "." + p[2]
		}, reason: "signature does not match"},
		{name: "tampered signature", signer: pki.digdir, tamper: func(tok string) string {
			p := strings.Split(tok, ".")
			sig, _ := b64.DecodeString(p[2])
			sig[10] ^= 1
			return p[0] + "." + p[1] + "." + b64.EncodeToString(sig)
		}, reason: "signature does not match"},
		{name: "x5c from another CA", signer: pki.otherCA, reason: "unknown authority"},
		{name: "wrong organisation number", signer: pki.notDigdir, reason: "belongs to organisation 984661185, not 991825827"},
		{name: "other organisation configured", signer: pki.notDigdir, opts: []krr.Option{krr.WithSignerOrganizationNumber("984661185")}},
		{name: "expired signer certificate", signer: pki.digdir,
			opts: []krr.Option{krr.WithClock(func() time.Time { return time.Now().AddDate(5, 0, 0) })}, reason: "expired"},
		{name: "unsigned JSON", hook: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(sampleWithCert()))
		}, reason: "unsigned JSON"},
		{name: "no x5c", hook: func(w http.ResponseWriter) {
			tok, _ := jws.Sign(pki.digdir.Signer, jws.RS256, map[string]any{}, []byte(sampleWithCert()))
			w.Header().Set("Content-Type", "application/jose")
			w.Write([]byte(tok))
		}, reason: "no certificate chain"},
		{name: "PS256", hook: func(w http.ResponseWriter) {
			tok, _ := jws.Sign(pki.digdir.Signer, jws.PS256, map[string]any{"x5c": x5c(pki.digdir)}, []byte(sampleWithCert()))
			w.Header().Set("Content-Type", "application/jose")
			w.Write([]byte(tok))
		}, reason: "RS256"},
		{name: "alg none", hook: func(w http.ResponseWriter) {
			h, _ := json.Marshal(map[string]any{"alg": "none", "x5c": x5c(pki.digdir)})
			w.Header().Set("Content-Type", "application/jose")
			w.Write([]byte(b64.EncodeToString(h) + "." + b64.EncodeToString([]byte(sampleWithCert())) + "."))
		}, reason: "RS256"},
		{name: "JSON serialisation", hook: func(w http.ResponseWriter) {
			tok, _ := jws.Sign(pki.digdir.Signer, jws.RS256, map[string]any{"x5c": x5c(pki.digdir)}, []byte(sampleWithCert()))
			p := strings.Split(tok, ".")
			w.Header().Set("Content-Type", "application/jose+json")
			json.NewEncoder(w).Encode(map[string]string{"protected": p[0], "payload": p[1], "signature": p[2]})
		}, reason: "compact JWS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.raw = sampleWithCert()
			f.signer, f.tamper = tc.signer, tc.tamper
			if tc.hook != nil {
				f.hook = func(_ int, _ []string, w http.ResponseWriter, _ *http.Request) bool { tc.hook(w); return true }
			}
			opts := append([]krr.Option{krr.WithSignedResponses(pki.ca.Roots())}, tc.opts...)
			got, err := f.client(t, opts...).Lookup(context.Background(), sampleID)
			if f.accepts[0] != "application/jose" {
				t.Errorf("Accept %q", f.accepts[0])
			}
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got[0].Reservation != krr.NotReserved || got[0].Email != "nullstilt@default.digdir.no" {
					t.Errorf("%+v", got[0])
				}
				return
			}
			var se *krr.SignatureError
			if !errors.As(err, &se) || !errors.Is(err, krr.ErrInvalidSignature) {
				t.Fatalf("err = %v, want a SignatureError", err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("err = %v, want %q", err, tc.reason)
			}
			if got[0].Status != "" || got[0].Reservation != "" {
				t.Errorf("data of an unverified answer used: %+v", got[0])
			}
		})
	}
}

// customSigner issues, from a fresh root, a leaf for Digdir's organisation
// number with the given subject and key usage, for the checks identity's
// test PKI cannot express. It returns the signer and a pool with the root.
func customSigner(t *testing.T, subject pkix.Name, ku x509.KeyUsage) (*identity.Certificate, *x509.CertPool) {
	t.Helper()
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Publicly Trusted Root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	leafKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: subject,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: ku, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, root, leafKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	pool := x509.NewCertPool()
	pool.AddCert(root)
	return &identity.Certificate{Signer: leafKey, Chain: []*x509.Certificate{leaf}}, pool
}

// TestSignedResponsesSignerChecks: a certificate that chains to a trusted
// root and carries Digdir's number is still refused if it is not Norwegian
// or does not allow digital signatures.
func TestSignedResponsesSignerChecks(t *testing.T) {
	serial := func(c string) pkix.Name {
		n := pkix.Name{Organization: []string{"Some AB"}, CommonName: "some.example", SerialNumber: krr.DigdirOrganizationNumber}
		if c != "" {
			n.Country = []string{c}
		}
		return n
	}
	orgID := func(c, id string) pkix.Name {
		n := pkix.Name{Organization: []string{"Digitaliseringsdirektoratet"}, CommonName: "Digdir",
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 97}, Value: id}}}
		if c != "" {
			n.Country = []string{c}
		}
		return n
	}
	sig := x509.KeyUsageDigitalSignature
	cases := []struct {
		name    string
		subject pkix.Name
		ku      x509.KeyUsage
		reason  string // "" means accepted
	}{
		{"Swedish serialNumber", serial("SE"), sig, "not a Norwegian"},
		{"no country, bare serialNumber", serial(""), sig, "not a Norwegian"},
		{"Norwegian serialNumber", serial("NO"), sig, ""},
		{"NTRNO without country", orgID("", "NTRNO-"+krr.DigdirOrganizationNumber), sig, ""},
		{"NTRNO with foreign country", orgID("SE", "NTRNO-"+krr.DigdirOrganizationNumber), sig, "not a Norwegian"},
		{"no digitalSignature", serial("NO"), x509.KeyUsageKeyEncipherment, "digitalSignature"},
		{"no key usage at all", serial("NO"), 0, "digitalSignature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			signer, roots := customSigner(t, tc.subject, tc.ku)
			f := newFake(t)
			f.raw = sampleWithCert()
			f.signer = signer
			_, err := f.client(t, krr.WithSignedResponses(roots), krr.WithMaxRetries(0)).Lookup(context.Background(), sampleID)
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, krr.ErrInvalidSignature) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err = %v, want a SignatureError with %q", err, tc.reason)
			}
		})
	}
}

// TestSignedResponsesNilRoots: nil roots would trust the system's web roots.
func TestSignedResponsesNilRoots(t *testing.T) {
	_, err := krr.New("https://krr.example/", oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"}), krr.WithSignedResponses(nil))
	if err == nil || !strings.Contains(err.Error(), "roots") || !strings.Contains(err.Error(), "Buypass") {
		t.Fatalf("err = %v, want an error asking for the roots", err)
	}
}
