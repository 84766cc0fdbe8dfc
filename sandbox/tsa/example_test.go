package tsa_test

import (
	"bytes"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/fellesgo/felles/internal/testpki"
	"github.com/fellesgo/felles/sandbox/tsa"
)

// Run the timestamp authority on its own, with a certificate from a test
// CA. A request it cannot read gets an RFC 3161 rejection, not an HTTP
// error.
func Example() {
	ca, err := testpki.New("Example")
	if err != nil {
		log.Fatal(err)
	}
	cert, err := ca.IssueTSA("Example TSA", nil)
	if err != nil {
		log.Fatal(err)
	}
	h, err := tsa.New(cert)
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp, err := http.Post(srv.URL, "application/timestamp-query", bytes.NewReader([]byte("not a request")))
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	// Output: 200 application/timestamp-reply
}
