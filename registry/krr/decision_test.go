package krr_test

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/registry/krr"
)

func TestContactDecision(t *testing.T) {
	oslo := time.FixedZone("CEST", 2*3600)
	now := time.Date(2025, 8, 31, 12, 0, 0, 0, oslo)
	cutoff := time.Date(2024, 2, 29, 12, 0, 0, 0, oslo) // 18 months before, clamped to February's end
	recent := now.AddDate(0, -1, 0)
	old := now.AddDate(-2, 0, 0)
	validCert := &x509.Certificate{NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0)}
	expiredCert := &x509.Certificate{NotBefore: now.AddDate(-3, 0, 0), NotAfter: now.AddDate(0, 0, -1)}
	futureCert := &x509.Certificate{NotBefore: now.AddDate(0, 0, 1), NotAfter: now.AddDate(2, 0, 0)}
	digipost := &krr.Mailbox{Address: "ola.nordmann#9YDT", Provider: "984661185"}

	// base is an active, unreserved person with a mailbox and both
	// channels recently updated; each case changes it.
	base := func() krr.Person {
		return krr.Person{
			Reservation: krr.NotReserved, Status: krr.StatusActive, NotificationStatus: krr.CanBeNotified,
			Email: "ola@example.no", EmailUpdated: recent,
			Mobile: "+4799999999", MobileUpdated: recent,
			Mailbox: digipost, MailboxCertificate: validCert,
		}
	}
	noMailbox := func(p *krr.Person) { p.Mailbox, p.MailboxCertificate = nil, nil }

	cases := []struct {
		name       string
		edit       func(p *krr.Person)
		method     krr.Method
		email, sms bool
		reason     string // in Reason
	}{
		{"digital mailbox", nil, krr.MethodDigitalMailbox, true, true, "digital mailbox (Digipost)"},
		{"digital mailbox at e-Boks, no channels", func(p *krr.Person) {
			p.Mailbox = &krr.Mailbox{Address: "x", Provider: "922020175"}
			p.Email, p.Mobile = "", ""
		}, krr.MethodDigitalMailbox, false, false, "(e-Boks)"},
		{"mailbox from an unknown provider", func(p *krr.Person) { p.Mailbox = &krr.Mailbox{Address: "x", Provider: "999999999"} },
			krr.MethodDigitalMailbox, true, true, "has a digital mailbox. Send"},
		{"mailbox without certificate", func(p *krr.Person) { p.MailboxCertificate = nil },
			krr.MethodNotification, true, true, "no readable certificate"},
		{"certificate without mailbox", func(p *krr.Person) { p.Mailbox = nil },
			krr.MethodNotification, true, true, "not reserved. The person has no digital mailbox. Deliver"},
		{"mailbox without provider", func(p *krr.Person) { p.Mailbox = &krr.Mailbox{Address: "x"} },
			krr.MethodNotification, true, true, "has no digital mailbox"},
		{"expired mailbox certificate", func(p *krr.Person) { p.MailboxCertificate = expiredCert },
			krr.MethodNotification, true, true, "expired on 2025-08-30"},
		{"mailbox certificate not yet valid", func(p *krr.Person) { p.MailboxCertificate = futureCert },
			krr.MethodNotification, true, true, "valid from 2025-09-01"},
		{"reserved", func(p *krr.Person) { p.Reservation = krr.Reserved },
			krr.MethodPaper, false, false, "reserved themselves"},
		{"reservation unknown", func(p *krr.Person) { p.Reservation = "" },
			krr.MethodPaper, false, false, "did not say whether"},
		{"reservation odd value", func(p *krr.Person) { p.Reservation = "KANSKJE" },
			krr.MethodPaper, false, false, "did not say whether"},
		{"deleted", func(p *krr.Person) { p.Status = krr.StatusDeleted },
			krr.MethodPaper, false, false, "SLETTET"},
		{"not registered", func(p *krr.Person) { p.Status = krr.StatusNotRegistered },
			krr.MethodPaper, false, false, "not in the contact register"},
		{"no status (failed lookup)", func(p *krr.Person) { *p = krr.Person{} },
			krr.MethodPaper, false, false, "no status"},
		{"unknown status", func(p *krr.Person) { p.Status = "ARKIVERT" },
			krr.MethodPaper, false, false, `"ARKIVERT"`},
		{"both channels", noMailbox, krr.MethodNotification, true, true, "by e-mail and SMS"},
		{"e-mail only, mobile old", func(p *krr.Person) { noMailbox(p); p.MobileUpdated = old },
			krr.MethodNotification, true, false, "notify them by e-mail. The mobile number was last updated or confirmed on 2023-08-31, more than 18 months ago"},
		{"SMS only, no e-mail", func(p *krr.Person) { noMailbox(p); p.Email = "" },
			krr.MethodNotification, false, true, "by SMS. No e-mail address is registered."},
		{"old update, recent verification", func(p *krr.Person) { noMailbox(p); p.EmailUpdated, p.EmailVerified = old, recent; p.Mobile = "" },
			krr.MethodNotification, true, false, "by e-mail"},
		{"recent update, old verification", func(p *krr.Person) { noMailbox(p); p.EmailVerified = old; p.Mobile = "" },
			krr.MethodNotification, true, false, "by e-mail"},
		{"18-month edge: exactly 18 months", func(p *krr.Person) { noMailbox(p); p.EmailUpdated = cutoff; p.Mobile = "" },
			krr.MethodNotification, true, false, "by e-mail"},
		{"18-month edge: one second more", func(p *krr.Person) { noMailbox(p); p.EmailUpdated = cutoff.Add(-time.Second); p.Mobile = "" },
			krr.MethodPaper, false, false, "last updated or confirmed on 2024-02-29, more than 18 months ago"},
		{"18-month edge, other zone", func(p *krr.Person) {
			noMailbox(p)
			p.EmailUpdated = cutoff.UTC() // the same instant
			p.MobileUpdated = cutoff.UTC().Add(-time.Nanosecond)
		}, krr.MethodNotification, true, false, "by e-mail"},
		{"both channels old", func(p *krr.Person) { noMailbox(p); p.EmailUpdated, p.MobileUpdated = old, old },
			krr.MethodPaper, false, false, "cannot be reached digitally. The person has no digital mailbox. The e-mail address was last updated"},
		{"channel without dates", func(p *krr.Person) { noMailbox(p); p.EmailUpdated = time.Time{}; p.Mobile = "" },
			krr.MethodPaper, false, false, "has no date of update or confirmation"},
		{"nothing registered", func(p *krr.Person) { noMailbox(p); p.Email, p.Mobile = "", "" },
			krr.MethodPaper, false, false, "No e-mail address is registered. No mobile number is registered. Send by post."},
		{"cannot be notified, no mailbox", func(p *krr.Person) { noMailbox(p); p.NotificationStatus = krr.CannotBeNotified },
			krr.MethodPaper, false, false, "KAN_IKKE_VARSLES"},
		{"cannot be notified, mailbox", func(p *krr.Person) { p.NotificationStatus = krr.CannotBeNotified },
			krr.MethodDigitalMailbox, false, false, "Send to the digital mailbox"},
		{"no varslingsstatus (scope lacking): own check", func(p *krr.Person) { noMailbox(p); p.NotificationStatus = "" },
			krr.MethodNotification, true, true, "by e-mail and SMS"},
		{"mailbox, old channels", func(p *krr.Person) { p.EmailUpdated, p.MobileUpdated = old, old },
			krr.MethodDigitalMailbox, false, false, "digital mailbox"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			if tc.edit != nil {
				tc.edit(&p)
			}
			d := p.ContactDecision(now)
			if d.Method != tc.method || d.Email != tc.email || d.SMS != tc.sms {
				t.Errorf("decision %s email=%v sms=%v, want %s email=%v sms=%v\nreason: %s", d.Method, d.Email, d.SMS, tc.method, tc.email, tc.sms, d.Reason)
			}
			if !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("reason %q\nwant it to contain %q", d.Reason, tc.reason)
			}
			if d.Method == krr.MethodPaper && !strings.HasSuffix(d.Reason, "Send by post.") {
				t.Errorf("paper reason %q does not say what to do", d.Reason)
			}
		})
	}
}

// TestContactDecisionSample applies the rule to the spec's sample person
// (verified 2023-08-05) before and after its 18 months ran out.
func TestContactDecisionSample(t *testing.T) {
	p := krr.Person{Reservation: krr.NotReserved, Status: krr.StatusActive, NotificationStatus: krr.CanBeNotified,
		Email: "nullstilt@default.digdir.no", Mobile: "+4799999999"}
	p.EmailUpdated, _ = krr.ParseTime("2023-06-29T10:14:52+02")
	p.EmailVerified, _ = krr.ParseTime("2023-08-05T10:45:15.768Z")
	p.MobileUpdated, p.MobileVerified = p.EmailUpdated, p.EmailVerified
	if d := p.ContactDecision(time.Date(2025, 2, 5, 10, 45, 15, 768e6, time.UTC)); d.Method != krr.MethodNotification || !d.Email || !d.SMS {
		t.Errorf("on the last day: %+v", d)
	}
	if d := p.ContactDecision(time.Date(2025, 2, 5, 10, 45, 15, 769e6, time.UTC)); d.Method != krr.MethodPaper {
		t.Errorf("a millisecond later: %+v", d)
	}
}
