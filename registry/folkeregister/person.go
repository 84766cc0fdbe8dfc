package folkeregister

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/fellesgo/felles/registry/personid"
)

// Person is a person document (Folkeregisterperson): what
// Folkeregisteret holds on one person, as [Client.Person] and the other
// lookups return it.
//
// Every property is a slice, because Folkeregisteret sends each as an array
// of elements: the current value, marked ErGjeldende, and, when asked for
// with [PartHistorikk], earlier ones. Use [Current] and [History] on any of
// them, or the convenience methods such as [Person.CurrentName]. Which
// properties are present depends on the rights package and on the parts
// asked for (data minimisation); without parts Folkeregisteret sends
// "person-basis".
//
// Properties this package does not know are kept in Extra, verbatim, and
// are written back by [Person.MarshalJSON]; see the package documentation
// for how the document is read.
type Person struct {
	Identifikasjonsnummer                        []Identifikasjonsnummer             `json:"identifikasjonsnummer"`
	Status                                       []Status                            `json:"status"`
	Kjoenn                                       []Kjoenn                            `json:"kjoenn"`
	Foedsel                                      []Foedsel                           `json:"foedsel"`
	FoedselINorge                                []FoedselINorge                     `json:"foedselINorge"`
	Navn                                         []Navn                              `json:"navn"`
	Sivilstand                                   []Sivilstand                        `json:"sivilstand"`
	Doedsfall                                    []Doedsfall                         `json:"doedsfall"`
	Familierelasjon                              []Familierelasjon                   `json:"familierelasjon"`
	Foreldreansvar                               []Foreldreansvar                    `json:"foreldreansvar"`
	Bostedsadresse                               []Bostedsadresse                    `json:"bostedsadresse"`
	DeltBosted                                   []DeltBosted                        `json:"deltBosted"`
	Oppholdsadresse                              []Oppholdsadresse                   `json:"oppholdsadresse"`
	Postadresse                                  []Postadresse                       `json:"postadresse"`
	PostadresseIUtlandet                         []PostadresseIUtlandet              `json:"postadresseIUtlandet"`
	Adressebeskyttelse                           []Adressebeskyttelse                `json:"adressebeskyttelse"`
	Statsborgerskap                              []Statsborgerskap                   `json:"statsborgerskap"`
	Innflytting                                  []Innflytting                       `json:"innflytting"`
	Utflytting                                   []Utflytting                        `json:"utflytting"`
	Opphold                                      []Opphold                           `json:"opphold"`
	Identitetsgrunnlag                           []Identitetsgrunnlag                `json:"identitetsgrunnlag"`
	FalskIdentitet                               []FalskIdentitet                    `json:"falskIdentitet"`
	Legitimasjonsdokument                        []Legitimasjonsdokument             `json:"legitimasjonsdokument"`
	UtenlandskPersonidentifikasjon               []Personidentifikasjon              `json:"utenlandskPersonidentifikasjon"`
	UtlendingsmyndighetenesIdentifikasjonsnummer []Personidentifikasjon              `json:"utlendingsmyndighetenesIdentifikasjonsnummer"`
	KontaktinformasjonForDoedsbo                 []KontaktinformasjonForDoedsbo      `json:"kontaktinformasjonForDoedsbo"`
	VergemaalEllerFremtidsfullmakt               []VergemaalEllerFremtidsfullmakt    `json:"vergemaalEllerFremtidsfullmakt"`
	ForholdTilSametingetsValgmanntall            []ForholdTilSametingetsValgmanntall `json:"forholdTilSametingetsValgmanntall"`
	Bibehold                                     []Bibehold                          `json:"bibehold"`
	BrukAvSamiskSpraak                           []BrukAvSamiskSpraak                `json:"brukAvSamiskSpraak"`
	// PreferertKontaktadresse was phased out in 2021; old archived
	// documents may still carry it.
	PreferertKontaktadresse []PreferertKontaktadresse `json:"preferertKontaktadresse"`

	// Extra holds the properties this package does not know, and known
	// ones whose value it could not read, verbatim by name.
	Extra map[string]json.RawMessage `json:"-"`
}

// UnmarshalJSON reads a person document leniently; see the package
// documentation.
func (p *Person) UnmarshalJSON(data []byte) error { return unmarshalObject(data, p) }

// MarshalJSON writes the document back: the properties read, with
// timestamps in RFC 3339, and the members kept in Extra.
func (p Person) MarshalJSON() ([]byte, error) { return marshalObject(p) }

// LogValue makes log/slog print the person masked: only the current
// identity number, as "DDMMYY*****".
// Without it a JSON handler would log the whole document through
// [Person.MarshalJSON], identity numbers in full.
func (p Person) LogValue() slog.Value {
	var id IDNumber
	if e, ok := Current(p.Identifikasjonsnummer); ok {
		id = e.FoedselsEllerDNummer
	}
	return slog.GroupValue(slog.String("id", id.String()))
}

// IDNumber is an identity number in a person document: a fødselsnummer or
// d-nummer (foedselsEllerDNummer, relatertPerson, relatertVedSivilstand,
// ...) or another person identifier, kept as Folkeregisteret sent it.
//
// A whole IDNumber never prints: fmt (every verb), String and log/slog
// show only its first six characters ("DDMMYY*****"). JSON keeps the full
// value, since that is the wire format and what a caller stores; Digits
// returns it in full, and [IDNumber.Number] parses it.
type IDNumber string

