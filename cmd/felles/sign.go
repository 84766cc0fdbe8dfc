package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fellesgo/felles"
	"github.com/fellesgo/felles/esign/asice"
	"github.com/fellesgo/felles/esign/pades"
	"github.com/fellesgo/felles/esign/tsa"
	"github.com/fellesgo/felles/identity"
)

const signHelp = `usage: felles sign pdf -config FILE [-timestamp] [-doc-timestamp] [-visible PAGE:X1,Y1,X2,Y2] [-text T] [-reason R] [-location L] [-legacy] IN.pdf OUT.pdf
       felles sign asice -config FILE -o OUT.asice [-profile dpi|signering] [-odf-manifest=false] FILE...

pdf seals a PDF with the enterprise certificate of the configuration as a
PAdES baseline signature (B-B; B-T with -timestamp, from the configuration's
"tsa" endpoint), appended as an incremental update so earlier signatures stay
valid; -doc-timestamp then adds a document timestamp (ETSI.RFC3161) over
the whole signed file, as archives keep them. "-" as IN reads standard
input, as OUT writes standard output.

asice signs files into an ASiC-E container with a XAdES signature
(META-INF/signatures.xml), as Digital post (profile dpi) or Posten signering
(profile signering) want it. Each FILE is stored under its base name, with a
media type guessed from its extension. "-o -" writes standard output.

Flags:
`

func runSign(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "missing subcommand: pdf or asice")
		return errUsage
	}
	switch args[0] {
	case "pdf":
		return runSignPDF(ctx, args[1:], stdout, stderr)
	case "asice":
		return runSignASiCE(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		// The help of both subcommands, with their flags.
		fmt.Fprint(stderr, strings.TrimSuffix(signHelp, "Flags:\n"))
		for _, sub := range []struct {
			name string
			fs   *flag.FlagSet
		}{{"pdf", signPDFFlags(stderr).fs}, {"asice", signASiCEFlags(stderr).fs}} {
			if sub.name != "pdf" {
				fmt.Fprintln(stderr)
			}
			fmt.Fprintf(stderr, "Flags of sign %s:\n", sub.name)
			sub.fs.PrintDefaults()
		}
		return flag.ErrHelp
	}
	fmt.Fprintf(stderr, "unknown subcommand %q\n", args[0])
	return errUsage
}

// maxSignInput bounds what felles sign reads (a PDF or one file for a
// container).
const maxSignInput = pades.DefaultMaxSize

// signPDFFlagSet is the flag set of felles sign pdf and its values.
type signPDFFlagSet struct {
	fs                                       *flag.FlagSet
	cfgPath, visible, text, reason, location *string
	timestamp, docTimestamp, legacy          *bool
	timeout                                  *time.Duration
}

func signPDFFlags(stderr io.Writer) signPDFFlagSet {
	fs := newFlags("sign pdf", stderr)
	f := signPDFFlagSet{fs: fs}
	f.cfgPath = fs.String("config", "", "configuration `FILE` naming the enterprise certificate")
	f.timestamp = fs.Bool("timestamp", false, "add a signature timestamp (PAdES B-T) from the configuration's tsa endpoint")
	f.docTimestamp = fs.Bool("doc-timestamp", false, "then add a document timestamp (ETSI.RFC3161) from the tsa endpoint")
	f.visible = fs.String("visible", "", "show the signature on a page: `PAGE:X1,Y1,X2,Y2` in points from the lower left corner")
	f.text = fs.String("text", "", "extra text in a visible signature")
	f.reason = fs.String("reason", "", "the signature's reason (/Reason)")
	f.location = fs.String("location", "", "the signature's location (/Location)")
	f.legacy = fs.Bool("legacy", false, "sign with the legacy adbe.pkcs7.detached profile instead of PAdES")
	f.timeout = fs.Duration("timeout", time.Minute, "give up after this long")
	fs.Usage = func() { fmt.Fprint(fs.Output(), signHelp); fs.PrintDefaults() }
	return f
}

// signASiCEFlagSet is the flag set of felles sign asice and its values.
type signASiCEFlagSet struct {
	fs                        *flag.FlagSet
	cfgPath, outPath, profile *string
	odf                       *bool
}

