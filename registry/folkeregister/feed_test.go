package folkeregister_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/registry/folkeregister"
)

// seqRange returns from..to inclusive, skipping numbers divisible by gap
// (0: none), as a feed with holes has.
func seqRange(from, to, gap int64) []int64 {
	var out []int64
	for s := from; s <= to; s++ {
		if gap == 0 || s%gap != 0 {
			out = append(out, s)
		}
	}
	return out
}

// collect runs an iterator to its end.
func collect(t *testing.T, seq func(func(folkeregister.Event, error) bool)) ([]folkeregister.Event, error) {
	t.Helper()
	var (
		events []folkeregister.Event
		err    error
		n      int
	)
	for e, e2 := range seq {
		if err != nil {
			t.Fatalf("the iterator went on after yielding %v", err)
		}
		if e2 != nil {
			if e != (folkeregister.Event{}) {
				t.Errorf("an error came with a non-zero event %+v", e)
			}
			err = e2
			continue
		}
		events = append(events, e)
		n++
	}
	return events, err
}

func seqsOf(events []folkeregister.Event) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.Sequence
	}
	return out
}

// TestFeedContract reads the feed examples: the specification's, with
// "hendelsetype", and hendelsesliste.md's, with "hendelsestype".
func TestFeedContract(t *testing.T) {
	for _, file := range []string{"feed_spec.json", "feed_hendelsesliste.json"} {
		t.Run(file, func(t *testing.T) {
			page := readTestdata(t, file)
			f := newFake(t, folkeregister.OffentligMedHjemmel)
			f.hook = func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Query().Get("seq") != "1" {
					w.Write([]byte("[]"))
					return true
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write(page)
				return true
			}
			c, _ := f.serve(t)
			events, err := collect(t, c.Events(t.Context(), 1))
			if err != nil {
				t.Fatal(err)
			}
			e := events[0]
			if e.Sequence != 1 || e.PersonID.Digits() != "69028400470" || e.RawPersonID != "" ||
				e.Type != folkeregister.EndringIIdentitetsgrunnlag || !e.Type.Known() ||
				e.EventDocument != "55591b51b20518f4f22bf1edd6aa9f25" || e.PersonDocument != "8f475708c3d855defca884f4af6e49ae" ||
				!e.UpdatedAt.Equal(time.Date(2017, 6, 20, 7, 26, 3, 689e6, time.UTC)) {
				t.Errorf("event %+v", e)
			}
			if file == "feed_hendelsesliste.json" {
				// endringIAnnenIdentifikasjon is in no XSD this package
				// knows: preserved as it is.
				if len(events) != 2 || events[1].Type != "endringIAnnenIdentifikasjon" || events[1].Type.Known() {
					t.Errorf("events %+v", events)
				}
			}
			if s := fmtEvent(e); strings.Contains(s, "69028400470") {
				t.Errorf("an event prints the whole number: %s", s)
			}
			if got := f.feedSeqs(); !slices.Equal(got, []int64{1, int64(len(events)) + 1}) {
				t.Errorf("feed requests %v", got)
			}
		})
	}
}

func fmtEvent(e folkeregister.Event) string {
	var b bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&b, nil))
	l.Info("event", "e", e, "id", e.PersonID)
	return b.String() + " " + strings.Join([]string{e.PersonID.String(), e.RawPersonID.String()}, " ")
}

