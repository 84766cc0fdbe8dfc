// Package httpx is the HTTP layer every felles client uses: retries with
// exponential backoff and full jitter for idempotent requests, a capped
// Retry-After, redacted logging, and the felles User-Agent. It wraps
// hashicorp/go-retryablehttp, replacing its logger, retry policy, backoff
// and error handling, none of which are safe defaults for felles.
package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fellesgo/felles/internal/redact"
	"github.com/fellesgo/felles/internal/version"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults for the zero fields of [Options].
const (
	DefaultMaxRetries    = 3
	DefaultWaitMin       = 250 * time.Millisecond
	DefaultWaitMax       = 10 * time.Second
	DefaultMaxRetryAfter = 30 * time.Second
)

// Options configures a [Client]. The zero value is usable.
type Options struct {
	// HTTPClient is the caller's client; nil means a new client with
	// sensible timeouts. [New] reads its Transport, Timeout, CheckRedirect
	// and Jar, used for every attempt; the client itself is not modified.
	HTTPClient *http.Client
	// Logger receives one debug record per attempt and a warning when the
	// retries give up, redacted. nil logs nothing.
	Logger *slog.Logger
	// MaxRetries is the number of retries after the first attempt.
	// 0 means the default (3); a negative value disables retries.
	MaxRetries int
	// WaitMin and WaitMax bound the exponential backoff (defaults 250ms, 10s).
	// Retry n (from 0) sleeps a random time in [0, min(WaitMax, WaitMin·2ⁿ)].
	WaitMin, WaitMax time.Duration
	// MaxRetryAfter caps how long a server's Retry-After is honoured
	// (default 30s). A longer Retry-After ends the retries: the response is
	// returned to the caller at once.
	MaxRetryAfter time.Duration
	// RetryAfterUnit is the unit of a numeric Retry-After: time.Second (the
	// default, as HTTP defines it) or time.Millisecond, which
	// Folkeregisteret's documentation states for its 429 answers.
	RetryAfterUnit time.Duration
}

// Client sends requests with the felles retry policy. It is safe for
// concurrent use.
type Client struct {
	hc  *http.Client
	log *slog.Logger
	o   Options // defaults filled in; MaxRetries < 0 is 0
}

// New returns a Client for o.
func New(o Options) *Client {
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	// A copy, so go-retryablehttp's CloseIdleConnections after a failed
	// request cannot close connections that other requests share.
	hc = &http.Client{
		Transport:     roundTripper{rt},
		CheckRedirect: hc.CheckRedirect,
		Jar:           hc.Jar,
		Timeout:       hc.Timeout,
	}
	log := slog.New(slog.DiscardHandler)
	if o.Logger != nil {
		log = slog.New(redact.Handler(o.Logger.Handler()))
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.WaitMin <= 0 {
		o.WaitMin = DefaultWaitMin
	}
	if o.WaitMax <= 0 {
		o.WaitMax = DefaultWaitMax
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.RetryAfterUnit <= 0 {
		o.RetryAfterUnit = time.Second
	}
	o.HTTPClient, o.Logger = nil, nil
	return &Client{hc: hc, log: log, o: o}
}

// roundTripper hides the CloseIdleConnections method of the caller's
// transport.
type roundTripper struct{ rt http.RoundTripper }

func (t roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return t.rt.RoundTrip(r) }

// Do sends req. Idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) and
// requests marked with [RetrySafe] are retried on connection errors, 408,
// 429 and 5xx other than 501; other requests are sent once. Do returns the
// last response for any HTTP status, including one still failing after the
// last retry, so the caller can turn it into a typed error; it returns an
// *[Error] only when no response was received.
//
// A 429 or 503 with a Retry-After of at most [Options.MaxRetryAfter] is
// retried after that delay instead of the backoff. No retry is made that
// would start after the deadline of req's context; cancelling the context
// ends Do at once, also during a wait, with an *[Error] wrapping ctx.Err().
//
// A request body is replayed from req.GetBody, or read into memory first
// if req has no GetBody. Do does not modify req.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if !c.retries(req) {
		return c.do(req.Context(), req, nil)
	}
	getBody := req.GetBody
	first := req
	if req.Body != nil && req.Body != http.NoBody && getBody == nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, &Error{Method: req.Method, URL: redact.URL(req.URL), Err: err}
		}
		getBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		first = req.WithContext(req.Context())
		first.Body, _ = getBody()
		first.GetBody = getBody
		first.ContentLength = int64(len(b))
	}
	return c.do(req.Context(), first, func(ctx context.Context) (*http.Request, error) {
		r := first.WithContext(ctx)
		if getBody != nil {
			body, err := getBody()
			if err != nil {
				return nil, err
			}
			r.Body = body
		}
		return r, nil
	})
}

