package folkeregister

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The person document codec. Folkeregisteret's JSON is read leniently and
// written back faithfully:
//
//   - every object type of this package has an Extra field that keeps the
//     members it does not know, verbatim;
//   - a known member whose value does not fit its Go field (an object where
//     a string is expected, an unparseable timestamp, ...) is kept verbatim
//     in Extra too, and the field stays as far as it could be read;
//   - strings also accept numbers and booleans ("foedselsaar": 1924 reads as
//     "1924"), integers also accept strings of digits, booleans also accept
//     "true" and "false";
//   - a slice also accepts a single value (an object where an array is
//     expected), and null is the zero value everywhere;
//   - timestamps are read by [parseTime].
//
// Writing emits the known fields that are not zero, in declaration order,
// then the members of Extra in sorted order; a member of Extra takes the
// place of a known field with the same name.

// errMismatch reports a JSON value that does not fit the Go field.
var errMismatch = errors.New("value does not fit")

var (
	timeType  = reflect.TypeFor[time.Time]()
	rawType   = reflect.TypeFor[json.RawMessage]()
	extraType = reflect.TypeFor[map[string]json.RawMessage]()
)

// fieldInfo describes one JSON member of a struct.
type fieldInfo struct {
	name  string
	index []int // for reflect.Value.FieldByIndex; may pass an embedded struct
}

// structInfo describes the JSON members of a struct type.
type structInfo struct {
	fields []fieldInfo
	byName map[string]int // name -> index in fields
	extra  []int          // index of the Extra field
}

// infos caches structInfo by reflect.Type; like encoding/json's own cache
// it only ever holds facts about the package's types.
var infos sync.Map

func infoOf(t reflect.Type) *structInfo {
	if v, ok := infos.Load(t); ok {
		return v.(*structInfo)
	}
	si := &structInfo{byName: make(map[string]int)}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			idx := append(slices.Clone(prefix), i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if f.Name == "Extra" && f.Type == extraType {
				if si.extra == nil || len(idx) < len(si.extra) {
					si.extra = idx
				}
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			if _, dup := si.byName[name]; dup {
				continue // the shallower one was seen first
			}
			si.byName[name] = len(si.fields)
			si.fields = append(si.fields, fieldInfo{name: name, index: idx})
		}
	}
	walk(t, nil)
	v, _ := infos.LoadOrStore(t, si)
	return v.(*structInfo)
}

// unmarshalObject decodes the JSON object data into the struct *v.
func unmarshalObject(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return errors.New("folkeregister: internal error: unmarshalObject needs a pointer to a struct")
	}
	data = bytes.TrimSpace(data)
	if !json.Valid(data) {
		return &json.SyntaxError{}
	}
	rv.Elem().SetZero()
	switch {
	case isNull(data):
		return nil
	case data[0] != '{':
		return &json.UnmarshalTypeError{Value: jsonKind(data), Type: rv.Elem().Type()}
	}
	return decodeStruct(data, rv.Elem())
}

