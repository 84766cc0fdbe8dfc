package krr_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/sandbox"
	"github.com/fellesgo/felles/sandbox/internal/sandboxtest"
	"github.com/fellesgo/felles/sandbox/krr"
	"github.com/fellesgo/felles/sandbox/population"
)

const (
	contactScope  = "krr:global/kontaktinformasjon.read"
	postScope     = "krr:global/digitalpost.read"
	bothScopes    = contactScope + " " + postScope
	supplierBoth  = "krr:global/kontaktinfo.read krr:global/postkasse.read"
	personsV1Path = "rest/v1/personer"
	personsV2Path = "rest/v2/personer"
)

func lookup(t testing.TB, sb *sandbox.Sandbox, path, scope string, body any, header ...string) response {
	t.Helper()
	return call(t, sb, http.MethodPost, sb.Endpoints()["krr"]+path, scope, body, header...)
}

func ids(ps ...population.Person) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID.Digits()
	}
	return out
}

// find returns the first person matching f.
func find(t testing.TB, sb *sandbox.Sandbox, what string, f func(population.Person) bool) population.Person {
	t.Helper()
	p, ok := sb.Population().Find(f)
	if !ok {
		t.Fatalf("no person who is %s", what)
	}
	return p
}

var (
	hourOffsetRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]$`)
	utcMillisRE  = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

func TestLookupJSON(t *testing.T) {
	sb := start(t)
	now := time.Now()
	full := find(t, sb, "active with a mailbox and fresh contact details", func(p population.Person) bool {
		return p.CanReceiveDigitalPost() && p.Contact.Email != "" && p.Contact.Mobile != "" && p.Contact.Notifiable(now)
	})
	reserved := find(t, sb, "reserved", func(p population.Person) bool { return p.Contact.Status == population.KRRActive && p.Reserved })
	deleted := find(t, sb, "SLETTET", func(p population.Person) bool { return p.Contact.Status == population.KRRDeleted })

	r := lookup(t, sb, personsV2Path, bothScopes, map[string]any{"personidentifikatorer": ids(full, reserved, deleted)})
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var raw struct {
		Personer []map[string]any `json:"personer"`
	}
	if err := json.Unmarshal(r.body, &raw); err != nil || len(raw.Personer) != 3 {
		t.Fatalf("%s", r.body)
	}
	p := raw.Personer[0]
	if p["personidentifikator"] != full.ID.Digits() || p["reservasjon"] != "NEI" || p["status"] != "AKTIV" || p["varslingsstatus"] != "KAN_VARSLES" {
		t.Errorf("person %v", p)
	}
	ki := p["kontaktinformasjon"].(map[string]any)
	if ki["epostadresse"] != full.Contact.Email || ki["mobiltelefonnummer"] != full.Contact.Mobile || !regexp.MustCompile(`^\+47[49]\d{7}$`).MatchString(ki["mobiltelefonnummer"].(string)) {
		t.Errorf("kontaktinformasjon %v", ki)
	}
	for k, re := range map[string]*regexp.Regexp{
		"epostadresse_oppdatert": hourOffsetRE, "mobiltelefonnummer_oppdatert": hourOffsetRE,
		"epostadresse_sist_verifisert": utcMillisRE, "mobiltelefonnummer_sist_verifisert": utcMillisRE,
	} {
		if v, _ := ki[k].(string); !re.MatchString(v) {
			t.Errorf("%s = %q", k, v)
		}
	}
	if !hourOffsetRE.MatchString(p["reservasjon_oppdatert"].(string)) || !utcMillisRE.MatchString(p["spraak_oppdatert"].(string)) {
		t.Errorf("timestamps %v %v", p["reservasjon_oppdatert"], p["spraak_oppdatert"])
	}
	dp := p["digital_post"].(map[string]any)
	if dp["postkasseleverandoeradresse"] != full.Contact.MailboxProvider || !regexp.MustCompile(`^[a-z.]+#[A-Z0-9]{4}$`).MatchString(dp["postkasseadresse"].(string)) {
		t.Errorf("digital_post %v", dp)
	}
	cert := parseCert(t, p["sertifikat"].(string))
	if n, err := identity.OrganizationNumber(cert); err != nil || n != full.Contact.MailboxProvider {
		t.Errorf("sertifikat for %q (%v), want the provider %s", n, err, full.Contact.MailboxProvider)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: sb.Roots(), Intermediates: intermediates(sb), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("sertifikat does not verify to the sandbox CA: %v", err)
	}
	if l := p["spraak"]; l != full.Contact.Language {
		t.Errorf("spraak %v", l)
	}

	res := raw.Personer[1]
	if res["reservasjon"] != "JA" || res["varslingsstatus"] != "KAN_IKKE_VARSLES" || !hourOffsetRE.MatchString(res["reservasjonstidspunkt"].(string)) {
		t.Errorf("reserved %v", res)
	}
	del := raw.Personer[2]
	if del["status"] != "SLETTET" || del["varslingsstatus"] != "KAN_IKKE_VARSLES" || del["kontaktinformasjon"] != nil || del["digital_post"] != nil {
		t.Errorf("deleted %v", del)
	}

	// v1 answers the same.
	r1 := lookup(t, sb, personsV1Path, bothScopes, map[string]any{"personidentifikatorer": ids(full, reserved, deleted)})
	if string(r1.body) != string(r.body) {
		t.Errorf("v1 differs from v2:\n%s\n%s", r1.body, r.body)
	}
}

