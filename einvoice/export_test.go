package einvoice

import "github.com/fellesgo/felles/internal/xpath"

// ParseForBench exposes the validator's parse step (safety checks and tree
// build) to the benchmarks.
func ParseForBench(v *Validator, data []byte) (*xpath.Document, error) { return v.parse(data) }
