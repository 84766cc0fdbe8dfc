package xpath

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Decimal is xs:decimal, held exactly: as u·10⁻ˢᶜ when it is small (the
// amounts, quantities and rates of invoices, with no rational behind it),
// else as a rational. Values compare and print by value: 1.50 and 1.5 are
// the same decimal.
type Decimal struct {
	r  *big.Rat // nil: the small form
	u  int64
	sc int8 // 0..18
}

// Small returns d as u·10⁻ˢᶜ when it is held so (at most 18 digits).
func (d Decimal) Small() (u int64, sc int, ok bool) {
	return d.u, int(d.sc), d.r == nil
}

// decRat is the decimal of r (not copied; r must not change afterwards).
func decRat(r *big.Rat) Decimal { return Decimal{r: r} }

// decSmall is u·10⁻ˢᶜ, 0 <= sc <= 18.
func decSmall(u int64, sc int) Decimal { return Decimal{u: u, sc: int8(sc)} }

// rat returns d as a rational (a new one for the small form; never modify
// the one of the big form).
func (d Decimal) rat() *big.Rat {
	if d.r != nil {
		return d.r
	}
	return new(big.Rat).SetFrac64(d.u, pow10[d.sc])
}

// smallNum returns a numeric item as u·10⁻ˢᶜ when it is an Integer or
// Decimal that fits.
func smallNum(a Item) (u int64, sc int, ok bool) {
	switch v := a.(type) {
	case Decimal:
		if v.r == nil {
			return v.u, int(v.sc), true
		}
	case Integer:
		if v.V.IsInt64() {
			return v.V.Int64(), 0, true
		}
	}
	return 0, 0, false
}

// mul64 returns a·b, ok false on overflow.
func mul64(a, b int64) (int64, bool) {
	if a == math.MinInt64 || b == math.MinInt64 {
		return 0, false
	}
	neg := (a < 0) != (b < 0)
	hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(lo), true
	}
	return int64(lo), true
}

func abs64(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

// add64 returns a+b, ok false on overflow.
func add64(a, b int64) (int64, bool) {
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
		return 0, false
	}
	return s, true
}

// align returns a and b at the same scale, ok false on overflow.
func align(a int64, sa int, b int64, sb int) (int64, int64, int, bool) {
	var ok bool
	switch {
	case sa < sb:
		a, ok = mul64(a, pow10[sb-sa])
		return a, b, sb, ok
	case sb < sa:
		b, ok = mul64(b, pow10[sa-sb])
		return a, b, sa, ok
	}
	return a, b, sa, true
}

// smallArith is arith for two small operands, at least one a Decimal; ok
// is false when the result does not fit the small form (the caller then
// computes it with rationals). Division by zero is the caller's to report.
func smallArith(op string, a, b Item) (Item, bool) {
	x, sx, ok1 := smallNum(a)
	y, sy, ok2 := smallNum(b)
	if !ok1 || !ok2 {
		return nil, false
	}
	u, s, ok := smallArith64(op, x, sx, y, sy)
	if !ok {
		return nil, false
	}
	return decSmall(u, s), true
}

// smallArith64 is x·10⁻ˢˣ op y·10⁻ˢʸ (+ - * div) as u·10⁻ˢ; ok is false
// when the result does not fit, or y is zero for div.
func smallArith64(op string, x int64, sx int, y int64, sy int) (u int64, s int, ok bool) {
	switch op {
	case "+", "-":
		if op == "-" {
			if y == math.MinInt64 {
				return 0, 0, false
			}
			y = -y
		}
		x, y, s, ok := align(x, sx, y, sy)
		if !ok {
			return 0, 0, false
		}
		r, ok := add64(x, y)
		return r, s, ok
	case "*":
		if sx+sy > 18 {
			return 0, 0, false
		}
		r, ok := mul64(x, y)
		return r, sx + sy, ok
	case "div":
		// x/y = (x·10^sy / y)·10^-sx: exact when some 10^k makes the
		// division come out even within 18 digits; then Saxon's
		// truncation to at least 18 digits leaves it unchanged.
		if y == 0 {
			return 0, 0, false
		}
		n, ok := mul64(x, pow10[sy])
		if !ok {
			return 0, 0, false
		}
		for k := 0; sx+k <= 18; k++ {
			m, ok := mul64(n, pow10[k])
			if !ok {
				return 0, 0, false
			}
			if m%y == 0 {
				return m / y, sx + k, true
			}
		}
	}
	return 0, 0, false
}

// smallCompare compares two small numbers; ok is false when they do not
// fit the small form or would overflow when aligned.
func smallCompare(a, b Item) (int, bool) {
	x, sx, ok1 := smallNum(a)
	y, sy, ok2 := smallNum(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	x, y, _, ok := align(x, sx, y, sy)
	if !ok {
		return 0, false
	}
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

// floorDiv is ⌊a/b⌋ for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// smallString prints the small form as decimalString prints the value.
func smallString(u int64, sc int) string {
	if sc == 0 {
		return strconv.FormatInt(u, 10)
	}
	neg := u < 0
	var digits string
	if neg {
		digits = strconv.FormatUint(uint64(-(u+1))+1, 10)
	} else {
		digits = strconv.FormatInt(u, 10)
	}
	if len(digits) <= sc {
		digits = strings.Repeat("0", sc-len(digits)+1) + digits
	}
	intPart, frac := digits[:len(digits)-sc], strings.TrimRight(digits[len(digits)-sc:], "0")
	s := intPart
	if frac != "" {
		s += "." + frac
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}

// decRound is fn:round of a decimal: ⌊d + ½⌋.
func decRound(d Decimal) Decimal {
	if d.r == nil {
		if d.sc == 0 {
			return d
		}
		p := pow10[d.sc]
		if v, ok := add64(d.u, p/2); ok {
			return decSmall(floorDiv(v, p), 0)
		}
	}
	r := new(big.Rat).Add(d.rat(), big.NewRat(1, 2))
	return decRat(new(big.Rat).SetInt(ratFloor(r)))
}

// decFloorCeil is fn:floor or fn:ceiling of a decimal.
func decFloorCeil(d Decimal, ceil bool) Decimal {
	if d.r == nil {
		p := pow10[d.sc]
		f := floorDiv(d.u, p)
		if ceil && d.u%p != 0 {
			f++
		}
		return decSmall(f, 0)
	}
	f := ratFloor(d.r)
	if ceil && !d.r.IsInt() {
		f.Add(f, big.NewInt(1))
	}
	return decRat(new(big.Rat).SetInt(f))
}

// decAbs is fn:abs of a decimal.
func decAbs(d Decimal) Decimal {
	if d.r == nil && d.u != math.MinInt64 {
		return decSmall(abs64(d.u), int(d.sc))
	}
	return decRat(new(big.Rat).Abs(d.rat()))
}

// decSign is the sign of a decimal.
func decSign(d Decimal) int {
	if d.r == nil {
		switch {
		case d.u > 0:
			return 1
		case d.u < 0:
			return -1
		}
		return 0
	}
	return d.r.Sign()
}

// decFloat64 is the double nearest to d.
func decFloat64(d Decimal) float64 {
	if d.r == nil && abs64(d.u) <= 1<<53 && d.u != math.MinInt64 {
		// Both exact doubles; IEEE division rounds the exact quotient.
		return float64(d.u) / float64(pow10[d.sc])
	}
	f, _ := d.rat().Float64()
	return f
}

// decString is the canonical lexical form of a decimal.
func decString(d Decimal) string {
	if d.r == nil {
		return smallString(d.u, int(d.sc))
	}
	return decimalString(d.r)
}
