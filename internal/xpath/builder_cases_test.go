package xpath

import "testing"

func TestReviewBuilderCases(t *testing.T) {
	cases := []string{
		"<a x=\"1\t2\n3\" y='&#9;&#10;&#13;'>a&#13;b\tc</a>",
		`<a x="a>b" y="&quot;'"><b>]]</b></a>`,
		`<p:a xmlns:p="urn:1"><p:a xmlns:p="urn:2"><p:a p:x="1" xmlns:p="urn:3"/></p:a><p:a p:x="2"/></p:a>`,
		`<a xmlns="urn:d"><b xmlns=""><c/></b></a>`,
		`<?xml version="1.0" encoding="UTF-8"?><a xml:lang="en"><b/></a>`,
		`<?xml version="1.0"?>` + "\n" + `<a>&#x1F600;&amp;&lt;&gt;</a>`,
		"<a>\u00e6\u00f8\u00e5 \ufeff</a>",
		`<a><b>x</b>  <b>y</b>  </a>`,
	}
	for i := 0; i < 2; i++ {
		for _, doc := range cases {
			data := []byte(doc)
			sameBuild(t, doc, checkedOld, checkedNew, data)
			sameBuild(t, doc+" (ParseDocument)", buildOldRaw, parseNew, data)
		}
	}
}
