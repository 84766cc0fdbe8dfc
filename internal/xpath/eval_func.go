package xpath

import (
	"math"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

type builtin struct {
	min, max int // arity; max -1 = variadic
	fn       func(ev *evaluator, c dctx, args []Seq) (Seq, error)
}

var builtins map[string]builtin

func init() {
	builtins = map[string]builtin{
		"not":     {1, 1, fnNot},
		"boolean": {1, 1, fnBoolean},
		"true":    {0, 0, func(*evaluator, dctx, []Seq) (Seq, error) { return boolSeq(true), nil }},
		"false":   {0, 0, func(*evaluator, dctx, []Seq) (Seq, error) { return boolSeq(false), nil }},
		"exists":  {1, 1, func(_ *evaluator, _ dctx, a []Seq) (Seq, error) { return boolSeq(len(a[0]) > 0), nil }},
		"empty":   {1, 1, func(_ *evaluator, _ dctx, a []Seq) (Seq, error) { return boolSeq(len(a[0]) == 0), nil }},
		"count":   {1, 1, func(ev *evaluator, _ dctx, a []Seq) (Seq, error) { return ev.one(newInt(int64(len(a[0])))), nil }},
		"position": {0, 0, func(_ *evaluator, c dctx, _ []Seq) (Seq, error) {
			if c.item == nil {
				return nil, errf(ErrDynamic, "XPDY0002", "position(): no context")
			}
			return Seq{newInt(int64(c.pos))}, nil
		}},
		"last": {0, 0, func(_ *evaluator, c dctx, _ []Seq) (Seq, error) {
			if c.item == nil {
				return nil, errf(ErrDynamic, "XPDY0002", "last(): no context")
			}
			return Seq{newInt(int64(c.size))}, nil
		}},
		"sum":             {1, 2, fnSum},
		"number":          {0, 1, fnNumber},
		"round":           {1, 1, fnRound},
		"abs":             {1, 1, fnAbs},
		"floor":           {1, 1, fnFloorCeil(false)},
		"ceiling":         {1, 1, fnFloorCeil(true)},
		"string":          {0, 1, fnString},
		"string-length":   {0, 1, fnStringLength},
		"normalize-space": {0, 1, fnNormalizeSpace},
		"upper-case":      {1, 1, strFn(upperCase)},
		"lower-case":      {1, 1, strFn(strings.ToLower)},
		"concat":          {2, -1, fnConcat},
		"contains":        {2, 2, str2Fn(func(a, b string) Item { return Boolean(strings.Contains(a, b)) })},
		"starts-with":     {2, 2, str2Fn(func(a, b string) Item { return Boolean(strings.HasPrefix(a, b)) })},
		"ends-with":       {2, 2, str2Fn(func(a, b string) Item { return Boolean(strings.HasSuffix(a, b)) })},
		"substring-before": {2, 2, str2Fn(func(a, b string) Item {
			i := strings.Index(a, b)
			if i < 0 {
				return String("")
			}
			return String(a[:i])
		})},
		"substring-after": {2, 2, str2Fn(func(a, b string) Item {
			i := strings.Index(a, b)
			if i < 0 {
				return String("")
			}
			return String(a[i+len(b):])
		})},
		"substring":       {2, 3, fnSubstring},
		"translate":       {3, 3, fnTranslate},
		"matches":         {2, 3, fnMatches},
		"distinct-values": {1, 1, fnDistinctValues},
		"string-join":     {2, 2, fnStringJoin},
		"reverse": {1, 1, func(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
			out := make(Seq, len(a[0]))
			for i, it := range a[0] {
				out[len(out)-1-i] = it
			}
			return out, nil
		}},
		"tokenize":             {2, 3, fnTokenize},
		"replace":              {3, 4, fnReplace},
		"string-to-codepoints": {1, 1, fnStringToCodepoints},
		"codepoints-to-string": {1, 1, fnCodepointsToString},
		"local-name":           {0, 1, fnName(false)},
		"name":                 {0, 1, fnName(true)},
	}
}

// lookupFunc resolves a function call to a builtin, constructor or extension.
func (ev *evaluator) lookupFunc(f *FuncCall) (func(c dctx, args []Seq) (Seq, error), error) {
	uri := FnNS
	if f.Name.Prefix != "" {
		u, ok := ev.resolve(f.Name.Prefix)
		if !ok {
			return nil, errf(ErrUnboundPrefix, "XPST0081", "prefix %q is not bound", f.Name.Prefix)
		}
		uri = u
	}
	arity := len(f.Args)
	unknown := func() error {
		return errf(ErrUnknownFunction, "XPST0017", "unknown function %s#%d", f.Name, arity)
	}
	switch uri {
	case FnNS:
		b, ok := builtins[f.Name.Local]
		if !ok || arity < b.min || (b.max >= 0 && arity > b.max) {
			return nil, unknown()
		}
		return func(c dctx, a []Seq) (Seq, error) { return b.fn(ev, c, a) }, nil
	case XSNS:
		if !constructors[f.Name.Local] || arity != 1 {
			return nil, unknown()
		}
		return func(_ dctx, a []Seq) (Seq, error) { return ev.construct(f.Name.Local, a[0]) }, nil
	}
	if fn, ok := ev.env.Functions["{"+uri+"}"+f.Name.Local]; ok {
		return func(c dctx, a []Seq) (Seq, error) { return fn(c.item, a) }, nil
	}
	return nil, unknown()
}

func (ev *evaluator) call(f *FuncCall, c dctx) (Seq, error) {
	if f.folded {
		return f.val, nil
	}
	if len(f.Args) == 1 && (f.Name.Prefix == "" || f.Name.Prefix == "fn") {
		switch f.Name.Local {
		case "not", "boolean":
			if f.bi != nil { // the builtin: its value is the operand's EBV
				b, err := ev.ebv(f.Args[0], c)
				if err != nil {
					return nil, err
				}
				return boolSeq(b != (f.Name.Local == "not")), nil
			}
		}
		switch f.Name.Local {
		case "not", "boolean", "exists", "empty":
			// On a node path these only ask whether a node exists.
			if found, ok, err := ev.anyPath(f.Args[0], c); ok {
				if err != nil {
					return nil, err
				}
				if f.Name.Local == "not" || f.Name.Local == "empty" {
					found = !found
				}
				return boolSeq(found), nil
			}
		}
	}
	if f.bi != nil { // prepared call of a builtin
		return ev.withArgs(f, c, func(args []Seq) (Seq, error) { return f.bi.fn(ev, c, args) })
	}
	var ext Function
	if f.extKey != "" {
		ext = ev.env.Functions[f.extKey]
	}
	if f.ctor != "" { // prepared call of a constructor
		return ev.withArgs(f, c, func(args []Seq) (Seq, error) { return ev.construct(f.ctor, args[0]) })
	}
	if ext != nil { // prepared call of an extension function
		// Extension functions may keep their arguments: give them their
		// own slice.
		return ev.withArgs(f, c, func(args []Seq) (Seq, error) { return ext(c.item, slices.Clone(args)) })
	}
	args := make([]Seq, len(f.Args))
	fn, err := ev.lookupFunc(f)
	if err != nil {
		return nil, err
	}
	for i, a := range f.Args {
		if args[i], err = ev.eval(a, c); err != nil {
			return nil, err
		}
	}
	return fn(c, args)
}

// withArgs evaluates f's arguments onto the evaluator's stack, rather than
// into a new slice per call, and calls do with them; do must not keep the
// slice.
func (ev *evaluator) withArgs(f *FuncCall, c dctx, do func(args []Seq) (Seq, error)) (Seq, error) {
	base := len(ev.args)
	for range f.Args {
		ev.args = append(ev.args, nil)
	}
	args := ev.args[base:len(ev.args):len(ev.args)]
	var res Seq
	var err error
	for i, a := range f.Args {
		if args[i], err = ev.eval(a, c); err != nil {
			break
		}
	}
	if err == nil {
		res, err = do(args)
	}
	clear(args)
	ev.args = ev.args[:base]
	return res, err
}

// constructors are the xs: constructor functions supported.
var constructors = map[string]bool{
	"string": true, "decimal": true, "integer": true, "double": true, "date": true, "boolean": true, "untypedAtomic": true,
}

// construct is the xs: constructor function of type typ applied to arg.
func (ev *evaluator) construct(typ string, arg Seq) (Seq, error) {
	var it Item
	if len(arg) == 1 {
		if n, ok := arg[0].(*Node); ok {
			// A node's typed value is untypedAtomic: cast its string.
			v, err := castString(n.StringValue(), typ, func() Item { return Untyped(n.StringValue()) })
			if err != nil {
				return nil, err
			}
			return ev.one(v), nil
		} else {
			it = arg[0]
		}
	} else {
		s := Atomize(arg)
		if len(s) == 0 {
			return nil, nil
		}
		if len(s) > 1 {
			return nil, typeErr("xs:%s(): more than one item", typ)
		}
		it = s[0]
	}
	v, err := castTo(it, typ)
	if err != nil {
		return nil, err
	}
	return ev.one(v), nil
}

// ---- helpers ----

// contextOrArg returns args[0] or the context item when there are no args.
func contextOrArg(c dctx, args []Seq, name string) (Seq, error) {
	if len(args) > 0 {
		return args[0], nil
	}
	if c.item == nil {
		return nil, errf(ErrDynamic, "XPDY0002", "%s(): context item is undefined", name)
	}
	return Seq{c.item}, nil
}

// optString converts an xs:string? argument ("" for the empty sequence).
func optString(s Seq, name string) (string, error) {
	s = Atomize(s)
	switch len(s) {
	case 0:
		return "", nil
	case 1:
		switch s[0].(type) {
		case String, Untyped:
			return StringOf(s[0]), nil
		}
		return "", typeErr("%s(): expected xs:string, got %s", name, typeName(s[0]))
	}
	return "", typeErr("%s(): expected at most one item, got %d", name, len(s))
}

func strFn(f func(string) string) func(*evaluator, dctx, []Seq) (Seq, error) {
	return func(ev *evaluator, _ dctx, a []Seq) (Seq, error) {
		s, err := optString(a[0], "string function")
		if err != nil {
			return nil, err
		}
		return ev.one(String(f(s))), nil
	}
}

func str2Fn(f func(a, b string) Item) func(*evaluator, dctx, []Seq) (Seq, error) {
	return func(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
		x, err := optString(a[0], "string function")
		if err != nil {
			return nil, err
		}
		y, err := optString(a[1], "string function")
		if err != nil {
			return nil, err
		}
		if b, ok := f(x, y).(Boolean); ok {
			return boolSeq(bool(b)), nil
		}
		return Seq{f(x, y)}, nil
	}
}

// upperCase is strings.ToUpper plus the full mapping of ß (as Java/Saxon).
func upperCase(s string) string {
	return strings.ToUpper(strings.ReplaceAll(s, "ß", "SS"))
}

// ---- functions ----

func fnNot(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	b, err := EBV(a[0])
	return boolSeq(!b), err
}

func fnBoolean(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	b, err := EBV(a[0])
	return boolSeq(b), err
}

// stringArg is fn:string of the argument, or of the context item.
func stringArg(c dctx, a []Seq) (string, error) {
	s, err := contextOrArg(c, a, "string")
	if err != nil {
		return "", err
	}
	if len(s) == 0 {
		return "", nil
	}
	if len(s) > 1 {
		return "", typeErr("string(): more than one item")
	}
	return StringOf(s[0]), nil
}

var seqEmptyString = Seq{String("")}

func fnString(ev *evaluator, c dctx, a []Seq) (Seq, error) {
	s, err := stringArg(c, a)
	if err != nil {
		return nil, err
	}
	if s == "" {
		return seqEmptyString, nil
	}
	return ev.one(String(s)), nil
}

func fnStringLength(ev *evaluator, c dctx, a []Seq) (Seq, error) {
	s, err := stringArg(c, a)
	if err != nil {
		return nil, err
	}
	return ev.one(newInt(int64(utf8.RuneCountInString(s)))), nil
}

func fnNormalizeSpace(ev *evaluator, c dctx, a []Seq) (Seq, error) {
	s, err := stringArg(c, a)
	if err != nil {
		return nil, err
	}
	if s = normalizeString(s); s == "" {
		return seqEmptyString, nil
	}
	return ev.one(String(s)), nil
}

// isNormalized reports whether normalize-space would return s unchanged: no
// XML whitespace but single spaces between other characters.
func isNormalized(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\t', '\n', '\r':
			return false
		case ' ':
			if i == 0 || i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		}
	}
	return true
}

