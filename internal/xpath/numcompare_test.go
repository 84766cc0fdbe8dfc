package xpath

import (
	"fmt"
	"strings"
	"testing"
)

func TestReviewNumCompare(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<r xmlns:a="urn:a">`)
	for _, v := range []string{"INF", "-INF", "+1", " 1 ", "1.", ".5", "1e", "Infinity", "inf", "-0", "1E2", "", "0.1", "1e-400", "12345678901234567890", "+INF", "1.0e0", " \n2\t"} {
		fmt.Fprintf(&b, `<a:L v="%s"><a:N>%s</a:N></a:L>`, v, v)
	}
	b.WriteString(`</r>`)
	reviewCompare(t, b.String(), []string{
		"a:N = 1", "a:N != 1", "a:N > 0", "a:N < 0", "a:N = 0.1", "a:N >= 1e2", "@v = 0", "@v = -0", "a:N = 12345678901234567890",
		"string-length(a:N) = 2", "string-length(substring-after(@v, '.')) = 0", "count(a:N) = 1", "count(a:N) != 1.0",
		"a:N = 0.1e0", "a:N <= -1", "1 = a:N", "0 > a:N",
	})
}
