package maskinporten

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzParseGrant feeds arbitrary assertions to the grant parser, which
// must never panic and must only return grants that name exactly one key
// source and carry the required claims.
func FuzzParseGrant(f *testing.F) {
	fx := newFixture(f)
	good := certGrant(f, keys().cert, fx.claims())
	parts := strings.Split(good, ".")
	enc := base64.RawURLEncoding.EncodeToString
	for _, seed := range []string{
		good,
		parts[0] + "." + parts[1] + ".",
		enc([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".",
		enc([]byte(`{"alg":"RS256","x5c":"MIIB"}`)) + "." + parts[1] + "." + parts[2],
		enc([]byte(`{"alg":"RS256","kid":"k","kid":"k2"}`)) + "." + enc([]byte(`{"iat":1e400}`)) + ".AA",
		enc([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + enc([]byte(`{"iss":"a","aud":[],"iat":-1,"exp":"x","scope":" "}`)) + ".AA",
		enc([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + enc([]byte(`[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]`)) + ".AA",
		"", ".", "..", "...", "{}", "e30.e30.e30",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, assertion string) {
		g, terr := parseGrant(assertion)
		if (g == nil) == (terr == nil) {
			t.Fatalf("parseGrant returned %v and %v", g, terr)
		}
		if terr != nil {
			if terr.code == "" || terr.desc == "" || terr.status != 400 {
				t.Fatalf("incomplete refusal %+v", terr)
			}
			return
		}
		if (g.chain != nil) == g.jws.header.haveKid {
			t.Fatal("a grant without exactly one of x5c and kid")
		}
		c := g.claims
		if c.iss == "" || len(c.aud) == 0 || len(c.scopes) == 0 {
			t.Fatalf("a grant without required claims: %+v", c)
		}
	})
}
