package xpath

import (
	"math"
)

// Compiled arithmetic.
//
// The calculation rules (BR-CO-10..17, BR-S-09, PEPPOL-EN16931-R120 and its
// lets, ...) are arithmetic on a handful of amounts:
//
//	xs:decimal(cbc:TaxInclusiveAmount) = round((xs:decimal(cbc:TaxExclusiveAmount) + ...) * 10 * 10) div 100
//
// The general evaluator builds a sequence, and boxes a value, for every
// operand and every intermediate result. Here such an expression is
// compiled once, by Prepare, into Go functions that compute on unboxed
// numbers (num). The compiled code computes exactly what the general
// evaluator would, with the same types (xs:integer, xs:decimal, xs:double)
// and the same arithmetic, for the values it handles: integers and decimals
// of at most 18 digits, and doubles. Anything else (a cast that fails, more
// than one item where one is expected, a decimal that needs more digits,
// division by zero) makes it give up, and the whole expression is evaluated
// by the general evaluator instead, for that evaluation only; that
// evaluation also reports any error.

// numKind is the type of a num.
type numKind uint8

const (
	numEmpty numKind = iota // the empty sequence
	numInt                  // xs:integer u
	numDec                  // xs:decimal u·10⁻ˢᶜ
	numDbl                  // xs:double f
)

// num is an empty sequence or one number, unboxed.
type num struct {
	k  numKind
	sc int8
	// untyped marks a double cast from an untypedAtomic value (a node's):
	// general comparisons of such values differ from those of doubles
	// (see untypedVsNumber).
	untyped bool
	u       int64
	f       float64
}

// numFn evaluates a compiled numeric expression; ok false means it cannot
// (then the caller hands the expression to the general evaluator).
type numFn func(ev *evaluator, c dctx) (v num, ok bool)

// numExpr is a numeric expression with its compiled form, placed by
// Prepare where the general evaluator needs its value (function arguments,
// the branches of if, the sequences quantifiers bind, let values).
type numExpr struct {
	X Expr
	f numFn
}

func (*numExpr) exprNode()        {}
func (n *numExpr) String() string { return n.X.String() }

// eval is the value of a numExpr as the general evaluator gives it.
func (n *numExpr) eval(ev *evaluator, c dctx) (Seq, error) {
	if ev.plain > 0 {
		return ev.eval(n.X, c)
	}
	v, ok := n.f(ev, c)
	if !ok {
		return ev.evalPlain(n.X, c)
	}
	switch v.k {
	case numInt:
		return ev.one(newInt(v.u)), nil
	case numDec:
		return ev.one(decSmall(v.u, int(v.sc))), nil
	case numDbl:
		return ev.one(Double(v.f)), nil
	}
	return nil, nil
}

// evalPlain evaluates e with the general evaluator only (see
// evaluator.plain), after compiled code gave up on it.
func (ev *evaluator) evalPlain(e Expr, c dctx) (Seq, error) {
	ev.plain++
	defer func() { ev.plain-- }()
	return ev.eval(e, c)
}

// ebvPlain is ebv with the general evaluator only.
func (ev *evaluator) ebvPlain(e Expr, c dctx) (bool, error) {
	ev.plain++
	defer func() { ev.plain-- }()
	return ev.ebv(e, c)
}

// CompileValue returns e, prepared, with its compiled form when it is a
// numeric expression that compiles (for an expression whose value is used,
// like a let's); else e itself.
func CompileValue(e Expr) Expr {
	if testNoCompile {
		return e
	}
	return numWrap(e)
}

// numWrap wraps e in a numExpr when it is an arithmetic expression, a call
// of a numeric function or an if of two such, and compiles.
func numWrap(e Expr) Expr {
	switch n := e.(type) {
	case *Binary, *Unary, *If:
	case *FuncCall:
		if n.folded || (n.ctor != "decimal" && (n.bi == nil || !numericBuiltin[n.Name.Local])) {
			return e
		}
	default:
		return e
	}
	if callsOut(e) {
		return e
	}
	if f := compileNum(e); f != nil {
		return &numExpr{X: e, f: f}
	}
	return e
}

// callsOut reports whether e calls a function other than a builtin or a
// constructor. Compiled code that gives up has the expression evaluated
// again: such a function (an XSLT function, perhaps recursive) would be
// called twice, at every level of its recursion.
func callsOut(e Expr) bool {
	out := false
	Walk(e, func(x Expr) bool {
		if f, ok := x.(*FuncCall); ok && !f.folded && f.bi == nil && f.ctor == "" {
			out = true
		}
		return !out
	})
	return out
}

