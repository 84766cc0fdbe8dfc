package tsa

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/fellesgo/felles/internal/cms"
	"github.com/fellesgo/felles/internal/httpx"
)

// Timestamper gets timestamp tokens; *Client implements it, and a test or
// another TSA protocol can stand in for it.
type Timestamper interface {
	Timestamp(ctx context.Context, h crypto.Hash, digest []byte) (*Token, error)
}

// Client asks one RFC 3161 timestamp authority for tokens. It is safe for
// concurrent use.
type Client struct {
	url        string
	httpClient *http.Client
	logger     *slog.Logger
	hash       crypto.Hash
	policy     asn1.ObjectIdentifier
	maxRetries int
	http       *httpx.Client
}

// Option configures a Client.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client whose transport and timeout are used.
func WithHTTPClient(c *http.Client) Option {
	return func(cl *Client) error {
		if c == nil {
			return errors.New("tsa: nil HTTP client")
		}
		cl.httpClient = c
		return nil
	}
}

// WithLogger sets a logger for the HTTP attempts (redacted; nil logs nothing).
func WithLogger(l *slog.Logger) Option {
	return func(cl *Client) error { cl.logger = l; return nil }
}

// WithHash sets the hash [Client.TimestampData] uses and that
// [Client.Timestamp] assumes when given h == 0. The default is SHA-256.
func WithHash(h crypto.Hash) Option {
	return func(cl *Client) error {
		if _, ok := cms.HashOID(h); !ok || !h.Available() || h == crypto.SHA1 {
			return fmt.Errorf("tsa: unsupported hash %v", h)
		}
		cl.hash = h
		return nil
	}
}

// WithPolicy asks for tokens under the TSA policy oid (dotted, such as
// "1.2.3.4.1") and requires it in the answer.
func WithPolicy(oid string) Option {
	return func(cl *Client) error {
		p, err := parseOID(oid)
		if err != nil {
			return err
		}
		cl.policy = p
		return nil
	}
}

// WithMaxRetries sets the number of retries after the first attempt
// (default httpx.DefaultMaxRetries; negative disables retries). A
// timestamp request is safe to repeat: each answer is a fresh token.
func WithMaxRetries(n int) Option {
	return func(cl *Client) error { cl.maxRetries = n; return nil }
}

// New returns a client for the TSA at rawURL (an absolute http or https
// URL). It sends nothing: the first request is made by [Client.Timestamp].
func New(rawURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("tsa: TSA URL must be an absolute http(s) URL")
	}
	c := &Client{url: rawURL, hash: crypto.SHA256}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	c.http = httpx.New(httpx.Options{HTTPClient: c.httpClient, Logger: c.logger, MaxRetries: c.maxRetries})
	return c, nil
}

// TimestampData hashes r with the client's hash and timestamps the digest.
func (c *Client) TimestampData(ctx context.Context, r io.Reader) (*Token, error) {
	h := c.hash.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, fmt.Errorf("tsa: reading data: %w", err)
	}
	return c.Timestamp(ctx, c.hash, h.Sum(nil))
}

// Timestamp asks the TSA to timestamp digest, made with h (the client's
// hash if h is 0). The request carries a random 64-bit nonce and certReq
// true. The answer must be granted (else *Error), carry the nonce and the
// digest, be under the requested policy if one was set, and have an
// intact CMS signature; the signer's chain is not checked (see
// [Token.Verify]).
//
// Errors: *[Error] when the TSA refuses, *[HTTPError] for an HTTP status
// other than 200, *[ParseError]
// for a malformed answer, [ErrNonceMismatch], [ErrImprintMismatch] and
// [ErrPolicyMismatch], and an error wrapping ctx's error when ctx is done.
func (c *Client) Timestamp(ctx context.Context, h crypto.Hash, digest []byte) (*Token, error) {
	if h == 0 {
		h = c.hash
	}
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, fmt.Errorf("tsa: nonce: %w", err)
	}
	reqDER, err := MarshalRequest(h, digest, nonce, c.policy)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(reqDER))
	if err != nil {
		return nil, fmt.Errorf("tsa: %w", err)
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	req.Header.Set("Accept", "application/timestamp-reply")
	resp, err := c.http.Do(httpx.RetrySafe(req))
	if err != nil {
		return nil, fmt.Errorf("tsa: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &HTTPError{StatusCode: resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("tsa: reading response: %w", err)
	}
	if len(body) > MaxResponseSize {
		return nil, &ParseError{Msg: fmt.Sprintf("response larger than %d bytes", MaxResponseSize)}
	}
	tok, err := ParseResponse(body)
	if err != nil {
		return nil, err
	}
	if tok.Nonce == nil || tok.Nonce.Cmp(nonce) != 0 {
		return nil, ErrNonceMismatch
	}
	if tok.Hash != h || !bytes.Equal(tok.Digest, digest) {
		return nil, ErrImprintMismatch
	}
	if c.policy != nil && tok.Policy != c.policy.String() {
		return nil, ErrPolicyMismatch
	}
	if tok.Signer == nil {
		return nil, fmt.Errorf("tsa: token without the TSA certificate although certReq was set: %w", cms.ErrNoSigner)
	}
	if err := tok.sd.VerifyContent(); err != nil {
		return nil, fmt.Errorf("tsa: token signature: %w", err)
	}
	return tok, nil
}

// MarshalRequest returns a DER TimeStampReq for digest made with h, with nonce
// (nil for none), policy (nil for none) and certReq true.
func MarshalRequest(h crypto.Hash, digest []byte, nonce *big.Int, policy asn1.ObjectIdentifier) ([]byte, error) {
	oid, ok := cms.HashOID(h)
	if !ok || !h.Available() {
		return nil, fmt.Errorf("tsa: unsupported hash %v", h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("tsa: digest is %d bytes, %v needs %d", len(digest), h, h.Size())
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oid)
				b.AddASN1NULL()
			})
			b.AddASN1OctetString(digest)
		})
		if policy != nil {
			b.AddASN1ObjectIdentifier(policy)
		}
		if nonce != nil {
			b.AddASN1BigInt(nonce)
		}
		b.AddASN1Boolean(true)
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("tsa: %w", err)
	}
	return der, nil
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	var oid asn1.ObjectIdentifier
	n, ok := 0, false
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if !ok {
				return nil, fmt.Errorf("tsa: bad object identifier %q", s)
			}
			oid = append(oid, n)
			n, ok = 0, false
			continue
		}
		c := s[i]
		if c < '0' || c > '9' || n > 1<<27 {
			return nil, fmt.Errorf("tsa: bad object identifier %q", s)
		}
		n, ok = n*10+int(c-'0'), true
	}
	if len(oid) < 2 || oid[0] > 2 {
		return nil, fmt.Errorf("tsa: bad object identifier %q", s)
	}
	return oid, nil
}
