package krr_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/registry/krr"
)

// TestRedirectToOtherHostRefused: a 307 or 308 would resend the identity
// numbers in the body, and the token, to the other host; the client must
// not follow it, whether it uses its own HTTP client or the caller's with
// a CheckRedirect that follows everything.
func TestRedirectToOtherHostRefused(t *testing.T) {
	var leaked atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"personer":[]}`))
	}))
	defer evil.Close()
	var redirect atomic.Int32 // the status code to redirect with
	krrSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+r.URL.Path, int(redirect.Load()))
	}))
	defer krrSrv.Close()

	var callerCalled atomic.Int32
	clients := map[string][]krr.Option{
		"default client": nil,
		"caller's client following everything": {krr.WithHTTPClient(&http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { callerCalled.Add(1); return nil },
		})},
		"caller's client without CheckRedirect": {krr.WithHTTPClient(&http.Client{})},
	}
	for name, opts := range clients {
		t.Run(name, func(t *testing.T) {
			leaked.Store(0)
			for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
				redirect.Store(int32(code))
				c, err := krr.New(krrSrv.URL+"/", oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}),
					append(opts, krr.WithMaxRetries(0))...)
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.Lookup(context.Background(), sampleID)
				var be *krr.BatchError
				if !errors.As(err, &be) || !strings.Contains(err.Error(), "another host") {
					t.Errorf("err = %v, want a BatchError about the redirect", err)
				}
				if err != nil && strings.Contains(err.Error(), sampleID) {
					t.Errorf("error shows the identifier: %v", err)
				}
			}
			if n := leaked.Load(); n != 0 {
				t.Errorf("the other host received %d requests", n)
			}
		})
	}
	if callerCalled.Load() != 0 {
		t.Errorf("the caller's CheckRedirect was asked about a cross-host redirect")
	}
}

// TestRedirectSameHostFollowed: a redirect within KRR's host is followed,
// and the caller's CheckRedirect still has its say.
func TestRedirectSameHostFollowed(t *testing.T) {
	f := newFake(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/old/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/krr/"+strings.TrimPrefix(r.URL.Path, "/old/"), http.StatusPermanentRedirect)
	})
	mux.Handle("/krr/", f.srv.Config.Handler)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var callerCalled atomic.Int32
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { callerCalled.Add(1); return nil }}
	c, err := krr.New(srv.URL+"/old/", oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}), krr.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Lookup(context.Background(), sampleID)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ID.Digits() != sampleID || callerCalled.Load() != 1 {
		t.Errorf("got %+v, caller's CheckRedirect called %d times", got[0], callerCalled.Load())
	}
}
