package schematron

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math/big"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fellesgo/felles/internal/xpath"
)

var nativeVersions = []string{"3.0.19", "3.0.20", "3.0.21"}

func peppolPath(v string) string {
	return filepath.Join("..", "..", "einvoice", "rules", v, "peppol.sch")
}

var (
	officialOnce    sync.Once
	officialSchemas map[string]*Schema
	officialErr     error
)

// officialPeppol returns the official Peppol schemas, by version.
func officialPeppol(t testing.TB) map[string]*Schema {
	officialOnce.Do(func() {
		officialSchemas = map[string]*Schema{}
		for _, v := range nativeVersions {
			s, err := LoadFile(peppolPath(v))
			if err != nil {
				officialErr = err
				return
			}
			officialSchemas[v] = s
		}
	})
	if officialErr != nil {
		t.Fatal(officialErr)
	}
	return officialSchemas
}

func xslFuncByKey(s *Schema, key string) *xslFunc {
	for _, f := range s.xslFuncs {
		if f.key == key {
			return f
		}
	}
	return nil
}

// TestNativeHashes checks that every xsl:function of the official rule
// releases has its native implementation (run with -v to list the hashes).
func TestNativeHashes(t *testing.T) {
	for v, s := range officialPeppol(t) {
		if len(s.xslFuncs) != len(nativeImpls) {
			t.Errorf("%s: %d xsl:functions, %d native implementations", v, len(s.xslFuncs), len(nativeImpls))
		}
		for _, f := range s.xslFuncs {
			h := definitionHash(f)
			local := strings.TrimPrefix(f.key, utilsNS)
			t.Logf("%s %-16s %s", v, local, h)
			d, ok := nativeDefs[h]
			switch {
			case !ok:
				t.Errorf("%s %s: no native implementation for hash %s", v, f.name, h)
			case d.impl != local:
				t.Errorf("%s %s: hash of native %s", v, f.name, d.impl)
			case s.nativeFor(f) == nil:
				t.Errorf("%s %s: native implementation not used", v, f.name)
			}
		}
	}
}

// ---- differential testing ----

// interpret calls the interpreted function.
func interpret(s *Schema, f *xslFunc, args []xpath.Seq) (xpath.Seq, error) {
	return (&callState{s: s}).call(f, args)
}

// diffResult describes how two results differ ("" when they do not).
func diffResult(a xpath.Seq, ea error, b xpath.Seq, eb error) string {
	if (ea != nil) != (eb != nil) {
		return fmt.Sprintf("error %v vs %v (values %v vs %v)", ea, eb, showSeq(a), showSeq(b))
	}
	if ea != nil {
		if ea.Error() != eb.Error() {
			return fmt.Sprintf("error %q vs %q", ea, eb)
		}
		return ""
	}
	if showSeq(a) != showSeq(b) {
		return fmt.Sprintf("value %s vs %s", showSeq(a), showSeq(b))
	}
	return ""
}

