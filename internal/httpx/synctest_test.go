package httpx

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeServer is an in-memory transport for synctest bubbles, where sockets
// are not durably blocking. It records when each attempt arrived and
// answers with the response respond returns for attempt n (from 1).
type fakeServer struct {
	respond func(n int, r *http.Request) (*http.Response, error)
	mu      sync.Mutex
	times   []time.Time
}

func (f *fakeServer) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.times = append(f.times, time.Now())
	n := len(f.times)
	f.mu.Unlock()
	return f.respond(n, r)
}

// gaps returns the time between consecutive attempts.
func (f *fakeServer) gaps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var d []time.Duration
	for i := 1; i < len(f.times); i++ {
		d = append(d, f.times[i].Sub(f.times[i-1]))
	}
	return d
}

func status(code int, hdr ...string) *http.Response {
	h := make(http.Header)
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader(http.StatusText(code)))}
}

func client(f *fakeServer, o Options) *Client {
	o.HTTPClient = &http.Client{Transport: f}
	return New(o)
}

// waitRecorder is a slog.Handler keeping the "wait" of each attempt record.
type waitRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (w *waitRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (w *waitRecorder) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *waitRecorder) WithGroup(string) slog.Handler            { return w }
func (w *waitRecorder) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "wait" {
			w.mu.Lock()
			w.waits = append(w.waits, a.Value.Duration())
			w.mu.Unlock()
		}
		return true
	})
	return nil
}

func TestBackoffFullJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ceilings := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}
		belowCeiling := 0
		for range 50 {
			f := &fakeServer{respond: func(int, *http.Request) (*http.Response, error) { return status(500), nil }}
			rec := &waitRecorder{}
			c := client(f, Options{MaxRetries: 4, WaitMin: time.Second, WaitMax: 3 * time.Second, Logger: slog.New(rec)})
			resp, err := c.Do(httptestGet(t, "http://x.test/"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			gaps := f.gaps()
			if len(gaps) != len(ceilings) {
				t.Fatalf("%d retries, want %d", len(gaps), len(ceilings))
			}
			for i, g := range gaps {
				if g < 0 || g > ceilings[i] {
					t.Errorf("retry %d after %v, want within [0, %v]", i, g, ceilings[i])
				}
				if g != rec.waits[i] {
					t.Errorf("retry %d after %v, but logged wait %v", i, g, rec.waits[i])
				}
				if g < ceilings[i] {
					belowCeiling++
				}
			}
		}
		if belowCeiling == 0 {
			t.Error("every wait was the ceiling: no jitter")
		}
	})
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter func() string // evaluated inside the bubble
		maxRA      time.Duration
		wantGap    time.Duration // -1: not retried
		unit       time.Duration // Options.RetryAfterUnit
	}{
		{"503 seconds", 503, func() string { return "2" }, 0, 2 * time.Second, 0},
		{"429 seconds", 429, func() string { return "7" }, 0, 7 * time.Second, 0},
		{"429 HTTP-date", 429, func() string { return time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat) }, 0, 3 * time.Second, 0},
		{"503 date in the past", 503, func() string { return "Sat, 01 Jan 2000 00:00:00 GMT" }, 0, 0, 0},
		{"429 at the cap", 429, func() string { return "30" }, 0, 30 * time.Second, 0},
		{"429 over the cap", 429, func() string { return "31" }, 0, -1, 0},
		{"503 over a raised cap", 503, func() string { return "31" }, time.Minute, 31 * time.Second, 0},
		{"503 over a lowered cap", 503, func() string { return "6" }, 5 * time.Second, -1, 0},
		{"503 absurd", 503, func() string { return "99999999999999999999999" }, 0, -1, 0},
		{"429 in milliseconds", 429, func() string { return "1500" }, 0, 1500 * time.Millisecond, time.Millisecond},
		{"429 in milliseconds over the cap", 429, func() string { return "31000" }, 0, -1, time.Millisecond},
		{"429 HTTP-date with a millisecond unit", 429, func() string { return time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat) }, 0, 3 * time.Second, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fakeServer{respond: func(n int, _ *http.Request) (*http.Response, error) {
					if n == 1 {
						return status(tt.status, "Retry-After", tt.retryAfter()), nil
					}
					return status(200), nil
				}}
				// Backoff alone would be at most 1ms.
				c := client(f, Options{WaitMin: time.Millisecond, WaitMax: time.Millisecond, MaxRetryAfter: tt.maxRA, RetryAfterUnit: tt.unit})
				start := time.Now()
				resp, err := c.Do(httptestGet(t, "http://x.test/"))
				if err != nil {
					t.Fatal(err)
				}
				body := readBody(t, resp)
				if tt.wantGap < 0 {
					if resp.StatusCode != tt.status || body != http.StatusText(tt.status) || len(f.times) != 1 {
						t.Errorf("got %d %q after %d attempts, want the first response", resp.StatusCode, body, len(f.times))
					}
					if d := time.Since(start); d != 0 {
						t.Errorf("returned after %v, want at once", d)
					}
					return
				}
				if resp.StatusCode != 200 {
					t.Errorf("status %d, want 200", resp.StatusCode)
				}
				if g := f.gaps(); len(g) != 1 || g[0] != tt.wantGap {
					t.Errorf("gaps %v, want [%v]", g, tt.wantGap)
				}
			})
		})
	}
}

