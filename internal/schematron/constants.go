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
		known := func(name string) bool { _, ok := scope[name]; return ok }
		if l.expr == nil || !xpath.Independent(l.expr, s.Namespaces, known) {
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
