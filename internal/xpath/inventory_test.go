package xpath

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestInventory measures which XPath 2.0 features the official rules use.
// Run with -v to see the report (docs/einvoice-rules.md is written from it).
func TestInventory(t *testing.T) {
	dir := confDir(t)
	groups := []struct {
		name  string
		files []string
	}{
		{"Peppol 3.0.19 PEPPOL-EN16931-UBL.sch", []string{"peppol-bis-3.0.19/sch/PEPPOL-EN16931-UBL.sch"}},
		{"CEN 1.3.16 preprocessed UBL", []string{"cen-en16931-1.3.16/schematron/preprocessed/EN16931-UBL-validation-preprocessed.sch"}},
		{"all 4 Peppol 3.0.19 .sch (UBL+CII, Peppol+CEN bundled)", schSources[0].Files},
	}
	for _, g := range groups {
		inv := newInventory()
		for _, f := range g.files {
			exprs, _ := extract(t, filepath.Join(dir, filepath.FromSlash(f)))
			for _, x := range exprs {
				e, err := Parse(x.Text)
				if err != nil {
					t.Fatalf("%s:%d: %v", x.File, x.Line, err)
				}
				inv.add(x, e)
			}
		}
		t.Logf("==== %s\n%s", g.name, inv.report())
	}
}

type inventory struct {
	counts   map[string]map[string]int // category -> item -> count
	regexes  map[string]int
	letStr   map[string]string // let name -> string literal value
	maxLen   int
	maxDepth int
	exprs    int
}

func newInventory() *inventory {
	return &inventory{counts: map[string]map[string]int{}, regexes: map[string]int{}, letStr: map[string]string{}}
}

func (v *inventory) inc(cat, item string) {
	m := v.counts[cat]
	if m == nil {
		m = map[string]int{}
		v.counts[cat] = m
	}
	m[item]++
}

func depth(e Expr) int {
	d := 0
	Walk(e, func(x Expr) bool {
		if x != e {
			if c := depth(x) + 1; c > d {
				d = c
			}
			return false
		}
		return true
	})
	return d
}

func (v *inventory) add(x srcExpr, e Expr) {
	v.exprs++
	if l, ok := e.(*Literal); ok && l.Kind == StringLit && x.Kind == "let/@value" {
		v.letStr[x.Rule] = l.Value
	}
	if len(x.Text) > v.maxLen {
		v.maxLen = len(x.Text)
	}
	if d := depth(e); d > v.maxDepth {
		v.maxDepth = d
	}
	if x.Kind == "rule/@context" {
		v.contextShape(e)
	}
	Walk(e, func(n Expr) bool {
		switch n := n.(type) {
		case *Binary:
			v.inc("operator", n.Op)
		case *Unary:
			v.inc("operator", "unary"+n.Op)
		case *For:
			v.inc("construct", "for…return")
		case *Quantified:
			if n.Every {
				v.inc("construct", "every…satisfies")
			} else {
				v.inc("construct", "some…satisfies")
			}
		case *If:
			v.inc("construct", "if…then…else")
		case *Sequence:
			if len(n.Items) == 0 {
				v.inc("construct", "() empty sequence")
			} else {
				v.inc("construct", "(a, b) sequence")
			}
		case *Filter:
			v.inc("construct", "filter predicate on non-step")
		case *ContextItem:
			v.inc("construct", ". context item")
		case *TypeOp:
			v.inc("type op", n.Op+" "+n.Type.String())
		case *VarRef:
			v.inc("construct", "$variable reference")
		case *Literal:
			v.inc("literal", [...]string{"string", "integer", "decimal", "double"}[n.Kind])
		case *Path:
			v.inc("path root", [...]string{"relative", "/", "//"}[n.Root])
			for i, s := range n.Steps {
				if _, ok := s.Expr.(*FuncCall); ok && i == len(n.Steps)-1 {
					v.inc("construct", "function call as last path step (a/f(.))")
				}
				if i > 0 && s.Desc {
					v.inc("path root", "// inside path")
				}
			}
		case *AxisStep:
			v.inc("axis", n.Axis)
			if n.Kind != nil {
				v.inc("node test", n.Kind.String())
			} else if n.Name.Local == "*" || n.Name.Prefix == "*" {
				v.inc("node test", "wildcard "+n.Name.String())
			} else if n.Name.Prefix != "" {
				v.inc("namespace prefix", n.Name.Prefix)
			} else {
				v.inc("namespace prefix", "(none)")
			}
			if len(n.Preds) > 0 {
				v.inc("construct", "step predicate")
				for _, p := range n.Preds {
					if l, ok := p.(*Literal); ok && l.Kind == IntegerLit {
						v.inc("construct", "numeric (positional) predicate")
					}
				}
			}
		case *FuncCall:
			v.inc("function", n.Name.String())
			switch n.Name.String() {
			case "matches", "replace", "tokenize":
				if n.Name.Local == "replace" && len(n.Args) >= 3 {
					v.inc("replace() replacement", n.Args[2].String())
				}
				if len(n.Args) >= 2 {
					if l, ok := n.Args[1].(*Literal); ok && l.Kind == StringLit {
						v.regexes[l.Value]++
					} else if r, ok := n.Args[1].(*VarRef); ok && v.letStr[r.Name.String()] != "" {
						v.regexes[v.letStr[r.Name.String()]]++
						v.inc("regex", "pattern from let $"+r.Name.String())
					} else {
						v.inc("regex", "non-literal pattern")
					}
				}
				if (n.Name.Local == "replace" && len(n.Args) > 3) || (n.Name.Local != "replace" && len(n.Args) > 2) {
					v.inc("regex", "flags argument")
				}
			}
		}
		return true
	})
}

