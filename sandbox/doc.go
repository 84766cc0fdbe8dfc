// Package sandbox is a local imitation of the Norwegian national services
// felles talks to, for tests and for trying felles without access to
// Digdir's test environment. It runs in-process, started from a test or an
// example with one call, or standalone with `felles sandbox`.
//
//	sb, err := sandbox.Start()
//	...
//	defer sb.Close()
//	tc := sb.TestClient() // a client id, an enterprise certificate, scopes
//	// Maskinporten's issuer is sb.MaskinportenIssuer().
//
// The sandbox has its own certificate authority, which issues enterprise
// certificates (virksomhetssertifikat) for any organisation number
// ([Sandbox.IssueCertificate]); its Maskinporten trusts that CA alone. It
// serves, below [Sandbox.URL]:
//
//	/maskinporten/.well-known/oauth-authorization-server   metadata (RFC 8414)
//	/maskinporten/jwk                                      the access-token signing key
//	/maskinporten/token                                    the token endpoint
//	/maskinporten/errors/MP-xxx                            what an error code means
//	/sandbox/whoami                                        who the access token says you are
//	/sandbox/health                                        {"status":"ok"}
//	/krr/rest/v1/personer, /krr/rest/v2/personer           KRR's lookup service
//	/krr/rest/v2/printSertifikat                           KRR's print certificate
//	/folkeregister/folkeregisteret/offentlig-med-hjemmel/api/v1/...
//	/folkeregister/folkeregisteret/api/offentligutenhjemmel/v1/...
//	                                                       Folkeregisteret's consumer API
//	/tsa                                                   an RFC 3161 timestamp authority ([Sandbox.TSAURL])
//
// Maskinporten is as strict as the real one; see package
// [github.com/fellesgo/felles/sandbox/maskinporten] for what it checks.
// /sandbox/whoami takes any valid access token of the sandbox's
// Maskinporten ("Authorization: Bearer ...") and answers with its client,
// consumer and scopes; without one it answers 401 with a
// WWW-Authenticate challenge (RFC 6750).
//
// # Registers
//
// KRR and Folkeregisteret answer from one synthetic population of 10 000
// persons ([WithPopulation] for another size or seed; [Sandbox.Population]
// to pick persons for a test), with synthetic identity numbers, families,
// addresses, contact details and four years of events in Folkeregisteret's
// feed. [Sandbox.AdvanceFeed] adds events, and [WithLiveFeed] adds them
// steadily, for a client following the feed. See packages
// [github.com/fellesgo/felles/sandbox/krr],
// [github.com/fellesgo/felles/sandbox/folkeregister] and
// [github.com/fellesgo/felles/sandbox/population].
//
// # Faults
//
// The sandbox can imitate failures: an error status (with Retry-After), a
// slow answer, or a dropped connection. Install them with [WithFault] or
// [Sandbox.InjectFault], or ask for one in a request with the header
// Felles-Sandbox-Fault ([FaultHeader]). Its value is directives separated
// by semicolons:
//
//	status=N          answer with HTTP status N (400–599) instead
//	retry-after=S     with a Retry-After of S seconds (or a duration, 1500ms)
//	retry-after-ms=N  with a Retry-After of N milliseconds, written in ms
//	retry-after-unit=U  the unit Retry-After is written in, s or ms; the
//	                  default is the service's: ms below /folkeregister/
//	                  (Skatteetaten documents milliseconds), s elsewhere
//	latency=D         wait D first (a Go duration: 250ms, 2s; at most 1m)
//	drop              close the connection without answering
//	times=N           fault only the first N requests with this key
//	key=K             the key requests are counted under (at most 64 bytes);
//	                  default: the whole header value
//
// For example "status=503", "status=429; retry-after=2", "latency=250ms",
// "drop", or "status=503; times=2; key=run-17", which fails the first two
// requests carrying key run-17 and lets the third through, as a client's
// retries would see. The counts live as long as the sandbox; use a fresh
// key per test run against a long-running sandbox. A malformed header is
// answered with 400 {"error":"invalid_fault"}. A fault's error body has
// the service's own error shape below /krr/ (Spring's) and
// /folkeregister/ ({"kode","melding"}), and {"error":"sandbox_fault"}
// elsewhere. A fault asked for in the
// header takes precedence over installed ones. Latency ends early when the
// request is cancelled.
//
// # State
//
// With [WithStateDir] the sandbox keeps its CA, its token-signing key,
// the test client's key and certificate, and KRR's certificates (Digdir's
// signing certificate, Digipost's and e-Boks's) in a folder and reuses them, so a
// client.p12 written by an earlier run keeps working. Without it,
// everything is new at every start.
package sandbox
