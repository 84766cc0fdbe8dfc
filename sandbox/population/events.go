package population

import (
	"slices"
	"sort"
	"time"
)

// Event kinds.
const (
	evCreated uint8 = iota + 1 // personErOpprettet: a birth
	evFamily                   // endringIFamilierelasjon: a parent's new child (aux: the child)
	evDeath                    // personErDoed
	evCivil                    // endringISivilstand (sub: sivilstand; aux: spouse+1)
	evMove                     // endringIBostedsadresse (aux: address key)
	evName                     // endringINavn (sub: nameGiven or nameFamily; aux: word)
)

const (
	nameGiven uint8 = iota + 1
	nameFamily
)

// Event types (hendelsetype) in the feed.
const (
	TypePersonCreated      = "personErOpprettet"
	TypeFamilyRelation     = "endringIFamilierelasjon"
	TypePersonDead         = "personErDoed"
	TypeMaritalStatus      = "endringISivilstand"
	TypeResidentialAddress = "endringIBostedsadresse"
	TypeName               = "endringINavn"
)

var eventTypes = [...]string{
	evCreated: TypePersonCreated, evFamily: TypeFamilyRelation, evDeath: TypePersonDead,
	evCivil: TypeMaritalStatus, evMove: TypeResidentialAddress, evName: TypeName,
}

type event struct {
	at     int64 // Unix ms; strictly increasing with seq
	person int32
	aux    uint32
	kind   uint8
	sub    uint8
}

// Event is an entry of the event feed (hendelsesliste).
type Event struct {
	Seq    int    // sekvensnummer, from 1
	Person int    // the person's index
	Type   string // hendelsetype, such as "endringIBostedsadresse"
	Time   time.Time
	// Related is the other person an event concerns: the new child of an
	// endringIFamilierelasjon, the spouse of an endringISivilstand; -1
	// otherwise.
	Related int
}

// LastSeq returns the sequence number of the last event, 0 if none.
func (p *Population) LastSeq() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.events)
}

// Event returns the event with sequence number seq.
func (p *Population) Event(seq int) (Event, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if seq < 1 || seq > len(p.events) {
		return Event{}, false
	}
	return p.publicEvent(seq), true
}

// Events returns up to limit events from sequence number from on.
func (p *Population) Events(from, limit int) []Event {
	p.mu.RLock()
	defer p.mu.RUnlock()
	from = max(from, 1)
	var out []Event
	for seq := from; seq <= len(p.events) && len(out) < limit; seq++ {
		out = append(out, p.publicEvent(seq))
	}
	return out
}

func (p *Population) publicEvent(seq int) Event {
	e := p.events[seq-1]
	ev := Event{Seq: seq, Person: int(e.person), Type: eventTypes[e.kind], Time: Oslo(time.UnixMilli(e.at)), Related: -1}
	switch e.kind {
	case evFamily:
		ev.Related = int(e.aux)
	case evCivil:
		ev.Related = int(e.aux) - 1
	}
	return ev
}

// SeqAt returns the sequence number of the first event at or after t, or
// LastSeq()+1 when there is none.
func (p *Population) SeqAt(t time.Time) int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	ms := t.UnixMilli()
	return 1 + sort.Search(len(p.events), func(k int) bool { return p.events[k].at >= ms })
}

// Advance appends events happening at now (or just after the last event,
// if that is later): births, deaths, moves, name changes and marriages,
// each as the events it gives rise to, until at least n were added. It
// returns the new events; fewer than n only if the population is too small
// for anything to happen. The same calls on the same population add the
// same events, but for their times.
func (p *Population) Advance(n int, now time.Time) []Event {
	p.mu.Lock()
	first := len(p.events) + 1
	r := &rng{s: hash(p.seed, uint64(len(p.events)), 0xadd)}
	at := now.UnixMilli()
	for try := 0; len(p.events)-first+1 < n && try < 100*n+100; try++ {
		var kind uint8
		switch t := r.float(); {
		case t < 0.45:
			kind = evMove
		case t < 0.65:
			kind = evCreated
		case t < 0.78:
			kind = evDeath
		case t < 0.88:
			kind = evName
		default:
			kind = evCivil
		}
		p.happen(r, kind, at)
	}
	p.mu.Unlock()
	return p.Events(first, len(p.events)-first+1)
}

// simulate plays the feed window: births (exactly births of them), deaths,
// moves, name changes and marriages at random times, in time order.
func (p *Population) simulate(r *rng, births int) error {
	years := Window.Hours() / (365 * 24)
	n := float64(len(p.birth))
	couples := 0
	for i, q := range p.partner {
		if int(q) > i && p.civil[i] == civUgift && p.flags[i]&fDead == 0 {
			couples++
		}
	}
	type incident struct {
		at   int64
		kind uint8
	}
	counts := []struct {
		kind uint8
		n    int
	}{
		{evCreated, births},
		{evDeath, int(n*deathRate*years + 0.5)},
		{evMove, int(float64(p.households)*moveRate*years + 0.5)},
		{evName, int(n*nameRate*years + 0.5)},
		{evCivil, int(float64(couples)*marriageRate*years + 0.5)},
	}
	start := int64(p.windowDay) * 86_400_000
	span := int64(p.refDay)*86_400_000 - 3_600_000 - start
	var incidents []incident
	for _, c := range counts {
		for range c.n {
			incidents = append(incidents, incident{at: start + int64(r.next()%uint64(span)), kind: c.kind})
		}
	}
	slices.SortFunc(incidents, func(a, b incident) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return int(a.kind) - int(b.kind)
	})
	p.bornSeq = make([]uint32, 0, births)
	p.events = make([]event, 0, len(incidents)*2)
	for _, in := range incidents {
		if err := p.happen(r, in.kind, in.at); err != nil {
			return err
		}
	}
	return nil
}

