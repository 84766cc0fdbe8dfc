package maskinporten

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/httpx"
	"github.com/fellesgo/felles/internal/jws"
	"github.com/fellesgo/felles/internal/redact"
)

// The Maskinporten issuers. Each is also the "aud" of a JWT grant, trailing
// slash included.
const (
	ProdIssuer = "https://maskinporten.no/"
	TestIssuer = "https://test.maskinporten.no/"
)

// Client gets and caches Maskinporten access tokens for one issuer, client id
// and key. It is safe for concurrent use; create one per client id and share
// it, so that its token cache is shared too.
type Client struct {
	clientID string
	signer   crypto.Signer
	alg      jws.Algorithm
	header   map[string]any      // "x5c" or "kid"; never modified after New
	chain    []*x509.Certificate // nil when a kid is used

	issuer       string
	discoveryURL string
	hc           *http.Client
	http         *httpx.Client
	log          *slog.Logger
	now          func() time.Time

	discoverySem chan struct{} // one discovery at a time
	meta         atomic.Pointer[metadata]

	mu      sync.Mutex
	entries map[string]*entry
}

// Option configures a [Client]. An Option returns an error for an invalid
// value; [New] reports it.
type Option func(*options) error

type options struct {
	issuer     string
	chain      []*x509.Certificate
	kid        string
	alg        jws.Algorithm
	httpClient *http.Client
	logger     *slog.Logger
	now        func() time.Time
	maxRetries int // httpx semantics: 0 default, <0 none
}

// WithIssuer sets the Maskinporten issuer: [ProdIssuer], [TestIssuer] or the
// issuer URL of a sandbox. It is required. The token endpoint is discovered
// from the issuer's metadata, whose "issuer" must equal this value exactly.
func WithIssuer(issuer string) Option {
	return func(o *options) error {
		u, err := url.Parse(issuer)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("maskinporten: issuer %q is not an absolute http(s) URL", issuer)
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(issuer, "?") || strings.HasSuffix(issuer, "#") {
			return fmt.Errorf("maskinporten: issuer %q must not have user info, a query or a fragment", issuer)
		}
		o.issuer = issuer
		return nil
	}
}

// WithCertificateChain sends chain, leaf first, in the grant's "x5c" header:
// the enterprise certificate (virksomhetssertifikat) and its issuing CAs.
// The leaf must hold the public key of the signer. Use it or [WithKeyID],
// not both; [NewFromCertificate] sets it from the certificate.
func WithCertificateChain(chain []*x509.Certificate) Option {
	return func(o *options) error {
		if len(chain) == 0 {
			return errors.New("maskinporten: empty certificate chain")
		}
		for i, c := range chain {
			if c == nil || len(c.Raw) == 0 {
				return fmt.Errorf("maskinporten: certificate %d of the chain is empty", i)
			}
			if i > 0 && !bytes.Equal(chain[i-1].RawIssuer, c.RawSubject) {
				return fmt.Errorf("maskinporten: certificate chain is not in order, leaf first: certificate %d (%s) did not issue certificate %d (%s)",
					i, c.Subject, i-1, chain[i-1].Subject)
			}
		}
		o.chain = append([]*x509.Certificate(nil), chain...)
		return nil
	}
}

// WithKeyID sends kid in the grant's "kid" header: the id of a key
// registered on the Maskinporten client. A client with a registered key must
// use it. Use it or [WithCertificateChain], not both.
func WithKeyID(kid string) Option {
	return func(o *options) error {
		if strings.TrimSpace(kid) == "" {
			return errors.New("maskinporten: empty key id")
		}
		o.kid = kid
		return nil
	}
}

// WithAlgorithm sets the grant's signature algorithm: "RS256" (the default),
// "RS384" or "RS512", the algorithms Maskinporten accepts.
func WithAlgorithm(alg string) Option {
	return func(o *options) error {
		switch a := jws.Algorithm(alg); a {
		case jws.RS256, jws.RS384, jws.RS512:
			o.alg = a
			return nil
		}
		return fmt.Errorf("maskinporten: algorithm %q is not supported; use RS256, RS384 or RS512", alg)
	}
}

// WithHTTPClient sets the HTTP client for requests to Maskinporten. The
// default has a 30 second timeout. [Client.HTTPClient] starts from it too.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return errors.New("maskinporten: nil HTTP client")
		}
		o.httpClient = hc
		return nil
	}
}

// WithLogger sets the logger. The Client logs token requests at debug level
// and fallbacks to a cached token at warning level; it never logs a grant, a
// token or a key. The default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("maskinporten: nil logger")
		}
		o.logger = l
		return nil
	}
}

// WithClock sets the clock for the grant's iat and exp and for token expiry.
// The default is [time.Now].
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("maskinporten: nil clock")
		}
		o.now = now
		return nil
	}
}

