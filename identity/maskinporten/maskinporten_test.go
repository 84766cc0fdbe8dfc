package maskinporten_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/internal/httpx"
	"github.com/fellesgo/felles/internal/testpki"
)

const scope = "krr:global/kontaktinformasjon.read"

func newClient(t testing.TB, issuer string, hc *http.Client, opts ...maskinporten.Option) *maskinporten.Client {
	t.Helper()
	opts = append([]maskinporten.Option{maskinporten.WithIssuer(issuer), maskinporten.WithHTTPClient(hc)}, opts...)
	c, err := maskinporten.NewFromCertificate("test-client-id", testCert(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// getToken calls c.Token and fails the test on an error.
func getToken(t testing.TB, c *maskinporten.Client, r maskinporten.Request) *oauth2.Token {
	t.Helper()
	tok, err := c.Token(bg, r)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// srcToken calls ts.Token and fails the test on an error.
func srcToken(t testing.TB, ts oauth2.TokenSource) *oauth2.Token {
	t.Helper()
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// issue issues a test certificate and fails the test on an error.
func issue(t testing.TB, r testpki.Request) *identity.Certificate {
	t.Helper()
	c, err := testCA().Issue(r)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return v
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestTokenX5CGrant(t *testing.T) {
	f := newFake("")
	f.expiresIn = 599
	issuer, hc := serve(t, f)
	c := newClient(t, issuer, hc)

	before := time.Now()
	tok := getToken(t, c, maskinporten.Request{Scopes: []string{scope}})
	f.checkNoFailures(t)

	if tok.AccessToken != "access-1-"+scope || tok.TokenType != "Bearer" || tok.ExpiresIn != 599 {
		t.Errorf("token = %q %q %d", tok.AccessToken, tok.TokenType, tok.ExpiresIn)
	}
	if lo, hi := before.Add(598*time.Second), time.Now().Add(599*time.Second); tok.Expiry.Before(lo) || tok.Expiry.After(hi) {
		t.Errorf("Expiry %v, want about now + 599 s", tok.Expiry)
	}
	if got := tok.Extra("scope"); got != scope {
		t.Errorf(`Extra("scope") = %v`, got)
	}

	g := f.seen()
	if len(g) != 1 {
		t.Fatalf("%d token requests, want 1", len(g))
	}
	// Header: alg and x5c, a JSON array of standard base64 DER, leaf first.
	if diff := cmp.Diff([]string{"alg", "x5c"}, slices.Sorted(mapsKeys(g[0].Header))); diff != "" {
		t.Errorf("header fields (-want +got):\n%s", diff)
	}
	if alg := decode[string](t, g[0].Header["alg"]); alg != "RS256" {
		t.Errorf("alg = %q", alg)
	}
	var wantX5C []string
	for _, cert := range testCert().Chain {
		wantX5C = append(wantX5C, base64.StdEncoding.EncodeToString(cert.Raw))
	}
	if diff := cmp.Diff(wantX5C, decode[[]string](t, g[0].Header["x5c"])); diff != "" {
		t.Errorf("x5c (-want +got):\n%s", diff)
	}

	// Claims: exactly aud, iss, scope, iat, exp and jti.
	if diff := cmp.Diff([]string{"aud", "exp", "iat", "iss", "jti", "scope"}, slices.Sorted(mapsKeys(g[0].Claims))); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	type claims struct {
		Aud, Iss, Scope, Jti string
		Iat, Exp             int64
	}
	cl := decode[claims](t, mustJSON(t, g[0].Claims))
	if cl.Aud != issuer || !strings.HasSuffix(cl.Aud, "/") {
		t.Errorf("aud = %q, want the issuer %q verbatim", cl.Aud, issuer)
	}
	if cl.Iss != "test-client-id" || cl.Scope != scope {
		t.Errorf("iss = %q, scope = %q", cl.Iss, cl.Scope)
	}
	if cl.Iat < before.Unix()-1 || cl.Iat > time.Now().Unix() {
		t.Errorf("iat = %d, want now (%d)", cl.Iat, before.Unix())
	}
	if d := cl.Exp - cl.Iat; d <= 0 || d > 120 {
		t.Errorf("exp − iat = %d, want (0, 120]", d)
	}
	if !uuidV4.MatchString(cl.Jti) {
		t.Errorf("jti = %q, want a UUID v4", cl.Jti)
	}
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTokenKidGrant(t *testing.T) {
	f := newFake("")
	f.chain, f.kid, f.key = nil, "my-key-1", testCert().Chain[0].PublicKey.(*rsa.PublicKey)
	issuer, hc := serve(t, f)
	c, err := maskinporten.New("test-client-id", testCert().Signer,
		maskinporten.WithIssuer(issuer), maskinporten.WithHTTPClient(hc), maskinporten.WithKeyID("my-key-1"))
	if err != nil {
		t.Fatal(err)
	}
	getToken(t, c, maskinporten.Request{Scopes: []string{scope}})
	f.checkNoFailures(t)
	g := f.seen()
	if len(g) != 1 {
		t.Fatalf("%d token requests", len(g))
	}
	if diff := cmp.Diff(map[string]json.RawMessage{"alg": json.RawMessage(`"RS256"`), "kid": json.RawMessage(`"my-key-1"`)}, g[0].Header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
}

func TestTokenAlgorithms(t *testing.T) {
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512} {
		t.Run(string(alg), func(t *testing.T) {
			f := newFake("")
			f.alg = alg // the fake accepts only this algorithm
			issuer, hc := serve(t, f)
			c := newClient(t, issuer, hc, maskinporten.WithAlgorithm(string(alg)))
			getToken(t, c, maskinporten.Request{Scopes: []string{scope}})
			f.checkNoFailures(t)
			if got := decode[string](t, f.seen()[0].Header["alg"]); got != string(alg) {
				t.Errorf("alg = %q", got)
			}
		})
	}
	for _, bad := range []string{"", "none", "HS256", "PS256", "ES256", "rs256"} {
		if _, err := maskinporten.New("id", testCert().Signer, maskinporten.WithIssuer(maskinporten.TestIssuer),
			maskinporten.WithKeyID("k"), maskinporten.WithAlgorithm(bad)); err == nil {
			t.Errorf("WithAlgorithm(%q) accepted", bad)
		}
	}
}

func TestTokenOptionalClaims(t *testing.T) {
	f := newFake("")
	issuer, hc := serve(t, f)
	c := newClient(t, issuer, hc)
	details := `[ {"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:910753614"}} ]`
	getToken(t, c, maskinporten.Request{
		Scopes:               []string{"b:two", "a:one", "b:two"},
		Resource:             []string{"https://api.example.no/"},
		ConsumerOrg:          "910753614",
		AuthorizationDetails: json.RawMessage(details),
	})
	f.checkNoFailures(t)
	cl := f.seen()[0].Claims
	if got := decode[string](t, cl["scope"]); got != "a:one b:two" {
		t.Errorf("scope = %q, want sorted and de-duplicated", got)
	}
	if got := string(cl["resource"]); got != `["https://api.example.no/"]` {
		t.Errorf("resource = %s, want a JSON array", got)
	}
	if got := string(cl["consumer_org"]); got != `"910753614"` {
		t.Errorf("consumer_org = %s", got)
	}
	var want, got any
	json.Unmarshal([]byte(details), &want)
	json.Unmarshal(cl["authorization_details"], &got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("authorization_details (-want +got):\n%s", diff)
	}
}

func TestRequestValidation(t *testing.T) {
	f := newFake("")
	issuer, hc := serve(t, f)
	c := newClient(t, issuer, hc)
	for name, r := range map[string]maskinporten.Request{
		"no scopes":               {},
		"empty scope":             {Scopes: []string{scope, ""}},
		"blank scope":             {Scopes: []string{"  "}},
		"two scopes in one":       {Scopes: []string{"a:one b:two"}},
		"quote in scope":          {Scopes: []string{`a"b`}},
		"non-ASCII scope":         {Scopes: []string{"skatt:sårbar"}},
		"short consumer_org":      {Scopes: []string{scope}, ConsumerOrg: "91075361"},
		"letters in consumer_org": {Scopes: []string{scope}, ConsumerOrg: "91075361x"},
		"bad check digit":         {Scopes: []string{scope}, ConsumerOrg: "910753615"},
		"relative resource":       {Scopes: []string{scope}, Resource: []string{"api.example.no"}},
		"resource with fragment":  {Scopes: []string{scope}, Resource: []string{"https://api.example.no/#x"}},
		"details object":          {Scopes: []string{scope}, AuthorizationDetails: json.RawMessage(`{"type":"x"}`)},
		"details empty array":     {Scopes: []string{scope}, AuthorizationDetails: json.RawMessage(`[]`)},
		"details without type":    {Scopes: []string{scope}, AuthorizationDetails: json.RawMessage(`[{"a":1}]`)},
		"details not JSON":        {Scopes: []string{scope}, AuthorizationDetails: json.RawMessage(`[{`)},
		"details null":            {Scopes: []string{scope}, AuthorizationDetails: json.RawMessage(`null`)},
	} {
		if _, err := c.Token(bg, r); err == nil || !strings.HasPrefix(err.Error(), "maskinporten: ") {
			t.Errorf("%s: err = %v", name, err)
		}
		if _, err := c.TokenSource(r).Token(); err == nil {
			t.Errorf("%s: TokenSource accepted it", name)
		}
	}
	if n := f.tokenReqs.Load() + f.discoveryReqs.Load(); n != 0 {
		t.Errorf("%d requests for invalid input, want none", n)
	}
}

func TestNewValidation(t *testing.T) {
	cert := testCert()
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other := issue(t, testpki.Request{OrganizationNumber: "910753614", OrganizationName: "Other",
		Key: cert.Signer}) // same key, different certificate
	iss := maskinporten.WithIssuer(maskinporten.TestIssuer)
	kid := maskinporten.WithKeyID("k")
	for name, try := range map[string]func() (*maskinporten.Client, error){
		"no issuer":       func() (*maskinporten.Client, error) { return maskinporten.New("id", cert.Signer, kid) },
		"no kid or chain": func() (*maskinporten.Client, error) { return maskinporten.New("id", cert.Signer, iss) },
		"both kid and chain": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, iss, kid, maskinporten.WithCertificateChain(cert.Chain))
		},
		"kid with certificate": func() (*maskinporten.Client, error) { return maskinporten.NewFromCertificate("id", cert, iss, kid) },
		"empty client id":      func() (*maskinporten.Client, error) { return maskinporten.New("", cert.Signer, iss, kid) },
		"spaced client id":     func() (*maskinporten.Client, error) { return maskinporten.New(" id", cert.Signer, iss, kid) },
		"nil signer":           func() (*maskinporten.Client, error) { return maskinporten.New("id", nil, iss, kid) },
		"ECDSA key":            func() (*maskinporten.Client, error) { return maskinporten.New("id", ecKey, iss, kid) },
		"nil certificate":      func() (*maskinporten.Client, error) { return maskinporten.NewFromCertificate("id", nil, iss) },
		"empty chain": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, iss, maskinporten.WithCertificateChain(nil))
		},
		"reversed chain": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, iss, maskinporten.WithCertificateChain([]*x509.Certificate{cert.Chain[1], cert.Chain[0]}))
		},
		"chain of another key": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", ecKey, iss, maskinporten.WithCertificateChain(other.Chain))
		},
		"relative issuer": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, kid, maskinporten.WithIssuer("maskinporten.no"))
		},
		"ftp issuer": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, kid, maskinporten.WithIssuer("ftp://maskinporten.no/"))
		},
		"issuer with query": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, kid, maskinporten.WithIssuer("https://maskinporten.no/?a=b"))
		},
		"empty kid": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, iss, maskinporten.WithKeyID(" "))
		},
		"nil HTTP client": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, iss, kid, maskinporten.WithHTTPClient(nil))
		},
		"nil logger": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, iss, kid, maskinporten.WithLogger(nil))
		},
		"nil clock": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, iss, kid, maskinporten.WithClock(nil))
		},
		"negative retries": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, iss, kid, maskinporten.WithMaxRetries(-1))
		},
	} {
		c, err := try()
		if err == nil || c != nil || !strings.HasPrefix(err.Error(), "maskinporten: ") {
			t.Errorf("%s: (%v, %v), want an error", name, c, err)
		}
	}

	// The key must match the certificate.
	if _, err := maskinporten.New("id", issue(t, testpki.Request{OrganizationNumber: "910753614", OrganizationName: "X"}).Signer,
		iss, maskinporten.WithCertificateChain(cert.Chain)); !errors.Is(err, identity.ErrKeyMismatch) {
		t.Errorf("key mismatch: err = %v, want identity.ErrKeyMismatch", err)
	}

	// These are valid.
	for name, try := range map[string]func() (*maskinporten.Client, error){
		"prod": func() (*maskinporten.Client, error) {
			return maskinporten.NewFromCertificate("id", cert, maskinporten.WithIssuer(maskinporten.ProdIssuer))
		},
		"sandbox over http": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, kid, maskinporten.WithIssuer("http://127.0.0.1:8080/maskinporten"))
		},
		"no retries": func() (*maskinporten.Client, error) {
			return maskinporten.New("id", cert.Signer, iss, kid, maskinporten.WithMaxRetries(0))
		},
	} {
		if _, err := try(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestExpiredCertificate(t *testing.T) {
	cert := testCert()
	expired := issue(t, testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Test Kommune",
		Key: cert.Signer, NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().Add(-time.Hour)})
	_, err := maskinporten.NewFromCertificate("id", expired, maskinporten.WithIssuer(maskinporten.TestIssuer))
	var ve *identity.ValidityError
	if !errors.As(err, &ve) || !ve.Expired() {
		t.Fatalf("err = %v, want an *identity.ValidityError for an expired certificate", err)
	}
	if !strings.Contains(err.Error(), "expired") {
		t.Errorf("err = %q", err)
	}

	// A certificate that expires while the Client lives: no request is sent.
	f := newFake("")
	issuer, hc := serve(t, f)
	now := time.Now()
	clock := func() time.Time { return now }
	c := newClient(t, issuer, hc, maskinporten.WithClock(clock))
	now = cert.Chain[0].NotAfter.Add(time.Second)
	_, err = c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want an *identity.ValidityError", err)
	}
	if n := f.tokenReqs.Load(); n != 0 {
		t.Errorf("%d token requests with an expired certificate", n)
	}
}

