package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/registry/personid"
	"github.com/fellesgo/felles/sandbox"
)

// startFregSandbox starts a sandbox with a small population and writes a
// configuration for it; it skips the test if the sandbox has no
// Folkeregisteret.
func startFregSandbox(t *testing.T) (*sandbox.Sandbox, string) {
	t.Helper()
	sb, err := sandbox.Start(sandbox.WithPopulation(800, 11))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	if _, ok := sb.Endpoints()["folkeregister"]; !ok {
		t.Skip("the sandbox has no Folkeregisteret")
	}
	cfg, err := writeSandboxConfig(sb, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return sb, cfg
}

func TestFregUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"freg"}, exitUsage, "missing subcommand"},
		{[]string{"freg", "nope"}, exitUsage, `unknown subcommand "nope"`},
		{[]string{"freg", "-h"}, exitOK, "felles freg person"},
		{[]string{"help", "freg"}, exitOK, "-from SEQ"},
		{[]string{"freg", "person", "09052400284"}, exitUsage, "-config is required"},
		{[]string{"freg", "person", "-config", "x.json"}, exitUsage, "give one"},
		{[]string{"freg", "person", "-config", "x.json", "1", "2"}, exitUsage, "give one"},
		{[]string{"freg", "person", "-config", "x.json", "-package", "nope", "09052400284"}, exitUsage, `-package "nope"`},
		{[]string{"freg", "person", "-config", "missing.json", "09052400284"}, exitFailure, "missing.json"},
		{[]string{"freg", "feed", "-config", "x.json"}, exitUsage, "-from are required"},
		{[]string{"freg", "feed", "-config", "x.json", "-from", "soon"}, exitUsage, `-from "soon"`},
		{[]string{"freg", "feed", "-config", "x.json", "-from", "1", "-interval", "0s"}, exitUsage, "-interval must be positive"},
		{[]string{"freg", "feed", "-config", "x.json", "-from", "1", "extra"}, exitUsage, `unexpected argument "extra"`},
	} {
		code, out, errs := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("felles %v: exit %d, output %q; want exit %d and %q", tc.args, code, out+errs, tc.code, tc.want)
		}
	}
}

func TestFregPerson(t *testing.T) {
	sb, cfg := startFregSandbox(t)
	per := sb.Population().Person(42)
	id := per.ID.Digits()
	// Flags after the identifier, as the usage line shows them.
	code, out, errs := runCLI(t, "freg", "person", "-config", cfg, id, "-part", "navn", "-part", "foedsel")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc map[string][]map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not a person document: %v\n%s", err, out)
	}
	if !strings.Contains(out, "\n  \"navn\": [") {
		t.Errorf("output not indented:\n%s", out)
	}
	if got := doc["navn"][0]["etternavn"]; got != per.FamilyName {
		t.Errorf("etternavn %v, want %s", got, per.FamilyName)
	}
	if _, ok := doc["bostedsadresse"]; ok {
		t.Error("bostedsadresse without -part bostedsadresse")
	}
	if got := doc["foedsel"][0]["foedselsaar"]; got != strconv.Itoa(per.BirthDate.Year()) {
		t.Errorf("foedselsaar %v (%T)", got, got)
	}

	// Unknown and invalid numbers fail, without the whole number.
	g := personid.NewGenerator(3)
	var unknown string
	for unknown == "" {
		n, _ := g.Next(personid.Options{})
		if _, ok := sb.Population().ByID(n.Digits()); !ok {
			unknown = n.Digits()
		}
	}
	for _, bad := range []string{unknown, "12345678901"} {
		code, _, errs := runCLI(t, "freg", "person", "-config", cfg, bad)
		if code != exitFailure || strings.Contains(errs, bad) || !strings.Contains(errs, bad[:6]) {
			t.Errorf("felles freg person %s…: exit %d, %q", bad[:6], code, errs)
		}
	}
	// The other package.
	code, out, errs = runCLI(t, "freg", "person", "-config", cfg, "-package", "offentligutenhjemmel", id)
	if code != exitOK || !strings.Contains(out, per.FamilyName) {
		t.Errorf("uten hjemmel: exit %d %s", code, errs)
	}
}