func fnConcat(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	var b strings.Builder
	for _, s := range a {
		s = Atomize(s)
		if len(s) > 1 {
			return nil, typeErr("concat(): argument with more than one item")
		}
		if len(s) == 1 {
			b.WriteString(StringOf(s[0]))
		}
	}
	return Seq{String(b.String())}, nil
}

func fnSubstring(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	s, err := optString(a[0], "substring")
	if err != nil {
		return nil, err
	}
	num := func(x Seq) (float64, error) {
		v, err := singleNumeric(x, "substring")
		if err != nil {
			return 0, err
		}
		if v == nil {
			return 0, typeErr("substring(): empty numeric argument")
		}
		return xpathRound(float64(toDouble(v))), nil
	}
	start, err := num(a[1])
	if err != nil {
		return nil, err
	}
	end := math.Inf(1)
	if len(a) == 3 {
		l, err := num(a[2])
		if err != nil {
			return nil, err
		}
		end = start + l
	}
	var b strings.Builder
	p := 1.0
	for _, r := range s {
		if p >= start && p < end {
			b.WriteRune(r)
		}
		p++
	}
	return Seq{String(b.String())}, nil
}

func fnTranslate(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	s, err := optString(a[0], "translate")
	if err != nil {
		return nil, err
	}
	from, err := optString(a[1], "translate")
	if err != nil {
		return nil, err
	}
	to, err := optString(a[2], "translate")
	if err != nil {
		return nil, err
	}
	fr, tr := []rune(from), []rune(to)
	m := map[rune]int{}
	for i, r := range fr {
		if _, ok := m[r]; !ok {
			m[r] = i
		}
	}
	var b strings.Builder
	for _, r := range s {
		i, ok := m[r]
		switch {
		case !ok:
			b.WriteRune(r)
		case i < len(tr):
			b.WriteRune(tr[i])
		}
	}
	return Seq{String(b.String())}, nil
}

