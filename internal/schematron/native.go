package schematron

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/fellesgo/felles/internal/xpath"
)

// Native implementations of the xsl:functions of the official Peppol BIS
// Billing 3.0 Schematron (u:gln, u:slack, ...), which are slow when
// interpreted.
//
// A native implementation is used only for a function whose definition is
// exactly one it was written for: each is keyed by the SHA-256 of the
// function's canonical form (see canonicalXSLFunc), so that a changed
// definition in a future rule release falls back to the interpreter and a
// new release stays a pure data update. A function that calls other
// xsl:functions is native only when those are the expected definitions too.
//
// A native implementation handles the inputs whose behaviour it reproduces
// exactly (typically one string, or one decimal, without error) and reports
// any other input as not handled: that call is then interpreted, so that
// errors and unusual values behave exactly as before.

// nativeImpl computes a function's value for args; handled is false when the
// call must be interpreted instead.
type nativeImpl func(args []xpath.Seq) (res xpath.Seq, handled bool)

type nativeDef struct {
	impl string     // which native implementation
	fn   nativeImpl // the implementation
	// deps are the xsl:functions the definition calls ("{uri}local"), with
	// the native implementation each must match.
	deps map[string]string
}

const utilsNS = "{utils}"

// nativeDefs maps the hex SHA-256 of a canonical definition to its native
// implementation. The hashes are those of the official definitions of rule
// releases 3.0.19 (which uses xsl:value-of where later releases use
// xsl:sequence), 3.0.20 and 3.0.21 (see TestNativeHashes).
var nativeDefs = map[string]nativeDef{}

// nativeHashes lists, per implementation, the canonical hashes it accepts.
var nativeHashes = map[string][]string{
	"gln": {
		"66eb1a80127abb27a8e06c97c979a7f1e2f35e0fced470bdfb03d1bbf6835a64",
		"ccb830c2ddc8668fbaa7ecdea42ae47345d4662959098ab764c02ddfec764910",
	},
	"slack": {
		"29e9c40bc9058ae84a0c34bdade0a955141d49f893974ceca656b06ba668686a",
		"42f711642ccffac786f06f61b3ba5adf584be965e648bce5f57febb0c95dcd51",
	},
	"mod11": {
		"4d6df89722ea9d45632a747c7079b3cf8546c1092187bb25690a9205ca6ee28d",
		"aba037c50d8fae1a6e9b8d9558ad4d6e98fe141d9fa3256d585133f5f7b824a2",
	},
	"mod97-0208": {
		"703a1dabbda9b3da0a0b46f6699620f93f4530d7eb7e4c839993eca3227aa4fd",
		"8c17481ed3c3f68d3ad22515e7aef56b90b0ea83dab996cf125ed58ff77ec1d4",
	},
	"checkCodiceIPA": {
		"0ffe6003d1999fceca475bb6242da26dde2718e2327bb93c3f242997ec51fcdd",
	},
	"checkCF": {
		"64efd22de92c9eb2cd9f8c98a18e0be67ea0092fc393a7f45fcd3fe621244aea",
	},
	"checkCF16": {
		"1df59f34dcb066679b6e4afb374c6ab361c4922b352ab80405d027e16f6112f0",
	},
	"checkPIVAseIT": {
		"b611cf9236aa4185cfaf7056352534dac0c4c07ca022481695c5bdc827f607f9",
	},
	"checkPIVA": {
		"9be856eade0194b0eb748a289406c6bbb2b22889f0e11453b346d385c0e49dd4",
	},
	"addPIVA": {
		"b1b575af70bbbe2b43913c9f5c9ef8c2fd188d8979d3549c80df551dbae3aebb",
	},
	"abn": {
		"6ecd571960e0eccccfb16eb2295bddbc1e0fb57822a8a0bb8e68953629bdb422",
		"ecba054959b4c8d0fd290176bdbe560c5b4f57088951f41c9364cab59ff1c17b",
	},
	"TinVerification": {
		"84446619208df1be96d81aca0572f5b85ec023cac0043c779b12ff3f2ca7612b",
		"93bf1d7ed2b3684073f8a030e9d33a29c832248892549febeaff6ecab8486984",
	},
	"checkSEOrgnr": {
		"6d3d3b171e85c0b86f6ce6997472e02b6fe52ea694373ffda034f7ba6bfca97c",
		"83e37977243a72ffa7da706b1954b2dd4c71802dc66df275176cb80a818677b2",
	},
}

