package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fellesgo/felles/internal/version"
	"github.com/google/go-cmp/cmp"
)

const (
	jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	fnr = "01017012345"
)

// fast are Options with negligible backoff for tests against real sockets.
var fast = Options{WaitMin: time.Microsecond, WaitMax: time.Microsecond}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// countingServer answers every request with status and the body
// "attempt N", N counting from 1.
func countingServer(t *testing.T, status int, hdr ...string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "attempt %d", i)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading response body: %v", err)
	}
	return string(b)
}

func TestRetryPolicy(t *testing.T) {
	retried := map[int]bool{
		200: false, 400: false, 401: false, 403: false, 404: false, 409: false, 501: false,
		408: true, 429: true, 500: true, 502: true, 503: true, 504: true, 599: true,
	}
	type method struct {
		name string
		safe bool // marked with RetrySafe
		idem bool
	}
	methods := []method{
		{"GET", false, true}, {"HEAD", false, true}, {"PUT", false, true},
		{"DELETE", false, true}, {"OPTIONS", false, true},
		{"POST", false, false}, {"PATCH", false, false}, {"POST", true, false},
	}
	c := New(fast)
	for code, retry := range retried {
		for _, m := range methods {
			t.Run(fmt.Sprintf("%s/safe=%t/%d", m.name, m.safe, code), func(t *testing.T) {
				srv, n := countingServer(t, code)
				req, _ := http.NewRequest(m.name, srv.URL, strings.NewReader("body"))
				if m.safe {
					req = RetrySafe(req)
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				want := 1
				if retry && (m.idem || m.safe) {
					want = 1 + DefaultMaxRetries
				}
				if got := int(n.Load()); got != want {
					t.Errorf("server saw %d attempts, want %d", got, want)
				}
				if resp.StatusCode != code {
					t.Errorf("status %d, want %d", resp.StatusCode, code)
				}
				if m.name == "HEAD" {
					resp.Body.Close()
					return
				}
				if got, want := readBody(t, resp), fmt.Sprintf("attempt %d", want); got != want {
					t.Errorf("body %q, want the last response's %q", got, want)
				}
			})
		}
	}
}

func TestMaxRetries(t *testing.T) {
	for _, tt := range []struct{ max, want int }{{-1, 1}, {0, 4}, {1, 2}, {5, 6}} {
		srv, n := countingServer(t, 503)
		o := fast
		o.MaxRetries = tt.max
		resp, err := New(o).Do(httptestGet(t, srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := int(n.Load()); got != tt.want {
			t.Errorf("MaxRetries %d: %d attempts, want %d", tt.max, got, tt.want)
		}
	}
}

func httptestGet(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// onlyReader hides every method but Read, so net/http cannot set GetBody.
type onlyReader struct{ io.Reader }

func TestBodyReplayed(t *testing.T) {
	const body = `{"message":"hei"}`
	tests := []struct {
		name   string
		method string
		body   func() io.Reader
		safe   bool
	}{
		{"PUT with GetBody", "PUT", func() io.Reader { return strings.NewReader(body) }, false},
		{"PUT plain reader", "PUT", func() io.Reader { return onlyReader{strings.NewReader(body)} }, false},
		{"POST RetrySafe", "POST", func() io.Reader { return bytes.NewBufferString(body) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got = append(got, fmt.Sprintf("%d %s", r.ContentLength, b))
				mu.Unlock()
				w.WriteHeader(http.StatusBadGateway)
			}))
			defer srv.Close()
			req, _ := http.NewRequest(tt.method, srv.URL, tt.body())
			if tt.safe {
				req = RetrySafe(req)
			}
			resp, err := New(fast).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			one := fmt.Sprintf("%d %s", len(body), body)
			want := []string{one, one, one, one}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("bodies received (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("User-Agent"))
		mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	o := fast
	o.MaxRetries = 1
	c := New(o)

	req := httptestGet(t, srv.URL)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	req = httptestGet(t, srv.URL)
	req.Header.Set("User-Agent", "kommune-app/2.1")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ua := req.Header.Get("User-Agent"); ua != "kommune-app/2.1" {
		t.Errorf("caller's request header changed to %q", ua)
	}

	// A build func handing back the same request must not pile up agents.
	same := httptestGet(t, srv.URL)
	resp, err = c.DoFunc(context.Background(), func(context.Context) (*http.Request, error) { return same, nil })
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	felles := "felles/" + version.Version
	want := []string{felles, felles, "kommune-app/2.1 " + felles, "kommune-app/2.1 " + felles, felles, felles}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("User-Agent (-want +got):\n%s", diff)
	}
}

// idleCounter is a transport that counts calls, including
// CloseIdleConnections, which must not reach a caller's transport.
type idleCounter struct {
	rt          http.RoundTripper
	trips, idle atomic.Int32
}

func (c *idleCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.trips.Add(1)
	return c.rt.RoundTrip(r)
}

func (c *idleCounter) CloseIdleConnections() { c.idle.Add(1) }

func TestCallerClientUsedNotMutated(t *testing.T) {
	srv, n := countingServer(t, 500)
	hijack, _ := hijackServer(t)
	tr := &idleCounter{rt: http.DefaultTransport}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Transport: tr, Timeout: 7 * time.Second, Jar: jar}
	before := *hc
	o := fast
	o.HTTPClient = hc
	c := New(o)
	resp, err := c.Do(httptestGet(t, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if tr.trips.Load() != 4 || n.Load() != 4 {
		t.Errorf("caller's transport made %d round trips, server saw %d; want 4", tr.trips.Load(), n.Load())
	}
	if _, err := c.Do(httptestGet(t, hijack.URL)); err == nil {
		t.Error("no error from a server closing connections")
	}
	if tr.idle.Load() != 0 {
		t.Errorf("CloseIdleConnections called %d times on the caller's transport", tr.idle.Load())
	}
	if hc.Transport != before.Transport || hc.Timeout != before.Timeout || hc.Jar != before.Jar || hc.CheckRedirect != nil {
		t.Errorf("caller's client changed: %+v, was %+v", *hc, before)
	}
}

func TestErrorsRetried(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	for _, tt := range []struct {
		err      error
		attempts int
	}{
		{reset, 4},
		{io.ErrUnexpectedEOF, 4},
		{os.ErrDeadlineExceeded, 4},
		{errors.New("oauth2: cannot fetch token: 400 Bad Request"), 1},
		{&tls.CertificateVerificationError{Err: errors.New("x509: certificate signed by unknown authority")}, 1},
		{&net.OpError{Op: "remote error", Err: tls.AlertError(42)}, 1},
	} {
		n := 0
		o := fast
		o.HTTPClient = &http.Client{Transport: roundTripperFunc(func(*http.Request) (*http.Response, error) {
			n++
			return nil, tt.err
		})}
		_, err := New(o).Do(httptestGet(t, "http://x.test/"))
		if !errors.Is(err, tt.err) || n != tt.attempts {
			t.Errorf("transport error %v: %d attempts, error %v; want %d attempts", tt.err, n, err, tt.attempts)
		}
	}
}

// hijackServer closes the connection of every request without a response.
func hijackServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestConnectionError(t *testing.T) {
	srv, n := hijackServer(t)
	u := strings.Replace(srv.URL, "http://", "http://user:pw@", 1) + "/personer/" + fnr + "?access_token=" + jwt + "&felt=navn"
	wantURL := srv.URL + "/personer/[REDACTED]?access_token=REDACTED&felt=REDACTED"
	for _, tt := range []struct {
		method   string
		attempts int
	}{{"GET", 4}, {"POST", 1}} {
		n.Store(0)
		req, _ := http.NewRequest(tt.method, u, nil)
		resp, err := New(fast).Do(req)
		if resp != nil {
			t.Fatalf("%s: got a response, status %d", tt.method, resp.StatusCode)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: error %T %v, want *Error", tt.method, err, err)
		}
		want := Error{Method: tt.method, URL: wantURL, Attempts: tt.attempts, Err: io.EOF}
		if diff := cmp.Diff(want, *e, cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) })); diff != "" {
			t.Errorf("%s: error (-want +got):\n%s", tt.method, diff)
		}
		if got := int(n.Load()); got != tt.attempts {
			t.Errorf("%s: server saw %d attempts, want %d", tt.method, got, tt.attempts)
		}
		for _, secret := range []string{fnr, jwt, "pw", "navn"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error text %q holds %q", err, secret)
			}
		}
	}
}

func TestTLSCertificateErrorNotRetried(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("handler reached without a trusted certificate")
	}))
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()

	_, err := New(fast).Do(httptestGet(t, srv.URL))
	var certErr *tls.CertificateVerificationError
	if !errors.As(err, &certErr) {
		t.Fatalf("error %v, want a *tls.CertificateVerificationError", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Attempts != 1 {
		t.Errorf("error %#v, want *Error with 1 attempt", err)
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("%d connections, want 1", got)
	}
}

func TestTLSAlertNotRetried(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("handler reached without a client certificate")
	}))
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.StartTLS()
	defer srv.Close()

	o := fast
	o.HTTPClient = srv.Client() // trusts the server, has no client certificate
	_, err := New(o).Do(httptestGet(t, srv.URL))
	var e *Error
	if !errors.As(err, &e) || e.Attempts != 1 || !strings.Contains(err.Error(), "remote error: tls") {
		t.Errorf("error %v, want *Error after 1 attempt with a TLS alert", err)
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("%d connections, want 1", got)
	}
}