func showSeq(v xpath.Seq) string {
	var parts []string
	for _, it := range v {
		parts = append(parts, fmt.Sprintf("%T(%q)", it, xpath.StringOf(it)))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func showArgs(args []xpath.Seq) string {
	var parts []string
	for _, a := range args {
		parts = append(parts, showSeq(a))
	}
	return strings.Join(parts, ", ")
}

// nativeStats counts the calls of a differential run, per function.
type nativeStats struct {
	calls, handled, trues int
}

// checkNative compares the function of s for f (the native one with its
// fallback) with the interpreter on args, and the native implementation
// alone when it handles the call.
func checkNative(t testing.TB, v string, s *Schema, f *xslFunc, args []xpath.Seq, st *nativeStats) {
	t.Helper()
	want, werr := interpret(s, f, args)
	got, gerr := s.Functions[f.key](nil, args)
	if d := diffResult(want, werr, got, gerr); d != "" {
		t.Fatalf("%s %s(%s): interpreted vs native: %s", v, f.name, showArgs(args), d)
	}
	nat := cachedNativeFor(s, f)
	if nat == nil {
		t.Fatalf("%s %s: not native", v, f.name)
	}
	res, ok := nat(args)
	if st != nil {
		st.calls++
		if ok {
			st.handled++
			if b, isB := res[0].(xpath.Boolean); isB && bool(b) {
				st.trues++
			}
		}
	}
	if ok {
		if d := diffResult(want, werr, res, nil); d != "" {
			t.Fatalf("%s %s(%s): interpreted vs native (handled): %s", v, f.name, showArgs(args), d)
		}
	}
}

var nativeCache sync.Map // *xslFunc -> nativeImpl

func cachedNativeFor(s *Schema, f *xslFunc) nativeImpl {
	if v, ok := nativeCache.Load(f); ok {
		return v.(nativeImpl)
	}
	nat := s.nativeFor(f)
	if nat != nil {
		nativeCache.Store(f, nat)
	}
	return nat
}

// ---- argument generation ----

var (
	digitRunes   = []rune("0123456789")
	specialRunes = []rune(" +-.eE\t\n\rabcxyzABCXYZ٣٠٩５߁०éßIT\uFFFD\U00010000\U0001D7CE\x01\uFFFE/,_:")
	alnumRunes   = []rune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
)

func randDigits(r *rand.Rand, n int) string {
	b := make([]rune, n)
	for i := range b {
		b[i] = digitRunes[r.Intn(10)]
	}
	return string(b)
}

// randString returns adversarial strings: digits (of lengths 0..40, and of
// the lengths the identifiers have) with letters, spaces, signs, dots,
// unicode digits and others mixed in, and number-like forms.
func randString(r *rand.Rand) string {
	switch r.Intn(12) {
	case 0, 1, 2:
		return randDigits(r, r.Intn(41))
	case 3, 4:
		// identifier lengths, with every possible last digit
		n := []int{6, 8, 9, 10, 11, 12, 13, 14, 16, 18}[r.Intn(10)]
		return randDigits(r, n)
	case 5:
		rs := []rune(randDigits(r, r.Intn(41)))
		for k := r.Intn(3) + 1; k > 0 && len(rs) > 0; k-- {
			rs[r.Intn(len(rs))] = specialRunes[r.Intn(len(specialRunes))]
		}
		return string(rs)
	case 6:
		n := r.Intn(20)
		b := make([]rune, n)
		for i := range b {
			b[i] = specialRunes[r.Intn(len(specialRunes))]
		}
		return string(b)
	case 7:
		n := []int{6, 11, 16, 5, 7, 17}[r.Intn(6)]
		b := make([]rune, n)
		for i := range b {
			b[i] = alnumRunes[r.Intn(len(alnumRunes))]
		}
		return string(b)
	case 8:
		// Codice Fiscale shapes: 6 letters, 2 digits, letter, 2 digits, letter, 3 digits, letter
		pick := func(set string) string { return string([]rune(set)[r.Intn(len([]rune(set)))]) }
		L, D := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz", "0123456789"
		var b strings.Builder
		for i := 0; i < 16; i++ {
			switch {
			case i < 6 || i == 8 || i == 11 || i == 15:
				b.WriteString(pick(L))
			default:
				b.WriteString(pick(D))
			}
		}
		rs := []rune(b.String())
		if r.Intn(2) == 0 {
			rs[r.Intn(16)] = specialRunes[r.Intn(len(specialRunes))]
		}
		return string(rs)
	case 9:
		pre := []string{"IT", "it", "It", "", "iT", "IT ", " IT"}[r.Intn(7)]
		return pre + randDigits(r, []int{11, 11, 11, 10, 12, 0, 1}[r.Intn(7)])
	case 10:
		if r.Intn(8) == 0 {
			return randDigits(r, 100+r.Intn(1500)) // long strings
		}
		return randDecimalString(r)
	}
	return []string{"", " ", "0", "-0", "+0", "NaN", "INF", "-INF", "1e3", "1E-2", ".", "+", "-", ".5", "5.",
		" 12 ", "\t7\n", "00000000000000000000000000000000000001", "-1234567", "+1234567890",
		"99999999999999999999999999999999999999", "0.0000000000000000000000001", "1/2", "0x10",
		"٣٣٣٣٣٣٣٣٣٣", "５５５５５５５５５５", "1234567890١", "IT", "it1234567890", "IT 1234567890"}[r.Intn(30)]
}

func randDecimalString(r *rand.Rand) string {
	var b strings.Builder
	switch r.Intn(4) {
	case 0:
		b.WriteByte('-')
	case 1:
		b.WriteByte('+')
	}
	b.WriteString(randDigits(r, r.Intn(25)))
	if r.Intn(2) == 0 {
		b.WriteByte('.')
		b.WriteString(randDigits(r, r.Intn(25)))
	}
	if r.Intn(8) == 0 {
		return " " + b.String() + "\n"
	}
	return b.String()
}

var atomEnv = &xpath.Env{Namespaces: map[string]string{"xs": xpath.XSNS}}

// atom evaluates a constant XPath expression (to make decimals and others).
func atom(t testing.TB, src string) xpath.Seq {
	e, err := xpath.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	v, err := xpath.Eval(e, nil, atomEnv)
	if err != nil {
		return nil
	}
	return v
}

var nodeExpr, _ = xpath.Parse("/*")

// nodeOf returns an element node whose string value is s, or nil when s
// cannot be the content of a document.
//
// Longer strings are not made nodes: xpath's Builder.keep currently
// mishandles values of 513..4096 bytes in small documents (it makes an
// arena chunk smaller than the value and hands out a string reaching past
// its end), so such a node's string value is garbage that may change
// between two calls.
func nodeOf(s string) xpath.Seq {
	if len(s) > 500 {
		return nil
	}
	var b bytes.Buffer
	b.WriteString("<r>")
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return nil
	}
	b.WriteString("</r>")
	doc, err := xpath.ParseDocument(&b)
	if err != nil {
		return nil
	}
	v, err := xpath.Eval(nodeExpr, doc.Root, &xpath.Env{})
	if err != nil || len(v) != 1 || v[0].(*xpath.Node).StringValue() != s {
		return nil
	}
	return v
}

func quoteXP(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// wrap returns s as the argument of a call: mostly a string, untyped
// value or node, else other types and cardinalities.
func wrap(t testing.TB, r *rand.Rand, s string) xpath.Seq {
	switch r.Intn(16) {
	case 0, 1, 2, 3:
		return xpath.Seq{xpath.String(s)}
	case 4, 5, 6:
		return xpath.Seq{xpath.Untyped(s)}
	case 7, 8, 9:
		if v := nodeOf(s); v != nil {
			return v
		}
		return xpath.Seq{xpath.Untyped(s)}
	case 10:
		if v := atom(t, "xs:integer("+quoteXP(s)+")"); v != nil {
			return v
		}
		return atom(t, fmt.Sprint(r.Intn(2000)-1000))
	case 11:
		if v := atom(t, "xs:decimal("+quoteXP(s)+")"); v != nil {
			return v
		}
		return atom(t, "1 div 3")
	case 12:
		return atom(t, "number("+quoteXP(s)+")")
	case 13:
		return nil
	case 14:
		return xpath.Seq{xpath.String(s), xpath.Untyped(s)}
	}
	return []xpath.Seq{{xpath.Boolean(true)}, atom(t, "xs:date('2024-01-31')"), {xpath.String(s)}}[r.Intn(3)]
}

// decimalArgFor returns an argument for a decimal parameter near base.
func decimalArgFor(t testing.TB, r *rand.Rand, base *big.Rat) xpath.Seq {
	x := new(big.Rat).Set(base)
	if r.Intn(2) == 0 {
		d := big.NewRat(int64(r.Intn(7)-3), []int64{1, 100, 1000, 1e18}[r.Intn(4)])
		x.Add(x, d)
	}
	s := x.FloatString(r.Intn(22))
	if x.IsInt() && r.Intn(2) == 0 {
		s = x.Num().String()
	}
	switch r.Intn(12) {
	case 0, 1, 2, 3:
		if v := atom(t, "xs:decimal('"+s+"')"); v != nil {
			return v
		}
	case 4:
		if x.IsInt() {
			return atom(t, "xs:integer('"+x.Num().String()+"')")
		}
		return atom(t, "xs:decimal('"+s+"') * 3 div 7")
	case 5:
		return atom(t, "xs:double('"+s+"')")
	case 6, 7:
		return xpath.Seq{xpath.Untyped(s)}
	case 8:
		if v := nodeOf(s); v != nil {
			return v
		}
	case 9:
		return xpath.Seq{xpath.String(s)}
	case 10:
		return wrap(t, r, randString(r))
	}
	return atom(t, "(xs:decimal('"+s+"') * 3) div 3")
}

func randRat(r *rand.Rand) *big.Rat {
	switch r.Intn(5) {
	case 0:
		n, _ := new(big.Int).SetString(randDigits(r, r.Intn(30)+1), 10)
		return new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(r.Intn(25))), nil))
	case 1:
		return big.NewRat(int64(r.Intn(2000000)-1000000), 100)
	case 2:
		return big.NewRat(0, 1)
	}
	return big.NewRat(int64(r.Intn(20000)-10000), []int64{1, 10, 100, 1000}[r.Intn(4)])
}

