package schematron

import (
	"math/rand"
	"testing"
)

func TestReviewRandomPatterns(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	pick := func(a []string) string { return a[r.Intn(len(a))] }
	names := []string{"a:L", "a:X", "a:M", "a:N", "*", "a:*", "*:X", "X", "b:X"}
	preds := []string{"", "", "", "[@k]", "[a:X = 'x2']", "[1]", "[2]", "[$two]", "[not(a:X)]", "[xs:decimal(.) > 1]", "[$str]", "[@id = '3']", "[a:X]", "[. = 'x2']", "[count(a:X)]"}
	attrs := []string{"@id", "@k", "@*", "@b:z"}
	gen := func() string {
		s := ""
		if r.Intn(4) == 0 {
			s = "/"
		}
		n := 1 + r.Intn(3)
		for i := 0; i < n; i++ {
			if i > 0 {
				s += pick([]string{"/", "/", "//"})
			}
			s += pick(names) + pick(preds)
		}
		if r.Intn(4) == 0 {
			s += "/" + pick(attrs)
		}
		return s
	}
	lets := `<let name="two" value="2"/><let name="str" value="'x'"/>`
	for round := 0; round < 200; round++ {
		var cs []string
		for k := 0; k < 6; k++ {
			c := gen()
			if r.Intn(5) == 0 {
				c += " | " + gen()
			}
			cs = append(cs, c)
		}
		reviewAgree(t, cs, lets, reviewDoc)
		if t.Failed() {
			t.Logf("contexts %q", cs)
			return
		}
	}
}
