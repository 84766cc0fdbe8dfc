// JSON methods of the element types in person.go, all alike; keep the list in step.

package folkeregister

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Identifikasjonsnummer) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Identifikasjonsnummer) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Status) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Status) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Kjoenn) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Kjoenn) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Foedsel) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Foedsel) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *FoedselINorge) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e FoedselINorge) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (n *Navn) UnmarshalJSON(data []byte) error { return unmarshalObject(data, n) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (n Navn) MarshalJSON() ([]byte, error) { return marshalObject(n) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (n *Personnavn) UnmarshalJSON(data []byte) error { return unmarshalObject(data, n) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (n Personnavn) MarshalJSON() ([]byte, error) { return marshalObject(n) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Sivilstand) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Sivilstand) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Doedsfall) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Doedsfall) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Familierelasjon) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Familierelasjon) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *RelatertBiPerson) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e RelatertBiPerson) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Foreldreansvar) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Foreldreansvar) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (a *Bostedsadresse) UnmarshalJSON(data []byte) error { return unmarshalObject(data, a) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (a Bostedsadresse) MarshalJSON() ([]byte, error) { return marshalObject(a) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *DeltBosted) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e DeltBosted) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Oppholdsadresse) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Oppholdsadresse) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Postadresse) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Postadresse) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *PostadresseIUtlandet) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e PostadresseIUtlandet) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Adressebeskyttelse) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Adressebeskyttelse) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *PreferertKontaktadresse) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e PreferertKontaktadresse) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Statsborgerskap) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Statsborgerskap) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Innflytting) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Innflytting) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Utflytting) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Utflytting) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Opphold) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Opphold) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Identitetsgrunnlag) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Identitetsgrunnlag) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *FalskIdentitet) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e FalskIdentitet) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *IdentifiserendeInformasjon) UnmarshalJSON(data []byte) error {
	return unmarshalObject(data, e)
}

// MarshalJSON writes the element back, with the members kept in Extra.
func (e IdentifiserendeInformasjon) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Legitimasjonsdokument) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Legitimasjonsdokument) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Dokumentkontroll) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Dokumentkontroll) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Personidentifikasjon) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Personidentifikasjon) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *KontaktinformasjonForDoedsbo) UnmarshalJSON(data []byte) error {
	return unmarshalObject(data, e)
}

// MarshalJSON writes the element back, with the members kept in Extra.
func (e KontaktinformasjonForDoedsbo) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *PersonSomKontakt) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e PersonSomKontakt) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *AdvokatSomKontakt) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e AdvokatSomKontakt) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *OrganisasjonSomKontakt) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e OrganisasjonSomKontakt) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *KontaktadresseForDoedsbo) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e KontaktadresseForDoedsbo) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *VergemaalEllerFremtidsfullmakt) UnmarshalJSON(data []byte) error {
	return unmarshalObject(data, e)
}

// MarshalJSON writes the element back, with the members kept in Extra.
func (e VergemaalEllerFremtidsfullmakt) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Verge) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Verge) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *ForholdTilSametingetsValgmanntall) UnmarshalJSON(data []byte) error {
	return unmarshalObject(data, e)
}

// MarshalJSON writes the element back, with the members kept in Extra.
func (e ForholdTilSametingetsValgmanntall) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Bibehold) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Bibehold) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *BrukAvSamiskSpraak) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e BrukAvSamiskSpraak) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (a *Vegadresse) UnmarshalJSON(data []byte) error { return unmarshalObject(data, a) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (a Vegadresse) MarshalJSON() ([]byte, error) { return marshalObject(a) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Adressenummer) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Adressenummer) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (a *Matrikkeladresse) UnmarshalJSON(data []byte) error { return unmarshalObject(data, a) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (a Matrikkeladresse) MarshalJSON() ([]byte, error) { return marshalObject(a) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Matrikkelnummer) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Matrikkelnummer) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *UkjentBosted) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e UkjentBosted) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *UtenlandskAdresse) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e UtenlandskAdresse) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *UtenlandskAdresseIFrittFormat) UnmarshalJSON(data []byte) error {
	return unmarshalObject(data, e)
}

// MarshalJSON writes the element back, with the members kept in Extra.
func (e UtenlandskAdresseIFrittFormat) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *Postboksadresse) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e Postboksadresse) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *PostadresseIFrittFormat) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e PostadresseIFrittFormat) MarshalJSON() ([]byte, error) { return marshalObject(e) }

// UnmarshalJSON reads the element leniently; see the package documentation.
func (e *AdresseIFrittFormat) UnmarshalJSON(data []byte) error { return unmarshalObject(data, e) }

// MarshalJSON writes the element back, with the members kept in Extra.
func (e AdresseIFrittFormat) MarshalJSON() ([]byte, error) { return marshalObject(e) }