// emit appends an event and returns its sequence number.
func (p *Population) emit(at int64, kind uint8, person int32, aux uint32, sub uint8) int {
	if k := len(p.events); k > 0 && at <= p.events[k-1].at {
		at = p.events[k-1].at + 1
	}
	p.events = append(p.events, event{at: at, person: person, aux: aux, kind: kind, sub: sub})
	seq := len(p.events)
	if p.evOff != nil {
		p.extraEv[person] = append(p.extraEv[person], uint32(seq-1))
	}
	return seq
}

func (p *Population) alive(i int) bool { return p.flags[i]&fDead == 0 }

// pick returns a random person for whom ok is true, or -1.
func (p *Population) pick(r *rng, ok func(i int) bool) int {
	for range 2000 {
		if i := r.intn(len(p.birth)); ok(i) {
			return i
		}
	}
	return -1
}

// happen makes an incident of kind happen at time at (Unix ms). Only a
// birth that cannot be placed is an error; other incidents that find no
// one are skipped.
func (p *Population) happen(r *rng, kind uint8, at int64) error {
	day := localDay(at)
	age := func(i int) int { return yearsBetween(p.birth[i], day) }
	switch kind {
	case evCreated:
		return p.bear(r, at, day)
	case evDeath:
		i := p.pick(r, func(i int) bool {
			return p.alive(i) && p.birth[i] < day-365 && r.chance(deathWeight(age(i)))
		})
		if i < 0 {
			return nil
		}
		p.flags[i] |= fDead
		p.emit(at, evDeath, int32(i), 0, 0)
		if p.curCiv[i] == civGift {
			if s := int(p.partner[i]); s >= 0 && p.alive(s) {
				p.curCiv[s] = civEnke
				p.emit(at, evCivil, int32(s), uint32(i)+1, civEnke)
			}
		}
	case evMove:
		i := p.pick(r, func(i int) bool {
			return p.alive(i) && p.flags[i]&fDNumber == 0 && age(i) >= 18
		})
		if i < 0 {
			return nil
		}
		from := p.curAddr[i]
		movers := []int{i}
		if q := int(p.partner[i]); q >= 0 && p.alive(q) && p.curAddr[q] == from {
			movers = append(movers, q)
		}
		for _, par := range slices.Clone(movers) {
			for _, c := range p.children(par) {
				if c := int(c); p.alive(c) && age(c) < 18 && p.curAddr[c] == from && !slices.Contains(movers, c) {
					movers = append(movers, c)
				}
			}
		}
		key := p.newAddress(r, int64(from))
		for _, m := range movers {
			p.curAddr[m] = key
			p.emit(at, evMove, int32(m), key, 0)
		}
	case evName:
		i := p.pick(r, func(i int) bool { return p.alive(i) && age(i) >= 18 })
		if i < 0 {
			return nil
		}
		if r.chance(0.7) {
			p.emit(at, evName, int32(i), uint32(r.intn(len(nouns))), nameFamily)
		} else {
			p.emit(at, evName, int32(i), uint32(r.intn(len(adjectives))), nameGiven)
		}
	case evCivil:
		i := p.pick(r, func(i int) bool {
			q := int(p.partner[i])
			return q >= 0 && p.alive(i) && p.alive(q) && p.curCiv[i] == civUgift && p.curCiv[q] == civUgift &&
				age(i) >= 18 && age(q) >= 18
		})
		if i < 0 {
			return nil
		}
		q := int(p.partner[i])
		p.curCiv[i], p.curCiv[q] = civGift, civGift
		p.emit(at, evCivil, int32(i), uint32(q)+1, civGift)
		p.emit(at, evCivil, int32(q), uint32(i)+1, civGift)
	}
	return nil
}

func deathWeight(age int) float64 {
	switch {
	case age < 40:
		return 0.002
	case age < 60:
		return 0.01
	case age < 70:
		return 0.04
	case age < 80:
		return 0.12
	case age < 90:
		return 0.35
	}
	return 0.8
}

// bear adds a child born at time at to a woman of the population.
func (p *Population) bear(r *rng, at int64, day int32) error {
	mother := p.pick(r, func(i int) bool {
		if p.flags[i]&(fMale|fDNumber|fDead) != 0 {
			return false
		}
		a := yearsBetween(p.birth[i], day)
		return a >= 19 && a <= 45
	})
	var father int32 = -1
	fam := uint16(r.intn(len(nouns)))
	addr := p.newAddress(r, -1)
	if mother >= 0 {
		fam, addr = p.family[mother], p.curAddr[mother]
		if q := p.partner[mother]; q >= 0 && p.alive(int(q)) {
			father = q
			if r.chance(0.4) {
				fam = p.family[q]
			}
		}
	}
	c := p.add(day, sexFlag(r), uint16(r.intn(len(adjectives))), fam, int32(mother), father, -1, addr, civUgift)
	p.curAddr = append(p.curAddr, addr)
	p.curCiv = append(p.curCiv, civUgift)
	if err := p.assignNumber(int(c)); err != nil {
		return err
	}
	p.extraID[p.digits[c]] = c
	seq := p.emit(at, evCreated, c, 0, 0)
	p.bornSeq = append(p.bornSeq, uint32(seq))
	for _, par := range [2]int32{int32(mother), father} {
		if par >= 0 {
			p.extraKids[par] = append(p.extraKids[par], c)
			p.emit(at, evFamily, par, uint32(c), 0)
		}
	}
	return nil
}