// Digits returns the identity number in full.
func (n IDNumber) Digits() string { return string(n) }

// Number parses the identity number as a fødselsnummer or d-nummer.
func (n IDNumber) Number() (personid.Number, error) { return personid.Parse(string(n)) }

// String returns the identity number masked: "DDMMYY*****".
func (n IDNumber) String() string { return maskID(string(n)) }

// GoString returns the masked identity number, quoted.
func (n IDNumber) GoString() string { return strconv.Quote(n.String()) }

// Format prints the masked identity number for every verb; %q quotes it.
func (n IDNumber) Format(f fmt.State, verb rune) {
	if verb == 'q' || (verb == 'v' && f.Flag('#')) {
		io.WriteString(f, strconv.Quote(n.String()))
		return
	}
	io.WriteString(f, n.String())
}

// LogValue returns the masked identity number.
func (n IDNumber) LogValue() slog.Value { return slog.StringValue(n.String()) }

// MarshalJSON writes the identity number in full, as a JSON string.
func (n IDNumber) MarshalJSON() ([]byte, error) { return json.Marshal(string(n)) }

// UnmarshalJSON reads a JSON string (or null, as empty).
func (n *IDNumber) UnmarshalJSON(data []byte) error {
	var s *string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*n = ""
	if s != nil {
		*n = IDNumber(*s)
	}
	return nil
}

// Metadata is the register metadata (Registermetadata) every element
// carries, flattened into the element's JSON object.
type Metadata struct {
	// Ajourholdstidspunkt is when Folkeregisteret recorded the value.
	Ajourholdstidspunkt time.Time `json:"ajourholdstidspunkt"`
	// ErGjeldende marks the current value of a property.
	ErGjeldende bool `json:"erGjeldende"`
	// Kilde is the source of the value (e.g. "KILDE_DSF").
	Kilde string `json:"kilde"`
	// Aarsak is the reason for the value (e.g. "Innvandring").
	Aarsak string `json:"aarsak"`
	// Gyldighetstidspunkt is when the value took effect.
	Gyldighetstidspunkt time.Time `json:"gyldighetstidspunkt"`
	// Opphoerstidspunkt is when the value ceased to apply, if it has.
	Opphoerstidspunkt time.Time `json:"opphoerstidspunkt"`
	// HendelsedataID and Saksreferanse appear on some elements.
	HendelsedataID string `json:"hendelsedataId"`
	Saksreferanse  string `json:"saksreferanse"`
}

// IsCurrent reports whether the element is the current value
// (erGjeldende).
func (m Metadata) IsCurrent() bool { return m.ErGjeldende }

// Meta returns the metadata itself; through embedding it makes every
// element type an [Element].
func (m Metadata) Meta() Metadata { return m }

// Identifikasjonsnummer is a national identity number the person has or
// had (Folkeregisteridentifikator).
type Identifikasjonsnummer struct {
	Metadata
	FoedselsEllerDNummer IDNumber                   `json:"foedselsEllerDNummer"`
	Identifikatortype    Identifikatortype          `json:"identifikatortype"`
	Status               Identifikatorstatus        `json:"status"`
	Extra                map[string]json.RawMessage `json:"-"`
}

// Status is the person's status in the register (Folkeregisterpersonstatus).
type Status struct {
	Metadata
	Status Personstatus               `json:"status"`
	Extra  map[string]json.RawMessage `json:"-"`
}

// Kjoenn is the person's legal sex.
type Kjoenn struct {
	Metadata
	Kjoenn Kjoenntype                 `json:"kjoenn"`
	Extra  map[string]json.RawMessage `json:"-"`
}

// Foedsel is the person's birth.
type Foedsel struct {
	Metadata
	// Foedselsdato is the date of birth, "YYYY-MM-DD"; see [ParseDate].
	Foedselsdato string `json:"foedselsdato"`
	// Foedselsaar is the year of birth, a string ("1924") as in the API.
	Foedselsaar string `json:"foedselsaar"`
	Foedested   string `json:"foedested"`
	// FoedekommuneINorge is a municipality number, four digits.
	FoedekommuneINorge string `json:"foedekommuneINorge"`
	// Foedeland is an ISO 3166 alpha-3 country code.
	Foedeland string                     `json:"foedeland"`
	Extra     map[string]json.RawMessage `json:"-"`
}

// FoedselINorge is a birth in Norway.
type FoedselINorge struct {
	Metadata
	Foedselsinstitusjonsnavn string                     `json:"foedselsinstitusjonsnavn"`
	Rekkefoelgenummer        int64                      `json:"rekkefoelgenummer"`
	Extra                    map[string]json.RawMessage `json:"-"`
}

// Navn is the person's name.
type Navn struct {
	Metadata
	Fornavn       string                     `json:"fornavn"`
	Mellomnavn    string                     `json:"mellomnavn"`
	Etternavn     string                     `json:"etternavn"`
	ForkortetNavn string                     `json:"forkortetNavn"`
	OriginaltNavn *Personnavn                `json:"originaltNavn"`
	Extra         map[string]json.RawMessage `json:"-"`
}

// FullName returns "Fornavn Mellomnavn Etternavn", leaving out empty parts.
func (n Navn) FullName() string { return joinNonEmpty(" ", n.Fornavn, n.Mellomnavn, n.Etternavn) }

