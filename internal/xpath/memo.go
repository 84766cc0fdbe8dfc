package xpath

import (
	"slices"
	"strings"
	"sync"
)

// Memoisation of document-constant subexpressions.
//
// A subexpression that uses neither the focus (the context item, position
// or size) nor any variable from outside itself, nor an extension function,
// has one value per document: //cac:TaxCategory[cbc:ID = 'S'],
// exists(//cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme), sum of
// every line amount. The official rules repeat such subexpressions in many
// asserts, and evaluate them again for every context node. Prepare wraps the
// largest ones in a memo node; with a Memo in the Env, each is evaluated
// once per document (its value or its error remembered) and shared by every
// expression prepared with the same namespace bindings.

// memoExpr is a document-constant subexpression, placed by Prepare.
type memoExpr struct {
	X    Expr
	slot int // index in a Memo
}

func (*memoExpr) exprNode()        {}
func (m *memoExpr) String() string { return m.X.String() }

// Memo remembers the values of document-constant subexpressions for one
// document. Set Env.Memo to a new Memo for each document validated; a Memo
// is not safe for concurrent use.
type Memo struct {
	root *Node
	vals []memoVal
}

type memoVal struct {
	done bool
	seq  Seq
	err  error
}

// NewMemo returns an empty Memo.
func NewMemo() *Memo { return &Memo{} }

// Reset empties m for another document, keeping its storage.
func (m *Memo) Reset() {
	m.root = nil
	clear(m.vals)
}

// memoSlots registers document-constant subexpressions by their printed
// form and the namespace bindings they were prepared with, so that the same
// subexpression in different asserts shares one slot.
var memoSlots slots

func memoSlot(key string) int { return memoSlots.slot(key) }

// slots numbers keys from 0, for the slots of memo and cse nodes.
type slots struct {
	mu  sync.Mutex
	ids map[string]int
}

// slot returns the number of key, numbering it when new.
func (s *slots) slot(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[string]int{}
	}
	if id, ok := s.ids[key]; ok {
		return id
	}
	id := len(s.ids)
	s.ids[key] = id
	return id
}

// evalMemo evaluates a memo node: from the Memo when there is one and the
// focus is a node of its document, else directly.
func (ev *evaluator) evalMemo(m *memoExpr, c dctx) (Seq, error) {
	memo := ev.env.Memo
	n, isNode := c.item.(*Node)
	if memo == nil || !isNode || ev.lenient() {
		return ev.eval(m.X, c)
	}
	root := n.Root()
	if memo.root != root {
		memo.root = root
		clear(memo.vals)
	}
	if m.slot >= len(memo.vals) {
		if m.slot < cap(memo.vals) {
			memo.vals = memo.vals[:cap(memo.vals)]
		} else {
			memo.vals = slices.Grow(memo.vals, m.slot+1-len(memo.vals))[:m.slot+1]
		}
	}
	v := &memo.vals[m.slot]
	if !v.done {
		// The value does not depend on the focus: evaluate it with the
		// document node, as its paths start there, and no variables.
		seq, err := ev.eval(m.X, dctx{item: root, pos: 1, size: 1})
		v = &memo.vals[m.slot] // the evaluation may have grown vals
		v.seq, v.err, v.done = seq, err, true
	}
	return v.seq, v.err
}

// memoize wraps the largest document-constant subexpressions of e (not e
// itself) in memo nodes. It runs last in Prepare, after the other analyses
// have looked at e's shape.
func memoize(ev *evaluator, e Expr) {
	var nsKey string
	keyOf := func(x Expr) string {
		if nsKey == "" {
			keys := make([]string, 0, len(ev.env.Namespaces))
			for p, u := range ev.env.Namespaces {
				keys = append(keys, p+"="+u)
			}
			slices.Sort(keys)
			nsKey = strings.Join(keys, " ") + "\x00"
		}
		return nsKey + x.String()
	}
	// split returns, for a rooted path whose first step has predicates
	// and is followed by others, such as
	// //cac:ClassifiedTaxCategory[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']/cbc:ID[normalize-space(.) = 'AE'],
	// a new path that takes the nodes of the first step from a memo node:
	// the rules ask for those with each of nine VAT categories. The path
	// itself is left as it was, for what was compiled from it.
	split := func(x Expr) Expr {
		p, ok := x.(*Path)
		if !ok || (p.Root != RootSlash && p.Root != RootDoubleSlash) || len(p.Steps) < 2 {
			return x
		}
		if st, ok := p.Steps[0].Expr.(*AxisStep); !ok || len(st.Preds) == 0 {
			return x
		}
		head := &Path{Root: p.Root, Steps: p.Steps[:1:1]}
		if !constant(ev, head) {
			return x
		}
		steps := make([]PathStep, 0, len(p.Steps))
		steps = append(steps, PathStep{Expr: &memoExpr{X: head, slot: memoSlot(keyOf(head))}})
		return &Path{Root: RootNone, Steps: append(steps, p.Steps[1:]...)}
	}
	wrap := func(x Expr) Expr {
		if _, done := x.(*memoExpr); done {
			return x
		}
		if !constant(ev, x) || !worthMemo(x) {
			return split(x)
		}
		return &memoExpr{X: split(x), slot: memoSlot(keyOf(x))}
	}
	var visit func(x Expr)
	visit = func(x Expr) {
		switch n := x.(type) {
		case *Sequence:
			for i := range n.Items {
				n.Items[i] = wrap(n.Items[i])
			}
		case *FuncCall:
			if n.folded {
				return
			}
			for i := range n.Args {
				n.Args[i] = wrap(n.Args[i])
			}
		case *Binary:
			if n.Op == "union" {
				return // unions of steps have their own fast paths
			}
			n.L, n.R = wrap(n.L), wrap(n.R)
		case *Unary:
			n.X = wrap(n.X)
		case *For:
			for i := range n.Bindings {
				n.Bindings[i].In = wrap(n.Bindings[i].In)
			}
			n.Return = wrap(n.Return)
		case *Quantified:
			for i := range n.Bindings {
				n.Bindings[i].In = wrap(n.Bindings[i].In)
			}
			n.Satisfies = wrap(n.Satisfies)
		case *If:
			n.Cond, n.Then, n.Else = wrap(n.Cond), wrap(n.Then), wrap(n.Else)
		case *TypeOp:
			n.X = wrap(n.X)
		case *AxisStep:
			for i := range n.Preds {
				n.Preds[i] = wrap(n.Preds[i])
			}
		case *Filter:
			for i := range n.Preds {
				n.Preds[i] = wrap(n.Preds[i])
			}
		case *memoExpr:
			// Its own constant parts get slots too, so that asserts
			// sharing only a part of it share that.
			visit(n.X)
			return
		}
		// Path steps are left alone (their shapes drive the path fast
		// paths); their predicates are visited below.
		for _, ch := range children(x) {
			visit(ch)
		}
	}
	visit(e)
}

