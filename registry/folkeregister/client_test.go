package folkeregister_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/registry/folkeregister"
	"github.com/fellesgo/felles/registry/personid"
)

const fnr = "09052400284" // Skatteetaten's example person

func TestNewRejects(t *testing.T) {
	ts := tokens()
	for name, tc := range map[string]struct {
		base string
		ts   oauth2.TokenSource
		opts []folkeregister.Option
	}{
		"nil token source":  {base: memBase},
		"relative URL":      {base: "folkeregisteret/", ts: ts},
		"ftp URL":           {base: "ftp://freg.test/", ts: ts},
		"query":             {base: "https://freg.test/?a=b", ts: ts},
		"user info":         {base: "https://u:p@freg.test/", ts: ts},
		"unknown package":   {base: memBase, ts: ts, opts: []folkeregister.Option{folkeregister.WithPackage("offentlig")}},
		"nil HTTP client":   {base: memBase, ts: ts, opts: []folkeregister.Option{folkeregister.WithHTTPClient(nil)}},
		"nil logger":        {base: memBase, ts: ts, opts: []folkeregister.Option{folkeregister.WithLogger(nil)}},
		"nil clock":         {base: memBase, ts: ts, opts: []folkeregister.Option{folkeregister.WithClock(nil)}},
		"negative retries":  {base: memBase, ts: ts, opts: []folkeregister.Option{folkeregister.WithMaxRetries(-1)}},
		"Authorization":     {base: memBase, ts: ts, opts: []folkeregister.Option{folkeregister.WithHeader("authorization", "Basic x")}},
		"bad header name":   {base: memBase, ts: ts, opts: []folkeregister.Option{folkeregister.WithHeader("Integrasjon Id", "x")}},
		"header line break": {base: memBase, ts: ts, opts: []folkeregister.Option{folkeregister.WithHeader("IntegrasjonPassord", "a\r\nX-Evil: 1")}},
	} {
		t.Run(name, func(t *testing.T) {
			if c, err := folkeregister.New(tc.base, tc.ts, tc.opts...); err == nil {
				t.Errorf("New = %v, want an error", c)
			} else if !strings.HasPrefix(err.Error(), "folkeregister: ") {
				t.Errorf("error %q lacks the package prefix", err)
			} else if strings.Contains(err.Error(), "X-Evil") {
				t.Errorf("error %q echoes the header value", err)
			}
		})
	}
}

// TestPackages checks every rights package's path and scope against the
// table of the specification (§4.1), and that requests go there.
func TestPackages(t *testing.T) {
	want := map[folkeregister.RightsPackage][2]string{
		folkeregister.OffentligMedHjemmel:                  {"/folkeregisteret/offentlig-med-hjemmel/api/v1/", "folkeregister:deling/offentligmedhjemmel"},
		folkeregister.OffentligUtenHjemmel:                 {"/folkeregisteret/api/offentligutenhjemmel/v1/", "folkeregister:deling/offentligutenhjemmel"},
		folkeregister.PrivatUtenHjemmel:                    {"/folkeregisteret/api/privatutenhjemmel/v1/", "folkeregister:deling/privatutenhjemmel"},
		folkeregister.Privat:                               {"/folkeregisteret/api/privat/v1/", "folkeregister:deling/privat"},
		folkeregister.PrivatUtenFolkeregisteridentifikator: {"/folkeregisteret/api/privatutenfolkeregisteridentifikator/v1/", "folkeregister:deling/privatutenfolkeregisteridentifikator"},
		folkeregister.Finans:                               {"/folkeregisteret/api/finans/v1/", "folkeregister:deling/finans"},
		folkeregister.Presse:                               {"/folkeregisteret/api/presse/v1/", "folkeregister:deling/presse"},
		folkeregister.PresseUtenFolkeregisteridentifikator: {"/folkeregisteret/api/presseutenfolkeregisteridentifikator/v1/", "folkeregister:deling/presseutenfolkeregisteridentifikator"},
		folkeregister.UtstederEID:                          {"/folkeregisteret/api/eid/v1/", "folkeregister:deling/utstedereid"},
		folkeregister.KSFiks:                               {"/v1/", "ks:fiks"},
	}
	if got := len(folkeregister.RightsPackages()); got != len(want) {
		t.Errorf("RightsPackages has %d packages, want %d", got, len(want))
	}
	for _, p := range folkeregister.RightsPackages() {
		t.Run(string(p), func(t *testing.T) {
			w, ok := want[p]
			if !ok {
				t.Fatalf("unexpected package %q", p)
			}
			if got := "/" + p.Path(); got != w[0] {
				t.Errorf("Path = %q, want %q", got, w[0])
			}
			if got := p.Scope(); got != w[1] {
				t.Errorf("Scope = %q, want %q", got, w[1])
			}
			f := newFake(t, p)
			f.persons[fnr] = readTestdata(t, "person_spec.json")
			f.addEvents("", 1)
			c, _ := f.serve(t, folkeregister.WithPackage(p))
			if c.Package() != p {
				t.Errorf("Package = %q", c.Package())
			}
			ctx := t.Context()
			if _, err := c.Person(ctx, fnr); err != nil {
				t.Errorf("Person: %v", err)
			}
			if _, err := c.LatestSequence(ctx); err != nil {
				t.Errorf("LatestSequence: %v", err)
			}
			for _, err := range c.Events(ctx, 1) {
				if err != nil {
					t.Errorf("Events: %v", err)
				}
			}
			for _, r := range f.requests() {
				if !strings.HasPrefix(r.Path, w[0]) {
					t.Errorf("request to %s, want below %s", r.Path, w[0])
				}
			}
		})
	}
	if folkeregister.RightsPackage("nope").Scope() != "" || folkeregister.RightsPackage("nope").Path() != "" {
		t.Error("an unknown package has a path or scope")
	}
}

