package krr_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/fellesgo/felles/internal/jws"
	"github.com/fellesgo/felles/sandbox"
)

// stateDir is shared by the tests' sandboxes, so that keys are made once.
var stateDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "felles-krr-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stateDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func start(tb testing.TB, opts ...sandbox.Option) *sandbox.Sandbox {
	tb.Helper()
	sb, err := sandbox.Start(append([]sandbox.Option{sandbox.WithStateDir(stateDir)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sb.Close() })
	return sb
}

var (
	tokenMu sync.Mutex
	tokens  = map[string]string{}
)

// token returns an access token for the test client with scope.
func token(tb testing.TB, sb *sandbox.Sandbox, scope string) string {
	tb.Helper()
	tokenMu.Lock()
	defer tokenMu.Unlock()
	key := sb.URL() + " " + scope
	if t, ok := tokens[key]; ok {
		return t
	}
	tc := sb.TestClient()
	x5c := make([]string, len(tc.Certificate.Chain))
	for i, c := range tc.Certificate.Chain {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	jti := make([]byte, 16)
	rand.Read(jti)
	now := time.Now().Unix()
	claims, _ := json.Marshal(map[string]any{
		"aud": sb.MaskinportenIssuer(), "iss": tc.ClientID, "scope": scope,
		"iat": now, "exp": now + 60, "jti": base64.RawURLEncoding.EncodeToString(jti),
	})
	grant, err := jws.Sign(tc.Certificate.Signer, jws.RS256, map[string]any{"x5c": x5c}, claims)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.PostForm(sb.MaskinportenIssuer()+"token", url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {grant},
	})
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		tb.Fatalf("token for %q: %d %v", scope, resp.StatusCode, err)
	}
	tokens[key] = tok.AccessToken
	return tok.AccessToken
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request with a token for scope ("" for none).
func call(tb testing.TB, sb *sandbox.Sandbox, method, u, scope string, body any, header ...string) response {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if scope != "" {
		req.Header.Set("Authorization", "Bearer "+token(tb, sb, scope))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
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
