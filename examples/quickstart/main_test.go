package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestQuickstart runs the tour against the in-process sandbox, as
// `go run ./examples/quickstart` does, and checks that every step happened.
func TestQuickstart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, "", "", &out); err != nil {
		t.Fatalf("quickstart failed: %v\noutput so far:\n%s", err, out.String())
	}
	for _, want := range []string{
		"organisation number ",
		"Got a Bearer token",
		"same token: true",
		"200 OK",
		"Folkeregisteret: ",
		"lives at ",
		"Contact decision: digital_mailbox",
		"Contact decision: paper",
		`error "invalid_scope"`,
		"Done.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
