// Package asice writes, reads and verifies ASiC-E containers (Associated
// Signature Containers, extended form, ETSI EN 319 162-1) with a XAdES
// signature in META-INF/signatures.xml, as the Norwegian profiles use them:
//
//   - [ProfileDPI], the document package (dokumentpakke) of "Digital post til
//     innbyggere": a first, stored "mimetype" entry, the files (the business
//     manifest.xml, the main document and attachments), META-INF/signatures.xml
//     in the http://uri.etsi.org/02918/v1.2.1# namespace, and optionally the
//     ODF manifest META-INF/manifest.xml, as Digdir's integrasjonspunkt writes
//     it. See https://docs.digdir.no/docs/Digital-Post-til-Innbyggere/.
//   - [ProfileSignering], the document bundle of Posten signering: the
//     documents, the job's manifest.xml, and META-INF/signatures.xml in the
//     http://uri.etsi.org/2918/v1.2.1# namespace with form-encoded reference
//     URIs; no mimetype and no ODF manifest. See
//     https://signering-docs.readthedocs.io/.
//
// [Sign] writes a container in one pass, hashing each file once as it is
// written. [Open] reads an untrusted container from an [io.ReaderAt] without
// ever extracting it to disk: it refuses path traversal, absolute names,
// backslashes, symlinks, duplicate (also case-folded) names, encrypted
// entries, overlapping entries (non-recursive zip bombs), local and central
// headers that disagree, a mimetype entry that lies, and containers beyond
// the entry count, size and compression-ratio limits; sizes are enforced
// while decompressing, never taken from the headers alone. [Verify] opens a
// container, verifies its XAdES signature with package
// [github.com/fellesgo/felles/esign/xades], and checks that every file
// outside META-INF/ is covered by it. Trust comes from
// [VerifyOptions.Roots], the system roots when nil. Revocation (OCSP, CRL)
// is not checked.
//
// # Limits
//
// [Open] (and so [Verify]) refuses containers with more than
// [DefaultMaxEntries] entries, an entry over [DefaultMaxFileSize], a total
// over [DefaultMaxTotal], or an entry over 1 MiB compressed more than
// [DefaultMaxRatio] times; change them with [WithMaxEntries],
// [WithMaxFileSize], [WithMaxTotalSize] and [WithMaxRatio] (passed to
// Verify in [VerifyOptions.Read]). signatures.xml is limited by
// [xades.Verify] (10 MiB; see [VerifyOptions.MaxSignatureSize]). [Sign]
// accepts at most 202 files for [ProfileDPI] and 21 for [ProfileSignering] ([WithMaxFiles]).
//
// # Errors
//
// [Open] and [Sign] return a *[FormatError] (match with [errors.As]) that
// wraps one of the sentinel errors (match with [errors.Is]):
// [ErrUnsafeName], [ErrDuplicate], [ErrTooLarge], [ErrTooManyFiles],
// [ErrMimetype], [ErrMalformed] or [ErrInput]. [Verify] returns those for a
// refused container (with a nil Report), an error wrapping [ErrNotSigned]
// for a container without its one signature file or with unsigned files,
// and one wrapping [ErrInvalid] and the *[xades.VerifyError] (match
// [xades.ErrUntrusted], [xades.ErrDigestMismatch], ...) for an invalid
// signature, in both cases together with the Report.
package asice
