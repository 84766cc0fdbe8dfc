package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

var (
	pkiOnce sync.Once
	testCA  *testpki.CA
	rsaCert *identity.Certificate
	ecCert  *identity.Certificate
	tsaCert *identity.Certificate
	pkiErr  error
)

func pki(tb testing.TB) (*testpki.CA, *identity.Certificate, *identity.Certificate) {
	tb.Helper()
	pkiOnce.Do(func() {
		testCA, pkiErr = testpki.New("CMS Test")
		if pkiErr != nil {
			return
		}
		rsaCert, pkiErr = testCA.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Testkommune"})
		if pkiErr != nil {
			return
		}
		var k *ecdsa.PrivateKey
		k, pkiErr = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if pkiErr != nil {
			return
		}
		ecCert, pkiErr = testCA.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "EC Kommune", Key: k})
		if pkiErr != nil {
			return
		}
		tsaCert, pkiErr = testCA.IssueTSA("CMS Test TSA", k)
	})
	if pkiErr != nil {
		tb.Fatal(pkiErr)
	}
	return testCA, rsaCert, ecCert
}

func TestSignDetachedRoundTrip(t *testing.T) {
	ca, rc, ec := pki(t)
	content := []byte("Vedtak om byggesak\n")
	sum := sha256.Sum256(content)
	for name, c := range map[string]*identity.Certificate{"rsa": rc, "ecdsa": ec} {
		t.Run(name, func(t *testing.T) {
			der, err := SignDetached(sum[:], c.Signer, c.Chain, SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sd, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if sd.Signer == nil || !sd.Signer.Equal(c.Chain[0]) {
				t.Fatal("signer not found")
			}
			if !sd.ContentType.Equal(OIDData) || sd.Content != nil {
				t.Errorf("content type %v, content %x", sd.ContentType, sd.Content)
			}
			if sd.HasSigningTime {
				t.Error("signing-time present without SigningTime")
			}
			if !sd.HasSigningCertificateV2 || !sd.SigningCertificateV2Matches {
				t.Errorf("ESS signing-certificate-v2: has %v matches %v", sd.HasSigningCertificateV2, sd.SigningCertificateV2Matches)
			}
			if sd.Hash != crypto.SHA256 || len(sd.Certificates) != 2 {
				t.Errorf("hash %v, %d certificates", sd.Hash, len(sd.Certificates))
			}
			if err := sd.VerifySignature(sum[:]); err != nil {
				t.Fatal(err)
			}
			other := sha256.Sum256([]byte("something else"))
			if err := sd.VerifySignature(other[:]); !errors.Is(err, ErrDigestMismatch) {
				t.Errorf("wrong digest: %v", err)
			}
			if _, err := sd.VerifyChain(ca.Roots(), nil, time.Now()); err != nil {
				t.Error(err)
			}
			if _, err := sd.VerifyChain(x509.NewCertPool(), nil, time.Now()); err == nil {
				t.Error("chain verified against an empty pool")
			}
			if _, err := sd.VerifyChain(ca.Roots(), nil, time.Now().AddDate(30, 0, 0)); err == nil {
				t.Error("chain verified after expiry")
			}
		})
	}
}

func TestSigningTime(t *testing.T) {
	_, rc, _ := pki(t)
	sum := sha256.Sum256([]byte("x"))
	st := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	der, err := SignDetached(sum[:], rc.Signer, rc.Chain, SignOptions{SigningTime: st})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if !sd.HasSigningTime || !sd.SigningTime.Equal(st) {
		t.Errorf("signing time %v %v", sd.HasSigningTime, sd.SigningTime)
	}
	if err := sd.VerifySignature(sum[:]); err != nil {
		t.Fatal(err)
	}
}

func TestSignEncapsulated(t *testing.T) {
	_, rc, _ := pki(t)
	content := []byte{0x30, 0x03, 0x02, 0x01, 0x01}
	der, err := SignEncapsulated(OIDTSTInfo, content, rc.Signer, rc.Chain, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if !sd.ContentType.Equal(OIDTSTInfo) || !bytes.Equal(sd.Content, content) {
		t.Fatalf("content %v %x", sd.ContentType, sd.Content)
	}
	if err := sd.VerifyContent(); err != nil {
		t.Fatal(err)
	}
}

func TestSignErrors(t *testing.T) {
	_, rc, ec := pki(t)
	sum := sha256.Sum256([]byte("x"))
	if _, err := SignDetached(sum[:], rc.Signer, ec.Chain, SignOptions{}); err == nil {
		t.Error("signed with a key that does not match the certificate")
	}
	if _, err := SignDetached(sum[:5], rc.Signer, rc.Chain, SignOptions{}); err == nil {
		t.Error("signed a short digest")
	}
	if _, err := SignDetached(sum[:], rc.Signer, nil, SignOptions{}); err == nil {
		t.Error("signed without a chain")
	}
	if _, err := SignDetached(sum[:], rc.Signer, rc.Chain, SignOptions{Hash: crypto.MD5}); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("MD5: %v", err)
	}
}

// TestTamper flips every byte of a signature in turn: each copy must fail
// to parse or to verify.
func TestTamper(t *testing.T) {
	_, rc, _ := pki(t)
	sum := sha256.Sum256([]byte("tamper"))
	der, err := SignDetached(sum[:], rc.Signer, rc.Chain, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	// Byte offsets of the parts that matter.
	attrsAt := bytes.Index(der, sd.signedAttrs)
	sigAt := bytes.Index(der, sd.Signature)
	cases := map[string]int{
		"signed attribute": attrsAt + len(sd.signedAttrs) - 40, // inside the ESS attribute
		"message digest":   bytes.Index(der, sum[:]) + 3,
		"signature":        sigAt + 17,
	}
	for name, at := range cases {
		t.Run(name, func(t *testing.T) {
			bad := bytes.Clone(der)
			bad[at] ^= 0x01
			sd, err := Parse(bad)
			if err != nil {
				return
			}
			if err := sd.VerifySignature(sum[:]); err == nil {
				t.Errorf("tampered %s verified", name)
			}
		})
	}
	for i := range der {
		bad := bytes.Clone(der)
		bad[i] ^= 0x80
		sd, err := Parse(bad)
		if err != nil {
			continue
		}
		if sd.VerifySignature(sum[:]) == nil && sd.Signer != nil {
			// Some bytes are not covered by the signature (the unsigned
			// certificates outside the signer's): those must at least
			// not change which certificate signs.
			if !bytes.Equal(sd.Signer.Raw, rc.Chain[0].Raw) && sd.SigningCertificateV2Matches {
				t.Errorf("byte %d: a different signer verified with a matching ESS attribute", i)
			}
		}
	}
}

func TestTrailingPadding(t *testing.T) {
	_, rc, _ := pki(t)
	sum := sha256.Sum256([]byte("pad"))
	der, err := SignDetached(sum[:], rc.Signer, rc.Chain, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	padded := append(bytes.Clone(der), make([]byte, 4096)...)
	sd, err := Parse(padded)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sd.Raw, der) {
		t.Error("Raw not trimmed")
	}
	junk := append(bytes.Clone(der), 0, 0, 1)
	var pe *ParseError
	if _, err := Parse(junk); !errors.As(err, &pe) {
		t.Errorf("trailing junk: %v", err)
	}
}

func TestAddSignatureTimestamp(t *testing.T) {
	_, rc, ec := pki(t)
	sum := sha256.Sum256([]byte("ts"))
	der, err := SignDetached(sum[:], rc.Signer, rc.Chain, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Any SignedData stands in for a timestamp token here.
	tok, err := SignEncapsulated(OIDTSTInfo, []byte{0x30, 0}, ec.Signer, ec.Chain, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := AddSignatureTimestamp(der, tok)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sd.SignatureTimestamp, tok) {
		t.Fatal("timestamp token not found")
	}
	if err := sd.VerifySignature(sum[:]); err != nil {
		t.Fatal(err)
	}
	// A second token is added too; the first stays reported.
	out2, err := AddSignatureTimestamp(out, tok)
	if err != nil {
		t.Fatal(err)
	}
	if sd2, err := Parse(out2); err != nil || len(sd2.raw.unsigned) != 2 {
		t.Fatalf("second timestamp: %v", err)
	}
	if _, err := AddSignatureTimestamp(der, []byte{1, 2, 3}); err == nil {
		t.Error("accepted a non-DER token")
	}
}

func TestParseLimits(t *testing.T) {
	for _, in := range [][]byte{nil, {0x30}, {0x30, 0x80, 0, 0}, {0x30, 0x84, 0xff, 0xff, 0xff, 0xff}, bytes.Repeat([]byte{0}, 100)} {
		var pe *ParseError
		if _, err := Parse(in); !errors.As(err, &pe) {
			t.Errorf("Parse(%x) = %v", in, err)
		}
	}
	// Over MaxSize.
	n := MaxSize + 1
	big := []byte{0x30, 0x83, byte(n >> 16), byte(n >> 8), byte(n)}
	big = append(big, make([]byte, n)...)
	if _, err := Parse(big); err == nil {
		t.Error("accepted an over-size input")
	}
}

func FuzzParse(f *testing.F) {
	_, rc, ec := pki(f)
	sum := sha256.Sum256([]byte("fuzz"))
	for _, c := range []*identity.Certificate{rc, ec} {
		der, err := SignDetached(sum[:], c.Signer, c.Chain, SignOptions{SigningTime: time.Now()})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
		tok, _ := SignEncapsulated(OIDTSTInfo, []byte{0x30, 0}, c.Signer, c.Chain[:1], SignOptions{})
		f.Add(tok)
		ts, _ := AddSignatureTimestamp(der, tok)
		f.Add(ts)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		sd, err := Parse(in)
		if err != nil {
			return
		}
		_ = sd.VerifySignature(sum[:])
		_ = sd.VerifyContent()
		if _, err := AddSignatureTimestamp(in, sd.Raw); err != nil {
			t.Fatalf("re-encoding a parsed SignedData: %v", err)
		}
	})
}

// withCertificates re-encodes sd with certs as its certificates.
func withCertificates(t *testing.T, sd *SignedData, certs ...[]byte) []byte {
	t.Helper()
	r := sd.raw
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(OIDSignedData)
		b.AddASN1(tagCtx0Constructed, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(r.version)
				b.AddBytes(r.digestAlgs)
				b.AddBytes(r.encap)
				b.AddASN1(tagCtx0Constructed, func(b *cryptobyte.Builder) {
					for _, c := range certs {
						b.AddBytes(c)
					}
				})
				b.AddBytes(r.crls)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(r.siVersion)
						b.AddBytes(r.sid)
						b.AddBytes(r.siDigestAlg)
						b.AddBytes(r.signedAttrs)
						b.AddBytes(r.sigAlg)
						b.AddBytes(r.signature)
					})
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// A certificate added in front of the signer's with the same issuer and
// serial number (the certificate set is not signed) must not displace the
// signer: the signer is the certificate whose key verifies.
func TestSignerSelectedByKey(t *testing.T) {
	_, rc, _ := pki(t)
	sum := sha256.Sum256([]byte("Vedtak"))
	der, err := SignDetached(sum[:], rc.Signer, rc.Chain, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	real := sd.Signer
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	parent := &x509.Certificate{SerialNumber: big.NewInt(9), RawSubject: real.RawIssuer}
	tmpl := &x509.Certificate{SerialNumber: real.SerialNumber, Subject: pkix.Name{CommonName: "impostor"},
		NotBefore: real.NotBefore, NotAfter: real.NotAfter}
	fake, err := x509.CreateCertificate(rand.Reader, tmpl, parent, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	var certs [][]byte
	certs = append(certs, fake)
	for _, c := range sd.Certificates {
		certs = append(certs, c.Raw)
	}
	sd2, err := Parse(withCertificates(t, sd, certs...))
	if err != nil {
		t.Fatal(err)
	}
	if err := sd2.VerifySignature(sum[:]); err != nil {
		t.Fatalf("VerifySignature: %v", err)
	}
	if !sd2.Signer.Equal(real) {
		t.Fatalf("signer is %v, want %v", sd2.Signer.Subject, real.Subject)
	}
	if sd2.HasSigningCertificateV2 && !sd2.SigningCertificateV2Matches {
		t.Fatal("ESS signing-certificate-v2 does not match the signer")
	}
}
