package personid

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a Norwegian [Number].
type Kind int

// The kinds of [Number].
const (
	// Fodselsnummer is the fødselsnummer of a person registered as living
	// in Norway (or once living there).
	Fodselsnummer Kind = iota + 1
	// DNumber is a D-nummer, given to persons with a temporary connection
	// to Norway: 4 is added to the first digit of the day.
	DNumber
)

// String returns "fødselsnummer" or "D-nummer".
func (k Kind) String() string {
	switch k {
	case Fodselsnummer:
		return "fødselsnummer"
	case DNumber:
		return "D-nummer"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Synthetic tells whether a [Number] is a synthetic test number, and whose
// convention it follows. Synthetic numbers exist only in test environments;
// production services reject them.
type Synthetic int

// The synthetic series.
const (
	// NotSynthetic is a number of the real series.
	NotSynthetic Synthetic = iota
	// SyntheticSkatteetaten is Skatteetaten's synthetic series: 80 added
	// to the month (first month digit 8 or 9). Tenor, Folkeregisteret's
	// test environments, Digdir's test users (ID-porten, KRR) use it.
	SyntheticSkatteetaten
	// SyntheticNAV is NAV's synthetic series: 40 added to the month (first
	// month digit 4 or 5). NAV's Dolly uses it, as did NAV's older
	// H-nummer.
	SyntheticNAV
)

// String returns "not synthetic", "synthetic (Skatteetaten, +80)" or
// "synthetic (NAV, +40)".
func (s Synthetic) String() string {
	switch s {
	case NotSynthetic:
		return "not synthetic"
	case SyntheticSkatteetaten:
		return "synthetic (Skatteetaten, +80)"
	case SyntheticNAV:
		return "synthetic (NAV, +40)"
	}
	return "Synthetic(" + strconv.Itoa(int(s)) + ")"
}

// Scheme is the check digit scheme of a [Number].
type Scheme int

// The check digit schemes.
const (
	// SchemeLegacy: the first check remainder is 0. Every number issued
	// before 2032 has it, and so do about a quarter of those issued later.
	SchemeLegacy Scheme = iota + 1
	// Scheme2032: the first check remainder is 1, 2 or 3, which only
	// numbers issued from 1 January 2032 have. Such numbers encode neither
	// the century nor the sex.
	Scheme2032
)

// String returns "legacy" or "2032".
func (s Scheme) String() string {
	switch s {
	case SchemeLegacy:
		return "legacy"
	case Scheme2032:
		return "2032"
	}
	return "Scheme(" + strconv.Itoa(int(s)) + ")"
}

// Sex is the legal sex ("juridisk kjønn") a number encodes.
type Sex int

// The values of [Sex].
const (
	Female Sex = iota + 1
	Male
)

// String returns "female" or "male".
func (s Sex) String() string {
	switch s {
	case Female:
		return "female"
	case Male:
		return "male"
	}
	return "Sex(" + strconv.Itoa(int(s)) + ")"
}

// Number is a valid Norwegian fødselsnummer or D-nummer. Get one from [Parse]
// or from the constructors for test numbers ([Generator], [Synthesize],
// [ForBirthDate]).
//
// Number is a small comparable value: use it as a map key and compare it
// with ==. Its zero value is no number ([Number.IsZero]).
//
// A Number never shows more than its birth date part: fmt (any verb),
// log/slog, encoding/json and encoding.TextMarshaler all print "DDMMYY*****".
// [Number.Digits] is the only way to the full number; use it to put the
// number on the wire. UnmarshalText and UnmarshalJSON read the full digits.
type Number struct {
	// v is the number's 11 digits as an integer times the odd constant
	// mulNumber (mod 2⁶⁴), so that printing an unexported Number field,
	// where fmt cannot call Format and shows the bare struct, shows nothing
	// readable. This is no protection against anyone set on reading it.
	// v == 0 is the zero Number: no valid number is 0.
	v uint64
}

// mulNumber and its inverse mod 2⁶⁴, invNumber; likewise for CPR.
const (
	mulNumber = 0x9e3779b97f4a7c15
	invNumber = 0xf1de83e19937733d
	mulCPR    = 0xbf58476d1ce4e5b9
	invCPR    = 0x96de1b173f119089
)

// Reasons in a [ParseError].
const (
	reasonEmpty    = "empty"
	reasonLength   = "want 11 digits"
	reasonDigits   = "not all digits"
	reasonCheck1   = "wrong first check digit"
	reasonCheck2   = "wrong second check digit"
	reasonDate     = "not a valid date"
	reasonIndivid  = "individnummer not used for the birth year"
	reasonNotJSON  = "not a JSON string"
	reasonLengthDK = "want DDMMYY-SSSS or 10 digits"
)

// ParseError is why a string is not a valid number. Match it with errors.As.
//
// Its text never holds the whole input: Input keeps at most the first six
// characters (the birth date of a well-formed number) and replaces the rest
// with '*'.
type ParseError struct {
	// Input is the input without surrounding white space, masked: the
	// first six characters are kept, each further one becomes '*', and at
	// most 20 characters are kept.
	Input string
	// Reason is why the input was rejected, for example "wrong second
	// check digit" or "not a valid date".
	Reason string
}

func (e *ParseError) Error() string {
	return "personid: invalid number " + strconv.Quote(e.Input) + ": " + e.Reason
}

func parseError(input, reason string) *ParseError {
	return &ParseError{Input: maskInput(input), Reason: reason}
}

// maskInput keeps the first six runes of s, turns the rest into '*' and
// keeps at most 20 runes.
func maskInput(s string) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i == 20 {
			break
		}
		if i >= 6 {
			r = '*'
		}
		b.WriteRune(r)
		i++
	}
	return b.String()
}