// Personnavn is a name without register metadata.
type Personnavn struct {
	Fornavn    string                     `json:"fornavn"`
	Mellomnavn string                     `json:"mellomnavn"`
	Etternavn  string                     `json:"etternavn"`
	Extra      map[string]json.RawMessage `json:"-"`
}

// FullName returns "Fornavn Mellomnavn Etternavn", leaving out empty parts.
func (n Personnavn) FullName() string {
	return joinNonEmpty(" ", n.Fornavn, n.Mellomnavn, n.Etternavn)
}

// Sivilstand is the person's marital status.
type Sivilstand struct {
	Metadata
	Sivilstand      Sivilstandstype `json:"sivilstand"`
	Sivilstandsdato string          `json:"sivilstandsdato"`
	// RelatertVedSivilstand is the spouse's or partner's identity number.
	RelatertVedSivilstand IDNumber                   `json:"relatertVedSivilstand"`
	Myndighet             string                     `json:"myndighet"`
	Kommune               string                     `json:"kommune"`
	Sted                  string                     `json:"sted"`
	Utland                string                     `json:"utland"`
	Extra                 map[string]json.RawMessage `json:"-"`
}

// Doedsfall is the person's death.
type Doedsfall struct {
	Metadata
	// Doedsdato is the date of death, "YYYY-MM-DD"; see [ParseDate].
	Doedsdato string                     `json:"doedsdato"`
	Extra     map[string]json.RawMessage `json:"-"`
}

// Familierelasjon is a relation to a parent, child, spouse or sibling.
type Familierelasjon struct {
	Metadata
	// RelatertPerson is the related person's identity number; a person
	// without one is described in
	// RelatertPersonUtenFolkeregisteridentifikator instead.
	RelatertPerson                               IDNumber                   `json:"relatertPerson"`
	RelatertPersonUtenFolkeregisteridentifikator *RelatertBiPerson          `json:"relatertPersonUtenFolkeregisteridentifikator"`
	RelatertPersonsRolle                         Familierelasjonstype       `json:"relatertPersonsRolle"`
	MinRolleForPerson                            Familierelasjonstype       `json:"minRolleForPerson"`
	Extra                                        map[string]json.RawMessage `json:"-"`
}

// RelatertBiPerson describes a related person who has no identity number.
type RelatertBiPerson struct {
	Navn            *Personnavn                `json:"navn"`
	Foedselsdato    string                     `json:"foedselsdato"`
	Statsborgerskap string                     `json:"statsborgerskap"`
	Kjoenn          Kjoenntype                 `json:"kjoenn"`
	Extra           map[string]json.RawMessage `json:"-"`
}

// Foreldreansvar is parental responsibility, for or by the person.
type Foreldreansvar struct {
	Metadata
	// Ansvar is one of felles, mor, far, medmor, andre, ukjent.
	Ansvar                          string                     `json:"ansvar"`
	Ansvarssubjekt                  IDNumber                   `json:"ansvarssubjekt"`
	Ansvarlig                       IDNumber                   `json:"ansvarlig"`
	AnsvarligOrganisasjon           string                     `json:"ansvarligOrganisasjon"`
	AnsvarligUtenIdentifikator      *RelatertBiPerson          `json:"ansvarligUtenIdentifikator"`
	AnsvarssubjektUtenIdentifikator *RelatertBiPerson          `json:"ansvarssubjektUtenIdentifikator"`
	Extra                           map[string]json.RawMessage `json:"-"`
}

// Bostedsadresse is the person's registered residential address. Exactly
// one of Vegadresse, Matrikkeladresse and UkjentBosted is set.
type Bostedsadresse struct {
	Metadata
	Vegadresse                             *Vegadresse                `json:"vegadresse"`
	Matrikkeladresse                       *Matrikkeladresse          `json:"matrikkeladresse"`
	UkjentBosted                           *UkjentBosted              `json:"ukjentBosted"`
	AdresseIdentifikatorFraMatrikkelen     string                     `json:"adresseIdentifikatorFraMatrikkelen"`
	NaerAdresseIdentifikatorFraMatrikkelen string                     `json:"naerAdresseIdentifikatorFraMatrikkelen"`
	Adressegradering                       Adressegradering           `json:"adressegradering"`
	Flyttedato                             string                     `json:"flyttedato"`
	AngittFlyttedato                       string                     `json:"angittFlyttedato"`
	Grunnkrets                             int64                      `json:"grunnkrets"`
	Stemmekrets                            int64                      `json:"stemmekrets"`
	Skolekrets                             int64                      `json:"skolekrets"`
	Kirkekrets                             int64                      `json:"kirkekrets"`
	Extra                                  map[string]json.RawMessage `json:"-"`
}

// Lines returns the address as lines for an envelope: see
// [Vegadresse.Lines] and [Matrikkeladresse.Lines]. An unknown residence
// gives no lines.
func (a Bostedsadresse) Lines() []string {
	switch {
	case a.Vegadresse != nil:
		return a.Vegadresse.Lines()
	case a.Matrikkeladresse != nil:
		return a.Matrikkeladresse.Lines()
	}
	return nil
}

