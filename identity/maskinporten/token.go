package maskinporten

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/internal/redact"
)

const (
	// fetchTimeout bounds a token request, retries included. The request
	// is detached from the callers' contexts so that it can finish for the
	// callers still waiting and for the cache.
	fetchTimeout = time.Minute
	// minValidity is how long a cached token must still be valid to be
	// handed out after a failed renewal (oauth2 treats a token as expired
	// 10 seconds early too).
	minValidity = 10 * time.Second
	// renewRetryDelay is how long a cached token is used without a new
	// renewal attempt after a renewal failed.
	renewRetryDelay = 10 * time.Second
	// maxTokenResponse bounds the token response body.
	maxTokenResponse = 1 << 20
	// maxErrorText bounds error_description and error_uri in an Error.
	maxErrorText = 1024
)

// Token returns an access token for r, from the cache when it holds one that
// is not due for renewal, else from Maskinporten. The returned token is
// shared with other callers and must not be modified. Token returns an
// *[Error] when Maskinporten refuses the request.
//
// To get tokens repeatedly for the same Request, use [Client.TokenSource],
// which validates r once.
func (c *Client) Token(ctx context.Context, r Request) (*oauth2.Token, error) {
	n, key, err := normalize(r)
	if err != nil {
		return nil, err
	}
	return c.token(ctx, c.entry(key, n))
}

// TokenSource returns an [oauth2.TokenSource] for r, backed by the Client's
// cache. Its Token method does not allocate when the cached token is good,
// and, lacking a context, waits for Maskinporten for at most a minute. An
// invalid r makes every Token call fail.
func (c *Client) TokenSource(r Request) oauth2.TokenSource {
	n, key, err := normalize(r)
	if err != nil {
		return &tokenSource{err: err}
	}
	return &tokenSource{c: c, e: c.entry(key, n)}
}

type tokenSource struct {
	c   *Client
	e   *entry
	err error
}

func (s *tokenSource) Token() (*oauth2.Token, error) {
	if s.err != nil {
		return nil, s.err
	}
	return s.c.token(context.Background(), s.e)
}

// entry is the cache slot of one normalised Request.
type entry struct {
	req normRequest
	cur atomic.Pointer[cached] // nil when there is no token

	mu            sync.Mutex // guards the fields below
	call          *call      // the token request in flight, if any
	retryAt       time.Time  // no renewal attempt before this, after a failure
	invalidatedAt time.Time  // last invalidation after a 401, see Transport
}

// cached is an immutable cached token.
type cached struct {
	tok     *oauth2.Token
	renewAt time.Time
	expiry  time.Time // tok.Expiry
}

// usable reports whether t may be handed out at now although it is due for
// renewal.
func (t *cached) usable(now time.Time) bool { return now.Before(t.expiry.Add(-minValidity)) }

// call is one token request shared by the callers waiting for it.
type call struct {
	done chan struct{} // closed when tok or err is set
	tok  *oauth2.Token
	err  error
}

func (c *Client) entry(key string, n normRequest) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e == nil {
		e = &entry{req: n}
		c.entries[key] = e
	}
	return e
}

// token is the hot path: a cached token that is not due for renewal is
// returned without locking or allocating.
func (c *Client) token(ctx context.Context, e *entry) (*oauth2.Token, error) {
	if t := e.cur.Load(); t != nil && c.now().Before(t.renewAt) {
		return t.tok, nil
	}
	return c.renew(ctx, e)
}

// renew joins the token request in flight for e, or starts one. While the
// cached token is still usable it returns that at once and lets the request
// finish in the background; otherwise it waits for the request or for ctx.
func (c *Client) renew(ctx context.Context, e *entry) (*oauth2.Token, error) {
	e.mu.Lock()
	now := c.now()
	if t := e.cur.Load(); t != nil {
		if now.Before(t.renewAt) || now.Before(e.retryAt) && t.usable(now) {
			e.mu.Unlock()
			return t.tok, nil
		}
	}
	cl := e.call
	if cl == nil {
		cl = &call{done: make(chan struct{})}
		e.call = cl
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		go c.fetch(fctx, cancel, e, cl)
	}
	if t := e.cur.Load(); t != nil && t.usable(now) {
		// Due for renewal but still valid: renew in the background and
		// hand out the cached token, so that a slow Maskinporten never
		// stalls the calls that need a token.
		e.mu.Unlock()
		return t.tok, nil
	}
	e.mu.Unlock()

	select {
	case <-cl.done:
		if cl.err == nil {
			return cl.tok, nil
		}
		if t := e.cur.Load(); t != nil && t.usable(c.now()) {
			return t.tok, nil // renewal failed; fetch logged it
		}
		return nil, cl.err
	case <-ctx.Done():
		return nil, fmt.Errorf("maskinporten: waiting for a token: %w", context.Cause(ctx))
	}
}

