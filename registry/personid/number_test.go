package personid_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/registry/personid"
)

// withChecks appends check digits to nine digits so that the first check
// remainder is r1 (0 for the legacy scheme, 1–3 for the 2032 scheme). It
// reports false if no check digits exist.
func withChecks(nine string, r1 int) (string, bool) {
	w1 := []int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	w2 := []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	s1, s2 := 0, 0
	for i := range 9 {
		s1 += int(nine[i]-'0') * w1[i]
		s2 += int(nine[i]-'0') * w2[i]
	}
	k1 := ((r1-s1)%11 + 11) % 11
	if k1 == 10 {
		return "", false
	}
	s2 += 2 * k1
	k2 := (11 - s2%11) % 11
	if k2 == 10 {
		return "", false
	}
	return nine + string(rune('0'+k1)) + string(rune('0'+k2)), true
}

// mustChecks is withChecks; if the nine digits have no check digits, it
// varies the middle digit of the individnummer.
func mustChecks(t testing.TB, nine string, r1 int) string {
	t.Helper()
	s, ok := withChecks(nine, r1)
	for c := byte('0'); !ok && c <= '9'; c++ {
		s, ok = withChecks(nine[:7]+string(c)+nine[8:], r1)
	}
	if !ok {
		t.Fatalf("no check digits for %s with r1 = %d", nine, r1)
	}
	return s
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The test vectors of identity-and-registers.md §5.2 and the published
// examples it cites.
var vectors = []struct {
	in     string
	kind   personid.Kind
	synth  personid.Synthetic
	scheme personid.Scheme
	born   time.Time // zero: no birth date
	sex    personid.Sex
	what   string
}{
	{"20914695016", personid.Fodselsnummer, personid.SyntheticSkatteetaten, personid.SchemeLegacy, date(1946, 11, 20), personid.Female, "Digdir example (KRR docs), month 91"},
	{"23079421936", personid.Fodselsnummer, personid.NotSynthetic, personid.SchemeLegacy, date(1994, 7, 23), personid.Male, "Digdir example (ID-porten docs)"},
	{"09052400284", personid.Fodselsnummer, personid.NotSynthetic, personid.SchemeLegacy, date(1924, 5, 9), personid.Female, "FREG example"},
	{"02013299997", personid.Fodselsnummer, personid.NotSynthetic, personid.SchemeLegacy, date(2032, 1, 2), personid.Male, "2032 example, r1 = 0"},
	{"30108299920", personid.Fodselsnummer, personid.NotSynthetic, personid.SchemeLegacy, date(1982, 10, 30), personid.Male, "2032 example, r1 = 0"},
	{"30108299939", personid.Fodselsnummer, personid.NotSynthetic, personid.Scheme2032, time.Time{}, 0, "2032 example, r1 = 1"},
	{"16852749559", personid.Fodselsnummer, personid.SyntheticSkatteetaten, personid.SchemeLegacy, date(1927, 5, 16), personid.Male, "synthetic, month 85"},
	{"41814061033", personid.DNumber, personid.SyntheticSkatteetaten, personid.SchemeLegacy, date(1940, 1, 1), personid.Female, "synthetic D-nummer, extended series (individnummer 610 in 1940)"},
	{"41814065640", personid.DNumber, personid.SyntheticSkatteetaten, personid.SchemeLegacy, date(1940, 1, 1), personid.Female, "sos-utvidelse-av-dnr-serien, born 1940"},
	{"41814075603", personid.DNumber, personid.SyntheticSkatteetaten, personid.SchemeLegacy, date(1940, 1, 1), personid.Female, "sos-utvidelse-av-dnr-serien, born 1940"},
	{"41810021827", personid.DNumber, personid.SyntheticSkatteetaten, personid.SchemeLegacy, date(2000, 1, 1), personid.Female, "sos-utvidelse-av-dnr-serien, born 2000"},
	{"41810025091", personid.DNumber, personid.SyntheticSkatteetaten, personid.SchemeLegacy, date(2000, 1, 1), personid.Female, "sos-utvidelse-av-dnr-serien, born 2000"},
	{"41810034422", personid.DNumber, personid.SyntheticSkatteetaten, personid.SchemeLegacy, date(2000, 1, 1), personid.Female, "sos-utvidelse-av-dnr-serien, born 2000"},
	{"55507608360", personid.DNumber, personid.SyntheticNAV, personid.SchemeLegacy, date(1976, 10, 15), personid.Male, "NAV/Dolly synthetic D-nummer, month 50"},
	{"69028400470", personid.DNumber, personid.NotSynthetic, personid.SchemeLegacy, date(1984, 2, 29), personid.Female, "D-nummer, day 69, 29 February of a leap year"},
	{"23079422568", personid.Fodselsnummer, personid.NotSynthetic, personid.SchemeLegacy, date(1994, 7, 23), personid.Male, "Maskinporten example in this repository"},
}

func TestParseVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.in, func(t *testing.T) {
			n, err := personid.Parse(v.in)
			if err != nil {
				t.Fatalf("Parse (%s): %v", v.what, err)
			}
			if n.IsZero() || n.Digits() != v.in {
				t.Errorf("Digits() = %q, IsZero %v", n.Digits(), n.IsZero())
			}
			if n.Kind() != v.kind || n.Synthetic() != v.synth || n.Scheme() != v.scheme {
				t.Errorf("kind %v, synthetic %v, scheme %v; want %v, %v, %v", n.Kind(), n.Synthetic(), n.Scheme(), v.kind, v.synth, v.scheme)
			}
			born, ok := n.BirthDate()
			if ok != !v.born.IsZero() || !born.Equal(v.born) {
				t.Errorf("BirthDate() = %v, %v; want %v", born, ok, v.born)
			}
			sex, ok := n.Sex()
			if ok != (v.sex != 0) || sex != v.sex {
				t.Errorf("Sex() = %v, %v; want %v", sex, ok, v.sex)
			}
			if want := v.in[:6] + "*****"; n.String() != want {
				t.Errorf("String() = %q, want %q", n.String(), want)
			}
			for _, s := range []string{" " + v.in + "\n", v.in[:6] + " " + v.in[6:], "\t" + v.in[:6] + " " + v.in[6:] + " "} {
				if m, err := personid.Parse(s); err != nil || m != n {
					t.Errorf("Parse(%q) = %v, %v; want the same number", s, m, err)
				}
			}
		})
	}
}

