package folkeregister

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/registry/personid"
)

// EventType is the type of an event (hendelsestype). Folkeregisteret adds
// types over time: a type this package does not list is kept as it is,
// and [EventType.Known] reports false for it.
//
// Source: folkeregisteret-api-dokumentasjon, Hendelsedokument_v1.4.xsd,
// and the news of 2024-12-10 (personErOppdatert).
type EventType string

// The event types.
const (
	PersonErOpprettet                                    EventType = "personErOpprettet"
	PersonErReaktivert                                   EventType = "personErReaktivert"
	PersonErOpphoert                                     EventType = "personErOpphoert"
	PersonErViderefoertSomGjeldendeVedSammenslaaing      EventType = "personErViderefoertSomGjeldendeVedSammenslaaing"
	PersonErOpphoertSomDublett                           EventType = "personErOpphoertSomDublett"
	PersonErEndretVedSplitting                           EventType = "personErEndretVedSplitting"
	PersonErGjenopprettetVedSplitting                    EventType = "personErGjenopprettetVedSplitting"
	PersonErDoed                                         EventType = "personErDoed"
	PersonErBosatt                                       EventType = "personErBosatt"
	PersonErUtflyttet                                    EventType = "personErUtflyttet"
	PersonErOppdatert                                    EventType = "personErOppdatert"
	EndringIStatus                                       EventType = "endringIStatus"
	EndringIIdentitetsgrunnlag                           EventType = "endringIIdentitetsgrunnlag"
	EndringIUtenlandskPersonidentifikasjon               EventType = "endringIUtenlandskPersonidentifikasjon"
	EndringIUtlendingsmyndighetenesIdentifikasjonsnummer EventType = "endringIUtlendingsmyndighetenesIdentifikasjonsnummer"
	EndringILegitimasjonsdokument                        EventType = "endringILegitimasjonsdokument"
	EndringIIdentifikasjonsnummer                        EventType = "endringIIdentifikasjonsnummer"
	EndringIFalskIdentitet                               EventType = "endringIFalskIdentitet"
	EndringIKontaktopplysningerForDoedsbo                EventType = "endringIKontaktopplysningerForDoedsbo"
	EndringIDeltBosted                                   EventType = "endringIDeltBosted"
	EndringIFoedsel                                      EventType = "endringIFoedsel"
	EndringIFoedselINorge                                EventType = "endringIFoedselINorge"
	EndringIKjoenn                                       EventType = "endringIKjoenn"
	EndringIFamilierelasjon                              EventType = "endringIFamilierelasjon"
	EndringISivilstand                                   EventType = "endringISivilstand"
	EndringIDoedsfall                                    EventType = "endringIDoedsfall"
	EndringINavn                                         EventType = "endringINavn"
	// EndringIAdressebeskyttelse may carry address changes too.
	EndringIAdressebeskyttelse         EventType = "endringIAdressebeskyttelse"
	EndringIBostedsadresse             EventType = "endringIBostedsadresse"
	EndringIBostedsadresseUtenFlytting EventType = "endringIBostedsadresseUtenFlytting"
	EndringIOppholdsadresse            EventType = "endringIOppholdsadresse"
	EndringIInnflytting                EventType = "endringIInnflytting"
	EndringIUtflytting                 EventType = "endringIUtflytting"
	EndringIBrukAvSamiskSpraak         EventType = "endringIBrukAvSamiskSpraak"
	EndringIKontaktinformasjon         EventType = "endringIKontaktinformasjon"
	EndringIForeldreansvar             EventType = "endringIForeldreansvar"
	EndringIStatsborgerskap            EventType = "endringIStatsborgerskap"
	EndringIOpphold                    EventType = "endringIOpphold"
	EndringIVergemaal                  EventType = "endringIVergemaal"
)

var knownEventTypes = map[EventType]bool{}

