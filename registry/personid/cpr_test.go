package personid_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fellesgo/felles/registry/personid"
)

// mod11 reports whether ten digits pass the CPR modulus 11 check.
func mod11(s string) bool {
	w := []int{4, 3, 2, 7, 6, 5, 4, 3, 2, 1}
	sum := 0
	for i := range 10 {
		sum += int(s[i]-'0') * w[i]
	}
	return sum%11 == 0
}

func TestParseCPR(t *testing.T) {
	cases := []struct {
		in    string
		born  time.Time
		sex   personid.Sex
		mod11 bool
	}{
		{"070761-4285", date(1961, 7, 7), personid.Male, true},
		{"0707614285", date(1961, 7, 7), personid.Male, true},
		{" 070761-4285\n", date(1961, 7, 7), personid.Male, true},
		// Since 2007: 1 January numbers without modulus 11 are valid.
		{"010160-1235", date(1960, 1, 1), personid.Male, false},
		{"010190-0001", date(1990, 1, 1), personid.Male, false},
		// Not 1 January and failing modulus 11: still only a warning.
		{"150585-1238", date(1985, 5, 15), personid.Female, false},
		// 29 February of a leap year, in each century.
		{"290296-1234", date(1996, 2, 29), personid.Female, false},
		{"290200-4000", date(2000, 2, 29), personid.Female, false},
		{"290296-5000", date(1896, 2, 29), personid.Female, false},
	}
	for _, tc := range cases {
		c, err := personid.ParseCPR(tc.in)
		if err != nil {
			t.Errorf("ParseCPR(%q): %v", tc.in, err)
			continue
		}
		digits := c.Digits()
		if len(digits) != 10 || c.IsZero() {
			t.Errorf("ParseCPR(%q).Digits() = %q", tc.in, digits)
		}
		if !c.BirthDate().Equal(tc.born) || c.Sex() != tc.sex {
			t.Errorf("ParseCPR(%q): born %v, sex %v; want %v, %v", tc.in, c.BirthDate(), c.Sex(), tc.born, tc.sex)
		}
		if c.Modulus11() != tc.mod11 || mod11(digits) != tc.mod11 {
			t.Errorf("ParseCPR(%q).Modulus11() = %v, want %v", tc.in, c.Modulus11(), tc.mod11)
		}
		if want := digits[:6] + "-****"; c.String() != want {
			t.Errorf("String() = %q, want %q", c.String(), want)
		}
		if again, err := personid.ParseCPR(digits); err != nil || again != c {
			t.Errorf("ParseCPR(Digits()) = %v, %v", again, err)
		}
	}
}

// TestCPRCentury is the table of cpr.dk: the seventh digit and the year give
// the century.
func TestCPRCentury(t *testing.T) {
	for _, tc := range []struct {
		seventh byte
		yy      string
		year    int
	}{
		{'0', "00", 1900}, {'0', "99", 1999}, {'1', "36", 1936}, {'2', "57", 1957}, {'3', "58", 1958},
		{'4', "00", 2000}, {'4', "36", 2036}, {'4', "37", 1937}, {'4', "99", 1999},
		{'9', "00", 2000}, {'9', "36", 2036}, {'9', "37", 1937}, {'9', "99", 1999},
		{'5', "00", 2000}, {'6', "36", 2036}, {'7', "57", 2057}, {'8', "58", 1858}, {'5', "99", 1899},
	} {
		in := "0102" + tc.yy + "-" + string(tc.seventh) + "123"
		c, err := personid.ParseCPR(in)
		if err != nil {
			t.Errorf("ParseCPR(%s): %v", in, err)
			continue
		}
		if want := date(tc.year, 2, 1); !c.BirthDate().Equal(want) {
			t.Errorf("ParseCPR(%s).BirthDate() = %v, want %v", in, c.BirthDate(), want)
		}
	}
}

func TestParseCPRInvalid(t *testing.T) {
	for _, tc := range []struct{ in, reason string }{
		{"", "empty"},
		{"070761", "want DDMMYY-SSSS or 10 digits"},
		{"070761 4285", "want DDMMYY-SSSS or 10 digits"},
		{"07076-14285", "want DDMMYY-SSSS or 10 digits"},
		{"070761-42855", "want DDMMYY-SSSS or 10 digits"},
		{"07076142855", "want DDMMYY-SSSS or 10 digits"}, // 11 digits: a Norwegian number
		{"070761-428a", "not all digits"},
		{"07076a4285", "not all digits"},
		{"-707614285", "not all digits"},
		{"320160-1234", "not a valid date"},
		{"000160-1234", "not a valid date"},
		{"011360-1234", "not a valid date"},
		{"010060-1234", "not a valid date"},
		{"310460-1234", "not a valid date"},
		{"290200-1234", "not a valid date"}, // 1900
		{"290201-4234", "not a valid date"}, // 2001
		{"610160-1234", "not a valid date"}, // no erstatningspersonnummer (day + 60)
	} {
		c, err := personid.ParseCPR(tc.in)
		var pe *personid.ParseError
		if !errors.As(err, &pe) || pe.Reason != tc.reason {
			t.Errorf("ParseCPR(%q) = %v, %v; want reason %q", tc.in, c, err, tc.reason)
		}
	}
}

func TestZeroCPR(t *testing.T) {
	var c personid.CPR
	if !c.IsZero() || c.Digits() != "" || c.String() != "" || c.Modulus11() || !c.BirthDate().IsZero() || c.Sex() != 0 {
		t.Error("zero CPR is not empty")
	}
	d, _ := personid.ParseCPR("070761-4285")
	if !d.Equal(d) || d.Equal(c) {
		t.Error("Equal is wrong")
	}
}