func xpathRound(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	return math.Floor(f + 0.5)
}

func fnNumber(_ *evaluator, c dctx, a []Seq) (Seq, error) {
	s, err := contextOrArg(c, a, "number")
	if err != nil {
		return nil, err
	}
	s = Atomize(s)
	if len(s) != 1 {
		if len(s) > 1 {
			return nil, typeErr("number(): more than one item")
		}
		return Seq{Double(math.NaN())}, nil
	}
	v, err := castTo(s[0], "double")
	if err != nil {
		return Seq{Double(math.NaN())}, nil
	}
	return Seq{v}, nil
}

func fnRound(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	v, err := singleNumeric(a[0], "round")
	if err != nil || v == nil {
		return nil, err
	}
	switch x := v.(type) {
	case Integer:
		return Seq{x}, nil
	case Decimal:
		return Seq{decRound(x)}, nil
	case Double:
		f := float64(x)
		if f < 0 && f >= -0.5 {
			return Seq{Double(math.Copysign(0, -1))}, nil
		}
		return Seq{Double(xpathRound(f))}, nil
	}
	return nil, typeErr("round()")
}

func ratFloor(r *big.Rat) *big.Int {
	q, _ := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int)) // Euclidean = floor (denominator > 0)
	return q
}

func fnFloorCeil(ceil bool) func(*evaluator, dctx, []Seq) (Seq, error) {
	return func(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
		v, err := singleNumeric(a[0], "floor/ceiling")
		if err != nil || v == nil {
			return nil, err
		}
		switch x := v.(type) {
		case Integer:
			return Seq{x}, nil
		case Decimal:
			return Seq{decFloorCeil(x, ceil)}, nil
		case Double:
			if ceil {
				return Seq{Double(math.Ceil(float64(x)))}, nil
			}
			return Seq{Double(math.Floor(float64(x)))}, nil
		}
		return nil, typeErr("floor/ceiling")
	}
}

