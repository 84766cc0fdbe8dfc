package krr_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/registry/krr"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestSampleResponse replays the spec's sample answer (§3.4), with its
// mixed timestamp formats, and checks every field and the request.
func TestSampleResponse(t *testing.T) {
	f := newFake(t)
	f.raw = sampleWithCert()
	c := f.client(t)
	got, err := c.Lookup(context.Background(), sampleID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d persons, want 1", len(got))
	}
	p := got[0]
	if p.ID.Digits() != sampleID {
		t.Errorf("ID %s", p.ID)
	}
	if p.Err != nil {
		t.Errorf("Err = %v", p.Err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Reservation", p.Reservation, krr.NotReserved},
		{"Status", p.Status, krr.StatusActive},
		{"NotificationStatus", p.NotificationStatus, krr.CanBeNotified},
		{"Email", p.Email, "nullstilt@default.digdir.no"},
		{"Mobile", p.Mobile, "+4799999999"},
		{"Language", p.Language, "nb"},
		{"Mailbox", *p.Mailbox, krr.Mailbox{Address: "ola.nordmann#9YDT", Provider: "984661185"}},
		{"ReservedAt", p.ReservedAt, mustTime(t, "2023-06-13T11:42:34Z")},
		{"ReservationUpdated", p.ReservationUpdated, mustTime(t, "2023-06-13T11:42:34Z")},
		{"EmailUpdated", p.EmailUpdated, mustTime(t, "2023-06-29T08:14:52Z")},
		{"EmailVerified", p.EmailVerified, mustTime(t, "2023-08-05T10:45:15.768Z")},
		{"MobileUpdated", p.MobileUpdated, mustTime(t, "2023-06-29T08:14:52Z")},
		{"MobileVerified", p.MobileVerified, mustTime(t, "2023-08-05T10:45:15.768Z")},
		{"LanguageUpdated", p.LanguageUpdated, mustTime(t, "2023-08-05T10:45:15.768Z")},
	}
	for _, ch := range checks {
		if a, ok := ch.got.(time.Time); ok {
			if !a.Equal(ch.want.(time.Time)) {
				t.Errorf("%s = %v, want %v", ch.name, a, ch.want)
			}
			continue
		}
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if p.MailboxCertificate == nil || !p.MailboxCertificate.Equal(testCA().mailbox.Leaf()) {
		t.Errorf("MailboxCertificate = %v, want the test mailbox certificate", p.MailboxCertificate)
	}

	if got := f.paths; !slices.Equal(got, []string{"/krr/rest/v2/personer"}) {
		t.Errorf("paths %q", got)
	}
	if got := f.accepts; !slices.Equal(got, []string{"application/json"}) {
		t.Errorf("Accept %q", got)
	}
	want := map[string]any{"personidentifikatorer": []any{sampleID}}
	if d := cmp.Diff(want, f.bodies[0]); d != "" {
		t.Errorf("request body (-want +got):\n%s", d)
	}
}

// TestSampleCertificatePlaceholder replays the sample verbatim: its
// "sertifikat" is an abbreviation, not a certificate. That is an error on
// the person's certificate only.
func TestSampleCertificatePlaceholder(t *testing.T) {
	f := newFake(t)
	f.raw = strings.Replace(sampleResponse, certPlaceholder, `"MIIC2jCCAkMCAg38...(base64 DER X.509)"`, 1)
	got, err := f.client(t).Lookup(context.Background(), sampleID)
	if err != nil {
		t.Fatal(err)
	}
	p := got[0]
	var fe *krr.FieldError
	if !errors.As(p.Err, &fe) || fe.Field != "sertifikat" {
		t.Fatalf("Err = %v, want a FieldError for sertifikat", p.Err)
	}
	if p.MailboxCertificate != nil {
		t.Error("MailboxCertificate set")
	}
	if p.Email == "" || p.Mailbox == nil || p.Status != krr.StatusActive {
		t.Errorf("the rest of the person was lost: %+v", p)
	}
	d := p.ContactDecision(mustTime(t, "2024-01-01T00:00:00Z"))
	if d.Method != krr.MethodNotification || !strings.Contains(d.Reason, "no readable certificate") {
		t.Errorf("decision %+v", d)
	}
}

// TestFieldFiltering: KRR sends only what the token's scopes allow; absent
// fields are zero values, not errors.
func TestFieldFiltering(t *testing.T) {
	cases := []struct {
		name   string
		person map[string]any
		check  func(t *testing.T, p krr.Person)
	}{
		{"no scope beyond the reservation", map[string]any{"reservasjon": "JA", "status": "AKTIV", "reservasjonstidspunkt": "2020-01-01T00:00:00Z"},
			func(t *testing.T, p krr.Person) {
				if p.Reservation != krr.Reserved || p.Email != "" || p.Mobile != "" || p.Mailbox != nil || p.MailboxCertificate != nil ||
					!p.EmailUpdated.IsZero() || p.NotificationStatus != "" || p.Language != "" {
					t.Errorf("%+v", p)
				}
			}},
		{"contact information only", map[string]any{"reservasjon": "NEI", "status": "AKTIV", "varslingsstatus": "KAN_VARSLES",
			"kontaktinformasjon": map[string]any{"epostadresse": "a@b.no"}},
			func(t *testing.T, p krr.Person) {
				if p.Email != "a@b.no" || !p.EmailUpdated.IsZero() || p.Mobile != "" || p.Mailbox != nil {
					t.Errorf("%+v", p)
				}
			}},
		{"digital post only", map[string]any{"reservasjon": "NEI", "status": "AKTIV",
			"digital_post": map[string]any{"postkasseadresse": "x#1", "postkasseleverandoeradresse": "922020175"}, "sertifikat": mailboxCertB64()},
			func(t *testing.T, p krr.Person) {
				if p.Mailbox == nil || p.Mailbox.Provider != "922020175" || p.MailboxCertificate == nil || p.Email != "" {
					t.Errorf("%+v", p)
				}
			}},
		{"nulls", map[string]any{"reservasjon": "NEI", "status": "AKTIV", "kontaktinformasjon": nil, "digital_post": nil,
			"sertifikat": nil, "spraak_oppdatert": nil, "reservasjon_oppdatert": nil},
			func(t *testing.T, p krr.Person) {
				if p.Mailbox != nil || p.Email != "" || !p.ReservationUpdated.IsZero() {
					t.Errorf("%+v", p)
				}
			}},
		{"empty digital_post", map[string]any{"reservasjon": "NEI", "status": "AKTIV", "digital_post": map[string]any{}},
			func(t *testing.T, p krr.Person) {
				if p.Mailbox != nil {
					t.Errorf("Mailbox = %+v, want nil", p.Mailbox)
				}
			}},
		{"unknown status and values kept", map[string]any{"reservasjon": "KANSKJE", "status": "ARKIVERT", "varslingsstatus": "NY", "nytt_felt": 1},
			func(t *testing.T, p krr.Person) {
				if p.Status != "ARKIVERT" || p.Reservation != "KANSKJE" || p.NotificationStatus != "NY" {
					t.Errorf("%+v", p)
				}
			}},
		{"epoch milliseconds", map[string]any{"reservasjon": "NEI", "status": "AKTIV", "reservasjon_oppdatert": 1691232315768},
			func(t *testing.T, p krr.Person) {
				if !p.ReservationUpdated.Equal(time.UnixMilli(1691232315768)) {
					t.Errorf("ReservationUpdated = %v", p.ReservationUpdated)
				}
			}},
		{"bad timestamp is a field error", map[string]any{"reservasjon": "NEI", "status": "AKTIV",
			"kontaktinformasjon": map[string]any{"epostadresse": "a@b.no", "epostadresse_oppdatert": "yesterday"}},
			func(t *testing.T, p krr.Person) {
				var fe *krr.FieldError
				if !errors.As(p.Err, &fe) || fe.Field != "kontaktinformasjon.epostadresse_oppdatert" {
					t.Errorf("Err = %v", p.Err)
				}
				if p.Email != "a@b.no" || !p.EmailUpdated.IsZero() {
					t.Errorf("%+v", p)
				}
			}},
		{"bad timestamp holding an identity number is redacted", map[string]any{"reservasjon": "NEI", "status": "AKTIV",
			"reservasjon_oppdatert": "ved " + sampleID,
			"kontaktinformasjon":    map[string]any{"epostadresse_oppdatert": sampleID}},
			func(t *testing.T, p krr.Person) {
				var fe *krr.FieldError
				if !errors.As(p.Err, &fe) {
					t.Fatalf("Err = %v, want a FieldError", p.Err)
				}
				if msg := p.Err.Error(); strings.Contains(msg, sampleID) || strings.Contains(msg, sampleID[:6]+" ") ||
					!strings.Contains(msg, "REDACTED") {
					t.Errorf("Err = %q shows the identity number", msg)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.person = func(id string) map[string]any {
				p := map[string]any{"personidentifikator": id}
				for k, v := range tc.person {
					p[k] = v
				}
				return p
			}
			got, err := f.client(t).Lookup(context.Background(), sampleID)
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Err != nil && !strings.HasPrefix(tc.name, "bad") {
				t.Errorf("Err = %v", got[0].Err)
			}
			tc.check(t, got[0])
		})
	}
}

// TestBatching: 2500 identifiers make three requests of 1000, 1000 and 500,
// in input order, and the answers come back in input order although the
// first request is answered last and KRR lists persons in reverse.
func TestBatching(t *testing.T) {
	ids := validIDs(2500)
	f := newFake(t)
	f.reverse = true
	f.delay = func(batch []string) time.Duration {
		if batch[0] == ids[0] {
			return 150 * time.Millisecond
		}
		return 0
	}
	got, err := f.client(t).Lookup(context.Background(), ids...)
	if err != nil {
		t.Fatal(err)
	}
	batches := f.recorded()
	slices.SortFunc(batches, func(a, b []string) int { return slices.Index(ids, a[0]) - slices.Index(ids, b[0]) })
	want := [][]string{ids[:1000], ids[1000:2000], ids[2000:]}
	if d := cmp.Diff(want, batches); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
	if len(got) != len(ids) {
		t.Fatalf("%d results for %d ids", len(got), len(ids))
	}
	for i, p := range got {
		if p.ID.Digits() != ids[i] {
			t.Fatalf("result %d is for another identifier", i)
		}
		if p.Status != krr.StatusActive {
			t.Fatalf("result %d: status %q", i, p.Status)
		}
	}
}

// TestDuplicates: an identifier given twice is sent once, and answered at
// both positions.
func TestDuplicates(t *testing.T) {
	ids := validIDs(3)
	a, b, c := ids[0], ids[1], ids[2]
	input := []string{a, b, a, c, b, a}
	f := newFake(t)
	got, err := f.client(t).Lookup(context.Background(), input...)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]string{{a, b, c}}, f.recorded()); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
	for i, p := range got {
		if p.ID.Digits() != input[i] || p.Status != krr.StatusActive {
			t.Errorf("result %d: %v %q", i, p.ID, p.Status)
		}
	}
}

// TestDuplicatesFillBatches: duplicates do not count towards the 1000
// identifiers of a request.
func TestDuplicatesFillBatches(t *testing.T) {
	ids := validIDs(1500)
	input := append(slices.Clone(ids[:500]), ids...) // 2000 ids, 1500 distinct
	f := newFake(t)
	got, err := f.client(t).Lookup(context.Background(), input...)
	if err != nil {
		t.Fatal(err)
	}
	b := f.recorded()
	if len(b) != 2 || len(b[0])+len(b[1]) != 1500 {
		t.Errorf("%d requests", len(b))
	}
	for i, p := range got {
		if p.ID.Digits() != input[i] {
			t.Fatalf("result %d is for another identifier", i)
		}
	}
}

// TestLeftOut: a person KRR leaves out is reported as not registered; a
// person KRR did not ask about, or repeats, is ignored.
func TestLeftOut(t *testing.T) {
	ids := validIDs(4)
	f := newFake(t)
	f.hook = func(_ int, _ []string, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"personer":[
			{"personidentifikator":"` + ids[2] + `","reservasjon":"JA","status":"AKTIV"},
			{"personidentifikator":"` + ids[0] + `","reservasjon":"NEI","status":"AKTIV"},
			{"personidentifikator":"` + ids[0] + `","reservasjon":"JA","status":"SLETTET"},
			{"personidentifikator":"` + ids[3] + `","reservasjon":"NEI","status":"IKKE_REGISTRERT"},
			{"personidentifikator":"12345678901","reservasjon":"NEI","status":"AKTIV"},
			{"personidentifikator":"` + validIDs(5)[4] + `","reservasjon":"NEI","status":"AKTIV"}]}`))
		return true
	}
	got, err := f.client(t).Lookup(context.Background(), ids...)
	if err != nil {
		t.Fatal(err)
	}
	want := []krr.Status{krr.StatusActive, krr.StatusNotRegistered, krr.StatusActive, krr.StatusNotRegistered}
	for i, p := range got {
		if p.Status != want[i] || p.ID.Digits() != ids[i] {
			t.Errorf("result %d: status %q, want %q", i, p.Status, want[i])
		}
	}
	if got[0].Reservation != krr.NotReserved || got[2].Reservation != krr.Reserved {
		t.Errorf("reservations %q %q", got[0].Reservation, got[2].Reservation)
	}
}

// TestInvalidID: an invalid identifier fails Lookup before any request, and
// the error names its position without the whole number.
func TestInvalidID(t *testing.T) {
	ids := validIDs(5)
	bad := ids[3][:10] + string('0'+(ids[3][10]-'0'+1)%10) // wrong check digit
	input := append(slices.Clone(ids[:3]), bad, ids[4])
	f := newFake(t)
	_, err := f.client(t).Lookup(context.Background(), input...)
	var ie *krr.InvalidIDError
	if !errors.As(err, &ie) || ie.Index != 3 {
		t.Fatalf("err = %v, want InvalidIDError at index 3", err)
	}
	if strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), bad[:6]) {
		t.Errorf("error text %q: want the masked number", err)
	}
	if f.requests.Load() != 0 {
		t.Errorf("%d requests sent", f.requests.Load())
	}
	for _, s := range []string{"", "abc", "209146950161234"} {
		if _, err := f.client(t).Lookup(context.Background(), s); !errors.As(err, &ie) {
			t.Errorf("Lookup(%q) = %v", s, err)
		}
	}
}

func TestNoIDs(t *testing.T) {
	f := newFake(t)
	got, err := f.client(t).Lookup(context.Background())
	if err != nil || len(got) != 0 || f.requests.Load() != 0 {
		t.Errorf("Lookup() = %v, %v; %d requests", got, err, f.requests.Load())
	}
}

// TestPartialFailure: one request of three fails after its retries; the
// others' results are returned with a BatchError naming the failed range.
func TestPartialFailure(t *testing.T) {
	ids := validIDs(2500)
	f := newFake(t)
	f.hook = func(_ int, batch []string, w http.ResponseWriter, r *http.Request) bool {
		if batch[0] == ids[1000] {
			springError(w, http.StatusInternalServerError, "database unavailable for "+batch[0], r.URL.Path)
			return true
		}
		return false
	}
	got, err := f.client(t, krr.WithMaxRetries(1)).Lookup(context.Background(), ids...)
	var be *krr.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a BatchError", err)
	}
	want := []krr.BatchFailure{{Start: 1000, End: 2000, IDs: 1000}}
	if d := cmp.Diff(want, be.Failures, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Err" }, cmp.Ignore())); d != "" {
		t.Errorf("failures (-want +got):\n%s", d)
	}
	var ae *krr.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 500 || ae.Code != "Internal Server Error" {
		t.Errorf("err = %v, want the APIError inside", err)
	}
	if strings.Contains(err.Error(), ids[1000]) {
		t.Errorf("error text holds an identifier: %v", err)
	}
	if !strings.Contains(ae.Message, "database unavailable") {
		t.Errorf("Message %q", ae.Message)
	}
	if len(got) != 2500 {
		t.Fatalf("%d results", len(got))
	}
	for i, p := range got {
		failed := i >= 1000 && i < 2000
		if be.Failed(i) != failed {
			t.Fatalf("Failed(%d) = %v", i, !failed)
		}
		if p.ID.Digits() != ids[i] {
			t.Fatalf("result %d is for another identifier", i)
		}
		if failed != (p.Status == "") {
			t.Fatalf("result %d: status %q", i, p.Status)
		}
	}
	if d := got[1500].ContactDecision(time.Now()); d.Method != krr.MethodPaper {
		t.Errorf("decision for a failed lookup: %+v", d)
	}
	// 3 requests, the failing one retried once.
	if n := f.calls.Load(); n != 4 {
		t.Errorf("%d HTTP requests, want 4", n)
	}
}

// TestConcurrencyBound: never more requests in flight than allowed, and
// that many are used.
func TestConcurrencyBound(t *testing.T) {
	for _, limit := range []int{1, 3} {
		ids := validIDs(8000)
		f := newFake(t)
		f.delay = func([]string) time.Duration { return 50 * time.Millisecond }
		if _, err := f.client(t, krr.WithMaxConcurrency(limit)).Lookup(context.Background(), ids...); err != nil {
			t.Fatal(err)
		}
		if got := f.maxInflight.Load(); got != int64(limit) {
			t.Errorf("limit %d: at most %d requests in flight", limit, got)
		}
		if got := f.requests.Load(); got != 8 {
			t.Errorf("%d requests, want 8", got)
		}
	}
}

// TestRetries: 5xx and 429 are retried through httpx; the lookup is a read.
func TestRetries(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header map[string]string
	}{
		{"503", http.StatusServiceUnavailable, nil},
		{"502", http.StatusBadGateway, nil},
		{"429 with Retry-After", http.StatusTooManyRequests, map[string]string{"Retry-After": "0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.hook = func(n int, _ []string, w http.ResponseWriter, _ *http.Request) bool {
				if n > 2 {
					return false
				}
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				return true
			}
			got, err := f.client(t).Lookup(context.Background(), sampleID)
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Status != krr.StatusActive || f.calls.Load() != 3 {
				t.Errorf("status %q after %d requests", got[0].Status, f.calls.Load())
			}
		})
	}
}

// TestAPIErrors: statuses become *APIError matching the sentinels; bodies
// of any shape are tolerated; nothing secret or personal leaks.
func TestAPIErrors(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
		header      map[string]string
		sentinel    error
		code, msg   string
	}{
		{"401 empty", 401, "", "", nil, krr.ErrUnauthorized, "", ""},
		{"403 spring", 403, "application/json", `{"timestamp":"2026-01-01T00:00:00.000+00:00","status":403,"error":"Forbidden","message":"Missing scope for 20914695016","path":"/rest/v2/personer"}`,
			map[string]string{"X-Request-Id": "abc-123"}, krr.ErrForbidden, "Forbidden", "Missing scope for [REDACTED]"},
		{"400 problem", 400, "application/problem+json", `{"type":"about:blank","title":"Bad Request","status":400,"detail":"size must be between 1 and 1000"}`,
			nil, nil, "Bad Request", "size must be between 1 and 1000"},
		{"400 oauth", 400, "application/json", `{"error":"invalid_token","error_description":"token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl expired"}`,
			nil, nil, "invalid_token", "token [REDACTED] expired"},
		{"502 html", 502, "text/html", `<html><body><h1>502 Bad Gateway</h1></body></html>`, nil, nil, "", ""},
		{"429", 429, "text/plain", "slow down", nil, krr.ErrRateLimited, "", ""},
		{"500 error object", 500, "application/json", `{"error":{"code":7},"message":"boom"}`, nil, nil, "", "boom"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.hook = func(_ int, _ []string, w http.ResponseWriter, _ *http.Request) bool {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
				return true
			}
			_, err := f.client(t, krr.WithMaxRetries(0)).Lookup(context.Background(), sampleID)
			var ae *krr.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an APIError", err)
			}
			if ae.StatusCode != tc.status || ae.Code != tc.code || ae.Message != tc.msg {
				t.Errorf("APIError %+v, want code %q message %q", ae, tc.code, tc.msg)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.sentinel)
			}
			for _, s := range []error{krr.ErrUnauthorized, krr.ErrForbidden, krr.ErrRateLimited} {
				if s != tc.sentinel && errors.Is(err, s) {
					t.Errorf("err matches %v", s)
				}
			}
			if tc.header["X-Request-Id"] != "" && ae.RequestID != tc.header["X-Request-Id"] {
				t.Errorf("RequestID %q", ae.RequestID)
			}
			text := err.Error()
			if strings.Contains(text, sampleID) || strings.Contains(text, testToken) || strings.Contains(text, "eyJ") {
				t.Errorf("error text leaks: %s", text)
			}
			if !strings.HasPrefix(text, "krr: ") {
				t.Errorf("error text %q", text)
			}
		})
	}
}

// TestDecodeErrors: bodies that are not KRR's answer are typed errors.
func TestDecodeErrors(t *testing.T) {
	huge := "{\"personer\":[" + strings.Repeat(" ", krr.MaxResponseSize) + "]}"
	cases := map[string]string{
		"not JSON":      "<html>hello</html>",
		"truncated":     `{"personer":[{"personidentifikator":"`,
		"no personer":   `{"persons":[]}`,
		"wrong type":    `{"personer":{"a":1}}`,
		"field type":    `{"personer":[{"personidentifikator":20914695016}]}`,
		"empty":         "",
		"too large":     huge,
		"trailing data": `{"personer":[]} {}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.hook = func(_ int, _ []string, w http.ResponseWriter, _ *http.Request) bool {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(body))
				return true
			}
			_, err := f.client(t).Lookup(context.Background(), sampleID)
			var de *krr.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a DecodeError", err)
			}
			if strings.Contains(err.Error(), sampleID) {
				t.Errorf("error text leaks: %v", err)
			}
		})
	}
}

// TestLookupSeqStreams: the sequence reads its input as it goes, holds at
// most the concurrency's worth of batches, yields per-identifier errors for
// invalid input and carries on.
func TestLookupSeqStreams(t *testing.T) {
	ids := validIDs(10000)
	input := slices.Clone(ids)
	input[4321] = "not-a-number"
	f := newFake(t)
	c := f.client(t, krr.WithMaxConcurrency(2))
	pulled := 0
	src := func(yield func(string) bool) {
		for _, s := range input {
			pulled++
			if !yield(s) {
				return
			}
		}
	}
	i := 0
	for p, err := range c.LookupSeq(context.Background(), src) {
		if i == 0 && pulled > 2*krr.MaxBatchSize+1 {
			t.Errorf("%d identifiers read before the first result; want at most 2 batches", pulled)
		}
		if i == 4321 {
			var ie *krr.InvalidIDError
			if !errors.As(err, &ie) || ie.Index != 4321 {
				t.Errorf("result 4321: %v", err)
			}
		} else if err != nil || p.ID.Digits() != input[i] {
			t.Fatalf("result %d: %v, %v", i, p.ID, err)
		}
		i++
	}
	if i != len(input) {
		t.Errorf("%d results for %d ids", i, len(input))
	}
	if n := f.requests.Load(); n != 10 {
		t.Errorf("%d requests, want 10", n)
	}
}

// TestLookupSeqBreak: breaking out stops reading input and sending.
func TestLookupSeqBreak(t *testing.T) {
	ids := validIDs(20000)
	f := newFake(t)
	c := f.client(t, krr.WithMaxConcurrency(2))
	n := 0
	for _, err := range c.LookupSeq(context.Background(), slices.Values(ids)) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 10 {
			break
		}
	}
	if got := f.requests.Load(); got > 3 {
		t.Errorf("%d requests after an early break", got)
	}
}

// TestLookupSeqFailedBatch: each identifier of a failed request gets the
// same BatchError, and the sequence carries on.
func TestLookupSeqFailedBatch(t *testing.T) {
	ids := validIDs(2500)
	f := newFake(t)
	f.hook = func(_ int, batch []string, w http.ResponseWriter, _ *http.Request) bool {
		if batch[0] == ids[0] {
			w.WriteHeader(http.StatusForbidden)
			return true
		}
		return false
	}
	var errs []error
	ok := 0
	for p, err := range f.client(t).LookupSeq(context.Background(), slices.Values(ids)) {
		if err != nil {
			errs = append(errs, err)
			if p.ID.Digits() == "" {
				t.Fatal("failed person without ID")
			}
			continue
		}
		ok++
	}
	if len(errs) != 1000 || ok != 1500 {
		t.Fatalf("%d errors, %d ok", len(errs), ok)
	}
	if errs[0] != errs[999] || !errors.Is(errs[0], krr.ErrForbidden) {
		t.Errorf("errors %v / %v", errs[0], errs[999])
	}
}

func TestContextCancel(t *testing.T) {
	ids := validIDs(5000)
	f := newFake(t)
	f.delay = func([]string) time.Duration { return time.Minute }
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	got, err := f.client(t).Lookup(ctx, ids...)
	if !errors.Is(err, context.DeadlineExceeded) || got != nil {
		t.Errorf("Lookup = %d results, %v", len(got), err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	var n int
	for _, err := range f.client(t).LookupSeq(ctx, slices.Values(ids)) {
		n++
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v", err)
		}
	}
	if n != 1 {
		t.Errorf("%d yields after cancellation, want 1", n)
	}
}

func TestAPIVersionAndIncludeNotRegistered(t *testing.T) {
	f := newFake(t)
	if _, err := f.client(t, krr.WithAPIVersion(1)).Lookup(context.Background(), sampleID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client(t, krr.WithIncludeNotRegistered(true)).Lookup(context.Background(), sampleID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client(t, krr.WithIncludeNotRegistered(false)).Lookup(context.Background(), sampleID); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"/krr/rest/v1/personer", "/krr/rest/v2/personer", "/krr/rest/v2/personer"}, f.paths); d != "" {
		t.Errorf("paths (-want +got):\n%s", d)
	}
	want := []map[string]any{
		{"personidentifikatorer": []any{sampleID}},
		{"personidentifikatorer": []any{sampleID}, "inkluderIkkeRegistrerte": true},
		{"personidentifikatorer": []any{sampleID}, "inkluderIkkeRegistrerte": false},
	}
	if d := cmp.Diff(want, f.bodies); d != "" {
		t.Errorf("bodies (-want +got):\n%s", d)
	}
	if _, err := krr.New(f.base(), oauth2.StaticTokenSource(&oauth2.Token{}), krr.WithAPIVersion(1), krr.WithIncludeNotRegistered(true)); err == nil {
		t.Error("WithIncludeNotRegistered with version 1 accepted")
	}
}

func TestNewErrors(t *testing.T) {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"})
	cases := []struct {
		base string
		ts   oauth2.TokenSource
		opts []krr.Option
	}{
		{"", ts, nil},
		{"kontaktregisteret.no", ts, nil},
		{"ftp://kontaktregisteret.no/", ts, nil},
		{"https://u:p@kontaktregisteret.no/", ts, nil},
		{"https://kontaktregisteret.no/?x=1", ts, nil},
		{"https://kontaktregisteret.no/", nil, nil},
		{"https://kontaktregisteret.no/", ts, []krr.Option{krr.WithAPIVersion(3)}},
		{"https://kontaktregisteret.no/", ts, []krr.Option{krr.WithMaxConcurrency(0)}},
		{"https://kontaktregisteret.no/", ts, []krr.Option{krr.WithMaxConcurrency(65)}},
		{"https://kontaktregisteret.no/", ts, []krr.Option{krr.WithMaxRetries(-1)}},
		{"https://kontaktregisteret.no/", ts, []krr.Option{krr.WithHTTPClient(nil)}},
		{"https://kontaktregisteret.no/", ts, []krr.Option{krr.WithLogger(nil)}},
		{"https://kontaktregisteret.no/", ts, []krr.Option{krr.WithClock(nil)}},
		{"https://kontaktregisteret.no/", ts, []krr.Option{krr.WithSignerOrganizationNumber("123")}},
	}
	for _, tc := range cases {
		if _, err := krr.New(tc.base, tc.ts, tc.opts...); err == nil || !strings.HasPrefix(err.Error(), "krr: ") {
			t.Errorf("New(%q, %d options) = %v", tc.base, len(tc.opts), err)
		}
	}
	// No trailing slash: one is added.
	f := newFake(t)
	c, err := krr.New(strings.TrimSuffix(f.base(), "/"), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lookup(context.Background(), sampleID); err != nil {
		t.Fatal(err)
	}
}

type failingSource struct{}

func (failingSource) Token() (*oauth2.Token, error) { return nil, errors.New("maskinporten is down") }

func TestTokenError(t *testing.T) {
	f := newFake(t)
	c, err := krr.New(f.base(), failingSource{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Lookup(context.Background(), sampleID)
	var te *krr.TokenError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "maskinporten is down") || f.calls.Load() != 0 {
		t.Errorf("err = %v after %d requests", err, f.calls.Load())
	}
}

func TestPrintCertificate(t *testing.T) {
	f := newFake(t)
	pc, err := f.client(t).PrintCertificate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if pc.Provider != "984661185" || !pc.Certificate.Equal(testCA().printCert.Leaf()) {
		t.Errorf("%+v", pc)
	}
	f.hook = func(_ int, _ []string, w http.ResponseWriter, _ *http.Request) bool {
		w.Write([]byte(`{"postkasseleverandoerAdresse":"984661185","x509Sertifikat":"bm90IGEgY2VydA=="}`))
		return true
	}
	var de *krr.DecodeError
	if _, err := f.client(t).PrintCertificate(context.Background()); !errors.As(err, &de) {
		t.Errorf("bad certificate: %v", err)
	}
	f.hook = func(_ int, _ []string, w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(http.StatusForbidden)
		return true
	}
	if _, err := f.client(t).PrintCertificate(context.Background()); !errors.Is(err, krr.ErrForbidden) {
		t.Errorf("403: %v", err)
	}
}

// TestLogging: the client's debug log and a Person logged through slog hold
// no identifier or contact information.
func TestLogging(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFake(t)
	f.raw = sampleWithCert()
	got, err := f.client(t, krr.WithLogger(log)).Lookup(context.Background(), sampleID)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("looked up", "person", got[0])
	out := buf.String()
	if !strings.Contains(out, "krr: lookup") || !strings.Contains(out, "person.status=AKTIV") {
		t.Errorf("log lacks the records:\n%s", out)
	}
	for _, secret := range []string{sampleID, "nullstilt@", "99999999", testToken} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
	}
}