func TestBaseURLWithPath(t *testing.T) {
	// KS Fiks: the base URL holds the role; resources are below its v1/.
	for _, base := range []string{
		"https://api.fiks.test.ks.no/folkeregister/api/v1/6f8e7d6c-role",
		"https://api.fiks.test.ks.no/folkeregister/api/v1/6f8e7d6c-role/",
	} {
		c, err := folkeregister.New(base, tokens(), folkeregister.WithPackage(folkeregister.KSFiks))
		if err != nil {
			t.Fatal(err)
		}
		want := "https://api.fiks.test.ks.no/folkeregister/api/v1/6f8e7d6c-role/v1/personer/" + fnr + "?part=bostedsadresse"
		if got := c.URL("personer/"+fnr, url.Values{"part": {"bostedsadresse"}}); got != want {
			t.Errorf("URL = %s, want %s", got, want)
		}
	}
}

func TestKSFiksHeaders(t *testing.T) {
	f := newFake(t, folkeregister.KSFiks)
	f.prefix = "/folkeregister/api/v1/role-1/v1/"
	f.persons[fnr] = readTestdata(t, "person_spec.json")
	_, srv := f.serve(t)
	var logs bytes.Buffer
	c, err := folkeregister.New(srv.URL+"/folkeregister/api/v1/role-1/", tokens(),
		folkeregister.WithHTTPClient(srv.Client()), folkeregister.WithPackage(folkeregister.KSFiks),
		folkeregister.WithHeader("IntegrasjonId", "integrasjon-42"),
		folkeregister.WithHeader("IntegrasjonPassord", "hemmelig-passord-123"),
		folkeregister.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Person(t.Context(), fnr, folkeregister.PartBostedsadresse); err != nil {
		t.Fatal(err)
	}
	_, err = c.Person(t.Context(), "20914695016") // not known: 404
	var nf *folkeregister.NotFoundError
	var ae *folkeregister.APIError
	if !errors.Is(err, folkeregister.ErrNotFound) || !errors.As(err, &nf) || !errors.As(err, &ae) || ae.Code != "FREG-404" {
		t.Fatalf("err = %v, want a NotFoundError wrapping the APIError", err)
	}
	if !strings.Contains(err.Error(), "209146*****") {
		t.Errorf("Error() = %q lacks the masked number", err)
	}
	reqs := f.requests()
	r := reqs[0]
	if r.Path != "/folkeregister/api/v1/role-1/v1/personer/"+fnr || r.RawQuery != "part=bostedsadresse" {
		t.Errorf("request %s?%s", r.Path, r.RawQuery)
	}
	if r.Header.Get("IntegrasjonId") != "integrasjon-42" || r.Header.Get("IntegrasjonPassord") != "hemmelig-passord-123" {
		t.Errorf("headers %v", r.Header)
	}
	for _, s := range []string{logs.String(), err.Error()} {
		for _, secret := range []string{"hemmelig-passord-123", testToken, fnr, "20914695016"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q leaks %q", s, secret)
			}
		}
	}
	if !strings.Contains(logs.String(), "personer/[REDACTED]") {
		t.Errorf("no redacted request in the log:\n%s", logs.String())
	}
}

