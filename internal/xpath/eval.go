package xpath

import (
	"math/big"
	"slices"
)

// FnNS is the XPath functions namespace; XSNS is the XML Schema namespace.
const (
	FnNS = "http://www.w3.org/2005/xpath-functions"
	XSNS = "http://www.w3.org/2001/XMLSchema"
)

// Function is a caller-supplied (extension) function.
type Function func(ctx Item, args []Seq) (Seq, error)

// Env is the static and dynamic environment supplied by the caller.
type Env struct {
	// Namespaces maps prefixes to URIs for name tests, function names and
	// type names. "xml" is predefined; "xs" and "fn" default to the standard
	// URIs unless overridden.
	Namespaces map[string]string
	// Vars binds variables by lexical name ("x" for $x, "p:x" for $p:x).
	Vars map[string]Seq
	// Functions holds extension functions keyed by "{uri}local".
	Functions map[string]Function
	// MaxItems bounds the size of "to" ranges (default 1e6).
	MaxItems int
	// VarErrors holds variables whose value could not be computed: a
	// reference to one raises its error (as a lazily evaluated XSLT global
	// variable does when first used), instead of "not bound".
	VarErrors map[string]error
	// LenientPredicates makes a dynamic error in a predicate of the
	// expression's own steps (not of nested expressions) count as false
	// for that item, as XSLT processors recover from errors while matching
	// a template pattern: the node just does not match.
	LenientPredicates bool
	// Recovered, if set, is told of each error LenientPredicates turned
	// into false.
	Recovered func(error)
	// Memo, if set, remembers the values of the document-constant
	// subexpressions Prepare found, so that each is evaluated once per
	// document. Use a new Memo for each document.
	Memo *Memo
	// Sets, if set, holds string sets made once for sequences that live
	// longer than a document (code lists bound to constant variables), for
	// membership tests such as some $c in $list satisfies X = $c. Read-only
	// once in use.
	Sets *Sets
}

// Sets maps long sequences of strings, by identity, to their sets.
type Sets struct{ m map[*Item]constSet }

type constSet struct {
	n   int
	set map[string]struct{}
}

// NewSets returns an empty Sets.
func NewSets() *Sets { return &Sets{m: map[*Item]constSet{}} }

// Add makes the set of seq, when it is a long sequence of strings (or
// untypedAtomic values): the sequence itself, not an equal one, is then
// answered from it. seq must never be modified afterwards.
func (s *Sets) Add(seq Seq) {
	if len(seq) < 16 {
		return
	}
	set := make(map[string]struct{}, len(seq))
	for _, it := range seq {
		v, ok := stringish(it)
		if !ok {
			return
		}
		set[v] = struct{}{}
	}
	s.m[&seq[0]] = constSet{len(seq), set}
}

type scope struct {
	name string
	val  Seq
	next *scope
}

type evaluator struct {
	env   *Env
	depth int      // predicate nesting, for LenientPredicates
	args  []Seq    // a stack for the arguments of builtin calls
	strs  []string // a stack for the strings compiled tests compare
	nodes []*Node  // a stack for the nodes compiled tests visit
	ones  []Item   // the backing of one-item sequences (see one)
	// Full-size chunks of ones handed out since the last Reuse, and
	// cleared ones to hand out again.
	used, free [][]Item
	sets       map[*Item]*setEntry
	cse        []cseEntry // the last values of cse nodes, by slot
	gen        uint64     // the current call (see Evaluator.start): older cse entries are stale
	// plain is set while the general evaluator evaluates again what
	// compiled arithmetic gave up on: compiled arithmetic inside it is not
	// tried again, so that nested give-ups cost no more than one plain
	// evaluation each (see numExpr).
	plain int
}

// stringSet returns the strings of seq as a set when seq is a long
// sequence of strings (or untypedAtomic values) met before by this
// evaluator, such as a code list bound to a variable; else nil. The entry
// keeps seq, so its storage cannot be reused for another sequence until
// Reuse, which forgets the entries.
func (ev *evaluator) stringSet(seq Seq) map[string]struct{} {
	if len(seq) < 16 {
		return nil
	}
	key := &seq[0]
	if ev.env.Sets != nil {
		if c, ok := ev.env.Sets.m[key]; ok && c.n == len(seq) {
			return c.set
		}
	}
	e := ev.sets[key]
	switch {
	case e == nil:
		if ev.sets == nil || len(ev.sets) >= maxSets {
			// A few code lists recur; a list made afresh for each node
			// (a rule let) would only fill the map.
			ev.sets = map[*Item]*setEntry{}
		}
		ev.sets[key] = &setEntry{seq: seq}
		return nil // once is not worth a set
	case e.set == nil && !e.mixed && len(e.seq) == len(seq):
		if e.uses++; e.uses < setAfter {
			return nil // a few scans cost less than building the set
		}
		set := make(map[string]struct{}, len(seq))
		for _, it := range seq {
			s, ok := stringish(it)
			if !ok {
				e.mixed = true
				return nil
			}
			set[s] = struct{}{}
		}
		e.set = set
	}
	if len(e.seq) != len(seq) || e.mixed {
		return nil
	}
	return e.set
}

// setAfter is how often a sequence is met before stringSet builds its set.
const setAfter = 8

// maxSets bounds the sequences an evaluator's stringSet remembers.
const maxSets = 16

// setEntry is a sequence stringSet has met, and its set once built.
type setEntry struct {
	uses  int
	seq   Seq
	set   map[string]struct{}
	mixed bool // not all strings: no set
}

// one returns the sequence of it, from a chunk shared with other one-item
// sequences rather than a slice of its own (capacity 1: appending copies).
func (ev *evaluator) one(it Item) Seq {
	if len(ev.ones) == cap(ev.ones) {
		// Short-lived evaluators need a few; long ones get larger chunks.
		ev.newChunk(min(max(2*cap(ev.ones), 4), chunkSize))
	}
	ev.ones = append(ev.ones, it)
	k := len(ev.ones)
	return ev.ones[k-1 : k : k]
}

// seq returns an empty sequence with room for k items, carved from a chunk
// shared with other short sequences (as one does): its capacity is exactly
// k, so appending beyond it copies and never reaches a neighbour.
func (ev *evaluator) seq(k int) Seq {
	if k > 32 {
		return make(Seq, 0, k)
	}
	if cap(ev.ones)-len(ev.ones) < k {
		ev.newChunk(min(max(2*cap(ev.ones), 4*k), chunkSize))
	}
	n := len(ev.ones)
	ev.ones = ev.ones[:n+k]
	return ev.ones[n : n : n+k]
}

// chunkSize is the largest chunk of ones; only such chunks are kept for
// reuse, at most maxFree of them.
const (
	chunkSize = 256
	maxFree   = 64
)

