package folkeregister_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fellesgo/felles/registry/folkeregister"
)

// A page whose events all precede the sequence number asked for is stale:
// Feed and Events report it instead of ending as if the feed were done.
func TestFeedStalePage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"sekvensnummer":10,"hendelse":{"hendelsetype":"flytting"}},{"sekvensnummer":11,"hendelse":{"hendelsetype":"flytting"}}]`))
	}))
	t.Cleanup(srv.Close)
	c, err := folkeregister.New(srv.URL+"/", tokens(), folkeregister.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	var stale *folkeregister.StaleFeedPageError
	page, err := c.Feed(t.Context(), 20, "")
	if !errors.As(err, &stale) || stale.From != 20 || stale.First != 10 || stale.Last != 11 {
		t.Fatalf("Feed(20) = %+v, %v; want a StaleFeedPageError", page, err)
	}
	var n int
	var last error
	for _, err := range c.Events(t.Context(), 20) {
		n++
		last = err
	}
	if n != 1 || !errors.As(last, &stale) {
		t.Errorf("Events(20): %d values, last error %v; want the StaleFeedPageError", n, last)
	}
	// A page that overlaps from is not stale: the older events are dropped.
	page, err = c.Feed(t.Context(), 11, "")
	if err != nil || len(page.Events) != 1 || page.Events[0].Sequence != 11 || page.Next != 12 {
		t.Errorf("Feed(11) = %+v, %v", page, err)
	}
}