func signASiCEFlags(stderr io.Writer) signASiCEFlagSet {
	fs := newFlags("sign asice", stderr)
	f := signASiCEFlagSet{fs: fs}
	f.cfgPath = fs.String("config", "", "configuration `FILE` naming the enterprise certificate")
	f.outPath = fs.String("o", "", "the container `FILE` to write (.asice)")
	f.profile = fs.String("profile", "dpi", "container layout: dpi (Digital post) or signering (Posten signering)")
	f.odf = fs.Bool("odf-manifest", true, "with -profile dpi: add the ODF manifest META-INF/manifest.xml")
	fs.Usage = func() { fmt.Fprint(fs.Output(), signHelp); fs.PrintDefaults() }
	return f
}

func runSignPDF(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := signPDFFlags(stderr)
	fs, cfgPath, timestamp, visible, text, reason, location, legacy, timeout := f.fs, f.cfgPath, f.timestamp, f.visible, f.text, f.reason, f.location, f.legacy, f.timeout
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *cfgPath == "" || len(pos) != 2 {
		fmt.Fprintln(stderr, "-config, an input and an output file are required")
		return errUsage
	}
	var opts []pades.Option
	if *visible != "" {
		page, rect, err := parseRect(*visible)
		if err != nil {
			fmt.Fprintf(stderr, "-visible: %v\n", err)
			return errUsage
		}
		opts = append(opts, pades.WithVisible(page, rect[0], rect[1], rect[2], rect[3], *text))
	}
	cert, cfg, err := loadSigningCertificate(*cfgPath)
	if err != nil {
		return err
	}
	if *reason != "" {
		opts = append(opts, pades.WithReason(*reason))
	}
	if *location != "" {
		opts = append(opts, pades.WithLocation(*location))
	}
	if *legacy {
		opts = append(opts, pades.WithLegacyProfile())
	}
	var ts *tsa.Client
	if *timestamp || *f.docTimestamp {
		if ts, err = tsaClient(cfg); err != nil {
			return err
		}
	}
	if *timestamp {
		opts = append(opts, pades.WithTimestamp(ts))
	}
	in, size, closeIn, err := openInput(pos[0], maxSignInput)
	if err != nil {
		return err
	}
	defer closeIn()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	return writeOutput(pos[1], stdout, func(w io.Writer) error {
		if !*f.docTimestamp {
			return pades.Sign(ctx, in, size, w, cert.Signer, cert.Chain, opts...)
		}
		var signed bytes.Buffer
		if err := pades.Sign(ctx, in, size, &signed, cert.Signer, cert.Chain, opts...); err != nil {
			return err
		}
		// The signed file is the input plus the signature: an input just
		// under the limit makes it larger than the default one.
		return pades.Timestamp(ctx, bytes.NewReader(signed.Bytes()), int64(signed.Len()), w, ts,
			pades.WithMaxSize(max(int64(signed.Len()), maxSignInput)))
	})
}

func runSignASiCE(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := signASiCEFlags(stderr)
	fs, cfgPath, outPath, profile, odf := f.fs, f.cfgPath, f.outPath, f.profile, f.odf
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *cfgPath == "" || *outPath == "" || len(pos) == 0 {
		fmt.Fprintln(stderr, "-config, -o and at least one file are required")
		return errUsage
	}
	opts := []asice.Option{}
	switch *profile {
	case "dpi":
		opts = append(opts, asice.WithProfile(asice.ProfileDPI), asice.WithODFManifest(*odf))
	case "signering":
		opts = append(opts, asice.WithProfile(asice.ProfileSignering))
	default:
		fmt.Fprintf(stderr, "-profile: %q is neither dpi nor signering\n", *profile)
		return errUsage
	}
	cert, _, err := loadSigningCertificate(*cfgPath)
	if err != nil {
		return err
	}
	files := make([]asice.File, 0, len(pos))
	for _, p := range pos {
		data, err := readInput(p, maxSignInput)
		if err != nil {
			return err
		}
		files = append(files, asice.File{Name: filepath.Base(p), MimeType: mediaType(p), Data: data})
	}
	return writeOutput(*outPath, stdout, func(w io.Writer) error {
		return asice.Sign(w, files, cert.Signer, cert.Chain, opts...)
	})
}

// loadSigningCertificate reads the configuration and its certificate, and
// checks the certificate is valid now: a seal made with an expired
// certificate is worthless to its receiver.
func loadSigningCertificate(path string) (*identity.Certificate, *felles.Config, error) {
	cfg, err := felles.LoadConfig(path)
	if err != nil {
		return nil, nil, err
	}
	cert, err := cfg.LoadCertificate()
	if err != nil {
		return nil, nil, err
	}
	if err := cert.CheckValidity(time.Now()); err != nil {
		return nil, nil, err
	}
	return cert, cfg, nil
}

