package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/esign/asice"
	"github.com/fellesgo/felles/esign/pades"
	"github.com/fellesgo/felles/sandbox"
)

// startSignSandbox starts a small sandbox and writes its configuration
// (with its timestamp authority and roots.pem) to a temporary folder.
func startSignSandbox(t *testing.T) (dir, cfg string) {
	t.Helper()
	sb, err := sandbox.Start(sandbox.WithPopulation(50, 1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	dir = t.TempDir()
	if cfg, err = writeSandboxConfig(sb, dir); err != nil {
		t.Fatal(err)
	}
	return dir, cfg
}

func TestSignUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sign"}, exitUsage, "missing subcommand"},
		{[]string{"sign", "nope"}, exitUsage, `unknown subcommand "nope"`},
		{[]string{"sign", "-h"}, exitOK, "felles sign pdf"},
		{[]string{"sign", "pdf", "in.pdf", "out.pdf"}, exitUsage, "-config, an input and an output file are required"},
		{[]string{"sign", "pdf", "-config", "x.json", "in.pdf"}, exitUsage, "-config, an input and an output file are required"},
		{[]string{"sign", "pdf", "-config", "x.json", "-visible", "1:1,2,3", "a", "b"}, exitUsage, "not four coordinates"},
		{[]string{"sign", "pdf", "-config", "x.json", "-visible", "0:1,2,3,4", "a", "b"}, exitUsage, "not a page number"},
		{[]string{"sign", "pdf", "-config", "missing.json", "a", "b"}, exitFailure, "missing.json"},
		{[]string{"sign", "asice", "-config", "x.json", "a.pdf"}, exitUsage, "-o and at least one file are required"},
		{[]string{"sign", "asice", "-config", "x.json", "-o", "x.asice", "-profile", "nope", "a.pdf"}, exitUsage, `"nope" is neither`},
		{[]string{"verify"}, exitUsage, "at least one file is required"},
		{[]string{"verify", "-time", "yesterday", "x.pdf"}, exitUsage, "-time"},
		{[]string{"verify", "-roots", "missing.pem", "x.pdf"}, exitUsage, "missing.pem"},
		{[]string{"verify", "missing.pdf"}, exitUsage, "missing.pdf"},
		{[]string{"help", "verify"}, exitOK, "-roots"},
	} {
		code, out, errs := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("felles %v: exit %d, output %q; want exit %d and %q", tc.args, code, out+errs, tc.code, tc.want)
		}
	}
}

// minimalPDF is a one-page PDF with a classic cross-reference table.
func minimalPDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 720 Td (Vedtak 17) Tj ET\n\nendstream",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		b.WriteString(strings.Join([]string{itoa(i + 1), " 0 obj\n", o, "\nendobj\n"}, ""))
	}
	xref := b.Len()
	b.WriteString("xref\n0 5\n0000000000 65535 f \n")
	for _, o := range offs {
		s := itoa(o)
		b.WriteString(strings.Repeat("0", 10-len(s)) + s + " 00000 n \n")
	}
	b.WriteString("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n" + itoa(xref) + "\n%%EOF\n")
	return b.Bytes()
}

func itoa(i int) string { return strconv.Itoa(i) }

// replaceEntry returns the ZIP archive data with the content of entry name
// replaced, every other entry copied as it is.
func replaceEntry(t *testing.T, data []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		found = true
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("no entry %s", name)
	}
	return out.Bytes()
}

