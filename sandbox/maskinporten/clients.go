package maskinporten

import (
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/fellesgo/felles/identity"
)

// Client is a Maskinporten client (an "integration" in Digdir's
// self-service) registered in the sandbox.
type Client struct {
	// ID is the client id, which the grant carries as iss.
	ID string
	// OrganizationNumber is the organisation number of the client's owner.
	// A grant with x5c must be signed with an enterprise certificate issued
	// to this number (MP-122 otherwise).
	OrganizationNumber string
	// Scopes are the scopes the client may ask for without delegation.
	Scopes []string
	// Keys are the client's registered public keys (JWKs in Digdir's
	// self-service) by key id: RSA keys of at least 2048 bits. When Keys is
	// non-empty the client must sign its grants with one of them and name it
	// with kid; a grant with x5c is refused, as Maskinporten does.
	Keys map[string]crypto.PublicKey
}

// Delegation is a delegation in Altinn: the consumer lets the supplier ask
// for tokens on its behalf (the grant's consumer_org) for some scopes.
type Delegation struct {
	Consumer string   // the consumer's organisation number
	Supplier string   // the supplier's organisation number, the client's owner
	Scopes   []string // the delegated scopes
}

// client is a registered Client.
type client struct {
	id     string
	orgnr  string
	scopes map[string]bool
	keys   map[string]*rsa.PublicKey
}

func newClient(c Client) (*client, error) {
	if err := checkClientID(c.ID); err != nil {
		return nil, err
	}
	if !identity.ValidOrganizationNumber(c.OrganizationNumber) {
		return nil, fmt.Errorf("maskinporten: client %s: organisation number %q is not nine digits with a valid mod-11 check digit", c.ID, c.OrganizationNumber)
	}
	cl := &client{id: c.ID, orgnr: c.OrganizationNumber, scopes: map[string]bool{}, keys: map[string]*rsa.PublicKey{}}
	for _, s := range c.Scopes {
		if err := checkScope(s); err != nil {
			return nil, fmt.Errorf("maskinporten: client %s: %w", c.ID, err)
		}
		cl.scopes[s] = true
	}
	for _, kid := range slices.Sorted(maps.Keys(c.Keys)) {
		if kid == "" || len(kid) > 255 {
			return nil, fmt.Errorf("maskinporten: client %s: a key id must be 1 to 255 characters", c.ID)
		}
		pub, ok := c.Keys[kid].(*rsa.PublicKey)
		if !ok || pub == nil {
			return nil, fmt.Errorf("maskinporten: client %s: key %q is %T; Maskinporten grants are RS256, RS384 or RS512 and need an *rsa.PublicKey", c.ID, kid, c.Keys[kid])
		}
		if pub.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("maskinporten: client %s: key %q has %d bits; at least %d are required", c.ID, kid, pub.N.BitLen(), minRSABits)
		}
		cl.keys[kid] = pub
	}
	return cl, nil
}

func checkClientID(id string) error {
	if id == "" || len(id) > 255 {
		return errors.New("maskinporten: a client id must be 1 to 255 characters")
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("maskinporten: client id %q contains a space or control character", id)
		}
	}
	return nil
}

// checkScope checks s against the scope-token syntax of RFC 6749 §3.3.
func checkScope(s string) error {
	if s == "" || len(s) > 255 {
		return fmt.Errorf("scope %q must be 1 to 255 characters", truncate(s, 40))
	}
	for i := range len(s) {
		c := s[i]
		if c < 0x21 || c == '"' || c == '\\' || c > 0x7e {
			return fmt.Errorf("scope %q has a character not allowed in a scope (RFC 6749 §3.3)", truncate(s, 40))
		}
	}
	return nil
}

// delegationKey identifies one delegated scope.
type delegationKey struct{ consumer, supplier, scope string }

func checkDelegation(d Delegation) error {
	for _, n := range []string{d.Consumer, d.Supplier} {
		if !identity.ValidOrganizationNumber(n) {
			return fmt.Errorf("maskinporten: delegation: organisation number %q is not nine digits with a valid mod-11 check digit", n)
		}
	}
	if d.Consumer == d.Supplier {
		return errors.New("maskinporten: delegation: consumer and supplier are the same organisation")
	}
	if len(d.Scopes) == 0 {
		return errors.New("maskinporten: delegation: no scopes")
	}
	for _, s := range d.Scopes {
		if err := checkScope(s); err != nil {
			return fmt.Errorf("maskinporten: delegation: %w", err)
		}
	}
	return nil
}

// userLoginScopes are the OpenID Connect scopes of user login (ID-porten),
// which Maskinporten refuses with MP-201.
var userLoginScopes = map[string]bool{
	"openid": true, "profile": true, "email": true, "address": true, "phone": true, "offline_access": true,
}
