package krr_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/registry/krr"
)

// BenchmarkLookup100k streams 100 000 distinct identifiers through
// LookupSeq against a local server answering every person with the spec's
// sample (certificate included), as the CLI does with ids read from stdin.
// It reports the HTTP requests per lookup, which must be 100.
func BenchmarkLookup100k(b *testing.B) {
	ids := validIDs(100_000)
	var sample map[string]any
	json.Unmarshal([]byte(sampleWithCert()), &struct{ Personer []*map[string]any }{[]*map[string]any{&sample}})
	sample["personidentifikator"] = "ID"
	tmpl, _ := json.Marshal(sample)
	before, after, _ := strings.Cut(string(tmpl), `"ID"`)

	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var req struct{ Personidentifikatorer []string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Personidentifikatorer) > krr.MaxBatchSize {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var buf bytes.Buffer
		buf.Grow(len(req.Personidentifikatorer)*(len(before)+len(after)+14) + 16)
		buf.WriteString(`{"personer":[`)
		for i, id := range req.Personidentifikatorer {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(before)
			buf.WriteString(`"` + id + `"`)
			buf.WriteString(after)
		}
		buf.WriteString("]}")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		w.Write(buf.Bytes())
	}))
	defer srv.Close()
	c, err := krr.New(srv.URL+"/", oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"}))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		requests.Store(0)
		n := 0
		for p, err := range c.LookupSeq(context.Background(), slices.Values(ids)) {
			if err != nil || p.MailboxCertificate == nil {
				b.Fatal(err)
			}
			n++
		}
		if n != len(ids) {
			b.Fatalf("%d results", n)
		}
		if got := requests.Load(); got != 100 {
			b.Fatalf("%d requests, want 100", got)
		}
	}
	b.ReportMetric(float64(requests.Load()), "requests/op")
}
