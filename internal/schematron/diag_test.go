package schematron

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/fellesgo/felles/internal/xpath"
)

func TestDiagCost(t *testing.T) {
	if os.Getenv("DIAG") == "" {
		t.Skip()
	}
	s := loadAny(t, filepath.Join(sharedDir, "conformance", "xslt", "peppol-3.0.21", os.Getenv("DIAG")))
	data, _ := os.ReadFile(filepath.Join(sharedDir, "conformance", "peppol-bis-3.0.19", "examples", "base-example.xml"))
	doc, _ := xpath.ParseDocument(bytes.NewReader(data))
	env := &xpath.Env{Namespaces: s.Namespaces, Vars: map[string]xpath.Seq{}, Functions: s.Functions}
	for _, l := range s.Lets {
		v, _ := s.eval(l.expr, doc.Root, env)
		env.Vars[l.Name] = v
	}
	type cost struct {
		what string
		d    time.Duration
	}
	var cs []cost
	const N = 300
	var total, matchTotal time.Duration
	for _, p := range s.Patterns {
		for _, r := range p.Rules {
			t0 := time.Now()
			var nodes []*xpath.Node
			for range N {
				nodes = nodes[:0]
				for _, m := range r.match {
					seq, _ := s.eval(m, doc.Root, env)
					for _, it := range seq {
						nodes = append(nodes, it.(*xpath.Node))
					}
				}
			}
			d := time.Since(t0) / N
			matchTotal += d
			total += d
			cs = append(cs, cost{"match " + r.Context, d})
			for _, a := range r.Asserts {
				t0 := time.Now()
				for range N {
					for _, n := range nodes {
						s.evalBool(a.test, n, env)
					}
				}
				d := time.Since(t0) / N
				total += d
				cs = append(cs, cost{fmt.Sprintf("assert %s (%d nodes) %.100s", a.ID, len(nodes), a.Test), d})
			}
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].d > cs[j].d })
	t.Logf("total %v (matching %v) over %d items", total, matchTotal, len(cs))
	var top time.Duration
	for i, c := range cs[:25] {
		top += c.d
		t.Logf("%2d %8v %s", i, c.d, c.what)
	}
	t.Logf("top 25: %v", top)
}