// newChunk makes ev.ones an empty chunk of capacity n (or a kept chunk).
func (ev *evaluator) newChunk(n int) {
	if k := len(ev.free); k > 0 {
		ev.ones, ev.free = ev.free[k-1], ev.free[:k-1]
		ev.used = append(ev.used, ev.ones)
		return
	}
	ev.ones = make([]Item, 0, n)
	if n == chunkSize && len(ev.used) < maxFree {
		ev.used = append(ev.used, ev.ones)
	}
}

// lenient reports whether an error in a predicate evaluated now counts as
// false.
func (ev *evaluator) lenient() bool { return ev.env.LenientPredicates && ev.depth == 0 }

type dctx struct {
	item      Item
	pos, size int
	vars      *scope
}

// Eval evaluates e with the given context item (may be nil) and environment
// (may be nil). It never panics; errors are *EvalError.
func Eval(e Expr, item Item, env *Env) (res Seq, err error) {
	if env == nil {
		env = &Env{}
	}
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, errf(ErrDynamic, "", "internal evaluator error: %v", r)
		}
	}()
	ev := &evaluator{env: env}
	if err := ev.check(e); err != nil {
		return nil, err
	}
	c := dctx{item: item}
	if item != nil {
		c.pos, c.size = 1, 1
	}
	return ev.eval(e, c)
}

// EvalBool evaluates e and returns its effective boolean value (as for a
// Schematron assert test).
func EvalBool(e Expr, item Item, env *Env) (bool, error) {
	s, err := Eval(e, item, env)
	if err != nil {
		return false, err
	}
	return EBV(s)
}

func (ev *evaluator) resolve(prefix string) (string, bool) {
	if u, ok := ev.env.Namespaces[prefix]; ok {
		return u, true
	}
	switch prefix {
	case "xml":
		return xmlNS, true
	case "xs":
		return XSNS, true
	case "fn":
		return FnNS, true
	case "":
		return "", true
	}
	return "", false
}

// check reports static errors: unbound prefixes in name tests and function
// names, unknown functions and wrong arity.
func (ev *evaluator) check(e Expr) error {
	var err error
	Walk(e, func(x Expr) bool {
		if err != nil {
			return false
		}
		switch n := x.(type) {
		case *AxisStep:
			if n.Name != nil && n.Name.Prefix != "" && n.Name.Prefix != "*" {
				if _, ok := ev.resolve(n.Name.Prefix); !ok {
					err = errf(ErrUnboundPrefix, "XPST0081", "prefix %q is not bound", n.Name.Prefix)
				}
			}
		case *FuncCall:
			_, err = ev.lookupFunc(n)
		case *TypeOp:
			if n.Type.Atomic.Local != "" {
				if _, ok := ev.resolve(n.Type.Atomic.Prefix); !ok {
					err = errf(ErrUnboundPrefix, "XPST0081", "prefix %q is not bound", n.Type.Atomic.Prefix)
				}
			}
		}
		return true
	})
	return err
}

