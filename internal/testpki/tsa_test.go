package testpki

import (
	"crypto/x509"
	"testing"
	"time"
)

func TestIssueTSA(t *testing.T) {
	ca, err := New("TSA")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ca.IssueTSA("TSA Test", nil)
	if err != nil {
		t.Fatal(err)
	}
	leaf := c.Chain[0]
	if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping {
		t.Errorf("EKU %v", leaf.ExtKeyUsage)
	}
	if leaf.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("key usage %v", leaf.KeyUsage)
	}
	critical := false
	for _, e := range leaf.Extensions {
		if e.Id.Equal(oidExtKeyUsage) {
			critical = e.Critical
		}
	}
	if !critical {
		t.Error("EKU not critical")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Roots(), Intermediates: ca.Intermediates(),
		CurrentTime: time.Now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		t.Error(err)
	}
	if _, err := ca.IssueTSA("", nil); err == nil {
		t.Error("empty name accepted")
	}
}