// TestNAVExamples: NAV's tests use 00000000191 (male) and 00000000272
// (female). Their check digits are right, but 00.00.00 is no date: they are
// not valid numbers, and Parse says so.
func TestNAVExamples(t *testing.T) {
	for _, s := range []string{"00000000191", "00000000272"} {
		if c, ok := withChecks(s[:9], 0); !ok || c != s {
			t.Fatalf("%s: the check digits are expected to be right", s)
		}
		_, err := personid.Parse(s)
		var pe *personid.ParseError
		if !errors.As(err, &pe) || pe.Reason != "not a valid date" {
			t.Errorf("Parse(%s) = %v, want a ParseError for the date", s, err)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	cases := []struct {
		in, reason string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"2307942193", "want 11 digits"},
		{"230794219360", "want 11 digits"},
		{"230794-21936", "want 11 digits"},
		{"230794  21936", "want 11 digits"},
		{"2307942193a", "not all digits"},
		{"230794 2193a", "not all digits"},
		{"+2307942193", "not all digits"},
		{"２３０７９４２１９３６", "want 11 digits"},
		{"23079421937", "wrong second check digit"},
		{"23079421976", "wrong first check digit"},          // r1 = 4
		{"30108299949", "wrong second check digit"},         // k1 of 30108299939 + 1, r2 off
		{mustChecks(t, "320190123", 0), "not a valid date"}, // 32 January
		{mustChecks(t, "311190123", 0), "not a valid date"}, // 31 November
		{mustChecks(t, "011390123", 0), "not a valid date"}, // month 13
		{mustChecks(t, "010090125", 0), "not a valid date"}, // month 0
		{mustChecks(t, "000190123", 0), "not a valid date"}, // day 0
		{mustChecks(t, "012190123", 0), "not a valid date"}, // month digit 2
		{mustChecks(t, "016190123", 0), "not a valid date"}, // month digit 6: 61 is no offset
		{mustChecks(t, "819390123", 0), "not a valid date"}, // FH-nummer (first digit 8)
		{mustChecks(t, "720190123", 0), "not a valid date"}, // D-nummer day 32
		{mustChecks(t, "290200123", 0), "not a valid date"}, // 29.02.1900
		{mustChecks(t, "290201123", 0), "not a valid date"}, // 29.02.1901
		{mustChecks(t, "290297123", 0), "not a valid date"}, // 29.02.1997
		{mustChecks(t, "010145600", 0), "individnummer not used for the birth year"},
		{mustChecks(t, "010145800", 0), "individnummer not used for the birth year"},
		{mustChecks(t, "010153700", 0), "individnummer not used for the birth year"},
		{mustChecks(t, "410145550", 0), "individnummer not used for the birth year"}, // D: 500–599 only 1858–1899
		{mustChecks(t, "298201123", 1), "not a valid date"},                          // 2032 scheme: 29.02.?01
		{mustChecks(t, "010000123", 1), "not a valid date"},                          // 2032 scheme: month 0
	}
	for _, tc := range cases {
		n, err := personid.Parse(tc.in)
		var pe *personid.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, %v; want a *ParseError", tc.in, n, err)
			continue
		}
		if pe.Reason != tc.reason {
			t.Errorf("Parse(%q): reason %q, want %q", tc.in, pe.Reason, tc.reason)
		}
		if !n.IsZero() {
			t.Errorf("Parse(%q) returned a non-zero Number with an error", tc.in)
		}
		if in := strings.TrimSpace(tc.in); len(in) > 6 && strings.Contains(err.Error(), in) {
			t.Errorf("the error holds the input: %v", err)
		}
	}
}

