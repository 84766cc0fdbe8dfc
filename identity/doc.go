// Package identity loads enterprise certificates (virksomhetssertifikat) and
// exposes them as a [crypto.Signer] with its certificate chain, the form
// every felles client that signs or authenticates takes.
//
// Norwegian enterprise certificates are issued by Buypass and Commfides
// under the SEID profiles, usually delivered as a password-protected
// PKCS#12 file (.p12/.pfx). [LoadPKCS12File] and [ParsePKCS12] read those,
// both the modern kind (PBES2 with AES-256, as openssl 3 writes by default)
// and the legacy kind (RC2-40 or 3DES, as older issuer files and
// "openssl pkcs12 -legacy" produce). [LoadPEMFiles] and [ParsePEM] read a
// certificate chain and an unencrypted private key in PEM. [NewCertificate]
// wraps any other crypto.Signer, such as a key in an HSM or a cloud KMS.
// Every loader checks that the private key belongs to the certificate.
//
// The organisation number sits in the certificate subject: in current
// certificates as organizationIdentifier "NTRNO-<orgnr>" (ETSI EN 319 412-1,
// semantics identifier NTR, country NO), in older ones as a nine-digit
// serialNumber. [OrganizationNumber] reads either form and checks the
// number with the mod-11 rule of the Brønnøysund Register Centre
// ([ValidOrganizationNumber]).
//
// Errors from this package start with "identity: ", name the file where
// there is one, and never contain a password or key material. Callers
// branch on the sentinel errors ([ErrWrongPassword], [ErrNoPrivateKey],
// [ErrKeyMismatch], ...) with errors.Is and on [*ValidityError] and
// [*OrganizationNumberError] with errors.As.
//
// References:
//   - Organisation numbers: https://www.brreg.no/ (Enhetsregisteret,
//     "the organization number consists of 9 digits, where the last is a
//     check digit ... modulus 11").
//   - Enterprise certificates: https://www.buypass.no/ and
//     https://www.commfides.com/virksomhetssertifikat/ (SEID 2.0).
package identity