func TestFeedPaging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, folkeregister.OffentligMedHjemmel)
		all := seqRange(5, 2600, 97) // holes every 97
		f.addEvents("", all...)
		c := memClient(t, f, &memTransport{})
		events, err := collect(t, c.Events(t.Context(), 5))
		if err != nil {
			t.Fatal(err)
		}
		if got := seqsOf(events); !slices.Equal(got, all) {
			t.Fatalf("got %d events, want %d in order", len(got), len(all))
		}
		// Full pages of 1000, then the rest, then the empty page.
		want := []int64{5, all[1000-1] + 1, all[2000-1] + 1, all[len(all)-1] + 1}
		if got := f.feedSeqs(); !slices.Equal(got, want) {
			t.Errorf("feed requests %v, want %v", got, want)
		}
		// Starting between events, or past the end.
		events, _ = collect(t, c.Events(t.Context(), 97))
		if events[0].Sequence != 98 {
			t.Errorf("from 97 (a hole) the first is %d", events[0].Sequence)
		}
		events, err = collect(t, c.Events(t.Context(), 1_000_000))
		if err != nil || len(events) != 0 {
			t.Errorf("past the end: %d events, %v", len(events), err)
		}
		if _, err := collect(t, c.Events(t.Context(), -1)); err == nil {
			t.Error("a negative sequence number was accepted")
		}
	})
}

// TestFeedResume stops after k events, "restarts" from the last handled
// Sequence+1 with a new iterator, and checks that nothing is lost or
// repeated.
func TestFeedResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Pages of 100 rather than 1000 keep it quick; the page boundaries
		// are what matter.
		f := newFake(t, folkeregister.OffentligMedHjemmel)
		f.pageSize = 100
		all := seqRange(1, 350, 11)
		f.addEvents("", all...)
		c := memClient(t, f, &memTransport{})
		for _, k := range []int{1, 7, 99, 100, 101, 250} {
			var got []int64
			next := int64(1)
			for round := 0; ; round++ {
				n := 0
				var stopped bool
				for e, err := range c.Events(t.Context(), next) {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, e.Sequence)
					next = e.Sequence + 1 // what a consumer persists
					if n++; n == k {
						stopped = true
						break
					}
				}
				if !stopped {
					break
				}
				if round > 10_000 {
					t.Fatal("no end")
				}
			}
			if !slices.Equal(got, all) {
				t.Errorf("k=%d: %d events after restarts, want %d, exactly once each", k, len(got), len(all))
			}
		}
	})
}

// TestFeedFaults injects 429 with a Retry-After in milliseconds, 5xx,
// dropped connections and bodies cut mid-page into the feed.
func TestFeedFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, folkeregister.OffentligMedHjemmel)
		all := seqRange(1, 3000, 0)
		f.addEvents("", all...)
		var mu sync.Mutex
		var log []string
		m := &memTransport{}
		m.fault = func(n int, r *http.Request) (*http.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			switch n {
			case 2:
				log = append(log, "429")
				return jsonStatus(http.StatusTooManyRequests, "Retry-After", "1500"), nil
			case 3:
				log = append(log, "503")
				return jsonStatus(http.StatusServiceUnavailable), nil
			case 4:
				log = append(log, "drop")
				return nil, io.ErrUnexpectedEOF
			case 5:
				log = append(log, "cut")
				return truncated(m.h, r), nil
			case 7:
				log = append(log, "cut")
				return truncated(m.h, r), nil
			}
			return nil, nil
		}
		c := memClient(t, f, m)
		events, err := collect(t, c.Events(t.Context(), 1))
		if err != nil {
			t.Fatal(err)
		}
		if got := seqsOf(events); !slices.Equal(got, all) {
			t.Fatalf("got %d events (first %v), want %d exactly once", len(got), got[:min(3, len(got))], len(all))
		}
		if len(log) != 5 {
			t.Errorf("faults injected: %v", log)
		}
		times := m.attemptTimes()
		if gap := times[2].Sub(times[1]); gap != 1500*time.Millisecond {
			t.Errorf("waited %v after 429 with Retry-After 1500 (ms), want 1.5s", gap)
		}
		// Every page was asked for until it came whole; the seqs asked for
		// never go back.
		seqs := f.feedSeqs()
		if !slices.IsSorted(seqs) {
			t.Errorf("feed requests went back: %v", seqs)
		}
	})
}

func TestFeedGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, folkeregister.OffentligMedHjemmel)
		f.addEvents("", seqRange(1, 1500, 0)...)
		m := &memTransport{}
		m.fault = func(n int, r *http.Request) (*http.Response, error) {
			if n >= 2 {
				return truncated(m.h, r), nil
			}
			return nil, nil
		}
		c := memClient(t, f, m, folkeregister.WithMaxRetries(2))
		events, err := collect(t, c.Events(t.Context(), 1))
		if len(events) != 1000 {
			t.Errorf("%d events before the failing page, want the first page's 1000", len(events))
		}
		if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("err = %v, want one wrapping io.ErrUnexpectedEOF", err)
		}
		if m.n != 1+3 {
			t.Errorf("%d attempts, want 1 + 3 for the failing page", m.n)
		}
	})
}

func TestFeedTooOld(t *testing.T) {
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	f.oldest = 100
	f.addEvents("", 150)
	c, _ := f.serve(t)
	events, err := collect(t, c.Events(t.Context(), 99))
	if len(events) != 0 || !errors.Is(err, folkeregister.ErrSequenceTooOld) {
		t.Fatalf("%d events, err %v; want ErrSequenceTooOld", len(events), err)
	}
	var e *folkeregister.APIError
	if !errors.As(err, &e) || e.StatusCode != http.StatusNotAcceptable || e.Code != "FREG-002" || errors.Is(err, folkeregister.ErrNotFound) {
		t.Errorf("err %+v", e)
	}
	if !strings.Contains(err.Error(), "36 months") {
		t.Errorf("Error() = %q", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (a 406 is not retried)", n)
	}
	// Follow stops on it too.
	_, err = collect(t, c.Follow(t.Context(), 99, time.Second))
	if !errors.Is(err, folkeregister.ErrSequenceTooOld) {
		t.Errorf("Follow: %v", err)
	}
}

func TestFeedEarlyBreak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, folkeregister.OffentligMedHjemmel)
		f.addEvents("", seqRange(1, 2500, 0)...)
		c := memClient(t, f, &memTransport{})
		for range c.Events(t.Context(), 1) {
			break
		}
		for range c.Follow(t.Context(), 1, time.Second) {
			break
		}
		if got := f.feedSeqs(); !slices.Equal(got, []int64{1, 1}) {
			t.Errorf("feed requests %v, want one per iterator", got)
		}
	})
}

func TestFeedUnknownTypesAndIDs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, folkeregister.OffentligMedHjemmel)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Query().Get("seq") != "7" {
				w.Write([]byte("[]"))
				return true
			}
			// Out of order, a duplicate, an unknown type, both spellings, an
			// invalid number, a missing hendelse, a string sequence number.
			w.Write([]byte(`[
			 {"sekvensnummer": 9, "hendelse": {"folkeregisteridentifikator": "16117548867", "hendelsestype": "personErUnik"}},
			 {"sekvensnummer": "8", "hendelse": {"folkeregisteridentifikator": "69028400470", "hendelsetype": "personErOppdatert", "ajourholdstidspunkt": "2024-12-10T10:00:00+0100", "nytt": true}},
			 {"sekvensnummer": 7},
			 {"sekvensnummer": 8, "hendelse": {"hendelsetype": "duplicate"}},
			 {"sekvensnummer": 6, "hendelse": {"hendelsetype": "before from"}}
			]`))
			return true
		}
		c := memClient(t, f, &memTransport{})
		events, err := collect(t, c.Events(t.Context(), 7))
		if err != nil {
			t.Fatal(err)
		}
		if got := seqsOf(events); !slices.Equal(got, []int64{7, 8, 9}) {
			t.Fatalf("sequences %v", got)
		}
		if e := events[0]; e.Type != "" || !e.PersonID.IsZero() {
			t.Errorf("event 7 %+v", e)
		}
		if e := events[1]; e.Type != folkeregister.PersonErOppdatert || !e.Type.Known() || e.PersonID.Digits() != "69028400470" ||
			!e.UpdatedAt.Equal(time.Date(2024, 12, 10, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("event 8 %+v", e)
		}
		if e := events[2]; e.Type != "personErUnik" || e.Type.Known() || !e.PersonID.IsZero() || e.RawPersonID.Digits() != "16117548867" {
			t.Errorf("event 9 %+v", e)
		}
		if s := fmtEvent(events[2]); strings.Contains(s, "16117548867") {
			t.Errorf("a raw id prints in full: %s", s)
		}
	})
}

func TestFeedMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"object":        `{"sekvensnummer": 1}`,
		"no sequence":   `[{"hendelse": {}}]`,
		"bad sequence":  `[{"sekvensnummer": "x"}]`,
		"invalid JSON":  `[{"sekvensnummer": 1`,
		"html":          `<html>oops</html>`,
		"negative":      `[{"sekvensnummer": -5}]`,
		"fraction":      `[{"sekvensnummer": 1.5}]`,
		"numeric id":    `[{"sekvensnummer": 1, "hendelse": {"folkeregisteridentifikator": 9052400284}}]`,
		"hendelse list": `[{"sekvensnummer": 1, "hendelse": []}]`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, folkeregister.OffentligMedHjemmel)
			f.hook = func(w http.ResponseWriter, r *http.Request) bool { w.Write([]byte(body)); return true }
			c, _ := f.serve(t)
			events, err := collect(t, c.Events(t.Context(), 1))
			var de *folkeregister.DecodeError
			if len(events) != 0 || !errors.As(err, &de) {
				t.Errorf("%d events, err %v; want a *DecodeError", len(events), err)
			}
		})
	}
}

// TestFollow: at the end of the feed Follow polls every interval with the
// last ETag (a 304 is no news), picks up new events, survives a failing
// server, and ends quietly when the context is cancelled.
func TestFollow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, folkeregister.OffentligMedHjemmel)
		f.addEvents("", seqRange(1, 1200, 0)...)
		var logs bytes.Buffer
		m := &memTransport{}
		var failing bool
		var mu sync.Mutex
		m.fault = func(n int, r *http.Request) (*http.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			if failing {
				return jsonStatus(http.StatusBadGateway), nil
			}
			return nil, nil
		}
		c := memClient(t, f, m, folkeregister.WithMaxRetries(1),
			folkeregister.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		ctx, cancel := context.WithCancel(t.Context())
		start := time.Now()
		var got []int64
		var at []time.Duration
		done := make(chan error)
		go func() {
			_, err := collect(t, func(yield func(folkeregister.Event, error) bool) {
				for e, err := range c.Follow(ctx, 1, time.Minute) {
					if err == nil {
						got = append(got, e.Sequence)
						at = append(at, time.Since(start))
					}
					if !yield(e, err) {
						return
					}
				}
			})
			done <- err
		}()
		synctest.Wait()
		if len(got) != 1200 {
			t.Fatalf("%d events at once, want 1200", len(got))
		}
		// Polls: 1, 1001, 1201 (empty, ETag), then 1201 with If-None-Match.
		time.Sleep(3*time.Minute + time.Second)
		reqs := f.requests()
		var inm []string
		for _, r := range reqs {
			inm = append(inm, r.Header.Get("If-None-Match"))
		}
		if len(reqs) != 6 || inm[2] != "" || inm[3] == "" || inm[3] != inm[5] {
			t.Errorf("%d requests with If-None-Match %q", len(reqs), inm)
		}
		f.addEvents("personErUnik", 1201, 1202)
		time.Sleep(time.Minute)
		synctest.Wait()
		if len(got) != 1202 || at[1200] != 4*time.Minute {
			t.Errorf("%d events; the new ones at %v", len(got), at[len(at)-1])
		}
		// The server fails for a while: logged, not fatal.
		mu.Lock()
		failing = true
		mu.Unlock()
		time.Sleep(5 * time.Minute)
		mu.Lock()
		failing = false
		mu.Unlock()
		f.addEvents("", 1203)
		time.Sleep(time.Minute)
		synctest.Wait()
		if len(got) != 1203 || got[1202] != 1203 {
			t.Errorf("after the outage: %v", got[1200:])
		}
		if !strings.Contains(logs.String(), "trying again") {
			t.Errorf("the outage was not logged:\n%s", logs.String())
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Follow ended with %v", err)
		}
		if strings.Contains(logs.String(), testToken) {
			t.Error("the log holds the token")
		}
	})
}

