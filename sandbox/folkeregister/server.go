package folkeregister

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesgo/felles/registry/personid"
	"github.com/fellesgo/felles/sandbox/maskinporten"
	"github.com/fellesgo/felles/sandbox/population"
)

// Rights packages the sandbox serves, with their path prefixes (below the
// server's root) and Maskinporten scopes.
const (
	PathMedHjemmel   = "/folkeregisteret/offentlig-med-hjemmel/api/v1/"
	PathUtenHjemmel  = "/folkeregisteret/api/offentligutenhjemmel/v1/"
	ScopeMedHjemmel  = "folkeregister:deling/offentligmedhjemmel"
	ScopeUtenHjemmel = "folkeregister:deling/offentligutenhjemmel"
)

// Limits, as Skatteetaten documents them.
const (
	// PageSize is the number of events per feed page.
	PageSize = 1000
	// MaxBulk is the most identifiers a bulkoppslag takes.
	MaxBulk = 1000
	// MaxHits is the most hits a soek returns; more is an error.
	MaxHits = 10_000
	// Retention is how long events are kept: a feed request for an older
	// sequence number is refused (406).
	Retention = 36 // months
	// maxBody bounds request bodies.
	maxBody = 1 << 20
)

// Config configures a [Server].
type Config struct {
	Population *population.Population // required
	// Verifier checks the Maskinporten access tokens; required.
	Verifier *maskinporten.Verifier
	// Now is the clock (retention of events); nil means time.Now.
	Now func() time.Time
}

// Server imitates Folkeregisteret's consumer API (offentlig med hjemmel
// and offentlig uten hjemmel) over a synthetic population. Mount it with
// http.StripPrefix; it is safe for concurrent use.
type Server struct {
	pop    *population.Population
	now    func() time.Time
	docs   cipher.Block // document identifiers
	etag   [16]byte     // salt of ETags
	handle http.Handler
}

// rightsPackage is a rettighetspakke.
type rightsPackage struct {
	name  string
	scope string
	full  bool // med hjemmel: relations, archive, event documents
}

var (
	medHjemmel  = &rightsPackage{name: "offentlig med hjemmel", scope: ScopeMedHjemmel, full: true}
	utenHjemmel = &rightsPackage{name: "offentlig uten hjemmel", scope: ScopeUtenHjemmel}
)