func init() {
	for _, t := range []EventType{
		PersonErOpprettet, PersonErReaktivert, PersonErOpphoert, PersonErViderefoertSomGjeldendeVedSammenslaaing,
		PersonErOpphoertSomDublett, PersonErEndretVedSplitting, PersonErGjenopprettetVedSplitting, PersonErDoed,
		PersonErBosatt, PersonErUtflyttet, PersonErOppdatert, EndringIStatus, EndringIIdentitetsgrunnlag,
		EndringIUtenlandskPersonidentifikasjon, EndringIUtlendingsmyndighetenesIdentifikasjonsnummer,
		EndringILegitimasjonsdokument, EndringIIdentifikasjonsnummer, EndringIFalskIdentitet,
		EndringIKontaktopplysningerForDoedsbo, EndringIDeltBosted, EndringIFoedsel, EndringIFoedselINorge,
		EndringIKjoenn, EndringIFamilierelasjon, EndringISivilstand, EndringIDoedsfall, EndringINavn,
		EndringIAdressebeskyttelse, EndringIBostedsadresse, EndringIBostedsadresseUtenFlytting,
		EndringIOppholdsadresse, EndringIInnflytting, EndringIUtflytting, EndringIBrukAvSamiskSpraak,
		EndringIKontaktinformasjon, EndringIForeldreansvar, EndringIStatsborgerskap, EndringIOpphold, EndringIVergemaal,
	} {
		knownEventTypes[t] = true
	}
}

// Known reports whether t is one of the package's constants.
func (t EventType) Known() bool { return knownEventTypes[t] }

// RawID is an identifier from Folkeregisteret that package personid does
// not accept as a fødselsnummer or d-nummer. Like a personid.Number it
// never prints more than its first six characters (fmt, log/slog,
// encoding/json, encoding.TextMarshaler); Digits returns it in full.
type RawID string

// Digits returns the identifier in full.
func (r RawID) Digits() string { return string(r) }

// String returns the identifier masked: "DDMMYY*****".
func (r RawID) String() string { return maskID(string(r)) }

// Format prints the masked identifier for every verb; %q quotes it.
func (r RawID) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		io.WriteString(f, strconv.Quote(r.String()))
		return
	}
	io.WriteString(f, r.String())
}

// LogValue returns the masked identifier.
func (r RawID) LogValue() slog.Value { return slog.StringValue(r.String()) }

// MarshalText returns the masked identifier.
func (r RawID) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Event is an entry of the event feed (hendelsesliste): something changed
// for a person.
type Event struct {
	// Sequence is the event's sequence number. Persist the Sequence of the
	// last event handled; continue with [Client.Events] from Sequence+1.
	Sequence int64
	// PersonID is the person the event is about (folkeregisteridentifikator).
	// It is zero if the feed gave none, or one that is not a valid number;
	// RawPersonID holds that one.
	PersonID    personid.Number
	RawPersonID RawID
	// Type is the type of the event, read from "hendelsetype" or
	// "hendelsestype" (both spellings occur).
	Type EventType
	// EventDocument is the key of the event document (hendelsesdokument),
	// for [Client.EventDocument]; empty in packages that do not give it.
	EventDocument string
	// PersonDocument is the key of the person document as it was after the
	// event (persondokument), for [Client.Archive].
	PersonDocument string
	// UpdatedAt is when the event was recorded (ajourholdstidspunkt); zero
	// if the feed gave none that could be read.
	UpdatedAt time.Time
}

// FeedPage is one page of the event feed.
type FeedPage struct {
	// Events are the page's events, in order of sequence number; at most
	// [FeedPageSize]. No events means the end of the feed.
	Events []Event
	// ETag is the page's entity tag, if Folkeregisteret gave one: send it
	// with the next request for the same sequence number to be told "no
	// news" (NotModified) cheaply.
	ETag string
	// NotModified reports a 304 answer to a request with an ETag: nothing
	// new since. Events is empty then.
	NotModified bool
	// Next is the sequence number to ask for next: one after the last
	// event's, or the one asked for if the page is empty.
	Next int64
}