func parseCert(t *testing.T, b64 string) *x509.Certificate {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func intermediates(sb *sandbox.Sandbox) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, p := range sb.KRR().Providers() {
		for _, c := range p.Certificate.Chain[1:] {
			pool.AddCert(c)
		}
	}
	return pool
}

func TestScopes(t *testing.T) {
	sb := start(t)
	per := find(t, sb, "able to receive digital post", population.Person.CanReceiveDigitalPost)
	body := map[string]any{"personidentifikatorer": ids(per)}
	get := func(scope string) krr.Person {
		r := lookup(t, sb, personsV2Path, scope, body)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", scope, r.status, r.body)
		}
		resp := decode[krr.Response](t, r)
		if len(resp.Personer) != 1 {
			t.Fatalf("%s: %s", scope, r.body)
		}
		return resp.Personer[0]
	}
	all := get(bothScopes)
	contact := get(contactScope)
	post := get(postScope)
	for _, p := range []krr.Person{all, contact, post} {
		if p.Reservasjon != "NEI" || p.Status != "AKTIV" || p.ReservasjonOppdatert == "" {
			t.Errorf("reservation and status must always come: %+v", p)
		}
	}
	if contact.DigitalPost != nil || contact.Sertifikat != "" || contact.Kontaktinformasjon == nil || contact.Varslingsstatus == "" || contact.Spraak == "" {
		t.Errorf("contact scope: %+v", contact)
	}
	if post.Kontaktinformasjon != nil || post.Varslingsstatus != "" || post.Spraak != "" || post.DigitalPost == nil || post.Sertifikat == "" {
		t.Errorf("digital post scope: %+v", post)
	}
	if diff := cmp.Diff(all, get(supplierBoth)); diff != "" {
		t.Errorf("supplier scopes differ:\n%s", diff)
	}
	// A token without a KRR scope: 403, as the verifier answers.
	r := lookup(t, sb, personsV2Path, "folkeregister:deling/offentligmedhjemmel", body)
	if r.status != http.StatusForbidden || !strings.Contains(r.header.Get("WWW-Authenticate"), "insufficient_scope") {
		t.Errorf("no KRR scope: %d %s", r.status, r.body)
	}
	if r := lookup(t, sb, personsV2Path, "", body); r.status != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.status)
	}
}

