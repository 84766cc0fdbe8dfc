package xpath

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Compiled boolean tests.
//
// Most rule tests and predicates are boolean combinations of string
// comparisons such as normalize-space(cbc:ID) = 'S' or
// cac:TaxScheme/normalize-space(upper-case(cbc:ID)) = 'VAT' or @schemeID =
// '0088'. The general evaluator builds a sequence for each operand; here
// such a test is compiled once (by Prepare, and by CompileTest) into a Go
// function that walks the nodes and compares their strings without building
// anything. Whatever the compiled function cannot decide exactly as the
// general evaluator would (an operand of more than one item where one is
// required, a context item that is not a node, ...) it hands back to the
// general evaluator, for that evaluation only.

// boolFn evaluates a compiled boolean test.
type boolFn func(ev *evaluator, c dctx) (bool, error)

// boolExpr is a boolean subexpression with its compiled test.
type boolExpr struct {
	X Expr
	f boolFn
}

func (*boolExpr) exprNode()        {}
func (b *boolExpr) String() string { return b.X.String() }

// CompileTest returns e, prepared, with a compiled test when e's outer form
// allows one (for an expression used only for its effective boolean value,
// like an assert test); else e itself.
func CompileTest(e Expr) Expr {
	if _, done := e.(*boolExpr); done || testNoCompile {
		return e
	}
	if f := compileBool(e); f != nil {
		return &boolExpr{X: e, f: f}
	}
	return e
}

// boolify wraps, in a prepared expression, the subexpressions used for their
// boolean value that compile: predicates that are surely boolean, operands
// of and/or, arguments of not() and boolean(), if conditions, and
// quantified tests.
func boolify(e Expr) {
	wrap := func(x Expr) Expr {
		if _, ok := x.(*boolExpr); ok {
			return x
		}
		if f := compileBool(x); f != nil {
			return &boolExpr{X: x, f: f}
		}
		return x
	}
	Walk(e, func(x Expr) bool {
		switch n := x.(type) {
		case *Binary:
			if n.Op == "and" || n.Op == "or" {
				n.L, n.R = wrap(n.L), wrap(n.R)
			}
		case *FuncCall:
			if n.bi != nil && len(n.Args) == 1 && (n.Name.Local == "not" || n.Name.Local == "boolean") {
				n.Args[0] = wrap(n.Args[0])
			}
		case *If:
			n.Cond = wrap(n.Cond)
		case *Quantified:
			if n.member == nil {
				n.Satisfies = wrap(n.Satisfies)
			}
		case *AxisStep:
			for i, p := range n.Preds {
				if booleanValued(p) || stepTestShape(p) {
					n.Preds[i] = wrap(p)
				}
			}
		case *Filter:
			for i, p := range n.Preds {
				if booleanValued(p) {
					n.Preds[i] = wrap(p)
				}
			}
		case *boolExpr:
			// Its own parts too: predicates inside a compiled test are
			// evaluated by the general evaluator, which finds them wrapped.
			return true
		}
		return true
	})
}

