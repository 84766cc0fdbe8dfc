package folkeregister

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/internal/httpx"
	"github.com/fellesgo/felles/internal/redact"
)

// RightsPackage is a rights package (rettighetspakke): the legal basis a
// consumer has been granted, which decides the URL path of every resource,
// the Maskinporten scope, and what the person documents hold. Its value is
// the last part of its scope (for [KSFiks], the scope).
//
// Source: Skatteetaten, folkeregisteret-api-dokumentasjon,
// src/konsumenttjenester/Endepunkter.md and
// src/pakobling-til-freg/Maskinporten.md.
type RightsPackage string

// The rights packages.
const (
	// OffentligMedHjemmel: public and private bodies with a legal basis
	// (the default).
	OffentligMedHjemmel RightsPackage = "offentligmedhjemmel"
	// OffentligUtenHjemmel: public bodies without a legal basis.
	OffentligUtenHjemmel RightsPackage = "offentligutenhjemmel"
	// PrivatUtenHjemmel: private bodies without a legal basis.
	PrivatUtenHjemmel RightsPackage = "privatutenhjemmel"
	// Privat: private bodies.
	Privat RightsPackage = "privat"
	// PrivatUtenFolkeregisteridentifikator: private bodies, without
	// identity numbers in the answers.
	PrivatUtenFolkeregisteridentifikator RightsPackage = "privatutenfolkeregisteridentifikator"
	// Finans: the finance sector.
	Finans RightsPackage = "finans"
	// Presse: the press.
	Presse RightsPackage = "presse"
	// PresseUtenFolkeregisteridentifikator: the press, without identity
	// numbers in the answers.
	PresseUtenFolkeregisteridentifikator RightsPackage = "presseutenfolkeregisteridentifikator"
	// UtstederEID: issuers of electronic IDs.
	UtstederEID RightsPackage = "utstedereid"
	// KSFiks is not a rights package but KS Fiks Folkeregister, the
	// municipalities' proxy of the same API: the base URL given to [New] is
	// then the proxy's URL for the role,
	// "https://api.fiks.ks.no/folkeregister/api/v1/{ROLLE_ID}/" (Test:
	// api.fiks.test.ks.no), the resources are below its "v1/", the token
	// needs the scope "ks:fiks", and [WithHeader] must add IntegrasjonId
	// and IntegrasjonPassord.
	KSFiks RightsPackage = "ks:fiks"
)

// packages maps a package to its path below the base URL.
var packages = map[RightsPackage]string{
	OffentligMedHjemmel:                  "folkeregisteret/offentlig-med-hjemmel/api/v1/",
	OffentligUtenHjemmel:                 "folkeregisteret/api/offentligutenhjemmel/v1/",
	PrivatUtenHjemmel:                    "folkeregisteret/api/privatutenhjemmel/v1/",
	Privat:                               "folkeregisteret/api/privat/v1/",
	PrivatUtenFolkeregisteridentifikator: "folkeregisteret/api/privatutenfolkeregisteridentifikator/v1/",
	Finans:                               "folkeregisteret/api/finans/v1/",
	Presse:                               "folkeregisteret/api/presse/v1/",
	PresseUtenFolkeregisteridentifikator: "folkeregisteret/api/presseutenfolkeregisteridentifikator/v1/",
	UtstederEID:                          "folkeregisteret/api/eid/v1/",
	KSFiks:                               "v1/",
}

// RightsPackages returns every rights package, OffentligMedHjemmel first,
// KSFiks last.
func RightsPackages() []RightsPackage {
	return []RightsPackage{
		OffentligMedHjemmel, OffentligUtenHjemmel, PrivatUtenHjemmel, Privat,
		PrivatUtenFolkeregisteridentifikator, Finans, Presse,
		PresseUtenFolkeregisteridentifikator, UtstederEID, KSFiks,
	}
}

// Valid reports whether p is one of the package's constants.
func (p RightsPackage) Valid() bool { _, ok := packages[p]; return ok }

// Path returns the path of p's resources below the base URL, such as
// "folkeregisteret/offentlig-med-hjemmel/api/v1/"; "" for an unknown p.
func (p RightsPackage) Path() string { return packages[p] }

