// Package jws signs and splits JSON Web Signatures in compact serialisation
// (RFC 7515) with any crypto.Signer. It deliberately holds no verification
// code: felles verifies JWS with go-jose, an independent implementation, so
// that what felles signs is checked by code felles did not write.
package jws

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Algorithm is a JWS "alg" value.
type Algorithm string

// The RSA algorithms Maskinporten accepts for a JWT grant, and RSASSA-PSS.
const (
	RS256 Algorithm = "RS256"
	RS384 Algorithm = "RS384"
	RS512 Algorithm = "RS512"
	PS256 Algorithm = "PS256"
)

// Hash returns the digest algorithm of a, or false if a is not supported.
func (a Algorithm) Hash() (crypto.Hash, bool) {
	switch a {
	case RS256, PS256:
		return crypto.SHA256, true
	case RS384:
		return crypto.SHA384, true
	case RS512:
		return crypto.SHA512, true
	}
	return 0, false
}

// MaxTokenSize bounds the compact tokens [Split] accepts (64 KiB); real
// grants and access tokens are a few kilobytes even with a certificate chain.
const MaxTokenSize = 64 << 10

var enc = base64.RawURLEncoding

// Sign returns the compact serialisation of a JWS over payload (already JSON)
// with the given protected header. header must not contain "alg": it is set
// from alg and written first.
func Sign(signer crypto.Signer, alg Algorithm, header map[string]any, payload []byte) (string, error) {
	h, ok := alg.Hash()
	if !ok {
		return "", fmt.Errorf("jws: unsupported algorithm %q", alg)
	}
	if _, isRSA := signer.Public().(*rsa.PublicKey); !isRSA {
		return "", fmt.Errorf("jws: algorithm %s needs an RSA key, got %T", alg, signer.Public())
	}
	hdr, err := marshalHeader(alg, header)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(enc.EncodedLen(len(hdr)) + enc.EncodedLen(len(payload)) + 2 + 700)
	b.WriteString(enc.EncodeToString(hdr))
	b.WriteByte('.')
	b.WriteString(enc.EncodeToString(payload))
	signingInput := b.String()

	d := h.New()
	d.Write([]byte(signingInput))
	var opts crypto.SignerOpts = h
	if alg == PS256 {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
	}
	sig, err := signer.Sign(rand.Reader, d.Sum(nil), opts)
	if err != nil {
		return "", fmt.Errorf("jws: signing failed: %w", err)
	}
	b.WriteByte('.')
	b.WriteString(enc.EncodeToString(sig))
	return b.String(), nil
}

// marshalHeader writes {"alg":...} followed by the other header members in
// the deterministic order encoding/json gives map keys.
func marshalHeader(alg Algorithm, header map[string]any) ([]byte, error) {
	if _, ok := header["alg"]; ok {
		return nil, errors.New(`jws: header must not set "alg"`)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"alg":`)
	a, _ := json.Marshal(string(alg))
	buf.Write(a)
	if len(header) == 0 {
		buf.WriteByte('}')
		return buf.Bytes(), nil
	}
	rest, err := json.Marshal(header) // "{...}", keys sorted
	if err != nil {
		return nil, fmt.Errorf("jws: header: %w", err)
	}
	buf.WriteByte(',')
	buf.Write(rest[1:])
	return buf.Bytes(), nil
}

// Parts is an unverified, decoded compact JWS.
type Parts struct {
	Header    json.RawMessage
	Payload   []byte
	Signature []byte
}

// ErrMalformed is returned by [Split] for input that is not a compact JWS.
var ErrMalformed = errors.New("jws: malformed compact serialisation")

// Split decodes the three parts of a compact JWS without verifying anything.
// Use it only to display a token, never to trust one.
func Split(token string) (*Parts, error) {
	if len(token) > MaxTokenSize {
		return nil, fmt.Errorf("%w: %d bytes exceeds the %d byte limit", ErrMalformed, len(token), MaxTokenSize)
	}
	h, rest, ok1 := strings.Cut(token, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s, ".") {
		return nil, fmt.Errorf("%w: want three dot-separated parts", ErrMalformed)
	}
	var out Parts
	var err error
	hb, err := enc.Strict().DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("%w: header is not base64url", ErrMalformed)
	}
	if !json.Valid(hb) || len(hb) == 0 || hb[0] != '{' {
		return nil, fmt.Errorf("%w: header is not a JSON object", ErrMalformed)
	}
	out.Header = hb
	if out.Payload, err = enc.Strict().DecodeString(p); err != nil {
		return nil, fmt.Errorf("%w: payload is not base64url", ErrMalformed)
	}
	if out.Signature, err = enc.Strict().DecodeString(s); err != nil {
		return nil, fmt.Errorf("%w: signature is not base64url", ErrMalformed)
	}
	return &out, nil
}
