package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles"
	"github.com/fellesgo/felles/internal/testpki"
	"github.com/fellesgo/felles/sandbox"
)

// TestQuickstart runs the tour against the in-process sandbox, as
// `go run ./examples/quickstart` does, and checks that every step happened.
func TestQuickstart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, "", "", &out); err != nil {
		t.Fatalf("quickstart failed: %v\noutput so far:\n%s", err, out.String())
	}
	for _, want := range []string{
		"organisation number ",
		"Got a Bearer token",
		"same token: true",
		"200 OK",
		"Folkeregisteret: ",
		"lives at ",
		"Contact decision: digital_mailbox",
		"Contact decision: paper",
		`error "invalid_scope"`,
		"Payable: ",
		"valid true, 0 rules fired",
		"With a wrong TaxInclusiveAmount: BR-CO-15",
		"<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>",
		"as PAdES baseline B-T",
		"Verified Signature1 (ETSI.CAdES.detached): valid true, covers entire file, signed by Sandbox Kommune.",
		"Its timestamp says ",
		"to 2026/4712: valid false.",
		"Done.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestQuickstartWithConfig runs the tour with a configuration file, as
// against a standalone sandbox or the Test environment: the resident to look
// up comes from Folkeregisteret's event feed.
func TestQuickstartWithConfig(t *testing.T) {
	sb, err := sandbox.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	tc := sb.TestClient()
	dir := t.TempDir()
	p12, err := testpki.EncodePKCS12(tc.Certificate, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "client.p12"), p12, 0o600); err != nil {
		t.Fatal(err)
	}
	roots := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sb.RootCertificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "roots.pem"), roots, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := felles.Config{Environment: felles.EnvironmentSandbox, ClientID: tc.ClientID, OrganizationNumber: tc.OrganizationNumber,
		Certificate: felles.CertificateConfig{File: "client.p12", Password: "pw"}, Endpoints: sb.Endpoints(), Roots: "roots.pem"}
	path := filepath.Join(dir, "felles.json")
	if err := cfg.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, path, "", &out); err != nil {
		t.Fatalf("quickstart -config failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{"Reading the configuration", "200 OK", "Folkeregisteret: ", "Contact decision: ", "PAdES baseline B-T", "valid true, covers entire file", "Done."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
