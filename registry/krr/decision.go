package krr

import (
	"fmt"
	"strings"
	"time"
)

// Method is how to reach a person, as decided by [Person.ContactDecision].
type Method string

// The methods of [Decision].
const (
	// MethodDigitalMailbox: send to the person's digital mailbox
	// (Digipost or e-Boks) as digital post.
	MethodDigitalMailbox Method = "digital_mailbox"
	// MethodNotification: deliver digitally through another channel (such
	// as the sender's own service or Altinn) and notify the person by
	// e-mail and/or SMS, as [Decision.Email] and [Decision.SMS] say.
	MethodNotification Method = "notification"
	// MethodPaper: send by post.
	MethodPaper Method = "paper"
)

// NotificationWindow is how recent a person's e-mail address or mobile
// number must be to be used for notifications: updated or confirmed within
// the last 18 months (eForvaltningsforskriften §32, KRR's "18-month rule").
const NotificationWindow = 18 // months

// Decision says whether and how a person may be contacted digitally.
type Decision struct {
	Method Method
	// Email and SMS report whether the e-mail address and the mobile
	// number may be used to notify the person: the person is active and
	// not reserved, KRR did not say they cannot be notified, and the
	// channel was updated or confirmed within the last 18 months. They
	// are worked out for every method; with MethodPaper both are false.
	Email, SMS bool
	// Reason explains the decision in plain words for a caseworker.
	Reason string
}

// knownProviders names the digital mailbox providers by organisation number
// (identity-and-registers.md §3.4).
var knownProviders = map[string]string{
	"984661185": "Digipost",
	"922020175": "e-Boks",
}

// ContactDecision decides whether and how the person may be contacted
// digitally at time now:
//
//   - [MethodDigitalMailbox] if the person is active (status AKTIV), not
//     reserved (reservasjon NEI), and has a digital mailbox with a
//     certificate, as Digdir's own canReceiveDigitalPost requires, and the
//     certificate is valid at now.
//   - Otherwise [MethodNotification] if the person is active and not
//     reserved and at least one of e-mail and mobile was updated or
//     confirmed within the last 18 months (see [NotificationWindow]; the
//     check is per channel, as KRR's documentation asks), unless KRR says
//     the person cannot be notified (varslingsstatus KAN_IKKE_VARSLES).
//   - Otherwise [MethodPaper]: reserved, deleted, not registered, an
//     unknown or missing status or reservation, or no usable channel.
//
// A person whose lookup failed has neither status nor reservation and gets
// MethodPaper. The 18 months are calendar months back from now, clamped to
// the end of a shorter month (18 months before 31 August 2025 is
// 29 February 2024); a channel updated exactly then is still usable.
func (p Person) ContactDecision(now time.Time) Decision {
	switch p.Status {
	case StatusActive:
	case "":
		return paper("The contact register gave no status for this person, so it is unknown whether they may be contacted digitally. Send by post.")
	case StatusDeleted:
		return paper("The person is deleted from the contact register (status SLETTET), so the register has no contact information that may be used. Send by post.")
	case StatusNotRegistered:
		return paper("The person is not in the contact register (status IKKE_REGISTRERT). Send by post.")
	default:
		return paper(fmt.Sprintf("The contact register gave a status this program does not know (%q). Send by post.", string(p.Status)))
	}
	switch p.Reservation {
	case NotReserved:
	case Reserved:
		return paper("The person has reserved themselves against digital communication from the public sector (reservasjon JA). Send by post.")
	default:
		return paper("The contact register did not say whether the person has reserved themselves against digital communication. Send by post.")
	}

	d := Decision{}
	var notes []string
	cutoff := monthsBefore(now, NotificationWindow)
	if p.NotificationStatus == CannotBeNotified {
		notes = append(notes, "The contact register says the person cannot be notified (varslingsstatus KAN_IKKE_VARSLES), so neither e-mail nor SMS may be used.")
	} else {
		var note string
		d.Email, note = channel("e-mail address", p.Email, p.EmailUpdated, p.EmailVerified, cutoff)
		notes = append(notes, note)
		d.SMS, note = channel("mobile number", p.Mobile, p.MobileUpdated, p.MobileVerified, cutoff)
		notes = append(notes, note)
	}

	mailbox, mailboxNote := p.mailbox(now)
	switch {
	case mailbox:
		d.Method = MethodDigitalMailbox
		d.Reason = "The person is not reserved and has a digital mailbox" + provider(p.Mailbox.Provider) + ". Send to the digital mailbox."
		return d
	case d.Email || d.SMS:
		d.Method = MethodNotification
		how := "e-mail and SMS"
		switch {
		case !d.SMS:
			how = "e-mail"
		case !d.Email:
			how = "SMS"
		}
		d.Reason = "The person is not reserved. " + mailboxNote + " Deliver digitally and notify them by " + how + "." + join(notes)
		return d
	}
	return paper("The person is not reserved, but cannot be reached digitally. " + mailboxNote + join(notes) + " Send by post.")
}

func paper(reason string) Decision { return Decision{Method: MethodPaper, Reason: reason} }

// mailbox reports whether p's digital mailbox can be used at now, and, if
// not, a sentence saying why.
func (p Person) mailbox(now time.Time) (bool, string) {
	switch {
	case p.Mailbox == nil || p.Mailbox.Address == "" || p.Mailbox.Provider == "":
		return false, "The person has no digital mailbox."
	case p.MailboxCertificate == nil:
		return false, "Their digital mailbox" + provider(p.Mailbox.Provider) + " cannot be used: the register gave no readable certificate for it."
	case now.After(p.MailboxCertificate.NotAfter):
		return false, "Their digital mailbox" + provider(p.Mailbox.Provider) + " cannot be used: its certificate expired on " + p.MailboxCertificate.NotAfter.Format(time.DateOnly) + "."
	case now.Before(p.MailboxCertificate.NotBefore):
		return false, "Their digital mailbox" + provider(p.Mailbox.Provider) + " cannot be used yet: its certificate is valid from " + p.MailboxCertificate.NotBefore.Format(time.DateOnly) + "."
	}
	return true, ""
}

func provider(orgnr string) string {
	if name, ok := knownProviders[orgnr]; ok {
		return " (" + name + ")"
	}
	return ""
}

// channel decides on one notification channel; note explains a channel
// that cannot be used, or is empty.
func channel(what, value string, updated, verified, cutoff time.Time) (ok bool, note string) {
	if value == "" {
		return false, "No " + what + " is registered."
	}
	latest := updated
	if verified.After(latest) {
		latest = verified
	}
	if latest.IsZero() {
		return false, "The " + what + " has no date of update or confirmation, so it may not be used for notifications."
	}
	if latest.Before(cutoff) {
		return false, "The " + what + " was last updated or confirmed on " + latest.Format(time.DateOnly) +
			", more than 18 months ago, so it may not be used for notifications (eForvaltningsforskriften §32)."
	}
	return true, ""
}

func join(notes []string) string {
	var b strings.Builder
	for _, n := range notes {
		if n != "" {
			b.WriteString(" " + n)
		}
	}
	return b.String()
}

// monthsBefore returns the time n calendar months before t, in t's location,
// with the day clamped to the last day of the target month.
func monthsBefore(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 - n
	y += total / 12
	if total%12 < 0 {
		y--
	}
	month := time.Month((total%12+12)%12 + 1)
	last := time.Date(y, month+1, 0, 0, 0, 0, 0, t.Location()).Day()
	d = min(d, last)
	hh, mm, ss := t.Clock()
	return time.Date(y, month, d, hh, mm, ss, t.Nanosecond(), t.Location())
}