func TestFollowWithoutETag(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, folkeregister.OffentligMedHjemmel)
		f.noETag = true
		f.addEvents("", 1, 2, 3)
		c := memClient(t, f, &memTransport{})
		ctx, cancel := context.WithTimeout(t.Context(), 95*time.Second)
		defer cancel()
		events, err := collect(t, c.Follow(ctx, 1, 0)) // the default interval, 30 s
		if err != nil || len(events) != 3 {
			t.Errorf("%d events, %v", len(events), err)
		}
		if got := f.feedSeqs(); !slices.Equal(got, []int64{1, 4, 4, 4, 4}) {
			t.Errorf("feed requests %v, want polls at 0, 30, 60, 90 s", got)
		}
	})
}

func TestFollowFatal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, folkeregister.OffentligMedHjemmel)
		m := &memTransport{fault: func(n int, r *http.Request) (*http.Response, error) {
			return jsonStatus(http.StatusForbidden), nil
		}}
		c := memClient(t, f, m)
		_, err := collect(t, c.Follow(t.Context(), 1, time.Second))
		if !errors.Is(err, folkeregister.ErrForbidden) || m.n != 1 {
			t.Errorf("err %v after %d attempts", err, m.n)
		}
	})
}

func TestFeedPage(t *testing.T) {
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	f.addEvents("", 3, 4)
	c, _ := f.serve(t)
	ctx := t.Context()
	p, err := c.Feed(ctx, 1, "")
	if err != nil || len(p.Events) != 2 || p.Next != 5 || p.ETag == "" || p.NotModified {
		t.Fatalf("page %+v, %v", p, err)
	}
	p2, err := c.Feed(ctx, 1, p.ETag)
	if err != nil || !p2.NotModified || len(p2.Events) != 0 || p2.Next != 1 || p2.ETag != p.ETag {
		t.Errorf("with the ETag: %+v, %v", p2, err)
	}
}

// tokenFunc is an oauth2.TokenSource.
type tokenFunc func() (*oauth2.Token, error)

func (f tokenFunc) Token() (*oauth2.Token, error) { return f() }

// TestFollowTokenFailures: Follow rides out an issuer that is down, and
// stops on one that refuses the client.
func TestFollowTokenFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, folkeregister.OffentligMedHjemmel)
		f.addEvents("", 1, 2)
		var calls atomic.Int32
		ts := tokenFunc(func() (*oauth2.Token, error) {
			switch n := calls.Add(1); {
			case n <= 3:
				return nil, &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusServiceUnavailable}}
			case n <= 6:
				return &oauth2.Token{AccessToken: testToken}, nil
			}
			return nil, &oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusBadRequest}, ErrorCode: "invalid_scope"}
		})
		m := &memTransport{h: f}
		c, err := folkeregister.New(memBase, ts, folkeregister.WithHTTPClient(&http.Client{Transport: m}))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		events, err := collect(t, c.Follow(t.Context(), 1, time.Minute))
		if len(events) != 2 {
			t.Errorf("%d events", len(events))
		}
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_scope" {
			t.Errorf("err = %v, want the refusal", err)
		}
		// Three failed polls a minute apart, then the events, two more
		// polls (end, 304) and the refusal.
		if d := time.Since(start); d != 5*time.Minute {
			t.Errorf("ended after %v", d)
		}
	})
}
