package folkeregister_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fellesgo/felles/sandbox"
	"github.com/fellesgo/felles/sandbox/folkeregister"
	"github.com/fellesgo/felles/sandbox/internal/sandboxtest"
	"github.com/fellesgo/felles/sandbox/population"
)

// doc is a person document, each property an array of elements.
type doc map[string][]map[string]any

func personDoc(t *testing.T, sb *sandbox.Sandbox, scope, id string, parts ...string) doc {
	t.Helper()
	q := ""
	for i, p := range parts {
		if i == 0 {
			q += "?"
		} else {
			q += "&"
		}
		q += "part=" + p
	}
	r := get(t, sb, scope, "personer/"+id+q)
	if r.status != http.StatusOK {
		t.Fatalf("personer/%s%s: %d %s", id, q, r.status, r.body)
	}
	return decode[doc](t, r)
}

// current returns the current element of a property (nil if none) and
// fails if there is more than one.
func (d doc) current(t *testing.T, prop string) map[string]any {
	t.Helper()
	var cur map[string]any
	for _, e := range d[prop] {
		if e["erGjeldende"] == true {
			if cur != nil {
				t.Errorf("%s has two current elements", prop)
			}
			cur = e
		}
	}
	return cur
}

var (
	timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?\+0[12]:00$`)
	metaKeys    = []string{"ajourholdstidspunkt", "erGjeldende", "kilde", "aarsak", "gyldighetstidspunkt", "opphoerstidspunkt"}
)

// checkShape checks the document shape of §4.3: arrays of elements with
// flattened register metadata, no nested metadata object.
func checkShape(t *testing.T, d doc, history bool) {
	t.Helper()
	if len(d) == 0 {
		t.Fatal("empty document")
	}
	for prop, elems := range d {
		if len(elems) == 0 {
			t.Errorf("%s: empty array", prop)
		}
		for _, e := range elems {
			if _, ok := e["metadata"]; ok {
				t.Errorf("%s: nested metadata object (that is PDL's shape, not FREG's)", prop)
			}
			if _, ok := e["erGjeldende"].(bool); !ok {
				t.Errorf("%s: erGjeldende missing: %v", prop, e)
			}
			if !history && e["erGjeldende"] != true {
				t.Errorf("%s: a historic element without part=historikk", prop)
			}
			for _, k := range []string{"ajourholdstidspunkt", "gyldighetstidspunkt", "opphoerstidspunkt"} {
				if v, ok := e[k]; ok && !timestampRE.MatchString(v.(string)) {
					t.Errorf("%s.%s = %q", prop, k, v)
				}
			}
			if (e["erGjeldende"] == true) == (e["opphoerstidspunkt"] != nil) {
				t.Errorf("%s: erGjeldende %v with opphoerstidspunkt %v", prop, e["erGjeldende"], e["opphoerstidspunkt"])
			}
		}
	}
}

func TestPersonDocument(t *testing.T) {
	sb := start(t)
	pop := sb.Population()
	// A married mother who has moved in the feed window.
	var per population.Person
	for p := range pop.All() {
		h, _ := pop.History(p.Index, pop.LastSeq())
		if p.Resident() && p.MaritalStatus == "gift" && len(p.Children) > 0 && len(h.Addresses) > 1 && p.Sex == 1 {
			per = p
			break
		}
	}
	if per.ID.IsZero() {
		t.Fatal("no married mother who moved")
	}
	id := per.ID.Digits()

	basis := personDoc(t, sb, medHjemmel, id)
	checkShape(t, basis, false)
	for _, prop := range []string{"identifikasjonsnummer", "status", "kjoenn", "foedsel", "navn", "sivilstand", "bostedsadresse", "statsborgerskap", "identitetsgrunnlag"} {
		if basis.current(t, prop) == nil {
			t.Errorf("person-basis lacks %s", prop)
		}
	}
	if _, ok := basis["familierelasjon"]; ok {
		t.Error("person-basis has familierelasjon")
	}
	if got := basis.current(t, "identifikasjonsnummer"); got["foedselsEllerDNummer"] != id || got["identifikatortype"] != "foedselsnummer" || got["status"] != "iBruk" {
		t.Errorf("identifikasjonsnummer %v", got)
	}
	if got := basis.current(t, "navn"); got["fornavn"] != per.GivenName || got["etternavn"] != per.FamilyName {
		t.Errorf("navn %v, want %s", got, per.Name())
	}
	f := basis.current(t, "foedsel")
	if f["foedselsdato"] != per.BirthDate.Format(time.DateOnly) || f["foedselsaar"] != strconv.Itoa(per.BirthDate.Year()) {
		t.Errorf("foedsel %v (foedselsaar must be a string)", f)
	}
	if k := basis.current(t, "kjoenn"); k["kjoenn"] != "kvinne" {
		t.Errorf("kjoenn %v", k)
	}
	if s := basis.current(t, "sivilstand"); s["sivilstand"] != "gift" || s["relatertVedSivilstand"] != pop.Digits(per.Spouse) {
		t.Errorf("sivilstand %v, want gift with %s", s, pop.Digits(per.Spouse))
	}
	veg := basis.current(t, "bostedsadresse")["vegadresse"].(map[string]any)
	if veg["kommunenummer"] != per.Municipality || veg["adressenavn"] != per.Address.Street || !regexp.MustCompile(`^\d{5}$`).MatchString(veg["adressekode"].(string)) {
		t.Errorf("vegadresse %v, want %v", veg, per.Address)
	}

	hist := personDoc(t, sb, medHjemmel, id, "historikk", "person-basis", "relasjon-utvidet")
	checkShape(t, hist, true)
	if len(hist["bostedsadresse"]) < 2 {
		t.Errorf("historikk: %d addresses", len(hist["bostedsadresse"]))
	}
	var children []string
	for _, r := range hist["familierelasjon"] {
		if r["relatertPersonsRolle"] == "barn" {
			if r["minRolleForPerson"] != "mor" {
				t.Errorf("relation %v", r)
			}
			children = append(children, r["relatertPerson"].(string))
		}
	}
	var want []string
	for _, c := range per.Children {
		want = append(want, pop.Digits(c))
	}
	slices.Sort(children)
	slices.Sort(want)
	if !slices.Equal(children, want) {
		t.Errorf("children %v, want %v", children, want)
	}

	only := personDoc(t, sb, medHjemmel, id, "navn")
	if len(only) != 2 || only["navn"] == nil || only["identifikasjonsnummer"] == nil {
		t.Errorf("part=navn gave %v, want navn and identifikasjonsnummer (always included)", keys(only))
	}
	both := personDoc(t, sb, medHjemmel, id, "historikk", "navn", "bostedsadresse")
	if len(both) != 3 || len(both["bostedsadresse"]) < 2 {
		t.Errorf("part=historikk&part=navn&part=bostedsadresse gave %v", keys(both))
	}
	if d := personDoc(t, sb, medHjemmel, id, "navn,kjoenn"); len(d) != 3 {
		t.Errorf("part=navn,kjoenn gave %v", keys(d))
	}

	// Uten hjemmel: the person-basis, but no relations.
	uten := personDoc(t, sb, utenHjemmel, id)
	if diff := cmp.Diff(basis, uten); diff != "" {
		t.Errorf("uten hjemmel differs from med hjemmel (-med +uten):\n%s", diff)
	}
	for _, part := range []string{"relasjon-utvidet", "familierelasjon", "identitetsgrunnlag-utvidet"} {
		wantError(t, get(t, sb, utenHjemmel, "personer/"+id+"?part="+part), http.StatusForbidden)
	}
	wantError(t, get(t, sb, medHjemmel, "personer/"+id+"?part=nonsense"), http.StatusBadRequest)
}

func keys(d doc) []string {
	var out []string
	for k := range d {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestErrors(t *testing.T) {
	sb := start(t)
	id := sb.Population().Digits(0)
	// No token: 401 from the Maskinporten verifier.
	if r := call(t, sb, http.MethodGet, api(sb, medHjemmel)+"personer/"+id, "", nil); r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %s", r.status, r.body)
	}
	// The wrong package.
	r := call(t, sb, http.MethodGet, api(sb, medHjemmel)+"personer/"+id, utenHjemmel, nil)
	wantError(t, r, http.StatusForbidden)
	r = call(t, sb, http.MethodGet, api(sb, utenHjemmel)+"personer/"+id, "krr:global/kontaktinformasjon.read", nil)
	wantError(t, r, http.StatusForbidden)
	// Unknown person, malformed id, unknown resource and package.
	wantError(t, get(t, sb, medHjemmel, "personer/01010000000"), http.StatusNotFound)
	wantError(t, get(t, sb, medHjemmel, "personer/123"), http.StatusBadRequest)
	wantError(t, get(t, sb, medHjemmel, "nope"), http.StatusNotFound)
	r = call(t, sb, http.MethodGet, sb.Endpoints()["folkeregister"]+"folkeregisteret/api/privat/v1/personer/"+id, medHjemmel, nil)
	wantError(t, r, http.StatusNotFound)
	// Accept.
	wantError(t, get(t, sb, medHjemmel, "personer/"+id, "Accept", "application/xml"), http.StatusNotAcceptable)
	if r := get(t, sb, medHjemmel, "personer/"+id, "Accept", "application/xml, application/json;q=0.5"); r.status != http.StatusOK {
		t.Errorf("Accept with json: %d", r.status)
	}
	// Methods.
	if r := call(t, sb, http.MethodPost, api(sb, medHjemmel)+"personer/"+id, medHjemmel, map[string]any{}); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST person: %d", r.status)
	}
}

func TestBulk(t *testing.T) {
	sb := start(t)
	pop := sb.Population()
	a, b := pop.Digits(1), pop.Digits(2)
	const unknown = "01010000000"
	type bulk struct {
		Oppslag []struct {
			FoedselsEllerDNummer string `json:"foedselsEllerDNummer"`
			Folkeregisterperson  doc    `json:"folkeregisterperson"`
		} `json:"oppslag"`
	}
	post := func(scope string, body any, query string) response {
		return call(t, sb, http.MethodPost, api(sb, scope)+"personer/bulkoppslag"+query, scope, body)
	}
	r := post(medHjemmel, map[string]any{"foedselsEllerDNummer": []string{a, unknown, b}}, "?part=status&part=navn")
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	got := decode[bulk](t, r)
	if len(got.Oppslag) != 3 || got.Oppslag[0].FoedselsEllerDNummer != a || got.Oppslag[1].FoedselsEllerDNummer != unknown || got.Oppslag[2].FoedselsEllerDNummer != b {
		t.Fatalf("oppslag %s", truncate(string(r.body), 500))
	}
	if got.Oppslag[1].Folkeregisterperson != nil || strings.Contains(string(r.body), `"folkeregisterperson":null`) {
		t.Errorf("unknown id has a person: %s", r.body)
	}
	if p := got.Oppslag[0].Folkeregisterperson; len(p) != 3 || p["status"] == nil || p["navn"] == nil || p["identifikasjonsnummer"] == nil {
		t.Errorf("part=status&part=navn gave %v", keys(p))
	}
	single := personDoc(t, sb, medHjemmel, b)
	r = post(medHjemmel, map[string]any{"foedselsEllerDNummer": []string{b}}, "")
	if diff := cmp.Diff(single, decode[bulk](t, r).Oppslag[0].Folkeregisterperson); diff != "" {
		t.Errorf("bulk differs from a single lookup:\n%s", diff)
	}

	ids := make([]string, 1001)
	for i := range ids {
		ids[i] = pop.Digits(i % pop.Len())
	}
	if r := post(utenHjemmel, map[string]any{"foedselsEllerDNummer": ids[:1000]}, ""); r.status != http.StatusOK || len(decode[bulk](t, r).Oppslag) != 1000 {
		t.Errorf("1000 ids: %d", r.status)
	}
	wantError(t, post(medHjemmel, map[string]any{"foedselsEllerDNummer": ids}, ""), http.StatusBadRequest)
	wantError(t, post(medHjemmel, map[string]any{"foedselsEllerDNummer": []string{}}, ""), http.StatusBadRequest)
	wantError(t, post(medHjemmel, "not an object", ""), http.StatusBadRequest)
}

func TestSearch(t *testing.T) {
	sb := start(t, sandbox.WithPopulation(12_000, 7))
	pop := sb.Population()
	type result struct {
		IDs []string `json:"foedselsEllerDNummer"`
	}
	per, _ := pop.Find(func(p population.Person) bool { return p.Resident() && p.Age(time.Now()) > 30 })
	name := per.GivenName + " " + per.FamilyName

	r := get(t, sb, medHjemmel, "personer/soek?navn="+urlq(name))
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if ids := decode[result](t, r).IDs; !slices.Contains(ids, per.ID.Digits()) {
		t.Errorf("soek navn=%s: %v lacks %s", name, ids, per.ID.Digits())
	}
	r = get(t, sb, utenHjemmel, fmt.Sprintf("personer/soek?navn=%s&kommunenummer=%s&foedselsaarFraOgMed=%d&kjoenn=%s",
		urlq(strings.ToLower(per.FamilyName)), per.Municipality, per.BirthDate.Year(), map[bool]string{true: "mann", false: "kvinne"}[per.Sex == 2]))
	ids := decode[result](t, r).IDs
	if !slices.Contains(ids, per.ID.Digits()) {
		t.Errorf("narrow soek: %v lacks %s", ids, per.ID.Digits())
	}
	for _, id := range ids {
		p, _ := pop.ByID(id)
		if p.FamilyName != per.FamilyName || p.Municipality != per.Municipality || p.BirthDate.Year() < per.BirthDate.Year() || p.Sex != per.Sex || p.Dead {
			t.Errorf("hit %s does not match: %+v", id, p)
		}
	}
	// No hits is an empty list.
	if r := get(t, sb, medHjemmel, "personer/soek?navn=NOSUCHNAME"); r.status != http.StatusOK || len(decode[result](t, r).IDs) != 0 || !strings.Contains(string(r.body), "[]") {
		t.Errorf("no hits: %d %s", r.status, r.body)
	}
	// More than 10 000 hits, no criteria, bad values.
	wantError(t, get(t, sb, medHjemmel, "personer/soek?foedselsaarFraOgMed=1900&inkluderDoede=true"), http.StatusBadRequest)
	wantError(t, get(t, sb, medHjemmel, "personer/soek?kjoenn=kvinne"), http.StatusBadRequest)
	wantError(t, get(t, sb, medHjemmel, "personer/soek?navn=X&kjoenn=K"), http.StatusBadRequest)
	wantError(t, get(t, sb, medHjemmel, "personer/soek?kommunenummer=46"), http.StatusBadRequest)

	// entydigsoek: navn and foedselsdato of someone unique.
	var uniq population.Person
	for p := range pop.All() {
		if hits, _ := pop.Search(population.Query{Name: p.Name(), BirthDate: p.BirthDate}, 2); p.Resident() && len(hits) == 1 {
			uniq = p
			break
		}
	}
	r = get(t, sb, medHjemmel, "personer/entydigsoek?navn="+urlq(uniq.Name())+"&foedselsdato="+uniq.BirthDate.Format("20060102"))
	if r.status != http.StatusOK {
		t.Fatalf("entydigsoek: %d %s", r.status, r.body)
	}
	if d := decode[doc](t, r); d.current(t, "identifikasjonsnummer")["foedselsEllerDNummer"] != uniq.ID.Digits() {
		t.Errorf("entydigsoek gave %v, want the document of %s", d["identifikasjonsnummer"], uniq.ID.Digits())
	}
	r = get(t, sb, utenHjemmel, "personer/entydigsoek?identifikasjonsnummer="+uniq.ID.Digits()+"&part=navn")
	if d := decode[doc](t, r); r.status != http.StatusOK || len(d) != 2 || d["navn"] == nil || d["identifikasjonsnummer"] == nil {
		t.Errorf("entydigsoek by number with part=navn: %d %s", r.status, r.body)
	}
	wantError(t, get(t, sb, medHjemmel, "personer/entydigsoek?kommunenummer="+population.PrimaryMunicipality), http.StatusBadRequest)
	wantError(t, get(t, sb, medHjemmel, "personer/entydigsoek?navn=NOSUCHNAME"), http.StatusNotFound)
	wantError(t, get(t, sb, medHjemmel, "personer/entydigsoek?foedselsdato=1999-01-01"), http.StatusBadRequest)
}

func urlq(s string) string { return strings.ReplaceAll(s, " ", "%20") }

type feedItem struct {
	Sekvensnummer int `json:"sekvensnummer"`
	Hendelse      struct {
		Folkeregisteridentifikator string `json:"folkeregisteridentifikator"`
		Hendelsetype               string `json:"hendelsetype"`
		Hendelsesdokument          string `json:"hendelsesdokument"`
		Persondokument             string `json:"persondokument"`
		Ajourholdstidspunkt        string `json:"ajourholdstidspunkt"`
	} `json:"hendelse"`
}

func TestFeed(t *testing.T) {
	sb := start(t)
	pop := sb.Population()
	oldest := sb.Folkeregister().OldestSequence()
	last := pop.LastSeq()
	if oldest <= 1 || oldest > last-folkeregister.PageSize {
		t.Fatalf("oldest retained %d of %d: the feed should hold both deleted and more than a page of events", oldest, last)
	}

	r := get(t, sb, medHjemmel, "hendelser/siste/sekvensnummer")
	if r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != strconv.Itoa(last) {
		t.Errorf("siste/sekvensnummer: %d %s, want %d", r.status, r.body, last)
	}

	r = get(t, sb, medHjemmel, "hendelser/feed?seq="+strconv.Itoa(oldest))
	page := decode[[]feedItem](t, r)
	if len(page) != folkeregister.PageSize || page[0].Sekvensnummer != oldest || page[999].Sekvensnummer != oldest+999 {
		t.Fatalf("page of %d from %d", len(page), page[0].Sekvensnummer)
	}
	for _, it := range page[:20] {
		h := it.Hendelse
		if len(h.Folkeregisteridentifikator) != 11 || h.Hendelsetype == "" || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(h.Persondokument) ||
			!regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(h.Hendelsesdokument) || !timestampRE.MatchString(h.Ajourholdstidspunkt) {
			t.Errorf("feed item %+v", it)
		}
	}
	// Event documents: the elements each event registered.
	for _, it := range page[:50] {
		r := get(t, sb, medHjemmel, "hendelser/"+it.Hendelse.Hendelsesdokument)
		var ed struct {
			Dokumentidentifikator string `json:"dokumentidentifikator"`
			Hendelse              struct {
				Folkeregisteridentifikator string           `json:"folkeregisteridentifikator"`
				Hendelsestype              string           `json:"hendelsestype"`
				Ajourholdstidspunkt        string           `json:"ajourholdstidspunkt"`
				Egenskapshendelse          []map[string]any `json:"egenskapshendelse"`
			} `json:"hendelse"`
		}
		if err := json.Unmarshal(r.body, &ed); r.status != http.StatusOK || err != nil {
			t.Fatalf("hendelser/%s: %d %s", it.Hendelse.Hendelsesdokument, r.status, r.body)
		}
		h := ed.Hendelse
		if ed.Dokumentidentifikator != it.Hendelse.Hendelsesdokument || h.Hendelsestype != it.Hendelse.Hendelsetype ||
			h.Folkeregisteridentifikator != it.Hendelse.Folkeregisteridentifikator || h.Ajourholdstidspunkt != it.Hendelse.Ajourholdstidspunkt ||
			len(h.Egenskapshendelse) == 0 {
			t.Errorf("event document %s for %+v", r.body, it)
		}
		for _, e := range h.Egenskapshendelse {
			if entity, _ := e["entitet"].(string); e[entity] == nil || e["entitetsendring"] != "registrereNy" {
				t.Errorf("egenskapshendelse %v", e)
			}
		}
	}
	wantError(t, get(t, sb, utenHjemmel, "hendelser/"+page[0].Hendelse.Hendelsesdokument), http.StatusForbidden)
	wantError(t, get(t, sb, medHjemmel, "hendelser/"+page[0].Hendelse.Persondokument), http.StatusNotFound)

	etag := r.header.Get("ETag")
	if !regexp.MustCompile(`^"[^"]+"$`).MatchString(etag) {
		t.Errorf("ETag %q is not a strong entity tag", etag)
	}
	r304 := get(t, sb, medHjemmel, "hendelser/feed?seq="+strconv.Itoa(oldest), "If-None-Match", etag)
	if r304.status != http.StatusNotModified || len(r304.body) != 0 || r304.header.Get("ETag") != etag {
		t.Errorf("If-None-Match: %d %q", r304.status, r304.body)
	}
	if r := get(t, sb, medHjemmel, "hendelser/feed?seq="+strconv.Itoa(oldest), "If-None-Match", `"other"`); r.status != http.StatusOK {
		t.Errorf("If-None-Match other: %d", r.status)
	}

	// The last page, past the end, too old.
	r = get(t, sb, medHjemmel, "hendelser/feed?seq="+strconv.Itoa(last))
	if items := decode[[]feedItem](t, r); len(items) != 1 || items[0].Sekvensnummer != last {
		t.Errorf("last page: %s", truncate(string(r.body), 200))
	}
	lastETag := r.header.Get("ETag")
	r = get(t, sb, medHjemmel, "hendelser/feed?seq="+strconv.Itoa(last+1))
	if r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != "[]" {
		t.Errorf("past the end: %d %s", r.status, r.body)
	}
	e := wantError(t, get(t, sb, medHjemmel, "hendelser/feed?seq="+strconv.Itoa(oldest-1)), http.StatusNotAcceptable)
	if e.Melding != folkeregister.MessageOldSequence {
		t.Errorf("406 melding %q", e.Melding)
	}
	wantError(t, get(t, sb, medHjemmel, "hendelser/feed?seq=1"), http.StatusNotAcceptable)
	for _, bad := range []string{"", "?seq=", "?seq=x", "?seq=-1", "?seq=0"} {
		wantError(t, get(t, sb, medHjemmel, "hendelser/feed"+bad), http.StatusBadRequest)
	}

	// Uten hjemmel: the identifier and type only, no document keys.
	r = get(t, sb, utenHjemmel, "hendelser/feed?seq="+strconv.Itoa(last))
	if strings.Contains(string(r.body), "persondokument") || !strings.Contains(string(r.body), "folkeregisteridentifikator") {
		t.Errorf("uten hjemmel feed: %s", r.body)
	}

	// New events: the last page changes, and so does its ETag.
	added := sb.AdvanceFeed(3)
	if len(added) < 3 || added[0].Seq != last+1 {
		t.Fatalf("AdvanceFeed: %+v", added)
	}
	r = get(t, sb, medHjemmel, "hendelser/feed?seq="+strconv.Itoa(last), "If-None-Match", lastETag)
	if items := decode[[]feedItem](t, r); r.status != http.StatusOK || len(items) != 1+len(added) {
		t.Errorf("after AdvanceFeed: %d, %d items", r.status, len(items))
	}
	if r := get(t, sb, medHjemmel, "hendelser/siste/sekvensnummer"); strings.TrimSpace(string(r.body)) != strconv.Itoa(pop.LastSeq()) {
		t.Errorf("siste after advance: %s", r.body)
	}
}

