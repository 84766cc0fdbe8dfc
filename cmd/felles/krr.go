package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/fellesgo/felles"
	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/registry/krr"
)

// stdin is where "felles krr lookup -" reads identifiers; tests replace it.
var stdin io.Reader = os.Stdin

// krrOptions are the flags of felles krr lookup that concern the output.
type krrOptions struct {
	json     bool
	now      time.Time // for the contact decision
	progress io.Writer // nil: no progress line
	total    int       // identifiers, when known; 0 if read from stdin
}

func runKRR(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("krr lookup", stderr)
	cfgPath := fs.String("config", "", "configuration `FILE` (felles.json)")
	asJSON := fs.Bool("json", false, "print one JSON object per identifier (JSON lines) instead of text")
	consumer := fs.String("consumer-org", "", "`ORGNR` of the customer when acting as its supplier (Altinn delegation); uses the supplier scopes")
	concurrency := fs.Int("concurrency", krr.DefaultMaxConcurrency, "requests of up to 1000 identifiers in flight, 1 to 64")
	timeout := fs.Duration("timeout", 0, "give up after this long (0: no limit)")
	verbose := fs.Bool("v", false, "log requests to stderr (identifiers and secrets redacted)")
	if len(args) == 0 {
		fmt.Fprintln(stderr, "missing subcommand: lookup")
		return errUsage
	}
	switch args[0] {
	case "lookup":
		args = args[1:]
	case "-h", "-help", "--help":
	default:
		fmt.Fprintf(stderr, "unknown subcommand %q: want lookup\n", args[0])
		return errUsage
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if *cfgPath == "" {
		fmt.Fprintln(stderr, "-config is required")
		return errUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "give identifiers, or - to read them from stdin")
		return errUsage
	}
	if *concurrency < 1 || *concurrency > 64 {
		fmt.Fprintln(stderr, "-concurrency must be 1 to 64")
		return errUsage
	}

	cfg, err := felles.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	base, err := cfg.Endpoint(felles.ServiceKRR)
	if err != nil {
		return err
	}
	var mpOpts []maskinporten.Option
	var krrOpts = []krr.Option{krr.WithMaxConcurrency(*concurrency)}
	if *verbose {
		log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		mpOpts = append(mpOpts, maskinporten.WithLogger(log))
		krrOpts = append(krrOpts, krr.WithLogger(log))
	}
	mp, err := cfg.Maskinporten(mpOpts...)
	if err != nil {
		return err
	}
	req := maskinporten.Request{Scopes: []string{krr.ScopeContactInfo, krr.ScopeDigitalPost}}
	if *consumer != "" {
		req = maskinporten.Request{Scopes: []string{krr.ScopeSupplierContactInfo, krr.ScopeSupplierDigitalPost}, ConsumerOrg: *consumer}
	}
	client, err := krr.New(base, mp.TokenSource(req), krrOpts...)
	if err != nil {
		return err
	}
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}

	ids := fs.Args()
	o := krrOptions{json: *asJSON, now: time.Now()}
	readsStdin := false
	for _, a := range ids {
		readsStdin = readsStdin || a == "-"
	}
	if !readsStdin {
		o.total = len(ids)
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && (readsStdin || len(ids) > krr.MaxBatchSize) {
		o.progress = stderr
	}
	return krrLookup(ctx, client, ids, stdout, o)
}

// krrLookup looks up the identifiers of args ("-" reads them from stdin, one
// a line, blank lines skipped) and writes one result per identifier to
// stdout, in input order, as the answers arrive. It fails if any identifier
// could not be looked up, after writing the rest; it stops at the first
// error that every further request would get too: no access token, 401 or
// 403.
func krrLookup(ctx context.Context, c *krr.Client, args []string, stdout io.Writer, o krrOptions) error {
	var readErr error
	// inputs holds the identifiers read but not yet written out, at most
	// the lookup's few batches: results come in input order, so the oldest
	// input is the one the next result belongs to.
	var inputs []string
	ids := func(yield func(string) bool) {
		for _, a := range args {
			if a != "-" {
				inputs = append(inputs, a)
				if !yield(a) {
					return
				}
				continue
			}
			sc := bufio.NewScanner(stdin)
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if line == "" {
					continue
				}
				inputs = append(inputs, line)
				if !yield(line) {
					return
				}
			}
			if err := sc.Err(); err != nil {
				readErr = fmt.Errorf("reading identifiers from stdin: %w", err)
				return
			}
		}
	}

	w := bufio.NewWriterSize(stdout, 64<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	prog := progress{w: o.progress, total: o.total}
	defer prog.finish()
	n, failed := 0, 0
	var fatal error
	for p, err := range c.LookupSeq(ctx, iter.Seq[string](ids)) {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			fatal = err
			break
		}
		input := inputs[0]
		inputs = inputs[1:]
		n++
		if err != nil {
			failed++
			var te *krr.TokenError
			if errors.Is(err, krr.ErrUnauthorized) || errors.Is(err, krr.ErrForbidden) || errors.As(err, &te) {
				fatal = err
				break
			}
		}
		line := krrResult(input, p, err, o.now)
		if o.json {
			if werr := enc.Encode(line); werr != nil {
				return werr
			}
		} else {
			writeKRRText(w, line)
		}
		if n%1000 == 0 {
			if werr := w.Flush(); werr != nil {
				return werr
			}
		}
		prog.add()
	}
	if werr := w.Flush(); werr != nil {
		return werr
	}
	switch {
	case fatal != nil:
		return fatal
	case readErr != nil:
		return readErr
	case failed > 0:
		return fmt.Errorf("%d of %d identifiers could not be looked up", failed, n)
	}
	return nil
}