// compileBool compiles a boolean test, or returns nil when its outer form
// gains nothing from it.
func compileBool(e Expr) boolFn {
	switch n := e.(type) {
	case *boolExpr:
		return n.f
	case *Binary:
		switch n.Op {
		case "and", "or":
			l, r := compileBool(n.L), compileBool(n.R)
			if l == nil && r == nil {
				return nil
			}
			if l == nil {
				l = interpreted(n.L)
			}
			if r == nil {
				r = interpreted(n.R)
			}
			if n.Op == "and" {
				return func(ev *evaluator, c dctx) (bool, error) {
					b, err := l(ev, c)
					if err != nil || !b {
						return false, err
					}
					return r(ev, c)
				}
			}
			return func(ev *evaluator, c dctx) (bool, error) {
				b, err := l(ev, c)
				if err != nil || b {
					return b, err
				}
				return r(ev, c)
			}
		case "=", "!=":
			if f := compileCompare(n); f != nil {
				return f
			}
			if f := compileDecimalVarCompare(n); f != nil {
				return f
			}
			if f := compileNumCompare(n); f != nil {
				return f
			}
			if f := compileArithCompare(n); f != nil {
				return f
			}
			return compileStringsCompare(n)
		case "<", "<=", ">", ">=":
			if f := compileNumCompare(n); f != nil {
				return f
			}
			return compileArithCompare(n)
		case "eq", "ne", "lt", "le", "gt", "ge":
			return compileArithCompare(n)
		}
	case *AxisStep, *Path:
		if f := compileStepTest(e); f != nil {
			return f
		}
		if st, ok := e.(*AxisStep); ok && anyElementChild(st) {
			// * : whether the node has an element child, as in PEPPOL-EN16931-R008's
			// context //*[not(*) and not(normalize-space())], tried on every element.
			return func(ev *evaluator, c dctx) (bool, error) {
				m, ok := c.item.(*Node)
				if !ok {
					return ev.ebv(e, c)
				}
				return hasElementChild(m), nil
			}
		}
		// A node path: does it select anything (stopping at the first).
		return func(ev *evaluator, c dctx) (bool, error) {
			if found, ok, err := ev.anyPath(e, c); ok {
				return found, err
			}
			return ev.ebv(e, c)
		}
	case *FuncCall:
		if n.bi == nil || n.folded {
			return nil
		}
		switch n.Name.Local {
		case "starts-with", "ends-with", "contains":
			if f := compileNameTest(n); f != nil {
				return f
			}
			return compileContains(n)
		case "normalize-space":
			// Its effective boolean value: whether the string has anything
			// but whitespace.
			if len(n.Args) == 0 {
				return func(ev *evaluator, c dctx) (bool, error) {
					if m, ok := c.item.(*Node); ok {
						return nodeHasNonSpace(m), nil
					}
					return ev.ebv(e, c)
				}
			}
			arg := compileSrc(n.Args[0])
			if arg == nil {
				return nil
			}
			return func(ev *evaluator, c dctx) (bool, error) {
				base := len(ev.strs)
				out, ok, err := arg(ev, c, ev.strs)
				vals := out[base:]
				b := len(vals) == 1 && hasNonSpace(vals[0])
				ok = ok && len(vals) <= 1
				clear(vals)
				ev.strs = out[:base]
				if !ok || err != nil {
					return ev.ebv(e, c)
				}
				return b, nil
			}
		case "exists", "empty":
			if len(n.Args) != 1 {
				return nil
			}
			if !nodePath(n.Args[0]) {
				return nil // exists() of atomic values is not their boolean value
			}
			inner := compileBool(n.Args[0])
			empty := n.Name.Local == "empty"
			return func(ev *evaluator, c dctx) (bool, error) {
				b, err := inner(ev, c)
				return b != empty, err
			}
		case "not", "boolean":
			if len(n.Args) != 1 {
				return nil
			}
			inner := compileBool(n.Args[0])
			if inner == nil {
				return nil
			}
			neg := n.Name.Local == "not"
			return func(ev *evaluator, c dctx) (bool, error) {
				b, err := inner(ev, c)
				if err != nil {
					return false, err
				}
				return b != neg, nil
			}
		}
	}
	return nil
}

// compileNameTest compiles starts-with, ends-with and contains of name()
// or local-name() (of the context node) and a string literal.
func compileNameTest(n *FuncCall) boolFn {
	test := nameTestOf(n)
	if test == nil {
		return nil
	}
	return func(ev *evaluator, c dctx) (bool, error) {
		m, ok := c.item.(*Node)
		if !ok {
			return ev.ebv(n, c)
		}
		return test(m), nil
	}
}

// nameTestOf returns, for a call of starts-with, ends-with or contains
// with name() or local-name() (of the context node) and a string literal,
// its value for a node; nil for any other call.
func nameTestOf(n *FuncCall) func(*Node) bool {
	if n.bi == nil || n.folded || len(n.Args) != 2 || !isStringLit(n.Args[1]) {
		return nil
	}
	name, ok := n.Args[0].(*FuncCall)
	if !ok || name.bi == nil || len(name.Args) != 0 || (name.Name.Local != "name" && name.Name.Local != "local-name") {
		return nil
	}
	lit := n.Args[1].(*Literal).Value
	local := name.Name.Local == "local-name"
	var test func(string, string) bool
	switch n.Name.Local {
	case "starts-with":
		test = strings.HasPrefix
	case "ends-with":
		test = strings.HasSuffix
	case "contains":
		test = strings.Contains
	default:
		return nil
	}
	suffix := n.Name.Local == "ends-with"
	return func(m *Node) bool {
		if local || m.Prefix == "" || m.Kind == TextNode || m.Kind == DocumentNode {
			return test(m.Local, lit)
		}
		switch {
		case suffix:
			return qnameHasSuffix(m.Prefix, m.Local, lit)
		case n.Name.Local == "starts-with":
			return qnameHasPrefix(m.Prefix, m.Local, lit)
		}
		return test(m.Prefix+":"+m.Local, lit)
	}
}