var nativeImpls = map[string]struct {
	fn   nativeImpl
	deps map[string]string
}{
	"gln":             {nativeGLN, nil},
	"slack":           {nativeSlack, nil},
	"mod11":           {nativeMod11, nil},
	"mod97-0208":      {nativeMod97, nil},
	"checkCodiceIPA":  {nativeCodiceIPA, nil},
	"checkCF":         {nativeCheckCF, map[string]string{utilsNS + "checkCF16": "checkCF16"}},
	"checkCF16":       {nativeCheckCF16, nil},
	"checkPIVAseIT":   {nativeCheckPIVAseIT, map[string]string{utilsNS + "checkPIVA": "checkPIVA", utilsNS + "addPIVA": "addPIVA"}},
	"checkPIVA":       {nativeCheckPIVA, map[string]string{utilsNS + "addPIVA": "addPIVA"}},
	"addPIVA":         {nativeAddPIVA, map[string]string{utilsNS + "addPIVA": "addPIVA"}},
	"abn":             {nativeABN, nil},
	"TinVerification": {nativeTin, nil},
	"checkSEOrgnr":    {nativeSEOrgnr, nil},
}

func init() {
	for name, hs := range nativeHashes {
		im := nativeImpls[name]
		for _, h := range hs {
			nativeDefs[h] = nativeDef{impl: name, fn: im.fn, deps: im.deps}
		}
	}
}

// canonicalXSLFunc is the canonical form of a parsed xsl:function: its
// expanded name, its parameters and types, its body as parsed (expressions
// printed fully parenthesised, so whitespace and redundant parentheses do
// not matter) and the bindings of the namespace prefixes it uses (other
// in-scope declarations do not matter).
func canonicalXSLFunc(f *xslFunc) string {
	var b strings.Builder
	typ := func(t *seqType) string {
		if t == nil {
			return "-"
		}
		return strconv.Quote(t.raw)
	}
	expr := func(e xpath.Expr) string {
		if e == nil {
			return "-"
		}
		return e.String()
	}
	fmt.Fprintf(&b, "function %s as %s\n", strconv.Quote(f.key), typ(f.as))
	for _, p := range f.params {
		fmt.Fprintf(&b, "param %s as %s\n", strconv.Quote(p.name), typ(p.as))
	}
	var body func(is []instr, depth int)
	body = func(is []instr, depth int) {
		ind := strings.Repeat(" ", depth)
		for _, in := range is {
			sep := "-"
			if in.sep != nil {
				sep = strconv.Quote(*in.sep)
			}
			fmt.Fprintf(&b, "%s%d name=%s as=%s text=%s sep=%s other=%v sel=%s\n", ind, in.kind,
				strconv.Quote(in.name), typ(in.as), strconv.Quote(in.text), sep, in.hasOther, expr(in.sel))
			if len(in.body) > 0 {
				fmt.Fprintf(&b, "%sbody\n", ind)
				body(in.body, depth+1)
			}
			for _, w := range in.whens {
				fmt.Fprintf(&b, "%swhen %s\n", ind, expr(w.test))
				body(w.body, depth+1)
			}
			if in.hasOther {
				fmt.Fprintf(&b, "%sotherwise\n", ind)
				body(in.otherwise, depth+1)
			}
		}
	}
	body(f.body, 0)
	// The prefixes used (over-approximated: any NCName before a colon).
	seen := map[string]bool{}
	for _, m := range rePrefix.FindAllStringSubmatch(b.String()+" "+f.name, -1) {
		seen[m[1]] = true
	}
	prefixes := make([]string, 0, len(seen))
	for p := range seen {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		uri, ok := f.ns[p]
		if !ok {
			fmt.Fprintf(&b, "ns %s unbound\n", p)
			continue
		}
		fmt.Fprintf(&b, "ns %s=%s\n", p, strconv.Quote(uri))
	}
	return b.String()
}

