package population

import (
	"time"
)

// Change is one value of a register property with its register metadata,
// as Folkeregisteret keeps it: the current value has a zero Until; earlier
// ones record when they were replaced.
type Change[T any] struct {
	Value T
	// Seq is the event that registered the value, or 0 for a value
	// registered before the feed window.
	Seq int
	// Registered is when the register recorded it (ajourholdstidspunkt).
	Registered time.Time
	// ValidFrom is when it took effect (gyldighetstidspunkt): the moving
	// day, the wedding day, the day of death.
	ValidFrom time.Time
	// Until is when it was replaced (opphoerstidspunkt); zero while
	// current.
	Until time.Time
	// Cause is the aarsak, such as "Flytting innenlands"; may be "".
	Cause string
}

// Current reports whether c is the current value (erGjeldende).
func (c Change[T]) Current() bool { return c.Until.IsZero() }

// Name is a person's name.
type Name struct{ Given, Middle, Family string }

// MaritalStatus is a sivilstand.
type MaritalStatus struct {
	Status string // "ugift", "gift", "enkeEllerEnkemann", "skilt"
	Spouse int    // the index of relatertVedSivilstand, or -1
	// Date is the sivilstandsdato, midnight UTC; zero for "ugift".
	Date time.Time
}

// Relation is a family relation (familierelasjon) to another person.
type Relation struct {
	Person int    // the related person's index
	Role   string // relatertPersonsRolle: "mor", "far", "medmor", "barn"
	MyRole string // minRolleForPerson
}

// History is a person's register record as it was after an event: every
// value with its history, oldest first, the current one last.
type History struct {
	Person Person // the values in force, with Contact as of now
	// Registered is when the identity number was registered.
	Registered      time.Time
	Names           []Change[Name]
	Addresses       []Change[Address] // bostedsadresse, or oppholdsadresse for D-number holders
	Statuses        []Change[string]  // "bosatt", "doed", "midlertidig"
	MaritalStatuses []Change[MaritalStatus]
	Relations       []Change[Relation]
}

// History returns person i's record as it was after event seq (0 ≤ seq ≤
// [Population.LastSeq]); false if there is no such person then.
func (p *Population) History(i, seq int) (History, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if i < 0 || i >= len(p.birth) || seq < 0 || seq > len(p.events) || !p.existsAt(i, seq) {
		return History{}, false
	}
	var h History
	p.fold(i, seq, &h)
	h.Person = p.person(i, seq)
	h.Registered = p.registered(i)
	// rel records a relation between parent and child from i's side: for
	// a child born in the window, the parent's side is registered by the
	// parent's endringIFamilierelasjon.
	rel := func(parent, child int, role, my string) {
		other := parent
		if other == i {
			other = child
		}
		reg, seq := p.registered(child), 0
		if child >= p.base {
			seq = int(p.bornSeq[child-p.base])
			if i == parent {
				if fs := p.familySeq(parent, child); fs > 0 {
					seq = fs
					reg = time.UnixMilli(p.events[fs-1].at)
				}
			}
		}
		h.Relations = append(h.Relations, Change[Relation]{
			Value: Relation{Person: other, Role: role, MyRole: my}, Seq: seq,
			Registered: reg, ValidFrom: dateOf(p.birth[child]),
		})
	}
	if m := int(p.mother[i]); m >= 0 {
		rel(m, i, "mor", "barn")
	}
	if f := int(p.father[i]); f >= 0 {
		rel(f, i, p.parentRole(f), "barn")
	}
	for _, c := range p.children(i) {
		if !p.existsAt(int(c), seq) || p.familySeq(i, int(c)) > seq {
			continue
		}
		my := "mor"
		if int(p.mother[c]) != i {
			my = p.parentRole(i)
		}
		rel(i, int(c), "barn", my)
	}
	return h, true
}

// familySeq returns the seq of parent's endringIFamilierelasjon for a
// child born in the window, or 0.
func (p *Population) familySeq(parent, child int) int {
	if child < p.base {
		return 0
	}
	b := int(p.bornSeq[child-p.base])
	for s := b + 1; s <= b+2 && s <= len(p.events); s++ {
		if e := p.events[s-1]; e.kind == evFamily && int(e.person) == parent && int(e.aux) == child {
			return s
		}
	}
	return 0
}

// parentRole is the role of a second parent: "far", or "medmor" for a
// woman.
func (p *Population) parentRole(i int) string {
	if p.flags[i]&fMale != 0 {
		return "far"
	}
	return "medmor"
}

