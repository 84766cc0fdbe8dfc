package folkeregister

import (
	"strconv"
	"time"

	"github.com/fellesgo/felles/registry/personid"
	"github.com/fellesgo/felles/sandbox/population"
)

// The person document (PersondokumentMedHistorikk): every property is an
// array of elements, each carrying the register metadata flattened into it.

// meta is the flattened Registermetadata of an element.
type meta struct {
	Ajourholdstidspunkt string `json:"ajourholdstidspunkt,omitempty"`
	ErGjeldende         bool   `json:"erGjeldende"`
	Kilde               string `json:"kilde,omitempty"`
	Aarsak              string `json:"aarsak,omitempty"`
	Gyldighetstidspunkt string `json:"gyldighetstidspunkt,omitempty"`
	Opphoerstidspunkt   string `json:"opphoerstidspunkt,omitempty"`
}

type identifikasjonsnummer struct {
	meta
	Status               string `json:"status"`
	FoedselsEllerDNummer string `json:"foedselsEllerDNummer"`
	Identifikatortype    string `json:"identifikatortype"`
}

type status struct {
	meta
	Status string `json:"status"`
}

type kjoenn struct {
	meta
	Kjoenn string `json:"kjoenn"`
}

type foedsel struct {
	meta
	Foedselsdato       string `json:"foedselsdato"`
	Foedselsaar        string `json:"foedselsaar"`
	FoedekommuneINorge string `json:"foedekommuneINorge,omitempty"`
	Foedeland          string `json:"foedeland"`
}

type navn struct {
	meta
	Fornavn    string `json:"fornavn"`
	Mellomnavn string `json:"mellomnavn,omitempty"`
	Etternavn  string `json:"etternavn"`
}

type sivilstand struct {
	meta
	Sivilstand            string `json:"sivilstand"`
	Sivilstandsdato       string `json:"sivilstandsdato,omitempty"`
	RelatertVedSivilstand string `json:"relatertVedSivilstand,omitempty"`
}

type doedsfall struct {
	meta
	Doedsdato string `json:"doedsdato"`
}

type familierelasjon struct {
	meta
	RelatertPerson       string `json:"relatertPerson"`
	RelatertPersonsRolle string `json:"relatertPersonsRolle"`
	MinRolleForPerson    string `json:"minRolleForPerson"`
}

type poststed struct {
	Poststedsnavn string `json:"poststedsnavn"`
	Postnummer    string `json:"postnummer"`
}

type adressenummer struct {
	Husnummer  string `json:"husnummer"`
	Husbokstav string `json:"husbokstav,omitempty"`
}

type vegadresse struct {
	Kommunenummer     string        `json:"kommunenummer"`
	Bruksenhetsnummer string        `json:"bruksenhetsnummer,omitempty"`
	Bruksenhetstype   string        `json:"bruksenhetstype,omitempty"`
	Adressenavn       string        `json:"adressenavn"`
	Adressenummer     adressenummer `json:"adressenummer"`
	Adressekode       string        `json:"adressekode"`
	Poststed          poststed      `json:"poststed"`
}

type adresse struct {
	meta
	Vegadresse                         vegadresse `json:"vegadresse"`
	AdresseIdentifikatorFraMatrikkelen string     `json:"adresseIdentifikatorFraMatrikkelen"`
	Adressegradering                   string     `json:"adressegradering"`
	Flyttedato                         string     `json:"flyttedato,omitempty"`
}

type statsborgerskap struct {
	meta
	Statsborgerskap string `json:"statsborgerskap"`
}

type identitetsgrunnlag struct {
	meta
	Identitetsgrunnlagstatus string `json:"identitetsgrunnlagstatus"`
}

// document is a person document; fields in the order of the XSD.
type document struct {
	Identifikasjonsnummer []identifikasjonsnummer `json:"identifikasjonsnummer,omitempty"`
	Status                []status                `json:"status,omitempty"`
	Kjoenn                []kjoenn                `json:"kjoenn,omitempty"`
	Foedsel               []foedsel               `json:"foedsel,omitempty"`
	Navn                  []navn                  `json:"navn,omitempty"`
	Sivilstand            []sivilstand            `json:"sivilstand,omitempty"`
	Doedsfall             []doedsfall             `json:"doedsfall,omitempty"`
	Familierelasjon       []familierelasjon       `json:"familierelasjon,omitempty"`
	Bostedsadresse        []adresse               `json:"bostedsadresse,omitempty"`
	Oppholdsadresse       []adresse               `json:"oppholdsadresse,omitempty"`
	Statsborgerskap       []statsborgerskap       `json:"statsborgerskap,omitempty"`
	Identitetsgrunnlag    []identitetsgrunnlag    `json:"identitetsgrunnlag,omitempty"`
}

// Sources (kilde) of the elements: data registered before the event
// window is marked as taken over from the old register (DSF).
const (
	sourceOld = "KILDE_DSF"
	sourceNew = "Folkeregisteret"
)

// timestamp formats an instant as Folkeregisteret does: local time with
// offset and, when not whole seconds, the fraction.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return population.Oslo(t).Format(time.RFC3339Nano)
}

// midnight formats a day (midnight UTC) as local midnight of that day.
func midnight(day time.Time) string {
	y, m, d := day.Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	// Local midnight is 22:00 or 23:00 UTC the day before.
	for _, off := range []time.Duration{2 * time.Hour, time.Hour} {
		u := t.Add(-off)
		if _, o := population.Oslo(u).Zone(); time.Duration(o)*time.Second == off {
			return population.Oslo(u).Format(time.RFC3339)
		}
	}
	return t.Format(time.RFC3339)
}

