package krr

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/httpx"
	"github.com/fellesgo/felles/internal/redact"
	"github.com/fellesgo/felles/registry/personid"
)

// Scopes of KRR's lookup service (identity-and-registers.md §3.2). A
// consumer asks Maskinporten for ScopeContactInfo and ScopeDigitalPost in
// one token; a supplier acting for a customer under an Altinn delegation
// asks for ScopeSupplierContactInfo and ScopeSupplierDigitalPost with the
// customer's organisation number as consumer_org. The reservation and the
// status are always returned; the other fields only with the scope that
// covers them.
const (
	// ScopeContactInfo gives e-mail, mobile, their update and verification
	// times, varslingsstatus and language.
	ScopeContactInfo = "krr:global/kontaktinformasjon.read"
	// ScopeDigitalPost gives the digital mailbox and its certificate.
	ScopeDigitalPost = "krr:global/digitalpost.read"
	// ScopeSupplierContactInfo is ScopeContactInfo for a supplier.
	ScopeSupplierContactInfo = "krr:global/kontaktinfo.read"
	// ScopeSupplierDigitalPost is ScopeDigitalPost for a supplier.
	ScopeSupplierDigitalPost = "krr:global/postkasse.read"
)

// Limits.
const (
	// MaxBatchSize is the most identifiers KRR takes in one request; the
	// client splits longer inputs.
	MaxBatchSize = 1000
	// MaxResponseSize bounds a response body (32 MiB); 1000 persons with
	// certificates, signed, are about 5 MiB.
	MaxResponseSize = 32 << 20
	// DefaultMaxConcurrency is how many requests a lookup has in flight
	// unless WithMaxConcurrency says otherwise.
	DefaultMaxConcurrency = 4
	// maxErrorBody bounds how much of an error response is read.
	maxErrorBody = 64 << 10
)

// Client looks persons up in KRR, the contact and reservation register
// (Kontakt- og reservasjonsregisteret). It is safe for concurrent use.
type Client struct {
	personsURL  string
	printURL    string
	ts          oauth2.TokenSource
	http        *httpx.Client
	log         *slog.Logger
	concurrency int
	includeNR   *bool
	signed      bool
	roots       *x509.CertPool
	signerOrg   string
	now         func() time.Time
}

// Option configures a [Client] in [New].
type Option func(*options) error

type options struct {
	httpClient  *http.Client
	logger      *slog.Logger
	version     int
	concurrency int
	includeNR   *bool
	signed      bool
	roots       *x509.CertPool
	signerOrg   string
	now         func() time.Time
	maxRetries  int // httpx's: 0 the default, < 0 none
}

// WithHTTPClient sets the HTTP client. Its transport must not add an
// Authorization header: the client sets one from its token source. The
// default has a 30 second timeout. Whatever hc's CheckRedirect, the client
// never follows a redirect to another host or from https to http (a 307 or
// 308 would resend the identifiers and the token there); hc is not
// modified.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return errors.New("krr: nil HTTP client")
		}
		o.httpClient = hc
		return nil
	}
}

// WithLogger sets the logger. The client logs each request at debug level,
// redacted; it never logs an identifier, contact information or a token.
// The default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("krr: nil logger")
		}
		o.logger = l
		return nil
	}
}

// WithAPIVersion selects /rest/v1/personer (1) or /rest/v2/personer (2,
// the default).
func WithAPIVersion(v int) Option {
	return func(o *options) error {
		if v != 1 && v != 2 {
			return fmt.Errorf("krr: API version %d: want 1 or 2", v)
		}
		o.version = v
		return nil
	}
}

// WithMaxConcurrency sets how many requests of at most [MaxBatchSize]
// identifiers one lookup has in flight, 1 to 64 (default 4). It also bounds
// memory: a streaming lookup holds at most this many batches.
func WithMaxConcurrency(n int) Option {
	return func(o *options) error {
		if n < 1 || n > 64 {
			return fmt.Errorf("krr: concurrency %d: want 1 to 64", n)
		}
		o.concurrency = n
		return nil
	}
}

// WithMaxRetries sets how many times a failed request (connection error,
// 408, 429 or 5xx) is retried with backoff; a lookup only reads, so it is
// safe to repeat. The default is 3; 0 disables retries.
func WithMaxRetries(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("krr: negative retry count %d", n)
		}
		o.maxRetries = n
		if n == 0 {
			o.maxRetries = -1
		}
		return nil
	}
}

