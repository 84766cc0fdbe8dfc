package xpath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSmallDecimals checks the 64-bit fast paths of decimal arithmetic,
// comparison, rounding and printing against the same operations on the
// same values held as rationals, on random operands of invoice-like and
// extreme sizes.
func TestSmallDecimals(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func() (Item, Item) { // the value in the small form, and as a rational
		var u int64
		switch rng.IntN(5) {
		case 0:
			u = rng.Int64N(2001) - 1000
		case 1:
			u = rng.Int64N(2_000_000_001) - 1_000_000_000
		case 2:
			u = rng.Int64() - math.MaxInt64/2
		case 3:
			u = []int64{0, 1, -1, 100, math.MaxInt64, math.MinInt64, math.MinInt64 + 1, 999_999_999_999_999_999}[rng.IntN(8)]
		default:
			u = rng.Int64N(1e15) - 5e14
		}
		sc := rng.IntN(19)
		if rng.IntN(4) == 0 {
			sc = 0
		}
		d := decSmall(u, sc)
		if sc == 0 && rng.IntN(3) == 0 {
			i := newInt(u)
			return i, i
		}
		return d, decRat(d.rat())
	}
	show := func(it Item, err error) string {
		if err != nil {
			return "error " + err.Error()
		}
		return fmt.Sprintf("%s %s", typeName(it), StringOf(it))
	}
	for i := 0; i < 200000; i++ {
		a, ar := pick()
		b, br := pick()
		for _, op := range []string{"+", "-", "*", "div", "idiv", "mod"} {
			got, gerr := arith(op, a, b)
			want, werr := arith(op, ar, br)
			if show(got, gerr) != show(want, werr) {
				t.Fatalf("%s %s %s: %s, want %s", StringOf(a), op, StringOf(b), show(got, gerr), show(want, werr))
			}
		}
		c1, ok1 := compareNum(a, b)
		c2, ok2 := compareNum(ar, br)
		if c1 != c2 || ok1 != ok2 {
			t.Fatalf("compare %s %s: %d, want %d", StringOf(a), StringOf(b), c1, c2)
		}
		if d, ok := a.(Decimal); ok {
			dr := ar.(Decimal)
			for name, f := range map[string]func(Decimal) Decimal{
				"round": decRound, "abs": decAbs,
				"floor":   func(x Decimal) Decimal { return decFloorCeil(x, false) },
				"ceiling": func(x Decimal) Decimal { return decFloorCeil(x, true) },
			} {
				if g, w := decString(f(d)), decimalString(f(dr).rat()); g != w {
					t.Fatalf("%s(%s) = %s, want %s", name, decimalString(dr.rat()), g, w)
				}
			}
			if g, w := decString(d), decimalString(dr.rat()); g != w {
				t.Fatalf("string of %d·10^-%d = %s, want %s", d.u, d.sc, g, w)
			}
			wf, _ := dr.rat().Float64()
			if g := decFloat64(d); g != wf {
				t.Fatalf("double of %s = %v, want %v", decimalString(dr.rat()), g, wf)
			}
			if decSign(d) != dr.rat().Sign() {
				t.Fatalf("sign of %s", decimalString(dr.rat()))
			}
			for _, typ := range []string{"integer", "decimal", "double", "string", "boolean"} {
				g, gerr := castTo(d, typ)
				w, werr := castTo(dr, typ)
				if show(g, gerr) != show(w, werr) {
					t.Fatalf("cast %s to %s: %s, want %s", decimalString(dr.rat()), typ, show(g, gerr), show(w, werr))
				}
			}
		}
	}
}
