package einvoice

import (
	"errors"
	"fmt"

	"github.com/fellesgo/felles/internal/xmlsafe"
)

// Sentinels for the reasons an input is refused before any rule or model
// sees it; match them with errors.Is on an *[XMLError].
var (
	ErrDOCTYPE   = errors.New("einvoice: document has a DOCTYPE or entity declaration")
	ErrTooLarge  = errors.New("einvoice: document too large")
	ErrTooDeep   = errors.New("einvoice: document nested too deeply")
	ErrMalformed = errors.New("einvoice: document is not acceptable XML")
)

// XMLError reports input refused as XML: a DOCTYPE or entity declaration
// (never processed), over the size or nesting limit, or not well-formed
// (including invalid UTF-8, duplicate attributes, too many attributes or
// tokens). Its text quotes at most a few dozen bytes of the input.
type XMLError struct {
	Reason string // short description, e.g. "DOCTYPE", "too large", "not well-formed"
	Line   int    // 1-based line of the problem, or 0
	Column int    // 1-based byte column, or 0
	Detail string
	err    error // one of the sentinels
}

func (e *XMLError) Error() string {
	s := "einvoice: refused XML: " + e.Reason
	if e.Line > 0 {
		s += fmt.Sprintf(" at line %d, column %d", e.Line, e.Column)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel: ErrDOCTYPE, ErrTooLarge, ErrTooDeep or
// ErrMalformed.
func (e *XMLError) Unwrap() error { return e.err }

func newXMLError(err error) error {
	var xe *xmlsafe.Error
	if !errors.As(err, &xe) {
		return &XMLError{Reason: "not well-formed", Detail: err.Error(), err: ErrMalformed}
	}
	out := &XMLError{Reason: xe.Reason.String(), Line: xe.Line, Column: xe.Column, Detail: xe.Detail, err: ErrMalformed}
	switch xe.Reason {
	case xmlsafe.DOCTYPE, xmlsafe.Entity:
		out.err = ErrDOCTYPE
	case xmlsafe.TooLarge:
		out.err = ErrTooLarge
	case xmlsafe.TooDeep:
		out.err = ErrTooDeep
	}
	return out
}