var (
	reClassSub = regexp.MustCompile(`-\[`)
	reXSDEsc   = regexp.MustCompile(`\\[iIcC]`)
	reBackref  = regexp.MustCompile(`\\[1-9]`)
	reShortCls = regexp.MustCompile(`\\[dDwWsS]`)
	reProp     = regexp.MustCompile(`\\[pP]\{`)
)

func (v *inventory) report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "expressions=%d maxLen=%d maxASTdepth=%d\n", v.exprs, v.maxLen, v.maxDepth)
	cats := make([]string, 0, len(v.counts))
	for c := range v.counts {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		m := v.counts[c]
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if m[keys[i]] != m[keys[j]] {
				return m[keys[i]] > m[keys[j]]
			}
			return keys[i] < keys[j]
		})
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, m[k])
		}
		fmt.Fprintf(&b, "%s (%d distinct): %s\n", c, len(keys), strings.Join(parts, ", "))
	}
	res := make([]string, 0, len(v.regexes))
	for r := range v.regexes {
		res = append(res, r)
	}
	sort.Strings(res)
	feat := map[string]int{}
	for _, r := range res {
		if _, err := regexp.Compile(r); err != nil {
			feat["RE2 compile error"]++
			fmt.Fprintf(&b, "  regex RE2 ERROR %q: %v\n", r, err)
		}
		if reClassSub.MatchString(r) {
			feat["class subtraction -[...]"]++
		}
		if reXSDEsc.MatchString(r) {
			feat[`\i \c escapes`]++
		}
		if reBackref.MatchString(r) {
			feat["back-reference"]++
		}
		if reShortCls.MatchString(r) {
			feat[`\d \w \s class escapes`]++
		}
		if reProp.MatchString(r) {
			feat[`\p{..} property`]++
		}
		if strings.ContainsAny(r, "^$") {
			feat["^ or $ anchors"]++
		}
		if strings.Contains(r, ".") {
			feat[". (any char / literal dot)"]++
		}
	}
	fmt.Fprintf(&b, "regex literals: %d distinct, features %v\n", len(res), feat)
	for _, r := range res {
		s := r
		if len(s) > 120 {
			s = s[:120] + "…"
		}
		fmt.Fprintf(&b, "  regex x%d %q\n", v.regexes[r], s)
	}
	return b.String()
}

// contextShape classifies a rule context (an XSLT match pattern).
func (v *inventory) contextShape(e Expr) {
	var alts []Expr
	var split func(Expr)
	split = func(x Expr) {
		if b, ok := x.(*Binary); ok && b.Op == "union" {
			split(b.L)
			split(b.R)
			return
		}
		alts = append(alts, x)
	}
	split(e)
	if len(alts) > 1 {
		v.inc("rule context", "union of alternatives")
	}
	for _, a := range alts {
		switch p := a.(type) {
		case *Path:
			v.inc("rule context alt", [...]string{"relative path", "/ absolute path", "// path"}[p.Root])
		case *AxisStep:
			v.inc("rule context alt", "single step")
		default:
			v.inc("rule context alt", fmt.Sprintf("%T", a))
		}
		Walk(a, func(n Expr) bool {
			switch n.(type) {
			case *VarRef:
				v.inc("rule context", "uses $variable")
			case *FuncCall:
				v.inc("rule context", "calls function in predicate")
			}
			return true
		})
	}
}