// randArgs returns arguments for the function (by local name).
func randArgs(t testing.TB, r *rand.Rand, local string) []xpath.Seq {
	switch local {
	case "slack":
		base := randRat(r)
		args := []xpath.Seq{decimalArgFor(t, r, base), decimalArgFor(t, r, base), decimalArgFor(t, r, randRat(r))}
		if r.Intn(4) == 0 {
			args[2] = atom(t, "0.02")
		}
		if r.Intn(40) == 0 {
			args = args[:2]
		}
		return args
	case "addPIVA":
		pari := []string{"0", "1", "2", "-1", "xs:integer('123456789012345678901234567890')", "1.0", "'1'", "()", "(0, 1)", "xs:untypedAtomic('0')"}[r.Intn(10)]
		if r.Intn(2) == 0 {
			pari = fmt.Sprint(r.Intn(2))
		}
		return []xpath.Seq{wrap(t, r, randString(r)), atom(t, pari)}
	}
	args := []xpath.Seq{wrap(t, r, randString(r))}
	if r.Intn(60) == 0 {
		args = append(args, xpath.Seq{xpath.String("x")})
	}
	return args
}

func TestNativeDifferential(t *testing.T) {
	schemas := officialPeppol(t)
	n := 2500
	if testing.Short() {
		n = 500
	}
	if e := os.Getenv("FELLES_NATIVE_CALLS"); e != "" { // for longer runs
		n, _ = strconv.Atoi(e)
	}
	for _, v := range nativeVersions {
		s := schemas[v]
		for _, f := range s.xslFuncs {
			local := strings.TrimPrefix(f.key, utilsNS)
			t.Run(v+"/"+local, func(t *testing.T) {
				r := rand.New(rand.NewSource(int64(len(local)) * 7919))
				var st nativeStats
				for i := 0; i < n; i++ {
					checkNative(t, v, s, f, randArgs(t, r, local), &st)
				}
				t.Logf("%d calls, %d handled natively, %d true", st.calls, st.handled, st.trues)
				if st.handled < st.calls/4 {
					t.Errorf("only %d of %d calls handled natively", st.handled, st.calls)
				}
			})
		}
	}
}