func tsaClient(cfg *felles.Config) (*tsa.Client, error) {
	u, err := cfg.Endpoint(felles.ServiceTSA)
	if err != nil {
		return nil, fmt.Errorf("-timestamp needs a timestamp authority: %w", err)
	}
	return tsa.New(u)
}

// parseRect reads PAGE:X1,Y1,X2,Y2.
func parseRect(s string) (int, [4]float64, error) {
	var rect [4]float64
	pageStr, coords, ok := strings.Cut(s, ":")
	if !ok {
		return 0, rect, fmt.Errorf("%q is not PAGE:X1,Y1,X2,Y2", s)
	}
	page, err := strconv.Atoi(pageStr)
	if err != nil || page < 1 {
		return 0, rect, fmt.Errorf("page %q is not a page number", pageStr)
	}
	parts := strings.Split(coords, ",")
	if len(parts) != 4 {
		return 0, rect, fmt.Errorf("%q is not four coordinates", coords)
	}
	for i, p := range parts {
		if rect[i], err = strconv.ParseFloat(strings.TrimSpace(p), 64); err != nil {
			return 0, rect, fmt.Errorf("coordinate %q is not a number", p)
		}
	}
	return page, rect, nil
}

// mediaType guesses a file's media type from its extension, with the types
// the Norwegian profiles list first.
func mediaType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return "application/pdf"
	case ".xml":
		return "application/xml"
	case ".txt":
		return "text/plain"
	case ".html", ".htm":
		return "text/html"
	}
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		if mt, _, err := mime.ParseMediaType(t); err == nil {
			return mt
		}
	}
	return "application/octet-stream"
}

// readInput reads a file, or standard input for "-", refusing more than max
// bytes.
func readInput(path string, max int64) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return data, nil
}

// openInput opens a file for reading at random, or reads standard input for
// "-", refusing more than max bytes. A file is not read into memory.
func openInput(path string, max int64) (io.ReaderAt, int64, func(), error) {
	if path == "-" {
		data, err := readInput(path, max)
		if err != nil {
			return nil, 0, nil, err
		}
		return bytes.NewReader(data), int64(len(data)), func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, err
	}
	if !st.Mode().IsRegular() {
		// A pipe or device: read it, within the limit, through the open
		// file (opening a named pipe again would wait for another writer,
		// and closing it first loses what the writer sent).
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, max+1))
		if err != nil {
			return nil, 0, nil, err
		}
		if int64(len(data)) > max {
			return nil, 0, nil, fmt.Errorf("%s: larger than %d bytes", path, max)
		}
		return bytes.NewReader(data), int64(len(data)), func() {}, nil
	}
	if st.Size() > max {
		f.Close()
		return nil, 0, nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return f, st.Size(), func() { f.Close() }, nil
}

// writeOutput has write produce path's content ("-": stdout) into a
// temporary file in the same folder, renamed into place only when write
// succeeded, so a failed run never leaves half a file. Standard output is
// written only once write has succeeded, for the same reason.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" && stdout != nil {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return err
		}
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	// os.CreateTemp makes the file 0600: give it a replaced file's mode,
	// or the usual 0644 for a new one.
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".felles-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	// On disk before the rename, so a crash leaves the old file or the
	// whole new one.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

const verifyHelp = `usage: felles verify [-roots PEM] [-time T] [-json] FILE...

verify checks the signatures of signed PDFs (PAdES, and the older
adbe.pkcs7.detached) and ASiC-E containers (XAdES): integrity, the signer's
certificate chain to the roots (-roots, PEM; default the system's), timestamps,
and for PDFs what each signature covers and what was changed after it. It
prints each signature's verdict with its reasons. FILE "-" reads standard
input. With -json it prints one JSON object per file per line.

Exit status: 0 every signature of every file valid, 1 otherwise, 2 usage
error or unreadable input.

Flags:
`

// verifyResult is what felles verify prints for a file.
type verifyResult struct {
	File       string            `json:"file"`
	Format     string            `json:"format,omitempty"` // "pdf" or "asice"
	Valid      bool              `json:"valid"`
	Error      string            `json:"error,omitempty"`
	Problems   []string          `json:"problems,omitempty"`
	Signatures []verifySignature `json:"signatures,omitempty"`
}