// TestPersonContract reads Skatteetaten's example (oppslag.md), with its
// matrikkeladresse, free-form postal address and preferred contact
// address.
func TestPersonContract(t *testing.T) {
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	doc := readTestdata(t, "person_oppslag.json")
	f.persons[fnr] = doc
	c, _ := f.serve(t)
	p, err := c.Person(t.Context(), " "+fnr+" ")
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := p.ID(); !ok || id.Digits() != fnr {
		t.Errorf("ID = %v, %v", id, ok)
	}
	oslo := time.FixedZone("", 2*3600)
	if got, want := p.Identifikasjonsnummer[0].Ajourholdstidspunkt, time.Date(2019, 6, 5, 9, 33, 23, 0, oslo); !got.Equal(want) {
		t.Errorf("ajourholdstidspunkt = %v, want %v", got, want)
	}
	checks := map[string][2]any{
		"name":          {p.CurrentName(), "FORSTÅELSESFULL RULLETRAPP"},
		"status":        {p.CurrentStatus(), folkeregister.PersonstatusBosatt},
		"kjoenn":        {p.Kjoenn[0].Kjoenn, folkeregister.KjoennKvinne},
		"foedselsaar":   {p.Foedsel[0].Foedselsaar, "1924"},
		"foedeland":     {p.Foedsel[0].Foedeland, "CAN"},
		"sivilstand":    {p.Sivilstand[0].Sivilstand, folkeregister.SivilstandGjenlevendePartner},
		"aarsak":        {p.Status[0].Aarsak, "Innvandring"},
		"dead":          {p.IsDead(), false},
		"hendelsedata":  {p.Postadresse[0].HendelsedataID, "445668dc-8aa5-49c6-ad06-8bd2755df897"},
		"saksreferanse": {p.Postadresse[0].Saksreferanse, "SAKSREFERANSE_MIGRERING"},
		"fritt format":  {strings.Join(p.Postadresse[0].PostadresseIFrittFormat.Adresselinje, "|"), "GATE 22255"},
		"postnummer":    {p.Postadresse[0].PostadresseIFrittFormat.Postnummer, "9170"},
		"poststed":      {p.Postadresse[0].PostadresseIFrittFormat.Poststed.Poststedsnavn, "LONGYEARBYEN"},
		"ugradert":      {p.Postadresse[0].Adressegradering.Is(folkeregister.GraderingUgradert), true},
		"protected":     {p.Postadresse[0].Adressegradering.Protected(), false},
		"valg":          {p.PreferertKontaktadresse[0].Valg, "POSTADRESSE"},
		"kontaktlinjer": {len(p.PreferertKontaktadresse[0].KontaktadresseIFrittFormat.Adresselinje), 2},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %v, want %v", name, c[0], c[1])
		}
	}
	if bd, ok := p.BirthDate(); !ok || !bd.Equal(time.Date(1924, 5, 9, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("BirthDate = %v, %v", bd, ok)
	}
	addr, ok := p.CurrentAddress()
	if !ok || addr.Matrikkeladresse == nil || addr.Vegadresse != nil {
		t.Fatalf("CurrentAddress = %+v, %v", addr, ok)
	}
	m := addr.Matrikkeladresse
	if m.Matrikkelnummer.Kommunenummer != "0301" || m.Matrikkelnummer.Bruksnummer != 27 || m.Poststed.Postnummer != "1163" {
		t.Errorf("matrikkeladresse = %+v", m)
	}
	if got := strings.Join(addr.Lines(), "|"); got != "1163 OSLO" {
		t.Errorf("Lines = %q", got)
	}
	if addr.Flyttedato != "2019-05-31" || addr.Adressegradering != folkeregister.GraderingUgradert {
		t.Errorf("bostedsadresse = %+v", addr)
	}
	assertRoundTrip(t, p)
	// The free-form place is written back as the string it was.
	out, _ := json.Marshal(p)
	if !bytes.Contains(out, []byte(`"poststed":"LONGYEARBYEN"`)) {
		t.Errorf("the bare poststed was not written back as a string: %s", out)
	}
}

