package maskinporten

import (
	"net/http"
)

// OAuth 2.0 error codes the token endpoint answers with (RFC 6749 §5.2,
// RFC 9396 §5).
const (
	errInvalidRequest       = "invalid_request"
	errInvalidGrant         = "invalid_grant"
	errInvalidScope         = "invalid_scope"
	errUnsupportedGrantType = "unsupported_grant_type"
	errInvalidAuthzDetails  = "invalid_authorization_details"
)

// tokenError is a refusal by the token endpoint: an HTTP status and the
// JSON body {"error", "error_description", "error_uri"}.
type tokenError struct {
	status int
	code   string // the OAuth error code
	mp     string // the Maskinporten code, "MP-xxx"; "" when it has none
	desc   string // error_description, without the trace id
}

func (e *tokenError) Error() string { return e.code + ": " + e.desc }

// refusal returns a tokenError with HTTP status 400.
func refusal(code, mp, desc string) *tokenError {
	return &tokenError{status: http.StatusBadRequest, code: code, mp: mp, desc: desc}
}

// The lead texts of Maskinporten's error descriptions.
const (
	authFailed       = "Invalid assertion. Client authentication failed."
	invalidParameter = "Invalid assertion. Invalid parameter value:"
)

// clientAuthFailed is MP-100 and friends: the grant does not authenticate
// the client.
func clientAuthFailed(mp, detail string) *tokenError {
	return refusal(errInvalidGrant, mp, authFailed+" "+detail)
}

// invalidParameterValue is MP-011: a claim or header member that is missing
// or has the wrong type or value.
func invalidParameterValue(detail string) *tokenError {
	return refusal(errInvalidRequest, "MP-011", invalidParameter+" "+detail)
}

// errorPage is the text served at issuer + "errors/MP-xxx", the error_uri.
type errorPage struct {
	title string // the description text Maskinporten uses
	help  string // what it means and what to do
}

// errorPages are Maskinporten's error codes, after Digdir's troubleshooting
// page https://docs.digdir.no/docs/Maskinporten/maskinporten_feilsoking.
var errorPages = map[string]errorPage{
	"MP-011": {"Invalid assertion. Invalid parameter value",
		"The JWT grant is malformed or a claim has a wrong type or value. Check the grant for stray line breaks and typing errors; the description names the member."},
	"MP-012": {"Grant is used before",
		"A grant with this jti was already used. Every token request needs a new grant with a new jti."},
	"MP-100": {"Invalid assertion. Client authentication failed. / Client not found",
		"The client is unknown (check the client id in iss, and that the client exists in this environment), or the grant does not identify its key (a client with registered keys must send kid)."},
	"MP-110": {"Invalid assertion. Client authentication failed. Invalid JWT claim aud",
		"The grant's aud must be the issuer exactly, trailing slash included. Take it from the issuer's metadata."},
	"MP-120": {"Invalid assertion. Client authentication failed. The JWT is signed with an invalid certificate.",
		"The certificate in x5c does not chain to a CA this environment trusts, has expired, or is not valid for signing. Production certificates are not accepted in test, and the reverse; the sandbox trusts only its own CA."},
	"MP-121": {"Invalid assertion. Client authentication failed. Expired key",
		"The key registered on the client has expired; registered keys live at most one year. Register the key again."},
	"MP-122": {"Invalid organization number for client. Does not match certificate orgno",
		"The enterprise certificate belongs to another organisation than the client. Use a certificate issued to the client's organisation number."},
	"MP-123": {"Invalid JWT header x5c",
		"x5c must be a JSON array of base64 (not base64url) DER certificates, leaf first, not a single string."},
	"MP-124": {"Invalid JWT signature",
		"The signature does not verify with the certificate or registered key, or uses an algorithm other than RS256, RS384 or RS512."},
	"MP-130": {"JWT is expired",
		"The grant has expired, or was used too late: iat must be within 10 seconds of the server's clock. Make a new grant for every request and keep the clock synchronised."},
	"MP-200": {"Token request contains invalid scopes for client",
		"A requested scope is not registered on the client. Check the scope for typing errors, and that the API owner has given your organisation access."},
	"MP-201": {"Token request contains scopes not allowed for maskinporten",
		"The scope belongs to user login (ID-porten), not to Maskinporten."},
	"MP-250": {"Consumer has not been granted access to the scope",
		"The consumer has not been given access to the scope by the API owner."},
	"MP-251": {"Consumer has not delegated access to the scope to supplier",
		"The consumer (consumer_org) has not delegated the scope to the supplier in Altinn. Delegations made in Altinn production do not apply in test."},
	"MP-301": {"Unknown authorization details type",
		"The authorization_details type is not supported; see authorization_details_types_supported in the metadata."},
	"MP-302": {"Unknown fields in the authorization details",
		"An authorization_details object has a member the type does not define."},
	"MP-303": {"Invalid authorization details values",
		"A value in authorization_details is not valid; the description names it."},
}