// TestFeedConsistency walks the whole retained feed and checks each event
// against the person's document after it (personer/arkiv) and now.
func TestFeedConsistency(t *testing.T) {
	sb := start(t)
	sb.AdvanceFeed(50)
	counts := map[string]int{}
	current := map[string]doc{}
	currentDoc := func(id string) doc {
		if d, ok := current[id]; ok {
			return d
		}
		d := personDoc(t, sb, medHjemmel, id, "historikk", "person-basis", "relasjon-utvidet")
		current[id] = d
		return d
	}
	for seq := sb.Folkeregister().OldestSequence(); ; {
		page := decode[[]feedItem](t, get(t, sb, medHjemmel, "hendelser/feed?seq="+strconv.Itoa(seq)))
		if len(page) == 0 {
			break
		}
		for _, it := range page {
			h := it.Hendelse
			counts[h.Hendelsetype]++
			r := get(t, sb, medHjemmel, "personer/arkiv/"+h.Persondokument+"?part=historikk&part=person-basis&part=relasjon-utvidet")
			if r.status != http.StatusOK {
				t.Fatalf("arkiv of %d: %d %s", it.Sekvensnummer, r.status, r.body)
			}
			after := decode[doc](t, r)
			checkShape(t, after, true)
			if got := after.current(t, "identifikasjonsnummer")["foedselsEllerDNummer"]; got != h.Folkeregisteridentifikator {
				t.Fatalf("arkiv of %d is %v's, not %s's", it.Sekvensnummer, got, h.Folkeregisteridentifikator)
			}
			now := currentDoc(h.Folkeregisteridentifikator)
			at := h.Ajourholdstidspunkt
			switch h.Hendelsetype {
			case population.TypePersonDead:
				for _, d := range []doc{after, now} {
					if d.current(t, "status")["status"] != "doed" || d.current(t, "doedsfall") == nil {
						t.Errorf("seq %d personErDoed: status %v", it.Sekvensnummer, d.current(t, "status"))
					}
				}
			case population.TypeResidentialAddress:
				cur := after.current(t, "bostedsadresse")
				if cur == nil || cur["ajourholdstidspunkt"] != at || len(after["bostedsadresse"]) < 2 {
					t.Errorf("seq %d move: current address %v", it.Sekvensnummer, cur)
				}
				prev := after["bostedsadresse"][len(after["bostedsadresse"])-2]
				if prev["erGjeldende"] != false || prev["opphoerstidspunkt"] != at {
					t.Errorf("seq %d move: previous address %v", it.Sekvensnummer, prev)
				}
				if !hasElement(now["bostedsadresse"], at) {
					t.Errorf("seq %d move: the address is not in the current document's history", it.Sekvensnummer)
				}
			case population.TypeName:
				if after.current(t, "navn")["ajourholdstidspunkt"] != at || !hasElement(now["navn"], at) {
					t.Errorf("seq %d name change: %v", it.Sekvensnummer, after["navn"])
				}
			case population.TypeMaritalStatus:
				s := after.current(t, "sivilstand")
				if s["ajourholdstidspunkt"] != at || s["relatertVedSivilstand"] == nil {
					t.Errorf("seq %d sivilstand: %v", it.Sekvensnummer, s)
				}
				if s["sivilstand"] == "gift" {
					// The spouse was married at the same time.
					other := personDoc(t, sb, medHjemmel, s["relatertVedSivilstand"].(string), "historikk", "sivilstand")
					if !hasSivilstand(other["sivilstand"], "gift", h.Folkeregisteridentifikator) {
						t.Errorf("seq %d: the spouse's sivilstand %v", it.Sekvensnummer, other["sivilstand"])
					}
				}
			case population.TypePersonCreated:
				if after.current(t, "status")["status"] != "bosatt" {
					t.Errorf("seq %d birth: %v", it.Sekvensnummer, after["status"])
				}
				for _, rel := range now["familierelasjon"] {
					parent := currentDoc(rel["relatertPerson"].(string))
					if !hasRelation(parent["familierelasjon"], h.Folkeregisteridentifikator, "barn", rel["relatertPersonsRolle"].(string)) {
						t.Errorf("seq %d: parent %v lacks the child", it.Sekvensnummer, rel["relatertPerson"])
					}
				}
			case population.TypeFamilyRelation:
				ok := false
				for _, rel := range after["familierelasjon"] {
					if rel["relatertPersonsRolle"] == "barn" && rel["ajourholdstidspunkt"] == at {
						ok = true
					}
				}
				if !ok {
					t.Errorf("seq %d familierelasjon: no new child in %v", it.Sekvensnummer, after["familierelasjon"])
				}
			}
		}
		seq = page[len(page)-1].Sekvensnummer + 1
	}
	for _, typ := range []string{population.TypePersonCreated, population.TypeFamilyRelation, population.TypePersonDead,
		population.TypeMaritalStatus, population.TypeResidentialAddress, population.TypeName} {
		if counts[typ] == 0 {
			t.Errorf("no %s events in the feed: %v", typ, counts)
		}
	}
	t.Logf("events checked: %v", counts)
}

