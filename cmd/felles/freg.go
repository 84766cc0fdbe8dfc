package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/fellesgo/felles"
	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/registry/folkeregister"
)

const fregHelp = `usage:
  felles freg person -config FILE [-package P] [-part PART]... ID
  felles freg feed -config FILE -from SEQ|latest [-follow] [-interval D] [-package P]

person prints the person document of the fødselsnummer or d-nummer ID as
indented JSON: every member Folkeregisteret sent, unknown ones included,
empty and false values left out. -part
restricts it (data minimisation): person-basis, historikk, relasjon-utvidet,
identitetsgrunnlag-utvidet or any property name (navn, bostedsadresse, ...);
repeat it for several.

feed prints the events of the event feed from sequence number SEQ
(inclusive), one JSON object a line: sequence, type, person_id,
event_document, person_document, updated_at. "-from latest" starts after the
newest event. Without -follow it stops at the end of the feed; with -follow
it polls every -interval until interrupted (Ctrl-C). On stopping it writes to
stderr the -from to resume with: no event is lost or repeated.

The output holds whole identity numbers: it is personal data, and every
lookup is logged by Folkeregisteret. Log lines (-v) and errors are redacted.

The access token comes from Maskinporten as configured in FILE, with the
scope of the rights package (-package; default offentligmedhjemmel), and the
base URL from its "folkeregister" endpoint.

Flags:
`

// runFreg runs "felles freg person" and "felles freg feed".
func runFreg(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "missing subcommand: person or feed")
		return errUsage
	}
	switch args[0] {
	case "person":
		return runFregPerson(ctx, args[1:], stdout, stderr)
	case "feed":
		return runFregFeed(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fs := newFregFlags("freg", stderr, &fregCommon{})
		fs.Usage()
		return flag.ErrHelp
	}
	fmt.Fprintf(stderr, "unknown subcommand %q: want person or feed\n", args[0])
	return errUsage
}

// fregCommon are the flags both subcommands take.
type fregCommon struct {
	config  string
	pkg     string
	timeout time.Duration
	verbose bool
}

func newFregFlags(name string, stderr io.Writer, c *fregCommon) *flag.FlagSet {
	fs := newFlags(name, stderr)
	fs.StringVar(&c.config, "config", "", "configuration `FILE` (felles.json)")
	fs.StringVar(&c.pkg, "package", string(folkeregister.OffentligMedHjemmel), "rights `PACKAGE`: "+packageNames())
	fs.BoolVar(&c.verbose, "v", false, "log requests to stderr (identity numbers and secrets redacted)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), fregHelp)
		fs.PrintDefaults()
	}
	return fs
}

func packageNames() string {
	var names []string
	for _, p := range folkeregister.RightsPackages() {
		names = append(names, string(p))
	}
	return strings.Join(names, ", ")
}

// fregClient loads the configuration and returns a client with tokens
// for the package's scope.
func fregClient(c *fregCommon, stderr io.Writer) (*folkeregister.Client, error) {
	pkg := folkeregister.RightsPackage(c.pkg)
	if !pkg.Valid() {
		fmt.Fprintf(stderr, "-package %q is not one of %s\n", c.pkg, packageNames())
		return nil, errUsage
	}
	cfg, err := felles.LoadConfig(c.config)
	if err != nil {
		return nil, err
	}
	base, err := cfg.Endpoint(felles.ServiceFolkeregister)
	if err != nil {
		return nil, err
	}
	var (
		mpOpts   []maskinporten.Option
		fregOpts = []folkeregister.Option{folkeregister.WithPackage(pkg)}
	)
	if c.verbose {
		log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		mpOpts = append(mpOpts, maskinporten.WithLogger(log))
		fregOpts = append(fregOpts, folkeregister.WithLogger(log))
	}
	mp, err := cfg.Maskinporten(mpOpts...)
	if err != nil {
		return nil, err
	}
	ts := mp.TokenSource(maskinporten.Request{Scopes: []string{pkg.Scope()}})
	return folkeregister.New(base, ts, fregOpts...)
}

