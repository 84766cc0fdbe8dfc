package schematron

import (
	"fmt"
	"strings"

	"github.com/fellesgo/felles/internal/xpath"
)

// XSLNS is the XSLT namespace; Schematron schemas with queryBinding xslt2 may
// embed xsl:function elements, which this package interprets.
const XSLNS = "http://www.w3.org/1999/XSL/Transform"

// maxCallDepth bounds nested calls of interpreted xsl:functions (recursion),
// so that a runaway recursive function is an error, not a stack overflow.
const maxCallDepth = 500

// xslFunc is an interpreted xsl:function: a small XSLT subset (xsl:param,
// xsl:variable, xsl:value-of, xsl:sequence, xsl:choose/when/otherwise, text).
type xslFunc struct {
	key    string // "{uri}local"
	name   string // as written
	params []xslParam
	as     *seqType
	body   []instr
	ns     map[string]string // in-scope namespaces for the body's expressions
	src    *elem             // the xsl:function element, for WriteSchematron
	// leaf is set when the body calls no extension function: then it
	// needs no call state of its own (see callState.functions).
	leaf bool
}

// callsExtension reports whether any expression of body calls a function
// outside the fn and xs namespaces (ns resolving prefixes).
func callsExtension(body []instr, ns map[string]string) bool {
	found := false
	check := func(e xpath.Expr) {
		xpath.Walk(e, func(x xpath.Expr) bool {
			if f, ok := x.(*xpath.FuncCall); ok && f.Name.Prefix != "" {
				uri, bound := ns[f.Name.Prefix]
				if !bound {
					switch f.Name.Prefix {
					case "fn":
						uri = xpath.FnNS
					case "xs":
						uri = xpath.XSNS
					}
				}
				if uri != xpath.FnNS && uri != xpath.XSNS {
					found = true
				}
			}
			return !found
		})
	}
	var walk func([]instr)
	walk = func(b []instr) {
		for _, in := range b {
			if in.sel != nil {
				check(in.sel)
			}
			walk(in.body)
			for _, w := range in.whens {
				check(w.test)
				walk(w.body)
			}
			walk(in.otherwise)
		}
	}
	walk(body)
	return found
}

type xslParam struct {
	name string
	as   *seqType
}

// seqType is a declared "as" type of the form xs:T with an optional occurrence
// indicator. Only atomic types drive conversion; anything else (item(),
// node(), element()) is passed through.
type seqType struct {
	raw  string
	conv xpath.Expr // converts $v: for $i in $v return xs:T($i); nil for no conversion
	atom string     // T of conv
	occ  byte       // 0, '?', '*', '+'
}

// hasType reports whether every item of v is of the atomic type xs:atom
// exactly, so that converting it to that type changes nothing.
func hasType(v xpath.Seq, atom string) bool {
	for _, it := range v {
		var ok bool
		switch it.(type) {
		case xpath.Decimal:
			ok = atom == "decimal"
		case xpath.Integer:
			ok = atom == "integer"
		case xpath.Boolean:
			ok = atom == "boolean"
		case xpath.String:
			ok = atom == "string"
		case xpath.Double:
			ok = atom == "double"
		}
		if !ok {
			return false
		}
	}
	return true
}

type instrKind int

const (
	insText instrKind = iota
	insVariable
	insValueOf
	insSequence
	insChoose
)

type instr struct {
	kind      instrKind
	text      string
	name      string     // variable name
	as        *seqType   // variable type
	sel       xpath.Expr // @select
	sep       *string    // value-of @separator
	body      []instr    // variable content, when no @select
	whens     []when     // choose
	otherwise []instr
	hasOther  bool
}

type when struct {
	test xpath.Expr
	body []instr
}

func parseSeqType(s string) (*seqType, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t := &seqType{raw: s}
	base := s
	if n := len(s); n > 0 && strings.ContainsRune("?*+", rune(s[n-1])) {
		t.occ, base = s[n-1], strings.TrimSpace(s[:n-1])
	}
	if strings.HasPrefix(base, "xs:") && !strings.Contains(base, "(") {
		x, err := xpath.Parse("for $i in $v return " + base + "($i)")
		if err != nil {
			return nil, fmt.Errorf("type %q: %v", s, err)
		}
		t.conv, t.atom = x, strings.TrimPrefix(base, "xs:")
	}
	return t, nil
}

