// Package cms builds, parses and verifies CMS SignedData (RFC 5652) as
// PAdES (ETSI EN 319 142) and RFC 3161 timestamp tokens use it: one
// SignerInfo identified by issuer and serial number, signed attributes
// with contentType, messageDigest and the ESS signing-certificate-v2
// attribute (RFC 5035), optionally signing-time, and an optional signature
// timestamp as an unsigned attribute.
//
// It is hand-built with golang.org/x/crypto/cryptobyte because the CMS
// libraries available to Go always add a signing-time attribute, which the
// PAdES baseline profile forbids.
//
// Parsing is strict DER (no indefinite lengths) with size and count limits;
// trailing zero bytes are tolerated, as a PDF pads its /Contents with them.
package cms
