package xmlsafe

import "encoding/xml"

// Handler receives a document's elements and text from [WalkHandler],
// without the boxing and copying of [xml.Token]s.
//
// Names are as written (prefix in Space, not resolved), as in encoding/xml's
// RawToken; end tags have been checked to match. Strings may be kept
// (unless the Handler is a [Copier]); the attr slice is only valid during
// the call. Comments, processing instructions and the XML declaration are
// not passed on.
type Handler interface {
	// StartElement receives a start tag (a self-closing tag is followed by
	// its EndElement).
	StartElement(name xml.Name, attr []xml.Attr) error
	// EndElement receives an end tag.
	EndElement(name xml.Name) error
	// CharData receives a run of text with its references decoded (CDATA
	// sections included). Adjacent runs may come in several calls.
	CharData(s string) error
	// Reset discards everything received so far: the walk starts over
	// from the beginning of the document.
	Reset()
}

// Copier is a [Handler] that copies every string it keeps (names, attribute
// values, text) before its call returns, and keeps none of them once
// [WalkHandler] has returned. WalkHandler may then hand it strings that
// point into the document's bytes instead of into a copy of the whole
// document made up front, which for a large document is most of what a
// walk allocates.
type Copier interface {
	Handler
	// CopiesStrings only marks the Handler; it is not called.
	CopiesStrings()
}

// WalkHandler is [Walk] handing the document's content to h instead of
// tokens to a function; the checks, and so the errors, are exactly those of
// [Walk]. If a check fails, WalkHandler returns its *Error and the caller
// must discard what h built; if h returns an error, WalkHandler stops and
// returns it.
//
// Plain documents are tokenized, checked and handed to h in one pass. If
// the fast tokenizer gives up, a check fails or h returns an error there,
// h is Reset and the document is walked again on the encoding/xml path,
// which yields the verdict. A nil h makes WalkHandler [Check].
func WalkHandler(data []byte, lim Limits, h Handler) error {
	if h == nil {
		return Check(data, lim)
	}
	lim = lim.withDefaults()
	data, base, err := precheck(data, lim)
	if err != nil {
		return err
	}
	if !forceSlow && plain(data) {
		if walkFastHandler(data, lim, h) {
			return nil
		}
		h.Reset()
	}
	c := checker{lim: lim, base: base, onToken: func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			return h.StartElement(t.Name, t.Attr)
		case xml.EndElement:
			return h.EndElement(t.Name)
		case xml.CharData:
			return h.CharData(string(t))
		}
		return nil
	}}
	return c.run(data)
}

// walkFastHandler is the one-pass fast path of [WalkHandler] over data,
// which has no BOM, is valid UTF-8 and is [plain]. It reports whether the
// whole document passed; if not, h has received a prefix of the document
// (or nothing) and the caller must start over.
func walkFastHandler(data []byte, lim Limits, h Handler) bool {
	// For a Copier, the strings h receives alias data, which must not
	// change until WalkHandler returns (as for every walk): h copies what
	// it keeps, and the checker's strings are gone when this returns.
	_, copier := h.(Copier)
	z := newFastTokenizer(data, copier)
	c := checker{lim: lim, seen: make(map[xml.Name]struct{})}
	for {
		c.off = int64(z.pos)
		z.open = c.stack
		k, name := z.next()
		if k == fastEOF {
			break
		}
		// c.count without the error it would build: here any failure
		// just sends the document to the slow path.
		c.tokens++
		if k == fastBail || c.tokens > c.lim.MaxTokens {
			return false
		}
		var err error
		switch k {
		case fastStart:
			if err = c.startRoot(xml.StartElement{Name: name, Attr: z.attr}); err == nil {
				err = h.StartElement(name, z.attr)
			}
		case fastEnd:
			if err = c.end(xml.EndElement{Name: name}); err == nil {
				err = h.EndElement(name)
			}
		case fastText:
			if err = c.text(z.textBytes()); err == nil {
				err = h.CharData(z.textString())
			}
		case fastProcInst:
			err = c.procInst(xml.ProcInst{Target: "xml", Inst: z.textBytes()})
		}
		if err != nil {
			return false
		}
	}
	return c.finish() == nil
}