// DeltBosted is a child's second residence under a shared-residence
// agreement.
type DeltBosted struct {
	Metadata
	Vegadresse                             *Vegadresse                `json:"vegadresse"`
	Matrikkeladresse                       *Matrikkeladresse          `json:"matrikkeladresse"`
	UkjentBosted                           *UkjentBosted              `json:"ukjentBosted"`
	StartdatoForKontrakt                   string                     `json:"startdatoForKontrakt"`
	SluttdatoForKontrakt                   string                     `json:"sluttdatoForKontrakt"`
	AdresseIdentifikatorFraMatrikkelen     string                     `json:"adresseIdentifikatorFraMatrikkelen"`
	NaerAdresseIdentifikatorFraMatrikkelen string                     `json:"naerAdresseIdentifikatorFraMatrikkelen"`
	Adressegradering                       Adressegradering           `json:"adressegradering"`
	Extra                                  map[string]json.RawMessage `json:"-"`
}

// Oppholdsadresse is where the person stays, when that differs from the
// residential address.
type Oppholdsadresse struct {
	Metadata
	Vegadresse                         *Vegadresse        `json:"vegadresse"`
	Matrikkeladresse                   *Matrikkeladresse  `json:"matrikkeladresse"`
	UtenlandskAdresse                  *UtenlandskAdresse `json:"utenlandskAdresse"`
	AdressenErUkjent                   bool               `json:"adressenErUkjent"`
	AdresseIdentifikatorFraMatrikkelen string             `json:"adresseIdentifikatorFraMatrikkelen"`
	Adressegradering                   Adressegradering   `json:"adressegradering"`
	Oppholdsadressedato                string             `json:"oppholdsadressedato"`
	// OppholdAnnetSted is one of militaer, utenriks, paaSvalbard, pendler.
	OppholdAnnetSted string                     `json:"oppholdAnnetSted"`
	Extra            map[string]json.RawMessage `json:"-"`
}

// Postadresse is the person's postal address in Norway.
type Postadresse struct {
	Metadata
	Adressegradering        Adressegradering           `json:"adressegradering"`
	Postboksadresse         *Postboksadresse           `json:"postboksadresse"`
	Vegadresse              *Vegadresse                `json:"vegadresse"`
	PostadresseIFrittFormat *PostadresseIFrittFormat   `json:"postadresseIFrittFormat"`
	Extra                   map[string]json.RawMessage `json:"-"`
}

// PostadresseIUtlandet is the person's postal address abroad.
type PostadresseIUtlandet struct {
	Metadata
	Adressegradering              Adressegradering               `json:"adressegradering"`
	UtenlandskAdresse             *UtenlandskAdresse             `json:"utenlandskAdresse"`
	UtenlandskAdresseIFrittFormat *UtenlandskAdresseIFrittFormat `json:"utenlandskAdresseIFrittFormat"`
	Extra                         map[string]json.RawMessage     `json:"-"`
}

// Adressebeskyttelse is the person's address protection (GraderingAvAdresse).
type Adressebeskyttelse struct {
	Metadata
	Graderingsnivaa Adressegradering           `json:"graderingsnivaa"`
	Extra           map[string]json.RawMessage `json:"-"`
}

// PreferertKontaktadresse is the person's preferred contact address,
// phased out in 2021.
type PreferertKontaktadresse struct {
	Metadata
	Valg                       string                     `json:"valg"`
	Adressegradering           Adressegradering           `json:"adressegradering"`
	KontaktadresseIFrittFormat *AdresseIFrittFormat       `json:"kontaktadresseIFrittFormat"`
	Extra                      map[string]json.RawMessage `json:"-"`
}

// Statsborgerskap is a citizenship.
type Statsborgerskap struct {
	Metadata
	// Statsborgerskap is an ISO 3166 alpha-3 country code.
	Statsborgerskap string                     `json:"statsborgerskap"`
	Ervervsdato     string                     `json:"ervervsdato"`
	Extra           map[string]json.RawMessage `json:"-"`
}

// Innflytting is a move to Norway.
type Innflytting struct {
	Metadata
	Fraflyttingsland          string                     `json:"fraflyttingsland"`
	FraflyttingsstedIUtlandet string                     `json:"fraflyttingsstedIUtlandet"`
	Extra                     map[string]json.RawMessage `json:"-"`
}

// Utflytting is a move from Norway.
type Utflytting struct {
	Metadata
	Tilflyttingsland          string                     `json:"tilflyttingsland"`
	TilflyttingsstedIUtlandet string                     `json:"tilflyttingsstedIUtlandet"`
	Extra                     map[string]json.RawMessage `json:"-"`
}

// Opphold is a residence permit.
type Opphold struct {
	Metadata
	// Oppholdstillatelse is one of midlertidig, permanent, opplysningMangler.
	Oppholdstillatelse string                     `json:"oppholdstillatelse"`
	OppholdFra         string                     `json:"oppholdFra"`
	OppholdTil         string                     `json:"oppholdTil"`
	Extra              map[string]json.RawMessage `json:"-"`
}

// Identitetsgrunnlag is how well the person's identity has been established.
type Identitetsgrunnlag struct {
	Metadata
	Identitetsgrunnlagstatus Identitetsgrunnlagstatus   `json:"identitetsgrunnlagstatus"`
	Extra                    map[string]json.RawMessage `json:"-"`
}

// FalskIdentitet records that the identity is false, and what is known of
// the right one.
type FalskIdentitet struct {
	Metadata
	ErFalsk                               bool                        `json:"erFalsk"`
	RettIdentitetVedOpplysninger          *IdentifiserendeInformasjon `json:"rettIdentitetVedOpplysninger"`
	RettIdentitetErUkjent                 bool                        `json:"rettIdentitetErUkjent"`
	RettIdentitetVedIdentifikasjonsnummer IDNumber                    `json:"rettIdentitetVedIdentifikasjonsnummer"`
	Extra                                 map[string]json.RawMessage  `json:"-"`
}