var rePrefix = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.\-]*):`)

func hashXSLFunc(f *xslFunc) string {
	h := sha256.Sum256([]byte(canonicalXSLFunc(f)))
	return hex.EncodeToString(h[:])
}

// definitionHash is the hash of f's definition as written: of f parsed
// again from its element, since preparing f's expressions may have
// rewritten them.
func definitionHash(f *xslFunc) string {
	g, err := parseXSLFunction(f.src, f.ns)
	if err != nil {
		return ""
	}
	return hashXSLFunc(g)
}

// nativeFor returns the native implementation of f when its definition is
// an expected one, and so are those of the functions it calls in s.
func (s *Schema) nativeFor(f *xslFunc) nativeImpl {
	d, ok := nativeDefs[definitionHash(f)]
	if !ok {
		return nil
	}
	for key, impl := range d.deps {
		var dep *xslFunc
		for _, g := range s.xslFuncs {
			if g.key == key {
				dep = g
			}
		}
		if dep == nil {
			return nil
		}
		if dd, ok := nativeDefs[definitionHash(dep)]; !ok || dd.impl != impl {
			return nil
		}
	}
	return d.fn
}

// nativeFunction returns interp, or a function that computes the calls its
// native implementation handles and interprets the others. Whether f is
// native is decided at the first call, when every xsl:function of the schema
// is known.
func (s *Schema) nativeFunction(f *xslFunc, interp xpath.Function) xpath.Function {
	if _, ok := nativeDefs[definitionHash(f)]; !ok {
		return interp
	}
	var once sync.Once
	var native nativeImpl
	return func(ctx xpath.Item, args []xpath.Seq) (xpath.Seq, error) {
		once.Do(func() { native = s.nativeFor(f) })
		if native != nil {
			if res, ok := native(args); ok {
				return res, nil
			}
		}
		return interp(ctx, args)
	}
}

// ---- argument helpers ----

var (
	nativeTrue  = xpath.Seq{xpath.Boolean(true)}
	nativeFalse = xpath.Seq{xpath.Boolean(false)}
)

func boolResult(b bool) (xpath.Seq, bool) {
	if b {
		return nativeTrue, true
	}
	return nativeFalse, true
}

// stringItem returns the string of a single string, untypedAtomic or node
// item: those a string parameter converts to that string, and an untyped
// parameter passes through to string functions unchanged.
func stringItem(v xpath.Seq) (string, bool) {
	if len(v) != 1 {
		return "", false
	}
	var s string
	switch it := v[0].(type) {
	case xpath.String:
		s = string(it)
	case xpath.Untyped:
		s = string(it)
	case *xpath.Node:
		s = it.StringValue()
	default:
		return "", false
	}
	if !utf8.ValidString(s) {
		return "", false
	}
	return s, true
}

// optStringItem is stringItem for an xs:string? parameter: present is
// false for the empty sequence.
func optStringItem(v xpath.Seq) (s string, present, ok bool) {
	if len(v) == 0 {
		return "", false, true
	}
	s, ok = stringItem(v)
	return s, true, ok
}

// maxNativeLen bounds the strings handled natively (longer ones are
// interpreted, with its limits on ranges and call depth).
const maxNativeLen = 10000

func toRunes(buf []rune, s string) ([]rune, bool) {
	rs := buf[:0]
	for _, r := range s {
		rs = append(rs, r)
		if len(rs) > maxNativeLen {
			return nil, false
		}
	}
	return rs, true
}

// oneStringArg is the one argument of a function of one string parameter,
// as a string and in runes (in buf when they fit).
func oneStringArg(args []xpath.Seq, buf []rune) (string, []rune, bool) {
	if len(args) != 1 {
		return "", nil, false
	}
	s, ok := stringItem(args[0])
	if !ok {
		return "", nil, false
	}
	rs, ok := toRunes(buf, s)
	return s, rs, ok
}

// optStringArg is oneStringArg for a parameter that may be the empty
// sequence (then "").
func optStringArg(args []xpath.Seq, buf []rune) (string, []rune, bool) {
	if len(args) != 1 {
		return "", nil, false
	}
	s, _, ok := optStringItem(args[0])
	if !ok {
		return "", nil, false
	}
	rs, ok := toRunes(buf, s)
	return s, rs, ok
}

// subRunes is substring($s, start, n) for integer start >= 1 and n >= 0.
func subRunes(rs []rune, start, n int) []rune {
	lo, hi := start-1, start-1+n
	lo = min(max(lo, 0), len(rs))
	hi = min(max(hi, lo), len(rs))
	return rs[lo:hi]
}

func xmlTrimS(s string) string { return strings.Trim(s, " \t\r\n") }

// digitOf is number() of a one-character string: the digit, or NaN (-1).
func digitOf(r rune) int64 {
	if r >= '0' && r <= '9' {
		return int64(r - '0')
	}
	return -1
}

// castableInteger is "$s castable as xs:integer" for a string.
func castableInteger(s string) bool {
	s = xmlTrimS(s)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func castableIntegerRunes(rs []rune) bool {
	var buf [32]byte
	b := buf[:0]
	for _, r := range rs {
		b = utf8.AppendRune(b, r)
	}
	return castableInteger(string(b))
}

// numberOf is fn:number of a string (xs:double cast, NaN when it fails).
func numberOf(s string) float64 {
	if f, ok := xpath.ParseDouble(s); ok {
		return f
	}
	return math.NaN()
}

func isLetter(r rune) bool { return (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') }
func isAlnum(r rune) bool  { return isLetter(r) || (r >= '0' && r <= '9') }

func allRunes(rs []rune, ok func(rune) bool) bool {
	for _, r := range rs {
		if !ok(r) {
			return false
		}
	}
	return true
}

// ---- u:gln, u:mod11: weighted digit sums ----

// weightedSum computes, for $val of length L, the weighted sum of
// codepoint-48 of the first L-1 characters from the right (weight(i) for
// the i-th from the right, from 0), as the rules do with reverse() and
// string-to-codepoints().
func weightedSum(rs []rune, weight func(i int) int64) int64 {
	var ws int64
	n := len(rs) - 1
	for i := 0; i < n; i++ {
		ws += (int64(rs[n-1-i]) - 48) * weight(i)
	}
	return ws
}

func nativeGLN(args []xpath.Seq) (xpath.Seq, bool) {
	var buf [64]rune
	_, rs, ok := oneStringArg(args, buf[:])
	if !ok {
		return nil, false
	}
	if len(rs) == 0 {
		return boolResult(false) // number('') is NaN
	}
	ws := weightedSum(rs, func(i int) int64 { return 1 + int64((i+1)%2)*2 })
	check := (10 - ws%10) % 10
	return boolResult(check == digitOf(rs[len(rs)-1]))
}

func nativeMod11(args []xpath.Seq) (xpath.Seq, bool) {
	var buf [64]rune
	s, rs, ok := oneStringArg(args, buf[:])
	if !ok {
		return nil, false
	}
	if !(numberOf(s) > 0) || len(rs) == 0 {
		return boolResult(false)
	}
	ws := weightedSum(rs, func(i int) int64 { return int64(i%6) + 2 })
	check := (11 - ws%11) % 11
	return boolResult(check == digitOf(rs[len(rs)-1]))
}

// ---- u:mod97-0208 ----

func nativeMod97(args []xpath.Seq) (xpath.Seq, bool) {
	var buf [64]rune
	_, rs, ok := oneStringArg(args, buf[:])
	if !ok {
		return nil, false
	}
	first := xmlTrimS(string(subRunes(rs, 1, 8)))
	if !castableInteger(first) {
		return nil, false // xs:integer() fails
	}
	n, err := strconv.ParseInt(first, 10, 64) // at most 8 digits and a sign
	if err != nil {
		return nil, false
	}
	calc := 97 - n%97
	check := numberOf(string(subRunes(rs, 9, 2)))
	return boolResult(float64(calc) == check)
}

// ---- u:abn ----

var abnWeights = [11]int64{10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19}

func nativeABN(args []xpath.Seq) (xpath.Seq, bool) {
	if len(args) != 1 {
		return nil, false
	}
	s, ok := stringItem(args[0])
	if !ok {
		return nil, false
	}
	var rs [11]rune
	n := 0
	for _, r := range s {
		if n == 11 {
			break
		}
		rs[n] = r
		n++
	}
	if n < 11 {
		return boolResult(false) // an empty operand makes the sum empty
	}
	total := (int64(rs[0]) - 49) * abnWeights[0]
	for k := 1; k < 11; k++ {
		total += (int64(rs[k]) - 48) * abnWeights[k]
	}
	return boolResult(total%89 == 0)
}

// ---- Italian codes ----

func nativeCodiceIPA(args []xpath.Seq) (xpath.Seq, bool) {
	if len(args) != 1 {
		return nil, false
	}
	s, present, ok := optStringItem(args[0])
	if !ok {
		return nil, false
	}
	if !present {
		return boolResult(false)
	}
	n := 0
	for _, r := range s {
		if !isAlnum(r) {
			return boolResult(false)
		}
		n++
	}
	return boolResult(n == 6)
}

func cf16(rs []rune) bool {
	return allRunes(subRunes(rs, 1, 6), isLetter) &&
		castableIntegerRunes(subRunes(rs, 7, 2)) &&
		allRunes(subRunes(rs, 9, 1), isLetter) &&
		castableIntegerRunes(subRunes(rs, 10, 2)) &&
		castableIntegerRunes(subRunes(rs, 15, 1)) &&
		allRunes(subRunes(rs, 16, 1), isLetter)
}

func nativeCheckCF16(args []xpath.Seq) (xpath.Seq, bool) {
	var buf [64]rune
	_, rs, ok := optStringArg(args, buf[:])
	if !ok {
		return nil, false
	}
	return boolResult(cf16(rs))
}

func nativeCheckCF(args []xpath.Seq) (xpath.Seq, bool) {
	var buf [64]rune
	s, rs, ok := optStringArg(args, buf[:])
	if !ok {
		return nil, false
	}
	switch len(rs) {
	case 16:
		return boolResult(cf16(rs))
	case 11:
		return boolResult(castableInteger(s))
	}
	return boolResult(false)
}

// pariKind is the value of $pari of u:addPIVA: 1, 0, or another integer.
type pariKind int

const (
	pariOther pariKind = iota
	pariZero
	pariOne
)

// maxPIVALen bounds the strings u:addPIVA handles natively (it recurses
// once per character; the interpreter bounds the call depth).
const maxPIVALen = 200

// addPIVA is u:addPIVA($arg, $pari); ok is false where the interpreter
// fails (xs:integer() of a non-digit).
func addPIVA(rs []rune, pari pariKind) (int64, bool) {
	var sum int64
	for {
		if !castableIntegerRunes(rs) {
			return sum, true // $tappo = 0: $mapper = 0
		}
		d := digitOf(rs[0])
		if d < 0 {
			return 0, false
		}
		if pari == pariOne {
			d = int64("0246813579"[d] - '0')
		}
		sum += d
		rs = rs[1:]
		if pari == pariZero {
			pari = pariOne
		} else {
			pari = pariZero
		}
	}
}

// checkPIVA is u:checkPIVA($arg) for a present $arg.
func checkPIVA(rs []rune) (int64, bool) {
	if !castableIntegerRunes(rs) {
		return 1, true
	}
	if len(rs) > maxPIVALen {
		return 0, false
	}
	v, ok := addPIVA(rs, pariZero)
	return v % 10, ok
}

func intResult(v int64) (xpath.Seq, bool) {
	return xpath.Seq{xpath.Integer{V: big.NewInt(v)}}, true
}

func nativeCheckPIVA(args []xpath.Seq) (xpath.Seq, bool) {
	if len(args) != 1 {
		return nil, false
	}
	s, present, ok := optStringItem(args[0])
	if !ok {
		return nil, false
	}
	if !present {
		return intResult(1)
	}
	var buf [64]rune
	rs, ok := toRunes(buf[:], s)
	if !ok {
		return nil, false
	}
	v, ok := checkPIVA(rs)
	if !ok {
		return nil, false
	}
	return intResult(v)
}

func nativeAddPIVA(args []xpath.Seq) (xpath.Seq, bool) {
	if len(args) != 2 || len(args[1]) != 1 {
		return nil, false
	}
	s, ok := stringItem(args[0])
	if !ok {
		return nil, false
	}
	p, ok := args[1][0].(xpath.Integer)
	if !ok || p.V == nil {
		return nil, false
	}
	pari := pariOther
	switch {
	case p.V.IsInt64() && p.V.Int64() == 0:
		pari = pariZero
	case p.V.IsInt64() && p.V.Int64() == 1:
		pari = pariOne
	}
	var buf [64]rune
	rs, ok := toRunes(buf[:], s)
	if !ok || len(rs) > maxPIVALen {
		return nil, false
	}
	v, ok := addPIVA(rs, pari)
	if !ok {
		return nil, false
	}
	return intResult(v)
}

func nativeCheckPIVAseIT(args []xpath.Seq) (xpath.Seq, bool) {
	var buf [64]rune
	_, rs, ok := oneStringArg(args, buf[:])
	if !ok {
		return nil, false
	}
	paese := string(subRunes(rs, 1, 2))
	if paese != "IT" && paese != "it" {
		return boolResult(true)
	}
	codice := subRunes(rs, 3, len(rs))
	// u:checkPIVA($codice) is computed whether or not the length is 11, so
	// that any error it may raise is the interpreter's to report.
	v, ok := checkPIVA(codice)
	if !ok {
		return nil, false
	}
	return boolResult(len(codice) == 11 && v == 0)
}

// ---- u:TinVerification (Greece) ----

func isXMLChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

func nativeTin(args []xpath.Seq) (xpath.Seq, bool) {
	if len(args) != 1 {
		return nil, false
	}
	s, ok := stringItem(args[0])
	if !ok {
		return nil, false
	}
	var d [9]int64
	for i := range d {
		d[i] = -1
	}
	n := 0
	for _, r := range s {
		if !isXMLChar(r) {
			return nil, false // codepoints-to-string() fails
		}
		if n < 9 {
			d[n] = digitOf(r)
		}
		n++
	}
	var sum int64
	for k := 0; k < 9; k++ {
		if d[k] < 0 {
			return boolResult(false) // NaN
		}
		if k < 8 {
			sum += d[k] << (8 - k)
		}
	}
	return boolResult((sum%11)%10 == d[8])
}

// ---- u:checkSEOrgnr (Sweden) ----

func nativeSEOrgnr(args []xpath.Seq) (xpath.Seq, bool) {
	var buf [64]rune
	_, rs, ok := oneStringArg(args, buf[:])
	if !ok {
		return nil, false
	}
	if len(rs) == 0 || !allRunes(rs, func(r rune) bool { return unicode.Is(unicode.Nd, r) }) {
		return boolResult(false) // not(matches($number, '^\d+$'))
	}
	main := subRunes(rs, 1, 9)
	var sum int64
	for pos := 1; pos <= len(main); pos++ {
		d := digitOf(main[len(main)-pos])
		if d < 0 {
			return nil, false // a non-ASCII digit: NaN, then an error
		}
		if pos%2 == 1 {
			sum += (2*d)%10 + (2*d)/10
		} else {
			sum += d
		}
	}
	calc := (10 - sum%10) % 10
	check := int64(-1)
	if len(rs) >= 10 {
		check = digitOf(rs[9])
	}
	return boolResult(calc == check)
}

// ---- u:slack ----

// decValue is an exact decimal: u·10⁻ˢᶜ, or r when it does not fit.
type decValue struct {
	u  int64
	sc int
	r  *big.Rat
}

// parseDecLex parses the xs:decimal lexical form (after whitespace
// trimming): [+-]?(digits(.digits?)?|.digits).
func parseDecLex(s string) (decValue, bool) {
	s = xmlTrimS(s)
	t := s
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	digits, sc, seenDot := 0, 0, false
	var u int64
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if seenDot {
				sc++
			}
			if u < 1e17 {
				u = u*10 + int64(c-'0')
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return decValue{}, false
		}
	}
	if digits == 0 {
		return decValue{}, false
	}
	if digits <= 17 {
		if neg {
			u = -u
		}
		return decValue{u: u, sc: sc}, true
	}
	r := s
	if r[0] == '+' {
		r = r[1:]
	}
	if strings.HasSuffix(r, ".") {
		r += "0"
	}
	if strings.HasPrefix(r, ".") || strings.HasPrefix(r, "-.") {
		r = strings.Replace(r, ".", "0.", 1)
	}
	x, ok := new(big.Rat).SetString(r)
	if !ok {
		return decValue{}, false
	}
	return decValue{r: x}, true
}

func (d decValue) rat() *big.Rat {
	if d.r != nil {
		return d.r
	}
	return new(big.Rat).SetFrac(big.NewInt(d.u), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.sc)), nil))
}

// decimalArg converts an argument as an xs:decimal parameter does.
func decimalArg(v xpath.Seq) (decValue, bool) {
	if len(v) != 1 {
		return decValue{}, false
	}
	switch it := v[0].(type) {
	case xpath.Decimal:
		if u, sc, ok := it.Small(); ok && u > -1e17 && u < 1e17 {
			return decValue{u: u, sc: sc}, true
		}
		// The canonical form of a decimal is exact: decimals are always
		// terminating (parsed, or results of +, -, * and the truncated div).
		return parseDecLex(xpath.StringOf(it))
	case xpath.Integer:
		if it.V == nil {
			return decValue{}, false
		}
		if it.V.IsInt64() {
			if x := it.V.Int64(); x > -1e17 && x < 1e17 {
				return decValue{u: x}, true
			}
		}
		return decValue{r: new(big.Rat).SetInt(it.V)}, true
	case xpath.Double:
		f := float64(it)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return decValue{}, false
		}
		return decValue{r: new(big.Rat).SetFloat64(f)}, true
	case xpath.String, xpath.Untyped, *xpath.Node:
		return parseDecLex(xpath.StringOf(it))
	}
	return decValue{}, false
}

func nativeSlack(args []xpath.Seq) (xpath.Seq, bool) {
	if len(args) != 3 {
		return nil, false
	}
	exp, ok1 := decimalArg(args[0])
	val, ok2 := decimalArg(args[1])
	slack, ok3 := decimalArg(args[2])
	if !ok1 || !ok2 || !ok3 {
		return nil, false
	}
	if exp.r == nil && val.r == nil && slack.r == nil {
		// At a common scale of at most 17 digits, each value below 2⁶¹
		// in magnitude: the sums and differences fit in 64 bits.
		sc := max(exp.sc, val.sc, slack.sc)
		e, ok1 := scaleTo(exp, sc)
		v, ok2 := scaleTo(val, sc)
		s, ok3 := scaleTo(slack, sc)
		if ok1 && ok2 && ok3 {
			return boolResult(e+s >= v && e-s <= v)
		}
	}
	e, v, s := exp.rat(), val.rat(), slack.rat()
	hi := new(big.Rat).Add(e, s)
	lo := new(big.Rat).Sub(e, s)
	return boolResult(hi.Cmp(v) >= 0 && lo.Cmp(v) <= 0)
}

// scaleTo returns d·10^sc (d being small, with scale at most sc), ok false
// unless the result is below 2⁶¹ in magnitude.
func scaleTo(d decValue, sc int) (int64, bool) {
	if sc > 17 || d.sc > sc {
		return 0, false
	}
	p := xpath.Pow10(sc - d.sc)
	const lim = 1 << 61
	if d.u > lim/p || d.u < -lim/p {
		return 0, false
	}
	return d.u * p, true
}