// assertRoundTrip checks that p survives MarshalJSON and UnmarshalJSON.
func assertRoundTrip(t *testing.T, p *folkeregister.Person) {
	t.Helper()
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var again folkeregister.Person
	if err := json.Unmarshal(out, &again); err != nil {
		t.Fatalf("re-reading %s: %v", out, err)
	}
	out2, _ := json.Marshal(&again)
	if !bytes.Equal(out, out2) {
		t.Errorf("not a fixed point:\n%s\n%s", out, out2)
	}
	if diff := cmp.Diff(p, &again, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestSpecExampleAndVegadresse(t *testing.T) {
	var p folkeregister.Person
	if err := json.Unmarshal(readTestdata(t, "person_spec.json"), &p); err != nil {
		t.Fatal(err)
	}
	if p.CurrentName() != "FORSTÅELSESFULL RULLETRAPP" || p.Foedsel[0].Foedselsdato != "1924-05-09" {
		t.Errorf("person %+v", p)
	}
	if a, ok := p.CurrentAddress(); !ok || a.Matrikkeladresse.Matrikkelnummer.Gaardsnummer != 0 || a.Matrikkeladresse.Poststed.Poststedsnavn != "OSLO" {
		t.Errorf("address %+v", a)
	}
	assertRoundTrip(t, &p)

	var b folkeregister.Bostedsadresse
	if err := json.Unmarshal(readTestdata(t, "vegadresse.json"), &b); err != nil {
		t.Fatal(err)
	}
	v := b.Vegadresse
	if v == nil || v.Adressekode != "00001" || v.Adressenavn != "Ospeskogveien" || v.Bruksenhetsnummer != "H0101" ||
		v.Bruksenhetstype != "fritidsbolig" || v.Kommunenummer != "0301" || v.Poststed.Postnummer != "0758" {
		t.Fatalf("vegadresse %+v", v)
	}
	v.Adressenummer = &folkeregister.Adressenummer{Husnummer: "12", Husbokstav: "B"}
	v.CoAdressenavn = "C/O HANSEN"
	if got := strings.Join(b.Lines(), "|"); got != "C/O HANSEN|Ospeskogveien 12B H0101|0758 OSLO" {
		t.Errorf("Lines = %q", got)
	}
}

// TestLenient feeds the quirks Folkeregisteret's documents have shown, and
// new ones it may add.
func TestLenient(t *testing.T) {
	doc := `{
	  "navn": {"erGjeldende": "true", "fornavn": "OLA", "etternavn": "NORDMANN", "nyttFelt": {"a": 1}},
	  "foedsel": [{"erGjeldende": true, "foedselsaar": 1924}],
	  "identitetsgrunnlag": [{"erGjeldende": true, "identitetsgrunnlagstatus": "unik"}],
	  "adressebeskyttelse": [{"erGjeldende": true, "graderingsnivaa": "STRENGT_FORTROLIG"}],
	  "status": [
	    {"erGjeldende": false, "status": "utflyttet", "gyldighetstidspunkt": "2001-01-01T00:00:00.1+0100"},
	    {"erGjeldende": true, "status": "doed", "gyldighetstidspunkt": "2022-03-11T09:14:09.688953+01:00"}
	  ],
	  "doedsfall": [{"erGjeldende": true, "doedsdato": "2022-03-10", "ajourholdstidspunkt": "2022-03-11 09:14:09+01"}],
	  "bostedsadresse": [{"erGjeldende": true, "grunnkrets": "0401", "vegadresse": "not an object",
	                      "ajourholdstidspunkt": "yesterday"}],
	  "nyEgenskap": [{"erGjeldende": true, "verdi": 42}]
	}`
	var p folkeregister.Person
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatal(err)
	}
	if p.CurrentName() != "OLA NORDMANN" || string(p.Navn[0].Extra["nyttFelt"]) != `{"a":1}` {
		t.Errorf("navn %+v", p.Navn)
	}
	if p.Foedsel[0].Foedselsaar != "1924" {
		t.Errorf("foedselsaar %q", p.Foedsel[0].Foedselsaar)
	}
	if ig, _ := folkeregister.Current(p.Identitetsgrunnlag); ig.Identitetsgrunnlagstatus != folkeregister.IdentitetsgrunnlagUnik {
		t.Errorf("identitetsgrunnlag %+v", ig)
	}
	if g := p.AddressProtection(); g != "STRENGT_FORTROLIG" || !g.Protected() {
		t.Errorf("AddressProtection = %q", g)
	}
	if !p.IsDead() || p.CurrentStatus() != folkeregister.PersonstatusDoed {
		t.Errorf("IsDead %v, status %q", p.IsDead(), p.CurrentStatus())
	}
	if got := p.Doedsfall[0].Ajourholdstidspunkt; !got.Equal(time.Date(2022, 3, 11, 8, 14, 9, 0, time.UTC)) {
		t.Errorf("ajourholdstidspunkt %v", got)
	}
	if got := p.Status[0].Gyldighetstidspunkt; !got.Equal(time.Date(2000, 12, 31, 23, 0, 0, 1e8, time.UTC)) {
		t.Errorf("gyldighetstidspunkt %v", got)
	}
	b := p.Bostedsadresse[0]
	if b.Grunnkrets != 401 || b.Vegadresse != nil {
		t.Errorf("bostedsadresse %+v", b)
	}
	for _, k := range []string{"vegadresse", "ajourholdstidspunkt"} {
		if _, ok := b.Extra[k]; !ok {
			t.Errorf("the unreadable %s was not kept in Extra: %v", k, b.Extra)
		}
	}
	if _, ok := p.Extra["nyEgenskap"]; !ok {
		t.Errorf("unknown property lost: %v", p.Extra)
	}
	assertRoundTrip(t, &p)
	out, _ := json.Marshal(&p)
	for _, s := range []string{`"vegadresse":"not an object"`, `"ajourholdstidspunkt":"yesterday"`, `"nyEgenskap":[{"erGjeldende":true,"verdi":42}]`} {
		if !bytes.Contains(out, []byte(s)) {
			t.Errorf("%s not written back in %s", s, out)
		}
	}
	for _, bad := range []string{`[]`, `"x"`, `{`, `{"navn": [}`} {
		if err := json.Unmarshal([]byte(bad), &p); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
}

func TestPartQuery(t *testing.T) {
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	f.persons[fnr] = readTestdata(t, "person_spec.json")
	c, _ := f.serve(t)
	ctx := t.Context()
	for _, tc := range []struct {
		parts []folkeregister.Part
		want  string
	}{
		{nil, ""},
		{[]folkeregister.Part{folkeregister.PartHistorikk, folkeregister.PartNavn, folkeregister.PartBostedsadresse}, "part=historikk&part=navn&part=bostedsadresse"},
		{[]folkeregister.Part{folkeregister.PartRelasjonUtvidet, folkeregister.PartIdentitetsgrunnlagUtvidet, folkeregister.PartRelasjonUtvidet}, "part=relasjon-utvidet&part=identitetsgrunnlag-utvidet"},
		{[]folkeregister.Part{"foedselINorge", "samisk språk"}, "part=foedselINorge&part=samisk+spr%C3%A5k"},
	} {
		if _, err := c.Person(ctx, fnr, tc.parts...); err != nil {
			t.Fatal(err)
		}
		reqs := f.requests()
		if got := reqs[len(reqs)-1].RawQuery; got != tc.want {
			t.Errorf("parts %v: query %q, want %q", tc.parts, got, tc.want)
		}
	}
	if _, err := c.Person(ctx, fnr, ""); err == nil {
		t.Error("an empty part was accepted")
	}
}

func TestPersonInvalidID(t *testing.T) {
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	c, _ := f.serve(t)
	_, err := c.Person(t.Context(), "09052400285")
	var ie *folkeregister.InvalidIDError
	if !errors.As(err, &ie) || ie.ID != "090524*****" || strings.Contains(err.Error(), "09052400285") {
		t.Errorf("err = %v", err)
	}
	var pe *personid.ParseError
	if !errors.As(err, &pe) {
		t.Errorf("err %v does not wrap a *personid.ParseError", err)
	}
	if len(f.requests()) != 0 {
		t.Error("an invalid number was sent")
	}
}

func TestBulk(t *testing.T) {
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	g := personid.NewGenerator(1)
	var ids []string
	for i := range 2300 {
		n, err := g.Next(personid.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.Digits())
		if i%7 != 0 { // every 7th is unknown
			f.persons[n.Digits()] = []byte(`{"identifikasjonsnummer":[{"erGjeldende":true,"foedselsEllerDNummer":"` + n.Digits() + `"}]}`)
		}
	}
	// The example of oppslag.md, a duplicate and an invalid number.
	bulkDoc := readTestdata(t, "bulk.json")
	var ex struct {
		Oppslag []struct {
			Person json.RawMessage `json:"folkeregisterperson"`
		} `json:"oppslag"`
	}
	if err := json.Unmarshal(bulkDoc, &ex); err != nil {
		t.Fatal(err)
	}
	f.persons["29084902258"] = ex.Oppslag[0].Person
	ids = append(ids, "29084902258", ids[1], "12345678901")
	c, _ := f.serve(t)
	res, err := c.BulkPersons(t.Context(), ids, folkeregister.PartStatus)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(ids) {
		t.Fatalf("%d results for %d ids", len(res), len(ids))
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 (2301 distinct valid ids)", len(reqs))
	}
	total := 0
	for _, r := range reqs {
		var in struct {
			IDs []string `json:"foedselsEllerDNummer"`
		}
		json.Unmarshal(r.Body, &in)
		if len(in.IDs) > folkeregister.MaxBulk || r.Method != http.MethodPost || r.RawQuery != "part=status" ||
			r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s?%s with %d ids", r.Method, r.Path, r.RawQuery, len(in.IDs))
		}
		total += len(in.IDs)
	}
	if total != 2301 {
		t.Errorf("%d ids sent, want 2301", total)
	}
	for i, r := range res[:2300] {
		if r.ID.Digits() != ids[i] {
			t.Fatalf("result %d is for another id", i)
		}
		if i%7 == 0 {
			var nf *folkeregister.NotFoundError
			if r.Person != nil || !errors.As(r.Err, &nf) || !errors.Is(r.Err, folkeregister.ErrNotFound) || nf.ID != r.ID {
				t.Errorf("result %d: %+v, want not found", i, r)
			}
			if strings.Contains(r.Err.Error(), ids[i]) {
				t.Errorf("error %q holds the whole number", r.Err)
			}
		} else if r.Err != nil || r.Person == nil || r.Person.Identifikasjonsnummer[0].FoedselsEllerDNummer.Digits() != ids[i] {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	if p := res[2300].Person; p == nil || p.CurrentStatus() != folkeregister.PersonstatusBosatt {
		t.Errorf("the example: %+v", res[2300])
	}
	if res[2301].Person != res[1].Person || res[2301].Person == nil {
		t.Error("a duplicate id did not get the same result")
	}
	var ie *folkeregister.InvalidIDError
	if !errors.As(res[2302].Err, &ie) || ie.Index != 2302 {
		t.Errorf("invalid id: %+v", res[2302])
	}
}

func TestSearchAndUnique(t *testing.T) {
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	f.search = []byte(`{"foedselsEllerDNummer":["09052400284","29084902258","09052400285"]}`)
	c, _ := f.serve(t)
	ctx := t.Context()
	ids, err := c.Search(ctx, folkeregister.SearchQuery{
		Navn: "RULLETRAPP", Kommunenummer: "0301", FoedselsaarFraOgMed: 1920, Kjoenn: folkeregister.KjoennKvinne, InkluderDoede: true,
	})
	var ie *folkeregister.InvalidIDError
	if !errors.As(err, &ie) || ie.Index != 2 {
		t.Errorf("err = %v, want an InvalidIDError for the third", err)
	}
	if len(ids) != 2 || ids[0].Digits() != fnr || ids[1].Digits() != "29084902258" {
		t.Errorf("ids %v", ids)
	}
	r := f.requests()[0]
	if r.Path != "/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/soek" ||
		r.RawQuery != "foedselsaarFraOgMed=1920&inkluderDoede=true&kjoenn=kvinne&kommunenummer=0301&navn=RULLETRAPP" {
		t.Errorf("search request %s?%s", r.Path, r.RawQuery)
	}
	f.search = []byte(`["09052400284"]`)
	if ids, err := c.Search(ctx, folkeregister.SearchQuery{Navn: "X"}); err != nil || len(ids) != 1 {
		t.Errorf("bare array: %v, %v", ids, err)
	}
	if _, err := c.Search(ctx, folkeregister.SearchQuery{}); err == nil {
		t.Error("an empty search was sent")
	}

	if _, err := c.UniqueSearch(ctx, folkeregister.UniqueQuery{Navn: "NOBODY", Foedselsdato: time.Date(1924, 5, 9, 0, 0, 0, 0, time.UTC)}); !errors.Is(err, folkeregister.ErrNotFound) {
		t.Errorf("no hit: %v", err)
	}
	f.unique = readTestdata(t, "person_spec.json")
	p, err := c.UniqueSearch(ctx, folkeregister.UniqueQuery{Identifikasjonsnummer: fnr, Navn: "RULLETRAPP"}, folkeregister.PartNavn)
	if err != nil || p.CurrentName() != "FORSTÅELSESFULL RULLETRAPP" {
		t.Fatalf("UniqueSearch = %v, %v", p, err)
	}
	reqs := f.requests()
	r = reqs[len(reqs)-1]
	if r.RawQuery != "identifikasjonsnummer=09052400284&navn=RULLETRAPP&part=navn" {
		t.Errorf("unique query %q", r.RawQuery)
	}
	if r = reqs[len(reqs)-2]; r.RawQuery != "foedselsdato=19240509&navn=NOBODY" {
		t.Errorf("unique query %q", r.RawQuery)
	}
}

func TestArchiveLatestEventDocument(t *testing.T) {
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	f.archive["8f475708c3d855defca884f4af6e49ae"] = readTestdata(t, "person_spec.json")
	f.docs["1120bea688fb14a292c244592a1aed76"] = readTestdata(t, "hendelsesdokument.json")
	f.latest = []byte("40241\n")
	c, _ := f.serve(t)
	ctx := t.Context()
	p, err := c.Archive(ctx, "8f475708c3d855defca884f4af6e49ae")
	if err != nil || p.CurrentName() == "" {
		t.Errorf("Archive = %v, %v", p, err)
	}
	if _, err := c.Archive(ctx, "../personer/"+fnr); err == nil {
		t.Error("a path was accepted as a document key")
	}
	if _, err := c.Archive(ctx, "0000"); !errors.Is(err, folkeregister.ErrNotFound) {
		t.Errorf("unknown document: %v", err)
	}
	if n, err := c.LatestSequence(ctx); err != nil || n != 40241 {
		t.Errorf("LatestSequence = %d, %v", n, err)
	}
	f.latest = []byte(`"-1"`)
	if _, err := c.LatestSequence(ctx); err == nil {
		t.Error("a negative sequence number was accepted")
	}
	d, err := c.EventDocument(ctx, "1120bea688fb14a292c244592a1aed76")
	if err != nil {
		t.Fatal(err)
	}
	// The event document spells the type "hendelsestype"; its person number
	// fails the check digits, so it is kept raw (and masked when printed).
	if d.Type != "endringIAnnenIdentifikasjon" || d.Type.Known() || d.SchemaVersion != "1.0" ||
		!d.PersonID.IsZero() || d.RawPersonID.Digits() != "16117548867" || d.RawPersonID.String() != "161175*****" ||
		!d.UpdatedAt.Equal(time.Date(2014, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("event document %+v", d)
	}
	if len(d.Changes) != 1 || d.Changes[0].Entity != "annenIdentifikasjon" || d.Changes[0].Change != "registrereNy" ||
		!bytes.Contains(d.Changes[0].Value, []byte(`"utstederland": "SWE"`)) {
		t.Errorf("changes %+v", d.Changes)
	}
}

func TestAPIErrors(t *testing.T) {
	waf := readTestdata(t, "waf.html")
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		is      error
		check   func(t *testing.T, e *folkeregister.APIError)
	}{
		{"FREG JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "req-7")
			fregError(w, http.StatusBadRequest, "FREG-003", "Ugyldig identifikator 09052400284")
		}, nil, func(t *testing.T, e *folkeregister.APIError) {
			if e.Code != "FREG-003" || e.Message != "Ugyldig identifikator [REDACTED]" || e.RequestID != "req-7" || e.HTML {
				t.Errorf("%+v", e)
			}
		}},
		{"WAF HTML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			w.Write(waf)
		}, folkeregister.ErrForbidden, func(t *testing.T, e *folkeregister.APIError) {
			if !e.HTML || e.SupportID != "13563843293829928463" || e.Message != "Request Rejected" {
				t.Errorf("%+v", e)
			}
			if s := e.Error(); strings.Contains(s, "<") || strings.Contains(s, "javascript") || !strings.Contains(s, "13563843293829928463") {
				t.Errorf("Error() = %q", s)
			}
		}},
		{"HTML without a content type", func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html><body>Support ID: <b>abc-1234</b></body></html>"))
		}, nil, func(t *testing.T, e *folkeregister.APIError) {
			if !e.HTML || e.SupportID != "abc-1234" || e.StatusCode != 502 {
				t.Errorf("%+v", e)
			}
		}},
		{"401", func(w http.ResponseWriter, r *http.Request) {
			fregError(w, http.StatusUnauthorized, "FREG-401", "Autentiseringsinformasjon mangler")
		}, folkeregister.ErrUnauthorized, nil},
		{"404", func(w http.ResponseWriter, r *http.Request) {
			fregError(w, http.StatusNotFound, "FREG-404", "x")
		}, folkeregister.ErrNotFound, nil},
		{"429 too long", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600000") // an hour, in ms: not waited for
			fregError(w, http.StatusTooManyRequests, "FREG-429", "For mange kall")
		}, folkeregister.ErrRateLimited, func(t *testing.T, e *folkeregister.APIError) {
			if e.RetryAfter != time.Hour {
				t.Errorf("RetryAfter = %v", e.RetryAfter)
			}
		}},
		{"plain text", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte("upstream failed for 09052400284\nstack..."))
		}, nil, func(t *testing.T, e *folkeregister.APIError) {
			if e.Message != "upstream failed for [REDACTED]" {
				t.Errorf("%+v", e)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, folkeregister.OffentligMedHjemmel)
			f.hook = func(w http.ResponseWriter, r *http.Request) bool { tc.handler(w, r); return true }
			c, _ := f.serve(t, folkeregister.WithMaxRetries(0))
			_, err := c.Person(t.Context(), fnr)
			var e *folkeregister.APIError
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err %v does not match %v", err, tc.is)
			}
			if errors.Is(err, folkeregister.ErrSequenceTooOld) {
				t.Errorf("a lookup error matches ErrSequenceTooOld")
			}
			if tc.check != nil {
				tc.check(t, e)
			}
			if s := err.Error(); strings.Contains(s, fnr) || strings.Contains(s, testToken) || !strings.HasPrefix(s, "folkeregister: ") || !strings.Contains(s, "HTTP ") {
				t.Errorf("Error() = %q", s)
			}
		})
	}
}