func fnAbs(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	v, err := singleNumeric(a[0], "abs")
	if err != nil || v == nil {
		return nil, err
	}
	switch x := v.(type) {
	case Integer:
		return Seq{Integer{new(big.Int).Abs(x.V)}}, nil
	case Decimal:
		return Seq{decAbs(x)}, nil
	case Double:
		return Seq{Double(math.Abs(float64(x)))}, nil
	}
	return nil, typeErr("abs()")
}

func fnSum(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	s := Atomize(a[0])
	if len(s) == 0 {
		if len(a) == 2 {
			return a[1], nil
		}
		return Seq{newInt(0)}, nil
	}
	var acc Item
	for _, it := range s {
		if u, ok := it.(Untyped); ok {
			d, err := castTo(u, "double")
			if err != nil {
				return nil, err
			}
			it = d
		}
		if !isNumeric(it) {
			return nil, errf(ErrType, "FORG0006", "sum(): %s is not numeric", typeName(it))
		}
		if acc == nil {
			acc = it
			continue
		}
		var err error
		if acc, err = arith("+", acc, it); err != nil {
			return nil, err
		}
	}
	return Seq{acc}, nil
}

func fnDistinctValues(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	var out Seq
	for _, it := range Atomize(a[0]) {
		if u, ok := it.(Untyped); ok {
			it = String(u)
		}
		dup := false
		for _, o := range out {
			eq, err := compareValues("eq", it, o)
			if (err == nil && eq) || (isNaN(it) && isNaN(o)) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, it)
		}
	}
	return out, nil
}

