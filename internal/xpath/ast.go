// Package xpath is a lexer and parser for the subset of XPath 2.0 used by the
// official e-invoice validation rules (CEN EN 16931 and Peppol BIS Billing 3.0
// Schematron with queryBinding="xslt2"). It produces an AST (Expr) that can be
// printed back with String; parsing the printed form yields an equal AST.
//
// ParseDocument builds a read-only tree and Eval evaluates an Expr against
// it (see eval.go for what is supported).
package xpath

// Expr is any XPath expression node.
type Expr interface {
	String() string
	exprNode()
}

// QName is a lexical qualified name; Prefix is empty when unprefixed.
// In a NameTest, Prefix or Local may be "*" (wildcards).
type QName struct {
	Prefix string
	Local  string
}

func (q QName) String() string {
	if q.Prefix == "" {
		return q.Local
	}
	return q.Prefix + ":" + q.Local
}

// LiteralKind says which lexical form a literal had.
type LiteralKind int

const (
	StringLit LiteralKind = iota
	IntegerLit
	DecimalLit
	DoubleLit
)

// Literal is a string or numeric literal. For numbers, Value holds the
// lexical form exactly as written (so a decimal evaluator can parse it
// without going through float64); for strings, the unescaped value.
type Literal struct {
	Kind  LiteralKind
	Value string

	val Seq // the value of a numeric literal, set by Prepare
}

// VarRef is $name.
type VarRef struct{ Name QName }

// ContextItem is ".".
type ContextItem struct{}

// Sequence is a comma expression "(a, b, ...)"; zero items is "()".
type Sequence struct{ Items []Expr }

// FuncCall is name(args...).
type FuncCall struct {
	Name QName
	Args []Expr

	val    Seq // the value of a call folded by Prepare (pure function, constant arguments)
	folded bool
	bi     *builtin // the builtin called, resolved by Prepare
	ctor   string   // the xs: constructor called (xs:decimal: "decimal"), resolved by Prepare
	extKey string   // the key of the extension function called in Env.Functions, set by Prepare
}

// Binary is a binary operator expression. Op is one of:
// or and = != < <= > >= eq ne lt le gt ge is << >> to + - * div idiv mod
// union intersect except. ("|" is normalised to "union".)
type Binary struct {
	Op   string
	L, R Expr

	// Set by Prepare for a union of axis steps: its steps when every one is
	// prepared (alts), and when every one is also indexable (ixAlts).
	alts, ixAlts []*AxisStep
	// eager, set by Prepare for a general comparison that lazyCompare
	// never takes (no operand read lazily, one never a single value).
	eager bool
}

// Unary is "-x" or "+x".
type Unary struct {
	Op string
	X  Expr
}

// Binding is "$Var in In" inside for/some/every.
type Binding struct {
	Var QName
	In  Expr
}

// For is "for $a in X, $b in Y return R".
type For struct {
	Bindings []Binding
	Return   Expr
}

// Quantified is "some|every $a in X satisfies S".
type Quantified struct {
	Every     bool
	Bindings  []Binding
	Satisfies Expr

	// member, set by Prepare for "some $x in S satisfies A = $x" (either
	// order) with A not using $x: A, to be evaluated as the general
	// comparison A = S (memberCmp, as written), as Saxon rewrites it.
	// memberSet says Prepare has looked.
	member    Expr
	memberCmp *Binary
	memberSet bool
}

// If is "if (C) then T else E".
type If struct{ Cond, Then, Else Expr }

// TypeOp is "X instance of T", "X treat as T", "X castable as T", "X cast as T".
// Op is "instance of", "treat as", "castable as" or "cast as".
type TypeOp struct {
	Op   string
	X    Expr
	Type SequenceType
}

// SequenceType is an ItemType with an occurrence indicator ("", "?", "*", "+").
// Empty is true for empty-sequence(). Exactly one of Atomic / Kind is set
// otherwise; Item is true for item().
type SequenceType struct {
	Empty      bool
	Item       bool
	Atomic     QName
	Kind       *KindTest
	Occurrence string
}

// KindTest is node(), text(), comment(), element(...), attribute(...),
// document-node(...), processing-instruction(...), schema-element(...),
// schema-attribute(...). Args holds the raw argument tokens
// (names, "*", string literals quoted, "?" suffixes kept on names).
type KindTest struct {
	Kind string
	Args []string
}

