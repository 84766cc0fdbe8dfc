package vefa

import "testing"

func TestExtractPayloads(t *testing.T) {
	set := `<testSet xmlns="` + NS + `" xmlns:cbc="urn:cbc">
  <assert><scope>R</scope></assert>
  <test><assert><error number="2">R</error></assert><Invoice xmlns="urn:inv"><cbc:ID>1</cbc:ID></Invoice></test>
  <test><assert><success>R</success></assert></test>
</testSet>`
	ts, err := ReadTestSet([]byte(set))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[1].Payload != nil || !ts[0].Scopes["R"] || ts[0].Errors["R"] != 2 || !ts[1].Successes["R"] {
		t.Fatalf("%+v", ts)
	}
	want := `<Invoice xmlns:cbc="urn:cbc" xmlns="urn:inv"><cbc:ID>1</cbc:ID></Invoice>`
	if string(ts[0].Payload) != want {
		t.Errorf("payload %s\nwant    %s", ts[0].Payload, want)
	}
}

func TestCheck(t *testing.T) {
	u := Test{Scopes: map[string]bool{"A": true, "B": true}, Successes: map[string]bool{"B": true}, Errors: map[string]int{"A": 2}, Warnings: map[string]int{}}
	if p := u.Check([]Fired{{"A", "fatal"}, {"A", "fatal"}, {"C", "fatal"}}); len(p) != 0 {
		t.Errorf("out-of-scope rule counted: %v", p)
	}
	if p := u.Check([]Fired{{"A", "fatal"}}); len(p) != 1 {
		t.Errorf("wrong count not reported: %v", p)
	}
	if p := u.Check([]Fired{{"A", "fatal"}, {"A", "warning"}}); len(p) != 2 {
		t.Errorf("flag mismatch not reported: %v", p)
	}
	if p := u.Check([]Fired{{"A", "fatal"}, {"A", "fatal"}, {"B", "warning"}}); len(p) != 1 {
		t.Errorf("success violation not reported: %v", p)
	}
}