// Scope returns the Maskinporten scope to ask for, such as
// "folkeregister:deling/offentligmedhjemmel"; "" for an unknown p.
func (p RightsPackage) Scope() string {
	switch {
	case !p.Valid():
		return ""
	case p == KSFiks:
		return string(p)
	}
	return "folkeregister:deling/" + string(p)
}

func (p RightsPackage) String() string { return string(p) }

// Limits.
const (
	// MaxBulk is the most identifiers Folkeregisteret takes in one bulk
	// lookup; [Client.BulkPersons] splits longer lists.
	MaxBulk = 1000
	// FeedPageSize is the number of events in a full page of the feed.
	FeedPageSize = 1000
	// DefaultPollInterval is how long [Client.Follow] waits at the end of
	// the feed when given no interval.
	DefaultPollInterval = 30 * time.Second
)

// Response size limits: larger bodies are an error.
const (
	maxDocument = 16 << 20 // one person document
	maxBulkBody = 64 << 20 // up to MaxBulk person documents
	maxFeedPage = 16 << 20 // FeedPageSize events
	maxErrBody  = 64 << 10 // an error body
)

// Client calls Folkeregisteret's consumer API (konsumenttjenester) for one
// rights package. It is safe for concurrent use.
type Client struct {
	root      *url.URL // base URL + package path; ends in "/"
	pkg       RightsPackage
	http      *httpx.Client
	header    http.Header
	log       *slog.Logger
	now       func() time.Time
	retries   int // body-read retries; as httpx's
	retryWait time.Duration
}

type options struct {
	hc         *http.Client
	log        *slog.Logger
	pkg        RightsPackage
	header     http.Header
	now        func() time.Time
	maxRetries int
}

// Option configures a [Client].
type Option func(*options) error

// WithHTTPClient sets the HTTP client; its Transport carries the requests
// (wrapped to add the access token), and its Timeout bounds each attempt.
// The default has a 30 second timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return errors.New("folkeregister: WithHTTPClient: nil client")
		}
		o.hc = hc
		return nil
	}
}

// WithLogger sets a logger for requests, retries and the feed's progress.
// Records are redacted: no tokens, header values or whole identity
// numbers. The default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("folkeregister: WithLogger: nil logger")
		}
		o.log = l
		return nil
	}
}

// WithPackage sets the rights package (default [OffentligMedHjemmel]). The
// token source must give tokens with its [RightsPackage.Scope].
func WithPackage(p RightsPackage) Option {
	return func(o *options) error {
		if !p.Valid() {
			return fmt.Errorf("folkeregister: WithPackage: unknown rights package %q", string(p))
		}
		o.pkg = p
		return nil
	}
}

// WithHeader adds a header to every request, such as KS Fiks's
// IntegrasjonId and IntegrasjonPassord. Values are never logged nor put in
// errors. Authorization, Host and the headers the client sets itself
// (Accept, Content-Type, If-None-Match, User-Agent) cannot be set.
func WithHeader(key, value string) Option {
	return func(o *options) error {
		key = strings.TrimSpace(key)
		k := textproto.CanonicalMIMEHeaderKey(key)
		if k == "" || !validHeaderName(k) {
			return fmt.Errorf("folkeregister: WithHeader: invalid header name %q", key)
		}
		switch k {
		case "Authorization", "Proxy-Authorization", "Host", "Accept", "Content-Type", "Content-Length",
			"If-None-Match", "User-Agent", "Connection", "Transfer-Encoding":
			return fmt.Errorf("folkeregister: WithHeader: %s cannot be set", k)
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return fmt.Errorf("folkeregister: WithHeader: the value of %s holds a line break", k)
		}
		if o.header == nil {
			o.header = make(http.Header)
		}
		o.header[key] = append(o.header[key], value) // as written: KS Fiks spells IntegrasjonId
		return nil
	}
}

func validHeaderName(k string) bool {
	for _, c := range k {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}

// WithClock sets the clock (default time.Now). The client uses it to
// space [Client.Follow]'s polls.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("folkeregister: WithClock: nil clock")
		}
		o.now = now
		return nil
	}
}

