package krr_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/jws"
	"github.com/fellesgo/felles/internal/testpki"
	"github.com/fellesgo/felles/registry/krr"
	"github.com/fellesgo/felles/registry/personid"
)

// sampleResponse is the response of identity-and-registers.md §3.4, with
// its mixed timestamp formats, verbatim but for the certificate, which the
// spec abbreviates; certPlaceholder marks where a real one goes.
const sampleResponse = `{
  "personer": [
    {
      "personidentifikator": "20914695016",
      "reservasjon": "NEI",
      "reservasjonstidspunkt": "2023-06-13T13:42:34+02",
      "reservasjon_oppdatert": "2023-06-13T13:42:34+02",
      "status": "AKTIV",
      "varslingsstatus": "KAN_VARSLES",
      "kontaktinformasjon": {
        "epostadresse": "nullstilt@default.digdir.no",
        "epostadresse_oppdatert": "2023-06-29T10:14:52+02",
        "epostadresse_sist_verifisert": "2023-08-05T10:45:15.768Z",
        "mobiltelefonnummer": "+4799999999",
        "mobiltelefonnummer_oppdatert": "2023-06-29T10:14:52+02",
        "mobiltelefonnummer_sist_verifisert": "2023-08-05T10:45:15.768Z"
      },
      "digital_post": {
        "postkasseadresse": "ola.nordmann#9YDT",
        "postkasseleverandoeradresse": "984661185"
      },
      "sertifikat": "CERT",
      "spraak": "nb",
      "spraak_oppdatert": "2023-08-05T10:45:15.768Z"
    }
  ]
}`

const (
	certPlaceholder = `"CERT"`
	sampleID        = "20914695016"
	testToken       = "test-access-token"
)

// testCA issues the test certificates: a mailbox certificate and KRR's
// signing certificates. Creating RSA keys is slow, so they are made once.
var testCA = sync.OnceValue(func() *pki {
	ca, err := testpki.New("KRR Test")
	if err != nil {
		panic(err)
	}
	other, err := testpki.New("Some Other CA")
	if err != nil {
		panic(err)
	}
	issue := func(ca *testpki.CA, org, name string) *identity.Certificate {
		c, err := ca.Issue(testpki.Request{OrganizationNumber: org, OrganizationName: name})
		if err != nil {
			panic(err)
		}
		return c
	}
	return &pki{
		ca:        ca,
		other:     other,
		mailbox:   issue(ca, "984661185", "Posten Norge AS"),
		digdir:    issue(ca, krr.DigdirOrganizationNumber, "Digitaliseringsdirektoratet"),
		notDigdir: issue(ca, "984661185", "Posten Norge AS"),
		otherCA:   issue(other, krr.DigdirOrganizationNumber, "Digitaliseringsdirektoratet"),
		printCert: issue(ca, "984661185", "Posten Norge AS"),
	}
})

type pki struct {
	ca, other                  *testpki.CA
	mailbox, digdir, notDigdir *identity.Certificate
	otherCA, printCert         *identity.Certificate
}

func mailboxCertB64() string {
	return base64.StdEncoding.EncodeToString(testCA().mailbox.Leaf().Raw)
}

// sampleWithCert is sampleResponse with a real mailbox certificate.
func sampleWithCert() string {
	return strings.Replace(sampleResponse, certPlaceholder, `"`+mailboxCertB64()+`"`, 1)
}

// samplePerson is the person of sampleWithCert as a JSON object, for the
// fake to answer with under any identifier.
func samplePerson() map[string]any {
	var r struct{ Personer []map[string]any }
	if err := json.Unmarshal([]byte(sampleWithCert()), &r); err != nil {
		panic(err)
	}
	return r.Personer[0]
}

// validIDs returns n distinct valid synthetic fødselsnummer (Tenor's
// series), the same for every call: validIDs(n) is a prefix of validIDs(m)
// for n < m.
func validIDs(n int) []string {
	g := personid.NewGenerator(1)
	out := make([]string, n)
	for i := range out {
		num, err := g.Next(personid.Options{})
		if err != nil {
			panic(err)
		}
		out[i] = num.Digits()
	}
	return out
}

