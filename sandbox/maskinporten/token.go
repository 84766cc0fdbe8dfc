package maskinporten

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/jws"
)

const (
	// maxTokenRequestBody bounds the body of a token request (128 KiB).
	maxTokenRequestBody = 2 * maxJWSSize
	// grantSkew is how far iat may be from the server's clock, either way:
	// "accepted only if iat is less than 10 seconds ahead/after our clock".
	grantSkew = 10 * time.Second
	// maxGrantLifetime is the largest exp − iat Maskinporten accepts.
	maxGrantLifetime = 120 * time.Second
	// delegationSource is the delegation_source of a delegated token in
	// Maskinporten's test environment.
	delegationSource = "https://tt02.altinn.no/"
	// iso6523Authority is the authority of the organisations in a token.
	iso6523Authority = "iso6523-actorid-upis"
)

// Client authentication methods, the access token's client_amr.
const (
	amrCertificate = "virksomhetssertifikat"
	amrKey         = "private_key_jwt"
)

// tokenResponse is the body of a successful token response.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// accessTokenClaims are the claims of an access token, per
// https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_token.
type accessTokenClaims struct {
	Iss                  string          `json:"iss"`
	ClientAMR            string          `json:"client_amr"`
	TokenType            string          `json:"token_type"`
	ClientID             string          `json:"client_id"`
	Aud                  any             `json:"aud"` // a string, or an array of them
	Scope                string          `json:"scope"`
	Supplier             *Organization   `json:"supplier,omitempty"`
	Consumer             *Organization   `json:"consumer"`
	DelegationSource     string          `json:"delegation_source,omitempty"`
	ClientOrgno          string          `json:"client_orgno,omitempty"`
	PID                  string          `json:"pid,omitempty"`
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
	Iat                  int64           `json:"iat"`
	Exp                  int64           `json:"exp"`
	Jti                  string          `json:"jti"`
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	traceID := newTraceID()
	resp, clientID, terr := s.token(w, r)
	if terr != nil {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "maskinporten: token request refused",
			slog.Int("status", terr.status), slog.String("error", terr.code), slog.String("code", terr.mp),
			slog.String("description", terr.desc), slog.String("client_id", clientID), slog.String("trace_id", traceID))
		body := map[string]string{"error": terr.code, "error_description": terr.desc + " (trace_id: " + traceID + ")"}
		if terr.mp != "" {
			body["error_uri"] = s.issuer + "errors/" + terr.mp
		}
		if terr.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		writeJSON(w, terr.status, body)
		return
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "maskinporten: token issued",
		slog.String("client_id", clientID), slog.String("scope", resp.Scope), slog.String("trace_id", traceID))
	writeJSON(w, http.StatusOK, resp)
}

// token answers a token request. It returns the client id when known, for
// the log.
func (s *Server) token(w http.ResponseWriter, r *http.Request) (*tokenResponse, string, *tokenError) {
	if r.Method != http.MethodPost {
		return nil, "", &tokenError{status: http.StatusMethodNotAllowed, code: errInvalidRequest,
			desc: "The token endpoint takes POST with form data, not " + r.Method}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, "", refusal(errInvalidRequest, "", "Content-Type must be application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTokenRequestBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, "", &tokenError{status: http.StatusRequestEntityTooLarge, code: errInvalidRequest,
				desc: fmt.Sprintf("The request body exceeds %d bytes", maxTokenRequestBody)}
		}
		return nil, "", refusal(errInvalidRequest, "", "The request body could not be read")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, "", refusal(errInvalidRequest, "", "The request body is not form data")
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range form {
			if !yield(k) {
				return
			}
		}
	}) {
		if len(form[name]) > 1 {
			return nil, "", refusal(errInvalidRequest, "", fmt.Sprintf("Parameter %q is repeated", truncate(name, 40)))
		}
	}
	switch gt := form.Get("grant_type"); {
	case gt == "":
		return nil, "", refusal(errInvalidRequest, "", "Missing grant_type")
	case gt != GrantType:
		return nil, "", refusal(errUnsupportedGrantType, "", fmt.Sprintf("grant_type %q is not supported; use %s", truncate(gt, 60), GrantType))
	}
	assertion := form.Get("assertion")
	switch {
	case assertion == "":
		return nil, "", refusal(errInvalidRequest, "", "Missing assertion")
	case len(assertion) > maxJWSSize:
		return nil, "", invalidParameterValue(fmt.Sprintf("the assertion exceeds %d bytes", maxJWSSize))
	}

	g, terr := parseGrant(assertion)
	if terr != nil {
		return nil, "", terr
	}
	now := s.now()
	cl, amr, terr := s.authenticate(g, now)
	if terr != nil {
		return nil, "", terr
	}
	if terr := s.checkGrant(g, now); terr != nil {
		return nil, cl.id, terr
	}
	claims, terr := s.authorize(g, cl)
	if terr != nil {
		return nil, cl.id, terr
	}
	claims.ClientAMR = amr
	resp, err := s.sign(claims, now)
	if err != nil {
		return nil, cl.id, &tokenError{status: http.StatusInternalServerError, code: "server_error", desc: "The access token could not be signed"}
	}
	return resp, cl.id, nil
}

