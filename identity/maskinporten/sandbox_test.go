package maskinporten_test

// Tests of the Maskinporten client against the felles sandbox, whose token
// endpoint checks grants with go-jose as strictly as the real Maskinporten.

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/internal/jws"
	"github.com/fellesgo/felles/sandbox"
)

func startSandbox(t *testing.T, opts ...sandbox.Option) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// countingClient counts the requests to the token endpoint.
func countingClient(n *atomic.Int64) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost {
			n.Add(1)
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	p, err := jws.Split(token)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(p.Payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSandboxTokenWithCertificate(t *testing.T) {
	sb := startSandbox(t)
	tc := sb.TestClient()
	var posts atomic.Int64
	mp, err := maskinporten.NewFromCertificate(tc.ClientID, tc.Certificate,
		maskinporten.WithIssuer(sb.MaskinportenIssuer()), maskinporten.WithHTTPClient(countingClient(&posts)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// 200 goroutines asking for one token cause exactly one token request.
	req := maskinporten.Request{Scopes: []string{"krr:global/kontaktinformasjon.read"}}
	var wg sync.WaitGroup
	tokens := make([]string, 200)
	errs := make([]error, 200)
	for i := range tokens {
		wg.Go(func() {
			tok, err := mp.Token(ctx, req)
			errs[i] = err
			if err == nil {
				tokens[i] = tok.AccessToken
			}
		})
	}
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %v (token differs: %t)", i, errs[i], tokens[i] != tokens[0])
		}
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("200 concurrent callers made %d token requests, want 1", n)
	}

	// The token is accepted by the sandbox's verifier for its scope only.
	at, err := sb.Verifier().Verify(ctx, tokens[0], "krr:global/kontaktinformasjon.read")
	if err != nil {
		t.Fatalf("sandbox verifier refused the token: %v", err)
	}
	_ = at
	if _, err := sb.Verifier().Verify(ctx, tokens[0], "krr:global/digitalpost.read"); err == nil {
		t.Error("verifier accepted the token for a scope it does not carry")
	}
	c := claimsOf(t, tokens[0])
	if c["client_id"] != tc.ClientID || c["scope"] != "krr:global/kontaktinformasjon.read" || c["client_amr"] != "virksomhetssertifikat" {
		t.Errorf("claims %v", c)
	}
	if cons, _ := c["consumer"].(map[string]any); cons["ID"] != "0192:"+tc.OrganizationNumber {
		t.Errorf("consumer %v", c["consumer"])
	}

	// Different scopes get different tokens.
	other, err := mp.Token(ctx, maskinporten.Request{Scopes: []string{"krr:global/digitalpost.read"}})
	if err != nil {
		t.Fatal(err)
	}
	if other.AccessToken == tokens[0] || posts.Load() != 2 {
		t.Errorf("a second scope reused the first token or made %d requests", posts.Load())
	}

	// resource becomes the token's audience.
	res, err := mp.Token(ctx, maskinporten.Request{Scopes: []string{"krr:global/kontaktinformasjon.read"}, Resource: []string{"https://test.kontaktregisteret.no/rest/v2/personer"}})
	if err != nil {
		t.Fatal(err)
	}
	if aud := claimsOf(t, res.AccessToken)["aud"]; !audIs(aud, "https://test.kontaktregisteret.no/rest/v2/personer") {
		t.Errorf("aud = %v", aud)
	}
}

func audIs(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		return len(a) == 1 && a[0] == want
	}
	return false
}

func TestSandboxTokenWithRegisteredKey(t *testing.T) {
	sb := startSandbox(t)
	cert, err := sb.IssueCertificate(sandbox.CertificateRequest{OrganizationNumber: "974760673", OrganizationName: "Registered Key Kommune"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.RegisterClient(sandbox.Client{ID: "kid-client", OrganizationNumber: "974760673",
		Scopes: []string{"krr:global/digitalpost.read"},
		Keys:   map[string]crypto.PublicKey{"key-2026": cert.Signer.Public()}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, alg := range []string{"RS256", "RS384", "RS512"} {
		mp, err := maskinporten.New("kid-client", cert.Signer, maskinporten.WithKeyID("key-2026"),
			maskinporten.WithAlgorithm(alg), maskinporten.WithIssuer(sb.MaskinportenIssuer()))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := mp.Token(ctx, maskinporten.Request{Scopes: []string{"krr:global/digitalpost.read"}})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if amr := claimsOf(t, tok.AccessToken)["client_amr"]; amr != "private_key_jwt" {
			t.Errorf("%s: client_amr %v", alg, amr)
		}
	}

	// A client with registered keys must use kid: x5c is refused.
	mp, err := maskinporten.NewFromCertificate("kid-client", cert, maskinporten.WithIssuer(sb.MaskinportenIssuer()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = mp.Token(ctx, maskinporten.Request{Scopes: []string{"krr:global/digitalpost.read"}})
	var e *maskinporten.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest || e.Code != "invalid_grant" {
		t.Errorf("x5c for a client with registered keys: %v", err)
	}

	// An unknown kid is refused with invalid_grant.
	mp, err = maskinporten.New("kid-client", cert.Signer, maskinporten.WithKeyID("no-such-key"), maskinporten.WithIssuer(sb.MaskinportenIssuer()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err = mp.Token(ctx, maskinporten.Request{Scopes: []string{"krr:global/digitalpost.read"}}); !errors.As(err, &e) || e.Code != "invalid_grant" {
		t.Errorf("unknown kid: %v", err)
	}
}

func TestSandboxConsumerOrgDelegation(t *testing.T) {
	sb := startSandbox(t)
	supplier, err := sb.IssueCertificate(sandbox.CertificateRequest{OrganizationNumber: "974760673", OrganizationName: "Leverandør AS"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.RegisterClient(sandbox.Client{ID: "supplier-client", OrganizationNumber: "974760673"}); err != nil {
		t.Fatal(err)
	}
	tc := sb.TestClient()
	mp, err := maskinporten.NewFromCertificate("supplier-client", supplier, maskinporten.WithIssuer(sb.MaskinportenIssuer()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req := maskinporten.Request{Scopes: []string{"krr:global/kontaktinformasjon.read"}, ConsumerOrg: tc.OrganizationNumber}

	_, err = mp.Token(ctx, req)
	var e *maskinporten.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest {
		t.Fatalf("without a delegation: %v", err)
	}
	if err := sb.Delegate(sandbox.Delegation{Consumer: tc.OrganizationNumber, Supplier: "974760673", Scopes: []string{"krr:global/kontaktinformasjon.read"}}); err != nil {
		t.Fatal(err)
	}
	tok, err := mp.Token(ctx, req)
	if err != nil {
		t.Fatalf("with a delegation: %v", err)
	}
	c := claimsOf(t, tok.AccessToken)
	cons, _ := c["consumer"].(map[string]any)
	sup, _ := c["supplier"].(map[string]any)
	if cons["ID"] != "0192:"+tc.OrganizationNumber || sup["ID"] != "0192:974760673" {
		t.Errorf("consumer %v, supplier %v", c["consumer"], c["supplier"])
	}
}

// TestSandboxRetriesThroughFaults: the token endpoint fails twice with 503,
// then answers; the client retries with a fresh grant each time (the sandbox
// refuses a reused jti) and gets a token.
func TestSandboxRetriesThroughFaults(t *testing.T) {
	sb := startSandbox(t)
	tc := sb.TestClient()
	remove, err := sb.InjectFault(sandbox.Fault{PathPrefix: "/maskinporten/token", Status: http.StatusServiceUnavailable, Times: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer remove()
	var posts atomic.Int64
	mp, err := maskinporten.NewFromCertificate(tc.ClientID, tc.Certificate,
		maskinporten.WithIssuer(sb.MaskinportenIssuer()), maskinporten.WithHTTPClient(countingClient(&posts)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := mp.Token(ctx, maskinporten.Request{Scopes: []string{"krr:global/kontaktinformasjon.read"}}); err != nil {
		t.Fatalf("token through two 503s: %v", err)
	}
	if n := posts.Load(); n != 3 {
		t.Errorf("%d token requests, want 3 (two faults, one success)", n)
	}

	// A 429 whose Retry-After exceeds the cap is returned at once, typed.
	remove2, err := sb.InjectFault(sandbox.Fault{PathPrefix: "/maskinporten/token", Status: http.StatusTooManyRequests, RetryAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer remove2()
	_, err = mp.Token(ctx, maskinporten.Request{Scopes: []string{"krr:global/digitalpost.read"}})
	var e *maskinporten.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusTooManyRequests {
		t.Errorf("429 with a long Retry-After: %v", err)
	}
}

func TestSandboxHTTPClientCallsProtectedEndpoint(t *testing.T) {
	sb := startSandbox(t)
	tc := sb.TestClient()
	mp, err := maskinporten.NewFromCertificate(tc.ClientID, tc.Certificate, maskinporten.WithIssuer(sb.MaskinportenIssuer()))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := mp.HTTPClient(maskinporten.Request{Scopes: []string{"folkeregister:deling/offentligmedhjemmel"}}).Get(sb.URL() + "/sandbox/whoami")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var who map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&who); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("whoami: %s, %v", resp.Status, err)
	}
	if who["client_id"] != tc.ClientID || who["scope"] != "folkeregister:deling/offentligmedhjemmel" {
		t.Errorf("whoami = %v", who)
	}
	// Without a token the endpoint refuses with RFC 6750's challenge.
	plain, err := http.Get(sb.URL() + "/sandbox/whoami")
	if err != nil {
		t.Fatal(err)
	}
	plain.Body.Close()
	if plain.StatusCode != http.StatusUnauthorized || plain.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("without a token: %s, WWW-Authenticate %q", plain.Status, plain.Header.Get("WWW-Authenticate"))
	}
}

// TestTokenDoesNotFollowCrossHostRedirect: a resource server redirecting to
// another host must not receive the bearer token there; a same-host
// redirect keeps it.
func TestTokenDoesNotFollowCrossHostRedirect(t *testing.T) {
	sb := startSandbox(t)
	tc := sb.TestClient()
	mp, err := maskinporten.NewFromCertificate(tc.ClientID, tc.Certificate, maskinporten.WithIssuer(sb.MaskinportenIssuer()))
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 4)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- "evil:" + r.Header.Get("Authorization")
	}))
	defer evil.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, evil.URL+"/steal", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/final":
			seen <- "api:" + r.Header.Get("Authorization")
		}
	}))
	defer api.Close()
	hc := mp.HTTPClient(maskinporten.Request{Scopes: []string{"krr:global/kontaktinformasjon.read"}})
	for _, path := range []string{"/away", "/here"} {
		resp, err := hc.Get(api.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := <-seen; got != "evil:" {
		t.Errorf("the other host received %q, want no Authorization", got)
	}
	if got := <-seen; !strings.HasPrefix(got, "api:Bearer eyJ") {
		t.Errorf("a same-host redirect lost the token: %q", got)
	}
}