// WithIncludeNotRegistered sets the v2 request's "inkluderIkkeRegistrerte":
// whether KRR answers for persons it does not know with status
// IKKE_REGISTRERT (true) or leaves them out (false). Without this option the
// member is not sent and KRR's default applies. Either way the client
// reports a person KRR left out with [StatusNotRegistered]. It needs API
// version 2.
func WithIncludeNotRegistered(include bool) Option {
	return func(o *options) error {
		o.includeNR = &include
		return nil
	}
}

// WithSignedResponses makes the client ask for signed responses (Accept:
// application/jose) and accept only those that verify. A response is
// accepted only if it is a compact JWS with RS256 whose signature matches
// and whose protected header's certificate chain (x5c) leads to one of
// roots (and nothing else: not the system's roots) at the time of
// [WithClock], with a leaf certificate that
//
//   - is Norwegian: subject country C=NO, or, without a country, an
//     organizationIdentifier "NTRNO-..."; a leaf naming another country is
//     refused;
//   - has the digitalSignature key usage (any extended key usage is
//     accepted, as enterprise certificates carry varying ones);
//   - has an RSA key;
//   - carries the organisation number [DigdirOrganizationNumber] (or the one
//     set with [WithSignerOrganizationNumber]) in its organizationIdentifier
//     or, in older certificates, its subject serialNumber.
//
// roots must hold the CA roots the caller trusts to issue Digdir's
// certificate: for production Buypass's and Commfides's Norwegian
// enterprise-certificate roots, for the test environments their test roots
// (or a sandbox's CA). It must not be nil: many publicly trusted CAs issue
// certificates that could otherwise pass. Only the verified payload is used.
// It applies to lookups; [Client.PrintCertificate] is not signed.
func WithSignedResponses(roots *x509.CertPool) Option {
	return func(o *options) error {
		if roots == nil {
			return errors.New("krr: WithSignedResponses needs the CA roots to trust for KRR's signing certificate " +
				"(Buypass's and Commfides's enterprise-certificate roots, or their test or a sandbox's roots); " +
				"nil would trust the system's web roots")
		}
		o.signed, o.roots = true, roots
		return nil
	}
}

// WithSignerOrganizationNumber sets the organisation number the signer of
// signed responses must have (default [DigdirOrganizationNumber]).
func WithSignerOrganizationNumber(orgnr string) Option {
	return func(o *options) error {
		if !identity.ValidOrganizationNumber(orgnr) {
			return fmt.Errorf("krr: %q is not a valid organisation number", orgnr)
		}
		o.signerOrg = orgnr
		return nil
	}
}

// WithClock sets the clock used to check the validity of the certificates
// of signed responses. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("krr: nil clock")
		}
		o.now = now
		return nil
	}
}

// New returns a client for the KRR at baseURL, such as
// "https://test.kontaktregisteret.no/" (felles.Config.Endpoint("krr") gives
// it), authenticating with access tokens from ts. The tokens must carry the
// KRR scopes for the data wanted, typically from
//
//	mp.TokenSource(maskinporten.Request{Scopes: []string{krr.ScopeContactInfo, krr.ScopeDigitalPost}})
//
// New does no I/O.
func New(baseURL string, ts oauth2.TokenSource, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("krr: base URL %q is not an absolute http(s) URL", baseURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("krr: base URL %q must not have user info, a query or a fragment", baseURL)
	}
	if ts == nil {
		return nil, errors.New("krr: nil token source")
	}
	o := options{version: 2, concurrency: DefaultMaxConcurrency, signerOrg: DigdirOrganizationNumber, now: time.Now}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.includeNR != nil && o.version != 2 {
		return nil, errors.New("krr: WithIncludeNotRegistered needs API version 2")
	}
	base := strings.TrimSuffix(baseURL, "/") + "/"
	hopts := httpx.Options{HTTPClient: sameHostRedirects(o.httpClient), Logger: o.logger, MaxRetries: o.maxRetries}
	log := slog.New(slog.DiscardHandler)
	if o.logger != nil {
		log = slog.New(redact.Handler(o.logger.Handler()))
	}
	return &Client{
		personsURL:  fmt.Sprintf("%srest/v%d/personer", base, o.version),
		printURL:    base + "rest/v2/printSertifikat",
		ts:          ts,
		http:        httpx.New(hopts),
		log:         log,
		concurrency: o.concurrency,
		includeNR:   o.includeNR,
		signed:      o.signed,
		roots:       o.roots,
		signerOrg:   o.signerOrg,
		now:         o.now,
	}, nil
}