// TestNativeCheckDigits tries every check digit on random identifiers of
// the lengths each function checks, so that valid ones are compared too.
func TestNativeCheckDigits(t *testing.T) {
	schemas := officialPeppol(t)
	shapes := map[string]struct {
		prefix string
		n      int // digits before the check digits
		check  int // number of check digits
	}{
		"gln": {"", 12, 1}, "mod11": {"", 8, 1}, "mod97-0208": {"", 8, 2}, "abn": {"", 9, 2},
		"checkPIVAseIT": {"IT", 10, 1}, "checkPIVA": {"", 10, 1}, "checkCF": {"", 10, 1},
		"TinVerification": {"", 8, 1}, "checkSEOrgnr": {"", 9, 1},
	}
	for _, v := range nativeVersions {
		s := schemas[v]
		for local, sh := range shapes {
			f := xslFuncByKey(s, utilsNS+local)
			r := rand.New(rand.NewSource(int64(sh.n)))
			var st nativeStats
			for i := 0; i < 40; i++ {
				body := sh.prefix + randDigits(r, sh.n)
				lim := 10
				if sh.check == 2 {
					lim = 100
				}
				for c := 0; c < lim; c++ {
					x := fmt.Sprintf("%s%0*d", body, sh.check, c)
					checkNative(t, v, s, f, []xpath.Seq{wrap(t, r, x)}, &st)
				}
			}
			if st.trues == 0 && local != "checkPIVA" {
				t.Errorf("%s %s: no valid identifier among %d", v, local, st.calls)
			}
		}
	}
}

