package folkeregister_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/fellesgo/felles/registry/folkeregister"
)

// elevenDigits matches a whole identity number.
var elevenDigits = regexp.MustCompile(`[0-9]{11}`)

// privacyDoc holds an identity number in every field that carries one.
const privacyDoc = `{
 "identifikasjonsnummer":[{"erGjeldende":true,"foedselsEllerDNummer":"16852749559","identifikatortype":"foedselsnummer","status":"iBruk"}],
 "sivilstand":[{"erGjeldende":true,"sivilstand":"gift","relatertVedSivilstand":"23079421937"}],
 "familierelasjon":[{"erGjeldende":true,"relatertPerson":"23079421937","relatertPersonsRolle":"mor","minRolleForPerson":"barn"}],
 "foreldreansvar":[{"erGjeldende":true,"ansvar":"mor","ansvarlig":"23079421937","ansvarssubjekt":"16852749559"}],
 "falskIdentitet":[{"erGjeldende":true,"erFalsk":true,"rettIdentitetVedIdentifikasjonsnummer":"23079421937"}],
 "utenlandskPersonidentifikasjon":[{"erGjeldende":true,"identifikasjonsnummer":"12345678901","utstederland":"SWE"}],
 "kontaktinformasjonForDoedsbo":[{"erGjeldende":true,"person":{"foedselsEllerDNummer":"23079421937"}}],
 "vergemaalEllerFremtidsfullmakt":[{"erGjeldende":true,"verge":{"foedselsEllerDNummer":"23079421937"}}]
}`

func privacyPerson(t *testing.T) folkeregister.Person {
	t.Helper()
	var p folkeregister.Person
	if err := json.Unmarshal([]byte(privacyDoc), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPersonFmtMasksIDs(t *testing.T) {
	p := privacyPerson(t)
	values := map[string]any{
		"Person":                         p,
		"*Person":                        &p,
		"Identifikasjonsnummer":          p.Identifikasjonsnummer,
		"Sivilstand":                     p.Sivilstand,
		"Familierelasjon":                p.Familierelasjon,
		"Foreldreansvar":                 p.Foreldreansvar,
		"FalskIdentitet":                 p.FalskIdentitet,
		"UtenlandskPersonidentifikasjon": p.UtenlandskPersonidentifikasjon,
		"KontaktinformasjonForDoedsbo":   p.KontaktinformasjonForDoedsbo,
		"Doedsbo.Person":                 p.KontaktinformasjonForDoedsbo[0].Person,
		"VergemaalEllerFremtidsfullmakt": p.VergemaalEllerFremtidsfullmakt,
		"Verge":                          p.VergemaalEllerFremtidsfullmakt[0].Verge,
		"IDNumber":                       p.Identifikasjonsnummer[0].FoedselsEllerDNummer,
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if got := fmt.Sprintf(verb, v); elevenDigits.MatchString(got) {
				t.Errorf("fmt %s of %s leaks an identity number: %s", verb, name, got)
			}
		}
	}
	if got := fmt.Sprint(p.Identifikasjonsnummer[0].FoedselsEllerDNummer); got != "168527*****" {
		t.Errorf("IDNumber prints %q, want 168527*****", got)
	}
}

func TestPersonSlogMasksIDs(t *testing.T) {
	p := privacyPerson(t)
	for _, h := range []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
	}{
		{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
		{"json", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
	} {
		var b bytes.Buffer
		log := slog.New(h.new(&b))
		log.Info("lookup", "person", p, "ptr", &p, "id", p.Identifikasjonsnummer[0].FoedselsEllerDNummer,
			slog.Group("g", "person", p))
		if h.name == "text" {
			// The text handler prints other values with fmt; a JSON
			// handler marshals them (in full, as the wire format).
			log.Info("elements", "familierelasjon", p.Familierelasjon, "sivilstand", p.Sivilstand,
				"verge", p.VergemaalEllerFremtidsfullmakt, "doedsbo", p.KontaktinformasjonForDoedsbo)
		}
		if got := b.String(); elevenDigits.MatchString(got) {
			t.Errorf("slog %s handler leaks an identity number: %s", h.name, got)
		}
		if !strings.Contains(b.String(), "168527*****") {
			t.Errorf("slog %s handler: masked id missing: %s", h.name, b.String())
		}
	}
}

func TestPersonJSONKeepsIDs(t *testing.T) {
	p := privacyPerson(t)
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"foedselsEllerDNummer":"16852749559"`, `"relatertVedSivilstand":"23079421937"`,
		`"relatertPerson":"23079421937"`, `"ansvarlig":"23079421937"`,
		`"rettIdentitetVedIdentifikasjonsnummer":"23079421937"`, `"identifikasjonsnummer":"12345678901"`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("json.Marshal lost %s: %s", want, out)
		}
	}
	// Elements and a lone IDNumber marshal in full too.
	out, _ = json.Marshal(p.Familierelasjon)
	if !strings.Contains(string(out), "23079421937") {
		t.Errorf("json.Marshal of []Familierelasjon: %s", out)
	}
	out, _ = json.Marshal(p.Identifikasjonsnummer[0].FoedselsEllerDNummer)
	if string(out) != `"16852749559"` {
		t.Errorf("json.Marshal of IDNumber = %s", out)
	}
	var back folkeregister.Person
	if err := json.Unmarshal(out[:0:0], &back); err == nil {
		t.Error("empty input accepted")
	}
	full, _ := json.Marshal(p)
	if err := json.Unmarshal(full, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.VergemaalEllerFremtidsfullmakt[0].Verge.FoedselsEllerDNummer.Digits(); got != "23079421937" {
		t.Errorf("round trip: verge = %q", got)
	}
	var id folkeregister.IDNumber
	if err := json.Unmarshal([]byte(`"16852749559"`), &id); err != nil || id.Digits() != "16852749559" {
		t.Errorf("IDNumber.UnmarshalJSON = %q, %v", id.Digits(), err)
	}
}
