package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesgo/felles/registry/krr"
	"github.com/fellesgo/felles/sandbox"
	"github.com/fellesgo/felles/sandbox/population"
)

func TestKRRUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"krr"}, exitUsage, "missing subcommand: lookup"},
		{[]string{"krr", "find"}, exitUsage, `unknown subcommand "find"`},
		{[]string{"krr", "lookup"}, exitUsage, "-config is required"},
		{[]string{"krr", "lookup", "-config", "x.json"}, exitUsage, "give identifiers, or - to read them from stdin"},
		{[]string{"krr", "lookup", "-config", "x.json", "-concurrency", "0", "20914695016"}, exitUsage, "-concurrency must be 1 to 64"},
		{[]string{"krr", "lookup", "-bogus"}, exitUsage, "flag provided but not defined"},
		{[]string{"krr", "lookup", "-config", "does-not-exist.json", "20914695016"}, exitFailure, "does-not-exist.json"},
		{[]string{"help", "krr"}, exitOK, "-json"},
		{[]string{"krr", "lookup", "-h"}, exitOK, "-consumer-org"},
	}
	for _, tc := range cases {
		code, out, errs := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("felles %v: exit %d, output %q; want exit %d and %q", tc.args, code, out+errs, tc.code, tc.want)
		}
	}
}

// krrSandbox starts a sandbox with a population of size and writes its
// felles.json. With count set, KRR is reached through a proxy that records
// the size of every lookup request.
type krrSandbox struct {
	sb  *sandbox.Sandbox
	cfg string

	mu       sync.Mutex
	requests []int // identifiers per lookup request
}