// TestNativeCases checks hand-picked inputs, valid identifiers among them.
func TestNativeCases(t *testing.T) {
	schemas := officialPeppol(t)
	str := func(s string) []xpath.Seq { return []xpath.Seq{{xpath.String(s)}} }
	cases := map[string][][]xpath.Seq{
		"gln":             {str("5790000435968"), str("5790000435967"), str("0"), str("1"), str(""), str("7300010000001"), {nil}, str("٣")},
		"mod11":           {str("974760673"), str("974760672"), str("000000000"), str("-974760673")},
		"mod97-0208":      {str("0417497106"), str("0417497107"), str("-1234567 5"), str(" 1234567"), str("")},
		"abn":             {str("51824753556"), str("51824753557"), str("5182475355"), str("518247535561")},
		"checkCodiceIPA":  {str("AB12cd"), str("AB12c"), str("AB12cé"), {nil}},
		"checkCF":         {str("RSSMRA85T10A562S"), str("12345678901"), str(" 1234567890"), {nil}},
		"checkCF16":       {str("RSSMRA85T10A562S"), str("RSSMRA8 T10A562S"), str("RSSMRA+5T10A562S")},
		"checkPIVA":       {str("01234567897"), str("01234567890"), {nil}, str("1 "), str(" 1"), str("+1"), str("-1")},
		"checkPIVAseIT":   {str("IT01234567897"), str("IT01234567890"), str("DE123"), str("IT 1"), str("IT+0123456789"), str("it0123456789 ")},
		"TinVerification": {str("094019245"), str("094019246"), str("09401924"), str("0940192450"), str("09401924\x01")},
		"checkSEOrgnr":    {str("5560360793"), str("5560360794"), str("556036079"), str("٥٥٦٠٣٦٠٧٩٣"), str("556036079٣"), str("")},
	}
	dec := func(s string) xpath.Seq { return atom(t, "xs:decimal('"+s+"')") }
	cases["slack"] = [][]xpath.Seq{
		{dec("100"), dec("100.02"), dec("0.02")},
		{dec("100"), dec("100.021"), dec("0.02")},
		{dec("-5"), {xpath.Untyped(" -5.01 ")}, atom(t, "0.02")},
		{dec("1"), atom(t, "10 div 3"), dec("0.02")},
		{atom(t, "xs:double('NaN')"), dec("1"), dec("1")},
		{{xpath.Untyped("abc")}, dec("1"), dec("1")},
		{nil, dec("1"), dec("1")},
		{dec("123456789012345678901234567890.5"), dec("123456789012345678901234567890.51"), dec("0.02")},
	}
	cases["addPIVA"] = [][]xpath.Seq{
		{{xpath.String("01234567897")}, atom(t, "0")},
		{{xpath.String("01234567897")}, atom(t, "1")},
		{{xpath.String("1 ")}, atom(t, "1")},
		{{xpath.String(" 1")}, atom(t, "1")},
	}
	for _, v := range nativeVersions {
		s := schemas[v]
		for local, cs := range cases {
			f := xslFuncByKey(s, utilsNS+local)
			if f == nil {
				t.Fatalf("%s: no u:%s", v, local)
			}
			for _, args := range cs {
				checkNative(t, v, s, f, args, nil)
			}
		}
	}
}