func runFregPerson(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var common fregCommon
	fs := newFregFlags("freg person", stderr, &common)
	var parts stringList
	fs.Var(&parts, "part", "`PART` of the document to get; repeatable")
	fs.DurationVar(&common.timeout, "timeout", 30*time.Second, "give up after this long")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case common.config == "":
		fmt.Fprintln(stderr, "-config is required")
		return errUsage
	case len(pos) != 1:
		fmt.Fprintln(stderr, "give one fødselsnummer or d-nummer")
		return errUsage
	}
	c, err := fregClient(&common, stderr)
	if err != nil {
		return err
	}
	if common.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, common.timeout)
		defer cancel()
	}
	ps := make([]folkeregister.Part, len(parts))
	for i, p := range parts {
		ps[i] = folkeregister.Part(p)
	}
	p, err := c.Person(ctx, pos[0], ps...)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = stdout.Write(out.Bytes())
	return err
}

// fregEvent is a line of "felles freg feed".
type fregEvent struct {
	Sequence       int64     `json:"sequence"`
	Type           string    `json:"type"`
	PersonID       string    `json:"person_id,omitempty"`
	EventDocument  string    `json:"event_document,omitempty"`
	PersonDocument string    `json:"person_document,omitempty"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
}

func runFregFeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var common fregCommon
	fs := newFregFlags("freg feed", stderr, &common)
	from := fs.String("from", "", "first sequence `SEQ` to print, or \"latest\" for only new events")
	follow := fs.Bool("follow", false, "keep polling for new events until interrupted")
	interval := fs.Duration("interval", 30*time.Second, "with -follow, how often to poll at the end of the feed")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case common.config == "" || *from == "":
		fmt.Fprintln(stderr, "-config and -from are required")
		return errUsage
	case *interval <= 0:
		fmt.Fprintln(stderr, "-interval must be positive")
		return errUsage
	}
	var start int64
	if *from != "latest" {
		n, err := strconv.ParseInt(*from, 10, 64)
		if err != nil || n < 0 {
			fmt.Fprintf(stderr, "-from %q is neither a sequence number nor \"latest\"\n", *from)
			return errUsage
		}
		start = n
	}
	c, err := fregClient(&common, stderr)
	if err != nil {
		return err
	}
	if *from == "latest" {
		n, err := c.LatestSequence(ctx)
		if err != nil {
			return err
		}
		start = n + 1
	}
	events := c.Events(ctx, start)
	if *follow {
		events = c.Follow(ctx, start, *interval)
	}
	// next, the resume point printed at the end, only passes an event
	// once its line has reached stdout: out counts the bytes stdout
	// accepted, and pending holds the lines still (partly) in w.
	out := &countingWriter{w: stdout}
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	next := start
	type sent struct{ end, next int64 }
	var pending []sent
	written := func() {
		for len(pending) > 0 && pending[0].end <= out.n {
			next = pending[0].next
			pending = pending[1:]
		}
	}
	var failure error
	for e, err := range events {
		if err != nil {
			failure = err
			break
		}
		line := fregEvent{
			Sequence: e.Sequence, Type: string(e.Type), EventDocument: e.EventDocument,
			PersonDocument: e.PersonDocument, UpdatedAt: e.UpdatedAt,
		}
		switch {
		case !e.PersonID.IsZero():
			line.PersonID = e.PersonID.Digits()
		case e.RawPersonID != "":
			line.PersonID = e.RawPersonID.Digits()
		}
		if err := enc.Encode(line); err != nil {
			written()
			failure = err
			break
		}
		pending = append(pending, sent{end: out.n + int64(w.Buffered()), next: e.Sequence + 1})
		written()
		if *follow && w.Buffered() > 0 {
			// Lines appear as they come when following.
			if err := w.Flush(); err != nil {
				failure = err
				break
			}
		}
	}
	if err := w.Flush(); err != nil && failure == nil {
		failure = err
	}
	written()
	fmt.Fprintf(stderr, "next: -from %d\n", next)
	return failure
}

// countingWriter counts the bytes w accepted.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
