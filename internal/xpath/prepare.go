package xpath

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Prepare checks e statically against env (namespace bindings, functions),
// as Eval does on every call, and records in e what it resolved (the
// namespaces of name tests, the values of numeric literals), so that
// EvalPrepared can skip that work. Call it once, before any concurrent use
// of e; env must keep the same Namespaces and Functions afterwards.
func Prepare(e Expr, env *Env) error {
	if env == nil {
		env = &Env{}
	}
	ev := &evaluator{env: env}
	if err := ev.check(e); err != nil {
		return err
	}
	Walk(e, func(x Expr) bool {
		switch n := x.(type) {
		case *AxisStep:
			if n.Name != nil {
				switch n.Name.Prefix {
				case "", "*":
				default:
					n.uri, _ = ev.resolve(n.Name.Prefix)
				}
			}
			n.predFree = true
			for _, p := range n.Preds {
				if !positionFree(p) {
					n.predFree = false
				}
			}
			if n.Name != nil && n.Name.Prefix != "*" {
				attr := n.Axis == AxisAttribute
				switch {
				case n.Name.Local != "*":
					n.nid = nameID(nameKey{attr, n.uri, n.Name.Local})
				case attr:
					n.nid = nameID(allAttributes)
				default:
					n.nid = nameID(allElements)
				}
			}
			if n.Axis == AxisChild && n.Name != nil && n.Kind == nil {
				n.kidMask = ^uint64(0)
				if n.Name.Local != "*" {
					n.kidMask = kidBit(n.Name.Local)
					n.kidExact = n.nid > 0
				}
			}
			n.absentOK = n.Name != nil && n.Kind == nil && n.Name.Local != "*" && n.Name.Prefix != "*" &&
				(n.Axis == AxisChild || n.Axis == AxisAttribute || n.Axis == AxisDescendant)
			n.prepared = true
			n.indexed = n.predFree && (n.Axis == AxisChild || n.Axis == AxisAttribute) && n.Name != nil &&
				((n.Name.Local != "*" && n.Name.Prefix != "*") || (n.Name.Local == "*" && (n.Name.Prefix == "" || n.Name.Prefix == "*")))
		case *FuncCall:
			uri := FnNS
			if n.Name.Prefix != "" {
				uri, _ = ev.resolve(n.Name.Prefix)
			}
			if b, ok := builtins[n.Name.Local]; ok && uri == FnNS && len(n.Args) >= b.min && (b.max < 0 || len(n.Args) <= b.max) {
				n.bi = &b
			}
			if n.bi == nil && len(n.Args) == 1 && uri == XSNS && constructors[n.Name.Local] {
				n.ctor = n.Name.Local
			}
			if n.bi == nil && uri != FnNS && uri != XSNS {
				n.extKey = "{" + uri + "}" + n.Name.Local
			}
		case *Quantified:
			n.member, n.memberCmp = quantMember(n)
			n.memberSet = true
		case *Literal:
			if v, err := evalLiteral(n); err == nil {
				n.val = v
			}
		}
		return true
	})
	fold(ev, e)
	// Second pass, now that every step is prepared: the step lists the
	// evaluator would otherwise build on every call.
	Walk(e, func(x Expr) bool {
		switch n := x.(type) {
		case *AxisStep:
			n.self = []*AxisStep{n}
		case *Binary:
			if n.Op == "union" {
				n.alts, n.ixAlts = unionSteps(n), indexedSteps(n)
			}
			switch n.Op {
			case "=", "!=", "<", "<=", ">", ">=":
				// (Variables count as single here: whether they are is
				// known when evaluated.)
				n.eager = !lazyOperand(n.L) && !lazyOperand(n.R) &&
					!(singleValued(nil, n.L, dctx{}) && singleValued(nil, n.R, dctx{}))
			}
		}
		return true
	})
	memoize(ev, e)
	if !testNoCSE {
		commonSubexpressions(e, nsKeyOf(ev.env.Namespaces))
	}
	if !testNoCompile {
		boolify(e)
		numify(e)
	}
	return nil
}

// testNoCSE makes Prepare leave repeated subexpressions alone, so tests can
// compare with their evaluation each time.
var testNoCSE bool

// testNoCompile makes Prepare leave boolean tests uncompiled, so tests can
// compare compiled tests with the general evaluator.
var testNoCompile bool

