package schematron

import (
	"math/rand"
	"slices"
	"testing"
)

func TestReviewRandomPatterns(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	// Every other round without the partial wildcards (a:*, *:X), so that
	// most of those schemas match by name chains (Schema.chainable).
	allNames := []string{"a:L", "a:X", "a:M", "a:N", "*", "a:*", "*:X", "X", "b:X"}
	exactNames := []string{"a:L", "a:X", "a:M", "a:N", "*", "X", "b:X"}
	names := allNames
	preds := append(slices.Clone(randomPreds), "[xs:decimal(.) > 1]", "[$str]")
	attrs := randomAttrs
	gen := func() string { return randomPattern(r, names, preds, attrs) }
	lets := `<let name="two" value="2"/><let name="str" value="'x'"/>`
	chained := 0
	defer func(n int) { maxChains = n }(maxChains)
	for round := 0; round < 400; round++ {
		names = allNames
		if round%2 == 1 {
			names = exactNames
		}
		// Some schemas keep the document node's chain only: the others are
		// computed per document.
		maxChains = 1 << 13
		if round%4 == 3 {
			maxChains = 1
		}
		var cs []string
		for k := 0; k < 6; k++ {
			c := gen()
			if r.Intn(5) == 0 {
				c += " | " + gen()
			}
			cs = append(cs, c)
		}
		fast, _ := reviewAgree(t, cs, lets, reviewDoc)
		if t.Failed() {
			t.Logf("contexts %q", cs)
			return
		}
		if fast.chainable {
			chained++
		}
	}
	if chained < 200 || chained == 400 {
		t.Errorf("%d of 400 schemas matched by name chains, want both kinds", chained)
	}
}

// randomPreds and randomAttrs are the predicates and attribute steps of
// the random rule contexts (see randomPattern) of the random schema tests.
var (
	randomPreds = []string{"", "", "", "[@k]", "[a:X = 'x2']", "[1]", "[2]", "[$two]", "[not(a:X)]", "[@id = '3']", "[a:X]", "[. = 'x2']", "[count(a:X)]",
		"[ends-with(name(), 'X')]", "[starts-with(local-name(), 'M') or @k]", "[not(contains(name(), ':')) and @id]",
		"[ends-with(name(), 'X') and not(starts-with(name(), 'q:')) and a:X = 'x2']", "[ends-with(name(), 'N') and xs:decimal(@id) > 1]",
		"[xs:decimal(@k) > 1 and ends-with(name(), 'L')]",
		"[normalize-space(a:X) = 'x2']", "[normalize-space(a:X) = 'x1'][@id]", "[@k = 'x']", "[string(@id) = '1']"}
	randomAttrs = []string{"@id", "@k", "@*", "@b:z"}
)

// randomPattern returns a random rule context: one to three steps, each a
// name and a predicate from the lists, joined by / or //, rooted one time in
// four, ending in an attribute step one time in four.
func randomPattern(r *rand.Rand, names, preds, attrs []string) string {
	pick := func(a []string) string { return a[r.Intn(len(a))] }
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
