package xpath

import (
	"math/rand"
	"regexp"
	"testing"
)

// The lexical forms as the XSD regular expressions give them: the
// hand-written scanners must accept exactly these.
var (
	reDoubleLex = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	reDateLex   = regexp.MustCompile(`^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?$`)
)

func TestLexicalScannersAgreeWithRegexp(t *testing.T) {
	fixed := []string{"", "+", "-", ".", "1", "+1", "-1.", ".5", "1.5", "1e", "1e5", "1E+5", "1e-05", ".e1", "1.e1", "e1",
		"1.5.5", "1e5e5", " 1", "1 ", "١", "1_000", "0x10", "Inf", "NaN",
		"2024-01-31", "-2024-01-31", "12024-01-31", "024-01-31", "2024-1-31", "2024-01-31Z", "2024-01-31+01:00",
		"2024-01-31-14:00", "2024-01-31+1:00", "2024-01-31+01:0", "2024-01-31+01:000", "2024-01-31z", "2024-01-31 ", "--2024-01-31",
		"2024-01-31+01-00", "2024/01/31", "2024-01-3", "2024-01-311"}
	r := rand.New(rand.NewSource(1))
	alphabet := "0123456789+-.eEZ: x"
	for range 200000 {
		b := make([]byte, r.Intn(18))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		fixed = append(fixed, string(b))
	}
	for range 50000 { // mostly dates, with one character changed
		b := []byte("2024-02-29+14:00")[:10+r.Intn(7)]
		b[r.Intn(len(b))] = alphabet[r.Intn(len(alphabet))]
		fixed = append(fixed, string(b))
	}
	for _, s := range fixed {
		if got, want := doubleLexical(s), reDoubleLex.MatchString(s); got != want {
			t.Errorf("doubleLexical(%q) = %v, the regexp says %v", s, got, want)
		}
		m := reDateLex.FindStringSubmatch(s)
		y, mo, d, tz, ok := scanDate(s)
		if ok != (m != nil) || (ok && (y != m[1] || mo != m[2] || d != m[3] || tz != m[4])) {
			t.Errorf("scanDate(%q) = %q %q %q %q %v, the regexp says %q", s, y, mo, d, tz, ok, m)
		}
	}
}
