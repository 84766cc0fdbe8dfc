package population

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/fellesgo/felles/registry/personid"
)

// Yearly rates the feed window is simulated with.
const (
	birthRate    = 0.011 // births per person
	deathRate    = 0.008 // deaths per person
	moveRate     = 0.06  // moves per household
	nameRate     = 0.003 // name changes per person
	marriageRate = 0.04  // marriages per cohabiting couple
)

// generate builds the population: households up to size minus the births
// the window will bring, then the window's events.
func (p *Population) generate(size int) error {
	years := float64(Window.Hours()) / (365 * 24)
	births := 0
	if size >= 100 {
		births = int(float64(size)*birthRate*years + 0.5)
	}
	p.base = size - births
	r := &rng{s: mix(p.seed ^ 0x9090)}
	p.households = p.makeHouseholds(r, p.base)
	p.numbers = make(map[uint32]uint16, 64<<10)
	if err := p.assignNumbers(); err != nil {
		return err
	}
	p.extraID = map[uint64]int32{}
	p.indexChildren()
	p.curAddr = slices.Clone(p.addr)
	p.curCiv = slices.Clone(p.civil)
	if err := p.simulate(r, births); err != nil {
		return err
	}
	if len(p.birth) != size {
		return fmt.Errorf("population: made %d persons, not %d", len(p.birth), size)
	}
	p.indexIDs()
	p.indexChildren()
	p.indexEvents()
	return nil
}

// add appends a person and returns its index.
func (p *Population) add(birth int32, flags uint8, given, family uint16, mother, father, partner int32, addr uint32, civ uint8) int32 {
	i := int32(len(p.birth))
	p.birth = append(p.birth, birth)
	p.flags = append(p.flags, flags)
	p.digits = append(p.digits, 0)
	p.given = append(p.given, given)
	p.middle = append(p.middle, 0)
	p.family = append(p.family, family)
	p.mother = append(p.mother, mother)
	p.father = append(p.father, father)
	p.partner = append(p.partner, partner)
	p.addr = append(p.addr, addr)
	p.civil = append(p.civil, civ)
	return i
}