func TestSignPDFAndVerify(t *testing.T) {
	dir, cfg := startSignSandbox(t)
	in := filepath.Join(dir, "vedtak.pdf")
	if err := os.WriteFile(in, minimalPDF(), 0o600); err != nil {
		t.Fatal(err)
	}
	signed := filepath.Join(dir, "vedtak-signed.pdf")
	code, _, errs := runCLI(t, "sign", "pdf", "-config", cfg, "-timestamp", "-reason", "Vedtak", "-visible", "1:300,40,550,100", in, signed)
	if code != exitOK {
		t.Fatalf("sign pdf: exit %d: %s", code, errs)
	}
	roots := filepath.Join(dir, "roots.pem")

	code, out, errs := runCLI(t, "verify", "-roots", roots, signed)
	if code != exitOK || !strings.Contains(out, "valid (pdf, 1 signature(s))") || !strings.Contains(out, "ETSI.CAdES.detached") ||
		!strings.Contains(out, "timestamp:") || !strings.Contains(out, "organisation number") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errs)
	}

	// Without the sandbox's roots the chain is not trusted.
	code, out, _ = runCLI(t, "verify", signed)
	if code != exitFailure || !strings.Contains(out, "NOT valid") {
		t.Errorf("verify without roots: exit %d\n%s", code, out)
	}

	// A second signature, then a changed byte in the first revision.
	twice := filepath.Join(dir, "twice.pdf")
	if code, _, errs := runCLI(t, "sign", "pdf", "-config", cfg, signed, twice); code != exitOK {
		t.Fatalf("second signature: exit %d: %s", code, errs)
	}
	code, out, _ = runCLI(t, "verify", "-roots", roots, "-json", twice)
	var res verifyResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("verify -json: %v\n%s", err, out)
	}
	if code != exitOK || !res.Valid || len(res.Signatures) != 2 {
		t.Fatalf("verify of a twice-signed PDF: exit %d %+v", code, res)
	}
	if res.Signatures[0].Coverage == res.Signatures[1].Coverage {
		t.Errorf("both signatures claim coverage %q; the first covers only its revision", res.Signatures[0].Coverage)
	}
	data, _ := os.ReadFile(twice)
	i := bytes.Index(data, []byte("Vedtak 17"))
	data[i+len("Vedtak 1")] = '8'
	forged := filepath.Join(dir, "forged.pdf")
	os.WriteFile(forged, data, 0o600)
	code, out, _ = runCLI(t, "verify", "-roots", roots, forged)
	if code != exitFailure || !strings.Contains(out, "NOT valid") {
		t.Errorf("verify of a forged PDF: exit %d\n%s", code, out)
	}
}

func TestSignASiCEAndVerify(t *testing.T) {
	dir, cfg := startSignSandbox(t)
	doc := filepath.Join(dir, "vedtak.pdf")
	att := filepath.Join(dir, "vedlegg.txt")
	os.WriteFile(doc, minimalPDF(), 0o600)
	os.WriteFile(att, []byte("Vedlegg: informasjon om klage\n"), 0o600)
	roots := filepath.Join(dir, "roots.pem")
	for _, profile := range []string{"dpi", "signering"} {
		out := filepath.Join(dir, profile+".asice")
		if code, _, errs := runCLI(t, "sign", "asice", "-config", cfg, "-profile", profile, "-o", out, doc, att); code != exitOK {
			t.Fatalf("sign asice -profile %s: exit %d: %s", profile, code, errs)
		}
		code, stdout, errs := runCLI(t, "verify", "-roots", roots, out)
		if code != exitOK || !strings.Contains(stdout, "valid (asice") || !strings.Contains(stdout, "vedtak.pdf, vedlegg.txt") {
			t.Fatalf("verify %s: exit %d\n%s%s", profile, code, stdout, errs)
		}
		// A file replaced inside the container.
		data, _ := os.ReadFile(out)
		forged := filepath.Join(dir, profile+"-forged.asice")
		os.WriteFile(forged, replaceEntry(t, data, "vedlegg.txt", []byte("Vedlegg: ingen klagerett\n")), 0o600)
		code, stdout, _ = runCLI(t, "verify", "-roots", roots, forged)
		if code != exitFailure || !strings.Contains(stdout, "NOT valid") {
			t.Errorf("verify of a forged %s container: exit %d\n%s", profile, code, stdout)
		}
	}
}