func TestFregFeed(t *testing.T) {
	sb, cfg := startFregSandbox(t)
	pop := sb.Population()
	last := pop.LastSeq()
	from := max(pop.SeqAt(time.Now().AddDate(-1, 0, 0)), last-1500)
	code, out, errs := runCLI(t, "freg", "feed", "-config", cfg, "-from", strconv.Itoa(from))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != last-from+1 {
		t.Fatalf("%d lines, want %d", len(lines), last-from+1)
	}
	for i, l := range lines {
		var e fregEvent
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, l)
		}
		w, _ := pop.Event(from + i)
		if e.Sequence != int64(from+i) || e.Type != w.Type || e.PersonID != pop.Digits(w.Person) || !e.UpdatedAt.Equal(w.Time) || e.PersonDocument == "" {
			t.Fatalf("line %d: %s, want %+v", i, l, w)
		}
	}
	if want := "next: -from " + strconv.Itoa(last+1); !strings.Contains(errs, want) {
		t.Errorf("stderr %q lacks %q", errs, want)
	}
	// From latest: nothing yet.
	code, out, errs = runCLI(t, "freg", "feed", "-config", cfg, "-from", "latest")
	if code != exitOK || out != "" || !strings.Contains(errs, "next: -from "+strconv.Itoa(last+1)) {
		t.Errorf("-from latest: exit %d, %q, %q", code, out, errs)
	}
	// Too old.
	code, _, errs = runCLI(t, "freg", "feed", "-config", cfg, "-from", "1")
	if code != exitFailure || !strings.Contains(errs, "36 months") {
		t.Errorf("-from 1: exit %d, %q", code, errs)
	}
}

func TestFregFeedFollow(t *testing.T) {
	sb, cfg := startFregSandbox(t)
	last := sb.Population().LastSeq()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"freg", "feed", "-config", cfg, "-from", "latest", "-follow", "-interval", "20ms"}, &out, &errs)
	}()
	// Let it reach the end before adding events.
	time.Sleep(200 * time.Millisecond)
	added := sb.AdvanceFeed(5)
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(out.String(), "\n") < len(added) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel() // Ctrl-C
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	i := 0
	for sc.Scan() {
		var e fregEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Sequence != int64(last+1+i) {
			t.Errorf("line %d: sequence %d, want %d", i, e.Sequence, last+1+i)
		}
		i++
	}
	if i != len(added) {
		t.Errorf("%d events printed, want %d", i, len(added))
	}
	if want := "next: -from " + strconv.Itoa(added[len(added)-1].Seq+1); !strings.Contains(errs.String(), want) {
		t.Errorf("stderr %q lacks %q", errs.String(), want)
	}
}

// failAfter accepts the first limit bytes written to it, then fails.
type failAfter struct {
	limit int
	buf   []byte
}

func (f *failAfter) Write(p []byte) (int, error) {
	n := min(len(p), f.limit-len(f.buf))
	f.buf = append(f.buf, p[:n]...)
	if n < len(p) {
		return n, errors.New("disk full")
	}
	return n, nil
}

// The resume point printed by freg feed must not pass events whose lines
// never reached stdout.
func TestFregFeedNextAfterWriteFailure(t *testing.T) {
	sb, cfg := startFregSandbox(t)
	pop := sb.Population()
	last := pop.LastSeq()
	from := max(pop.SeqAt(time.Now().AddDate(-1, 0, 0)), last-300)
	all := &failAfter{limit: 1 << 30}
	if code := run(context.Background(), []string{"freg", "feed", "-config", cfg, "-from", strconv.Itoa(from)}, all, io.Discard); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	total := len(all.buf)
	if total < 5000 {
		t.Fatalf("only %d bytes of output; too few to test", total)
	}
	for _, limit := range []int{0, 1, total / 3, total - 1} {
		out := &failAfter{limit: limit}
		var errb bytes.Buffer
		code := run(context.Background(), []string{"freg", "feed", "-config", cfg, "-from", strconv.Itoa(from)}, out, &errb)
		if code != exitFailure {
			t.Fatalf("limit %d: exit %d, want failure: %s", limit, code, errb.String())
		}
		complete := bytes.Count(out.buf, []byte("\n"))
		if want := "next: -from " + strconv.Itoa(from+complete); !strings.Contains(errb.String(), want) {
			t.Errorf("limit %d: %d complete lines written; stderr %q lacks %q", limit, complete, errb.String(), want)
		}
	}
}
