// Package corpus locates the shared official test material (conformance
// suites, samples, attack corpora) that tests read from ../shared next to
// the module's folder. That material is not part of the module: in a
// user's clone it is absent, and the tests that need it skip.
package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the path of rel (slash-separated, e.g.
// "testdata/dpi/examples/komplette") below ../shared relative to the module
// root, found by walking up from the working directory to go.mod. It skips
// the test, saying why, when the module root or the material is absent.
func Dir(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("corpus: module root (go.mod) not found above the working directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("corpus: %s is not present (the shared test material lives next to the repository, not in the module): %v", p, err)
	}
	return p
}