// pureFuncs are the builtin functions whose value depends only on their
// arguments (those in focusWithoutArg only when given one): Prepare folds
// their calls with constant arguments (code lists such as
// tokenize('AED AFN ALL ...', '\s')) and Independent accepts them.
var pureFuncs = map[string]bool{
	"tokenize": true, "concat": true, "string-join": true, "upper-case": true, "lower-case": true,
	"normalize-space": true, "string-length": true, "string": true, "translate": true,
	"substring": true, "substring-before": true, "substring-after": true,
	"true": true, "false": true, "not": true, "boolean": true, "replace": true, "matches": true,
	"contains": true, "starts-with": true, "ends-with": true, "count": true, "exists": true, "empty": true,
}

// focusWithoutArg are the pure functions that, called without an argument,
// are about the context item.
var focusWithoutArg = map[string]bool{"normalize-space": true, "string-length": true, "string": true}

// pureCall reports whether the call f (in the fn namespace when fn) depends
// only on its arguments.
func pureCall(f *FuncCall, fn bool) bool {
	return fn && pureFuncs[f.Name.Local] && (len(f.Args) > 0 || !focusWithoutArg[f.Name.Local])
}

// Independent reports whether e's value depends neither on the document,
// the focus nor the dynamic context (such as the current time): it is made
// of literals, operators, pure builtin functions, xs: constructors and the
// variables known accepts. ns resolves prefixes; e need not be prepared.
func Independent(e Expr, ns map[string]string, known func(name string) bool) bool {
	ok := true
	Walk(e, func(x Expr) bool {
		switch n := x.(type) {
		case *Literal, *Sequence, *Binary, *Unary, *If:
		case *VarRef:
			ok = ok && known(n.Name.String())
		case *FuncCall:
			uri := FnNS
			if n.Name.Prefix != "" {
				uri = ns[n.Name.Prefix]
			}
			ok = pureCall(n, uri == FnNS) || (uri == XSNS && len(n.Args) == 1)
		default:
			ok = false // paths, steps, the context item, for, some, casts...
		}
		return ok
	})
	return ok
}

// fold evaluates, bottom up, the calls of foldable functions whose arguments
// are all literals or folded calls.
func fold(ev *evaluator, e Expr) {
	Walk(e, func(x Expr) bool {
		f, ok := x.(*FuncCall)
		if !ok {
			return true
		}
		for _, a := range f.Args {
			fold(ev, a)
		}
		if !pureCall(f, f.Name.Prefix == "" || f.Name.Prefix == "fn") {
			return false
		}
		for _, a := range f.Args {
			switch a := a.(type) {
			case *Literal:
			case *FuncCall:
				if !a.folded {
					return false
				}
			default:
				return false
			}
		}
		v, err := ev.call(f, dctx{})
		if err == nil {
			f.val, f.folded = v, true
		}
		return false
	})
}

// EvalPrepared is Eval for an expression that went through Prepare with an
// Env of the same namespaces and functions.
func EvalPrepared(e Expr, item Item, env *Env) (Seq, error) {
	return NewEvaluator(env).Eval(e, item)
}

// EvalPreparedBool is EvalBool for a prepared expression.
func EvalPreparedBool(e Expr, item Item, env *Env) (bool, error) {
	return NewEvaluator(env).EvalBool(e, item)
}

// Evaluator evaluates prepared expressions with one Env, without setting up
// anew for every expression. It is not safe for concurrent use; the Env may
// change between calls (its Vars, say), not during one.
type Evaluator struct{ ev evaluator }

// NewEvaluator returns an Evaluator for env.
func NewEvaluator(env *Env) *Evaluator { return &Evaluator{evaluator{env: env}} }

// Reuse readies e for other evaluations with env (nil to only forget): it
// forgets every value it remembered and keeps the storage of the
// sequences it returned, cleared, for those it returns next. Nothing e
// returned before may be used afterwards.
func (e *Evaluator) Reuse(env *Env) {
	ev := &e.ev
	for _, c := range ev.used {
		clear(c[:cap(c)])
		ev.free = append(ev.free, c[:0])
	}
	clear(ev.used)
	ev.used = ev.used[:0]
	ev.ones = nil
	clear(ev.args[:cap(ev.args)])
	clear(ev.strs[:cap(ev.strs)])
	clear(ev.nodes[:cap(ev.nodes)])
	ev.args, ev.strs, ev.nodes = ev.args[:0], ev.strs[:0], ev.nodes[:0]
	ev.sets = nil // keyed by the addresses of sequences
	clear(ev.cse)
	ev.env = env
}

