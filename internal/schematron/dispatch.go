package schematron

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/fellesgo/felles/internal/xpath"
)

// Matching rule contexts node by node.
//
// A rule context is an XSLT match pattern. Most in the e-invoice rules are
// paths of child steps with name tests and boolean predicates, such as
// cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory[cbc:ID = 'S'].
// Evaluating each one as an expression from the document node (//p) reads
// the whole document once per rule; instead, such a pattern is matched
// against a node from its last step back to its first, and only the rules
// whose last step names the node are tried. Patterns of any other shape are
// still evaluated from the document node (the fallback), once per document.

// matchStep is one step of a compiled pattern: a name test on an element
// (or, for the last step only, an attribute) with predicates.
type matchStep struct {
	attr       bool
	uri, local string // "*" matches any
	preds      []xpath.Expr
	// numeric is set when the step's one predicate may be a number (a
	// variable, say): then it selects by position among the siblings the
	// name test selects.
	numeric bool
	// desc is set when the step is preceded by "//": the previous step
	// matches an ancestor rather than the parent.
	desc bool
	// nameFilter, when set, is false for a node the first predicate is
	// false for, judging by the node's name alone (see xpath.NameFilter);
	// preds then leaves out a first predicate it decides entirely.
	nameFilter func(*xpath.Node) bool
	// When the first predicate of preds is eqSrc = 'eqLit' (see
	// xpath.StringEquals), eqKey numbers eqSrc's printed form, so that the
	// strings of eqSrc at a node are found once for the rules that compare
	// them with other literals (@schemeID = '0088', '0192', ...).
	eqKey int
	eqSrc xpath.Expr
	eqLit string
}

// matchPath is one union branch of a pattern compiled for node matching.
type matchPath struct {
	rooted bool // starts with "/": the first step matches a child of the document node
	steps  []matchStep
	extra  []xpath.Expr // predicates of a parenthesised pattern, (a | b)[p], on the matched node
	// shapeFrom is the first step whose name test shape checks: the steps
	// from the last "//" (or the first step) to the end.
	shapeFrom int
	// bare is set when shape is the whole of the match: no predicate, no
	// name filter, no "//" after the first step (set by nameFilters).
	bare bool
}

// ruleMatch is how a rule's context is matched.
type ruleMatch struct {
	paths    []matchPath
	fallback []xpath.Expr // branches evaluated from the document node
}

// compileRuleMatch compiles the branches of r.match; ns resolves prefixes.
func compileRuleMatch(r *Rule, ns map[string]string) *ruleMatch {
	rm := &ruleMatch{}
	if testSkipPrepare { // the plain evaluation the tests compare with
		rm.fallback = r.match
		return rm
	}
	for _, m := range r.match {
		paths, ok := compileBranch(m, ns)
		if !ok {
			rm.fallback = append(rm.fallback, m)
			continue
		}
		rm.paths = append(rm.paths, paths...)
	}
	return rm
}

func compileBranch(e xpath.Expr, ns map[string]string) ([]matchPath, bool) {
	switch n := e.(type) {
	case *xpath.Path:
		p, ok := compilePath(n, ns)
		if !ok {
			return nil, false
		}
		return []matchPath{p}, true
	case *xpath.Filter:
		for _, pr := range n.Preds {
			if !boolPred(pr) {
				return nil, false
			}
		}
		var alts []xpath.Expr
		var split func(x xpath.Expr) bool
		split = func(x xpath.Expr) bool {
			switch y := x.(type) {
			case *xpath.Sequence:
				if len(y.Items) != 1 {
					return false
				}
				return split(y.Items[0])
			case *xpath.Binary:
				if y.Op != "union" {
					return false
				}
				return split(y.L) && split(y.R)
			case *xpath.Path:
				if y.Root == xpath.RootNone {
					return false // relative to the document node: rare, not worth it
				}
				alts = append(alts, y)
				return true
			}
			return false
		}
		if !split(n.Primary) {
			return nil, false
		}
		var out []matchPath
		for _, a := range alts {
			p, ok := compilePath(a.(*xpath.Path), ns)
			if !ok {
				return nil, false
			}
			p.extra = n.Preds
			out = append(out, p)
		}
		return out, true
	}
	return nil, false
}

