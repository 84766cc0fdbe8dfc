package sandbox_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/fellesgo/felles/internal/jws"
	"github.com/fellesgo/felles/sandbox"
)

// Example starts a sandbox, takes its test client, and asks its
// Maskinporten for an access token with a JWT grant signed with the test
// client's enterprise certificate, using nothing but net/http.
func Example() {
	sb, err := sandbox.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	tc := sb.TestClient()

	// Discovery: the token endpoint is in the issuer's metadata.
	resp, err := http.Get(sb.MaskinportenIssuer() + ".well-known/oauth-authorization-server")
	if err != nil {
		log.Fatal(err)
	}
	var md struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	err = json.NewDecoder(resp.Body).Decode(&md)
	resp.Body.Close()
	if err != nil {
		log.Fatal(err)
	}

	// The JWT grant: RS256, the certificate chain in x5c, aud = issuer.
	x5c := make([]string, len(tc.Certificate.Chain))
	for i, c := range tc.Certificate.Chain {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	jti := make([]byte, 16)
	rand.Read(jti)
	now := time.Now().Unix()
	claims, _ := json.Marshal(map[string]any{
		"aud": md.Issuer, "iss": tc.ClientID, "scope": "krr:global/kontaktinformasjon.read",
		"iat": now, "exp": now + 60, "jti": base64.RawURLEncoding.EncodeToString(jti),
	})
	assertion, err := jws.Sign(tc.Certificate.Signer, jws.RS256, map[string]any{"x5c": x5c}, claims)
	if err != nil {
		log.Fatal(err)
	}

	resp, err = http.PostForm(md.TokenEndpoint, url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion":  {assertion},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		Scope       string `json:"scope"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status)
	fmt.Println(tok.TokenType, tok.ExpiresIn, tok.Scope)

	// Output:
	// 200 OK
	// Bearer 120 krr:global/kontaktinformasjon.read
}
