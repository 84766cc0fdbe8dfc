// Package krr looks persons up in KRR, Kontakt- og reservasjonsregisteret,
// Digdir's register of citizens' contact information and of their
// reservation against digital communication from the public sector.
//
// A [Client] calls KRR's lookup service (Oppslagstjenesten,
// POST /rest/v2/personer) with a Maskinporten access token:
//
//	mp, _ := cfg.Maskinporten() // a *maskinporten.Client
//	ts := mp.TokenSource(maskinporten.Request{Scopes: []string{krr.ScopeContactInfo, krr.ScopeDigitalPost}})
//	c, err := krr.New("https://test.kontaktregisteret.no/", ts)
//	...
//	persons, err := c.Lookup(ctx, "20914695016")
//
// [Client.Lookup] takes any number of identifiers and splits them into
// requests of at most 1000, sent a few at a time; [Client.LookupSeq] streams
// inputs too large to hold. Both answer in input order. [Person] carries the
// register's fields with typed values and parsed timestamps (KRR mixes
// timestamp formats; see [ParseTime]) and the mailbox certificate as an
// *x509.Certificate.
//
// [Person.ContactDecision] answers the caseworker's question: may this person
// be contacted digitally, and how: digital mailbox, a notification by e-mail
// or SMS (each channel updated or confirmed within the last 18 months, as
// eForvaltningsforskriften §32 requires), or paper, with the reason in plain
// words.
//
// With [WithSignedResponses] the client asks for signed answers
// (application/jose) and uses only what verifies: a Norwegian certificate
// for Digdir's organisation number, with the digitalSignature key usage,
// chaining to one of the roots the caller passes (never the system's).
//
// Errors start with "krr: " and never hold a whole national identity number
// or a token. Branch on [ErrUnauthorized], [ErrForbidden], [ErrRateLimited]
// and [ErrInvalidSignature] with errors.Is, and on [*APIError],
// [*BatchError], [*InvalidIDError], [*DecodeError], [*SignatureError] and
// [*TokenError]
// with errors.As.
//
// KRR documentation:
// https://docs.digdir.no/docs/Kontaktregisteret/oppslagstjenesten_rest,
// https://docs.digdir.no/docs/Kontaktregisteret/krr_attributter and
// https://docs.digdir.no/docs/Kontaktregisteret/krr_18mnd.
package krr
