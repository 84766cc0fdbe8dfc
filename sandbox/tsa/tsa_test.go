package tsa

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/cms"
	"github.com/fellesgo/felles/internal/testpki"
)

var (
	once    sync.Once
	ca      *testpki.CA
	cert    *identity.Certificate
	initErr error
)

func handler(t testing.TB, opts ...Option) *Handler {
	t.Helper()
	once.Do(func() {
		if ca, initErr = testpki.New("Sandbox TSA Test"); initErr == nil {
			cert, initErr = ca.IssueTSA("Sandbox TSA Test", nil)
		}
	})
	if initErr != nil {
		t.Fatal(initErr)
	}
	h, err := New(cert, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// query builds a TimeStampReq by hand (independently of esign/tsa).
func query(oid []int, digest []byte, nonce int64, certReq bool, extra func(*cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
			b.AddASN1OctetString(digest)
		})
		if nonce != 0 {
			b.AddASN1Int64(nonce)
		}
		if certReq {
			b.AddASN1Boolean(true)
		}
		if extra != nil {
			extra(b)
		}
	})
	return b.BytesOrPanic()
}

var oidSHA256 = []int{2, 16, 840, 1, 101, 3, 4, 2, 1}

// status reads the PKIStatus and failInfo bits and the token of a response.
func status(t *testing.T, resp []byte) (int64, []byte, []byte) {
	t.Helper()
	in := cryptobyte.String(resp)
	var r, si cryptobyte.String
	var st int64
	if !in.ReadASN1(&r, cbasn1.SEQUENCE) || !r.ReadASN1(&si, cbasn1.SEQUENCE) || !si.ReadASN1Integer(&st) {
		t.Fatalf("bad response %x", resp)
	}
	var fail []byte
	if si.PeekASN1Tag(cbasn1.SEQUENCE) {
		var text cryptobyte.String
		si.ReadASN1(&text, cbasn1.SEQUENCE)
	}
	if si.PeekASN1Tag(cbasn1.BIT_STRING) {
		var bs cryptobyte.String
		si.ReadASN1(&bs, cbasn1.BIT_STRING)
		fail = bs
	}
	var tok cryptobyte.String
	if !r.Empty() {
		r.ReadASN1Element(&tok, cbasn1.SEQUENCE)
	}
	return st, fail, tok
}

func failBit(fail []byte, bit int) bool {
	return len(fail) > 1+bit/8 && fail[1+bit/8]&(0x80>>(bit%8)) != 0
}

func TestGranted(t *testing.T) {
	at := time.Date(2026, 5, 17, 8, 0, 0, 0, time.UTC)
	h := handler(t, WithClock(func() time.Time { return at }))
	sum := sha256.Sum256([]byte("x"))
	st, _, tok := status(t, h.Respond(query(oidSHA256, sum[:], 42, true, nil)))
	if st != 0 || tok == nil {
		t.Fatalf("status %d", st)
	}
	sd, err := cms.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !sd.ContentType.Equal(cms.OIDTSTInfo) || len(sd.Certificates) != 2 || !sd.HasSigningCertificateV2 || !sd.SigningCertificateV2Matches {
		t.Fatalf("token: %v, %d certs", sd.ContentType, len(sd.Certificates))
	}
	if err := sd.VerifyContent(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sd.Content, []byte("20260517080000Z")) || !bytes.Contains(sd.Content, sum[:]) {
		t.Error("TSTInfo lacks genTime or imprint")
	}
	// certReq false: no certificates.
	_, _, tok = status(t, h.Respond(query(oidSHA256, sum[:], 0, false, nil)))
	sd, err = cms.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Certificates) != 0 {
		t.Error("certificates without certReq")
	}
}

func TestRejections(t *testing.T) {
	h := handler(t)
	sum := sha256.Sum256([]byte("x"))
	s1 := sha1.Sum([]byte("x"))
	cases := map[string]struct {
		req []byte
		bit int
	}{
		"garbage": {[]byte("not DER"), failBadDataFormat},
		"empty":   {nil, failBadDataFormat},
		"sha1":    {query([]int{1, 3, 14, 3, 2, 26}, s1[:], 1, true, nil), failBadAlg},
		"short":   {query(oidSHA256, sum[:10], 1, true, nil), failBadDataFormat},
		"policy":  {query(oidSHA256, sum[:], 0, true, nil)[:0], failBadDataFormat},
		"extension": {query(oidSHA256, sum[:], 1, true, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(*cryptobyte.Builder) {})
		}), failUnacceptedExtension},
		"trailing":    {append(query(oidSHA256, sum[:], 1, true, nil), 0), failBadDataFormat},
		"wrongPolicy": {wrongPolicy(sum[:]), failUnacceptedPolicy},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			st, fail, tok := status(t, h.Respond(c.req))
			if st != 2 || tok != nil || !failBit(fail, c.bit) {
				t.Errorf("status %d fail %x token %v, want rejection bit %d", st, fail, tok != nil, c.bit)
			}
		})
	}
}

func wrongPolicy(digest []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidSHA256) })
			b.AddASN1OctetString(digest)
		})
		b.AddASN1ObjectIdentifier([]int{1, 2, 3})
	})
	return b.BytesOrPanic()
}

func TestHTTP(t *testing.T) {
	srv := httptest.NewServer(handler(t))
	defer srv.Close()
	sum := sha256.Sum256([]byte("x"))
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	resp, err = http.Post(srv.URL, "application/octet-stream", bytes.NewReader(query(oidSHA256, sum[:], 1, true, nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("wrong type: %d", resp.StatusCode)
	}
	resp, err = http.Post(srv.URL, "application/timestamp-query", strings.NewReader(strings.Repeat("A", MaxRequestSize+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d", resp.StatusCode)
	}
	resp, err = http.Post(srv.URL, "application/timestamp-query; charset=binary", bytes.NewReader(query(oidSHA256, sum[:], 1, true, nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/timestamp-reply" {
		t.Errorf("good request: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestSerialsUnique(t *testing.T) {
	h := handler(t)
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := h.nextSerial()
			mu.Lock()
			defer mu.Unlock()
			if seen[s.String()] || s.Sign() <= 0 {
				t.Errorf("serial %v repeated or not positive", s)
			}
			seen[s.String()] = true
		}()
	}
	wg.Wait()
	if h.nextSerial().Cmp(new(big.Int)) <= 0 {
		t.Error("serial")
	}
}

func TestOptions(t *testing.T) {
	handler(t)
	if _, err := New(nil); err == nil {
		t.Error("nil certificate accepted")
	}
	for _, o := range []Option{WithClock(nil), WithPolicy("x"), WithPolicy("1"), WithAccuracy(-1)} {
		if _, err := New(cert, o); err == nil {
			t.Error("bad option accepted")
		}
	}
}

func FuzzRespond(f *testing.F) {
	h := handler(f)
	sum := sha256.Sum256([]byte("x"))
	f.Add(query(oidSHA256, sum[:], 1, true, nil))
	f.Add(wrongPolicy(sum[:]))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := h.Respond(in)
		st, _, _ := status(t, out)
		if st != 0 && st != 2 {
			t.Fatalf("status %d", st)
		}
	})
}
