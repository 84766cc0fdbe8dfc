//go:build oracle

// Differential tests of the native validator against the reference: the
// official compiled Schematron XSLTs (CEN EN 16931 + Peppol BIS Billing 3.0)
// run by Saxon-HE through the harness testdata/oracle/Oracle.java. For every
// document, the multiset of fired (rule id, flag) must be exactly the same;
// where Saxon aborts with a dynamic error, felles must report Unevaluated rules.
//
//	go test -tags oracle -run 'TestOracle' -v ./einvoice/
//
// Needs Java 17+ and Saxon-HE (apt-get install -y libsaxonhe-java; or set
// SAXON_JAR) and the shared conformance material at ../../shared; skips
// otherwise. Rule sets compared: 3.0.21 and 3.0.20 (the shared material has
// no compiled XSLT for 3.0.19).
package einvoice_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesgo/felles/einvoice"
	"github.com/fellesgo/felles/internal/oracle"
)

// oracleRuleVersions are the felles rule sets that have a compiled reference.
var oracleRuleVersions = []string{"3.0.21", "3.0.20"}

// oracleVerdict is what the reference said about one document.
type oracleVerdict struct {
	Counts map[string]int // "RULE(flag)" -> times fired; flag "error" or "warning"
	DynErr string         // Saxon aborted the transform: no verdict
	NotXML string         // the document did not parse
}

type oracleTool struct {
	java, jar, harness string
}

// oracleSetup finds Java, Saxon-HE and the harness, or skips.
func oracleSetup(t testing.TB) oracleTool {
	t.Helper()
	java, jar := oracle.Saxon(t)
	h, err := filepath.Abs("testdata/oracle/Oracle.java")
	if err != nil {
		t.Fatal(err)
	}
	return oracleTool{java: java, jar: jar, harness: h}
}

// oracleXSLTs returns the CEN and Peppol XSLT of a felles rule version, or skips.
func oracleXSLTs(t testing.TB, version string) []string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join(mutSharedDir, "xslt", "peppol-"+version))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{filepath.Join(dir, "CEN-EN16931-UBL.xslt"), filepath.Join(dir, "PEPPOL-EN16931-UBL.xslt")}
	for _, f := range out {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("oracle: compiled XSLT for rules %s not found at %s (shared conformance material lives outside the module)", version, f)
		}
	}
	return out
}

// oracleRun validates files (absolute paths) with one JVM; args go before the
// file list (e.g. -bench). It returns the verdicts keyed by path and the raw
// output lines that are not DOC lines.
func (o oracleTool) run(t testing.TB, version string, files []string, args ...string) (map[string]oracleVerdict, []string) {
	t.Helper()
	xslts := oracleXSLTs(t, version)
	cmdArgs := []string{"-cp", o.jar, o.harness}
	for _, x := range xslts {
		cmdArgs = append(cmdArgs, "-x", x)
	}
	cmdArgs = append(cmdArgs, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.java, cmdArgs...)
	var stdin bytes.Buffer
	for _, f := range files {
		stdin.WriteString(f)
		stdin.WriteByte('\n')
	}
	cmd.Stdin = &stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle (rules %s): %v\nstderr:\n%s", version, err, oracleTail(stderr.String(), 4000))
	}
	t.Logf("oracle: rules %s, %d documents, one JVM, %v", version, len(files), time.Since(start).Round(time.Millisecond))
	got := map[string]oracleVerdict{}
	var other []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "DOC ") {
			other = append(other, line)
			continue
		}
		path, rest, ok := strings.Cut(line[len("DOC "):], "\t")
		if !ok {
			t.Fatalf("oracle: bad line %q", line)
		}
		v := oracleVerdict{Counts: map[string]int{}}
		switch {
		case strings.HasPrefix(rest, "DYNAMIC-ERROR "):
			v.DynErr = strings.TrimPrefix(rest, "DYNAMIC-ERROR ")
		case strings.HasPrefix(rest, "NOT-XML "):
			v.NotXML = strings.TrimPrefix(rest, "NOT-XML ")
		case rest == "":
		default:
			for _, item := range strings.Split(rest, ",") {
				i := strings.LastIndex(item, ")x")
				if i < 0 {
					t.Fatalf("oracle: bad item %q in %q", item, line)
				}
				n, err := strconv.Atoi(item[i+2:])
				if err != nil {
					t.Fatalf("oracle: bad count in %q", item)
				}
				v.Counts[item[:i+1]] = n
			}
		}
		got[path] = v
	}
	for _, f := range files {
		if _, ok := got[f]; !ok {
			t.Fatalf("oracle: no verdict for %s\nstderr:\n%s", f, oracleTail(stderr.String(), 4000))
		}
	}
	return got, other
}