// IdentifiserendeInformasjon describes a person by name, birth and
// citizenship.
type IdentifiserendeInformasjon struct {
	Personnavn      *Personnavn                `json:"personnavn"`
	Foedselsdato    string                     `json:"foedselsdato"`
	Statsborgerskap []string                   `json:"statsborgerskap"`
	Kjoenn          Kjoenntype                 `json:"kjoenn"`
	Extra           map[string]json.RawMessage `json:"-"`
}

// Legitimasjonsdokument is an identity document (Identifikasjonsdokument).
type Legitimasjonsdokument struct {
	Metadata
	Identifikasjonsdokumentnummer string                     `json:"identifikasjonsdokumentnummer"`
	Identifikasjonsdokumenttype   string                     `json:"identifikasjonsdokumenttype"`
	Utstederland                  string                     `json:"utstederland"`
	Utstedernavn                  string                     `json:"utstedernavn"`
	GyldigFra                     string                     `json:"gyldigFra"`
	GyldigTil                     string                     `json:"gyldigTil"`
	Dokumentkontroll              *Dokumentkontroll          `json:"dokumentkontroll"`
	Extra                         map[string]json.RawMessage `json:"-"`
}

// Dokumentkontroll is a technical check of an identity document.
type Dokumentkontroll struct {
	Dokumentkontrollstatus    string                     `json:"dokumentkontrollstatus"`
	Dokumentkontrolltidspunkt time.Time                  `json:"dokumentkontrolltidspunkt"`
	Extra                     map[string]json.RawMessage `json:"-"`
}

// Personidentifikasjon is a foreign identity number, or one given by the
// immigration authorities (the properties utenlandskPersonidentifikasjon
// and utlendingsmyndighetenesIdentifikasjonsnummer).
type Personidentifikasjon struct {
	Metadata
	Identifikasjonsnummer     IDNumber                   `json:"identifikasjonsnummer"`
	Identifikasjonsnummertype string                     `json:"identifikasjonsnummertype"`
	Utstederland              string                     `json:"utstederland"`
	Extra                     map[string]json.RawMessage `json:"-"`
}

// KontaktinformasjonForDoedsbo is the contact for a deceased person's
// estate: one of Person, Advokat and Organisasjon.
type KontaktinformasjonForDoedsbo struct {
	Metadata
	Person                *PersonSomKontakt          `json:"person"`
	Advokat               *AdvokatSomKontakt         `json:"advokat"`
	Organisasjon          *OrganisasjonSomKontakt    `json:"organisasjon"`
	Skifteform            string                     `json:"skifteform"`
	Attestutstedelsesdato string                     `json:"attestutstedelsesdato"`
	Adresse               *KontaktadresseForDoedsbo  `json:"adresse"`
	Extra                 map[string]json.RawMessage `json:"-"`
}

// PersonSomKontakt is a person as the contact for an estate.
type PersonSomKontakt struct {
	FoedselsEllerDNummer IDNumber                   `json:"foedselsEllerDNummer"`
	Foedselsdato         string                     `json:"foedselsdato"`
	Personnavn           *Personnavn                `json:"personnavn"`
	Extra                map[string]json.RawMessage `json:"-"`
}

// Format prints the contact with its identity number masked, also under
// verbs that make fmt skip the methods of nested values (%s on a pointer).
func (c PersonSomKontakt) Format(f fmt.State, verb rune) {
	type plain PersonSomKontakt // without the Format method
	fmt.Fprintf(f, fmt.FormatString(f, verb), plain(c))
}

// AdvokatSomKontakt is a lawyer as the contact for an estate.
type AdvokatSomKontakt struct {
	Personnavn          *Personnavn                `json:"personnavn"`
	Organisasjonsnavn   string                     `json:"organisasjonsnavn"`
	Organisasjonsnummer string                     `json:"organisasjonsnummer"`
	Extra               map[string]json.RawMessage `json:"-"`
}

// OrganisasjonSomKontakt is an organisation as the contact for an estate.
type OrganisasjonSomKontakt struct {
	Organisasjonsnavn   string                     `json:"organisasjonsnavn"`
	Organisasjonsnummer string                     `json:"organisasjonsnummer"`
	Kontaktpersonnavn   *Personnavn                `json:"kontaktpersonnavn"`
	Extra               map[string]json.RawMessage `json:"-"`
}

// KontaktadresseForDoedsbo is the address of an estate's contact.
type KontaktadresseForDoedsbo struct {
	Adresselinje  []string                   `json:"adresselinje"`
	Postnummer    string                     `json:"postnummer"`
	Poststedsnavn string                     `json:"poststedsnavn"`
	Landkode      string                     `json:"landkode"`
	Extra         map[string]json.RawMessage `json:"-"`
}

// VergemaalEllerFremtidsfullmakt is a guardianship or a lasting power of
// attorney.
type VergemaalEllerFremtidsfullmakt struct {
	Metadata
	Vergemaaltype string                     `json:"vergemaaltype"`
	Embete        string                     `json:"embete"`
	Verge         *Verge                     `json:"verge"`
	Extra         map[string]json.RawMessage `json:"-"`
}

