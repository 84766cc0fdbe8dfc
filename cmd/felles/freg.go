package main

import (
	"context"
	"errors"
	"io"
)

// runFreg is not built yet.
func runFreg(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("not implemented yet")
}