func oracleTail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// oracleFellesCounts maps a felles report to the oracle's form: flag fatal (or
// empty) counts as "error".
func oracleFellesCounts(r *einvoice.Report) map[string]int {
	m := map[string]int{}
	for _, f := range r.Failures {
		flag := f.Flag
		if flag == "" || flag == "fatal" {
			flag = "error"
		}
		m[f.Rule+"("+flag+")"]++
	}
	return m
}

// oracleCountDiff lists the keys on which the two multisets differ.
func oracleCountDiff(oracle, felles map[string]int) []string {
	keys := map[string]bool{}
	for k := range oracle {
		keys[k] = true
	}
	for k := range felles {
		keys[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if oracle[k] != felles[k] {
			out = append(out, fmt.Sprintf("%s oracle=%d felles=%d", k, oracle[k], felles[k]))
		}
	}
	return out
}

// oracleCompare checks one document; it returns "" on agreement, else a
// description of the disagreement.
func oracleCompare(v oracleVerdict, rep *einvoice.Report, verr error) string {
	switch {
	case v.NotXML != "":
		if verr == nil {
			return "oracle: not XML (" + v.NotXML + "); felles accepted it"
		}
		return ""
	case verr != nil:
		return fmt.Sprintf("felles error %v; oracle gave a verdict (dynamic error: %q)", verr, v.DynErr)
	case v.DynErr != "":
		if len(rep.Unevaluated) == 0 {
			return fmt.Sprintf("oracle aborted with a dynamic error (%s) but felles reported no Unevaluated rules (felles fired: %s)",
				v.DynErr, oracleFmtCounts(oracleFellesCounts(rep)))
		}
		return ""
	}
	var lines []string
	if len(rep.Unevaluated) > 0 {
		var ue []string
		for i, u := range rep.Unevaluated {
			if i == 3 {
				ue = append(ue, fmt.Sprintf("... (%d in all)", len(rep.Unevaluated)))
				break
			}
			ue = append(ue, u.String())
		}
		lines = append(lines, "felles reported Unevaluated rules but Saxon raised no dynamic error: "+strings.Join(ue, " | "))
	}
	lines = append(lines, oracleCountDiff(v.Counts, oracleFellesCounts(rep))...)
	return strings.Join(lines, "\n\t")
}

func oracleFmtCounts(m map[string]int) string {
	var s []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s = append(s, fmt.Sprintf("%sx%d", k, m[k]))
	}
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ",")
}

func oracleAbsPaths(t testing.TB, files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = a
	}
	return out
}

// TestOracleExamples: every complete example document of Peppol BIS 3.0.19
// (examples/ and snippets/) gets exactly the reference's verdict.
func TestOracleExamples(t *testing.T) {
	o := oracleSetup(t)
	files := oracleAbsPaths(t, mutExampleFiles(t))
	for _, version := range oracleRuleVersions {
		t.Run(version, func(t *testing.T) {
			want, _ := o.run(t, version, files)
			v, err := einvoice.NewValidator(einvoice.WithRules(version))
			if err != nil {
				t.Fatal(err)
			}
			agree := 0
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				rep, verr := v.Validate(data)
				if d := oracleCompare(want[f], rep, verr); d != "" {
					t.Errorf("%s (rules %s):\n\t%s", f, version, d)
					continue
				}
				agree++
			}
			t.Logf("rules %s: %d/%d example documents agree with the reference", version, agree, len(files))
		})
	}
}

// ---- unit-test payloads: the fragments inside the official vefa testSet files,
// ---- compared on the whole multiset of fired rules (not only the test's scope).

const vefaNS = "http://difi.no/xsd/vefa/validator/1.0"

