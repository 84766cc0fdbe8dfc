package xpath

import (
	"fmt"
	"strings"
	"testing"
)

func FuzzReviewPrepared(f *testing.F) {
	for _, s := range []string{
		"//cac:InvoiceLine[1]/cbc:ID", "sum(//cbc:LineExtensionAmount) div 3", "count(//cac:InvoiceLine) = 2",
		"exists(cac:InvoiceLine/cbc:ID/string())", "cbc:ID = 'x'", "normalize-space(cbc:ID) != ''",
		"contains(' A B ', concat(' ', cbc:ID, ' '))", "//cbc:LineExtensionAmount > 10", "round(sum(//cbc:LineExtensionAmount) * 10) div 10",
		"for $l in //cac:InvoiceLine return xs:decimal($l/cbc:LineExtensionAmount) * 1.25", "every $x in //cbc:ID satisfies $x != ''",
		"string-length(substring-after(cbc:LineExtensionAmount, '.')) <= 2", "(//cbc:ID)[2] = //cbc:ID[1]",
		"not(cac:InvoiceLine) or count(//cbc:ID) > 1", "some $a in //@currencyID satisfies $a = 'EUR'",
		"if (exists(//cac:InvoiceLine)) then name() else local-name()", "starts-with(name(), 'cbc:') and ends-with(name(), 'ID')",
		"xs:decimal(cbc:LineExtensionAmount) = sum(cbc:LineExtensionAmount)", "abs(-1.5) + floor(-0.5) - ceiling(0.25)",
		"xs:decimal(cbc:LineExtensionAmount) * 2 div 3 - 1", "if (cbc:ID) then count(*) else -1.5",
		"sum(//cac:InvoiceLine/xs:decimal(cbc:LineExtensionAmount)) eq 1", "round(xs:decimal(cbc:ID) * 10 * 10) div 100 > 0",
		"//cac:InvoiceLine/xs:decimal(cbc:ID) = 1", "some $x in (1, 2) satisfies //cac:InvoiceLine/number(cbc:ID) = $x",
		"(2, 1) != //cac:InvoiceLine/xs:decimal(cbc:LineExtensionAmount)", "//cac:InvoiceLine/xs:integer(cbc:ID) > 1",
		"cbc:ID > 0", "xs:untypedAtomic('NaN') >= cbc:LineExtensionAmount",
	} {
		f.Add(s)
	}
	d, err := ParseDocument(strings.NewReader(invoiceXML))
	if err != nil {
		f.Fatal(err)
	}
	items := docItems(d)
	if len(items) > 12 {
		items = items[:12]
	}
	f.Fuzz(func(t *testing.T, src string) {
		plain, err := ParseOptions(src, Options{MaxLength: 256, MaxDepth: 30})
		if err != nil {
			return
		}
		fast, _ := ParseOptions(src, Options{MaxLength: 256, MaxDepth: 30})
		penv := &Env{Namespaces: ublNS, MaxItems: 1000}
		fenv := &Env{Namespaces: ublNS, MaxItems: 1000, Memo: NewMemo()}
		if Prepare(fast, fenv) != nil {
			return
		}
		value, test := CompileValue(fast), CompileTest(fast)
		ev := NewEvaluator(fenv)
		for _, it := range items {
			ws, werr := Eval(plain, it, penv)
			gs, gerr := ev.Eval(value, it)
			if werr == nil && gerr == nil && reviewShow(ws) != reviewShow(gs) {
				t.Fatalf("%q at %v: prepared %v, plain %v", src, it, gs, ws)
			}
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%q at %v: prepared %v (%v), plain %v (%v)", src, it, gs, gerr, ws, werr)
			}
			wb, werr := EvalBool(plain, it, penv)
			gb, gerr := ev.EvalBool(test, it)
			if werr == nil && gerr == nil && wb != gb {
				t.Fatalf("%q at %v: as test prepared %v, plain %v", src, it, gb, wb)
			}
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%q at %v: as test prepared %v (%v), plain %v (%v)", src, it, gb, gerr, wb, werr)
			}
		}
	})
}

func reviewShow(s Seq) string {
	var b strings.Builder
	for _, it := range s {
		if n, ok := it.(*Node); ok {
			fmt.Fprintf(&b, "%p ", n)
		} else {
			b.WriteString(typeName(it) + ":" + StringOf(it) + " ")
		}
	}
	return b.String()
}
