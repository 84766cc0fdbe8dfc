// Package pades signs and verifies PDF documents with PAdES signatures
// (ETSI EN 319 142-1).
//
// # Signing
//
// [Sign] (or [New] and [Signer.Sign]) appends an incremental update with a
// PAdES baseline B-B signature: a signature dictionary with
// /SubFilter /ETSI.CAdES.detached, a CMS SignedData with the ESS
// signing-certificate-v2 attribute and no signing-time attribute (the time
// is written to the dictionary's /M), an invisible or visible
// ([WithVisible]) signature field, and an updated AcroForm. The original
// bytes are copied unchanged, so earlier signatures stay valid and a
// document can be signed several times. [WithTimestamp] makes it B-T: the
// signature value is timestamped by an RFC 3161 TSA (see package
// github.com/fellesgo/felles/esign/tsa) and the token added as an unsigned
// attribute. [Timestamp] adds a document timestamp (/ETSI.RFC3161).
// [WithLegacyProfile] produces the older adbe.pkcs7.detached signatures of
// github.com/digitorus/pdfsign instead.
//
// The input is read through an io.ReaderAt and the output streamed to an
// io.Writer; only the appended update is held in memory. Files using a
// classic cross-reference table get a table, files using cross-reference
// streams get a stream. Encrypted PDFs are refused ([ErrEncrypted]).
//
// # Verifying
//
// [Verify] reports on every signature and document timestamp, found both
// through the AcroForm and by scanning the file for /ByteRange, so none is
// silently skipped. For each it checks the byte range (exactly [0 a b c],
// the gap being exactly the /Contents hex string, the end at a revision
// boundary or the end of the file), the CMS signature over the covered
// bytes, the ESS signing-certificate-v2 attribute, the certificate chain
// against the given roots at the time the signature is known to have
// existed (the signature timestamp's time when present, else now or
// [VerifyOptions.Time]; never the signer's claimed /M), and the signature
// timestamp. A signature without a timestamp of its own whose certificate
// has expired since is still valid when a valid document timestamp over a
// later revision proves it existed while the certificate was valid (as in
// PAdES B-LTA validation; this is what [Timestamp] is for). When bytes
// follow the signed revision it describes what the later updates changed,
// and flags changes beyond adding signatures, document timestamps, DSS data
// and metadata (for example a changed page content stream) as unsafe.
// [Report.Valid] is true only when every signature is valid.
//
// Trust comes from [VerifyOptions.Roots], the system roots when nil; a
// signature whose chain does not verify is reported invalid. Revocation
// (OCSP, CRL) is not checked.
//
// # Limits
//
// PDFs are untrusted input. Sign, Timestamp and Verify refuse a PDF larger
// than [DefaultMaxSize] (64 MiB; change it with [WithMaxSize] for signing
// and [VerifyOptions.MaxSize] for verifying), Verify checks at most
// [MaxSignatures] signatures, and panics of the underlying PDF reader
// (github.com/digitorus/pdf, reached through internal/pdfsig) are turned
// into errors wrapping [ErrMalformed].
//
// # Errors
//
// Match with [errors.Is]: [ErrMalformed], [ErrEncrypted], [ErrFieldName],
// [ErrContentsTooSmall] and [ErrTooManySignatures]. Match with
// [errors.As]: *[SizeError] (input over the size limit), and, from a
// timestamp authority reached through [WithTimestamp] or [Timestamp],
// *[tsa.Error] and *[tsa.HTTPError]. An invalid signature is not an
// error: see [Report.Valid] and [SignatureReport.Reasons].
package pades
