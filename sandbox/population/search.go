package population

import (
	"strings"
	"time"

	"github.com/fellesgo/felles/registry/personid"
)

// Query selects persons for [Population.Search]. Zero fields match
// everyone; strings compare case-insensitively.
type Query struct {
	// Name: every word must be one of the person's current names.
	Name string
	// BirthDate matches the birth day.
	BirthDate time.Time
	// BornFrom and BornTo bound the birth year (inclusive); 0 is open.
	BornFrom, BornTo int
	Sex              personid.Sex
	// Municipality, Street, HouseNumber and PostalCode match the current
	// bostedsadresse; with IncludeTemporary also a D-number holder's
	// oppholdsadresse.
	Municipality     string
	Street           string
	HouseNumber      int
	PostalCode       string
	IncludeTemporary bool
	// IncludeDead includes the dead.
	IncludeDead bool
}

// Search returns the indices of the persons matching q, in index order, at
// most limit of them; more reports whether there were more.
func (p *Population) Search(q Query, limit int) (hits []int, more bool) {
	words := strings.Fields(strings.ToUpper(q.Name))
	var bday int32
	if !q.BirthDate.IsZero() {
		bday = dayOf(q.BirthDate)
	}
	wantAddr := q.Municipality != "" || q.Street != "" || q.HouseNumber != 0 || q.PostalCode != ""
	p.mu.RLock()
	defer p.mu.RUnlock()
	seq := len(p.events)
	for i := range p.birth {
		fl := p.flags[i]
		if fl&fDead != 0 && !q.IncludeDead {
			continue
		}
		if bday != 0 && p.birth[i] != bday {
			continue
		}
		if q.BornFrom != 0 || q.BornTo != 0 {
			y := dateOf(p.birth[i]).Year()
			if (q.BornFrom != 0 && y < q.BornFrom) || (q.BornTo != 0 && y > q.BornTo) {
				continue
			}
		}
		if q.Sex != 0 && (fl&fMale != 0) != (q.Sex == personid.Male) {
			continue
		}
		if wantAddr {
			if fl&fDNumber != 0 && !q.IncludeTemporary {
				continue
			}
			a := p.address(p.curAddr[i])
			if (q.Municipality != "" && a.Municipality != q.Municipality) ||
				(q.Street != "" && !strings.EqualFold(a.Street, q.Street)) ||
				(q.HouseNumber != 0 && a.HouseNumber != q.HouseNumber) ||
				(q.PostalCode != "" && a.PostalCode != q.PostalCode) {
				continue
			}
		}
		if len(words) > 0 {
			st := p.fold(i, seq, nil)
			names := [3]string{adjectives[st.given], nouns[st.family], ""}
			if st.middle > 0 {
				names[2] = nouns[st.middle-1]
			}
			ok := true
			for _, w := range words {
				if w != names[0] && w != names[1] && w != names[2] {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
		}
		if len(hits) == limit {
			return hits, true
		}
		hits = append(hits, i)
	}
	return hits, false
}