// NewServer returns a server over c.Population.
func NewServer(c Config) (*Server, error) {
	if c.Population == nil || c.Verifier == nil {
		return nil, errors.New("folkeregister: Population and Verifier are required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	key := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("felles-sandbox-freg-documents"), c.Population.Seed()))
	block, err := aes.NewCipher(key[:16])
	if err != nil {
		return nil, err
	}
	s := &Server{pop: c.Population, now: c.Now, docs: block}
	copy(s.etag[:], key[16:])
	mux := http.NewServeMux()
	mux.Handle(PathMedHjemmel, http.StripPrefix(strings.TrimSuffix(PathMedHjemmel, "/"), s.api(medHjemmel)))
	mux.Handle(PathUtenHjemmel, http.StripPrefix(strings.TrimSuffix(PathUtenHjemmel, "/"), s.api(utenHjemmel)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, codeNotFound, "Ukjent ressurs: "+truncate(r.URL.Path, 100)+". Sandkassen har rettighetspakkene offentlig med hjemmel ("+PathMedHjemmel+") og offentlig uten hjemmel ("+PathUtenHjemmel+").")
	})
	s.handle = c.Verifier.Middleware("")(mux)
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handle.ServeHTTP(w, r) }

// Error codes. FREG-001 is Skatteetaten's documented code for a server
// error; the others are the sandbox's own, one per status, since the real
// catalogue is not public. Branch on the HTTP status, not on kode.
const (
	codeServer        = "FREG-001"
	codeBadRequest    = "FREG-400"
	codeForbidden     = "FREG-403"
	codeNotFound      = "FREG-404"
	codeNotAcceptable = "FREG-406"
	// CodeTooManyRequests is the kode of the sandbox's 429 answers.
	CodeTooManyRequests = "FREG-429"
)

// Messages of errors whose text Skatteetaten documents.
const (
	// MessageOldSequence is the melding of a 406 for a seq older than the
	// retention.
	MessageOldSequence = "Det er oppgitt ulovlig sekvensnummer. Sekvensnummer kan ikke være mere enn 36 måneder gammelt"
	// MessageServerError is the melding of FREG-001.
	MessageServerError = "Feil i tjenesten. Vennligst prøv igjen seinere."
	// MessageTooManyRequests is the melding of the sandbox's 429 answers.
	MessageTooManyRequests = "For mange forespørsler. Vent det antall millisekunder Retry-After oppgir, og prøv igjen."
)

// Error is the error body: {"kode":"FREG-001","melding":"..."}.
type Error struct {
	Kode    string `json:"kode"`
	Melding string `json:"melding"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, Error{Kode: code, Melding: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"kode":"`+codeServer+`","melding":"`+MessageServerError+`"}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	w.Write(body)
}

// api serves one rights package; paths are below its prefix, "/personer/...".
func (s *Server) api(pkg *rightsPackage) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := maskinporten.FromContext(r.Context())
		if tok == nil || !tok.HasScope(pkg.scope) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="felles-sandbox", error="insufficient_scope", scope="`+pkg.scope+`"`)
			writeError(w, http.StatusForbidden, codeForbidden, "Ingen tilgang til rettighetspakken "+pkg.name+": tilgangstokenet mangler scope "+pkg.scope+".")
			return
		}
		if !acceptsJSON(r.Header.Values("Accept")) {
			writeError(w, http.StatusNotAcceptable, codeNotAcceptable, "Accept-headeren må tillate application/json. Sandkassen leverer bare JSON (ikke XML eller Atom).")
			return
		}
		path := strings.Trim(r.URL.Path, "/")
		parts := strings.Split(path, "/")
		route := func(method string, h func(http.ResponseWriter, *http.Request, *rightsPackage, []string)) {
			if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
				w.Header().Set("Allow", method)
				writeError(w, http.StatusMethodNotAllowed, codeBadRequest, "Metoden "+r.Method+" støttes ikke for denne ressursen; bruk "+method+".")
				return
			}
			h(w, r, pkg, parts)
		}
		switch {
		case path == "personer/bulkoppslag":
			route(http.MethodPost, s.bulk)
		case path == "personer/soek":
			route(http.MethodGet, s.search)
		case path == "personer/entydigsoek":
			route(http.MethodGet, s.uniqueSearch)
		case len(parts) == 3 && parts[0] == "personer" && parts[1] == "arkiv":
			route(http.MethodGet, s.archive)
		case len(parts) == 2 && parts[0] == "personer":
			route(http.MethodGet, s.person)
		case path == "hendelser/feed":
			route(http.MethodGet, s.feed)
		case path == "hendelser/siste/sekvensnummer":
			route(http.MethodGet, s.lastSeq)
		case len(parts) == 2 && parts[0] == "hendelser" && parts[1] != "feed":
			route(http.MethodGet, s.eventDocument)
		default:
			writeError(w, http.StatusNotFound, codeNotFound, "Ukjent ressurs: "+truncate(path, 100)+".")
		}
	})
}

// acceptsJSON reports whether the Accept header allows application/json.
func acceptsJSON(values []string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					continue
				}
			}
			switch mt {
			case "*/*", "application/*", "application/json":
				return true
			}
		}
	}
	return false
}

