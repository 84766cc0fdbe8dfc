package schematron

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestChainsAcrossDocuments: one schema (its chain cache, constants,
// pools shared) validating many random documents, in sequence and
// concurrently, agrees with the plain evaluation of each.
func TestChainsAcrossDocuments(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	pick := func(a []string) string { return a[r.Intn(len(a))] }
	exact := []string{"a:L", "a:X", "a:M", "a:N", "*", "X", "b:X"}
	names := exact
	preds := append(slices.Clone(randomPreds), "[$v]")
	attrs := randomAttrs
	gen := func() string { return randomPattern(r, names, preds, attrs) }
	elems := []string{"p:L", "p:X", "p:M", "p:N", "X", "q:X"}
	var genDoc func(b *strings.Builder, depth int)
	genDoc = func(b *strings.Builder, depth int) {
		for i := r.Intn(4); i > 0; i-- {
			name := pick(elems)
			b.WriteString("<" + name)
			if r.Intn(2) == 0 {
				fmt.Fprintf(b, ` id="%d"`, r.Intn(4))
			}
			if r.Intn(3) == 0 {
				b.WriteString(` k="a"`)
			}
			if r.Intn(4) == 0 {
				b.WriteString(` q:z="1"`)
			}
			b.WriteString(">")
			if depth < 5 && r.Intn(3) > 0 {
				genDoc(b, depth+1)
			} else {
				b.WriteString(pick([]string{"x2", "3", "x1", ""}))
			}
			b.WriteString("</" + name + ">")
		}
	}
	var codes []string
	for i := 0; i < 20; i++ {
		codes = append(codes, fmt.Sprintf("x%d", i))
	}
	lets := `<let name="two" value="2"/><let name="str" value="'x'"/><let name="codes" value="tokenize('` + strings.Join(codes, " ") + `', ' ')"/>`
	fired, errCount := 0, 0
	defer func() { t.Logf("fired %d, errors %d", fired, errCount) }()
	defer func(n int) { maxChains = n }(maxChains)
	for round := 0; round < 120; round++ {
		names = exact
		if round%3 == 2 {
			names = append([]string{"a:*", "*:X"}, exact...)
		}
		maxChains = 1 << 13
		if round%4 == 1 {
			maxChains = 5 + round%7
		}
		var b strings.Builder
		b.WriteString(`<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><ns prefix="a" uri="urn:a"/><ns prefix="b" uri="urn:b"/>` + lets)
		for p := 0; p < 3; p++ {
			b.WriteString(`<pattern>`)
			if p == 1 {
				b.WriteString(`<let name="codes" value="('x2', '3')"/>`)
			}
			for k := 0; k < 4; k++ {
				c := gen()
				if r.Intn(5) == 0 {
					c += " | " + gen()
				}
				fmt.Fprintf(&b, `<rule context="%s"><let name="v" value="%s"/>`, strings.ReplaceAll(c, "'", "&apos;"), pick([]string{"a:X[1]", "string(.)", "count(a:X)", "()", "@id"}))
				fmt.Fprintf(&b, `<report id="R%d_%d" test="true()">m</report>`, p, k)
				fmt.Fprintf(&b, `<report id="S%d_%d" test="count(a:X[. = $v]) = count(a:X[. = $v]) and count(a:X[. = $v]) &gt; 0">m</report>`, p, k)
				fmt.Fprintf(&b, `<report id="T%d_%d" test="some $v in a:X satisfies sum(../a:X[. = $v]/string-length(.)) = sum(../a:X[. = $v]/string-length(.)) and count(../a:X[. = $v]) = 2">m</report>`, p, k)
				fmt.Fprintf(&b, `<report id="U%d_%d" test="some $c in $codes satisfies . = $c">m</report>`, p, k)
				fmt.Fprintf(&b, `<report id="W%d_%d" test="exists(a:L/a:X/@id) or exists(a:N/a:L/a:X)">m</report>`, p, k)
				b.WriteString(`</rule>`)
			}
			b.WriteString(`</pattern>`)
		}
		b.WriteString(`</schema>`)
		fast, plain := parseFastAndPlain(t, b.String())
		var docs []string
		for d := 0; d < 6; d++ {
			var db strings.Builder
			db.WriteString(`<p:D xmlns:p="urn:a" xmlns:q="urn:b">`)
			for j := 0; j < 4; j++ {
				genDoc(&db, 0)
			}
			db.WriteString(`</p:D>`)
			doc := db.String()
			if d%2 == 1 {
				// The same names with the other prefixes: name chains are
				// shared across documents, name() is not.
				doc = strings.NewReplacer("p:", "q:", "q:", "p:").Replace(doc)
				doc = strings.Replace(doc, `xmlns:p="urn:a" xmlns:q="urn:b"`, `xmlns:q="urn:a" xmlns:p="urn:b"`, 1)
			}
			docs = append(docs, doc)
		}
		want := make([]string, len(docs))
		for i, d := range docs {
			p, perr := plain.ValidateBytes([]byte(d))
			want[i] = fmt.Sprint(p) + fmt.Sprint(unrecovered(perr))
			fired += len(p)
			if perr != nil {
				errCount++
				if errCount < 3 {
					t.Logf("err %v", perr)
				}
			}
		}
		check := func(i int) string {
			a, aerr := fast.ValidateBytes([]byte(docs[i]))
			if got := fmt.Sprint(a) + fmt.Sprint(unrecovered(aerr)); got != want[i] {
				return fmt.Sprintf("doc %d: fast\n%s\nplain\n%s\nschema %s\ndoc %s", i, got, want[i], b.String(), docs[i])
			}
			return ""
		}
		for i := range docs {
			if msg := check(i); msg != "" {
				t.Fatal(msg)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan string, 64)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := range docs {
					if msg := check((i + g) % len(docs)); msg != "" {
						errs <- msg
						return
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for msg := range errs {
			t.Fatal(msg)
		}
	}
}

// TestNameFiltersAcrossPrefixes: rule contexts that test name(), in
// documents that give the same names other prefixes. The name chains the
// documents share know a name's namespace and local name, not its prefix,
// and give one key to all names the rules do not mention: they must not
// decide such tests.
func TestNameFiltersAcrossPrefixes(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><ns prefix="a" uri="urn:a"/>`)
	for i, ctx := range []string{
		"//*[starts-with(name(), 'p:')]", "//*[contains(name(), 'p:X')]", "//*[ends-with(name(), ':X')]", "//@*[starts-with(name(), 'p:')]",
		"//*[ends-with(name(), 'X')]", "//a:D/*[not(ends-with(name(), 'Y')) and starts-with(local-name(), 'X')]",
		"//*[ends-with(name(), 'X') and not(starts-with(name(), 'q:')) and @k]", "//@*[ends-with(name(), 'k')]",
	} {
		fmt.Fprintf(&b, `<pattern><rule context="%s"><report id="R%d" test="true()">m</report></rule></pattern>`, ctx, i)
	}
	b.WriteString(`</schema>`)
	fast, plain := parseFastAndPlain(t, b.String())
	doc := `<p:D xmlns:p="urn:a" xmlns:q="urn:b"><p:X p:k="1" k="2"/><q:X/><p:XY/><p:Y q:k="3"><p:X k=""/></p:Y></p:D>`
	swapped := strings.Replace(strings.NewReplacer("p:", "q:", "q:", "p:").Replace(doc), `xmlns:p="urn:a" xmlns:q="urn:b"`, `xmlns:q="urn:a" xmlns:p="urn:b"`, 1)
	other := strings.ReplaceAll(strings.ReplaceAll(doc, "p:", "a:"), `xmlns:p=`, `xmlns:a=`)
	for _, d := range []string{doc, swapped, other, doc, swapped} {
		got, gerr := fast.ValidateBytes([]byte(d))
		want, werr := plain.ValidateBytes([]byte(d))
		if fmt.Sprint(got, gerr) != fmt.Sprint(want, werr) {
			t.Errorf("%s:\nfast  %v %v\nplain %v %v", d, got, gerr, want, werr)
		}
	}
}

// TestChainCacheRefills: a document with more odd name chains than the
// cache holds does not leave later documents computing theirs: the full
// cache is emptied and refilled by the documents after it, and every
// validation, before, during and after, agrees with the plain evaluation.
func TestChainCacheRefills(t *testing.T) {
	defer func(n int) { maxChains = n }(maxChains)
	maxChains = 40
	schema := `<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><ns prefix="a" uri="urn:a"/><pattern>` +
		`<rule context="a:L/a:X"><report id="LX" test="true()">m</report></rule>` +
		`<rule context="a:X[. = 'x']"><report id="X" test="true()">m</report></rule>` +
		`<rule context="a:M//a:N"><report id="N" test="true()">m</report></rule>` +
		`</pattern></schema>`
	fast, plain := parseFastAndPlain(t, schema)
	if !fast.chainable {
		t.Fatal("the schema is not matched by name chains")
	}
	// Deep nests of the rules' names: hundreds of distinct chains.
	var ob strings.Builder
	ob.WriteString(`<a:D xmlns:a="urn:a">`)
	names := []string{"a:L", "a:X", "a:M", "a:N"}
	for i := 0; i < 64; i++ {
		var closing []string
		for d := 0; d < 6; d++ {
			n := names[(i>>(d%3)+d)%len(names)]
			ob.WriteString("<" + n + ">")
			closing = append(closing, "</"+n+">")
		}
		ob.WriteString("x")
		slices.Reverse(closing)
		ob.WriteString(strings.Join(closing, ""))
	}
	ob.WriteString(`</a:D>`)
	odd := ob.String()
	legit := `<a:D xmlns:a="urn:a"><a:L><a:X>x</a:X></a:L><a:M><a:L><a:N/></a:L></a:M><a:X>y</a:X></a:D>`
	check := func(d string) int64 {
		before := atomic.LoadInt64(&fast.chainCache.computed)
		got, gerr := fast.ValidateBytes([]byte(d))
		computed := atomic.LoadInt64(&fast.chainCache.computed) - before
		want, werr := plain.ValidateBytes([]byte(d))
		if fmt.Sprint(got, gerr) != fmt.Sprint(want, werr) {
			t.Fatalf("%s:\nfast  %v %v\nplain %v %v", d, got, gerr, want, werr)
		}
		return computed
	}
	// The odd document first, as a server's first document might be.
	if n := check(odd); n <= int64(maxChains) {
		t.Fatalf("the odd document has %d new chains, want more than the cache holds (%d)", n, maxChains)
	}
	check(legit) // it finds the cache full, and empties it
	check(legit) // it fills it again
	if n := check(legit); n != 0 {
		t.Errorf("after a document with more chains than the cache holds, each later one computes %d chains again", n)
	}
	check(odd)
	if n := check(legit); n == 0 {
		t.Errorf("the cache was not emptied by the odd document: the legit one computed none")
	}
	// Documents alike, validated alongside each other while the cache is
	// emptied and refilled.
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 20; i++ {
				d := legit
				if (i+g)%3 == 0 {
					d = odd
				}
				got, gerr := fast.ValidateBytes([]byte(d))
				want, werr := plain.ValidateBytes([]byte(d))
				if fmt.Sprint(got, gerr) != fmt.Sprint(want, werr) {
					t.Errorf("alongside others, %s:\nfast  %v %v\nplain %v %v", d, got, gerr, want, werr)
					return
				}
			}
		})
	}
	wg.Wait()
}
