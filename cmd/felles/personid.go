package main

import (
	"context"
	"errors"
	"io"
)

// runPersonID is not built yet.
func runPersonID(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("not implemented yet")
}