// Feed returns one page of the event feed: up to [FeedPageSize] events
// from sequence number from (inclusive; GET hendelser/feed?seq=from).
// etag, if not empty, is sent as If-None-Match. A sequence number older
// than the feed keeps gives an error matching [ErrSequenceTooOld]. A page
// whose events all come before from (a stale answer, from a cache or a
// lagging replica) gives a [*StaleFeedPageError] rather than an empty
// page, so that [Client.Events] does not end as if the feed were done;
// events before from on a page that also has later ones are dropped.
//
// Most callers want [Client.Events] or [Client.Follow] instead.
func (c *Client) Feed(ctx context.Context, from int64, etag string) (*FeedPage, error) {
	if from < 0 {
		return nil, fmt.Errorf("folkeregister: negative sequence number %d", from)
	}
	resp, err := c.do(ctx, request{
		method:   http.MethodGet,
		resource: "hendelser/feed",
		query:    url.Values{"seq": {strconv.FormatInt(from, 10)}},
		etag:     etag,
		limit:    maxFeedPage,
	})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusNotAcceptable {
			ae.tooOld = true // we always ask for JSON: the 406 is about seq
		}
		return nil, err
	}
	page := &FeedPage{ETag: resp.header.Get("ETag"), Next: from}
	if resp.status == http.StatusNotModified {
		page.NotModified = true
		if page.ETag == "" {
			page.ETag = etag
		}
		return page, nil
	}
	events, err := decodeFeed(resp.body)
	if err != nil {
		return nil, err
	}
	// The page starts at from; anything before it is dropped. A page of
	// nothing but older events is stale, not the end of the feed.
	if n := len(events); n > 0 && events[n-1].Sequence < from {
		return nil, &StaleFeedPageError{From: from, First: events[0].Sequence, Last: events[n-1].Sequence}
	}
	events = slices.DeleteFunc(events, func(e Event) bool { return e.Sequence < from })
	if len(events) > 0 {
		page.Events = events
		page.Next = events[len(events)-1].Sequence + 1
	}
	return page, nil
}

type wireFeedItem struct {
	// Sekvensnummer is a JSON number, or a string holding one.
	Sekvensnummer json.Number `json:"sekvensnummer"`
	Hendelse      *wireEvent  `json:"hendelse"`
}

type wireEvent struct {
	Folkeregisteridentifikator string `json:"folkeregisteridentifikator"`
	Hendelsetype               string `json:"hendelsetype"`
	Hendelsestype              string `json:"hendelsestype"`
	Hendelsesdokument          string `json:"hendelsesdokument"`
	Persondokument             string `json:"persondokument"`
	Ajourholdstidspunkt        string `json:"ajourholdstidspunkt"`
}

// decodeFeed reads a feed page: a JSON array of events, which it returns
// sorted by sequence number, each sequence number once. An event without a
// readable sequence number is an error, as is anything but an array.
func decodeFeed(data []byte) ([]Event, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || isNull(data) {
		return nil, nil
	}
	var items []wireFeedItem
	if data[0] != '[' {
		return nil, &DecodeError{Err: errors.New("the feed page is not a JSON array")}
	}
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, &DecodeError{Err: err}
	}
	events := make([]Event, 0, len(items))
	for i, it := range items {
		seq, err := strconv.ParseInt(string(it.Sekvensnummer), 10, 64)
		if err != nil || seq < 0 {
			return nil, &DecodeError{Err: fmt.Errorf("event %d of the page has no valid sekvensnummer", i)}
		}
		e := Event{Sequence: seq}
		if h := it.Hendelse; h != nil {
			e.PersonID, e.RawPersonID = parsePersonID(h.Folkeregisteridentifikator)
			e.Type = EventType(strings.TrimSpace(cmpOr(h.Hendelsetype, h.Hendelsestype)))
			e.EventDocument = h.Hendelsesdokument
			e.PersonDocument = h.Persondokument
			if h.Ajourholdstidspunkt != "" {
				e.UpdatedAt, _ = parseTime(h.Ajourholdstidspunkt)
			}
		}
		events = append(events, e)
	}
	slices.SortStableFunc(events, func(a, b Event) int { return cmpInt(a.Sequence, b.Sequence) })
	events = slices.CompactFunc(events, func(a, b Event) bool { return a.Sequence == b.Sequence })
	return events, nil
}

