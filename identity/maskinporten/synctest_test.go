package maskinporten_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/identity/maskinporten"
)

// These tests run in a synctest bubble: time is virtual, and the fake is
// reached in memory.

var req = maskinporten.Request{Scopes: []string{scope}}

func TestRenewal(t *testing.T) {
	for _, tc := range []struct {
		expiresIn int
		renewAt   time.Duration
	}{
		{600, 540 * time.Second},   // 60 s ahead
		{3600, 3240 * time.Second}, // 10 % ahead
		{100, 50 * time.Second},    // half-life
	} {
		t.Run(time.Duration(tc.expiresIn*int(time.Second)).String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(memIssuer)
				f.expiresIn = tc.expiresIn
				c := newClient(t, memIssuer, memClient(f))
				ts := c.TokenSource(req)
				start := time.Now()
				first := srcToken(t, ts)
				if want := start.Add(time.Duration(tc.expiresIn) * time.Second); !first.Expiry.Equal(want) {
					t.Errorf("Expiry = %v, want %v", first.Expiry, want)
				}
				// Reused, and reading never extends it.
				for _, at := range []time.Duration{1 * time.Second, tc.renewAt / 3, tc.renewAt / 2, tc.renewAt - time.Millisecond} {
					time.Sleep(time.Until(start.Add(at)))
					if tok := srcToken(t, ts); tok != first {
						t.Fatalf("at %v: a new token %q before the renewal point %v", at, tok.AccessToken, tc.renewAt)
					}
				}
				if n := f.tokenReqs.Load(); n != 1 {
					t.Fatalf("%d token requests before the renewal point, want 1", n)
				}
				time.Sleep(time.Until(start.Add(tc.renewAt)))
				// At the renewal point the still-valid token comes back at
				// once and the renewal runs in the background.
				if tok := srcToken(t, ts); tok != first {
					t.Fatalf("at the renewal point got %q, want the cached token while renewing", tok.AccessToken)
				}
				synctest.Wait()
				second := srcToken(t, ts)
				if second == first || second.AccessToken != "access-2-"+scope {
					t.Fatalf("after the renewal got %q, want a new token", second.AccessToken)
				}
				if want := start.Add(tc.renewAt + time.Duration(tc.expiresIn)*time.Second); !second.Expiry.Equal(want) {
					t.Errorf("renewed Expiry = %v, want %v", second.Expiry, want)
				}
				if tok := srcToken(t, ts); tok != second {
					t.Errorf("the renewed token is not cached")
				}
				if n := f.tokenReqs.Load(); n != 2 {
					t.Errorf("%d token requests, want 2", n)
				}
				f.checkNoFailures(t)
			})
		})
	}
}

func TestRetryWithFreshGrant(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		f.hook = func(n int, w http.ResponseWriter, _ *http.Request) bool {
			if n == 1 {
				oauthError(w, 503, "temporarily_unavailable", "try again", "")
				return true
			}
			return false
		}
		c := newClient(t, memIssuer, memClient(f))
		tok := getToken(t, c, req)
		if tok.AccessToken != "access-2-"+scope {
			t.Errorf("token = %q", tok.AccessToken)
		}
		f.checkNoFailures(t) // the fake rejects a reused jti
		g := f.seen()
		if len(g) != 2 {
			t.Fatalf("%d token requests, want 2", len(g))
		}
		if g[0].Raw == g[1].Raw || string(g[0].Claims["jti"]) == string(g[1].Claims["jti"]) {
			t.Errorf("the retry resent the grant or its jti %s", g[0].Claims["jti"])
		}
	})
}

func TestRetriesGiveUp(t *testing.T) {
	for _, tc := range []struct {
		opts     []maskinporten.Option
		attempts int64
	}{
		{nil, 4}, // 3 retries by default
		{[]maskinporten.Option{maskinporten.WithMaxRetries(1)}, 2},
		{[]maskinporten.Option{maskinporten.WithMaxRetries(0)}, 1},
	} {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(memIssuer)
			f.hook = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				w.WriteHeader(http.StatusBadGateway)
				return true
			}
			c := newClient(t, memIssuer, memClient(f), tc.opts...)
			start := time.Now()
			_, err := c.Token(bg, req)
			var me *maskinporten.Error
			if !errors.As(err, &me) || me.StatusCode != http.StatusBadGateway {
				t.Fatalf("err = %v, want an *Error with status 502", err)
			}
			if n := f.tokenReqs.Load(); n != tc.attempts {
				t.Errorf("%d attempts, want %d", n, tc.attempts)
			}
			if tc.attempts > 1 && time.Since(start) == 0 {
				t.Errorf("no backoff between attempts")
			}
			f.checkNoFailures(t)
		})
	}
}

func TestSharedRequestInBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		release := make(chan struct{})
		f.hook = blockUntil(release)
		c := newClient(t, memIssuer, memClient(f))
		const n = 200
		toks := make([]*oauth2.Token, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { toks[i], _ = c.Token(bg, req) })
		}
		synctest.Wait() // every caller is waiting, the request is in flight
		if got := f.tokenReqs.Load(); got != 1 {
			t.Errorf("%d token requests in flight, want 1", got)
		}
		close(release)
		wg.Wait()
		for i, tok := range toks {
			if tok == nil || tok != toks[0] {
				t.Fatalf("caller %d got %v, want the shared token", i, tok)
			}
		}
		if got := f.tokenReqs.Load(); got != 1 {
			t.Errorf("%d token requests for %d callers, want 1", got, n)
		}
	})
}

func TestCallerContextWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		release := make(chan struct{})
		f.hook = blockUntil(release)
		c := newClient(t, memIssuer, memClient(f))

		// The first caller gives up after a second; the request goes on.
		ctx, cancel := context.WithTimeout(bg, time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Token(ctx, req)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Fatalf("after %v: err = %v, want context.DeadlineExceeded after 1s", time.Since(start), err)
		}
		if !strings.HasPrefix(err.Error(), "maskinporten: ") {
			t.Errorf("err = %q", err)
		}

		// A second caller joins the same request; a third cancels.
		var second *oauth2.Token
		done := make(chan struct{})
		go func() { second, _ = c.Token(bg, req); close(done) }()
		ctx3, cancel3 := context.WithCancel(bg)
		go func() { time.Sleep(time.Second); cancel3() }()
		if _, err := c.Token(ctx3, req); !errors.Is(err, context.Canceled) {
			t.Errorf("third caller: err = %v, want context.Canceled", err)
		}
		close(release)
		<-done
		if second == nil || second.AccessToken != "access-1-"+scope {
			t.Fatalf("second caller got %v", second)
		}
		// The token is cached for later callers.
		if tok := getToken(t, c, req); tok != second {
			t.Errorf("later caller got %q", tok.AccessToken)
		}
		if n := f.tokenReqs.Load(); n != 1 {
			t.Errorf("%d token requests, want 1: the first caller's context must not cancel the request", n)
		}
	})
}

func TestAbandonedRequestIsCached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		release := make(chan struct{})
		f.hook = blockUntil(release)
		c := newClient(t, memIssuer, memClient(f))
		ctx, cancel := context.WithCancel(bg)
		cancel()
		if _, err := c.Token(ctx, req); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		close(release)
		synctest.Wait() // the request completes without any caller
		if tok := getToken(t, c, req); tok.AccessToken != "access-1-"+scope {
			t.Errorf("token = %q", tok.AccessToken)
		}
		if n := f.tokenReqs.Load(); n != 1 {
			t.Errorf("%d token requests, want 1", n)
		}
	})
}

func TestRenewalFailureUsesCachedToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		f.expiresIn = 600
		var failing sync.Mutex
		down := false
		f.hook = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			failing.Lock()
			defer failing.Unlock()
			if down {
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}
			return false
		}
		setDown := func(b bool) { failing.Lock(); down = b; failing.Unlock() }
		log, buf := newLogger()
		c := newClient(t, memIssuer, memClient(f), maskinporten.WithLogger(log), maskinporten.WithMaxRetries(0))
		start := time.Now()
		first := getToken(t, c, req)

		setDown(true)
		time.Sleep(541 * time.Second) // past the renewal point
		if tok := getToken(t, c, req); tok != first {
			t.Fatalf("got %q, want the cached token while renewal fails", tok.AccessToken)
		}
		synctest.Wait() // the background renewal fails
		if tok := getToken(t, c, req); tok != first {
			t.Fatalf("got %q, want the cached token after the renewal failed", tok.AccessToken)
		}
		if !strings.Contains(buf.String(), "renewing the token failed") || !strings.Contains(buf.String(), "level=WARN") {
			t.Errorf("no warning logged:\n%s", buf)
		}
		if n := f.tokenReqs.Load(); n != 2 {
			t.Fatalf("%d token requests, want 2", n)
		}
		// No new attempt for 10 s.
		time.Sleep(9 * time.Second)
		getToken(t, c, req)
		if n := f.tokenReqs.Load(); n != 2 {
			t.Errorf("%d token requests within 10 s of a failed renewal, want 2", n)
		}
		time.Sleep(time.Second)
		getToken(t, c, req)
		synctest.Wait()
		if n := f.tokenReqs.Load(); n != 3 {
			t.Errorf("%d token requests 10 s after a failed renewal, want 3", n)
		}
		// Less than 10 s left: the error is returned.
		time.Sleep(time.Until(start.Add(591 * time.Second)))
		_, err := c.Token(bg, req)
		var me *maskinporten.Error
		if !errors.As(err, &me) || me.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("err = %v, want the 503", err)
		}
		// Back up.
		setDown(false)
		if tok := getToken(t, c, req); tok == first {
			t.Errorf("still the old token after Maskinporten came back")
		}
	})
}

func TestMetadataRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		f.expiresIn = 3600
		log, buf := newLogger()
		c := newClient(t, memIssuer, memClient(f), maskinporten.WithLogger(log), maskinporten.WithMaxRetries(0))
		getToken(t, c, req)
		time.Sleep(23 * time.Hour)
		getToken(t, c, req)
		if n := f.discoveryReqs.Load(); n != 1 {
			t.Errorf("%d discovery requests within 24 h, want 1", n)
		}
		time.Sleep(2 * time.Hour)
		getToken(t, c, req)
		if n := f.discoveryReqs.Load(); n != 2 {
			t.Errorf("%d discovery requests after 25 h, want 2", n)
		}
		// A failed refresh keeps the metadata read before.
		f.metadata = func(string) any { return "broken" }
		time.Sleep(25 * time.Hour)
		if tok := getToken(t, c, req); tok.AccessToken == "" {
			t.Fatal("no token")
		}
		if !strings.Contains(buf.String(), "refreshing the issuer metadata failed") {
			t.Errorf("no warning logged:\n%s", buf)
		}
	})
}

func TestHungRequestEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		release := make(chan struct{}) // never closed: Maskinporten hangs
		f.hook = blockUntil(release)
		c := newClient(t, memIssuer, memClient(f), maskinporten.WithMaxRetries(0))
		start := time.Now()
		_, err := c.Token(bg, req) // a caller without a deadline
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Minute {
			t.Errorf("after %v: err = %v, want context.DeadlineExceeded after a minute", time.Since(start), err)
		}
	})
}

// TestSlowRenewalDoesNotStallCallers: a token due for renewal but still
// valid is handed out at once while Maskinporten is slow, even to a caller
// with a short deadline; the renewal finishes in the background.
func TestSlowRenewalDoesNotStallCallers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(memIssuer)
		f.expiresIn = 120
		slow := make(chan struct{})
		var mu sync.Mutex
		stall := false
		f.hook = func(_ int, _ http.ResponseWriter, r *http.Request) bool {
			mu.Lock()
			s := stall
			mu.Unlock()
			if s {
				select {
				case <-slow:
				case <-r.Context().Done():
				}
			}
			return false
		}
		c := newClient(t, memIssuer, memClient(f))
		first := getToken(t, c, req)
		mu.Lock()
		stall = true
		mu.Unlock()
		time.Sleep(61 * time.Second) // past the renewal point (half-life), 59 s left
		ctx, cancel := context.WithTimeout(bg, 2*time.Second)
		defer cancel()
		start := time.Now()
		tok, err := c.Token(ctx, req)
		if err != nil || tok != first {
			t.Fatalf("Token = %v, %v; want the cached token", tok, err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("waited %v for a slow renewal", d)
		}
		close(slow)
		synctest.Wait()
		if tok := getToken(t, c, req); tok == first {
			t.Error("the background renewal did not replace the token")
		}
	})
}