// DoFunc calls build for every attempt and sends the request it returns,
// retrying as for an idempotent request. Use it where each attempt must be
// different, such as a Maskinporten grant that needs a fresh jti. An error
// from build is returned as it is.
func (c *Client) DoFunc(ctx context.Context, build func(ctx context.Context) (*http.Request, error)) (*http.Response, error) {
	req, err := build(ctx)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, req, build)
}

// RetrySafe marks req as safe to retry although its method is not
// idempotent, e.g. a POST carrying a message id the server de-duplicates on.
// The mark is carried by the returned request's context.
func RetrySafe(req *http.Request) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), retrySafeKey{}, true))
}

type retrySafeKey struct{}

func (c *Client) retries(req *http.Request) bool {
	if c.o.MaxRetries == 0 {
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	safe, _ := req.Context().Value(retrySafeKey{}).(bool)
	return safe
}

// Error reports a request that got no HTTP response: a connection error,
// a timeout or a cancelled context. Its text never holds credentials.
type Error struct {
	Method   string
	URL      string // redacted: no query string values or userinfo
	Attempts int    // requests sent, 0 if none was
	Err      error
}

// Error returns the redacted error text, prefixed "http: ".
func (e *Error) Error() string {
	s := "http: " + e.Method + " " + e.URL
	if e.Attempts > 1 {
		s += " (" + strconv.Itoa(e.Attempts) + " attempts)"
	}
	if e.Err != nil {
		s += ": " + redact.String(e.Err.Error())
	}
	return s
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

const userAgent = version.UserAgent

// do sends first and, while the policy allows, the requests next builds
// with ctx. A nil next means first is sent once.
func (c *Client) do(ctx context.Context, first *http.Request, next func(context.Context) (*http.Request, error)) (*http.Response, error) {
	a := &attempts{c: c, method: first.Method, url: redact.URL(first.URL)}
	if next != nil {
		a.max = c.o.MaxRetries
	}
	rc := &retryablehttp.Client{
		HTTPClient: c.hc,
		RetryMax:   a.max,
		CheckRetry: a.check,
		Backoff:    func(time.Duration, time.Duration, int, *http.Response) time.Duration { return a.wait },
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			if err == nil {
				return resp, nil
			}
			if resp != nil {
				resp.Body.Close()
			}
			return nil, err
		},
		PrepareRetry: func(r *http.Request) error {
			nr, err := next(ctx)
			if err != nil {
				a.buildErr = err
				return err
			}
			*r = *withUserAgent(nr)
			return nil
		},
	}
	// No body is given to the retryablehttp.Request, so it never touches
	// Body; replays come from next.
	resp, err := rc.Do(&retryablehttp.Request{Request: withUserAgent(first)})
	if err == nil {
		return resp, nil
	}
	if a.buildErr != nil {
		return nil, a.buildErr
	}
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err // its text holds the unredacted URL
	}
	return nil, &Error{Method: a.method, URL: a.url, Attempts: a.n, Err: err}
}

// withUserAgent returns a shallow copy of r with its own headers, the felles
// User-Agent appended to any r has.
func withUserAgent(r *http.Request) *http.Request {
	r2 := r.WithContext(r.Context())
	r2.Header = r.Header.Clone()
	if r2.Header == nil {
		r2.Header = make(http.Header)
	}
	ua := userAgent
	if v := r.Header.Get("User-Agent"); v != "" {
		ua = v + " " + userAgent
	}
	r2.Header.Set("User-Agent", ua)
	return r2
}