// children returns the direct subexpressions of x.
func children(x Expr) []Expr {
	var out []Expr
	first := true
	Walk(x, func(y Expr) bool {
		if first {
			first = false
			return true
		}
		out = append(out, y)
		return false
	})
	return out
}

// worthMemo reports whether x reads the document at all (else computing it
// again costs no more than looking it up).
func worthMemo(x Expr) bool {
	found := false
	Walk(x, func(y Expr) bool {
		switch y.(type) {
		case *Path, *AxisStep:
			found = true
		}
		return !found
	})
	return found
}

// constant reports whether x, evaluated on its own, uses neither the focus
// nor a variable it does not bind itself, nor an extension function: then
// its value is the same for every context node of a document.
func constant(ev *evaluator, x Expr) bool {
	focus, free := uses(ev, x, nil)
	return !focus && !free
}

// uses reports whether x uses the focus it is evaluated with, and whether it
// uses anything else that may vary (a variable not in bound, an extension
// function, an unknown construct).
func uses(ev *evaluator, x Expr, bound []string) (focus, free bool) {
	either := func(f, v bool) {
		focus = focus || f
		free = free || v
	}
	// inner is a subexpression evaluated with a focus of its own.
	inner := func(y Expr) {
		_, v := uses(ev, y, bound)
		free = free || v
	}
	switch n := x.(type) {
	case *Literal:
	case *VarRef:
		free = !slices.Contains(bound, n.Name.String())
	case *ContextItem:
		focus = true
	case *Sequence:
		for _, y := range n.Items {
			either(uses(ev, y, bound))
		}
	case *FuncCall:
		if n.folded {
			return false, false
		}
		uri := FnNS
		if n.Name.Prefix != "" {
			u, ok := ev.resolve(n.Name.Prefix)
			if !ok {
				return true, true
			}
			uri = u
		}
		switch uri {
		case FnNS:
			if n.bi == nil {
				return true, true
			}
			switch n.Name.Local {
			case "position", "last":
				focus = true
			case "number", "string", "string-length", "normalize-space", "local-name", "name":
				focus = len(n.Args) == 0
			}
		case XSNS:
		default:
			return true, true // extension functions may do anything
		}
		for _, y := range n.Args {
			either(uses(ev, y, bound))
		}
	case *Binary:
		either(uses(ev, n.L, bound))
		either(uses(ev, n.R, bound))
	case *Unary:
		either(uses(ev, n.X, bound))
	case *For, *Quantified:
		var bs []Binding
		var body Expr
		if f, ok := n.(*For); ok {
			bs, body = f.Bindings, f.Return
		} else {
			q := n.(*Quantified)
			bs, body = q.Bindings, q.Satisfies
		}
		b := slices.Clone(bound)
		for _, bd := range bs {
			either(uses(ev, bd.In, b))
			b = append(b, bd.Var.String())
		}
		either(uses(ev, body, b))
	case *If:
		either(uses(ev, n.Cond, bound))
		either(uses(ev, n.Then, bound))
		either(uses(ev, n.Else, bound))
	case *TypeOp:
		either(uses(ev, n.X, bound))
	case *AxisStep:
		focus = true
		for _, p := range n.Preds {
			inner(p)
		}
	case *Filter:
		either(uses(ev, n.Primary, bound))
		for _, p := range n.Preds {
			inner(p)
		}
	case *Path:
		// A rooted path starts at the root of the focus: the same for
		// every node of a document (evalMemo answers from the Memo only
		// for a node focus).
		for i, st := range n.Steps {
			if i == 0 && n.Root == RootNone {
				either(uses(ev, st.Expr, bound))
			} else {
				inner(st.Expr)
			}
		}
	case *memoExpr:
	case *boolExpr:
		either(uses(ev, n.X, bound))
	case *numExpr:
		either(uses(ev, n.X, bound))
	default:
		return true, true
	}
	return focus, free
}

// SingleNumber returns the value of a sequence of one number, as a
// predicate's value that selects by position; ok is false for anything else.
func SingleNumber(s Seq) (v float64, ok bool) {
	if len(s) != 1 {
		return 0, false
	}
	switch x := s[0].(type) {
	case Integer, Decimal, Double:
		return float64(toDouble(x)), true
	}
	return 0, false
}
