package personid

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// CPR is a valid Danish CPR number (personnummer), DDMMYY-SSSS. Get one from
// [ParseCPR].
//
// Like [Number], CPR is a small comparable value whose zero value is no
// number ([CPR.IsZero]), and it never shows more than its birth date part:
// fmt (any verb), log/slog, encoding/json and encoding.TextMarshaler all
// print "DDMMYY-****". [CPR.Digits] is the only way to the full number.
//
// CPR rules: https://www.cpr.dk/cpr-systemet/opbygning-af-cpr-nummeret/
type CPR struct {
	// v is the 10 digits as an integer times mulCPR; see Number.v.
	v uint64
}

// ParseCPR parses a CPR number: "DDMMYY-SSSS" or 10 digits, with optional
// white space around it. It checks that the first six digits are a date,
// taking the century from the seventh digit and the year:
//
//	7th digit  year 00–36  37–57  58–99
//	0–3        19xx        19xx   19xx
//	4, 9       20xx        19xx   19xx
//	5–8        20xx        20xx   18xx
//
// ParseCPR does not reject a number that fails the modulus 11 check: CPR
// has issued such numbers since 1 October 2007, they are fully valid and must
// be handled. See [CPR.Modulus11].
//
// The error is a [*ParseError].
func ParseCPR(s string) (CPR, error) {
	t := strings.TrimSpace(s)
	var d [10]byte
	switch {
	case len(t) == 10:
		for i := range 10 {
			c := t[i] - '0'
			if c > 9 {
				return CPR{}, parseError(t, reasonDigits)
			}
			d[i] = c
		}
	case len(t) == 11 && t[6] == '-':
		for i := range 11 {
			if i == 6 {
				continue
			}
			c := t[i] - '0'
			if c > 9 {
				return CPR{}, parseError(t, reasonDigits)
			}
			if i > 6 {
				d[i-1] = c
			} else {
				d[i] = c
			}
		}
	case t == "":
		return CPR{}, parseError(t, reasonEmpty)
	default:
		return CPR{}, parseError(t, reasonLengthDK)
	}
	day, month, year := cprDate(&d)
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, isLeap(year)) {
		return CPR{}, parseError(t, reasonDate)
	}
	var x uint64
	for _, c := range d {
		x = x*10 + uint64(c)
	}
	return CPR{v: x * mulCPR}, nil
}

// cprDate returns the birth date of d, with the century from the table in
// [ParseCPR].
func cprDate(d *[10]byte) (day, month, year int) {
	day = int(d[0])*10 + int(d[1])
	month = int(d[2])*10 + int(d[3])
	yy := int(d[4])*10 + int(d[5])
	switch d[6] {
	case 0, 1, 2, 3:
		year = 1900 + yy
	case 4, 9:
		if yy <= 36 {
			year = 2000 + yy
		} else {
			year = 1900 + yy
		}
	default: // 5–8
		if yy <= 57 {
			year = 2000 + yy
		} else {
			year = 1800 + yy
		}
	}
	return day, month, year
}

func (c CPR) digits() (d [10]byte) {
	x := c.v * invCPR
	for i := 9; i >= 0; i-- {
		d[i] = byte(x % 10)
		x /= 10
	}
	return d
}

// IsZero reports whether c is the zero CPR, which is no number.
func (c CPR) IsZero() bool { return c.v == 0 }

// Equal reports whether c and o are the same number, like c == o.
func (c CPR) Equal(o CPR) bool { return c == o }

// Digits returns the full 10 digits of c, without a dash, or "" for the zero
// CPR. It is the only method that does: send it to services, never log it.
func (c CPR) Digits() string {
	if c.v == 0 {
		return ""
	}
	d := c.digits()
	for i := range d {
		d[i] += '0'
	}
	return string(d[:])
}

// String returns c masked: the birth date, a dash and four '*', like
// "010190-****". It returns "" for the zero CPR.
func (c CPR) String() string {
	if c.v == 0 {
		return ""
	}
	d := c.digits()
	var b [11]byte
	for i := range 6 {
		b[i] = '0' + d[i]
	}
	copy(b[6:], "-****")
	return string(b[:])
}

// Format prints c masked, as [CPR.String], whatever the verb; %q quotes it.
func (c CPR) Format(f fmt.State, verb rune) { formatMasked(f, verb, c.String()) }

// LogValue makes log/slog log c masked.
func (c CPR) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalText returns c masked, as [CPR.String]. Use [CPR.Digits] to put the
// number on the wire.
func (c CPR) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// MarshalJSON returns c masked, as a JSON string ("" for the zero CPR). Use
// [CPR.Digits] to put the number on the wire.
func (c CPR) MarshalJSON() ([]byte, error) { return []byte(`"` + c.String() + `"`), nil }

// UnmarshalText parses the full number with [ParseCPR]. Empty text gives the
// zero CPR.
func (c *CPR) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*c = CPR{}
		return nil
	}
	o, err := ParseCPR(string(b))
	if err != nil {
		return err
	}
	*c = o
	return nil
}

// UnmarshalJSON parses a JSON string holding the full number with
// [ParseCPR]. "" gives the zero CPR; null leaves c unchanged.
func (c *CPR) UnmarshalJSON(b []byte) error {
	s, null, err := jsonString(b)
	if err != nil || null {
		return err
	}
	return c.UnmarshalText([]byte(s))
}

// Modulus11 reports whether c passes the modulus 11 check (weights
// 4,3,2,7,6,5,4,3,2,1). A false result is a warning, never a reason to
// reject: since 1 October 2007 CPR numbers without it are issued (so far for
// people born on 1 January of some years), and persons with them must be
// served. https://www.cpr.dk/cpr-systemet/personnumre-uden-kontrolciffer-modulus-11-kontrol/
func (c CPR) Modulus11() bool {
	if c.v == 0 {
		return false
	}
	d := c.digits()
	w := [10]int{4, 3, 2, 7, 6, 5, 4, 3, 2, 1}
	s := 0
	for i, x := range d {
		s += w[i] * int(x)
	}
	return s%11 == 0
}

// BirthDate returns the birth date c encodes, at midnight UTC; the zero time
// for the zero CPR.
func (c CPR) BirthDate() time.Time {
	if c.v == 0 {
		return time.Time{}
	}
	d := c.digits()
	day, month, year := cprDate(&d)
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// Sex returns the sex c encodes: male if the last digit is odd, female if it
// is even; 0 for the zero CPR.
func (c CPR) Sex() Sex {
	if c.v == 0 {
		return 0
	}
	if d := c.digits(); d[9]%2 == 1 {
		return Male
	}
	return Female
}