// parseXSLFunction reads an xsl:function element.
func parseXSLFunction(e *elem, ns map[string]string) (*xslFunc, error) {
	f := &xslFunc{name: e.attr("name"), ns: ns, src: e}
	prefix, local, ok := strings.Cut(f.name, ":")
	if !ok {
		return nil, fmt.Errorf("%w: xsl:function %q: name must have a prefix", ErrSchema, f.name)
	}
	uri, ok := ns[prefix]
	if !ok {
		return nil, fmt.Errorf("%w: xsl:function %q: prefix %q is not bound", ErrSchema, f.name, prefix)
	}
	f.key = "{" + uri + "}" + local
	var err error
	if f.as, err = parseSeqType(e.attr("as")); err != nil {
		return nil, fmt.Errorf("%w: xsl:function %q: %v", ErrSchema, f.name, err)
	}
	var rest []any
	for i, c := range e.content {
		if k, isElem := c.(*elem); isElem && k.name.Space == XSLNS && k.name.Local == "param" {
			pt, err := parseSeqType(k.attr("as"))
			if err != nil {
				return nil, fmt.Errorf("%w: xsl:function %q param: %v", ErrSchema, f.name, err)
			}
			f.params = append(f.params, xslParam{name: k.attr("name"), as: pt})
			continue
		}
		rest = e.content[i:]
		if _, isElem := c.(*elem); isElem {
			break
		}
		if strings.TrimSpace(c.(string)) != "" {
			break
		}
		rest = nil
	}
	if f.body, err = parseSeqCtor(rest); err != nil {
		return nil, fmt.Errorf("%w: xsl:function %q: %v", ErrSchema, f.name, err)
	}
	return f, nil
}

// parseSeqCtor reads a sequence constructor. Whitespace-only text is ignored,
// as in XSLT stylesheets.
func parseSeqCtor(content []any) ([]instr, error) {
	var out []instr
	for _, c := range content {
		switch c := c.(type) {
		case string:
			if strings.TrimSpace(c) != "" {
				out = append(out, instr{kind: insText, text: c})
			}
		case *elem:
			if c.name.Space != XSLNS {
				return nil, fmt.Errorf("literal result element {%s}%s is not supported", c.name.Space, c.name.Local)
			}
			in, err := parseInstr(c)
			if err != nil {
				return nil, err
			}
			out = append(out, in)
		}
	}
	return out, nil
}

func parseSel(e *elem, attr string) (xpath.Expr, error) {
	src, ok := e.attrs[attr]
	if !ok {
		return nil, nil
	}
	x, err := xpath.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("xsl:%s @%s: %v", e.name.Local, attr, err)
	}
	return x, nil
}

func parseInstr(e *elem) (instr, error) {
	var in instr
	var err error
	switch e.name.Local {
	case "variable":
		in.kind, in.name = insVariable, e.attr("name")
		if in.as, err = parseSeqType(e.attr("as")); err != nil {
			return in, err
		}
		if in.sel, err = parseSel(e, "select"); err != nil {
			return in, err
		}
		if in.sel == nil {
			in.body, err = parseSeqCtor(e.content)
		}
	case "value-of", "sequence":
		in.kind = insValueOf
		if e.name.Local == "sequence" {
			in.kind = insSequence
		}
		if in.sel, err = parseSel(e, "select"); err != nil {
			return in, err
		}
		if s, ok := e.attrs["separator"]; ok {
			in.sep = &s
		}
		if in.sel == nil {
			in.body, err = parseSeqCtor(e.content)
		}
	case "choose":
		in.kind = insChoose
		for _, k := range e.kids {
			if k.name.Space != XSLNS {
				return in, fmt.Errorf("unexpected {%s}%s in xsl:choose", k.name.Space, k.name.Local)
			}
			switch k.name.Local {
			case "when":
				t, err := parseSel(k, "test")
				if err != nil {
					return in, err
				}
				if t == nil {
					return in, fmt.Errorf("xsl:when without @test")
				}
				b, err := parseSeqCtor(k.content)
				if err != nil {
					return in, err
				}
				in.whens = append(in.whens, when{test: t, body: b})
			case "otherwise":
				if in.otherwise, err = parseSeqCtor(k.content); err != nil {
					return in, err
				}
				in.hasOther = true
			default:
				return in, fmt.Errorf("unexpected xsl:%s in xsl:choose", k.name.Local)
			}
		}
	case "text":
		in.kind, in.text = insText, e.text()
	default:
		return in, fmt.Errorf("xsl:%s is not supported", e.name.Local)
	}
	return in, err
}

