package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/fellesgo/felles/esign/pades"
	"github.com/fellesgo/felles/esign/tsa"
	"github.com/fellesgo/felles/identity"
)

// sealStep seals a PDF decision letter with the enterprise certificate
// (e-segl) as a PAdES signature, timestamped when a timestamp authority is
// at hand, verifies it, and shows that a change after sealing is caught.
func sealStep(ctx context.Context, say func(string, ...any), cert *identity.Certificate, tsaURL string, roots *x509.CertPool) error {
	orgName := cert.Leaf().Subject.CommonName
	letter := letterPDF([]string{
		"Vedtak om tildeling av barnehageplass",
		"",
		"Saksnummer 2026/4711",
		"Du har fått plass i Blåbærlia barnehage fra 1. august.",
		"Vedtaket kan påklages innen tre uker.",
		"",
		"Med hilsen " + orgName,
	})
	opts := []pades.Option{pades.WithReason("Vedtak"), pades.WithLocation("Norge"),
		pades.WithVisible(1, 350, 60, 545, 130, "Elektronisk segl")}
	if tsaURL != "" {
		ts, err := tsa.New(tsaURL)
		if err != nil {
			return err
		}
		opts = append(opts, pades.WithTimestamp(ts))
	}
	var sealed bytes.Buffer
	if err := pades.Sign(ctx, bytes.NewReader(letter), int64(len(letter)), &sealed, cert.Signer, cert.Chain, opts...); err != nil {
		return err
	}
	profile := "PAdES baseline B-B"
	if tsaURL != "" {
		profile = "PAdES baseline B-T (with a signature timestamp from " + tsaURL + ")"
	}
	say("   Sealed a %d-byte letter as %s: %d bytes now.", len(letter), profile, sealed.Len())

	vopts := pades.VerifyOptions{Roots: roots} // nil: the system's roots
	rep, err := pades.Verify(ctx, bytes.NewReader(sealed.Bytes()), int64(sealed.Len()), vopts)
	if err != nil {
		return err
	}
	for _, s := range rep.Signatures {
		say("   Verified %s (%s): valid %t, covers %s, signed by %s.", s.FieldName, s.SubFilter, s.Valid, s.Coverage, s.Signer.Subject.CommonName)
		if s.Timestamp != nil {
			say("   Its timestamp says %s.", s.Timestamp.Format(time.RFC3339))
		}
		for _, r := range s.Reasons {
			say("     %s", r)
		}
	}
	if !rep.Valid() {
		if roots == nil {
			return fmt.Errorf(`the sealed letter does not verify against the system's roots: name your CA's root certificates in the configuration's "roots"`)
		}
		return fmt.Errorf("the sealed letter does not verify")
	}

	// Someone changes the sealed letter: the case number, 4711 to 4712.
	forged := bytes.Clone(sealed.Bytes())
	i := bytes.Index(forged, []byte("2026/4711"))
	if i < 0 {
		return fmt.Errorf("the letter text is not where expected")
	}
	forged[i+len("2026/4711")-1] = '2'
	rep, err = pades.Verify(ctx, bytes.NewReader(forged), int64(len(forged)), vopts)
	if err != nil {
		return err
	}
	say("   After changing the case number in the sealed letter to 2026/4712: valid %t.", rep.Valid())
	for _, s := range rep.Signatures {
		for _, r := range s.Reasons {
			say("     %s", r)
		}
	}
	if rep.Valid() {
		return fmt.Errorf("a changed letter still verifies")
	}
	return nil
}
