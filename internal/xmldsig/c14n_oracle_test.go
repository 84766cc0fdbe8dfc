//go:build oracle

package xmldsig_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/beevik/etree"

	"github.com/fellesgo/felles/internal/xmldsig"
)

// TestCanonicalizeMatchesXmllint compares Canonicalize on whole documents
// with libxml2's (xmllint --c14n, --c14n11 and --exc-c14n keep comments).
func TestCanonicalizeMatchesXmllint(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not installed")
	}
	docs := []string{
		`<a xmlns="urn:x"><b xmlns=""><c/></b></a>`,
		`<a xmlns:p="urn:p" xmlns:q="urn:q" q:z="1" p:z="2" z="3" a="4"><p:b/></a>`,
		"<a attr=\"x&#13;y&#9;z&#10;w&gt;&quot;&apos;&lt;&amp;\">t&#13;\r\nx&gt;&lt;&amp;\"'</a>",
		`<a><!-- c2 --><?pi x?><?pi2?><![CDATA[<&>]]></a>`,
		`<a xml:lang="en" xml:space="preserve"><b xml:lang="fr" xml:id="i"/></a>`,
		`<a xmlns:p="urn:p"><b xmlns:p="urn:p"><p:c xmlns:p="urn:p2"/></b></a>`,
		`<a xmlns="urn:x"><b xmlns="urn:x"><c xmlns="urn:y"/><d xmlns=""/></b></a>`,
		`<a xmlns:b="urn:a" xmlns:a="urn:b" a:x="1" b:x="2" b:y="3"/>`,
		`<a xmlns:xml="http://www.w3.org/XML/1998/namespace"/>`,
		`<a xmlns="" ><b xmlns=""/></a>`,
		`<a xmlns:p="urn:p" xmlns:q="urn:q"><b xmlns=""><p:c q:x="1" xmlns:r="urn:r"><d/></p:c></b></a>`,
		`<p:a xmlns:p="urn:p"><p:b xmlns:p="urn:p2"><c p:x="1"/></p:b></p:a>`,
		"<a>\u00e9\u20ac\U0001F600 ]]&gt; &#x20;&#xD;</a>",
		`<a xmlns="urn:d" xmlns:x="urn:d"><x:b/><b x:y="1"/></a>`,
	}
	dir := t.TempDir()
	for i, doc := range docs {
		p := filepath.Join(dir, "doc.xml")
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		d := etree.NewDocument()
		if err := d.ReadFromString(doc); err != nil {
			t.Fatal(err)
		}
		for _, m := range []struct{ alg, flag string }{
			{xmldsig.C14N10WithComments, "--c14n"},
			{xmldsig.C14N11WithComments, "--c14n11"},
			{xmldsig.ExcC14NWithComments, "--exc-c14n"},
		} {
			want, err := exec.Command("xmllint", m.flag, p).Output()
			if err != nil {
				t.Fatalf("%d: xmllint %s: %v", i, m.flag, err)
			}
			got, err := xmldsig.Canonicalize(d.Root(), m.alg, "")
			if err != nil {
				t.Errorf("%d %s: %v", i, m.flag, err)
				continue
			}
			if string(got) != string(want) {
				t.Errorf("%d %s:\n got %q\nwant %q", i, m.flag, got, want)
			}
		}
	}
}
