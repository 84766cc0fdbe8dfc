package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/fellesgo/felles"
	"github.com/fellesgo/felles/internal/testpki"
	"github.com/fellesgo/felles/sandbox"
)

func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sandbox", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on")
	dir := fs.String("dir", "felles-sandbox", "`DIR` for felles.json, client.p12 and the sandbox's keys (kept across restarts)")
	verbose := fs.Bool("v", false, "log every request to stderr")
	size := fs.Int("population", sandbox.DefaultPopulationSize, "number of synthetic persons in the registers")
	seed := fs.Uint64("seed", sandbox.DefaultPopulationSeed, "seed of the synthetic population (same seed, same persons)")
	live := fs.Duration("live-feed", 0, "add a Folkeregisteret event this often (e.g. 2s), for felles freg feed -follow; 0: never")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	opts := []sandbox.Option{sandbox.WithAddr(*addr), sandbox.WithStateDir(*dir), sandbox.WithPopulation(*size, *seed)}
	if *live > 0 {
		opts = append(opts, sandbox.WithLiveFeed(*live))
	}
	if *verbose {
		opts = append(opts, sandbox.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	sb, err := sandbox.Start(opts...)
	if err != nil {
		return err
	}
	defer sb.Close()

	cfgPath, err := writeSandboxConfig(sb, *dir)
	if err != nil {
		return err
	}
	tc := sb.TestClient()
	fmt.Fprintf(stdout, "felles sandbox %s listening on %s\n\n", felles.Version, sb.URL())
	endpoints := sb.Endpoints()
	for _, name := range slices.Sorted(maps.Keys(endpoints)) {
		fmt.Fprintf(stdout, "  %-14s %s\n", name, endpoints[name])
	}
	fmt.Fprintf(stdout, "\nTest client %s (%s, organisation number %s)\n", tc.ClientID, tc.OrganizationName, tc.OrganizationNumber)
	fmt.Fprintf(stdout, "Configuration written to %s\n\n", cfgPath)
	fmt.Fprintf(stdout, "Try:\n  felles token -config %s -scope %s\n\nPress Ctrl-C to stop.\n", cfgPath, tc.Scopes[0])

	<-ctx.Done()
	fmt.Fprintln(stdout, "\nstopping")
	return nil
}

// writeSandboxConfig writes DIR/client.p12, DIR/roots.pem (the sandbox CA's
// root, for verifying signatures) and DIR/felles.json for the
// sandbox's test client and returns the configuration's path.
func writeSandboxConfig(sb *sandbox.Sandbox, dir string) (string, error) {
	tc := sb.TestClient()
	pw := make([]byte, 12)
	rand.Read(pw)
	password := base64.RawURLEncoding.EncodeToString(pw)
	p12, err := testpki.EncodePKCS12(tc.Certificate, password)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "client.p12"), p12, 0o600); err != nil {
		return "", err
	}
	roots := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sb.RootCertificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "roots.pem"), roots, 0o644); err != nil {
		return "", err
	}
	cfg := felles.Config{
		Environment:        felles.EnvironmentSandbox,
		ClientID:           tc.ClientID,
		OrganizationNumber: tc.OrganizationNumber,
		Certificate:        felles.CertificateConfig{File: "client.p12", Password: password},
		Endpoints:          sb.Endpoints(),
		Roots:              "roots.pem",
	}
	path := filepath.Join(dir, "felles.json")
	if err := cfg.WriteFile(path); err != nil {
		return "", err
	}
	return path, nil
}
