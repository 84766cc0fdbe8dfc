package maskinporten

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/fellesgo/felles/identity"
)

// Request describes the access token to get. Requests that differ in any
// field get different tokens; the order of Scopes does not matter.
type Request struct {
	// Scopes are the scopes to ask for; at least one is required. Digdir
	// recommends one scope per token.
	Scopes []string
	// Resource restricts the token's audience (RFC 8707): the resource
	// servers' identifiers, absolute URIs. It is sent as the "resource"
	// claim, a JSON array, only when set.
	Resource []string
	// ConsumerOrg is the organisation number (nine digits) of the consumer
	// a supplier acts for, under a delegation in Altinn. It is sent as the
	// "consumer_org" claim only when set.
	ConsumerOrg string
	// AuthorizationDetails is a rich authorization request (RFC 9396), a
	// JSON array of objects with a "type", e.g.
	//	[{"type":"urn:altinn:systemuser","systemuser_org":{"authority":"iso6523-actorid-upis","ID":"0192:999999999"}}]
	// It is sent as the "authorization_details" claim only when set.
	AuthorizationDetails json.RawMessage
}

// normRequest is a validated Request in the form the grant sends it.
type normRequest struct {
	scope       string   // sorted, de-duplicated, space-separated
	resource    []string // nil when not set
	consumerOrg string
	authzDet    json.RawMessage // compacted; nil when not set
}

// normalize validates r and returns it in canonical form with its cache key.
func normalize(r Request) (normRequest, string, error) {
	var n normRequest
	if len(r.Scopes) == 0 {
		return n, "", errors.New("maskinporten: at least one scope is required")
	}
	scopes := slices.Clone(r.Scopes)
	for _, s := range scopes {
		if err := checkScope(s); err != nil {
			return n, "", err
		}
	}
	slices.Sort(scopes)
	n.scope = strings.Join(slices.Compact(scopes), " ")

	for _, res := range r.Resource {
		u, err := url.Parse(res)
		if err != nil || !u.IsAbs() || u.Fragment != "" || strings.ContainsAny(res, " \t\r\n#") {
			return n, "", fmt.Errorf("maskinporten: resource %q is not an absolute URI without a fragment (RFC 8707)", res)
		}
	}
	if len(r.Resource) > 0 {
		n.resource = slices.Clone(r.Resource)
	}

	if r.ConsumerOrg != "" {
		if !identity.ValidOrganizationNumber(r.ConsumerOrg) {
			return n, "", fmt.Errorf("maskinporten: consumer_org %q is not an organisation number (nine digits with a valid mod-11 check digit)", r.ConsumerOrg)
		}
		n.consumerOrg = r.ConsumerOrg
	}

	if len(r.AuthorizationDetails) > 0 {
		d, err := checkAuthorizationDetails(r.AuthorizationDetails)
		if err != nil {
			return n, "", err
		}
		n.authzDet = d
	}

	key, err := json.Marshal([]any{n.scope, n.resource, n.consumerOrg, n.authzDet})
	if err != nil { // cannot happen: every part is valid JSON
		return n, "", fmt.Errorf("maskinporten: %w", err)
	}
	return n, string(key), nil
}

// checkScope accepts an RFC 6749 scope-token: printable ASCII except space,
// '"' and '\'.
func checkScope(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("maskinporten: empty scope %q", s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return fmt.Errorf("maskinporten: scope %q has a space or a character not allowed in a scope; give each scope as its own element", s)
		}
	}
	return nil
}

// checkAuthorizationDetails requires a JSON array of objects, each with a
// non-empty string "type" (RFC 9396 §2), and returns it compacted.
func checkAuthorizationDetails(raw json.RawMessage) (json.RawMessage, error) {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, errors.New("maskinporten: authorization_details must be a JSON array of objects")
	}
	if len(items) == 0 {
		return nil, errors.New("maskinporten: authorization_details is an empty array")
	}
	for i, it := range items {
		var typ string
		if err := json.Unmarshal(it["type"], &typ); err != nil || typ == "" {
			return nil, fmt.Errorf(`maskinporten: authorization_details[%d] has no "type"`, i)
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("maskinporten: authorization_details: %w", err)
	}
	return buf.Bytes(), nil
}
