package main

import (
	"context"
	"errors"
	"io"
)

// runKRR is not built yet.
func runKRR(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("not implemented yet")
}
