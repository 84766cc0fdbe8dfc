// Package schematron loads ISO Schematron schemas (queryBinding xslt2, as used
// by the CEN EN 16931 and Peppol BIS Billing 3.0 validation artefacts) and runs
// them natively on documents parsed with internal/xpath.
//
// Supported: sch:ns, sch:let (schema, pattern and rule level; @value or text),
// sch:pattern, sch:rule (@context, first-matching-rule-wins per pattern as in
// the compiled XSLT), sch:assert and sch:report (@id, @flag, @test, message
// text with sch:value-of and sch:name), and top-level xsl:function elements
// (interpreted: xsl:param, xsl:variable, xsl:value-of, xsl:sequence,
// xsl:choose/when/otherwise, text; arguments and results converted to a
// declared atomic "as" type), exposed through Schema.Functions. Phases are ignored: every pattern is
// active. Abstract patterns/rules and includes must already be resolved (use
// the "preprocessed" schemas).
package schematron

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/fellesgo/felles/internal/xmlsafe"
	"github.com/fellesgo/felles/internal/xpath"
)

// SchNS is the ISO Schematron namespace.
const SchNS = "http://purl.oclc.org/dsdl/schematron"

// ErrSchema is wrapped by errors about the schema itself.
var ErrSchema = errors.New("schematron: invalid schema")

// Schema is a loaded Schematron schema. It is safe for concurrent use by
// Validate once loaded, provided Functions is not modified.
type Schema struct {
	Title      string
	Namespaces map[string]string // prefix -> URI from sch:ns
	Lets       []*Let            // schema-level lets, evaluated on the document node
	Patterns   []*Pattern
	// Functions holds extension functions ("{uri}local") made available to
	// every expression, e.g. implementations of xsl:function.
	Functions map[string]xpath.Function

	xslFuncs   []*xslFunc // interpreted xsl:function elements, also in Functions
	keys       nameKeys   // names the steps of rule contexts test, numbered
	chainable  bool       // no partial wildcard in a compiled rule context (see chains)
	chainCache chainCache
	keyIDs     []int              // by key: the name's id for xpath.Document.NamedID (index 0 unused)
	consts     map[*Let]xpath.Seq // values of the schema and pattern lets that do not depend on the document
	sets       *xpath.Sets        // string sets of the long ones (code lists)
	unprepared map[xpath.Expr]bool
}

// Pattern is an sch:pattern.
type Pattern struct {
	ID    string
	Lets  []*Let // evaluated on the document node
	Rules []*Rule

	dispatch *patternDispatch
}

// Rule is an sch:rule.
type Rule struct {
	Context string
	Lets    []*Let
	Asserts []*Assert
	match   []xpath.Expr // expressions selecting, from the document node, the nodes the context matches

	dispatch *ruleMatch // match, compiled for matching node by node
}

// Let is an sch:let.
type Let struct {
	Name  string
	Value string
	expr  xpath.Expr
}

// Assert is an sch:assert (or, when Report is true, an sch:report).
type Assert struct {
	ID     string
	Flag   string // as written: "fatal", "warning", "" ...
	Test   string
	Report bool // sch:report: fires when Test is true
	msg    []msgPart
	test   xpath.Expr
	// notExists answers a test of the form not(a/b) directly (set by
	// prepare when the test has that form); nil otherwise.
	notExists func(*xpath.Node) bool
}

type msgPart struct {
	text   string
	expr   xpath.Expr // value-of
	isName bool       // sch:name
}

// EvalError reports a dynamic error raised while evaluating part of a schema
// (where an XSLT processor would abort the whole transform). Validate joins
// them with errors.Join.
type EvalError struct {
	Where    string   // "assert", "rule context", "schema let $x", "rule \"ctx\" let $x", ...
	RuleIDs  []string // the asserts left unevaluated, when known
	Context  string   // the rule context, when known
	Location string   // the context node, when known
	Err      error
	// Recovered is true for an error while matching a rule context: the
	// rule was treated as not matching, as XSLT processors do, and the
	// validation is complete; other errors left asserts unevaluated.
	Recovered bool
}

