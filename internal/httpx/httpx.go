// Package httpx is the HTTP layer every felles client uses: retries with
// exponential backoff and full jitter for idempotent requests, a capped
// Retry-After, redacted logging, and the felles User-Agent. It wraps
// hashicorp/go-retryablehttp.
package httpx

import (
	"context"

	"github.com/fellesgo/felles/internal/version"
	"log/slog"
	"net/http"
	"time"
)

// Options configures a [Client]. The zero value is usable.
type Options struct {
	// HTTPClient is the caller's client; nil means a new client with
	// sensible timeouts. Its Transport is used for every attempt.
	HTTPClient *http.Client
	// Logger receives one debug record per attempt, redacted. nil logs nothing.
	Logger *slog.Logger
	// MaxRetries is the number of retries after the first attempt.
	// 0 means the default (3); a negative value disables retries.
	MaxRetries int
	// WaitMin and WaitMax bound the exponential backoff (defaults 250ms, 10s).
	WaitMin, WaitMax time.Duration
	// MaxRetryAfter caps how long a server's Retry-After is honoured
	// (default 30s). A longer Retry-After ends the retries: the response is
	// returned to the caller at once.
	MaxRetryAfter time.Duration
}

// Client sends requests with the felles retry policy. It is safe for
// concurrent use.
type Client struct {
	hc *http.Client
	o  Options
}

// New returns a Client for o.
//
// STUB: the retry policy is not implemented yet; requests are sent once.
func New(o Options) *Client {
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{hc: hc, o: o}
}

// Do sends req. Idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) and
// requests marked with [RetrySafe] are retried on connection errors, 408,
// 429 and 5xx. Do returns the last response for any HTTP status, including
// one still failing after the last retry, so the caller can turn it into a
// typed error; it returns an *[Error] only when no response was received.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	req.Header.Set("User-Agent", userAgent)
	return c.hc.Do(req)
}

// DoFunc calls build for every attempt and sends the request it returns,
// retrying as for an idempotent request. Use it where each attempt must be
// different, such as a Maskinporten grant that needs a fresh jti.
func (c *Client) DoFunc(ctx context.Context, build func(ctx context.Context) (*http.Request, error)) (*http.Response, error) {
	req, err := build(ctx)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// RetrySafe marks req as safe to retry although its method is not
// idempotent, e.g. a POST carrying a message id the server de-duplicates on.
func RetrySafe(req *http.Request) *http.Request { return req }

// Error reports a request that got no HTTP response: a connection error,
// a timeout or a cancelled context. Its text never holds credentials.
type Error struct {
	Method   string
	URL      string // redacted: no query string values or userinfo
	Attempts int
	Err      error
}

func (e *Error) Error() string {
	return "http: " + e.Method + " " + e.URL + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

var userAgent = version.UserAgent
