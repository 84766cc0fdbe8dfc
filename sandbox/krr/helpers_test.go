package krr_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/fellesgo/felles/sandbox"
	"github.com/fellesgo/felles/sandbox/internal/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

func start(tb testing.TB, opts ...sandbox.Option) *sandbox.Sandbox {
	tb.Helper()
	return sandboxtest.Start(tb, opts...)
}

// token returns an access token for the test client with scope.
func token(tb testing.TB, sb *sandbox.Sandbox, scope string) string {
	tb.Helper()
	return sandboxtest.Token(tb, sb, scope)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request with a token for scope ("" for none).
func call(tb testing.TB, sb *sandbox.Sandbox, method, u, scope string, body any, header ...string) response {
	tb.Helper()
	status, h, b := sandboxtest.Call(tb, sb, method, u, scope, body, header...)
	return response{status, h, b}
}

func decode[T any](tb testing.TB, r response) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		tb.Fatalf("decoding %d %s: %v", r.status, truncate(string(r.body), 300), err)
	}
	return v
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
