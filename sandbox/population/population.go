package population

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/fellesgo/felles/registry/personid"
)

// Limits of [New].
const (
	// MaxSize is the largest population New makes.
	MaxSize = 5_000_000
	// Window is how far back the event feed reaches from the reference
	// time: events before it are folded into the persons' starting state.
	Window = 4 * 365 * 24 * time.Hour
)

// DefaultReference is the reference time of a population made without
// [WithReference]: the feed ends just before it and every generated
// timestamp lies before it.
var DefaultReference = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Option configures [New].
type Option func(*config) error

type config struct{ ref time.Time }

// WithReference sets the reference time, truncated to midnight UTC of its
// day: the generated history (births, moves, KRR updates) lies in the years
// before it and the event feed ends just before it. The sandbox passes its
// clock's day, so that "18 months ago" and "36 months ago" mean what they
// say; the same (seed, size, reference day) always gives the same
// population.
func WithReference(t time.Time) Option {
	return func(c *config) error {
		if t.IsZero() {
			return errors.New("population: zero reference time")
		}
		y, m, d := t.UTC().Date()
		c.ref = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return nil
	}
}

// Population is a synthetic population of Norwegian residents with an event
// feed, deterministic from its seed, size and reference day. It keeps only
// compact arrays (about 85 bytes per person, events included); names,
// addresses, contact details and documents are derived on demand. Its
// methods are safe for concurrent use.
type Population struct {
	seed uint64
	ref  time.Time
	refDay,
	windowDay int32 // the first day of the feed window
	base int // persons [0, base) exist before the feed; later ones are born by events

	mu      sync.RWMutex
	birth   []int32  // day
	flags   []uint8  // fMale, fDNumber, fDead, fBaseDead
	digits  []uint64 // the identity number as an integer
	given   []uint16 // index into adjectives
	middle  []uint16 // 0: none; else index+1 into nouns
	family  []uint16 // index into nouns
	mother  []int32  // -1: none
	father  []int32  // the second parent (far or medmor); -1: none
	partner []int32  // spouse or cohabitant; -1: none
	addr    []uint32 // starting address key
	civil   []uint8  // starting sivilstand
	curAddr []uint32 // current address key
	curCiv  []uint8  // current sivilstand
	bornSeq []uint32 // for persons >= base: the seq of their personErOpprettet

	byID    []uint64 // sorted identity numbers of persons [0, indexed)
	byIDIdx []int32
	extraID map[uint64]int32 // identity numbers of persons added later

	childOff   []uint32 // children of p: childList[childOff[p]:childOff[p+1]], for p < indexedKids
	childList  []int32
	extraKids  map[int32][]int32
	numbers    map[uint32]uint16 // next ForBirthDate index by (day, kind, sex)
	events     []event
	evOff      []uint32 // events of p: evList[evOff[p]:evOff[p+1]] for p < indexedEvents
	evList     []uint32
	extraEv    map[int32][]uint32
	households int
}

// Person flags.
const (
	fMale uint8 = 1 << iota
	fDNumber
	fDead     // dead now (at the feed's end)
	fBaseDead // died before the feed window
)

// Sivilstand codes.
const (
	civUgift uint8 = iota + 1
	civGift
	civEnke
	civSkilt
)

var civilNames = [...]string{civUgift: "ugift", civGift: "gift", civEnke: "enkeEllerEnkemann", civSkilt: "skilt"}

// New makes a population of size persons (1 to [MaxSize]) from seed.
// About 3 % hold D-numbers; everyone has a synthetic identity number (+80
// on the month, as in Tenor and Skatteetaten's test environment). A
// million persons take about 85 MiB and under two seconds.
func New(seed uint64, size int, opts ...Option) (*Population, error) {
	c := config{ref: DefaultReference}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	if size < 1 || size > MaxSize {
		return nil, fmt.Errorf("population: size %d is not from 1 to %d", size, MaxSize)
	}
	p := &Population{seed: seed, ref: c.ref, refDay: dayOf(c.ref)}
	p.windowDay = p.refDay - int32(Window/(24*time.Hour))
	if err := p.generate(size); err != nil {
		return nil, err
	}
	return p, nil
}

// Seed returns the population's seed.
func (p *Population) Seed() uint64 { return p.seed }

// Reference returns the reference time (see [WithReference]).
func (p *Population) Reference() time.Time { return p.ref }

