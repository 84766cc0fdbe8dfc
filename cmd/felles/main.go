// Command felles is the command-line tool of the felles SDK: it runs the
// local sandbox of the national services and talks to them (or to the real
// Test and Prod environments) with a felles configuration file.
//
// Usage:
//
//	felles sandbox [-addr HOST:PORT] [-dir DIR] [-population N] [-seed S] [-live-feed D]
//	felles token -config FILE -scope SCOPE [-resource URL] [-consumer-org ORGNR] [-decode]
//	felles krr lookup -config FILE ID... (or - to read one id per line from stdin)
//	felles freg person -config FILE ID [-part PART]...
//	felles freg feed -config FILE -from SEQ [-follow]
//	felles invoice validate [-rules VERSION] [-json] FILE...
//	felles invoice build [-o FILE] [DESCRIPTION.json | -]
//	felles personid check [-json] NUMBER...
//	felles sign pdf -config FILE [-timestamp] [-visible PAGE:X1,Y1,X2,Y2] IN.pdf OUT.pdf
//	felles sign asice -config FILE -o OUT.asice [-profile dpi|signering] FILE...
//	felles verify [-roots PEM] [-time T] [-json] FILE...
//	felles version
//	felles help [COMMAND]
//
// Exit status: 0 on success, 1 on failure, 2 on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// errUsage marks a usage error; the command has already printed why.
var errUsage = errors.New("usage")

type command struct {
	name    string
	summary string
	usage   string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"sandbox", "run the local sandbox of the national services", "felles sandbox [-addr HOST:PORT] [-dir DIR] [-population N] [-seed S] [-live-feed D]", runSandbox},
		{"token", "print a Maskinporten access token", "felles token -config FILE -scope SCOPE [-resource URL] [-consumer-org ORGNR] [-decode]", runToken},
		{"krr", "look persons up in the contact register (KRR)", "felles krr lookup -config FILE [-json] [-consumer-org ORGNR] [-concurrency N] ID... | -", runKRR},
		{"freg", "Folkeregisteret: person lookup and the event feed", "felles freg person -config FILE [-package P] [-part PART]... ID | felles freg feed -config FILE -from SEQ|latest [-follow] [-interval D] [-package P]", runFreg},
		{"invoice", "validate and build EHF / Peppol BIS Billing 3.0 invoices", "felles invoice validate [-rules VERSION] [-json] FILE... | felles invoice build [-o FILE] [DESCRIPTION.json | -]", runInvoice},
		{"sign", "seal PDFs (PAdES) and sign ASiC-E containers (XAdES)", "felles sign pdf -config FILE [-timestamp] [-visible PAGE:X1,Y1,X2,Y2] IN.pdf OUT.pdf | felles sign asice -config FILE -o OUT.asice [-profile dpi|signering] FILE...", runSign},
		{"verify", "check the signatures of PDFs and ASiC-E containers", "felles verify [-roots PEM] [-time T] [-json] FILE...", runVerify},
		{"personid", "check Norwegian and Danish person numbers", "felles personid check [-json] NUMBER...", runPersonID},
		{"version", "print the felles version", "felles version", runVersion},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printHelp(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			for _, c := range commands() {
				if c.name == rest[0] {
					fmt.Fprintf(stdout, "usage: %s\n\n%s.\n", c.usage, c.summary)
					c.run(ctx, []string{"-h"}, io.Discard, stdout)
					return exitOK
				}
			}
			fmt.Fprintf(stderr, "felles: unknown command %q\n", rest[0])
			return exitUsage
		}
		printHelp(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, rest, stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "usage: %s\n", c.usage)
			return exitUsage
		case errors.As(err, new(*exitCodeError)):
			var ec *exitCodeError
			errors.As(err, &ec)
			fmt.Fprintf(stderr, "felles %s: %v\n", name, err)
			return ec.code
		default:
			fmt.Fprintf(stderr, "felles %s: %v\n", name, err)
			return exitFailure
		}
	}
	fmt.Fprintf(stderr, "felles: unknown command %q\n\n", name)
	printHelp(stderr)
	return exitUsage
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "felles: the Nordic national common components from Go.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'felles help COMMAND' for a command's flags.")
}

// newFlags returns a flag set that reports errors to stderr and does not exit.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("felles "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args, mapping flag errors (already printed) to errUsage and
// rejecting stray arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	return nil
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "felles", versionString())
	return nil
}

// parseInterleaved parses flags that may come before or after the
// positional arguments (as "felles personid check" does); "--" ends flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		left := fs.Args()
		if len(left) == 0 {
			return pos, nil
		}
		if used := len(rest) - len(left); used > 0 && rest[used-1] == "--" {
			return append(pos, left...), nil
		}
		pos = append(pos, left[0])
		rest = left[1:]
	}
}
