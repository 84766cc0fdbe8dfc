package schematron

import (
	"maps"

	"github.com/fellesgo/felles/internal/xpath"
)

// Constant lets.
//
// Many of the Peppol rules' global lets are code lists, such as
// <let name="ISO4217" value="tokenize('AED AFN ALL ...', '\s')"/>, whose value
// is the same for every document. constants evaluates such lets once, when
// the schema is loaded, and makes string sets of the long ones, so that a
// validation binds them instead of tokenizing again and tests membership
// with one lookup from its first use.

// constFuncs are the functions (in the fn or xs namespace) whose value
// depends only on their arguments.
var constFuncs = map[string]bool{
	"tokenize": true, "concat": true, "string-join": true, "upper-case": true, "lower-case": true,
	"translate": true, "substring": true, "substring-before": true, "substring-after": true,
	"true": true, "false": true, "not": true, "boolean": true, "replace": true, "matches": true,
	"contains": true, "starts-with": true, "ends-with": true, "count": true, "exists": true, "empty": true,
}

// constFuncsWithArg are focus-dependent when called without an argument.
var constFuncsWithArg = map[string]bool{"normalize-space": true, "string-length": true, "string": true}

// documentIndependent reports whether e's value depends neither on the
// document, the focus, the dynamic context (such as the current time) nor on
// any variable but those in consts.
func documentIndependent(e xpath.Expr, consts map[string]bool, ns map[string]string) bool {
	ok := true
	xpath.Walk(e, func(x xpath.Expr) bool {
		switch n := x.(type) {
		case *xpath.Literal, *xpath.Sequence, *xpath.Binary, *xpath.Unary, *xpath.If:
		case *xpath.VarRef:
			ok = ok && n.Name.Prefix == "" && consts[n.Name.Local]
		case *xpath.FuncCall:
			uri := xpath.FnNS
			if n.Name.Prefix != "" {
				uri = ns[n.Name.Prefix]
			}
			switch {
			case uri == xpath.FnNS && constFuncs[n.Name.Local]:
			case uri == xpath.FnNS && constFuncsWithArg[n.Name.Local] && len(n.Args) > 0:
			case uri == xpath.XSNS && len(n.Args) == 1:
			default:
				ok = false
			}
		default:
			ok = false // paths, steps, the context item, for, some, casts...
		}
		return ok
	})
	return ok
}

// constants evaluates the schema's and its patterns' lets that are
// document-independent (in order, so a let may use an earlier constant one).
// A let whose evaluation fails is left to each validation, which reports
// the error where the let is used.
func (s *Schema) constants(env *xpath.Env) {
	s.consts = map[*Let]xpath.Seq{}
	s.sets = xpath.NewSets()
	if testSkipPrepare {
		return
	}
	// scope holds the constant values of the lets in scope, by name.
	try := func(l *Let, scope map[string]xpath.Seq) {
		known := map[string]bool{}
		for k := range scope {
			known[k] = true
		}
		if l.expr == nil || !documentIndependent(l.expr, known, s.Namespaces) {
			delete(scope, l.Name) // shadows an outer constant of the same name
			return
		}
		v, err := xpath.Eval(l.expr, nil, &xpath.Env{Namespaces: env.Namespaces, Functions: env.Functions, Vars: scope})
		if err != nil {
			delete(scope, l.Name)
			return
		}
		s.consts[l] = v
		scope[l.Name] = v
		s.sets.Add(v)
	}
	global := map[string]xpath.Seq{}
	for _, l := range s.Lets {
		try(l, global)
	}
	for _, p := range s.Patterns {
		inner := maps.Clone(global)
		for _, l := range p.Lets {
			try(l, inner)
		}
	}
}