// callState is shared by the nested calls of one top-level call.
type callState struct {
	s     *Schema
	depth int
	env   *xpath.Env // Functions bound to this state
}

// function returns the xpath.Function for f: each top-level call gets its own
// call state, so concurrent validations do not share recursion counters.
func (s *Schema) xslFunction(f *xslFunc) xpath.Function {
	interp := func(_ xpath.Item, args []xpath.Seq) (xpath.Seq, error) {
		st := &callState{s: s}
		return st.call(f, args)
	}
	// The official Peppol functions have native implementations (native.go).
	return s.nativeFunction(f, interp)
}

func (st *callState) call(f *xslFunc, args []xpath.Seq) (xpath.Seq, error) {
	if len(args) != len(f.params) {
		return nil, fmt.Errorf("%s: called with %d arguments, declared with %d", f.name, len(args), len(f.params))
	}
	if st.depth >= maxCallDepth {
		return nil, fmt.Errorf("%s: call depth exceeds %d", f.name, maxCallDepth)
	}
	st.depth++
	defer func() { st.depth-- }()
	vars := make(map[string]xpath.Seq, len(f.params)+4)
	fns := st.s.Functions // a leaf calls none of them: no state to bind
	if !f.leaf {
		fns = st.functions()
	}
	env := &xpath.Env{Namespaces: f.ns, Vars: vars, Functions: fns}
	for i, p := range f.params {
		v, err := st.convert(args[i], p.as, env)
		if err != nil {
			return nil, fmt.Errorf("%s: parameter $%s: %w", f.name, p.name, err)
		}
		vars[p.name] = v
	}
	res, err := st.run(f.body, env)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.name, err)
	}
	if res, err = st.convert(res, f.as, env); err != nil {
		return nil, fmt.Errorf("%s: result: %w", f.name, err)
	}
	return res, nil
}

// functions returns the extension functions for expressions inside a call:
// the schema's, with interpreted xsl:functions bound to this call state.
func (st *callState) functions() map[string]xpath.Function {
	if st.env != nil {
		return st.env.Functions
	}
	m := make(map[string]xpath.Function, len(st.s.Functions))
	for k, v := range st.s.Functions {
		m[k] = v
	}
	for _, f := range st.s.xslFuncs {
		f := f
		m[f.key] = func(_ xpath.Item, args []xpath.Seq) (xpath.Seq, error) { return st.call(f, args) }
	}
	st.env = &xpath.Env{Functions: m}
	return m
}