// decodeStruct decodes the JSON object data (valid JSON) into the struct v.
// Of members that repeat, the last counts.
func decodeStruct(data []byte, v reflect.Value) error {
	si := infoOf(v.Type())
	var extra map[string]json.RawMessage
	keep := func(k string, raw []byte) {
		if si.extra == nil {
			return
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		var b bytes.Buffer
		if json.Compact(&b, raw) != nil {
			b.Reset()
			b.Write(raw)
		}
		extra[k] = b.Bytes()
	}
	err := members(data, func(k string, raw []byte) {
		i, ok := si.byName[k]
		if !ok {
			keep(k, raw)
			return
		}
		f, err := v.FieldByIndexErr(si.fields[i].index)
		if err != nil || decodeValue(raw, f) != nil {
			keep(k, raw)
			return
		}
		delete(extra, k) // an earlier member of the same name
	})
	if err != nil {
		return errMismatch
	}
	if extra != nil {
		v.FieldByIndex(si.extra).Set(reflect.ValueOf(extra))
	}
	return nil
}

// members calls fn with the name and value of each member of the JSON
// object data, which must be valid JSON. The values share data's memory.
func members(data []byte, fn func(name string, value []byte)) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errMismatch
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for i < len(data) {
		if data[i] != '"' {
			return errMismatch
		}
		end := skipString(data, i)
		key := data[i:end]
		var name string
		if bytes.IndexByte(key, '\\') < 0 && utf8.Valid(key) {
			name = string(key[1 : len(key)-1])
		} else if json.Unmarshal(key, &name) != nil {
			return errMismatch
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return errMismatch
		}
		start := skipSpace(data, i+1)
		end = skipValue(data, start)
		if end <= start {
			return errMismatch
		}
		fn(name, data[start:end])
		i = skipSpace(data, end)
		if i >= len(data) {
			return errMismatch
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return nil
		default:
			return errMismatch
		}
	}
	return errMismatch
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the JSON string starting at data[i].
func skipString(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// skipValue returns the index after the JSON value starting at data[i].
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				j = skipString(data, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(data)
	}
	j := i
	for j < len(data) && !strings.ContainsRune(",}] \t\r\n", rune(data[j])) {
		j++
	}
	return j
}

// decoder is implemented by types that read some JSON shapes their own way.
type decoder interface {
	decodeJSON(data []byte) error
}

// encoder is implemented by types that write some values their own way;
// encodeJSON returns false to have the value written as usual.
type encoder interface {
	encodeJSON(b *bytes.Buffer) bool
}

func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }

// decodeValue decodes data (valid JSON) into v, leniently. It returns
// errMismatch if data does not fit; v may then be partly set.
func decodeValue(data []byte, v reflect.Value) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return errMismatch
	}
	if isNull(data) {
		v.SetZero()
		return nil
	}
	if v.CanAddr() {
		if d, ok := v.Addr().Interface().(decoder); ok {
			return d.decodeJSON(data)
		}
	}
	t := v.Type()
	switch {
	case t == timeType:
		var s string
		if data[0] != '"' || json.Unmarshal(data, &s) != nil {
			return errMismatch
		}
		tm, err := parseTime(s)
		if err != nil {
			return errMismatch
		}
		v.Set(reflect.ValueOf(tm))
		return nil
	case t == rawType:
		v.SetBytes(slices.Clone(data))
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		s, ok := scalarText(data)
		if !ok {
			return errMismatch
		}
		v.SetString(s)
	case reflect.Bool:
		switch s, _ := scalarText(data); s {
		case "true", "TRUE", "True":
			v.SetBool(true)
		case "false", "FALSE", "False":
			v.SetBool(false)
		default:
			return errMismatch
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s, ok := scalarText(data)
		if !ok || data[0] == 't' || data[0] == 'f' {
			return errMismatch
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if ferr != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
				return errMismatch
			}
			n = int64(f)
		}
		if v.OverflowInt(n) {
			return errMismatch
		}
		v.SetInt(n)
	case reflect.Struct:
		if data[0] != '{' {
			return errMismatch
		}
		v.SetZero()
		return decodeStruct(data, v)
	case reflect.Pointer:
		if t.Elem().Kind() != reflect.Struct {
			return errMismatch
		}
		p := reflect.New(t.Elem())
		if err := decodeValue(data, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Slice:
		var elems [][]byte
		if data[0] == '[' {
			var ok bool
			if elems, ok = elements(data); !ok {
				return errMismatch
			}
		} else {
			elems = [][]byte{data} // a single value where an array belongs
		}
		s := reflect.MakeSlice(t, 0, len(elems))
		var mismatch bool
		for _, e := range elems {
			ev := reflect.New(t.Elem()).Elem()
			if err := decodeValue(e, ev); err != nil {
				mismatch = true
				continue
			}
			s = reflect.Append(s, ev)
		}
		if s.Len() > 0 {
			v.Set(s)
		} else {
			v.SetZero()
		}
		if mismatch {
			return errMismatch
		}
	default:
		return errMismatch
	}
	return nil
}