// Parse parses a fødselsnummer or D-nummer: 11 digits, with optional white
// space around them and optionally one space between the birth date and the
// personnummer ("010190 12345").
//
// Parse checks
//   - both check digits, accepting the first check remainder 0 of numbers
//     issued before 2032 and 1, 2 or 3 of the scheme used from 2032 (see
//     [Scheme]);
//   - the date: the day (less 40 for a D-nummer) and the month (less 80 or 40
//     for synthetic numbers, see [Synthetic]) must form a date;
//   - for numbers of [SchemeLegacy], that the individnummer is one used for
//     the two-digit year, and the date in the century it gives (29 February
//     1900 is rejected). D-numbers accept both the series from before and
//     after Skatteetaten extended them in 2021.
//
// Parse does not reject a birth date in the future: numbers for the 2030s
// exist in test data. It rejects a FH-nummer (first digit 8 or 9).
//
// One case it would get wrong: a number issued from 2032 whose first check
// remainder happens to be 0 and whose individnummer is outside the table for
// its year is rejected as the older number it looks like. Skatteetaten plans
// to count individnumre down from 999, which the table allows for every year,
// so this is not expected before many numbers share a birth date.
//
// The error is a [*ParseError].
func Parse(s string) (Number, error) {
	t := strings.TrimSpace(s)
	var d [11]byte
	switch {
	case len(t) == 11:
		for i := range 11 {
			c := t[i] - '0'
			if c > 9 {
				return Number{}, parseError(t, reasonDigits)
			}
			d[i] = c
		}
	case len(t) == 12 && t[6] == ' ':
		for i := range 12 {
			if i == 6 {
				continue
			}
			c := t[i] - '0'
			if c > 9 {
				return Number{}, parseError(t, reasonDigits)
			}
			if i > 6 {
				d[i-1] = c
			} else {
				d[i] = c
			}
		}
	case t == "":
		return Number{}, parseError(t, reasonEmpty)
	default:
		return Number{}, parseError(t, reasonLength)
	}
	if reason := validate(&d); reason != "" {
		return Number{}, parseError(t, reason)
	}
	return fromDigits(&d), nil
}

// ParseLegacy is [Parse] without the 2032 rule: the first check digit must
// give remainder 0, as every number issued before 2032 does. Use it where a
// number from the new scheme cannot be genuine yet and more typing errors
// should be caught; [Parse] accepts both schemes, as Skatteetaten asks.
func ParseLegacy(s string) (Number, error) {
	n, err := Parse(s)
	if err != nil {
		return Number{}, err
	}
	if n.Scheme() != SchemeLegacy {
		return Number{}, &ParseError{Input: n.String(), Reason: "wrong first check digit (valid only under the 2032 scheme)"}
	}
	return n, nil
}

// remainders returns the two check remainders of d: the first must be 0 (or
// 1, 2, 3 from 2032), the second 0.
func remainders(d *[11]byte) (r1, r2 int) {
	s1 := 3*int(d[0]) + 7*int(d[1]) + 6*int(d[2]) + int(d[3]) + 8*int(d[4]) +
		9*int(d[5]) + 4*int(d[6]) + 5*int(d[7]) + 2*int(d[8]) + int(d[9])
	s2 := 5*int(d[0]) + 4*int(d[1]) + 3*int(d[2]) + 2*int(d[3]) + 7*int(d[4]) +
		6*int(d[5]) + 5*int(d[6]) + 4*int(d[7]) + 3*int(d[8]) + 2*int(d[9]) + int(d[10])
	return s1 % 11, s2 % 11
}

