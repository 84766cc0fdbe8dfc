// Package xades makes and checks XAdES baseline B-B signatures
// (ETSI TS 103 171, XAdES 1.3.2) over the files of an ASiC-E container,
// as the file META-INF/signatures.xml that the Norwegian profiles (DPI
// "dokumentpakke", Posten signering) require.
//
// [Sign] builds a detached XML signature with one ds:Reference per file
// (no transforms, SHA-256 digests), a reference to the XAdES
// SignedProperties (SigningTime, SigningCertificate with a SHA-1
// CertDigest and IssuerSerial, one DataObjectFormat per file), the whole
// certificate chain in KeyInfo/X509Data, and an RSA-SHA256 (or
// ECDSA-SHA256) signature value made with a [crypto.Signer]. The
// serialisation follows the documents produced by Digdir's integration
// point and by Posten's Java client, so that xmlsec1 and the Java/.NET
// verifiers accept it.
//
// [Verify] parses signatures.xml through felles' hardened XML gate
// (no DOCTYPE, size and depth limits), accepts both ASiC namespaces
// (http://uri.etsi.org/02918/v1.2.1# and http://uri.etsi.org/2918/v1.2.1#),
// checks an allow-list of algorithms, resolves every file reference
// against an [fs.FS], recomputes every digest, verifies the signature
// value and the certificate chain, and refuses signature wrapping: the
// SignedProperties reference must resolve to the one SignedProperties
// element inside this signature's QualifyingProperties, and duplicate Id
// attributes anywhere in the document are refused. The returned
// [Signature] holds only what was verified.
//
// Trust comes from [VerifyOptions.Roots], the system roots when nil.
// When the chain does not verify, [Verify] still returns
// the *[Signature] (with a nil Chain) together with an [ErrUntrusted] error,
// so that callers can report who signed.
//
// Not done here: revocation checking (OCSP, CRL) of the signer's
// certificate, and XAdES-T and later levels (unsigned properties such as
// SignatureTimeStamp are ignored, neither verified nor reported).
//
// # Limits
//
// [Verify] refuses a signatures.xml larger than 10 MiB (see
// [VerifyOptions.MaxSize]) or nested deeper than 64 elements, more than 1000
// references, more than 16 certificates in KeyInfo, more than 10000 Id
// attributes, and base64 values that decode to more than 1 MiB.
//
// # Errors
//
// Verification failures are a *[VerifyError] (match with [errors.As]; it
// names the reference concerned) wrapping one of the sentinel errors
// (match with [errors.Is]): [ErrMalformed], [ErrAlgorithm],
// [ErrReference], [ErrDigestMismatch], [ErrBadSignature],
// [ErrCertificate], [ErrUntrusted] and [ErrWrapping]. Invalid arguments
// and options, to [Sign] or [Verify], give an error wrapping [ErrInput].
//
// References:
//   - XML Signature Syntax and Processing: https://www.w3.org/TR/xmldsig-core1/
//   - XAdES 1.3.2: ETSI TS 101 903; baseline profile ETSI TS 103 171
//   - ASiC: ETSI TS 102 918 / EN 319 162-1
package xades