// view parses the part parameters.
func view(r *http.Request, pkg *rightsPackage) (docView, error) {
	v := docView{props: map[string]bool{}}
	for _, raw := range r.URL.Query()["part"] {
		for part := range strings.SplitSeq(raw, ",") {
			part = strings.TrimSpace(part)
			switch {
			case part == "historikk":
				v.history = true
			case part == "person-basis":
				for _, p := range personBasis {
					v.props[p] = true
				}
			case part == "relasjon-utvidet" || part == "identitetsgrunnlag-utvidet" || restricted[part]:
				if !pkg.full {
					return v, fmt.Errorf("%w: part=%s er ikke med i rettighetspakken %s", errForbidden, part, pkg.name)
				}
				if part == "relasjon-utvidet" {
					v.props["familierelasjon"], v.props["foreldreansvar"], v.props["vergemaalEllerFremtidsfullmakt"] = true, true, true
				} else if part == "identitetsgrunnlag-utvidet" {
					v.props["identitetsgrunnlag"] = true
				} else {
					v.props[part] = true
				}
			case slices.Contains(properties, part):
				v.props[part] = true
			default:
				return v, fmt.Errorf("ukjent part %q; gyldige er person-basis, historikk, relasjon-utvidet, identitetsgrunnlag-utvidet og egenskapsnavn som %s", truncate(part, 40), strings.Join(properties[:6], ", "))
			}
		}
	}
	if len(v.props) == 0 {
		for _, p := range personBasis {
			v.props[p] = true
		}
	}
	// The identification number comes with every part selection
	// (Skatteetaten, dataminimering.md).
	v.props["identifikasjonsnummer"] = true
	return v, nil
}

var errForbidden = errors.New("forbidden")

// personBasis is what a lookup without part returns.
var personBasis = []string{
	"identifikasjonsnummer", "identitetsgrunnlag", "status", "doedsfall", "sivilstand", "foedsel", "statsborgerskap",
	"kjoenn", "navn", "bostedsadresse", "oppholdsadresse", "deltBosted", "postadresse", "postadresseIUtlandet",
	"adressebeskyttelse", "kontaktinformasjonForDoedsbo",
}

// properties are the top-level properties a part may name.
var properties = []string{
	"identifikasjonsnummer", "status", "kjoenn", "foedsel", "foedselINorge", "navn", "sivilstand", "doedsfall",
	"bostedsadresse", "deltBosted", "oppholdsadresse", "postadresse", "postadresseIUtlandet", "adressebeskyttelse",
	"statsborgerskap", "innflytting", "utflytting", "opphold", "identitetsgrunnlag", "falskIdentitet",
	"legitimasjonsdokument", "utenlandskPersonidentifikasjon", "utlendingsmyndighetenesIdentifikasjonsnummer",
	"kontaktinformasjonForDoedsbo", "forholdTilSametingetsValgmanntall", "bibehold", "brukAvSamiskSpraak",
	"preferertKontaktadresse", "familierelasjon", "foreldreansvar", "vergemaalEllerFremtidsfullmakt",
}

// restricted are the properties only med hjemmel gets.
var restricted = map[string]bool{"familierelasjon": true, "foreldreansvar": true, "vergemaalEllerFremtidsfullmakt": true}

func (s *Server) viewOrError(w http.ResponseWriter, r *http.Request, pkg *rightsPackage) (docView, bool) {
	v, err := view(r, pkg)
	if errors.Is(err, errForbidden) {
		writeError(w, http.StatusForbidden, codeForbidden, strings.TrimPrefix(err.Error(), "forbidden: "))
		return v, false
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return v, false
	}
	return v, true
}

// document returns person i's document after seq.
func (s *Server) document(i, seq int, v docView) (*document, bool) {
	h, ok := s.pop.History(i, seq)
	if !ok {
		return nil, false
	}
	return build(h, v, s.pop.Digits), true
}

