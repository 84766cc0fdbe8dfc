package pades

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// refNesting is the byte-at-a-time form of nestingChecker.feed (as first
// written), kept as the reference for the fast one.
type refNesting struct {
	nestingChecker
	win [32]byte
}

func (c *refNesting) tail(s string) bool { return string(c.win[len(c.win)-len(s):]) == s }

func (c *refNesting) feed(p []byte) error {
	for _, b := range p {
		copy(c.win[:], c.win[1:])
		c.win[len(c.win)-1] = b
		switch {
		case c.inStream:
			if b == 'm' && c.tail("endstream") || b == 'j' && isObjHeader(c.win[:]) || b == 'r' && c.tail("trailer") {
				c.inStream = false
			}
		case c.comment:
			if b == '\n' || b == '\r' {
				c.comment = false
			}
		case c.str > 0:
			switch {
			case c.esc:
				c.esc = false
			case b == '\\':
				c.esc = true
			case b == '(':
				c.str++
			case b == ')':
				c.str--
			}
		default:
			close := false
			switch b {
			case '%':
				c.comment = true
			case '(':
				c.str = 1
			case '[':
				c.depth++
			case ']':
				if c.depth > 0 {
					c.depth--
				}
			case '<':
				if c.prev == '<' {
					c.depth++
					b = 0
				}
			case '>':
				if c.prev == '>' {
					if c.depth > 0 {
						c.depth--
					}
					b = 0
					close = c.depth == 0
				}
			case 'm':
				if c.afterClose && c.tail("stream") {
					c.inStream = true
				}
			}
			switch {
			case close:
				c.afterClose = true
			case b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\f' || b == 0 || b == '>':
			case bytes.IndexByte([]byte("stream"), b) >= 0:
			default:
				c.afterClose = false
			}
			if c.depth > maxNesting {
				return ErrMalformed
			}
		}
		c.prev = b
	}
	return nil
}

// The fast checker (IndexByte over stream data, look-back instead of a
// sliding window) agrees with the byte-at-a-time one on random PDF-like
// input fed in random pieces.
func TestNestingCheckerAgrees(t *testing.T) {
	tokens := []string{"[", "]", "<<", ">>", "<", ">", "(", ")", "\\", "%", "\n", "\r", " ", "stream", "stream\n", "endstream",
		"endobj", "obj", "trailer", "12 0 obj", " 7 0 obj", "0", "1", "  ", "3 obj", "0obj", "/Upstream", "m", "j", "r", "x", "12 0 R", "\x00", "str", "eam", "7 +0 obj", "7 0 %c\nobj", "-"}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 3000 {
		var doc []byte
		for range rng.IntN(400) {
			doc = append(doc, tokens[rng.IntN(len(tokens))]...)
		}
		var fast nestingChecker
		var ref refNesting
		var ferr, rerr error
		for rest := doc; len(rest) > 0 && ferr == nil && rerr == nil; {
			k := min(len(rest), 1+rng.IntN(20))
			ferr, rerr = fast.feed(rest[:k]), ref.feed(rest[:k])
			rest = rest[k:]
			got, want := fast, ref.nestingChecker
			got.win, want.win = [32]byte{}, [32]byte{}
			if got != want || (ferr == nil) != (rerr == nil) {
				t.Fatalf("case %d: after %q: fast %+v (%v), reference %+v (%v)", n, doc[:len(doc)-len(rest)], got, ferr, want, rerr)
			}
		}
	}
}

// Stream data is skipped even where it happens to hold "obj" (half of all
// 10 MB compressed streams do): only an object header ends it. Before, the
// brackets after a bare "obj" in a content stream counted as nesting and
// the PDF was refused as malformed.
func TestStreamDataWithObjIsSkipped(t *testing.T) {
	in := genPDF([]string{"obj" + strings.Repeat("[", 3*maxNesting)}, 0)
	rep := verifyBytes(t, signBytes(t, in))
	if !rep.Valid() {
		t.Fatalf("not valid: %+v", rep.Signatures)
	}
	// An object header in the data does end the skipping (the reader
	// starts objects there), so nesting after it still counts.
	in = genPDF([]string{"\n7 0 obj\n" + strings.Repeat("[", 3*maxNesting)}, 0)
	if _, err := Verify(context.Background(), bytes.NewReader(in), int64(len(in)), VerifyOptions{}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("nesting after an object header in stream data: %v, want ErrMalformed", err)
	}
}

// The reader's object header is three tokens, so a comment may stand
// between them and the generation may carry a sign: such a header in
// stream data ends the skipping too (else nesting after it, which the
// reader parses when the xref points there, went unchecked).
func TestObjHeaderLikeTheReader(t *testing.T) {
	for _, h := range []string{"7 0 obj", "7 0 %c\nobj", "7 0%c\r\nobj", "7 %c\n0 obj", "7%c\n0 obj", "7 +0 obj", "7 -0 obj",
		"7 0 % a comment longer than the look-back window\nobj"} {
		in := genPDF([]string{"\n" + h + "\n" + strings.Repeat("[", 3*maxNesting)}, 0)
		if _, err := Verify(context.Background(), bytes.NewReader(in), int64(len(in)), VerifyOptions{}); !errors.Is(err, ErrMalformed) {
			t.Errorf("nesting after %q in stream data: %v, want ErrMalformed", h, err)
		}
		var c nestingChecker
		c.inStream = true
		doc := []byte("x\n" + h + strings.Repeat("[", 3*maxNesting))
		for k := 0; k < len(doc) && c.inStream; k += 3 {
			c.feed(doc[k:min(k+3, len(doc))])
		}
		if c.inStream {
			t.Errorf("%q fed in pieces did not end stream data", h)
		}
	}
	for _, h := range []string{"x0 obj", "7-0 obj", "(7 0) obj", "7 0 xobj"} {
		if isObjHeader([]byte(h)) {
			t.Errorf("isObjHeader(%q) = true", h)
		}
	}
}
