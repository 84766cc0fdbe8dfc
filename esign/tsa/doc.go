// Package tsa is an RFC 3161 timestamp client and timestamp token
// verifier.
//
// A [Client] asks a timestamp authority (TSA) to timestamp a digest: it
// sends a TimeStampReq with a fresh nonce and certReq set, through felles'
// HTTP layer (retries with backoff, redacted logging, the caller's
// context), and checks that the answer is granted, carries the nonce it
// sent and imprints the digest it asked for, and that the token's CMS
// signature is intact. [Token.Verify] does the full check a relying party
// makes: the imprint, the CMS signature over the TSTInfo, a signer
// certificate whose only extended key usage is a critical
// id-kp-timeStamping, and its chain to the given roots at the token's
// time.
//
// PAdES signature timestamps and document timestamps, and CAdES/XAdES
// signature timestamps, are tokens from this package. For tests, the
// sandbox runs a TSA (package github.com/fellesgo/felles/sandbox/tsa,
// mounted at [github.com/fellesgo/felles/sandbox.Sandbox.TSAURL]).
//
// # Limits
//
// Answers and tokens larger than [MaxResponseSize] are refused with a
// *[ParseError]. [Token.Verify] with nil roots uses the system roots.
// Revocation of the TSA certificate is not checked.
//
// # Errors
//
// Match with [errors.As]: *[Error] (the TSA refused, with its
// [PKIStatus] and [FailureInfo]), *[HTTPError] (an HTTP status other than
// 200) and *[ParseError] (a malformed answer or token). Match with
// [errors.Is]: [ErrNonceMismatch], [ErrImprintMismatch],
// [ErrPolicyMismatch], [ErrNotTSACertificate] and [ErrSigningCertificate].
package tsa
