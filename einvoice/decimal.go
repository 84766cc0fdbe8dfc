package einvoice

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fellesgo/felles/internal/redact"
	"strings"

	"github.com/shopspring/decimal"
)

// MaxDecimalLength is the longest decimal literal, in bytes and after
// trimming XML white space, that [ParseDecimal] accepts. It bounds the
// number of digits and therefore the scale of every value that comes from
// untrusted input; no real amount, quantity or percentage comes close.
const MaxDecimalLength = 64

// ErrDivisionByZero is returned by [Decimal.Div] when the divisor is zero.
var ErrDivisionByZero = errors.New("einvoice: decimal division by zero")

// DecimalError reports a decimal literal that [ParseDecimal] refused.
type DecimalError struct {
	// Input is the refused text, clipped to a readable length.
	Input string
	// Reason says what is wrong with it.
	Reason string
}

func (e *DecimalError) Error() string {
	return redact.String(fmt.Sprintf("einvoice: invalid decimal %q: %s", e.Input, e.Reason))
}

// Decimal is an exact decimal number with a scale (the number of digits
// after the decimal point), as used for every amount, quantity and
// percentage in an e-invoice. It never uses binary floating point.
//
// A Decimal remembers its lexical scale: "100.00" and "100" are equal
// numbers (see [Decimal.Cmp]) but keep their two and zero decimals through
// parsing, arithmetic and [Decimal.String]. That matters because the
// EN 16931 rules BR-DEC-* count the decimals written in the document (an
// amount may have at most two).
//
// The zero value is the number 0 with scale 0. Decimals are immutable and
// comparable with ==, which compares value and scale (use [Decimal.Cmp] to
// compare numbers).
//
// Decimal implements [encoding.TextMarshaler] and
// [encoding.TextUnmarshaler], so encoding/xml handles it as text, and
// [json.Marshaler] and [json.Unmarshaler], writing a JSON string such as
// "123.45" so that no JSON reader turns it into a float.
type Decimal struct {
	// s is the canonical lexical form (see String), except that "0" is
	// stored as "" so that the zero value and a parsed "0" are identical.
	s string
}

// ParseDecimal parses an xs:decimal literal: an optional sign, digits, and
// an optional fraction ("-12", "100.00", ".5", "+3."). Exponents, NaN,
// infinities, digit separators and embedded spaces are refused; leading
// and trailing XML white space is ignored. The scale is the number of
// digits written after the point. Inputs longer than [MaxDecimalLength]
// are refused. Errors are of type *[DecimalError].
func ParseDecimal(s string) (Decimal, error) {
	t := trimSpace(s)
	if len(t) > MaxDecimalLength {
		return Decimal{}, &DecimalError{Input: clip(s, 40), Reason: fmt.Sprintf("longer than %d bytes", MaxDecimalLength)}
	}
	body := t
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return Decimal{}, &DecimalError{Input: clip(s, 40), Reason: fmt.Sprintf("unexpected character %q", c)}
		}
	}
	if digits == 0 {
		return Decimal{}, &DecimalError{Input: clip(s, 40), Reason: "no digits"}
	}
	// shopspring rejects "5." and ".": normalise the forms xs:decimal allows.
	if strings.HasSuffix(t, ".") {
		t = strings.TrimSuffix(t, ".")
	}
	if strings.HasPrefix(t, "+") {
		t = t[1:]
	}
	if strings.HasPrefix(t, ".") || strings.HasPrefix(t, "-.") {
		t = strings.Replace(t, ".", "0.", 1)
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return Decimal{}, &DecimalError{Input: clip(s, 40), Reason: "not a decimal number"}
	}
	return fromShop(d), nil
}

// MustDecimal is like [ParseDecimal] but panics if s is not a valid
// decimal. It is meant only for literals in program text and tests, such
// as MustDecimal("25"); never call it on input.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// NewDecimalFromInt returns the integer n with scale 0.
func NewDecimalFromInt(n int64) Decimal {
	return fromShop(decimal.New(n, 0))
}

// NewDecimal returns the number unscaled × 10^-scale; NewDecimal(12345, 2)
// is 123.45. A negative scale is treated as 0.
func NewDecimal(unscaled int64, scale int32) Decimal {
	if scale < 0 {
		scale = 0
	}
	return fromShop(decimal.New(unscaled, -scale))
}

func fromShop(d decimal.Decimal) Decimal {
	exp := d.Exponent()
	var s string
	if exp >= 0 {
		s = d.StringFixed(0)
	} else {
		s = d.StringFixed(-exp)
	}
	if s == "0" {
		s = ""
	}
	return Decimal{s: s}
}