var numericBuiltin = map[string]bool{"round": true, "abs": true, "floor": true, "ceiling": true, "sum": true, "count": true}

// numify wraps the numeric expressions of a prepared expression whose value
// the general evaluator needs.
func numify(e Expr) {
	Walk(e, func(x Expr) bool {
		switch n := x.(type) {
		case *FuncCall:
			if !n.folded {
				for i := range n.Args {
					n.Args[i] = numWrap(n.Args[i])
				}
			}
		case *If:
			n.Then, n.Else = numWrap(n.Then), numWrap(n.Else)
		case *Quantified:
			for i := range n.Bindings {
				n.Bindings[i].In = numWrap(n.Bindings[i].In)
			}
		case *For:
			for i := range n.Bindings {
				n.Bindings[i].In = numWrap(n.Bindings[i].In)
			}
		case *cseExpr:
			n.X = numWrap(n.X)
		}
		return true
	})
}

// compileNum compiles an expression that surely gives at most one number
// (or fails): a numeric literal, arithmetic, round, abs, floor, ceiling,
// sum, count, xs:decimal, an if with two such branches, or a path whose
// last step is one of these. Else nil.
func compileNum(e Expr) numFn {
	switch n := e.(type) {
	case *numExpr:
		return n.f
	case *Literal:
		if n.Kind == StringLit || len(n.val) != 1 {
			return nil
		}
		v, ok := numOfItem(n.val[0])
		if !ok {
			return nil
		}
		return func(*evaluator, dctx) (num, bool) { return v, true }
	case *FuncCall:
		if n.folded {
			if len(n.val) != 1 || !isNumeric(n.val[0]) {
				return nil
			}
			v, ok := numOfItem(n.val[0])
			if !ok {
				return nil
			}
			return func(*evaluator, dctx) (num, bool) { return v, true }
		}
		if n.ctor == "decimal" {
			return compileDecimalCast(n.Args[0])
		}
		if n.bi == nil || len(n.Args) != 1 {
			return nil
		}
		switch n.Name.Local {
		case "round", "abs", "floor", "ceiling":
			return compileRounding(n.Name.Local, operand(n.Args[0]))
		case "sum":
			return compileSum(n.Args[0])
		case "count":
			return compileCount(n.Args[0])
		}
	case *Binary:
		switch n.Op {
		case "+", "-", "*", "div":
			l, r, op := operand(n.L), operand(n.R), n.Op
			return func(ev *evaluator, c dctx) (num, bool) {
				a, ok := l(ev, c)
				if !ok {
					return num{}, false
				}
				b, ok := r(ev, c)
				if !ok {
					return num{}, false
				}
				return arithNum(op, a, b)
			}
		}
	case *Unary:
		x := operand(n.X)
		if n.Op == "+" {
			return x
		}
		return func(ev *evaluator, c dctx) (num, bool) {
			a, ok := x(ev, c)
			if !ok {
				return num{}, false
			}
			switch a.k {
			case numDbl:
				a.f = -a.f
				return a, true
			case numInt, numDec:
				if a.u == math.MinInt64 {
					return num{}, false
				}
				a.u = -a.u
			}
			return a, true
		}
	case *If:
		then, els := compileNum(n.Then), compileNum(n.Else)
		if then == nil || els == nil {
			return nil
		}
		cond := compileBool(n.Cond)
		if cond == nil {
			cond = interpreted(n.Cond)
		}
		return func(ev *evaluator, c dctx) (num, bool) {
			b, err := cond(ev, c)
			switch {
			case err != nil:
				return num{}, false
			case b:
				return then(ev, c)
			}
			return els(ev, c)
		}
	case *Path:
		last, prefix := splitLast(n)
		if prefix == nil {
			return nil
		}
		f := compileNum(last)
		if f == nil {
			return nil
		}
		return func(ev *evaluator, c dctx) (num, bool) {
			base := len(ev.nodes)
			ns, ok := ev.prefixNodes(prefix, c)
			var v num
			switch {
			case !ok || len(ns) > 1:
				ok = false
			case len(ns) == 1:
				v, ok = f(ev, dctx{item: ns[0], pos: 1, size: 1, vars: c.vars})
			}
			clear(ev.nodes[base:])
			ev.nodes = ev.nodes[:base]
			return v, ok
		}
	}
	return nil
}

