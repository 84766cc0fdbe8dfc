package xpath

import (
	"slices"
	"strings"
)

// Common subexpressions.
//
// Some rules repeat an expensive subexpression in one test, such as BR-S-08
// (and its siblings for the other VAT categories), which sums the invoice
// lines of a rate twice, once for each bound of a tolerance:
//
//	every $rate in xs:decimal(cbc:Percent) satisfies ...
//	  (../xs:decimal(cbc:TaxableAmount - 1) < (sum(../../../cac:InvoiceLine[...][... = $rate]/...) + ...)) and
//	  (../xs:decimal(cbc:TaxableAmount + 1) > (sum(../../../cac:InvoiceLine[...][... = $rate]/...) + ...))
//
// XPath has no side effects, so the second occurrence has the value of the
// first when both are evaluated with the same focus and the same values of
// the variables they use. CompileTest wraps such repeated subexpressions
// (only those at the test's own focus, not inside predicates or later path
// steps) in cse nodes; within one call of an Evaluator's Eval or EvalBool,
// the evaluator remembers the last value of each, with the focus item and
// the identity of each free variable's value it was computed with, and
// reuses it when they are the same again. Sequences are never modified once
// made, so the same backing array means the same value. (Across calls the
// Env, and the document, may change: nothing is reused.)

// cseExpr is a repeated subexpression, placed by CompileTest.
type cseExpr struct {
	X    Expr
	slot int       // index in an evaluator's cse entries
	vars []*VarRef // the free variables of X, at most maxCSEVars
}

func (*cseExpr) exprNode()        {}
func (m *cseExpr) String() string { return m.X.String() }

// cseAggregates are the calls worth remembering.
var cseAggregates = map[string]bool{"sum": true, "count": true, "avg": true, "min": true, "max": true, "string-join": true, "distinct-values": true}

// maxCSEVars bounds the free variables a cse node may have.
const maxCSEVars = 4

// cseID identifies a variable's value: its backing array and length.
type cseID struct {
	p *Item
	n int
}

// cseEntry is the last value of a cse node, within the call of generation
// gen of an Evaluator's methods (0: none).
type cseEntry struct {
	gen       uint64
	item      *Node
	pos, size int
	ids       [maxCSEVars]cseID
	seq       Seq
	err       error
}

// cseSlots numbers cse nodes by printed form and namespace bindings (equal
// keys have equal values in equal circumstances, so asserts may share).
var cseSlots slots

func cseSlot(key string) int { return cseSlots.slot(key) }

// evalCSE evaluates a cse node, reusing its last value when the focus and
// the free variables' values are the same.
func (ev *evaluator) evalCSE(x *cseExpr, c dctx) (Seq, error) {
	n, isNode := c.item.(*Node)
	if !isNode || ev.env.LenientPredicates {
		return ev.eval(x.X, c)
	}
	var ids [maxCSEVars]cseID
	for i, ref := range x.vars {
		v, err := ev.eval(ref, c)
		if err != nil {
			return ev.eval(x.X, c) // the evaluation reports it
		}
		if len(v) > 0 {
			ids[i] = cseID{&v[0], len(v)}
		}
	}
	if x.slot >= len(ev.cse) {
		ev.cse = slices.Grow(ev.cse, x.slot+1-len(ev.cse))[:x.slot+1]
	}
	if e := &ev.cse[x.slot]; e.gen == ev.gen && e.gen != 0 && e.item == n && e.pos == c.pos && e.size == c.size && e.ids == ids {
		return e.seq, e.err
	}
	seq, err := ev.eval(x.X, c)
	ev.cse[x.slot] = cseEntry{gen: ev.gen, item: n, pos: c.pos, size: c.size, ids: ids, seq: seq, err: err}
	return seq, err
}

// commonSubexpressions wraps the subexpressions of e that occur more than
// once at e's own focus, and are worth remembering, in cse nodes; ns is the
// namespace key of e's preparation.
func commonSubexpressions(e Expr, nsKey string) {
	// Count the candidates by printed form.
	count := map[string]int{}
	var visit func(x Expr, f func(x Expr) Expr)
	visit = func(x Expr, f func(x Expr) Expr) {
		for _, ch := range focusChildren(x) {
			*ch = f(*ch)
			visit(*ch, f)
		}
	}
	visit(e, func(x Expr) Expr {
		if worthCSE(x) {
			count[x.String()]++
		}
		return x
	})
	if len(count) == 0 {
		return
	}
	// Wrap the outermost repeated ones.
	var wrap func(x Expr) Expr
	wrap = func(x Expr) Expr {
		if _, done := x.(*cseExpr); done {
			return x
		}
		s := x.String()
		if count[s] < 2 {
			return x
		}
		names := freeVars(x)
		if len(names) > maxCSEVars {
			return x
		}
		vars := make([]*VarRef, len(names))
		for i, name := range names {
			vars[i] = &VarRef{Name: QName{Local: name}}
		}
		return &cseExpr{X: x, slot: cseSlot(nsKey + s), vars: vars}
	}
	var rewrite func(x Expr)
	rewrite = func(x Expr) {
		for _, ch := range focusChildren(x) {
			*ch = wrap(*ch)
			if _, done := (*ch).(*cseExpr); !done {
				rewrite(*ch)
			}
		}
	}
	rewrite(e)
}

