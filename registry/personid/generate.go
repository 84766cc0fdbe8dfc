package personid

import (
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"time"
)

// Errors of the constructors for test numbers.
var (
	// ErrNoCheckDigits: no check digits exist for the birth date and
	// individnummer given to [Synthesize] (a check digit would be 10). Skip
	// to the next individnummer.
	ErrNoCheckDigits = errors.New("personid: no check digits exist for this individnummer")
	// ErrExhausted: a [Generator] has already returned every number that
	// fits the options.
	ErrExhausted = errors.New("personid: every number for these options has been generated")
)

// Options are what a [Generator] makes. The zero value asks for a synthetic
// fødselsnummer of Skatteetaten's series (as in Tenor) with a random birth
// date and sex.
type Options struct {
	// BirthDate is the birth date (its year, month and day in its own
	// location). The zero value picks one at random from 1930 to 2024.
	// Years from 1854 (1858 for D-numbers) to 2039 can be encoded.
	BirthDate time.Time
	// Sex is the legal sex to encode; 0 picks one at random.
	Sex Sex
	// Kind is Fodselsnummer or DNumber; 0 means Fodselsnummer.
	Kind Kind
	// Synthetic is the synthetic series. The zero value, NotSynthetic,
	// means SyntheticSkatteetaten unless RealSeries is set.
	Synthetic Synthetic
	// RealSeries makes numbers of the real series, without a synthetic
	// offset; Synthetic must then be NotSynthetic. Such numbers may belong
	// to real people: use them only in tests that never leave the process,
	// and MUST NOT send them to any service, test environments included.
	RealSeries bool
}

// Generator makes random valid numbers for tests, with the birth date, sex,
// kind and synthetic series asked for. A Generator is deterministic for its
// seed, never returns the same number twice, and is not safe for concurrent
// use. It remembers every number it returned, about 40 bytes each.
//
// The numbers are of [SchemeLegacy], so that they encode the birth date and
// sex; D-numbers follow the series as extended in 2021.
type Generator struct {
	rng  *rand.Rand
	seen map[Number]struct{}
}

// NewGenerator returns a Generator seeded with seed (math/rand/v2's PCG).
func NewGenerator(seed uint64) *Generator {
	return &Generator{
		rng:  rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		seen: make(map[Number]struct{}),
	}
}

var (
	randomFrom = time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC)
	randomDays = int(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC).Sub(randomFrom)/(24*time.Hour)) + 1
)

// Next returns a new valid number with the options o. It fails if o is
// invalid, if BirthDate cannot be encoded, or with [ErrExhausted] when every
// number that fits o was already returned.
func (g *Generator) Next(o Options) (Number, error) {
	kind := o.Kind
	if kind == 0 {
		kind = Fodselsnummer
	}
	synth := o.Synthetic
	if o.RealSeries {
		if synth != NotSynthetic {
			return Number{}, fmt.Errorf("personid: Options.RealSeries with Synthetic %v", synth)
		}
	} else if synth == NotSynthetic {
		synth = SyntheticSkatteetaten
	}
	if err := checkKindSynth(kind, synth); err != nil {
		return Number{}, err
	}
	if o.Sex != 0 && o.Sex != Female && o.Sex != Male {
		return Number{}, fmt.Errorf("personid: unknown %v", o.Sex)
	}
	if !o.BirthDate.IsZero() {
		y, m, d := o.BirthDate.Date()
		if individRanges(kind, y) == nil {
			return Number{}, errYear(kind, y)
		}
		if n, ok := g.try(y, m, d, kind, synth, o.Sex); ok {
			return n, nil
		}
		// Nearly full: pick among what is left.
		var left []Number
		for n := range AllForBirthDate(o.BirthDate, kind, synth) {
			if _, used := g.seen[n]; used {
				continue
			}
			if s, _ := n.Sex(); o.Sex == 0 || s == o.Sex {
				left = append(left, n)
			}
		}
		if len(left) == 0 {
			return Number{}, ErrExhausted
		}
		n := left[g.rng.IntN(len(left))]
		g.seen[n] = struct{}{}
		return n, nil
	}
	// A random date has hundreds of free numbers; give up only if a great
	// many dates in a row are full.
	for range 10000 {
		y, m, d := randomFrom.AddDate(0, 0, g.rng.IntN(randomDays)).Date()
		if n, ok := g.try(y, m, d, kind, synth, o.Sex); ok {
			return n, nil
		}
	}
	return Number{}, ErrExhausted
}

// try draws individnumre at random for the date and returns the first that
// makes a new number.
func (g *Generator) try(y int, m time.Month, d int, kind Kind, synth Synthetic, sex Sex) (Number, bool) {
	ranges := individRanges(kind, y)
	total := 0
	for _, r := range ranges {
		total += r[1] - r[0] + 1
	}
	for range 64 {
		k := g.rng.IntN(total)
		ind := 0
		for _, r := range ranges {
			size := r[1] - r[0] + 1
			if k < size {
				ind = r[0] + k
				break
			}
			k -= size
		}
		switch sex {
		case Male:
			ind |= 1
		case Female:
			ind &^= 1
		}
		n, ok := build(y, m, d, ind, kind, synth)
		if !ok {
			continue
		}
		if _, used := g.seen[n]; used {
			continue
		}
		g.seen[n] = struct{}{}
		return n, true
	}
	return Number{}, false
}

