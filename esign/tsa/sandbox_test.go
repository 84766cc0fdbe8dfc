package tsa_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/fellesgo/felles/esign/tsa"
	"github.com/fellesgo/felles/sandbox"
)

// TestSandboxTSA checks the TSA as the sandbox mounts it: at TSAURL and
// below /tsa/, with the sandbox clock, certificates from the sandbox CA,
// and fault injection reaching it (the client retries a 503).
func TestSandboxTSA(t *testing.T) {
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	sb, err := sandbox.Start(sandbox.WithClock(func() time.Time { return at }))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	sum := sha256.Sum256([]byte("x"))
	for _, u := range []string{sb.TSAURL(), sb.TSAURL() + "/", sb.Endpoints()["tsa"]} {
		c, err := tsa.New(u)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.Timestamp(context.Background(), crypto.SHA256, sum[:])
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if !tok.Time.Equal(at) {
			t.Errorf("genTime %v, want the sandbox clock %v", tok.Time, at)
		}
		if err := tok.Verify(crypto.SHA256, sum[:], sb.Roots(), nil); err != nil {
			t.Fatal(err)
		}
	}
	remove, err := sb.InjectFault(sandbox.Fault{PathPrefix: "/tsa", Status: http.StatusServiceUnavailable, Times: 1})
	if err != nil {
		t.Skipf("fault injection: %v", err)
	}
	defer remove()
	c, _ := tsa.New(sb.TSAURL())
	if _, err := c.Timestamp(context.Background(), crypto.SHA256, sum[:]); err != nil {
		t.Errorf("after one 503: %v", err)
	}
	resp, err := http.Get(sb.TSAURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET %s: %d", sb.TSAURL(), resp.StatusCode)
	}
	nr, _ := tsa.New(sb.TSAURL(), tsa.WithMaxRetries(-1))
	remove2, _ := sb.InjectFault(sandbox.Fault{PathPrefix: "/tsa", Status: http.StatusInternalServerError})
	defer remove2()
	var he *tsa.HTTPError
	if _, err := nr.Timestamp(context.Background(), crypto.SHA256, sum[:]); !errors.As(err, &he) {
		t.Errorf("with a fault: %v", err)
	}
}