// sameHostRedirects returns a copy of hc (nil: a client with a 30 second
// timeout) that refuses to follow a redirect to another host or from https
// to http: a 307 or 308 would resend the request's body, up to
// MaxBatchSize identity numbers, and its token elsewhere. hc's own
// CheckRedirect, if any, decides about the redirects this one lets pass.
func sameHostRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	next := hc.CheckRedirect
	return &http.Client{
		Transport: hc.Transport,
		Jar:       hc.Jar,
		Timeout:   hc.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > 0 {
				orig := via[0].URL
				if !strings.EqualFold(req.URL.Host, orig.Host) {
					return errors.New("krr: refusing to follow a redirect to another host")
				}
				if strings.EqualFold(orig.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") {
					return errors.New("krr: refusing to follow a redirect from https to http")
				}
			}
			if next != nil {
				return next(req, via)
			}
			if len(via) >= 10 {
				return errors.New("krr: stopped after 10 redirects")
			}
			return nil
		},
	}
}

// Lookup looks up persons by fødselsnummer or d-nummer and returns one
// [Person] per identifier, in the order given. Any number of identifiers may
// be given: they are sent in requests of at most [MaxBatchSize] distinct
// identifiers, up to [WithMaxConcurrency] at a time. An identifier given more
// than once within a request's span is sent once and its Person repeated.
//
// The contract on errors:
//
//   - An invalid identifier fails the whole call before anything is sent,
//     with an [*InvalidIDError] naming its position (the first one found).
//   - If some requests fail, Lookup returns a [*BatchError] naming the input
//     positions of each failed request and why, together with the full
//     slice: the Persons at failed positions have only ID set (their Status
//     is empty, and [Person.ContactDecision] says paper), the others are
//     good. Use [BatchError.Failed] to tell them apart.
//   - If ctx ends, Lookup returns nil and ctx's error.
//
// A person KRR leaves out of its answer is reported with
// [StatusNotRegistered]. Fields of a person that cannot be read do not fail
// the call; see [Person.Err].
func (c *Client) Lookup(ctx context.Context, ids ...string) ([]Person, error) {
	for i, s := range ids {
		if _, err := personid.Parse(s); err != nil {
			return nil, invalidID(i, err)
		}
	}
	out := make([]Person, 0, len(ids))
	var failed *BatchError
	var last *BatchError
	for p, err := range c.LookupSeq(ctx, slices.Values(ids)) {
		if err != nil {
			be, ok := err.(*BatchError)
			if !ok {
				return nil, err
			}
			if be != last {
				if failed == nil {
					failed = &BatchError{}
				}
				failed.Failures = append(failed.Failures, be.Failures...)
				last = be
			}
		}
		out = append(out, p)
	}
	if failed != nil {
		return out, failed
	}
	return out, nil
}