// splitLast returns a relative or rooted path's last step and the path
// before it (nil when p has no such form).
func splitLast(p *Path) (last, prefix Expr) {
	k := len(p.Steps)
	if k < 2 || p.Steps[k-1].Desc {
		return nil, nil
	}
	if p.Root == RootNone && k == 2 {
		return p.Steps[1].Expr, p.Steps[0].Expr
	}
	return p.Steps[k-1].Expr, &Path{Root: p.Root, Steps: p.Steps[:k-1]}
}

// prefixNodes evaluates a path's prefix onto ev.nodes: the nodes, or ok
// false when it fails or gives something other than nodes. The caller
// clears ev.nodes back to where it was.
func (ev *evaluator) prefixNodes(prefix Expr, c dctx) (_ []*Node, ok bool) {
	base := len(ev.nodes)
	if m, isNode := c.item.(*Node); isNode {
		if steps := simplePath(prefix); steps != nil {
			ev.nodes = appendNodes(m, steps, ev.nodes)
			return ev.nodes[base:], true
		}
	}
	s, err := ev.eval(prefix, c)
	if err != nil {
		return nil, false
	}
	for _, it := range s {
		m, isNode := it.(*Node)
		if !isNode {
			return nil, false
		}
		ev.nodes = append(ev.nodes, m)
	}
	return ev.nodes[base:], true
}

// operand compiles an operand of arithmetic or of a numeric function: at
// most one item, atomized, untypedAtomic cast to xs:double.
func operand(e Expr) numFn {
	if f := compileNum(e); f != nil {
		return f
	}
	if steps := simplePath(e); steps != nil {
		return func(ev *evaluator, c dctx) (num, bool) {
			m, ok := c.item.(*Node)
			if !ok {
				return num{}, false
			}
			base := len(ev.nodes)
			ev.nodes = appendNodes(m, steps, ev.nodes)
			var v num
			switch ns := ev.nodes[base:]; len(ns) {
			case 0:
				ok = true
			case 1:
				v, ok = numOfItem(ns[0])
			default:
				ok = false
			}
			clear(ev.nodes[base:])
			ev.nodes = ev.nodes[:base]
			return v, ok
		}
	}
	if _, ok := e.(*ContextItem); ok {
		return func(ev *evaluator, c dctx) (num, bool) {
			if c.item == nil {
				return num{}, false
			}
			return numOfItem(c.item)
		}
	}
	return func(ev *evaluator, c dctx) (num, bool) {
		s, err := ev.eval(e, c)
		if err != nil {
			return num{}, false
		}
		return numOfSeq(s)
	}
}

// numOfSeq is the number of a sequence of at most one item.
func numOfSeq(s Seq) (num, bool) {
	switch len(s) {
	case 0:
		return num{}, true
	case 1:
		return numOfItem(s[0])
	}
	return num{}, false
}

// numOfItem is an item as a number operand: a number, or a node or
// untypedAtomic value cast to xs:double.
func numOfItem(it Item) (num, bool) {
	switch v := it.(type) {
	case Integer:
		if v.V.IsInt64() {
			return num{k: numInt, u: v.V.Int64()}, true
		}
	case Decimal:
		if v.r == nil {
			return num{k: numDec, u: v.u, sc: v.sc}, true
		}
	case Double:
		return num{k: numDbl, f: float64(v)}, true
	case *Node:
		if d, ok := parseDouble(v.StringValue()); ok {
			return num{k: numDbl, f: float64(d), untyped: true}, true
		}
	case Untyped:
		if d, ok := parseDouble(string(v)); ok {
			return num{k: numDbl, f: float64(d), untyped: true}, true
		}
	}
	return num{}, false
}

// compileDecimalCast compiles xs:decimal(arg).
func compileDecimalCast(arg Expr) numFn {
	if f := compileNum(arg); f != nil {
		return func(ev *evaluator, c dctx) (num, bool) {
			v, ok := f(ev, c)
			if !ok {
				return num{}, false
			}
			return decimalOf(v)
		}
	}
	if _, isVar := arg.(*VarRef); isVar {
		// (a variable may hold a number: taken as it is, below)
	} else if src := compileSrc(arg); src != nil {
		return func(ev *evaluator, c dctx) (num, bool) {
			base := len(ev.strs)
			out, ok, err := src(ev, c, ev.strs)
			vals := out[base:]
			var v num
			switch {
			case !ok || err != nil || len(vals) > 1:
				ok = false
			case len(vals) == 1:
				v, ok = parseDecimalNum(vals[0])
			}
			clear(vals)
			ev.strs = out[:base]
			return v, ok
		}
	}
	return func(ev *evaluator, c dctx) (num, bool) {
		s, err := ev.eval(arg, c)
		if err != nil || len(s) > 1 {
			return num{}, false
		}
		if len(s) == 0 {
			return num{}, true
		}
		switch it := s[0].(type) {
		case *Node:
			return parseDecimalNum(it.StringValue())
		case Untyped:
			return parseDecimalNum(string(it))
		case String:
			return parseDecimalNum(string(it))
		case Integer, Decimal, Double:
			v, ok := numOfItem(it)
			if !ok {
				return num{}, false
			}
			return decimalOf(v)
		}
		return num{}, false
	}
}

