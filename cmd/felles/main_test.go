package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageAndExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string // in stdout+stderr
	}{
		{nil, exitUsage, "Commands:"},
		{[]string{"help"}, exitOK, "sandbox"},
		{[]string{"help", "token"}, exitOK, "-scope"},
		{[]string{"help", "nope"}, exitUsage, `unknown command "nope"`},
		{[]string{"nope"}, exitUsage, `unknown command "nope"`},
		{[]string{"version"}, exitOK, "felles 0."},
		{[]string{"token"}, exitUsage, "-config and -scope are required"},
		{[]string{"token", "-bogus"}, exitUsage, "flag provided but not defined"},
		{[]string{"token", "-config", "x.json", "-scope", "s", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"token", "-config", "does-not-exist.json", "-scope", "s"}, exitFailure, "does-not-exist.json"},
		{[]string{"sandbox", "-addr"}, exitUsage, "flag needs an argument"},
	}
	for _, tc := range cases {
		code, out, errs := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("felles %v: exit %d, output %q; want exit %d and %q", tc.args, code, out+errs, tc.code, tc.want)
		}
	}
}

// TestSandboxThenToken is the "done when": felles sandbox -dir D,
// then felles token -config D/felles.json -scope SCOPE prints a token.
func TestSandboxThenToken(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var sbOut, sbErr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"sandbox", "-addr", "127.0.0.1:0", "-dir", dir}, &sbOut, &sbErr) }()
	defer func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("sandbox exited %d: %s", code, sbErr.String())
		}
	}()

	cfg := filepath.Join(dir, "felles.json")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(sbOut.String(), "Press Ctrl-C") {
		if time.Now().After(deadline) {
			t.Fatalf("sandbox did not start: %s %s", sbOut.String(), sbErr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, f := range []string{"felles.json", "client.p12"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v (want mode 0600)", f, err)
		}
	}
	var written map[string]any
	raw, _ := os.ReadFile(cfg)
	if err := json.Unmarshal(raw, &written); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"client_id", "organization_number", "certificate", "endpoints"} {
		if written[k] == nil {
			t.Errorf("felles.json lacks %q: %s", k, raw)
		}
	}

	code, tok, errs := runCLI(t, "token", "-config", cfg, "-scope", "krr:global/kontaktinformasjon.read")
	tok = strings.TrimSpace(tok)
	if code != exitOK || strings.Count(tok, ".") != 2 || !strings.HasPrefix(tok, "eyJ") {
		t.Fatalf("token: exit %d, stdout %q, stderr %q", code, tok, errs)
	}

	code, claims, errs := runCLI(t, "token", "-config", cfg, "-scope", "folkeregister:deling/offentligmedhjemmel", "-decode", "-v")
	if code != exitOK {
		t.Fatalf("token -decode: exit %d: %s", code, errs)
	}
	var c struct {
		Scope    string `json:"scope"`
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal([]byte(claims), &c); err != nil || c.Scope != "folkeregister:deling/offentligmedhjemmel" || c.ClientID != written["client_id"] {
		t.Errorf("decoded claims %q (%v)", claims, err)
	}
	if strings.Contains(errs, tok) || strings.Contains(errs, "eyJ") {
		t.Errorf("verbose log shows a token or assertion: %s", errs)
	}

	code, _, errs = runCLI(t, "token", "-config", cfg, "-scope", "nav:not/granted")
	if code != exitFailure || !strings.Contains(errs, "invalid_scope") {
		t.Errorf("refused scope: exit %d, stderr %q", code, errs)
	}
	pw := written["certificate"].(map[string]any)["password"].(string)
	if strings.Contains(errs+sbOut.String()+sbErr.String(), pw) {
		t.Error("the certificate password appears in output")
	}
}
