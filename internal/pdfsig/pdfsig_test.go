package pdfsig

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSafeTurnsPanicsIntoErrors(t *testing.T) {
	err := Safe(func() error { panic("boom " + strings.Repeat("x\n", 500)) })
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v", err)
	}
	if len(err.Error()) > 200 || strings.Contains(err.Error(), "\n") {
		t.Fatalf("message not clipped: %q", err)
	}
	if err := Safe(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := Safe(func() error { return errors.New("x") }); !errors.Is(err, ErrMalformed) {
		t.Fatal(err)
	}
}

func TestOpenGarbage(t *testing.T) {
	for _, in := range []string{"", "%PDF-1.7", "%PDF-1.7\n%%EOF", "%PDF-1.7\nstartxref\n0\n%%EOF", "%PDF-1.7\nxref\n0 1\nstartxref\n9\n%%EOF\n"} {
		if _, err := Open(bytes.NewReader([]byte(in)), int64(len(in))); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestSignLegacyRefusesEmptyChain(t *testing.T) {
	if err := SignLegacy(bytes.NewReader(nil), 0, &bytes.Buffer{}, nil, nil, LegacyInfo{}); err == nil {
		t.Fatal("no error")
	}
}
