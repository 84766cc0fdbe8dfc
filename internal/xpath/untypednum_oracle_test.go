//go:build oracle

package xpath

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUntypedNumberSaxon asks Saxon-HE (the engine of the official rules'
// reference) for every general comparison of a grid of untypedAtomic
// values with numbers, both ways round, and checks that felles answers
// alike, errors included:
//
//	go test -tags oracle -run TestUntypedNumberSaxon ./internal/xpath/
func TestUntypedNumberSaxon(t *testing.T) {
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("oracle: java not found (apt-get install -y default-jre-headless libsaxonhe-java)")
	}
	jar := os.Getenv("SAXON_JAR")
	if jar == "" {
		jar = "/usr/share/java/Saxon-HE.jar"
	}
	if _, err := os.Stat(jar); err != nil {
		t.Skipf("oracle: Saxon-HE not found at %s (apt-get install -y libsaxonhe-java, or set SAXON_JAR)", jar)
	}
	untyped := []string{"NaN", " NaN ", "-0", "-0.0", "0", "0.0", "+0", "-0e0", "0e0", "INF", "-INF", "1", "-1", "25", "25.0",
		"007", "1e400", "12345678901", "-1234567890", "9007199254740993", "abc", "", "1.", ".5", "-.5"}
	numbers := []string{"0", "0.0", "-0.0", "xs:double('-0')", "xs:double('0')", "xs:double('NaN')", "xs:double('INF')",
		"xs:double('-INF')", "25", "-1", "1.5", "12345678901", "9007199254740992", "1e0"}
	ops := []string{"=", "!=", "<", "<=", ">", ">="}
	var exprs []string
	for _, u := range untyped {
		for _, n := range numbers {
			for _, op := range ops {
				ux := fmt.Sprintf("xs:untypedAtomic('%s')", u)
				exprs = append(exprs, fmt.Sprintf("%s %s %s", ux, op, n), fmt.Sprintf("%s %s %s", n, op, ux))
			}
		}
	}
	var q strings.Builder
	q.WriteString("string-join((\n")
	for i, e := range exprs {
		if i > 0 {
			q.WriteString(",\n")
		}
		fmt.Fprintf(&q, "(try { string(%s) } catch * { 'error' })", e)
	}
	q.WriteString("), '&#10;')\n")
	file := filepath.Join(t.TempDir(), "q.xq")
	if err := os.WriteFile(file, []byte(q.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, java, "-cp", jar, "net.sf.saxon.Query", "-q:"+file, "!method=text")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("saxon: %v\n%s", err, stderr.String())
	}
	answers := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(answers) != len(exprs) {
		t.Fatalf("saxon gave %d answers for %d comparisons:\n%s", len(answers), len(exprs), stderr.String())
	}
	bad := 0
	for i, e := range exprs {
		x, err := Parse(e)
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		ok, err := EvalBool(x, nil, &Env{})
		got := fmt.Sprint(ok)
		if err != nil {
			got = "error"
		}
		if got != answers[i] {
			bad++
			if bad <= 20 {
				t.Errorf("%s: felles %s (%v), Saxon %s", e, got, err, answers[i])
			}
		}
	}
	t.Logf("%d comparisons, %d disagree with Saxon", len(exprs), bad)
}
