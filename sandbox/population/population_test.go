package population_test

import (
	"math"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/fellesgo/felles/registry/personid"
	"github.com/fellesgo/felles/sandbox/population"
)

var ref = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func mustNew(t testing.TB, seed uint64, size int) *population.Population {
	t.Helper()
	p, err := population.New(seed, size, population.WithReference(ref))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNumbers(t *testing.T) {
	p := mustNew(t, 1, 10_000)
	if p.Len() != 10_000 {
		t.Fatalf("Len %d", p.Len())
	}
	seen := map[string]bool{}
	dnr := 0
	for per := range p.All() {
		d := per.ID.Digits()
		if seen[d] {
			t.Fatalf("%s twice", per.ID)
		}
		seen[d] = true
		n, err := personid.Parse(d)
		if err != nil {
			t.Fatalf("person %d: %v", per.Index, err)
		}
		if n.Synthetic() != personid.SyntheticSkatteetaten {
			t.Errorf("person %d: %v is not a +80 synthetic number", per.Index, n)
		}
		if bd, ok := n.BirthDate(); !ok || !bd.Equal(per.BirthDate) {
			t.Errorf("person %d: number's birth date %v, want %v", per.Index, bd, per.BirthDate)
		}
		if sex, ok := n.Sex(); !ok || sex != per.Sex {
			t.Errorf("person %d: number's sex %v, want %v", per.Index, sex, per.Sex)
		}
		if (n.Kind() == personid.DNumber) != per.DNumber {
			t.Errorf("person %d: kind %v", per.Index, n.Kind())
		}
		if per.DNumber {
			dnr++
		}
		if i, ok := p.Lookup(d); !ok || i != per.Index {
			t.Errorf("Lookup(%s) = %d, %v", per.ID, i, ok)
		}
	}
	if share := float64(dnr) / float64(p.Len()); share < 0.02 || share > 0.04 {
		t.Errorf("D-number share %.3f, want about 3 %%", share)
	}
	if _, ok := p.Lookup("01010000000"); ok {
		t.Error("found an unknown number")
	}
	if _, ok := p.ByID("x"); ok {
		t.Error("found a malformed number")
	}
}

func TestDeterminism(t *testing.T) {
	a, b := mustNew(t, 42, 3000), mustNew(t, 42, 3000)
	if a.LastSeq() != b.LastSeq() {
		t.Fatalf("feeds of %d and %d events", a.LastSeq(), b.LastSeq())
	}
	for i := range a.Len() {
		ha, _ := a.History(i, a.LastSeq())
		hb, _ := b.History(i, b.LastSeq())
		if !reflect.DeepEqual(ha, hb) {
			t.Fatalf("person %d differs", i)
		}
	}
	for seq := 1; seq <= a.LastSeq(); seq++ {
		ea, _ := a.Event(seq)
		eb, _ := b.Event(seq)
		if ea != eb {
			t.Fatalf("event %d differs", seq)
		}
	}
	now := ref.Add(time.Hour)
	if !reflect.DeepEqual(a.Advance(20, now), b.Advance(20, now)) {
		t.Error("Advance differs")
	}
	c := mustNew(t, 43, 3000)
	if c.Digits(10) == a.Digits(10) && c.Person(10).Name() == a.Person(10).Name() {
		t.Error("another seed gave the same person")
	}
}

// TestFamilies checks that relations hold both ways.
func TestFamilies(t *testing.T) {
	p := mustNew(t, 1, 10_000)
	p.Advance(200, ref.Add(time.Hour))
	last := p.LastSeq()
	withKids, married := 0, 0
	for per := range p.All() {
		h, ok := p.History(per.Index, last)
		if !ok {
			t.Fatalf("no history for %d", per.Index)
		}
		for _, r := range h.Relations {
			other, ok := p.History(r.Value.Person, last)
			if !ok {
				t.Fatalf("%d relates to a missing person %d", per.Index, r.Value.Person)
			}
			found := false
			for _, back := range other.Relations {
				if back.Value.Person == per.Index && back.Value.Role == r.Value.MyRole && back.Value.MyRole == r.Value.Role {
					found = true
				}
			}
			if !found {
				t.Errorf("%d is %s of %d, who does not have it back", per.Index, r.Value.MyRole, r.Value.Person)
			}
			if r.Value.Role == "barn" {
				if !p.Person(r.Value.Person).BirthDate.After(per.BirthDate.AddDate(15, 0, 0)) {
					t.Errorf("%d (born %v) has child %d born %v", per.Index, per.BirthDate, r.Value.Person, p.Person(r.Value.Person).BirthDate)
				}
			}
		}
		if len(per.Children) > 0 {
			withKids++
		}
		switch per.MaritalStatus {
		case "gift":
			married++
			if per.Dead {
				break
			}
			sp := p.Person(per.Spouse)
			if sp.Dead || sp.MaritalStatus != "gift" || sp.Spouse != per.Index {
				t.Errorf("%d is married to %d, who is %s (dead %v) with %d", per.Index, per.Spouse, sp.MaritalStatus, sp.Dead, sp.Spouse)
			}
		case "enkeEllerEnkemann":
			if sp := p.Person(per.Spouse); !sp.Dead {
				t.Errorf("widow(er) %d of the living %d", per.Index, per.Spouse)
			}
		}
		if per.Mother >= 0 && p.Person(per.Mother).Sex != personid.Female {
			t.Errorf("%d's mother %d is not a woman", per.Index, per.Mother)
		}
	}
	if withKids < 1000 || married < 1000 {
		t.Errorf("%d parents and %d married in 10 000", withKids, married)
	}
}

// TestEvents checks the feed against the persons: the state after each
// event reflects it, and the current state reflects them all.
func TestEvents(t *testing.T) {
	p := mustNew(t, 5, 10_000)
	p.Advance(100, ref.Add(time.Minute))
	counts := map[string]int{}
	var prev time.Time
	for seq := 1; seq <= p.LastSeq(); seq++ {
		e, _ := p.Event(seq)
		counts[e.Type]++
		if !e.Time.After(prev) {
			t.Fatalf("event %d at %v, not after %v", seq, e.Time, prev)
		}
		prev = e.Time
		h, ok := p.History(e.Person, seq)
		if !ok {
			t.Fatalf("event %d: no person %d", seq, e.Person)
		}
		cur := p.Person(e.Person)
		switch e.Type {
		case population.TypePersonDead:
			if !h.Person.Dead || !cur.Dead || h.Statuses[len(h.Statuses)-1].Value != "doed" || h.Statuses[len(h.Statuses)-1].Seq != seq {
				t.Errorf("event %d: death not recorded", seq)
			}
			if before, _ := p.History(e.Person, seq-1); before.Person.Dead {
				t.Errorf("event %d: dead before dying", seq)
			}
		case population.TypeResidentialAddress:
			a := h.Addresses[len(h.Addresses)-1]
			if a.Seq != seq || !a.Current() || len(h.Addresses) < 2 || h.Addresses[len(h.Addresses)-2].Current() {
				t.Errorf("event %d: move not recorded: %+v", seq, h.Addresses)
			}
		case population.TypeMaritalStatus:
			m := h.MaritalStatuses[len(h.MaritalStatuses)-1]
			if m.Seq != seq || m.Value.Spouse != e.Related {
				t.Errorf("event %d: sivilstand %+v", seq, m)
			}
		case population.TypePersonCreated:
			if _, ok := p.History(e.Person, seq-1); ok {
				t.Errorf("event %d: the child existed before birth", seq)
			}
			if !h.Registered.Equal(e.Time) || cur.BirthDate.Format(time.DateOnly) != e.Time.Format(time.DateOnly) {
				t.Errorf("event %d: born %v, registered %v", seq, cur.BirthDate, h.Registered)
			}
		case population.TypeFamilyRelation:
			c := p.Person(e.Related)
			if c.Mother != e.Person && c.Father != e.Person {
				t.Errorf("event %d: %d is not a parent of %d", seq, e.Person, e.Related)
			}
		}
	}
	for _, typ := range []string{population.TypePersonCreated, population.TypeFamilyRelation, population.TypePersonDead,
		population.TypeMaritalStatus, population.TypeResidentialAddress, population.TypeName} {
		if counts[typ] == 0 {
			t.Errorf("no %s in %v", typ, counts)
		}
	}
	if from := p.SeqAt(ref.AddDate(-3, 0, 0)); from <= 1 || from >= p.LastSeq() {
		t.Errorf("SeqAt 3 years back = %d of %d", from, p.LastSeq())
	}
}

func TestKRRMix(t *testing.T) {
	p := mustNew(t, 1, 10_000)
	now := ref
	var active, reserved, deleted, unregistered, mailbox, noContact, expired, digital int
	langs := map[string]int{}
	for per := range p.All() {
		c := per.Contact
		switch c.Status {
		case population.KRRActive:
			active++
			langs[c.Language]++
			if c.Reserved {
				reserved++
			}
			if c.MailboxProvider != "" {
				mailbox++
			}
			if c.Email == "" && c.Mobile == "" {
				noContact++
			} else if !c.EmailUsable(now) && !c.MobileUsable(now) {
				expired++
			}
		case population.KRRDeleted:
			deleted++
		case population.KRRNotRegistered:
			unregistered++
		}
		if per.CanReceiveDigitalPost() {
			digital++
		}
		if per.Dead && c.Status != population.KRRDeleted {
			t.Errorf("dead %d is %s in KRR", per.Index, c.Status)
		}
	}
	near := func(got, of int, want float64) bool { return math.Abs(float64(got)/float64(of)-want) < 0.03 }
	if !near(reserved, active, 0.15) {
		t.Errorf("%d of %d reserved, want about 15 %%", reserved, active)
	}
	if deleted == 0 || unregistered == 0 || noContact == 0 || expired == 0 || mailbox == active || digital == 0 {
		t.Errorf("deleted %d, unregistered %d, no contact %d, expired %d, mailbox %d of %d, digital %d", deleted, unregistered, noContact, expired, mailbox, active, digital)
	}
	for _, l := range []string{"nb", "nn", "en", "se"} {
		if langs[l] == 0 {
			t.Errorf("no one speaks %s: %v", l, langs)
		}
	}
	per, ok := p.Find(population.Person.CanReceiveDigitalPost)
	if !ok || !per.Resident() || per.Contact.MailboxAddress == "" {
		t.Errorf("Find: %+v", per)
	}
}

func TestAddresses(t *testing.T) {
	p := mustNew(t, 1, 10_000)
	munis := map[string]int{}
	for per := range p.All() {
		a := per.Address
		munis[a.Municipality]++
		if len(a.Municipality) != 4 || len(a.PostalCode) != 4 || len(a.StreetCode) != 5 || a.HouseNumber < 1 || a.PostalPlace == "" {
			t.Fatalf("address %+v", a)
		}
	}
	if share := float64(munis[population.PrimaryMunicipality]) / float64(p.Len()); share < 0.6 || len(munis) < 5 {
		t.Errorf("municipalities %v", munis)
	}
}

func TestSmallAndInvalid(t *testing.T) {
	for _, n := range []int{1, 2, 3, 99, 100} {
		p := mustNew(t, 9, n)
		if p.Len() != n {
			t.Errorf("size %d: Len %d", n, p.Len())
		}
		p.Advance(5, ref)
	}
	for _, n := range []int{0, -1, population.MaxSize + 1} {
		if _, err := population.New(1, n); err == nil {
			t.Errorf("size %d accepted", n)
		}
	}
}

// BenchmarkNewMillion makes a population of a million persons and reports
// the time and the heap it keeps: go test -bench NewMillion -benchtime 1x.
func BenchmarkNewMillion(b *testing.B) {
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		p, err := population.New(1, 1_000_000, population.WithReference(ref))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/population")
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-heap")
		b.ReportMetric(float64(p.LastSeq()), "events")
		runtime.KeepAlive(p)
	}
}

func BenchmarkSearchMillion(b *testing.B) {
	p, err := population.New(1, 1_000_000, population.WithReference(ref))
	if err != nil {
		b.Fatal(err)
	}
	per := p.Person(12345)
	for b.Loop() {
		p.Search(population.Query{Name: per.Name(), Municipality: per.Municipality}, 10_000)
	}
}