// start resets the evaluator for a new expression and returns the focus.
func (e *Evaluator) start(item Item) dctx {
	e.ev.depth, e.ev.args, e.ev.strs, e.ev.nodes, e.ev.plain = 0, e.ev.args[:0], e.ev.strs[:0], e.ev.nodes[:0], 0
	e.ev.gen++ // cse values are remembered within one call (the Env may change between calls)
	c := dctx{item: item}
	if item != nil {
		c.pos, c.size = 1, 1
	}
	return c
}

// Eval evaluates a prepared expression; it never panics.
func (e *Evaluator) Eval(x Expr, item Item) (res Seq, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, errf(ErrDynamic, "", "internal evaluator error: %v", r)
		}
	}()
	return e.ev.eval(x, e.start(item))
}

// EvalBool returns the effective boolean value of a prepared expression (as
// for a Schematron assert test); it never panics.
func (e *Evaluator) EvalBool(x Expr, item Item) (b bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = false, errf(ErrDynamic, "", "internal evaluator error: %v", r)
		}
	}()
	return e.ev.ebv(x, e.start(item))
}

// indexable reports whether the step st, applied after "//", can be answered
// from the document's name index: a child or attribute step with a full name test whose
// predicates do not depend on position (so each candidate is judged alone).
func indexable(st *AxisStep) bool { return st.prepared && st.indexed }

// positionFree reports whether a predicate is surely boolean-valued and does
// not call position() or last(): then its outcome for a node does not depend
// on the node's position among the step's results.
func positionFree(p Expr) bool {
	switch n := p.(type) {
	case *Binary:
		switch n.Op {
		case "or", "and", "=", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "le", "gt", "ge":
		default:
			return false
		}
	case *FuncCall:
		if n.Name.Prefix != "" {
			return false
		}
		switch n.Name.Local {
		case "not", "exists", "empty", "boolean", "contains", "starts-with", "ends-with", "matches", "true", "false":
		default:
			return false
		}
	case *Path:
		if len(n.Steps) == 0 {
			return false
		}
		if _, ok := n.Steps[len(n.Steps)-1].Expr.(*AxisStep); !ok {
			return false
		}
	case *AxisStep, *Quantified:
	case *boolExpr:
		return positionFree(n.X)
	case *VarRef:
		// Position-free unless the variable holds a number; the users of
		// positionFree check variable predicates at run time (varPreds).
		return true
	default:
		return false
	}
	free := true
	Walk(p, func(x Expr) bool {
		if f, ok := x.(*FuncCall); ok && f.Name.Prefix == "" && (f.Name.Local == "position" || f.Name.Local == "last") {
			free = false
		}
		return free
	})
	return free
}

// indexedSteps returns the steps of e when e is an indexable step or a union
// of them, as in //(cac:InvoiceLine | cac:CreditNoteLine).
func indexedSteps(e Expr) []*AxisStep {
	switch n := e.(type) {
	case *AxisStep:
		if indexable(n) {
			if n.self != nil {
				return n.self
			}
			return []*AxisStep{n}
		}
	case *Binary:
		if n.ixAlts != nil {
			return n.ixAlts
		}
		if n.Op == "union" {
			l, r := indexedSteps(n.L), indexedSteps(n.R)
			if l != nil && r != nil {
				return slices.Concat(l, r) // never into a cached slice
			}
		}
	}
	return nil
}

// descendantsIndexed answers descendant-or-self::node()/E for the steps of E
// (see indexedSteps) from the name index; ok is false when it cannot.
func (ev *evaluator) descendantsIndexed(ns []*Node, steps []*AxisStep, c dctx) (Seq, bool, error) {
	if len(steps) == 1 {
		return ev.descendantsNamed(ns, steps[0], c)
	}
	var all []*Node
	for _, st := range steps {
		s, ok, err := ev.descendantsNamed(ns, st, c)
		if !ok || err != nil {
			return nil, ok, err
		}
		for _, it := range s {
			all = append(all, it.(*Node))
		}
	}
	return docOrder(all), true, nil
}

