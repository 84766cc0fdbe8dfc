package maskinporten

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/fellesgo/felles/internal/jws"
)

// This file is the sandbox's JWS verification core: a strict parser of the
// compact serialisation and a key check in front of go-jose, which verifies
// the signature. Both the token endpoint (grants) and the Verifier (access
// tokens) go through it, and so do the Wycheproof vectors in the tests.

// maxJWSSize bounds a compact JWS (64 KiB): a grant with a three-certificate
// x5c chain is under 8 KiB.
const maxJWSSize = jws.MaxTokenSize

// grantAlgorithms are the algorithms Maskinporten accepts for a JWT grant
// (its metadata's token_endpoint_auth_signing_alg_values_supported).
var grantAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512}

// accessTokenAlgorithms are the algorithms the sandbox signs access tokens with.
var accessTokenAlgorithms = []jose.SignatureAlgorithm{jose.RS256}

// supportedAlgorithms are the algorithms the core can verify at all. "none"
// is not among them and never will be.
var supportedAlgorithms = []jose.SignatureAlgorithm{
	jose.HS256, jose.HS384, jose.HS512,
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
}

// minRSABits is the smallest RSA modulus the core verifies with.
const minRSABits = 2048

// The kinds of JWS failure; every error of the core wraps one of them.
var (
	errMalformed = errors.New("malformed JWS")         // not a strict compact JWS
	errAlgorithm = errors.New("JWS algorithm refused") // alg missing, unknown or not allowed
	errKey       = errors.New("JWS key refused")       // the key may not verify this JWS
	errSignature = errors.New("JWS signature invalid") // the signature does not verify
)

// jwsHeader is the decoded protected header of a compact JWS.
type jwsHeader struct {
	alg     jose.SignatureAlgorithm
	kid     string
	haveKid bool
	x5c     json.RawMessage // the raw "x5c" member; nil when absent
}

// compactJWS is a strictly parsed, not yet verified, compact JWS.
type compactJWS struct {
	token   string
	header  jwsHeader
	payload []byte
}

// verificationKey is a key with the JWK members (RFC 7517 §4.2–4.4) that
// restrict what it may verify.
type verificationKey struct {
	// key is an *rsa.PublicKey, an *ecdsa.PublicKey or, for HMAC, a []byte.
	key crypto.PublicKey
	// alg is the JWK "alg": when set, the JWS must use exactly it.
	alg string
	// use is the JWK "use": empty or "sig".
	use string
	// keyOps is the JWK "key_ops": when set, it must hold "verify".
	keyOps []string
}

// verifyJWS parses token strictly, checks that its algorithm is in allowed
// and that key may verify it, and verifies the signature. It returns the
// header and the payload.
func verifyJWS(token string, allowed []jose.SignatureAlgorithm, key verificationKey) (*jwsHeader, []byte, error) {
	j, err := parseCompact(token, allowed)
	if err != nil {
		return nil, nil, err
	}
	payload, err := j.verify(key)
	if err != nil {
		return nil, nil, err
	}
	return &j.header, payload, nil
}

// parseCompact decodes a compact JWS (RFC 7515 §7.1) strictly: exactly three
// parts of unpadded base64url in canonical form (no other characters, no
// stray bits), a non-empty signature, a protected header that is one JSON
// object without duplicate members, an "alg" in allowed, and no "crit" or
// "b64" (RFC 7797), which the sandbox does not implement. It verifies
// nothing.
func parseCompact(token string, allowed []jose.SignatureAlgorithm) (*compactJWS, error) {
	if len(token) > maxJWSSize {
		return nil, fmt.Errorf("%w: %d bytes exceeds the limit of %d", errMalformed, len(token), maxJWSSize)
	}
	parts := strings.SplitN(token, ".", 4)
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: want the compact serialisation, three base64url parts separated by two dots", errMalformed)
	}
	var dec [3][]byte
	for i, name := range [3]string{"header", "payload", "signature"} {
		b, err := decodeBase64URL(parts[i])
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errMalformed, name, err)
		}
		dec[i] = b
	}
	if len(dec[0]) == 0 {
		return nil, fmt.Errorf("%w: empty header", errMalformed)
	}
	members, err := parseObject(dec[0])
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", errMalformed, err)
	}
	j := &compactJWS{token: token, payload: dec[1]}
	rawAlg, ok := members["alg"]
	if !ok {
		return nil, fmt.Errorf("%w: the header has no \"alg\"", errAlgorithm)
	}
	var alg string
	if err := json.Unmarshal(rawAlg, &alg); err != nil {
		return nil, fmt.Errorf("%w: \"alg\" is not a string", errAlgorithm)
	}
	j.header.alg = jose.SignatureAlgorithm(alg)
	if !slices.Contains(allowed, j.header.alg) || !slices.Contains(supportedAlgorithms, j.header.alg) {
		return nil, fmt.Errorf("%w: %q is not one of %s", errAlgorithm, truncate(alg, 20), algList(allowed))
	}
	if len(dec[2]) == 0 {
		return nil, fmt.Errorf("%w: empty signature", errMalformed)
	}
	for _, name := range []string{"crit", "b64"} {
		if _, ok := members[name]; ok {
			return nil, fmt.Errorf("%w: header parameter %q is not supported", errMalformed, name)
		}
	}
	if raw, ok := members["kid"]; ok {
		if err := json.Unmarshal(raw, &j.header.kid); err != nil {
			return nil, fmt.Errorf("%w: \"kid\" is not a string", errMalformed)
		}
		j.header.haveKid = true
	}
	j.header.x5c = members["x5c"]
	// "jwk", "jku" and "x5u" are ignored: keys come only from the
	// verifier's side, never from the token (attacker-provided keys).
	return j, nil
}