// Len returns the number of persons, the dead and those born by events
// included.
func (p *Population) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.birth)
}

// Households returns the number of households the population started with.
func (p *Population) Households() int { return p.households }

// Lookup returns the index of the person with the 11-digit identity number
// id.
func (p *Population) Lookup(id string) (int, bool) {
	n, ok := parseDigits(id)
	if !ok {
		return 0, false
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.lookup(n)
}

func (p *Population) lookup(n uint64) (int, bool) {
	if i, ok := slices.BinarySearch(p.byID, n); ok {
		return int(p.byIDIdx[i]), true
	}
	if i, ok := p.extraID[n]; ok {
		return int(i), true
	}
	return 0, false
}

func parseDigits(id string) (uint64, bool) {
	if len(id) != 11 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// Person returns person i (0 ≤ i < Len()) as of the end of the event feed.
// It panics if i is out of range.
func (p *Population) Person(i int) Person {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if i < 0 || i >= len(p.birth) {
		panic(fmt.Sprintf("population: person %d out of range [0, %d)", i, len(p.birth)))
	}
	return p.person(i, len(p.events))
}

// ByID returns the person with the 11-digit identity number id.
func (p *Population) ByID(id string) (Person, bool) {
	n, ok := parseDigits(id)
	if !ok {
		return Person{}, false
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	i, ok := p.lookup(n)
	if !ok {
		return Person{}, false
	}
	return p.person(i, len(p.events)), true
}

// All returns the persons in index order, as of the end of the feed when
// each is reached.
func (p *Population) All() iter.Seq[Person] {
	return func(yield func(Person) bool) {
		for i := 0; ; i++ {
			p.mu.RLock()
			if i >= len(p.birth) {
				p.mu.RUnlock()
				return
			}
			per := p.person(i, len(p.events))
			p.mu.RUnlock()
			if !yield(per) {
				return
			}
		}
	}
}

// Find returns the first person, in index order, for whom match is true;
// for example the quickstart's recipient:
//
//	pers, ok := pop.Find(population.Person.CanReceiveDigitalPost)
func (p *Population) Find(match func(Person) bool) (Person, bool) {
	for per := range p.All() {
		if match(per) {
			return per, true
		}
	}
	return Person{}, false
}

// Person is a synthetic person as the registers know them. Slices and
// times are the caller's to keep.
type Person struct {
	Index int // in the population
	// ID is the synthetic fødselsnummer or D-number (+80 on the month).
	ID personid.Number
	// GivenName, MiddleName (often "") and FamilyName are in upper case, as
	// Folkeregisteret returns them: "VAKKER", "BLOMST".
	GivenName, MiddleName, FamilyName string
	BirthDate                         time.Time // midnight UTC of the birth day
	Sex                               personid.Sex
	DNumber                           bool
	// Citizenship is the statsborgerskap, ISO 3166-1 alpha-3: "NOR", or
	// for D-number holders another country.
	Citizenship string
	// Status is the Folkeregisteret status: "bosatt", "doed" or
	// "midlertidig" (D-number holders).
	Status    string
	Dead      bool
	DeathDate time.Time // zero unless Dead
	// Address is the bostedsadresse, or for D-number holders the
	// oppholdsadresse; Municipality is its kommunenummer.
	Address      Address
	Municipality string
	// MaritalStatus is the sivilstand: "ugift", "gift",
	// "enkeEllerEnkemann" or "skilt"; Spouse is the index of the person it
	// refers to, or -1.
	MaritalStatus string
	Spouse        int
	// Partner is the index of the spouse or cohabitant the person started
	// in a household with, or -1.
	Partner int
	// Mother and Father are indices of the parents in the register, or -1;
	// Father may be a medmor (Mother's wife).
	Mother, Father int
	Children       []int
	// Contact is the person's entry in Kontakt- og
	// reservasjonsregisteret; Reserved and HasMailbox repeat parts of it.
	Contact    Contact
	Reserved   bool
	HasMailbox bool
}

// Name returns "GIVEN [MIDDLE] FAMILY".
func (per Person) Name() string {
	if per.MiddleName != "" {
		return per.GivenName + " " + per.MiddleName + " " + per.FamilyName
	}
	return per.GivenName + " " + per.FamilyName
}

// Alive reports whether the person is alive.
func (per Person) Alive() bool { return !per.Dead }

// Resident reports whether the person is alive and bosatt (a resident with
// a fødselsnummer, not a D-number holder).
func (per Person) Resident() bool { return per.Status == "bosatt" }

// Age returns the person's age in whole years at t.
func (per Person) Age(t time.Time) int {
	return yearsBetween(dayOf(per.BirthDate), dayOf(t))
}

// CanReceiveDigitalPost reports what Digdir's own code checks before
// sending digital post: a mailbox (address and certificate), reservasjon
// NEI and status AKTIV in KRR; and that the person is a living resident.
func (per Person) CanReceiveDigitalPost() bool {
	return per.Resident() && per.Contact.Status == KRRActive && !per.Contact.Reserved && per.HasMailbox
}

// Address is a Norwegian street address (vegadresse).
type Address struct {
	Municipality     string // kommunenummer, four digits
	MunicipalityName string
	Street           string // adressenavn
	StreetCode       string // adressekode, five digits
	HouseNumber      int
	HouseLetter      string // "" or "A", "B"
	Unit             string // bruksenhetsnummer, e.g. "H0101"
	PostalCode       string
	PostalPlace      string
	// MatrikkelID is adresseIdentifikatorFraMatrikkelen.
	MatrikkelID int64
}

// String returns "Storgata 12B, 5003 BERGEN".
func (a Address) String() string {
	return a.Street + " " + strconv.Itoa(a.HouseNumber) + a.HouseLetter + ", " + a.PostalCode + " " + a.PostalPlace
}

// person builds person i as of seq; the caller holds the read lock.
func (p *Population) person(i, seq int) Person {
	st := p.fold(i, seq, nil)
	per := Person{
		Index: i, ID: p.number(i),
		GivenName: adjectives[st.given], FamilyName: nouns[st.family],
		BirthDate: dateOf(p.birth[i]), Sex: personid.Female,
		DNumber: p.flags[i]&fDNumber != 0,
		Status:  st.status, Dead: st.dead,
		Address: p.address(st.addr), MaritalStatus: civilNames[st.civ], Spouse: st.spouse,
		Partner: int(p.partner[i]), Mother: int(p.mother[i]), Father: int(p.father[i]),
	}
	if st.middle > 0 {
		per.MiddleName = nouns[st.middle-1]
	}
	if p.flags[i]&fMale != 0 {
		per.Sex = personid.Male
	}
	per.Citizenship = "NOR"
	if per.DNumber {
		per.Citizenship = foreignCountries[hash(p.seed, uint64(i), tagAddress^7)%uint64(len(foreignCountries))]
	}
	if st.dead {
		per.DeathDate = dateOf(st.deathDay)
	}
	per.Municipality = per.Address.Municipality
	for _, c := range p.children(i) {
		if p.existsAt(int(c), seq) {
			per.Children = append(per.Children, int(c))
		}
	}
	per.Contact = p.contact(i, per)
	per.Reserved = per.Contact.Reserved
	per.HasMailbox = per.Contact.MailboxProvider != ""
	return per
}

// number returns person i's identity number.
func (p *Population) number(i int) personid.Number {
	n, _ := personid.Parse(p.digitsOf(i))
	return n
}

// Digits returns person i's 11-digit identity number.
func (p *Population) Digits(i int) string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.digitsOf(i)
}

func (p *Population) digitsOf(i int) string {
	var b [11]byte
	n := p.digits[i]
	for k := 10; k >= 0; k-- {
		b[k] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}

// children returns person i's children; the caller holds the read lock.
func (p *Population) children(i int) []int32 {
	var out []int32
	if i+1 < len(p.childOff) {
		out = p.childList[p.childOff[i]:p.childOff[i+1]]
	}
	if extra := p.extraKids[int32(i)]; len(extra) > 0 {
		out = append(slices.Clip(out), extra...)
	}
	return out
}

// existsAt reports whether person i exists after event seq.
func (p *Population) existsAt(i, seq int) bool {
	return i < p.base || int(p.bornSeq[i-p.base]) <= seq
}

// eventsOf returns the indices (seq-1) of person i's events.
func (p *Population) eventsOf(i int) []uint32 {
	var out []uint32
	if i+1 < len(p.evOff) {
		out = p.evList[p.evOff[i]:p.evOff[i+1]]
	}
	if extra := p.extraEv[int32(i)]; len(extra) > 0 {
		out = append(slices.Clip(out), extra...)
	}
	return out
}