// FuzzNativeFunctions compares the native implementations with the
// interpreter on arbitrary strings.
func FuzzNativeFunctions(f *testing.F) {
	f.Add(uint8(0), uint8(0), "5790000435968", "", "")
	f.Add(uint8(1), uint8(1), "100", "100.02", "0.02")
	f.Add(uint8(9), uint8(2), "IT01234567897", "0", "")
	f.Add(uint8(12), uint8(3), "5560360793", "", "")
	f.Add(uint8(5), uint8(4), "RSSMRA85T10A562S", "", "")
	f.Add(uint8(13), uint8(5), "  12.5 ", "-7", "1e3")
	f.Fuzz(func(t *testing.T, which, kind uint8, a, b, c string) {
		schemas := officialPeppol(t)
		v := nativeVersions[int(which)%len(nativeVersions)]
		s := schemas[v]
		fn := s.xslFuncs[int(which/3)%len(s.xslFuncs)]
		asArg := func(x string, k uint8) xpath.Seq {
			switch k % 8 {
			case 0, 1:
				return xpath.Seq{xpath.String(x)}
			case 2:
				return xpath.Seq{xpath.Untyped(x)}
			case 3:
				if n := nodeOf(x); n != nil {
					return n
				}
				return xpath.Seq{xpath.Untyped(x)}
			case 4:
				return atom(t, "xs:decimal("+quoteXP(x)+")")
			case 5:
				return atom(t, "xs:integer("+quoteXP(x)+")")
			case 6:
				return atom(t, "number("+quoteXP(x)+")")
			}
			return nil
		}
		args := []xpath.Seq{asArg(a, kind), asArg(b, kind>>3), asArg(c, kind>>5)}
		args = args[:len(fn.params)]
		if kind == 255 {
			args = append(args, xpath.Seq{xpath.String(a)}) // wrong arity
		}
		checkNative(t, v, s, fn, args, nil)
	})
}

