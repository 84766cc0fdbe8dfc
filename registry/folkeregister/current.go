package folkeregister

import (
	"slices"
	"time"
)

// Element is an element of a person document property: every element
// type embeds [Metadata], which provides Meta.
type Element interface {
	Meta() Metadata
}

// Current returns the current element of a property: the one marked
// erGjeldende. If several are marked, it returns the one that took effect
// last (the latest Gyldighetstidspunkt, then the latest
// Ajourholdstidspunkt, then the first in elems). It returns false if no
// element is marked.
func Current[E Element](elems []E) (E, bool) {
	var (
		best  E
		found bool
	)
	for _, e := range elems {
		m := e.Meta()
		if !m.ErGjeldende {
			continue
		}
		if !found || newer(m, best.Meta()) > 0 {
			best, found = e, true
		}
	}
	return best, found
}

// History returns the elements of a property, newest first: ordered by
// Gyldighetstidspunkt, then Ajourholdstidspunkt, latest first; elements
// without either sort last, and the order of elements that tie is kept.
// Ask for [PartHistorikk] to get the historic elements at all. elems is
// not modified.
func History[E Element](elems []E) []E {
	out := slices.Clone(elems)
	slices.SortStableFunc(out, func(a, b E) int { return newer(b.Meta(), a.Meta()) })
	return out
}

// ValidAt returns the element that applied at t: the one with the latest
// Gyldighetstidspunkt not after t, among those that had not ceased
// (Opphoerstidspunkt zero or after t). Elements without a
// Gyldighetstidspunkt are not considered. It returns false if none
// applied.
func ValidAt[E Element](elems []E, t time.Time) (E, bool) {
	var (
		best  E
		found bool
	)
	for _, e := range elems {
		m := e.Meta()
		if m.Gyldighetstidspunkt.IsZero() || m.Gyldighetstidspunkt.After(t) {
			continue
		}
		if !m.Opphoerstidspunkt.IsZero() && !m.Opphoerstidspunkt.After(t) {
			continue
		}
		if !found || newer(m, best.Meta()) > 0 {
			best, found = e, true
		}
	}
	return best, found
}

// newer compares a and b by Gyldighetstidspunkt, then Ajourholdstidspunkt:
// positive if a is newer. A zero time is older than any other.
func newer(a, b Metadata) int {
	if c := cmpTime(a.Gyldighetstidspunkt, b.Gyldighetstidspunkt); c != 0 {
		return c
	}
	return cmpTime(a.Ajourholdstidspunkt, b.Ajourholdstidspunkt)
}

func cmpTime(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return -1
	case b.IsZero():
		return 1
	}
	return a.Compare(b)
}
