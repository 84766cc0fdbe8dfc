// Package maskinporten is the felles sandbox's imitation of Maskinporten,
// Digdir's machine-to-machine OAuth 2.0 server: the token endpoint with the
// JWT-bearer grant (RFC 7523), its metadata (RFC 8414), the JWKS of its
// token-signing key, and a [Verifier] with which the sandbox's other
// services protect their endpoints.
//
// The token endpoint is as strict as the real one (Digdir's documentation:
// https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant):
//
//   - POST with form data only; grant_type exactly
//     urn:ietf:params:oauth:grant-type:jwt-bearer; bounded body and
//     assertion; no repeated parameters.
//   - The assertion is a compact JWS in strict base64url, alg RS256, RS384
//     or RS512 (never none, HS*, PS* or ES*), with exactly one of kid (a key
//     registered on the client, required when the client has keys) and x5c
//     (a JSON array holding an enterprise certificate chain that verifies to
//     the sandbox's CA and carries the client's organisation number). The
//     signature is verified with go-jose, not with felles's own code.
//   - iss is a registered client; aud is the issuer exactly; iat is within
//     10 seconds of the server's clock; exp − iat is at most 120 seconds and
//     exp has not passed; a jti is never accepted twice.
//   - Every scope is registered on the client, or delegated to the client's
//     organisation by consumer_org; resource becomes the token's aud;
//     authorization_details of type urn:altinn:systemuser is echoed.
//
// Refusals are HTTP 400 with {"error", "error_description", "error_uri"},
// carrying Maskinporten's codes (MP-100, MP-110, ...) in error_uri, which
// points at a short explanation the server also serves. Access tokens are
// JWTs signed with RS256 with the claims Maskinporten's have (client_id,
// client_amr, consumer, supplier when delegated, scope, aud, iat, exp, jti).
package maskinporten
