package folkeregister

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fellesgo/felles/registry/personid"
)

// Part names what a lookup should return (data minimisation, the "part"
// query parameter). Any top-level property of the person document is a
// part too, e.g. Part("foedselINorge"); without parts, Folkeregisteret
// returns [PartPersonBasis]. Which parts a rights package may have is
// Folkeregisteret's decision.
//
// Source: folkeregisteret-api-dokumentasjon, src/konsumenttjenester/dataminimering.md.
type Part string

// The collective parts.
const (
	// PartPersonBasis: the current, non-confidential basics (the default).
	PartPersonBasis Part = "person-basis"
	// PartHistorikk: historic values too, for every property returned.
	PartHistorikk Part = "historikk"
	// PartIdentitetsgrunnlagUtvidet: falskIdentitet, legitimasjonsdokument,
	// utenlandskPersonidentifikasjon.
	PartIdentitetsgrunnlagUtvidet Part = "identitetsgrunnlag-utvidet"
	// PartRelasjonUtvidet: familierelasjon, foreldreansvar,
	// vergemaalEllerFremtidsfullmakt.
	PartRelasjonUtvidet Part = "relasjon-utvidet"
)

// Parts for single properties.
const (
	PartIdentifikasjonsnummer                        Part = "identifikasjonsnummer"
	PartStatus                                       Part = "status"
	PartKjoenn                                       Part = "kjoenn"
	PartFoedsel                                      Part = "foedsel"
	PartFoedselINorge                                Part = "foedselINorge"
	PartNavn                                         Part = "navn"
	PartSivilstand                                   Part = "sivilstand"
	PartDoedsfall                                    Part = "doedsfall"
	PartFamilierelasjon                              Part = "familierelasjon"
	PartForeldreansvar                               Part = "foreldreansvar"
	PartBostedsadresse                               Part = "bostedsadresse"
	PartDeltBosted                                   Part = "deltBosted"
	PartOppholdsadresse                              Part = "oppholdsadresse"
	PartPostadresse                                  Part = "postadresse"
	PartPostadresseIUtlandet                         Part = "postadresseIUtlandet"
	PartAdressebeskyttelse                           Part = "adressebeskyttelse"
	PartStatsborgerskap                              Part = "statsborgerskap"
	PartInnflytting                                  Part = "innflytting"
	PartUtflytting                                   Part = "utflytting"
	PartOpphold                                      Part = "opphold"
	PartIdentitetsgrunnlag                           Part = "identitetsgrunnlag"
	PartFalskIdentitet                               Part = "falskIdentitet"
	PartLegitimasjonsdokument                        Part = "legitimasjonsdokument"
	PartUtenlandskPersonidentifikasjon               Part = "utenlandskPersonidentifikasjon"
	PartUtlendingsmyndighetenesIdentifikasjonsnummer Part = "utlendingsmyndighetenesIdentifikasjonsnummer"
	PartKontaktinformasjonForDoedsbo                 Part = "kontaktinformasjonForDoedsbo"
	PartVergemaalEllerFremtidsfullmakt               Part = "vergemaalEllerFremtidsfullmakt"
	PartForholdTilSametingetsValgmanntall            Part = "forholdTilSametingetsValgmanntall"
	PartBibehold                                     Part = "bibehold"
	PartBrukAvSamiskSpraak                           Part = "brukAvSamiskSpraak"
)

// partQuery returns the query for parts, each once, in the order given.
func partQuery(parts []Part) (url.Values, error) {
	if len(parts) == 0 {
		return nil, nil
	}
	q := url.Values{}
	seen := make(map[Part]bool, len(parts))
	for _, p := range parts {
		s := strings.TrimSpace(string(p))
		if s == "" {
			return nil, errors.New("folkeregister: empty part")
		}
		if seen[Part(s)] {
			continue
		}
		seen[Part(s)] = true
		q.Add("part", s)
	}
	return q, nil
}

// parseID parses an input identity number.
func parseID(index int, s string) (personid.Number, error) {
	n, err := personid.Parse(strings.TrimSpace(s))
	if err != nil {
		return personid.Number{}, &InvalidIDError{Index: index, ID: maskID(s), Err: err}
	}
	return n, nil
}