func date(day time.Time) string {
	if day.IsZero() {
		return ""
	}
	return day.Format(time.DateOnly)
}

func metaOf[T any](c population.Change[T]) meta {
	src := sourceNew
	if c.Seq == 0 {
		src = sourceOld
	}
	return meta{
		Ajourholdstidspunkt: timestamp(c.Registered), ErGjeldende: c.Current(), Kilde: src,
		Aarsak: c.Cause, Gyldighetstidspunkt: midnight(c.ValidFrom), Opphoerstidspunkt: timestamp(c.Until),
	}
}

// keep filters changes: all of them with history, else the current one.
func keep[T any](cs []population.Change[T], history bool) []population.Change[T] {
	if history {
		return cs
	}
	var out []population.Change[T]
	for _, c := range cs {
		if c.Current() {
			out = append(out, c)
		}
	}
	return out
}

// docView is what a request may see of a document.
type docView struct {
	props   map[string]bool // the properties to include
	history bool            // include non-current elements
}

// build makes person h's document; digits maps a person index to its
// identity number.
func build(h population.History, v docView, digits func(int) string) *document {
	per := h.Person
	d := &document{}
	first := population.Change[string]{Registered: h.Registered, ValidFrom: h.Registered}
	if len(h.Statuses) > 0 {
		first.Seq = h.Statuses[0].Seq
	}
	base := metaOf(first)
	base.Gyldighetstidspunkt = midnight(per.BirthDate)
	if v.props["identifikasjonsnummer"] {
		typ := "foedselsnummer"
		if per.DNumber {
			typ = "dNummer"
		}
		d.Identifikasjonsnummer = []identifikasjonsnummer{{meta: base, Status: "iBruk", FoedselsEllerDNummer: per.ID.Digits(), Identifikatortype: typ}}
	}
	if v.props["status"] {
		for _, c := range keep(h.Statuses, v.history) {
			d.Status = append(d.Status, status{meta: metaOf(c), Status: c.Value})
		}
	}
	if v.props["kjoenn"] {
		k := "kvinne"
		if per.Sex == personid.Male {
			k = "mann"
		}
		d.Kjoenn = []kjoenn{{meta: base, Kjoenn: k}}
	}
	if v.props["foedsel"] {
		f := foedsel{meta: base, Foedselsdato: date(per.BirthDate), Foedselsaar: strconv.Itoa(per.BirthDate.Year()), Foedeland: "NOR"}
		if per.DNumber {
			f.Foedeland = per.Citizenship
		} else if len(h.Addresses) > 0 {
			f.FoedekommuneINorge = h.Addresses[0].Value.Municipality
		}
		d.Foedsel = []foedsel{f}
	}
	if v.props["navn"] {
		for _, c := range keep(h.Names, v.history) {
			d.Navn = append(d.Navn, navn{meta: metaOf(c), Fornavn: c.Value.Given, Mellomnavn: c.Value.Middle, Etternavn: c.Value.Family})
		}
	}
	if v.props["sivilstand"] {
		for _, c := range keep(h.MaritalStatuses, v.history) {
			s := sivilstand{meta: metaOf(c), Sivilstand: c.Value.Status, Sivilstandsdato: date(c.Value.Date)}
			if c.Value.Spouse >= 0 {
				s.RelatertVedSivilstand = digits(c.Value.Spouse)
			}
			d.Sivilstand = append(d.Sivilstand, s)
		}
	}
	if v.props["doedsfall"] && per.Dead {
		for _, c := range h.Statuses {
			if c.Value == "doed" {
				d.Doedsfall = []doedsfall{{meta: metaOf(c), Doedsdato: date(per.DeathDate)}}
			}
		}
	}
	if v.props["familierelasjon"] {
		for _, c := range h.Relations {
			d.Familierelasjon = append(d.Familierelasjon, familierelasjon{
				meta: metaOf(c), RelatertPerson: digits(c.Value.Person),
				RelatertPersonsRolle: c.Value.Role, MinRolleForPerson: c.Value.MyRole,
			})
		}
	}
	addrProp := "bostedsadresse"
	if per.DNumber {
		addrProp = "oppholdsadresse"
	}
	if v.props[addrProp] {
		var list []adresse
		for _, c := range keep(h.Addresses, v.history) {
			a := c.Value
			e := adresse{
				meta: metaOf(c),
				Vegadresse: vegadresse{
					Kommunenummer: a.Municipality, Bruksenhetsnummer: a.Unit, Bruksenhetstype: "bolig",
					Adressenavn: a.Street, Adressenummer: adressenummer{Husnummer: strconv.Itoa(a.HouseNumber), Husbokstav: a.HouseLetter},
					Adressekode: a.StreetCode, Poststed: poststed{Poststedsnavn: a.PostalPlace, Postnummer: a.PostalCode},
				},
				AdresseIdentifikatorFraMatrikkelen: strconv.FormatInt(a.MatrikkelID, 10),
				Adressegradering:                   "ugradert",
			}
			if !per.DNumber {
				e.Flyttedato = date(c.ValidFrom)
			}
			list = append(list, e)
		}
		if per.DNumber {
			d.Oppholdsadresse = list
		} else {
			d.Bostedsadresse = list
		}
	}
	if v.props["statsborgerskap"] {
		d.Statsborgerskap = []statsborgerskap{{meta: base, Statsborgerskap: per.Citizenship}}
	}
	if v.props["identitetsgrunnlag"] {
		s := "kontrollert"
		if per.DNumber {
			s = "ikkeKontrollert"
		}
		d.Identitetsgrunnlag = []identitetsgrunnlag{{meta: base, Identitetsgrunnlagstatus: s}}
	}
	return d
}
