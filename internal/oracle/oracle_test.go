package oracle

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

func TestWritePEM(t *testing.T) {
	p := filepath.Join(t.TempDir(), "two.pem")
	WritePEM(t, p, "CERTIFICATE", []byte{1, 2}, []byte{3})
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			t.Errorf("type %q", b.Type)
		}
		got = append(got, b.Bytes)
	}
	if len(got) != 2 || string(got[0]) != "\x01\x02" || string(got[1]) != "\x03" {
		t.Errorf("blocks %v", got)
	}
}

func TestNeedSkipsForAMissingTool(t *testing.T) {
	ran := false
	t.Run("missing", func(t *testing.T) {
		Need(t, "no-such-tool-felles")
		ran = true
	})
	if ran {
		t.Error("Need did not skip for a missing tool")
	}
}
