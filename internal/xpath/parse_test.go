package xpath

import (
	"errors"
	"testing"
)

func TestParseExamples(t *testing.T) {
	cases := []struct{ in, want string }{
		{"1 + 2 * 3", "(1 + (2 * 3))"},
		{"a/b[1]//c", "a/b[1]//c"},
		{"//cac:TaxTotal[1]/@currencyID", "//cac:TaxTotal[1]/@currencyID"},
		{"(//x)[1]", "(//x)[1]"},
		{"$v[. = 'a''b']", "$v[(. = 'a''b')]"},
		{"../cbc:ID", "parent::node()/cbc:ID"},
		{"/", "(/)"},
		{"/*/cbc:ID", "/*/cbc:ID"},
		{"*:x | x:*", "(*:x union x:*)"},
		{"a * b", "(a * b)"},
		{"-1", "(-1)"},
		{"- -$x", "(-(-$x))"},
		{"1 to 5", "(1 to 5)"},
		{"$a eq 1 and $b ne 2 or not(c)", "((($a eq 1) and ($b ne 2)) or not(c))"},
		{"x castable as xs:decimal", "(x castable as xs:decimal)"},
		{"x instance of xs:string*", "(x instance of xs:string*)"},
		{"every $i in a satisfies $i > 0", "(every $i in a satisfies ($i > 0))"},
		{"some $i in a, $j in b satisfies $i = $j", "(some $i in a, $j in b satisfies ($i = $j))"},
		{"for $i in (1, 2) return $i * 2", "(for $i in (1, 2) return ($i * 2))"},
		{"if (a) then b else c", "(if (a) then b else c)"},
		{"()", "()"},
		{"ancestor-or-self::cac:X/text()", "ancestor-or-self::cac:X/text()"},
		{"u:mod97-0208(.)", "u:mod97-0208(.)"},
		{"string-length(.) - 1", "(string-length(.) - 1)"},
		{"1.5e3 + .5 + 2.", "((1.5e3 + .5) + 2.)"},
		{"a (: comment (: nested :) :) = 1", "(a = 1)"},
		{"matches(., '^\\d+$')", "matches(., '^\\d+$')"},
		{"exists(a) and (b)/c", "(exists(a) and b/c)"},
		{"(a, b)[2]", "(a, b)[2]"},
		{"div div div", "(div div div)"},
	}
	for _, c := range cases {
		e, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := e.String(); got != c.want {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"", "1 +", "a[", "f(a,", "'unterminated", "(: open", "if (a) then b",
		"for $x in y", "foo::bar", "$", "1a", "a b", "@", "x cast as", "#",
	} {
		e, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want error", in, e)
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q): error %T is not *Error", in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"1 + 2", "//cac:X[cbc:ID = 'a']/@b", "for $i in 1 to 3 return $i",
		"if (a) then b else c", "x castable as xs:integer", "(:c:) ()", "*:a|b:*",
		"every $x in a satisfies matches($x, '^[A-Z]{2}$')", "../..", "-(-1)[1]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseOptions(s, Options{MaxLength: 4096, MaxDepth: 100})
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *Error", err)
			}
			return
		}
		// The printed form must parse again (it may need more depth,
		// since the printer adds parentheses).
		if _, err := ParseOptions(e.String(), Options{MaxDepth: 1000}); err != nil {
			t.Fatalf("printed form %q of %q does not parse: %v", e.String(), s, err)
		}
	})
}
