package maskinporten

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/jws"
	"github.com/fellesgo/felles/internal/testpki"
)

const (
	testIssuer   = "http://sandbox.test/maskinporten/"
	testClientID = "c1a2b3c4-0000-4000-8000-000000000001"
	keyClientID  = "c1a2b3c4-0000-4000-8000-000000000002"
	testKid      = "registered-key-1"
	testScope    = "krr:global/kontaktinformasjon.read"
)

// Organisation numbers with valid check digits.
const (
	orgA = "311222333" // the test clients' organisation
	orgB = "311000004" // another organisation
	orgC = "312000008" // a third, a consumer delegating to orgA
)

// keys holds the expensive test material, made once per test binary.
var keys = sync.OnceValue(func() (k struct {
	ca, otherCA                 *testpki.CA
	signing, otherSigning       *rsa.PrivateKey
	cert, otherOrgCert, expired *identity.Certificate
	foreignCert, legacy         *identity.Certificate
	registered                  *rsa.PrivateKey
	err                         error
}) {
	must := func(err error) {
		if err != nil && k.err == nil {
			k.err = err
		}
	}
	var err error
	k.ca, err = testpki.New("Felles Sandbox")
	must(err)
	k.otherCA, err = testpki.New("Unrelated CA")
	must(err)
	k.signing, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.otherSigning, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.registered, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	if k.err != nil {
		return k
	}
	k.cert, err = k.ca.Issue(testpki.Request{OrganizationNumber: orgA, OrganizationName: "Sandbox Kommune"})
	must(err)
	k.legacy, err = k.ca.Issue(testpki.Request{OrganizationNumber: orgA, OrganizationName: "Sandbox Kommune", LegacySubject: true})
	must(err)
	k.otherOrgCert, err = k.ca.Issue(testpki.Request{OrganizationNumber: orgB, OrganizationName: "Annen Kommune"})
	must(err)
	k.expired, err = k.ca.Issue(testpki.Request{OrganizationNumber: orgA, OrganizationName: "Sandbox Kommune",
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	must(err)
	k.foreignCert, err = k.otherCA.Issue(testpki.Request{OrganizationNumber: orgA, OrganizationName: "Sandbox Kommune"})
	must(err)
	return k
})

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a Server with a certificate client (testClientID) and a
// registered-key client (keyClientID), both of orgA with testScope.
type fixture struct {
	srv   *Server
	clock *clock
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	k := keys()
	if k.err != nil {
		t.Fatal(k.err)
	}
	c := &clock{t: time.Now().Truncate(time.Second)}
	srv, err := NewServer(Config{Issuer: testIssuer, Roots: k.ca.Roots(), SigningKey: k.signing, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range []Client{
		{ID: testClientID, OrganizationNumber: orgA, Scopes: []string{testScope, "krr:global/digitalpost.read"}},
		{ID: keyClientID, OrganizationNumber: orgA, Scopes: []string{testScope}, Keys: map[string]crypto.PublicKey{testKid: &k.registered.PublicKey}},
	} {
		if err := srv.RegisterClient(cl); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{srv: srv, clock: c}
}

// x5c returns the x5c header value of c's chain.
func x5c(c *identity.Certificate) []string {
	out := make([]string, len(c.Chain))
	for i, cert := range c.Chain {
		out[i] = base64.StdEncoding.EncodeToString(cert.Raw)
	}
	return out
}

// claims returns valid grant claims for the certificate client at now.
func (f *fixture) claims() map[string]any {
	now := f.clock.Now().Unix()
	return map[string]any{
		"aud": f.srv.issuer, "iss": testClientID, "scope": testScope,
		"iat": now, "exp": now + 60, "jti": randomID(),
	}
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sign signs claims with felles's own signer (internal/jws).
func sign(t testing.TB, signer crypto.Signer, alg jws.Algorithm, header, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.Sign(signer, alg, header, payload)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// certGrant signs claims with the certificate c, x5c in the header.
func certGrant(t testing.TB, c *identity.Certificate, claims map[string]any) string {
	return sign(t, c.Signer, jws.RS256, map[string]any{"x5c": x5c(c)}, claims)
}

// rawJWS assembles a compact JWS from parts, for grants no honest signer
// would make.
func rawJWS(header, claims any, sig []byte) string {
	enc := func(v any) string {
		if s, ok := v.(string); ok {
			return base64.RawURLEncoding.EncodeToString([]byte(s))
		}
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(header) + "." + enc(claims) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// post sends a token request with the given form to the server.
func (f *fixture) post(form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec
}

// token sends assertion in a well-formed token request.
func (f *fixture) token(assertion string) *httptest.ResponseRecorder {
	return f.post(url.Values{"grant_type": {GrantType}, "assertion": {assertion}})
}

// oauthError is the body of a refusal.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	URI         string `json:"error_uri"`
}

func decodeError(t testing.TB, rec *httptest.ResponseRecorder) oauthError {
	t.Helper()
	var e oauthError
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("refusal body %q is not JSON: %v", rec.Body, err)
	}
	return e
}
