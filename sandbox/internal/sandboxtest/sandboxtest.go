// Package sandboxtest holds the plumbing that the sandbox services' tests
// share: sandboxes that reuse one state folder (so keys are made once per
// test binary), access tokens for the test client, and plain HTTP calls.
package sandboxtest

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

var stateDir string

// Main runs a test binary's tests with a shared sandbox state folder, and
// removes the folder afterwards. Call it from TestMain.
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "felles-sandbox-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stateDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Start starts a sandbox with the shared state folder (see [Main]) and
// closes it when the test ends.
func Start(tb testing.TB, opts ...sandbox.Option) *sandbox.Sandbox {
	tb.Helper()
	if stateDir != "" {
		opts = append([]sandbox.Option{sandbox.WithStateDir(stateDir)}, opts...)
	}
	sb, err := sandbox.Start(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := sb.Close(); err != nil {
			tb.Error(err)
		}
	})
	return sb
}

var (
	tokenMu sync.Mutex
	tokens  = map[string]string{}
)

// Token returns an access token for the sandbox's test client with scope,
// from its Maskinporten; tokens are cached per sandbox and scope.
func Token(tb testing.TB, sb *sandbox.Sandbox, scope string) string {
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

// Call sends a request (body, if not nil, as JSON) with a token for scope
// ("" for none) and header pairs, and returns the status, header and body.
func Call(tb testing.TB, sb *sandbox.Sandbox, method, u, scope string, body any, header ...string) (int, http.Header, []byte) {
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
		req.Header.Set("Authorization", "Bearer "+Token(tb, sb, scope))
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
	return resp.StatusCode, resp.Header, b
}

// Discard is an http.ResponseWriter for benchmarks: it throws the body away
// and keeps only the status.
type Discard struct {
	header http.Header
	Status int
}

// Header returns the response header.
func (d *Discard) Header() http.Header {
	if d.header == nil {
		d.header = http.Header{}
	}
	return d.header
}

// Write discards p, recording status 200 if none was written.
func (d *Discard) Write(p []byte) (int, error) {
	if d.Status == 0 {
		d.Status = http.StatusOK
	}
	return len(p), nil
}

// WriteHeader records the first status written.
func (d *Discard) WriteHeader(s int) {
	if d.Status == 0 {
		d.Status = s
	}
}
