package folkeregister_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/registry/folkeregister"
	"github.com/fellesgo/felles/registry/personid"
)

// testToken is the access token the fake accepts.
const testToken = "test-token-eyJhbGciOi"

// memBase is the base URL of the in-memory fake.
const memBase = "https://freg.test/"

// fake imitates Folkeregisteret's consumer API below one rights package's
// path. Any request outside the path fails the test (a prefix trap).
type fake struct {
	t      testing.TB
	prefix string // "/folkeregisteret/offentlig-med-hjemmel/api/v1/"

	mu       sync.Mutex
	persons  map[string][]byte // id -> person document
	archive  map[string][]byte // persondokument -> person document
	docs     map[string][]byte // hendelsesdokument -> event document
	search   []byte            // answer to personer/soek
	unique   []byte            // answer to personer/entydigsoek; nil: 404
	events   []fakeEvent       // ascending
	oldest   int64             // seq below it: 406
	pageSize int
	noETag   bool
	latest   []byte // answer to siste/sekvensnummer; nil: derived
	reqs     []*recorded
	// hook, if set, may answer a request itself (returning true).
	hook func(w http.ResponseWriter, r *http.Request) bool
}

type fakeEvent struct {
	seq  int64
	json []byte
}

type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

func newFake(t testing.TB, pkg folkeregister.RightsPackage) *fake {
	return &fake{
		t: t, prefix: "/" + pkg.Path(), pageSize: folkeregister.FeedPageSize,
		persons: map[string][]byte{}, archive: map[string][]byte{}, docs: map[string][]byte{},
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addEvents appends events with the sequence numbers given, of type typ
// (or "endringINavn"), spelled with hendelsetype.
func (f *fake) addEvents(typ string, seqs ...int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if typ == "" {
		typ = "endringINavn"
	}
	for _, s := range seqs {
		f.events = append(f.events, fakeEvent{seq: s, json: eventJSON(s, typ)})
	}
	slices.SortFunc(f.events, func(a, b fakeEvent) int { return int(a.seq - b.seq) })
}

// eventIDs are valid synthetic numbers for events.
var eventIDs = func() []string {
	g := personid.NewGenerator(7)
	out := make([]string, 64)
	for i := range out {
		n, err := g.Next(personid.Options{})
		if err != nil {
			panic(err)
		}
		out[i] = n.Digits()
	}
	return out
}()

func eventJSON(seq int64, typ string) []byte {
	return fmt.Appendf(nil, `{"sekvensnummer":%d,"hendelse":{"folkeregisteridentifikator":%q,"hendelsetype":%q,`+
		`"hendelsesdokument":"h%032x","persondokument":"p%032x","ajourholdstidspunkt":"2024-03-01T10:00:00.%03d+01:00"}}`,
		seq, eventIDs[seq%int64(len(eventIDs))], typ, seq, seq, seq%1000)
}

func (f *fake) requests() []*recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

// feedSeqs returns the seq of every feed request, in order.
func (f *fake) feedSeqs() []int64 {
	var out []int64
	for _, r := range f.requests() {
		if strings.HasSuffix(r.Path, "hendelser/feed") {
			q, _ := url.ParseQuery(r.RawQuery)
			n, _ := strconv.ParseInt(q.Get("seq"), 10, 64)
			out = append(out, n)
		}
	}
	return out
}

func fregError(w http.ResponseWriter, status int, kode, melding string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"kode": kode, "melding": melding})
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, &recorded{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	hook := f.hook
	f.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		fregError(w, http.StatusUnauthorized, "FREG-401", "Autentiseringsinformasjon mangler")
		return
	}
	if r.Header.Get("Accept") != "application/json" {
		fregError(w, http.StatusNotAcceptable, "FREG-406", "Ugyldig Accept")
		return
	}
	res, ok := strings.CutPrefix(r.URL.Path, f.prefix)
	if !ok {
		f.t.Errorf("request outside the package's path %s: %s %s", f.prefix, r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	writeJSON := func(b []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}
	switch {
	case r.Method == http.MethodGet && res == "hendelser/feed":
		f.serveFeed(w, r)
	case r.Method == http.MethodGet && res == "hendelser/siste/sekvensnummer":
		if f.latest != nil {
			writeJSON(f.latest)
			return
		}
		var last int64
		if len(f.events) > 0 {
			last = f.events[len(f.events)-1].seq
		}
		writeJSON(strconv.AppendInt(nil, last, 10))
	case r.Method == http.MethodPost && res == "personer/bulkoppslag":
		if r.Header.Get("Content-Type") != "application/json" {
			fregError(w, http.StatusBadRequest, "FREG-400", "Content-Type")
			return
		}
		var in struct {
			IDs []string `json:"foedselsEllerDNummer"`
		}
		if err := json.Unmarshal(body, &in); err != nil || len(in.IDs) > folkeregister.MaxBulk {
			fregError(w, http.StatusBadRequest, "FREG-400", "Ugyldig bulkoppslag")
			return
		}
		var b bytes.Buffer
		b.WriteString(`{"oppslag":[`)
		for i, id := range in.IDs {
			if i > 0 {
				b.WriteByte(',')
			}
			if doc, ok := f.persons[id]; ok {
				fmt.Fprintf(&b, `{"foedselsEllerDNummer":%q,"folkeregisterperson":%s}`, id, doc)
			} else {
				fmt.Fprintf(&b, `{"foedselsEllerDNummer":%q}`, id)
			}
		}
		b.WriteString(`]}`)
		writeJSON(b.Bytes())
	case r.Method == http.MethodGet && res == "personer/soek":
		writeJSON(f.search)
	case r.Method == http.MethodGet && res == "personer/entydigsoek":
		if f.unique == nil {
			fregError(w, http.StatusNotFound, "FREG-404", "Fant ingen person")
			return
		}
		writeJSON(f.unique)
	case r.Method == http.MethodGet && strings.HasPrefix(res, "personer/arkiv/"):
		if doc, ok := f.archive[strings.TrimPrefix(res, "personer/arkiv/")]; ok {
			writeJSON(doc)
			return
		}
		fregError(w, http.StatusNotFound, "FREG-404", "Fant ikke persondokument")
	case r.Method == http.MethodGet && strings.HasPrefix(res, "personer/"):
		id := strings.TrimPrefix(res, "personer/")
		if doc, ok := f.persons[id]; ok {
			writeJSON(doc)
			return
		}
		fregError(w, http.StatusNotFound, "FREG-404", "Fant ingen person med identifikator "+id)
	case r.Method == http.MethodGet && strings.HasPrefix(res, "hendelser/"):
		if doc, ok := f.docs[strings.TrimPrefix(res, "hendelser/")]; ok {
			writeJSON(doc)
			return
		}
		fregError(w, http.StatusNotFound, "FREG-404", "Fant ikke hendelse")
	default:
		fregError(w, http.StatusNotFound, "FREG-404", "Feil uri brukt")
	}
}

func (f *fake) serveFeed(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseInt(r.URL.Query().Get("seq"), 10, 64)
	if err != nil || seq < 0 {
		fregError(w, http.StatusBadRequest, "FREG-400", "Ugyldig sekvensnummer")
		return
	}
	if seq < f.oldest {
		fregError(w, http.StatusNotAcceptable, "FREG-002", "Det er oppgitt ulovlig sekvensnummer. Sekvensnummer kan ikke være mere enn 36 måneder gammelt")
		return
	}
	i, _ := slices.BinarySearchFunc(f.events, seq, func(e fakeEvent, s int64) int { return int(e.seq - s) })
	page := f.events[i:min(i+f.pageSize, len(f.events))]
	last := seq - 1
	if len(page) > 0 {
		last = page[len(page)-1].seq
	}
	if !f.noETag {
		etag := fmt.Sprintf(`"%d-%d-%d"`, seq, last, len(page))
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
	}
	var b bytes.Buffer
	b.Grow(len(page) * 300)
	b.WriteByte('[')
	for j, e := range page {
		if j > 0 {
			b.WriteByte(',')
		}
		b.Write(e.json)
	}
	b.WriteByte(']')
	w.Header().Set("Content-Type", "application/json")
	w.Write(b.Bytes())
}

// serve starts an httptest server for f and returns a client of it.
func (f *fake) serve(t testing.TB, opts ...folkeregister.Option) (*folkeregister.Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := folkeregister.New(srv.URL+"/", tokens(), append([]folkeregister.Option{folkeregister.WithHTTPClient(srv.Client())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func tokens() oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken, Expiry: time.Now().Add(time.Hour)})
}

// memTransport serves a handler in memory, for synctest bubbles where
// sockets do not count as durably blocked. fault, if set, may replace the
// answer to attempt n (from 1) with its own response or error; a nil
// response and nil error let the handler answer.
type memTransport struct {
	h     http.Handler
	mu    sync.Mutex
	n     int
	times []time.Time
	fault func(n int, r *http.Request) (*http.Response, error)
}

func (m *memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	m.mu.Lock()
	m.n++
	n := m.n
	m.times = append(m.times, time.Now())
	fault := m.fault
	m.mu.Unlock()
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	if fault != nil {
		resp, err := fault(n, r)
		if resp != nil || err != nil {
			if r.Body != nil {
				r.Body.Close()
			}
			return resp, err
		}
	}
	return serveMem(m.h, r), nil
}

func serveMem(h http.Handler, r *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	sr := r.Clone(r.Context())
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	sr.RequestURI = r.URL.RequestURI()
	h.ServeHTTP(rec, sr)
	resp := rec.Result()
	resp.Request = r
	return resp
}

func (m *memTransport) attemptTimes() []time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.times)
}

// truncated returns the handler's answer with its body cut after half
// its length, ending in io.ErrUnexpectedEOF, as a dropped connection does.
func truncated(h http.Handler, r *http.Request) *http.Response {
	resp := serveMem(h, r)
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b[:len(b)/2]), errReader{io.ErrUnexpectedEOF}))
	resp.ContentLength = -1
	return resp
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func jsonStatus(code int, hdr ...string) *http.Response {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	body := fmt.Sprintf(`{"kode":"FREG-%03d","melding":"feil %d"}`, code, code)
	return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
}

// memClient returns a client of f through an in-memory transport.
func memClient(t testing.TB, f *fake, m *memTransport, opts ...folkeregister.Option) *folkeregister.Client {
	t.Helper()
	m.h = f
	c, err := folkeregister.New(memBase, tokens(),
		append([]folkeregister.Option{folkeregister.WithHTTPClient(&http.Client{Transport: m})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