// authenticate finds the grant's client and verifies the grant's signature
// with the client's certificate (x5c) or registered key (kid). It returns
// the client and the authentication method.
func (s *Server) authenticate(g *grant, now time.Time) (*client, string, *tokenError) {
	s.mu.Lock()
	cl := s.clients[g.claims.iss]
	s.mu.Unlock()
	if cl == nil {
		return nil, "", clientAuthFailed("MP-100", fmt.Sprintf("Client not found: no client has the id %q (the grant's iss)", truncate(g.claims.iss, 80)))
	}
	var key verificationKey
	var amr string
	if g.chain != nil {
		if len(cl.keys) > 0 {
			return nil, "", clientAuthFailed("MP-100", "The client requires pre-registered jwk and no key identifier (kid) provided")
		}
		if terr := s.checkCertificate(g.chain, cl, now); terr != nil {
			return nil, "", terr
		}
		key, amr = verificationKey{key: g.chain[0].PublicKey}, amrCertificate
	} else {
		pub := cl.keys[g.jws.header.kid]
		if pub == nil {
			return nil, "", clientAuthFailed("MP-100", fmt.Sprintf("No key with kid %q is registered on the client", truncate(g.jws.header.kid, 80)))
		}
		key, amr = verificationKey{key: pub}, amrKey
	}
	if _, err := g.jws.verify(key); err != nil {
		if errors.Is(err, errMalformed) {
			return nil, "", invalidParameterValue("the assertion is not a JWT: " + err.Error())
		}
		return nil, "", clientAuthFailed("MP-124", "Invalid JWT signature: "+err.Error())
	}
	return cl, amr, nil
}

// checkCertificate verifies an x5c chain against the trusted roots at now
// and checks that its leaf belongs to the client's organisation.
func (s *Server) checkCertificate(chain []*x509.Certificate, cl *client, now time.Time) *tokenError {
	leaf := chain[0]
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots: s.roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		reason := "The certificate chain does not verify: " + err.Error()
		var invalid x509.CertificateInvalidError
		var unknown x509.UnknownAuthorityError
		switch {
		case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
			reason = fmt.Sprintf("The certificate (or one above it) is not valid at %s: the leaf is valid from %s to %s",
				now.UTC().Format(time.RFC3339), leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
		case errors.As(err, &unknown):
			reason = "The certificate is not issued by a CA this environment trusts (the sandbox trusts only its own CA; see Sandbox.IssueCertificate)"
		}
		return clientAuthFailed("MP-120", "The JWT is signed with an invalid certificate. "+reason)
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return clientAuthFailed("MP-120", "The JWT is signed with an invalid certificate. Its key usage does not allow digital signatures")
	}
	orgnr, err := identity.OrganizationNumber(leaf)
	if err != nil {
		return refusal(errInvalidGrant, "MP-122", "Invalid organization number for client. Does not match certificate orgno: the certificate subject has no valid organisation number")
	}
	if orgnr != cl.orgnr {
		return refusal(errInvalidGrant, "MP-122", fmt.Sprintf("Invalid organization number for client. Does not match certificate orgno: the certificate is issued to %s, the client belongs to %s", orgnr, cl.orgnr))
	}
	return nil
}