func fnStringJoin(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	sep, err := optString(a[1], "string-join")
	if err != nil {
		return nil, err
	}
	var parts []string
	for _, it := range Atomize(a[0]) {
		parts = append(parts, StringOf(it))
	}
	return Seq{String(strings.Join(parts, sep))}, nil
}

func fnName(prefixed bool) func(*evaluator, dctx, []Seq) (Seq, error) {
	return func(_ *evaluator, c dctx, a []Seq) (Seq, error) {
		s, err := contextOrArg(c, a, "name")
		if err != nil {
			return nil, err
		}
		if len(s) == 0 {
			return Seq{String("")}, nil
		}
		n, ok := s[0].(*Node)
		if len(s) > 1 || !ok {
			return nil, typeErr("name(): expected one node")
		}
		if prefixed && n.Prefix != "" {
			return Seq{String(n.Prefix + ":" + n.Local)}, nil
		}
		return Seq{String(n.Local)}, nil
	}
}

// ---- regular expressions ----

var regexCache sync.Map // string -> *regexp.Regexp or error

func fnMatches(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	s, err := optString(a[0], "matches")
	if err != nil {
		return nil, err
	}
	pat, err := optString(a[1], "matches")
	if err != nil {
		return nil, err
	}
	flags := ""
	if len(a) == 3 {
		if flags, err = optString(a[2], "matches"); err != nil {
			return nil, err
		}
	}
	re, err := compileXSDRegex(pat, flags)
	if err != nil {
		return nil, err
	}
	return boolSeq(re.MatchString(s)), nil
}

func compileXSDRegex(pat, flags string) (*regexp.Regexp, error) {
	key := flags + "\x00" + pat
	if v, ok := regexCache.Load(key); ok {
		if re, ok := v.(*regexp.Regexp); ok {
			return re, nil
		}
		return nil, v.(error)
	}
	re, err := translateRegex(pat, flags)
	if err != nil {
		regexCache.Store(key, err)
		return nil, err
	}
	regexCache.Store(key, re)
	return re, nil
}

