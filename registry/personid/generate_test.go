package personid_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fellesgo/felles/registry/personid"
)

func TestGenerator(t *testing.T) {
	g := personid.NewGenerator(42)
	rng := rand.New(rand.NewPCG(1, 2))
	seen := make(map[personid.Number]bool)
	for range 10000 {
		var o personid.Options
		if rng.IntN(2) == 0 {
			o.BirthDate = time.Date(1858+rng.IntN(182), time.Month(1+rng.IntN(12)), 1+rng.IntN(31), 12, 0, 0, 0, time.UTC)
		}
		o.Sex = personid.Sex(rng.IntN(3))
		o.Kind = personid.Kind(rng.IntN(3))
		switch rng.IntN(4) {
		case 0:
		case 1:
			o.Synthetic = personid.SyntheticSkatteetaten
		case 2:
			o.Synthetic = personid.SyntheticNAV
		case 3:
			o.RealSeries = true
		}
		n, err := g.Next(o)
		if err != nil {
			t.Fatalf("Next(%+v): %v", o, err)
		}
		if seen[n] {
			t.Fatalf("Next returned %v twice", n)
		}
		seen[n] = true
		m, err := personid.Parse(n.Digits())
		if err != nil || m != n {
			t.Fatalf("Parse(Next(%+v).Digits()) = %v, %v", o, m, err)
		}
		wantKind, wantSynth := o.Kind, o.Synthetic
		if wantKind == 0 {
			wantKind = personid.Fodselsnummer
		}
		if wantSynth == personid.NotSynthetic && !o.RealSeries {
			wantSynth = personid.SyntheticSkatteetaten
		}
		if n.Kind() != wantKind || n.Synthetic() != wantSynth || n.Scheme() != personid.SchemeLegacy {
			t.Fatalf("Next(%+v) = %v: %v, %v, %v", o, n, n.Kind(), n.Synthetic(), n.Scheme())
		}
		born, ok := n.BirthDate()
		if !ok {
			t.Fatalf("Next(%+v): no birth date", o)
		}
		if o.BirthDate.IsZero() {
			if born.Before(date(1930, 1, 1)) || born.After(date(2024, 12, 31)) {
				t.Fatalf("random birth date %v outside 1930–2024", born)
			}
		} else if y, m, d := o.BirthDate.Date(); !born.Equal(date(y, m, d)) {
			t.Fatalf("Next(%+v): born %v", o, born)
		}
		if sex, ok := n.Sex(); !ok || o.Sex != 0 && sex != o.Sex {
			t.Fatalf("Next(%+v): sex %v", o, sex)
		}
	}
}

func TestGeneratorDeterministic(t *testing.T) {
	a, b, c := personid.NewGenerator(7), personid.NewGenerator(7), personid.NewGenerator(8)
	differ := false
	for range 100 {
		x, _ := a.Next(personid.Options{})
		y, _ := b.Next(personid.Options{})
		z, _ := c.Next(personid.Options{})
		if x != y {
			t.Fatal("the same seed gave different numbers")
		}
		differ = differ || x != z
	}
	if !differ {
		t.Error("different seeds gave the same numbers")
	}
}

func TestGeneratorExhausted(t *testing.T) {
	birth := date(1985, 6, 15)
	all := 0
	for range personid.AllForBirthDate(birth, personid.DNumber, personid.SyntheticNAV) {
		all++
	}
	g := personid.NewGenerator(3)
	o := personid.Options{BirthDate: birth, Kind: personid.DNumber, Synthetic: personid.SyntheticNAV, Sex: personid.Female}
	females := 0
	for {
		_, err := g.Next(o)
		if errors.Is(err, personid.ErrExhausted) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		females++
	}
	o.Sex = personid.Male
	males := 0
	for {
		if _, err := g.Next(o); err != nil {
			break
		}
		males++
	}
	o.Sex = 0
	if _, err := g.Next(o); !errors.Is(err, personid.ErrExhausted) {
		t.Errorf("Next after all numbers: %v", err)
	}
	if females+males != all || females < 300 || males < 300 {
		t.Errorf("%d female + %d male numbers generated, %d exist", females, males, all)
	}
}

func TestGeneratorErrors(t *testing.T) {
	g := personid.NewGenerator(1)
	for _, o := range []personid.Options{
		{Kind: 3},
		{Sex: 3},
		{Synthetic: 5},
		{Synthetic: personid.SyntheticNAV, RealSeries: true},
		{BirthDate: date(1853, 12, 31)},
		{BirthDate: date(1857, 12, 31), Kind: personid.DNumber},
		{BirthDate: date(2040, 1, 1)},
	} {
		if n, err := g.Next(o); err == nil {
			t.Errorf("Next(%+v) = %v, want an error", o, n)
		}
	}
}

