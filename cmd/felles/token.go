package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/fellesgo/felles"
	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/internal/jws"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token", stderr)
	cfgPath := fs.String("config", "", "configuration `FILE` (felles.json)")
	scope := fs.String("scope", "", "`SCOPE` to ask for; several separated by spaces")
	var resources stringList
	fs.Var(&resources, "resource", "audience `URL` of the token (RFC 8707); repeatable")
	consumer := fs.String("consumer-org", "", "`ORGNR` of the customer when acting as its supplier (Altinn delegation)")
	decode := fs.Bool("decode", false, "print the token's claims as JSON instead of the token")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	verbose := fs.Bool("v", false, "log requests to stderr (secrets redacted)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" || strings.TrimSpace(*scope) == "" {
		fmt.Fprintln(stderr, "-config and -scope are required")
		return errUsage
	}
	cfg, err := felles.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	var opts []maskinporten.Option
	if *verbose {
		opts = append(opts, maskinporten.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	mp, err := cfg.Maskinporten(opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	tok, err := mp.Token(ctx, maskinporten.Request{
		Scopes:      strings.Fields(*scope),
		Resource:    resources,
		ConsumerOrg: *consumer,
	})
	if err != nil {
		return err
	}
	if !*decode {
		fmt.Fprintln(stdout, tok.AccessToken)
		return nil
	}
	parts, err := jws.Split(tok.AccessToken)
	if err != nil {
		return fmt.Errorf("the access token is not a JWT, so it has no claims to show: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, parts.Payload, "", "  "); err != nil {
		return fmt.Errorf("the access token's claims are not JSON: %w", err)
	}
	out.WriteByte('\n')
	_, err = stdout.Write(out.Bytes())
	return err
}
