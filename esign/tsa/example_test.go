package tsa_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"fmt"
	"log"

	"github.com/fellesgo/felles/esign/tsa"
	"github.com/fellesgo/felles/sandbox"
)

// Timestamp a digest at the sandbox's timestamp authority and verify the
// token against the sandbox's root.
func Example() {
	sb, err := sandbox.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()

	c, err := tsa.New(sb.TSAURL())
	if err != nil {
		log.Fatal(err)
	}
	digest := sha256.Sum256([]byte("the bytes to timestamp, e.g. a signature value"))
	tok, err := c.Timestamp(context.Background(), crypto.SHA256, digest[:])
	if err != nil {
		log.Fatal(err)
	}
	if err := tok.Verify(crypto.SHA256, digest[:], sb.Roots(), nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println("timestamped by", tok.Signer.Subject.CommonName)
	// Output: timestamped by Felles Sandbox TSA
}

// Parse a token kept from earlier (for example from a PDF signature's
// unsigned attributes) and check it.
func ExampleParse() {
	sb, err := sandbox.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	c, err := tsa.New(sb.TSAURL())
	if err != nil {
		log.Fatal(err)
	}
	digest := sha256.Sum256([]byte("document"))
	issued, err := c.Timestamp(context.Background(), crypto.SHA256, digest[:])
	if err != nil {
		log.Fatal(err)
	}
	stored := issued.Raw

	tok, err := tsa.Parse(stored)
	if err != nil {
		log.Fatal(err)
	}
	other := sha256.Sum256([]byte("another document"))
	fmt.Println(tok.Verify(crypto.SHA256, digest[:], sb.Roots(), nil))
	fmt.Println(tok.Verify(crypto.SHA256, other[:], sb.Roots(), nil))
	// Output:
	// <nil>
	// tsa: token imprints another digest
}
