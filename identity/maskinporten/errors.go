package maskinporten

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Error is a token request Maskinporten answered with an HTTP status other
// than 200, carrying the OAuth2 error of the response body (RFC 6749 §5.2)
// when there was one. Match it with errors.As. Its text never holds the
// grant or a token.
//
// The codes Maskinporten documents are listed at
// https://docs.digdir.no/docs/Maskinporten/maskinporten_feilsoking; the
// MP-nnn code is usually the last part of URI.
type Error struct {
	StatusCode  int    // the HTTP status
	Code        string // "error", e.g. "invalid_grant"; empty for a body that is not an OAuth2 error
	Description string // "error_description"; often carries a trace id to quote to Digdir
	URI         string // "error_uri", e.g. "https://maskinporten.no/errors/MP-121"

	// ServerTime is the response's Date header, zero without one.
	ServerTime time.Time
	// ClockOffset is ServerTime minus the local clock when the response
	// arrived: positive when the local clock is behind. Maskinporten rejects
	// a grant whose iat is more than 10 seconds off its own clock, so an
	// offset near or above that explains "invalid_grant" errors about iat
	// and exp. Zero without a Date header.
	ClockOffset time.Duration
}

// clockWarning is the clock offset from which Error mentions it.
const clockWarning = 5 * time.Second

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("maskinporten: ")
	if e.Code != "" {
		b.WriteString(e.Code)
		if e.Description != "" {
			b.WriteString(": ")
			b.WriteString(e.Description)
		}
	} else {
		b.WriteString("token request failed")
	}
	b.WriteString(" (HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	b.WriteString(")")
	if off := e.ClockOffset; off >= clockWarning || off <= -clockWarning {
		dir := "behind"
		if off < 0 {
			dir, off = "ahead of", -off
		}
		fmt.Fprintf(&b, "; the local clock is %s %s Maskinporten's: synchronise it (NTP)", off.Round(time.Second), dir)
	}
	return b.String()
}

// DiscoveryError reports a failure to read the issuer's metadata
// (/.well-known/oauth-authorization-server) or metadata that cannot be used.
type DiscoveryError struct {
	URL        string // the metadata URL
	StatusCode int    // the HTTP status when it was not 200, else 0
	Reason     string // what was wrong, when not Err
	Err        error  // the underlying error, if any
}

func (e *DiscoveryError) Error() string {
	var parts []string
	if e.StatusCode != 0 {
		parts = append(parts, "HTTP "+strconv.Itoa(e.StatusCode))
	}
	if e.Reason != "" {
		parts = append(parts, e.Reason)
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	return "maskinporten: issuer metadata " + e.URL + ": " + strings.Join(parts, ": ")
}

func (e *DiscoveryError) Unwrap() error { return e.Err }

// IssuerMismatchError reports issuer metadata naming another issuer than the
// configured one. The client refuses to use it: the metadata may come from a
// different server than intended (an OAuth mix-up).
type IssuerMismatchError struct {
	Configured string // the issuer given to WithIssuer
	Discovered string // the "issuer" of the metadata
}

func (e *IssuerMismatchError) Error() string {
	s := fmt.Sprintf("maskinporten: the issuer metadata names issuer %q, not the configured %q", e.Discovered, e.Configured)
	if strings.TrimSuffix(e.Discovered, "/") == strings.TrimSuffix(e.Configured, "/") {
		s += `; they differ in the trailing slash: configure WithIssuer(` + strconv.Quote(e.Discovered) + `)`
	}
	return s
}
