package maskinporten_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/testpki"
)

// fake is a Maskinporten written for these tests from the spec (§1.7 of
// identity-and-registers.md). It verifies every grant with go-jose, an
// implementation independent of felles's signer, and records what it saw.
type fake struct {
	issuer   string // served as "issuer" in the metadata
	clientID string
	alg      jose.SignatureAlgorithm // the only alg accepted
	// Exactly one of chain (x5c) and kid is expected.
	chain     []*x509.Certificate
	kid       string
	key       *rsa.PublicKey // for kid
	expiresIn int            // 0 omits expires_in
	skew      time.Duration  // added to the server clock

	// hook, when set, may answer token request n (from 1) after the grant
	// was verified and recorded; it returns true if it wrote a response.
	hook func(n int, w http.ResponseWriter, r *http.Request) bool
	// metadata, when set, replaces the discovery document.
	metadata func(base string) any

	tokenReqs     atomic.Int64
	discoveryReqs atomic.Int64

	mu       sync.Mutex
	grants   []seenGrant
	jtis     map[string]bool
	failures []string // verification failures; a passing test expects none
	issued   []string // access tokens issued
}

type seenGrant struct {
	Raw    string
	Form   url.Values
	Header map[string]json.RawMessage
	Claims map[string]json.RawMessage
}

func newFake(issuer string) *fake {
	return &fake{
		issuer:    issuer,
		clientID:  "test-client-id",
		alg:       jose.RS256,
		chain:     testCert().Chain,
		expiresIn: 120,
		jtis:      map[string]bool{},
	}
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/.well-known/oauth-authorization-server", "/sandbox/.well-known/oauth-authorization-server":
		f.discoveryReqs.Add(1)
		base := "https://" + r.Host
		switch {
		case r.URL.Scheme != "": // a client request, in memory
			base = r.URL.Scheme + "://" + r.URL.Host
		case r.TLS == nil:
			base = "http://" + r.Host
		}
		var doc any = map[string]any{
			"issuer":                                f.issuer,
			"token_endpoint":                        base + "/token",
			"jwks_uri":                              base + "/jwk",
			"grant_types_supported":                 []string{"urn:ietf:params:oauth:grant-type:jwt-bearer"},
			"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
			"token_endpoint_auth_signing_alg_values_supported": []string{"RS256", "RS384", "RS512"},
			"authorization_details_types_supported":            []string{"urn:altinn:systemuser", "urn:altinn:consent"},
		}
		if f.metadata != nil {
			doc = f.metadata(base)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	case "/token":
		f.token(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fake) now() time.Time { return time.Now().Add(f.skew) }

func (f *fake) token(w http.ResponseWriter, r *http.Request) {
	n := int(f.tokenReqs.Add(1))
	w.Header().Set("Date", f.now().UTC().Format(http.TimeFormat))
	g, err := f.verify(r)
	f.mu.Lock()
	if g != nil {
		f.grants = append(f.grants, *g)
	}
	if err != nil {
		f.failures = append(f.failures, err.Error())
	}
	f.mu.Unlock()
	if err != nil {
		oauthError(w, 400, "invalid_grant", err.Error(), "")
		return
	}
	if f.hook != nil && f.hook(n, w, r) {
		return
	}
	var scope string
	json.Unmarshal(g.Claims["scope"], &scope)
	tok := fmt.Sprintf("access-%d-%s", n, scope)
	f.mu.Lock()
	f.issued = append(f.issued, tok)
	f.mu.Unlock()
	resp := map[string]any{"access_token": tok, "token_type": "Bearer", "scope": scope}
	if f.expiresIn != 0 {
		resp["expires_in"] = f.expiresIn
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func oauthError(w http.ResponseWriter, status int, code, desc, uri string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc, "error_uri": uri})
}

// verify checks a token request as Maskinporten does.
func (f *fake) verify(r *http.Request) (*seenGrant, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("method %s, want POST", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("Content-Type %q", ct)
	}
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("form: %v", err)
	}
	if len(form) != 2 || len(form["grant_type"]) != 1 || len(form["assertion"]) != 1 {
		return nil, fmt.Errorf("form has fields %v, want exactly grant_type and assertion", form)
	}
	if gt := form.Get("grant_type"); gt != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		return nil, fmt.Errorf("grant_type %q", gt)
	}
	raw := form.Get("assertion")
	g := &seenGrant{Raw: raw, Form: form}

	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{f.alg})
	if err != nil {
		return g, fmt.Errorf("go-jose parse: %v", err)
	}
	hb, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err != nil || json.Unmarshal(hb, &g.Header) != nil {
		return g, fmt.Errorf("header is not base64url JSON")
	}
	_, hasKid := g.Header["kid"]
	x5c, hasX5c := g.Header["x5c"]
	if hasKid == hasX5c {
		return g, fmt.Errorf("want exactly one of kid and x5c, header %s", hb)
	}
	var key *rsa.PublicKey
	if hasX5c {
		if f.chain == nil {
			return g, fmt.Errorf("x5c sent, kid expected")
		}
		var ders []string
		if len(x5c) == 0 || x5c[0] != '[' || json.Unmarshal(x5c, &ders) != nil {
			return g, fmt.Errorf("MP-123 Invalid JWT header x5c: not a JSON array: %s", x5c)
		}
		if len(ders) != len(f.chain) {
			return g, fmt.Errorf("x5c has %d certificates, want %d", len(ders), len(f.chain))
		}
		for i, d := range ders {
			der, err := base64.StdEncoding.DecodeString(d)
			if err != nil || !bytes.Equal(der, f.chain[i].Raw) {
				return g, fmt.Errorf("x5c[%d] is not certificate %d of the chain in standard base64", i, i)
			}
		}
		// go-jose's own reading of x5c, verified against the test CA.
		if _, err := jws.Signatures[0].Protected.Certificates(x509.VerifyOptions{
			Roots: testCA().Roots(), CurrentTime: f.chain[0].NotAfter.Add(-time.Hour),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		}); err != nil {
			return g, fmt.Errorf("go-jose x5c: %v", err)
		}
		key = f.chain[0].PublicKey.(*rsa.PublicKey)
	} else {
		var kid string
		json.Unmarshal(g.Header["kid"], &kid)
		if kid != f.kid || f.key == nil {
			return g, fmt.Errorf("unknown kid %q", kid)
		}
		key = f.key
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return g, fmt.Errorf("MP-124 Invalid JWT signature: %v", err)
	}
	if err := json.Unmarshal(payload, &g.Claims); err != nil {
		return g, fmt.Errorf("claims: %v", err)
	}
	var c struct {
		Aud, Iss, Scope, Jti string
		Iat, Exp             int64
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return g, fmt.Errorf("claims: %v", err)
	}
	now := f.now().Unix()
	switch {
	case c.Aud != f.issuer:
		return g, fmt.Errorf("MP-110 Invalid JWT claim aud %q", c.Aud)
	case c.Iss != f.clientID:
		return g, fmt.Errorf("MP-100 Client not found: %q", c.Iss)
	case c.Scope == "":
		return g, fmt.Errorf("no scope")
	case c.Iat > now+10 || c.Iat < now-10:
		return g, fmt.Errorf("iat %d is more than 10 s off %d", c.Iat, now)
	case c.Exp-c.Iat > 120 || c.Exp <= c.Iat:
		return g, fmt.Errorf("exp − iat = %d", c.Exp-c.Iat)
	case c.Exp < now:
		return g, fmt.Errorf("MP-130 JWT is expired")
	case c.Jti == "":
		return g, fmt.Errorf("no jti")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.jtis[c.Jti] {
		return g, fmt.Errorf("MP-012 Grant is used before: jti %s", c.Jti)
	}
	f.jtis[c.Jti] = true
	return g, nil
}