// parsePersonID reads a folkeregisteridentifikator: a valid number, else
// kept raw.
func parsePersonID(s string) (personid.Number, RawID) {
	s = strings.TrimSpace(s)
	if s == "" {
		return personid.Number{}, ""
	}
	if n, err := personid.Parse(s); err == nil {
		return n, ""
	}
	return personid.Number{}, RawID(s)
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Events returns the events of the feed from sequence number from
// (inclusive) to its current end, fetching a page of up to
// [FeedPageSize] at a time. It stops at the end of the feed: an empty
// page.
//
// To resume, persist the Sequence of the last event handled and call
// Events again from Sequence+1: no event is lost or repeated. Within one
// iteration no event is yielded twice, and a page is yielded only when it
// has been read in full: a request that fails mid-way (a dropped
// connection, 429 with Retry-After, 5xx) is retried, and a page that
// cannot be fetched ends the iteration with its error before any of its
// events. The iterator yields (zero Event, err) once and stops on an
// error; an error matching [ErrSequenceTooOld] means from is older than
// the feed keeps. Breaking out of the loop stops it at once.
func (c *Client) Events(ctx context.Context, from int64) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		f := feedCursor{c: c, next: from}
		for {
			page, err := f.fetch(ctx)
			if err != nil {
				yield(Event{}, err)
				return
			}
			if len(page.Events) == 0 {
				return
			}
			if !f.emit(page, yield) {
				return
			}
		}
	}
}

// Follow is [Client.Events] that does not stop at the end of the feed: it
// waits interval (0 means [DefaultPollInterval]), measured from the start
// of the previous request, and asks again, sending the ETag of the last
// answer so that "no news" is a cheap 304. It ends without an error when
// ctx is cancelled.
//
// Failures that retrying may cure (a dropped connection or timeout, 408,
// 429, 5xx, also from the token's issuer) do not end it once the retries
// of a request are spent: they are logged and the request is made again
// after interval. Other errors (such as [ErrSequenceTooOld],
// [ErrForbidden], a token refused, a malformed page) are yielded once and
// end it.
func (c *Client) Follow(ctx context.Context, from int64, interval time.Duration) iter.Seq2[Event, error] {
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	return func(yield func(Event, error) bool) {
		f := feedCursor{c: c, next: from}
		for {
			start := c.now()
			page, err := f.fetch(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil && transient(err):
				c.log.LogAttrs(ctx, slog.LevelWarn, "folkeregister: the event feed failed; trying again",
					slog.Int64("seq", f.next), slog.Duration("in", interval), slog.String("error", err.Error()))
			case err != nil:
				yield(Event{}, err)
				return
			case len(page.Events) > 0:
				if !f.emit(page, yield) {
					return
				}
				continue // there may be more at once
			}
			wait := interval - c.now().Sub(start)
			if err := sleep(ctx, min(wait, interval)); err != nil {
				return
			}
		}
	}
}

// feedCursor walks the feed: next is the sequence number to fetch next,
// one after the last event yielded.
type feedCursor struct {
	c    *Client
	next int64
	// etag is the ETag of the last answer for sequence number etagSeq.
	etag    string
	etagSeq int64
}

func (f *feedCursor) fetch(ctx context.Context) (*FeedPage, error) {
	etag := ""
	if f.etag != "" && f.etagSeq == f.next {
		etag = f.etag
	}
	page, err := f.c.Feed(ctx, f.next, etag)
	if err != nil {
		return nil, err
	}
	if page.ETag != "" {
		f.etag, f.etagSeq = page.ETag, f.next
	}
	f.c.log.LogAttrs(ctx, slog.LevelDebug, "folkeregister: feed page",
		slog.Int64("seq", f.next), slog.Int("events", len(page.Events)), slog.Bool("not_modified", page.NotModified))
	return page, nil
}

// emit yields the events of page not yielded before, advancing next. It
// returns false when the consumer stopped.
func (f *feedCursor) emit(page *FeedPage, yield func(Event, error) bool) bool {
	for _, e := range page.Events {
		if e.Sequence < f.next {
			continue
		}
		f.next = e.Sequence + 1
		if !yield(e, nil) {
			return false
		}
	}
	return true
}

