package folkeregister

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fellesgo/felles/internal/redact"
	"github.com/fellesgo/felles/registry/personid"
)

// Sentinel errors, matched with errors.Is. An [*APIError] matches the one
// for its status.
var (
	// ErrNotFound: no such person, document or resource (HTTP 404); also
	// a person missing from a bulk lookup ([NotFoundError]).
	ErrNotFound = errors.New("folkeregister: not found")
	// ErrSequenceTooOld: the event feed was asked for a sequence number
	// older than it keeps (36 months; HTTP 406 on the feed). Start again
	// from a later one, such as [Client.LatestSequence], after a full
	// resynchronisation.
	ErrSequenceTooOld = errors.New("folkeregister: sequence number too old for the event feed")
	// ErrUnauthorized: the access token was missing or refused (HTTP 401).
	ErrUnauthorized = errors.New("folkeregister: unauthorized")
	// ErrForbidden: the token is valid but not for this rights package or
	// service (HTTP 403).
	ErrForbidden = errors.New("folkeregister: forbidden")
	// ErrRateLimited: Folkeregisteret asked the client to slow down (HTTP
	// 429) and the retries did not get through.
	ErrRateLimited = errors.New("folkeregister: rate limited")
)

// APIError is an answer from Folkeregisteret, or from what stands in front
// of it, with an HTTP status other than 2xx and 304. Folkeregisteret's
// error body is {"kode": "FREG-001", "melding": "..."}; a web application
// firewall answers with an HTML page instead, of which only the title and
// the support id are kept. Match it with errors.As. Its text never holds a
// token, a header value or a whole identity number.
type APIError struct {
	StatusCode int
	// Code is the body's "kode", such as "FREG-001"; empty if it had none.
	Code string
	// Message is the body's "melding", or the title of an HTML page, or the
	// start of a text body; redacted and at most 300 characters.
	Message string
	// HTML reports that the body was an HTML page, probably from the web
	// application firewall in front of Folkeregisteret rather than from
	// Folkeregisteret itself.
	HTML bool
	// SupportID is the support id an HTML error page showed, to quote to
	// Skatteetaten; empty if none was found.
	SupportID string
	// RequestID is the response's X-Request-Id or X-Correlation-Id
	// header, if any.
	RequestID string
	// RetryAfter is the delay a 429 or 503 asked for (in milliseconds on
	// the wire), 0 if none.
	RetryAfter time.Duration

	tooOld bool // a 406 from the event feed
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("folkeregister: HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.HTML {
		b.WriteString(": an HTML page instead of Folkeregisteret's answer, probably from its web application firewall")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.SupportID != "" {
		b.WriteString(" (support id " + e.SupportID + ")")
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	switch {
	case e.tooOld:
		b.WriteString("; the event feed keeps 36 months of events: resynchronise and start from a later sequence number")
	case e.StatusCode == http.StatusUnauthorized:
		b.WriteString("; the access token was refused: it must come from the Maskinporten of the same environment (test or prod)")
	case e.StatusCode == http.StatusForbidden:
		b.WriteString("; the token's scope does not give this rights package or service: check RightsPackage.Scope and the organisation's agreement")
	case e.StatusCode == http.StatusTooManyRequests:
		b.WriteString("; Folkeregisteret limits the request rate")
	}
	return b.String()
}

// Is reports whether target is the sentinel for e: [ErrNotFound] (404),
// [ErrSequenceTooOld] (406 from the event feed), [ErrUnauthorized] (401),
// [ErrForbidden] (403) or [ErrRateLimited] (429).
func (e *APIError) Is(target error) bool {
	switch {
	case e.tooOld:
		return target == ErrSequenceTooOld
	case e.StatusCode == http.StatusNotFound:
		return target == ErrNotFound
	case e.StatusCode == http.StatusUnauthorized:
		return target == ErrUnauthorized
	case e.StatusCode == http.StatusForbidden:
		return target == ErrForbidden
	case e.StatusCode == http.StatusTooManyRequests:
		return target == ErrRateLimited
	}
	return false
}

// maxMessage bounds APIError.Message, in characters.
const maxMessage = 300

var (
	// supportIDRe finds the support id on an F5-style firewall page: "Your
	// support ID is: 1234567890123456789" or "Support ID: <b>abc-123</b>".
	supportIDRe = regexp.MustCompile(`(?i)support\s*id(?:\s*is)?\s*[:#]?\s*(?:<[^>]{0,40}>\s*)*([0-9A-Za-z][0-9A-Za-z-]{3,63})`)
	titleRe     = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRe       = regexp.MustCompile(`<[^>]*>`)
)

// apiError builds the *APIError for resp, whose body (at most maxErrBody
// bytes of it) is data.
func (c *Client) apiError(resp *http.Response, data []byte) *APIError {
	e := &APIError{StatusCode: resp.StatusCode}
	for _, h := range []string{"X-Request-Id", "X-Correlation-Id", "Correlation-Id"} {
		if v := resp.Header.Get(h); v != "" {
			e.RequestID = shorten(redact.String(v), 100)
			break
		}
	}
	if v := resp.Header.Get("Retry-After"); v != "" {
		if ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && ms >= 0 {
			e.RetryAfter = time.Duration(min(ms, 1<<40)) * time.Millisecond
		}
	}
	text := strings.TrimSpace(strings.ToValidUTF8(string(data), "\uFFFD"))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var body struct {
		Kode    json.RawMessage `json:"kode"`
		Melding json.RawMessage `json:"melding"`
	}
	switch {
	case text == "":
	case mt == "text/html" || strings.HasPrefix(text, "<"):
		e.HTML = true
		if m := supportIDRe.FindStringSubmatch(text); m != nil {
			e.SupportID = m[1]
		}
		if m := titleRe.FindStringSubmatch(text); m != nil {
			e.Message = clean(tagRe.ReplaceAllString(m[1], " "))
		}
	case strings.HasPrefix(text, "{") && json.Unmarshal(data, &body) == nil:
		e.Code = shorten(redact.String(jsonText(body.Kode)), 64)
		e.Message = clean(jsonText(body.Melding))
	default:
		line, _, _ := strings.Cut(text, "\n")
		e.Message = clean(line)
	}
	return e
}

// jsonText returns a JSON string's value, or the JSON text of another value.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// clean unescapes HTML entities, folds white space, redacts and shortens s.
func clean(s string) string {
	s = strings.Join(strings.Fields(html.UnescapeString(s)), " ")
	return shorten(redact.String(s), maxMessage)
}

// shorten cuts s to at most n characters, marking a cut with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// DecodeError reports a response that is not the JSON expected.
type DecodeError struct {
	Err error
}

func (e *DecodeError) Error() string {
	return "folkeregister: invalid response: " + redact.String(e.Err.Error())
}

// Unwrap returns e.Err.
func (e *DecodeError) Unwrap() error { return e.Err }

// InvalidIDError reports an identity number that package personid rejects:
// an input to a lookup, or one in Folkeregisteret's answer to a search.
type InvalidIDError struct {
	// Index is the identifier's position in the input or answer, from 0;
	// -1 for the one identifier of [Client.Person].
	Index int
	// ID is the identifier, masked: its first six characters are kept and
	// the others replaced by '*'.
	ID string
	// Err is why personid rejected it, a *personid.ParseError.
	Err error
}

func (e *InvalidIDError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("folkeregister: %q is not a valid fødselsnummer or d-nummer: %v", e.ID, e.Err)
	}
	return fmt.Sprintf("folkeregister: identifier %d (%q) is not a valid fødselsnummer or d-nummer: %v", e.Index, e.ID, e.Err)
}

// Unwrap returns e.Err.
func (e *InvalidIDError) Unwrap() error { return e.Err }

// NotFoundError reports a person Folkeregisteret did not find: an answer
// 404 to [Client.Person], or a person missing from a bulk lookup. It
// matches [ErrNotFound].
type NotFoundError struct {
	ID personid.Number
	// Err is the *APIError of a 404; nil for a bulk lookup.
	Err error
}

func (e *NotFoundError) Error() string {
	s := fmt.Sprintf("folkeregister: no person with identity number %v", e.ID)
	if e.Err != nil {
		s += " (" + strings.TrimPrefix(e.Err.Error(), "folkeregister: ") + ")"
	}
	return s
}

// Unwrap returns e.Err.
func (e *NotFoundError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrNotFound].
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// maskID masks an identifier as personid masks numbers: the first six
// characters stay, each further one becomes '*', at most 20 are kept.
func maskID(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > 20 {
		r = r[:20]
	}
	for i := 6; i < len(r); i++ {
		r[i] = '*'
	}
	return string(r)
}

// StaleFeedPageError reports a feed page that holds events, all of them
// before the sequence number asked for: a stale answer, from a cache or a
// replica that lags behind. [Client.Feed] returns it and [Client.Events]
// yields it, instead of taking the page for the end of the feed;
// [Client.Follow] logs it and asks again after its interval. Nothing was
// skipped; ask again from the same sequence number (From), later.
type StaleFeedPageError struct {
	// From is the sequence number asked for.
	From int64
	// First and Last are the lowest and highest sequence numbers on the
	// page; Last < From.
	First, Last int64
}

func (e *StaleFeedPageError) Error() string {
	return fmt.Sprintf("folkeregister: stale event feed page: asked for sequence number %d, got %d to %d", e.From, e.First, e.Last)
}