func (ev *evaluator) eval(e Expr, c dctx) (Seq, error) {
	switch n := e.(type) {
	case *Literal:
		return evalLiteral(n)
	case *VarRef:
		name := n.Name.String()
		for s := c.vars; s != nil; s = s.next {
			if s.name == name {
				return s.val, nil
			}
		}
		if v, ok := ev.env.Vars[name]; ok {
			return v, nil
		}
		if err, ok := ev.env.VarErrors[name]; ok {
			return nil, err
		}
		return nil, errf(ErrUnboundVariable, "XPST0008", "variable $%s is not bound", name)
	case *ContextItem:
		if c.item == nil {
			return nil, errf(ErrDynamic, "XPDY0002", "context item is undefined")
		}
		return Seq{c.item}, nil
	case *Sequence:
		var out Seq
		for _, x := range n.Items {
			s, err := ev.eval(x, c)
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
		return out, nil
	case *FuncCall:
		return ev.call(n, c)
	case *Binary:
		return ev.binary(n, c)
	case *Unary:
		s, err := ev.eval(n.X, c)
		if err != nil {
			return nil, err
		}
		a, err := singleNumeric(s, n.Op)
		if err != nil || a == nil {
			return nil, err
		}
		if n.Op == "+" {
			return Seq{a}, nil
		}
		r, err := arith("-", newInt(0), a)
		if d, ok := a.(Double); ok && err == nil {
			r = -d // keeps -0
		}
		if err != nil {
			return nil, err
		}
		return Seq{r}, nil
	case *If:
		b, err := ev.ebv(n.Cond, c)
		if err != nil {
			return nil, err
		}
		if b {
			return ev.eval(n.Then, c)
		}
		return ev.eval(n.Else, c)
	case *For:
		var out Seq
		err := ev.bind(n.Bindings, c, func(c dctx) (bool, error) {
			s, err := ev.eval(n.Return, c)
			out = append(out, s...)
			return true, err
		})
		return out, err
	case *Quantified:
		member, cmp := n.member, n.memberCmp
		if !n.memberSet {
			member, cmp = quantMember(n) // not prepared: the same reading
		}
		if member != nil && lazyOperand(member) {
			// Its values read as they are compared (see lazyCompare).
			return ev.binary(cmp, c)
		}
		if member != nil {
			// some $x in S satisfies A = $x  ≡  A = S (existential).
			seq, err := ev.eval(n.Bindings[0].In, c)
			if err != nil {
				return nil, err
			}
			if len(seq) == 0 {
				return seqFalse, nil
			}
			a, err := ev.eval(member, c)
			if err != nil {
				return nil, err
			}
			if set := ev.stringSet(seq); set != nil && allStringish(a) {
				// A code list in a variable: look the strings up.
				for _, it := range a {
					s, _ := nodeOrStringish(it)
					if _, ok := set[s]; ok {
						return seqTrue, nil
					}
				}
				return seqFalse, nil
			}
			// (Saxon rewrites it so too: S is the other operand.)
			b, err := generalCompare("=", a, seq, shape{ev: ev, l: member, r: n.Bindings[0].In, c: &c})
			return boolSeq(b), err
		}
		found := false
		err := ev.bind(n.Bindings, c, func(c dctx) (bool, error) {
			s, err := ev.eval(n.Satisfies, c)
			if err != nil {
				return false, err
			}
			b, err := EBV(s)
			if err != nil {
				return false, err
			}
			if b != n.Every { // some: found true; every: found false
				found = true
				return false, nil
			}
			return true, nil
		})
		if err != nil {
			return nil, err
		}
		return boolSeq(found != n.Every), nil
	case *TypeOp:
		return ev.typeOp(n, c)
	case *AxisStep:
		return ev.step(n, c)
	case *Filter:
		s, err := ev.eval(n.Primary, c)
		if err != nil {
			return nil, err
		}
		return ev.filter(s, n.Preds, c)
	case *Path:
		return ev.path(n, c)
	case *memoExpr:
		return ev.evalMemo(n, c)
	case *cseExpr:
		return ev.evalCSE(n, c)
	case *numExpr:
		return n.eval(ev, c)
	case *boolExpr:
		b, err := n.f(ev, c)
		if err != nil {
			return nil, err
		}
		return boolSeq(b), nil
	}
	return nil, errf(ErrUnsupported, "", "expression %T", e)
}

func evalLiteral(n *Literal) (Seq, error) {
	if n.val != nil {
		return n.val, nil
	}
	switch n.Kind {
	case StringLit:
		return Seq{String(n.Value)}, nil
	case IntegerLit:
		if i, ok := parseInteger(n.Value); ok {
			return Seq{i}, nil
		}
	case DecimalLit:
		if d, ok := parseDecimal(n.Value); ok {
			return Seq{d}, nil
		}
	case DoubleLit:
		if d, ok := parseDouble(n.Value); ok {
			return Seq{d}, nil
		}
	}
	return nil, errf(ErrCast, "XPST0003", "bad numeric literal %q", n.Value)
}

// bind iterates over the cartesian product of for/some/every bindings;
// f returns false to stop.
func (ev *evaluator) bind(bs []Binding, c dctx, f func(dctx) (bool, error)) error {
	if len(bs) == 0 {
		_, err := f(c)
		return err
	}
	var rec func(i int, c dctx) (bool, error)
	rec = func(i int, c dctx) (bool, error) {
		if i == len(bs) {
			return f(c)
		}
		s, err := ev.eval(bs[i].In, c)
		if err != nil {
			return false, err
		}
		// One scope entry for the binding, its value replaced at each
		// item: the evaluator is eager, nothing keeps a scope past its
		// iteration.
		sc := &scope{name: bs[i].Var.String(), next: c.vars}
		c2 := c
		c2.vars = sc
		for k := range s {
			sc.val = s[k : k+1 : k+1]
			more, err := rec(i+1, c2)
			if err != nil || !more {
				return false, err
			}
		}
		return true, nil
	}
	_, err := rec(0, c)
	return err
}

// singleNumeric atomises s to at most one numeric value (untyped → double).
// Returns nil for the empty sequence.
func singleNumeric(s Seq, what string) (Item, error) {
	s = Atomize(s)
	if len(s) == 0 {
		return nil, nil
	}
	if len(s) > 1 {
		return nil, typeErr("%s: expected at most one item, got %d", what, len(s))
	}
	a := s[0]
	if u, ok := a.(Untyped); ok {
		d, err := castTo(u, "double")
		if err != nil {
			return nil, err
		}
		a = d
	}
	if !isNumeric(a) {
		return nil, typeErr("%s: expected a number, got %s", what, typeName(a))
	}
	return a, nil
}

func (ev *evaluator) binary(n *Binary, c dctx) (Seq, error) {
	if n.Op == "and" || n.Op == "or" {
		lb, err := ev.ebv(n.L, c)
		if err != nil {
			return nil, err
		}
		if (n.Op == "and" && !lb) || (n.Op == "or" && lb) {
			return boolSeq(lb), nil
		}
		rb, err := ev.ebv(n.R, c)
		return boolSeq(rb), err
	}
	if n.Op == "=" || n.Op == "!=" {
		// normalize-space(X) != '' and the like: is there a non-space
		// character, without building the normalised string.
		if f, lit := normalizeVsEmpty(n); f != nil && lit {
			str, err := ev.stringOf(f, c)
			if err != nil {
				return nil, err
			}
			return boolSeq(hasNonSpace(str) == (n.Op == "!=")), nil
		}
	}
	switch n.Op {
	case "=", "!=", "<", "<=", ">", ">=":
		if n.eager {
			break
		}
		if b, done, err := ev.lazyCompare(n, c); done {
			return boolSeq(b), err
		}
	}
	l, err := ev.eval(n.L, c)
	if err != nil {
		return nil, err
	}
	switch n.Op {
	case "eq", "ne", "lt", "le", "gt", "ge":
		if len(l) == 0 {
			return nil, nil // empty, whatever the right operand (Saxon does not read it)
		}
	}
	r, err := ev.eval(n.R, c)
	if err != nil {
		return nil, err
	}
	switch n.Op {
	case "=", "!=", "<", "<=", ">", ">=":
		b, err := generalCompare(n.Op, l, r, shape{ev: ev, l: n.L, r: n.R, c: &c})
		return boolSeq(b), err
	case "eq", "ne", "lt", "le", "gt", "ge":
		l, r = Atomize(l), Atomize(r)
		if len(l) == 0 || len(r) == 0 {
			return nil, nil
		}
		if len(l) > 1 || len(r) > 1 {
			return nil, typeErr("value comparison %s on a sequence of more than one item", n.Op)
		}
		b, err := compareValues(n.Op, l[0], r[0])
		return boolSeq(b), err
	case "+", "-", "*", "div", "idiv", "mod":
		a, err := singleNumeric(l, n.Op)
		if err != nil {
			return nil, err
		}
		b, err := singleNumeric(r, n.Op)
		if err != nil || a == nil || b == nil {
			return nil, err
		}
		x, err := arith(n.Op, a, b)
		if err != nil {
			return nil, err
		}
		return ev.one(x), nil
	case "to":
		a, err := singleInteger(l)
		if err != nil {
			return nil, err
		}
		b, err := singleInteger(r)
		if err != nil || a == nil || b == nil {
			return nil, err
		}
		if !a.IsInt64() || !b.IsInt64() {
			return nil, errf(ErrDynamic, "", "range too large")
		}
		lo, hi := a.Int64(), b.Int64()
		limit := int64(ev.env.MaxItems)
		if limit <= 0 {
			limit = 1e6
		}
		if hi >= lo && new(big.Int).Sub(b, a).Cmp(big.NewInt(limit)) >= 0 {
			return nil, errf(ErrDynamic, "", "range %d to %d exceeds %d items", lo, hi, limit)
		}
		var out Seq
		for i := lo; i <= hi; i++ {
			out = append(out, newInt(i))
		}
		return out, nil
	case "union", "intersect", "except":
		ln, err := nodesOf(l, n.Op)
		if err != nil {
			return nil, err
		}
		rn, err := nodesOf(r, n.Op)
		if err != nil {
			return nil, err
		}
		switch n.Op {
		case "union":
			return docOrder(append(ln, rn...)), nil
		default:
			in := map[*Node]bool{}
			for _, x := range rn {
				in[x] = true
			}
			var out []*Node
			for _, x := range ln {
				if in[x] == (n.Op == "intersect") {
					out = append(out, x)
				}
			}
			return docOrder(out), nil
		}
	case "is", "<<", ">>":
		if len(l) == 0 || len(r) == 0 {
			return nil, nil
		}
		ln, err := nodesOf(l, n.Op)
		if err != nil {
			return nil, err
		}
		rn, err := nodesOf(r, n.Op)
		if err != nil {
			return nil, err
		}
		if len(ln) != 1 || len(rn) != 1 {
			return nil, typeErr("%s needs single nodes", n.Op)
		}
		a, b := ln[0], rn[0]
		switch n.Op {
		case "is":
			return boolSeq(a == b), nil
		case "<<":
			return boolSeq(before(a, b)), nil
		}
		return boolSeq(before(b, a)), nil
	}
	return nil, errf(ErrUnsupported, "", "operator %s", n.Op)
}

func singleInteger(s Seq) (*big.Int, error) {
	s = Atomize(s)
	if len(s) == 0 {
		return nil, nil
	}
	if len(s) > 1 {
		return nil, typeErr("expected one integer, got %d items", len(s))
	}
	a := s[0]
	if u, ok := a.(Untyped); ok {
		x, err := castTo(u, "integer")
		if err != nil {
			return nil, err
		}
		a = x
	}
	i, ok := a.(Integer)
	if !ok {
		return nil, typeErr("expected xs:integer, got %s", typeName(a))
	}
	return i.V, nil
}

func nodesOf(s Seq, op string) ([]*Node, error) {
	out := make([]*Node, 0, len(s))
	for _, it := range s {
		n, ok := it.(*Node)
		if !ok {
			return nil, typeErr("%s: operand contains %s, not a node", op, typeName(it))
		}
		out = append(out, n)
	}
	return out, nil
}

// before reports whether a precedes b in document order. Nodes of
// different trees are ordered by Order only (stable but arbitrary).
func before(a, b *Node) bool { return a.Order < b.Order }

// docOrder sorts nodes into document order and removes duplicates.
func docOrder(ns []*Node) Seq {
	ns = nodesInOrder(ns)
	out := make(Seq, len(ns))
	for i, n := range ns {
		out[i] = n
	}
	return out
}

// nodesInOrder sorts ns into document order without duplicates (in place).
func nodesInOrder(ns []*Node) []*Node {
	sorted := true
	for i := 1; i < len(ns); i++ {
		if ns[i-1].Order >= ns[i].Order {
			sorted = false
			break
		}
	}
	if sorted {
		return ns
	}
	slices.SortStableFunc(ns, func(a, b *Node) int {
		switch {
		case a == b:
			return 0
		case before(a, b):
			return -1
		}
		return 1
	})
	return slices.Compact(ns)
}

func (ev *evaluator) path(p *Path, c dctx) (Seq, error) {
	var cur Seq
	switch p.Root {
	case RootNone:
		if len(p.Steps) == 0 {
			return nil, errf(ErrUnsupported, "", "empty path")
		}
		s, err := ev.eval(p.Steps[0].Expr, c)
		if err != nil {
			return nil, err
		}
		cur = s
		return ev.steps(cur, p.Steps[1:], c)
	default:
		n, ok := c.item.(*Node)
		if !ok {
			if c.item == nil {
				return nil, errf(ErrDynamic, "XPDY0002", "context item is undefined for a rooted path")
			}
			return nil, typeErr("rooted path: context item is not a node")
		}
		root := n.Root()
		if root.Kind != DocumentNode {
			return nil, errf(ErrDynamic, "XPDY0050", "root of the context node is not a document node")
		}
		cur = ev.one(root)
		if p.Root == RootDoubleSlash {
			if sts := indexedSteps(p.Steps[0].Expr); sts != nil {
				out, ok, err := ev.descendantsIndexed([]*Node{root}, sts, c)
				if err != nil {
					return nil, err
				}
				if ok {
					return ev.steps(out, p.Steps[1:], c)
				}
			}
			cur = descOrSelf(cur)
		}
		return ev.steps(cur, p.Steps, c)
	}
}

func descOrSelf(s Seq) Seq {
	var out Seq
	var walk func(*Node)
	walk = func(n *Node) {
		out = append(out, n)
		for _, ch := range n.Children {
			walk(ch)
		}
	}
	for _, it := range s {
		walk(it.(*Node))
	}
	return out
}

func (ev *evaluator) steps(cur Seq, steps []PathStep, c dctx) (Seq, error) {
	for _, st := range steps {
		for _, it := range cur {
			if _, ok := it.(*Node); !ok {
				return nil, errf(ErrType, "XPTY0019", "left operand of / contains a non-node")
			}
		}
		if st.Desc {
			ns, _ := nodesOf(cur, "/")
			if sts := indexedSteps(st.Expr); sts != nil {
				out, ok, err := ev.descendantsIndexed(nodesInOrder(ns), sts, c)
				if err != nil {
					return nil, err
				}
				if ok {
					cur = out
					continue
				}
			}
			cur = descOrSelf(docOrder(ns))
		}
		var out Seq
		nodes, atoms := 0, 0
		for i, it := range cur {
			s, err := ev.eval(st.Expr, dctx{item: it, pos: i + 1, size: len(cur), vars: c.vars})
			if err != nil {
				return nil, err
			}
			for _, it := range s {
				if _, ok := it.(*Node); ok {
					nodes++
				} else {
					atoms++
				}
			}
			if len(cur) == 1 {
				out = s // one context node: the step's own result, already in order
			} else {
				out = append(out, s...)
			}
		}
		if nodes > 0 && atoms > 0 {
			return nil, errf(ErrType, "XPTY0018", "path step returns both nodes and atomic values")
		}
		if atoms == 0 && !seqInOrder(out) {
			rn, _ := nodesOf(out, "/")
			out = docOrder(rn)
		}
		cur = out
	}
	return cur, nil
}

// seqInOrder reports whether a sequence of nodes is in strict document order
// (sorted, no duplicates).
func seqInOrder(s Seq) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1].(*Node).Order >= s[i].(*Node).Order {
			return false
		}
	}
	return true
}