func compilePath(p *xpath.Path, ns map[string]string) (matchPath, bool) {
	if p.Root == xpath.RootNone || len(p.Steps) == 0 {
		return matchPath{}, false
	}
	mp := matchPath{rooted: p.Root == xpath.RootSlash}
	for i, ps := range p.Steps {
		st, ok := ps.Expr.(*xpath.AxisStep)
		if !ok || st.Name == nil {
			return matchPath{}, false
		}
		last := i == len(p.Steps)-1
		ms := matchStep{desc: ps.Desc, preds: st.Preds}
		switch st.Axis {
		case xpath.AxisChild:
		case xpath.AxisAttribute:
			if !last {
				return matchPath{}, false
			}
			ms.attr = true
		default:
			return matchPath{}, false
		}
		ms.local = st.Name.Local
		switch st.Name.Prefix {
		case "*":
			ms.uri = "*"
		case "":
			if ms.local == "*" {
				ms.uri = "*" // * is any name in any namespace
			} else {
				ms.uri = "" // no default element namespace in these schemas
			}
		default:
			u, ok := ns[st.Name.Prefix]
			if !ok {
				return matchPath{}, false
			}
			ms.uri = u
		}
		for _, pr := range st.Preds {
			if usesPosition(pr) {
				return matchPath{}, false
			}
			if !boolPred(pr) {
				if len(st.Preds) > 1 {
					return matchPath{}, false
				}
				ms.numeric = true
			}
		}
		mp.steps = append(mp.steps, ms)
		if ms.desc {
			mp.shapeFrom = i
		}
	}
	return mp, true
}

// nameFilters sets the name filters of the compiled rule contexts' steps,
// once their predicates are prepared (see xpath.NameFilter).
func (s *Schema) nameFilters() {
	eqKeys := map[string]int{}
	for _, p := range s.Patterns {
		for _, r := range p.Rules {
			for i := range r.dispatch.paths {
				mp := &r.dispatch.paths[i]
				bare := mp.shapeFrom == 0 && len(mp.extra) == 0
				for j := range mp.steps {
					ms := &mp.steps[j]
					if !ms.numeric && len(ms.preds) > 0 {
						if f, whole := xpath.NameFilter(ms.preds[0]); f != nil {
							ms.nameFilter = f
							if whole {
								ms.preds = ms.preds[1:]
							}
						}
					}
					if ms.numeric || len(ms.preds) > 0 || ms.nameFilter != nil {
						bare = false
					}
					if !ms.numeric && len(ms.preds) > 0 {
						if src, lit, ok := xpath.StringEquals(ms.preds[0]); ok {
							key := src.String()
							if eqKeys[key] == 0 {
								eqKeys[key] = len(eqKeys) + 1
							}
							ms.eqKey, ms.eqSrc, ms.eqLit = eqKeys[key], src, lit
						}
					}
				}
				mp.bare = bare
			}
		}
	}
}

// boolPred reports whether a predicate surely yields a boolean or nodes, never
// a number: a comparison, a boolean function, a node path.
func boolPred(e xpath.Expr) bool {
	switch n := e.(type) {
	case *xpath.Binary:
		switch n.Op {
		case "or", "and", "=", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "le", "gt", "ge":
			return true
		}
	case *xpath.FuncCall:
		if n.Name.Prefix == "" {
			switch n.Name.Local {
			case "not", "exists", "empty", "boolean", "contains", "starts-with", "ends-with", "matches", "true", "false":
				return true
			}
		}
	case *xpath.Quantified:
		return true
	case *xpath.AxisStep:
		return true
	case *xpath.Path:
		if len(n.Steps) > 0 {
			_, ok := n.Steps[len(n.Steps)-1].Expr.(*xpath.AxisStep)
			return ok
		}
	}
	return false
}

// usesPosition reports whether e calls position() or last() outside any
// nested predicate's own focus (conservatively: anywhere).
func usesPosition(e xpath.Expr) bool {
	found := false
	xpath.Walk(e, func(x xpath.Expr) bool {
		if f, ok := x.(*xpath.FuncCall); ok && (f.Name.Prefix == "" || f.Name.Prefix == "fn") && (f.Name.Local == "position" || f.Name.Local == "last") {
			found = true
		}
		return !found
	})
	return found
}