// verify checks that key may verify j and verifies j's signature with
// go-jose. It returns the payload.
func (j *compactJWS) verify(key verificationKey) ([]byte, error) {
	alg := j.header.alg
	if err := checkKey(alg, key); err != nil {
		return nil, err
	}
	parsed, err := jose.ParseSignedCompact(j.token, []jose.SignatureAlgorithm{alg})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	var k any = key.key
	switch alg {
	case jose.PS256, jose.PS384, jose.PS512:
		// go-jose verifies RSASSA-PSS with any salt length; RFC 7518 §3.5
		// fixes it to the hash size.
		k = pssVerifier{key.key.(*rsa.PublicKey)}
	}
	payload, err := parsed.Verify(k)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", errSignature, alg)
	}
	if !bytes.Equal(payload, j.payload) {
		return nil, fmt.Errorf("%w: payload mismatch", errMalformed)
	}
	return payload, nil
}

// checkKey reports whether key may verify a JWS with algorithm alg: its
// "use", "key_ops" and "alg" allow it, and its type and size fit alg.
func checkKey(alg jose.SignatureAlgorithm, key verificationKey) error {
	if key.use != "" && key.use != "sig" {
		return fmt.Errorf("%w: the key's use is %q, not \"sig\"", errKey, key.use)
	}
	if len(key.keyOps) > 0 && !slices.Contains(key.keyOps, "verify") {
		return fmt.Errorf("%w: the key's key_ops %q do not include \"verify\"", errKey, key.keyOps)
	}
	if key.alg != "" && key.alg != string(alg) {
		return fmt.Errorf("%w: the key is for %s, the JWS uses %s", errKey, truncate(key.alg, 20), alg)
	}
	switch alg {
	case jose.HS256, jose.HS384, jose.HS512:
		secret, ok := key.key.([]byte)
		if !ok {
			return fmt.Errorf("%w: %s needs a symmetric key, got %T", errKey, alg, key.key)
		}
		if need := map[jose.SignatureAlgorithm]int{jose.HS256: 32, jose.HS384: 48, jose.HS512: 64}[alg]; len(secret) < need {
			return fmt.Errorf("%w: %s needs a key of at least %d bytes", errKey, alg, need)
		}
	case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
		pub, ok := key.key.(*rsa.PublicKey)
		if !ok || pub == nil {
			return fmt.Errorf("%w: %s needs an RSA key, got %T", errKey, alg, key.key)
		}
		if pub.N.BitLen() < minRSABits {
			return fmt.Errorf("%w: RSA key of %d bits; at least %d are required", errKey, pub.N.BitLen(), minRSABits)
		}
	case jose.ES256, jose.ES384, jose.ES512:
		pub, ok := key.key.(*ecdsa.PublicKey)
		if !ok || pub == nil {
			return fmt.Errorf("%w: %s needs an EC key, got %T", errKey, alg, key.key)
		}
		want := map[jose.SignatureAlgorithm]elliptic.Curve{jose.ES256: elliptic.P256(), jose.ES384: elliptic.P384(), jose.ES512: elliptic.P521()}[alg]
		if pub.Curve != want {
			return fmt.Errorf("%w: %s needs curve %s, the key is on %s", errKey, alg, want.Params().Name, pub.Curve.Params().Name)
		}
	default:
		return fmt.Errorf("%w: %s is not supported", errAlgorithm, alg)
	}
	return nil
}

// pssVerifier verifies RSASSA-PSS with the salt length RFC 7518 §3.5
// prescribes (the hash size), for go-jose as an OpaqueVerifier.
type pssVerifier struct{ pub *rsa.PublicKey }

func (v pssVerifier) VerifyPayload(payload, signature []byte, alg jose.SignatureAlgorithm) error {
	h := map[jose.SignatureAlgorithm]crypto.Hash{jose.PS256: crypto.SHA256, jose.PS384: crypto.SHA384, jose.PS512: crypto.SHA512}[alg]
	if h == 0 {
		return jose.ErrUnsupportedAlgorithm
	}
	d := h.New()
	d.Write(payload)
	return rsa.VerifyPSS(v.pub, h, d.Sum(nil), signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h})
}

// decodeBase64URL decodes unpadded base64url (RFC 7515 §2) strictly: only
// the 64 alphabet characters, no padding, no whitespace, and zero bits
// after the last whole byte, so that every value has exactly one encoding.
func decodeBase64URL(s string) ([]byte, error) {
	for i := range len(s) {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, fmt.Errorf("character %q at offset %d is not base64url", c, i)
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, errors.New("not canonical unpadded base64url")
	}
	return b, nil
}

// maxJSONDepth bounds the nesting of a header or claims object.
const maxJSONDepth = 16

// parseObject decodes b as exactly one JSON object and returns its members.
// A member name that occurs twice is an error (RFC 7515 §4 and RFC 7519 §4
// allow refusing them, and two parsers that disagree on which one wins are
// an attack), as is anything after the object or nesting deeper than
// maxJSONDepth.
func parseObject(b []byte) (map[string]json.RawMessage, error) {
	if depth := jsonDepth(b); depth > maxJSONDepth {
		return nil, fmt.Errorf("JSON nested deeper than %d levels", maxJSONDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, errors.New("not a JSON object")
		}
		name, _ := t.(string)
		if _, dup := members[name]; dup {
			return nil, fmt.Errorf("member %q occurs more than once", truncate(name, 40))
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("not a JSON object")
		}
		members[name] = v
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return members, nil
}

// jsonDepth returns the deepest nesting of arrays and objects in b,
// ignoring brackets inside strings. It does not validate b.
func jsonDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

func algList(algs []jose.SignatureAlgorithm) string {
	s := make([]string, len(algs))
	for i, a := range algs {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// truncate shortens s for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