func TestSynthesize(t *testing.T) {
	n, err := personid.Synthesize(date(1927, 5, 16), 495, personid.Fodselsnummer, personid.SyntheticSkatteetaten)
	if err != nil || n.Digits() != "16852749559" {
		t.Errorf("Synthesize = %v, %v; want the published 16852749559", n.Digits(), err)
	}
	n, err = personid.Synthesize(date(1940, 1, 1), 610, personid.DNumber, personid.SyntheticSkatteetaten)
	if err != nil || n.Digits() != "41814061033" {
		t.Errorf("Synthesize = %v, %v; want the published 41814061033", n.Digits(), err)
	}
	n, err = personid.Synthesize(date(1976, 10, 15), 83, personid.DNumber, personid.SyntheticNAV)
	if err != nil || n.Digits() != "55507608360" {
		t.Errorf("Synthesize = %v, %v; want the published 55507608360", n.Digits(), err)
	}
	n, err = personid.Synthesize(date(1994, 7, 23), 219, 0, personid.NotSynthetic)
	if err != nil || n.Digits() != "23079421936" {
		t.Errorf("Synthesize = %v, %v; want 23079421936", n.Digits(), err)
	}
	for _, tc := range []struct {
		birth   time.Time
		individ int
		kind    personid.Kind
	}{
		{date(1950, 1, 1), 500, personid.Fodselsnummer}, // 500–899 not used in 1940–1999
		{date(1950, 1, 1), 550, personid.DNumber},
		{date(1930, 1, 1), 200, personid.DNumber}, // D 1900–1939: 000–199
		{date(2000, 1, 1), 499, personid.Fodselsnummer},
		{date(1950, 1, 1), -1, personid.Fodselsnummer},
		{date(1950, 1, 1), 1000, personid.Fodselsnummer},
		{date(1853, 1, 1), 600, personid.Fodselsnummer},
		{date(2040, 1, 1), 600, personid.Fodselsnummer},
		{date(1950, 1, 1), 1, 7},
	} {
		if n, err := personid.Synthesize(tc.birth, tc.individ, tc.kind, personid.NotSynthetic); err == nil {
			t.Errorf("Synthesize(%v, %d, %v) = %v, want an error", tc.birth, tc.individ, tc.kind, n)
		}
	}
	if _, err := personid.Synthesize(date(1950, 1, 1), 1, 0, 9); err == nil {
		t.Error("Synthesize with Synthetic(9) succeeded")
	}
	// About one individnummer in six has no check digits.
	none := 0
	for ind := range 500 {
		_, err := personid.Synthesize(date(1960, 3, 3), ind, personid.Fodselsnummer, personid.NotSynthetic)
		if errors.Is(err, personid.ErrNoCheckDigits) {
			none++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if none < 40 || none > 130 {
		t.Errorf("%d of 500 individnumre without check digits", none)
	}
}

// TestForBirthDate: the numbers of a date are distinct, valid, of the date,
// and ForBirthDate and AllForBirthDate agree; across the edges of every
// century range of both tables.
func TestForBirthDate(t *testing.T) {
	dates := []time.Time{
		date(1854, 1, 1), date(1857, 12, 31), date(1858, 1, 1), date(1899, 12, 31),
		date(1900, 1, 1), date(1900, 2, 28), date(1939, 12, 31), date(1940, 1, 1),
		date(1999, 12, 31), date(2000, 2, 29), date(2024, 2, 29), date(2039, 12, 31),
		time.Date(1990, 5, 17, 23, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
	}
	all := make(map[personid.Number]bool)
	for _, birth := range dates {
		for _, kind := range []personid.Kind{personid.Fodselsnummer, personid.DNumber} {
			for _, synth := range []personid.Synthetic{personid.NotSynthetic, personid.SyntheticSkatteetaten, personid.SyntheticNAV} {
				var list []personid.Number
				for n := range personid.AllForBirthDate(birth, kind, synth) {
					list = append(list, n)
				}
				if kind == personid.DNumber && birth.Year() < 1858 {
					if len(list) != 0 {
						t.Errorf("%v %v: %d D-numbers", birth, kind, len(list))
					}
					continue
				}
				if len(list) < 60 {
					t.Errorf("%v %v %v: only %d numbers", birth, kind, synth, len(list))
				}
				y, m, d := birth.Date()
				for i, n := range list {
					if all[n] {
						t.Fatalf("%v %v %v: %v twice", birth, kind, synth, n)
					}
					all[n] = true
					if got, ok := personid.ForBirthDate(birth, kind, synth, i); !ok || got != n {
						t.Fatalf("ForBirthDate(%d) = %v, %v; AllForBirthDate gave %v", i, got, ok, n)
					}
					p, err := personid.Parse(n.Digits())
					born, _ := p.BirthDate()
					if err != nil || p != n || !born.Equal(date(y, m, d)) || p.Kind() != kind || p.Synthetic() != synth {
						t.Fatalf("%v %v %v: %s parses as %v %v %v %v (%v)", birth, kind, synth, n.Digits(), born, p.Kind(), p.Synthetic(), p.Scheme(), err)
					}
				}
				if _, ok := personid.ForBirthDate(birth, kind, synth, len(list)); ok {
					t.Errorf("ForBirthDate past the end succeeded")
				}
			}
		}
	}
	if _, ok := personid.ForBirthDate(date(1990, 1, 1), 0, 0, -1); ok {
		t.Error("ForBirthDate(-1) succeeded")
	}
	if n, ok := personid.ForBirthDate(date(1990, 1, 1), 0, 0, 0); !ok || n.Kind() != personid.Fodselsnummer {
		t.Error("ForBirthDate with kind 0")
	}
	for range personid.AllForBirthDate(date(1990, 1, 1), 5, 0) {
		t.Fatal("AllForBirthDate with an unknown kind yielded")
	}
	// Early break.
	k := 0
	for range personid.AllForBirthDate(date(1990, 1, 1), 0, 0) {
		if k++; k == 3 {
			break
		}
	}
}

// TestPopulation fills a million distinct numbers, as the sandbox does.
func TestPopulation(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	seen := make(map[personid.Number]struct{}, 1_000_000)
	day := date(1950, 1, 1)
	for len(seen) < 1_000_000 {
		i := 0
		for n := range personid.AllForBirthDate(day, personid.Fodselsnummer, personid.SyntheticSkatteetaten) {
			if i == 50 {
				break
			}
			if _, dup := seen[n]; dup {
				t.Fatalf("%v twice", n)
			}
			seen[n] = struct{}{}
			i++
		}
		day = day.AddDate(0, 0, 1)
	}
}