// descendantsNamed answers descendant-or-self::node()/child::name[preds] for
// the context nodes ns (in document order) from the name index: the named
// elements strictly inside each context node's subtree. ok is false when the
// index is not available.
func (ev *evaluator) descendantsNamed(ns []*Node, st *AxisStep, c dctx) (Seq, bool, error) {
	if len(ns) == 0 {
		return nil, true, nil
	}
	all, generic := ev.varPreds(st, c)
	if generic {
		return nil, false, nil
	}
	if !all {
		return nil, true, nil
	}
	list, ok := stepNamed(ns[0], st)
	if !ok {
		return nil, false, nil
	}
	var out Seq
	hi := int32(-1) // subtrees already covered end here
	i := 0
	for _, n := range ns {
		if n.Order <= hi {
			continue // nested in a context node already done
		}
		lo := n.Order
		hi = n.Last
		if n.Kind == DocumentNode {
			lo, hi = 0, math.MaxInt32
		}
		// The index is in document order: skip to the subtree.
		for i < len(list) && list[i].Order <= lo {
			i++
		}
		j := i
		for j < len(list) && list[j].Order <= hi {
			j++
		}
		if out == nil && j > i {
			out = ev.seq(j - i) // often the only subtree
		}
		for ; i < j; i++ {
			out = append(out, list[i])
		}
	}
	if len(st.Preds) > 0 && len(out) > 0 {
		var err error
		out, err = ev.filter(out, st.Preds, c)
		if err != nil {
			return nil, true, err
		}
	}
	return out, true, nil
}

// ebv computes the effective boolean value of e; node paths stop at the
// first node found instead of building their whole result.
func (ev *evaluator) ebv(e Expr, c dctx) (bool, error) {
	if b, ok := e.(*boolExpr); ok {
		return b.f(ev, c)
	}
	if found, ok, err := ev.anyPath(e, c); ok {
		return found, err
	}
	if f, ok := e.(*FuncCall); ok && f.bi != nil {
		if b, ok, err := ev.boolCall(f, c); ok {
			return b, err
		}
	}
	s, err := ev.eval(e, c)
	if err != nil {
		return false, err
	}
	return EBV(s)
}

// anyPath reports whether the path e selects at least one node, searching
// depth first and stopping at the first hit. ok is false when e is not a
// path of axis steps this search handles (then the caller evaluates it).
func (ev *evaluator) anyPath(e Expr, c dctx) (found, ok bool, err error) {
	start, isNode := c.item.(*Node)
	if !isNode || ev.lenient() {
		// (Under LenientPredicates the general evaluation takes an error
		// in a step's predicate as false for that node only, and nested
		// predicates strictly: anyFrom would do neither.)
		return false, false, nil
	}
	switch n := e.(type) {
	case *AxisStep:
		if !n.prepared {
			return false, false, nil
		}
		if absent(start, n) {
			return false, true, nil
		}
		return ev.anyFrom(start, n, false, nil, c)
	case *Path:
		steps := n.Steps
		if len(steps) == 0 {
			return false, false, nil
		}
		var alts []*AxisStep // (a | b)/rest selects a node iff a/rest or b/rest does
		first, isStep := steps[0].Expr.(*AxisStep)
		if !isStep {
			if _, isUnion := steps[0].Expr.(*Binary); !isUnion || n.Root != RootNone || steps[0].Desc {
				return false, false, nil
			}
			if alts = unionSteps(steps[0].Expr); alts == nil {
				return false, false, nil
			}
		} else if !first.prepared || ((steps[0].Desc || n.Root == RootDoubleSlash) && !indexable(first)) {
			return false, false, nil
		}
		for _, st := range steps[1:] {
			as, isStep := st.Expr.(*AxisStep)
			if !isStep || !as.prepared || (st.Desc && !indexable(as)) {
				return false, false, nil
			}
		}
		switch n.Root {
		case RootSlash, RootDoubleSlash:
			start = start.Root()
			if start.Kind != DocumentNode {
				return false, false, nil
			}
		}
		// A step whose name the document lacks selects nothing, so the
		// path selects nothing, as long as no earlier step has a predicate
		// (whose evaluation could raise an error).
		preds := false
		if alts == nil {
			preds = len(first.Preds) > 0
		} else {
			for _, a := range alts {
				preds = preds || len(a.Preds) > 0
			}
		}
		for _, st := range steps[1:] {
			as := st.Expr.(*AxisStep)
			if preds {
				break
			}
			if absent(start, as) {
				return false, true, nil
			}
			preds = len(as.Preds) > 0
		}
		if alts == nil && absent(start, first) {
			return false, true, nil
		}
		if found, ok := anyBackward(start, n.Root, first, alts, steps); ok {
			return found, true, nil
		}
		if alts == nil {
			// //a/b is descendant-or-self::node()/a/b from the root.
			return ev.anyFrom(start, first, steps[0].Desc || n.Root == RootDoubleSlash, steps[1:], c)
		}
		for _, alt := range alts {
			if absent(start, alt) {
				continue
			}
			found, ok, err := ev.anyFrom(start, alt, false, steps[1:], c)
			if found || !ok || err != nil {
				return found, ok, err
			}
		}
		return false, true, nil
	}
	return false, false, nil
}

