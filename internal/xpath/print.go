package xpath

import "strings"

// The printer is fully parenthesised: every operator expression is printed
// in parentheses, so precedence never matters and Parse(e.String()) yields
// an AST equal to e.

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (l *Literal) String() string {
	if l.Kind == StringLit {
		return quote(l.Value)
	}
	return l.Value
}

func (v *VarRef) String() string    { return "$" + v.Name.String() }
func (*ContextItem) String() string { return "." }

func (s *Sequence) String() string {
	parts := make([]string, len(s.Items))
	for i, x := range s.Items {
		parts[i] = x.String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func (f *FuncCall) String() string {
	parts := make([]string, len(f.Args))
	for i, x := range f.Args {
		parts[i] = x.String()
	}
	return f.Name.String() + "(" + strings.Join(parts, ", ") + ")"
}

func (b *Binary) String() string {
	return "(" + b.L.String() + " " + b.Op + " " + b.R.String() + ")"
}

func (u *Unary) String() string { return "(" + u.Op + u.X.String() + ")" }

func bindings(bs []Binding) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = "$" + b.Var.String() + " in " + b.In.String()
	}
	return strings.Join(parts, ", ")
}

func (f *For) String() string {
	return "(for " + bindings(f.Bindings) + " return " + f.Return.String() + ")"
}

func (q *Quantified) String() string {
	kw := "some"
	if q.Every {
		kw = "every"
	}
	return "(" + kw + " " + bindings(q.Bindings) + " satisfies " + q.Satisfies.String() + ")"
}

func (i *If) String() string {
	return "(if (" + i.Cond.String() + ") then " + i.Then.String() + " else " + i.Else.String() + ")"
}

func (t *TypeOp) String() string {
	return "(" + t.X.String() + " " + t.Op + " " + t.Type.String() + ")"
}

func (s SequenceType) String() string {
	switch {
	case s.Empty:
		return "empty-sequence()"
	case s.Item:
		return "item()" + s.Occurrence
	case s.Kind != nil:
		return s.Kind.String() + s.Occurrence
	}
	return s.Atomic.String() + s.Occurrence
}

func (k *KindTest) String() string { return k.Kind + "(" + strings.Join(k.Args, ", ") + ")" }

func preds(ps []Expr) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("[" + p.String() + "]")
	}
	return b.String()
}

func (s *AxisStep) String() string {
	var test string
	if s.Kind != nil {
		test = s.Kind.String()
	} else {
		test = s.Name.String()
	}
	var prefix string
	switch {
	case s.Axis == AxisChild && s.Name != nil:
		// an unprefixed child name test that collides with a keyword is
		// still read back as a name test in step position.
	case s.Axis == AxisChild:
		// a kind test in child position would be read back the same way
	case s.Axis == AxisAttribute:
		prefix = "@"
	default:
		prefix = s.Axis + "::"
	}
	return prefix + test + preds(s.Preds)
}

// primaryString prints e so that it is read back as a primary expression
// (not as an axis step) when followed by predicates or used as a path step.
func primaryString(e Expr) string {
	switch e.(type) {
	case *Literal, *VarRef, *ContextItem, *FuncCall, *Sequence:
		return e.String()
	}
	return "(" + e.String() + ")"
}

func (f *Filter) String() string { return primaryString(f.Primary) + preds(f.Preds) }

func stepString(e Expr) string {
	switch e.(type) {
	case *AxisStep, *Filter:
		return e.String()
	}
	return primaryString(e)
}

func (p *Path) String() string {
	var b strings.Builder
	switch p.Root {
	case RootSlash:
		if len(p.Steps) == 0 {
			return "(/)"
		}
		b.WriteString("/")
	case RootDoubleSlash:
		b.WriteString("//")
	}
	for i, s := range p.Steps {
		if i > 0 {
			if s.Desc {
				b.WriteString("//")
			} else {
				b.WriteString("/")
			}
		}
		b.WriteString(stepString(s.Expr))
	}
	return b.String()
}
