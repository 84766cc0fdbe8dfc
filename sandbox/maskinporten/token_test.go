package maskinporten

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/fellesgo/felles/internal/jws"
	"github.com/fellesgo/felles/internal/testpki"
)

func TestTokenAcceptsCertificateGrant(t *testing.T) {
	f := newFixture(t)
	k := keys()
	for _, tc := range []struct {
		name   string
		grant  func() string
		amr    string
		client string
	}{
		{"x5c RS256", func() string { return certGrant(t, k.cert, f.claims()) }, "virksomhetssertifikat", testClientID},
		{"x5c RS512", func() string {
			return sign(t, k.cert.Signer, jws.RS512, map[string]any{"x5c": x5c(k.cert)}, f.claims())
		}, "virksomhetssertifikat", testClientID},
		{"x5c legacy subject serialNumber", func() string { return certGrant(t, k.legacy, f.claims()) }, "virksomhetssertifikat", testClientID},
		{"kid", func() string {
			c := f.claims()
			c["iss"] = keyClientID
			return sign(t, k.registered, jws.RS256, map[string]any{"kid": testKid}, c)
		}, "private_key_jwt", keyClientID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := f.token(tc.grant())
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			var resp struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
				Scope       string `json:"scope"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			if resp.TokenType != "Bearer" || resp.ExpiresIn != 120 || resp.Scope != testScope {
				t.Errorf("response %+v", resp)
			}
			// Check the access token with go-jose and the server's own JWKS,
			// independently of the Verifier.
			claims := verifyWithJWKS(t, f.srv, resp.AccessToken)
			now := f.clock.Now().Unix()
			want := map[string]any{
				"iss": testIssuer, "client_id": tc.client, "client_amr": tc.amr, "token_type": "Bearer",
				"scope": testScope, "aud": "unspecified",
				"consumer": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + orgA},
				"iat":      float64(now), "exp": float64(now + 120),
			}
			jti, _ := claims["jti"].(string)
			if len(jti) < 32 {
				t.Errorf("jti %q is too short", jti)
			}
			delete(claims, "jti")
			if diff := cmp.Diff(want, claims); diff != "" {
				t.Errorf("access-token claims (-want +got):\n%s", diff)
			}
			at, err := f.srv.Verifier().Verify(context.Background(), resp.AccessToken, testScope)
			if err != nil {
				t.Fatalf("Verifier: %v", err)
			}
			if at.ClientID != tc.client || at.Consumer.Number() != orgA || at.ClientAMR != tc.amr {
				t.Errorf("Verifier returned %+v", at)
			}
		})
	}
}

// verifyWithJWKS verifies an access token with go-jose against the JWKS the
// server publishes and returns its claims.
func verifyWithJWKS(t *testing.T, srv *Server, token string) map[string]any {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwk", nil))
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 || set.Keys[0].KeyID == "" || set.Keys[0].Use != "sig" || set.Keys[0].Algorithm != "RS256" {
		t.Fatalf("JWKS %s", rec.Body)
	}
	obj, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if obj.Signatures[0].Header.KeyID != set.Keys[0].KeyID {
		t.Errorf("token kid %q, JWKS kid %q", obj.Signatures[0].Header.KeyID, set.Keys[0].KeyID)
	}
	payload, err := obj.Verify(set)
	if err != nil {
		t.Fatalf("go-jose does not verify the access token with the JWKS: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// refusalCase is a token request the endpoint must refuse, and how.
type refusalCase struct {
	name       string
	request    func(t *testing.T, f *fixture) *httptest.ResponseRecorder
	status     int
	error      string
	mp         string // "" when the refusal has no MP code (no error_uri)
	descriptor string // a part of error_description
}

// grantCase refuses a grant built by build.
func grantCase(name string, build func(t *testing.T, f *fixture) string, status int, code, mp, desc string) refusalCase {
	return refusalCase{name: name, request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
		return f.token(build(t, f))
	}, status: status, error: code, mp: mp, descriptor: desc}
}

// withClaims returns a builder of a certificate grant with claims changed.
func withClaims(change func(f *fixture, c map[string]any)) func(t *testing.T, f *fixture) string {
	return func(t *testing.T, f *fixture) string {
		c := f.claims()
		change(f, c)
		return certGrant(t, keys().cert, c)
	}
}

func refusalCases() []refusalCase {
	const bad = http.StatusBadRequest
	return []refusalCase{
		// The HTTP request.
		{name: "GET instead of POST", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			f.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/token?grant_type="+url.QueryEscape(GrantType), nil))
			if rec.Header().Get("Allow") != "POST" {
				t.Errorf("Allow %q", rec.Header().Get("Allow"))
			}
			return rec
		}, status: http.StatusMethodNotAllowed, error: "invalid_request", descriptor: "POST"},
		{name: "JSON body", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(`{"grant_type":"`+GrantType+`"}`))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			f.srv.ServeHTTP(rec, req)
			return rec
		}, status: bad, error: "invalid_request", descriptor: "Content-Type"},
		{name: "body too large", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			return f.post(url.Values{"grant_type": {GrantType}, "assertion": {strings.Repeat("a", 200<<10)}})
		}, status: http.StatusRequestEntityTooLarge, error: "invalid_request", descriptor: "exceeds"},
		{name: "assertion too large", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			return f.post(url.Values{"grant_type": {GrantType}, "assertion": {strings.Repeat("a", 65<<10)}})
		}, status: bad, error: "invalid_request", mp: "MP-011", descriptor: "exceeds"},
		{name: "missing grant_type", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			return f.post(url.Values{"assertion": {certGrant(t, keys().cert, f.claims())}})
		}, status: bad, error: "invalid_request", descriptor: "Missing grant_type"},
		{name: "wrong grant_type", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			return f.post(url.Values{"grant_type": {"client_credentials"}, "assertion": {certGrant(t, keys().cert, f.claims())}})
		}, status: bad, error: "unsupported_grant_type", descriptor: "client_credentials"},
		{name: "grant_type with different case", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			return f.post(url.Values{"grant_type": {strings.ToUpper(GrantType)}, "assertion": {certGrant(t, keys().cert, f.claims())}})
		}, status: bad, error: "unsupported_grant_type"},
		{name: "repeated parameter", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			a := certGrant(t, keys().cert, f.claims())
			return f.post(url.Values{"grant_type": {GrantType}, "assertion": {a, a}})
		}, status: bad, error: "invalid_request", descriptor: "repeated"},
		{name: "missing assertion", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			return f.post(url.Values{"grant_type": {GrantType}})
		}, status: bad, error: "invalid_request", descriptor: "Missing assertion"},

		// The JWS.
		grantCase("not a JWS", func(t *testing.T, f *fixture) string { return "not.a.jws" }, bad, "invalid_request", "MP-011", "not a JWT"),
		grantCase("JSON serialisation", func(t *testing.T, f *fixture) string {
			p := strings.Split(certGrant(t, keys().cert, f.claims()), ".")
			return `{"payload":"` + p[1] + `","protected":"` + p[0] + `","signature":"` + p[2] + `"}`
		}, bad, "invalid_request", "MP-011", "compact"),
		grantCase("padded base64url", func(t *testing.T, f *fixture) string {
			p := strings.Split(certGrant(t, keys().cert, f.claims()), ".")
			return p[0] + "." + p[1] + "==." + p[2]
		}, bad, "invalid_request", "MP-011", "base64url"),
		grantCase("alg none", func(t *testing.T, f *fixture) string {
			return rawJWS(map[string]any{"alg": "none", "x5c": x5c(keys().cert)}, f.claims(), nil)
		}, bad, "invalid_grant", "MP-124", `"none"`),
		grantCase("alg none with a signature", func(t *testing.T, f *fixture) string {
			return rawJWS(map[string]any{"alg": "none", "x5c": x5c(keys().cert)}, f.claims(), []byte("x"))
		}, bad, "invalid_grant", "MP-124", `"none"`),
		grantCase("HS256 keyed with the certificate's DER", func(t *testing.T, f *fixture) string {
			return hmacGrant(keys().cert.Chain[0].Raw, map[string]any{"alg": "HS256", "x5c": x5c(keys().cert)}, f.claims())
		}, bad, "invalid_grant", "MP-124", "HS256"),
		grantCase("HS256 keyed with the certificate's PEM", func(t *testing.T, f *fixture) string {
			key := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: keys().cert.Chain[0].Raw})
			return hmacGrant(key, map[string]any{"alg": "HS256", "x5c": x5c(keys().cert)}, f.claims())
		}, bad, "invalid_grant", "MP-124", "HS256"),
		grantCase("HS256 keyed with the registered public key", func(t *testing.T, f *fixture) string {
			c := f.claims()
			c["iss"] = keyClientID
			der, _ := x509.MarshalPKIXPublicKey(&keys().registered.PublicKey)
			return hmacGrant(der, map[string]any{"alg": "HS256", "kid": testKid}, c)
		}, bad, "invalid_grant", "MP-124", "HS256"),
		grantCase("PS256, validly signed", func(t *testing.T, f *fixture) string {
			return sign(t, keys().cert.Signer, jws.PS256, map[string]any{"x5c": x5c(keys().cert)}, f.claims())
		}, bad, "invalid_grant", "MP-124", "PS256"),
		grantCase("ES256 with an EC certificate", func(t *testing.T, f *fixture) string {
			ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			cert, err := keys().ca.Issue(testpki.Request{OrganizationNumber: orgA, OrganizationName: "EC", Key: ec})
			if err != nil {
				t.Fatal(err)
			}
			return joseSign(t, jose.ES256, ec, map[jose.HeaderKey]any{"x5c": x5c(cert)}, f.claims())
		}, bad, "invalid_grant", "MP-124", "ES256"),
		grantCase("tampered claims", func(t *testing.T, f *fixture) string {
			p := strings.Split(certGrant(t, keys().cert, f.claims()), ".")
			c := f.claims()
			c["scope"] = "krr:global/digitalpost.read"
			b, _ := json.Marshal(c)
			return p[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + p[2]
		}, bad, "invalid_grant", "MP-124", "signature"),
		grantCase("signed by another key than the certificate's", func(t *testing.T, f *fixture) string {
			return sign(t, keys().registered, jws.RS256, map[string]any{"x5c": x5c(keys().cert)}, f.claims())
		}, bad, "invalid_grant", "MP-124", "signature"),
		grantCase("crit header", func(t *testing.T, f *fixture) string {
			return sign(t, keys().cert.Signer, jws.RS256, map[string]any{"x5c": x5c(keys().cert), "crit": []string{"exp"}}, f.claims())
		}, bad, "invalid_request", "MP-011", "crit"),
		grantCase("duplicate aud claim", func(t *testing.T, f *fixture) string {
			c := f.claims()
			b, _ := json.Marshal(c)
			dup := strings.Replace(string(b), `"aud":`, `"aud":"https://evil.example/","aud":`, 1)
			return sign2(t, keys().cert.Signer, map[string]any{"x5c": x5c(keys().cert)}, []byte(dup))
		}, bad, "invalid_request", "MP-011", "more than once"),

		// kid and x5c.
		grantCase("both kid and x5c", func(t *testing.T, f *fixture) string {
			return sign(t, keys().cert.Signer, jws.RS256, map[string]any{"x5c": x5c(keys().cert), "kid": testKid}, f.claims())
		}, bad, "invalid_grant", "MP-100", "both"),
		grantCase("neither kid nor x5c", func(t *testing.T, f *fixture) string {
			return sign(t, keys().cert.Signer, jws.RS256, map[string]any{"typ": "JWT"}, f.claims())
		}, bad, "invalid_grant", "MP-100", "neither"),
		grantCase("x5c as a string", func(t *testing.T, f *fixture) string {
			return sign(t, keys().cert.Signer, jws.RS256, map[string]any{"x5c": x5c(keys().cert)[0]}, f.claims())
		}, bad, "invalid_grant", "MP-123", "string"),
		grantCase("x5c in base64url", func(t *testing.T, f *fixture) string {
			u := base64.RawURLEncoding.EncodeToString(keys().cert.Chain[0].Raw)
			return sign(t, keys().cert.Signer, jws.RS256, map[string]any{"x5c": []string{u}}, f.claims())
		}, bad, "invalid_grant", "MP-123", "base64"),
		grantCase("unknown kid", func(t *testing.T, f *fixture) string {
			c := f.claims()
			c["iss"] = keyClientID
			return sign(t, keys().registered, jws.RS256, map[string]any{"kid": "no-such-key"}, c)
		}, bad, "invalid_grant", "MP-100", "no-such-key"),
		grantCase("kid for a client without registered keys", func(t *testing.T, f *fixture) string {
			return sign(t, keys().registered, jws.RS256, map[string]any{"kid": testKid}, f.claims())
		}, bad, "invalid_grant", "MP-100", "kid"),
		grantCase("x5c for a client with registered keys", func(t *testing.T, f *fixture) string {
			c := f.claims()
			c["iss"] = keyClientID
			return certGrant(t, keys().cert, c)
		}, bad, "invalid_grant", "MP-100", "requires pre-registered jwk"),

		// The certificate.
		grantCase("certificate not issued by the sandbox CA", func(t *testing.T, f *fixture) string {
			return certGrant(t, keys().foreignCert, f.claims())
		}, bad, "invalid_grant", "MP-120", "invalid certificate"),
		grantCase("expired certificate", func(t *testing.T, f *fixture) string {
			return certGrant(t, keys().expired, f.claims())
		}, bad, "invalid_grant", "MP-120", "invalid certificate"),
		grantCase("x5c without the issuing CA", func(t *testing.T, f *fixture) string {
			return sign(t, keys().cert.Signer, jws.RS256, map[string]any{"x5c": x5c(keys().cert)[:1]}, f.claims())
		}, bad, "invalid_grant", "MP-120", "invalid certificate"),
		grantCase("certificate of another organisation", func(t *testing.T, f *fixture) string {
			return certGrant(t, keys().otherOrgCert, f.claims())
		}, bad, "invalid_grant", "MP-122", orgB),

		// The claims.
		grantCase("unknown client", withClaims(func(f *fixture, c map[string]any) { c["iss"] = "no-such-client" }),
			bad, "invalid_grant", "MP-100", "Client not found"),
		grantCase("wrong aud", withClaims(func(f *fixture, c map[string]any) { c["aud"] = "https://test.maskinporten.no/" }),
			bad, "invalid_grant", "MP-110", "aud"),
		grantCase("aud without the trailing slash", withClaims(func(f *fixture, c map[string]any) { c["aud"] = strings.TrimSuffix(testIssuer, "/") }),
			bad, "invalid_grant", "MP-110", "trailing slash"),
		grantCase("aud array with the issuer and another", withClaims(func(f *fixture, c map[string]any) { c["aud"] = []string{testIssuer, "x"} }),
			bad, "invalid_grant", "MP-110", "aud"),
		grantCase("iat 11 s ahead", withClaims(func(f *fixture, c map[string]any) {
			iat := f.clock.Now().Unix() + 11
			c["iat"], c["exp"] = iat, iat+60
		}), bad, "invalid_grant", "", "Issue time is after now"),
		grantCase("iat 11 s behind", withClaims(func(f *fixture, c map[string]any) {
			iat := f.clock.Now().Unix() - 11
			c["iat"], c["exp"] = iat, iat+60
		}), bad, "invalid_grant", "MP-130", "JWT is expired"),
		grantCase("exp − iat = 121 s", withClaims(func(f *fixture, c map[string]any) {
			c["exp"] = c["iat"].(int64) + 121
		}), bad, "invalid_request", "MP-011", "exp − iat is 121 seconds; Maskinporten accepts at most 120"),
		grantCase("exp passed", withClaims(func(f *fixture, c map[string]any) {
			iat := f.clock.Now().Unix() - 8
			c["iat"], c["exp"] = iat, iat+5
		}), bad, "invalid_grant", "MP-130", "JWT is expired"),
		grantCase("exp before iat", withClaims(func(f *fixture, c map[string]any) { c["exp"] = c["iat"].(int64) - 1 }),
			bad, "invalid_request", "MP-011", "after iat"),
		grantCase("iat missing", withClaims(func(f *fixture, c map[string]any) { delete(c, "iat") }),
			bad, "invalid_request", "MP-011", "iat is missing"),
		grantCase("iat a string", withClaims(func(f *fixture, c map[string]any) { c["iat"] = "1700000000" }),
			bad, "invalid_request", "MP-011", "iat is not a number"),
		grantCase("scope missing", withClaims(func(f *fixture, c map[string]any) { delete(c, "scope") }),
			bad, "invalid_request", "MP-011", "scope is missing"),
		grantCase("scope the client may not have", withClaims(func(f *fixture, c map[string]any) {
			c["scope"] = testScope + " folkeregister:deling/offentligmedhjemmel"
		}),
			bad, "invalid_scope", "MP-200", "folkeregister:deling/offentligmedhjemmel"),
		grantCase("scope with a typing error", withClaims(func(f *fixture, c map[string]any) { c["scope"] = "krr:global/kontaktinformasjon.raed" }),
			bad, "invalid_scope", "MP-200", "kontaktinformasjon.raed"),
		grantCase("user-login scope", withClaims(func(f *fixture, c map[string]any) { c["scope"] = "openid" }),
			bad, "invalid_scope", "MP-201", "openid"),
		grantCase("consumer_org equal to the client's organisation", withClaims(func(f *fixture, c map[string]any) { c["consumer_org"] = orgA }),
			bad, "invalid_request", "", "consumer_org"),
		grantCase("consumer_org without delegation", withClaims(func(f *fixture, c map[string]any) { c["consumer_org"] = orgC }),
			bad, "invalid_scope", "MP-251", "Consumer "+orgC+" has not delegated access to the scope "+testScope+" to supplier "+orgA),
		grantCase("consumer_org not an organisation number", withClaims(func(f *fixture, c map[string]any) { c["consumer_org"] = "123456789" }),
			bad, "invalid_request", "MP-011", "consumer_org"),
		grantCase("resource an object", withClaims(func(f *fixture, c map[string]any) { c["resource"] = map[string]any{"a": 1} }),
			bad, "invalid_request", "MP-011", "resource"),
		grantCase("authorization_details of an unknown type", withClaims(func(f *fixture, c map[string]any) {
			c["authorization_details"] = []any{map[string]any{"type": "urn:altinn:consent"}}
		}), bad, "invalid_authorization_details", "MP-301", "urn:altinn:consent"),
		grantCase("authorization_details with an unknown field", withClaims(func(f *fixture, c map[string]any) {
			c["authorization_details"] = []any{map[string]any{"type": AuthorizationDetailsSystemUser, "systemuser_org": org(orgB), "extra": 1}}
		}), bad, "invalid_authorization_details", "MP-302", "extra"),
		grantCase("authorization_details with a bad organisation", withClaims(func(f *fixture, c map[string]any) {
			c["authorization_details"] = []any{map[string]any{"type": AuthorizationDetailsSystemUser, "systemuser_org": org("123456789")}}
		}), bad, "invalid_authorization_details", "MP-303", "systemuser_org"),
		grantCase("authorization_details not an array", withClaims(func(f *fixture, c map[string]any) {
			c["authorization_details"] = map[string]any{"type": AuthorizationDetailsSystemUser}
		}), bad, "invalid_authorization_details", "MP-303", "array"),
		{name: "reused jti", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			a := certGrant(t, keys().cert, f.claims())
			if rec := f.token(a); rec.Code != http.StatusOK {
				t.Fatalf("first use: %d %s", rec.Code, rec.Body)
			}
			f.clock.Add(5 * time.Second)
			return f.token(a)
		}, status: bad, error: "invalid_grant", mp: "MP-012", descriptor: "Grant is used before"},
		{name: "reused jti in a new grant", request: func(t *testing.T, f *fixture) *httptest.ResponseRecorder {
			c := f.claims()
			if rec := f.token(certGrant(t, keys().cert, c)); rec.Code != http.StatusOK {
				t.Fatalf("first use: %d %s", rec.Code, rec.Body)
			}
			f.clock.Add(time.Second)
			c["iat"], c["exp"] = f.clock.Now().Unix(), f.clock.Now().Unix()+60
			return f.token(certGrant(t, keys().cert, c))
		}, status: bad, error: "invalid_grant", mp: "MP-012", descriptor: "Grant is used before"},
	}
}

func TestTokenRefusals(t *testing.T) {
	for _, tc := range refusalCases() {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			rec := tc.request(t, f)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			e := decodeError(t, rec)
			if e.Error != tc.error {
				t.Errorf("error %q, want %q (%s)", e.Error, tc.error, e.Description)
			}
			wantURI := ""
			if tc.mp != "" {
				wantURI = testIssuer + "errors/" + tc.mp
			}
			if e.URI != wantURI {
				t.Errorf("error_uri %q, want %q (%s)", e.URI, wantURI, e.Description)
			}
			if !strings.Contains(e.Description, tc.descriptor) {
				t.Errorf("error_description %q does not mention %q", e.Description, tc.descriptor)
			}
			if !strings.Contains(e.Description, "(trace_id: ") {
				t.Errorf("error_description %q has no trace id", e.Description)
			}
		})
	}
}

func TestTokenReplayCacheForgetsExpiredGrants(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		if rec := f.token(certGrant(t, keys().cert, f.claims())); rec.Code != http.StatusOK {
			t.Fatal(rec.Body)
		}
	}
	f.clock.Add(time.Hour)
	if rec := f.token(certGrant(t, keys().cert, f.claims())); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	f.srv.mu.Lock()
	n := len(f.srv.replay.seen)
	f.srv.mu.Unlock()
	if n != 1 {
		t.Errorf("the replay cache holds %d jti, want 1 after an hour", n)
	}
}

func TestTokenDelegationResourceAndSystemUser(t *testing.T) {
	f := newFixture(t)
	if err := f.srv.Delegate(Delegation{Consumer: orgC, Supplier: orgA, Scopes: []string{testScope}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(c map[string]any)
		check  func(t *testing.T, at *AccessToken)
	}{
		{"consumer_org", func(c map[string]any) { c["consumer_org"] = orgC }, func(t *testing.T, at *AccessToken) {
			if at.Consumer.Number() != orgC || at.Supplier == nil || at.Supplier.Number() != orgA {
				t.Errorf("consumer %+v supplier %+v", at.Consumer, at.Supplier)
			}
		}},
		{"resource array", func(c map[string]any) { c["resource"] = []string{"https://api.example/a", "https://api.example/b"} }, func(t *testing.T, at *AccessToken) {
			if diff := cmp.Diff([]string{"https://api.example/a", "https://api.example/b"}, at.Audience); diff != "" {
				t.Error(diff)
			}
		}},
		{"resource string", func(c map[string]any) { c["resource"] = "https://api.example/a" }, func(t *testing.T, at *AccessToken) {
			if diff := cmp.Diff([]string{"https://api.example/a"}, at.Audience); diff != "" {
				t.Error(diff)
			}
		}},
		{"system user", func(c map[string]any) {
			c["authorization_details"] = []any{map[string]any{"type": AuthorizationDetailsSystemUser, "systemuser_org": org(orgB)}}
		}, func(t *testing.T, at *AccessToken) {
			var det []struct {
				Type          string       `json:"type"`
				SystemUserID  []string     `json:"systemuser_id"`
				SystemUserOrg Organization `json:"systemuser_org"`
			}
			if err := json.Unmarshal(at.AuthorizationDetails, &det); err != nil || len(det) != 1 {
				t.Fatalf("authorization_details %s: %v", at.AuthorizationDetails, err)
			}
			if det[0].Type != AuthorizationDetailsSystemUser || det[0].SystemUserOrg.Number() != orgB || len(det[0].SystemUserID) != 1 {
				t.Errorf("authorization_details %s", at.AuthorizationDetails)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.claims()
			tc.change(c)
			rec := f.token(certGrant(t, keys().cert, c))
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			var resp struct {
				AccessToken string `json:"access_token"`
			}
			json.Unmarshal(rec.Body.Bytes(), &resp)
			at, err := f.srv.Verifier().Verify(context.Background(), resp.AccessToken, testScope)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, at)
		})
	}
}

func TestMetadataAndErrorPages(t *testing.T) {
	f := newFixture(t)
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-authorization-server", nil))
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"authorization_details_types_supported": []any{"urn:altinn:systemuser"},
		"grant_types_supported":                 []any{GrantType},
		"issuer":                                testIssuer,
		"jwks_uri":                              testIssuer + "jwk",
		"token_endpoint":                        testIssuer + "token",
		"token_endpoint_auth_methods_supported": []any{"private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []any{"RS256", "RS384", "RS512"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	for code := range errorPages {
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/errors/"+code, nil))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), code+": ") {
			t.Errorf("%s: %d %q", code, rec.Code, rec.Body)
		}
	}
	rec = httptest.NewRecorder()
	f.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/errors/MP-999", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("MP-999: %d", rec.Code)
	}
}

func TestRegisterClientValidates(t *testing.T) {
	f := newFixture(t)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, c := range []Client{
		{ID: "", OrganizationNumber: orgA},
		{ID: "has space", OrganizationNumber: orgA},
		{ID: "x", OrganizationNumber: "311222334"},
		{ID: "x", OrganizationNumber: orgA, Scopes: []string{"bad scope"}},
		{ID: "x", OrganizationNumber: orgA, Keys: map[string]crypto.PublicKey{"k": &small.PublicKey}},
		{ID: "x", OrganizationNumber: orgA, Keys: map[string]crypto.PublicKey{"k": &ec.PublicKey}},
		{ID: "x", OrganizationNumber: orgA, Keys: map[string]crypto.PublicKey{"": &keys().registered.PublicKey}},
	} {
		if err := f.srv.RegisterClient(c); err == nil {
			t.Errorf("RegisterClient(%+v) succeeded", c)
		}
	}
	for _, d := range []Delegation{
		{Consumer: orgA, Supplier: orgA, Scopes: []string{testScope}},
		{Consumer: "1", Supplier: orgA, Scopes: []string{testScope}},
		{Consumer: orgC, Supplier: orgA},
	} {
		if err := f.srv.Delegate(d); err == nil {
			t.Errorf("Delegate(%+v) succeeded", d)
		}
	}
}

func org(n string) map[string]any {
	return map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + n}
}

// hmacGrant signs header and claims with HMAC-SHA-256 keyed with key.
func hmacGrant(key []byte, header, claims map[string]any) string {
	unsigned := rawJWS(header, claims, nil)
	unsigned = strings.TrimSuffix(unsigned, ".")
	m := hmac.New(sha256.New, key)
	m.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sign2 signs a raw payload with RS256.
func sign2(t *testing.T, signer crypto.Signer, header map[string]any, payload []byte) string {
	s, err := jws.Sign(signer, jws.RS256, header, payload)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// joseSign signs claims with go-jose, for algorithms felles's signer lacks.
func joseSign(t *testing.T, alg jose.SignatureAlgorithm, key any, header map[jose.HeaderKey]any, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, &jose.SignerOptions{ExtraHeaders: header})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	obj, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}
