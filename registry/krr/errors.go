package krr

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/fellesgo/felles/internal/redact"
	"github.com/fellesgo/felles/registry/personid"
)

// Sentinel errors, matched with errors.Is. An [*APIError] matches the one
// for its status code; a [*BatchError] matches what any of its failures
// match.
var (
	// ErrUnauthorized: KRR refused the access token (HTTP 401): missing,
	// expired, or from another environment's Maskinporten.
	ErrUnauthorized = errors.New("krr: unauthorized")
	// ErrForbidden: the access token lacks the scope for the request
	// (HTTP 403); see [ScopeContactInfo] and [ScopeDigitalPost].
	ErrForbidden = errors.New("krr: forbidden")
	// ErrRateLimited: KRR asked the client to slow down (HTTP 429) and
	// the retries did not get through.
	ErrRateLimited = errors.New("krr: rate limited")
	// ErrInvalidSignature: a signed response (see [WithSignedResponses])
	// failed verification; the error is a [*SignatureError].
	ErrInvalidSignature = errors.New("krr: invalid response signature")
)

// APIError is a KRR response with an HTTP status other than 200. KRR does not
// document its error bodies; APIError reads the Spring shape
// {timestamp, status, error, message, path}, RFC 7807 problem details
// {type, title, status, detail} and OAuth-style {error, error_description},
// and leaves Code and Message empty for anything else (an HTML page from a
// proxy, say). Match it with errors.As. Its text never holds an access token
// or a whole national identity number: Message is redacted.
type APIError struct {
	StatusCode int
	// Code is the body's error name: Spring's "error" (e.g. "Bad Request"),
	// a problem's "title", or an OAuth "error". Empty if the body had none.
	Code string
	// Message is the body's "message", "detail" or "error_description",
	// redacted and shortened to 300 characters.
	Message string
	// RequestID is the response's X-Request-Id or X-Correlation-Id
	// header, to quote to Digdir; empty without one.
	RequestID string
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("krr: HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Code != "" && e.Code != http.StatusText(e.StatusCode) {
		b.WriteString(": " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	switch e.StatusCode {
	case http.StatusUnauthorized:
		b.WriteString("; the access token was refused: it must come from the Maskinporten of the same environment (test or prod) as KRR and must not have expired")
	case http.StatusForbidden:
		b.WriteString("; the access token lacks a KRR scope: ask Maskinporten for " + ScopeContactInfo + " and " + ScopeDigitalPost +
			" (a supplier acting for a customer: " + ScopeSupplierContactInfo + " and " + ScopeSupplierDigitalPost + " with consumer_org)")
	case http.StatusTooManyRequests:
		b.WriteString("; KRR limits the request rate: lower the concurrency (WithMaxConcurrency)")
	}
	return b.String()
}

// Is reports whether target is the sentinel for e's status code:
// [ErrUnauthorized] (401), [ErrForbidden] (403) or [ErrRateLimited] (429).
func (e *APIError) Is(target error) bool {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return target == ErrUnauthorized
	case http.StatusForbidden:
		return target == ErrForbidden
	case http.StatusTooManyRequests:
		return target == ErrRateLimited
	}
	return false
}

// TokenError reports that the token source gave no access token, so no
// request was sent. Err is the token source's error, such as a
// *maskinporten.Error; errors.As reaches it.
type TokenError struct {
	Err error
}

func (e *TokenError) Error() string { return "krr: getting an access token: " + e.Err.Error() }

func (e *TokenError) Unwrap() error { return e.Err }

// InvalidIDError reports an input identifier that is not a valid
// fødselsnummer or d-nummer. [Client.Lookup] returns it, for the first
// invalid identifier, before sending anything; [Client.LookupSeq] yields it
// for each invalid identifier and carries on.
type InvalidIDError struct {
	// Index is the identifier's position in the input, from 0.
	Index int
	// ID is the identifier as given, masked by package personid: only the
	// first six characters are kept.
	ID string
	// Err is why package personid rejected it, a *personid.ParseError.
	Err error
}

func (e *InvalidIDError) Error() string {
	return fmt.Sprintf("krr: identifier at position %d: %v", e.Index, e.Err)
}

func (e *InvalidIDError) Unwrap() error { return e.Err }

func invalidID(index int, err error) *InvalidIDError {
	e := &InvalidIDError{Index: index, Err: err}
	var pe *personid.ParseError
	if errors.As(err, &pe) {
		e.ID = pe.Input
	}
	return e
}

// BatchError reports lookups that got no answer: KRR takes at most 1000
// identifiers per request, and each failed request is one [BatchFailure],
// naming the input positions it covered and why it failed. Match it with
// errors.As; errors.Is and errors.As also see through it to each failure's
// error, so errors.Is(err, ErrForbidden) works.
//
// [Client.Lookup] returns one BatchError for all failed requests, together
// with the results of the requests that succeeded. [Client.LookupSeq] yields,
// with each identifier of a failed request, a BatchError holding just that
// request's failure.
type BatchError struct {
	Failures []BatchFailure // in input order
}

// BatchFailure is one failed request of a [BatchError].
type BatchFailure struct {
	// Start and End are the input positions the request covered, from 0:
	// [Start, End). Identifiers at those positions have no answer.
	Start, End int
	// IDs is the number of distinct identifiers the request carried.
	IDs int
	// Err is why it failed: an [*APIError], a [*DecodeError], a
	// [*SignatureError], a [*TokenError], or a connection error.
	Err error
}

func (e *BatchError) Error() string {
	if len(e.Failures) == 0 {
		return "krr: lookup failed"
	}
	f := e.Failures[0]
	s := fmt.Sprintf("krr: lookup of identifiers %d to %d failed: %v", f.Start, f.End-1, f.Err)
	if n := len(e.Failures) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more failed request", n)
		if n > 1 {
			s += "s"
		}
		s += ")"
	}
	return s
}

