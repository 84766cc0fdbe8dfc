package personid_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/fellesgo/felles/registry/personid"
)

// elevenDigits finds runs of 11 digits, a whole number, in an input.
var elevenDigits = regexp.MustCompile(`[0-9]{11}`)

// tenDigits finds runs of 10 digits, a whole CPR number.
var tenDigits = regexp.MustCompile(`[0-9]{6}-?[0-9]{4}`)

func FuzzParse(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.in)
		f.Add(v.in[:6] + " " + v.in[6:])
	}
	for _, s := range []string{"", " ", "00000000191", "30108299939", "2307942193a", "230794 21936 ", "\x00\xff", "٠١٢٣٤٥٦٧٨٩٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := personid.Parse(s)
		if err != nil {
			var pe *personid.ParseError
			if !errors.As(err, &pe) || !n.IsZero() {
				t.Fatalf("Parse(%q) = %v, %v", s, n, err)
			}
			for _, run := range elevenDigits.FindAllString(s, -1) {
				if strings.Contains(err.Error(), run) {
					t.Fatalf("error %q shows the input %q", err, s)
				}
			}
			return
		}
		d := n.Digits()
		if len(d) != 11 || n.IsZero() {
			t.Fatalf("Parse(%q).Digits() = %q", s, d)
		}
		m, err := personid.Parse(d)
		if err != nil || m != n {
			t.Fatalf("Parse(%q) = %v, %v; Parse(%q) = %v", d, m, err, s, n)
		}
		_, _ = n.BirthDate()
		_, _ = n.Sex()
		_ = n.Kind()
		_ = n.Synthetic()
		_ = n.Scheme()
		for _, out := range []string{n.String(), fmt.Sprintf("%v %+v %#v %s %q %d %x", n, n, n, n, n, n, n)} {
			if strings.Contains(out, d) {
				t.Fatalf("%q shows %s", out, d)
			}
		}
	})
}

func FuzzParseCPR(f *testing.F) {
	for _, s := range []string{"070761-4285", "0707614285", "010160-1235", "290200-4000", "290200-1234", "", "-", "070761-428\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := personid.ParseCPR(s)
		if err != nil {
			var pe *personid.ParseError
			if !errors.As(err, &pe) || !c.IsZero() {
				t.Fatalf("ParseCPR(%q) = %v, %v", s, c, err)
			}
			for _, run := range tenDigits.FindAllString(s, -1) {
				if strings.Contains(err.Error(), run) {
					t.Fatalf("error %q shows the input %q", err, s)
				}
			}
			return
		}
		d := c.Digits()
		if len(d) != 10 || c.IsZero() {
			t.Fatalf("ParseCPR(%q).Digits() = %q", s, d)
		}
		o, err := personid.ParseCPR(d)
		if err != nil || o != c {
			t.Fatalf("ParseCPR(%q) = %v, %v; ParseCPR(%q) = %v", d, o, err, s, c)
		}
		if o, err := personid.ParseCPR(d[:6] + "-" + d[6:]); err != nil || o != c {
			t.Fatalf("ParseCPR with a dash = %v, %v", o, err)
		}
		if c.BirthDate().IsZero() || c.Sex() == 0 {
			t.Fatalf("ParseCPR(%q): no birth date or sex", s)
		}
		_ = c.Modulus11()
		if out := fmt.Sprintf("%v %+v %#v %s %q %d", c, c, c, c, c, c); strings.Contains(out, d) || strings.Contains(out, d[:6]+"-"+d[6:]) {
			t.Fatalf("%q shows %s", out, d)
		}
	})
}
