// Command rulegen writes the rule sets of package einvoice; see package
// github.com/fellesgo/felles/einvoice/internal/rulegen. Run it with
// go generate ./einvoice from the project root.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/fellesgo/felles/einvoice/internal/rulegen"
)

func main() {
	conf := flag.String("conformance", "../../shared/conformance", "folder of the official material")
	out := flag.String("out", "rules", "output folder")
	flag.Parse()
	if err := rulegen.Generate(*conf, *out); err != nil {
		fmt.Fprintln(os.Stderr, "rulegen:", err)
		os.Exit(1)
	}
}
