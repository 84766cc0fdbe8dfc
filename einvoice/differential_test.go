//go:build oracle

// Differential fuzz of the native validator against the reference (official
// XSLT + Saxon-HE, see oracle_test.go): seeded mutants of the Peppol BIS
// example documents (mutate_test.go) go through felles and, all in one JVM per
// rule set, through the reference; the fired (rule, flag) multisets must be
// identical for every mutant, and where Saxon aborts with a dynamic error
// felles must report Unevaluated rules.
//
//	go test -tags oracle -run TestDifferentialFuzz -v ./einvoice/
//	FELLES_DIFF_SEED=123 FELLES_DIFF_N=5000 FELLES_DIFF_KEEP=/tmp/keep go test -tags oracle -run TestDifferentialFuzz ./einvoice/
//	FELLES_DIFF_SEED=123 FELLES_DIFF_ONLY=17,42 ...   only these mutant indexes
//
// The seed is printed; a disagreement prints seed, index, the edits and the
// differing rule counts, and the mutant is saved under $FELLES_DIFF_KEEP.
package einvoice_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesgo/felles/einvoice"
)

// diffDefaultN keeps the whole test (both rule sets) well under three minutes
// on two cores.
const diffDefaultN = 2000

func diffEnvInt(t *testing.T, name string, def uint64) uint64 {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return n
}

func TestDifferentialFuzz(t *testing.T) {
	o := oracleSetup(t)
	bases := mutLoadBases(t)
	for _, v := range oracleRuleVersions {
		oracleXSLTs(t, v) // skip early if absent
	}
	seed := diffEnvInt(t, "FELLES_DIFF_SEED", uint64(time.Now().UnixNano()%1_000_000))
	n := int(diffEnvInt(t, "FELLES_DIFF_N", diffDefaultN))
	var indexes []int
	if only := os.Getenv("FELLES_DIFF_ONLY"); only != "" {
		for _, s := range strings.Split(only, ",") {
			i, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				t.Fatalf("FELLES_DIFF_ONLY=%q: %v", only, err)
			}
			indexes = append(indexes, i)
		}
	} else {
		for i := 0; i < n; i++ {
			indexes = append(indexes, i)
		}
	}
	t.Logf("differential fuzz: FELLES_DIFF_SEED=%d, %d mutants of %d examples (rerun with the same seed to reproduce)", seed, len(indexes), len(bases))

	dir := t.TempDir()
	muts := make([]mutant, len(indexes))
	files := make([]string, len(indexes))
	for k, i := range indexes {
		muts[k] = mutGenerate(bases, seed, i)
		files[k] = filepath.Join(dir, fmt.Sprintf("mutant-%d-%06d.xml", seed, i))
		if err := os.WriteFile(files[k], muts[k].Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The reference runs for both rule sets concurrently with felles.
	type oracleOut struct {
		verdicts map[string]oracleVerdict
	}
	ref := make(map[string]*oracleOut)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, version := range oracleRuleVersions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// t.Fatal must not be called off the test goroutine: use a
			// recorder and report afterwards.
			rec := &diffRecorder{TB: t}
			func() {
				defer func() {
					if r := recover(); r != nil && r != errDiffFatal {
						panic(r)
					}
				}()
				got, _ := o.run(rec, version, files)
				mu.Lock()
				ref[version] = &oracleOut{verdicts: got}
				mu.Unlock()
			}()
			if rec.msg != "" {
				mu.Lock()
				ref[version] = &oracleOut{}
				mu.Unlock()
				t.Errorf("oracle, rules %s: %s", version, rec.msg)
			}
		}()
	}
	type fellesOut struct {
		rep *einvoice.Report
		err error
	}
	fel := map[string][]fellesOut{}
	start := time.Now()
	for _, version := range oracleRuleVersions {
		v, err := einvoice.NewValidator(einvoice.WithRules(version))
		if err != nil {
			t.Fatal(err)
		}
		out := make([]fellesOut, len(muts))
		// A Validator is safe for concurrent use: spread the work.
		next := make(chan int)
		var fw sync.WaitGroup
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			fw.Add(1)
			go func() {
				defer fw.Done()
				for k := range next {
					rep, err := v.Validate(muts[k].Data)
					out[k] = fellesOut{rep, err}
				}
			}()
		}
		for k := range muts {
			next <- k
		}
		close(next)
		fw.Wait()
		fel[version] = out
	}
	t.Logf("felles: %d validations in %v", len(muts)*len(oracleRuleVersions), time.Since(start).Round(time.Millisecond))
	wg.Wait()
	if t.Failed() {
		return
	}

	for _, version := range oracleRuleVersions {
		agree, dyn, bad := 0, 0, 0
		var disagreeing []mutant
		for k, m := range muts {
			want := ref[version].verdicts[files[k]]
			got := fel[version][k]
			if want.DynErr != "" {
				dyn++
			}
			d := oracleCompare(want, got.rep, got.err)
			if d == "" {
				agree++
				continue
			}
			bad++
			disagreeing = append(disagreeing, m)
			if bad <= 40 {
				t.Errorf("DISAGREEMENT rules %s, %v\n\t%s", version, m, d)
			}
			diffKeep(t, "rules-"+version, files[k], m.Data)
			if dir := os.Getenv("FELLES_DIFF_KEEP"); dir != "" {
				note := fmt.Sprintf("%v\nrules %s\n%s\n", m, version, d)
				_ = os.WriteFile(filepath.Join(dir, "rules-"+version, filepath.Base(files[k])+".txt"), []byte(note), 0o644)
			}
		}
		if bad > 40 {
			t.Errorf("rules %s: ... %d more disagreements not shown", version, bad-40)
		}
		t.Logf("rules %s: %d/%d mutants agree (%d where Saxon aborts with a dynamic error); seed %d", version, agree, len(muts), dyn, seed)
		if len(disagreeing) > 0 {
			diffMinimise(t, o, bases, version, disagreeing)
		}
	}
}

