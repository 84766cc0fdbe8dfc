package einvoice

import (
	"context"

	"github.com/fellesgo/felles/internal/xpath"
)

// ParseForBench exposes the validator's parse step (safety checks and tree
// build) to the benchmarks.
func ParseForBench(v *Validator, data []byte) (*xpath.Document, error) { return v.parse(data) }

// RunForBench exposes the validator's rule step alone, on a tree from
// ParseForBench, to the benchmarks.
func RunForBench(v *Validator, doc *xpath.Document) (*Report, error) {
	return v.run(context.Background(), doc, nil)
}