func TestNoRedirect(t *testing.T) {
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") == "" {
			t.Error("followed a redirect")
		}
		http.Redirect(w, r, "https://elsewhere.example/steal", http.StatusFound)
		return true
	}
	c, _ := f.serve(t)
	var e *folkeregister.APIError
	if _, err := c.Person(t.Context(), fnr); !errors.As(err, &e) || e.StatusCode != http.StatusFound {
		t.Errorf("err = %v", err)
	}
}

func TestCurrentHistoryValidAt(t *testing.T) {
	at := func(s string) time.Time { t.Helper(); v, _ := time.Parse(time.RFC3339, s); return v }
	names := []folkeregister.Navn{
		{Metadata: folkeregister.Metadata{Gyldighetstidspunkt: at("2001-01-01T00:00:00Z"), Opphoerstidspunkt: at("2010-01-01T00:00:00Z")}, Fornavn: "A"},
		{Metadata: folkeregister.Metadata{ErGjeldende: true, Gyldighetstidspunkt: at("2010-01-01T00:00:00Z")}, Fornavn: "B"},
		{Metadata: folkeregister.Metadata{ErGjeldende: true, Gyldighetstidspunkt: at("2020-01-01T00:00:00+01:00")}, Fornavn: "C"},
		{Metadata: folkeregister.Metadata{}, Fornavn: "D"},
		{Metadata: folkeregister.Metadata{ErGjeldende: true, Gyldighetstidspunkt: at("2015-01-01T00:00:00Z")}, Fornavn: "E"},
	}
	if c, ok := folkeregister.Current(names); !ok || c.Fornavn != "C" {
		t.Errorf("Current = %q, %v; want the latest of the current ones, C", c.Fornavn, ok)
	}
	if _, ok := folkeregister.Current(names[:1]); ok {
		t.Error("Current found one where none is current")
	}
	if _, ok := folkeregister.Current[folkeregister.Navn](nil); ok {
		t.Error("Current(nil) found one")
	}
	var order []string
	for _, n := range folkeregister.History(names) {
		order = append(order, n.Fornavn)
	}
	if got := strings.Join(order, ""); got != "CEBAD" {
		t.Errorf("History order %s, want CEBAD", got)
	}
	if names[0].Fornavn != "A" {
		t.Error("History modified its input")
	}
	for when, want := range map[string]string{
		"2005-06-01T00:00:00Z": "A",
		"2010-01-01T00:00:00Z": "B", // A ceased at that instant
		"2016-01-01T00:00:00Z": "E",
		"2030-01-01T00:00:00Z": "C",
		"1990-01-01T00:00:00Z": "",
	} {
		n, ok := folkeregister.ValidAt(names, at(when))
		if n.Fornavn != want || ok != (want != "") {
			t.Errorf("ValidAt(%s) = %q, %v; want %q", when, n.Fornavn, ok, want)
		}
	}
	// Ties on gyldighetstidspunkt are broken by ajourholdstidspunkt.
	tie := []folkeregister.Status{
		{Metadata: folkeregister.Metadata{ErGjeldende: true, Gyldighetstidspunkt: at("2020-01-01T00:00:00Z"), Ajourholdstidspunkt: at("2020-01-02T00:00:00Z")}, Status: "bosatt"},
		{Metadata: folkeregister.Metadata{ErGjeldende: true, Gyldighetstidspunkt: at("2020-01-01T00:00:00Z"), Ajourholdstidspunkt: at("2020-01-03T00:00:00Z")}, Status: "doed"},
	}
	if s, _ := folkeregister.Current(tie); s.Status != "doed" {
		t.Errorf("tie broken to %q", s.Status)
	}
}

