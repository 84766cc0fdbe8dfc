package maskinporten

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// wycheproofJWS is C2SP/wycheproof's testvectors_v1/json_web_signature_test.json
// in the shared material beside the project (Apache-2.0).
var wycheproofJWS = filepath.Join("..", "..", "..", "shared", "testdata", "attacks", "wycheproof", "json_web_signature_test.json")

// wycheproofDeviations are the vectors whose verdict the core deliberately
// does not share, each with the reason. The test requires the opposite of
// Wycheproof's verdict for them, so a change of behaviour shows.
var wycheproofDeviations = map[int]string{
	346: "Figure20 (RFC 7520 §4.2): the group's JWK says alg PS256 but the JWS uses PS384. RFC 7520's key has no alg; " +
		"Wycheproof added one. The same file's WrongPrimitive vectors (tcId 338, 340: PS256 and PS384 under a PS512 key) " +
		"require refusing a JWS whose alg differs from the key's, so both verdicts cannot hold; the core keeps the strict rule.",
	350: "Figure20 again, the key restricted by key_ops [verify] instead of use: same conflict as tcId 346.",
	347: "Figure27 (RFC 7520 §4.3): the group's JWK says alg \"ES521\", which is no JWS algorithm (RFC 7518 §3.1 names it ES512); " +
		"the JWS uses ES512. A key whose alg is not the JWS's is refused (see tcId 346).",
	351: "Figure27 again, with key_ops [verify]: same as tcId 347.",
	367: "invalidBase64Padding: the vector is byte-for-byte tcId 357 (ValidMac, valid); the padding its name describes is " +
		"missing from the file (upstream too), so it verifies.",
	370: "invalidBase64PaddingInPayload: byte-for-byte tcId 357 as well; it verifies.",
	372: "InvalidCharacterInsertedInHeader is marked valid, but the header holds a '?', which is not base64url; RFC 7515 §2 " +
		"requires base64url without other characters, and the core decodes strictly (as tcId 361–364 and 366 require).",
	373: "InvalidCharacterInsertedInPayload: a '?' in the payload; refused for the same reason as tcId 372.",
}

type wycheproofFile struct {
	NumberOfTests int `json:"numberOfTests"`
	TestGroups    []struct {
		Comment string          `json:"comment"`
		Public  json.RawMessage `json:"public"`
		Private json.RawMessage `json:"private"`
		Tests   []struct {
			TcID    int    `json:"tcId"`
			Comment string `json:"comment"`
			JWS     string `json:"jws"`
			Result  string `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

func TestWycheproofJWS(t *testing.T) {
	data, err := os.ReadFile(wycheproofJWS)
	if err != nil {
		t.Skipf("the Wycheproof JWS vectors are not at %s (the shared material beside the project): %v", wycheproofJWS, err)
	}
	var file wycheproofFile
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	var total, valid, invalid, deviations, productionAccepted int
	for _, g := range file.TestGroups {
		keyJSON := g.Public
		if keyJSON == nil {
			keyJSON = g.Private // the HMAC groups have only the secret key
		}
		key, err := wycheproofKey(keyJSON)
		if err != nil {
			t.Fatalf("group %q: %v", g.Comment, err)
		}
		for _, tc := range g.Tests {
			total++
			want := tc.Result == "valid"
			if _, deviates := wycheproofDeviations[tc.TcID]; deviates {
				want = !want
				deviations++
			}
			// The vector's own algorithm is the only one allowed, so that
			// the key checks, the signature and the encoding decide.
			allowed := supportedAlgorithms
			if alg := peekAlg(tc.JWS); slices.Contains(supportedAlgorithms, alg) {
				allowed = []jose.SignatureAlgorithm{alg}
			}
			_, payload, err := verifyJWS(tc.JWS, allowed, key)
			got := err == nil
			if got {
				valid++
			} else {
				invalid++
			}
			if got != want {
				t.Errorf("tcId %d (%s, %s): accepted %t, want %t (Wycheproof: %s); err %v; reason for a deviation: %q",
					tc.TcID, g.Comment, tc.Comment, got, want, tc.Result, err, wycheproofDeviations[tc.TcID])
			}
			if err != nil && !errors.Is(err, errMalformed) && !errors.Is(err, errAlgorithm) && !errors.Is(err, errKey) && !errors.Is(err, errSignature) {
				t.Errorf("tcId %d: error %v wraps none of the core's kinds", tc.TcID, err)
			}
			_ = payload

			// With the production allow-list of grants, only RS256, RS384
			// and RS512 can ever pass.
			hdr, _, err := verifyJWS(tc.JWS, grantAlgorithms, key)
			if err == nil {
				productionAccepted++
				if !slices.Contains(grantAlgorithms, hdr.alg) {
					t.Errorf("tcId %d: the grant allow-list accepted alg %s", tc.TcID, hdr.alg)
				}
				if !got {
					t.Errorf("tcId %d: accepted with the grant allow-list, refused with its own algorithm", tc.TcID)
				}
			}
		}
	}
	if total != file.NumberOfTests {
		t.Errorf("ran %d vectors, the file has %d", total, file.NumberOfTests)
	}
	if deviations != len(wycheproofDeviations) {
		t.Errorf("%d of the %d deviations were found in the file", deviations, len(wycheproofDeviations))
	}
	t.Logf("Wycheproof JWS: %d vectors: %d accepted, %d refused; %d deliberate deviations; %d accepted with the RS256/384/512 allow-list",
		total, valid, invalid, deviations, productionAccepted)
}

// wycheproofKey turns a Wycheproof JWK into a verificationKey: the public
// key (or HMAC secret) with its alg, use and key_ops.
func wycheproofKey(raw json.RawMessage) (verificationKey, error) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return verificationKey{}, err
	}
	var meta struct {
		KeyOps []string `json:"key_ops"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return verificationKey{}, err
	}
	k := verificationKey{key: jwk.Key, alg: jwk.Algorithm, use: jwk.Use, keyOps: meta.KeyOps}
	if !jwk.IsPublic() {
		if _, symmetric := jwk.Key.([]byte); !symmetric {
			k.key = jwk.Public().Key
		}
	}
	return k, nil
}

// peekAlg returns the alg of a JWS header, leniently, or "".
func peekAlg(token string) jose.SignatureAlgorithm {
	h, _, _ := strings.Cut(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(b, &hdr) != nil {
		return ""
	}
	return jose.SignatureAlgorithm(hdr.Alg)
}