// diffMinimise replays each edit step of the disagreeing mutants alone (one
// more reference run) and logs the single steps that still disagree: the
// smallest reproductions to look at first.
func diffMinimise(t *testing.T, o oracleTool, bases []mutBase, version string, bad []mutant) {
	if len(bad) > 40 {
		bad = bad[:40]
	}
	dir := t.TempDir()
	var cands []mutant
	var files []string
	for _, m := range bad {
		if m.Steps < 2 {
			continue
		}
		for j := 0; j < m.Steps; j++ {
			c := mutGenerateSteps(bases, m.Seed, m.Index, []int{j})
			f := filepath.Join(dir, fmt.Sprintf("mutant-%d-%06d-step%d.xml", m.Seed, m.Index, j))
			if err := os.WriteFile(f, c.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			cands = append(cands, c)
			files = append(files, f)
		}
	}
	if len(cands) == 0 {
		return
	}
	verdicts, _ := o.run(t, version, files)
	v, err := einvoice.NewValidator(einvoice.WithRules(version))
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range cands {
		rep, err := v.Validate(c.Data)
		if d := oracleCompare(verdicts[files[k]], rep, err); d != "" {
			t.Logf("MINIMAL rules %s: %v\n\t%s", version, c, d)
			diffKeep(t, "rules-"+version+"-minimal", files[k], c.Data)
		}
	}
}

// diffRecorder lets oracleRun's t.Fatal be used off the test goroutine.
type diffRecorder struct {
	testing.TB
	msg string
}

var errDiffFatal = fmt.Errorf("diff: fatal")

func (r *diffRecorder) Fatalf(format string, a ...any) {
	r.msg = fmt.Sprintf(format, a...)
	panic(errDiffFatal)
}

func (r *diffRecorder) Fatal(a ...any) {
	r.msg = fmt.Sprint(a...)
	panic(errDiffFatal)
}

func (r *diffRecorder) Skipf(format string, a ...any) { r.Fatalf("skip: "+format, a...) }
func (r *diffRecorder) Skip(a ...any)                 { r.Fatal(append([]any{"skip: "}, a...)...) }
func (r *diffRecorder) Helper()                       {}