// focusChildren returns pointers to the direct subexpressions of x that are
// evaluated with x's focus: not predicates, nor path steps after the first,
// nor the insides of memo and compiled nodes.
func focusChildren(x Expr) []*Expr {
	var out []*Expr
	switch n := x.(type) {
	case *Sequence:
		for i := range n.Items {
			out = append(out, &n.Items[i])
		}
	case *FuncCall:
		if n.folded || n.extKey != "" {
			return nil
		}
		for i := range n.Args {
			out = append(out, &n.Args[i])
		}
	case *Binary:
		if n.Op == "union" || n.Op == "intersect" || n.Op == "except" {
			return nil // their operands have fast paths of their own
		}
		out = append(out, &n.L, &n.R)
	case *Unary:
		out = append(out, &n.X)
	case *For:
		for i := range n.Bindings {
			out = append(out, &n.Bindings[i].In)
		}
		out = append(out, &n.Return)
	case *Quantified:
		for i := range n.Bindings {
			out = append(out, &n.Bindings[i].In)
		}
		out = append(out, &n.Satisfies)
	case *If:
		out = append(out, &n.Cond, &n.Then, &n.Else)
	case *TypeOp:
		out = append(out, &n.X)
	case *Filter:
		out = append(out, &n.Primary)
	}
	return out
}

// worthCSE reports whether x is worth remembering: a path with a predicate
// or of three steps or more, or a call (sum, count, ...) over one, and
// nothing that depends on more than the focus item and variables.
func worthCSE(x Expr) bool {
	// Aggregates only: a bare path has fast paths of its own (exists()
	// stops at the first node, compiled comparisons walk without building
	// a sequence) that a remembered value would bypass.
	if f, isCall := x.(*FuncCall); !isCall || f.bi == nil || !cseAggregates[f.Name.Local] {
		return false
	}
	heavy, ok := false, true
	Walk(x, func(y Expr) bool {
		switch n := y.(type) {
		case *memoExpr:
			return false // already remembered per document
		case *cseExpr, *boolExpr:
			ok = false
		case *FuncCall:
			if n.extKey != "" || (n.bi != nil && (n.Name.Local == "position" || n.Name.Local == "last")) {
				ok = false
			}
		case *Path:
			if len(n.Steps) >= 3 {
				heavy = true
			}
		case *AxisStep:
			if len(n.Preds) > 0 {
				heavy = true
			}
		case *Filter:
			heavy = true
		}
		return ok
	})
	return ok && heavy
}

// freeVars returns the names of the variables x uses and does not bind
// itself, sorted; more than maxCSEVars are not all listed.
func freeVars(x Expr) []string {
	var out []string
	var free func(e Expr, bound []string)
	free = func(e Expr, bound []string) {
		if len(out) > maxCSEVars {
			return
		}
		var bs []Binding
		var body Expr
		switch n := e.(type) {
		case *VarRef:
			if name := n.Name.String(); !slices.Contains(bound, name) && !slices.Contains(out, name) {
				out = append(out, name)
			}
			return
		case *For:
			bs, body = n.Bindings, n.Return
		case *Quantified:
			bs, body = n.Bindings, n.Satisfies
		default:
			for _, ch := range children(e) {
				free(ch, bound)
			}
			return
		}
		inner := slices.Clip(bound)
		for _, b := range bs {
			free(b.In, inner)
			inner = append(inner, b.Var.String())
		}
		free(body, inner)
	}
	free(x, nil)
	slices.Sort(out)
	return out
}

// nsKeyOf is the namespace part of slot keys (see memoize).
func nsKeyOf(ns map[string]string) string {
	keys := make([]string, 0, len(ns))
	for p, u := range ns {
		keys = append(keys, p+"="+u)
	}
	slices.Sort(keys)
	return strings.Join(keys, " ") + "\x00"
}