// anyBackward answers anyPath for a path of predicate-free child steps
// with exact names (the last may be an attribute step), such as
// (cac:InvoiceLine | cac:CreditNoteLine)/cac:Item/cac:ClassifiedTaxCategory/cbc:Name,
// from the other end: it takes the document's nodes with the last step's
// name that lie in start's subtree (the name index is in document order, a
// subtree a range of it) and checks each one's ancestors against the steps.
// The "should not include" rules ask this of the whole document, where a
// forward search would visit every invoice line only to find nothing.
// ok is false when the path has another shape, or when there are so many
// candidates that the forward search is likely cheaper; first is steps[0]
// when it is an axis step, else alts are its alternatives.
func anyBackward(start *Node, root RootKind, first *AxisStep, alts []*AxisStep, steps []PathStep) (found, ok bool) {
	if root == RootDoubleSlash || len(steps) < 2 || steps[0].Desc {
		return false, false
	}
	exact := func(st *AxisStep, attr bool) bool {
		return st.prepared && len(st.Preds) == 0 && st.nid > 0 && st.Name != nil && st.Kind == nil &&
			st.Name.Local != "*" && st.Name.Prefix != "*" &&
			(st.Axis == AxisChild || (attr && st.Axis == AxisAttribute))
	}
	if alts == nil {
		if !exact(first, false) {
			return false, false
		}
	} else {
		for _, a := range alts {
			if !exact(a, false) {
				return false, false
			}
		}
	}
	rest := steps[1:]
	for i, ps := range rest {
		as, isStep := ps.Expr.(*AxisStep)
		if !isStep || ps.Desc || !exact(as, i == len(rest)-1) {
			return false, false
		}
	}
	last := rest[len(rest)-1].Expr.(*AxisStep)
	list, indexed := stepNamed(start, last)
	if !indexed {
		return false, false
	}
	// The candidates in start's subtree.
	lo, _ := slices.BinarySearchFunc(list, start.Order, func(m *Node, order int32) int { return cmp.Compare(m.Order, order) })
	hi, _ := slices.BinarySearchFunc(list, start.Last+1, func(m *Node, order int32) int { return cmp.Compare(m.Order, order) })
	cands := list[lo:hi]
	// Each candidate costs a walk of len(steps) ancestors; a forward search
	// at most a visit of the subtree.
	if len(cands) > 8 && len(cands)*len(steps) > int(start.Last-start.Order)/2 {
		return false, false
	}
	is := func(m *Node, st *AxisStep) bool {
		return m != nil && m.Kind == ElementNode && m.Local == st.Name.Local && m.Space == st.uri
	}
	for _, m := range cands {
		a := m
		matched := true
		for i := len(rest) - 2; i >= 0; i-- {
			if a = a.Parent; !is(a, rest[i].Expr.(*AxisStep)) {
				matched = false
				break
			}
		}
		if !matched {
			continue
		}
		if a = a.Parent; a == nil || a.Parent != start {
			continue
		}
		if alts == nil {
			matched = is(a, first)
		} else {
			matched = false
			for _, alt := range alts {
				if is(a, alt) {
					matched = true
					break
				}
			}
		}
		if matched {
			return true, true
		}
	}
	return false, true
}

