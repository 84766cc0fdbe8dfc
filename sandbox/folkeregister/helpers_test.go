package folkeregister_test

import (
	"encoding/json"
	"net/http"
	"strings"
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

const (
	medHjemmel  = "folkeregister:deling/offentligmedhjemmel"
	utenHjemmel = "folkeregister:deling/offentligutenhjemmel"
)

// api returns the base URL of a rights package.
func api(sb *sandbox.Sandbox, scope string) string {
	if scope == utenHjemmel {
		return sb.Endpoints()["folkeregister"] + "folkeregisteret/api/offentligutenhjemmel/v1/"
	}
	return sb.Endpoints()["folkeregister"] + "folkeregisteret/offentlig-med-hjemmel/api/v1/"
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

// get is a GET with a token for scope against the package's base URL.
func get(tb testing.TB, sb *sandbox.Sandbox, scope, path string, header ...string) response {
	tb.Helper()
	return call(tb, sb, http.MethodGet, api(sb, scope)+path, scope, nil, header...)
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

// fregError is the error body.
type fregError struct {
	Kode    string `json:"kode"`
	Melding string `json:"melding"`
}

func wantError(tb testing.TB, r response, status int) fregError {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("status %d, want %d: %s", r.status, status, truncate(string(r.body), 300))
	}
	e := decode[fregError](tb, r)
	if !strings.HasPrefix(e.Kode, "FREG-") || e.Melding == "" {
		tb.Errorf("error body %s", r.body)
	}
	return e
}