// WithMaxRetries sets how many times a failed request to Maskinporten
// (connection error, 408, 429 or 5xx) is retried, with backoff; every retry
// of a token request carries a new grant. The default is 3; 0 disables
// retries.
func WithMaxRetries(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("maskinporten: negative retry count %d", n)
		}
		if n == 0 {
			o.maxRetries = -1
		} else {
			o.maxRetries = n
		}
		return nil
	}
}

// New returns a Client that authenticates as clientID with grants signed by
// signer, an RSA key. [WithIssuer] is required, and so is exactly one of
// [WithCertificateChain] and [WithKeyID]. New does no I/O: the issuer's
// metadata is read when the first token is requested.
func New(clientID string, signer crypto.Signer, opts ...Option) (*Client, error) {
	o, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	return newClient(clientID, signer, o)
}

// NewFromCertificate returns a Client that signs grants with an enterprise
// certificate (virksomhetssertifikat) and sends its chain in the "x5c"
// header. It fails with an error wrapping *[identity.ValidityError] if the
// certificate is not valid now. [WithIssuer] is required; [WithKeyID] and
// [WithCertificateChain] are not allowed (for a registered key, use [New]
// with [WithKeyID]).
func NewFromCertificate(clientID string, cert *identity.Certificate, opts ...Option) (*Client, error) {
	if cert == nil || cert.Signer == nil || len(cert.Chain) == 0 {
		return nil, errors.New("maskinporten: the certificate needs a signer and a chain")
	}
	o, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	if o.kid != "" || o.chain != nil {
		return nil, errors.New("maskinporten: NewFromCertificate takes the chain from the certificate; do not add WithKeyID or WithCertificateChain (for a registered key, use New with WithKeyID)")
	}
	if err := WithCertificateChain(cert.Chain)(o); err != nil {
		return nil, err
	}
	return newClient(clientID, cert.Signer, o)
}

func applyOptions(opts []Option) (*options, error) {
	o := &options{alg: jws.RS256, now: time.Now}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func newClient(clientID string, signer crypto.Signer, o *options) (*Client, error) {
	if clientID == "" || strings.TrimSpace(clientID) != clientID {
		return nil, fmt.Errorf("maskinporten: client id %q is empty or has surrounding spaces", clientID)
	}
	if signer == nil {
		return nil, errors.New("maskinporten: nil signer")
	}
	pub, ok := signer.Public().(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("maskinporten: Maskinporten needs an RSA key (RS256, RS384 or RS512), got %T", signer.Public())
	}
	if o.issuer == "" {
		return nil, errors.New("maskinporten: WithIssuer is required (ProdIssuer, TestIssuer or a sandbox issuer URL)")
	}
	if (o.kid == "") == (o.chain == nil) {
		return nil, errors.New("maskinporten: exactly one of WithCertificateChain and WithKeyID is required")
	}
	header := map[string]any{}
	if o.chain != nil {
		if !pub.Equal(o.chain[0].PublicKey) {
			return nil, fmt.Errorf("maskinporten: %w", identity.ErrKeyMismatch)
		}
		cert := &identity.Certificate{Signer: signer, Chain: o.chain}
		if err := cert.CheckValidity(o.now()); err != nil {
			return nil, fmt.Errorf("maskinporten: %w", err)
		}
		x5c := make([]string, len(o.chain))
		for i, c := range o.chain {
			x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
		}
		header["x5c"] = x5c
	} else {
		header["kid"] = o.kid
	}

	hc := o.httpClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	log := slog.New(slog.DiscardHandler)
	if o.logger != nil {
		log = slog.New(redact.Handler(o.logger.Handler()))
	}
	c := &Client{
		clientID:     clientID,
		signer:       signer,
		alg:          o.alg,
		header:       header,
		chain:        o.chain,
		issuer:       o.issuer,
		discoveryURL: discoveryURL(o.issuer),
		hc:           hc,
		http:         httpx.New(httpx.Options{HTTPClient: hc, Logger: o.logger, MaxRetries: o.maxRetries}),
		log:          log,
		now:          o.now,
		discoverySem: make(chan struct{}, 1),
		entries:      map[string]*entry{},
	}
	if c.chain != nil {
		if left := c.chain[0].NotAfter.Sub(c.now()); left < certExpiryWarning {
			log.Warn("maskinporten: the enterprise certificate expires soon; renew it",
				"subject", c.chain[0].Subject.String(), "not_after", c.chain[0].NotAfter, "days_left", int(left.Hours()/24))
		}
	}
	return c, nil
}

// certExpiryWarning is how long before the certificate's expiry New starts
// warning (Digdir's own operator rotates keys 30 days ahead).
const certExpiryWarning = 30 * 24 * time.Hour

// checkCertificate reports a certificate that has expired since New.
func (c *Client) checkCertificate(now time.Time) error {
	if c.chain == nil {
		return nil
	}
	cert := &identity.Certificate{Signer: c.signer, Chain: c.chain}
	if err := cert.CheckValidity(now); err != nil {
		return fmt.Errorf("maskinporten: %w", err)
	}
	return nil
}