// elements returns the elements of the JSON array data (valid JSON).
func elements(data []byte) ([][]byte, bool) {
	i := skipSpace(data, 1)
	if i < len(data) && data[i] == ']' {
		return nil, true
	}
	var out [][]byte
	for i < len(data) {
		end := skipValue(data, i)
		if end <= i {
			return nil, false
		}
		out = append(out, data[i:end])
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return out, true
		default:
			return nil, false
		}
	}
	return nil, false
}

// scalarText returns the text of a JSON string, number or boolean.
func scalarText(data []byte) (string, bool) {
	switch c := data[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return "", false
		}
		return s, true
	case c == '-' || '0' <= c && c <= '9', c == 't', c == 'f':
		return string(data), true
	}
	return "", false
}

func isNull(data []byte) bool { return string(data) == "null" }

func jsonKind(data []byte) string {
	switch data[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// marshalObject encodes the struct v (or pointer to one) as described above.
func marshalObject(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return []byte("null"), nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil, errors.New("folkeregister: internal error: marshalObject needs a struct")
	}
	var b bytes.Buffer
	encodeValue(&b, rv)
	return b.Bytes(), nil
}

func encodeStruct(b *bytes.Buffer, v reflect.Value) {
	si := infoOf(v.Type())
	var extra map[string]json.RawMessage
	if si.extra != nil {
		extra = v.FieldByIndex(si.extra).Interface().(map[string]json.RawMessage)
	}
	b.WriteByte('{')
	first := true
	sep := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		encodeString(b, name)
		b.WriteByte(':')
	}
	for _, fi := range si.fields {
		if _, ok := extra[fi.name]; ok {
			continue
		}
		f, err := v.FieldByIndexErr(fi.index)
		if err != nil || isEmpty(f) {
			continue
		}
		sep(fi.name)
		encodeValue(b, f)
	}
	keys := make([]string, 0, len(extra))
	for k, raw := range extra {
		if json.Valid(raw) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		sep(k)
		b.Write(extra[k])
	}
	b.WriteByte('}')
}

// isEmpty reports whether v is omitted when encoding.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return v.IsZero()
}

func encodeValue(b *bytes.Buffer, v reflect.Value) {
	t := v.Type()
	if t.Kind() == reflect.Struct && v.CanInterface() {
		if e, ok := v.Interface().(encoder); ok && e.encodeJSON(b) {
			return
		}
	}
	switch {
	case t == timeType:
		b.WriteByte('"')
		b.WriteString(v.Interface().(time.Time).Format(time.RFC3339Nano))
		b.WriteByte('"')
		return
	case t == rawType:
		if raw := v.Bytes(); json.Valid(raw) {
			b.Write(raw)
		} else {
			b.WriteString("null")
		}
		return
	}
	switch t.Kind() {
	case reflect.String:
		encodeString(b, v.String())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Struct:
		encodeStruct(b, v)
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		encodeValue(b, v.Elem())
	case reflect.Slice:
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			encodeValue(b, v.Index(i))
		}
		b.WriteByte(']')
	default:
		b.WriteString("null")
	}
}

// encodeString writes s as a JSON string without HTML escaping; invalid
// UTF-8 becomes U+FFFD.
func encodeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString("\uFFFD")
		case r == '\u2028' || r == '\u2029':
			b.WriteString(`\u202`)
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}

// parseTime reads a Folkeregisteret timestamp. It accepts RFC 3339 with any
// number of fractional digits ("2019-06-05T09:33:23+02:00",
// "2022-03-11T09:14:09.688953+01:00", "2014-01-02T00:00:00Z"), offsets
// written +0200 or +02, a space instead of the T, and, as UTC, a timestamp
// without an offset or a bare date ("2019-05-31").
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	for _, layout := range [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999Z07",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04",
		time.DateOnly,
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("folkeregister: unrecognised timestamp")
}
