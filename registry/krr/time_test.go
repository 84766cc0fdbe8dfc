package krr_test

import (
	"testing"
	"time"

	"github.com/fellesgo/felles/registry/krr"
)

// TestParseTime covers the timestamp formats KRR mixes (identity-and-registers.md
// §3.4): RFC 3339 with and without fractions, and offsets without minutes,
// which time.RFC3339 rejects.
func TestParseTime(t *testing.T) {
	cases := []struct{ in, want string }{
		{"2023-06-13T13:42:34+02", "2023-06-13T11:42:34Z"},
		{"2023-06-29T10:14:52+02", "2023-06-29T08:14:52Z"},
		{"2023-06-13T13:42:34+02:00", "2023-06-13T11:42:34Z"},
		{"2023-06-13T13:42:34+0200", "2023-06-13T11:42:34Z"},
		{"2023-06-13T13:42:34-01", "2023-06-13T14:42:34Z"},
		{"2023-08-05T10:45:15.768Z", "2023-08-05T10:45:15.768Z"},
		{"2023-08-05T10:45:15Z", "2023-08-05T10:45:15Z"},
		{"2023-08-05T10:45:15.768+02", "2023-08-05T08:45:15.768Z"},
		{"2023-08-05T10:45:15.768+02:00", "2023-08-05T08:45:15.768Z"},
		{"2023-08-05T10:45:15.123456789+02:00", "2023-08-05T08:45:15.123456789Z"},
		{"2023-08-05T10:45:15,768Z", "2023-08-05T10:45:15.768Z"},
		{"2023-08-05 10:45:15+02", "2023-08-05T08:45:15Z"},
		{"2023-08-05t10:45:15z", "2023-08-05T10:45:15Z"},
		{" 2023-08-05T10:45:15Z ", "2023-08-05T10:45:15Z"},
		{"2023-08-05T10:45:15", "2023-08-05T10:45:15Z"},
		{"2023-08-05T10:45:15.5", "2023-08-05T10:45:15.5Z"},
		{"2023-08-05T10:45+02:00", "2023-08-05T08:45:00Z"},
		{"2023-08-05", "2023-08-05T00:00:00Z"},
	}
	for _, tc := range cases {
		got, err := krr.ParseTime(tc.in)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tc.in, err)
			continue
		}
		want, _ := time.Parse(time.RFC3339Nano, tc.want)
		if !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, want %v", tc.in, got, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2023-13-05T10:45:15Z", "2023-08-05T25:45:15Z",
		"2023-08-05T10:45:15+2", "2023-08-05T10:45:15+02:0", "05.08.2023", "1691232315768", "2023-08-05T10:45:15Zjunk"} {
		if got, err := krr.ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", bad, got)
		}
	}
}
