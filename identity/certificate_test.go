package identity_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

// hsmSigner stands for a key outside the process: it hides the key type.
type hsmSigner struct{ key crypto.Signer }

func (s hsmSigner) Public() crypto.PublicKey { return s.key.Public() }
func (s hsmSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.key.Sign(r, digest, opts)
}

func TestNewCertificate(t *testing.T) {
	c := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: ecKey(t)})
	chain := append([]*x509.Certificate(nil), c.Chain...)
	got, err := identity.NewCertificate(hsmSigner{c.Signer}, chain)
	if err != nil {
		t.Fatal(err)
	}
	if d := chainDiff(got.Chain, c.Chain); d != "" {
		t.Error(d)
	}
	if !got.Leaf().Equal(c.Chain[0]) {
		t.Error("Leaf is not Chain[0]")
	}
	chain[0] = nil // the caller's slice is not shared
	if got.Leaf() == nil {
		t.Error("NewCertificate kept the caller's slice")
	}
	// The signer works through the Certificate and verifies against the leaf.
	digest := sha256.Sum256([]byte("melding"))
	sig, err := got.Signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(got.Leaf().PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
		t.Error("signature does not verify with the leaf's key")
	}
	if n, err := got.OrganizationNumber(); err != nil || n != orgBrreg {
		t.Errorf("OrganizationNumber() = %q, %v", n, err)
	}
}

func TestNewCertificateErrors(t *testing.T) {
	a := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: ecKey(t)})
	b := issue(t, testpki.Request{OrganizationNumber: orgTiger, Key: ecKey(t)})

	_, err := identity.NewCertificate(a.Signer, b.Chain)
	checkErr(t, err, identity.ErrKeyMismatch, "Test Kommune")

	// The key of an issuer further up the chain does not make a match.
	_, err = identity.NewCertificate(a.Signer, []*x509.Certificate{b.Chain[0], a.Chain[0]})
	checkErr(t, err, identity.ErrKeyMismatch)

	_, err = identity.NewCertificate(a.Signer, nil)
	checkErr(t, err, identity.ErrNoCertificate, "empty")

	_, err = identity.NewCertificate(a.Signer, []*x509.Certificate{a.Chain[0], nil})
	checkErr(t, err, identity.ErrNoCertificate, "nil")

	_, err = identity.NewCertificate(nil, a.Chain)
	checkErr(t, err, identity.ErrNoPrivateKey, "nil")
}

func TestCheckValidity(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name        string
		nb, na      time.Time
		at          time.Time
		wantErr     bool
		wantExpired bool
		mention     string
	}{
		{name: "valid now", nb: now.Add(-time.Hour), na: now.Add(time.Hour)},
		{name: "expired", nb: now.AddDate(-3, 0, 0), na: now.AddDate(0, 0, -1), wantErr: true, wantExpired: true, mention: "expired at"},
		{name: "not yet valid", nb: now.AddDate(0, 0, 1), na: now.AddDate(3, 0, 0), wantErr: true, mention: "not valid until"},
		{name: "valid at a given time", nb: now.AddDate(-3, 0, 0), na: now.AddDate(-2, 0, 0), at: now.AddDate(-2, -6, 0)},
		{name: "expired at a given time", nb: now.Add(-time.Hour), na: now.Add(time.Hour), at: now.Add(2 * time.Hour), wantErr: true, wantExpired: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := issue(t, testpki.Request{OrganizationNumber: orgBrreg, NotBefore: tt.nb, NotAfter: tt.na, Key: ecKey(t)})
			err := c.CheckValidity(tt.at)
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ve *identity.ValidityError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v, want *ValidityError", err)
			}
			if ve.Expired() != tt.wantExpired {
				t.Errorf("Expired() = %v, want %v", ve.Expired(), tt.wantExpired)
			}
			if !ve.NotBefore.Equal(c.Leaf().NotBefore) || !ve.NotAfter.Equal(c.Leaf().NotAfter) {
				t.Errorf("validity period %v–%v, want %v–%v", ve.NotBefore, ve.NotAfter, c.Leaf().NotBefore, c.Leaf().NotAfter)
			}
			if tt.at.IsZero() && time.Since(ve.At) > time.Minute {
				t.Errorf("At = %v, want about now", ve.At)
			}
			checkErr(t, err, nil, "Test Kommune", tt.mention)
		})
	}
}

func TestCheckValidityBoundaries(t *testing.T) {
	nb := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	na := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	c := issue(t, testpki.Request{OrganizationNumber: orgBrreg, NotBefore: nb, NotAfter: na, Key: ecKey(t)})
	for _, at := range []time.Time{nb, na} {
		if err := c.CheckValidity(at); err != nil {
			t.Errorf("at %v: %v", at, err)
		}
	}
	for _, at := range []time.Time{nb.Add(-time.Second), na.Add(time.Second)} {
		if err := c.CheckValidity(at); err == nil {
			t.Errorf("at %v: no error", at)
		}
	}
	if err := (&identity.Certificate{}).CheckValidity(nb); !errors.Is(err, identity.ErrNoCertificate) {
		t.Errorf("empty chain: %v", err)
	}
}

func TestSentinelsArePrefixed(t *testing.T) {
	for _, err := range []error{
		identity.ErrWrongPassword, identity.ErrNoPrivateKey, identity.ErrNoCertificate,
		identity.ErrKeyMismatch, identity.ErrNoOrganizationNumber, identity.ErrEncryptedKey,
	} {
		if !strings.HasPrefix(err.Error(), "identity: ") {
			t.Errorf("%q lacks the prefix", err)
		}
	}
}

// nilKeySigner is a broken signer whose Public returns a typed nil.
type nilKeySigner struct{ hsmSigner }

func (nilKeySigner) Public() crypto.PublicKey { return (*ecdsa.PublicKey)(nil) }

func TestNewCertificateBrokenSigner(t *testing.T) {
	a := issue(t, testpki.Request{OrganizationNumber: orgBrreg, Key: ecKey(t)})
	_, err := identity.NewCertificate(nilKeySigner{hsmSigner{a.Signer}}, a.Chain)
	checkErr(t, err, identity.ErrKeyMismatch)
}
