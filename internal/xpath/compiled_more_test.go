package xpath

import "testing"

func TestReviewCompiledMore(t *testing.T) {
	doc := `<r xmlns:a="urn:a" xmlns:b="urn:b" b:x="1"><a:L id="S" b:id="Z"><a:ID>S</a:ID><a:C>A B</a:C><a:C></a:C><a:C> A </a:C></a:L>` +
		`<a:L><a:ID>ß</a:ID><a:ID></a:ID><a:N>1e0</a:N><a:N>+1</a:N><a:N>-INF</a:N></a:L><b:L><a:ID>x y</a:ID></b:L><ab:c xmlns:ab="urn:a"/></r>`
	reviewCompare(t, doc, []string{
		"contains(' A B C ', concat(' ', a:C, ' '))",
		"contains(' A B C ', concat(' ', normalize-space(a:ID), ' '))",
		"contains(' A B ', concat(' ', @id, ' '))",
		"contains(' A ', concat(' ', ., ' '))",
		"contains(' S ', concat(' ', upper-case(a:ID), ' '))",
		"starts-with(name(), 'a') and ends-with(name(), 'L')",
		"starts-with(name(), 'b:')", "ends-with(name(), ':x')", "contains(name(), 'b:i')", "starts-with(local-name(), 'i')",
		"starts-with(name(), 'ab:')", "ends-with(name(), 'b:c')", "starts-with(name(), '')", "ends-with(name(), '')",
		"@b:id = 'Z'", "@* = 'Z'", "* = 'S'", "a:*/a:ID = 'S'", "upper-case(a:ID) = 'SS'", "lower-case(@id) != 's'",
		"a:N = 1", "a:N > -1", "a:N < 0", "a:N != 1",
		"string-length(a:ID) = 0", "string-length(@b:id) > 0", "count(@*) = 2", "count(*) > 2",
		"normalize-space(a:C)", "normalize-space()", "not(normalize-space(@id))",
		"empty(a:ID/string())", "exists(a:C/normalize-space())",
	})
}