// Synthesize returns the number of [SchemeLegacy] for a birth date (its year,
// month and day in its own location) and individnummer (0–999), of the kind
// and synthetic series given; kind 0 means Fodselsnummer. The individnummer
// must be one used for the birth year; its third digit gives the sex (odd
// for male). It fails with [ErrNoCheckDigits] when no check digits exist for
// the individnummer: about one in six.
//
// Synthesize with NotSynthetic makes numbers of the real series, which may
// belong to real people: for tests that never leave the process only.
func Synthesize(birth time.Time, individ int, kind Kind, synth Synthetic) (Number, error) {
	if kind == 0 {
		kind = Fodselsnummer
	}
	if err := checkKindSynth(kind, synth); err != nil {
		return Number{}, err
	}
	y, m, d := birth.Date()
	ranges := individRanges(kind, y)
	if ranges == nil {
		return Number{}, errYear(kind, y)
	}
	in := false
	for _, r := range ranges {
		in = in || (individ >= r[0] && individ <= r[1])
	}
	if !in {
		return Number{}, fmt.Errorf("personid: individnummer %d is not used for a %v of a person born in %d", individ, kind, y)
	}
	n, ok := build(y, m, d, individ, kind, synth)
	if !ok {
		return Number{}, ErrNoCheckDigits
	}
	return n, nil
}

// ForBirthDate returns the i-th (from 0) valid number of [SchemeLegacy] for
// a birth date, of the kind and synthetic series given (kind 0 means
// Fodselsnummer), in the order of the individnummer. It reports false when i
// is past the last one (typically a few hundred per date), or when the date
// cannot be encoded. Different i give different numbers, so
// ForBirthDate(date, kind, synth, 0), ForBirthDate(date, kind, synth, 1)...
// enumerate a population without collisions; [AllForBirthDate] does the
// same faster.
//
// With NotSynthetic the numbers are of the real series and may belong to
// real people: for tests that never leave the process only.
func ForBirthDate(birth time.Time, kind Kind, synth Synthetic, i int) (Number, bool) {
	if i < 0 {
		return Number{}, false
	}
	for n := range AllForBirthDate(birth, kind, synth) {
		if i == 0 {
			return n, true
		}
		i--
	}
	return Number{}, false
}

// AllForBirthDate yields every valid number of [SchemeLegacy] for a birth
// date, in the order of [ForBirthDate]. It yields nothing if the date, kind
// or series is invalid.
func AllForBirthDate(birth time.Time, kind Kind, synth Synthetic) iter.Seq[Number] {
	return func(yield func(Number) bool) {
		if kind == 0 {
			kind = Fodselsnummer
		}
		if checkKindSynth(kind, synth) != nil {
			return
		}
		y, m, d := birth.Date()
		for _, r := range individRanges(kind, y) {
			for ind := r[0]; ind <= r[1]; ind++ {
				if n, ok := build(y, m, d, ind, kind, synth); ok && !yield(n) {
					return
				}
			}
		}
	}
}

func checkKindSynth(kind Kind, synth Synthetic) error {
	if kind != Fodselsnummer && kind != DNumber {
		return fmt.Errorf("personid: unknown %v", kind)
	}
	if synth != NotSynthetic && synth != SyntheticSkatteetaten && synth != SyntheticNAV {
		return fmt.Errorf("personid: unknown %v", synth)
	}
	return nil
}

func errYear(kind Kind, y int) error {
	first := 1854
	if kind == DNumber {
		first = 1858
	}
	return fmt.Errorf("personid: a %v cannot encode the birth year %d (%d–2039)", kind, y, first)
}

// individRanges returns the individnumre used for the birth year: for a
// fødselsnummer the table of [fYear], for a D-nummer that of [dYear2021]. It
// returns nil for years outside the tables.
func individRanges(kind Kind, y int) [][2]int {
	if kind == DNumber {
		switch {
		case y >= 1858 && y <= 1899:
			return [][2]int{{500, 599}}
		case y >= 1900 && y <= 1939:
			return [][2]int{{0, 199}}
		case y >= 1940 && y <= 1999:
			return [][2]int{{0, 499}, {600, 999}}
		case y >= 2000 && y <= 2039:
			return [][2]int{{200, 999}}
		}
		return nil
	}
	switch {
	case y >= 1854 && y <= 1899:
		return [][2]int{{500, 749}}
	case y >= 1900 && y <= 1939:
		return [][2]int{{0, 499}}
	case y >= 1940 && y <= 1999:
		return [][2]int{{0, 499}, {900, 999}}
	case y >= 2000 && y <= 2039:
		return [][2]int{{500, 999}}
	}
	return nil
}

// build returns the number for the date and individnummer, with legacy check
// digits; false if a check digit would be 10.
func build(y int, m time.Month, day, individ int, kind Kind, synth Synthetic) (Number, bool) {
	if kind == DNumber {
		day += 40
	}
	month := int(m)
	switch synth {
	case SyntheticSkatteetaten:
		month += 80
	case SyntheticNAV:
		month += 40
	}
	yy := y % 100
	d := [11]byte{
		byte(day / 10), byte(day % 10),
		byte(month / 10), byte(month % 10),
		byte(yy / 10), byte(yy % 10),
		byte(individ / 100), byte(individ / 10 % 10), byte(individ % 10),
	}
	r1, _ := remainders(&d) // with k1 = k2 = 0
	k1 := (11 - r1) % 11
	if k1 == 10 {
		return Number{}, false
	}
	d[9] = byte(k1)
	_, r2 := remainders(&d)
	k2 := (11 - r2) % 11
	if k2 == 10 {
		return Number{}, false
	}
	d[10] = byte(k2)
	return fromDigits(&d), true
}