// fake is a KRR lookup service written for these tests from the spec
// (identity-and-registers.md §3.3–3.5 and the sandbox's wire contract). It
// is mounted below /krr/ so that a client ignoring its base URL's path fails.
type fake struct {
	t   testing.TB
	srv *httptest.Server

	// person returns the answer for one identifier, or nil to leave the
	// person out. The default is samplePerson with the identifier.
	person func(id string) map[string]any
	// hook, when set, may answer request n (from 1) itself; it returns
	// true if it wrote a response.
	hook func(n int, ids []string, w http.ResponseWriter, r *http.Request) bool
	// delay, when set, is how long to wait before answering ids.
	delay func(ids []string) time.Duration
	// reverse answers persons in the reverse order of the request.
	reverse bool
	// signer, when set, signs answers to Accept: application/jose.
	signer *identity.Certificate
	// tamper, when set, edits the compact JWS before it is sent.
	tamper func(jws string) string
	// raw, when set, is the body of every 200 answer (for application/json).
	raw string

	requests    atomic.Int64
	inflight    atomic.Int64
	maxInflight atomic.Int64
	calls       atomic.Int64 // HTTP requests incl. retries

	mu      sync.Mutex
	batches [][]string
	bodies  []map[string]any
	paths   []string
	accepts []string
}

func newFake(t testing.TB) *fake {
	f := &fake{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /krr/rest/{version}/personer", f.personer)
	mux.HandleFunc("GET /krr/rest/v2/printSertifikat", f.print)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("fake KRR: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// base is the base URL to give krr.New.
func (f *fake) base() string { return f.srv.URL + "/krr/" }

func (f *fake) client(t testing.TB, opts ...krr.Option) *krr.Client {
	t.Helper()
	c, err := krr.New(f.base(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fake) personer(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	n := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		m := f.maxInflight.Load()
		if n <= m || f.maxInflight.CompareAndSwap(m, n) {
			break
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		w.Header().Set("WWW-Authenticate", "Bearer")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("fake KRR: Content-Type %q", ct)
	}
	var body map[string]any
	data, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(data, &body); err != nil {
		springError(w, http.StatusBadRequest, "Malformed JSON", r.URL.Path)
		return
	}
	raw, _ := body["personidentifikatorer"].([]any)
	ids := make([]string, len(raw))
	for i, v := range raw {
		ids[i], _ = v.(string)
	}
	if len(ids) < 1 || len(ids) > 1000 {
		springError(w, http.StatusBadRequest, "personidentifikatorer: size must be between 1 and 1000", r.URL.Path)
		return
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			f.t.Errorf("fake KRR: identifier sent twice in one request")
		}
		seen[id] = true
	}
	num := f.requests.Add(1)
	f.mu.Lock()
	f.batches = append(f.batches, ids)
	f.bodies = append(f.bodies, body)
	f.paths = append(f.paths, r.URL.Path)
	f.accepts = append(f.accepts, r.Header.Get("Accept"))
	f.mu.Unlock()
	if f.delay != nil {
		select {
		case <-time.After(f.delay(ids)):
		case <-r.Context().Done():
			return
		}
	}
	if f.hook != nil && f.hook(int(num), ids, w, r) {
		return
	}
	var payload []byte
	if f.raw != "" {
		payload = []byte(f.raw)
	} else {
		persons := make([]map[string]any, 0, len(ids))
		for _, id := range ids {
			var p map[string]any
			if f.person != nil {
				p = f.person(id)
			} else {
				p = samplePerson()
				p["personidentifikator"] = id
			}
			if p != nil {
				persons = append(persons, p)
			}
		}
		if f.reverse {
			for i, j := 0, len(persons)-1; i < j; i, j = i+1, j-1 {
				persons[i], persons[j] = persons[j], persons[i]
			}
		}
		payload, _ = json.Marshal(map[string]any{"personer": persons})
	}
	if r.Header.Get("Accept") == "application/jose" && f.signer != nil {
		tok, err := jws.Sign(f.signer.Signer, jws.RS256, map[string]any{"x5c": x5c(f.signer)}, payload)
		if err != nil {
			f.t.Error(err)
		}
		if f.tamper != nil {
			tok = f.tamper(tok)
		}
		w.Header().Set("Content-Type", "application/jose")
		io.WriteString(w, tok)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(payload)
}

func x5c(c *identity.Certificate) []string {
	var out []string
	for _, cert := range c.Chain {
		out = append(out, base64.StdEncoding.EncodeToString(cert.Raw))
	}
	return out
}

func (f *fake) print(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if f.hook != nil && f.hook(int(f.requests.Add(1)), nil, w, r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{
		"postkasseleverandoerAdresse": "984661185",
		"x509Sertifikat":              base64.StdEncoding.EncodeToString(testCA().printCert.Leaf().Raw),
	})
}

// springError writes a Spring Boot default error body.
func springError(w http.ResponseWriter, status int, msg, path string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"timestamp": "2026-11-23T10:00:00.000+00:00",
		"status":    status,
		"error":     http.StatusText(status),
		"message":   msg,
		"path":      path,
	})
}

func (f *fake) recorded() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]string(nil), f.batches...)
}