// anyFrom searches from n for a node selected by the step as (after "//"
// when desc) and then the steps of rest.
func (ev *evaluator) anyFrom(n *Node, as *AxisStep, desc bool, rest []PathStep, c dctx) (bool, bool, error) {
	next := func(m *Node) (bool, bool, error) {
		if len(rest) == 0 {
			return true, true, nil
		}
		return ev.anyFrom(m, rest[0].Expr.(*AxisStep), rest[0].Desc, rest[1:], c)
	}
	var cands []*Node
	var keys []int32 // the name keys of cands, when useKeys
	var key int32
	var useKeys bool
	if desc {
		one := [1]*Node{n}
		out, ok, err := ev.descendantsNamed(one[:], as, c)
		if !ok || err != nil {
			return false, ok, err
		}
		for _, it := range out {
			found, ok, err := next(it.(*Node))
			if found || !ok || err != nil {
				return found, ok, err
			}
		}
		return false, true, nil
	}
	simple := as.predFree
	if simple {
		all, generic := ev.varPreds(as, c)
		if !generic && !all {
			return false, true, nil
		}
		simple = !generic
	}
	switch {
	case len(as.Preds) == 0 && as.Kind == nil && as.Name != nil &&
		(as.Axis == AxisParent || as.Axis == AxisAncestor || as.Axis == AxisAncestorOrSelf):
		// Up the tree, without building the axis's node list (as in
		// UBL-DT-01's not(ancestor::cac:Price/cac:AllowanceCharge)); the
		// order does not matter to whether something is found.
		m := n.Parent
		if as.Axis == AxisAncestorOrSelf {
			m = n
		}
		for ; m != nil; m = m.Parent {
			ok, err := ev.test(as, m)
			if err != nil {
				return false, true, err
			}
			if ok {
				found, ok, err := next(m)
				if found || !ok || err != nil {
					return found, ok, err
				}
			}
			if as.Axis == AxisParent {
				break
			}
		}
		return false, true, nil
	case simple && as.Axis == AxisChild:
		var indexed bool
		if cands, indexed = childCandidates(n, as); !indexed && len(cands) > 0 {
			keys, key, useKeys = kidKeys(n, as)
			if useKeys && key < 0 {
				return false, true, nil
			}
		}
	case simple && as.Axis == AxisAttribute:
		cands = n.Attrs
	default:
		out, err := ev.step(as, dctx{item: n, pos: 1, size: 1, vars: c.vars})
		if err != nil {
			return false, true, err
		}
		for _, it := range out {
			found, ok, err := next(it.(*Node))
			if found || !ok || err != nil {
				return found, ok, err
			}
		}
		return false, true, nil
	}
	for i, m := range cands {
		if useKeys && keys[i] != key {
			continue // the name key says the name differs
		}
		if as.Axis == AxisChild && m.Parent != n {
			continue // from the name index: another element's child
		}
		ok, err := ev.test(as, m)
		if err != nil {
			return false, true, err
		}
		if !ok {
			continue
		}
		keep := true
		for _, p := range as.Preds {
			b, err := ev.ebv(p, dctx{item: m, pos: 1, size: 1, vars: c.vars})
			if err != nil {
				return false, true, err
			}
			if !b {
				keep = false
				break
			}
		}
		if !keep {
			continue
		}
		found, ok, err := next(m)
		if found || !ok || err != nil {
			return found, ok, err
		}
	}
	return false, true, nil
}

// Shared one-item results for booleans; callers never modify a Seq they get.
var (
	seqTrue  = Seq{Boolean(true)}
	seqFalse = Seq{Boolean(false)}
)

func boolSeq(b bool) Seq {
	if b {
		return seqTrue
	}
	return seqFalse
}

// varPreds evaluates the predicates of st that are bare variable references
// ([$isGreekSender]): they do not depend on the focus, so those that come
// before any other predicate decide for every candidate at once: all reports
// whether they are all true. generic is true when the step must be
// evaluated generically instead: a variable holds a number (a positional
// predicate), or evaluating one fails (whether the error is raised depends
// on the candidates and the predicates before it, as the generic
// evaluation finds).
func (ev *evaluator) varPreds(st *AxisStep, c dctx) (all, generic bool) {
	all = true
	leading := true
	for _, p := range st.Preds {
		v, ok := p.(*VarRef)
		if !ok {
			leading = false
			continue
		}
		s, err := ev.eval(v, c)
		if err != nil || (len(s) == 1 && isNumeric(s[0])) {
			return false, true
		}
		b, err := EBV(s)
		if err != nil {
			return false, true
		}
		if leading {
			all = all && b
		}
	}
	return all, false
}