func startKRRSandbox(t *testing.T, size int, count bool) *krrSandbox {
	t.Helper()
	sb, err := sandbox.Start(sandbox.WithPopulation(size, 1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	dir := t.TempDir()
	cfg, err := writeSandboxConfig(sb, dir)
	if err != nil {
		t.Fatal(err)
	}
	k := &krrSandbox{sb: sb, cfg: cfg}
	if !count {
		return k
	}
	h := sb.Handler()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/personer") {
			body, _ := io.ReadAll(r.Body)
			var req struct{ Personidentifikatorer []string }
			json.Unmarshal(body, &req)
			k.mu.Lock()
			k.requests = append(k.requests, len(req.Personidentifikatorer))
			k.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	// Point the configuration's KRR at the proxy.
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	c["endpoints"].(map[string]any)["krr"] = proxy.URL + "/krr/"
	raw, _ = json.Marshal(c)
	if err := os.WriteFile(cfg, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

// find returns the identifier of a person of the population that match
// accepts.
func (k *krrSandbox) find(t *testing.T, match func(population.Contact) bool) string {
	t.Helper()
	p, ok := k.sb.Population().Find(func(p population.Person) bool { return match(p.Contact) })
	if !ok {
		t.Fatal("no such person in the sandbox population")
	}
	return p.ID.Digits()
}

// TestKRRLookupSandbox runs felles krr lookup against the sandbox: one
// line per identifier, in input order, with the full identifier, and exit
// status 1 when an identifier fails.
func TestKRRLookupSandbox(t *testing.T) {
	k := startKRRSandbox(t, 2000, false)
	now := time.Now()
	mailbox := k.find(t, func(c population.Contact) bool {
		return c.Status == population.KRRActive && !c.Reserved && c.MailboxProvider != "" && c.EmailUsable(now)
	})
	notify := k.find(t, func(c population.Contact) bool {
		return c.Status == population.KRRActive && !c.Reserved && c.MailboxProvider == "" && c.EmailUsable(now) && !c.MobileUsable(now)
	})
	reserved := k.find(t, func(c population.Contact) bool { return c.Status == population.KRRActive && c.Reserved })
	notRegistered := k.find(t, func(c population.Contact) bool { return c.Status == population.KRRNotRegistered })
	bad := "12345678901"

	code, out, errs := runCLI(t, "krr", "lookup", "-config", k.cfg, "-json", mailbox, notify, bad, reserved, notRegistered, mailbox)
	if code != exitFailure || !strings.Contains(errs, "1 of 6 identifiers could not be looked up") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	var lines []krrLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l krrLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		lines = append(lines, l)
	}
	want := []struct {
		id     string
		method krr.Method
		email  bool
	}{{mailbox, krr.MethodDigitalMailbox, true}, {notify, krr.MethodNotification, true}, {bad, "", false},
		{reserved, krr.MethodPaper, false}, {notRegistered, krr.MethodPaper, false}, {mailbox, krr.MethodDigitalMailbox, true}}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		l := lines[i]
		if l.ID != w.id {
			t.Errorf("line %d: id %q, want %q", i, l.ID, w.id)
		}
		if w.method == "" {
			if !strings.Contains(l.Error, "not a valid") && !strings.Contains(l.Error, "invalid number") {
				t.Errorf("line %d: error %q", i, l.Error)
			}
			if strings.Contains(l.Error, bad) {
				t.Errorf("line %d: the error text repeats the whole number", i)
			}
			continue
		}
		if l.Decision == nil || l.Decision.Method != w.method || l.Decision.Email != w.email || l.Decision.Reason == "" {
			t.Errorf("line %d: decision %+v, want %s email=%v", i, l.Decision, w.method, w.email)
		}
	}
	if l := lines[0]; l.Mailbox == nil || l.Mailbox.Provider == "" || l.Mailbox.CertificateExpires.IsZero() || l.Email == "" || l.Status != "AKTIV" || l.Reservation != "NEI" {
		t.Errorf("mailbox line: %+v", l)
	}
	if l := lines[3]; l.Reservation != "JA" || l.ReservedAt.IsZero() {
		t.Errorf("reserved line: %+v", l)
	}
	if l := lines[4]; l.Status != "IKKE_REGISTRERT" {
		t.Errorf("not registered line: %+v", l)
	}

	// Text output: tab-separated id, method, reason.
	code, out, errs = runCLI(t, "krr", "lookup", "-config", k.cfg, notify, reserved)
	if code != exitOK {
		t.Fatalf("text: exit %d: %s", code, errs)
	}
	text := strings.Split(strings.TrimSpace(out), "\n")
	if len(text) != 2 || !strings.HasPrefix(text[0], notify+"\tnotification (e-mail)\tThe person is not reserved.") ||
		!strings.HasPrefix(text[1], reserved+"\tpaper\tThe person has reserved themselves") {
		t.Errorf("text output:\n%s", out)
	}
}

// TestKRRLookupRefusedToken: a token Maskinporten will not give (no
// delegation from the customer) fails with Maskinporten's reason.
func TestKRRLookupRefusedToken(t *testing.T) {
	k := startKRRSandbox(t, 10, false)
	code, out, errs := runCLI(t, "krr", "lookup", "-config", k.cfg, "-consumer-org", "910753614", k.sb.Population().Digits(0))
	if code != exitFailure || out != "" || !strings.Contains(errs, "maskinporten: invalid_scope") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestKRRLookupStdinStreams feeds 100 000 identifiers on stdin: exactly 100
// requests of 1000, one line per identifier in input order, and results are
// written while input is still being read.
func TestKRRLookupStdinStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("100 000 lookups")
	}
	const n = 100_000
	k := startKRRSandbox(t, n, true)
	pop := k.sb.Population()

	pr, pw := io.Pipe()
	old := stdin
	stdin = pr
	defer func() { stdin = old }()
	var out syncBuffer
	streamed := make(chan bool, 1)
	go func() {
		bw := bufio.NewWriter(pw)
		for i := range n {
			if i == 8000 {
				// The lookup holds at most four batches ahead, so by now
				// results must be out; wait for them before writing more.
				bw.Flush()
				deadline := time.Now().Add(30 * time.Second)
				for strings.Count(out.String(), "\n") < 1000 && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				streamed <- strings.Count(out.String(), "\n") >= 1000
			}
			if i%10_000 == 0 {
				bw.WriteString("\n") // blank lines are skipped
			}
			fmt.Fprintln(bw, pop.Digits(i))
		}
		bw.Flush()
		pw.Close()
	}()
	var errb bytes.Buffer
	start := time.Now()
	code := run(context.Background(), []string{"krr", "lookup", "-config", k.cfg, "-json", "-"}, &out, &errb)
	elapsed := time.Since(start)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !<-streamed {
		t.Error("no results were written while input was still being read")
	}
	k.mu.Lock()
	reqs := k.requests
	k.mu.Unlock()
	if len(reqs) != 100 {
		t.Errorf("%d requests, want 100", len(reqs))
	}
	for i, r := range reqs {
		if r != 1000 {
			t.Errorf("request %d carried %d identifiers, want 1000", i, r)
		}
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	i := 0
	for sc.Scan() {
		var l krrLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l.ID != pop.Digits(i) || l.Decision == nil {
			t.Fatalf("line %d: %q (%v)", i, sc.Text(), err)
		}
		i++
	}
	if i != n {
		t.Errorf("%d lines, want %d", i, n)
	}
	t.Logf("100 000 identifiers from stdin: %d requests in %v", len(reqs), elapsed.Round(time.Millisecond))
}

func TestKRRResult(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := krr.Person{Reservation: krr.NotReserved, Status: krr.StatusActive,
		Email: "a@b.no", EmailUpdated: now.AddDate(0, -1, 0),
		Mailbox: &krr.Mailbox{Address: "x#1", Provider: "984661185"},
		Err:     errors.Join(&krr.FieldError{Field: "sertifikat", Err: errors.New("bad")}, &krr.FieldError{Field: "spraak_oppdatert", Err: errors.New("odd")})}
	l := krrResult("20914695016", p, nil, now)
	if l.ID != "20914695016" || l.Decision.Method != krr.MethodNotification || !l.Decision.Email || l.Decision.SMS ||
		l.Mailbox.Address != "x#1" || !l.Mailbox.CertificateExpires.IsZero() ||
		len(l.Warnings) != 2 || !strings.Contains(l.Warnings[0], "sertifikat") {
		t.Errorf("%+v", l)
	}
	b, _ := json.Marshal(l)
	for _, absent := range []string{"mobile", "reserved_at", "error", "language"} {
		if strings.Contains(string(b), `"`+absent+`"`) {
			t.Errorf("empty %q in %s", absent, b)
		}
	}
	l = krrResult("x", krr.Person{}, errors.New("krr: boom"), now)
	if l.Error != "krr: boom" || l.Decision != nil {
		t.Errorf("%+v", l)
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := progress{w: &b, total: 2500}
	for range 999 {
		p.add()
	}
	if b.Len() != 0 {
		t.Errorf("progress before 1000 results: %q", b.String())
	}
	p.add()
	if !strings.Contains(b.String(), "krr: 1000 of 2500 looked up (40%)") {
		t.Errorf("progress %q", b.String())
	}
	p.finish()
	if !strings.HasSuffix(b.String(), "\r\033[K") {
		t.Errorf("progress line not cleared: %q", b.String())
	}
	var off progress
	off.add()
	off.finish() // no writer: nothing happens
}
