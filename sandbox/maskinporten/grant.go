package maskinporten

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fellesgo/felles/identity"
)

// maxX5C bounds the number of certificates in x5c.
const maxX5C = 8

// maxResources bounds the number of values of the resource claim.
const maxResources = 16

// grant is a parsed, not yet verified, JWT grant: what the token endpoint
// learns from the assertion before it knows who sent it.
type grant struct {
	jws    *compactJWS
	chain  []*x509.Certificate // from x5c, leaf first; nil when the header has kid
	claims grantClaims
}

// grantClaims are the claims of a JWT grant, per
// https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant.
type grantClaims struct {
	iss         string
	aud         []string // one value when sent as a string
	iat, exp    time.Time
	nbf         time.Time // zero when absent
	jti         string    // "" when absent (Digdir recommends, does not require it)
	scopes      []string  // de-duplicated, in the order sent
	resource    []string  // nil when absent
	consumerOrg string
	pid         string
	authzDet    json.RawMessage // nil when absent
}

// parseGrant parses the assertion of a token request: a compact JWS with
// an allowed algorithm, exactly one of kid and x5c (x5c a JSON array of
// certificates), and claims of the right types. It verifies nothing.
func parseGrant(assertion string) (*grant, *tokenError) {
	j, err := parseCompact(assertion, grantAlgorithms)
	switch {
	case errors.Is(err, errAlgorithm):
		return nil, clientAuthFailed("MP-124", "Invalid JWT signature: "+err.Error())
	case err != nil:
		return nil, invalidParameterValue("the assertion is not a JWT: " + err.Error())
	}
	g := &grant{jws: j}
	switch {
	case j.header.x5c != nil && j.header.haveKid:
		return nil, clientAuthFailed("MP-100", "The JWT header has both x5c and kid; send exactly one")
	case j.header.x5c == nil && !j.header.haveKid:
		return nil, clientAuthFailed("MP-100", "The JWT header has neither x5c (an enterprise certificate chain) nor kid (a registered key); send exactly one")
	case j.header.x5c != nil:
		if g.chain, err = parseX5C(j.header.x5c); err != nil {
			return nil, refusal(errInvalidGrant, "MP-123", "Invalid JWT header x5c: "+err.Error())
		}
	}
	members, err := parseObject(j.payload)
	if err != nil {
		return nil, invalidParameterValue("the JWT claims are not a JSON object: " + err.Error())
	}
	if terr := g.claims.parse(members); terr != nil {
		return nil, terr
	}
	return g, nil
}

// parseX5C parses an x5c header member: a JSON array of base64 (RFC 4648
// §4, not base64url) DER certificates, leaf first (RFC 7515 §4.1.6).
func parseX5C(raw json.RawMessage) ([]*x509.Certificate, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		return nil, errors.New("x5c is a string; it must be a JSON array of base64 DER certificates, leaf first")
	}
	var ders []string
	if err := json.Unmarshal(raw, &ders); err != nil {
		return nil, errors.New("x5c must be a JSON array of base64 DER certificates, leaf first")
	}
	if len(ders) == 0 || len(ders) > maxX5C {
		return nil, fmt.Errorf("x5c must hold 1 to %d certificates, it holds %d", maxX5C, len(ders))
	}
	chain := make([]*x509.Certificate, len(ders))
	for i, s := range ders {
		der, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("x5c[%d] is not base64 (standard alphabet, padded)", i)
		}
		if chain[i], err = x509.ParseCertificate(der); err != nil {
			return nil, fmt.Errorf("x5c[%d] is not a DER certificate", i)
		}
	}
	return chain, nil
}

