package sandbox_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fellesgo/felles/sandbox"
)

// TestLogsHoldNoCredentials runs token requests, accepted and refused, and
// protected calls through a sandbox that logs everything, and looks for
// the grants and tokens in the log.
func TestLogsHoldNoCredentials(t *testing.T) {
	var logs syncBuffer
	sb := start(t, sandbox.WithLogger(debugLogger(&logs)))
	tc := sb.TestClient()

	good := grant(t, sb, tc.ClientID, tc.Certificate, sandbox.Scopes()[0])
	status, tr := postToken(t, sb, good)
	if status != http.StatusOK {
		t.Fatalf("token: %d %+v", status, tr)
	}
	replayed := good // refused: the jti is used
	if status, _ := postToken(t, sb, replayed); status != http.StatusBadRequest {
		t.Fatalf("replay: %d", status)
	}
	badScope := grant(t, sb, tc.ClientID, tc.Certificate, "nav:not/granted")
	postToken(t, sb, badScope)
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	postToken(t, sb, tampered)
	get(t, sb.URL()+"/sandbox/whoami", "Authorization", "Bearer "+tr.AccessToken)
	get(t, sb.URL()+"/sandbox/whoami?access_token="+tr.AccessToken)
	get(t, sb.URL()+"/sandbox/whoami", "Authorization", "Bearer "+tr.AccessToken[:len(tr.AccessToken)-5]+"AAAAA")

	out := logs.String()
	if !strings.Contains(out, "token issued") || !strings.Contains(out, "token request refused") || !strings.Contains(out, "/sandbox/whoami") {
		t.Fatalf("the log lacks the expected records:\n%s", out)
	}
	secrets := map[string]string{"grant": good, "bad-scope grant": badScope, "tampered grant": tampered, "access token": tr.AccessToken}
	for name, s := range secrets {
		for i, part := range strings.Split(s, ".") {
			if len(part) > 16 && strings.Contains(out, part) {
				t.Errorf("the log holds part %d of the %s", i, name)
			}
		}
	}
	if strings.Contains(out, "eyJ") {
		t.Errorf("the log holds something JWT-shaped:\n%s", out)
	}
}