// GET personer/{id}
func (s *Server) person(w http.ResponseWriter, r *http.Request, pkg *rightsPackage, parts []string) {
	v, ok := s.viewOrError(w, r, pkg)
	if !ok {
		return
	}
	id := parts[1]
	if !elevenDigits(id) {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Ugyldig folkeregisteridentifikator: må være 11 siffer.")
		return
	}
	i, ok := s.pop.Lookup(id)
	if !ok {
		writeError(w, http.StatusNotFound, codeNotFound, "Fant ingen person med den oppgitte folkeregisteridentifikatoren.")
		return
	}
	d, _ := s.document(i, s.pop.LastSeq(), v)
	writeJSON(w, http.StatusOK, d)
}

func elevenDigits(id string) bool {
	if len(id) != 11 {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// BulkRequest is the body of personer/bulkoppslag.
type BulkRequest struct {
	FoedselsEllerDNummer []string `json:"foedselsEllerDNummer"`
}

// ParseBulkRequest decodes and checks a bulkoppslag body: 1 to [MaxBulk]
// identifiers.
func ParseBulkRequest(body []byte) (BulkRequest, error) {
	var req BulkRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return req, fmt.Errorf("forespørselen er ikke gyldig JSON av formen {\"foedselsEllerDNummer\":[...]}: %v", err)
	}
	if n := len(req.FoedselsEllerDNummer); n < 1 || n > MaxBulk {
		return req, fmt.Errorf("foedselsEllerDNummer må ha fra 1 til %d identifikatorer, ikke %d", MaxBulk, n)
	}
	return req, nil
}

type bulkItem struct {
	FoedselsEllerDNummer string    `json:"foedselsEllerDNummer"`
	Folkeregisterperson  *document `json:"folkeregisterperson,omitempty"`
}

// POST personer/bulkoppslag. Unknown identifiers come back as elements
// without folkeregisterperson.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request, pkg *rightsPackage, _ []string) {
	v, ok := s.viewOrError(w, r, pkg)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Forespørselen er for stor eller ble avbrutt.")
		return
	}
	req, err := ParseBulkRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return
	}
	seq := s.pop.LastSeq()
	out := struct {
		Oppslag []bulkItem `json:"oppslag"`
	}{Oppslag: make([]bulkItem, 0, len(req.FoedselsEllerDNummer))}
	for _, id := range req.FoedselsEllerDNummer {
		item := bulkItem{FoedselsEllerDNummer: id}
		if i, ok := s.pop.Lookup(id); ok {
			item.Folkeregisterperson, _ = s.document(i, seq, v)
		}
		out.Oppslag = append(out.Oppslag, item)
	}
	writeJSON(w, http.StatusOK, out)
}

// searchResult is the body of soek and entydigsoek.
type searchResult struct {
	FoedselsEllerDNummer []string `json:"foedselsEllerDNummer"`
}