// WithMaxRetries sets how often a failed request is retried: on a dropped
// connection, 408, 429 (after its Retry-After, which Folkeregisteret gives
// in milliseconds) and 5xx (default 3). 0 disables retries.
func WithMaxRetries(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return errors.New("folkeregister: WithMaxRetries: negative count")
		}
		o.maxRetries = n
		return nil
	}
}

// New returns a client for the Folkeregisteret at baseURL, such as
// "https://folkeregisteret.api.skatteetaten.no/" (Prod),
// "https://folkeregisteret-api-konsument.sits.no/" (Test) or the
// "folkeregister" endpoint of a felles configuration, authenticating with
// tokens from ts. ts must give tokens with the rights package's scope
// ([RightsPackage.Scope]), e.g. a Maskinporten client's TokenSource.
// New does no I/O.
func New(baseURL string, ts oauth2.TokenSource, opts ...Option) (*Client, error) {
	if ts == nil {
		return nil, errors.New("folkeregister: New: nil token source")
	}
	base, err := url.Parse(strings.TrimSpace(baseURL))
	switch {
	case err != nil, base.Host == "", base.Scheme != "https" && base.Scheme != "http":
		return nil, errors.New("folkeregister: New: the base URL must be an absolute http(s) URL")
	case base.User != nil, base.RawQuery != "", base.Fragment != "":
		return nil, errors.New("folkeregister: New: the base URL must not carry user info, a query or a fragment")
	}
	o := options{pkg: OffentligMedHjemmel, now: time.Now, maxRetries: httpx.DefaultMaxRetries}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
		if base.RawPath != "" {
			base.RawPath += "/"
		}
	}
	root := base.JoinPath(o.pkg.Path())
	if !strings.HasSuffix(root.Path, "/") {
		root.Path += "/"
	}
	hc := o.hc
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	authed := &http.Client{
		Transport:     &oauth2.Transport{Source: ts, Base: hc.Transport},
		CheckRedirect: noRedirect,
		Jar:           hc.Jar,
		Timeout:       hc.Timeout,
	}
	if hc.CheckRedirect != nil {
		authed.CheckRedirect = sameOriginRedirect(hc.CheckRedirect)
	}
	log := slog.New(slog.DiscardHandler)
	if o.log != nil {
		log = slog.New(redact.Handler(o.log.Handler()))
	}
	maxRetries := o.maxRetries
	if maxRetries == 0 {
		maxRetries = -1 // httpx: 0 means the default
	}
	return &Client{
		root:   root,
		pkg:    o.pkg,
		header: o.header,
		log:    log,
		now:    o.now,
		http: httpx.New(httpx.Options{
			HTTPClient:     authed,
			Logger:         o.log,
			MaxRetries:     maxRetries,
			RetryAfterUnit: time.Millisecond,
		}),
		retries:   o.maxRetries,
		retryWait: httpx.DefaultWaitMin,
	}, nil
}

// sameOriginRedirect wraps the CheckRedirect of a caller's http.Client:
// the bearer token and the WithHeader values go out on every hop, so a
// redirect to another host (or port), or from https to http, is not
// followed; the redirect response is returned as it is. Other redirects
// are left to check.
func sameOriginRedirect(check func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 {
			from := via[0].URL
			if !strings.EqualFold(req.URL.Host, from.Host) ||
				!strings.EqualFold(req.URL.Scheme, from.Scheme) && !strings.EqualFold(req.URL.Scheme, "https") {
				return http.ErrUseLastResponse
			}
			for _, r := range via {
				if strings.EqualFold(r.URL.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") {
					return http.ErrUseLastResponse
				}
			}
		}
		return check(req, via)
	}
}

// noRedirect keeps the bearer token from following a redirect elsewhere:
// Folkeregisteret does not redirect.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Package returns the client's rights package.
func (c *Client) Package() RightsPackage { return c.pkg }

// URL returns the URL of resource, a path such as "personer/xsd" with its
// segments escaped, with query q: where the client sends requests for it.
func (c *Client) URL(resource string, q url.Values) string { return c.resolve(resource, q).String() }