// step evaluates an axis step against the context node.
func (ev *evaluator) step(st *AxisStep, c dctx) (Seq, error) {
	n, ok := c.item.(*Node)
	if !ok {
		if c.item == nil {
			return nil, errf(ErrDynamic, "XPDY0002", "context item is undefined for axis step")
		}
		return nil, errf(ErrType, "XPTY0020", "context item of an axis step is %s, not a node", typeName(c.item))
	}
	var cand []*Node
	var err error
	if st.Axis == AxisPreceding && st.prepared && st.Name != nil && st.Name.Local != "*" && st.Name.Prefix != "*" && n.Kind != AttributeNode {
		// From the name index: same-named elements before n that are not
		// its ancestors, nearest first (a reverse axis).
		if list, ok := stepNamed(n, st); ok {
			for i := len(list) - 1; i >= 0; i-- {
				m := list[i]
				if m.Order < n.Order && m.Last < n.Order {
					cand = append(cand, m)
				}
			}
			goto tested
		}
	}
	if st.Axis == AxisChild {
		if keys, key, ok := kidKeys(n, st); ok {
			// The children's name keys say which ones to take.
			k := 0
			if key >= 0 {
				for _, kk := range keys {
					if kk == key {
						k++
					}
				}
			}
			if k == 0 {
				return nil, nil
			}
			sel := ev.seq(k)
			for i, kk := range keys {
				if kk == key {
					sel = append(sel, n.Children[i])
				}
			}
			if len(st.Preds) > 0 {
				return ev.filter(sel, st.Preds, c)
			}
			return sel, nil
		}
		var indexed bool
		if cand, indexed = childCandidates(n, st); indexed {
			// From the name index: only n's own children.
			var own []*Node
			for _, m := range cand {
				if m.Parent == n {
					own = append(own, m)
				}
			}
			cand = own
		}
		goto tested
	}
	cand, err = axisNodes(st.Axis, n)
	if err != nil {
		return nil, err
	}
tested:
	// Count first, so that the result is allocated once.
	k := 0
	for _, m := range cand {
		ok, err := ev.test(st, m)
		if err != nil {
			return nil, err
		}
		if ok {
			k++
		}
	}
	if k == 0 {
		return nil, nil
	}
	if k == 1 && len(st.Preds) == 0 && isForward(st.Axis) {
		for _, m := range cand {
			if ok, _ := ev.test(st, m); ok {
				return ev.one(m), nil
			}
		}
	}
	sel := ev.seq(k)
	for _, m := range cand {
		if ok, _ := ev.test(st, m); ok {
			sel = append(sel, m)
		}
	}
	if len(st.Preds) > 0 {
		sel, err = ev.filter(sel, st.Preds, c)
		if err != nil {
			return nil, err
		}
	}
	switch st.Axis {
	case AxisChild, AxisAttribute, AxisSelf, AxisDescendant, AxisDescendantOrSelf, AxisFollowingSibling, AxisFollowing:
		return sel, nil // forward axes: already in document order
	}
	ns, _ := nodesOf(sel, "")
	return docOrder(ns), nil
}