// query reads the search parameters.
func query(r *http.Request) (population.Query, error) {
	v := r.URL.Query()
	q := population.Query{Name: v.Get("navn"), Municipality: v.Get("kommunenummer"), Street: v.Get("adressenavn"), PostalCode: v.Get("postnummer")}
	narrowed := q.Name != "" || q.Municipality != "" || q.Street != "" || q.PostalCode != ""
	var err error
	boolParam := func(name string) bool {
		switch s := v.Get(name); s {
		case "", "false":
			return false
		case "true":
			return true
		default:
			err = fmt.Errorf("%s må være true eller false, ikke %q", name, truncate(s, 20))
			return false
		}
	}
	year := func(name string) int {
		s := v.Get(name)
		if s == "" {
			return 0
		}
		y, e := strconv.Atoi(s)
		if e != nil || y < 1800 || y > 2100 || len(s) != 4 {
			err = fmt.Errorf("%s må være et årstall (yyyy), ikke %q", name, truncate(s, 20))
		}
		narrowed = true
		return y
	}
	q.IncludeDead = boolParam("inkluderDoede")
	q.IncludeTemporary = boolParam("inkluderOppholdsadresse")
	q.BornFrom, q.BornTo = year("foedselsaarFraOgMed"), year("foedselsaarTilOgMed")
	if s := v.Get("husnummer"); s != "" {
		n, e := strconv.Atoi(s)
		if e != nil || n < 1 || n > 9999 {
			return q, fmt.Errorf("husnummer må være et tall fra 1 til 9999, ikke %q", truncate(s, 20))
		}
		q.HouseNumber = n
	}
	if s := v.Get("foedselsdato"); s != "" {
		t, e := time.Parse("20060102", s)
		if e != nil {
			return q, fmt.Errorf("foedselsdato må være en dato på formen yyyymmdd, ikke %q", truncate(s, 20))
		}
		q.BirthDate, narrowed = t, true
	}
	switch k := v.Get("kjoenn"); k {
	case "":
	case "kvinne":
		q.Sex = personid.Female
	case "mann":
		q.Sex = personid.Male
	default:
		return q, fmt.Errorf("kjoenn må være kvinne eller mann, ikke %q", truncate(k, 20))
	}
	if q.Municipality != "" && !(len(q.Municipality) == 4 && elevenDigits(q.Municipality+"0000000")) {
		return q, fmt.Errorf("kommunenummer må være fire siffer, ikke %q", truncate(q.Municipality, 20))
	}
	if q.PostalCode != "" && !(len(q.PostalCode) == 4 && elevenDigits(q.PostalCode+"0000000")) {
		return q, fmt.Errorf("postnummer må være fire siffer, ikke %q", truncate(q.PostalCode, 20))
	}
	if err != nil {
		return q, err
	}
	if !narrowed {
		return q, errors.New("søket må avgrenses med minst ett av navn, foedselsdato, foedselsaarFraOgMed, foedselsaarTilOgMed, kommunenummer, adressenavn og postnummer")
	}
	return q, nil
}

// GET personer/soek
func (s *Server) search(w http.ResponseWriter, r *http.Request, _ *rightsPackage, _ []string) {
	q, err := query(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return
	}
	hits, more := s.pop.Search(q, MaxHits)
	if more {
		writeError(w, http.StatusBadRequest, codeBadRequest, fmt.Sprintf("Søket ga mer enn %d treff. Avgrens søket.", MaxHits))
		return
	}
	out := searchResult{FoedselsEllerDNummer: make([]string, len(hits))}
	for k, i := range hits {
		out.FoedselsEllerDNummer[k] = s.pop.Digits(i)
	}
	writeJSON(w, http.StatusOK, out)
}

// GET personer/entydigsoek: the latest person document of the one person
// matching, as Skatteetaten documents ("returnerer siste persondokument");
// no match is 404, more than one 400.
func (s *Server) uniqueSearch(w http.ResponseWriter, r *http.Request, pkg *rightsPackage, _ []string) {
	v, ok := s.viewOrError(w, r, pkg)
	if !ok {
		return
	}
	var hits []int
	if id := r.URL.Query().Get("identifikasjonsnummer"); id != "" {
		if i, ok := s.pop.Lookup(id); ok {
			hits = []int{i}
		}
	} else {
		q, err := query(r)
		if err != nil {
			writeError(w, http.StatusBadRequest, codeBadRequest, err.Error())
			return
		}
		hits, _ = s.pop.Search(q, 2)
	}
	switch len(hits) {
	case 0:
		writeError(w, http.StatusNotFound, codeNotFound, "Søket ga ingen treff.")
	case 1:
		d, _ := s.document(hits[0], s.pop.LastSeq(), v)
		writeJSON(w, http.StatusOK, d)
	default:
		writeError(w, http.StatusBadRequest, codeBadRequest, "Søket ga mer enn ett treff og er ikke entydig. Avgrens søket.")
	}
}

// Document identifiers: a sequence number and a kind, encrypted with AES
// under a key derived from the population's seed, in hex (32 characters,
// like Folkeregisteret's).
const (
	kindPerson = "persndok"
	kindEvent  = "hendldok"
)

