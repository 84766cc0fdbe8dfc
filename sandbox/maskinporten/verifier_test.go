package maskinporten

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/internal/jws"
)

// accessToken gets an access token for the certificate client from f.
func (f *fixture) accessToken(t *testing.T, scope string) string {
	t.Helper()
	c := f.claims()
	c["scope"] = scope
	rec := f.token(certGrant(t, keys().cert, c))
	if rec.Code != http.StatusOK {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	return resp.AccessToken
}

// server returns a Server like f's with another issuer, key or clock.
func otherServer(t *testing.T, issuer string, otherKey bool, now func() time.Time) *fixture {
	k := keys()
	key := k.signing
	if otherKey {
		key = k.otherSigning
	}
	c := &clock{t: now()}
	srv, err := NewServer(Config{Issuer: issuer, Roots: k.ca.Roots(), SigningKey: key, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.RegisterClient(Client{ID: testClientID, OrganizationNumber: orgA, Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, clock: c}
}

func TestVerifierRefuses(t *testing.T) {
	f := newFixture(t)
	v := f.srv.Verifier()
	kid := f.srv.kid
	good := f.accessToken(t, testScope)
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])

	for _, tc := range []struct {
		name   string
		token  func(t *testing.T) string
		scopes []string
		want   error
		detail string
	}{
		{"wrong scope", func(t *testing.T) string { return good }, []string{"krr:global/digitalpost.read"}, ErrInsufficientScope, "digitalpost.read"},
		{"one of two scopes missing", func(t *testing.T) string { return good }, []string{testScope, "krr:global/digitalpost.read"}, ErrInsufficientScope, "digitalpost.read"},
		{"tampered payload", func(t *testing.T) string {
			p := strings.Replace(string(payload), testScope, "krr:global/digitalpost.read", 1)
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(p)) + "." + parts[2]
		}, nil, ErrInvalidToken, "signature"},
		{"tampered signature", func(t *testing.T) string {
			sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
			sig[10] ^= 1
			return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
		}, nil, ErrInvalidToken, "signature"},
		{"token from another sandbox instance", func(t *testing.T) string {
			return otherServer(t, testIssuer, true, f.clock.Now).accessToken(t, testScope)
		}, nil, ErrInvalidToken, "unknown key"},
		{"another instance's key under this kid", func(t *testing.T) string {
			return sign2(t, keys().otherSigning, map[string]any{"kid": kid}, payload)
		}, nil, ErrInvalidToken, "signature"},
		{"another issuer with the same key", func(t *testing.T) string {
			return otherServer(t, "http://elsewhere.test/maskinporten/", false, f.clock.Now).accessToken(t, testScope)
		}, nil, ErrInvalidToken, "issuer"},
		{"issued in the future", func(t *testing.T) string {
			return otherServer(t, testIssuer, false, func() time.Time { return f.clock.Now().Add(time.Minute) }).accessToken(t, testScope)
		}, nil, ErrInvalidToken, "future"},
		{"alg none", func(t *testing.T) string {
			return rawJWS(map[string]any{"alg": "none", "kid": kid}, json.RawMessage(payload), nil)
		}, nil, ErrInvalidToken, `"none"`},
		{"RS512 (not what the sandbox signs with)", func(t *testing.T) string {
			s, err := jws.Sign(keys().signing, jws.RS512, map[string]any{"kid": kid}, payload)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, nil, ErrInvalidToken, "RS512"},
		{"HS256 keyed with the public key", func(t *testing.T) string {
			der, _ := x509.MarshalPKIXPublicKey(&keys().signing.PublicKey)
			var claims map[string]any
			json.Unmarshal(payload, &claims)
			return hmacGrant(der, map[string]any{"alg": "HS256", "kid": kid}, claims)
		}, nil, ErrInvalidToken, "HS256"},
		{"not a JWT", func(t *testing.T) string { return "opaque-token" }, nil, ErrInvalidToken, "compact"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, err := v.Verify(context.Background(), tc.token(t), tc.scopes...)
			if !errors.Is(err, tc.want) || at != nil {
				t.Fatalf("Verify = %v, %v; want %v", at, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("error %q does not mention %q", err, tc.detail)
			}
		})
	}

	t.Run("expired", func(t *testing.T) {
		f := newFixture(t)
		tok := f.accessToken(t, testScope)
		f.clock.Add(DefaultTokenLifetime + verifierLeeway)
		if _, err := f.srv.Verifier().Verify(context.Background(), tok); err != nil {
			t.Fatalf("within the leeway: %v", err)
		}
		f.clock.Add(time.Second)
		if _, err := f.srv.Verifier().Verify(context.Background(), tok); !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("after exp + leeway: %v", err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := v.Verify(ctx, good); !errors.Is(err, context.Canceled) {
			t.Fatalf("Verify = %v", err)
		}
	})
}

func TestMiddleware(t *testing.T) {
	f := newFixture(t)
	tok := f.accessToken(t, testScope)
	var seen *AccessToken
	h := f.srv.Verifier().Middleware(testScope)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = FromContext(r.Context())
	}))
	other := f.srv.Verifier().Middleware("krr:global/digitalpost.read")(h)

	for _, tc := range []struct {
		name      string
		handler   http.Handler
		auth      string
		status    int
		challenge string // a part of WWW-Authenticate
		noError   bool   // the challenge must not carry error=
	}{
		{"valid", h, "Bearer " + tok, http.StatusOK, "", false},
		{"lower-case scheme", h, "bearer " + tok, http.StatusOK, "", false},
		{"no Authorization", h, "", http.StatusUnauthorized, `Bearer realm="felles-sandbox"`, true},
		{"Basic", h, "Basic dXNlcjpwYXNz", http.StatusUnauthorized, `Bearer realm="felles-sandbox"`, true},
		{"invalid token", h, "Bearer " + tok[:len(tok)-4] + "AAAA", http.StatusUnauthorized, `error="invalid_token"`, false},
		{"missing scope", other, "Bearer " + tok, http.StatusForbidden, `error="insufficient_scope"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen = nil
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			tc.handler.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			chal := rec.Header().Get("WWW-Authenticate")
			if !strings.Contains(chal, tc.challenge) || (tc.noError && strings.Contains(chal, "error=")) {
				t.Errorf("WWW-Authenticate %q, want %q (error: %t)", chal, tc.challenge, !tc.noError)
			}
			if tc.status == http.StatusOK {
				if seen == nil || seen.ClientID != testClientID || !seen.HasScope(testScope) {
					t.Errorf("FromContext gave %+v", seen)
				}
			} else if seen != nil {
				t.Error("the handler ran")
			}
		})
	}
}