func TestDoFunc(t *testing.T) {
	var mu sync.Mutex
	var jtis []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		jtis = append(jtis, r.PostFormValue("jti"))
		n := len(jtis)
		mu.Unlock()
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"access_token":"x"}`)
	}))
	defer srv.Close()

	builds := 0
	build := func(ctx context.Context) (*http.Request, error) {
		builds++
		form := url.Values{"jti": {fmt.Sprint("jti-", builds)}}
		req, err := http.NewRequestWithContext(ctx, "POST", srv.URL, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req, err
	}
	resp, err := New(fast).DoFunc(context.Background(), build)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || readBody(t, resp) != `{"access_token":"x"}` {
		t.Errorf("got status %d, want the third attempt's 200", resp.StatusCode)
	}
	if diff := cmp.Diff([]string{"jti-1", "jti-2", "jti-3"}, jtis); diff != "" {
		t.Errorf("jti per attempt (-want +got):\n%s", diff)
	}

	// An error from build is returned as it is, first time or later.
	errBuild := errors.New("maskinporten: signing failed")
	for _, failAt := range []int{1, 2} {
		jtis, builds = nil, 0
		resp, err := New(fast).DoFunc(context.Background(), func(ctx context.Context) (*http.Request, error) {
			if builds+1 == failAt {
				return nil, errBuild
			}
			return build(ctx)
		})
		if resp != nil || err != errBuild {
			t.Errorf("build failing at attempt %d: got %v, %v; want nil, the build error", failAt, resp, err)
		}
		if len(jtis) != failAt-1 {
			t.Errorf("build failing at attempt %d: %d requests sent, want %d", failAt, len(jtis), failAt-1)
		}
	}
}

func TestLogRedacted(t *testing.T) {
	srv, _ := countingServer(t, 503)
	hijack, _ := hijackServer(t)
	var buf bytes.Buffer
	o := fast
	o.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := New(o)
	for _, base := range []string{srv.URL, hijack.URL} {
		u := strings.Replace(base, "http://", "http://user:pw@", 1) + "/personer/" + fnr + "?access_token=" + jwt + "&navn=ola"
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Bearer "+jwt)
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		form := url.Values{"assertion": {jwt}, "grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}}
		req, _ = http.NewRequest("POST", u, strings.NewReader(form.Encode()))
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	out := buf.String()
	for _, secret := range []string{fnr, jwt, "pw", "ola"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
	}
	// 4+1 debug records per GET, 1 per POST, and a warning per GET.
	if got, want := strings.Count(out, `"level":"DEBUG","msg":"http: attempt"`), 2*(4+1); got != want {
		t.Errorf("%d debug records, want %d:\n%s", got, want, out)
	}
	if got, want := strings.Count(out, `"level":"WARN","msg":"http: giving up"`), 2; got != want {
		t.Errorf("%d warnings, want %d:\n%s", got, want, out)
	}
	for _, s := range []string{`"status":503`, `"error":"EOF"`, `"attempt":4`, `"reason":"retries exhausted"`, `"url":"` + srv.URL + `/personer/[REDACTED]?access_token=REDACTED&navn=REDACTED"`} {
		if !strings.Contains(out, s) {
			t.Errorf("log lacks %s:\n%s", s, out)
		}
	}
}

// TestNoLogOutput runs itself in a child process and fails if the child
// writes anything to stderr, where go-retryablehttp's default logger and the
// default slog and log loggers write.
func TestNoLogOutput(t *testing.T) {
	if os.Getenv("HTTPX_TEST_CHILD") == "1" {
		failing := roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			if r.Method == "PUT" {
				return nil, io.ErrUnexpectedEOF
			}
			return &http.Response{StatusCode: 503, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
		})
		o := fast
		o.HTTPClient = &http.Client{Transport: failing}
		for _, m := range []string{"GET", "POST", "PUT"} {
			req, _ := http.NewRequest(m, "http://example.invalid/?token="+jwt, nil)
			if resp, err := New(o).Do(req); err == nil {
				resp.Body.Close()
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoLogOutput$", "-test.count=1")
	cmd.Env = append(os.Environ(), "HTTPX_TEST_CHILD=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s%s", err, out, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		t.Errorf("wrote to stderr with a nil Logger:\n%s", stderr.Bytes())
	}
}