// makeHouseholds adds n persons in households and returns the number of
// households.
func (p *Population) makeHouseholds(r *rng, n int) int {
	p.birth = make([]int32, 0, n)
	p.flags = make([]uint8, 0, n)
	p.digits = make([]uint64, 0, n)
	p.given = make([]uint16, 0, n)
	p.middle = make([]uint16, 0, n)
	p.family = make([]uint16, 0, n)
	p.mother = make([]int32, 0, n)
	p.father = make([]int32, 0, n)
	p.partner = make([]int32, 0, n)
	p.addr = make([]uint32, 0, n)
	p.civil = make([]uint8, 0, n)

	// ageDay returns a birth day for an age in years at the reference day.
	ageDay := func(years int) int32 { return p.refDay - int32(years*365+r.intn(365)) }
	// A child born before the window: at least 4 years and 10 days old.
	childDay := func(maxYears int) int32 {
		lo := int32(Window.Hours()/24) + 10
		hi := int32(max(maxYears, 5)*365 + 364)
		return p.refDay - (lo + int32(r.intn(int(hi-lo+1))))
	}
	adj := func() uint16 { return uint16(r.intn(len(adjectives))) }
	noun := func() uint16 { return uint16(r.intn(len(nouns))) }
	homes := 0
	for len(p.birth) < n {
		left := n - len(p.birth)
		homes++
		addr := p.newAddress(r, -1)
		t := r.float()
		switch {
		case t < 0.07: // a D-number holder, alone
			age := r.between(20, 60)
			fl := fDNumber
			if r.chance(0.6) {
				fl |= fMale
			}
			i := p.add(ageDay(age), fl, adj(), noun(), -1, -1, -1, addr, civUgift)
			if r.chance(0.1) {
				p.middle[i] = 1 + noun()
			}
		case t < 0.37 || left < 2: // one adult, perhaps with children or widowed
			age := r.between(18, 95)
			fl := uint8(0)
			if r.chance(0.48) {
				fl |= fMale
			}
			fam := noun()
			civ := civUgift
			if age > 35 && r.chance(0.3) {
				civ = civSkilt
			}
			widowed := age > 70 && left >= 2 && r.chance(0.45)
			if widowed {
				civ = civEnke
			}
			a := p.add(ageDay(age), fl, adj(), fam, -1, -1, -1, addr, civ)
			if r.chance(0.08) {
				p.middle[a] = 1 + noun()
			}
			if widowed {
				b := p.add(ageDay(age+r.between(-3, 6)), (fl^fMale)|fDead|fBaseDead, adj(), fam, -1, -1, a, addr, civGift)
				p.partner[a] = b
				continue
			}
			if age >= 25 && age <= 55 && r.chance(0.25) {
				kids := min(r.between(1, 2), n-len(p.birth))
				for range kids {
					c := p.add(childDay(min(25, age-20)), sexFlag(r), adj(), fam, -1, -1, -1, addr, civUgift)
					if fl&fMale != 0 {
						p.father[c] = a
					} else {
						p.mother[c] = a
					}
				}
			}
		default: // a couple, perhaps with children
			withKids := t >= 0.72
			lo, hi := 22, 92
			if withKids {
				lo, hi = 26, 58
			}
			age := r.between(lo, hi)
			age2 := max(18, age+r.between(-5, 5))
			fa, fb := uint8(0), fMale // woman and man
			if s := r.float(); s < 0.025 {
				fb = 0 // two women
			} else if s < 0.04 && !withKids {
				fa = fMale // two men, no children here
			}
			married := r.chance(0.35)
			if min(age, age2) > 35 {
				married = r.chance(0.7)
			}
			civ := civUgift
			if married {
				civ = civGift
			}
			famA, famB := noun(), noun()
			if married && r.chance(0.5) {
				famA = famB
			}
			a := p.add(ageDay(age), fa, adj(), famA, -1, -1, -1, addr, civ)
			b := p.add(ageDay(age2), fb, adj(), famB, -1, -1, a, addr, civ)
			p.partner[a] = b
			if !withKids {
				continue
			}
			kids := min(r.between(1, 4), n-len(p.birth))
			for range kids {
				fam := famB
				if r.chance(0.4) {
					fam = famA
				}
				p.add(childDay(min(25, min(age, age2)-20)), sexFlag(r), adj(), fam, a, b, -1, addr, civUgift)
			}
		}
	}
	return homes
}

func sexFlag(r *rng) uint8 {
	if r.chance(0.51) {
		return fMale
	}
	return 0
}

// assignNumber gives person i the next free synthetic identity number for
// its birth day, kind and sex.
func (p *Population) assignNumber(i int) error {
	kind := personid.Fodselsnummer
	if p.flags[i]&fDNumber != 0 {
		kind = personid.DNumber
	}
	male := p.flags[i]&fMale != 0
	for try := 0; try < 3; try++ {
		day := p.birth[i]
		key := uint32(day)<<2 | uint32(p.flags[i]&(fMale|fDNumber))
		for k := int(p.numbers[key]); k < 1<<16; k++ {
			n, ok := personid.ForBirthDate(dateOf(day), kind, personid.SyntheticSkatteetaten, k)
			if !ok {
				break
			}
			d := n.Digits()
			if (d[8]-'0')%2 == 1 != male {
				continue
			}
			v, _ := parseDigits(d)
			p.digits[i] = v
			p.numbers[key] = uint16(k + 1)
			return nil
		}
		// The day's numbers are used up: move the birthday back a day.
		if i >= p.base {
			break
		}
		p.birth[i]--
	}
	return fmt.Errorf("population: no identity number left for person %d born %s", i, dateOf(p.birth[i]).Format("2006-01-02"))
}