// TestSignHelpListsFlags: "felles help sign" and "felles sign -h" end in
// "Flags:"; the flags of both subcommands must follow.
func TestSignHelpListsFlags(t *testing.T) {
	for _, args := range [][]string{{"help", "sign"}, {"sign", "-h"}} {
		code, out, errs := runCLI(t, args...)
		all := out + errs
		if code != exitOK || !strings.Contains(all, "PAdES B-T) from the configuration") || !strings.Contains(all, "container layout: dpi") {
			t.Errorf("felles %v: exit %d, no flags listed:\n%s", args, code, all)
		}
	}
}

// TestVerifyOutputHasNoControlCharacters: the signer's name and the file
// names come from the (untrusted) input; printed raw, a certificate whose
// common name holds terminal escapes rewrites the "NOT valid" line above
// it and hides the reasons below, and a bidi override disguises a name.
func TestVerifyOutputHasNoControlCharacters(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	selfSigned := func(cn string) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return cert
	}
	dir := t.TempDir()

	// A PDF sealed by a certificate whose name is terminal escapes.
	evil := selfSigned("\x1b[1A\x1b[2K\rx.pdf: valid (pdf, 1 signature(s))\x1b[8m")
	var pdfOut bytes.Buffer
	in := minimalPDF()
	if err := pades.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &pdfOut, key, []*x509.Certificate{evil}); err != nil {
		t.Fatal(err)
	}
	pdfPath := filepath.Join(dir, "x.pdf")
	os.WriteFile(pdfPath, pdfOut.Bytes(), 0o600)

	// A container whose file name holds a C1 control and a bidi override.
	plain := selfSigned("Plain")
	var buf bytes.Buffer
	files := []asice.File{{Name: "vedtak\u009b8m\u202efdp.exe", MimeType: "application/pdf", Data: minimalPDF()}}
	if err := asice.Sign(&buf, files, key, []*x509.Certificate{plain}); err != nil {
		t.Fatal(err)
	}
	asicePath := filepath.Join(dir, "x.asice")
	os.WriteFile(asicePath, buf.Bytes(), 0o600)

	for _, args := range [][]string{{"verify", pdfPath}, {"verify", asicePath}} {
		code, out, errs := runCLI(t, args...)
		if code != exitFailure || !strings.Contains(out, "signer:") && !strings.Contains(out, "files:") {
			t.Fatalf("felles %v: exit %d, no signer or files line:\n%q\n%s", args, code, out, errs)
		}
		for _, r := range out + errs {
			if (r < 0x20 && r != '\n') || (r >= 0x7f && r < 0xa0) || r == '\u202e' {
				t.Errorf("felles %v: output holds %U:\n%q", args, r, out+errs)
				break
			}
		}
	}
}

// TestSignOutputMode: the signed file gets ordinary permissions (and an
// existing file's), not os.CreateTemp's 0600.
func TestSignOutputMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.pdf")
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := writeOutput(p, nil, write("x")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o044 == 0 {
		t.Errorf("new output file mode %v: not readable by group or others", st.Mode().Perm())
	}
	os.Chmod(p, 0o640)
	if err := writeOutput(p, nil, write("y")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
		t.Errorf("replaced output file mode %v, want the old 0640", st.Mode().Perm())
	}
}

func TestVerifyMalformedPDFIsNotValid(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pdf")
	os.WriteFile(bad, []byte("%PDF-1.7\nthis is not a PDF body\n%%EOF\n"), 0o600)
	code, out, errs := runCLI(t, "verify", bad)
	if code != exitFailure || !strings.Contains(out, "NOT valid") {
		t.Errorf("verify of a malformed PDF: exit %d, want %d (not valid)\n%s%s", code, exitFailure, out, errs)
	}
	code, out, _ = runCLI(t, "verify", filepath.Join(dir, "nothing.txt"))
	if code != exitUsage {
		t.Errorf("verify of a missing file: exit %d, want %d\n%s", code, exitUsage, out)
	}
}