// nameTest reports whether n passes the step's name test.
func (st *matchStep) nameTest(n *xpath.Node) bool {
	if st.attr {
		if n.Kind != xpath.AttributeNode {
			return false
		}
	} else if n.Kind != xpath.ElementNode {
		return false
	}
	return (st.local == "*" || st.local == n.Local) && (st.uri == "*" || st.uri == n.Space)
}

// matcher matches nodes against compiled patterns, evaluating predicates
// with ev; an error in a predicate means no match (as when XSLT matches a
// template), reported once per rule through recovered.
type matcher struct {
	ev        *xpath.Evaluator
	recovered func(rule int, err error)

	// The strings of the last few eqSrc at srcNode (see matchStep.eqKey).
	srcNode *xpath.Node
	srcs    [4]srcStrings
	nsrc    int
}

type srcStrings struct {
	key  int
	strs []string
	ok   bool // false: an error, or an item neither node nor string
}

// eqHolds reports, when ok, whether st's first predicate (eqSrc = 'eqLit')
// holds at n, from the strings of eqSrc at n found once for all the rules
// comparing them; ok is false when the predicate must be evaluated.
func (m *matcher) eqHolds(st *matchStep, n *xpath.Node) (holds, ok bool) {
	if m.srcNode != n {
		m.srcNode, m.nsrc = n, 0
	}
	var e *srcStrings
	for i := range m.srcs[:m.nsrc] {
		if m.srcs[i].key == st.eqKey {
			e = &m.srcs[i]
			break
		}
	}
	if e == nil {
		if m.nsrc == len(m.srcs) {
			return false, false
		}
		e = &m.srcs[m.nsrc]
		m.nsrc++
		e.key, e.strs, e.ok = st.eqKey, e.strs[:0], true
		seq, err := m.ev.Eval(st.eqSrc, n)
		if err != nil {
			e.ok = false // the predicate's evaluation reports it
		}
		for _, it := range seq {
			if !e.ok {
				break
			}
			switch v := it.(type) {
			case *xpath.Node:
				e.strs = append(e.strs, v.StringValue())
			case xpath.String:
				e.strs = append(e.strs, string(v))
			case xpath.Untyped:
				e.strs = append(e.strs, string(v))
			default:
				e.ok = false
			}
		}
	}
	if !e.ok {
		return false, false
	}
	return slices.Contains(e.strs, st.eqLit), true
}

func (m *matcher) preds(preds []xpath.Expr, numeric bool, st *matchStep, n *xpath.Node, rule int) bool {
	for _, p := range preds {
		if !numeric {
			ok, err := m.ev.EvalBool(p, n)
			if err != nil {
				m.recovered(rule, err)
				return false
			}
			if !ok {
				return false
			}
			continue
		}
		seq, err := m.ev.Eval(p, n)
		if err != nil {
			m.recovered(rule, err)
			return false
		}
		if pos, isNum := xpath.SingleNumber(seq); isNum {
			if pos != float64(siblingPosition(st, n)) {
				return false
			}
			continue
		}
		ok, err := xpath.EBV(seq)
		if err != nil {
			m.recovered(rule, err)
			return false
		}
		if !ok {
			return false
		}
	}
	return true
}

// siblingPosition is n's position among the nodes its parent's step
// selects: the siblings passing the same name test, in document order.
func siblingPosition(st *matchStep, n *xpath.Node) int {
	if n.Parent == nil {
		return 1
	}
	list := n.Parent.Children
	if st.attr {
		list = n.Parent.Attrs
	}
	pos := 0
	for _, s := range list {
		if st.nameTest(s) {
			pos++
		}
		if s == n {
			break
		}
	}
	return pos
}