type verifySignature struct {
	Name        string     `json:"name,omitempty"`
	Kind        string     `json:"kind,omitempty"`
	Format      string     `json:"format,omitempty"`
	Signer      string     `json:"signer,omitempty"`
	Org         string     `json:"organization_number,omitempty"`
	SigningTime *time.Time `json:"signing_time,omitempty"`
	Timestamp   *time.Time `json:"timestamp,omitempty"`
	Coverage    string     `json:"coverage,omitempty"`
	Files       []string   `json:"files,omitempty"`
	Changes     []string   `json:"changes_after,omitempty"`
	Anomalies   []string   `json:"anomalies,omitempty"`
	Deviations  []string   `json:"deviations,omitempty"`
	Valid       bool       `json:"valid"`
	Reasons     []string   `json:"reasons,omitempty"`
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", stderr)
	rootsPath := fs.String("roots", "", "trusted root certificates, `PEM` (default: the system's)")
	at := fs.String("time", "", "verify as of this `TIME` (RFC 3339) instead of now, e.g. for expired certificates")
	asJSON := fs.Bool("json", false, "print one JSON object per file per line")
	fs.Usage = func() { fmt.Fprint(fs.Output(), verifyHelp); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "at least one file is required")
		return errUsage
	}
	var roots *x509.CertPool
	if *rootsPath != "" {
		if roots, err = identity.LoadCertPool(*rootsPath); err != nil {
			return &exitCodeError{code: exitUsage, msg: err.Error()}
		}
	}
	var when time.Time
	if *at != "" {
		if when, err = time.Parse(time.RFC3339, *at); err != nil {
			fmt.Fprintf(stderr, "-time: %v\n", err)
			return errUsage
		}
	}
	allValid, unreadable := true, false
	enc := json.NewEncoder(stdout)
	for _, p := range pos {
		res := verifyFile(ctx, p, roots, when)
		if res.Error != "" {
			unreadable = true
		}
		allValid = allValid && res.Valid
		if *asJSON {
			if err := enc.Encode(res); err != nil {
				return err
			}
			continue
		}
		printVerify(stdout, res)
	}
	switch {
	case unreadable:
		return &exitCodeError{code: exitUsage, msg: "some input could not be read or is not a signed PDF or ASiC-E container"}
	case !allValid:
		return &exitCodeError{code: exitFailure, msg: "not every signature is valid"}
	}
	return nil
}

func verifyFile(ctx context.Context, path string, roots *x509.CertPool, when time.Time) verifyResult {
	res := verifyResult{File: path}
	in, size, closeIn, err := openInput(path, maxSignInput)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer closeIn()
	head := make([]byte, min(size, 1024))
	if _, err := in.ReadAt(head, 0); err != nil && err != io.EOF {
		res.Error = err.Error()
		return res
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		res.Format = "asice"
		// Nil roots: the system's; zero when: now.
		rep, err := asice.Verify(in, size, asice.VerifyOptions{Roots: roots, Time: when})
		if rep == nil {
			// A refused or unsigned container is a verdict on a file that
			// was read, not unreadable input.
			res.Problems = []string{err.Error()}
			return res
		}
		res.Valid = rep.Valid && err == nil
		res.Problems = rep.Problems
		if len(res.Problems) == 0 && err != nil {
			res.Problems = []string{err.Error()}
		}
		sig := verifySignature{Format: "XAdES (ASiC-E)", Files: rep.Files, Valid: res.Valid, Reasons: res.Problems}
		if rep.Signer != nil {
			sig.Signer, sig.Org = describeSigner(rep.Signer)
		}
		if !rep.SigningTime.IsZero() {
			t := rep.SigningTime
			sig.SigningTime = &t
		}
		res.Signatures = []verifySignature{sig}
	case bytes.Contains(head, []byte("%PDF-")): // readers look for it in the first 1024 bytes
		res.Format = "pdf"
		rep, err := pades.Verify(ctx, in, size, pades.VerifyOptions{Roots: roots, Time: when})
		if err != nil {
			// A PDF that cannot be parsed is a verdict (not valid) on a
			// file that was read, as a refused container is.
			res.Problems = []string{err.Error()}
			return res
		}
		res.Valid = rep.Valid()
		if len(rep.Signatures) == 0 {
			res.Problems = []string{"the PDF has no signatures"}
		}
		for _, s := range rep.Signatures {
			v := verifySignature{
				Name: s.FieldName, Kind: s.Kind.String(), Format: s.SubFilter, Coverage: s.Coverage.String(),
				Changes: s.Changes, Deviations: s.Deviations, Valid: s.Valid, Reasons: s.Reasons, Timestamp: s.Timestamp,
			}
			if s.Signer != nil {
				v.Signer, v.Org = describeSigner(s.Signer)
			}
			if !s.SigningTime.IsZero() {
				t := s.SigningTime
				v.SigningTime = &t
			}
			for _, a := range s.Anomalies {
				v.Anomalies = append(v.Anomalies, string(a))
			}
			res.Signatures = append(res.Signatures, v)
		}
	default:
		res.Error = "neither a PDF nor an ASiC-E (ZIP) container"
	}
	return res
}

// describeSigner names a certificate's subject for people: its common name,
// with its organisation when that differs, and its organisation number.
func describeSigner(c *x509.Certificate) (name, orgnr string) {
	name = c.Subject.CommonName
	if org := strings.Join(c.Subject.Organization, ", "); org != "" && org != name {
		name += ", " + org
	}
	if name == "" {
		name = c.Subject.String()
	}
	orgnr, _ = identity.OrganizationNumber(c)
	return name, orgnr
}

// printable returns s with control characters (C0, DEL, C1) and Unicode
// format characters (bidi overrides and the like) escaped: signer names,
// file names and reasons come from the input, and printed raw a terminal
// escape in them could rewrite the verdict.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if needsEscape(r) {
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError || unicode.Is(unicode.Cf, r) ||
		r == '\u2028' || r == '\u2029'
}

func printableAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = printable(s)
	}
	return out
}

func printVerify(w io.Writer, res verifyResult) {
	res.File, res.Format, res.Error, res.Problems = printable(res.File), printable(res.Format), printable(res.Error), printableAll(res.Problems)
	sigs := make([]verifySignature, len(res.Signatures))
	for i, s := range res.Signatures {
		s.Name, s.Kind, s.Format, s.Signer, s.Org, s.Coverage = printable(s.Name), printable(s.Kind), printable(s.Format), printable(s.Signer), printable(s.Org), printable(s.Coverage)
		s.Files, s.Changes, s.Anomalies, s.Deviations, s.Reasons = printableAll(s.Files), printableAll(s.Changes), printableAll(s.Anomalies), printableAll(s.Deviations), printableAll(s.Reasons)
		sigs[i] = s
	}
	res.Signatures = sigs
	switch {
	case res.Error != "":
		fmt.Fprintf(w, "%s: error: %s\n", res.File, res.Error)
		return
	case res.Valid:
		fmt.Fprintf(w, "%s: valid (%s, %d signature(s))\n", res.File, res.Format, len(res.Signatures))
	default:
		fmt.Fprintf(w, "%s: NOT valid (%s)\n", res.File, res.Format)
	}
	if len(res.Signatures) == 0 {
		for _, p := range res.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	for _, s := range res.Signatures {
		verdict := "valid"
		if !s.Valid {
			verdict = "NOT valid"
		}
		name := s.Name
		if name == "" {
			name = "signature"
		}
		var kind []string
		for _, k := range []string{s.Format, s.Kind} {
			if k != "" {
				kind = append(kind, k)
			}
		}
		fmt.Fprintf(w, "  %s: %s [%s]\n", name, verdict, strings.Join(kind, ", "))
		if s.Signer != "" {
			fmt.Fprintf(w, "    signer:    %s", s.Signer)
			if s.Org != "" {
				fmt.Fprintf(w, " (organisation number %s)", s.Org)
			}
			fmt.Fprintln(w)
		}
		if s.SigningTime != nil {
			fmt.Fprintf(w, "    signed:    %s\n", s.SigningTime.Format(time.RFC3339))
		}
		if s.Timestamp != nil {
			fmt.Fprintf(w, "    timestamp: %s\n", s.Timestamp.Format(time.RFC3339))
		}
		if s.Coverage != "" {
			fmt.Fprintf(w, "    covers:    %s\n", s.Coverage)
		}
		if len(s.Files) > 0 {
			fmt.Fprintf(w, "    files:     %s\n", strings.Join(s.Files, ", "))
		}
		for _, c := range s.Changes {
			fmt.Fprintf(w, "    changed after it: %s\n", c)
		}
		for _, a := range s.Anomalies {
			fmt.Fprintf(w, "    anomaly:   %s\n", a)
		}
		for _, d := range s.Deviations {
			fmt.Fprintf(w, "    deviation: %s\n", d)
		}
		for _, r := range s.Reasons {
			fmt.Fprintf(w, "    reason:    %s\n", r)
		}
	}
}