// checkGrant checks an authenticated grant's audience, times and jti, and
// records the jti so that the grant cannot be used again.
func (s *Server) checkGrant(g *grant, now time.Time) *tokenError {
	c := &g.claims
	if len(c.aud) != 1 || c.aud[0] != s.issuer {
		return clientAuthFailed("MP-110", fmt.Sprintf("Invalid JWT claim aud: it must be the issuer %q exactly, trailing slash included; got %q",
			s.issuer, truncate(strings.Join(c.aud, " "), 120)))
	}
	if d := c.iat.Sub(now); d > grantSkew {
		return refusal(errInvalidGrant, "", fmt.Sprintf("Invalid assertion. Issue time is after now: iat is %s ahead of the server's clock; at most %s is allowed", d.Round(time.Millisecond), grantSkew))
	}
	if !c.nbf.IsZero() && c.nbf.Sub(now) > grantSkew {
		return refusal(errInvalidGrant, "", fmt.Sprintf("Invalid assertion. The grant is not valid yet: nbf is %s ahead of the server's clock", c.nbf.Sub(now).Round(time.Millisecond)))
	}
	if !c.exp.After(c.iat) {
		return invalidParameterValue("claim exp must be after iat")
	}
	if d := c.exp.Sub(c.iat); d > maxGrantLifetime {
		return invalidParameterValue(fmt.Sprintf("exp − iat is %s seconds; Maskinporten accepts at most %d", strconv.FormatFloat(d.Seconds(), 'f', -1, 64), int64(maxGrantLifetime/time.Second)))
	}
	if now.After(c.exp) {
		return refusal(errInvalidGrant, "MP-130", fmt.Sprintf("Invalid assertion. JWT is expired: exp was %s ago", now.Sub(c.exp).Round(time.Millisecond)))
	}
	if d := now.Sub(c.iat); d > grantSkew {
		return refusal(errInvalidGrant, "MP-130", fmt.Sprintf("Invalid assertion. JWT is expired: iat is %s behind the server's clock; a grant must be used within %s of iat", d.Round(time.Millisecond), grantSkew))
	}
	if c.jti == "" {
		s.log.Warn("maskinporten: a grant without jti; Digdir recommends a unique jti in every grant", "client_id", c.iss)
	} else {
		s.mu.Lock()
		fresh := s.replay.use(c.iss+"\x00"+c.jti, c.exp.Add(grantSkew), now)
		s.mu.Unlock()
		if !fresh {
			return refusal(errInvalidGrant, "MP-012", "Grant is used before: the jti was seen in an earlier grant; make a new grant, with a new jti, for every token request")
		}
	}
	return nil
}

// authorize checks the scopes, the delegation (consumer_org) and the
// authorization_details of an authenticated grant and returns the access
// token's claims, but for the times, jti and client_amr.
func (s *Server) authorize(g *grant, cl *client) (*accessTokenClaims, *tokenError) {
	c := &g.claims
	claims := &accessTokenClaims{
		Iss:       s.issuer,
		TokenType: "Bearer",
		ClientID:  cl.id,
		Scope:     strings.Join(c.scopes, " "),
		Consumer:  &Organization{Authority: iso6523Authority, ID: "0192:" + cl.orgnr},
		PID:       c.pid,
		Aud:       "unspecified",
	}
	switch len(c.resource) {
	case 0:
	case 1:
		claims.Aud = c.resource[0]
	default:
		claims.Aud = c.resource
	}
	if c.consumerOrg != "" {
		if c.consumerOrg == cl.orgnr {
			return nil, refusal(errInvalidRequest, "", "Validation of JWT claim failed: The combination consumer_org in claim and delegation scope on client is invalid (consumer_org is the client's own organisation number; leave it out)")
		}
		claims.Consumer = &Organization{Authority: iso6523Authority, ID: "0192:" + c.consumerOrg}
		claims.Supplier = &Organization{Authority: iso6523Authority, ID: "0192:" + cl.orgnr}
		claims.DelegationSource = delegationSource
		claims.ClientOrgno = cl.orgnr
	}

	var loginOnly, notAllowed []string
	s.mu.Lock()
	for _, scope := range c.scopes {
		switch {
		case userLoginScopes[scope]:
			loginOnly = append(loginOnly, scope)
		case c.consumerOrg != "":
			if !s.delegations[delegationKey{c.consumerOrg, cl.orgnr, scope}] {
				notAllowed = append(notAllowed, scope)
			}
		case !cl.scopes[scope]:
			notAllowed = append(notAllowed, scope)
		}
	}
	s.mu.Unlock()
	switch {
	case len(loginOnly) > 0:
		return nil, refusal(errInvalidScope, "MP-201", "Token request contains scopes not allowed for maskinporten, "+strings.Join(loginOnly, ", "))
	case len(notAllowed) > 0 && c.consumerOrg != "":
		return nil, refusal(errInvalidScope, "MP-251", fmt.Sprintf("Consumer %s has not delegated access to the scope %s to supplier %s", c.consumerOrg, strings.Join(notAllowed, ", "), cl.orgnr))
	case len(notAllowed) > 0:
		return nil, refusal(errInvalidScope, "MP-200", "Token request contains invalid scopes for client, "+strings.Join(notAllowed, ", "))
	}

	if c.authzDet != nil {
		det, terr := systemUserDetails(c.authzDet, cl)
		if terr != nil {
			return nil, terr
		}
		claims.AuthorizationDetails = det
	}
	return claims, nil
}

