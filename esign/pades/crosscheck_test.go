package pades

import (
	"bytes"
	"testing"

	"github.com/fellesgo/felles/internal/pdfsig"
)

// TestPdfsignCrossCheck has digitorus/pdfsign's verifier check felles
// signatures (B-B, B-T, two signatures) and a tampered copy.
func TestPdfsignCrossCheck(t *testing.T) {
	f := getFixture(t)
	one := signBytes(t, genPDF([]string{"Vedtak"}, 0))
	docs := map[string][]byte{
		"B-B": one,
		"B-T": signBytes(t, genPDF([]string{"Vedtak"}, 0), WithTimestamp(f.tsa)),
		"two": signBytes(t, one),
	}
	for name, doc := range docs {
		res, err := pdfsig.CrossCheck(bytes.NewReader(doc), int64(len(doc)))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(res) == 0 {
			t.Errorf("%s: pdfsign found no signatures", name)
		}
		for i, r := range res {
			if !r.ValidSignature {
				t.Errorf("%s: pdfsign says signature %d invalid", name, i+1)
			}
		}
		if name == "B-T" && !res[0].Timestamped {
			t.Errorf("B-T: pdfsign sees no timestamp")
		}
	}
	bad := bytes.Replace(one, []byte("(Vedtak)"), []byte("(Avslag)"), 1)
	res, _ := pdfsig.CrossCheck(bytes.NewReader(bad), int64(len(bad)))
	for _, r := range res {
		if r.ValidSignature {
			t.Error("pdfsign accepts tampered copy")
		}
	}
}