// parseDecimalNum is the xs:decimal cast of a string, when it fits.
func parseDecimalNum(s string) (num, bool) {
	d, ok := parseDecimal(s)
	if !ok || d.r != nil {
		return num{}, false
	}
	return num{k: numDec, u: d.u, sc: d.sc}, true
}

// decimalOf is the xs:decimal cast of a number: integers and decimals keep
// their value; a double only when it is a whole number of at most 53 bits.
func decimalOf(v num) (num, bool) {
	switch v.k {
	case numInt:
		return num{k: numDec, u: v.u}, true
	case numDbl:
		if v.f != math.Trunc(v.f) || math.Abs(v.f) > 1<<53 {
			return num{}, false
		}
		return num{k: numDec, u: int64(v.f)}, true
	}
	return v, true
}

// compileRounding compiles round, abs, floor and ceiling.
func compileRounding(name string, x numFn) numFn {
	return func(ev *evaluator, c dctx) (num, bool) {
		a, ok := x(ev, c)
		if !ok {
			return num{}, false
		}
		switch a.k {
		case numInt:
			if name == "abs" {
				if a.u == math.MinInt64 {
					return num{}, false
				}
				a.u = abs64(a.u)
			}
		case numDec:
			d := decSmall(a.u, int(a.sc))
			switch name {
			case "round":
				d = decRound(d)
			case "abs":
				d = decAbs(d)
			default:
				d = decFloorCeil(d, name == "ceiling")
			}
			if d.r != nil {
				return num{}, false
			}
			a.u, a.sc = d.u, d.sc
		case numDbl:
			switch f := a.f; name {
			case "round":
				if f < 0 && f >= -0.5 {
					a.f = math.Copysign(0, -1)
				} else {
					a.f = xpathRound(f)
				}
			case "abs":
				a.f = math.Abs(f)
			case "floor":
				a.f = math.Floor(f)
			default:
				a.f = math.Ceil(f)
			}
		}
		return a, true
	}
}

// compileSum compiles sum(arg): the integer 0 for no items, else the
// numbers added in order (untypedAtomic cast to xs:double).
func compileSum(arg Expr) numFn {
	add := func(acc, v num, first bool) (num, bool) {
		if first {
			return v, true
		}
		return arithNum("+", acc, v)
	}
	if p, ok := arg.(*Path); ok {
		if last, prefix := splitLast(p); prefix != nil {
			if f := compileNum(last); f != nil {
				// P/xs:decimal(X): the value at each node P selects.
				return func(ev *evaluator, c dctx) (num, bool) {
					base := len(ev.nodes)
					ns, ok := ev.prefixNodes(prefix, c)
					acc, first := num{k: numInt}, true
					for i := 0; ok && i < len(ns); i++ {
						var v num
						if v, ok = f(ev, dctx{item: ns[i], pos: i + 1, size: len(ns), vars: c.vars}); ok && v.k != numEmpty {
							acc, ok = add(acc, v, first)
							first = false
						}
					}
					clear(ev.nodes[base:])
					ev.nodes = ev.nodes[:base]
					return acc, ok
				}
			}
		}
	}
	return func(ev *evaluator, c dctx) (num, bool) {
		s, err := ev.eval(arg, c)
		if err != nil {
			return num{}, false
		}
		acc := num{k: numInt}
		for i, it := range s {
			v, ok := numOfItem(it)
			if !ok {
				return num{}, false
			}
			if acc, ok = add(acc, v, i == 0); !ok {
				return num{}, false
			}
		}
		return acc, true
	}
}

// compileCount compiles count(arg).
func compileCount(arg Expr) numFn {
	if steps := simplePath(arg); steps != nil {
		return func(ev *evaluator, c dctx) (num, bool) {
			m, ok := c.item.(*Node)
			if !ok {
				return num{}, false
			}
			return num{k: numInt, u: int64(countSteps(m, steps))}, true
		}
	}
	return func(ev *evaluator, c dctx) (num, bool) {
		s, err := ev.eval(arg, c)
		if err != nil {
			return num{}, false
		}
		return num{k: numInt, u: int64(len(s))}, true
	}
}