func (s *Server) docID(kind string, seq int) string {
	var b [16]byte
	copy(b[:8], kind)
	binary.BigEndian.PutUint64(b[8:], uint64(seq))
	s.docs.Encrypt(b[:], b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) parseDocID(kind, id string) (int, bool) {
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != 16 {
		return 0, false
	}
	s.docs.Decrypt(raw, raw)
	if string(raw[:8]) != kind {
		return 0, false
	}
	seq := binary.BigEndian.Uint64(raw[8:])
	if seq < 1 || seq > uint64(s.pop.LastSeq()) {
		return 0, false
	}
	return int(seq), true
}

// PersonDocumentID returns the persondokument of the event with sequence
// number seq: the key of personer/arkiv/{persondokument}.
func (s *Server) PersonDocumentID(seq int) string { return s.docID(kindPerson, seq) }

// GET personer/arkiv/{persondokument}: the person as after that event.
func (s *Server) archive(w http.ResponseWriter, r *http.Request, pkg *rightsPackage, parts []string) {
	if !pkg.full {
		writeError(w, http.StatusForbidden, codeForbidden, "Historiske persondokumenter er bare med i rettighetspakken offentlig med hjemmel.")
		return
	}
	v, ok := s.viewOrError(w, r, pkg)
	if !ok {
		return
	}
	seq, ok := s.parseDocID(kindPerson, parts[2])
	if !ok {
		writeError(w, http.StatusNotFound, codeNotFound, "Fant ikke persondokumentet.")
		return
	}
	if seq < s.oldest() {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Persondokumentet er slettet: det er eldre enn 3 år.")
		return
	}
	ev, _ := s.pop.Event(seq)
	d, ok := s.document(ev.Person, seq, v)
	if !ok {
		writeError(w, http.StatusNotFound, codeNotFound, "Fant ikke persondokumentet.")
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// oldest returns the oldest sequence number retained.
func (s *Server) oldest() int {
	return s.pop.SeqAt(s.now().AddDate(0, -Retention, 0))
}

// OldestSequence returns the oldest sequence number the feed still has;
// a request for an older one is answered 406. It is LastSeq()+1 when every
// event is older than the retention.
func (s *Server) OldestSequence() int { return s.oldest() }

type feedItem struct {
	Sekvensnummer int       `json:"sekvensnummer"`
	Hendelse      feedEvent `json:"hendelse"`
}

type feedEvent struct {
	Folkeregisteridentifikator string `json:"folkeregisteridentifikator"`
	Hendelsetype               string `json:"hendelsetype"`
	Hendelsesdokument          string `json:"hendelsesdokument,omitempty"`
	Persondokument             string `json:"persondokument,omitempty"`
	Ajourholdstidspunkt        string `json:"ajourholdstidspunkt"`
}

// GET hendelser/feed?seq=N
func (s *Server) feed(w http.ResponseWriter, r *http.Request, pkg *rightsPackage, _ []string) {
	raw := r.URL.Query().Get("seq")
	from, err := strconv.Atoi(raw)
	if raw == "" || err != nil || from < 1 {
		writeError(w, http.StatusBadRequest, codeBadRequest, "seq må være et positivt heltall: sekvensnummeret å lese fra.")
		return
	}
	if from < s.oldest() && from <= s.pop.LastSeq() {
		writeError(w, http.StatusNotAcceptable, codeNotAcceptable, MessageOldSequence)
		return
	}
	events := s.pop.Events(from, PageSize)
	items := make([]feedItem, len(events))
	for k, e := range events {
		items[k] = feedItem{Sekvensnummer: e.Seq, Hendelse: feedEvent{
			Folkeregisteridentifikator: s.pop.Digits(e.Person), Hendelsetype: e.Type,
			Ajourholdstidspunkt: e.Time.Format(time.RFC3339Nano),
		}}
		if pkg.full {
			items[k].Hendelse.Hendelsesdokument = s.docID(kindEvent, e.Seq)
			items[k].Hendelse.Persondokument = s.docID(kindPerson, e.Seq)
		}
	}
	body, err := json.Marshal(items)
	if err != nil {
		writeError(w, http.StatusInternalServerError, codeServer, MessageServerError)
		return
	}
	sum := sha256.Sum256(append(s.etag[:], body...))
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	if etagMatch(r.Header.Values("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Write(body)
}

// etagMatch is the weak comparison If-None-Match calls for (RFC 9110).
func etagMatch(values []string, etag string) bool {
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
	}
	return false
}

// GET hendelser/siste/sekvensnummer: a bare JSON number.
func (s *Server) lastSeq(w http.ResponseWriter, _ *http.Request, _ *rightsPackage, _ []string) {
	writeJSON(w, http.StatusOK, s.pop.LastSeq())
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// ErrorFor returns the error body Folkeregisteret answers status with:
// the sandbox uses it for injected faults.
func ErrorFor(status int) Error {
	switch {
	case status == http.StatusTooManyRequests:
		return Error{Kode: CodeTooManyRequests, Melding: MessageTooManyRequests}
	case status >= 500:
		return Error{Kode: codeServer, Melding: MessageServerError}
	}
	return Error{Kode: "FREG-" + strconv.Itoa(status), Melding: "Feil lagt inn av felles-sandkassen: HTTP " + strconv.Itoa(status) + " " + http.StatusText(status)}
}

// entities are the properties an event type changes.
var entities = map[string][]string{
	population.TypePersonCreated:      {"identifikasjonsnummer", "status", "kjoenn", "foedsel", "navn", "bostedsadresse", "familierelasjon"},
	population.TypeFamilyRelation:     {"familierelasjon"},
	population.TypePersonDead:         {"status", "doedsfall"},
	population.TypeMaritalStatus:      {"sivilstand"},
	population.TypeResidentialAddress: {"bostedsadresse"},
	population.TypeName:               {"navn"},
}

// GET hendelser/{hendelsesdokument}: the event document (med hjemmel).
// Each egenskapshendelse holds an element the event registered.
func (s *Server) eventDocument(w http.ResponseWriter, r *http.Request, pkg *rightsPackage, parts []string) {
	if !pkg.full {
		writeError(w, http.StatusForbidden, codeForbidden, "Hendelsesdokumenter er bare med i rettighetspakken offentlig med hjemmel.")
		return
	}
	seq, ok := s.parseDocID(kindEvent, parts[1])
	if !ok {
		writeError(w, http.StatusNotFound, codeNotFound, "Fant ikke hendelsesdokumentet.")
		return
	}
	if seq < s.oldest() {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Hendelsesdokumentet er slettet: det er eldre enn 3 år.")
		return
	}
	ev, _ := s.pop.Event(seq)
	all := docView{props: map[string]bool{}, history: true}
	for _, p := range properties {
		all.props[p] = true
	}
	d, _ := s.document(ev.Person, seq, all)
	raw, err := json.Marshal(d)
	var doc map[string][]map[string]any
	if err == nil {
		err = json.Unmarshal(raw, &doc)
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, codeServer, MessageServerError)
		return
	}
	at := ev.Time.Format(time.RFC3339Nano)
	changes := []map[string]any{}
	for _, entity := range entities[ev.Type] {
		for _, e := range doc[entity] {
			if e["ajourholdstidspunkt"] == at {
				changes = append(changes, map[string]any{entity: e, "entitet": entity, "entitetsendring": "registrereNy"})
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"dokumentidentifikator": parts[1],
		"skjemaversjon":         "1.0",
		"hendelse": map[string]any{
			"folkeregisteridentifikator": s.pop.Digits(ev.Person),
			"hendelsestype":              ev.Type,
			"ajourholdstidspunkt":        at,
			"egenskapshendelse":          changes,
		},
	})
}
