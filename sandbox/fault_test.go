package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesgo/felles/sandbox"
)

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func debugLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// health requests /sandbox/health with an optional fault header and
// returns the status (0 when the connection was dropped) and Retry-After.
func health(t *testing.T, sb *sandbox.Sandbox, fault string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, sb.URL()+"/sandbox/health", nil)
	if fault != "" {
		req.Header.Set(sandbox.FaultHeader, fault)
	}
	// A fresh connection per request, so that no transport retry hides a drop.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

func TestFaultHeader(t *testing.T) {
	sb := start(t)
	for _, tc := range []struct {
		header     string
		status     int
		retryAfter string
	}{
		{"status=503", 503, ""},
		{"status=429; retry-after=2", 429, "2"},
		{" Status = 429 ;Retry-After=1500ms ", 429, "2"},
		{"drop", 0, ""},
		{"latency=1ms", 200, ""},
		{"latency=1ms; status=500", 500, ""},
		{"status=200", 400, ""},
		{"status=503; drop", 400, ""},
		{"retry-after=2", 400, ""},
		{"latency=2h", 400, ""},
		{"status=503; status=500", 400, ""},
		{"teapot", 400, ""},
		{"times=2", 400, ""},
	} {
		t.Run(tc.header, func(t *testing.T) {
			status, ra := health(t, sb, tc.header)
			if status != tc.status || ra != tc.retryAfter {
				t.Errorf("status %d, Retry-After %q; want %d, %q", status, ra, tc.status, tc.retryAfter)
			}
		})
	}
}

func TestFaultHeaderCountsPerKey(t *testing.T) {
	sb := start(t)
	seq := func(header string, n int) []int {
		var got []int
		for range n {
			s, _ := health(t, sb, header)
			got = append(got, s)
		}
		return got
	}
	check := func(name string, got []int, want ...int) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	check("key a", seq("status=503; times=2; key=a", 3), 503, 503, 200)
	check("key a again", seq("status=503; times=2; key=a", 1), 200)
	check("key b", seq("status=503; times=2; key=b", 1), 503)
	check("drop, key c", seq("drop; times=1; key=c", 2), 0, 200)
	check("no key: the header is the key", seq("status=502; times=1", 2), 502, 200)
	check("no times: always", seq("status=500; key=d", 3), 500, 500, 500)
}

func TestInjectFault(t *testing.T) {
	sb := start(t, sandbox.WithFault(sandbox.Fault{PathPrefix: "/sandbox/health", Status: 503, Times: 1}))
	if s, _ := health(t, sb, ""); s != 503 {
		t.Errorf("WithFault: %d, want 503", s)
	}
	if s, _ := health(t, sb, ""); s != 200 {
		t.Errorf("after Times: %d, want 200", s)
	}

	remove, err := sb.InjectFault(sandbox.Fault{PathPrefix: "/sandbox/", Status: 429, RetryAfter: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	other, err := sb.InjectFault(sandbox.Fault{PathPrefix: "/maskinporten/", Drop: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if s, ra := health(t, sb, ""); s != 429 || ra != "3" {
			t.Errorf("InjectFault: %d %q, want 429 \"3\"", s, ra)
		}
	}
	// The header takes precedence over an installed fault.
	if s, _ := health(t, sb, "status=418"); s != 418 {
		t.Errorf("header over installed fault: %d", s)
	}
	remove()
	remove()
	if s, _ := health(t, sb, ""); s != 200 {
		t.Errorf("after remove: %d, want 200", s)
	}
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := hc.Get(sb.MaskinportenIssuer() + "jwk"); err == nil {
		t.Error("Drop on /maskinporten/: the request succeeded")
	}
	other()
	if resp, err := hc.Get(sb.MaskinportenIssuer() + "jwk"); err != nil || resp.StatusCode != 200 {
		t.Errorf("after removing Drop: %v", err)
	} else {
		resp.Body.Close()
	}

	for _, f := range []sandbox.Fault{{}, {Status: 302}, {Status: 503, Drop: true}, {RetryAfter: time.Second}, {Latency: -1}, {PathPrefix: "x", Drop: true}} {
		if remove, err := sb.InjectFault(f); err == nil || remove != nil {
			t.Errorf("InjectFault(%+v) accepted an invalid fault", f)
		}
	}
}

func TestFaultLatency(t *testing.T) {
	var logs syncBuffer
	sb := start(t, sandbox.WithLogger(debugLogger(&logs)))
	t0 := time.Now()
	if s, _ := health(t, sb, "latency=200ms"); s != 200 {
		t.Errorf("status %d", s)
	}
	if d := time.Since(t0); d < 200*time.Millisecond {
		t.Errorf("answered after %v, want at least 200ms", d)
	}
	remove, err := sb.InjectFault(sandbox.Fault{Latency: 150 * time.Millisecond, Status: 504})
	if err != nil {
		t.Fatal(err)
	}
	t0 = time.Now()
	if s, _ := health(t, sb, ""); s != 504 || time.Since(t0) < 150*time.Millisecond {
		t.Errorf("InjectFault latency: %d after %v", s, time.Since(t0))
	}
	remove()

	// The delay ends with the request's context.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, sb.URL()+"/sandbox/health", nil)
	req.Header.Set(sandbox.FaultHeader, "latency=30s")
	t0 = time.Now()
	_, err = http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want a deadline", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"sandbox: request","method":"GET","path":"/sandbox/health","status":0`) {
		if time.Now().After(deadline) {
			t.Fatalf("the handler still waits 5s after the client gave up; logs:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