// Unwrap returns the error of every failure.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, len(e.Failures))
	for i, f := range e.Failures {
		errs[i] = f.Err
	}
	return errs
}

// Failed reports whether the identifier at input position i is in a failed
// request.
func (e *BatchError) Failed(i int) bool {
	for _, f := range e.Failures {
		if i >= f.Start && i < f.End {
			return true
		}
	}
	return false
}

// DecodeError reports a response body that could not be read as KRR's
// answer: too large, not JSON, or not of the documented shape. Its text
// holds no values from the body.
type DecodeError struct {
	Reason string // what was wrong
	Err    error  // the underlying error, if any
}

func (e *DecodeError) Error() string {
	s := "krr: cannot read the response: " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DecodeError) Unwrap() error { return e.Err }

// SignatureError reports a signed response (see [WithSignedResponses]) that
// failed verification. It matches [ErrInvalidSignature]. Nothing of a response
// that fails verification is returned.
type SignatureError struct {
	Reason string // what was wrong
	Err    error  // the underlying error, if any
}

func (e *SignatureError) Error() string {
	s := "krr: signed response rejected: " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *SignatureError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrInvalidSignature].
func (e *SignatureError) Is(target error) bool { return target == ErrInvalidSignature }

// FieldError reports one field of a person in KRR's answer that could not be
// read, such as a certificate that does not parse or a timestamp in an
// unknown format. The field is left zero and the rest of the person is
// usable; see [Person.Err].
type FieldError struct {
	Field string // the JSON member, e.g. "sertifikat" or "kontaktinformasjon.epostadresse_oppdatert"
	Err   error
}

// Error returns the field and what was wrong with it, redacted: a value
// that holds a national identity number does not show it.
func (e *FieldError) Error() string {
	return "krr: field " + e.Field + ": " + redact.String(e.Err.Error())
}

func (e *FieldError) Unwrap() error { return e.Err }