// matchAt reports whether steps[:i+1] match with steps[i] at n. When
// shaped, n and its ancestors are known to pass the name tests shape checks
// (steps from p.shapeFrom on), which are then not repeated.
func (m *matcher) matchAt(p *matchPath, i int, n *xpath.Node, rule int, shaped bool) bool {
	st := &p.steps[i]
	if !(shaped && i >= p.shapeFrom) && !st.nameTest(n) {
		return false
	}
	if st.nameFilter != nil && !st.nameFilter(n) {
		return false
	}
	preds := st.preds
	if st.eqKey != 0 {
		if holds, ok := m.eqHolds(st, n); ok {
			if !holds {
				return false
			}
			preds = preds[1:]
		}
	}
	if len(preds) > 0 && !m.preds(preds, st.numeric, st, n, rule) {
		return false
	}
	parent := n.Parent
	if i == 0 {
		if p.rooted {
			return parent != nil && parent.Kind == xpath.DocumentNode
		}
		return parent != nil
	}
	if !st.desc {
		return parent != nil && m.matchAt(p, i-1, parent, rule, shaped)
	}
	for a := parent; a != nil; a = a.Parent {
		if m.matchAt(p, i-1, a, rule, false) {
			return true
		}
	}
	return false
}

// shape reports whether n and its ancestors pass the name tests of p's
// steps up to the first "//" (from the end), predicates aside: a cheap
// first check before any predicate is evaluated.
func (p *matchPath) shape(n *xpath.Node) bool {
	for i := len(p.steps) - 1; i >= 0; i-- {
		st := &p.steps[i]
		if n == nil || !st.nameTest(n) {
			return false
		}
		if st.desc {
			return true
		}
		n = n.Parent
	}
	return !p.rooted || (n != nil && n.Kind == xpath.DocumentNode)
}

// match reports whether n matches p.
func (m *matcher) match(p *matchPath, n *xpath.Node, rule int) bool {
	return p.shape(n) && m.matchShaped(p, n, rule)
}

// matchShaped reports whether n, which passes p.shape, matches p.
func (m *matcher) matchShaped(p *matchPath, n *xpath.Node, rule int) bool {
	if !m.matchAt(p, len(p.steps)-1, n, rule, true) {
		return false
	}
	return len(p.extra) == 0 || m.preds(p.extra, false, nil, n, rule)
}

// dispatchKey is the name a pattern's last step tests for.
type dispatchKey struct {
	attr       bool
	uri, local string
}

// patternDispatch lists, for a pattern, the rules worth trying on a node by
// its name, in rule order. Names are numbered schema-wide (see nameKeys), so
// that a document's nodes are looked up once for all patterns.
type patternDispatch struct {
	byKey    [][]int // by name key id: rules whose some branch ends in this name, plus every wildcard and fallback rule
	elements []int   // rules to try on any other element
	attrs    []int   // rules to try on any other attribute
	docNode  []int   // fallback rules (the only ones that may match the document node)
	keys     []int32 // the name key ids with rules to try
}

// any reports whether some rule may match any element, attribute or the
// document node (so every node must be tried).
func (d *patternDispatch) any() bool {
	return len(d.elements) > 0 || len(d.attrs) > 0 || len(d.docNode) > 0
}

// nameKeys numbers the exact names the steps of a schema's patterns test.
type nameKeys map[dispatchKey]int32

func (s *Schema) buildDispatch() {
	keys := nameKeys{}
	s.chainable = !testSkipPrepare // the plain evaluation the tests compare with does without
	for _, p := range s.Patterns {
		for _, r := range p.Rules {
			for _, mp := range r.dispatch.paths {
				for _, st := range mp.steps {
					if st.local == "*" || st.uri == "*" {
						if st.local != st.uri {
							s.chainable = false // a partial wildcard (cac:*, *:ID) needs the real name
						}
						continue
					}
					k := dispatchKey{st.attr, st.uri, st.local}
					if _, ok := keys[k]; !ok {
						keys[k] = int32(len(keys) + 1) // 0: none of them
					}
				}
			}
		}
	}
	s.keys = keys
	s.keyIDs = make([]int, len(keys)+1)
	for k, id := range keys {
		s.keyIDs[id] = xpath.NameID(k.attr, k.uri, k.local)
	}
	for _, p := range s.Patterns {
		p.dispatch = buildDispatch(p, keys)
	}
}