// NameFilter returns, for a prepared predicate, a test of the context
// node alone that is false wherever the predicate is: for a predicate made
// of tests of the node alone (name tests: starts-with, ends-with or
// contains of name() or local-name() and a string literal; * for whether
// it has an element child; normalize-space() for whether its string value
// has anything but whitespace; not, and and or of them) the test is the
// predicate (whole is set); for an and whose leading operands are such
// tests, the test is those operands. nil for any other predicate. The test
// takes an element or attribute node and never fails, as none of these
// does at such a node: the predicate's leading tests decide it before
// anything else in it is evaluated.
func NameFilter(e Expr) (test func(*Node) bool, whole bool) {
	if t := nameOnly(e); t != nil {
		return t, true
	}
	var lead []func(*Node) bool
	var conj func(x Expr) bool // adds x's leading node tests; false once one is not
	conj = func(x Expr) bool {
		if b, ok := x.(*boolExpr); ok {
			x = b.X
		}
		if b, ok := x.(*Binary); ok && b.Op == "and" {
			return conj(b.L) && conj(b.R)
		}
		if t := nameOnly(x); t != nil {
			lead = append(lead, t)
			return true
		}
		return false
	}
	conj(e)
	switch len(lead) {
	case 0:
		return nil, false
	case 1:
		return lead[0], false
	}
	return func(m *Node) bool {
		for _, t := range lead {
			if !t(m) {
				return false
			}
		}
		return true
	}, false
}

// StringEquals reports whether the prepared predicate e is a general
// comparison src = 'literal' (either way round); then it is true exactly
// when src, evaluated at the node, gives a node or a string (or
// untypedAtomic) equal to the literal, the items being all nodes or
// strings, and no error.
func StringEquals(e Expr) (src Expr, lit string, ok bool) {
	if b, isB := e.(*boolExpr); isB {
		e = b.X
	}
	b, isB := e.(*Binary)
	if !isB || b.Op != "=" {
		return nil, "", false
	}
	l, r := b.L, b.R
	if isStringLit(l) {
		l, r = r, l
	}
	if !isStringLit(r) || isStringLit(l) {
		return nil, "", false
	}
	return l, r.(*Literal).Value, true
}

// nameOnly returns the value, for an element or attribute node, of a
// predicate made of tests of the node alone (see NameFilter): name tests,
// whether it has an element child (*), whether its string value has
// anything but whitespace (normalize-space()), and not, and and or of
// them; nil for any other.
func nameOnly(e Expr) func(*Node) bool {
	if b, ok := e.(*boolExpr); ok { // compiled by Prepare
		e = b.X
	}
	switch n := e.(type) {
	case *FuncCall:
		if n.bi == nil || n.folded {
			return nil
		}
		switch {
		case n.Name.Local == "not" && len(n.Args) == 1:
			if t := nameOnly(n.Args[0]); t != nil {
				return func(m *Node) bool { return !t(m) }
			}
			return nil
		case n.Name.Local == "normalize-space" && len(n.Args) == 0:
			return nodeHasNonSpace
		}
		return nameTestOf(n)
	case *AxisStep:
		if anyElementChild(n) {
			return hasElementChild
		}
	case *Binary:
		if n.Op != "and" && n.Op != "or" {
			return nil
		}
		l, r := nameOnly(n.L), nameOnly(n.R)
		if l == nil || r == nil {
			return nil
		}
		if n.Op == "or" {
			return func(m *Node) bool { return l(m) || r(m) }
		}
		return func(m *Node) bool { return l(m) && r(m) }
	}
	return nil
}

// anyElementChild reports whether st is the step * (any element child),
// prepared.
func anyElementChild(st *AxisStep) bool {
	return st.prepared && st.Axis == AxisChild && st.Kind == nil && len(st.Preds) == 0 &&
		st.Name != nil && st.Name.Local == "*" && (st.Name.Prefix == "" || st.Name.Prefix == "*")
}

// hasElementChild reports whether m has an element child.
func hasElementChild(m *Node) bool {
	if m.kidsNamed {
		return m.kidNames != 0
	}
	for _, ch := range m.Children {
		if ch.Kind == ElementNode {
			return true
		}
	}
	return false
}

// qnameHasSuffix reports whether prefix:local ends with lit, without
// building it.
func qnameHasSuffix(prefix, local, lit string) bool {
	if len(lit) <= len(local) {
		return strings.HasSuffix(local, lit)
	}
	head := lit[:len(lit)-len(local)] // must be a suffix of "prefix:"
	return lit[len(head):] == local && head[len(head)-1] == ':' && strings.HasSuffix(prefix, head[:len(head)-1])
}

// qnameHasPrefix reports whether prefix:local starts with lit, without
// building it.
func qnameHasPrefix(prefix, local, lit string) bool {
	if len(lit) <= len(prefix) {
		return strings.HasPrefix(prefix, lit)
	}
	return lit[:len(prefix)] == prefix && lit[len(prefix)] == ':' && strings.HasPrefix(local, lit[len(prefix)+1:])
}