// unionSteps returns the alternatives of a union of prepared axis steps, as
// in (cac:InvoiceLine | cac:CreditNoteLine), or nil.
func unionSteps(e Expr) []*AxisStep {
	switch n := e.(type) {
	case *Binary:
		if n.alts != nil {
			return n.alts
		}
		if n.Op == "union" {
			l, r := unionSteps(n.L), unionSteps(n.R)
			if l != nil && r != nil {
				return slices.Concat(l, r) // never into a cached slice
			}
		}
	case *AxisStep:
		if n.prepared {
			if n.self != nil {
				return n.self
			}
			return []*AxisStep{n}
		}
	}
	return nil
}

// absent reports whether the document has no element (or attribute) with
// the name st tests for, so that a path through st selects nothing: the
// "should not include" rules test for elements that are nearly always
// absent, and this answers them without walking the document.
func absent(n *Node, st *AxisStep) bool {
	if st.prepared {
		if !st.absentOK {
			return false
		}
		if ix := n.ix; ix != nil && ix.root != nil && st.nid > 0 && st.nid < len(ix.byID) {
			return ix.byID[st.nid] == 0 // a Builder's document, indexed when built
		}
		list, ok := stepNamed(n, st)
		return ok && len(list) == 0
	}
	if (st.Axis != AxisChild && st.Axis != AxisAttribute && st.Axis != AxisDescendant && st.Axis != AxisDescendantOrSelf) ||
		st.Name == nil || st.Name.Local == "*" || st.Name.Prefix == "*" {
		return false
	}
	if st.Axis == AxisDescendantOrSelf {
		return false // the context node itself may match
	}
	list, ok := stepNamed(n, st)
	return ok && len(list) == 0
}

// childCandidates returns the nodes among which the child step st finds
// its nodes from n: n's children, or, for an element with many children
// and a step with a name test, the document's elements of that name when
// they are fewer (the caller keeps those whose parent is n). An invoice
// with a thousand lines has a thousand children; most steps from it look
// for one of a few.
func childCandidates(n *Node, st *AxisStep) (cands []*Node, indexed bool) {
	if noKids(n, st) {
		return nil, false
	}
	if len(n.Children) > 16 && st.prepared && st.Name != nil && st.Name.Local != "*" && st.Name.Prefix != "*" {
		if list, ok := stepNamed(n, st); ok && len(list) < len(n.Children) {
			return list, true
		}
	}
	return n.Children, false
}

