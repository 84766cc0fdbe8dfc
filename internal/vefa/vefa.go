// Package vefa reads the unit-test files of the official e-invoice rule
// suites (the vefa-validator "testSet" format of CEN EN 16931 and Peppol BIS
// Billing 3.0) and applies their expectation semantics: a test-set assert is
// merged into every test; with scopes, only in-scope rules count; success X
// means X must not fire; error/fatal/warning X [number N] means X fires
// exactly N times (default 1) with that flag. It serves the conformance
// tests; see ../../../shared/conformance/README.md.
package vefa

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// NS is the namespace of the vefa testSet format.
const NS = "http://difi.no/xsd/vefa/validator/1.0"

const sharedDir = "../../../shared"

type vCount struct {
	Number string `xml:"number,attr"`
	ID     string `xml:",chardata"`
}

type vAssert struct {
	Scope   []string `xml:"scope"`
	Success []string `xml:"success"`
	Error   []vCount `xml:"error"`
	Fatal   []vCount `xml:"fatal"`
	Warning []vCount `xml:"warning"`
}

type vTest struct {
	Assert []vAssert `xml:"assert"`
}

type vSet struct {
	Assert []vAssert `xml:"assert"`
	Tests  []vTest   `xml:"test"`
}

// Test is one test of a vefa testSet: its expectations (set-level ones
// merged in) and the payload document as standalone XML.
type Test struct {
	Scopes, Successes map[string]bool // rule ids
	Errors, Warnings  map[string]int  // rule id -> expected count
	Payload           []byte          // the document under test, nil if none
}

func addCounts(m map[string]int, cs []vCount) error {
	for _, c := range cs {
		n := 1
		if s := strings.TrimSpace(c.Number); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil {
				return err
			}
			n = v
		}
		m[strings.TrimSpace(c.ID)] += n
	}
	return nil
}

// ReadTestSet parses a vefa unit-test file.
func ReadTestSet(data []byte) ([]Test, error) {
	var set vSet
	if err := xml.Unmarshal(data, &set); err != nil {
		return nil, err
	}
	payloads, err := extractPayloads(data)
	if err != nil {
		return nil, err
	}
	if len(payloads) != len(set.Tests) {
		return nil, fmt.Errorf("%d tests but %d payload slots", len(set.Tests), len(payloads))
	}
	var out []Test
	for i, t := range set.Tests {
		u := Test{Scopes: map[string]bool{}, Successes: map[string]bool{}, Errors: map[string]int{}, Warnings: map[string]int{}, Payload: payloads[i]}
		for _, as := range [][]vAssert{t.Assert, set.Assert} {
			for _, a := range as {
				for _, s := range a.Scope {
					u.Scopes[strings.TrimSpace(s)] = true
				}
				for _, s := range a.Success {
					u.Successes[strings.TrimSpace(s)] = true
				}
				for _, cs := range [][]vCount{a.Error, a.Fatal} {
					if err := addCounts(u.Errors, cs); err != nil {
						return nil, err
					}
				}
				if err := addCounts(u.Warnings, a.Warning); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// extractPayloads returns, for each testSet/test, the raw bytes of its first
// child element outside the vefa namespace (nil if none), with the namespace
// declarations in scope from its ancestors added to its start tag.
func extractPayloads(data []byte) ([][]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	type frame struct {
		ns map[string]string // declarations on this element
	}
	var stack []frame
	lookup := func(prefix string) (string, bool) {
		for i := len(stack) - 1; i >= 0; i-- {
			if u, ok := stack[i].ns[prefix]; ok {
				return u, true
			}
		}
		return "", false
	}
	var out [][]byte
	inTest := false
	have := false
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			ns := map[string]string{}
			for _, a := range t.Attr {
				if a.Name.Space == "" && a.Name.Local == "xmlns" {
					ns[""] = a.Value
				} else if a.Name.Space == "xmlns" {
					ns[a.Name.Local] = a.Value
				}
			}
			depth := len(stack) + 1
			if depth == 2 && t.Name.Local == "test" {
				inTest, have = true, false
				out = append(out, nil)
			}
			if depth == 3 && inTest && !have {
				uri, ok := ns[t.Name.Space]
				if !ok {
					uri, _ = lookup(t.Name.Space)
				}
				if uri != NS {
					// Collect in-scope declarations not redeclared here.
					extra := map[string]string{}
					for i := 0; i < len(stack); i++ {
						for p, u := range stack[i].ns {
							extra[p] = u
						}
					}
					for depth := 1; depth > 0; {
						tok, err := d.RawToken()
						if err != nil {
							return nil, err
						}
						switch tok.(type) {
						case xml.StartElement:
							depth++
						case xml.EndElement:
							depth--
						}
					}
					raw := data[start:d.InputOffset()]
					var keys []string
					for p := range extra {
						if _, ok := ns[p]; !ok {
							keys = append(keys, p)
						}
					}
					sort.Strings(keys)
					var decl strings.Builder
					for _, p := range keys {
						if p == "" {
							fmt.Fprintf(&decl, " xmlns=%q", extra[p])
						} else {
							fmt.Fprintf(&decl, " xmlns:%s=%q", p, extra[p])
						}
					}
					name := t.Name.Local
					if t.Name.Space != "" {
						name = t.Name.Space + ":" + name
					}
					cut := 1 + len(name) // "<" + name
					buf := append([]byte{}, raw[:cut]...)
					buf = append(buf, decl.String()...)
					buf = append(buf, raw[cut:]...)
					out[len(out)-1] = buf
					have = true
					continue // Skip consumed the end element
				}
			}
			stack = append(stack, frame{ns: ns})
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if len(stack) == 1 {
				inTest = false
			}
		}
	}
	return out, nil
}

// Fired is one firing of a rule, as a validator reports it.
type Fired struct {
	Rule string
	Flag string // "warning", or anything else for an error ("fatal")
}

// Check applies the vefa expectation semantics to what fired and returns
// the problems; the test passes when there are none.
func (u *Test) Check(fs []Fired) []string {
	var problems []string
	gotErr, gotWarn := map[string]int{}, map[string]int{}
	for _, f := range fs {
		if len(u.Scopes) > 0 && !u.Scopes[f.Rule] {
			continue
		}
		if u.Successes[f.Rule] {
			problems = append(problems, f.Rule+" fired but expected success")
			continue
		}
		if f.Flag == "warning" {
			gotWarn[f.Rule]++
		} else {
			gotErr[f.Rule]++
		}
	}
	cmp := func(kind string, want, got map[string]int) {
		keys := map[string]bool{}
		for k := range want {
			keys[k] = true
		}
		for k := range got {
			keys[k] = true
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			if want[k] != got[k] {
				problems = append(problems, fmt.Sprintf("%s %s expected %d got %d", k, kind, want[k], got[k]))
			}
		}
	}
	cmp("error", u.Errors, gotErr)
	cmp("warning", u.Warnings, gotWarn)
	return problems
}

// Named is a test with its name, "file.xml#n" (1-based).
type Named struct {
	Name string
	Test
}

// ReadFiles reads the unit-test files at paths, in order.
func ReadFiles(paths []string) ([]Named, error) {
	var out []Named
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		tests, err := ReadTestSet(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		for i, t := range tests {
			out = append(out, Named{Name: fmt.Sprintf("%s#%d", filepath.Base(p), i+1), Test: t})
		}
	}
	return out, nil
}
