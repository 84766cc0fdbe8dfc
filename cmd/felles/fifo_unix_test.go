//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A named pipe as input is read once, through the file opened: opening it
// again would wait for a second writer (and closing it first loses what
// the first one sent).
func TestOpenInputNamedPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "in.pdf")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip(err)
	}
	want := minimalPDF()
	go func() {
		if w, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			w.Write(want)
			w.Close()
		}
	}()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		in, size, closeIn, err := openInput(p, maxSignInput)
		if err != nil {
			done <- result{nil, err}
			return
		}
		defer closeIn()
		data, err := io.ReadAll(io.NewSectionReader(in, 0, size))
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		if r.err != nil || !bytes.Equal(r.data, want) {
			t.Fatalf("read %d bytes, %v; want the %d written", len(r.data), r.err, len(want))
		}
	case <-time.After(5 * time.Second):
		// Let the stuck open return, then fail.
		if w, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		<-done
		t.Fatal("openInput on a named pipe did not return")
	}
}