func TestParseDates(t *testing.T) {
	valid := []struct {
		nine string
		r1   int
		born time.Time // zero for the 2032 scheme
	}{
		{"290200600", 0, date(2000, 2, 29)}, // 2000 is a leap year
		{"290296123", 0, date(1996, 2, 29)},
		{"698296123", 0, date(1996, 2, 29)}, // D-nummer, synthetic +80
		{"010154600", 0, date(1854, 1, 1)},  // 500–749: 1854–1899
		{"311299749", 0, date(1899, 12, 31)},
		{"010100000", 0, date(1900, 1, 1)},
		{"010140950", 0, date(1940, 1, 1)}, // 900–999: 1940–1999
		{"010139950", 0, date(2039, 1, 1)}, // 500–999: 2000–2039
		{"010139800", 0, date(2039, 1, 1)},
		{"410139300", 0, date(2039, 1, 1)}, // D 2021: 200–999 2000–2039
		{"410139100", 0, date(1939, 1, 1)}, // D 2021: 000–199 1900–1939
		{"410158550", 0, date(1858, 1, 1)}, // D 2021: 500–599 1858–1899
		{"410155550", 0, date(1855, 1, 1)}, // D before 2021: 500–749 1854–1899
		{"410145800", 0, date(1945, 1, 1)}, // D 2021: 600–999 1940–1999
		{"298200123", 1, time.Time{}},      // 2032 scheme: 29.02.?00 exists (2000)
		{"290204123", 2, time.Time{}},
		{"010145800", 3, time.Time{}}, // 2032 scheme: the individnummer gives no century
	}
	for _, v := range valid {
		in := mustChecks(t, v.nine, v.r1)
		n, err := personid.Parse(in)
		if err != nil {
			t.Errorf("Parse(%s): %v", in, err)
			continue
		}
		born, ok := n.BirthDate()
		if ok != !v.born.IsZero() || !born.Equal(v.born) {
			t.Errorf("Parse(%s).BirthDate() = %v, %v; want %v", in, born, ok, v.born)
		}
		want := personid.SchemeLegacy
		if v.r1 != 0 {
			want = personid.Scheme2032
		}
		if n.Scheme() != want {
			t.Errorf("Parse(%s).Scheme() = %v, want %v", in, n.Scheme(), want)
		}
	}
}

