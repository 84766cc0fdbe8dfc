// Package benchdoc makes the documents and measures the benchmarks of the
// e-invoice validator and its parse step share: the Peppol example with
// many invoice lines, and CPU time per operation.
package benchdoc

import (
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	reLineQty  = regexp.MustCompile(`(<cbc:InvoicedQuantity[^>]*>)[^<]*(</cbc:InvoicedQuantity>)`)
	reLineExt  = regexp.MustCompile(`(<cbc:LineExtensionAmount[^>]*>)[^<]*(</cbc:LineExtensionAmount>)`)
	reLineID   = regexp.MustCompile(`(<cbc:ID>)[^<]*(</cbc:ID>)`)
	reTaxAmt   = regexp.MustCompile(`(<cbc:TaxAmount[^>]*>)[^<]*(</cbc:TaxAmount>)`)
	reTaxable  = regexp.MustCompile(`(<cbc:TaxableAmount[^>]*>)[^<]*(</cbc:TaxableAmount>)`)
	reTaxExcl  = regexp.MustCompile(`(<cbc:TaxExclusiveAmount[^>]*>)[^<]*(</cbc:TaxExclusiveAmount>)`)
	reTaxIncl  = regexp.MustCompile(`(<cbc:TaxInclusiveAmount[^>]*>)[^<]*(</cbc:TaxInclusiveAmount>)`)
	rePayable  = regexp.MustCompile(`(<cbc:PayableAmount[^>]*>)[^<]*(</cbc:PayableAmount>)`)
	reCharge   = regexp.MustCompile(`<cbc:ChargeTotalAmount[^>]*>([^<]*)</cbc:ChargeTotalAmount>`)
	rePriceAmt = regexp.MustCompile(`<cbc:PriceAmount[^>]*>([^<]*)</cbc:PriceAmount>`)
)

func cents(c int64) string {
	s := ""
	if c < 0 {
		s, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", s, c/100, c%100)
}

func parseCents(s string) (int64, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	var w, f int64
	if _, err := fmt.Sscanf(whole, "%d", &w); err != nil {
		return 0, fmt.Errorf("amount %q: %v", s, err)
	}
	if frac != "" {
		frac = (frac + "00")[:2]
		if _, err := fmt.Sscanf(frac, "%d", &f); err != nil {
			return 0, fmt.Errorf("amount %q: %v", s, err)
		}
	}
	return w*100 + f, nil
}

// ManyLines turns the Peppol example base-example.xml (its first invoice line repeated n
// times, quantities 1..10, unique line ids) into a valid n-line invoice:
// line amounts, document totals and the single 25 % VAT breakdown recomputed.
func ManyLines(base []byte, n int) ([]byte, error) {
	s := string(base)
	first := strings.Index(s, "<cac:InvoiceLine>")
	endFirst := strings.Index(s, "</cac:InvoiceLine>")
	last := strings.LastIndex(s, "</cac:InvoiceLine>")
	if first < 0 || endFirst < 0 {
		return nil, fmt.Errorf("no invoice line in the base document")
	}
	header, tmpl, footer := s[:first], s[first:endFirst+len("</cac:InvoiceLine>")], s[last+len("</cac:InvoiceLine>"):]
	pm := rePriceAmt.FindStringSubmatch(tmpl)
	if pm == nil {
		return nil, fmt.Errorf("no price in the first line")
	}
	price, err := parseCents(pm[1])
	if err != nil {
		return nil, err
	}
	var charge int64
	if m := reCharge.FindStringSubmatch(header); m != nil {
		if charge, err = parseCents(m[1]); err != nil {
			return nil, err
		}
	}
	if strings.Contains(header, "AllowanceTotalAmount") {
		return nil, fmt.Errorf("base document has document-level allowances: not supported")
	}
	var b strings.Builder
	var sum int64
	for i := 1; i <= n; i++ {
		q := int64(1 + (i-1)%10)
		amt := q * price
		sum += amt
		// The line id is the line's first plain <cbc:ID>; the later ones
		// (tax category, tax scheme) are restored from the template.
		l := reLineID.ReplaceAllString(tmpl, fmt.Sprintf("${1}%d${2}", i))
		l = restoreAfterFirst(tmpl, l, reLineID)
		l = reLineQty.ReplaceAllString(l, fmt.Sprintf("${1}%d${2}", q))
		l = reLineExt.ReplaceAllString(l, "${1}"+cents(amt)+"${2}")
		b.WriteString(l)
		b.WriteString("\n")
	}
	taxable := sum + charge
	if (taxable*25)%100 != 0 {
		return nil, fmt.Errorf("VAT not a whole number of cents")
	}
	tax := taxable * 25 / 100
	h := reTaxAmt.ReplaceAllString(header, "${1}"+cents(tax)+"${2}")
	h = reTaxable.ReplaceAllString(h, "${1}"+cents(taxable)+"${2}")
	h = reLineExt.ReplaceAllString(h, "${1}"+cents(sum)+"${2}")
	h = reTaxExcl.ReplaceAllString(h, "${1}"+cents(taxable)+"${2}")
	h = reTaxIncl.ReplaceAllString(h, "${1}"+cents(taxable+tax)+"${2}")
	h = rePayable.ReplaceAllString(h, "${1}"+cents(taxable+tax)+"${2}")
	return []byte(h + b.String() + footer), nil
}

// restoreAfterFirst undoes re's replacements in got after the first match,
// taking the original text from orig (same structure, same match count).
func restoreAfterFirst(orig, got string, re *regexp.Regexp) string {
	om := re.FindAllStringIndex(orig, -1)
	gm := re.FindAllStringIndex(got, -1)
	if len(om) != len(gm) || len(gm) < 2 {
		return got
	}
	var b strings.Builder
	prev := 0
	for i := range gm {
		b.WriteString(got[prev:gm[i][0]])
		if i == 0 {
			b.WriteString(got[gm[i][0]:gm[i][1]])
		} else {
			b.WriteString(orig[om[i][0]:om[i][1]])
		}
		prev = gm[i][1]
	}
	b.WriteString(got[prev:])
	return b.String()
}

// CPUTime returns the CPU time the process has used so far, user and
// system, all threads (the collector's included).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU reports the CPU time per iteration since start (from CPUTime),
// which on a busy machine varies less than the time that passed.
func ReportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(CPUTime()-start)/float64(b.N), "cpu-ns/op")
}
