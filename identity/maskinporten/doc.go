// Package maskinporten gets access tokens from Maskinporten, Digdir's
// machine-to-machine OAuth2 server, with the JWT-bearer grant (RFC 7523).
//
// A [Client] belongs to one issuer (production, test or a sandbox), one
// client id and one key. It signs a fresh JWT grant for every HTTP attempt,
// caches the access tokens it receives per request (scopes, resource,
// consumer_org, authorization_details), renews them ahead of expiry, and
// lets concurrent callers share one token request.
//
//	c, err := maskinporten.NewFromCertificate(clientID, cert,
//		maskinporten.WithIssuer(maskinporten.TestIssuer))
//	...
//	hc := c.HTTPClient(maskinporten.Request{Scopes: []string{"krr:global/kontaktinformasjon.read"}})
//	resp, err := hc.Post("https://test.kontaktregisteret.no/rest/v2/personer",
//		"application/json", strings.NewReader(`{"personidentifikatorer":["20914695016"]}`))
//
// # Endpoints
//
// Only the issuer is configured. The token endpoint is read from the
// issuer's metadata (RFC 8414) at
// issuer + ".well-known/oauth-authorization-server" the first time a token
// is needed, and again after 24 hours. The metadata's "issuer" must equal
// the configured issuer exactly, trailing slash included; it is sent
// verbatim as the grant's "aud".
//
// # Token cache
//
// A token is reused until it is close to expiry: it is renewed when less than
// max(60 s, 10 % of its lifetime) is left, or at half-life for tokens that
// live less than two minutes. The lifetime is the server's expires_in; reading
// a token never extends it. A caller asking for a token that is due for
// renewal but still valid for more than 10 seconds gets the cached token at
// once while the renewal runs in the background, so a slow Maskinporten never
// stalls API calls; only when no usable token is cached do callers wait. If a
// renewal fails, a warning is logged, the cached token keeps being handed
// out while it is usable, and no new renewal is attempted for 10 seconds.
//
// Concurrent callers asking for the same token share one request to
// Maskinporten. Each caller stops waiting when its own context ends, but the
// request itself runs to completion (for at most a minute) so that its token
// is cached for the next caller.
//
// Maskinporten documentation:
// https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant
// and https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_token.
package maskinporten