// Person returns the latest person document of the person with the
// fødselsnummer or d-nummer id, restricted to parts (see [Part]). It
// returns an *[InvalidIDError] for an id that is not a valid number,
// without asking, and a *[NotFoundError] (matching [ErrNotFound], and
// wrapping the *[APIError]) if Folkeregisteret answers 404.
//
// Every lookup is logged by Folkeregisteret, and the person can see who
// looked.
func (c *Client) Person(ctx context.Context, id string, parts ...Part) (*Person, error) {
	n, err := parseID(-1, id)
	if err != nil {
		return nil, err
	}
	return c.PersonByNumber(ctx, n, parts...)
}

// PersonByNumber is [Client.Person] for a parsed number.
func (c *Client) PersonByNumber(ctx context.Context, id personid.Number, parts ...Part) (*Person, error) {
	if id.IsZero() {
		return nil, &InvalidIDError{Index: -1, Err: errors.New("the zero personid.Number")}
	}
	q, err := partQuery(parts)
	if err != nil {
		return nil, err
	}
	var p Person
	if err := c.getJSON(ctx, "personer/"+id.Digits(), q, maxDocument, &p); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
			return nil, &NotFoundError{ID: id, Err: err}
		}
		return nil, err
	}
	return &p, nil
}

// Archive returns a person document as it was: persondokument is the key
// an [Event] gives (Event.PersonDocument), the person as it was after the
// event. It is for the OffentligMedHjemmel package; documents historical
// for more than three years are deleted (HTTP 400).
func (c *Client) Archive(ctx context.Context, persondokument string, parts ...Part) (*Person, error) {
	if err := checkKey(persondokument); err != nil {
		return nil, err
	}
	q, err := partQuery(parts)
	if err != nil {
		return nil, err
	}
	var p Person
	if err := c.getJSON(ctx, "personer/arkiv/"+url.PathEscape(persondokument), q, maxDocument, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// checkKey accepts a document key: 1 to 200 letters, digits, '-' and '_'.
func checkKey(s string) error {
	if s == "" || len(s) > 200 {
		return errors.New("folkeregister: a document key must have 1 to 200 characters")
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("folkeregister: invalid document key %q: only letters, digits, '-' and '_'", maskID(s))
		}
	}
	return nil
}

// BulkResult is the outcome of a bulk lookup for one identifier.
type BulkResult struct {
	// ID is the identifier looked up; zero if it was not a valid number.
	ID personid.Number
	// Person is the person document; nil if Err is set.
	Person *Person
	// Err is an *[InvalidIDError] for an identifier that is not a valid
	// number (it was not sent), or a *[NotFoundError] (matching
	// [ErrNotFound]) for one Folkeregisteret did not return a person for.
	Err error
}

// BulkPersons looks up many persons: the latest person document of each,
// restricted to parts. It sends the distinct valid identifiers in requests
// of at most [MaxBulk] (POST personer/bulkoppslag) and returns one result
// per identifier in ids, in the same order. An invalid or unknown
// identifier gives a result with Err set and does not affect the others.
//
// When a request fails, the results of its identifiers carry that error
// (with Person nil), the other results are intact, and the returned error
// joins the failures; check each result's Err. When ctx ends, no results are
// returned. Folkeregisteret offers bulk lookups to some rights packages only.
func (c *Client) BulkPersons(ctx context.Context, ids []string, parts ...Part) ([]BulkResult, error) {
	q, err := partQuery(parts)
	if err != nil {
		return nil, err
	}
	results := make([]BulkResult, len(ids))
	var distinct []personid.Number
	seen := make(map[personid.Number]bool)
	for i, s := range ids {
		n, err := parseID(i, s)
		if err != nil {
			results[i].Err = err
			continue
		}
		results[i].ID = n
		if !seen[n] {
			seen[n] = true
			distinct = append(distinct, n)
		}
	}
	found := make(map[personid.Number]*Person, len(distinct))
	failed := make(map[personid.Number]error)
	var errs []error
	for start := 0; start < len(distinct); start += MaxBulk {
		batch := distinct[start:min(start+MaxBulk, len(distinct))]
		if err := c.bulk(ctx, batch, q, found); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			errs = append(errs, err)
			for _, n := range batch {
				failed[n] = err
			}
		}
	}
	for i := range results {
		r := &results[i]
		if r.Err != nil {
			continue
		}
		switch p, ferr := found[r.ID], failed[r.ID]; {
		case p != nil:
			r.Person = p
		case ferr != nil:
			r.Err = ferr
		default:
			r.Err = &NotFoundError{ID: r.ID}
		}
	}
	return results, errors.Join(errs...)
}