// assignNumbers gives the persons of the starting population their
// identity numbers: per birth day and kind, the day's numbers in order, to
// the day's persons in index order (a number's sex digit must match).
func (p *Population) assignNumbers() error {
	group := func(i int32) uint32 { return uint32(p.birth[i])<<1 | uint32(p.flags[i]&fDNumber)>>1 }
	keys := make([]uint64, p.base)
	for i := range keys {
		keys[i] = uint64(group(int32(i)))<<32 | uint64(i)
	}
	slices.Sort(keys)
	idx := make([]int32, p.base)
	for k, key := range keys {
		idx[k] = int32(uint32(key))
	}
	for start := 0; start < len(idx); {
		end := start + 1
		for end < len(idx) && group(idx[end]) == group(idx[start]) {
			end++
		}
		first := idx[start]
		kind := personid.Fodselsnummer
		if p.flags[first]&fDNumber != 0 {
			kind = personid.DNumber
		}
		// The next person of each sex to number.
		var queue [2][]int32
		for _, i := range idx[start:end] {
			queue[p.flags[i]&fMale] = append(queue[p.flags[i]&fMale], i)
		}
		k := 0
		for n := range personid.AllForBirthDate(dateOf(p.birth[first]), kind, personid.SyntheticSkatteetaten) {
			if len(queue[0]) == 0 && len(queue[1]) == 0 {
				break
			}
			d := n.Digits()
			sex := (d[8] - '0') % 2 // 1: male
			if q := queue[sex]; len(q) > 0 {
				v, _ := parseDigits(d)
				p.digits[q[0]] = v
				queue[sex] = q[1:]
				p.numbers[uint32(p.birth[first])<<2|uint32(p.flags[first]&fDNumber)|uint32(sex)] = uint16(k + 1)
			}
			k++
		}
		// A day whose numbers ran out (hundreds of births on one day): the
		// slow path, which moves the birthday.
		for _, q := range queue {
			for _, i := range q {
				if err := p.assignNumber(int(i)); err != nil {
					return err
				}
			}
		}
		start = end
	}
	return nil
}

// indexIDs sorts the identity numbers for lookups.
func (p *Population) indexIDs() {
	type entry struct {
		digits uint64
		i      int32
	}
	all := make([]entry, len(p.digits))
	for i, d := range p.digits {
		all[i] = entry{d, int32(i)}
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.digits, b.digits) })
	p.byID = make([]uint64, len(all))
	p.byIDIdx = make([]int32, len(all))
	for k, e := range all {
		p.byID[k], p.byIDIdx[k] = e.digits, e.i
	}
	p.extraID = map[uint64]int32{}
}

// indexChildren builds the children lists (compressed rows).
func (p *Population) indexChildren() {
	n := len(p.birth)
	off := make([]uint32, n+1)
	for c := range n {
		for _, par := range [2]int32{p.mother[c], p.father[c]} {
			if par >= 0 {
				off[par+1]++
			}
		}
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	list := make([]int32, off[n])
	fill := slices.Clone(off[:n])
	for c := range n {
		for _, par := range [2]int32{p.mother[c], p.father[c]} {
			if par >= 0 {
				list[fill[par]] = int32(c)
				fill[par]++
			}
		}
	}
	p.childOff, p.childList, p.extraKids = off, list, map[int32][]int32{}
}

// indexEvents builds the per-person event lists (compressed rows).
func (p *Population) indexEvents() {
	n := len(p.birth)
	off := make([]uint32, n+1)
	for _, e := range p.events {
		off[e.person+1]++
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	list := make([]uint32, off[n])
	fill := slices.Clone(off[:n])
	for k, e := range p.events {
		list[fill[e.person]] = uint32(k)
		fill[e.person]++
	}
	p.evOff, p.evList, p.extraEv = off, list, map[int32][]uint32{}
}
