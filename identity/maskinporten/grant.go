package maskinporten

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fellesgo/felles/internal/jws"
)

// grantLifetime is exp − iat of a JWT grant. Maskinporten accepts at most
// 120 seconds; a grant is used once, at once.
const grantLifetime = 60 * time.Second

// grantClaims are the claims of a JWT grant, per
// https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant.
type grantClaims struct {
	Aud                  string          `json:"aud"`
	Iss                  string          `json:"iss"`
	Scope                string          `json:"scope"`
	Iat                  int64           `json:"iat"`
	Exp                  int64           `json:"exp"`
	Jti                  string          `json:"jti"`
	Resource             []string        `json:"resource,omitempty"`
	ConsumerOrg          string          `json:"consumer_org,omitempty"`
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
}

// assertion signs a new JWT grant for r with audience aud: new iat, exp and
// jti on every call, since Maskinporten rejects a reused grant.
func (c *Client) assertion(aud string, r *normRequest, now time.Time) (string, error) {
	jti, err := newUUID()
	if err != nil {
		return "", err
	}
	iat := now.Unix()
	payload, err := json.Marshal(grantClaims{
		Aud:                  aud,
		Iss:                  c.clientID,
		Scope:                r.scope,
		Iat:                  iat,
		Exp:                  iat + int64(grantLifetime/time.Second),
		Jti:                  jti,
		Resource:             r.resource,
		ConsumerOrg:          r.consumerOrg,
		AuthorizationDetails: r.authzDet,
	})
	if err != nil {
		return "", fmt.Errorf("maskinporten: grant claims: %w", err)
	}
	s, err := jws.Sign(c.signer, c.alg, c.header, payload)
	if err != nil {
		return "", fmt.Errorf("maskinporten: signing the grant: %w", err)
	}
	return s, nil
}

// newUUID returns a random (version 4) UUID from crypto/rand.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("maskinporten: jti: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:]), nil
}