// parse fills c from the members of the claims object, checking types.
func (c *grantClaims) parse(m map[string]json.RawMessage) *tokenError {
	var err error
	if c.iss, err = stringClaim(m, "iss", true); err != nil {
		return invalidParameterValue(err.Error())
	}
	if c.aud, err = stringOrArrayClaim(m, "aud", maxResources); err != nil {
		return invalidParameterValue(err.Error())
	}
	if c.aud == nil {
		return invalidParameterValue("claim aud is missing")
	}
	for _, d := range []struct {
		name     string
		t        *time.Time
		required bool
	}{{"iat", &c.iat, true}, {"exp", &c.exp, true}, {"nbf", &c.nbf, false}} {
		if *d.t, err = timeClaim(m, d.name, d.required); err != nil {
			return invalidParameterValue(err.Error())
		}
	}
	if c.jti, err = stringClaim(m, "jti", false); err != nil {
		return invalidParameterValue(err.Error())
	}
	if _, ok := m["jti"]; ok && (c.jti == "" || len(c.jti) > 255) {
		return invalidParameterValue("claim jti must be 1 to 255 characters")
	}
	scope, err := stringClaim(m, "scope", true)
	if err != nil {
		return invalidParameterValue(err.Error())
	}
	seen := map[string]bool{}
	for _, s := range strings.Fields(scope) {
		if err := checkScope(s); err != nil {
			return invalidParameterValue(err.Error())
		}
		if !seen[s] {
			seen[s] = true
			c.scopes = append(c.scopes, s)
		}
	}
	if len(c.scopes) == 0 {
		return invalidParameterValue("claim scope is empty")
	}
	// resource: "Currently only array supported" say Digdir's docs, yet
	// clients send a string too (nais/texas); both are accepted.
	if c.resource, err = stringOrArrayClaim(m, "resource", maxResources); err != nil {
		return invalidParameterValue(err.Error())
	}
	if c.consumerOrg, err = stringClaim(m, "consumer_org", false); err != nil {
		return invalidParameterValue(err.Error())
	}
	if _, ok := m["consumer_org"]; ok && !identity.ValidOrganizationNumber(c.consumerOrg) {
		return invalidParameterValue(fmt.Sprintf("claim consumer_org %q is not an organisation number (nine digits, valid mod-11 check digit)", truncate(c.consumerOrg, 20)))
	}
	if _, ok := m["iss_onbehalfof"]; ok {
		return invalidParameterValue("claim iss_onbehalfof (Digdir's older onbehalfof mechanism) is not supported by the sandbox; use consumer_org")
	}
	if c.pid, err = stringClaim(m, "pid", false); err != nil {
		return invalidParameterValue(err.Error())
	}
	if _, ok := m["pid"]; ok && !isDigits(c.pid, 11) {
		return invalidParameterValue("claim pid is not an 11-digit national identity number")
	}
	if raw, ok := m["authorization_details"]; ok {
		c.authzDet = raw
	}
	return nil
}

// stringClaim returns the string claim name, "" when it is absent and not
// required.
func stringClaim(m map[string]json.RawMessage, name string, required bool) (string, error) {
	raw, ok := m[name]
	if !ok {
		if required {
			return "", fmt.Errorf("claim %s is missing", name)
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("claim %s is not a string", name)
	}
	if required && s == "" {
		return "", fmt.Errorf("claim %s is empty", name)
	}
	return s, nil
}

// stringOrArrayClaim returns a claim that is a non-empty string or a
// non-empty array of at most limit non-empty strings; nil when absent.
func stringOrArrayClaim(m map[string]json.RawMessage, name string, limit int) ([]string, error) {
	raw, ok := m[name]
	if !ok {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if one == "" {
			return nil, fmt.Errorf("claim %s is empty", name)
		}
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, fmt.Errorf("claim %s is neither a string nor an array of strings", name)
	}
	if len(many) == 0 || len(many) > limit {
		return nil, fmt.Errorf("claim %s must hold 1 to %d values", name, limit)
	}
	for _, s := range many {
		if s == "" {
			return nil, fmt.Errorf("claim %s holds an empty string", name)
		}
	}
	return many, nil
}

// timeClaim returns a NumericDate claim (RFC 7519 §2): seconds since the
// epoch, a JSON number; the zero time when absent and not required.
func timeClaim(m map[string]json.RawMessage, name string, required bool) (time.Time, error) {
	raw, ok := m[name]
	if !ok {
		if required {
			return time.Time{}, fmt.Errorf("claim %s is missing", name)
		}
		return time.Time{}, nil
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || !(raw[0] == '-' || '0' <= raw[0] && raw[0] <= '9') {
		return time.Time{}, fmt.Errorf("claim %s is not a number (seconds since 1970)", name)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, fmt.Errorf("claim %s is not a time in seconds since 1970", name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