func buildDispatch(p *Pattern, keys nameKeys) *patternDispatch {
	d := &patternDispatch{byKey: make([][]int, len(keys)+1)}
	type want struct {
		rule int
		keys []dispatchKey // exact names
		anyE bool          // some branch ends in an element wildcard (or a fallback)
		anyA bool
	}
	wants := make([]want, len(p.Rules))
	for i, r := range p.Rules {
		w := want{rule: i}
		if len(r.dispatch.fallback) > 0 {
			w.anyE, w.anyA = true, true
			d.docNode = append(d.docNode, i)
		}
		for _, mp := range r.dispatch.paths {
			last := mp.steps[len(mp.steps)-1]
			if last.local == "*" || last.uri == "*" {
				if last.attr {
					w.anyA = true
				} else {
					w.anyE = true
				}
				continue
			}
			w.keys = append(w.keys, dispatchKey{last.attr, last.uri, last.local})
		}
		wants[i] = w
	}
	for _, w := range wants {
		if w.anyE {
			d.elements = append(d.elements, w.rule)
		}
		if w.anyA {
			d.attrs = append(d.attrs, w.rule)
		}
	}
	for k, id := range keys {
		var list []int
		for _, w := range wants {
			hit := (k.attr && w.anyA) || (!k.attr && w.anyE)
			for _, wk := range w.keys {
				if wk == k {
					hit = true
				}
			}
			if hit {
				list = append(list, w.rule)
			}
		}
		d.byKey[id] = list
		if len(list) > 0 {
			d.keys = append(d.keys, id)
		}
	}
	return d
}

// candidates returns the rules that may match n, whose key id is key, in
// rule order.
func (d *patternDispatch) candidates(n *xpath.Node, key int32) []int {
	switch n.Kind {
	case xpath.ElementNode:
		if key != 0 {
			return d.byKey[key]
		}
		return d.elements
	case xpath.AttributeNode:
		if key != 0 {
			return d.byKey[key]
		}
		return d.attrs
	case xpath.DocumentNode:
		return d.docNode
	}
	return nil
}

// Name chains.
//
// Whether a node passes a pattern's name tests (matchPath.shape) depends only
// on the names of the node and its ancestors, and only on whether each is one
// of the schema's step names (a key) and which, when no step is a partial
// wildcard (Schema.chainable). A validation numbers the distinct chains of
// keys from the document node down; the schema keeps, for each chain it has
// met (an invoice has a few hundred, however many lines it has), every
// pattern's candidates, so that a validation looks them up once per chain
// and evaluates only the predicates per node.

// chainKey is a chain extended by one node: the parent's chain and the
// node's name key, or unknownElement or unknownAttr for other names.
// (A uint64, parent in the high half, so that maps use their fast path.)
type chainKey uint64

func makeChainKey(parent, key int32) chainKey {
	return chainKey(uint64(uint32(parent))<<32 | uint64(uint32(key)))
}

const (
	unknownElement int32 = -1
	unknownAttr    int32 = -2
	documentKey    int32 = -3 // the document node, extending the chain -1
)

// maxChains bounds the chains a schema keeps. When a document brings a
// chain the full cache does not have, the cache is emptied and numbered
// again from the next validation on (a new generation), so that a document
// with thousands of odd chains cannot leave every later document computing
// its own; the document that empties it, and those validating alongside
// it, compute their further chains for themselves, as their ids are of the
// generation before.
var maxChains = 1 << 13 // a variable for the tests

// chainCache is a schema's chains, shared by its validations.
type chainCache struct {
	mu    sync.Mutex
	gen   uint64             // the generation, counting the times the cache was emptied
	ids   map[chainKey]int32 // by the parent's id in this cache
	infos []*chainInfo
	// computed counts the chains whose candidates were computed, for the
	// tests.
	computed int64
}

// chainInfo is what a chain's nodes may match.
type chainInfo struct {
	cands [][]candidate // by pattern index
	pats  []int32       // the patterns with candidates, in order
}

// candidate is a branch of a rule to try: paths[path] of the rule's
// compiled branches, or its fallback when path is -1.
type candidate struct{ rule, path int32 }

// chainInfoOf computes the candidates of n (name key key) in each pattern:
// the branches of its rules whose name tests n's chain passes, in rule order.
func (s *Schema) chainInfoOf(n *xpath.Node, key int32) *chainInfo {
	atomic.AddInt64(&s.chainCache.computed, 1)
	ci := &chainInfo{cands: make([][]candidate, len(s.Patterns))}
	if key < 0 {
		key = 0
	}
	for pi, p := range s.Patterns {
		var list []candidate
		for _, i := range p.dispatch.candidates(n, key) {
			r := p.Rules[i]
			if len(r.dispatch.fallback) > 0 {
				list = append(list, candidate{int32(i), -1})
			}
			for j := range r.dispatch.paths {
				if r.dispatch.paths[j].shape(n) {
					list = append(list, candidate{int32(i), int32(j)})
				}
			}
		}
		ci.cands[pi] = list
		if len(list) > 0 {
			ci.pats = append(ci.pats, int32(pi))
		}
	}
	return ci
}