func (f *fake) seen() []seenGrant {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenGrant(nil), f.grants...)
}

func (f *fake) checkNoFailures(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.failures {
		t.Errorf("fake Maskinporten rejected a grant: %s", m)
	}
}

// serve runs f on a real socket and returns its issuer ("<url>/") and a
// client for it.
func serve(t *testing.T, f *fake) (string, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	if f.issuer == "" {
		f.issuer = srv.URL + "/"
	}
	return f.issuer, srv.Client()
}

// memClient sends requests straight to h, without sockets, for tests in a
// synctest bubble.
func memClient(h http.Handler) *http.Client {
	return &http.Client{Transport: handlerRT{h}}
}

type handlerRT struct{ h http.Handler }

// blockUntil is a hook that holds a token request until release is closed
// or the request is cancelled.
func blockUntil(release chan struct{}) func(int, http.ResponseWriter, *http.Request) bool {
	return func(_ int, w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-release:
			return false
		case <-r.Context().Done():
			w.WriteHeader(499)
			return true
		}
	}
}

func (rt handlerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	sr := r.Clone(r.Context()) // as a server sees it: never a nil Body
	sr.Body = r.Body
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	rt.h.ServeHTTP(rec, sr)
	sr.Body.Close()
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

const memIssuer = "https://mp.test/"

// Test PKI, made once: RSA key generation is slow. The certificate is valid
// from 1999 so that it is valid in a synctest bubble (which starts in 2000)
// too.
var (
	testCA = sync.OnceValue(func() *testpki.CA {
		ca, err := testpki.New("Felles Test")
		if err != nil {
			panic(err)
		}
		return ca
	})
	testCert = sync.OnceValue(func() *identity.Certificate {
		c, err := testCA().Issue(testpki.Request{
			OrganizationNumber: "991825827", OrganizationName: "Test Kommune",
			NotBefore: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:  time.Now().AddDate(2, 0, 0),
		})
		if err != nil {
			panic(err)
		}
		return c
	})
)

// logBuffer is a captured debug-level log.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

var bg = context.Background()
