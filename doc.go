// Package felles is a Go SDK for the Nordic national common components
// ("felleskomponenter") that municipalities and their vendors integrate with.
//
// The module is organised by domain:
//
//   - [github.com/fellesgo/felles/identity]: enterprise certificates
//     (virksomhetssertifikat) from PKCS#12 or PEM, or any crypto.Signer.
//   - [github.com/fellesgo/felles/identity/maskinporten]: Maskinporten access
//     tokens (JWT-bearer grant), as an oauth2.TokenSource and an http.Client.
//   - [github.com/fellesgo/felles/registry/personid]: Norwegian fødselsnummer
//     and D-nummer (incl. the 2032 rule and synthetic test numbers) and
//     Danish CPR numbers, as a type that prints itself masked.
//   - [github.com/fellesgo/felles/registry/krr]: the contact and reservation
//     register (KRR): batched lookups and the contact decision.
//   - [github.com/fellesgo/felles/registry/folkeregister]: Folkeregisteret:
//     person documents, bulk lookup, search and the event feed.
//   - [github.com/fellesgo/felles/einvoice]: EHF / Peppol BIS Billing 3.0
//     invoices: typed model, builder, and validation with the official
//     rules, natively.
//   - [github.com/fellesgo/felles/esign/pades], [github.com/fellesgo/felles/esign/xades],
//     [github.com/fellesgo/felles/esign/asice], [github.com/fellesgo/felles/esign/tsa]:
//     PAdES seals of PDFs, XAdES signatures in ASiC-E containers, RFC 3161
//     timestamps; sign and verify.
//   - [github.com/fellesgo/felles/sandbox]: a local imitation of the national
//     services (Maskinporten, KRR, Folkeregisteret over a synthetic
//     population, a timestamp authority), in-process for tests and
//     standalone (felles sandbox).
//   - cmd/felles: the command-line tool; examples/: runnable programs.
//
// Planned, not yet built: identity/idporten, digitalpost/dpi,
// esign/signering, einvoice/peppol. See README.md for the status table.
//
// This package holds the configuration file format shared by the CLI and the
// examples ([LoadConfig]) and the module [Version].
package felles

import "github.com/fellesgo/felles/internal/version"

// Version is the felles module version, also sent as User-Agent felles/<Version>.
const Version = version.Version