// chains numbers the name chains of a document's nodes. Pooled: one per
// validation.
type chains struct {
	s      *Schema
	gen    uint64             // the generation of the schema's cache the ids in global are of
	ids    map[chainKey]int32 // local ids, by the parent's local id
	global []int32            // by local id: the id in the schema's cache, or -1
	infos  []*chainInfo       // by local id
	// recent caches ids by key, in front of the map: a document repeats a
	// few hundred chains thousands of times.
	recent [256]recentChain
}

type recentChain struct {
	k  chainKey
	id int32 // 1 + the local id; 0 for an empty entry
}

var chainsPool = sync.Pool{New: func() any { return &chains{ids: map[chainKey]int32{}} }}

// getChains returns the chains of s for the document whose node is root,
// the document node numbered.
func (s *Schema) getChains(root *xpath.Node) *chains {
	c := chainsPool.Get().(*chains)
	c.s = s
	clear(c.ids)
	clear(c.recent[:])
	c.global, c.infos = c.global[:0], c.infos[:0]
	s.chainCache.mu.Lock()
	c.gen = s.chainCache.gen
	s.chainCache.mu.Unlock()
	c.add(root, -1, documentKey, false)
	return c
}

// release returns c to the pool, unless it grew large.
func (c *chains) release() {
	clear(c.infos) // may hold chains of this document alone
	c.s = nil
	if len(c.infos) > 1<<14 {
		return
	}
	chainsPool.Put(c)
}

// add numbers n's chain, the chain parent extended by n's name key (0 for
// a name no step tests); attr says whether n is an attribute.
func (c *chains) add(n *xpath.Node, parent, key int32, attr bool) int32 {
	if key == 0 {
		key = unknownElement
		if attr {
			key = unknownAttr
		}
	}
	k := makeChainKey(parent, key)
	r := &c.recent[(uint64(k)*0x9E3779B97F4A7C15)>>56]
	if r.id > 0 && r.k == k {
		return r.id - 1
	}
	id, ok := c.ids[k]
	if !ok {
		id = int32(len(c.infos))
		c.ids[k] = id
		gparent := int32(-1)
		if parent >= 0 {
			gparent = c.global[parent]
		}
		g, info := c.s.chain(n, c.gen, gparent, key, parent < 0 || gparent >= 0)
		c.global = append(c.global, g)
		c.infos = append(c.infos, info)
	}
	r.k, r.id = k, id+1
	return id
}

// chain returns the cache id and candidates of the chain gparent (an id of
// generation gen) extended by key, n being one of its nodes: from the cache
// when keep is set (the parent chain is in it), the cache is still of
// generation gen and has room, else computed afresh (id -1). A full cache
// is emptied (see maxChains).
func (s *Schema) chain(n *xpath.Node, gen uint64, gparent, key int32, keep bool) (int32, *chainInfo) {
	if !keep {
		return -1, s.chainInfoOf(n, key)
	}
	cc := &s.chainCache
	k := makeChainKey(gparent, key)
	cc.mu.Lock()
	if gen != cc.gen {
		// Emptied since this validation began: its ids are of the
		// generation before.
		cc.mu.Unlock()
		return -1, s.chainInfoOf(n, key)
	}
	defer cc.mu.Unlock()
	if id, ok := cc.ids[k]; ok {
		return id, cc.infos[id]
	}
	info := s.chainInfoOf(n, key)
	if len(cc.infos) >= maxChains {
		// The chains validations hold stay theirs (they hold the
		// infos themselves); only the numbering starts again.
		cc.gen++
		cc.ids, cc.infos = nil, nil
		return -1, info
	}
	if cc.ids == nil {
		cc.ids = map[chainKey]int32{}
	}
	id := int32(len(cc.infos))
	cc.ids[k] = id
	cc.infos = append(cc.infos, info)
	return id, info
}