// translateRegex converts an XSD/F&O regular expression to Go RE2 syntax:
// \d → \p{Nd}, \s → XML whitespace, \w/\W per XSD; \i \c, back-references
// and class subtraction are rejected (FORX0002).
func translateRegex(pat, flags string) (*regexp.Regexp, error) {
	bad := func(msg string) error { return errf(ErrDynamic, "FORX0002", "invalid regex %q: %s", pat, msg) }
	var b strings.Builder
	for _, f := range flags {
		switch f {
		case 'i', 'm', 's':
		default:
			return nil, errf(ErrDynamic, "FORX0001", "unsupported regex flag %q", f)
		}
	}
	if flags != "" {
		b.WriteString("(?" + flags + ")")
	}
	inClass := false
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\' && i+1 < len(rs):
			i++
			e := rs[i]
			switch e {
			case 'd':
				b.WriteString(`\p{Nd}`)
			case 'D':
				if inClass {
					return nil, bad(`\D inside a character class`)
				}
				b.WriteString(`\P{Nd}`)
			case 's':
				if inClass {
					b.WriteString(`\x20\t\n\r`)
				} else {
					b.WriteString(`[\x20\t\n\r]`)
				}
			case 'S':
				if inClass {
					return nil, bad(`\S inside a character class`)
				}
				b.WriteString(`[^\x20\t\n\r]`)
			case 'w', 'W':
				if inClass {
					return nil, bad(`\w inside a character class`)
				}
				if e == 'w' {
					b.WriteString(`[^\p{P}\p{Z}\p{C}]`)
				} else {
					b.WriteString(`[\p{P}\p{Z}\p{C}]`)
				}
			case 'i', 'I', 'c', 'C':
				return nil, bad(`\i and \c are not supported`)
			case 'p', 'P':
				b.WriteRune('\\')
				b.WriteRune(e)
			default:
				if e >= '0' && e <= '9' {
					return nil, bad("back-references are not supported")
				}
				b.WriteRune('\\')
				b.WriteRune(e)
			}
		case r == '[' && !inClass:
			inClass = true
			b.WriteRune(r)
			if i+1 < len(rs) && rs[i+1] == '^' {
				i++
				b.WriteRune('^')
			}
		case r == '[' && inClass:
			return nil, bad("nested classes / class subtraction are not supported")
		case r == ']' && inClass:
			inClass = false
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, bad(err.Error())
	}
	return re, nil
}

// regexArgs reads input, pattern and the optional flags at index fi.
func regexArgs(a []Seq, fi int, name string) (string, *regexp.Regexp, error) {
	s, err := optString(a[0], name)
	if err != nil {
		return "", nil, err
	}
	pat, err := optString(a[1], name)
	if err != nil {
		return "", nil, err
	}
	flags := ""
	if len(a) > fi {
		if flags, err = optString(a[fi], name); err != nil {
			return "", nil, err
		}
	}
	re, err := compileXSDRegex(pat, flags)
	if err != nil {
		return "", nil, err
	}
	if re.MatchString("") {
		return "", nil, errf(ErrDynamic, "FORX0003", "%s(): regex %q matches the empty string", name, pat)
	}
	return s, re, nil
}

func fnTokenize(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	s, re, err := regexArgs(a, 2, "tokenize")
	if err != nil || s == "" {
		return nil, err
	}
	var out Seq
	for _, p := range re.Split(s, -1) {
		out = append(out, String(p))
	}
	return out, nil
}

func fnReplace(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	s, re, err := regexArgs(a, 3, "replace")
	if err != nil {
		return nil, err
	}
	rep, err := optString(a[2], "replace")
	if err != nil {
		return nil, err
	}
	// XPath replacement syntax ($N, \$, \\) to Go template syntax.
	var b strings.Builder
	rs := []rune(rep)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\' && i+1 < len(rs) && (rs[i+1] == '\\' || rs[i+1] == '$'):
			i++
			if rs[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteRune('\\')
			}
		case r == '$' && i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9':
			i++
			b.WriteString("${" + string(rs[i]) + "}")
		case r == '$' || r == '\\':
			return nil, errf(ErrDynamic, "FORX0004", "invalid replacement string %q", rep)
		default:
			b.WriteRune(r)
		}
	}
	return Seq{String(re.ReplaceAllString(s, b.String()))}, nil
}

func fnStringToCodepoints(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	s, err := optString(a[0], "string-to-codepoints")
	if err != nil {
		return nil, err
	}
	var out Seq
	for _, r := range s {
		out = append(out, newInt(int64(r)))
	}
	return out, nil
}

func fnCodepointsToString(_ *evaluator, _ dctx, a []Seq) (Seq, error) {
	var b strings.Builder
	for _, it := range Atomize(a[0]) {
		if u, ok := it.(Untyped); ok {
			x, err := castTo(u, "integer")
			if err != nil {
				return nil, err
			}
			it = x
		}
		i, ok := it.(Integer)
		if !ok {
			return nil, typeErr("codepoints-to-string(): %s is not an integer", typeName(it))
		}
		if !i.V.IsInt64() || !isXMLChar(i.V.Int64()) {
			return nil, errf(ErrDynamic, "FOCH0001", "codepoint %s is not a valid XML character", i.V)
		}
		b.WriteRune(rune(i.V.Int64()))
	}
	return Seq{String(b.String())}, nil
}

func isXMLChar(c int64) bool {
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
		(c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF)
}