func TestDiscovery(t *testing.T) {
	t.Run("cached", func(t *testing.T) {
		f := newFake("")
		issuer, hc := serve(t, f)
		c := newClient(t, issuer, hc)
		for _, s := range []string{"a:one", "b:two", "a:one"} {
			getToken(t, c, maskinporten.Request{Scopes: []string{s}})
		}
		if n := f.discoveryReqs.Load(); n != 1 {
			t.Errorf("%d discovery requests, want 1", n)
		}
	})
	t.Run("issuer with a path and no slash", func(t *testing.T) {
		f := newFake("")
		_, hc := serve(t, f)
		srvURL := strings.TrimSuffix(f.issuer, "/")
		f.issuer = srvURL + "/sandbox" // metadata at /sandbox/.well-known/...
		c := newClient(t, f.issuer, hc)
		getToken(t, c, maskinporten.Request{Scopes: []string{scope}})
		f.checkNoFailures(t)
		if aud := decode[string](t, f.seen()[0].Claims["aud"]); aud != srvURL+"/sandbox" {
			t.Errorf("aud = %q", aud)
		}
	})
	t.Run("issuer mismatch", func(t *testing.T) {
		f := newFake("")
		issuer, hc := serve(t, f)
		c := newClient(t, strings.TrimSuffix(issuer, "/"), hc) // metadata says issuer with "/"
		_, err := c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
		var me *maskinporten.IssuerMismatchError
		if !errors.As(err, &me) || me.Discovered != issuer || me.Configured != strings.TrimSuffix(issuer, "/") {
			t.Fatalf("err = %v, want an *IssuerMismatchError", err)
		}
		if !strings.Contains(err.Error(), "trailing slash") {
			t.Errorf("err = %q, want a hint about the trailing slash", err)
		}
		if n := f.tokenReqs.Load(); n != 0 {
			t.Errorf("%d token requests after an issuer mismatch", n)
		}
	})
	for name, tc := range map[string]struct {
		metadata func(base string) any
		want     string
	}{
		"not JSON":      {func(string) any { return "<html>" }, "not JSON"},
		"no issuer":     {func(base string) any { return map[string]any{"token_endpoint": base + "/token"} }, `no "issuer"`},
		"no endpoint":   {nil, "token_endpoint"},
		"no jwt-bearer": {nil, "JWT-bearer"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake("")
			issuer, hc := serve(t, f)
			f.metadata = tc.metadata
			switch name {
			case "no endpoint":
				f.metadata = func(string) any { return map[string]any{"issuer": issuer} }
			case "no jwt-bearer":
				f.metadata = func(base string) any {
					return map[string]any{"issuer": issuer, "token_endpoint": base + "/token", "grant_types_supported": []string{"authorization_code"}}
				}
			}
			c := newClient(t, issuer, hc)
			_, err := c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
			var de *maskinporten.DiscoveryError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), ".well-known/oauth-authorization-server") {
				t.Fatalf("err = %v, want a *DiscoveryError about %q", err, tc.want)
			}
		})
	}
	t.Run("not found", func(t *testing.T) {
		f := newFake("")
		issuer, hc := serve(t, f)
		c := newClient(t, issuer+"wrong/", hc)
		_, err := c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
		var de *maskinporten.DiscoveryError
		if !errors.As(err, &de) || de.StatusCode != 404 || !strings.Contains(err.Error(), "WithIssuer") {
			t.Fatalf("err = %v, want a *DiscoveryError with status 404", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		c := newClient(t, srv.URL+"/", http.DefaultClient, maskinporten.WithMaxRetries(0))
		_, err := c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
		var de *maskinporten.DiscoveryError
		var he *httpx.Error
		if !errors.As(err, &de) || de.StatusCode != 0 || !errors.As(err, &he) {
			t.Fatalf("err = %v, want a *DiscoveryError wrapping the connection error", err)
		}
	})
	t.Run("https issuer, http token endpoint", func(t *testing.T) {
		f := newFake(memIssuer)
		f.metadata = func(string) any {
			return map[string]any{"issuer": memIssuer, "token_endpoint": "http://mp.test/token"}
		}
		c := newClient(t, memIssuer, memClient(f))
		_, err := c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
		var de *maskinporten.DiscoveryError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "not https") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCacheAndScopes(t *testing.T) {
	f := newFake("")
	f.expiresIn = 3600
	issuer, hc := serve(t, f)
	c := newClient(t, issuer, hc)
	reqs := []maskinporten.Request{
		{Scopes: []string{"a:one"}},
		{Scopes: []string{"b:two"}},
		{Scopes: []string{"a:one", "b:two"}},
		{Scopes: []string{"a:one"}, ConsumerOrg: "910753614"},
		{Scopes: []string{"a:one"}, Resource: []string{"https://api.example.no/"}},
		{Scopes: []string{"a:one"}, AuthorizationDetails: json.RawMessage(`[{"type":"urn:altinn:systemuser"}]`)},
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		tok := getToken(t, c, r)
		if seen[tok.AccessToken] {
			t.Errorf("%+v got the token of another request", r)
		}
		seen[tok.AccessToken] = true
	}
	if n := f.tokenReqs.Load(); n != int64(len(reqs)) {
		t.Fatalf("%d token requests, want %d", n, len(reqs))
	}
	// Cache hits, including the same scopes in another order and through a
	// TokenSource.
	for _, r := range reqs {
		getToken(t, c, r)
		srcToken(t, c.TokenSource(r))
	}
	first := getToken(t, c, maskinporten.Request{Scopes: []string{"b:two", "a:one"}})
	if first.AccessToken != "access-3-a:one b:two" {
		t.Errorf("scopes in another order got %q", first.AccessToken)
	}
	if n := f.tokenReqs.Load(); n != int64(len(reqs)) {
		t.Errorf("%d token requests after cache hits, want %d", n, len(reqs))
	}
	// Every grant had its own jti (the fake also rejects a replay).
	f.checkNoFailures(t)
	jtis := map[string]bool{}
	for _, g := range f.seen() {
		jtis[decode[string](t, g.Claims["jti"])] = true
	}
	if len(jtis) != len(reqs) {
		t.Errorf("%d distinct jti in %d grants", len(jtis), len(reqs))
	}
}

func TestConcurrentCallersShareOneRequest(t *testing.T) {
	f := newFake("")
	release := make(chan struct{})
	f.hook = blockUntil(release)
	issuer, hc := serve(t, f)
	c := newClient(t, issuer, hc)
	ts := c.TokenSource(maskinporten.Request{Scopes: []string{scope}})

	const n = 200
	var wg sync.WaitGroup
	toks := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			var tok *oauth2.Token
			if i%2 == 0 {
				tok, errs[i] = c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
			} else {
				tok, errs[i] = ts.Token()
			}
			if tok != nil {
				toks[i] = tok.AccessToken
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let the callers pile up
	close(release)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || toks[i] != "access-1-"+scope {
			t.Fatalf("caller %d: %q, %v", i, toks[i], errs[i])
		}
	}
	if got := f.tokenReqs.Load(); got != 1 {
		t.Errorf("%d token requests for %d concurrent callers, want 1", got, n)
	}
}

func TestInvalidGrant(t *testing.T) {
	f := newFake("")
	f.hook = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		oauthError(w, 400, "invalid_grant",
			"Invalid assertion. Client authentication failed. Expired key. (trace_id: 356666143081bbec11d293753e9702ca)",
			"https://maskinporten.no/errors/MP-121")
		return true
	}
	issuer, hc := serve(t, f)
	c := newClient(t, issuer, hc)
	_, err := c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
	var me *maskinporten.Error
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a *maskinporten.Error", err)
	}
	if me.StatusCode != 400 || me.Code != "invalid_grant" || me.URI != "https://maskinporten.no/errors/MP-121" ||
		!strings.Contains(me.Description, "Expired key") {
		t.Errorf("error = %+v", me)
	}
	want := "maskinporten: invalid_grant: Invalid assertion. Client authentication failed. Expired key. (trace_id: 356666143081bbec11d293753e9702ca) (HTTP 400)"
	if err.Error() != want {
		t.Errorf("err = %q\nwant   %q", err, want)
	}
	if me.ServerTime.IsZero() || me.ClockOffset > 2*time.Second || me.ClockOffset < -2*time.Second {
		t.Errorf("ServerTime %v, ClockOffset %v: want the Date header and about no offset", me.ServerTime, me.ClockOffset)
	}
	if n := f.tokenReqs.Load(); n != 1 {
		t.Errorf("%d token requests, want 1: a 400 is not retried", n)
	}
}

func TestClockOffsetInError(t *testing.T) {
	f := newFake("")
	issuer, hc := serve(t, f)
	f.hook = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Date", time.Now().Add(30*time.Second).UTC().Format(http.TimeFormat))
		oauthError(w, 400, "invalid_grant", "Invalid assertion. Issue time is after now", "")
		return true
	}
	log, buf := newLogger()
	c := newClient(t, issuer, hc, maskinporten.WithLogger(log))
	_, err := c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
	var me *maskinporten.Error
	if !errors.As(err, &me) {
		t.Fatalf("err = %v", err)
	}
	if me.ClockOffset < 28*time.Second || me.ClockOffset > 31*time.Second {
		t.Errorf("ClockOffset = %v, want about 30 s", me.ClockOffset)
	}
	if !regexp.MustCompile(`; the local clock is (29|30|31)s behind Maskinporten's`).MatchString(err.Error()) {
		t.Errorf("err = %q, want the clock offset", err)
	}
	if !strings.Contains(buf.String(), "clock") {
		t.Errorf("no clock warning logged:\n%s", buf)
	}
}