func (e *EvalError) Error() string {
	var b strings.Builder
	b.WriteString("schematron: ")
	b.WriteString(e.Where)
	if len(e.RuleIDs) > 0 {
		b.WriteString(" " + strings.Join(e.RuleIDs, ","))
	}
	if e.Context != "" {
		b.WriteString(" (context " + strconv.Quote(e.Context) + ")")
	}
	if e.Location != "" {
		b.WriteString(" at " + e.Location)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *EvalError) Unwrap() error { return e.Err }

// Failure is one fired assert.
type Failure struct {
	RuleID   string // assert @id
	Flag     string // assert @flag as written
	Location string // e.g. /Invoice[1]/cac:InvoiceLine[2]
	Message  string // message text, whitespace-normalised
}

// LoadFile reads and parses a Schematron file.
func LoadFile(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse parses a Schematron schema and compiles every expression once.
func Parse(data []byte) (*Schema, error) {
	if err := xmlsafe.Check(data, xmlsafe.Limits{}); err != nil {
		return nil, err
	}
	root, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	if root.name.Space != SchNS || root.name.Local != "schema" {
		return nil, fmt.Errorf("%w: root element is {%s}%s", ErrSchema, root.name.Space, root.name.Local)
	}
	s := &Schema{Namespaces: map[string]string{}}
	var funcs []*elem
	for _, c := range root.kids {
		if c.name.Space == XSLNS && c.name.Local == "function" {
			funcs = append(funcs, c)
			continue
		}
		if c.name.Space != SchNS {
			continue
		}
		switch c.name.Local {
		case "title":
			s.Title = strings.TrimSpace(c.text())
		case "ns":
			s.Namespaces[c.attr("prefix")] = c.attr("uri")
		case "let":
			l, err := parseLet(c)
			if err != nil {
				return nil, err
			}
			s.Lets = append(s.Lets, l)
		case "pattern":
			if c.attr("abstract") == "true" {
				return nil, fmt.Errorf("%w: abstract pattern %q (use a preprocessed schema)", ErrSchema, c.attr("id"))
			}
			if c.attr("is-a") != "" {
				return nil, fmt.Errorf("%w: pattern %q instantiates an abstract pattern (use a preprocessed schema)", ErrSchema, c.attr("id"))
			}
			p, err := parsePattern(c)
			if err != nil {
				return nil, err
			}
			s.Patterns = append(s.Patterns, p)
		case "include", "extends":
			return nil, fmt.Errorf("%w: sch:%s is not supported (use a preprocessed schema)", ErrSchema, c.name.Local)
		}
	}
	if err := s.addFunctions(funcs); err != nil {
		return nil, err
	}
	s.prepare()
	return s, nil
}

// prepare resolves every rule expression once (xpath.Prepare). An
// expression that fails the static check is left unprepared: evaluating it
// reports the error, for its rule only, as before.
func (s *Schema) prepare() {
	s.prepareDispatch() // before Prepare rewrites the expressions
	env := &xpath.Env{Namespaces: s.Namespaces, Functions: s.Functions}
	s.unprepared = map[xpath.Expr]bool{}
	do := func(e xpath.Expr) {
		if e == nil {
			return
		}
		if testSkipPrepare {
			s.unprepared[e] = true
			return
		}
		if err := xpath.Prepare(e, env); err != nil {
			s.unprepared[e] = true
		}
	}
	lets := func(ls []*Let) {
		for _, l := range ls {
			do(l.expr)
			if l.expr != nil && !s.unprepared[l.expr] {
				l.expr = xpath.CompileValue(l.expr)
			}
		}
	}
	s.constants(env)
	lets(s.Lets)
	for _, f := range s.xslFuncs {
		s.prepareFunc(f)
	}
	for _, p := range s.Patterns {
		lets(p.Lets)
		for _, r := range p.Rules {
			lets(r.Lets)
			for _, m := range r.match {
				do(m)
			}
			for _, a := range r.Asserts {
				do(a.test)
				for _, m := range a.msg {
					do(m.expr)
				}
				if !s.unprepared[a.test] {
					a.notExists = xpath.NotExists(a.test)
					a.test = xpath.CompileTest(a.test)
				}
			}
		}
	}
	s.nameFilters()
}

// testSkipPrepare makes prepare leave every expression unprepared, so tests
// can compare the optimised evaluation with the plain one.
var testSkipPrepare bool

// evalWith is eval with ev, an Evaluator for env, for a prepared
// expression.
func (s *Schema) evalWith(ev *xpath.Evaluator, e xpath.Expr, item xpath.Item, env *xpath.Env) (xpath.Seq, error) {
	if len(s.unprepared) > 0 && s.unprepared[e] {
		return xpath.Eval(e, item, env)
	}
	return ev.Eval(e, item)
}

// evaluators are the Evaluators and variable maps of a validation,
// pooled.
type evaluators struct {
	let, asserts *xpath.Evaluator
	vars         map[string]xpath.Seq
	varErrs      map[string]error
}

var evaluatorPool = sync.Pool{New: func() any {
	return &evaluators{xpath.NewEvaluator(nil), xpath.NewEvaluator(nil), map[string]xpath.Seq{}, map[string]error{}}
}}

// eval evaluates a rule expression, prepared or not.
func (s *Schema) eval(e xpath.Expr, item xpath.Item, env *xpath.Env) (xpath.Seq, error) {
	if len(s.unprepared) > 0 && s.unprepared[e] {
		return xpath.Eval(e, item, env)
	}
	return xpath.EvalPrepared(e, item, env)
}

func (s *Schema) evalBool(e xpath.Expr, item xpath.Item, env *xpath.Env) (bool, error) {
	if len(s.unprepared) > 0 && s.unprepared[e] {
		return xpath.EvalBool(e, item, env)
	}
	return xpath.EvalPreparedBool(e, item, env)
}

// addFunctions interprets top-level xsl:function elements and makes them
// available to every expression of s.
func (s *Schema) addFunctions(funcs []*elem) error {
	if len(funcs) > 0 {
		s.Functions = map[string]xpath.Function{}
	}
	for _, c := range funcs {
		// The body's expressions see the sch:ns bindings (as in the compiled
		// XSLT) and the element's own in-scope declarations.
		ns := make(map[string]string, len(s.Namespaces)+4)
		for p, u := range s.Namespaces {
			ns[p] = u
		}
		for p, u := range c.inScope() {
			if p != "" {
				ns[p] = u
			}
		}
		f, err := parseXSLFunction(c, ns)
		if err != nil {
			return err
		}
		if _, dup := s.Functions[f.key]; dup {
			return fmt.Errorf("%w: xsl:function %q is declared twice", ErrSchema, f.name)
		}
		f.leaf = !callsExtension(f.body, f.ns)
		s.xslFuncs = append(s.xslFuncs, f)
		s.Functions[f.key] = s.xslFunction(f)
	}
	return nil
}

func parseExpr(src string) (xpath.Expr, error) { return xpath.Parse(src) }

func compileLet(l *Let) (*Let, error) {
	x, err := xpath.Parse(l.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: let $%s: %v", ErrSchema, l.Name, err)
	}
	l.expr = x
	return l, nil
}

func (a *Assert) compile() error {
	x, err := xpath.Parse(a.Test)
	if err != nil {
		return fmt.Errorf("%w: assert %q test: %v", ErrSchema, a.ID, err)
	}
	a.test = x
	return nil
}

func parseLet(e *elem) (*Let, error) {
	l := &Let{Name: e.attr("name"), Value: e.attr("value")}
	if _, ok := e.attrs["value"]; !ok {
		l.Value = e.text()
	}
	return compileLet(l)
}

func parsePattern(e *elem) (*Pattern, error) {
	p := &Pattern{ID: e.attr("id")}
	for _, c := range e.kids {
		if c.name.Space != SchNS {
			continue
		}
		switch c.name.Local {
		case "let":
			l, err := parseLet(c)
			if err != nil {
				return nil, err
			}
			p.Lets = append(p.Lets, l)
		case "rule":
			if c.attr("abstract") == "true" {
				continue
			}
			r, err := parseRule(c)
			if err != nil {
				return nil, fmt.Errorf("pattern %q: %w", p.ID, err)
			}
			p.Rules = append(p.Rules, r)
		}
	}
	return p, nil
}

func parseRule(e *elem) (*Rule, error) {
	r := &Rule{Context: e.attr("context")}
	m, err := compileMatch(r.Context)
	if err != nil {
		return nil, err
	}
	r.match = m
	for _, c := range e.kids {
		if c.name.Space != SchNS {
			continue
		}
		switch c.name.Local {
		case "let":
			l, err := parseLet(c)
			if err != nil {
				return nil, err
			}
			r.Lets = append(r.Lets, l)
		case "assert", "report":
			a := &Assert{ID: c.attr("id"), Flag: c.attr("flag"), Test: c.attr("test"), Report: c.name.Local == "report"}
			if err := a.compile(); err != nil {
				return nil, err
			}
			var err error
			if a.msg, err = parseMessage(c); err != nil {
				return nil, fmt.Errorf("%w: assert %q message: %v", ErrSchema, a.ID, err)
			}
			r.Asserts = append(r.Asserts, a)
		case "extends":
			return nil, fmt.Errorf("%w: rule extends is not supported (use a preprocessed schema)", ErrSchema)
		}
	}
	return r, nil
}

func parseMessage(e *elem) ([]msgPart, error) {
	var parts []msgPart
	for _, n := range e.content {
		switch n := n.(type) {
		case string:
			parts = append(parts, msgPart{text: n})
		case *elem:
			if n.name.Space != SchNS {
				parts = append(parts, msgPart{text: n.text()})
				continue
			}
			switch n.name.Local {
			case "value-of":
				x, err := xpath.Parse(n.attr("select"))
				if err != nil {
					return nil, err
				}
				parts = append(parts, msgPart{expr: x})
			case "name":
				if p := n.attr("path"); p != "" {
					x, err := xpath.Parse("name(" + p + ")")
					if err != nil {
						return nil, err
					}
					parts = append(parts, msgPart{expr: x})
				} else {
					parts = append(parts, msgPart{isName: true})
				}
			default: // emph, dir, span: keep the text
				parts = append(parts, msgPart{text: n.text()})
			}
		}
	}
	return parts, nil
}

// compileMatch turns an XSLT match pattern into expressions that, evaluated
// with the document node as context, select exactly the nodes the pattern
// matches: each union alternative that is a relative path pattern p becomes
// //p (descendant-or-self::node()/p), absolute alternatives are kept.
func compileMatch(pattern string) ([]xpath.Expr, error) {
	x, err := xpath.Parse(pattern)
	if err != nil {
		return nil, fmt.Errorf("%w: rule context %q: %v", ErrSchema, pattern, err)
	}
	var branches []xpath.Expr
	var split func(e xpath.Expr)
	split = func(e xpath.Expr) {
		if b, ok := e.(*xpath.Binary); ok && b.Op == "union" {
			split(b.L)
			split(b.R)
			return
		}
		branches = append(branches, e)
	}
	split(x)
	out := make([]xpath.Expr, 0, len(branches))
	for _, b := range branches {
		abs := false
		switch b := b.(type) {
		case *xpath.Path:
			abs = b.Root != xpath.RootNone
		case *xpath.Filter:
			// (a | b)[pred]: an XSLT 3.0 pattern over a parenthesised
			// expression; evaluated as an expression from the root.
			abs = true
		case *xpath.FuncCall:
			abs = true // id(), key(), doc() patterns
		}
		if abs {
			out = append(out, b)
			continue
		}
		y, err := xpath.Parse("//" + b.String())
		if err != nil {
			return nil, fmt.Errorf("%w: rule context %q: %v", ErrSchema, pattern, err)
		}
		out = append(out, y)
	}
	return out, nil
}

// ValidateBytes checks data with xmlsafe, parses it and validates it.
func (s *Schema) ValidateBytes(data []byte) ([]Failure, error) {
	b := xpath.NewBuilder()
	b.Hint(data)
	if err := xmlsafe.WalkHandler(data, xmlsafe.Limits{}, b); err != nil {
		return nil, err
	}
	doc, err := b.Document()
	if err != nil {
		return nil, err
	}
	return s.Validate(doc)
}

// Validate runs every pattern over doc. Fired asserts are returned in pattern
// order, then document order. Evaluation errors do not stop the run: the
// failing rule or assert is skipped and the errors are returned joined, next to
// the failures found.
func (s *Schema) Validate(doc *xpath.Document) ([]Failure, error) {
	return s.ValidateContext(context.Background(), doc)
}

// ValidateContext is Validate that stops, returning ctx.Err(), when ctx is
// done: it checks before each rule and each node, so a crafted document that
// makes the rules do quadratic work cannot hold a server for long.
func (s *Schema) ValidateContext(ctx context.Context, doc *xpath.Document) ([]Failure, error) {
	return s.ValidatePatterns(ctx, doc, 0, len(s.Patterns))
}

// ValidatePatterns is ValidateContext with the patterns s.Patterns[from:to]
// only: the runs of a split of the patterns, concatenated in order, give
// what ValidateContext gives, so that they can run side by side.
func (s *Schema) ValidatePatterns(ctx context.Context, doc *xpath.Document, from, to int) ([]Failure, error) {
	if from < 0 || to > len(s.Patterns) || from > to {
		return nil, fmt.Errorf("schematron: patterns %d to %d of %d", from, to, len(s.Patterns))
	}
	done := ctx.Done()
	stopped := func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	}
	root := doc.Root
	// Evaluators and variable maps from a pool, with the storage of the
	// validations before: nothing they hold outlives this one (failures
	// hold strings only).
	evs := evaluatorPool.Get().(*evaluators)
	env := &xpath.Env{Namespaces: s.Namespaces, Vars: evs.vars, Functions: s.Functions, VarErrors: evs.varErrs, Memo: memoPool.Get().(*xpath.Memo), Sets: s.sets}
	evs.let.Reuse(env)
	evs.asserts.Reuse(env)
	defer func() {
		env.Memo.Reset() // it holds the document's nodes
		memoPool.Put(env.Memo)
		evs.let.Reuse(nil)
		evs.asserts.Reuse(nil)
		clear(evs.vars)
		clear(evs.varErrs)
		evaluatorPool.Put(evs)
	}()
	var errs []error
	letEv := evs.let // never nested: lets and messages are evaluated between asserts
	// Schema and pattern lets are the compiled XSLT's global variables,
	// which XSLT evaluates when first used: one that fails only matters to
	// the rules that use it (a reference raises its error).
	bindGlobals := func(lets []*Let, ctx xpath.Item) {
		for _, l := range lets {
			if v, ok := s.consts[l]; ok {
				delete(env.VarErrors, l.Name)
				env.Vars[l.Name] = v
				continue
			}
			v, err := s.evalWith(letEv, l.expr, ctx, env)
			if err != nil {
				delete(env.Vars, l.Name)
				env.VarErrors[l.Name] = err
				continue
			}
			delete(env.VarErrors, l.Name)
			env.Vars[l.Name] = v
		}
	}
	// What a rule's lets shadow, for one node at a time.
	type shadowed struct {
		v   xpath.Seq
		had bool
	}
	var shadows []shadowed
	bindLets := func(lets []*Let, ctx xpath.Item, rule *Rule) bool {
		for _, l := range lets {
			var v xpath.Seq
			var err error
			if len(s.unprepared) == 0 {
				v, err = letEv.Eval(l.expr, ctx)
			} else {
				v, err = s.eval(l.expr, ctx, env)
			}
			if err != nil {
				errs = append(errs, &EvalError{Where: "rule " + strconv.Quote(rule.Context) + " let $" + l.Name, Err: err})
				return false
			}
			env.Vars[l.Name] = v
		}
		return true
	}
	bindGlobals(s.Lets, root)
	// Rule contexts are XSLT match patterns: a dynamic error in a predicate
	// means that node does not match (processors recover so; Saxon warns),
	// and a lower-priority rule may match it instead.
	matchEnv := *env
	matchEnv.LenientPredicates = true
	asserts := evs.asserts
	// The nodes in the order the compiled XSLT visits them (the document
	// node, then each element followed by its attributes and then its
	// child elements: apply-templates select="@*|*"), with each one's name
	// key for the dispatch and, when the schema allows, its name chain
	// (see chains).
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	var order []*xpath.Node
	var byKey [][]int32 // indexes in order, by name key (without name chains)
	var keyAt, chainAt []int32
	var ch *chains
	// With name chains, by pattern: the visit indexes of the nodes with
	// candidates in it.
	var byPat [][]int32
	if s.chainable {
		ch = s.getChains(root)
		defer ch.release()
		byPat = slices.Grow(sc.byPat[:0], len(s.Patterns))[:len(s.Patterns)]
		for i := range byPat {
			byPat[i] = byPat[i][:0]
		}
		sc.byPat = byPat
	}
	withPats := func(i int, chain int32) {
		for _, p := range ch.infos[chain].pats {
			if int(p) >= from && int(p) < to {
				byPat[p] = append(byPat[p], int32(i))
			}
		}
	}
	if nodes, vkeys, parents, ok := doc.Visit(); ok && ch != nil {
		// A Builder's document lists them with their names' keys in the
		// document: nothing to read from the nodes but for new chains.
		if table, ok := s.docKeys(doc, sc); ok {
			order = nodes
			keyAt = slices.Grow(sc.keyAt[:0], len(nodes))[:len(nodes)]
			chainAt = slices.Grow(sc.chainAt[:0], len(nodes))[:len(nodes)]
			sc.keyAt, sc.chainAt = keyAt, chainAt
			keyAt[0], chainAt[0] = 0, 0 // the document node's chain
			withPats(0, 0)
			for i := 1; i < len(nodes); i++ {
				vk := vkeys[i]
				attr := vk < -1
				if attr {
					vk = -2 - vk
				}
				k := table[vk]
				c := ch.add(nodes[i], chainAt[parents[i]], k, attr)
				keyAt[i], chainAt[i] = k, c
				withPats(i, c)
			}
		}
	}
	if order == nil {
		// Any other tree: the name key of every node by document order
		// (one lookup per name of the document), then a walk.
		n := int(root.Last) + 1
		order = slices.Grow(sc.order[:0], n)
		if !s.chainable {
			byKey = make([][]int32, len(s.keys)+1)
		}
		keyByOrder := slices.Grow(sc.keyByOrder[:0], n)[:n]
		clear(keyByOrder)
		byName := true // by registered name id, else by the document's names
		for k := 1; k < len(s.keyIDs); k++ {
			nodes, ok := doc.NamedID(s.keyIDs[k])
			if !ok {
				byName = false
				break
			}
			for _, n := range nodes {
				keyByOrder[n.Order] = int32(k)
			}
		}
		if !byName {
			doc.Names(func(attr bool, space, local string, nodes []*xpath.Node) {
				if k := s.keys[dispatchKey{attr, space, local}]; k != 0 {
					for _, n := range nodes {
						keyByOrder[n.Order] = k
					}
				}
			})
		}
		keyAt = slices.Grow(sc.keyAt[:0], n)
		if ch != nil {
			chainAt = slices.Grow(sc.chainAt[:0], n)
		}
		add := func(n *xpath.Node, chain int32) {
			k := keyByOrder[n.Order]
			if k != 0 && ch == nil {
				byKey[k] = append(byKey[k], int32(len(order)))
			}
			if ch != nil {
				withPats(len(order), chain)
			}
			order = append(order, n)
			keyAt = append(keyAt, k)
			if ch != nil {
				chainAt = append(chainAt, chain)
			}
		}
		var walk func(n *xpath.Node, chain int32)
		walk = func(n *xpath.Node, chain int32) {
			add(n, chain)
			for _, a := range n.Attrs {
				var ac int32
				if ch != nil {
					ac = ch.add(a, chain, keyByOrder[a.Order], true)
				}
				add(a, ac)
			}
			for i, c := range n.Children {
				if n.ChildIsElement(i) {
					var cc int32
					if ch != nil {
						cc = ch.add(c, chain, keyByOrder[c.Order], false)
					}
					walk(c, cc)
				}
			}
		}
		walk(root, 0)
		sc.order, sc.keyByOrder, sc.keyAt, sc.chainAt = order, keyByOrder, keyAt, chainAt
	}

	var some []int32
	var out []Failure
	type patSave struct {
		v           xpath.Seq
		had, hadErr bool
		err         error
	}
	var patSaved []patSave
	m := &matcher{ev: asserts} // one for all patterns, so that its buffers are kept
	for pi := from; pi < to; pi++ {
		p := s.Patterns[pi]
		// Pattern lets are scoped to their pattern: what they replace is
		// put back after it.
		patSaved = patSaved[:0]
		for _, l := range p.Lets {
			var ps patSave
			ps.v, ps.had = env.Vars[l.Name]
			ps.err, ps.hadErr = env.VarErrors[l.Name]
			patSaved = append(patSaved, ps)
		}
		bindGlobals(p.Lets, root)
		matchEnv.Vars, matchEnv.VarErrors = env.Vars, env.VarErrors
		// Rules whose context is not compiled for node matching select
		// their nodes from the document node, as before.
		var fallback map[int]map[*xpath.Node]bool
		for i, r := range p.Rules {
			if len(r.dispatch.fallback) == 0 {
				continue
			}
			if stopped() {
				return nil, ctx.Err()
			}
			if fallback == nil {
				fallback = map[int]map[*xpath.Node]bool{}
			}
			set := map[*xpath.Node]bool{}
			fallback[i] = set
			seen := false
			matchEnv.Recovered = func(err error) {
				if !seen { // once per rule and document is enough to say why
					seen = true
					errs = append(errs, &EvalError{Where: "rule context", Context: r.Context, Err: err, Recovered: true})
				}
			}
			for _, m := range r.dispatch.fallback {
				seq, err := s.eval(m, root, &matchEnv)
				if err != nil {
					// As in XSLT, an error while matching means "no match".
					errs = append(errs, &EvalError{Where: "rule context", Context: r.Context, Err: err, Recovered: true})
					continue
				}
				for _, it := range seq {
					if n, ok := it.(*xpath.Node); ok {
						set[n] = true
					}
				}
			}
		}
		seenRule := make([]bool, len(p.Rules))
		m.recovered = func(i int, err error) {
			if !seenRule[i] {
				seenRule[i] = true
				errs = append(errs, &EvalError{Where: "rule context", Context: p.Rules[i].Context, Err: err, Recovered: true})
			}
		}
		m.srcNode = nil // the strings it keeps may depend on the pattern's lets
		// The first rule, in rule order, whose context matches n owns it.
		owner := func(k int) (int, bool) {
			if ch != nil {
				cands := ch.infos[chainAt[k]].cands[pi]
				if len(cands) == 0 {
					return 0, false
				}
				n := order[k]
				for _, c := range cands {
					i := int(c.rule)
					if c.path < 0 {
						if fallback[i][n] {
							return i, true
						}
						continue
					}
					// A candidate passes the name tests (see chains): for a
					// bare path that is the match.
					if mp := &p.Rules[i].dispatch.paths[c.path]; mp.bare || m.matchShaped(mp, n, i) {
						return i, true
					}
				}
				return 0, false
			}
			n := order[k]
			for _, i := range p.dispatch.candidates(n, keyAt[k]) {
				if fallback[i][n] {
					return i, true
				}
				for j := range p.Rules[i].dispatch.paths {
					if m.match(&p.Rules[i].dispatch.paths[j], n, i) {
						return i, true
					}
				}
			}
			return 0, false
		}
		// The nodes to try: all of them when a rule may match any element,
		// attribute or the document node, else only those with a name
		// some rule's context ends in, in visit order.
		// With name chains, trying a node with no candidates costs two
		// loads, less than sorting the named ones.
		visitAll := p.dispatch.any() && ch == nil
		list := some
		switch {
		case ch != nil:
			list = byPat[pi]
		case !visitAll:
			some = some[:0]
			for _, key := range p.dispatch.keys {
				some = append(some, byKey[key]...)
			}
			slices.Sort(some)
			list = some
		}
		for j := 0; ; j++ {
			var k int
			if visitAll {
				if j == len(order) {
					break
				}
				k = j
			} else {
				if j == len(list) {
					break
				}
				k = int(list[j])
			}
			if j&255 == 0 && stopped() {
				return nil, ctx.Err()
			}
			i, ok := owner(k)
			if !ok {
				continue
			}
			n := order[k]
			func() {
				r := p.Rules[i]
				if len(r.Lets) > 0 {
					// Rule lets shadow globals of the same name for this
					// node only: keep what they replace and put it back.
					old := shadows[:0]
					for range r.Lets {
						old = append(old, shadowed{})
					}
					shadows = old
					for j, l := range r.Lets {
						old[j].v, old[j].had = env.Vars[l.Name]
					}
					defer func() {
						for j, l := range r.Lets {
							if old[j].had {
								env.Vars[l.Name] = old[j].v
							} else {
								delete(env.Vars, l.Name)
							}
						}
					}()
					if !bindLets(r.Lets, n, r) {
						// Every assert of the rule is left unevaluated.
						if e, ok := errs[len(errs)-1].(*EvalError); ok {
							e.Context, e.Location = r.Context, Location(n)
							for _, a := range r.Asserts {
								e.RuleIDs = append(e.RuleIDs, a.ID)
							}
						}
						return
					}
				}
				for _, a := range r.Asserts {
					var ok bool
					var err error
					switch {
					case a.notExists != nil:
						ok = a.notExists(n)
					case len(s.unprepared) == 0:
						ok, err = asserts.EvalBool(a.test, n)
					default:
						ok, err = s.evalBool(a.test, n, env)
					}
					if err != nil {
						errs = append(errs, &EvalError{Where: "assert", RuleIDs: []string{a.ID}, Context: r.Context, Location: Location(n), Err: err})
						continue
					}
					if ok == a.Report {
						out = append(out, Failure{RuleID: a.ID, Flag: a.Flag, Location: Location(n), Message: s.message(letEv, a, n, env)})
					}
				}
			}()
		}
		for i := range p.Lets { // saved before any was bound: a name bound twice is saved twice alike
			name, ps := p.Lets[i].Name, patSaved[i]
			if ps.had {
				env.Vars[name] = ps.v
			} else {
				delete(env.Vars, name)
			}
			if ps.hadErr {
				env.VarErrors[name] = ps.err
			} else {
				delete(env.VarErrors, name)
			}
		}
		if stopped() {
			return nil, ctx.Err()
		}
	}
	return out, errors.Join(errs...)
}

// prepareDispatch compiles every rule context for node matching.
func (s *Schema) prepareDispatch() {
	for _, p := range s.Patterns {
		for _, r := range p.Rules {
			r.dispatch = compileRuleMatch(r, s.Namespaces)
		}
	}
	s.buildDispatch()
}

// memoPool keeps the Memos of finished validations for the next ones.
var memoPool = sync.Pool{New: func() any { return xpath.NewMemo() }}

// docKeys returns, by the document's name key (see xpath.Document.NameKey),
// the schema's key of the name (0 for a name no step tests); ok is false
// when some name of the schema was registered after the document was
// built.
func (s *Schema) docKeys(doc *xpath.Document, sc *scratch) ([]int32, bool) {
	table := slices.Grow(sc.docKeys[:0], doc.NameKeys())[:doc.NameKeys()]
	clear(table)
	sc.docKeys = table
	for k := 1; k < len(s.keyIDs); k++ {
		dk, ok := doc.NameKey(s.keyIDs[k])
		if !ok {
			return nil, false
		}
		if dk >= 0 {
			table[dk] = int32(k)
		}
	}
	return table, true
}

// scratch is a validation's per-node tables, pooled.
type scratch struct {
	order             []*xpath.Node
	keyByOrder, keyAt []int32
	chainAt           []int32
	byPat             [][]int32
	docKeys           []int32
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// release returns sc to the pool, without the document's nodes, unless it
// grew large.
func (sc *scratch) release() {
	clear(sc.order)
	if cap(sc.order) > 1<<20 {
		return
	}
	scratchPool.Put(sc)
}

func (s *Schema) message(ev *xpath.Evaluator, a *Assert, n *xpath.Node, env *xpath.Env) string {
	var b strings.Builder
	for _, p := range a.msg {
		switch {
		case p.isName:
			b.WriteString(qname(n))
		case p.expr != nil:
			seq, err := s.evalWith(ev, p.expr, n, env)
			if err != nil {
				continue
			}
			for i, it := range seq {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(xpath.StringOf(it))
			}
		default:
			b.WriteString(p.text)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func qname(n *xpath.Node) string {
	if n.Prefix != "" {
		return n.Prefix + ":" + n.Local
	}
	return n.Local
}

// Location returns a simple XPath locating n: each element step is its name as
// written in the source with its position among same-named siblings, e.g.
// /Invoice[1]/cac:InvoiceLine[2]/@currencyID.
func Location(n *xpath.Node) string {
	if n == nil || n.Kind == xpath.DocumentNode {
		return "/"
	}
	var steps []string
	for ; n != nil && n.Kind != xpath.DocumentNode; n = n.Parent {
		switch n.Kind {
		case xpath.AttributeNode:
			steps = append(steps, "@"+qname(n))
		case xpath.TextNode:
			steps = append(steps, "text()")
		default:
			pos := 1
			if n.Parent != nil {
				for _, s := range n.Parent.Children {
					if s == n {
						break
					}
					if s.Kind == xpath.ElementNode && s.Local == n.Local && s.Space == n.Space {
						pos++
					}
				}
			}
			steps = append(steps, qname(n)+"["+strconv.Itoa(pos)+"]")
		}
	}
	var b strings.Builder
	for i := len(steps) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(steps[i])
	}
	return b.String()
}

// elem is a minimal element tree for reading the schema.
type elem struct {
	name    xml.Name
	attrs   map[string]string // unqualified attributes only
	kids    []*elem
	content []any // string or *elem, in order
	parent  *elem
	nsdecl  map[string]string // xmlns declarations on this element
}

// inScope returns the namespace declarations in scope on e.
func (e *elem) inScope() map[string]string {
	m := map[string]string{}
	var chain []*elem
	for x := e; x != nil; x = x.parent {
		chain = append(chain, x)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		for p, u := range chain[i].nsdecl {
			m[p] = u
		}
	}
	return m
}

func (e *elem) attr(n string) string { return e.attrs[n] }

func (e *elem) text() string {
	var b strings.Builder
	for _, c := range e.content {
		switch c := c.(type) {
		case string:
			b.WriteString(c)
		case *elem:
			b.WriteString(c.text())
		}
	}
	return b.String()
}

func parseTree(data []byte) (*elem, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*elem
	var root *elem
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrSchema, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &elem{name: t.Name, attrs: map[string]string{}}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					if e.nsdecl == nil {
						e.nsdecl = map[string]string{}
					}
					e.nsdecl[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					if e.nsdecl == nil {
						e.nsdecl = map[string]string{}
					}
					e.nsdecl[""] = a.Value
				case a.Name.Space == "":
					e.attrs[a.Name.Local] = a.Value
				}
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				e.parent = p
				p.kids = append(p.kids, e)
				p.content = append(p.content, e)
			} else {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.content = append(p.content, string(t))
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: no root element", ErrSchema)
	}
	return root, nil
}
