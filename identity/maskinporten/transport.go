package maskinporten

import (
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// invalidateInterval is the least time between two invalidations of a
// token slot after a 401, so that a resource server that rejects every
// token cannot make the Client ask Maskinporten for one per request.
const invalidateInterval = 10 * time.Second

// Transport returns an http.RoundTripper that sends every request through
// base (nil means [http.DefaultTransport]) with "Authorization: Bearer" and
// a token for r. It does not modify the caller's request.
//
// If the resource server answers 401, the cached token is dropped and the
// request is sent once more with a new token, provided its body can be
// replayed (no body, or GetBody set, as http.NewRequest does for in-memory
// bodies). A token is dropped this way at most once every 10 seconds per
// Request, so a resource server that rejects every token gets the same
// token, and its 401 is returned as it is, until then. An invalid r makes
// every request fail.
func (c *Client) Transport(r Request, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{src: c.TokenSource(r).(*tokenSource), base: base}
}

// HTTPClient returns an *http.Client that authenticates its requests with a
// token for r, as [Client.Transport] does. It is a copy of the client given
// with [WithHTTPClient] (or of the default one, with a 30 second timeout)
// whose transport adds the token.
func (c *Client) HTTPClient(r Request) *http.Client {
	hc := *c.hc
	hc.Transport = c.Transport(r, c.hc.Transport)
	return &hc
}

type transport struct {
	src  *tokenSource
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if redirectedAway(req) {
		// A redirect to another host, or from https to http: the token
		// (often with aud "unspecified") must not go with it.
		return t.base.RoundTrip(req)
	}
	tok, err := t.token(req)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.base.RoundTrip(authorized(req, tok))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	retry := t.src.c.invalidate(t.src.e, tok)
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	if !retry || !replayable {
		return resp, nil
	}
	tok, err = t.token(req)
	if err != nil {
		return resp, nil // keep the 401: the resource server's answer stands
	}
	r2 := authorized(req, tok)
	if req.Body != nil && req.Body != http.NoBody {
		if r2.Body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	drain(resp)
	return t.base.RoundTrip(r2)
}

func (t *transport) token(req *http.Request) (*oauth2.Token, error) {
	if t.src.err != nil {
		return nil, t.src.err
	}
	return t.src.c.token(req.Context(), t.src.e)
}

// authorized returns a clone of req carrying tok.
func authorized(req *http.Request, tok *oauth2.Token) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return r
}

// invalidate drops failed, the token a resource server answered 401 to,
// from e, and reports whether to retry the request with a new token: yes if
// failed was dropped now or had already been replaced, no if e was
// invalidated less than invalidateInterval ago.
func (c *Client) invalidate(e *entry, failed *oauth2.Token) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.cur.Load()
	if cur == nil || cur.tok != failed {
		return true // already dropped or renewed by another request
	}
	now := c.now()
	if !e.invalidatedAt.IsZero() && now.Sub(e.invalidatedAt) < invalidateInterval {
		return false
	}
	e.invalidatedAt = now
	e.cur.Store(nil)
	c.log.Debug("maskinporten: the resource server answered 401; getting a new token", "scope", e.req.scope)
	return true
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// drain reads a little of resp's body, so the connection can be reused, and
// closes it.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
}

// redirectedAway reports whether req follows a redirect to another host
// than the caller's first request, or from https to http.
func redirectedAway(req *http.Request) bool {
	first := req
	for first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	if first == req {
		return false
	}
	return !strings.EqualFold(first.URL.Host, req.URL.Host) ||
		first.URL.Scheme == "https" && req.URL.Scheme != "https"
}