func TestNonJSONError(t *testing.T) {
	f := newFake("")
	issuer, hc := serve(t, f)
	f.hook = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(403)
		fmt.Fprint(w, "<html><body>Request blocked by WAF</body></html>")
		return true
	}
	c := newClient(t, issuer, hc)
	_, err := c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
	var me *maskinporten.Error
	if !errors.As(err, &me) || me.StatusCode != 403 || me.Code != "" {
		t.Fatalf("err = %v (%+v)", err, me)
	}
	if err.Error() != "maskinporten: token request failed (HTTP 403)" {
		t.Errorf("err = %q", err)
	}

	// A long description is cut short.
	f.hook = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		oauthError(w, 400, "invalid_request", strings.Repeat("x", 5000), "")
		return true
	}
	_, err = c.Token(bg, maskinporten.Request{Scopes: []string{"other:scope"}})
	if !errors.As(err, &me) || len(me.Description) > 1030 || !strings.HasPrefix(me.Description, "xxx") {
		t.Errorf("description of %d bytes", len(me.Description))
	}
}

func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	for _, withKid := range []bool{false, true} { // a kid grant is short enough to fit an error whole
		t.Run(fmt.Sprintf("kid=%v", withKid), func(t *testing.T) {
			f := newFake("")
			issuer, hc := serve(t, f)
			f.hook = func(n int, w http.ResponseWriter, r *http.Request) bool {
				if n == 1 {
					return false // a token, for the log
				}
				// A broken server echoing the grant and the form.
				g := f.seen()[n-1]
				oauthError(w, 400, "invalid_request", "bad grant "+g.Raw+" in assertion="+g.Raw+"&grant_type=x", "")
				return true
			}
			log, buf := newLogger()
			opts := []maskinporten.Option{maskinporten.WithIssuer(issuer), maskinporten.WithHTTPClient(hc), maskinporten.WithLogger(log)}
			if withKid {
				f.chain, f.kid, f.key = nil, "k1", testCert().Chain[0].PublicKey.(*rsa.PublicKey)
				opts = append(opts, maskinporten.WithKeyID("k1"))
			} else {
				opts = append(opts, maskinporten.WithCertificateChain(testCert().Chain))
			}
			c, err := maskinporten.New("test-client-id", testCert().Signer, opts...)
			if err != nil {
				t.Fatal(err)
			}
			tok := getToken(t, c, maskinporten.Request{Scopes: []string{"a:one"}})
			_, err = c.Token(bg, maskinporten.Request{Scopes: []string{"b:two"}})
			var me *maskinporten.Error
			if !errors.As(err, &me) {
				t.Fatalf("err = %v", err)
			}
			secrets := []string{tok.AccessToken, "eyJ"} // "eyJ" starts every JWS
			for _, g := range f.seen() {
				secrets = append(secrets, g.Raw, strings.Split(g.Raw, ".")[2]) // the grant and its signature
			}
			if withKid && len(f.seen()[1].Raw) > 900 {
				t.Fatalf("the kid grant is %d bytes, too long to test errors with", len(f.seen()[1].Raw))
			}
			texts := map[string]string{"error": err.Error(), "description": me.Description, "log": buf.String()}
			for where, text := range texts {
				for _, s := range secrets {
					if strings.Contains(text, s) {
						t.Errorf("the %s holds a secret %.20q…:\n%s", where, s, text)
					}
				}
			}
			if !strings.Contains(buf.String(), "got a token") {
				t.Errorf("nothing logged at debug level; the test checks nothing:\n%s", buf)
			}
		})
	}
}