// state is a person's values after some event.
type state struct {
	given, middle, family uint16
	addr                  uint32
	civ                   uint8
	spouse                int
	status                string
	dead                  bool
	deathDay              int32
}

// fold computes person i's values after event seq by applying the
// person's events to the starting values; with h it also records the
// history. The caller holds the read lock.
func (p *Population) fold(i, seq int, h *History) state {
	st := state{
		given: p.given[i], middle: p.middle[i], family: p.family[i],
		addr: p.addr[i], civ: p.civil[i], spouse: -1, status: "bosatt",
	}
	if p.flags[i]&fDNumber != 0 {
		st.status = "midlertidig"
	}
	if st.civ == civGift || st.civ == civEnke {
		st.spouse = int(p.partner[i])
	}
	reg := p.registered(i)
	born := dateOf(p.birth[i])
	startSeq := 0
	if i >= p.base {
		startSeq = int(p.bornSeq[i-p.base])
	}
	if h != nil {
		h.Names = append(h.Names, Change[Name]{Value: p.name(st), Seq: startSeq, Registered: reg, ValidFrom: born, Cause: causeFor(i >= p.base, "Fødsel")})
		moveIn := p.moveIn(i)
		h.Addresses = append(h.Addresses, Change[Address]{Value: p.address(st.addr), Seq: startSeq,
			Registered: p.addrRegistered(i, moveIn), ValidFrom: dateOf(moveIn), Cause: causeFor(i >= p.base, "Flytting innenlands")})
		cause := causeFor(i >= p.base, "Fødsel")
		if st.status == "midlertidig" {
			cause = "Innflytting"
		}
		h.Statuses = append(h.Statuses, Change[string]{Value: st.status, Seq: startSeq, Registered: reg, ValidFrom: born, Cause: cause})
		h.MaritalStatuses = append(h.MaritalStatuses, Change[MaritalStatus]{
			Value: MaritalStatus{Status: civilNames[st.civ], Spouse: st.spouse, Date: p.civilDate(i)}, Seq: startSeq,
			Registered: reg, ValidFrom: p.civilValidFrom(i),
		})
	}
	if p.flags[i]&fBaseDead != 0 {
		st.dead, st.status, st.deathDay = true, "doed", p.baseDeathDay(i)
		if h != nil {
			t := dateOf(st.deathDay)
			h.Statuses[0].Until = t
			h.Statuses = append(h.Statuses, Change[string]{Value: "doed", Registered: t.Add(30 * time.Hour), ValidFrom: t, Cause: "Dødsfall"})
		}
	}
	for _, e := range p.eventsOf(i) {
		if int(e) >= seq {
			break
		}
		ev := p.events[e]
		at := time.UnixMilli(ev.at)
		day := localDay(ev.at)
		eseq := int(e) + 1
		switch ev.kind {
		case evDeath:
			st.dead, st.status, st.deathDay = true, "doed", day
			if h != nil {
				h.Statuses[len(h.Statuses)-1].Until = at
				h.Statuses = append(h.Statuses, Change[string]{Value: "doed", Seq: eseq, Registered: at, ValidFrom: dateOf(day), Cause: "Dødsfall"})
			}
		case evCivil:
			st.civ, st.spouse = ev.sub, int(ev.aux)-1
			if h != nil {
				cause := "Inngått ekteskap"
				if ev.sub == civEnke {
					cause = "Ektefelles dødsfall"
				}
				h.MaritalStatuses[len(h.MaritalStatuses)-1].Until = at
				h.MaritalStatuses = append(h.MaritalStatuses, Change[MaritalStatus]{
					Value: MaritalStatus{Status: civilNames[st.civ], Spouse: st.spouse, Date: dateOf(day)}, Seq: eseq,
					Registered: at, ValidFrom: dateOf(day), Cause: cause,
				})
			}
		case evMove:
			st.addr = ev.aux
			if h != nil {
				h.Addresses[len(h.Addresses)-1].Until = at
				h.Addresses = append(h.Addresses, Change[Address]{Value: p.address(st.addr), Seq: eseq, Registered: at, ValidFrom: dateOf(day), Cause: "Flytting innenlands"})
			}
		case evName:
			if ev.sub == nameGiven {
				st.given = uint16(ev.aux)
			} else {
				st.family = uint16(ev.aux)
			}
			if h != nil {
				h.Names[len(h.Names)-1].Until = at
				h.Names = append(h.Names, Change[Name]{Value: p.name(st), Seq: eseq, Registered: at, ValidFrom: dateOf(day), Cause: "Navneendring"})
			}
		}
	}
	return st
}