// fields are the parts of a number's first nine digits, offsets removed.
type fields struct {
	day, month, yy, individ int
	kind                    Kind
	synth                   Synthetic
}

// split reads d's date and individnummer; ok is false if the first or third
// digit is not one of a number.
func split(d *[11]byte) (f fields, ok bool) {
	f.day = int(d[0])*10 + int(d[1])
	f.month = int(d[2])*10 + int(d[3])
	f.yy = int(d[4])*10 + int(d[5])
	f.individ = int(d[6])*100 + int(d[7])*10 + int(d[8])
	switch d[0] {
	case 0, 1, 2, 3:
		f.kind = Fodselsnummer
	case 4, 5, 6, 7:
		f.kind = DNumber
		f.day -= 40
	default:
		return f, false
	}
	switch d[2] {
	case 0, 1:
		f.synth = NotSynthetic
	case 4, 5:
		f.synth = SyntheticNAV
		f.month -= 40
	case 8, 9:
		f.synth = SyntheticSkatteetaten
		f.month -= 80
	default:
		return f, false
	}
	return f, true
}

// validate returns why d is not a valid number, or "".
func validate(d *[11]byte) string {
	r1, r2 := remainders(d)
	if r1 > 3 {
		return reasonCheck1
	}
	if r2 != 0 {
		return reasonCheck2
	}
	f, ok := split(d)
	if !ok || f.day < 1 || f.month < 1 || f.month > 12 {
		return reasonDate
	}
	if r1 != 0 {
		// The 2032 scheme does not give the century: any leap year will do.
		if f.day > daysIn(f.month, f.yy%4 == 0) {
			return reasonDate
		}
		return ""
	}
	year, ok := yearOf(f.kind, f.individ, f.yy)
	if !ok {
		return reasonIndivid
	}
	if f.day > daysIn(f.month, isLeap(year)) {
		return reasonDate
	}
	return ""
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(month int, leap bool) int {
	switch month {
	case 2:
		if leap {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// yearOf returns the birth year the individnummer gives with the two-digit
// year yy, for numbers of the legacy scheme.
func yearOf(k Kind, individ, yy int) (int, bool) {
	if k == DNumber {
		if y, ok := dYear2021(individ, yy); ok {
			return y, true
		}
	}
	return fYear(individ, yy)
}

// fYear is the table for fødselsnummer (and D-numbers issued before
// November 2021):
//
//	000–499  1900–1999
//	500–749  1854–1899
//	500–999  2000–2039
//	900–999  1940–1999
func fYear(individ, yy int) (int, bool) {
	switch {
	case individ <= 499:
		return 1900 + yy, true
	case individ >= 900 && yy >= 40:
		return 1900 + yy, true
	case yy <= 39:
		return 2000 + yy, true
	case individ <= 749 && yy >= 54:
		return 1800 + yy, true
	}
	return 0, false
}

// dYear2021 is the table for D-numbers issued since November 2021, when
// Skatteetaten extended the series:
//
//	500–599            1858–1899
//	000–199            1900–1939
//	000–499, 600–999   1940–1999
//	200–999            2000–2039
func dYear2021(individ, yy int) (int, bool) {
	switch {
	case individ <= 199:
		return 1900 + yy, true
	case yy <= 39:
		return 2000 + yy, true
	case individ >= 500 && individ <= 599:
		if yy >= 58 {
			return 1800 + yy, true
		}
		return 0, false
	}
	return 1900 + yy, true
}

func fromDigits(d *[11]byte) Number {
	var x uint64
	for _, c := range d {
		x = x*10 + uint64(c)
	}
	return Number{v: x * mulNumber}
}

// digits returns n's digits as values 0–9.
func (n Number) digits() (d [11]byte) {
	x := n.v * invNumber
	for i := 10; i >= 0; i-- {
		d[i] = byte(x % 10)
		x /= 10
	}
	return d
}

// IsZero reports whether n is the zero Number, which is no number.
func (n Number) IsZero() bool { return n.v == 0 }

// Equal reports whether n and m are the same number, like n == m. It lets
// github.com/google/go-cmp compare values holding a Number.
func (n Number) Equal(m Number) bool { return n == m }

// Digits returns the full 11 digits of n, or "" for the zero Number. It is
// the only method that does: send it to services, never log it.
func (n Number) Digits() string {
	if n.v == 0 {
		return ""
	}
	d := n.digits()
	for i := range d {
		d[i] += '0'
	}
	return string(d[:])
}

// String returns n masked: the birth date part and five '*', like
// "010190*****". It returns "" for the zero Number.
func (n Number) String() string {
	if n.v == 0 {
		return ""
	}
	d := n.digits()
	for i := range d {
		if i < 6 {
			d[i] += '0'
		} else {
			d[i] = '*'
		}
	}
	return string(d[:])
}

// Format prints n masked, as [Number.String], whatever the verb: %v, %+v,
// %#v, %s, %d, %x... %q quotes it. Width and the '-' flag pad as for
// strings.
func (n Number) Format(f fmt.State, verb rune) {
	formatMasked(f, verb, n.String())
}

func formatMasked(f fmt.State, verb rune, masked string) {
	if verb != 'q' {
		verb = 's'
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), masked)
}

// LogValue makes log/slog log n masked.
func (n Number) LogValue() slog.Value { return slog.StringValue(n.String()) }

// MarshalText returns n masked, as [Number.String]; encoding/json uses it for
// map keys. Use [Number.Digits] to put the number on the wire.
func (n Number) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// MarshalJSON returns n masked, as a JSON string ("" for the zero Number).
// Use [Number.Digits] to put the number on the wire: a Number marshalled
// with encoding/json does not unmarshal again.
func (n Number) MarshalJSON() ([]byte, error) { return []byte(`"` + n.String() + `"`), nil }

// UnmarshalText parses the full digits with [Parse]. Empty text gives the
// zero Number.
func (n *Number) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*n = Number{}
		return nil
	}
	m, err := Parse(string(b))
	if err != nil {
		return err
	}
	*n = m
	return nil
}

// UnmarshalJSON parses a JSON string holding the full digits with [Parse].
// "" gives the zero Number; null leaves n unchanged.
func (n *Number) UnmarshalJSON(b []byte) error {
	s, null, err := jsonString(b)
	if err != nil || null {
		return err
	}
	return n.UnmarshalText([]byte(s))
}

// jsonString decodes the JSON string b without echoing b in an error.
func jsonString(b []byte) (s string, null bool, err error) {
	if string(b) == "null" {
		return "", true, nil
	}
	if len(b) < 2 || b[0] != '"' || json.Unmarshal(b, &s) != nil {
		return "", false, &ParseError{Input: maskInput(string(b)), Reason: reasonNotJSON}
	}
	return s, false, nil
}

// Kind returns whether n is a fødselsnummer or a D-nummer; 0 for the zero
// Number.
func (n Number) Kind() Kind {
	if n.v == 0 {
		return 0
	}
	d := n.digits()
	if d[0] >= 4 {
		return DNumber
	}
	return Fodselsnummer
}

// Synthetic returns which synthetic series n belongs to, or NotSynthetic.
func (n Number) Synthetic() Synthetic {
	if n.v == 0 {
		return NotSynthetic
	}
	d := n.digits()
	f, _ := split(&d)
	return f.synth
}

// Scheme returns n's check digit scheme; 0 for the zero Number.
//
// A number of Scheme2032 was issued from 2032. One of SchemeLegacy was
// issued before 2032, or from 2032 with a first check remainder of 0; the two
// cannot be told apart.
func (n Number) Scheme() Scheme {
	if n.v == 0 {
		return 0
	}
	d := n.digits()
	if r1, _ := remainders(&d); r1 != 0 {
		return Scheme2032
	}
	return SchemeLegacy
}

// BirthDate returns the birth date n encodes, at midnight UTC, with the
// offsets for D-numbers and synthetic numbers removed and the century taken
// from the individnummer. It reports false for the zero Number and for
// numbers of Scheme2032, which do not encode the century.
//
// The date is a best effort: a D-nummer's date may differ from the real
// birth date, a D-nummer issued before November 2021 may get the wrong
// century, and so may a number issued from 2032 that happens to be of
// SchemeLegacy. Folkeregisteret's foedselsdato is authoritative.
func (n Number) BirthDate() (time.Time, bool) {
	if n.v == 0 {
		return time.Time{}, false
	}
	d := n.digits()
	if r1, _ := remainders(&d); r1 != 0 {
		return time.Time{}, false
	}
	f, _ := split(&d)
	year, _ := yearOf(f.kind, f.individ, f.yy)
	return time.Date(year, time.Month(f.month), f.day, 0, 0, 0, 0, time.UTC), true
}

// Sex returns the legal sex n encodes: male if the third digit of the
// individnummer is odd, female if it is even. It reports false for the zero
// Number and for numbers of Scheme2032, which are gender-neutral; a number
// issued from 2032 that happens to be of SchemeLegacy encodes no sex either,
// so Folkeregisteret's kjoenn is authoritative.
func (n Number) Sex() (Sex, bool) {
	if n.v == 0 {
		return 0, false
	}
	d := n.digits()
	if r1, _ := remainders(&d); r1 != 0 {
		return 0, false
	}
	if d[8]%2 == 1 {
		return Male, true
	}
	return Female, true
}