func TestExpiresInMissing(t *testing.T) {
	f := newFake("")
	f.expiresIn = 0
	issuer, hc := serve(t, f)
	c := newClient(t, issuer, hc)
	for i := range 2 {
		tok := getToken(t, c, maskinporten.Request{Scopes: []string{scope}})
		if !tok.Expiry.IsZero() || tok.AccessToken != fmt.Sprintf("access-%d-%s", i+1, scope) {
			t.Errorf("token %d = %q, expiry %v", i, tok.AccessToken, tok.Expiry)
		}
	}
	if n := f.tokenReqs.Load(); n != 2 {
		t.Errorf("%d token requests, want 2: a token without expires_in is not cached", n)
	}
}

func TestTokenResponses(t *testing.T) {
	year := 365 * 24 * time.Hour
	for _, tc := range []struct {
		body      string
		expiresIn time.Duration // 0: not cached
		err       string
	}{
		{`{"access_token":"a","token_type":"Bearer","expires_in":599}`, 599 * time.Second, ""},
		{`{"access_token":"a","token_type":"bearer","expires_in":"599"}`, 599 * time.Second, ""},
		{`{"access_token":"a","expires_in":120.7}`, 120 * time.Second, ""},
		{`{"access_token":"a","expires_in":1e30}`, year, ""},
		{`{"access_token":"a","expires_in":"NaN"}`, 0, ""},
		{`{"access_token":"a","expires_in":-5}`, 0, ""},
		{`{"access_token":"a","expires_in":null}`, 0, ""},
		{`{"access_token":"a","token_type":"mac","expires_in":60}`, 0, `token_type "mac"`},
		{`{"token_type":"Bearer","expires_in":60}`, 0, "no access_token"},
		{`{"access_token":"a","expires_in":true}`, 0, "not a JSON token"},
		{`<html>OK</html>`, 0, "not a JSON token"},
	} {
		f := newFake("")
		f.hook = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, tc.body)
			return true
		}
		issuer, hc := serve(t, f)
		c := newClient(t, issuer, hc)
		start := time.Now()
		tok, err := c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.body, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.body, err)
			continue
		}
		if tok.AccessToken != "a" || tok.TokenType != "Bearer" {
			t.Errorf("%s: token %+v", tc.body, tok)
		}
		if tc.expiresIn == 0 {
			if !tok.Expiry.IsZero() {
				t.Errorf("%s: Expiry = %v, want none", tc.body, tok.Expiry)
			}
		} else if d := tok.Expiry.Sub(start); d < tc.expiresIn-time.Second || d > tc.expiresIn+time.Second {
			t.Errorf("%s: Expiry in %v, want %v", tc.body, d, tc.expiresIn)
		}
		c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
		if want := map[bool]int64{true: 2, false: 1}[tc.expiresIn == 0]; f.tokenReqs.Load() != want {
			t.Errorf("%s: %d token requests for two calls, want %d", tc.body, f.tokenReqs.Load(), want)
		}
	}
}