func TestSignASiCEToStdout(t *testing.T) {
	dir, cfg := startSignSandbox(t)
	doc := filepath.Join(dir, "brev.txt")
	os.WriteFile(doc, []byte("Hei\n"), 0o600)
	code, out, errs := runCLI(t, "sign", "asice", "-config", cfg, "-o", "-", doc)
	if code != exitOK || !strings.HasPrefix(out, "PK\x03\x04") {
		t.Fatalf("sign asice -o -: exit %d, %d bytes on stdout: %s", code, len(out), errs)
	}
	if _, err := os.Stat("-"); err == nil {
		os.Remove("-")
		t.Error(`sign asice -o - wrote a file named "-"`)
	}
}

// A failed signing leaves neither the output file nor a temporary one.
func TestSignFailureLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.pdf")
	err := writeOutput(p, nil, func(w io.Writer) error {
		io.WriteString(w, "half a PDF")
		return errors.New("signing failed")
	})
	if err == nil {
		t.Fatal("no error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestSignPDFWithDocumentTimestamp(t *testing.T) {
	dir, cfg := startSignSandbox(t)
	in := filepath.Join(dir, "vedtak.pdf")
	os.WriteFile(in, minimalPDF(), 0o600)
	out := filepath.Join(dir, "arkiv.pdf")
	if code, _, errs := runCLI(t, "sign", "pdf", "-config", cfg, "-timestamp", "-doc-timestamp", in, out); code != exitOK {
		t.Fatalf("sign pdf -doc-timestamp: exit %d: %s", code, errs)
	}
	code, stdout, errs := runCLI(t, "verify", "-roots", filepath.Join(dir, "roots.pem"), "-json", out)
	var res verifyResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != exitOK {
		t.Fatalf("verify: exit %d %v\n%s%s", code, err, stdout, errs)
	}
	if len(res.Signatures) != 2 || res.Signatures[1].Format != "ETSI.RFC3161" || res.Signatures[1].Timestamp == nil || !res.Valid {
		t.Errorf("want a valid approval signature and a document timestamp: %+v", res)
	}
}

// An input just under the size limit can have a document timestamp too,
// though the signed file it is added to is over the limit.
func TestSignPDFWithDocumentTimestampNearTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("a 64 MiB PDF")
	}
	dir, cfg := startSignSandbox(t)
	small := minimalPDF()
	const head = "%PDF-1.7\n"
	big := []byte(head + "%")
	big = append(big, bytes.Repeat([]byte("x"), int(maxSignInput)-len(small)-64)...)
	big = append(big, '\n')
	big = relocate(append(big, small[len(head):]...)) // offsets moved
	if int64(len(big)) > maxSignInput {
		t.Fatalf("test input %d bytes, over the limit", len(big))
	}
	in := filepath.Join(dir, "big.pdf")
	os.WriteFile(in, big, 0o600)
	out := filepath.Join(dir, "big-arkiv.pdf")
	if code, _, errs := runCLI(t, "sign", "pdf", "-config", cfg, "-doc-timestamp", in, out); code != exitOK {
		t.Fatalf("sign pdf -doc-timestamp of %d bytes: exit %d: %s", len(big), code, errs)
	}
}

// relocate rewrites the offsets of a minimalPDF-shaped file's
// cross-reference table and startxref after its objects moved.
func relocate(b []byte) []byte {
	var offs []int
	for i := 1; i <= 4; i++ {
		offs = append(offs, bytes.Index(b, []byte("\n"+itoa(i)+" 0 obj\n"))+1)
	}
	x := bytes.LastIndex(b, []byte("xref\n0 5\n"))
	var t bytes.Buffer
	t.Write(b[:x])
	t.WriteString("xref\n0 5\n0000000000 65535 f \n")
	for _, o := range offs {
		s := itoa(o)
		t.WriteString(strings.Repeat("0", 10-len(s)) + s + " 00000 n \n")
	}
	t.WriteString("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n" + itoa(x) + "\n%%EOF\n")
	return t.Bytes()
}
