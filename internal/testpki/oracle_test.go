//go:build oracle

package testpki

import (
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesgo/felles/internal/oracle"
)

// TestOpenSSLSeesEnterpriseCertificate has openssl, which no one here wrote,
// verify the chain and read the subject the way it reads the real Buypass
// certificates in shared/testdata (organizationIdentifier as UTF8STRING
// "NTRNO-<orgnr>", or serialNumber as PRINTABLESTRING).
func TestOpenSSLSeesEnterpriseCertificate(t *testing.T) {
	oracle.Need(t, "openssl")
	ca, err := New("Felles Oracle")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := write("root.pem", ca.Root.Raw)
	issuing := write("issuing.pem", ca.Issuing.Raw)
	for _, tc := range []struct {
		legacy bool
		want   string
	}{
		{false, "organizationIdentifier=UTF8STRING:NTRNO-991825827"},
		{true, "serialNumber=PRINTABLESTRING:991825827"},
	} {
		c, err := ca.Issue(Request{OrganizationNumber: "991825827", OrganizationName: "Oracle Kommune", LegacySubject: tc.legacy})
		if err != nil {
			t.Fatal(err)
		}
		leaf := write("leaf.pem", c.Chain[0].Raw)
		out, err := exec.Command("openssl", "verify", "-CAfile", root, "-untrusted", issuing, "-purpose", "sslclient", leaf).CombinedOutput()
		if err != nil || !strings.Contains(string(out), ": OK") {
			t.Errorf("openssl verify: %v: %s", err, out)
		}
		out, err = exec.Command("openssl", "x509", "-in", leaf, "-noout", "-subject", "-nameopt", "RFC2253,show_type", "-ext", "keyUsage,extendedKeyUsage").CombinedOutput()
		if err != nil {
			t.Fatalf("openssl x509: %v: %s", err, out)
		}
		for _, want := range []string{tc.want, "O=UTF8STRING:Oracle Kommune", "C=PRINTABLESTRING:NO", "Digital Signature", "TLS Web Client Authentication"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("legacy=%v: openssl shows %s; want %q", tc.legacy, out, want)
			}
		}
	}
	// A leaf from another CA must not verify against this root.
	other, err := New("Other")
	if err != nil {
		t.Fatal(err)
	}
	c, err := other.Issue(Request{OrganizationNumber: "991825827", OrganizationName: "X"})
	if err != nil {
		t.Fatal(err)
	}
	leaf := write("foreign.pem", c.Chain[0].Raw)
	if out, err := exec.Command("openssl", "verify", "-CAfile", root, "-untrusted", issuing, leaf).CombinedOutput(); err == nil {
		t.Errorf("openssl verified a foreign certificate: %s", out)
	}
}