// arithNum is arith on unboxed numbers (+ - * div): ok false when the
// result does not fit, or on division of a decimal by zero.
func arithNum(op string, a, b num) (num, bool) {
	if a.k == numEmpty || b.k == numEmpty {
		return num{}, true
	}
	if a.k == numDbl || b.k == numDbl {
		x, y := a.float(), b.float()
		var r float64
		switch op {
		case "+":
			r = x + y
		case "-":
			r = x - y
		case "*":
			r = x * y
		default:
			r = x / y
		}
		return num{k: numDbl, f: r}, true
	}
	if a.k == numInt && b.k == numInt && op != "div" {
		var r int64
		var ok bool
		switch op {
		case "+":
			r, ok = add64(a.u, b.u)
		case "-":
			if b.u == math.MinInt64 {
				return num{}, false
			}
			r, ok = add64(a.u, -b.u)
		default:
			r, ok = mul64(a.u, b.u)
		}
		return num{k: numInt, u: r}, ok
	}
	u, sc, ok := smallArith64(op, a.u, int(a.sc), b.u, int(b.sc))
	return num{k: numDec, u: u, sc: int8(sc)}, ok
}

// float is a number as xs:double (toDouble).
func (v num) float() float64 {
	switch v.k {
	case numInt:
		return float64(v.u)
	case numDec:
		return decFloat64(decSmall(v.u, int(v.sc)))
	}
	return v.f
}

// cmpNum compares two numbers as compareNum does: c is -1, 0 or 1;
// ordered is false when a NaN is involved; exact is false when it cannot
// say (decimals that do not align in 64 bits).
func cmpNum(a, b num) (c int, ordered, exact bool) {
	if a.k == numDbl || b.k == numDbl {
		x, y := a.float(), b.float()
		switch {
		case math.IsNaN(x) || math.IsNaN(y):
			return 0, false, true
		case x < y:
			return -1, true, true
		case x > y:
			return 1, true, true
		}
		return 0, true, true
	}
	x, y, _, ok := align(a.u, int(a.sc), b.u, int(b.sc))
	if !ok {
		return 0, false, false
	}
	switch {
	case x < y:
		return -1, true, true
	case x > y:
		return 1, true, true
	}
	return 0, true, true
}

// saxonOdd reports whether v is a double that Saxon's general comparisons
// of an untypedAtomic value with a number order unlike IEEE: NaN or -0
// (either side).
func saxonOdd(v num) bool {
	return v.k == numDbl && (v.f != v.f || v.f == 0 && math.Signbit(v.f))
}

// compileArithCompare compiles a general or value comparison of which at
// least one operand is numeric (see compileNum).
func compileArithCompare(n *Binary) boolFn {
	var vop string
	switch n.Op {
	case "=", "!=", "<", "<=", ">", ">=":
		vop = valueOps[n.Op]
	case "eq", "ne", "lt", "le", "gt", "ge":
		vop = n.Op
	default:
		return nil
	}
	if callsOut(n) {
		return nil
	}
	l, r := compileNum(n.L), compileNum(n.R)
	if l == nil && r == nil {
		return nil
	}
	general := vop != n.Op
	side := func(f numFn, e Expr) numFn {
		if f != nil {
			return f
		}
		if general {
			return operand(e) // untypedAtomic against a number: xs:double
		}
		// A value comparison takes untypedAtomic as xs:string, which does
		// not compare with a number: only numbers are taken.
		return func(ev *evaluator, c dctx) (num, bool) {
			s, err := ev.eval(e, c)
			if err != nil || len(s) > 1 || len(s) == 1 && !isNumeric(s[0]) {
				return num{}, false
			}
			return numOfSeq(s)
		}
	}
	l, r = side(l, n.L), side(r, n.R)
	return func(ev *evaluator, c dctx) (bool, error) {
		if ev.plain > 0 {
			return ev.ebv(n, c)
		}
		a, ok := l(ev, c)
		if ok {
			var b num
			if b, ok = r(ev, c); ok {
				if a.k == numEmpty || b.k == numEmpty {
					return false, nil
				}
				if general && (a.untyped || b.untyped) && (saxonOdd(a) || saxonOdd(b)) {
					// NaN or -0 from an untypedAtomic value: Saxon
					// compares those in its own way (untypedVsNumber).
					return ev.ebvPlain(n, c)
				}
				var d int
				var ordered bool
				if d, ordered, ok = cmpNum(a, b); ok {
					if !ordered {
						return vop == "ne", nil
					}
					return holds(vop, d), nil
				}
			}
		}
		return ev.ebvPlain(n, c)
	}
}
