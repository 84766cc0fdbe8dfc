package sandbox_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/jws"
	"github.com/fellesgo/felles/sandbox"
	"github.com/fellesgo/felles/sandbox/internal/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// start starts a sandbox with the shared state and closes it after the test.
func start(t *testing.T, opts ...sandbox.Option) *sandbox.Sandbox {
	t.Helper()
	return sandboxtest.Start(t, opts...)
}

// grant returns a JWT grant for clientID signed with cert (x5c).
func grant(t *testing.T, sb *sandbox.Sandbox, clientID string, cert *identity.Certificate, scope string) string {
	t.Helper()
	x5c := make([]string, len(cert.Chain))
	for i, c := range cert.Chain {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	return signGrant(t, sb, clientID, cert.Signer, map[string]any{"x5c": x5c}, scope)
}

func signGrant(t *testing.T, sb *sandbox.Sandbox, clientID string, signer crypto.Signer, header map[string]any, scope string) string {
	t.Helper()
	now := time.Now().Unix()
	jti := make([]byte, 16)
	rand.Read(jti)
	claims, _ := json.Marshal(map[string]any{
		"aud": sb.MaskinportenIssuer(), "iss": clientID, "scope": scope,
		"iat": now, "exp": now + 60, "jti": base64.RawURLEncoding.EncodeToString(jti),
	})
	s, err := jws.Sign(signer, jws.RS256, header, claims)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
	URI         string `json:"error_uri"`
}

// postToken posts assertion to the sandbox's token endpoint.
func postToken(t *testing.T, sb *sandbox.Sandbox, assertion string) (int, tokenResponse) {
	t.Helper()
	resp, err := http.PostForm(sb.MaskinportenIssuer()+"token", url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, tr
}

// accessToken gets an access token for the test client.
func accessToken(t *testing.T, sb *sandbox.Sandbox, scope string) string {
	t.Helper()
	tc := sb.TestClient()
	status, tr := postToken(t, sb, grant(t, sb, tc.ClientID, tc.Certificate, scope))
	if status != http.StatusOK {
		t.Fatalf("token: %d %+v", status, tr)
	}
	return tr.AccessToken
}

// get sends a GET with optional headers and returns status, headers, body.
func get(t *testing.T, u string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func TestSandboxServes(t *testing.T) {
	sb := start(t)
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(sb.URL()) {
		t.Errorf("URL %q", sb.URL())
	}
	issuer := sb.MaskinportenIssuer()
	if issuer != sb.URL()+"/maskinporten/" {
		t.Errorf("issuer %q", issuer)
	}
	wantEndpoints := map[string]string{
		"maskinporten": issuer, "sandbox": sb.URL() + "/sandbox/",
		"krr": sb.URL() + "/krr/", "folkeregister": sb.URL() + "/folkeregister/",
		"tsa": sb.URL() + "/tsa/",
	}
	if root := sb.RootCertificate(); !root.IsCA || root.CheckSignatureFrom(root) != nil {
		t.Errorf("RootCertificate is not a self-signed CA certificate: %v", root.Subject)
	}
	if diff := cmp.Diff(wantEndpoints, sb.Endpoints()); diff != "" {
		t.Errorf("Endpoints (-want +got):\n%s", diff)
	}

	status, _, body := get(t, issuer+".well-known/oauth-authorization-server")
	var md map[string]any
	if err := json.Unmarshal(body, &md); status != http.StatusOK || err != nil {
		t.Fatalf("metadata: %d %s", status, body)
	}
	if md["issuer"] != issuer || md["token_endpoint"] != issuer+"token" || md["jwks_uri"] != issuer+"jwk" {
		t.Errorf("metadata %s", body)
	}
	status, _, body = get(t, issuer+"jwk")
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"kid":"`)) {
		t.Errorf("jwk: %d %s", status, body)
	}
	status, _, body = get(t, issuer+"errors/MP-200")
	if status != http.StatusOK || !bytes.HasPrefix(body, []byte("MP-200: ")) {
		t.Errorf("errors/MP-200: %d %s", status, body)
	}
	if status, _, body = get(t, sb.URL()+"/sandbox/health"); status != http.StatusOK || string(body) != `{"status":"ok"}` {
		t.Errorf("health: %d %s", status, body)
	}
	for _, path := range []string{"/", "/nope", "/maskinporten/nope", "/sandbox/nope", "/krrx/rest/v2/personer"} {
		if status, _, _ := get(t, sb.URL()+path); status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, status)
		}
	}
	if status, _, _ := get(t, issuer+"token"); status != http.StatusMethodNotAllowed {
		t.Errorf("GET token: %d, want 405", status)
	}
}