// LookupSeq is [Client.Lookup] for inputs too large to hold, such as
// identifiers read from a file: it reads ids as it needs them and yields one
// (Person, error) per identifier, in input order, once the request that
// covers it has been answered and every earlier identifier yielded.
// Identifiers are sent in requests of [MaxBatchSize] distinct identifiers
// (a request is sent when it is full, when it spans 2×MaxBatchSize input
// identifiers counting invalid and repeated ones, or when ids ends), so
// 100 000 distinct identifiers take exactly 100 requests. At most
// [WithMaxConcurrency] requests are in flight or waiting to be yielded,
// which bounds the identifiers read ahead and the results held; a run of
// invalid or repeated identifiers is yielded as it is read, 2×MaxBatchSize
// at a time, without waiting for valid ones.
//
// ids is read from the goroutine that ranges over the sequence, between
// yields: answered requests are yielded before more input is read, but a
// read that blocks holds back the results until it returns.
//
// Errors are per identifier and the sequence carries on after them:
//
//   - an invalid identifier yields (Person{}, *[InvalidIDError]);
//   - an identifier whose request failed yields a Person with only ID set and
//     a *[BatchError] for that request (the same value for all its
//     identifiers).
//
// If ctx ends, the sequence yields (Person{}, ctx.Err()) once and stops.
// Breaking out of the loop cancels the requests in flight.
func (c *Client) LookupSeq(ctx context.Context, ids iter.Seq[string]) iter.Seq2[Person, error] {
	return func(yield func(Person, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		pending := make([]*batch, 0, c.concurrency)
		defer func() {
			cancel()
			for _, b := range pending {
				<-b.done
			}
		}()
		next, stop := iter.Pull(ids)
		defer stop()
		pos, more := 0, true
		for {
			// Yield what is answered before reading more input, so that
			// results flow while the input is slow to come.
			if len(pending) > 0 && isDone(pending[0]) {
				if err := ctx.Err(); err != nil {
					yield(Person{}, err)
					return
				}
				b := pending[0]
				pending = pending[1:]
				if !b.yield(yield) {
					return
				}
				continue
			}
			if more && len(pending) < c.concurrency {
				var b *batch
				b, more = readBatch(next, pos)
				if len(b.slots) == 0 {
					continue
				}
				pos += len(b.slots)
				pending = append(pending, b)
				if len(b.ids) == 0 {
					close(b.done)
					continue
				}
				go func() {
					defer close(b.done)
					b.persons, b.err = c.lookupBatch(ctx, b.ids)
				}()
				continue
			}
			if len(pending) == 0 {
				return
			}
			select {
			case <-pending[0].done:
			case <-ctx.Done():
				yield(Person{}, ctx.Err())
				return
			}
		}
	}
}

func isDone(b *batch) bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// yield yields the results of a finished batch, one per input position; it
// returns false if the consumer stopped.
func (b *batch) yield(yield func(Person, error) bool) bool {
	var berr error
	if b.err != nil {
		berr = &BatchError{Failures: []BatchFailure{{Start: b.start, End: b.start + len(b.slots), IDs: len(b.ids), Err: b.err}}}
	}
	for _, s := range b.slots {
		var p Person
		var err error
		switch {
		case s.err != nil:
			err = s.err
		case berr != nil:
			p, err = Person{ID: b.ids[s.index]}, berr
		default:
			p = b.persons[s.index]
		}
		if !yield(p, err) {
			return false
		}
	}
	return true
}

// batch is one request of a lookup: the input positions [start,
// start+len(slots)) and the distinct valid identifiers among them.
type batch struct {
	start   int
	slots   []slot            // one per input position
	ids     []personid.Number // distinct, in order of first appearance
	persons []Person          // parallel to ids, once done
	err     error
	done    chan struct{}
}

type slot struct {
	index int   // into ids
	err   error // *InvalidIDError, or nil
}

// maxBatchSlots bounds the input positions of one batch, so that a run of
// invalid or repeated identifiers is not read ahead without limit.
const maxBatchSlots = 2 * MaxBatchSize

// readBatch reads identifiers from next until it has MaxBatchSize distinct
// valid ones, maxBatchSlots identifiers in all, or next is exhausted, which
// more reports.
func readBatch(next func() (string, bool), start int) (b *batch, more bool) {
	b = &batch{start: start, done: make(chan struct{})}
	seen := make(map[personid.Number]int)
	for len(b.ids) < MaxBatchSize && len(b.slots) < maxBatchSlots {
		s, ok := next()
		if !ok {
			return b, false
		}
		id, err := personid.Parse(s)
		if err != nil {
			b.slots = append(b.slots, slot{err: invalidID(start+len(b.slots), err)})
			continue
		}
		i, dup := seen[id]
		if !dup {
			i = len(b.ids)
			seen[id] = i
			b.ids = append(b.ids, id)
		}
		b.slots = append(b.slots, slot{index: i})
	}
	return b, true
}

type wireRequest struct {
	IDs                  []string `json:"personidentifikatorer"`
	IncludeNotRegistered *bool    `json:"inkluderIkkeRegistrerte,omitempty"`
}

// lookupBatch sends one request for ids (at most MaxBatchSize) and returns
// a Person for each, in the same order.
func (c *Client) lookupBatch(ctx context.Context, ids []personid.Number) ([]Person, error) {
	req := wireRequest{IDs: make([]string, len(ids)), IncludeNotRegistered: c.includeNR}
	for i, id := range ids {
		req.IDs[i] = id.Digits()
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	accept := "application/json"
	if c.signed {
		accept = "application/jose"
	}
	start := time.Now()
	resp, err := c.send(ctx, http.MethodPost, c.personsURL, body, accept)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	c.log.LogAttrs(ctx, slog.LevelDebug, "krr: lookup", slog.Int("ids", len(ids)),
		slog.Int("status", resp.StatusCode), slog.Duration("duration", time.Since(start)))
	if resp.StatusCode != http.StatusOK {
		return nil, apiError(resp)
	}
	data, err := readBody(resp)
	if err != nil {
		return nil, err
	}
	if c.signed {
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/json" {
			return nil, &SignatureError{Reason: "KRR answered with unsigned JSON although a signed response was asked for"}
		}
		if data, err = c.verifySigned(data); err != nil {
			return nil, err
		}
	}
	got, skipped, err := decodeResponse(data)
	if err != nil {
		return nil, err
	}
	byID := make(map[personid.Number]int, len(got))
	for i, p := range got {
		if _, dup := byID[p.ID]; !dup {
			byID[p.ID] = i
		}
	}
	out := make([]Person, len(ids))
	missing, extra := 0, len(got)
	for i, id := range ids {
		if j, ok := byID[id]; ok {
			out[i] = got[j]
			extra--
		} else {
			out[i] = Person{ID: id, Status: StatusNotRegistered}
			missing++
		}
	}
	if missing > 0 || extra > 0 || skipped > 0 {
		c.log.LogAttrs(ctx, slog.LevelDebug, "krr: answer does not match the request one to one",
			slog.Int("asked", len(ids)), slog.Int("left_out", missing),
			slog.Int("not_asked_or_repeated", extra), slog.Int("invalid_ids", skipped))
	}
	return out, nil
}

// send sends a request with a fresh Authorization header for every attempt.
func (c *Client) send(ctx context.Context, method, u string, body []byte, accept string) (*http.Response, error) {
	return c.http.DoFunc(ctx, func(ctx context.Context) (*http.Request, error) {
		tok, err := c.ts.Token()
		if err != nil {
			return nil, &TokenError{Err: err}
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return nil, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Accept", accept)
		tok.SetAuthHeader(req)
		return req, nil
	})
}

// readBody reads a response body of up to MaxResponseSize bytes.
func readBody(resp *http.Response) ([]byte, error) {
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= MaxResponseSize {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead free to look for EOF
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, MaxResponseSize+1)); err != nil {
		return nil, &DecodeError{Reason: "reading the body", Err: err}
	}
	if buf.Len() > MaxResponseSize {
		return nil, &DecodeError{Reason: fmt.Sprintf("the body is larger than %d bytes", MaxResponseSize)}
	}
	return buf.Bytes(), nil
}

// apiError turns a response with a status other than 200 into an *APIError.
func apiError(resp *http.Response) *APIError {
	e := &APIError{StatusCode: resp.StatusCode}
	for _, h := range []string{"X-Request-Id", "X-Correlation-Id", "Correlation-Id"} {
		if v := resp.Header.Get(h); v != "" {
			e.RequestID = clip(redact.String(v), 100)
			break
		}
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body struct {
		Error            any    `json:"error"`
		Message          string `json:"message"`
		Title            string `json:"title"`
		Detail           string `json:"detail"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(data, &body) != nil {
		return e
	}
	code, _ := body.Error.(string)
	e.Code = clip(redact.String(first(code, body.Title)), 100)
	e.Message = clip(redact.String(first(body.Message, body.Detail, body.ErrorDescription)), 300)
	return e
}

func first(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// clip shortens s to at most n bytes, on a rune boundary, and drops control
// characters.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// PrintCertificate fetches the certificate to encrypt digital post with when
// it is to be printed and posted (GET /rest/v2/printSertifikat).
func (c *Client) PrintCertificate(ctx context.Context) (*PrintCertificate, error) {
	resp, err := c.send(ctx, http.MethodGet, c.printURL, nil, "application/json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, apiError(resp)
	}
	data, err := readBody(resp)
	if err != nil {
		return nil, err
	}
	return decodePrintCertificate(data)
}
