package folkeregister_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/fellesgo/felles/registry/folkeregister"
)

// A caller's http.Client that follows redirects must not carry the bearer
// token or the WithHeader values to another host.
func TestRedirectToOtherHostDropsCredentials(t *testing.T) {
	var mu sync.Mutex
	var leaked []http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(other.Close)
	var sameHostHops int
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, other.URL+"/stolen", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/moved", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(origin.Close)

	hc := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		sameHostHops++
		return nil // follow everything
	}}
	c, err := folkeregister.New(origin.URL+"/", tokens(),
		folkeregister.WithHTTPClient(hc), folkeregister.WithPackage(folkeregister.KSFiks),
		folkeregister.WithHeader("IntegrasjonId", "integrasjon-42"),
		folkeregister.WithHeader("IntegrasjonPassord", "hemmelig-passord-123"),
		folkeregister.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Person(t.Context(), fnr); err == nil {
		t.Error("Person followed a redirect to another host without error")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range leaked {
		for _, k := range []string{"Authorization", "IntegrasjonId", "IntegrasjonPassord"} {
			if v := h.Get(k); v != "" {
				t.Errorf("other host received %s: %q", k, v)
			}
		}
	}
	if sameHostHops == 0 {
		t.Error("the caller's CheckRedirect was not consulted for a same-host redirect")
	}
}
