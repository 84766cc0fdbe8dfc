package maskinporten_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fellesgo/felles/identity/maskinporten"
)

// resource is a resource server that records the Authorization and body of
// every request and answers with status(n), n counting from 1.
type resource struct {
	status func(n int, auth string) int

	mu     sync.Mutex
	auths  []string
	bodies []string
}

func (rs *resource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rs.mu.Lock()
	rs.auths = append(rs.auths, r.Header.Get("Authorization"))
	rs.bodies = append(rs.bodies, string(b))
	n := len(rs.auths)
	rs.mu.Unlock()
	st := http.StatusOK
	if rs.status != nil {
		st = rs.status(n, r.Header.Get("Authorization"))
	}
	w.WriteHeader(st)
	io.WriteString(w, "hello")
}

func (rs *resource) seen() ([]string, []string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]string(nil), rs.auths...), append([]string(nil), rs.bodies...)
}

// byHost routes in-memory requests: mp.test to Maskinporten, anything else
// to the resource server.
type byHost struct{ mp, api http.Handler }

func (h byHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Host == "mp.test" {
		h.mp.ServeHTTP(w, r)
		return
	}
	h.api.ServeHTTP(w, r)
}

func TestTransportAddsToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		rs := &resource{}
		c := newClient(t, memIssuer, memClient(byHost{f, rs}))
		hc := c.HTTPClient(req)

		r, _ := http.NewRequest(http.MethodGet, "https://api.test/rest/v2/personer", nil)
		r.Header.Set("X-Caller", "yes")
		for range 3 {
			resp, err := hc.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		if got := r.Header.Get("Authorization"); got != "" {
			t.Errorf("the caller's request was modified: Authorization %q", got)
		}
		auths, _ := rs.seen()
		for _, a := range auths {
			if a != "Bearer access-1-"+scope {
				t.Errorf("Authorization = %q", a)
			}
		}
		if n := f.tokenReqs.Load(); n != 1 {
			t.Errorf("%d token requests for 3 calls, want 1", n)
		}
	})
}

func TestTransportRetriesOnceAfter401(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		rs := &resource{status: func(_ int, auth string) int {
			if auth == "Bearer access-1-"+scope {
				return http.StatusUnauthorized // the first token is rejected
			}
			return http.StatusOK
		}}
		c := newClient(t, memIssuer, memClient(byHost{f, rs}))
		hc := c.HTTPClient(req)

		resp, err := hc.Post("https://api.test/messages", "text/plain", strings.NewReader("the body"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d, want 200 after the retry", resp.StatusCode)
		}
		auths, bodies := rs.seen()
		if want := []string{"Bearer access-1-" + scope, "Bearer access-2-" + scope}; strings.Join(auths, ",") != strings.Join(want, ",") {
			t.Errorf("Authorization = %q, want %q", auths, want)
		}
		if strings.Join(bodies, ",") != "the body,the body" {
			t.Errorf("bodies = %q, want the body replayed", bodies)
		}
		// The new token is cached.
		resp, _ = hc.Get("https://api.test/x")
		resp.Body.Close()
		if n := f.tokenReqs.Load(); n != 2 {
			t.Errorf("%d token requests, want 2", n)
		}
	})
}

func TestTransport401WithoutReplayableBody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		rs := &resource{status: func(n int, _ string) int {
			if n == 1 {
				return http.StatusUnauthorized
			}
			return http.StatusOK
		}}
		c := newClient(t, memIssuer, memClient(byHost{f, rs}))
		rt := c.Transport(req, handlerRT{byHost{f, rs}})

		r, _ := http.NewRequest(http.MethodPost, "https://api.test/messages", io.NopCloser(strings.NewReader("stream")))
		r.GetBody = nil
		resp, err := rt.RoundTrip(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want the 401: a body that cannot be replayed is not resent", resp.StatusCode)
		}
		if auths, _ := rs.seen(); len(auths) != 1 {
			t.Errorf("%d requests to the resource server, want 1", len(auths))
		}
		// The rejected token was dropped all the same.
		r, _ = http.NewRequest(http.MethodGet, "https://api.test/x", nil)
		resp, err = rt.RoundTrip(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if auths, _ := rs.seen(); auths[1] != "Bearer access-2-"+scope {
			t.Errorf("next request sent %q, want a new token", auths[1])
		}
	})
}

func TestTransportLimitsInvalidation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		f.expiresIn = 3600
		rs := &resource{status: func(int, string) int { return http.StatusUnauthorized }}
		c := newClient(t, memIssuer, memClient(byHost{f, rs}))
		hc := c.HTTPClient(req)
		get := func() {
			t.Helper()
			resp, err := hc.Get("https://api.test/x")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		get() // 401, new token, 401
		if n, m := f.tokenReqs.Load(), len(first(rs.seen())); n != 2 || m != 2 {
			t.Fatalf("%d token requests and %d resource requests, want 2 and 2", n, m)
		}
		get() // 401; the token was renewed less than 10 s ago: no retry
		time.Sleep(9 * time.Second)
		get()
		if n, m := f.tokenReqs.Load(), len(first(rs.seen())); n != 2 || m != 4 {
			t.Errorf("%d token requests and %d resource requests within 10 s, want 2 and 4", n, m)
		}
		time.Sleep(time.Second)
		get() // 401, new token, 401
		if n, m := f.tokenReqs.Load(), len(first(rs.seen())); n != 3 || m != 6 {
			t.Errorf("%d token requests and %d resource requests after 10 s, want 3 and 6", n, m)
		}
	})
}

func first[A, B any](a A, _ B) A { return a }

func TestTransportTokenError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		f.hook = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			oauthError(w, 400, "invalid_scope", "Token request contains invalid scopes for client", "https://maskinporten.no/errors/MP-200")
			return true
		}
		rs := &resource{}
		c := newClient(t, memIssuer, memClient(byHost{f, rs}))
		body := &closeRecorder{Reader: strings.NewReader("x")}
		r, _ := http.NewRequest(http.MethodPost, "https://api.test/x", body)
		_, err := c.Transport(req, handlerRT{rs}).RoundTrip(r)
		var me *maskinporten.Error
		if !errors.As(err, &me) || me.Code != "invalid_scope" {
			t.Fatalf("err = %v, want the token error", err)
		}
		if !body.closed {
			t.Error("the request body was not closed")
		}
		if auths, _ := rs.seen(); len(auths) != 0 {
			t.Errorf("%d requests reached the resource server without a token", len(auths))
		}
		// An invalid Request fails every round trip.
		_, err = c.Transport(maskinporten.Request{}, nil).RoundTrip(r)
		if err == nil || !strings.Contains(err.Error(), "scope") {
			t.Errorf("err = %v, want the request's validation error", err)
		}
	})
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }
