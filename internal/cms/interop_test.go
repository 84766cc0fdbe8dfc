package cms

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"github.com/fellesgo/felles/internal/corpus"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// sharedDir returns ../shared/testdata/<sub> relative to the module root,
// skipping the test when it is absent.
func sharedDir(t *testing.T, sub string) string {
	t.Helper()
	return corpus.Dir(t, "testdata/"+sub)
}

var (
	contentsRE  = regexp.MustCompile(`/Contents\s*<([0-9A-Fa-f\s]+)>`)
	byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)
)

// TestPyHankoSignature parses the CMS of a PDF signed by pyHanko (an
// independent producer) from /Contents with its zero padding, and checks
// the signature over the byte range of the unmodified signed revision.
func TestPyHankoSignature(t *testing.T) {
	dir := sharedDir(t, "attacks/pdf-coverage")
	pdf, err := os.ReadFile(filepath.Join(dir, "tail-uncovered.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	m := contentsRE.FindSubmatch(pdf)
	br := byteRangeRE.FindSubmatch(pdf)
	if m == nil || br == nil {
		t.Fatal("no signature found")
	}
	der, err := hex.DecodeString(string(bytes.Join(bytes.Fields(m[1]), nil)))
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(der) // padded with zeros
	if err != nil {
		t.Fatal(err)
	}
	if sd.Signer == nil || !sd.HasSigningCertificateV2 || !sd.SigningCertificateV2Matches || sd.HasSigningTime {
		t.Errorf("signer %v, ESS v2 %v/%v, signing time %v", sd.Signer != nil, sd.HasSigningCertificateV2, sd.SigningCertificateV2Matches, sd.HasSigningTime)
	}
	var r [4]int
	for i := range r {
		r[i], _ = strconv.Atoi(string(br[i+1]))
	}
	if r[2]+r[3] > len(pdf) {
		t.Fatalf("byte range %v beyond the file", r)
	}
	h := sha256.New()
	h.Write(pdf[r[0] : r[0]+r[1]])
	h.Write(pdf[r[2] : r[2]+r[3]])
	if err := sd.VerifySignature(h.Sum(nil)); err != nil {
		t.Errorf("pyHanko signature over its byte range: %v", err)
	}
}
