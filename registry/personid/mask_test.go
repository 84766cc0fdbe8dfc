package personid_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/fellesgo/felles/registry/personid"
)

const (
	fnr       = "23079421936"
	fnrMasked = "230794*****"
	cpr       = "0707614285"
	cprMasked = "070761-****"
)

// leaks reports whether out shows the personnummer part of a number: the
// last five digits of fnr or the last four of cpr, right after the date.
func leaks(out string) bool {
	return strings.Contains(out, fnr[6:]) || strings.Contains(out, fnr) ||
		strings.Contains(out, cpr[6:]) || strings.Contains(out, cpr)
}

func testNumbers(t *testing.T) (personid.Number, personid.CPR) {
	t.Helper()
	n, err := personid.Parse(fnr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := personid.ParseCPR(cpr)
	if err != nil {
		t.Fatal(err)
	}
	return n, c
}

func TestMaskFmt(t *testing.T) {
	n, c := testNumbers(t)
	verbs := []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%o", "%b", "%e", "%t", "%c", "%U", "%20v", "%-20s|", "%.3s", "%08d", "% x", "%#x"}
	for _, verb := range verbs {
		for _, arg := range []any{n, &n, c, &c} {
			out := fmt.Sprintf(verb, arg)
			if leaks(out) {
				t.Errorf("Sprintf(%q, %T) = %q shows the number", verb, arg, out)
			}
		}
	}
	for verb, want := range map[string]string{
		"%v": fnrMasked, "%+v": fnrMasked, "%#v": fnrMasked, "%s": fnrMasked, "%d": fnrMasked,
		"%q": `"` + fnrMasked + `"`, "%13s": "  " + fnrMasked, "%-12v|": fnrMasked + " |",
	} {
		if got := fmt.Sprintf(verb, n); got != want {
			t.Errorf("Sprintf(%q) = %q, want %q", verb, got, want)
		}
	}
	if got := fmt.Sprintf("%v %q", c, c); got != cprMasked+` "`+cprMasked+`"` {
		t.Errorf("CPR: %q", got)
	}
	if got := fmt.Sprint(n, c); got != fnrMasked+" "+cprMasked {
		t.Errorf("Sprint = %q", got)
	}
}

// person has a Number in an exported and an unexported field. fmt cannot
// call methods on unexported fields and prints them bare.
type person struct {
	ID      personid.Number
	CPR     personid.CPR
	Name    string
	private personid.Number
	privDK  personid.CPR
	IDs     []personid.Number
	ByID    map[personid.Number]string
	Ptr     *personid.Number
}

func TestMaskStructs(t *testing.T) {
	n, c := testNumbers(t)
	p := person{ID: n, CPR: c, Name: "Kari", private: n, privDK: c, IDs: []personid.Number{n, n}, ByID: map[personid.Number]string{n: "x"}, Ptr: &n}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
		for _, arg := range []any{p, &p, []person{p}, map[string]person{"k": p}} {
			out := fmt.Sprintf(verb, arg)
			if leaks(out) {
				t.Errorf("Sprintf(%q, %T) = %s shows the number", verb, arg, out)
			}
		}
	}
	if out := fmt.Sprintf("%+v", p); !strings.Contains(out, "ID:"+fnrMasked) || !strings.Contains(out, "CPR:"+cprMasked) {
		t.Errorf("%%+v = %s; want the exported fields masked", out)
	}
}

func TestMaskSlog(t *testing.T) {
	n, c := testNumbers(t)
	p := person{ID: n, CPR: c, Name: "Kari", private: n}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{
		slog.NewJSONHandler(&buf, nil),
		slog.NewTextHandler(&buf, nil),
	} {
		l := slog.New(h)
		l.Info("lookup", "id", n, "cpr", c, "ptr", &n, "person", p, slog.Group("g", "id", n), slog.Any("ids", []personid.Number{n}))
		l.With("id", n).Warn("again", "cpr", &c)
		l.Error("failed", "err", fmt.Errorf("wrap: %w", parseErr(t)))
	}
	out := buf.String()
	if leaks(out) {
		t.Errorf("slog output shows the number:\n%s", out)
	}
	if !strings.Contains(out, `"id":"`+fnrMasked+`"`) || !strings.Contains(out, "id="+fnrMasked) ||
		!strings.Contains(out, `"cpr":"`+cprMasked+`"`) || !strings.Contains(out, "cpr="+cprMasked) {
		t.Errorf("slog output lacks the masked numbers:\n%s", out)
	}
}