func TestRetriesThroughHTTP(t *testing.T) {
	// A 503, then a dropped connection, then the answer (real sockets).
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	f.persons[fnr] = readTestdata(t, "person_spec.json")
	n := 0
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		n++
		switch n {
		case 1:
			w.Header().Set("Retry-After", "20") // milliseconds
			fregError(w, http.StatusServiceUnavailable, "FREG-001", "Feil i tjenesten")
			return true
		case 2:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return true
		}
		return false
	}
	c, _ := f.serve(t)
	start := time.Now()
	if _, err := c.Person(context.Background(), fnr); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestBulkPartialFailure: when one of the bulk requests fails for good, the
// identifiers it carried get that error, the others keep their persons, and
// the returned error says what failed.
func TestBulkPartialFailure(t *testing.T) {
	f := newFake(t, folkeregister.OffentligMedHjemmel)
	g := personid.NewGenerator(2)
	var ids []string
	for range 2500 {
		n, err := g.Next(personid.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.Digits())
		f.persons[n.Digits()] = []byte(`{"identifikasjonsnummer":[{"erGjeldende":true,"foedselsEllerDNummer":"` + n.Digits() + `"}]}`)
	}
	var posts atomic.Int32 // the requests are sent one after another
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost {
			return false
		}
		if posts.Add(1) != 2 {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest) // a 400 is not retried
		w.Write([]byte(`{"kode":"FREG-400","melding":"Ugyldig forespørsel"}`))
		return true
	}
	c, _ := f.serve(t)
	res, err := c.BulkPersons(t.Context(), ids)
	var api *folkeregister.APIError
	if !errors.As(err, &api) || api.StatusCode != http.StatusBadRequest {
		t.Fatalf("err = %v, want the 400", err)
	}
	if len(res) != len(ids) {
		t.Fatalf("%d results for %d ids", len(res), len(ids))
	}
	for i, r := range res {
		inFailed := i >= folkeregister.MaxBulk && i < 2*folkeregister.MaxBulk
		switch {
		case inFailed && (r.Person != nil || !errors.As(r.Err, &api)):
			t.Fatalf("result %d of the failed request: %+v", i, r)
		case !inFailed && (r.Err != nil || r.Person == nil):
			t.Fatalf("result %d of a good request: %+v", i, r)
		}
	}
}