// fetch runs one token request for e and publishes its outcome.
func (c *Client) fetch(ctx context.Context, cancel context.CancelFunc, e *entry, cl *call) {
	defer cancel()
	t, err := c.requestToken(ctx, &e.req)

	e.mu.Lock()
	now := c.now()
	switch {
	case err == nil && t.renewAt.IsZero(): // no expires_in: use once, cache nothing
		e.cur.Store(nil)
		cl.tok = t.tok
	case err == nil:
		e.cur.Store(t)
		e.retryAt = time.Time{}
		cl.tok = t.tok
	default:
		cl.err = err
		if old := e.cur.Load(); old != nil && old.usable(now) {
			e.retryAt = now.Add(renewRetryDelay)
			c.log.Warn("maskinporten: renewing the token failed; using the cached token until it expires",
				"scope", e.req.scope, "expires_in", old.expiry.Sub(now).Round(time.Second).String(), "error", err.Error())
		}
	}
	e.call = nil
	e.mu.Unlock()
	close(cl.done)
}

// tokenResponse is Maskinporten's token response.
type tokenResponse struct {
	AccessToken string  `json:"access_token"`
	TokenType   string  `json:"token_type"`
	ExpiresIn   seconds `json:"expires_in"`
}

// maxExpiresIn bounds expires_in (a year), so that no lifetime overflows a
// time.Duration.
const maxExpiresIn = 365 * 24 * 3600

// seconds is an expires_in: a JSON number, or a string holding one.
type seconds int64

func (s *seconds) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if string(b) == "null" || len(b) == 0 {
		*s = 0
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return errors.New("expires_in is not a number")
	}
	if f != f { // NaN
		f = 0
	}
	*s = seconds(min(max(f, 0), maxExpiresIn))
	return nil
}

// requestToken sends a token request for n, with a fresh grant for every
// attempt, and returns the token with its renewal time.
func (c *Client) requestToken(ctx context.Context, n *normRequest) (*cached, error) {
	m, err := c.metadata(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.checkCertificate(c.now()); err != nil {
		return nil, err
	}
	var sent time.Time // when the last attempt was built
	var buildErr error
	resp, err := c.http.DoFunc(ctx, func(ctx context.Context) (*http.Request, error) {
		now := c.now()
		a, err := c.assertion(m.Issuer, n, now)
		if err != nil {
			buildErr = err
			return nil, err
		}
		form := "grant_type=" + url.QueryEscape(grantType) + "&assertion=" + url.QueryEscape(a)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.TokenEndpoint, strings.NewReader(form))
		if err != nil {
			buildErr = fmt.Errorf("maskinporten: token request: %w", err)
			return nil, buildErr
		}
		req.GetBody = nil // a redirect must not carry the grant elsewhere
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		sent = now
		return req, nil
	})
	if buildErr != nil {
		return nil, buildErr
	}
	if err != nil {
		return nil, fmt.Errorf("maskinporten: token request: %w", err)
	}
	defer resp.Body.Close()
	body, readErr := readLimited(resp.Body, maxTokenResponse)
	if resp.StatusCode != http.StatusOK {
		return nil, c.responseError(resp, body)
	}
	if readErr != nil {
		return nil, fmt.Errorf("maskinporten: reading the token response: %w", readErr)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return nil, errors.New("maskinporten: the token response is not a JSON token (HTTP 200)")
	}
	if tr.AccessToken == "" {
		return nil, errors.New("maskinporten: the token response has no access_token (HTTP 200)")
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "Bearer") {
		return nil, fmt.Errorf("maskinporten: the token response has token_type %q, want Bearer", clean(tr.TokenType))
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw) // cannot fail: body decoded above
	tok := (&oauth2.Token{AccessToken: tr.AccessToken, TokenType: "Bearer", ExpiresIn: int64(tr.ExpiresIn)}).WithExtra(raw)
	t := &cached{tok: tok}
	if tr.ExpiresIn > 0 {
		life := time.Duration(tr.ExpiresIn) * time.Second
		t.expiry = sent.Add(life)
		tok.Expiry = t.expiry
		t.renewAt = sent.Add(renewAfter(life))
		c.log.Debug("maskinporten: got a token", "scope", n.scope, "expires_in", int64(tr.ExpiresIn))
	} else {
		c.log.Warn("maskinporten: the token response has no expires_in; the token is not cached", "scope", n.scope)
	}
	return t, nil
}

// renewAfter returns how long after it was requested a token with lifetime
// life is renewed: when less than max(60 s, 10 % of life) is left, but not
// before half-life.
func renewAfter(life time.Duration) time.Duration {
	return max(life-max(time.Minute, life/10), life/2)
}

// responseError turns a non-200 token response into an *Error.
func (c *Client) responseError(resp *http.Response, body []byte) error {
	e := &Error{StatusCode: resp.StatusCode}
	var oe struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		ErrorURI         string `json:"error_uri"`
	}
	if json.Unmarshal(body, &oe) == nil {
		e.Code = clean(oe.Error)
		e.Description = clean(oe.ErrorDescription)
		e.URI = clean(oe.ErrorURI)
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		e.ServerTime = d
		e.ClockOffset = d.Sub(c.now())
		if e.ClockOffset >= clockWarning || e.ClockOffset <= -clockWarning {
			c.log.Warn("maskinporten: the local clock differs from Maskinporten's; Maskinporten allows 10 seconds",
				"offset", e.ClockOffset.Round(time.Second).String())
		}
	}
	return e
}

// clean makes server text fit for an error message: bounded, printable,
// and redacted (no JWT, grant or token).
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, redact.String(s))
	if len(s) > maxErrorText {
		s = strings.ToValidUTF8(s[:maxErrorText], "") + "…"
	}
	return s
}
