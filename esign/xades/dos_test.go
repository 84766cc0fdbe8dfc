package xades_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/esign/xades"
)

// TestNamespaceBombBeforeSignature: SignedInfo is canonicalized before the
// signature value is checked, so anyone can feed it content (here inside a
// DigestMethod). With many namespaces in scope over many elements
// goxmldsig's serializer was quadratic (about half a minute for this
// 1.5 MB document); xmldsig.Canonicalize is linear now.
func TestNamespaceBombBeforeSignature(t *testing.T) {
	sigXML, fsys := signTest(t)
	var b strings.Builder
	for d := 0; d < 40; d++ {
		b.WriteString("<n")
		for i := 0; i < 250; i++ {
			fmt.Fprintf(&b, ` xmlns:p%d_%d="u"`, d, i)
		}
		b.WriteString(">")
	}
	b.WriteString(strings.Repeat("<a/>", 10000) + strings.Repeat("</n>", 40))
	bad := replaceOnce(t, sigXML, `URI="manifest.xml"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>`,
		`URI="manifest.xml"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256">`+b.String()+`</DigestMethod>`)
	start := time.Now()
	mustVerifyErr(t, bad, fsys, xades.ErrBadSignature)
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
}
