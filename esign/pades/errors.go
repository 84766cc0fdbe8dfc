package pades

import (
	"errors"
	"fmt"
)

// ErrMalformed is returned (wrapped) when a PDF cannot be parsed.
var ErrMalformed = errors.New("pades: malformed PDF")

// ErrEncrypted is returned when asked to sign or timestamp an encrypted
// PDF.
var ErrEncrypted = errors.New("pades: encrypted PDFs are not supported")

// SizeError reports an input larger than the configured limit
// (see [WithMaxSize] and [VerifyOptions.MaxSize]).
type SizeError struct {
	Size, Limit int64
}

// Error reports the size and the limit.
func (e *SizeError) Error() string {
	return fmt.Sprintf("pades: PDF of %d bytes exceeds the limit of %d bytes", e.Size, e.Limit)
}

// ErrContentsTooSmall is returned when the CMS or timestamp token does not
// fit the space reserved with [WithContentsSize].
var ErrContentsTooSmall = errors.New("pades: signature does not fit the reserved /Contents space")

// ErrFieldName is returned when [WithFieldName] names a field that exists.
var ErrFieldName = errors.New("pades: field name already in use")

// ErrTooManySignatures is returned by [Verify] for a PDF with more
// signature dictionaries than it checks (see [MaxSignatures]).
var ErrTooManySignatures = errors.New("pades: too many signatures")

// MaxSignatures is the largest number of signature dictionaries [Verify]
// checks in one PDF.
const MaxSignatures = 100