func (d Decimal) shop() decimal.Decimal {
	if d.s == "" {
		return decimal.Zero
	}
	v, err := decimal.NewFromString(d.s)
	if err != nil {
		// Unreachable: s is always a canonical form written by fromShop.
		return decimal.Zero
	}
	return v
}

// String returns the canonical lexical form: an optional minus sign, the
// integer digits without leading zeros, and exactly Scale() fraction
// digits ("100.00", "-0.5", "7"). Negative zero is written without sign.
func (d Decimal) String() string {
	if d.s == "" {
		return "0"
	}
	return d.s
}

// Scale returns the number of digits after the decimal point.
func (d Decimal) Scale() int32 {
	if i := strings.IndexByte(d.s, '.'); i >= 0 {
		return int32(len(d.s) - i - 1)
	}
	return 0
}

// StringFixed returns d rounded half away from zero to exactly places
// decimals, as text; StringFixed(2) of 1.005 is "1.01".
func (d Decimal) StringFixed(places int32) string {
	return d.Round(places).String()
}

// Add returns d + e, with the larger of the two scales.
func (d Decimal) Add(e Decimal) Decimal { return fromShop(d.shop().Add(e.shop())) }

// Sub returns d − e, with the larger of the two scales.
func (d Decimal) Sub(e Decimal) Decimal { return fromShop(d.shop().Sub(e.shop())) }

// Mul returns the exact product d × e, whose scale is the sum of the scales.
func (d Decimal) Mul(e Decimal) Decimal { return fromShop(d.shop().Mul(e.shop())) }

// Div returns d ÷ e rounded half away from zero to exactly scale decimals.
// It returns [ErrDivisionByZero] if e is zero. A negative scale is treated
// as 0.
func (d Decimal) Div(e Decimal, scale int32) (Decimal, error) {
	if e.IsZero() {
		return Decimal{}, ErrDivisionByZero
	}
	if scale < 0 {
		scale = 0
	}
	return fromShop(d.shop().DivRound(e.shop(), scale)), nil
}

// Neg returns −d with the same scale.
func (d Decimal) Neg() Decimal { return fromShop(d.shop().Neg()) }

// Abs returns |d| with the same scale.
func (d Decimal) Abs() Decimal { return fromShop(d.shop().Abs()) }

// Cmp compares the numbers d and e, ignoring scale: -1 if d < e, 0 if
// they are equal (so 100 and 100.00 compare equal), +1 if d > e.
func (d Decimal) Cmp(e Decimal) int { return d.shop().Cmp(e.shop()) }

// IsZero reports whether d is the number zero, whatever its scale.
func (d Decimal) IsZero() bool { return d.Sign() == 0 }

// Sign returns -1, 0 or +1 according to the sign of d.
func (d Decimal) Sign() int {
	switch {
	case d.s == "":
		return 0
	case d.s[0] == '-':
		return -1
	case strings.Trim(d.s, "0.") == "":
		return 0
	}
	return 1
}

// Round returns d rounded to exactly places decimals (a negative places
// is treated as 0), half away from zero: 0.125 → 0.13 and −0.125 → −0.13.
// This is the commercial rounding EN 16931 expects for amounts, and the
// builder in this package rounds every computed amount with Round(2).
// A shorter value is padded: Round(2) of 100 is 100.00.
//
// Note that XPath's round(), which the official Schematron rules use, rounds
// half towards positive infinity (round(-0.125 * 100) is -12); the two
// differ on negative values exactly half-way between. The builder can
// produce one (VAT of a negative line, −0.125 → −0.13 where XPath gives
// −0.12); the rules that recompute such amounts allow a difference of
// ±1 (BR-CO-17, BR-x-08) or ±0.02 (PEPPOL-EN16931-R040/R120), so the
// document is still valid.
func (d Decimal) Round(places int32) Decimal {
	if places < 0 {
		places = 0
	}
	return fromShop(d.shop().Round(places))
}

// MarshalText implements [encoding.TextMarshaler] with [Decimal.String].
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseDecimal].
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := ParseDecimal(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON implements [json.Marshaler]; the number is written as a JSON
// string, "123.45", so that it keeps its scale and no reader makes it a
// float.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON implements [json.Unmarshaler]. It accepts a JSON string
// holding a decimal literal and, for convenience, a bare JSON number
// without exponent; both go through [ParseDecimal]. JSON null leaves d
// unchanged.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil // like encoding/json for other types: no change
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return &DecimalError{Input: clip(string(b), 40), Reason: "not a JSON string"}
		}
	}
	return d.UnmarshalText([]byte(s))
}

// clip shortens s to at most n bytes for use in an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