// TestNativeKeyedByDefinition checks that a changed definition is
// interpreted, that whitespace and namespace declarations do not matter,
// and that a function calling a changed one is interpreted too.
func TestNativeKeyedByDefinition(t *testing.T) {
	data, err := os.ReadFile(peppolPath("3.0.21"))
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	load := func(t *testing.T, src string) *Schema {
		t.Helper()
		s, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	native := func(s *Schema, local string) bool {
		return s.nativeFor(xslFuncByKey(s, utilsNS+local)) != nil
	}
	replaceOnce := func(t *testing.T, old, new string) string {
		t.Helper()
		if !strings.Contains(src, old) {
			t.Fatalf("%q not found", old)
		}
		return strings.Replace(src, old, new, 1)
	}

	t.Run("one character changed", func(t *testing.T) {
		// The first "- 48)" is u:gln's.
		s := load(t, replaceOnce(t, "return $i - 48)", "return $i - 49)"))
		if native(s, "gln") {
			t.Error("changed u:gln is still native")
		}
		if !native(s, "mod11") || !native(s, "slack") {
			t.Error("unchanged functions are not native")
		}
		f := xslFuncByKey(s, utilsNS+"gln")
		args := []xpath.Seq{{xpath.String("5790000435968")}}
		got, err := s.Functions[f.key](nil, args)
		if err != nil || showSeq(got) != showSeq(nativeFalse) {
			t.Errorf("changed u:gln = %v, %v; want the interpreter's false", showSeq(got), err)
		}
		if r, _ := nativeGLN(args); showSeq(r) != showSeq(nativeTrue) {
			t.Error("native gln of a valid GLN is not true")
		}
	})
	t.Run("changed parameter type", func(t *testing.T) {
		s := load(t, replaceOnce(t, `<xsl:param as="xs:decimal" name="slack"/>`, `<xsl:param as="xs:double" name="slack"/>`))
		if native(s, "slack") {
			t.Error("changed u:slack is still native")
		}
	})
	t.Run("changed callee", func(t *testing.T) {
		s := load(t, replaceOnce(t, "(substring($arg,15,1) castable as xs:integer)", "(substring($arg,14,1) castable as xs:integer)"))
		if native(s, "checkCF16") || native(s, "checkCF") {
			t.Error("u:checkCF16 changed: u:checkCF16 or u:checkCF still native")
		}
		if !native(s, "checkPIVA") {
			t.Error("u:checkPIVA not native")
		}
		s = load(t, replaceOnce(t, "substring('0246813579',", "substring('0246813597',"))
		for _, l := range []string{"addPIVA", "checkPIVA", "checkPIVAseIT"} {
			if native(s, l) {
				t.Errorf("u:addPIVA changed: u:%s still native", l)
			}
		}
	})
	t.Run("changed namespace", func(t *testing.T) {
		s := load(t, strings.Replace(src, `xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsd="http://www.w3.org/2001/XMLSchema" as="xs:boolean" name="u:slack"`,
			`xmlns:xs="http://www.w3.org/2001/XMLSchema#" xmlns:xsd="http://www.w3.org/2001/XMLSchema" as="xs:boolean" name="u:slack"`, 1))
		if native(s, "slack") {
			t.Error("u:slack with another xs namespace is still native")
		}
	})
	t.Run("whitespace and declarations", func(t *testing.T) {
		x := replaceOnce(t, `select="string-length($val) - 1"`, `select="  string-length( $val )-1 "`)
		x = strings.Replace(x, `as="xs:boolean" name="u:gln">`, `as="xs:boolean" xmlns:foo="urn:foo" name="u:gln">`+"\n\n  ", 1)
		s := load(t, x)
		if !native(s, "gln") {
			t.Error("u:gln with other whitespace is not native")
		}
	})
}

// BenchmarkNativeFunctions compares native and interpreted calls.
func BenchmarkNativeFunctions(b *testing.B) {
	s := officialPeppol(b)["3.0.21"]
	dec := func(x string) xpath.Seq { return atom(b, "xs:decimal('"+x+"')") }
	for _, c := range []struct {
		local string
		args  []xpath.Seq
	}{
		{"gln", []xpath.Seq{{xpath.String("5790000435968")}}},
		{"slack", []xpath.Seq{dec("100"), dec("100.01"), dec("0.02")}},
		{"checkPIVAseIT", []xpath.Seq{{xpath.String("IT01234567897")}}},
	} {
		f := xslFuncByKey(s, utilsNS+c.local)
		b.Run(c.local+"/native", func(b *testing.B) {
			fn := s.Functions[f.key]
			for b.Loop() {
				fn(nil, c.args)
			}
		})
		b.Run(c.local+"/interpreted", func(b *testing.B) {
			for b.Loop() {
				interpret(s, f, c.args)
			}
		})
	}
}

// BenchmarkNativeValidate validates the Peppol base example, and the same
// with 1000 more invoice lines, with the 3.0.19 Peppol rules, with the
// native functions and with every xsl:function interpreted (skipped
// without ../shared).
func BenchmarkNativeValidate(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(sharedDir, "conformance", "peppol-bis-3.0.19", "examples", "base-example.xml"))
	if err != nil {
		b.Skip("shared conformance material absent:", err)
	}
	native, err := LoadFile(peppolPath("3.0.19"))
	if err != nil {
		b.Fatal(err)
	}
	interpreted, err := LoadFile(peppolPath("3.0.19"))
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range interpreted.xslFuncs {
		interpreted.Functions[f.key] = func(_ xpath.Item, args []xpath.Seq) (xpath.Seq, error) {
			return interpret(interpreted, f, args)
		}
	}
	i := bytes.Index(data, []byte("<cac:InvoiceLine>"))
	j := bytes.Index(data, []byte("</cac:InvoiceLine>")) + len("</cac:InvoiceLine>")
	lines := bytes.Join([][]byte{data[:j], bytes.Repeat(data[i:j], 1000), data[j:]}, nil)
	for _, d := range []struct {
		name string
		data []byte
	}{{"base-example", data}, {"lines-1000", lines}} {
		doc, err := xpath.ParseDocument(bytes.NewReader(d.data))
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range []struct {
			name string
			s    *Schema
		}{{"native", native}, {"interpreted", interpreted}} {
			b.Run(d.name+"/"+s.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.s.Validate(doc); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
