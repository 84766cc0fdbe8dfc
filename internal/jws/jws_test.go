package jws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

var testKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

// TestSignVerifiesWithGoJose checks what felles signs with go-jose, an
// implementation felles did not write.
func TestSignVerifiesWithGoJose(t *testing.T) {
	payload := []byte(`{"iss":"client","scope":"a b"}`)
	for _, alg := range []Algorithm{RS256, RS384, RS512, PS256} {
		tok, err := Sign(testKey, alg, map[string]any{"kid": "k1", "typ": "JWT"}, payload)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
		if err != nil {
			t.Fatalf("%s: go-jose cannot parse: %v", alg, err)
		}
		got, err := obj.Verify(&testKey.PublicKey)
		if err != nil {
			t.Fatalf("%s: go-jose refuses the signature: %v", alg, err)
		}
		if string(got) != string(payload) {
			t.Errorf("%s: payload %q", alg, got)
		}
		if h := obj.Signatures[0].Header; h.KeyID != "k1" || h.Algorithm != string(alg) {
			t.Errorf("%s: header %+v", alg, h)
		}
		// alg comes first in the header.
		p, err := Split(tok)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(p.Header), `{"alg":"`+string(alg)+`",`) {
			t.Errorf("%s: header %s", alg, p.Header)
		}
		// A changed payload no longer verifies.
		parts := strings.Split(tok, ".")
		parts[1] = enc.EncodeToString([]byte(`{"iss":"client","scope":"a c"}`))
		if obj, err := jose.ParseSigned(strings.Join(parts, "."), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)}); err == nil {
			if _, err := obj.Verify(&testKey.PublicKey); err == nil {
				t.Errorf("%s: a tampered token verifies", alg)
			}
		}
	}
}

func TestSignRefusals(t *testing.T) {
	if _, err := Sign(testKey, "HS256", nil, []byte("{}")); err == nil {
		t.Error("HS256 accepted")
	}
	if _, err := Sign(testKey, "none", nil, []byte("{}")); err == nil {
		t.Error("none accepted")
	}
	if _, err := Sign(testKey, RS256, map[string]any{"alg": "none"}, []byte("{}")); err == nil {
		t.Error("a header overriding alg accepted")
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := Sign(ec, RS256, nil, []byte("{}")); err == nil {
		t.Error("RS256 with an EC key accepted")
	}
	tok, err := Sign(testKey, RS256, nil, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Split(tok)
	if string(p.Header) != `{"alg":"RS256"}` {
		t.Errorf("header %s", p.Header)
	}
}

func TestSplitRefusesMalformed(t *testing.T) {
	h := enc.EncodeToString([]byte(`{"alg":"RS256"}`))
	for _, tok := range []string{
		"", "a.b", "a.b.c.d", h + ".e30", h + ".e30.!!", h + "=.e30.AA", "W10.e30.AA", // header an array
		enc.EncodeToString([]byte("not json")) + ".e30.AA", h + ".e30=.AA",
		strings.Repeat("a", MaxTokenSize+1),
	} {
		if _, err := Split(tok); !errors.Is(err, ErrMalformed) {
			t.Errorf("Split(%.40q) = %v, want ErrMalformed", tok, err)
		}
	}
	p, err := Split(h + ".e30.AQ")
	if err != nil || string(p.Payload) != "{}" || len(p.Signature) != 1 || !json.Valid(p.Header) {
		t.Errorf("Split of a well-formed token: %+v, %v", p, err)
	}
}

func FuzzSplit(f *testing.F) {
	tok, _ := Sign(testKey, RS256, map[string]any{"kid": "k"}, []byte(`{"a":1}`))
	f.Add(tok)
	f.Add("e30.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Split(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if !json.Valid(p.Header) {
			t.Fatal("accepted a header that is not JSON")
		}
	})
}
