// Package felles is a Go SDK for the Nordic national common components
// ("felleskomponenter") that municipalities and their vendors integrate with.
//
// The module is organised by domain:
//
//   - [github.com/fellesgo/felles/identity]: enterprise certificates
//     (virksomhetssertifikat) from PKCS#12 or PEM, or any crypto.Signer.
//   - [github.com/fellesgo/felles/identity/maskinporten]: Maskinporten access
//     tokens (JWT-bearer grant), as an oauth2.TokenSource and an http.Client.
//   - [github.com/fellesgo/felles/sandbox]: a local imitation of the national
//     services, in-process for tests and standalone (felles sandbox).
//   - cmd/felles: the command-line tool; examples/: runnable programs.
//
// Planned, not yet built: identity/idporten, registry/krr,
// registry/folkeregister, registry/personid, digitalpost/dpi, esign/...,
// einvoice/... . See README.md for the status table.
//
// This package holds the configuration file format shared by the CLI and the
// examples ([LoadConfig]) and the module [Version].
package felles

import "github.com/fellesgo/felles/internal/version"

// Version is the felles module version, also sent as User-Agent felles/<Version>.
const Version = version.Version