// Verge is a guardian, representative or attorney.
type Verge struct {
	Navn                            *Personnavn                `json:"navn"`
	FoedselsEllerDNummer            IDNumber                   `json:"foedselsEllerDNummer"`
	Omfang                          string                     `json:"omfang"`
	OmfangetErInnenPersonligOmraade bool                       `json:"omfangetErInnenPersonligOmraade"`
	Extra                           map[string]json.RawMessage `json:"-"`
}

// Format prints the guardian with the identity number masked, also under
// verbs that make fmt skip the methods of nested values (%s on a pointer).
func (v Verge) Format(f fmt.State, verb rune) {
	type plain Verge // without the Format method
	fmt.Fprintf(f, fmt.FormatString(f, verb), plain(v))
}

// ForholdTilSametingetsValgmanntall is the person's relation to the Sami
// parliament's electoral roll.
type ForholdTilSametingetsValgmanntall struct {
	Metadata
	// Forhold is one of innmeldt, utmeldt, aldriInnmeldt.
	Forhold string                     `json:"forhold"`
	Extra   map[string]json.RawMessage `json:"-"`
}

// Bibehold is the retention of Norwegian citizenship.
type Bibehold struct {
	Metadata
	// Bibeholdstatus is harBibehold or harIkkeLengerBibehold.
	Bibeholdstatus  string                     `json:"bibeholdstatus"`
	DatoForBibehold string                     `json:"datoForBibehold"`
	Extra           map[string]json.RawMessage `json:"-"`
}

// BrukAvSamiskSpraak is the Sami languages the person uses with public
// bodies.
type BrukAvSamiskSpraak struct {
	Metadata
	// Spraak holds nordsamisk, lulesamisk, soersamisk.
	Spraak []string                   `json:"spraak"`
	Extra  map[string]json.RawMessage `json:"-"`
}

// Vegadresse is a street address.
type Vegadresse struct {
	// Kommunenummer is the municipality number, four digits.
	Kommunenummer string `json:"kommunenummer"`
	// Bruksenhetsnummer identifies a dwelling in the building, e.g. "H0101".
	Bruksenhetsnummer   string                     `json:"bruksenhetsnummer"`
	Bruksenhetstype     string                     `json:"bruksenhetstype"`
	Adressenavn         string                     `json:"adressenavn"`
	Adressenummer       *Adressenummer             `json:"adressenummer"`
	Adressekode         string                     `json:"adressekode"`
	Adressetilleggsnavn string                     `json:"adressetilleggsnavn"`
	Poststed            *Poststed                  `json:"poststed"`
	CoAdressenavn       string                     `json:"coAdressenavn"`
	Extra               map[string]json.RawMessage `json:"-"`
}

// Lines returns the address for an envelope: the c/o name, the street
// with number, letter and dwelling number, and the post code and place;
// empty lines are left out.
func (a Vegadresse) Lines() []string {
	street := a.Adressenavn
	if a.Adressenummer != nil {
		street = joinNonEmpty(" ", street, a.Adressenummer.Husnummer+a.Adressenummer.Husbokstav)
	}
	street = joinNonEmpty(" ", street, a.Bruksenhetsnummer)
	return nonEmpty(a.CoAdressenavn, a.Adressetilleggsnavn, street, a.Poststed.line())
}

// Adressenummer is a house number with an optional letter.
type Adressenummer struct {
	Husnummer  string                     `json:"husnummer"`
	Husbokstav string                     `json:"husbokstav"`
	Extra      map[string]json.RawMessage `json:"-"`
}

// Matrikkeladresse is an address given by cadastral number, for property
// without a street address.
type Matrikkeladresse struct {
	Bruksenhetsnummer   string                     `json:"bruksenhetsnummer"`
	Bruksenhetstype     string                     `json:"bruksenhetstype"`
	Matrikkelnummer     *Matrikkelnummer           `json:"matrikkelnummer"`
	Undernummer         int64                      `json:"undernummer"`
	Adressetilleggsnavn string                     `json:"adressetilleggsnavn"`
	Poststed            *Poststed                  `json:"poststed"`
	CoAdressenavn       string                     `json:"coAdressenavn"`
	Extra               map[string]json.RawMessage `json:"-"`
}

// Lines returns the address for an envelope: the c/o name, the
// additional name, and the post code and place.
func (a Matrikkeladresse) Lines() []string {
	return nonEmpty(a.CoAdressenavn, a.Adressetilleggsnavn, a.Poststed.line())
}

// Matrikkelnummer is a cadastral number.
type Matrikkelnummer struct {
	Kommunenummer string                     `json:"kommunenummer"`
	Gaardsnummer  int64                      `json:"gaardsnummer"`
	Bruksnummer   int64                      `json:"bruksnummer"`
	Festenummer   int64                      `json:"festenummer"`
	Extra         map[string]json.RawMessage `json:"-"`
}

// UkjentBosted is an unknown residence, possibly in a known municipality.
type UkjentBosted struct {
	Bostedskommune string                     `json:"bostedskommune"`
	Extra          map[string]json.RawMessage `json:"-"`
}

// Poststed is a post code and place. Where Folkeregisteret sends the place
// as a bare string, as it does in postadresseIFrittFormat, it is read into
// Poststedsnavn and written back as a string.
type Poststed struct {
	Poststedsnavn string                     `json:"poststedsnavn"`
	Postnummer    string                     `json:"postnummer"`
	Extra         map[string]json.RawMessage `json:"-"`

	bare bool // read from a JSON string
}