// resolve returns the URL of resource, a path relative to the package's
// root whose segments are already escaped.
func (c *Client) resolve(resource string, q url.Values) *url.URL {
	u := *c.root
	p, err := url.PathUnescape(resource)
	if err != nil {
		p = resource
	}
	u.Path = c.root.Path + p
	u.RawPath = c.root.EscapedPath() + resource
	if u.RawPath == u.Path {
		u.RawPath = ""
	}
	if len(q) > 0 {
		u.RawQuery = encodeQuery(q)
	}
	return &u
}

// encodeQuery encodes q with "part" last and in the order given (it is
// repeatable), the other keys sorted.
func encodeQuery(q url.Values) string {
	parts := q["part"]
	rest := url.Values{}
	for k, v := range q {
		if k != "part" {
			rest[k] = v
		}
	}
	s := rest.Encode()
	for _, p := range parts {
		if s != "" {
			s += "&"
		}
		s += "part=" + url.QueryEscape(p)
	}
	return s
}

// request is one call of the API.
type request struct {
	method   string
	resource string
	query    url.Values
	body     []byte // JSON, for POST
	etag     string // If-None-Match
	limit    int64  // body size limit
}

// response is a successful (2xx or 304) answer, its body read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends r, retrying as httpx does and, for idempotent requests, also
// when the body could not be read in full (a connection dropped
// mid-answer). A status other than 2xx and 304 is returned as an error
// from apiError.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := c.send(ctx, r)
		if err == nil {
			return resp, nil
		}
		var be *bodyError
		if !errors.As(err, &be) || attempt >= c.retries || ctx.Err() != nil {
			return nil, err
		}
		wait := c.retryWait << min(attempt, 6)
		c.log.LogAttrs(ctx, slog.LevelDebug, "folkeregister: reading the answer failed; retrying",
			slog.String("method", r.method), slog.String("resource", redactResource(r.resource)),
			slog.Int("attempt", attempt+1), slog.Duration("wait", wait), slog.String("error", be.Err.Error()))
		if err := sleep(ctx, wait); err != nil {
			return nil, &httpx.Error{Method: r.method, URL: redact.URL(c.resolve(r.resource, r.query)), Attempts: attempt + 1, Err: err}
		}
	}
}

// bodyError reports a response body that could not be read in full.
type bodyError struct {
	Err error
}

func (e *bodyError) Error() string {
	return "folkeregister: reading the response: " + redact.String(e.Err.Error())
}
func (e *bodyError) Unwrap() error { return e.Err }

func (c *Client) send(ctx context.Context, r request) (*response, error) {
	u := c.resolve(r.resource, r.query)
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("folkeregister: %w", err)
	}
	for k, vs := range c.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
		req = httpx.RetrySafe(req) // a lookup: safe to send again
	}
	if r.etag != "" {
		req.Header.Set("If-None-Match", r.etag)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	limit := r.limit
	if resp.StatusCode >= 300 {
		limit = maxErrBody
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, &httpx.Error{Method: r.method, URL: redact.URL(u), Attempts: 1, Err: ctx.Err()}
		}
		if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotModified {
			// The status is what matters; keep what arrived of the body.
			return nil, c.apiError(resp, data)
		}
		return nil, &bodyError{Err: err}
	}
	if int64(len(data)) > limit {
		if resp.StatusCode < 300 {
			return nil, fmt.Errorf("folkeregister: %s %s: the response is larger than %d bytes", r.method, redactResource(r.resource), limit)
		}
		data = data[:limit]
	}
	switch {
	case resp.StatusCode == http.StatusNotModified, resp.StatusCode >= 200 && resp.StatusCode < 300:
		return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
	}
	return nil, c.apiError(resp, data)
}

// getJSON GETs resource and decodes the JSON body into v.
func (c *Client) getJSON(ctx context.Context, resource string, q url.Values, limit int64, v any) error {
	resp, err := c.do(ctx, request{method: http.MethodGet, resource: resource, query: q, limit: limit})
	if err != nil {
		return err
	}
	return decodeBody(resp.body, v)
}

func decodeBody(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return &DecodeError{Err: err}
	}
	return nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// redactResource returns resource for a log, identity numbers masked.
func redactResource(resource string) string { return redact.String(resource) }
