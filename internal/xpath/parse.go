package xpath

import (
	"fmt"
	"strings"
)

// Options bound the work Parse does. Zero fields take the defaults.
type Options struct {
	MaxLength int // bytes; default DefaultMaxLength
	MaxDepth  int // default DefaultMaxDepth
}

// Parse parses an XPath 2.0 expression with default limits.
func Parse(src string) (Expr, error) { return ParseOptions(src, Options{}) }

// ParseOptions parses an XPath 2.0 expression. It never panics; all
// failures are returned as *Error.
func ParseOptions(src string, o Options) (e Expr, err error) {
	if o.MaxLength <= 0 {
		o.MaxLength = DefaultMaxLength
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if len(src) > o.MaxLength {
		return nil, &Error{Pos: o.MaxLength, Msg: fmt.Sprintf("expression is %d bytes, limit %d", len(src), o.MaxLength), Err: ErrTooLong}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, maxDepth: o.MaxDepth}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				pe = &Error{Pos: p.peek().pos, Msg: fmt.Sprint("internal parser error: ", r), Err: ErrSyntax}
			}
			e, err = nil, pe
		}
	}()
	e = p.parseExpr()
	if t := p.peek(); t.kind != tEOF {
		p.fail(t, "unexpected %v after expression", t)
	}
	return e, nil
}

type parser struct {
	toks     []token
	i        int
	depth    int
	maxDepth int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) fail(t token, format string, a ...any) {
	panic(&Error{Pos: t.pos, Msg: fmt.Sprintf(format, a...), Err: ErrSyntax})
}

func (p *parser) isSym(s string) bool { t := p.peek(); return t.kind == tSym && t.val == s }
func (p *parser) isName(s string) bool {
	t := p.peek()
	return t.kind == tName && t.val == s
}

func (p *parser) expectSym(s string) token {
	t := p.next()
	if t.kind != tSym || t.val != s {
		p.fail(t, "expected %q, found %v", s, t)
	}
	return t
}

func (p *parser) expectName(s string) {
	t := p.next()
	if t.kind != tName || t.val != s {
		p.fail(t, "expected %q, found %v", s, t)
	}
}

func (p *parser) enter() {
	p.depth++
	if p.depth > p.maxDepth {
		panic(&Error{Pos: p.peek().pos, Msg: fmt.Sprintf("nesting deeper than %d", p.maxDepth), Err: ErrTooDeep})
	}
}
func (p *parser) leave() { p.depth-- }

// chain accounts for a left-nested operator chain of length n (the AST depth
// grows with it even though the parser loops).
func (p *parser) chain(n int) {
	if p.depth+n > p.maxDepth {
		panic(&Error{Pos: p.peek().pos, Msg: fmt.Sprintf("operator chain deeper than %d", p.maxDepth), Err: ErrTooDeep})
	}
}

func splitQName(s string) QName {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return QName{Prefix: s[:i], Local: s[i+1:]}
	}
	return QName{Local: s}
}

// Expr ::= ExprSingle ("," ExprSingle)*
func (p *parser) parseExpr() Expr {
	e := p.parseExprSingle()
	if !p.isSym(",") {
		return e
	}
	items := []Expr{e}
	for p.isSym(",") {
		p.next()
		items = append(items, p.parseExprSingle())
	}
	return &Sequence{Items: items}
}

func (p *parser) parseExprSingle() Expr {
	p.enter()
	defer p.leave()
	t := p.peek()
	if t.kind == tName {
		nt := p.peekAt(1)
		switch {
		case (t.val == "for" || t.val == "some" || t.val == "every") && nt.kind == tVar:
			return p.parseBindingExpr()
		case t.val == "if" && nt.kind == tSym && nt.val == "(":
			p.next()
			p.expectSym("(")
			c := p.parseExpr()
			p.expectSym(")")
			p.expectName("then")
			th := p.parseExprSingle()
			p.expectName("else")
			el := p.parseExprSingle()
			return &If{Cond: c, Then: th, Else: el}
		}
	}
	return p.parseOr()
}