type bulkRequest struct {
	IDs []string `json:"foedselsEllerDNummer"`
}

type bulkResponse struct {
	Oppslag []struct {
		ID     string          `json:"foedselsEllerDNummer"`
		Person json.RawMessage `json:"folkeregisterperson"`
	} `json:"oppslag"`
}

// bulk looks batch up and records the persons found in found.
func (c *Client) bulk(ctx context.Context, batch []personid.Number, q url.Values, found map[personid.Number]*Person) error {
	req := bulkRequest{IDs: make([]string, len(batch))}
	for i, n := range batch {
		req.IDs[i] = n.Digits()
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, request{method: http.MethodPost, resource: "personer/bulkoppslag", query: q, body: body, limit: maxBulkBody})
	if err != nil {
		return err
	}
	var br bulkResponse
	if err := decodeBody(resp.body, &br); err != nil {
		return err
	}
	for _, o := range br.Oppslag {
		raw := bytes.TrimSpace(o.Person)
		if len(raw) == 0 || isNull(raw) {
			continue
		}
		n, err := personid.Parse(strings.TrimSpace(o.ID))
		if err != nil {
			continue // not one we asked for
		}
		var p Person
		if err := p.UnmarshalJSON(raw); err != nil {
			return &DecodeError{Err: err}
		}
		found[n] = &p
	}
	return nil
}

// SearchQuery is a list search (personer/soek). Set at least one
// criterion; Folkeregisteret decides which combinations it accepts and
// answers with an error for more than 10 000 hits. The field names are the
// query parameters'.
type SearchQuery struct {
	Navn          string
	Kjoenn        Kjoenntype
	Adressenavn   string
	Husnummer     string
	Postnummer    string
	Kommunenummer string
	// FoedselsaarFraOgMed and FoedselsaarTilOgMed bound the year of birth;
	// 0 leaves a bound out.
	FoedselsaarFraOgMed, FoedselsaarTilOgMed int
	// SoekFonetisk asks for a phonetic name search.
	SoekFonetisk bool
	// InkluderDoede includes dead persons.
	InkluderDoede bool
	// InkluderOppholdsadresse searches the addresses persons stay at too.
	InkluderOppholdsadresse bool
	// Params holds further query parameters, sent as they are.
	Params url.Values
}

func (s SearchQuery) values() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			q.Set(k, v)
		}
	}
	set("navn", s.Navn)
	set("kjoenn", string(s.Kjoenn))
	set("adressenavn", s.Adressenavn)
	set("husnummer", s.Husnummer)
	set("postnummer", s.Postnummer)
	set("kommunenummer", s.Kommunenummer)
	if s.FoedselsaarFraOgMed != 0 {
		q.Set("foedselsaarFraOgMed", strconv.Itoa(s.FoedselsaarFraOgMed))
	}
	if s.FoedselsaarTilOgMed != 0 {
		q.Set("foedselsaarTilOgMed", strconv.Itoa(s.FoedselsaarTilOgMed))
	}
	if s.SoekFonetisk {
		q.Set("soekFonetisk", "true")
	}
	if s.InkluderDoede {
		q.Set("inkluderDoede", "true")
	}
	if s.InkluderOppholdsadresse {
		q.Set("inkluderOppholdsadresse", "true")
	}
	for k, vs := range s.Params {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	return q
}

// Search returns the identity numbers of the persons matching q. Look the
// persons up with [Client.BulkPersons]. An identifier in the answer that is
// not a valid number is left out, and Search then returns the others
// together with an *[InvalidIDError] for the first one left out.
func (c *Client) Search(ctx context.Context, q SearchQuery) ([]personid.Number, error) {
	v := q.values()
	if len(v) == 0 {
		return nil, errors.New("folkeregister: Search: the query has no criteria")
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, resource: "personer/soek", query: v, limit: maxDocument})
	if err != nil {
		return nil, err
	}
	// The documented shape is {"foedselsEllerDNummer": [...]}; a bare
	// array is accepted too.
	var raw []string
	body := bytes.TrimSpace(resp.body)
	if len(body) > 0 && body[0] == '[' {
		err = decodeBody(body, &raw)
	} else {
		var w struct {
			IDs []string `json:"foedselsEllerDNummer"`
		}
		err = decodeBody(body, &w)
		raw = w.IDs
	}
	if err != nil {
		return nil, err
	}
	out := make([]personid.Number, 0, len(raw))
	var first error
	for i, s := range raw {
		n, err := parseID(i, s)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		out = append(out, n)
	}
	return out, first
}