func hasElement(elems []map[string]any, ajourhold string) bool {
	for _, e := range elems {
		if e["ajourholdstidspunkt"] == ajourhold {
			return true
		}
	}
	return false
}

func hasSivilstand(elems []map[string]any, status, related string) bool {
	for _, e := range elems {
		if e["sivilstand"] == status && e["relatertVedSivilstand"] == related {
			return true
		}
	}
	return false
}

func hasRelation(elems []map[string]any, id, role, myRole string) bool {
	for _, e := range elems {
		if e["relatertPerson"] == id && e["relatertPersonsRolle"] == role && e["minRolleForPerson"] == myRole {
			return true
		}
	}
	return false
}

func TestArchive(t *testing.T) {
	sb := start(t)
	srv := sb.Folkeregister()
	seq := srv.OldestSequence() + 10
	r := get(t, sb, medHjemmel, "personer/arkiv/"+srv.PersonDocumentID(seq))
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	wantError(t, get(t, sb, utenHjemmel, "personer/arkiv/"+srv.PersonDocumentID(seq)), http.StatusForbidden)
	wantError(t, get(t, sb, medHjemmel, "personer/arkiv/"+srv.PersonDocumentID(srv.OldestSequence()-1)), http.StatusBadRequest)
	wantError(t, get(t, sb, medHjemmel, "personer/arkiv/00000000000000000000000000000000"), http.StatusNotFound)
	wantError(t, get(t, sb, medHjemmel, "personer/arkiv/xyz"), http.StatusNotFound)
}