// systemUserDetails checks the grant's authorization_details (RFC 9396):
// one object of type urn:altinn:systemuser with a systemuser_org. It
// returns the authorization_details of the access token.
func systemUserDetails(raw json.RawMessage, cl *client) (json.RawMessage, *tokenError) {
	invalid := func(detail string) *tokenError {
		return refusal(errInvalidAuthzDetails, "MP-303", "Invalid authorization details values: "+detail)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, invalid("authorization_details must be a JSON array of objects")
	}
	if len(list) != 1 {
		return nil, invalid(fmt.Sprintf("one authorization_details object per request, got %d", len(list)))
	}
	members, err := parseObject(list[0])
	if err != nil {
		return nil, invalid("authorization_details[0] is not a JSON object")
	}
	typ, err := stringClaim(members, "type", true)
	if err != nil {
		return nil, invalid("authorization_details[0]: " + strings.Replace(err.Error(), "claim", "member", 1))
	}
	if typ != AuthorizationDetailsSystemUser {
		return nil, refusal(errInvalidAuthzDetails, "MP-301", fmt.Sprintf("Unknown authorization details type %q; the sandbox supports %s", truncate(typ, 60), AuthorizationDetailsSystemUser))
	}
	if terr := onlyMembers(members, "type", "systemuser_org"); terr != nil {
		return nil, terr
	}
	rawOrg, ok := members["systemuser_org"]
	if !ok {
		return nil, invalid("systemuser_org is missing")
	}
	org, err := parseObject(rawOrg)
	if err != nil {
		return nil, invalid("systemuser_org is not a JSON object")
	}
	if terr := onlyMembers(org, "authority", "ID"); terr != nil {
		return nil, terr
	}
	authority, _ := stringClaim(org, "authority", true)
	id, _ := stringClaim(org, "ID", true)
	orgnr, ok := strings.CutPrefix(id, "0192:")
	if authority != iso6523Authority || !ok || !identity.ValidOrganizationNumber(orgnr) {
		return nil, invalid(`systemuser_org must be {"authority":"iso6523-actorid-upis","ID":"0192:<organisation number>"}`)
	}
	sum := sha256.Sum256([]byte(cl.id + "\x00" + orgnr))
	out, err := json.Marshal([]any{map[string]any{
		"type":           AuthorizationDetailsSystemUser,
		"systemuser_id":  []string{uuidFrom(sum[:16])},
		"systemuser_org": Organization{Authority: iso6523Authority, ID: id},
		"system_id":      cl.orgnr + "_felles_sandbox",
	}})
	if err != nil {
		return nil, invalid("cannot encode")
	}
	return out, nil
}

// onlyMembers refuses members other than allowed with MP-302.
func onlyMembers(m map[string]json.RawMessage, allowed ...string) *tokenError {
	var unknown []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, truncate(k, 40))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return refusal(errInvalidAuthzDetails, "MP-302", "Unknown fields in the authorization details: "+strings.Join(unknown, ", "))
	}
	return nil
}

// sign completes claims with the times and a jti and signs them.
func (s *Server) sign(claims *accessTokenClaims, now time.Time) (*tokenResponse, error) {
	var jti [32]byte
	rand.Read(jti[:])
	claims.Iat = now.Unix()
	claims.Exp = now.Add(s.lifetime).Unix()
	claims.Jti = base64.RawURLEncoding.EncodeToString(jti[:])
	payload, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	token, err := jws.Sign(s.signer, jws.RS256, map[string]any{"kid": s.kid}, payload)
	if err != nil {
		return nil, err
	}
	return &tokenResponse{AccessToken: token, TokenType: "Bearer", ExpiresIn: int64(s.lifetime / time.Second), Scope: claims.Scope}, nil
}

// newTraceID returns a random trace id in the form Maskinporten's have.
func newTraceID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// uuidFrom formats 16 bytes as a UUID with version 4 and the RFC 4122
// variant bits.
func uuidFrom(b []byte) string {
	var u [16]byte
	copy(u[:], b)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
