package xmlsafe

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// recorder is a Handler that writes what it receives as text.
type recorder struct {
	b      strings.Builder
	resets int
	failAt int // return an error at this call (1-based), if > 0
	calls  int
}

var errRecorder = errors.New("recorder: stop")

func (r *recorder) call() error {
	r.calls++
	if r.failAt > 0 && r.calls == r.failAt {
		return errRecorder
	}
	return nil
}

func (r *recorder) StartElement(name xml.Name, attr []xml.Attr) error {
	fmt.Fprintf(&r.b, "<%q %q", name.Space, name.Local)
	for _, a := range attr {
		fmt.Fprintf(&r.b, " %q:%q=%q", a.Name.Space, a.Name.Local, a.Value)
	}
	r.b.WriteString(">")
	return r.call()
}

func (r *recorder) EndElement(name xml.Name) error {
	fmt.Fprintf(&r.b, "</%q %q>", name.Space, name.Local)
	return r.call()
}

func (r *recorder) CharData(s string) error {
	fmt.Fprintf(&r.b, "%q", s)
	return r.call()
}

func (r *recorder) Reset() {
	r.b.Reset()
	r.resets++
	r.calls = 0
}

// viaWalk records what Walk hands out, in the recorder's terms.
func viaWalk(data []byte, lim Limits, slow bool, failAt int) (string, error) {
	defer func(old bool) { forceSlow = old }(forceSlow)
	forceSlow = slow
	r := &recorder{failAt: failAt}
	err := Walk(data, lim, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			return r.StartElement(t.Name, t.Attr)
		case xml.EndElement:
			return r.EndElement(t.Name)
		case xml.CharData:
			return r.CharData(string(t))
		}
		return nil
	})
	return r.b.String(), err
}

func viaHandler(data []byte, lim Limits, slow bool, failAt int) (string, error) {
	defer func(old bool) { forceSlow = old }(forceSlow)
	forceSlow = slow
	r := &recorder{failAt: failAt}
	err := WalkHandler(data, lim, r)
	return r.b.String(), err
}

// sameHandler fails t unless WalkHandler (fast or forced slow) gives what
// Walk gives.
func sameHandler(t testing.TB, name string, data []byte, lim Limits) {
	t.Helper()
	want, wantErr := viaWalk(data, lim, false, 0)
	for _, slow := range []bool{false, true} {
		got, err := viaHandler(data, lim, slow, 0)
		if !sameError(err, wantErr) {
			t.Fatalf("%s (slow %v): error %#v, Walk's %#v", name, slow, err, wantErr)
		}
		if err == nil && got != want {
			t.Fatalf("%s (slow %v): got\n%s\nWalk gave\n%s", name, slow, got, want)
		}
	}
}

func TestWalkHandlerAgrees(t *testing.T) {
	eachTestDocument(func(name string, doc []byte, lim Limits) { sameHandler(t, name, doc, lim) })
	files := xmlFiles(t)
	for p, data := range files {
		sameHandler(t, p, data, Limits{})
	}
}

// TestWalkHandlerError: an error from the handler on the fast path makes
// WalkHandler Reset and start over on the slow path, which returns it.
func TestWalkHandlerError(t *testing.T) {
	doc := []byte(`<a x="1"><b>t</b></a>`)
	r := &recorder{failAt: 3}
	if err := WalkHandler(doc, Limits{}, r); err != errRecorder {
		t.Fatalf("WalkHandler = %v, want the handler's error", err)
	}
	if r.resets != 1 {
		t.Fatalf("%d resets, want 1", r.resets)
	}
	// A fast-path bail after some calls also resets.
	r = &recorder{}
	if err := WalkHandler([]byte(`<a><b>&unknown;</b></a>`), Limits{}, r); !errors.Is(err, ErrMalformed) {
		t.Fatalf("WalkHandler = %v, want malformed", err)
	}
	if r.resets != 1 {
		t.Fatalf("%d resets, want 1", r.resets)
	}
	// A plain valid document: one pass, no reset.
	r = &recorder{}
	if err := WalkHandler(doc, Limits{}, r); err != nil || r.resets != 0 {
		t.Fatalf("WalkHandler = %v, %d resets", err, r.resets)
	}
}

func FuzzWalkHandlerAgrees(f *testing.F) {
	for _, doc := range valid {
		f.Add([]byte(doc))
	}
	for _, doc := range fastCases {
		f.Add([]byte(doc))
	}
	n := 0
	for _, data := range xmlFiles(f) {
		if len(data) > 16<<10 || n >= 20 {
			continue
		}
		n++
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameHandler(t, "fuzz", data, Limits{})
		sameHandler(t, "fuzz small", data, Limits{MaxDepth: 8, MaxAttributes: 4, MaxTokens: 200})
	})
}
