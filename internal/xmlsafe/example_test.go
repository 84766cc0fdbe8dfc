package xmlsafe_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fellesgo/felles/internal/xmlsafe"
)

func ExampleCheck() {
	doc := `<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice>&xxe;</Invoice>`
	err := xmlsafe.Check([]byte(doc), xmlsafe.Limits{})
	fmt.Println(errors.Is(err, xmlsafe.ErrEntity))
	var e *xmlsafe.Error
	if errors.As(err, &e) {
		fmt.Println(e.Reason, e.Line, e.Column)
	}
	fmt.Println(err)
	// Output:
	// true
	// entity declaration 2 20
	// xmlsafe: entity declaration: "<!ENTITY xxe SYSTEM \"file:///etc/passwd\"" (line 2, column 20)
}

func ExampleReader() {
	in := strings.NewReader(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`)
	data, err := xmlsafe.Reader(in, xmlsafe.Limits{MaxBytes: 1 << 20})
	fmt.Println(len(data), err)
	// Output:
	// 73 <nil>
}
