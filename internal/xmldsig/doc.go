// Package xmldsig is felles' seam over github.com/russellhaering/goxmldsig
// for XML Signature (https://www.w3.org/TR/xmldsig-core1/).
//
// [SignEnveloped] and [VerifyEnveloped] handle enveloped signatures over a
// whole document (SAML, SMP): the input is copied before signing, the
// hardened XML gate (no DOCTYPE, size/depth limits) runs before any
// parsing, an allow-list of algorithms is checked before goxmldsig sees the
// signature, and the signing certificate's chain is verified with
// crypto/x509 (goxmldsig's own trust model is byte-equal certificates).
//
// [Canonicalize] canonicalizes a subtree as it sits in its document, which
// detached and XAdES signatures need (see package esign/xades).
package xmldsig
