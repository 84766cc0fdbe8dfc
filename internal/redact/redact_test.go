package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/slogtest"

	"github.com/google/go-cmp/cmp"
)

const (
	jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	fnr = "01017012345"
)

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"nothing secret here: status 503", "nothing secret here: status 503"},
		{"token " + jwt + " expired", "token [REDACTED] expired"},
		{"detached eyJhbGciOiJFUzI1NiJ9..c2ln end", "detached [REDACTED] end"},
		{"jwe eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d!", "jwe [REDACTED]!"},
		{"Authorization: Bearer abc.def", "Authorization: [REDACTED]"},
		{"Authorization: Bearer " + jwt + "\nAccept: */*", "Authorization: [REDACTED]\nAccept: */*"},
		{"authorization=Basic dXNlcjpwdw==", "authorization=[REDACTED]"},
		{"Proxy-Authorization: secret", "Proxy-Authorization: [REDACTED]"},
		{`{"Authorization":"Bearer abcdefgh"}`, `{"Authorization":"[REDACTED]"}`},
		{"map[Authorization:[Bearer abcdefgh] Accept:[*/*]]", "map[Authorization:[[REDACTED]] Accept:[*/*]]"},
		{"sent bearer 0123456789abcdef", "sent bearer [REDACTED]"},
		{"grant_type=urn%3Aietf&assertion=abc123&scope=x", "grant_type=urn%3Aietf&assertion=[REDACTED]&scope=x"},
		{"client_assertion=abc&client_secret=s3cret", "client_assertion=[REDACTED]&client_secret=[REDACTED]"},
		{"?access_token=a&refresh_token=b&id_token=c&code=d&password=e&token=f",
			"?access_token=[REDACTED]&refresh_token=[REDACTED]&id_token=[REDACTED]&code=[REDACTED]&password=[REDACTED]&token=[REDACTED]"},
		{"status_code=500 errorcode=7 token=", "status_code=500 errorcode=7 token="},
		{"TOKEN=x", "TOKEN=[REDACTED]"},
		{`{"access_token": "abc\"def", "expires_in": 599}`, `{"access_token": "[REDACTED]", "expires_in": 599}`},
		{"person " + fnr + " not found", "person [REDACTED] not found"},
		{fnr + "," + fnr, "[REDACTED],[REDACTED]"},
		{"/personer/" + fnr + "/adresse", "/personer/[REDACTED]/adresse"},
		{"ten 0123456789 twelve 012345678901", "ten 0123456789 twelve 012345678901"},
		{"org 987654321 at 1700000000000", "org 987654321 at 1700000000000"},
		{"ÆØÅ " + fnr + "ø", "ÆØÅ [REDACTED]ø"},
	}
	for _, tt := range tests {
		got := String(tt.in)
		if got != tt.want {
			t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if again := String(got); again != got {
			t.Errorf("String(String(%q)) = %q, not stable", tt.in, again)
		}
	}
}

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.example/v1/x", "https://api.example/v1/x"},
		{"https://user:pw@api.example/v1?fnr=" + fnr + "&code=abc&b=1&b=2#access_token=x",
			"https://api.example/v1?b=REDACTED&code=REDACTED&fnr=REDACTED"},
		{"https://api.example/personer/" + fnr + "?" + fnr, "https://api.example/personer/[REDACTED]?%5BREDACTED%5D=REDACTED"},
		{"https://api.example/?", "https://api.example/"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		orig := *u
		if got := URL(u); got != tt.want {
			t.Errorf("URL(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if *u != orig {
			t.Errorf("URL(%q) modified its argument", tt.in)
		}
		if got := URL(u); String(got) != got {
			t.Errorf("String(URL(%q)) = %q, want unchanged", tt.in, String(got))
		}
	}
	if got := URL(nil); got != "" {
		t.Errorf("URL(nil) = %q", got)
	}
}