// usesVar reports whether e refers to $name anywhere (conservatively, also
// where an inner binding shadows it).
func usesVar(e Expr, name string) bool {
	found := false
	Walk(e, func(x Expr) bool {
		switch n := x.(type) {
		case *VarRef:
			if n.Name.String() == name {
				found = true
			}
		case *For:
			for _, b := range n.Bindings {
				if b.Var.String() == name {
					found = true
				}
			}
		case *Quantified:
			for _, b := range n.Bindings {
				if b.Var.String() == name {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// boolCall computes, without building sequences, the boolean value of calls
// the rules make on every node: normalize-space(X) (true when X has a
// non-space character) and ends-with(name() or local-name(), 'literal').
// ok is false for other calls.
func (ev *evaluator) boolCall(f *FuncCall, c dctx) (b, ok bool, err error) {
	switch f.Name.Local {
	case "normalize-space":
		str, err := ev.stringOf(f, c)
		return hasNonSpace(str), true, err
	case "ends-with":
		n, isNode := c.item.(*Node)
		name, isName := f.Args[0].(*FuncCall)
		lit, isLit := f.Args[1].(*Literal)
		if !isNode || !isName || name.bi == nil || len(name.Args) != 0 || !isLit || lit.Kind != StringLit ||
			(name.Name.Local != "name" && name.Name.Local != "local-name") {
			return false, false, nil
		}
		if name.Name.Local == "local-name" || n.Prefix == "" || len(lit.Value) <= len(n.Local) {
			// The suffix lies within the local name.
			return strings.HasSuffix(n.Local, lit.Value), true, nil
		}
		return strings.HasSuffix(n.Prefix+":"+n.Local, lit.Value), true, nil
	}
	return false, false, nil
}

// stringOf is fn:string of a call's only argument, or of the context item
// when it has none, as normalize-space and friends take it.
func (ev *evaluator) stringOf(f *FuncCall, c dctx) (string, error) {
	if len(f.Args) == 0 {
		if c.item == nil {
			return "", errf(ErrDynamic, "XPDY0002", "string(): context item is undefined")
		}
		return StringOf(c.item), nil
	}
	s, err := ev.eval(f.Args[0], c)
	if err != nil {
		return "", err
	}
	switch len(s) {
	case 0:
		return "", nil
	case 1:
		return StringOf(s[0]), nil
	}
	return "", typeErr("string(): more than one item")
}

// hasNonSpace reports whether s has a character other than XML whitespace.
func hasNonSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return true
		}
	}
	return false
}

// NotExists recognises a prepared test of the form not(a/b/@c): a relative
// path of child and attribute steps with plain name tests and no
// predicates. It returns a function answering the test for a context node
// without the general evaluator (such a test cannot raise an error), or nil
// when e has another form. The EN 16931 "should not include" rules are
// hundreds of these on one node.
func NotExists(e Expr) func(*Node) bool {
	f, ok := e.(*FuncCall)
	if !ok || f.bi == nil || f.Name.Local != "not" || len(f.Args) != 1 {
		return nil
	}
	var steps []*AxisStep
	arg := f.Args[0]
	if b, ok := arg.(*boolExpr); ok {
		arg = b.X
	}
	switch p := arg.(type) {
	case *AxisStep:
		steps = []*AxisStep{p}
	case *Path:
		if p.Root != RootNone {
			return nil
		}
		for _, ps := range p.Steps {
			st, ok := ps.Expr.(*AxisStep)
			if !ok || ps.Desc {
				return nil
			}
			steps = append(steps, st)
		}
	default:
		return nil
	}
	for i, st := range steps {
		if !st.prepared || len(st.Preds) > 0 || st.Name == nil || st.Name.Local == "*" || st.Name.Prefix == "*" ||
			(st.Axis != AxisChild && st.Axis != AxisAttribute) || (st.Axis == AxisAttribute && i != len(steps)-1) {
			return nil
		}
	}
	return func(n *Node) bool {
		for _, st := range steps {
			if absent(n, st) {
				return true
			}
		}
		return !existsFrom(n, steps)
	}
}

// existsFrom reports whether the name path steps selects a node from n.
func existsFrom(n *Node, steps []*AxisStep) bool {
	st := steps[0]
	cands := n.Children
	if st.Axis == AxisAttribute {
		cands = n.Attrs
	} else if noKids(n, st) {
		return false
	} else if keys, key, ok := kidKeys(n, st); ok {
		if key < 0 {
			return false
		}
		for i, k := range keys {
			if k == key && (len(steps) == 1 || existsFrom(cands[i], steps[1:])) {
				return true
			}
		}
		return false
	}
	for _, m := range cands {
		if m.Local != st.Name.Local || m.Space != st.uri {
			continue
		}
		if (st.Axis == AxisChild) != (m.Kind == ElementNode) {
			continue
		}
		if len(steps) == 1 || existsFrom(m, steps[1:]) {
			return true
		}
	}
	return false
}

// stepNamed returns the document's nodes with the name st tests for (all
// elements or attributes for a wildcard), in document order.
func stepNamed(n *Node, st *AxisStep) ([]*Node, bool) {
	if st.nid > 0 {
		if list, ok := namedID(n, st.nid); ok {
			return list, true
		}
	}
	space, local := st.uri, st.Name.Local
	if local == "*" {
		space = "*" // the index keeps every element (attribute) under {*}*
	}
	return named(n, st.Axis == AxisAttribute, space, local)
}

// quantMember returns, for "some $x in S satisfies A = $x" (either order)
// with A not using $x, A and the comparison A = S (S = A when so written),
// as Saxon rewrites it; else nil.
func quantMember(n *Quantified) (Expr, *Binary) {
	if n.Every || len(n.Bindings) != 1 {
		return nil, nil
	}
	b, ok := n.Satisfies.(*Binary)
	if !ok || b.Op != "=" {
		return nil, nil
	}
	name := n.Bindings[0].Var.String()
	isVar := func(e Expr) bool { v, ok := e.(*VarRef); return ok && v.Name.String() == name }
	in := n.Bindings[0].In
	switch {
	case isVar(b.R) && !usesVar(b.L, name):
		return b.L, &Binary{Op: "=", L: b.L, R: in}
	case isVar(b.L) && !usesVar(b.R, name):
		return b.R, &Binary{Op: "=", L: in, R: b.R}
	}
	return nil, nil
}
