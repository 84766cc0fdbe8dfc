package maskinporten

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// verifierLeeway is the clock skew the Verifier allows on exp and iat.
const verifierLeeway = 5 * time.Second

// Errors of [Verifier.Verify], matched with errors.Is.
var (
	// ErrInvalidToken means the access token is malformed, not signed by
	// the server, from another issuer, or expired.
	ErrInvalidToken = errors.New("maskinporten: invalid access token")
	// ErrInsufficientScope means the access token is valid but lacks a
	// required scope.
	ErrInsufficientScope = errors.New("maskinporten: the access token lacks a required scope")
)

// Organization is an organisation in an access token: consumer, supplier
// or systemuser_org.
type Organization struct {
	Authority string `json:"authority"` // "iso6523-actorid-upis"
	ID        string `json:"ID"`        // "0192:<organisation number>"
}

// Number returns the organisation number, ID without its "0192:" prefix.
func (o Organization) Number() string {
	n, _ := strings.CutPrefix(o.ID, "0192:")
	return n
}

// AccessToken is a verified access token's claims.
type AccessToken struct {
	Issuer    string
	ClientID  string
	ClientAMR string // "virksomhetssertifikat" or "private_key_jwt"
	// Consumer is the organisation the token is for: the client's owner, or
	// the consumer_org of a delegated token.
	Consumer Organization
	// Supplier is the client's owner in a delegated token, else nil.
	Supplier *Organization
	Scope    string   // the granted scopes, space-separated
	Audience []string // the resource values, or ["unspecified"]
	IssuedAt time.Time
	Expiry   time.Time
	ID       string // jti
	PID      string // an end-user-restricted token's pid, else ""
	// AuthorizationDetails is the system-user authorization_details, or nil.
	AuthorizationDetails json.RawMessage
}

// Scopes returns the granted scopes.
func (t *AccessToken) Scopes() []string { return strings.Fields(t.Scope) }

// HasScope reports whether scope was granted.
func (t *AccessToken) HasScope(scope string) bool { return slices.Contains(t.Scopes(), scope) }

// Verifier verifies the access tokens of one [Server], as an API protected
// by Maskinporten does: the signature (RS256, with the server's key, looked
// up by kid), iss, exp and the scopes. It is safe for concurrent use.
type Verifier struct {
	issuer string
	keys   map[string]*rsa.PublicKey // by kid
	now    func() time.Time
}