func TestLimitsAndErrors(t *testing.T) {
	sb := start(t)
	pop := sb.Population()
	many := make([]string, 1001)
	for i := range many {
		many[i] = pop.Digits(i % pop.Len())
	}
	if r := lookup(t, sb, personsV2Path, bothScopes, map[string]any{"personidentifikatorer": many[:1000]}); r.status != http.StatusOK {
		t.Errorf("1000 ids: %d", r.status)
	}
	for name, body := range map[string]any{
		"1001 ids":  map[string]any{"personidentifikatorer": many},
		"none":      map[string]any{"personidentifikatorer": []string{}},
		"missing":   map[string]any{},
		"malformed": map[string]any{"personidentifikatorer": []string{"123"}},
		"not JSON":  "x",
	} {
		r := lookup(t, sb, personsV2Path, bothScopes, body)
		var e krr.SpringError
		if err := json.Unmarshal(r.body, &e); r.status != http.StatusBadRequest || err != nil || e.Status != 400 || e.Error != "Bad Request" || e.Message == "" || e.Path != "/rest/v2/personer" || e.Timestamp == "" {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := call(t, sb, http.MethodGet, sb.Endpoints()["krr"]+personsV2Path, bothScopes, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET personer: %d", r.status)
	}
	if r := lookup(t, sb, personsV2Path, bothScopes, map[string]any{"personidentifikatorer": many[:1]}, "Accept", "text/html"); r.status != http.StatusNotAcceptable {
		t.Errorf("Accept text/html: %d", r.status)
	}
	// Faults: 429 with Retry-After in seconds, in Spring's shape.
	r := lookup(t, sb, personsV2Path, bothScopes, map[string]any{"personidentifikatorer": many[:1]}, sandbox.FaultHeader, "status=429; retry-after=3")
	var e krr.SpringError
	if err := json.Unmarshal(r.body, &e); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "3" || err != nil || e.Status != 429 {
		t.Errorf("429 fault: %d %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
}

func TestUnregistered(t *testing.T) {
	sb := start(t)
	child := find(t, sb, "a child (not in KRR)", func(p population.Person) bool { return p.Contact.Status == population.KRRNotRegistered })
	adult := find(t, sb, "active", func(p population.Person) bool { return p.Contact.Status == population.KRRActive })
	const unknown = "01010000000"
	body := func(incl *bool) map[string]any {
		b := map[string]any{"personidentifikatorer": []string{adult.ID.Digits(), unknown, child.ID.Digits()}}
		if incl != nil {
			b["inkluderIkkeRegistrerte"] = *incl
		}
		return b
	}
	yes, no := true, false
	for _, tc := range []struct {
		path string
		incl *bool
		want int
	}{
		{personsV2Path, nil, 1}, {personsV2Path, &no, 1}, {personsV2Path, &yes, 3}, {personsV1Path, &yes, 1},
	} {
		resp := decode[krr.Response](t, lookup(t, sb, tc.path, bothScopes, body(tc.incl)))
		if len(resp.Personer) != tc.want || resp.Personer[0].Personidentifikator != adult.ID.Digits() {
			t.Errorf("%s inkluderIkkeRegistrerte=%v: %+v", tc.path, tc.incl, resp.Personer)
			continue
		}
		for _, p := range resp.Personer[1:] {
			if p.Status != "IKKE_REGISTRERT" || p.Varslingsstatus != "KAN_IKKE_VARSLES" || p.Reservasjon != "" || p.Kontaktinformasjon != nil {
				t.Errorf("unregistered %+v", p)
			}
		}
	}
}

func TestEighteenMonthRule(t *testing.T) {
	sb := start(t)
	now := time.Now()
	stale := find(t, sb, "active with expired contact details", func(p population.Person) bool {
		c := p.Contact
		return c.Status == population.KRRActive && !c.Reserved && c.Email != "" && c.Mobile != "" && !c.EmailUsable(now) && !c.MobileUsable(now)
	})
	resp := decode[krr.Response](t, lookup(t, sb, personsV2Path, contactScope, map[string]any{"personidentifikatorer": ids(stale)}))
	p := resp.Personer[0]
	if p.Varslingsstatus != "KAN_IKKE_VARSLES" || p.Kontaktinformasjon == nil || p.Kontaktinformasjon.Epostadresse == "" {
		t.Fatalf("expired contact details: %+v", p)
	}
	// Neither timestamp of either channel is within 18 months.
	limit := now.AddDate(0, -18, 0)
	for _, v := range []string{p.Kontaktinformasjon.EpostadresseOppdatert, p.Kontaktinformasjon.MobiltelefonnummerOppdatert} {
		if ts, err := time.Parse("2006-01-02T15:04:05-07", v); err != nil || ts.After(limit) {
			t.Errorf("oppdatert %q (%v)", v, err)
		}
	}
	for _, v := range []string{p.Kontaktinformasjon.EpostadresseSistVerifisert, p.Kontaktinformasjon.MobiltelefonnummerSistVerifisert} {
		if ts, err := time.Parse(time.RFC3339, v); err != nil || ts.After(limit) {
			t.Errorf("sist_verifisert %q (%v)", v, err)
		}
	}
}

func TestSignedResponse(t *testing.T) {
	sb := start(t)
	pop := sb.Population()
	body := map[string]any{"personidentifikatorer": []string{pop.Digits(3), pop.Digits(4), pop.Digits(5)}}
	plain := lookup(t, sb, personsV2Path, bothScopes, body)
	r := lookup(t, sb, personsV2Path, bothScopes, body, "Accept", "application/jose")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/jose" {
		t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	jws, err := jose.ParseSigned(string(r.body), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.Signatures[0].Protected
	chains, err := hdr.Certificates(x509.VerifyOptions{Roots: sb.Roots(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		t.Fatalf("x5c does not verify to the sandbox CA: %v", err)
	}
	leaf := chains[0][0]
	if n, err := identity.OrganizationNumber(leaf); err != nil || n != krr.DigdirOrganizationNumber {
		t.Errorf("signed by %q (%v), want Digdir %s", n, err, krr.DigdirOrganizationNumber)
	}
	payload, err := jws.Verify(leaf.PublicKey)
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	if string(payload) != string(plain.body) {
		t.Errorf("payload differs from the JSON answer:\n%s\n%s", payload, plain.body)
	}
	// Not signed by anyone else.
	if _, err := jws.Verify(sb.KRR().Providers()[0].Certificate.Leaf().PublicKey); err == nil {
		t.Error("verified with another key")
	}
}

func TestPrintCertificate(t *testing.T) {
	sb := start(t)
	r := call(t, sb, http.MethodGet, sb.Endpoints()["krr"]+"rest/v2/printSertifikat", postScope, nil)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	pc := decode[krr.PrintCertificate](t, r)
	if n, err := identity.OrganizationNumber(parseCert(t, pc.X509Sertifikat)); err != nil || n != pc.PostkasseleverandoerAdresse || n != population.Digipost {
		t.Errorf("print certificate for %q (%v), provider %q", n, err, pc.PostkasseleverandoerAdresse)
	}
	if r := call(t, sb, http.MethodGet, sb.Endpoints()["krr"]+"rest/v2/printSertifikat", contactScope, nil); r.status != http.StatusForbidden {
		t.Errorf("contact scope: %d", r.status)
	}
}

// TestSharedProviderCertificate: all users of a provider share its one
// certificate, as in reality.
func TestSharedProviderCertificate(t *testing.T) {
	sb := start(t)
	var digipost []string
	for p := range sb.Population().All() {
		if p.Contact.MailboxProvider == population.Digipost && p.Contact.Status == population.KRRActive {
			digipost = append(digipost, p.ID.Digits())
			if len(digipost) == 20 {
				break
			}
		}
	}
	resp := decode[krr.Response](t, lookup(t, sb, personsV2Path, postScope, map[string]any{"personidentifikatorer": digipost}))
	if len(resp.Personer) != len(digipost) {
		t.Fatalf("%d answers", len(resp.Personer))
	}
	for _, p := range resp.Personer {
		if p.Sertifikat != resp.Personer[0].Sertifikat || p.DigitalPost.Postkasseleverandoeradresse != population.Digipost {
			t.Errorf("%+v", p)
		}
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(`{"personidentifikatorer":["20914695016"]}`))
	f.Add([]byte(`{"personidentifikatorer":["20914695016"],"inkluderIkkeRegistrerte":true}`))
	f.Add([]byte(`{"personidentifikatorer":[]}`))
	f.Add([]byte(`{"personidentifikatorer":["2091469501x"]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := krr.ParseRequest(body)
		if err != nil {
			return
		}
		if n := len(req.Personidentifikatorer); n < 1 || n > krr.MaxPersons {
			t.Fatalf("accepted %d identifiers", n)
		}
		for _, id := range req.Personidentifikatorer {
			if len(id) != 11 || strings.Trim(id, "0123456789") != "" {
				t.Fatalf("accepted %q", id)
			}
		}
	})
}

func BenchmarkLookup1000(b *testing.B) {
	sb := start(b)
	pop := sb.Population()
	list := make([]string, 1000)
	for i := range list {
		list[i] = pop.Digits(i * 7 % pop.Len())
	}
	body, _ := json.Marshal(map[string]any{"personidentifikatorer": list})
	tok := token(b, sb, bothScopes)
	h := sb.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, "/krr/rest/v2/personer", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		w := &sandboxtest.Discard{}
		h.ServeHTTP(w, req)
		if w.Status != http.StatusOK {
			b.Fatalf("status %d", w.Status)
		}
	}
}
