// Package folkeregister is the felles sandbox's imitation of
// Folkeregisteret's consumer API (Skatteetaten), over a synthetic
// population (package [github.com/fellesgo/felles/sandbox/population]).
// Skatteetaten's documentation:
// https://skatteetaten.github.io/folkeregisteret-api-dokumentasjon/.
//
// The sandbox mounts it below URL()+"/folkeregister/", with the paths of
// folkeregisteret.api.skatteetaten.no, for two rights packages:
//
//	folkeregisteret/offentlig-med-hjemmel/api/v1/   scope folkeregister:deling/offentligmedhjemmel
//	folkeregisteret/api/offentligutenhjemmel/v1/    scope folkeregister:deling/offentligutenhjemmel
//
// and below each of them:
//
//	GET  personer/{id}?part=...            the person document
//	POST personer/bulkoppslag?part=...     {"foedselsEllerDNummer":[...]}, 1 to 1000
//	GET  personer/soek?navn=&kommunenummer=&foedselsaarFraOgMed=&...
//	GET  personer/entydigsoek?navn=&foedselsdato=yyyymmdd&...&part=...
//	GET  personer/arkiv/{persondokument}   the person after an event (med hjemmel)
//	GET  hendelser/feed?seq=N              up to 1000 events from N, with ETag
//	GET  hendelser/siste/sekvensnummer     the last sequence number, a bare number
//	GET  hendelser/{hendelsesdokument}     an event document (med hjemmel)
//
// Person documents have Folkeregisteret's shape: every property an array
// of elements, each with the register metadata flattened into it
// (ajourholdstidspunkt, erGjeldende, kilde, aarsak, gyldighetstidspunkt,
// opphoerstidspunkt). Without part a lookup gives person-basis with the
// current elements only; part=historikk adds the earlier ones,
// part=relasjon-utvidet the familierelasjon (med hjemmel only), and any
// property name (navn, bostedsadresse, ...) asks for that property; parts
// repeat or are separated by commas.
//
// The feed holds the population's events from 36 months back: a seq older
// than that is answered 406 with Skatteetaten's message; beyond the end,
// []. Pages carry a strong ETag; If-None-Match with it gives 304, until
// new events ([github.com/fellesgo/felles/sandbox.Sandbox.AdvanceFeed], or
// [github.com/fellesgo/felles/sandbox.WithLiveFeed]) change the page. Each
// event's persondokument is the key of personer/arkiv/{persondokument}.
//
// Errors are {"kode":"FREG-…","melding":"…"} (Norwegian): 400 for bad
// input (and more than 10 000 search hits, more than one entydigsoek hit,
// or an archived document older than the retention), 403 for a token
// without the package's scope or a part outside the package, 404 for an
// unknown person, document, resource or package, 406 for an Accept that
// does not allow JSON or a seq that is too old. A missing or invalid token
// is refused with 401 by the sandbox's Maskinporten verifier. Rate limits
// (429) come from the sandbox's fault injection, with Retry-After in
// milliseconds as Skatteetaten documents.
//
// Choices where Skatteetaten's documentation is silent (UNVERIFIED): only
// JSON is served (XML and Atom get 406); error codes other than FREG-001
// are the sandbox's own (FREG-<status>); an unknown identifier in a bulk
// lookup comes back as an element with foedselsEllerDNummer and no
// folkeregisterperson; soek with no hits answers {"foedselsEllerDNummer":[]}
// and needs at least one narrowing criterion; entydigsoek with no match is
// 404 (it answers the person document, as Skatteetaten documents, and takes
// part); the uten hjemmel feed carries
// no document keys; a part outside the package is 403, an unknown part
// 400; kilde is "KILDE_DSF" for data from before the feed and
// "Folkeregisteret" after.
package folkeregister
