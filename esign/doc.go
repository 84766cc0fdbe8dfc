// Package esign is the root of felles' electronic-signature packages. It
// holds no code of its own; the formats live in sub-packages:
//
//   - [github.com/fellesgo/felles/esign/pades]: PAdES baseline signatures
//     (B-B and B-T) on PDF documents, document timestamps, and verification
//     with coverage checks (what was changed after a signature).
//   - [github.com/fellesgo/felles/esign/xades]: XAdES baseline B-B
//     signatures over the files of an ASiC-E container
//     (META-INF/signatures.xml), as the Norwegian DPI and Posten signering
//     profiles use them, and their verification.
//   - [github.com/fellesgo/felles/esign/asice]: ASiC-E containers: writing
//     them in the layouts DPI and Posten signering expect, reading untrusted
//     containers safely (path traversal, duplicates, zip bombs, a lying
//     mimetype), and verifying that every file is covered by the signature.
//   - [github.com/fellesgo/felles/esign/tsa]: an RFC 3161 timestamp client
//     and timestamp-token verification.
//
// The profiles are described in Digdir's DPI documentation
// (https://docs.digdir.no/) and Posten signering's integration guide
// (https://signering-docs.readthedocs.io/).
package esign