func TestHeader(t *testing.T) {
	h := http.Header{
		"Authorization":       {"Bearer " + jwt},
		"Cookie":              {"a=1", "b=2"},
		"Set-Cookie":          {"s=1"},
		"Proxy-Authorization": {"Basic x"},
		"Accept":              {"application/json"},
		"proxy-authorization": {"not canonical"},
	}
	want := http.Header{
		"Authorization":       {"[REDACTED]"},
		"Cookie":              {"[REDACTED]", "[REDACTED]"},
		"Set-Cookie":          {"[REDACTED]"},
		"Proxy-Authorization": {"[REDACTED]"},
		"Accept":              {"application/json"},
		"proxy-authorization": {"[REDACTED]"},
	}
	got := Header(h)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Header mismatch (-want +got):\n%s", diff)
	}
	if h.Get("Authorization") != "Bearer "+jwt || h["Cookie"][1] != "b=2" {
		t.Error("Header modified its argument")
	}
	if Header(nil) != nil {
		t.Error("Header(nil) != nil")
	}
}

func TestHandlerSlogtest(t *testing.T) {
	var buf bytes.Buffer
	newHandler := func(*testing.T) slog.Handler {
		buf.Reset()
		return Handler(slog.NewJSONHandler(&buf, nil))
	}
	result := func(t *testing.T) map[string]any {
		m := map[string]any{}
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	slogtest.Run(t, newHandler, result)
}

type stringer struct{}

func (stringer) String() string { return "fnr " + fnr }

type logValuer struct{}

func (logValuer) LogValue() slog.Value { return slog.StringValue("token=" + jwt) }

type nilErr struct{}

func (*nilErr) Error() string { return "never called" }

func TestHandlerRedacts(t *testing.T) {
	var buf bytes.Buffer
	u, _ := url.Parse("https://u:pw@api.example/x?assertion=" + jwt)
	log := slog.New(Handler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log = log.With("pre", "Bearer "+jwt, slog.Group("g", "fnr", fnr))
	log.WithGroup("grp").Debug("lookup of "+fnr,
		"err", errors.New("post: assertion="+jwt),
		"nilerr", (*nilErr)(nil),
		"s", stringer{},
		"v", logValuer{},
		"u", u,
		"h", http.Header{"Authorization": {"Basic c2VjcmV0"}},
		slog.Group("inner", "fnr", fnr, slog.Group("deeper", "t", jwt)),
		"n", 42,
		"fnrInt", 10170123450,
	)
	out := buf.String()
	for _, secret := range []string{fnr, jwt, "pw", "c2VjcmV0"} {
		if strings.Contains(out, secret) {
			t.Errorf("log output contains %q:\n%s", secret, out)
		}
	}
	for _, keep := range []string{"n=42", "grp.fnrInt=[REDACTED]", "lookup of [REDACTED]", "grp.inner.deeper.t=[REDACTED]", "g.fnr=[REDACTED]", `grp.u="https://api.example/x?assertion=REDACTED"`} {
		if !strings.Contains(out, keep) {
			t.Errorf("log output lacks %q:\n%s", keep, out)
		}
	}
	if h := Handler(log.Handler()); h != log.Handler() {
		t.Error("Handler wrapped a redacting handler again")
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"Authorization: Bearer " + jwt, "?code=x&token=" + fnr, `{"password":"p"}`, fnr} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := String(s)
		if twice := String(once); twice != once {
			t.Errorf("String not stable:\n in    %q\n once  %q\n twice %q", s, once, twice)
		}
	})
}

func TestStringKeepsHexTraceIDs(t *testing.T) {
	for in, want := range map[string]string{
		// A Maskinporten trace_id with an 11-digit run stays whole.
		"Client not found (trace_id: ab01234567890cd3e9702ca356666143)": "Client not found (trace_id: ab01234567890cd3e9702ca356666143)",
		"trace 0123456789012345678901234567abcd":                        "trace 0123456789012345678901234567abcd",
		// Person numbers next to short hex-like words are still masked.
		"fnr 01017012345 added": "fnr [REDACTED] added",
		"id=abc01017012345":     "id=abc[REDACTED]",
		"x01017012345":          "x[REDACTED]",
		// The trade-off: 11 digits inside a 16+ character hex run read as an
		// identifier, not a person number.
		"deadbeef01017012345": "deadbeef01017012345",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}