func TestRedirectDoesNotCarryTheGrant(t *testing.T) {
	other := newFake("")
	_, _ = serve(t, other)
	f := newFake("")
	issuer, hc := serve(t, f)
	f.hook = func(_ int, w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, strings.TrimSuffix(other.issuer, "/")+"/token", http.StatusTemporaryRedirect)
		return true
	}
	c := newClient(t, issuer, hc)
	_, err := c.Token(bg, maskinporten.Request{Scopes: []string{scope}})
	var me *maskinporten.Error
	if !errors.As(err, &me) || me.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("err = %v, want an *Error with status 307", err)
	}
	if n := other.tokenReqs.Load(); n != 0 {
		t.Errorf("the redirect target got %d token requests", n)
	}
}

func TestRenewAfter(t *testing.T) {
	for _, tc := range []struct{ life, want time.Duration }{
		{3600 * time.Second, 3240 * time.Second}, // 10 %
		{599 * time.Second, 539 * time.Second},   // 60 s
		{120 * time.Second, 60 * time.Second},
		{100 * time.Second, 50 * time.Second}, // half-life
		{10 * time.Second, 5 * time.Second},
	} {
		if got := maskinporten.RenewAfter(tc.life); got != tc.want {
			t.Errorf("RenewAfter(%v) = %v, want %v", tc.life, got, tc.want)
		}
	}
}

func TestCachedTokenDoesNotAllocate(t *testing.T) {
	f := newFake("")
	f.expiresIn = 3600
	issuer, hc := serve(t, f)
	c := newClient(t, issuer, hc)
	ts := c.TokenSource(maskinporten.Request{Scopes: []string{scope}})
	srcToken(t, ts)
	if a := testing.AllocsPerRun(1000, func() { ts.Token() }); a != 0 {
		t.Errorf("a cached Token allocates %v times, want 0", a)
	}
}
