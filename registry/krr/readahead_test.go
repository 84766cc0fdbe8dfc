package krr_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fellesgo/felles/registry/krr"
)

// TestLookupSeqBoundedReadAhead: invalid and repeated identifiers count
// toward a batch's span, so a long run of them is yielded as it is read
// instead of piling up until MaxBatchSize valid ones arrive.
func TestLookupSeqBoundedReadAhead(t *testing.T) {
	for _, tc := range []struct {
		name string
		fill string
	}{
		{"invalid", "not-a-number"},
		{"repeated", sampleID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const runLen = 10000
			valid := validIDs(5)
			f := newFake(t)
			c := f.client(t, krr.WithMaxConcurrency(2))
			pulled := 0
			src := func(yield func(string) bool) {
				for range runLen {
					pulled++
					if !yield(tc.fill) {
						return
					}
				}
				for _, s := range valid {
					pulled++
					if !yield(s) {
						return
					}
				}
			}
			i := 0
			for p, err := range c.LookupSeq(context.Background(), src) {
				if i == 0 && pulled > 2*2*krr.MaxBatchSize {
					t.Errorf("%d identifiers read before the first result; want at most 2 batches of %d", pulled, 2*krr.MaxBatchSize)
				}
				switch {
				case i < runLen && tc.fill == sampleID:
					if err != nil || p.ID.Digits() != sampleID {
						t.Fatalf("result %d: %v, %v", i, p.ID, err)
					}
				case i < runLen:
					var ie *krr.InvalidIDError
					if !errors.As(err, &ie) || ie.Index != i {
						t.Fatalf("result %d: %v", i, err)
					}
				default:
					if err != nil || p.ID.Digits() != valid[i-runLen] {
						t.Fatalf("result %d: %v, %v", i, p.ID, err)
					}
				}
				i++
			}
			if i != runLen+len(valid) {
				t.Errorf("%d results for %d ids", i, runLen+len(valid))
			}
		})
	}
}

// TestFieldErrorRedacted: FieldError's text passes what it quotes through
// the redaction, whatever the underlying error.
func TestFieldErrorRedacted(t *testing.T) {
	err := &krr.FieldError{Field: "reservasjon_oppdatert", Err: errors.New(`unrecognised timestamp "` + sampleID + `"`)}
	if msg := err.Error(); strings.Contains(msg, sampleID) || !strings.Contains(msg, "reservasjon_oppdatert") {
		t.Errorf("Error() = %q", msg)
	}
}