func (p *Poststed) decodeJSON(data []byte) error {
	*p = Poststed{}
	if data[0] == '{' {
		return decodeStruct(data, reflectValue(p))
	}
	s, ok := scalarText(data)
	if !ok {
		return errMismatch
	}
	p.Poststedsnavn, p.bare = s, true
	return nil
}

func (p Poststed) encodeJSON(b *bytes.Buffer) bool {
	if !p.bare || p.Postnummer != "" || p.Extra != nil {
		return false
	}
	encodeString(b, p.Poststedsnavn)
	return true
}

// line returns "postnummer poststedsnavn".
func (p *Poststed) line() string {
	if p == nil {
		return ""
	}
	return joinNonEmpty(" ", p.Postnummer, p.Poststedsnavn)
}

// UtenlandskAdresse is an address abroad.
type UtenlandskAdresse struct {
	CoAdressenavn    string `json:"coAdressenavn"`
	Adressenavn      string `json:"adressenavn"`
	Bygning          string `json:"bygning"`
	Etasjenummer     string `json:"etasjenummer"`
	Boenhet          string `json:"boenhet"`
	Postboks         string `json:"postboks"`
	Postkode         string `json:"postkode"`
	ByEllerStedsnavn string `json:"byEllerStedsnavn"`
	Distriktsnavn    string `json:"distriktsnavn"`
	Region           string `json:"region"`
	// Landkode is an ISO 3166 alpha-2 country code.
	Landkode string                     `json:"landkode"`
	Extra    map[string]json.RawMessage `json:"-"`
}

// UtenlandskAdresseIFrittFormat is an address abroad in free form.
type UtenlandskAdresseIFrittFormat struct {
	Adresselinje     []string                   `json:"adresselinje"`
	Postkode         string                     `json:"postkode"`
	ByEllerStedsnavn string                     `json:"byEllerStedsnavn"`
	Landkode         string                     `json:"landkode"`
	Extra            map[string]json.RawMessage `json:"-"`
}

// Postboksadresse is a post office box.
type Postboksadresse struct {
	Postbokseier string                     `json:"postbokseier"`
	Postboks     string                     `json:"postboks"`
	Poststed     *Poststed                  `json:"poststed"`
	Extra        map[string]json.RawMessage `json:"-"`
}

// PostadresseIFrittFormat is a postal address in free form.
type PostadresseIFrittFormat struct {
	Adresselinje []string `json:"adresselinje"`
	Postnummer   string   `json:"postnummer"`
	// Poststed is the place; Folkeregisteret has sent it both as a string
	// and as an object with postnummer and poststedsnavn.
	Poststed *Poststed                  `json:"poststed"`
	Extra    map[string]json.RawMessage `json:"-"`
}

// AdresseIFrittFormat is a free-form address.
type AdresseIFrittFormat struct {
	Adresselinje []string                   `json:"adresselinje"`
	Landkode     string                     `json:"landkode"`
	Extra        map[string]json.RawMessage `json:"-"`
}

// Enumerations. Each is a string type: a value this package does not list
// (a new one from Folkeregisteret, such as identitetsgrunnlagstatus "unik"
// from 2027) is kept as it is.

// Personstatus is a person's status in the register.
type Personstatus string

// The person statuses.
const (
	PersonstatusBosatt             Personstatus = "bosatt"
	PersonstatusUtflyttet          Personstatus = "utflyttet"
	PersonstatusForsvunnet         Personstatus = "forsvunnet"
	PersonstatusDoed               Personstatus = "doed"
	PersonstatusOpphoert           Personstatus = "opphoert"
	PersonstatusFoedselsregistrert Personstatus = "foedselsregistrert"
	PersonstatusMidlertidig        Personstatus = "midlertidig"
	PersonstatusInaktiv            Personstatus = "inaktiv"
	PersonstatusIkkeBosatt         Personstatus = "ikkeBosatt"
	PersonstatusAktiv              Personstatus = "aktiv"
)

// Kjoenntype is a legal sex.
type Kjoenntype string

// The sexes.
const (
	KjoennKvinne Kjoenntype = "kvinne"
	KjoennMann   Kjoenntype = "mann"
)

// Sivilstandstype is a marital status.
type Sivilstandstype string

// The marital statuses.
const (
	SivilstandUoppgitt           Sivilstandstype = "uoppgitt"
	SivilstandUgift              Sivilstandstype = "ugift"
	SivilstandGift               Sivilstandstype = "gift"
	SivilstandEnkeEllerEnkemann  Sivilstandstype = "enkeEllerEnkemann"
	SivilstandSkilt              Sivilstandstype = "skilt"
	SivilstandSeparert           Sivilstandstype = "separert"
	SivilstandRegistrertPartner  Sivilstandstype = "registrertPartner"
	SivilstandSeparertPartner    Sivilstandstype = "separertPartner"
	SivilstandSkiltPartner       Sivilstandstype = "skiltPartner"
	SivilstandGjenlevendePartner Sivilstandstype = "gjenlevendePartner"
)

// Familierelasjonstype is a role in a family relation.
type Familierelasjonstype string