// Axis step names (full names; "@" is AxisAttribute, ".." is parent::node()).
const (
	AxisChild            = "child"
	AxisDescendant       = "descendant"
	AxisAttribute        = "attribute"
	AxisSelf             = "self"
	AxisDescendantOrSelf = "descendant-or-self"
	AxisFollowingSibling = "following-sibling"
	AxisFollowing        = "following"
	AxisNamespace        = "namespace"
	AxisParent           = "parent"
	AxisAncestor         = "ancestor"
	AxisPrecedingSibling = "preceding-sibling"
	AxisPreceding        = "preceding"
	AxisAncestorOrSelf   = "ancestor-or-self"
)

var axes = map[string]bool{
	AxisChild: true, AxisDescendant: true, AxisAttribute: true, AxisSelf: true,
	AxisDescendantOrSelf: true, AxisFollowingSibling: true, AxisFollowing: true,
	AxisNamespace: true, AxisParent: true, AxisAncestor: true,
	AxisPrecedingSibling: true, AxisPreceding: true, AxisAncestorOrSelf: true,
}

// AxisStep is axis::test[pred]...; exactly one of Name / Kind is set.
type AxisStep struct {
	Axis  string
	Name  *QName // name test, possibly with "*" wildcards
	Kind  *KindTest
	Preds []Expr

	uri      string // resolved namespace of Name, set by Prepare
	prepared bool
	predFree bool        // every predicate is positionFree (set by Prepare)
	indexed  bool        // indexable (set by Prepare)
	self     []*AxisStep // []*AxisStep{this step}, made once by Prepare
	nid      int         // registered id of the tested name (see nameID), or 0
	// kidMask is, for a child step with a name test, the kidBit of its
	// local name (every bit for "*"); see noKids. 0 for other steps.
	kidMask uint64
	// kidExact is set for a child step with an exact name (and an nid).
	kidExact bool
	// absentOK is set for a child, attribute or descendant step with an
	// exact name: one that selects nothing if the document has no node of
	// the name (see absent).
	absentOK bool
}

// Filter is Primary[pred]... where Primary is not an axis step, e.g.
// $x[1] or (a/b)[last()].
type Filter struct {
	Primary Expr
	Preds   []Expr
}

// RootKind says how a path starts.
type RootKind int

const (
	RootNone        RootKind = iota // relative path
	RootSlash                       // "/..."
	RootDoubleSlash                 // "//..."
)

// PathStep is one step of a Path; Desc is true when the step is preceded by
// "//" (i.e. /descendant-or-self::node()/). Desc is false for the first step
// (the root's "//" is in Path.Root).
type PathStep struct {
	Desc bool
	Expr Expr
}

// Path is a path expression with at least one "/" or "//", or a lone "/".
// A single relative step without slashes is not wrapped in a Path.
type Path struct {
	Root  RootKind
	Steps []PathStep
}

func (*Literal) exprNode()     {}
func (*VarRef) exprNode()      {}
func (*ContextItem) exprNode() {}
func (*Sequence) exprNode()    {}
func (*FuncCall) exprNode()    {}
func (*Binary) exprNode()      {}
func (*Unary) exprNode()       {}
func (*For) exprNode()         {}
func (*Quantified) exprNode()  {}
func (*If) exprNode()          {}
func (*TypeOp) exprNode()      {}
func (*AxisStep) exprNode()    {}
func (*Filter) exprNode()      {}
func (*Path) exprNode()        {}

// Walk calls f for e and every sub-expression in depth-first pre-order.
// If f returns false, the children of that node are skipped.
func Walk(e Expr, f func(Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	switch n := e.(type) {
	case *Sequence:
		for _, x := range n.Items {
			Walk(x, f)
		}
	case *FuncCall:
		for _, x := range n.Args {
			Walk(x, f)
		}
	case *Binary:
		Walk(n.L, f)
		Walk(n.R, f)
	case *Unary:
		Walk(n.X, f)
	case *For:
		for _, b := range n.Bindings {
			Walk(b.In, f)
		}
		Walk(n.Return, f)
	case *Quantified:
		for _, b := range n.Bindings {
			Walk(b.In, f)
		}
		Walk(n.Satisfies, f)
	case *If:
		Walk(n.Cond, f)
		Walk(n.Then, f)
		Walk(n.Else, f)
	case *TypeOp:
		Walk(n.X, f)
	case *AxisStep:
		for _, x := range n.Preds {
			Walk(x, f)
		}
	case *Filter:
		Walk(n.Primary, f)
		for _, x := range n.Preds {
			Walk(x, f)
		}
	case *Path:
		for _, s := range n.Steps {
			Walk(s.Expr, f)
		}
	case *memoExpr:
		Walk(n.X, f)
	case *cseExpr:
		Walk(n.X, f)
	case *boolExpr:
		Walk(n.X, f)
	case *numExpr:
		Walk(n.X, f)
	}
}
