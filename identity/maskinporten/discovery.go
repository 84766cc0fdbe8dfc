package maskinporten

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Metadata is re-read after metadataTTL (Digdir: cache about 24 hours), or
// after metadataRetry when the last refresh failed and older metadata is
// used meanwhile.
const (
	metadataTTL     = 24 * time.Hour
	metadataRetry   = 5 * time.Minute
	maxMetadataSize = 1 << 20
)

const grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// metadata is the part of the RFC 8414 authorization server metadata the
// client uses.
type metadata struct {
	Issuer              string   `json:"issuer"`
	TokenEndpoint       string   `json:"token_endpoint"`
	GrantTypesSupported []string `json:"grant_types_supported"`

	refreshAt time.Time
}

// discoveryURL is issuer, with a slash added if it has none, followed by
// ".well-known/oauth-authorization-server".
func discoveryURL(issuer string) string {
	if !strings.HasSuffix(issuer, "/") {
		issuer += "/"
	}
	return issuer + ".well-known/oauth-authorization-server"
}

// metadata returns the issuer metadata, reading it if there is none or it is
// due for a refresh. If a refresh fails, the older metadata is used and the
// failure logged.
func (c *Client) metadata(ctx context.Context) (*metadata, error) {
	if m := c.meta.Load(); m != nil && c.now().Before(m.refreshAt) {
		return m, nil
	}
	select {
	case c.discoverySem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("maskinporten: waiting for issuer metadata: %w", context.Cause(ctx))
	}
	defer func() { <-c.discoverySem }()

	old := c.meta.Load()
	if old != nil && c.now().Before(old.refreshAt) {
		return old, nil // another caller refreshed it meanwhile
	}
	m, err := c.discover(ctx)
	if err != nil {
		if old == nil {
			return nil, err
		}
		c.log.Warn("maskinporten: refreshing the issuer metadata failed; using the metadata read earlier",
			"url", c.discoveryURL, "error", err)
		stale := *old
		stale.refreshAt = c.now().Add(metadataRetry)
		c.meta.Store(&stale)
		return &stale, nil
	}
	c.meta.Store(m)
	return m, nil
}

// discover reads and checks the issuer metadata.
func (c *Client) discover(ctx context.Context) (*metadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.discoveryURL, nil)
	if err != nil {
		return nil, &DiscoveryError{URL: c.discoveryURL, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &DiscoveryError{URL: c.discoveryURL, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		reason := ""
		if resp.StatusCode == http.StatusNotFound {
			reason = "no metadata at this address; check WithIssuer"
		}
		return nil, &DiscoveryError{URL: c.discoveryURL, StatusCode: resp.StatusCode, Reason: reason}
	}
	body, err := readLimited(resp.Body, maxMetadataSize)
	if err != nil {
		return nil, &DiscoveryError{URL: c.discoveryURL, Err: err}
	}
	var m metadata
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, &DiscoveryError{URL: c.discoveryURL, Reason: "the response is not JSON metadata", Err: err}
	}
	if m.Issuer == "" {
		return nil, &DiscoveryError{URL: c.discoveryURL, Reason: `the metadata has no "issuer"`}
	}
	if m.Issuer != c.issuer {
		return nil, &IssuerMismatchError{Configured: c.issuer, Discovered: m.Issuer}
	}
	if err := checkEndpoint(m.TokenEndpoint, c.issuer); err != nil {
		return nil, &DiscoveryError{URL: c.discoveryURL, Reason: err.Error()}
	}
	if len(m.GrantTypesSupported) > 0 && !slices.Contains(m.GrantTypesSupported, grantType) {
		return nil, &DiscoveryError{URL: c.discoveryURL, Reason: "the server does not support the JWT-bearer grant; is this a Maskinporten issuer?"}
	}
	m.refreshAt = c.now().Add(metadataTTL)
	return &m, nil
}

// checkEndpoint requires an absolute http(s) URL, https if the issuer is.
func checkEndpoint(endpoint, issuer string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("token_endpoint %q is not an absolute http(s) URL", endpoint)
	}
	if u.Scheme == "http" && strings.HasPrefix(issuer, "https:") {
		return fmt.Errorf("token_endpoint %q is not https although the issuer is", endpoint)
	}
	return nil
}

// readLimited reads at most limit bytes of r, failing beyond that.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("response larger than %d bytes", limit)
	}
	return b, nil
}