// unitPayloads extracts every test payload of a testSet file as a standalone
// document, carrying the namespace declarations in scope.
func unitPayloads(data []byte) ([][]byte, error) {
	doc, err := mutParse("unit", data)
	if err != nil {
		return nil, err
	}
	root := doc.root
	if root.local() != "testSet" {
		return nil, nil
	}
	var out [][]byte
	for _, test := range root.elems() {
		if test.local() != "test" {
			continue
		}
		for _, p := range test.elems() {
			if p.local() == "assert" || p.local() == "description" {
				continue
			}
			if uri, ok := unitNSOf(p); ok && uri == vefaNS {
				continue
			}
			c := p.clone(nil)
			declared := map[string]bool{}
			for _, a := range c.attrs {
				if a.Name.Space == "xmlns" {
					declared[a.Name.Local] = true
				} else if a.Name.Space == "" && a.Name.Local == "xmlns" {
					declared[""] = true
				}
			}
			for anc := p.parent; anc != nil; anc = anc.parent {
				for _, a := range anc.attrs {
					pfx, isNS := "", false
					if a.Name.Space == "xmlns" {
						pfx, isNS = a.Name.Local, true
					} else if a.Name.Space == "" && a.Name.Local == "xmlns" {
						isNS = true
					}
					if isNS && !declared[pfx] {
						declared[pfx] = true
						c.attrs = append(c.attrs, a)
					}
				}
			}
			var b bytes.Buffer
			b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
			mutWrite(&b, c)
			out = append(out, b.Bytes())
			break
		}
	}
	return out, nil
}

// unitNSOf resolves the namespace of an element's prefix from the in-scope declarations.
func unitNSOf(n *mutNode) (string, bool) {
	pfx := ""
	if i := strings.IndexByte(n.name, ':'); i >= 0 {
		pfx = n.name[:i]
	}
	for e := n; e != nil; e = e.parent {
		for _, a := range e.attrs {
			if (pfx == "" && a.Name.Space == "" && a.Name.Local == "xmlns") || (pfx != "" && a.Name.Space == "xmlns" && a.Name.Local == pfx) {
				return a.Value, true
			}
		}
	}
	return "", false
}

// TestOracleUnitPayloads: the payload of every official unit test (Peppol
// 3.0.19 and CEN 1.3.16 suites) gets exactly the reference's full verdict, with
// both rule layers, for rules 3.0.21 and 3.0.20.
func TestOracleUnitPayloads(t *testing.T) {
	o := oracleSetup(t)
	var units []string
	for _, g := range []string{"peppol-bis-3.0.19/unit/*/*.xml", "cen-en16931-1.3.16/unit/*/*.xml"} {
		m, _ := filepath.Glob(filepath.Join(mutSharedDir, g))
		units = append(units, m...)
	}
	if len(units) == 0 {
		t.Skipf("unit-test files not found under %s (shared conformance material lives outside the module)", mutSharedDir)
	}
	sort.Strings(units)
	dir := t.TempDir()
	var files []string
	origin := map[string]string{}
	for _, u := range units {
		data, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := unitPayloads(data)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		for i, p := range ps {
			name := fmt.Sprintf("%s__%s__test%d.xml", filepath.Base(filepath.Dir(filepath.Dir(u))), strings.TrimSuffix(filepath.Base(filepath.Dir(u))+"_"+filepath.Base(u), ".xml"), i+1)
			f := filepath.Join(dir, name)
			if err := os.WriteFile(f, p, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
			origin[f] = fmt.Sprintf("%s test #%d", u, i+1)
		}
	}
	t.Logf("%d payloads from %d unit-test files", len(files), len(units))
	for _, version := range oracleRuleVersions {
		t.Run(version, func(t *testing.T) {
			want, _ := o.run(t, version, files)
			v, err := einvoice.NewValidator(einvoice.WithRules(version))
			if err != nil {
				t.Fatal(err)
			}
			agree, dyn, bad := 0, 0, 0
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				rep, verr := v.Validate(data)
				if want[f].DynErr != "" {
					dyn++
				}
				if d := oracleCompare(want[f], rep, verr); d != "" {
					bad++
					if bad <= 50 {
						t.Errorf("%s (rules %s):\n\t%s", origin[f], version, d)
					}
					diffKeep(t, "unit-"+version, f, data)
					continue
				}
				agree++
			}
			if bad > 50 {
				t.Errorf("... and %d more disagreements", bad-50)
			}
			t.Logf("rules %s: %d/%d unit-test payloads agree with the reference (%d where Saxon aborts)", version, agree, len(files), dyn)
		})
	}
}