func causeFor(born bool, cause string) string {
	if born {
		return cause
	}
	return ""
}

func (p *Population) name(st state) Name {
	n := Name{Given: adjectives[st.given], Family: nouns[st.family]}
	if st.middle > 0 {
		n.Middle = nouns[st.middle-1]
	}
	return n
}

// registered is when person i was registered: the birth event for those
// born in the feed window, else a time before the window.
func (p *Population) registered(i int) time.Time {
	if i >= p.base {
		return time.UnixMilli(p.events[p.bornSeq[i-p.base]-1].at)
	}
	lo := max(p.birth[i]+1, p.windowDay-9*365)
	hi := p.windowDay - 1
	if lo > hi {
		lo = hi
	}
	h := hash(p.seed, uint64(i), tagRegistered)
	day := lo + int32(h%uint64(hi-lo+1))
	return dateOf(day).Add(time.Duration(7*3600+(h>>32)%(10*3600)) * time.Second).Add(time.Duration((h>>20)%1000) * time.Millisecond)
}

// moveIn is the day person i moved to the starting address.
func (p *Population) moveIn(i int) int32 {
	if i >= p.base {
		return p.birth[i]
	}
	if m := p.mother[i]; m >= 0 {
		return max(p.birth[i], p.moveIn(int(m)))
	}
	if f := p.father[i]; f >= 0 {
		return max(p.birth[i], p.moveIn(int(f)))
	}
	key := i
	var lo int32
	if q := int(p.partner[i]); q >= 0 {
		key = min(i, q)
		lo = max(p.birth[i], p.birth[q]) + 18*365
	} else {
		lo = p.birth[i] + 18*365
	}
	if p.flags[i]&fDNumber != 0 {
		lo = max(lo, p.windowDay-5*365)
	}
	lo = max(lo, p.windowDay-25*365)
	hi := p.windowDay - 30
	if lo > hi {
		return max(p.birth[i], hi)
	}
	return lo + int32(hash(p.seed, uint64(key), tagMoveIn)%uint64(hi-lo+1))
}

func (p *Population) addrRegistered(i int, moveIn int32) time.Time {
	if i >= p.base {
		return p.registered(i)
	}
	h := hash(p.seed, uint64(i), tagMoveIn^0xff)
	return dateOf(moveIn).Add(time.Duration(h%(5*86400)) * time.Second)
}

// civilDate is the sivilstandsdato of person i's starting sivilstand.
func (p *Population) civilDate(i int) time.Time {
	switch p.civil[i] {
	case civGift:
		q := int(p.partner[i])
		lo := max(p.birth[i], p.birth[q]) + 20*365
		hi := p.windowDay - 30
		if p.flags[i]&fBaseDead != 0 || p.flags[q]&fBaseDead != 0 {
			hi = min(hi, p.baseDeathDay(q), p.baseDeathDay(i)) - 1
		}
		if lo > hi {
			lo = hi
		}
		return dateOf(lo + int32(hash(p.seed, uint64(min(i, q)), tagCivilDate)%uint64(hi-lo+1)))
	case civEnke:
		return dateOf(p.baseDeathDay(int(p.partner[i])))
	case civSkilt:
		lo, hi := p.birth[i]+25*365, p.windowDay-30
		if lo > hi {
			lo = hi
		}
		return dateOf(lo + int32(hash(p.seed, uint64(i), tagCivilDate)%uint64(hi-lo+1)))
	}
	return time.Time{}
}

// civilValidFrom is when the starting sivilstand took effect.
func (p *Population) civilValidFrom(i int) time.Time {
	if d := p.civilDate(i); !d.IsZero() {
		return d
	}
	return dateOf(p.birth[i])
}

// baseDeathDay is the day a person who died before the window died; for
// others it is far in the future.
func (p *Population) baseDeathDay(i int) int32 {
	if p.flags[i]&fBaseDead == 0 {
		return 1 << 30
	}
	lo, hi := max(p.birth[i]+50*365, p.windowDay-15*365), p.windowDay-2
	if q := p.partner[i]; q >= 0 {
		lo = max(lo, p.birth[q]+40*365)
	}
	if lo > hi {
		lo = hi
	}
	return lo + int32(hash(p.seed, uint64(i), tagDeathDate)%uint64(hi-lo+1))
}