func TestTestClientAndWhoami(t *testing.T) {
	sb := start(t)
	tc := sb.TestClient()
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(tc.ClientID) {
		t.Errorf("client id %q is not UUID-shaped", tc.ClientID)
	}
	if !identity.ValidOrganizationNumber(tc.OrganizationNumber) || tc.OrganizationName == "" {
		t.Errorf("organisation %q %q", tc.OrganizationNumber, tc.OrganizationName)
	}
	if n, err := tc.Certificate.OrganizationNumber(); err != nil || n != tc.OrganizationNumber {
		t.Errorf("certificate organisation number %q, %v", n, err)
	}
	inter := x509.NewCertPool()
	for _, c := range tc.Certificate.Chain[1:] {
		inter.AddCert(c)
	}
	if _, err := tc.Certificate.Leaf().Verify(x509.VerifyOptions{Roots: sb.Roots(), Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("the test client's certificate does not chain to Roots: %v", err)
	}
	if !slices.Equal(tc.Scopes, sandbox.Scopes()) {
		t.Errorf("test client scopes %q, want %q", tc.Scopes, sandbox.Scopes())
	}
	tc.Scopes[0] = "changed"
	if sb.TestClient().Scopes[0] == "changed" {
		t.Error("TestClient returns a shared slice")
	}

	for _, scope := range sandbox.Scopes() {
		tok := accessToken(t, sb, scope)
		status, _, body := get(t, sb.URL()+"/sandbox/whoami", "Authorization", "Bearer "+tok)
		if status != http.StatusOK {
			t.Fatalf("whoami: %d %s", status, body)
		}
		var who map[string]any
		json.Unmarshal(body, &who)
		if who["client_id"] != tc.ClientID || who["scope"] != scope || who["consumer_orgno"] != tc.OrganizationNumber || who["client_amr"] != "virksomhetssertifikat" {
			t.Errorf("whoami %s", body)
		}
		at, err := sb.Verifier().Verify(context.Background(), tok, scope)
		if err != nil || at.ClientID != tc.ClientID {
			t.Errorf("Verifier: %v, %v", at, err)
		}
	}

	status, tr := postToken(t, sb, grant(t, sb, tc.ClientID, tc.Certificate, "nav:example/not-granted"))
	if status != http.StatusBadRequest || tr.Error != "invalid_scope" || tr.URI != sb.MaskinportenIssuer()+"errors/MP-200" {
		t.Errorf("a scope outside the catalogue: %d %+v", status, tr)
	}

	status, h, body := get(t, sb.URL()+"/sandbox/whoami")
	if status != http.StatusUnauthorized || h.Get("WWW-Authenticate") != `Bearer realm="felles-sandbox"` {
		t.Errorf("whoami without a token: %d %q %s", status, h.Get("WWW-Authenticate"), body)
	}
	status, h, _ = get(t, sb.URL()+"/sandbox/whoami", "Authorization", "Bearer eyJhbGciOiJub25lIn0.e30.")
	if status != http.StatusUnauthorized || !strings.Contains(h.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("whoami with a bad token: %d %q", status, h.Get("WWW-Authenticate"))
	}
}

func TestRegisterClientIssueCertificateDelegate(t *testing.T) {
	sb := start(t)
	const org, consumer = "311000004", "312000008"
	cert, err := sb.IssueCertificate(sandbox.CertificateRequest{OrganizationNumber: org, OrganizationName: "Leverandør AS"})
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := sb.IssueCertificate(sandbox.CertificateRequest{OrganizationNumber: org, OrganizationName: "Leverandør AS", LegacySubject: true})
	if err != nil {
		t.Fatal(err)
	}
	expired, err := sb.IssueCertificate(sandbox.CertificateRequest{OrganizationNumber: org, OrganizationName: "Leverandør AS",
		NotBefore: time.Now().Add(-72 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	const scope = "nav:example/read"
	for _, c := range []sandbox.Client{
		{ID: "supplier-client", OrganizationNumber: org, Scopes: []string{scope}},
		{ID: "key-client", OrganizationNumber: org, Scopes: []string{scope}, Keys: map[string]crypto.PublicKey{"k1": &key.PublicKey}},
	} {
		if err := sb.RegisterClient(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := sb.Delegate(sandbox.Delegation{Consumer: consumer, Supplier: org, Scopes: []string{"krr:global/kontaktinformasjon.read"}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		assertion string
		status    int
		uri       string
	}{
		{"certificate", grant(t, sb, "supplier-client", cert, scope), http.StatusOK, ""},
		{"legacy certificate", grant(t, sb, "supplier-client", legacy, scope), http.StatusOK, ""},
		{"kid", signGrant(t, sb, "key-client", key, map[string]any{"kid": "k1"}, scope), http.StatusOK, ""},
		{"expired certificate", grant(t, sb, "supplier-client", expired, scope), http.StatusBadRequest, "MP-120"},
		{"the test client's certificate", grant(t, sb, "supplier-client", sb.TestClient().Certificate, scope), http.StatusBadRequest, "MP-122"},
		{"x5c for a key client", grant(t, sb, "key-client", cert, scope), http.StatusBadRequest, "MP-100"},
		{"a scope the client lacks", grant(t, sb, "supplier-client", cert, "krr:global/kontaktinformasjon.read"), http.StatusBadRequest, "MP-200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, tr := postToken(t, sb, tc.assertion)
			wantURI := ""
			if tc.uri != "" {
				wantURI = sb.MaskinportenIssuer() + "errors/" + tc.uri
			}
			if status != tc.status || tr.URI != wantURI {
				t.Errorf("%d %+v, want %d %s", status, tr, tc.status, tc.uri)
			}
		})
	}
}

func TestStateDirKeepsCAAndKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	sb1, err := sandbox.Start(sandbox.WithStateDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	tc1 := sb1.TestClient()
	tok1 := accessToken(t, sb1, sandbox.Scopes()[0])
	sb1.Close()

	for _, name := range []string{"ca.pem", "token-signing-key.pem", "test-client.pem"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("state directory mode: %v %v", fi.Mode().Perm(), err)
	}

	sb2, err := sandbox.Start(sandbox.WithStateDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer sb2.Close()
	tc2 := sb2.TestClient()
	if !tc1.Certificate.Leaf().Equal(tc2.Certificate.Leaf()) {
		t.Error("the test client's certificate changed across restarts")
	}
	// An old client.p12 (the first run's certificate) still gets tokens.
	if status, tr := postToken(t, sb2, grant(t, sb2, tc1.ClientID, tc1.Certificate, sandbox.Scopes()[0])); status != http.StatusOK {
		t.Errorf("the first run's certificate: %d %+v", status, tr)
	}
	// The first run's access token verifies: same key; the issuer differs
	// unless the port is the same, so check the signature alone.
	if _, err := sb2.Verifier().Verify(context.Background(), tok1); err != nil && !strings.Contains(err.Error(), "issuer") {
		t.Errorf("the first run's access token: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sandbox.Start(sandbox.WithStateDir(dir)); err == nil || !strings.Contains(err.Error(), "ca.pem") {
		t.Errorf("Start with a corrupt ca.pem: %v", err)
	}
}

func TestStateDirSameAddressKeepsTokensValid(t *testing.T) {
	dir := t.TempDir()
	sb1, err := sandbox.Start(sandbox.WithStateDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(sb1.URL(), "http://")
	tok := accessToken(t, sb1, sandbox.Scopes()[0])
	sb1.Close()
	sb2, err := sandbox.Start(sandbox.WithStateDir(dir), sandbox.WithAddr(addr))
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	defer sb2.Close()
	if _, err := sb2.Verifier().Verify(context.Background(), tok); err != nil {
		t.Errorf("a token from before the restart: %v", err)
	}
}

func TestOptions(t *testing.T) {
	for name, opt := range map[string]sandbox.Option{
		"WithAddr":           sandbox.WithAddr("no-port"),
		"WithStateDir":       sandbox.WithStateDir(""),
		"WithClock":          sandbox.WithClock(nil),
		"WithTokenLifetime0": sandbox.WithTokenLifetime(0),
		"WithTokenLifetime":  sandbox.WithTokenLifetime(1500 * time.Millisecond),
		"WithFault":          sandbox.WithFault(sandbox.Fault{Status: 200}),
		"WithFaultNothing":   sandbox.WithFault(sandbox.Fault{PathPrefix: "/x"}),
	} {
		if sb, err := sandbox.Start(opt); err == nil {
			sb.Close()
			t.Errorf("%s: Start succeeded", name)
		}
	}

	fixed := time.Now().Add(time.Hour).Truncate(time.Second)
	sb := start(t, sandbox.WithTokenLifetime(5*time.Minute), sandbox.WithClock(func() time.Time { return fixed }), sandbox.WithLogger(nil))
	tc := sb.TestClient()
	now := fixed.Unix()
	claims, _ := json.Marshal(map[string]any{"aud": sb.MaskinportenIssuer(), "iss": tc.ClientID, "scope": tc.Scopes[0], "iat": now, "exp": now + 30, "jti": "j1"})
	x5c := []string{base64.StdEncoding.EncodeToString(tc.Certificate.Chain[0].Raw), base64.StdEncoding.EncodeToString(tc.Certificate.Chain[1].Raw)}
	a, err := jws.Sign(tc.Certificate.Signer, jws.RS256, map[string]any{"x5c": x5c}, claims)
	if err != nil {
		t.Fatal(err)
	}
	status, tr := postToken(t, sb, a)
	if status != http.StatusOK || tr.ExpiresIn != 300 {
		t.Fatalf("%d %+v", status, tr)
	}
	at, err := sb.Verifier().Verify(context.Background(), tr.AccessToken)
	if err != nil || !at.IssuedAt.Equal(fixed) || !at.Expiry.Equal(fixed.Add(5*time.Minute)) {
		t.Errorf("token times %v–%v, want %v–%v (%v)", at.IssuedAt, at.Expiry, fixed, fixed.Add(5*time.Minute), err)
	}
}
