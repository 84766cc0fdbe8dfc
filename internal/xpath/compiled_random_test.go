package xpath

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

func TestReviewRandomCompiled(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	vals := []string{"", " ", "S", " s ", "VAT", "1", "1.50", "-0", "NaN", "INF", "x y", "ß", "12.5", "0", "A B", "1e2", "+1"}
	pick := func(a []string) string { return a[r.Intn(len(a))] }
	srcs := []string{"a:ID", "@id", "a:S/a:ID", ".", "normalize-space(a:ID)", "upper-case(a:ID)", "a:S/normalize-space(a:ID)",
		"normalize-space(.)", "lower-case(@id)", "normalize-space()", "*/a:ID", "a:N", "@n", "b:ID", "a:S/upper-case(.)"}
	paths := []string{"a:ID", "@id", "a:S/a:ID", "a:N", "@n", "*", "a:S", "@*", "a:S/@id"}
	lits := []string{"'S'", "''", "'VAT'", "'1'", "1", "0", "1.5", "-1", "1e0", "12.5", "'x y'", "' s '"}
	var atom func(d int) string
	atom = func(d int) string {
		switch r.Intn(13) {
		case 12:
			return pick(srcs) + " " + pick([]string{"=", "!="}) + " " + pick(srcs)
		case 0:
			return pick(srcs) + " = " + pick(lits)
		case 1:
			return pick(lits) + " != " + pick(srcs)
		case 2:
			return pick(paths) + " " + pick([]string{"<", "<=", ">", ">=", "=", "!="}) + " " + pick(lits)
		case 3:
			return "count(" + pick(paths) + ") " + pick([]string{"=", "!=", "<", ">="}) + " " + pick([]string{"0", "1", "2"})
		case 4:
			return "string-length(" + pick(srcs) + ") " + pick([]string{"=", ">", "<="}) + " " + pick([]string{"0", "1", "2"})
		case 5:
			return "contains(' S Z VAT 1 A B ', concat(' ', " + pick(srcs) + ", ' '))"
		case 6:
			return pick([]string{"contains", "starts-with", "ends-with"}) + "(" + pick(srcs) + ", " + pick([]string{"'S'", "''", "'1'", "' '"}) + ")"
		case 7:
			return pick([]string{"exists", "empty", "not", "boolean"}) + "(" + pick(paths) + ")"
		case 8:
			return pick([]string{"starts-with", "ends-with", "contains"}) + "(" + pick([]string{"name()", "local-name()"}) + ", " + pick([]string{"'a:'", "'ID'", "'D'", "':I'", "'b'"}) + ")"
		case 9:
			return "normalize-space(" + pick(srcs) + ")"
		case 10:
			if d < 2 {
				return "(" + atom(d+1) + " " + pick([]string{"and", "or"}) + " " + atom(d+1) + ")"
			}
			return "not(" + pick(paths) + ")"
		default:
			return "string-length(substring-" + pick([]string{"after", "before"}) + "(" + pick(srcs) + ", '.')) " + pick([]string{"=", "<=", ">"}) + " " + pick([]string{"0", "1", "2"})
		}
	}
	for round := 0; round < 60; round++ {
		var b strings.Builder
		b.WriteString(`<r xmlns:a="urn:a" xmlns:b="urn:b">`)
		for i := 0; i < 4; i++ {
			fmt.Fprintf(&b, `<a:L id="%s" n="%s">`, pick(vals), pick(vals))
			for j := r.Intn(3); j > 0; j-- {
				fmt.Fprintf(&b, `<a:ID>%s</a:ID>`, pick(vals))
			}
			for j := r.Intn(3); j > 0; j-- {
				fmt.Fprintf(&b, `<a:N>%s</a:N>`, pick(vals))
			}
			for j := r.Intn(3); j > 0; j-- {
				fmt.Fprintf(&b, `<a:S id="%s"><a:ID>%s</a:ID></a:S>`, pick(vals), pick(vals))
			}
			if r.Intn(2) == 0 {
				fmt.Fprintf(&b, `<b:ID>%s</b:ID>`, pick(vals))
			}
			b.WriteString(`</a:L>`)
		}
		b.WriteString(`</r>`)
		var exprs []string
		for k := 0; k < 40; k++ {
			exprs = append(exprs, atom(0))
		}
		reviewCompare(t, b.String(), exprs)
		if t.Failed() {
			return
		}
	}
}
