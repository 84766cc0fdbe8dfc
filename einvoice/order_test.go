package einvoice

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestReviewOrderIndependent: a document's report must not depend on the
// documents validated before it (pooled memos, builders, intern tables).
func TestReviewOrderIndependent(t *testing.T) {
	needShared(t)
	var files [][]byte
	for _, dir := range []string{"peppol-bis-3.0.19/examples", "cen-en16931-1.3.16/examples"} {
		ms, _ := filepath.Glob(filepath.Join(conformanceDir, dir, "*.xml"))
		for _, m := range ms {
			d, err := os.ReadFile(m)
			if err == nil {
				files = append(files, d)
			}
		}
	}
	// Mutations that change namespaces, prefixes and amounts.
	n := len(files)
	for i := 0; i < n; i++ {
		d := string(files[i])
		files = append(files, []byte(strings.Replace(d, "<cbc:DocumentCurrencyCode>", "<cbc:DocumentCurrencyCode>X", 1)))
	}
	if len(files) < 4 {
		t.Skip("no files")
	}
	report := func(d []byte) string {
		rep, err := Validate(d)
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprint(rep.Failures, rep.Skipped, rep.Unevaluated)
	}
	first := make([]string, len(files))
	for i, d := range files {
		first[i] = report(d)
	}
	for i := len(files) - 1; i >= 0; i-- {
		if got := report(files[i]); got != first[i] {
			t.Errorf("file %d: reverse order %s, forward %s", i, got, first[i])
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < len(files); k++ {
				i := (k*7 + g*3) % len(files)
				if got := report(files[i]); got != first[i] {
					t.Errorf("file %d concurrently: %s, want %s", i, got, first[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d files", len(files))
}
