package krr_test

// Tests against the felles sandbox's KRR, written by another hand from the
// same spec, behind the sandbox's strict Maskinporten.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/registry/krr"
	"github.com/fellesgo/felles/sandbox"
	"github.com/fellesgo/felles/sandbox/population"
)

func startSandbox(t *testing.T, opts ...sandbox.Option) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// sandboxClient returns a KRR client for sb with a token for scopes.
func sandboxClient(t *testing.T, sb *sandbox.Sandbox, scopes []string, opts ...krr.Option) *krr.Client {
	t.Helper()
	tc := sb.TestClient()
	mp, err := maskinporten.NewFromCertificate(tc.ClientID, tc.Certificate, maskinporten.WithIssuer(sb.MaskinportenIssuer()))
	if err != nil {
		t.Fatal(err)
	}
	c, err := krr.New(sb.Endpoints()["krr"], mp.TokenSource(maskinporten.Request{Scopes: scopes}), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var bothScopes = []string{krr.ScopeContactInfo, krr.ScopeDigitalPost}

// TestSandboxPopulation looks the sandbox's whole population up and checks
// every person, field by field, against the population's own record, and
// the contact decision against the population's 18-month rule.
func TestSandboxPopulation(t *testing.T) {
	sb := startSandbox(t, sandbox.WithPopulation(2500, 7))
	pop := sb.Population()
	ids := make([]string, pop.Len()+2)
	for i := range pop.Len() {
		ids[i] = pop.Digits(i)
	}
	// Two numbers the sandbox does not know: left out, then reported as
	// not registered.
	extra := validIDs(2)
	ids[pop.Len()], ids[pop.Len()+1] = extra[0], extra[1]
	for _, signed := range []bool{false, true} {
		var opts []krr.Option
		if signed {
			opts = append(opts, krr.WithSignedResponses(sb.Roots()))
		}
		got, err := sandboxClient(t, sb, bothScopes, opts...).Lookup(context.Background(), ids...)
		if err != nil {
			t.Fatalf("signed=%v: %v", signed, err)
		}
		now := time.Now()
		counts := map[krr.Method]int{}
		skipped, stale := 0, 0
		for i, p := range got {
			if p.ID.Digits() != ids[i] {
				t.Fatalf("result %d is for another identifier", i)
			}
			if p.Err != nil {
				t.Errorf("person %d: %v", i, p.Err)
			}
			c := population.Contact{Status: population.KRRNotRegistered}
			if per, ok := pop.ByID(ids[i]); ok {
				c = per.Contact
			}
			checkAgainstPopulation(t, i, p, c)
			if ambiguousEdge(c, now) {
				skipped++
			} else {
				checkDecision(t, i, p.ContactDecision(now), c, now)
			}
			if c.Status == population.KRRActive && !c.Reserved && (c.Email != "" && !c.EmailUsable(now) || c.Mobile != "" && !c.MobileUsable(now)) {
				stale++
			}
			counts[p.ContactDecision(now).Method]++
		}
		t.Logf("signed=%v: decisions %v; %d with a stale channel; %d near the 18-month edge not compared", signed, counts, stale, skipped)
		if stale == 0 || skipped > len(ids)/50 {
			t.Errorf("%d stale, %d skipped: the comparison does not test the 18-month rule", stale, skipped)
		}
		for _, m := range []krr.Method{krr.MethodDigitalMailbox, krr.MethodNotification, krr.MethodPaper} {
			if counts[m] == 0 {
				t.Errorf("no person got %s: the population does not exercise every branch", m)
			}
		}
	}
}

func checkAgainstPopulation(t *testing.T, i int, p krr.Person, c population.Contact) {
	t.Helper()
	if string(p.Status) != c.Status {
		t.Errorf("person %d: status %q, want %q", i, p.Status, c.Status)
	}
	if c.Status == population.KRRNotRegistered {
		return
	}
	wantRes := krr.NotReserved
	if c.Reserved {
		wantRes = krr.Reserved
	}
	sec := func(tm time.Time) time.Time { return tm.Truncate(time.Second) }
	ms := func(tm time.Time) time.Time { return tm.Truncate(time.Millisecond) }
	if p.Reservation != wantRes || !p.ReservationUpdated.Equal(sec(c.ReservationUpdated)) ||
		(c.Reserved && !p.ReservedAt.Equal(sec(c.ReservedAt))) {
		t.Errorf("person %d: reservation %q %v %v, want %q %v %v", i, p.Reservation, p.ReservedAt, p.ReservationUpdated, wantRes, c.ReservedAt, c.ReservationUpdated)
	}
	if c.Status != population.KRRActive {
		return
	}
	if p.Email != c.Email || p.Mobile != c.Mobile || p.Language != c.Language ||
		!p.EmailUpdated.Equal(sec(c.EmailUpdated)) || !p.EmailVerified.Equal(ms(c.EmailVerified)) ||
		!p.MobileUpdated.Equal(sec(c.MobileUpdated)) || !p.MobileVerified.Equal(ms(c.MobileVerified)) ||
		!p.LanguageUpdated.Equal(ms(c.LanguageUpdated)) {
		t.Errorf("person %d: contact information differs from the population's:\n got %+v\nwant %+v", i, p, c)
	}
	if (p.Mailbox != nil) != (c.MailboxProvider != "") || (p.Mailbox != nil && (p.Mailbox.Provider != c.MailboxProvider || p.Mailbox.Address != c.MailboxAddress)) {
		t.Errorf("person %d: mailbox %+v, want %q %q", i, p.Mailbox, c.MailboxProvider, c.MailboxAddress)
	}
	if (p.MailboxCertificate != nil) != (c.MailboxProvider != "") {
		t.Errorf("person %d: certificate %v with provider %q", i, p.MailboxCertificate != nil, c.MailboxProvider)
	}
}

// checkDecision compares a decision with what the population's own rule
// (Contact.EmailUsable, MobileUsable) implies.
func checkDecision(t *testing.T, i int, d krr.Decision, c population.Contact, now time.Time) {
	t.Helper()
	want := krr.MethodPaper
	email, sms := false, false
	if c.Status == population.KRRActive && !c.Reserved {
		email, sms = c.EmailUsable(now), c.MobileUsable(now)
		switch {
		case c.MailboxProvider != "":
			want = krr.MethodDigitalMailbox
		case email || sms:
			want = krr.MethodNotification
		}
	}
	if d.Method != want || d.Email != email || d.SMS != sms {
		t.Errorf("person %d: decision %s email=%v sms=%v, want %s email=%v sms=%v (%s)", i, d.Method, d.Email, d.SMS, want, email, sms, d.Reason)
	}
}

// ambiguousEdge reports a contact time within a minute of the 18-month
// limit, where the sandbox's clock at the request and now may differ. Both
// sides count calendar months clamped to the month's end, inclusively.
func ambiguousEdge(c population.Contact, now time.Time) bool {
	limit := population.MonthsBefore(now, population.MaxContactAge)
	for _, tm := range []time.Time{c.EmailUpdated, c.EmailVerified, c.MobileUpdated, c.MobileVerified} {
		if d := tm.Sub(limit); d > -time.Minute && d < time.Minute {
			return true
		}
	}
	return false
}

// TestSandboxScopes: with only the contact-information scope the mailbox is
// absent; without a KRR scope the sandbox answers 403.
func TestSandboxScopes(t *testing.T) {
	sb := startSandbox(t)
	pop := sb.Population()
	withMailbox, ok := pop.Find(func(p population.Person) bool {
		return p.Contact.Status == population.KRRActive && p.Contact.MailboxProvider != "" && p.Contact.Email != ""
	})
	if !ok {
		t.Fatal("no person with a mailbox and e-mail in the population")
	}
	id := withMailbox.ID.Digits()
	got, err := sandboxClient(t, sb, []string{krr.ScopeContactInfo}).Lookup(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p := got[0]; p.Mailbox != nil || p.MailboxCertificate != nil || p.Email == "" {
		t.Errorf("contact scope only: %+v", p)
	}
	got, err = sandboxClient(t, sb, []string{krr.ScopeDigitalPost}).Lookup(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p := got[0]; p.Mailbox == nil || p.MailboxCertificate == nil || p.Email != "" || p.NotificationStatus != "" {
		t.Errorf("digital post scope only: %+v", p)
	}
	_, err = sandboxClient(t, sb, []string{"folkeregister:deling/offentligmedhjemmel"}).Lookup(context.Background(), id)
	var ae *krr.APIError
	if !errors.Is(err, krr.ErrForbidden) || !errors.As(err, &ae) {
		t.Errorf("without a KRR scope: %v", err)
	}
}

// TestSandboxFaults: injected 503s are retried; a lasting 500 is a
// BatchError with the sandbox's Spring body.
func TestSandboxFaults(t *testing.T) {
	sb := startSandbox(t)
	ids := []string{sb.Population().Digits(0), sb.Population().Digits(1)}
	remove, err := sb.InjectFault(sandbox.Fault{PathPrefix: "/krr/", Status: 503, Times: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := sandboxClient(t, sb, bothScopes)
	if _, err := c.Lookup(context.Background(), ids...); err != nil {
		t.Errorf("after two 503s: %v", err)
	}
	remove()
	remove, err = sb.InjectFault(sandbox.Fault{PathPrefix: "/krr/", Status: 500})
	if err != nil {
		t.Fatal(err)
	}
	defer remove()
	_, err = sandboxClient(t, sb, bothScopes, krr.WithMaxRetries(1)).Lookup(context.Background(), ids...)
	var be *krr.BatchError
	var ae *krr.APIError
	if !errors.As(err, &be) || !errors.As(err, &ae) || ae.StatusCode != 500 {
		t.Errorf("lasting 500: %v", err)
	}
}

func TestSandboxPrintCertificate(t *testing.T) {
	sb := startSandbox(t)
	pc, err := sandboxClient(t, sb, bothScopes).PrintCertificate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	prov := sb.KRR().Providers()[0]
	if pc.Provider != prov.OrganizationNumber || !pc.Certificate.Equal(prov.Certificate.Leaf()) {
		t.Errorf("print certificate %s, want the first provider's (%s)", pc.Provider, prov.OrganizationNumber)
	}
}

func TestSandboxAPIVersion1(t *testing.T) {
	sb := startSandbox(t)
	id := sb.Population().Digits(3)
	got, err := sandboxClient(t, sb, bothScopes, krr.WithAPIVersion(1)).Lookup(context.Background(), id)
	if err != nil || got[0].Status == "" {
		t.Errorf("v1: %v %+v", err, got)
	}
}