func TestDeterminism(t *testing.T) {
	// The population depends on the seed, the size and the day of the
	// sandbox's clock.
	a := start(t)
	b := start(t)
	if a.Population().Reference() != b.Population().Reference() {
		t.Skip("started on either side of midnight")
	}
	ids := make([]string, 200)
	for i := range ids {
		ids[i] = a.Population().Digits(i * 37 % a.Population().Len())
	}
	body := map[string]any{"foedselsEllerDNummer": ids}
	ra := call(t, a, http.MethodPost, api(a, medHjemmel)+"personer/bulkoppslag?part=historikk&part=person-basis&part=relasjon-utvidet", medHjemmel, body)
	rb := call(t, b, http.MethodPost, api(b, medHjemmel)+"personer/bulkoppslag?part=historikk&part=person-basis&part=relasjon-utvidet", medHjemmel, body)
	if ra.status != http.StatusOK || string(ra.body) != string(rb.body) {
		t.Errorf("two sandboxes with the same seed and clock differ")
	}
	fa := get(t, a, medHjemmel, "hendelser/feed?seq="+strconv.Itoa(a.Folkeregister().OldestSequence()))
	fb := get(t, b, medHjemmel, "hendelser/feed?seq="+strconv.Itoa(b.Folkeregister().OldestSequence()))
	if string(fa.body) != string(fb.body) || fa.header.Get("ETag") != fb.header.Get("ETag") {
		t.Errorf("feeds differ")
	}
	c := start(t, sandbox.WithPopulation(sandbox.DefaultPopulationSize, 2))
	if c.Population().Digits(5) == a.Population().Digits(5) && c.Population().Person(5).Name() == a.Population().Person(5).Name() {
		t.Errorf("another seed gave the same person")
	}
}