// isForward reports whether axis is a forward axis (its nodes come in
// document order).
func isForward(axis string) bool {
	switch axis {
	case AxisChild, AxisAttribute, AxisSelf, AxisDescendant, AxisDescendantOrSelf, AxisFollowingSibling, AxisFollowing:
		return true
	}
	return false
}

// axisNodes returns the nodes on the axis in axis order (reverse axes
// nearest first).
func axisNodes(axis string, n *Node) ([]*Node, error) {
	var out []*Node
	switch axis {
	case AxisChild:
		return n.Children, nil
	case AxisAttribute:
		return n.Attrs, nil
	case AxisSelf:
		return []*Node{n}, nil
	case AxisParent:
		if n.Parent != nil {
			out = append(out, n.Parent)
		}
	case AxisAncestor, AxisAncestorOrSelf:
		if axis == AxisAncestorOrSelf {
			out = append(out, n)
		}
		for p := n.Parent; p != nil; p = p.Parent {
			out = append(out, p)
		}
	case AxisDescendant, AxisDescendantOrSelf:
		var walk func(*Node)
		walk = func(m *Node) {
			for _, ch := range m.Children {
				out = append(out, ch)
				walk(ch)
			}
		}
		if axis == AxisDescendantOrSelf {
			out = append(out, n)
		}
		walk(n)
	case AxisFollowingSibling, AxisPrecedingSibling:
		if n.Parent == nil || n.Kind == AttributeNode {
			return nil, nil
		}
		sib := n.Parent.Children
		if axis == AxisFollowingSibling {
			out = append(out, sib[int(n.idx)+1:]...)
		} else {
			for i := int(n.idx) - 1; i >= 0; i-- {
				out = append(out, sib[i])
			}
		}
	case AxisFollowing, AxisPreceding:
		all := descOrSelf(Seq{n.Root()})
		anc := map[*Node]bool{}
		for p := n; p != nil; p = p.Parent {
			anc[p] = true
		}
		host := n
		if n.Kind == AttributeNode {
			host = n.Parent
		}
		for i := len(all) - 1; i >= 0 && axis == AxisPreceding; i-- {
			m := all[i].(*Node)
			if m.Order < n.Order && !anc[m] {
				out = append(out, m)
			}
		}
		if axis == AxisFollowing {
			for _, it := range all {
				m := it.(*Node)
				if m.Order > n.Order && !isAncestor(host, m) {
					out = append(out, m)
				}
			}
		}
	default:
		return nil, errf(ErrUnsupported, "", "axis %s", axis)
	}
	return out, nil
}