func (p *parser) parseBindingExpr() Expr {
	kw := p.next().val
	var bs []Binding
	for {
		v := p.next()
		if v.kind != tVar {
			p.fail(v, "expected variable, found %v", v)
		}
		p.expectName("in")
		bs = append(bs, Binding{Var: splitQName(v.val), In: p.parseExprSingle()})
		if !p.isSym(",") {
			break
		}
		p.next()
	}
	if kw == "for" {
		p.expectName("return")
		return &For{Bindings: bs, Return: p.parseExprSingle()}
	}
	p.expectName("satisfies")
	return &Quantified{Every: kw == "every", Bindings: bs, Satisfies: p.parseExprSingle()}
}

// binary parses a left-associative chain of operators recognised by op.
func (p *parser) binary(sub func() Expr, op func(token) (string, bool)) Expr {
	l := sub()
	n := 0
	for {
		o, ok := op(p.peek())
		if !ok {
			return l
		}
		p.next()
		n++
		p.chain(n)
		l = &Binary{Op: o, L: l, R: sub()}
	}
}

func nameOp(names ...string) func(token) (string, bool) {
	return func(t token) (string, bool) {
		if t.kind == tName {
			for _, n := range names {
				if t.val == n {
					return n, true
				}
			}
		}
		return "", false
	}
}

func (p *parser) parseOr() Expr  { return p.binary(p.parseAnd, nameOp("or")) }
func (p *parser) parseAnd() Expr { return p.binary(p.parseComparison, nameOp("and")) }