// UniqueQuery is a unique search (personer/entydigsoek): at least one
// identifying criterion (Identifikasjonsnummer,
// UtenlandskPersonidentifikasjon, Legitimasjonsdokument or
// UtlendingsmyndighetenesIdentifikasjonsnummer) and, except with
// Identifikasjonsnummer, one more (Foedselsdato, Navn, Adressenavn or
// Husnummer). The field names are the query parameters'.
type UniqueQuery struct {
	Identifikasjonsnummer string
	// UtenlandskPersonidentifikasjon is a foreign identity number with its
	// country, such as "ARG-12345".
	UtenlandskPersonidentifikasjon string
	// Legitimasjonsdokument is an identity document number with its
	// country, such as "DNK-12345".
	Legitimasjonsdokument                        string
	UtlendingsmyndighetenesIdentifikasjonsnummer string
	// Foedselsdato is the date of birth; zero leaves it out.
	Foedselsdato time.Time
	Navn         string
	Adressenavn  string
	Husnummer    string
	Postnummer   string
	SoekFonetisk bool
	// Params holds further query parameters, sent as they are.
	Params url.Values
}

func (u UniqueQuery) values() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			q.Set(k, v)
		}
	}
	set("identifikasjonsnummer", u.Identifikasjonsnummer)
	set("utenlandskpersonidentifikasjon", u.UtenlandskPersonidentifikasjon)
	set("legitimasjonsdokument", u.Legitimasjonsdokument)
	set("utlendingsmyndighetenesIdentifikasjonsnummer", u.UtlendingsmyndighetenesIdentifikasjonsnummer)
	if !u.Foedselsdato.IsZero() {
		q.Set("foedselsdato", u.Foedselsdato.Format("20060102"))
	}
	set("navn", u.Navn)
	set("adressenavn", u.Adressenavn)
	set("husnummer", u.Husnummer)
	set("postnummer", u.Postnummer)
	if u.SoekFonetisk {
		q.Set("soekFonetisk", "true")
	}
	for k, vs := range u.Params {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	return q
}

// UniqueSearch returns the latest person document of the one person
// matching q, restricted to parts. It returns an error matching
// [ErrNotFound] if no person matches; more than one match is an
// *[APIError] from Folkeregisteret.
func (c *Client) UniqueSearch(ctx context.Context, q UniqueQuery, parts ...Part) (*Person, error) {
	v := q.values()
	if len(v) == 0 {
		return nil, errors.New("folkeregister: UniqueSearch: the query has no criteria")
	}
	pq, err := partQuery(parts)
	if err != nil {
		return nil, err
	}
	for _, p := range pq["part"] {
		v.Add("part", p)
	}
	var p Person
	if err := c.getJSON(ctx, "personer/entydigsoek", v, maxDocument, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// LatestSequence returns the sequence number of the newest event in the
// feed (hendelser/siste/sekvensnummer). A new consumer that has loaded the
// register by other means starts following the feed after it.
func (c *Client) LatestSequence(ctx context.Context) (int64, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, resource: "hendelser/siste/sekvensnummer", limit: 1 << 10})
	if err != nil {
		return 0, err
	}
	return parseSequence(resp.body)
}

// parseSequence reads a bare JSON number, also quoted or as
// {"sekvensnummer": N}.
func parseSequence(data []byte) (int64, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var w struct {
			Seq json.RawMessage `json:"sekvensnummer"`
		}
		if err := json.Unmarshal(data, &w); err != nil {
			return 0, &DecodeError{Err: err}
		}
		data = bytes.TrimSpace(w.Seq)
	}
	s := strings.Trim(string(data), `"`)
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, &DecodeError{Err: errors.New("the latest sequence number is not a non-negative integer")}
	}
	return n, nil
}