// diffKeep copies a disagreeing document to $FELLES_DIFF_KEEP, if set.
func diffKeep(t testing.TB, sub, name string, data []byte) {
	dir := os.Getenv("FELLES_DIFF_KEEP")
	if dir == "" {
		return
	}
	d := filepath.Join(dir, sub)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Logf("FELLES_DIFF_KEEP: %v", err)
		return
	}
	if err := os.WriteFile(filepath.Join(d, filepath.Base(name)), data, 0o644); err != nil {
		t.Logf("FELLES_DIFF_KEEP: %v", err)
	}
}

// ---- the reference's speed, for comparison with BenchmarkValidate

var (
	oracleBenchMu    sync.Mutex
	oracleBenchCache = map[string]map[string]float64{}
)

// BenchmarkOracle times the reference (official XSLT, Saxon-HE) on the same
// documents as BenchmarkValidate, in a warm JVM: the harness parses each
// document once, warms up, then times N validations (both XSLTs, SVRL built,
// failed asserts counted) and N parses; JVM start and XSLT compilation are not
// counted. ns/op and jvm-B/op (bytes allocated by the timing thread) are
// the harness's, on a tree parsed before (compare BenchmarkValidate's
// "tree"); parse-ns/op is Saxon's parse alone, and doc-ns/op the two
// together, a document from its bytes (compare BenchmarkValidate's others). N is 1000 for base-example
// and, as one reference validation of lines-1000 takes about a third of a
// second, FELLES_ORACLE_BENCH_N (default 30) for lines-1000.
//
//	go test -tags oracle -run XXX -bench 'Validate|Parse|Oracle' ./einvoice/
func BenchmarkOracle(b *testing.B) {
	o := oracleSetup(b)
	docs := benchDocs(b)
	dir := b.TempDir()
	largeN := 30
	if s := os.Getenv("FELLES_ORACLE_BENCH_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("FELLES_ORACLE_BENCH_N=%q: %v", s, err)
		}
		largeN = n
	}
	for _, d := range docs {
		b.Run(d.name, func(b *testing.B) {
			oracleBenchMu.Lock()
			m := oracleBenchCache[d.name]
			oracleBenchMu.Unlock()
			if m == nil {
				f := filepath.Join(dir, d.name+".xml")
				if err := os.WriteFile(f, d.data, 0o644); err != nil {
					b.Fatal(err)
				}
				n, warm := 1000, 200
				if d.name != "base-example" {
					n, warm = largeN, 5
				}
				verdicts, other := o.run(b, einvoice.DefaultRules, []string{f}, "-bench", strconv.Itoa(n), "-warm", strconv.Itoa(warm))
				if v := verdicts[f]; v.DynErr != "" || len(v.Counts) > 0 {
					b.Fatalf("reference does not find %s valid: %+v", d.name, v)
				}
				m = map[string]float64{}
				for _, line := range other {
					if !strings.HasPrefix(line, "BENCH ") {
						continue
					}
					for _, field := range strings.Split(line, "\t")[1:] {
						k, val, ok := strings.Cut(field, "=")
						if !ok {
							b.Fatalf("oracle: bad bench line %q", line)
						}
						x, err := strconv.ParseFloat(val, 64)
						if err != nil {
							b.Fatalf("oracle: bad bench line %q", line)
						}
						m[k] = x
					}
				}
				if m["ns/op"] == 0 {
					b.Fatalf("oracle: no BENCH line in %q", other)
				}
				oracleBenchMu.Lock()
				oracleBenchCache[d.name] = m
				oracleBenchMu.Unlock()
				b.Logf("reference (Saxon-HE, warm JVM, rules %s) on %s: %.2f ms/op, %.1f MB/op allocated; Saxon parse alone %.2f ms/op (n=%v)",
					einvoice.DefaultRules, d.name, m["ns/op"]/1e6, m["B/op"]/1e6, m["parse-ns/op"]/1e6, m["n"])
			}
			b.ReportMetric(m["ns/op"], "ns/op")
			// Per document from its bytes, as BenchmarkValidate times
			// felles: the parse and the validation.
			b.ReportMetric(m["ns/op"]+m["parse-ns/op"], "doc-ns/op")
			if m["B/op"] >= 0 {
				b.ReportMetric(m["B/op"], "jvm-B/op")
			}
			b.ReportMetric(m["parse-ns/op"], "parse-ns/op")
		})
	}
}