var generalComp = map[string]bool{"=": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true, "<<": true, ">>": true}
var valueComp = map[string]bool{"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true, "is": true}

func (p *parser) parseComparison() Expr {
	l := p.parseRange()
	t := p.peek()
	if (t.kind == tSym && generalComp[t.val]) || (t.kind == tName && valueComp[t.val]) {
		p.next()
		return &Binary{Op: t.val, L: l, R: p.parseRange()}
	}
	return l
}

func (p *parser) parseRange() Expr {
	l := p.parseAdditive()
	if p.isName("to") {
		p.next()
		return &Binary{Op: "to", L: l, R: p.parseAdditive()}
	}
	return l
}

func (p *parser) parseAdditive() Expr {
	return p.binary(p.parseMultiplicative, func(t token) (string, bool) {
		if t.kind == tSym && (t.val == "+" || t.val == "-") {
			return t.val, true
		}
		return "", false
	})
}

func (p *parser) parseMultiplicative() Expr {
	return p.binary(p.parseUnion, func(t token) (string, bool) {
		if t.kind == tSym && t.val == "*" {
			return "*", true
		}
		return nameOp("div", "idiv", "mod")(t)
	})
}

func (p *parser) parseUnion() Expr {
	return p.binary(p.parseIntersect, func(t token) (string, bool) {
		if t.kind == tSym && t.val == "|" {
			return "union", true
		}
		return nameOp("union")(t)
	})
}

func (p *parser) parseIntersect() Expr {
	return p.binary(p.parseInstanceOf, nameOp("intersect", "except"))
}

func (p *parser) parseInstanceOf() Expr {
	x := p.parseTreat()
	if p.isName("instance") && p.peekAt(1).kind == tName && p.peekAt(1).val == "of" {
		p.next()
		p.next()
		return &TypeOp{Op: "instance of", X: x, Type: p.parseSequenceType()}
	}
	return x
}

func (p *parser) parseTreat() Expr {
	x := p.parseCastable()
	if p.isName("treat") && p.peekAt(1).kind == tName && p.peekAt(1).val == "as" {
		p.next()
		p.next()
		return &TypeOp{Op: "treat as", X: x, Type: p.parseSequenceType()}
	}
	return x
}

func (p *parser) parseCastable() Expr {
	x := p.parseCast()
	if p.isName("castable") && p.peekAt(1).kind == tName && p.peekAt(1).val == "as" {
		p.next()
		p.next()
		return &TypeOp{Op: "castable as", X: x, Type: p.parseSingleType()}
	}
	return x
}

func (p *parser) parseCast() Expr {
	x := p.parseUnary()
	if p.isName("cast") && p.peekAt(1).kind == tName && p.peekAt(1).val == "as" {
		p.next()
		p.next()
		return &TypeOp{Op: "cast as", X: x, Type: p.parseSingleType()}
	}
	return x
}

func (p *parser) parseSingleType() SequenceType {
	t := p.next()
	if t.kind != tName {
		p.fail(t, "expected type name, found %v", t)
	}
	st := SequenceType{Atomic: splitQName(t.val)}
	if p.isSym("?") {
		p.next()
		st.Occurrence = "?"
	}
	return st
}

var kindTests = map[string]bool{
	"node": true, "text": true, "comment": true, "processing-instruction": true,
	"document-node": true, "element": true, "attribute": true,
	"schema-element": true, "schema-attribute": true,
}

func (p *parser) parseSequenceType() SequenceType {
	t := p.peek()
	var st SequenceType
	switch {
	case t.kind == tName && t.val == "empty-sequence" && p.peekAt(1).val == "(":
		p.next()
		p.expectSym("(")
		p.expectSym(")")
		return SequenceType{Empty: true}
	case t.kind == tName && t.val == "item" && p.peekAt(1).val == "(":
		p.next()
		p.expectSym("(")
		p.expectSym(")")
		st.Item = true
	case t.kind == tName && kindTests[t.val] && p.peekAt(1).val == "(":
		st.Kind = p.parseKindTest()
	case t.kind == tName:
		p.next()
		st.Atomic = splitQName(t.val)
	default:
		p.fail(t, "expected sequence type, found %v", t)
	}
	if t := p.peek(); t.kind == tSym && (t.val == "?" || t.val == "*" || t.val == "+") {
		p.next()
		st.Occurrence = t.val
	}
	return st
}

// parseKindTest parses kind(args) with args kept as raw tokens.
func (p *parser) parseKindTest() *KindTest {
	kt := &KindTest{Kind: p.next().val}
	p.expectSym("(")
	for !p.isSym(")") {
		t := p.next()
		switch {
		case t.kind == tName:
			// nested document-node(element(...))
			if kindTests[t.val] && p.isSym("(") {
				p.i--
				p.enter()
				inner := p.parseKindTest()
				p.leave()
				kt.Args = append(kt.Args, inner.String())
			} else {
				a := t.val
				if p.isSym("?") {
					p.next()
					a += "?"
				}
				kt.Args = append(kt.Args, a)
			}
		case t.kind == tSym && t.val == "*":
			kt.Args = append(kt.Args, "*")
		case t.kind == tString:
			kt.Args = append(kt.Args, quote(t.val))
		default:
			p.fail(t, "unexpected %v in %s()", t, kt.Kind)
		}
		if p.isSym(",") {
			p.next()
			if p.isSym(")") {
				p.fail(p.peek(), "expected argument after ','")
			}
		} else if !p.isSym(")") {
			p.fail(p.peek(), "expected ',' or ')' in %s()", kt.Kind)
		}
	}
	p.next()
	return kt
}

func (p *parser) parseUnary() Expr {
	var ops []string
	for {
		t := p.peek()
		if t.kind == tSym && (t.val == "-" || t.val == "+") {
			p.next()
			ops = append(ops, t.val)
			p.chain(len(ops))
			continue
		}
		break
	}
	x := p.parsePath()
	for i := len(ops) - 1; i >= 0; i-- {
		x = &Unary{Op: ops[i], X: x}
	}
	return x
}

// canStartStep reports whether t can begin a relative path step.
func canStartStep(t token) bool {
	switch t.kind {
	case tName, tVar, tString, tInteger, tDecimal, tDouble:
		return true
	case tSym:
		switch t.val {
		case "*", "@", ".", "..", "(":
			return true
		}
	}
	return false
}

func (p *parser) parsePath() Expr {
	t := p.peek()
	path := &Path{}
	if t.kind == tSym && t.val == "/" {
		p.next()
		path.Root = RootSlash
		if !canStartStep(p.peek()) {
			return path
		}
	} else if t.kind == tSym && t.val == "//" {
		p.next()
		path.Root = RootDoubleSlash
	}
	first := p.parseStep()
	if path.Root == RootNone && !p.isSym("/") && !p.isSym("//") {
		return first
	}
	path.Steps = append(path.Steps, PathStep{Expr: first})
	for p.isSym("/") || p.isSym("//") {
		desc := p.next().val == "//"
		path.Steps = append(path.Steps, PathStep{Desc: desc, Expr: p.parseStep()})
		p.chain(len(path.Steps) / 4) // long paths are flat; only a weak bound
	}
	return path
}

func (p *parser) parsePredicates() []Expr {
	var preds []Expr
	for p.isSym("[") {
		p.next()
		p.enter()
		preds = append(preds, p.parseExpr())
		p.leave()
		p.expectSym("]")
	}
	return preds
}

func (p *parser) parseStep() Expr {
	t := p.peek()
	// Abbreviated and full axis steps.
	switch {
	case t.kind == tSym && t.val == "..":
		p.next()
		return &AxisStep{Axis: AxisParent, Kind: &KindTest{Kind: "node"}, Preds: p.parsePredicates()}
	case t.kind == tSym && t.val == "@":
		p.next()
		s := &AxisStep{Axis: AxisAttribute}
		p.parseNodeTest(s)
		s.Preds = p.parsePredicates()
		return s
	case t.kind == tSym && t.val == "*":
		p.next()
		return &AxisStep{Axis: AxisChild, Name: &QName{Local: "*"}, Preds: p.parsePredicates()}
	case t.kind == tName:
		nt := p.peekAt(1)
		if nt.kind == tSym && nt.val == "::" {
			if !axes[t.val] {
				p.fail(t, "unknown axis %q", t.val)
			}
			p.next()
			p.next()
			s := &AxisStep{Axis: t.val}
			p.parseNodeTest(s)
			s.Preds = p.parsePredicates()
			return s
		}
		if nt.kind == tSym && nt.val == "(" {
			if kindTests[t.val] {
				return &AxisStep{Axis: AxisChild, Kind: p.parseKindTest(), Preds: p.parsePredicates()}
			}
			break // function call: primary
		}
		p.next()
		q := splitQName(t.val)
		return &AxisStep{Axis: AxisChild, Name: &q, Preds: p.parsePredicates()}
	}
	prim := p.parsePrimary()
	if preds := p.parsePredicates(); len(preds) > 0 {
		return &Filter{Primary: prim, Preds: preds}
	}
	return prim
}

func (p *parser) parseNodeTest(s *AxisStep) {
	t := p.peek()
	switch {
	case t.kind == tName && kindTests[t.val] && p.peekAt(1).kind == tSym && p.peekAt(1).val == "(":
		s.Kind = p.parseKindTest()
	case t.kind == tName:
		p.next()
		q := splitQName(t.val)
		s.Name = &q
	case t.kind == tSym && t.val == "*":
		p.next()
		s.Name = &QName{Local: "*"}
	default:
		p.fail(t, "expected node test, found %v", t)
	}
}

// reserved function names that cannot be called as functions.
var reservedFuncNames = map[string]bool{
	"attribute": true, "comment": true, "document-node": true, "element": true,
	"empty-sequence": true, "if": true, "item": true, "node": true,
	"processing-instruction": true, "schema-attribute": true, "schema-element": true,
	"text": true, "typeswitch": true,
}

func (p *parser) parsePrimary() Expr {
	t := p.next()
	switch t.kind {
	case tString:
		return &Literal{Kind: StringLit, Value: t.val}
	case tInteger:
		return &Literal{Kind: IntegerLit, Value: t.val}
	case tDecimal:
		return &Literal{Kind: DecimalLit, Value: t.val}
	case tDouble:
		return &Literal{Kind: DoubleLit, Value: t.val}
	case tVar:
		return &VarRef{Name: splitQName(t.val)}
	case tName:
		if !p.isSym("(") || reservedFuncNames[t.val] {
			p.fail(t, "unexpected %v", t)
		}
		p.next()
		fc := &FuncCall{Name: splitQName(t.val)}
		for !p.isSym(")") {
			fc.Args = append(fc.Args, p.parseExprSingle())
			if p.isSym(",") {
				p.next()
				continue
			}
			if !p.isSym(")") {
				p.fail(p.peek(), "expected ',' or ')' in call to %s, found %v", t.val, p.peek())
			}
		}
		p.next()
		return fc
	case tSym:
		switch t.val {
		case ".":
			return &ContextItem{}
		case "(":
			if p.isSym(")") {
				p.next()
				return &Sequence{}
			}
			p.enter()
			e := p.parseExpr()
			p.leave()
			p.expectSym(")")
			return e
		}
	}
	p.fail(t, "unexpected %v", t)
	return nil
}