// nodeHasNonSpace reports whether the string value of m has a character
// other than XML whitespace, without building it.
func nodeHasNonSpace(m *Node) bool {
	switch m.Kind {
	case AttributeNode, TextNode:
		return hasNonSpace(m.Data)
	}
	if m.leaf {
		return hasNonSpace(m.Data)
	}
	for _, c := range m.Children {
		if c.Kind == TextNode {
			if hasNonSpace(c.Data) {
				return true
			}
		} else if nodeHasNonSpace(c) {
			return true
		}
	}
	return false
}

// nodePath reports whether e is a path of axis steps only, whose value is
// nodes (so that its effective boolean value says whether it is empty).
func nodePath(e Expr) bool {
	switch n := e.(type) {
	case *AxisStep:
		return true
	case *Path:
		for _, ps := range n.Steps {
			if _, ok := ps.Expr.(*AxisStep); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// interpreted is the general evaluator's effective boolean value of e.
func interpreted(e Expr) boolFn {
	return func(ev *evaluator, c dctx) (bool, error) { return ev.ebv(e, c) }
}

// strSrc appends the string values of a sequence (nodes' string values, or
// strings) to out; ok is false when it cannot do so exactly as the general
// evaluator would (then nothing was decided).
type strSrc func(ev *evaluator, c dctx, out []string) (_ []string, ok bool, err error)

// compileCompare compiles "S = 'lit'" and "S != 'lit'" (either order), S a
// string source: a general comparison of strings (untypedAtomic from
// nodes, or xs:string from string functions) with a string literal.
func compileCompare(n *Binary) boolFn {
	lit, src := n.R, n.L
	if !isStringLit(lit) {
		lit, src = n.L, n.R
	}
	if !isStringLit(lit) || isStringLit(src) {
		return nil
	}
	s := compileSrc(src)
	if s == nil {
		return nil
	}
	want := lit.(*Literal).Value
	eq := n.Op == "="
	return func(ev *evaluator, c dctx) (bool, error) {
		base := len(ev.strs)
		out, ok, err := s(ev, c, ev.strs)
		vals := out[base:]
		found := false
		for _, v := range vals {
			if (v == want) == eq {
				found = true
				break
			}
		}
		clear(vals)
		ev.strs = out[:base]
		if !ok {
			return ev.ebv(n, c)
		}
		return found, err
	}
}

// compileStringsCompare compiles "S1 = S2" and "S1 != S2", S1 and S2
// string sources (see compileSrc), as @currencyID = $documentCurrencyCode:
// a general comparison of strings (untypedAtomic or xs:string), true when
// some pair of them compares so.
func compileStringsCompare(n *Binary) boolFn {
	l, r := compileSrc(n.L), compileSrc(n.R)
	if l == nil || r == nil {
		return nil
	}
	eq := n.Op == "="
	return func(ev *evaluator, c dctx) (bool, error) {
		base := len(ev.strs)
		out, ok, err := l(ev, c, ev.strs)
		mid := len(out)
		if ok && err == nil {
			out, ok, err = r(ev, c, out)
		}
		found := ok && err == nil && anyPair(out[base:mid], out[mid:], eq)
		clear(out[base:])
		ev.strs = out[:base]
		if !ok || err != nil {
			return ev.ebv(n, c)
		}
		return found, nil
	}
}

// anyPair reports whether some string of as and some of bs are equal
// (eq) or differ (not eq).
func anyPair(as, bs []string, eq bool) bool {
	for _, a := range as {
		for _, b := range bs {
			if (a == b) == eq {
				return true
			}
		}
	}
	return false
}

func isStringLit(e Expr) bool {
	l, ok := e.(*Literal)
	return ok && l.Kind == StringLit
}

// compileSrc compiles a string source: a relative path of child steps
// (and an attribute step last) with name tests and no predicates, ".", a
// variable, normalize-space, upper-case or lower-case of a source, or a
// path of such steps ending in one of those functions.
func compileSrc(e Expr) strSrc {
	switch n := e.(type) {
	case *ContextItem:
		return func(ev *evaluator, c dctx, out []string) ([]string, bool, error) {
			switch it := c.item.(type) {
			case *Node:
				return append(out, it.StringValue()), true, nil
			case String:
				return append(out, string(it)), true, nil
			case Untyped:
				return append(out, string(it)), true, nil
			}
			return out, false, nil
		}
	case *VarRef:
		// A variable of strings or nodes, such as $documentCurrencyCode.
		return func(ev *evaluator, c dctx, out []string) ([]string, bool, error) {
			s, err := ev.eval(n, c)
			if err != nil {
				return out, false, nil
			}
			for _, it := range s {
				switch v := it.(type) {
				case String:
					out = append(out, string(v))
				case Untyped:
					out = append(out, string(v))
				case *Node:
					out = append(out, v.StringValue())
				default:
					return out, false, nil
				}
			}
			return out, true, nil
		}
	case *AxisStep:
		if !simpleStep(n) {
			return nil
		}
		steps := []*AxisStep{n}
		return func(ev *evaluator, c dctx, out []string) ([]string, bool, error) {
			m, ok := c.item.(*Node)
			if !ok {
				return out, false, nil
			}
			return appendStrings(m, steps, out), true, nil
		}
	case *Path:
		if n.Root != RootNone || len(n.Steps) == 0 {
			return nil
		}
		var steps []*AxisStep
		for i, ps := range n.Steps {
			if ps.Desc {
				return nil
			}
			st, ok := ps.Expr.(*AxisStep)
			if !ok {
				if i != len(n.Steps)-1 || i == 0 {
					return nil
				}
				// a/b/f(...): f applied to each node a/b selects.
				fn, isCall := ps.Expr.(*FuncCall)
				if !isCall {
					return nil
				}
				last := compileSrc(fn)
				if last == nil {
					return nil
				}
				return func(ev *evaluator, c dctx, out []string) ([]string, bool, error) {
					m, ok := c.item.(*Node)
					if !ok {
						return out, false, nil
					}
					base := len(ev.nodes)
					ev.nodes = appendNodes(m, steps, ev.nodes)
					var err error
					for _, x := range ev.nodes[base:] {
						if out, ok, err = last(ev, dctx{item: x, pos: 1, size: 1, vars: c.vars}, out); !ok || err != nil {
							break
						}
					}
					clear(ev.nodes[base:])
					ev.nodes = ev.nodes[:base]
					return out, ok, err
				}
			}
			if !simpleStep(st) {
				return nil
			}
			steps = append(steps, st)
		}
		return func(ev *evaluator, c dctx, out []string) ([]string, bool, error) {
			m, ok := c.item.(*Node)
			if !ok {
				return out, false, nil
			}
			return appendStrings(m, steps, out), true, nil
		}
	case *FuncCall:
		if n.bi == nil || n.folded {
			return nil
		}
		var f func(string) string
		switch n.Name.Local {
		case "normalize-space":
			f = normalizeString
		case "upper-case":
			f = upperCase
		case "lower-case":
			f = strings.ToLower
		default:
			return nil
		}
		var arg strSrc
		if len(n.Args) == 0 {
			if n.Name.Local != "normalize-space" {
				return nil
			}
			arg = compileSrc(&ContextItem{})
		} else if len(n.Args) == 1 {
			arg = compileSrc(n.Args[0])
		}
		if arg == nil {
			return nil
		}
		// The function takes at most one item: more is the general
		// evaluator's error to report.
		return func(ev *evaluator, c dctx, out []string) ([]string, bool, error) {
			base := len(out)
			out, ok, err := arg(ev, c, out)
			if !ok || err != nil || len(out)-base > 1 {
				clear(out[base:])
				return out[:base], false, err
			}
			if len(out) == base {
				return append(out, ""), true, nil // f of the empty sequence is ""
			}
			out[base] = f(out[base])
			return out, true, nil
		}
	}
	return nil
}

// simpleStep reports whether st is a prepared child (or attribute) step with
// a name test and no predicates.
func simpleStep(st *AxisStep) bool {
	return st.prepared && st.Name != nil && len(st.Preds) == 0 && (st.Axis == AxisChild || st.Axis == AxisAttribute) &&
		st.Name.Prefix != "*" && (st.Name.Local != "*" || st.Name.Prefix == "")
}

// stepTest is the name test of a simple step (see ev.test).
func stepTest(st *AxisStep, m *Node) bool {
	if st.Axis == AxisAttribute {
		if m.Kind != AttributeNode {
			return false
		}
	} else if m.Kind != ElementNode {
		return false
	}
	if st.Name.Local == "*" {
		return true // "*": any name (simpleStep allows no other wildcard)
	}
	if st.Name.Local != m.Local {
		return false
	}
	if st.Name.Prefix == "" {
		return m.Space == "" // no default element namespace
	}
	return m.Space == st.uri
}

// collect appends f of each node steps select from m, in document order.
// f is a plain function (no closure), so that nothing is allocated for it.
func collect[T any](m *Node, steps []*AxisStep, out []T, f func(*Node) T) []T {
	st := steps[0]
	list := m.Children
	if st.Axis == AxisAttribute {
		list = m.Attrs
	} else if noKids(m, st) {
		return out
	} else if keys, key, ok := kidKeys(m, st); ok {
		if key < 0 {
			return out
		}
		for i, k := range keys {
			if k != key {
				continue
			}
			if x := list[i]; len(steps) == 1 {
				out = append(out, f(x))
			} else {
				out = collect(x, steps[1:], out, f)
			}
		}
		return out
	}
	for _, x := range list {
		if !stepTest(st, x) {
			continue
		}
		if len(steps) == 1 {
			out = append(out, f(x))
		} else {
			out = collect(x, steps[1:], out, f)
		}
	}
	return out
}

func nodeItself(x *Node) *Node   { return x }
func nothing(*Node) struct{}     { return struct{}{} }
func stringValue(x *Node) string { return x.StringValue() }

// appendNodes appends the nodes steps select from m, in document order.
func appendNodes(m *Node, steps []*AxisStep, out []*Node) []*Node {
	return collect(m, steps, out, nodeItself)
}

// appendStrings appends the string values of the nodes steps select from m,
// in document order.
func appendStrings(m *Node, steps []*AxisStep, out []string) []string {
	return collect(m, steps, out, stringValue)
}

// normalizeString is normalize-space on a string.
func normalizeString(s string) string {
	if isNormalized(s) {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}), " ")
}

// single evaluates a string source that must give at most one string (""
// for none); ok is false when it cannot say (the caller hands over).
func single(ev *evaluator, c dctx, src strSrc) (v string, ok bool, err error) {
	base := len(ev.strs)
	out, ok, err := src(ev, c, ev.strs)
	vals := out[base:]
	switch {
	case len(vals) == 1:
		v = vals[0]
	case len(vals) > 1:
		ok = false
	}
	clear(vals)
	ev.strs = out[:base]
	return v, ok, err
}

// compileContains compiles contains, starts-with and ends-with of a string
// source and a string literal, and the code list test
// contains(' A B C ', concat(' ', S, ' ')).
func compileContains(n *FuncCall) boolFn {
	if len(n.Args) != 2 {
		return nil
	}
	var test func(string, string) bool
	switch n.Name.Local {
	case "starts-with":
		test = strings.HasPrefix
	case "ends-with":
		test = strings.HasSuffix
	default:
		test = strings.Contains
	}
	if isStringLit(n.Args[1]) {
		src := compileSrc(n.Args[0])
		if src == nil {
			return nil
		}
		lit := n.Args[1].(*Literal).Value
		return func(ev *evaluator, c dctx) (bool, error) {
			v, ok, err := single(ev, c, src)
			if !ok || err != nil {
				return ev.ebv(n, c)
			}
			return test(v, lit), nil
		}
	}
	// contains(' A B C ', concat(' ', S, ' ')): is S one of the codes.
	cat, isCall := n.Args[1].(*FuncCall)
	if n.Name.Local != "contains" || !isStringLit(n.Args[0]) || !isCall || cat.bi == nil || cat.Name.Local != "concat" ||
		len(cat.Args) != 3 || !isStringLit(cat.Args[0]) || !isStringLit(cat.Args[2]) ||
		cat.Args[0].(*Literal).Value != " " || cat.Args[2].(*Literal).Value != " " {
		return nil
	}
	list := n.Args[0].(*Literal).Value
	if len(list) < 2 || list[0] != ' ' || list[len(list)-1] != ' ' || strings.Contains(list, "  ") {
		return nil // not a plain list of codes between single spaces
	}
	src := compileSrc(cat.Args[1])
	if src == nil {
		return nil
	}
	codes := map[string]bool{}
	for _, c := range strings.Split(list[1:len(list)-1], " ") {
		codes[c] = true
	}
	return func(ev *evaluator, c dctx) (bool, error) {
		v, ok, err := single(ev, c, src)
		if !ok || err != nil {
			return ev.ebv(n, c)
		}
		if v == "" {
			return false, nil // "  " is not in a list without double spaces
		}
		if strings.IndexByte(v, ' ') < 0 {
			return codes[v], nil
		}
		return strings.Contains(list, " "+v+" "), nil
	}
}

// compileNumCompare compiles a comparison of a numeric literal with the
// nodes of a path (general comparison: each node's untypedAtomic value as
// xs:double), with count() of such a path, or with string-length of a
// string source (of substring-after or -before of one and a literal), the
// last two for integer literals only.
func compileNumCompare(n *Binary) boolFn {
	op := n.Op
	lit, other := n.R, n.L
	if !isNumLit(lit) {
		lit, other = n.L, n.R
		op = flipOp(op)
	}
	if !isNumLit(lit) || isNumLit(other) {
		return nil
	}
	lv := lit.(*Literal)
	litInt, isInt := int64(0), false
	if i, ok := lv.val[0].(Integer); ok && i.V.IsInt64() {
		litInt, isInt = i.V.Int64(), true
	}
	litF := float64(toDouble(lv.val[0]))
	switch o := other.(type) {
	case *FuncCall:
		if o.bi == nil || len(o.Args) != 1 || !isInt {
			return nil
		}
		switch o.Name.Local {
		case "count":
			steps := simplePath(o.Args[0])
			if steps == nil {
				return nil
			}
			return func(ev *evaluator, c dctx) (bool, error) {
				m, ok := c.item.(*Node)
				if !ok {
					return ev.ebv(n, c)
				}
				return cmpOp(op, int64(countSteps(m, steps)), litInt), nil
			}
		case "string-length":
			arg := o.Args[0]
			var cut func(string) string
			if f, ok := arg.(*FuncCall); ok && f.bi != nil && len(f.Args) == 2 && isStringLit(f.Args[1]) &&
				(f.Name.Local == "substring-after" || f.Name.Local == "substring-before") {
				sep := f.Args[1].(*Literal).Value
				if f.Name.Local == "substring-after" {
					cut = func(s string) string {
						if i := strings.Index(s, sep); i >= 0 {
							return s[i+len(sep):]
						}
						return ""
					}
				} else {
					cut = func(s string) string {
						if i := strings.Index(s, sep); i >= 0 {
							return s[:i]
						}
						return ""
					}
				}
				arg = f.Args[0]
			}
			src := compileSrc(arg)
			if src == nil {
				return nil
			}
			return func(ev *evaluator, c dctx) (bool, error) {
				v, ok, err := single(ev, c, src)
				if !ok || err != nil {
					return ev.ebv(n, c)
				}
				if cut != nil {
					v = cut(v)
				}
				return cmpOp(op, int64(utf8.RuneCountInString(v)), litInt), nil
			}
		}
		return nil
	}
	steps := simplePath(other)
	if steps == nil {
		return nil
	}
	return func(ev *evaluator, c dctx) (bool, error) {
		m, ok := c.item.(*Node)
		if !ok {
			return ev.ebv(n, c)
		}
		base := len(ev.strs)
		ev.strs = appendStrings(m, steps, ev.strs)
		vals := ev.strs[base:]
		found, bail := false, false
		for _, v := range vals {
			d, ok := parseDouble(v)
			if !ok || math.IsNaN(float64(d)) || d == 0 && math.Signbit(float64(d)) {
				// A cast error, NaN or -0 (which Saxon compares in its
				// own way, see untypedVsNumber): the general evaluator's
				// to decide.
				bail = true
				break
			}
			if cmpOp(op, float64(d), litF) {
				found = true
				break
			}
		}
		clear(vals)
		ev.strs = ev.strs[:base]
		if bail {
			return ev.ebv(n, c)
		}
		return found, nil
	}
}

func isNumLit(e Expr) bool {
	l, ok := e.(*Literal)
	return ok && l.Kind != StringLit && len(l.val) == 1
}

// flipOp is the operator with its operands swapped.
func flipOp(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// cmpOp applies a comparison operator (= != < <= > >=).
func cmpOp[T int64 | float64](op string, a, b T) bool {
	switch op {
	case "=":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	}
	return a >= b
}

// simplePath returns the steps of a relative path of simple steps (see
// simpleStep), or nil.
func simplePath(e Expr) []*AxisStep {
	switch n := e.(type) {
	case *AxisStep:
		if simpleStep(n) {
			return []*AxisStep{n}
		}
	case *Path:
		if n.Root != RootNone || len(n.Steps) == 0 {
			return nil
		}
		var steps []*AxisStep
		for _, ps := range n.Steps {
			st, ok := ps.Expr.(*AxisStep)
			if ps.Desc || !ok || !simpleStep(st) {
				return nil
			}
			steps = append(steps, st)
		}
		return steps
	}
	return nil
}

// countSteps counts the nodes steps select from m (appending empty
// structs allocates nothing).
func countSteps(m *Node, steps []*AxisStep) int {
	return len(collect(m, steps, []struct{}(nil), nothing))
}

// compileDecimalVarCompare compiles "P/xs:decimal(X) = $v" (either order,
// also !=): the decimals of X (a simple path or ".") under each node of the
// simple path P (or the context node), compared with a variable holding one
// number, as in the VAT breakdown rules (cac:Item/cac:ClassifiedTaxCategory/
// xs:decimal(cbc:Percent) = $rate). Anything else at run time (no single
// number in $v, a value that is not a decimal, two items) is handed back.
func compileDecimalVarCompare(n *Binary) boolFn {
	v, other := n.R, n.L
	if _, ok := v.(*VarRef); !ok {
		v, other = n.L, n.R
	}
	if _, ok := v.(*VarRef); !ok {
		return nil
	}
	var steps []*AxisStep // the nodes xs:decimal applies to, from the context node
	call := other
	if p, ok := other.(*Path); ok && p.Root == RootNone && len(p.Steps) > 1 {
		prefix := &Path{Steps: p.Steps[:len(p.Steps)-1]}
		if steps = simplePath(prefix); steps == nil {
			return nil
		}
		if p.Steps[len(p.Steps)-1].Desc {
			return nil
		}
		call = p.Steps[len(p.Steps)-1].Expr
	}
	f, ok := call.(*FuncCall)
	if !ok || f.ctor != "decimal" || len(f.Args) != 1 {
		return nil
	}
	arg := compileSrc(f.Args[0])
	if arg == nil {
		return nil
	}
	if _, isCall := f.Args[0].(*FuncCall); isCall {
		return nil // xs:decimal of a string function: an xs:string, cast alike, but keep it simple
	}
	eq := n.Op == "="
	return func(ev *evaluator, c dctx) (bool, error) {
		m, isNode := c.item.(*Node)
		if !isNode {
			return ev.ebv(n, c)
		}
		vs, err := ev.eval(v, c)
		if err != nil || len(vs) != 1 || !isNumeric(vs[0]) || isNaN(vs[0]) {
			return ev.ebv(n, c)
		}
		want := vs[0]
		base := len(ev.nodes)
		if steps == nil {
			ev.nodes = append(ev.nodes, m)
		} else {
			ev.nodes = appendNodes(m, steps, ev.nodes)
		}
		found, bail := false, false
		for _, x := range ev.nodes[base:] {
			sb := len(ev.strs)
			out, ok, err := arg(ev, dctx{item: x, pos: 1, size: 1, vars: c.vars}, ev.strs)
			vals := out[sb:]
			k, str := len(vals), ""
			if k == 1 {
				str = vals[0]
			}
			clear(vals)
			ev.strs = out[:sb]
			if !ok || err != nil || k > 1 {
				bail = true
				break
			}
			if k == 0 {
				continue // xs:decimal(()) is (), which compares with nothing
			}
			d, ok := parseDecimal(str)
			if !ok {
				bail = true // a cast error: the general evaluator reports it
				break
			}
			// No early exit: as the general evaluator, every value is
			// computed (and may raise its error) before comparing.
			if !found {
				if cmp, ok := compareNum(d, want); ok && (cmp == 0) == eq {
					found = true
				}
			}
		}
		clear(ev.nodes[base:])
		ev.nodes = ev.nodes[:base]
		if bail {
			return ev.ebv(n, c)
		}
		return found, nil
	}
}

// stepTestShape reports whether e is a path of simple steps ending in a
// parenthesised test, as cac:TaxScheme/(normalize-space(cbc:ID) = 'VAT'):
// its value is one boolean per node the steps select.
func stepTestShape(e Expr) bool {
	p, ok := e.(*Path)
	if !ok || p.Root != RootNone || len(p.Steps) < 2 || p.Steps[len(p.Steps)-1].Desc {
		return false
	}
	if simplePath(&Path{Steps: p.Steps[:len(p.Steps)-1]}) == nil {
		return false
	}
	return booleanValued(p.Steps[len(p.Steps)-1].Expr)
}

// compileStepTest compiles a path of the stepTestShape: its effective
// boolean value is the test on the one node the steps select, false when
// they select none; more than one (a sequence of booleans has no
// effective boolean value) is the general evaluator's error to report.
func compileStepTest(e Expr) boolFn {
	if !stepTestShape(e) {
		return nil
	}
	p := e.(*Path)
	steps := simplePath(&Path{Steps: p.Steps[:len(p.Steps)-1]})
	last := p.Steps[len(p.Steps)-1].Expr
	test := compileBool(last)
	if test == nil {
		test = interpreted(last)
	}
	return func(ev *evaluator, c dctx) (bool, error) {
		m, ok := c.item.(*Node)
		if !ok {
			return ev.ebv(e, c)
		}
		base := len(ev.nodes)
		ev.nodes = appendNodes(m, steps, ev.nodes)
		k := len(ev.nodes) - base
		var x *Node
		if k == 1 {
			x = ev.nodes[base]
		}
		clear(ev.nodes[base:])
		ev.nodes = ev.nodes[:base]
		switch k {
		case 0:
			return false, nil
		case 1:
			return test(ev, dctx{item: x, pos: 1, size: 1, vars: c.vars})
		}
		return ev.ebv(e, c)
	}
}