// run evaluates a sequence constructor. Variables bound by xsl:variable are
// visible to the following siblings (and their descendants) only.
func (st *callState) run(body []instr, env *xpath.Env) (xpath.Seq, error) {
	var out xpath.Seq
	var saved []struct {
		name string
		v    xpath.Seq
		had  bool
	}
	defer func() {
		for i := len(saved) - 1; i >= 0; i-- {
			if saved[i].had {
				env.Vars[saved[i].name] = saved[i].v
			} else {
				delete(env.Vars, saved[i].name)
			}
		}
	}()
	for _, in := range body {
		switch in.kind {
		case insText:
			out = append(out, xpath.Untyped(in.text))
		case insSequence:
			v, err := st.eval(in.sel, in.body, env)
			if err != nil {
				return nil, err
			}
			out = append(out, v...)
		case insValueOf:
			v, err := st.eval(in.sel, in.body, env)
			if err != nil {
				return nil, err
			}
			// A text node; represented by its untypedAtomic value.
			sep := " "
			if in.sep != nil {
				sep = *in.sep
			} else if in.sel == nil {
				sep = ""
			}
			out = append(out, xpath.Untyped(joinStrings(v, sep)))
		case insVariable:
			v, err := st.eval(in.sel, in.body, env)
			if err != nil {
				return nil, err
			}
			if in.sel == nil && in.as == nil {
				// A temporary tree (document node): its string value.
				v = xpath.Seq{xpath.Untyped(joinStrings(v, ""))}
			}
			if v, err = st.convert(v, in.as, env); err != nil {
				return nil, fmt.Errorf("variable $%s: %w", in.name, err)
			}
			old, had := env.Vars[in.name]
			saved = append(saved, struct {
				name string
				v    xpath.Seq
				had  bool
			}{in.name, old, had})
			env.Vars[in.name] = v
		case insChoose:
			done := false
			for _, w := range in.whens {
				ok, err := st.s.evalBool(w.test, nil, env)
				if err != nil {
					return nil, err
				}
				if ok {
					v, err := st.run(w.body, env)
					if err != nil {
						return nil, err
					}
					out = append(out, v...)
					done = true
					break
				}
			}
			if !done && in.hasOther {
				v, err := st.run(in.otherwise, env)
				if err != nil {
					return nil, err
				}
				out = append(out, v...)
			}
		}
	}
	return out, nil
}

func (st *callState) eval(sel xpath.Expr, body []instr, env *xpath.Env) (xpath.Seq, error) {
	if sel != nil {
		return st.s.eval(sel, nil, env)
	}
	return st.run(body, env)
}

func joinStrings(v xpath.Seq, sep string) string {
	var b strings.Builder
	for i, it := range xpath.Atomize(v) {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(xpath.StringOf(it))
	}
	return b.String()
}

// convert applies the function conversion rules, leniently: the value is
// atomized and each item cast to the declared atomic type; the occurrence
// indicator is checked.
func (st *callState) convert(v xpath.Seq, t *seqType, env *xpath.Env) (xpath.Seq, error) {
	if t == nil {
		return v, nil
	}
	if t.conv != nil && !hasType(v, t.atom) {
		saved, had := env.Vars["v"]
		env.Vars["v"] = v
		r, err := st.s.eval(t.conv, nil, env)
		if had {
			env.Vars["v"] = saved
		} else {
			delete(env.Vars, "v")
		}
		if err != nil {
			return nil, err
		}
		v = r
	}
	switch {
	case len(v) == 0 && (t.occ == 0 || t.occ == '+'):
		return nil, fmt.Errorf("empty sequence is not an instance of %s", t.raw)
	case len(v) > 1 && (t.occ == 0 || t.occ == '?'):
		return nil, fmt.Errorf("sequence of %d items is not an instance of %s", len(v), t.raw)
	}
	return v, nil
}

// prepareFunc prepares every expression of an interpreted xsl:function (see
// Schema.prepare).
func (s *Schema) prepareFunc(f *xslFunc) {
	env := &xpath.Env{Namespaces: f.ns, Functions: s.Functions}
	do := func(e xpath.Expr) {
		if e != nil && (testSkipPrepare || xpath.Prepare(e, env) != nil) {
			s.unprepared[e] = true
		}
	}
	typ := func(t *seqType) {
		if t != nil {
			do(t.conv)
		}
	}
	var body func([]instr)
	body = func(is []instr) {
		for _, in := range is {
			do(in.sel)
			typ(in.as)
			body(in.body)
			for _, w := range in.whens {
				do(w.test)
				body(w.body)
			}
			body(in.otherwise)
		}
	}
	for _, p := range f.params {
		typ(p.as)
	}
	typ(f.as)
	body(f.body)
}