func parseErr(t *testing.T) error {
	t.Helper()
	_, err := personid.Parse(fnr[:10] + "7") // wrong second check digit
	if err == nil {
		t.Fatal("no error")
	}
	return err
}

func TestMaskJSON(t *testing.T) {
	n, c := testNumbers(t)
	p := person{ID: n, CPR: c, Name: "Kari", private: n, IDs: []personid.Number{n}, ByID: map[personid.Number]string{n: "x"}, Ptr: &n}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ID":"230794*****","CPR":"070761-****","Name":"Kari","IDs":["230794*****"],"ByID":{"230794*****":"x"},"Ptr":"230794*****"}`
	if string(b) != want {
		t.Errorf("json.Marshal = %s\nwant %s", b, want)
	}
	if b, _ := json.Marshal(struct{ A, B any }{personid.Number{}, personid.CPR{}}); string(b) != `{"A":"","B":""}` {
		t.Errorf("zero values marshal as %s", b)
	}
	if b, _ := n.MarshalText(); string(b) != fnrMasked {
		t.Errorf("MarshalText = %s", b)
	}
	if b, _ := c.MarshalText(); string(b) != cprMasked {
		t.Errorf("MarshalText = %s", b)
	}
}

func TestUnmarshal(t *testing.T) {
	n, c := testNumbers(t)
	var got struct {
		ID  personid.Number
		CPR personid.CPR
		Key map[personid.Number]int
	}
	in := `{"ID":"` + fnr + `","CPR":"070761-4285","Key":{"` + fnr + `":1}}`
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != n || got.CPR != c || got.Key[n] != 1 {
		t.Errorf("Unmarshal = %+v", got)
	}
	// null leaves the value; "" is the zero value.
	if err := json.Unmarshal([]byte(`{"ID":null,"CPR":null}`), &got); err != nil || got.ID != n || got.CPR != c {
		t.Errorf("null: %v %v", got, err)
	}
	if err := json.Unmarshal([]byte(`{"ID":"","CPR":""}`), &got); err != nil || !got.ID.IsZero() || !got.CPR.IsZero() {
		t.Errorf(`"": %v %v`, got, err)
	}
	// A masked value does not unmarshal: marshalling is one-way.
	b, _ := json.Marshal(n)
	if err := json.Unmarshal(b, &got.ID); err == nil {
		t.Error("a masked number unmarshalled")
	}
	for _, bad := range []string{
		`{"ID":23079421936}`, `{"ID":"23079421937"}`, `{"ID":true}`, `{"CPR":707614285}`, `{"CPR":"3207614285"}`,
		`{"ID":["23079421936"]}`,
	} {
		err := json.Unmarshal([]byte(bad), &got)
		if err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
			continue
		}
		if strings.Contains(err.Error(), "3079421936") || strings.Contains(err.Error(), "07614285") {
			t.Errorf("Unmarshal(%s): error %q shows the number", bad, err)
		}
	}
	var pe *personid.ParseError
	if err := n.UnmarshalJSON([]byte("23079421936")); !errors.As(err, &pe) || pe.Reason != "not a JSON string" || pe.Input != "230794*****" {
		t.Errorf("UnmarshalJSON(number) = %v", err)
	}
	var z personid.Number
	if err := z.UnmarshalText([]byte(" 230794 21936 ")); err != nil || z != n {
		t.Errorf("UnmarshalText = %v, %v", z, err)
	}
}

func TestParseErrorMasks(t *testing.T) {
	cases := []struct{ in, input string }{
		{"23079421937", "230794*****"},
		{"  230794 21937 ", "230794******"},
		{"2307942193", "230794****"},
		{"12", "12"},
		{"ID: 23079421936 and more text here", "ID: 23**************"},
		{"øøøøøøøø", "øøøøøø**"},
	}
	for _, tc := range cases {
		_, err := personid.Parse(tc.in)
		var pe *personid.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("Parse(%q) = %v", tc.in, err)
		}
		if pe.Input != tc.input {
			t.Errorf("Parse(%q): Input %q, want %q", tc.in, pe.Input, tc.input)
		}
		if leaks(err.Error()) {
			t.Errorf("Parse(%q): %q shows the number", tc.in, err)
		}
	}
	_, err := personid.ParseCPR("0707614285x")
	if err == nil || leaks(err.Error()) || !strings.Contains(err.Error(), `"070761*****"`) {
		t.Errorf("ParseCPR error %v", err)
	}
	if got := parseErr(t).Error(); got != `personid: invalid number "230794*****": wrong second check digit` {
		t.Errorf("Error() = %q", got)
	}
}
