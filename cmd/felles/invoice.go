package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fellesgo/felles/einvoice"
)

const invoiceHelp = `usage: felles invoice validate [-rules VERSION] [-json] [-warnings=false] [-timeout D] FILE...
       felles invoice build [-o FILE] [DESCRIPTION.json | -]

validate checks UBL invoices and credit notes (Peppol BIS Billing 3.0, EHF
Billing 3.0) with the official CEN EN 16931 and Peppol rules, national rules
included, natively (no Java). FILE "-" reads standard input. For each file it
prints whether it is valid and every rule that fired, with its flag (fatal or
warning), the location of the node (an XPath) and the official message. With
-json it prints one JSON object per file per line:
  {"file": ..., "valid": bool, "rules": "3.0.21", "failures": [{"rule": ...,
   "flag": "fatal"|"warning", "location": ..., "message": ...}, ...]}
A file that cannot be read or is refused as XML (DOCTYPE, size, depth, not
well-formed) gets "error" instead of failures.

build reads a JSON description of an invoice (see the README, "Building an
invoice") and writes valid UBL: amounts, VAT breakdown and totals are computed.

Exit status: 0 all valid, 1 fatal rule failures found, 2 usage error,
unreadable or refused input, or no verdict within -timeout.

Flags:
`

// exitCodeError ends the command with a given exit status, after the command
// printed what it had to say.
type exitCodeError struct {
	code int
	msg  string
}

func (e *exitCodeError) Error() string { return e.msg }

func runInvoice(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "missing subcommand: validate or build")
		return errUsage
	}
	switch args[0] {
	case "validate":
		return runInvoiceValidate(ctx, args[1:], os.Stdin, stdout, stderr)
	case "build":
		return runInvoiceBuild(args[1:], os.Stdin, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fs, _, _, _, _ := newInvoiceValidateFlags(stderr)
		fs.Usage()
		return flag.ErrHelp
	}
	fmt.Fprintf(stderr, "unknown subcommand %q\n", args[0])
	return errUsage
}

func newInvoiceValidateFlags(stderr io.Writer) (fs *flag.FlagSet, rules *string, asJSON, warnings *bool, timeout *time.Duration) {
	fs = newFlags("invoice validate", stderr)
	timeout = fs.Duration("timeout", 0, "give up on a file after this long (0: no limit)")
	rules = fs.String("rules", einvoice.DefaultRules, "rule set: Peppol BIS Billing 3.0 release ("+strings.Join(einvoice.RuleVersions(), ", ")+")")
	asJSON = fs.Bool("json", false, "print one JSON object per file per line")
	warnings = fs.Bool("warnings", true, "list warnings in the human output (JSON always has them)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), invoiceHelp)
		fs.PrintDefaults()
	}
	return fs, rules, asJSON, warnings, timeout
}

// invoiceResult is the JSON line for one file.
type invoiceResult struct {
	File        string               `json:"file"`
	Valid       bool                 `json:"valid"`
	Rules       string               `json:"rules,omitempty"`
	Failures    []einvoice.Failure   `json:"failures"`
	Unevaluated []einvoice.RuleError `json:"unevaluated,omitempty"`
	Skipped     []einvoice.RuleError `json:"skipped,omitempty"`
	Error       string               `json:"error,omitempty"`
}

// validateFile reads and validates one file ("-": stdin) under the timeout;
// the validator reads no more than its size limit.
func validateFile(ctx context.Context, v *einvoice.Validator, name string, stdin io.Reader, timeout time.Duration) (*einvoice.Report, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if name == "-" {
		return v.ValidateReader(ctx, stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return v.ValidateReader(ctx, f)
}

func runInvoiceValidate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, rules, asJSON, warnings, timeout := newInvoiceValidateFlags(stderr)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "no FILE given")
		return errUsage
	}
	v, err := einvoice.NewValidator(einvoice.WithRules(*rules))
	if err != nil {
		if errors.Is(err, einvoice.ErrUnknownRules) {
			fmt.Fprintln(stderr, err)
			return errUsage
		}
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	invalid, unreadable, timedOut := 0, 0, 0
	for _, name := range files {
		res := invoiceResult{File: name, Failures: []einvoice.Failure{}}
		rep, err := validateFile(ctx, v, name, stdin, *timeout)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				timedOut++
			} else {
				unreadable++
			}
			res.Error = err.Error()
		} else {
			res.Valid, res.Rules, res.Unevaluated, res.Skipped = rep.Valid(), rep.Rules, rep.Unevaluated, rep.Skipped
			res.Failures = append(res.Failures, rep.Failures...)
			if !res.Valid {
				invalid++
			}
		}
		if *asJSON {
			if err := enc.Encode(res); err != nil {
				return err
			}
			continue
		}
		if err := printInvoiceResult(stdout, res, *warnings); err != nil {
			return err
		}
	}
	switch {
	case unreadable > 0 || timedOut > 0:
		var parts []string
		if unreadable > 0 {
			parts = append(parts, fmt.Sprintf("%d of %d files could not be read or were refused", unreadable, len(files)))
		}
		if timedOut > 0 {
			parts = append(parts, fmt.Sprintf("%d of %d files got no verdict within -timeout", timedOut, len(files)))
		}
		return &exitCodeError{exitUsage, strings.Join(parts, "; ")}
	case invalid > 0:
		return fmt.Errorf("%d of %d files invalid", invalid, len(files))
	}
	return nil
}

func printInvoiceResult(w io.Writer, r invoiceResult, warnings bool) error {
	if r.Error != "" {
		_, err := fmt.Fprintf(w, "%s: error: %s\n", r.File, r.Error)
		return err
	}
	fatal, warn := 0, 0
	for _, f := range r.Failures {
		if f.Flag == einvoice.FlagFatal {
			fatal++
		} else {
			warn++
		}
	}
	verdict := "valid"
	if !r.Valid {
		verdict = "INVALID"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (rules %s): %d fatal, %d warning\n", r.File, verdict, r.Rules, fatal, warn)
	for _, f := range r.Failures {
		if f.Flag == einvoice.FlagWarning && !warnings {
			continue
		}
		fmt.Fprintf(&b, "  %-7s %s at %s\n          %s\n", f.Flag, f.Rule, f.Location, f.Message)
	}
	for _, e := range r.Unevaluated {
		fmt.Fprintf(&b, "  not evaluated: %s\n", e)
	}
	for _, e := range r.Skipped {
		fmt.Fprintf(&b, "  note: rule context %s raised %q and was taken as not matching (as the official XSLT does)\n", e.Context, e.Err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