// Verify verifies token and returns its claims. Every scope in
// requiredScopes must have been granted. The error wraps [ErrInvalidToken]
// or [ErrInsufficientScope].
func (v *Verifier) Verify(ctx context.Context, token string, requiredScopes ...string) (*AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	j, err := parseCompact(token, accessTokenAlgorithms)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	pub := v.keys[j.header.kid]
	if pub == nil {
		return nil, fmt.Errorf("%w: signed with an unknown key (kid %q); the token is from another issuer or sandbox", ErrInvalidToken, truncate(j.header.kid, 60))
	}
	payload, err := j.verify(verificationKey{key: pub, alg: "RS256", use: "sig"})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if _, err := parseObject(payload); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrInvalidToken, err)
	}
	var c struct {
		accessTokenClaims
		Aud      json.RawMessage `json:"aud"`
		Consumer *Organization   `json:"consumer"`
		Iat      *json.Number    `json:"iat"`
		Exp      *json.Number    `json:"exp"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("%w: claims have the wrong types", ErrInvalidToken)
	}
	if c.Iss != v.issuer {
		return nil, fmt.Errorf("%w: issuer %q, want %q", ErrInvalidToken, truncate(c.Iss, 100), v.issuer)
	}
	if c.TokenType != "Bearer" || c.ClientID == "" || c.Consumer == nil || c.Exp == nil || c.Iat == nil {
		return nil, fmt.Errorf("%w: token_type, client_id, consumer, iat or exp is missing", ErrInvalidToken)
	}
	exp, err1 := c.Exp.Int64()
	iat, err2 := c.Iat.Int64()
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%w: iat or exp is not whole seconds", ErrInvalidToken)
	}
	t := &AccessToken{
		Issuer: c.Iss, ClientID: c.ClientID, ClientAMR: c.ClientAMR, Consumer: *c.Consumer, Supplier: c.Supplier,
		Scope: c.Scope, IssuedAt: time.Unix(iat, 0), Expiry: time.Unix(exp, 0), ID: c.Jti, PID: c.PID,
		AuthorizationDetails: c.AuthorizationDetails,
	}
	if t.Audience, err = stringOrArrayClaim(map[string]json.RawMessage{"aud": c.Aud}, "aud", maxResources); err != nil || t.Audience == nil {
		return nil, fmt.Errorf("%w: aud is missing or malformed", ErrInvalidToken)
	}
	now := v.now()
	if now.After(t.Expiry.Add(verifierLeeway)) {
		return nil, fmt.Errorf("%w: expired at %s", ErrInvalidToken, t.Expiry.UTC().Format(time.RFC3339))
	}
	if t.IssuedAt.After(now.Add(verifierLeeway)) {
		return nil, fmt.Errorf("%w: issued in the future (%s)", ErrInvalidToken, t.IssuedAt.UTC().Format(time.RFC3339))
	}
	for _, s := range requiredScopes {
		if !t.HasScope(s) {
			return nil, fmt.Errorf("%w: %q (granted: %q)", ErrInsufficientScope, s, t.Scope)
		}
	}
	return t, nil
}

type contextKey struct{}

// FromContext returns the access token [Verifier.Middleware] put in ctx.
func FromContext(ctx context.Context) (*AccessToken, bool) {
	t, ok := ctx.Value(contextKey{}).(*AccessToken)
	return t, ok
}

// realm is the realm of the sandbox's Bearer challenges.
const realm = "felles-sandbox"

// Middleware returns middleware that lets a request through only with a
// valid access token ("Authorization: Bearer <token>") that has scope (any
// scope when scope is ""), and puts the token's claims in the request
// context (see [FromContext]). Otherwise it answers as RFC 6750 §3
// prescribes: 401 with "WWW-Authenticate: Bearer realm=..." when there is
// no token, 401 with error="invalid_token" for a bad one, and 403 with
// error="insufficient_scope" when the scope is missing.
func (v *Verifier) Middleware(scope string) func(http.Handler) http.Handler {
	var required []string
	if scope != "" {
		required = []string{scope}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, ok := bearerToken(r)
			if !ok {
				challenge(w, http.StatusUnauthorized, "", "", "")
				return
			}
			t, err := v.Verify(r.Context(), token, required...)
			switch {
			case errors.Is(err, ErrInsufficientScope):
				challenge(w, http.StatusForbidden, "insufficient_scope", err.Error(), scope)
				return
			case err != nil:
				challenge(w, http.StatusUnauthorized, "invalid_token", err.Error(), "")
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), contextKey{}, t)))
		})
	}
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	values := r.Header.Values("Authorization")
	if len(values) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// challenge answers with a Bearer challenge (RFC 6750 §3) and a JSON body.
func challenge(w http.ResponseWriter, status int, code, desc, scope string) {
	c := `Bearer realm="` + realm + `"`
	if code != "" {
		c += `, error="` + code + `", error_description="` + headerSafe(desc) + `"`
	}
	if scope != "" {
		c += `, scope="` + headerSafe(scope) + `"`
	}
	w.Header().Set("WWW-Authenticate", c)
	body := map[string]string{"error": "unauthorized"}
	if code != "" {
		body = map[string]string{"error": code, "error_description": desc}
	}
	writeJSON(w, status, body)
}

// headerSafe keeps the characters RFC 6750 §3 allows in a quoted
// error_description (%x20-21 / %x23-5B / %x5D-7E), replacing others.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '\''
		}
		return r
	}, s)
}
