package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fellesgo/felles/registry/personid"
)

const personIDHelp = `usage: felles personid check [-json] NUMBER...

Check Norwegian fødselsnummer and D-nummer (11 digits; "DDMMYY IIIKK" is
accepted) and Danish CPR numbers (DDMMYY-SSSS or 10 digits: an argument with
a dash or of 10 digits is taken as CPR). For each NUMBER one line says whether
it is valid, and why not; for a Norwegian number its kind, synthetic series
(+80 Skatteetaten/Tenor, +40 NAV/Dolly), check digit scheme (legacy, or 2032
with no birth date or sex encoded), birth date and sex; for a CPR number its
birth date, sex and the modulus 11 check, whose failure is only a warning.

Numbers are printed masked, only their birth date (230794*****): they are
personal data, and terminals and logs should not keep them.

The exit status is 1 if any number is invalid, 2 on a usage error.

Flags:
`

// runPersonID runs "felles personid check".
func runPersonID(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "missing subcommand: check")
		return errUsage
	}
	switch args[0] {
	case "check":
		return runPersonIDCheck(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fs, _ := newPersonIDFlags(stderr)
		fmt.Fprintln(stderr)
		fs.Usage()
		return flag.ErrHelp
	}
	fmt.Fprintf(stderr, "unknown subcommand %q\n", args[0])
	return errUsage
}

func newPersonIDFlags(stderr io.Writer) (fs *flag.FlagSet, asJSON *bool) {
	fs = newFlags("personid check", stderr)
	asJSON = fs.Bool("json", false, "print one JSON object per line")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), personIDHelp)
		fs.PrintDefaults()
	}
	return fs, asJSON
}

func runPersonIDCheck(args []string, stdout, stderr io.Writer) error {
	fs, asJSON := newPersonIDFlags(stderr)
	// Flags may come after numbers too.
	numbers, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(numbers) == 0 {
		fmt.Fprintln(stderr, "no NUMBER given")
		return errUsage
	}

	invalid := 0
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, s := range numbers {
		r := checkPersonID(s)
		if !r.Valid {
			invalid++
		}
		if *asJSON {
			if err := enc.Encode(r); err != nil {
				return err
			}
			continue
		}
		if _, err := fmt.Fprintln(stdout, r.line()); err != nil {
			return err
		}
	}
	if invalid > 0 {
		return fmt.Errorf("%d of %d numbers invalid", invalid, len(numbers))
	}
	return nil
}

// idCheck is the result for one number; Number is masked.
type idCheck struct {
	Number    string `json:"number"`
	Valid     bool   `json:"valid"`
	Type      string `json:"type,omitempty"`      // fødselsnummer, D-nummer or CPR
	Synthetic string `json:"synthetic,omitempty"` // skatteetaten or nav
	Scheme    string `json:"scheme,omitempty"`    // legacy or 2032
	BirthDate string `json:"birth_date,omitempty"`
	Sex       string `json:"sex,omitempty"`
	Modulus11 *bool  `json:"modulus11,omitempty"` // CPR only
	Warning   string `json:"warning,omitempty"`
	Error     string `json:"error,omitempty"`
}

const mod11Warning = "fails the modulus 11 check; CPR has issued such numbers since 2007, do not reject it"

func checkPersonID(s string) idCheck {
	t := strings.TrimSpace(s)
	if strings.Contains(t, "-") || len(t) == 10 && strings.Trim(t, "0123456789") == "" {
		c, err := personid.ParseCPR(t)
		if err != nil {
			return invalidCheck(err, "CPR")
		}
		ok := c.Modulus11()
		r := idCheck{
			Number:    c.String(),
			Valid:     true,
			Type:      "CPR",
			BirthDate: c.BirthDate().Format(time.DateOnly),
			Sex:       c.Sex().String(),
			Modulus11: &ok,
		}
		if !ok {
			r.Warning = mod11Warning
		}
		return r
	}
	n, err := personid.Parse(t)
	if err != nil {
		return invalidCheck(err, "")
	}
	r := idCheck{Number: n.String(), Valid: true, Type: n.Kind().String(), Scheme: n.Scheme().String()}
	switch n.Synthetic() {
	case personid.SyntheticSkatteetaten:
		r.Synthetic = "skatteetaten"
	case personid.SyntheticNAV:
		r.Synthetic = "nav"
	}
	if born, ok := n.BirthDate(); ok {
		r.BirthDate = born.Format(time.DateOnly)
	}
	if sex, ok := n.Sex(); ok {
		r.Sex = sex.String()
	}
	return r
}

func invalidCheck(err error, typ string) idCheck {
	var pe *personid.ParseError
	if !errors.As(err, &pe) {
		// Not expected; never print err, which might hold the input.
		return idCheck{Number: "?", Type: typ, Error: "invalid"}
	}
	return idCheck{Number: pe.Input, Type: typ, Error: pe.Reason}
}

// line is r as a line of text.
func (r idCheck) line() string {
	var b strings.Builder
	b.WriteString(r.Number)
	if !r.Valid {
		b.WriteString(": invalid")
		if r.Type != "" {
			b.WriteString(" " + r.Type)
		}
		b.WriteString(": " + r.Error)
		return b.String()
	}
	b.WriteString(": valid " + r.Type)
	switch r.Synthetic {
	case "skatteetaten":
		b.WriteString(", synthetic (Skatteetaten/Tenor, +80)")
	case "nav":
		b.WriteString(", synthetic (NAV/Dolly, +40)")
	}
	if r.BirthDate != "" {
		b.WriteString(", born " + r.BirthDate)
	}
	if r.Sex != "" {
		b.WriteString(", " + r.Sex)
	}
	switch r.Scheme {
	case "legacy":
		b.WriteString(", legacy check digits")
	case "2032":
		b.WriteString(", 2032 check digits (no birth date or sex encoded)")
	}
	if r.Modulus11 != nil && *r.Modulus11 {
		b.WriteString(", modulus 11 ok")
	}
	if r.Warning != "" {
		b.WriteString("; warning: " + r.Warning)
	}
	return b.String()
}