func isAncestor(a, m *Node) bool {
	for p := m.Parent; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

func (ev *evaluator) test(st *AxisStep, m *Node) (bool, error) {
	if st.Name != nil {
		principal := ElementNode
		if st.Axis == AxisAttribute {
			principal = AttributeNode
		}
		if m.Kind != principal {
			return false, nil
		}
		q := st.Name
		if q.Local != "*" && q.Local != m.Local {
			return false, nil
		}
		if st.prepared && q.Prefix != "*" && q.Prefix != "" {
			return m.Space == st.uri, nil
		}
		switch q.Prefix {
		case "*":
			return true, nil
		case "":
			if q.Local == "*" {
				return true, nil
			}
			return m.Space == "", nil // no default element namespace
		}
		uri, ok := ev.resolve(q.Prefix)
		if !ok {
			return false, errf(ErrUnboundPrefix, "XPST0081", "prefix %q is not bound", q.Prefix)
		}
		return m.Space == uri, nil
	}
	k := st.Kind
	switch k.Kind {
	case "node":
		return true, nil
	case "text":
		return m.Kind == TextNode, nil
	case "document-node":
		return m.Kind == DocumentNode && len(k.Args) == 0, nil
	case "element", "attribute":
		want := ElementNode
		if k.Kind == "attribute" {
			want = AttributeNode
		}
		if m.Kind != want {
			return false, nil
		}
		if len(k.Args) == 0 || k.Args[0] == "*" {
			return true, nil
		}
		if len(k.Args) > 1 {
			return false, errf(ErrUnsupported, "", "typed %s() test", k.Kind)
		}
		q := splitQName(k.Args[0])
		uri, ok := ev.resolve(q.Prefix)
		if !ok {
			return false, errf(ErrUnboundPrefix, "XPST0081", "prefix %q is not bound", q.Prefix)
		}
		return m.Local == q.Local && m.Space == uri, nil
	case "comment", "processing-instruction":
		return false, nil // not kept in the tree
	}
	return false, errf(ErrUnsupported, "", "kind test %s()", k.Kind)
}

// filter applies predicates to s (positions in the order of s).
func (ev *evaluator) filter(s Seq, preds []Expr, c dctx) (Seq, error) {
	if ev.lenient() {
		return ev.filterLenient(s, preds, c)
	}
	ev.depth++
	defer func() { ev.depth-- }()
	for _, p := range preds {
		if len(s) == 0 {
			return s, nil
		}
		if focusFree(p) {
			// $digits[$i + 1]: the predicate has one value for every item.
			r, err := ev.eval(p, dctx{item: s[0], pos: 1, size: len(s), vars: c.vars})
			if err != nil {
				return nil, err
			}
			if len(r) == 1 && isNumeric(r[0]) {
				var pick Seq
				if iv, ok := r[0].(Integer); ok && iv.V.IsInt64() {
					if k := iv.V.Int64(); k >= 1 && k <= int64(len(s)) {
						pick = ev.one(s[k-1])
					}
				} else {
					for i := range s {
						if cmp, ok := compareNum(r[0], newInt(int64(i+1))); ok && cmp == 0 {
							pick = Seq{s[i]}
							break
						}
					}
				}
				s = pick
				continue
			}
			keep, err := EBV(r)
			if err != nil {
				return nil, err
			}
			if !keep {
				s = nil
			}
			continue
		}
		var out Seq
		for i, it := range s {
			keep, err := ev.predicateHolds(p, it, i+1, len(s), c)
			if err != nil {
				return nil, err
			}
			if keep {
				if out == nil {
					out = ev.seq(len(s) - i)
				}
				out = append(out, it)
			}
		}
		s = out
	}
	return s, nil
}

// predicateHolds evaluates predicate p for the item at position pos of size:
// a number selects by position, anything else by its effective boolean value.
func (ev *evaluator) predicateHolds(p Expr, it Item, pos, size int, c dctx) (bool, error) {
	ic := dctx{item: it, pos: pos, size: size, vars: c.vars}
	if found, ok, err := ev.anyPath(p, ic); ok {
		return found, err
	}
	if booleanValued(p) {
		return ev.ebv(p, ic)
	}
	r, err := ev.eval(p, ic)
	if err != nil {
		return false, err
	}
	if len(r) == 1 && isNumeric(r[0]) {
		cmp, ok := compareNum(r[0], newInt(int64(pos)))
		return ok && cmp == 0, nil
	}
	return EBV(r)
}

func (ev *evaluator) typeOp(n *TypeOp, c dctx) (Seq, error) {
	t := n.Type
	if n.Op != "castable as" && n.Op != "cast as" {
		return nil, errf(ErrUnsupported, "", "%s", n.Op)
	}
	if t.Atomic.Local == "" || (t.Occurrence != "" && t.Occurrence != "?") {
		return nil, errf(ErrType, "XPST0080", "%s needs an atomic type", n.Op)
	}
	uri, _ := ev.resolve(t.Atomic.Prefix)
	if uri != XSNS {
		return nil, errf(ErrUnsupported, "XPST0051", "unknown type %s", t.Atomic)
	}
	s, err := ev.eval(n.X, c)
	if err != nil {
		return nil, err
	}
	s = Atomize(s)
	castable := n.Op == "castable as"
	if len(s) != 1 {
		ok := len(s) == 0 && t.Occurrence == "?"
		if castable {
			return boolSeq(ok), nil
		}
		if ok {
			return nil, nil
		}
		return nil, typeErr("cast of a sequence of %d items", len(s))
	}
	v, err := castTo(s[0], t.Atomic.Local)
	if castable {
		if ee, ok := err.(*EvalError); ok && ee.Err == ErrUnsupported {
			return nil, err
		}
		return boolSeq(err == nil), nil
	}
	if err != nil {
		return nil, err
	}
	return Seq{v}, nil
}

// focusFree reports whether e's value does not depend on the focus (context
// item, position, size): literals and variables combined by operators.
func focusFree(e Expr) bool {
	switch n := e.(type) {
	case *Literal, *VarRef:
		return true
	case *Binary:
		switch n.Op {
		case "+", "-", "*", "div", "idiv", "mod":
			return focusFree(n.L) && focusFree(n.R)
		}
	case *Unary:
		return focusFree(n.X)
	}
	return false
}

// filterLenient applies the predicates item by item, a dynamic error
// counting as false for that item (LenientPredicates).
func (ev *evaluator) filterLenient(s Seq, preds []Expr, c dctx) (Seq, error) {
	for _, p := range preds {
		var out Seq
		for i, it := range s {
			ev.depth++
			keep, err := ev.predicateHolds(p, it, i+1, len(s), c)
			ev.depth--
			if err != nil && ev.env.Recovered != nil {
				ev.env.Recovered(err)
			}
			if err == nil && keep {
				out = append(out, it)
			}
		}
		s = out
	}
	return s, nil
}

// normalizeVsEmpty matches normalize-space(...) compared with the literal ”
// (either side), returning the call.
func normalizeVsEmpty(n *Binary) (*FuncCall, bool) {
	isEmpty := func(e Expr) bool { l, ok := e.(*Literal); return ok && l.Kind == StringLit && l.Value == "" }
	isNorm := func(e Expr) *FuncCall {
		if f, ok := e.(*FuncCall); ok && f.bi != nil && f.Name.Local == "normalize-space" {
			return f
		}
		return nil
	}
	if f := isNorm(n.L); f != nil && isEmpty(n.R) {
		return f, true
	}
	if f := isNorm(n.R); f != nil && isEmpty(n.L) {
		return f, true
	}
	return nil, false
}

// booleanValued reports whether e surely yields a boolean (so that, as a
// predicate, it is never positional): a comparison, and, or, or a call of a
// boolean builtin.
func booleanValued(e Expr) bool {
	switch n := e.(type) {
	case *Binary:
		switch n.Op {
		case "or", "and", "=", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "le", "gt", "ge":
			return true
		}
	case *FuncCall:
		if n.bi != nil {
			switch n.Name.Local {
			case "not", "exists", "empty", "boolean", "contains", "starts-with", "ends-with", "matches", "true", "false":
				return true
			}
		}
	case *Quantified, *boolExpr:
		return true
	}
	return false
}

// lazyCompare evaluates a general comparison of which an operand is, or
// holds in a sequence, a path whose last step computes values, such as
// cac:Item/cac:ClassifiedTaxCategory/xs:decimal(cbc:Percent) = $rate
// (BR-S-08), the way Saxon does, so that a value that cannot be computed
// (a rate of "NaN" cast to xs:decimal) raises an error only where Saxon's
// does. Saxon reads the operands' values as they are compared
// (GeneralComparison):
//   - against an operand it knows to be a single value (see singleValued),
//     that value first, then the other's values in turn, the first that
//     compares true ending it (none when the single one is empty);
//   - otherwise, for = and !=, the two operands' values alternately, the
//     left one's first, each compared with the other's read so far;
//   - against an empty sequence written (), none: false;
//   - for <, <=, >, >= between two operands it does not know to be single,
//     all of them (it compares their maximum and minimum): as the whole
//     evaluation does.
//
// A path's values are computed node by node, a sequence's item by item,
// any other operand's as a whole when its first is wanted. Two operands
// Saxon knows to be single values are read so too, paths or not: when the
// first is empty, the second is not read. done is false for the shapes and
// cases left to the whole evaluation, which the caller then makes.
func (ev *evaluator) lazyCompare(n *Binary, c dctx) (b, done bool, err error) {
	if !lazyOperand(n.L) && !lazyOperand(n.R) {
		// (The left operand first: most are paths, soon found not single.)
		if !singleValued(ev, n.L, c) || !singleValued(ev, n.R, c) {
			return false, false, nil
		}
		// Two single values, neither read lazily: the first, then, when
		// it is not empty, the second (see below).
		first, second := n.L, n.R
		if !leftFirst(n) {
			first, second = n.R, n.L
		}
		a, err := ev.eval(first, c)
		if err != nil || len(a) == 0 {
			return false, true, err
		}
		b, err := ev.eval(second, c)
		if err != nil {
			return false, true, err
		}
		if first == n.R {
			a, b = b, a
		}
		ok, err := generalCompare(n.Op, a, b, shape{})
		return ok, true, err
	}
	if emptyLiteral(n.L) || emptyLiteral(n.R) {
		return false, true, nil
	}
	ls, rs := singleValued(ev, n.L, c), singleValued(ev, n.R, c)
	if !ls && !rs && n.Op != "=" && n.Op != "!=" {
		return false, false, nil
	}
	vop := valueOps[n.Op]
	sh := shape{ev: ev, l: n.L, r: n.R, c: &c} // for the NaN rule of untypedVsNumber
	l, r := ev.puller(n.L, c), ev.puller(n.R, c)
	if ls || rs {
		// The single one first, then the other's values in turn; when
		// both are single, as leftFirst says.
		one, many, oneLeft := r, l, false
		if !rs || ls && leftFirst(n) {
			one, many, oneLeft = l, r, true
		}
		o, ok, err := one()
		if err != nil || !ok {
			return false, true, err
		}
		if _, more, _ := one(); more {
			return false, false, nil // not single after all: the whole evaluation's
		}
		for {
			v, ok, err := many()
			if err != nil || !ok {
				return false, true, err
			}
			a, b := v, o
			if oneLeft {
				a, b = o, v
			}
			if ok, err := comparePair(n.Op, vop, a, b, sh); err != nil || ok {
				return ok, true, err
			}
		}
	}
	// Alternately, the left operand's first.
	pull := [2]puller{l, r}
	var taken [2][]Item
	var exhausted [2]bool
	for {
		for side := 0; side < 2; side++ {
			if exhausted[side] {
				continue
			}
			it, ok, err := pull[side]()
			if err != nil {
				return false, true, err
			}
			if !ok {
				if exhausted[1-side] {
					return false, true, nil
				}
				exhausted[side] = true
				continue
			}
			for _, o := range taken[1-side] {
				a, b := it, o
				if side == 1 {
					a, b = o, it
				}
				if ok, err := comparePair(n.Op, vop, a, b, sh); err != nil || ok {
					return ok, true, err
				}
			}
			if !exhausted[1-side] {
				taken[side] = append(taken[side], it)
			}
		}
	}
}

// puller gives an operand's atomic values one at a time: ok false after
// the last.
type puller func() (it Item, ok bool, err error)

// puller returns e's values as lazyCompare reads them: a path that
// computes values (see lazyPath) node by node, a sequence item by item,
// anything else evaluated whole on the first call. A path Prepare
// remembers per document is taken from the memo when it has a value (read
// in order, as the path would give it), and computed node by node when it
// has an error. A last step that gives nodes has the path's nodes sorted
// first, as the path does.
func (ev *evaluator) puller(e Expr, c dctx) puller {
	if m, ok := e.(*memoExpr); ok && isLazyPath(m.X) {
		if v, err := ev.eval(m, c); err == nil {
			return listPuller(Atomize(v))
		}
	}
	if last, prefix := lazyPath(e); last != nil {
		var nodes Seq
		started, yielded := false, false
		k, vs, vi := 0, Seq(nil), 0
		var rest puller // when the last step gives nodes
		// at is the last step's values at the k-th node.
		at := func(k int) (Seq, error) {
			return ev.eval(last, dctx{item: nodes[k], pos: k + 1, size: len(nodes), vars: c.vars})
		}
		return func() (Item, bool, error) {
			if rest != nil {
				return rest()
			}
			if !started {
				started = true
				var err error
				if nodes, err = ev.eval(prefix, c); err != nil {
					return nil, false, err
				}
				for _, it := range nodes {
					if _, isNode := it.(*Node); !isNode {
						return nil, false, errf(ErrType, "XPTY0019", "left operand of / contains a non-node")
					}
				}
			}
			for vi == len(vs) {
				if k == len(nodes) {
					return nil, false, nil
				}
				var err error
				vs, err = at(k)
				if err != nil {
					return nil, false, err
				}
				k, vi = k+1, 0
				if hasNode(vs) {
					// Nodes: all of them, in document order, then their
					// values.
					all := append(Seq(nil), vs...)
					for ; k < len(nodes); k++ {
						s, err := at(k)
						if err != nil {
							return nil, false, err
						}
						all = append(all, s...)
					}
					ns, err := nodesOf(all, "/")
					if err != nil || yielded {
						return nil, false, errf(ErrType, "XPTY0018", "path step returns both nodes and atomic values")
					}
					rest = listPuller(Atomize(docOrder(ns)))
					return rest()
				}
			}
			vi++
			yielded = true
			return vs[vi-1], true, nil
		}
	}
	if sq, ok := e.(*Sequence); ok {
		i := 0
		var cur puller
		return func() (Item, bool, error) {
			for {
				if cur == nil {
					if i == len(sq.Items) {
						return nil, false, nil
					}
					cur = ev.puller(sq.Items[i], c)
					i++
				}
				it, ok, err := cur()
				if err != nil || ok {
					return it, ok, err
				}
				cur = nil
			}
		}
	}
	var vals puller
	return func() (Item, bool, error) {
		if vals == nil {
			v, err := ev.eval(e, c)
			if err != nil {
				return nil, false, err
			}
			vals = listPuller(Atomize(v))
		}
		return vals()
	}
}

// listPuller gives the items of s in turn.
func listPuller(s Seq) puller {
	return func() (Item, bool, error) {
		if len(s) == 0 {
			return nil, false, nil
		}
		it := s[0]
		s = s[1:]
		return it, true, nil
	}
}

// hasNode reports whether s holds a node.
func hasNode(s Seq) bool {
	for _, it := range s {
		if _, ok := it.(*Node); ok {
			return true
		}
	}
	return false
}

// lazyOperand reports whether e is, or holds in a sequence, a path that
// computes values (see lazyPath).
func lazyOperand(e Expr) bool {
	if isLazyPath(e) {
		return true
	}
	if sq, ok := e.(*Sequence); ok {
		for _, it := range sq.Items {
			if lazyOperand(it) {
				return true
			}
		}
	}
	return false
}

// emptyLiteral reports whether e is (), which Saxon knows to be empty.
func emptyLiteral(e Expr) bool {
	sq, ok := e.(*Sequence)
	return ok && len(sq.Items) == 0
}

// singleValued reports whether Saxon knows, when it compiles e, that e
// gives at most one item: a literal, the context item, an attribute,
// parent or self step, a step or filter ending in a numeric predicate
// ([1]), a path of such steps, a variable of a for, some or every, a call
// of a function that returns one value, a cast, arithmetic, an if whose
// branches are such. A global or rule variable counts when it holds at
// most one item (Saxon infers its type from its value's expression).
func singleValued(ev *evaluator, e Expr, c dctx) bool {
	switch n := e.(type) {
	case *Literal, *ContextItem, *Unary, *numExpr, *boolExpr, *Quantified:
		return true
	case *VarRef:
		if ev == nil {
			return true // (when preparing: it may be)
		}
		name := n.Name.String()
		for sc := c.vars; sc != nil; sc = sc.next {
			if sc.name == name {
				return true
			}
		}
		if ev.env != nil {
			if v, ok := ev.env.Vars[name]; ok {
				return len(v) <= 1
			}
		}
		return true // an error either way
	case *FuncCall:
		if n.ctor != "" || n.bi == nil && n.Name.Prefix == "xs" && constructors[n.Name.Local] && len(n.Args) == 1 {
			return true
		}
		plainFn := n.bi == nil && n.extKey == "" && (n.Name.Prefix == "" || n.Name.Prefix == "fn")
		return (n.bi != nil || plainFn) && singleFuncs[n.Name.Local]
	case *AxisStep:
		switch {
		case n.Axis == AxisSelf:
			return true
		case n.Axis == AxisAttribute && n.Name != nil && n.Name.Local != "*" && n.Name.Prefix != "*":
			return true
		}
		return numericLast(n.Preds)
	case *Filter:
		return numericLast(n.Preds) || singleValued(ev, n.Primary, c)
	case *Path:
		if n.Root == RootDoubleSlash {
			return false
		}
		for _, st := range n.Steps {
			if st.Desc || !singleValued(ev, st.Expr, c) {
				return false
			}
		}
		return true
	case *Binary:
		switch n.Op {
		case "+", "-", "*", "div", "idiv", "mod", "and", "or", "=", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "le", "gt", "ge", "is", "<<", ">>":
			return true
		}
	case *cseExpr:
		return singleValued(ev, n.X, c)
	case *memoExpr:
		return singleValued(ev, n.X, c)
	case *If:
		return (emptyLiteral(n.Then) || singleValued(ev, n.Then, c)) && (emptyLiteral(n.Else) || singleValued(ev, n.Else, c))
	case *Sequence:
		return len(n.Items) == 0 || len(n.Items) == 1 && singleValued(ev, n.Items[0], c)
	case *TypeOp:
		switch n.Op {
		case "treat as":
			return n.Type.Occurrence == "" || n.Type.Occurrence == "?"
		}
		return true // cast as, castable as, instance of
	}
	return false
}

// numericLast reports whether the last of preds is a numeric literal or
// last(), as in x[1]: the step then selects at most one node.
func numericLast(preds []Expr) bool {
	if len(preds) == 0 {
		return false
	}
	switch p := preds[len(preds)-1].(type) {
	case *Literal:
		return p.Kind != StringLit
	case *FuncCall:
		return p.Name.Local == "last" && len(p.Args) == 0 && (p.Name.Prefix == "" || p.Name.Prefix == "fn")
	}
	return false
}

// leftFirst reports whether Saxon reads the left of two single-valued
// operands first: unless only the right one gives untypedAtomic values
// (it moves that one first).
func leftFirst(n *Binary) bool {
	return !untypedValued(n.R) || untypedValued(n.L)
}

// untypedValued reports whether e gives nodes (whose values are
// untypedAtomic) by its form: a step, the context item, a path ending in a
// step.
func untypedValued(e Expr) bool {
	switch n := e.(type) {
	case *AxisStep, *ContextItem:
		return true
	case *Path:
		if len(n.Steps) == 0 {
			return true
		}
		if n.Root == RootNone && !untypedValued(n.Steps[0].Expr) {
			return false // (2/. is an error, not nodes)
		}
		return untypedValued(n.Steps[len(n.Steps)-1].Expr)
	case *Filter:
		return untypedValued(n.Primary)
	case *memoExpr:
		return untypedValued(n.X)
	case *cseExpr:
		return untypedValued(n.X)
	}
	return false
}

// singleFuncs are the functions that return at most one item.
var singleFuncs = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true, "string": true, "normalize-space": true,
	"number": true, "upper-case": true, "lower-case": true, "concat": true, "substring": true, "substring-before": true,
	"substring-after": true, "string-length": true, "round": true, "abs": true, "floor": true, "ceiling": true,
	"boolean": true, "not": true, "exists": true, "empty": true, "contains": true, "starts-with": true, "ends-with": true,
	"string-join": true, "translate": true, "name": true, "local-name": true, "position": true, "last": true,
	"true": true, "false": true, "matches": true, "replace": true, "round-half-to-even": true, "format-number": true,
}

