package maskinporten_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/identity/maskinporten"
)

// A client authenticated with an enterprise certificate
// (virksomhetssertifikat), sent in the grant's x5c header.
func ExampleNewFromCertificate() {
	cert, err := identity.LoadPKCS12File("virksomhetssertifikat.p12", os.Getenv("FELLES_CERTIFICATE_PASSWORD"))
	if err != nil {
		log.Fatal(err)
	}
	c, err := maskinporten.NewFromCertificate("0b2f6c1e-4d7a-4c1b-9d35-6a0c2f6b9e11", cert,
		maskinporten.WithIssuer(maskinporten.TestIssuer),
		maskinporten.WithLogger(slog.Default()))
	if err != nil {
		log.Fatal(err) // e.g. an expired certificate: *identity.ValidityError
	}
	tok, err := c.Token(context.Background(), maskinporten.Request{
		Scopes: []string{"krr:global/kontaktinformasjon.read"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token valid until", tok.Expiry)
}

// A client whose key is registered on the Maskinporten client: the grant
// carries the key id, not the certificate.
func ExampleNew() {
	cert, err := identity.LoadPEMFiles("client.crt", "client.key")
	if err != nil {
		log.Fatal(err)
	}
	c, err := maskinporten.New("0b2f6c1e-4d7a-4c1b-9d35-6a0c2f6b9e11", cert.Signer,
		maskinporten.WithIssuer(maskinporten.ProdIssuer),
		maskinporten.WithKeyID("my-key-2026"),
		maskinporten.WithAlgorithm("RS512"))
	if err != nil {
		log.Fatal(err)
	}
	_ = c
}

// An http.Client whose requests carry a Maskinporten token, renewed as
// needed.
func ExampleClient_HTTPClient() {
	var c *maskinporten.Client // from New or NewFromCertificate

	hc := c.HTTPClient(maskinporten.Request{Scopes: []string{"krr:global/kontaktinformasjon.read"}})
	resp, err := hc.Post("https://test.kontaktregisteret.no/rest/v2/personer", "application/json",
		strings.NewReader(`{"personidentifikatorer":["23079422568"]}`))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status)
}

// The token source plugs into anything that takes an oauth2.TokenSource.
func ExampleClient_TokenSource() {
	var c *maskinporten.Client // from New or NewFromCertificate

	ts := c.TokenSource(maskinporten.Request{Scopes: []string{"skatteetaten:folkeregister"}})
	hc := oauth2.NewClient(context.Background(), ts)
	_ = hc
}

// A supplier getting a token on behalf of a consumer that delegated the
// scope to it in Altinn.
func ExampleRequest_delegation() {
	var c *maskinporten.Client // from New or NewFromCertificate

	tok, err := c.Token(context.Background(), maskinporten.Request{
		Scopes:      []string{"skatteetaten:folkeregister"},
		ConsumerOrg: "910753614",
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = tok
}

// A token for an Altinn system user (rich authorization request).
func ExampleRequest_systemUser() {
	var c *maskinporten.Client // from New or NewFromCertificate

	details, _ := json.Marshal([]any{map[string]any{
		"type":           "urn:altinn:systemuser",
		"systemuser_org": map[string]string{"authority": "iso6523-actorid-upis", "ID": "0192:910753614"},
	}})
	tok, err := c.Token(context.Background(), maskinporten.Request{
		Scopes:               []string{"altinn:serviceowner"},
		AuthorizationDetails: details,
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = tok
}

// Telling Maskinporten's refusals apart.
func ExampleError() {
	var c *maskinporten.Client // from New or NewFromCertificate

	_, err := c.Token(context.Background(), maskinporten.Request{Scopes: []string{"krr:global/kontaktinformasjon.read"}})
	var mpErr *maskinporten.Error
	switch {
	case errors.As(err, &mpErr) && mpErr.Code == "invalid_scope":
		fmt.Println("the client lacks the scope; ask the API owner for access:", mpErr.Description)
	case errors.As(err, &mpErr) && strings.HasSuffix(mpErr.URI, "/MP-121"):
		fmt.Println("the registered key has expired; upload a new one")
	case err != nil:
		fmt.Println(err)
	}
}
