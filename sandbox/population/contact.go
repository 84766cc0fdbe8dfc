package population

import (
	"strconv"
	"strings"
	"time"
)

// KRR status values.
const (
	KRRActive        = "AKTIV"
	KRRDeleted       = "SLETTET"
	KRRNotRegistered = "IKKE_REGISTRERT"
)

// Mailbox providers' organisation numbers (postkasseleverandoeradresse).
const (
	Digipost = "984661185" // Posten Norge AS
	EBoks    = "922020175" // e-Boks
)

// Contact is a person's entry in Kontakt- og reservasjonsregisteret (KRR).
// Times are zero when absent.
type Contact struct {
	// Status is KRRActive, KRRDeleted (the dead, and a few others) or
	// KRRNotRegistered (children under 16, and a few adults).
	Status string
	// Reserved means reservasjon JA: the person has reserved against
	// digital communication; ReservedAt is the reservasjonstidspunkt.
	Reserved           bool
	ReservedAt         time.Time
	ReservationUpdated time.Time

	Email, Mobile                 string // "" when not registered
	EmailUpdated, EmailVerified   time.Time
	MobileUpdated, MobileVerified time.Time

	// MailboxProvider is Digipost or EBoks ("" without a digital mailbox);
	// MailboxAddress is the postkasseadresse, "vakker.blomst#9YDT".
	MailboxProvider, MailboxAddress string

	Language        string // "nb", "nn", "en" or "se"
	LanguageUpdated time.Time
}

// MaxContactAge is the 18-month rule (eForvaltningsforskriften §32):
// contact details neither updated nor verified within it must not be used
// for notifications.
const MaxContactAge = 18

// EmailUsable reports whether the e-mail address may be used for a
// notification at now: present and updated or verified within 18 months.
func (c Contact) EmailUsable(now time.Time) bool {
	return c.Email != "" && fresh(now, c.EmailUpdated, c.EmailVerified)
}

// MobileUsable is EmailUsable for the mobile number.
func (c Contact) MobileUsable(now time.Time) bool {
	return c.Mobile != "" && fresh(now, c.MobileUpdated, c.MobileVerified)
}

// Notifiable is KRR's varslingsstatus KAN_VARSLES: an active entry, not
// reserved, with at least one usable channel at now.
func (c Contact) Notifiable(now time.Time) bool {
	return c.Status == KRRActive && !c.Reserved && (c.EmailUsable(now) || c.MobileUsable(now))
}

// fresh reports whether one of ts is at most MaxContactAge calendar months
// before now (eForvaltningsforskriften §32). A month back from the 31st
// lands on the last day of the shorter month (31 August → 28 February),
// not in the month after as time.AddDate would have it.
func fresh(now time.Time, ts ...time.Time) bool {
	limit := MonthsBefore(now, MaxContactAge)
	for _, t := range ts {
		if !t.IsZero() && !t.Before(limit) {
			return true
		}
	}
	return false
}

// MonthsBefore returns the time n calendar months before t, the day clamped
// to the last day of the target month.
func MonthsBefore(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m-time.Month(n), 1, 0, 0, 0, 0, t.Location()) // normalised by time.Date
	last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, t.Location()).Day()
	hh, mm, ss := t.Clock()
	return time.Date(first.Year(), first.Month(), min(d, last), hh, mm, ss, t.Nanosecond(), t.Location())
}

// contact derives person i's KRR entry; per holds the person's current
// values.
func (p *Population) contact(i int, per Person) Contact {
	h := hash(p.seed, uint64(i), tagKRR)
	u := unit(h)
	switch {
	case per.Dead:
		return Contact{Status: KRRDeleted, ReservationUpdated: p.krrTime(i, 1, 1, 60)}
	case yearsBetween(p.birth[i], p.refDay) < 16 || u < 0.05:
		return Contact{Status: KRRNotRegistered}
	case u < 0.07:
		return Contact{Status: KRRDeleted, ReservationUpdated: p.krrTime(i, 1, 1, 60)}
	}
	c := Contact{Status: KRRActive, ReservationUpdated: p.krrTime(i, 2, 1, 60)}
	if unit(hash(p.seed, uint64(i), tagKRR^1)) < 0.15 {
		c.Reserved, c.ReservedAt = true, p.krrTime(i, 3, 1, 100)
		c.ReservationUpdated = c.ReservedAt
	}
	local := strings.ToLower(ascii(per.GivenName) + "." + ascii(per.FamilyName))
	hc := hash(p.seed, uint64(i), tagContact)
	expired := unit(hc) < 0.08
	stamp := func(slot uint64) (updated, verified time.Time) {
		if expired {
			return p.krrTime(i, slot, 19, 60), p.krrTime(i, slot+1, 19, 24)
		}
		return p.krrTime(i, slot, 1, 48), p.krrTime(i, slot+1, 0, 17)
	}
	switch v := unit(mix(hc)); {
	case v < 0.72:
		c.Email, c.Mobile = local+"@example.com", mobile(hc)
	case v < 0.80:
		c.Mobile = mobile(hc)
	case v < 0.88:
		c.Email = local + "@example.com"
	}
	if c.Email != "" {
		c.EmailUpdated, c.EmailVerified = stamp(10)
		if c.EmailVerified.Before(c.EmailUpdated) {
			c.EmailVerified = c.EmailUpdated
		}
	}
	if c.Mobile != "" {
		c.MobileUpdated, c.MobileVerified = stamp(12)
		if c.MobileVerified.Before(c.MobileUpdated) {
			c.MobileVerified = c.MobileUpdated
		}
	}
	hm := hash(p.seed, uint64(i), tagMailbox)
	switch v := unit(hm); {
	case v < 0.45:
		c.MailboxProvider = Digipost
	case v < 0.60:
		c.MailboxProvider = EBoks
	}
	if c.MailboxProvider != "" {
		const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
		suffix := make([]byte, 4)
		for k := range suffix {
			suffix[k] = alphabet[(hm>>(8+5*k))&31]
		}
		c.MailboxAddress = local + "#" + string(suffix)
	}
	switch v := unit(hash(p.seed, uint64(i), tagLanguage)); {
	case v < 0.80:
		c.Language = "nb"
	case v < 0.92:
		c.Language = "nn"
	case v < 0.98:
		c.Language = "en"
	default:
		c.Language = "se"
	}
	c.LanguageUpdated = p.krrTime(i, 14, 0, 60)
	return c
}

// krrTime returns a time between lo and hi months before the reference
// time, derived from (person, slot).
func (p *Population) krrTime(i int, slot uint64, lo, hi int) time.Time {
	h := hash(p.seed, uint64(i)<<8|slot, tagKRRTimes)
	span := time.Duration(hi-lo) * 30 * 24 * time.Hour
	if span <= 0 {
		span = 24 * time.Hour
	}
	d := time.Duration(lo)*30*24*time.Hour + time.Duration(h%uint64(span/time.Millisecond))*time.Millisecond
	return p.ref.Add(-d - time.Hour)
}

func mobile(h uint64) string {
	first := "4"
	if h>>60&1 == 1 {
		first = "9"
	}
	n := strconv.FormatUint(h>>20%10_000_000, 10)
	return "+47" + first + strings.Repeat("0", 7-len(n)) + n
}

// ascii spells a Norwegian upper-case name in ASCII for addresses.
func ascii(s string) string {
	return strings.NewReplacer("Æ", "AE", "Ø", "O", "Å", "AA", " ", ".").Replace(s)
}