// krrLine is one line of output. ID is the identifier as the user gave it,
// in full: they need it to match lines to their input.
type krrLine struct {
	ID                 string       `json:"id"`
	Error              string       `json:"error,omitempty"`
	Reservation        string       `json:"reservation,omitempty"`
	ReservedAt         time.Time    `json:"reserved_at,omitzero"`
	ReservationUpdated time.Time    `json:"reservation_updated,omitzero"`
	Status             string       `json:"status,omitempty"`
	NotificationStatus string       `json:"notification_status,omitempty"`
	Email              string       `json:"email,omitempty"`
	EmailUpdated       time.Time    `json:"email_updated,omitzero"`
	EmailVerified      time.Time    `json:"email_verified,omitzero"`
	Mobile             string       `json:"mobile,omitempty"`
	MobileUpdated      time.Time    `json:"mobile_updated,omitzero"`
	MobileVerified     time.Time    `json:"mobile_verified,omitzero"`
	Mailbox            *krrMailbox  `json:"mailbox,omitempty"`
	Language           string       `json:"language,omitempty"`
	LanguageUpdated    time.Time    `json:"language_updated,omitzero"`
	Decision           *krrDecision `json:"decision,omitempty"`
	Warnings           []string     `json:"warnings,omitempty"`
}

type krrMailbox struct {
	Address  string `json:"address"`
	Provider string `json:"provider"`
	// CertificateExpires is the mailbox certificate's NotAfter; absent
	// without a readable certificate.
	CertificateExpires time.Time `json:"certificate_expires,omitzero"`
}

type krrDecision struct {
	Method krr.Method `json:"method"`
	Email  bool       `json:"email"`
	SMS    bool       `json:"sms"`
	Reason string     `json:"reason"`
}

func krrResult(input string, p krr.Person, err error, now time.Time) krrLine {
	l := krrLine{ID: input}
	if err != nil {
		l.Error = err.Error()
		return l
	}
	l.Reservation, l.ReservedAt, l.ReservationUpdated = string(p.Reservation), p.ReservedAt, p.ReservationUpdated
	l.Status, l.NotificationStatus = string(p.Status), string(p.NotificationStatus)
	l.Email, l.EmailUpdated, l.EmailVerified = p.Email, p.EmailUpdated, p.EmailVerified
	l.Mobile, l.MobileUpdated, l.MobileVerified = p.Mobile, p.MobileUpdated, p.MobileVerified
	l.Language, l.LanguageUpdated = p.Language, p.LanguageUpdated
	if p.Mailbox != nil {
		l.Mailbox = &krrMailbox{Address: p.Mailbox.Address, Provider: p.Mailbox.Provider}
		if p.MailboxCertificate != nil {
			l.Mailbox.CertificateExpires = p.MailboxCertificate.NotAfter
		}
	}
	d := p.ContactDecision(now)
	l.Decision = &krrDecision{Method: d.Method, Email: d.Email, SMS: d.SMS, Reason: d.Reason}
	if p.Err != nil {
		if j, ok := p.Err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				l.Warnings = append(l.Warnings, e.Error())
			}
		} else {
			l.Warnings = []string{p.Err.Error()}
		}
	}
	return l
}

// writeKRRText writes l as one tab-separated line: the identifier, the
// method (with the notification channels), and the reason or the error.
func writeKRRText(w io.Writer, l krrLine) {
	if l.Error != "" {
		fmt.Fprintf(w, "%s\terror\t%s\n", l.ID, l.Error)
		return
	}
	method := string(l.Decision.Method)
	var channels []string
	if l.Decision.Email {
		channels = append(channels, "e-mail")
	}
	if l.Decision.SMS {
		channels = append(channels, "SMS")
	}
	if len(channels) > 0 {
		method += " (" + strings.Join(channels, ", ") + ")"
	}
	fmt.Fprintf(w, "%s\t%s\t%s\n", l.ID, method, l.Decision.Reason)
}

// progress draws a progress line on a terminal: at most five times a
// second, and not before the first second or the first 1000 results, so
// small lookups never show it.
type progress struct {
	w       io.Writer // nil: off
	total   int       // 0: unknown
	done    int
	start   time.Time
	last    time.Time
	printed bool
}

func (p *progress) add() {
	if p.w == nil {
		return
	}
	now := time.Now()
	if p.start.IsZero() {
		p.start = now
	}
	p.done++
	if (p.done < 1000 && now.Sub(p.start) < time.Second) || now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	rate := float64(p.done) / max(now.Sub(p.start).Seconds(), 0.001)
	if p.total > 0 {
		fmt.Fprintf(p.w, "\rkrr: %d of %d looked up (%d%%), %.0f/s\033[K", p.done, p.total, p.done*100/p.total, rate)
	} else {
		fmt.Fprintf(p.w, "\rkrr: %d looked up, %.0f/s\033[K", p.done, rate)
	}
	p.printed = true
}

func (p *progress) finish() {
	if p.w != nil && p.printed {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