// TestSingleDigitMutations: changing any one digit of a valid number gives an
// invalid one (the second check digit alone guarantees it).
func TestSingleDigitMutations(t *testing.T) {
	var valid []string
	for _, v := range vectors {
		valid = append(valid, v.in)
	}
	g := personid.NewGenerator(1)
	for i := range 300 {
		n, err := g.Next(personid.Options{Kind: personid.Kind(i%2 + 1), Synthetic: personid.Synthetic(i % 3), RealSeries: i%3 == 0})
		if err != nil {
			t.Fatal(err)
		}
		valid = append(valid, n.Digits())
	}
	for _, s := range valid {
		for i := range len(s) {
			for c := byte('0'); c <= '9'; c++ {
				if c == s[i] {
					continue
				}
				m := s[:i] + string(c) + s[i+1:]
				if _, err := personid.Parse(m); err == nil {
					t.Errorf("Parse(%s), %s with digit %d changed, succeeded", m, s, i+1)
				}
			}
		}
	}
}

func TestZeroNumber(t *testing.T) {
	var n personid.Number
	if !n.IsZero() || n.Digits() != "" || n.String() != "" || n.Kind() != 0 || n.Scheme() != 0 || n.Synthetic() != personid.NotSynthetic {
		t.Errorf("zero Number: %q %q %v %v %v", n.Digits(), n.String(), n.Kind(), n.Scheme(), n.Synthetic())
	}
	if _, ok := n.BirthDate(); ok {
		t.Error("zero Number has a birth date")
	}
	if _, ok := n.Sex(); ok {
		t.Error("zero Number has a sex")
	}
	m, _ := personid.Parse("23079421936")
	if m == n || !m.Equal(m) || m.Equal(n) {
		t.Error("Equal or == is wrong")
	}
}

func TestStringers(t *testing.T) {
	for got, want := range map[string]string{
		personid.Fodselsnummer.String():         "fødselsnummer",
		personid.DNumber.String():               "D-nummer",
		personid.Kind(9).String():               "Kind(9)",
		personid.NotSynthetic.String():          "not synthetic",
		personid.SyntheticSkatteetaten.String(): "synthetic (Skatteetaten, +80)",
		personid.SyntheticNAV.String():          "synthetic (NAV, +40)",
		personid.Synthetic(7).String():          "Synthetic(7)",
		personid.SchemeLegacy.String():          "legacy",
		personid.Scheme2032.String():            "2032",
		personid.Scheme(0).String():             "Scheme(0)",
		personid.Female.String():                "female",
		personid.Male.String():                  "male",
		personid.Sex(0).String():                "Sex(0)",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

var sink personid.Number

func BenchmarkPersonIDParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		n, err := personid.Parse("23079421936")
		if err != nil {
			b.Fatal(err)
		}
		sink = n
	}
}

func BenchmarkPersonIDParseSpaced(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		n, err := personid.Parse(" 230794 21936 ")
		if err != nil {
			b.Fatal(err)
		}
		sink = n
	}
}

var cprSink personid.CPR

func BenchmarkPersonIDParseCPR(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := personid.ParseCPR("070761-4285")
		if err != nil {
			b.Fatal(err)
		}
		cprSink = c
	}
}
