package xpath

import "testing"

func TestReviewStepTest(t *testing.T) {
	doc := `<r xmlns:a="urn:a"><a:L><a:S><a:ID>vat</a:ID></a:S></a:L><a:L><a:S><a:ID>VAT</a:ID></a:S><a:S><a:ID>x</a:ID></a:S></a:L><a:L/>` +
		`<a:L><a:S><a:ID>VAT</a:ID><a:ID>VAT</a:ID></a:S></a:L></r>`
	reviewCompare(t, doc, []string{
		"a:S/(normalize-space(upper-case(a:ID)) = 'VAT')",
		"a:L[a:S/(upper-case(a:ID) = 'VAT')]",
		"a:L[a:S/(position() = 1)]",
		"a:L[a:S/(last() = 1)]",
		"not(a:S/(a:ID = 'x'))",
		"exists(a:S/(a:ID = 'x'))",
		"empty(a:S/(a:ID = 'nope'))",
		"a:S/(a:ID = 'x') or true()",
		"a:L/a:S/(a:ID = 'VAT')",
		"a:S/(not(a:ID))",
		"a:S/(a:ID)",
		"a:L[a:S/(a:ID = 'VAT')][1]",
		"count(a:L[a:S/(a:ID = 'VAT' and . = 'VAT')])",
	})
}