func TestRetryAfterIgnoredOn500(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{respond: func(n int, _ *http.Request) (*http.Response, error) {
			return status(500, "Retry-After", "20"), nil
		}}
		c := client(f, Options{MaxRetries: 1, WaitMin: time.Second, WaitMax: time.Second})
		resp, err := c.Do(httptestGet(t, "http://x.test/"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if g := f.gaps(); len(g) != 1 || g[0] > time.Second {
			t.Errorf("gaps %v, want one of at most 1s", g)
		}
	})
}

func TestCancelDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{respond: func(int, *http.Request) (*http.Response, error) {
			return status(503, "Retry-After", "10"), nil
		}}
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://x.test/?token=s3cret", nil)
		start := time.Now()
		resp, err := client(f, Options{}).Do(req)
		if d := time.Since(start); d != time.Second {
			t.Errorf("returned after %v, want 1s, when cancelled", d)
		}
		if resp != nil {
			t.Errorf("got a response, status %d", resp.StatusCode)
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		var e *Error
		if !errors.As(err, &e) || e.Attempts != 1 || e.URL != "http://x.test/?token=REDACTED" {
			t.Errorf("error %#v, want *Error with 1 attempt and a redacted URL", err)
		}
		if len(f.times) != 1 {
			t.Errorf("%d attempts, want 1", len(f.times))
		}
	})
}

func TestCancelDuringAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{respond: func(_ int, r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}}
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(3*time.Second, cancel)
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://x.test/", nil)
		start := time.Now()
		_, err := client(f, Options{}).Do(req)
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("returned after %v, want 3s", d)
		}
		var e *Error
		if !errors.Is(err, context.Canceled) || !errors.As(err, &e) || e.Attempts != 1 {
			t.Errorf("error %#v, want *Error wrapping context.Canceled after 1 attempt", err)
		}
	})
}

func TestDeadlineBeforeNextAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{respond: func(int, *http.Request) (*http.Response, error) {
			return status(503, "Retry-After", "10"), nil
		}}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://x.test/", nil)
		start := time.Now()
		resp, err := client(f, Options{}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 503 || readBody(t, resp) != "Service Unavailable" {
			t.Errorf("got status %d, want the 503 with its body", resp.StatusCode)
		}
		if d := time.Since(start); d != 0 || len(f.times) != 1 {
			t.Errorf("returned after %v and %d attempts, want at once after 1", d, len(f.times))
		}
	})
}

func TestClientTimeoutPerAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var deadlines []time.Duration
		f := &fakeServer{respond: func(_ int, r *http.Request) (*http.Response, error) {
			dl, _ := r.Context().Deadline()
			deadlines = append(deadlines, time.Until(dl))
			<-r.Context().Done()
			return nil, r.Context().Err()
		}}
		c := New(Options{HTTPClient: &http.Client{Transport: f, Timeout: time.Second}, MaxRetries: 2})
		_, err := c.Do(httptestGet(t, "http://x.test/"))
		var e *Error
		if !errors.As(err, &e) || e.Attempts != 3 {
			t.Fatalf("error %#v, want *Error after 3 attempts", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("error %v, want a timeout", err)
		}
		if len(deadlines) != 3 || deadlines[0] != time.Second || deadlines[2] != time.Second {
			t.Errorf("attempt deadlines %v, want 1s each", deadlines)
		}
	})
}