// attempts is the state of one call of [Client.Do] or [Client.DoFunc].
type attempts struct {
	c           *Client
	method, url string // url redacted
	max         int    // retries allowed
	n           int    // attempts made
	wait        time.Duration
	buildErr    error
}

// check is the retryablehttp.CheckRetry: it decides whether to retry after
// attempt a.n and, if so, sets a.wait.
func (a *attempts) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	a.n++
	retry, wait, stop := a.policy(ctx, resp, err)
	log := a.c.log
	if log.Enabled(ctx, slog.LevelDebug) {
		log.LogAttrs(ctx, slog.LevelDebug, "http: attempt", append(a.attrs(resp, err),
			slog.Int("attempt", a.n), slog.Duration("wait", wait))...)
	}
	if stop != "" && log.Enabled(ctx, slog.LevelWarn) {
		log.LogAttrs(ctx, slog.LevelWarn, "http: giving up", append(a.attrs(resp, err),
			slog.Int("attempts", a.n), slog.String("reason", stop))...)
	}
	a.wait = wait
	if ctx.Err() != nil && (err != nil || retryableStatus(resp.StatusCode)) {
		// Report the cancellation the caller caused rather than a failure
		// it cut short.
		return false, ctx.Err()
	}
	return retry, nil
}

// policy decides on a retry. stop is why retries end early, or "".
func (a *attempts) policy(ctx context.Context, resp *http.Response, err error) (retry bool, wait time.Duration, stop string) {
	switch {
	case ctx.Err() != nil:
		return false, 0, ""
	case err != nil && !retryableError(err), err == nil && !retryableStatus(resp.StatusCode):
		return false, 0, ""
	case a.max == 0:
		return false, 0, ""
	case a.n > a.max:
		return false, 0, "retries exhausted"
	}
	wait = a.backoff()
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), a.c.o.RetryAfterUnit); ok {
			if d > a.c.o.MaxRetryAfter {
				return false, 0, "Retry-After " + d.String() + " exceeds " + a.c.o.MaxRetryAfter.String()
			}
			wait = d
		}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return false, 0, "context deadline before next attempt"
	}
	return true, wait, ""
}

// backoff returns the full-jitter sleep before retry a.n-1 (from 0).
func (a *attempts) backoff() time.Duration {
	ceil := a.c.o.WaitMin
	for i := 1; i < a.n && ceil < a.c.o.WaitMax; i++ {
		ceil *= 2
	}
	ceil = min(ceil, a.c.o.WaitMax)
	return rand.N(ceil + 1)
}

func (a *attempts) attrs(resp *http.Response, err error) []slog.Attr {
	as := []slog.Attr{slog.String("method", a.method), slog.String("url", a.url)}
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return append(as, slog.String("error", redact.String(err.Error())))
	}
	return append(as, slog.Int("status", resp.StatusCode))
}

// retryableStatus reports whether a response with status code may succeed
// if the request is sent again.
func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests ||
		code >= 500 && code <= 599 && code != http.StatusNotImplemented
}

// retryableError reports whether err is a connection error or timeout
// that sending again may cure. TLS certificate errors and TLS alerts are not.
func retryableError(err error) bool {
	var (
		certErr  *tls.CertificateVerificationError
		authErr  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalErr x509.CertificateInvalidError
	)
	if errors.As(err, &certErr) || errors.As(err, &authErr) || errors.As(err, &hostErr) || errors.As(err, &invalErr) {
		return false
	}
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err // a *url.Error is itself a net.Error
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		// crypto/tls reports a TLS alert from the server, such as one
		// rejecting our client certificate, as a "remote error".
		return opErr.Op != "remote error"
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP-date.
func retryAfter(v string, unit time.Duration) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return time.Duration(min(s, 1<<32)) * unit, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(time.Until(t), 0), true
}
