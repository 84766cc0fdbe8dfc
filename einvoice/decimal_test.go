package einvoice

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

func TestParseDecimalKeepsScale(t *testing.T) {
	tests := []struct{ in, want string }{
		{"100.00", "100.00"},
		{"100", "100"},
		{"0", "0"},
		{"0.00", "0.00"},
		{"-0.00", "0.00"},
		{"+3.5", "3.5"},
		{"007.10", "7.10"},
		{".5", "0.5"},
		{"-.5", "-0.5"},
		{"5.", "5"},
		{" \n12.340\t", "12.340"},
		{"-1234567890123456789012345678901234567890.123456789", "-1234567890123456789012345678901234567890.123456789"},
	}
	for _, tt := range tests {
		d, err := ParseDecimal(tt.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", tt.in, err)
			continue
		}
		if got := d.String(); got != tt.want {
			t.Errorf("ParseDecimal(%q) = %q, want %q", tt.in, got, tt.want)
		}
		again, err := ParseDecimal(d.String())
		if err != nil || again != d {
			t.Errorf("re-parse of %q = %v, %v", d, again, err)
		}
	}
}

func TestParseDecimalRefuses(t *testing.T) {
	for _, in := range []string{"", " ", "-", "+", ".", "1e3", "1E-3", "NaN", "Inf", "1,5", "1 000", "1.2.3", "--1", "0x10", "١٢", strings.Repeat("1", MaxDecimalLength+1), "0." + strings.Repeat("0", 100000)} {
		_, err := ParseDecimal(in)
		var de *DecimalError
		if !errors.As(err, &de) {
			t.Errorf("ParseDecimal(%q) err = %v, want *DecimalError", clip(in, 20), err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "einvoice: invalid decimal") || len(err.Error()) > 200 {
			t.Errorf("error message %q", err)
		}
	}
}

func TestDecimalZeroValue(t *testing.T) {
	var z Decimal
	if z.String() != "0" || !z.IsZero() || z.Sign() != 0 || z.Scale() != 0 {
		t.Errorf("zero value: %q %v %d %d", z, z.IsZero(), z.Sign(), z.Scale())
	}
	if MustDecimal("0") != z || NewDecimalFromInt(0) != z {
		t.Error("parsed 0 differs from zero value")
	}
	if MustDecimal("0.00") == z || !MustDecimal("0.00").IsZero() {
		t.Error("0.00 must keep its scale but be zero")
	}
}

func TestDecimalArithmetic(t *testing.T) {
	d := MustDecimal
	tests := []struct {
		name string
		got  Decimal
		want string
	}{
		{"add scale", d("1.5").Add(d("2.25")), "3.75"},
		{"add keeps larger scale", d("100").Add(d("0.00")), "100.00"},
		{"sub", d("1.00").Sub(d("3")), "-2.00"},
		{"mul exact", d("1.25").Mul(d("0.25")), "0.3125"},
		{"mul scale sum", d("2.50").Mul(d("4.0")), "10.000"},
		{"neg", d("2.50").Neg(), "-2.50"},
		{"neg zero", d("0.00").Neg(), "0.00"},
		{"abs", d("-2.50").Abs(), "2.50"},
		{"round pad", d("100").Round(2), "100.00"},
		{"round half up", d("0.005").Round(2), "0.01"},
		{"round half away from zero negative", d("-0.005").Round(2), "-0.01"},
		{"round 2.675", d("2.675").Round(2), "2.68"},
		{"round 1.0049", d("1.0049").Round(2), "1.00"},
		{"round -0.125", d("-0.125").Round(2), "-0.13"},
		{"round to zero", d("-0.004").Round(2), "0.00"},
		{"round negative places", d("1.5").Round(-1), "2"},
		{"new decimal", NewDecimal(12345, 2), "123.45"},
		{"new decimal negative scale", NewDecimal(7, -3), "7"},
		{"from int", NewDecimalFromInt(-42), "-42"},
	}
	for _, tt := range tests {
		if got := tt.got.String(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := d("1.005").StringFixed(2); got != "1.01" {
		t.Errorf("StringFixed = %q", got)
	}
	q, err := d("10").Div(d("3"), 2)
	if err != nil || q.String() != "3.33" {
		t.Errorf("10/3 = %v, %v", q, err)
	}
	q, _ = d("-1").Div(d("8"), 2)
	if q.String() != "-0.13" {
		t.Errorf("-1/8 = %v", q)
	}
	q, _ = d("1").Div(d("4"), 0)
	if q.String() != "0" {
		t.Errorf("1/4 rounded to 0 decimals = %v", q)
	}
	if _, err := d("1").Div(d("0.00"), 2); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("division by zero: %v", err)
	}
	if d("100").Cmp(d("100.00")) != 0 || d("-1").Cmp(d("0")) != -1 || d("0.01").Cmp(d("0")) != 1 {
		t.Error("Cmp")
	}
	if d("-0.01").Sign() != -1 || d("0.01").Sign() != 1 || d("-0.00").Sign() != 0 {
		t.Error("Sign")
	}
	if d("12.340").Scale() != 3 {
		t.Error("Scale")
	}
}

func TestDecimalMustPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustDecimal did not panic")
		}
	}()
	MustDecimal("x")
}

func TestDecimalEncodings(t *testing.T) {
	type T struct {
		A Decimal  `json:"a" xml:"a"`
		B *Decimal `json:"b,omitempty" xml:"b,attr,omitempty"`
	}
	b := MustDecimal("-0.50")
	v := T{A: MustDecimal("123.40"), B: &b}
	j, err := json.Marshal(v)
	if err != nil || string(j) != `{"a":"123.40","b":"-0.50"}` {
		t.Fatalf("json = %s, %v", j, err)
	}
	var back T
	if err := json.Unmarshal(j, &back); err != nil || back.A != v.A || *back.B != b {
		t.Errorf("json round trip = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"a":12.50}`), &back); err != nil || back.A.String() != "12.50" {
		t.Errorf("json number = %v, %v", back.A, err)
	}
	for _, bad := range []string{`{"a":"1e5"}`, `{"a":1e5}`, `{"a":true}`, `{"a":"x"}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("json %s accepted", bad)
		}
	}
	x, err := xml.Marshal(v)
	if err != nil || string(x) != `<T b="-0.50"><a>123.40</a></T>` {
		t.Fatalf("xml = %s, %v", x, err)
	}
	var xb T
	if err := xml.Unmarshal(x, &xb); err != nil || xb.A != v.A || *xb.B != b {
		t.Errorf("xml round trip = %+v, %v", xb, err)
	}
}
