package tsa

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/cms"
	"github.com/fellesgo/felles/internal/testpki"
	sbtsa "github.com/fellesgo/felles/sandbox/tsa"
)

var (
	pkiOnce   sync.Once
	testCA    *testpki.CA
	tsaCert   *identity.Certificate
	plainCert *identity.Certificate
	pkiErr    error
)

func pki(tb testing.TB) (*testpki.CA, *identity.Certificate, *identity.Certificate) {
	tb.Helper()
	pkiOnce.Do(func() {
		if testCA, pkiErr = testpki.New("TSA Test"); pkiErr != nil {
			return
		}
		if tsaCert, pkiErr = testCA.IssueTSA("TSA Test TSA", nil); pkiErr != nil {
			return
		}
		plainCert, pkiErr = testCA.Issue(testpki.Request{OrganizationNumber: "991825827", OrganizationName: "Ikke TSA", Key: tsaCert.Signer})
	})
	if pkiErr != nil {
		tb.Fatal(pkiErr)
	}
	return testCA, tsaCert, plainCert
}

// server starts the sandbox TSA with cert behind httptest.
func server(t testing.TB, cert *identity.Certificate, opts ...sbtsa.Option) *httptest.Server {
	t.Helper()
	h, err := sbtsa.New(cert, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func client(t testing.TB, url string, opts ...Option) *Client {
	t.Helper()
	c, err := New(url, append([]Option{WithMaxRetries(2)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTimestampAndVerify(t *testing.T) {
	ca, tc, _ := pki(t)
	srv := server(t, tc)
	c := client(t, srv.URL)
	sum := sha256.Sum256([]byte("signature value"))
	before := time.Now().Add(-time.Second)
	tok, err := c.Timestamp(context.Background(), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	if tok.Time.Before(before.Truncate(time.Second)) || tok.Time.After(time.Now()) {
		t.Errorf("genTime %v", tok.Time)
	}
	if tok.Policy != sbtsa.DefaultPolicy || tok.Nonce == nil || tok.SerialNumber.Sign() <= 0 || tok.Accuracy != time.Second {
		t.Errorf("token fields: %+v", tok)
	}
	if tok.Signer == nil || !tok.Signer.Equal(tc.Chain[0]) {
		t.Fatal("signer")
	}
	if err := tok.Verify(crypto.SHA256, sum[:], ca.Roots(), nil); err != nil {
		t.Fatal(err)
	}
	// Parse of Raw gives the same token.
	again, err := Parse(append(bytes.Clone(tok.Raw), 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Verify(crypto.SHA256, sum[:], ca.Roots(), ca.Intermediates()); err != nil {
		t.Fatal(err)
	}
	other := sha256.Sum256([]byte("other"))
	if err := tok.Verify(crypto.SHA256, other[:], ca.Roots(), nil); !errors.Is(err, ErrImprintMismatch) {
		t.Errorf("other digest: %v", err)
	}
	if err := tok.Verify(crypto.SHA512, sum[:], ca.Roots(), nil); !errors.Is(err, ErrImprintMismatch) {
		t.Errorf("other hash: %v", err)
	}
	otherCA, err := testpki.New("Other")
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Verify(crypto.SHA256, sum[:], otherCA.Roots(), nil); err == nil {
		t.Error("verified against another CA")
	}
	// Serial numbers differ.
	tok2, err := c.Timestamp(context.Background(), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	if tok2.SerialNumber.Cmp(tok.SerialNumber) == 0 || tok2.Nonce.Cmp(tok.Nonce) == 0 {
		t.Error("serial or nonce repeated")
	}
}

func TestTimestampSHA512AndData(t *testing.T) {
	ca, tc, _ := pki(t)
	srv := server(t, tc)
	c := client(t, srv.URL, WithHash(crypto.SHA512))
	tok, err := c.TimestampData(context.Background(), strings.NewReader("dokument"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512([]byte("dokument"))
	if err := tok.Verify(crypto.SHA512, sum[:], ca.Roots(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestTamperedToken(t *testing.T) {
	ca, tc, _ := pki(t)
	srv := server(t, tc)
	sum := sha256.Sum256([]byte("x"))
	tok, err := client(t, srv.URL).Timestamp(context.Background(), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	// Flip a byte inside the TSTInfo's genTime: parse may still succeed,
	// verification must not.
	i := bytes.Index(tok.Raw, []byte(tok.Time.UTC().Format("20060102150405Z")))
	if i < 0 {
		t.Fatal("genTime not found")
	}
	bad := bytes.Clone(tok.Raw)
	bad[i+13] = '0' + (bad[i+13]-'0'+1)%10 // another second, still a digit
	bt, err := Parse(bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := bt.Verify(crypto.SHA256, sum[:], ca.Roots(), nil); err == nil || !errors.Is(err, cms.ErrDigestMismatch) {
		t.Errorf("tampered genTime: %v", err)
	}
}

func TestNotTSACertificate(t *testing.T) {
	ca, _, pc := pki(t)
	srv := server(t, pc)
	sum := sha256.Sum256([]byte("x"))
	tok, err := client(t, srv.URL).Timestamp(context.Background(), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Verify(crypto.SHA256, sum[:], ca.Roots(), nil); !errors.Is(err, ErrNotTSACertificate) {
		t.Errorf("enterprise certificate as TSA: %v", err)
	}
}

func TestTokenTimeOutsideValidity(t *testing.T) {
	ca, tc, _ := pki(t)
	past := tc.Chain[0].NotBefore.Add(-24 * time.Hour)
	srv := server(t, tc, sbtsa.WithClock(func() time.Time { return past }))
	sum := sha256.Sum256([]byte("x"))
	tok, err := client(t, srv.URL).Timestamp(context.Background(), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Time.Equal(past.UTC().Truncate(time.Second)) {
		t.Errorf("genTime %v, want %v", tok.Time, past)
	}
	if err := tok.Verify(crypto.SHA256, sum[:], ca.Roots(), nil); err == nil {
		t.Error("token from before the TSA certificate verified")
	}
}

func TestRejections(t *testing.T) {
	_, tc, _ := pki(t)
	srv := server(t, tc)
	sum := sha256.Sum256([]byte("x"))
	_, err := client(t, srv.URL, WithPolicy("1.2.3.4")).Timestamp(context.Background(), crypto.SHA256, sum[:])
	var te *Error
	if !errors.As(err, &te) || te.Status != StatusRejection || te.FailInfo != FailUnacceptedPolicy {
		t.Fatalf("foreign policy: %v", err)
	}
	if !strings.Contains(err.Error(), "unacceptedPolicy") {
		t.Errorf("error text %q", err)
	}
	// The sandbox's own policy is accepted and checked.
	if _, err := client(t, srv.URL, WithPolicy(sbtsa.DefaultPolicy)).Timestamp(context.Background(), crypto.SHA256, sum[:]); err != nil {
		t.Error(err)
	}
	// A request the TSA cannot parse.
	resp, err := http.Post(srv.URL, "application/timestamp-query", strings.NewReader("garbage"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, err := ParseResponse(body); !errors.As(err, &te) || te.FailInfo != FailBadDataFormat {
		t.Errorf("garbage: %v", err)
	}
	// Client-side refusals.
	if _, err := client(t, srv.URL).Timestamp(context.Background(), crypto.SHA256, sum[:4]); err == nil {
		t.Error("short digest accepted")
	}
	if _, err := client(t, srv.URL).Timestamp(context.Background(), crypto.MD5, sum[:16]); err == nil {
		t.Error("MD5 accepted")
	}
	for _, u := range []string{"", "ftp://x", "/relative", "http://"} {
		if _, err := New(u); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
	for _, p := range []string{"", "1", "a.b", "1..2", "9.1"} {
		if _, err := New("http://x", WithPolicy(p)); err == nil {
			t.Errorf("WithPolicy(%q) accepted", p)
		}
	}
}

// replay answers every request with the first answer it got from the TSA.
type replay struct {
	next http.Handler
	mu   sync.Mutex
	body []byte
}

func (r *replay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.body == nil {
		rec := httptest.NewRecorder()
		r.next.ServeHTTP(rec, req)
		r.body = rec.Body.Bytes()
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(r.body)
}

func TestNonceAndImprintChecked(t *testing.T) {
	_, tc, _ := pki(t)
	h, err := sbtsa.New(tc)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&replay{next: h})
	defer srv.Close()
	c := client(t, srv.URL)
	sum := sha256.Sum256([]byte("x"))
	if _, err := c.Timestamp(context.Background(), crypto.SHA256, sum[:]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Timestamp(context.Background(), crypto.SHA256, sum[:]); !errors.Is(err, ErrNonceMismatch) {
		t.Errorf("replayed answer: %v", err)
	}
}

func TestHTTPFailures(t *testing.T) {
	_, tc, _ := pki(t)
	h, err := sbtsa.New(tc)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer flaky.Close()
	sum := sha256.Sum256([]byte("x"))
	c, _ := New(flaky.URL, WithMaxRetries(2))
	if _, err := c.Timestamp(context.Background(), crypto.SHA256, sum[:]); err != nil {
		t.Fatalf("after one 503: %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls", calls.Load())
	}

	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	var he *HTTPError
	if _, err := client(t, notFound.URL).Timestamp(context.Background(), crypto.SHA256, sum[:]); !errors.As(err, &he) || he.StatusCode != 404 {
		t.Errorf("404: %v", err)
	}

	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte{0x30}, MaxResponseSize+10))
	}))
	defer huge.Close()
	var pe *ParseError
	if _, err := client(t, huge.URL).Timestamp(context.Background(), crypto.SHA256, sum[:]); !errors.As(err, &pe) {
		t.Errorf("huge answer: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := client(t, flaky.URL).Timestamp(ctx, crypto.SHA256, sum[:]); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestGeneralizedTime(t *testing.T) {
	good := map[string]time.Time{
		"20260101120000Z":        time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC),
		"20260101120000.5Z":      time.Date(2026, 1, 1, 12, 0, 0, 5e8, time.UTC),
		"20260101120000.123456Z": time.Date(2026, 1, 1, 12, 0, 0, 123456000, time.UTC),
	}
	for s, want := range good {
		got, err := parseGeneralizedTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	for _, s := range []string{"", "20260101120000", "20260101120000.50Z", "20260101120000+0100", "2026010112000Z", "20260101120000.Z", "20260101120000.1a3Z"} {
		if _, err := parseGeneralizedTime(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func FuzzParseResponse(f *testing.F) {
	_, tc, _ := pki(f)
	h, err := sbtsa.New(tc)
	if err != nil {
		f.Fatal(err)
	}
	sum := sha256.Sum256([]byte("fuzz"))
	req, _ := MarshalRequest(crypto.SHA256, sum[:], nil, nil)
	f.Add(h.Respond(req))
	f.Add(h.Respond([]byte("junk")))
	f.Fuzz(func(t *testing.T, in []byte) {
		tok, err := ParseResponse(in)
		if err != nil {
			return
		}
		_ = tok.Verify(tok.Hash, tok.Digest, nil, nil)
		if _, err := Parse(tok.Raw); err != nil {
			t.Fatalf("token from a parsed response does not parse: %v", err)
		}
	})
}