// transient reports whether err may go away if the request is made again
// later: a connection failure or timeout, a response cut short, 408, 429
// or 5xx from Folkeregisteret or from the token's issuer. Anything else,
// such as a token refused for a wrong scope, is not.
func transient(err error) bool {
	var (
		ae  *APIError
		be  *bodyError
		mpe *maskinporten.Error
		re  *oauth2.RetrieveError
		op  *net.OpError
		ne  net.Error
		sfe *StaleFeedPageError
	)
	switch {
	case errors.As(err, &sfe):
		return true // asking again later should get the current page
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.As(err, &ae):
		return !ae.tooOld && retryableStatus(ae.StatusCode)
	case errors.As(err, &mpe):
		return retryableStatus(mpe.StatusCode)
	case errors.As(err, &re):
		return re.Response != nil && retryableStatus(re.Response.StatusCode)
	case errors.As(err, &be), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &op):
		return op.Op != "remote error" // a TLS alert, such as a refused certificate
	case errors.As(err, &ne):
		return ne.Timeout()
	}
	return false
}

func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests ||
		code >= 500 && code <= 599 && code != http.StatusNotImplemented
}

// EventDocument is an event document (hendelsesdokument): what an event
// changed. Its JSON is kept whole in Raw; the common members are read into
// the other fields.
type EventDocument struct {
	// ID is the document's key (dokumentidentifikator).
	ID string
	// SchemaVersion is "skjemaversjon".
	SchemaVersion string
	// PersonID is the person (folkeregisteridentifikator); zero if it is
	// not a valid number, which RawPersonID then holds.
	PersonID    personid.Number
	RawPersonID RawID
	// Type is read from "hendelsestype" or "hendelsetype".
	Type EventType
	// UpdatedAt is "ajourholdstidspunkt".
	UpdatedAt time.Time
	// Changes are the property changes (egenskapshendelse).
	Changes []PropertyChange
	// Raw is the whole document.
	Raw json.RawMessage
}

// PropertyChange is a change of one property of a person
// (egenskapshendelse).
type PropertyChange struct {
	// Entity is the property changed (entitet), e.g. "identitetsgrunnlag".
	Entity string
	// Change is how (entitetsendring): registrereNy, korrigere, annullere
	// or korrigereHistorisk.
	Change string
	// Value is the new element, the member named Entity, if present.
	Value json.RawMessage
}

// EventDocument returns the event document with key id (an
// Event.EventDocument; GET hendelser/{id}). It is for the
// OffentligMedHjemmel package; documents older than three years are
// deleted.
func (c *Client) EventDocument(ctx context.Context, id string) (*EventDocument, error) {
	if err := checkKey(id); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, resource: "hendelser/" + url.PathEscape(id), limit: maxDocument})
	if err != nil {
		return nil, err
	}
	return decodeEventDocument(resp.body)
}

func decodeEventDocument(data []byte) (*EventDocument, error) {
	var w struct {
		ID            string `json:"dokumentidentifikator"`
		SchemaVersion string `json:"skjemaversjon"`
		Hendelse      struct {
			Folkeregisteridentifikator string            `json:"folkeregisteridentifikator"`
			Hendelsestype              string            `json:"hendelsestype"`
			Hendelsetype               string            `json:"hendelsetype"`
			Ajourholdstidspunkt        string            `json:"ajourholdstidspunkt"`
			Egenskapshendelse          []json.RawMessage `json:"egenskapshendelse"`
		} `json:"hendelse"`
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, &DecodeError{Err: errors.New("the event document is not a JSON object")}
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, &DecodeError{Err: err}
	}
	d := &EventDocument{ID: w.ID, SchemaVersion: w.SchemaVersion, Raw: slices.Clone(data)}
	h := w.Hendelse
	d.PersonID, d.RawPersonID = parsePersonID(h.Folkeregisteridentifikator)
	d.Type = EventType(strings.TrimSpace(cmpOr(h.Hendelsestype, h.Hendelsetype)))
	if h.Ajourholdstidspunkt != "" {
		d.UpdatedAt, _ = parseTime(h.Ajourholdstidspunkt)
	}
	for _, raw := range h.Egenskapshendelse {
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		var pc PropertyChange
		json.Unmarshal(m["entitet"], &pc.Entity)
		json.Unmarshal(m["entitetsendring"], &pc.Change)
		if v, ok := m[pc.Entity]; ok && pc.Entity != "" {
			pc.Value = v
		}
		d.Changes = append(d.Changes, pc)
	}
	return d, nil
}