// The family roles.
const (
	RolleMor                   Familierelasjonstype = "mor"
	RolleFar                   Familierelasjonstype = "far"
	RolleMedmor                Familierelasjonstype = "medmor"
	RolleBarn                  Familierelasjonstype = "barn"
	RolleSoesken               Familierelasjonstype = "soesken"
	RolleEktefelleEllerPartner Familierelasjonstype = "ektefelleEllerPartner"
	RolleDoedfoedtBarn         Familierelasjonstype = "doedfoedtBarn"
)

// Adressegradering is an address protection level. Folkeregisteret has
// written it in upper case too ("UGRADERT"); compare with
// [Adressegradering.Is].
type Adressegradering string

// The protection levels.
const (
	GraderingUgradert         Adressegradering = "ugradert"
	GraderingKlientadresse    Adressegradering = "klientadresse"
	GraderingFortrolig        Adressegradering = "fortrolig"
	GraderingStrengtFortrolig Adressegradering = "strengtFortrolig"
)

// Is reports whether g and other are the same level, ignoring case.
func (g Adressegradering) Is(other Adressegradering) bool {
	return strings.EqualFold(string(g), string(other))
}

// Protected reports whether g is a level other than ugradert: the address
// must not be disclosed. An empty g is not protected.
func (g Adressegradering) Protected() bool {
	return g != "" && !g.Is(GraderingUgradert)
}

// Identitetsgrunnlagstatus is how well an identity has been established.
type Identitetsgrunnlagstatus string

// The identity statuses.
const (
	IdentitetsgrunnlagIngenStatus     Identitetsgrunnlagstatus = "ingenStatus"
	IdentitetsgrunnlagIkkeKontrollert Identitetsgrunnlagstatus = "ikkeKontrollert"
	IdentitetsgrunnlagKontrollert     Identitetsgrunnlagstatus = "kontrollert"
	// IdentitetsgrunnlagUnik is new from 1 February 2027.
	IdentitetsgrunnlagUnik Identitetsgrunnlagstatus = "unik"
)

// Identifikatortype is the kind of an identity number.
type Identifikatortype string

// The kinds of identity number.
const (
	IdentifikatortypeFoedselsnummer Identifikatortype = "foedselsnummer"
	IdentifikatortypeDNummer        Identifikatortype = "dNummer"
)

// Identifikatorstatus tells whether an identity number is in use.
type Identifikatorstatus string

// The identity number statuses.
const (
	IdentifikatorIBruk    Identifikatorstatus = "iBruk"
	IdentifikatorOpphoert Identifikatorstatus = "opphoert"
)

// Convenience methods. Each looks at the current element ([Current]) of a
// property.

// ID returns the person's current identity number: the current
// identifikasjonsnummer element (one in use, if several are marked
// current). It returns false if there is none or it is not a valid number.
func (p *Person) ID() (personid.Number, bool) {
	var inUse []Identifikasjonsnummer
	for _, e := range p.Identifikasjonsnummer {
		if e.Status == "" || e.Status == IdentifikatorIBruk {
			inUse = append(inUse, e)
		}
	}
	e, ok := Current(inUse)
	if !ok {
		if e, ok = Current(p.Identifikasjonsnummer); !ok {
			return personid.Number{}, false
		}
	}
	n, err := e.FoedselsEllerDNummer.Number()
	return n, err == nil
}

// CurrentName returns the current name as "Fornavn Mellomnavn Etternavn",
// or "" if the document has no current name.
func (p *Person) CurrentName() string {
	n, _ := Current(p.Navn)
	return n.FullName()
}

// CurrentStatus returns the current person status, or "".
func (p *Person) CurrentStatus() Personstatus {
	s, _ := Current(p.Status)
	return s.Status
}

// IsDead reports whether the person is dead: the current status is doed,
// or the current doedsfall element has a date of death.
func (p *Person) IsDead() bool {
	if p.CurrentStatus() == PersonstatusDoed {
		return true
	}
	d, ok := Current(p.Doedsfall)
	return ok && d.Doedsdato != ""
}

// BirthDate returns the date of birth, from the current foedsel element.
func (p *Person) BirthDate() (time.Time, bool) {
	f, ok := Current(p.Foedsel)
	if !ok {
		return time.Time{}, false
	}
	t, err := ParseDate(f.Foedselsdato)
	return t, err == nil
}

// CurrentAddress returns the current residential address.
func (p *Person) CurrentAddress() (Bostedsadresse, bool) { return Current(p.Bostedsadresse) }

// AddressProtection returns the current address protection level, "" if
// the document has none (which, unless adressebeskyttelse was left out by
// data minimisation, means ugradert).
func (p *Person) AddressProtection() Adressegradering {
	a, _ := Current(p.Adressebeskyttelse)
	return a.Graderingsnivaa
}

// ParseDate parses a Folkeregisteret date, "YYYY-MM-DD", as midnight UTC.
func ParseDate(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }

func joinNonEmpty(sep string, parts ...string) string {
	return strings.Join(nonEmpty(parts...), sep)
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// UnmarshalJSON reads an object or a bare string (the place name).
func (p *Poststed) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if !json.Valid(data) {
		return &json.SyntaxError{}
	}
	if isNull(data) {
		*p = Poststed{}
		return nil
	}
	if err := p.decodeJSON(data); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(data), Type: reflectValue(p).Type()}
	}
	return nil
}

// MarshalJSON writes the object, or the bare string it was read from.
func (p Poststed) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	encodeValue(&b, reflectValue(&p))
	return b.Bytes(), nil
}