func TestRateLimitFault(t *testing.T) {
	sb := start(t)
	id := sb.Population().Digits(0)
	for _, tc := range []struct{ fault, want string }{
		{"status=429; retry-after=2", "2000"},
		{"status=429; retry-after-ms=1500", "1500"},
		{"status=429; retry-after=2; retry-after-unit=s", "2"},
	} {
		r := get(t, sb, medHjemmel, "personer/"+id, sandbox.FaultHeader, tc.fault)
		e := wantError(t, r, http.StatusTooManyRequests)
		if got := r.header.Get("Retry-After"); got != tc.want || e.Kode != folkeregister.CodeTooManyRequests {
			t.Errorf("%s: Retry-After %q, want %q; body %+v", tc.fault, got, tc.want, e)
		}
	}
	remove, err := sb.InjectFault(sandbox.Fault{PathPrefix: "/folkeregister/", Status: 429, RetryAfter: 250 * time.Millisecond, Times: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer remove()
	r := get(t, sb, medHjemmel, "personer/"+id)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "250" {
		t.Errorf("installed fault: %d %q", r.status, r.header.Get("Retry-After"))
	}
	if r := get(t, sb, medHjemmel, "personer/"+id); r.status != http.StatusOK {
		t.Errorf("after the fault: %d", r.status)
	}
	wantError(t, get(t, sb, medHjemmel, "personer/"+id, sandbox.FaultHeader, "status=503"), http.StatusServiceUnavailable)
	for _, bad := range []string{"status=429; retry-after=1; retry-after-ms=5", "status=429; retry-after-ms=x", "status=429; retry-after=1; retry-after-unit=h"} {
		if r := get(t, sb, medHjemmel, "personer/"+id, sandbox.FaultHeader, bad); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "invalid_fault") {
			t.Errorf("%q: %d %s", bad, r.status, r.body)
		}
	}
	if _, err := sb.InjectFault(sandbox.Fault{Status: 429, RetryAfter: time.Second, RetryAfterUnit: time.Minute}); err == nil {
		t.Error("a RetryAfterUnit of a minute was accepted")
	}
	// Elsewhere the unit stays seconds.
	r = call(t, sb, http.MethodGet, sb.URL()+"/sandbox/health", "", nil, sandbox.FaultHeader, "status=429; retry-after=2")
	if r.header.Get("Retry-After") != "2" || !strings.Contains(string(r.body), "sandbox_fault") {
		t.Errorf("health fault: %q %s", r.header.Get("Retry-After"), r.body)
	}
}

func TestLiveFeed(t *testing.T) {
	sb := start(t, sandbox.WithLiveFeed(20*time.Millisecond))
	first := sb.Population().LastSeq()
	deadline := time.Now().Add(5 * time.Second)
	for sb.Population().LastSeq() < first+3 {
		if time.Now().After(deadline) {
			t.Fatalf("the live feed added %d events in 5s", sb.Population().LastSeq()-first)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func FuzzParseBulkRequest(f *testing.F) {
	f.Add([]byte(`{"foedselsEllerDNummer":["12345678901"]}`))
	f.Add([]byte(`{"foedselsEllerDNummer":[]}`))
	f.Add([]byte(`{"foedselsEllerDNummer":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"foedselsEllerDNummer":[1,2]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := folkeregister.ParseBulkRequest(body)
		if err != nil {
			return
		}
		if n := len(req.FoedselsEllerDNummer); n < 1 || n > folkeregister.MaxBulk {
			t.Fatalf("accepted %d identifiers", n)
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := folkeregister.ParseBulkRequest(again); err != nil {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

func BenchmarkFeedPage(b *testing.B) {
	sb := start(b)
	seq := strconv.Itoa(sb.Folkeregister().OldestSequence())
	tok := token(b, sb, medHjemmel)
	h := sb.Handler()
	path := "/folkeregister/folkeregisteret/offentlig-med-hjemmel/api/v1/hendelser/feed?seq=" + seq
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := &sandboxtest.Discard{}
		h.ServeHTTP(w, req)
		if w.Status != http.StatusOK {
			b.Fatalf("status %d", w.Status)
		}
	}
}
