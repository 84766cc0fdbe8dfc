package xmlsafe

import (
	"bytes"
	"testing"
)

// plainByte marks the bytes plainRef looks at more closely.
var plainByte = func() (t [256]bool) {
	for b := 0; b < 0x20; b++ {
		t[b] = b != '\t' && b != '\n'
	}
	t['<'], t[']'], t[0xEF] = true, true, true
	return t
}()

// plainRef is plain as it was, byte by byte: the reference for the
// word-at-a-time version.
func plainRef(data []byte) bool {
	n := len(data)
	for i := 0; i < n; i++ {
		b := data[i]
		if !plainByte[b] {
			continue
		}
		switch b {
		case '<':
			if i+1 < n {
				switch data[i+1] {
				case '!':
					return false
				case '?':
					if i != 0 {
						return false
					}
				}
			}
		case ']':
			if i+2 < n && data[i+1] == ']' && data[i+2] == '>' {
				return false
			}
		case 0xEF: // U+FFFE and U+FFFF are not XML characters
			if i+2 < n && data[i+1] == 0xBF && (data[i+2] == 0xBE || data[i+2] == 0xBF) {
				return false
			}
		default: // control character other than tab and newline
			return false
		}
	}
	return true
}

func TestPlainAgrees(t *testing.T) {
	cases := []string{"", "<", "<!", "a<!", "<?xml?>", "a<?", "]]>", "]]", "\r", "\t\n", "\x00", "\x1f", " ",
		"\xEF\xBF\xBE", "\xEF\xBF\xBF", "\xEF\xBF\xBD", "\xEF\xBF", "\xEF", "12345678\x01", "1234567\x7f", "\x80\x90\xff\x20"}
	for _, c := range cases {
		for pad := 0; pad < 10; pad++ {
			for _, d := range []string{pads(pad) + c, c + pads(pad), pads(pad) + c + pads(pad)} {
				if plain([]byte(d)) != plainRef([]byte(d)) {
					t.Errorf("plain(%q) = %v, reference %v", d, plain([]byte(d)), plainRef([]byte(d)))
				}
			}
		}
	}
	for p, data := range xmlFiles(t) {
		if plain(data) != plainRef(data) {
			t.Errorf("%s: plain = %v", p, plain(data))
		}
	}
}

func pads(n int) string { return string(bytes.Repeat([]byte("a"), n)) }

func FuzzPlainAgrees(f *testing.F) {
	f.Add([]byte("<a>\r</a>"))
	f.Add([]byte("<?xml?><a>]]></a>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if plain(data) != plainRef(data) {
			t.Fatalf("plain(%q) = %v", data, plain(data))
		}
	})
}