// isLazyPath reports whether lazyPath takes e (without building the
// prefix).
func isLazyPath(e Expr) bool {
	return lazyLast(e) != nil
}

// lazyPath returns the last step and the steps before it of a path whose
// last step computes values (a function call, a cast, arithmetic, an if, a
// filter, a for or some expression), not nodes; else nil. A path Prepare
// remembers per document (memoExpr) or per evaluation (cseExpr) is read as
// the path itself.
func lazyPath(e Expr) (last, prefix Expr) {
	if lazyLast(e) == nil {
		return nil, nil
	}
	switch w := e.(type) {
	case *memoExpr:
		e = w.X
	case *cseExpr:
		e = w.X
	}
	return splitLast(e.(*Path))
}

// lazyLast is lazyPath's last step, or nil.
func lazyLast(e Expr) Expr {
	switch w := e.(type) {
	case *memoExpr:
		e = w.X
	case *cseExpr:
		e = w.X
	}
	p, ok := e.(*Path)
	if !ok || len(p.Steps) < 2 || p.Steps[len(p.Steps)-1].Desc {
		return nil // (as splitLast)
	}
	last := p.Steps[len(p.Steps)-1].Expr
	switch x := last.(type) {
	case *FuncCall:
		if nodeFuncs[x.Name.Local] {
			return nil
		}
	case *TypeOp, *numExpr, *Unary, *If, *Literal, *Filter, *For, *Quantified:
	case *Binary:
		switch x.Op {
		case "union", "intersect", "except", "to":
			return nil
		}
	default:
		return nil
	}
	return last
}

// nodeFuncs are the functions that may return nodes.
var nodeFuncs = map[string]bool{"root": true, "id": true, "idref": true, "doc": true, "collection": true,
	"current": true, "key": true, "document": true, "reverse": true, "subsequence": true, "remove": true,
	"insert-before": true, "unordered": true, "zero-or-one": true, "one-or-more": true, "exactly-one": true,
	"head": true, "tail": true, "outermost": true, "innermost": true, "element-with-id": true}
