package folkeregister

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

func addTestdata(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzPersonDocument: reading any input never panics, and what was read
// is written back as a fixed point of reading and writing.
func FuzzPersonDocument(f *testing.F) {
	addTestdata(f, "person_oppslag.json", "person_spec.json", "vegadresse.json")
	for _, s := range []string{
		`{}`, `null`, `{"navn": {"fornavn": 1}}`, `{"foedsel": [{"foedselsaar": 1924, "erGjeldende": "true"}]}`,
		`{"bostedsadresse": [{"grunnkrets": "12", "matrikkeladresse": {"matrikkelnummer": {"gaardsnummer": 1.0}}}]}`,
		`{"postadresse": [{"postadresseIFrittFormat": {"poststed": "OSLO", "adresselinje": "A"}}]}`,
		`{"status": [{"gyldighetstidspunkt": "2019-06-05T09:33:23+02"}], "x": [1, {"y": null}]}`,
		`{"navn": [{"fornavn": "\u2028\ud800"}]}`, `{"kjoenn": [null, {"kjoenn": null}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Person
		if err := p.UnmarshalJSON(data); err != nil {
			return
		}
		out, err := p.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("MarshalJSON wrote invalid JSON: %s", out)
		}
		var again Person
		if err := again.UnmarshalJSON(out); err != nil {
			t.Fatalf("re-reading %s: %v", out, err)
		}
		out2, _ := again.MarshalJSON()
		if !bytes.Equal(out, out2) {
			t.Fatalf("not a fixed point:\n%s\n%s", out, out2)
		}
		// The helpers cope with whatever was read.
		p.CurrentName()
		p.IsDead()
		p.BirthDate()
		p.ID()
		if a, ok := p.CurrentAddress(); ok {
			a.Lines()
		}
		History(p.Bostedsadresse)
	})
}

// FuzzFeed: reading any feed page never panics, and a page read is in
// strictly ascending order of sequence number.
func FuzzFeed(f *testing.F) {
	addTestdata(f, "feed_spec.json", "feed_hendelsesliste.json")
	for _, s := range []string{
		`[]`, `null`, `[{"sekvensnummer": "2"}, {"sekvensnummer": 1, "hendelse": null}]`,
		`[{"sekvensnummer": 1e3}]`, `[{"sekvensnummer": 1, "hendelse": {"folkeregisteridentifikator": "69028400470", "hendelsestype": "x"}}]`,
		`[{"sekvensnummer": 9223372036854775807}]`, `[{"sekvensnummer": {"a": 1}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		events, err := decodeFeed(data)
		if err != nil {
			return
		}
		if !slices.IsSortedFunc(events, func(a, b Event) int { return cmpInt(a.Sequence, b.Sequence) }) {
			t.Fatalf("not sorted: %v", events)
		}
		for i := 1; i < len(events); i++ {
			if events[i].Sequence == events[i-1].Sequence {
				t.Fatalf("sequence %d twice", events[i].Sequence)
			}
		}
		for _, e := range events {
			if e.Sequence < 0 {
				t.Fatalf("negative sequence %d", e.Sequence)
			}
		}
		decodeEventDocument(data)
	})
}

func TestParseTime(t *testing.T) {
	for _, s := range []string{
		"2019-06-05T09:33:23+02:00", "2022-03-11T09:14:09.688953+01:00", "2014-01-02T00:00:00Z",
		"2017-06-20T09:26:03.689+02:00", "2019-06-05T09:33:23+0200", "2019-06-05T09:33:23+02",
		"2019-06-05 09:33:23+02:00", "2019-06-05T09:33:23", "2019-06-05T09:33:23.123456789", "2019-06-05",
		"2019-06-05T09:33+02:00",
	} {
		if _, err := parseTime(s); err != nil {
			t.Errorf("parseTime(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "yesterday", "2019-13-05", "05.06.2019"} {
		if _, err := parseTime(s); err == nil {
			t.Errorf("parseTime(%q) succeeded", s)
		}
	}
}

// TestEveryTypeHasJSONMethods: each object type reachable from Person
// reads and writes itself leniently, as Person does (jsonmethods.go keeps
// the list).
func TestEveryTypeHasJSONMethods(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || rt == timeType || seen[rt] {
			return
		}
		seen[rt] = true
		if rt != reflect.TypeFor[Metadata]() {
			if !rt.Implements(reflect.TypeFor[json.Marshaler]()) || !reflect.PointerTo(rt).Implements(reflect.TypeFor[json.Unmarshaler]()) {
				t.Errorf("%s lacks MarshalJSON or UnmarshalJSON", rt.Name())
			}
			if f, ok := rt.FieldByName("Extra"); !ok || f.Type != extraType {
				t.Errorf("%s has no Extra field", rt.Name())
			}
		}
		for i := range rt.NumField() {
			walk(rt.Field(i).Type)
		}
	}
	walk(reflect.TypeFor[Person]())
	if len(seen) < 40 {
		t.Errorf("only %d types reached", len(seen))
	}
}

// FuzzMembers checks the object and array splitters against
// encoding/json.
func FuzzMembers(f *testing.F) {
	addTestdata(f, "person_oppslag.json", "bulk.json", "feed_hendelsesliste.json")
	for _, s := range []string{`{}`, `{"a":1,"b":[1,{"c":"}"}],"d":"\"\\","e":null}`, `[1, "]", [], {}]`, ` { "k\u00e5" : true } `, "{\"\xff\xfe\":1,\"\xff\":2}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		trimmed := bytes.TrimSpace(data)
		switch trimmed[0] {
		case '{':
			var want map[string]json.RawMessage
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			got := map[string]json.RawMessage{}
			if err := members(data, func(k string, v []byte) { got[k] = v }); err != nil {
				t.Fatalf("members: %v", err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d members, encoding/json %d", len(got), len(want))
			}
			for k, w := range want {
				if g, ok := got[k]; !ok || !bytes.Equal(bytes.TrimSpace(g), bytes.TrimSpace(w)) {
					t.Fatalf("member %q: %q, encoding/json %q", k, g, w)
				}
			}
		case '[':
			var want []json.RawMessage
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			got, ok := elements(trimmed)
			if !ok || len(got) != len(want) {
				t.Fatalf("%d elements (%v), encoding/json %d", len(got), ok, len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i], bytes.TrimSpace(want[i])) {
					t.Fatalf("element %d: %q, encoding/json %q", i, got[i], want[i])
				}
			}
		}
	})
}
