// Package krr is the felles sandbox's imitation of KRR, Kontakt- og
// reservasjonsregisteret's lookup service (oppslagstjenesten), over a
// synthetic population (package
// [github.com/fellesgo/felles/sandbox/population]). Digdir's documentation:
// https://docs.digdir.no/docs/Kontaktregisteret/oppslagstjenesten_rest.
//
// The sandbox mounts it below URL()+"/krr/":
//
//	POST rest/v1/personer        look up 1 to 1000 persons
//	POST rest/v2/personer        the same; "inkluderIkkeRegistrerte": true
//	                             answers unknown ids with status IKKE_REGISTRERT
//	GET  rest/v2/printSertifikat the print provider and its certificate
//
// Requests need a Maskinporten access token from the sandbox. What comes
// back depends on its scopes: krr:global/kontaktinformasjon.read (or the
// supplier scope krr:global/kontaktinfo.read) gives kontaktinformasjon,
// varslingsstatus and spraak; krr:global/digitalpost.read (or
// krr:global/postkasse.read) gives digital_post and sertifikat; the
// reservation and status always come. A token with none of them is
// refused with 403, one that is missing or invalid with 401, both as the
// sandbox's Maskinporten verifier answers (RFC 6750).
//
// Answers are JSON, or with "Accept: application/jose" a compact JWS
// (RS256) over the same JSON, with the signing certificate chain in x5c: a
// certificate from the sandbox's CA for Digdir, 991825827. Verify it
// against the sandbox's root ([github.com/fellesgo/felles/sandbox.Sandbox.Roots]).
//
// Times come in KRR's two forms side by side: local time with an hour-only
// offset ("2023-06-13T13:42:34+02") for the *_oppdatert and reservation
// times, UTC with milliseconds ("2023-08-05T10:45:15.768Z") for the
// *_sist_verifisert times and spraak_oppdatert. Contact details older than
// 18 months are still returned, with varslingsstatus KAN_IKKE_VARSLES.
//
// Each mailbox provider (Digipost 984661185, e-Boks 922020175) has one
// certificate from the sandbox's CA, shared by all its users as in
// reality; [Server.Providers] gives them with their keys.
//
// Errors are Spring Boot's default JSON, {"timestamp", "status", "error",
// "message", "path"}: 400 for a malformed body, fewer than 1 or more than
// 1000 identifiers, or an identifier that is not 11 digits.
//
// Choices where Digdir's documentation is silent (UNVERIFIED): v1 leaves
// unknown persons out, as v2 does by default; duplicates are answered once,
// in the order asked; an IKKE_REGISTRERT person has only
// personidentifikator, status and (with the contact scope) varslingsstatus;
// a SLETTET person also has the reservation, but no contact details,
// mailbox or language; the error body shape; printSertifikat needs the
// digital post scope and names Digipost's certificate.
package krr
