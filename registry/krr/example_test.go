package krr_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles"
	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/registry/krr"
)

// exampleKRR is a stand-in for KRR that knows three persons, answering as
// KRR's documentation shows (with its mixed timestamp formats).
func exampleKRR() *httptest.Server {
	persons := map[string]string{
		// Active, not reserved, e-mail confirmed recently, mobile stale.
		"20914695016": `{"personidentifikator":"20914695016","reservasjon":"NEI","status":"AKTIV","varslingsstatus":"KAN_VARSLES",
			"kontaktinformasjon":{"epostadresse":"ola@example.no","epostadresse_oppdatert":"2023-06-29T10:14:52+02",
			"epostadresse_sist_verifisert":"2026-03-05T10:45:15.768Z","mobiltelefonnummer":"+4799999999",
			"mobiltelefonnummer_oppdatert":"2023-06-29T10:14:52+02"},"spraak":"nb"}`,
		// Reserved against digital communication.
		"23079421936": `{"personidentifikator":"23079421936","reservasjon":"JA","reservasjonstidspunkt":"2024-01-02T08:00:00+01:00","status":"AKTIV"}`,
		// 09052400284 is not in the register: KRR leaves it out.
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Personidentifikatorer []string }
		json.NewDecoder(r.Body).Decode(&req)
		var out []string
		for _, id := range req.Personidentifikatorer {
			if p, ok := persons[id]; ok {
				out = append(out, p)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"personer":[%s]}`, strings.Join(out, ","))
	}))
}

// exampleTime is the "now" of the examples.
var exampleTime = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// New needs KRR's base URL and a token source for a Maskinporten token with
// both KRR scopes; a felles configuration file gives both.
func ExampleNew() {
	cfg, err := felles.LoadConfig("felles.json")
	if err != nil {
		log.Fatal(err)
	}
	mp, err := cfg.Maskinporten()
	if err != nil {
		log.Fatal(err)
	}
	base, err := cfg.Endpoint(felles.ServiceKRR)
	if err != nil {
		log.Fatal(err)
	}
	ts := mp.TokenSource(maskinporten.Request{Scopes: []string{krr.ScopeContactInfo, krr.ScopeDigitalPost}})
	c, err := krr.New(base, ts)
	if err != nil {
		log.Fatal(err)
	}
	persons, err := c.Lookup(context.Background(), "20914695016")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(persons[0].ContactDecision(time.Now()).Method)
}

func ExampleClient_Lookup() {
	srv := exampleKRR()
	defer srv.Close()
	c, err := krr.New(srv.URL+"/", oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "token"}))
	if err != nil {
		log.Fatal(err)
	}
	persons, err := c.Lookup(context.Background(), "20914695016", "23079421936", "09052400284")
	var be *krr.BatchError
	if errors.As(err, &be) {
		log.Printf("some lookups failed: %v", err) // the other persons are good
	} else if err != nil {
		log.Fatal(err)
	}
	for _, p := range persons {
		d := p.ContactDecision(exampleTime)
		fmt.Printf("%v %s reservation=%q: %s email=%v sms=%v\n", p.ID, p.Status, p.Reservation, d.Method, d.Email, d.SMS)
	}
	// Output:
	// 209146***** AKTIV reservation="NEI": notification email=true sms=false
	// 230794***** AKTIV reservation="JA": paper email=false sms=false
	// 090524***** IKKE_REGISTRERT reservation="": paper email=false sms=false
}

// LookupSeq streams: here identifiers come one a line from a reader, as
// from a large file, and results are printed as they arrive, in input order.
func ExampleClient_LookupSeq() {
	srv := exampleKRR()
	defer srv.Close()
	c, err := krr.New(srv.URL+"/", oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "token"}))
	if err != nil {
		log.Fatal(err)
	}
	input := strings.NewReader("20914695016\n23079421936\n12345678901\n")
	lines := func(yield func(string) bool) {
		sc := bufio.NewScanner(input)
		for sc.Scan() && yield(sc.Text()) {
		}
	}
	for p, err := range c.LookupSeq(context.Background(), iter.Seq[string](lines)) {
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(p.ID, p.ContactDecision(exampleTime).Method)
	}
	// Output:
	// 209146***** notification
	// 230794***** paper
	// error: krr: identifier at position 2: personid: invalid number "123456*****": wrong first check digit
}

func ExamplePerson_ContactDecision() {
	updated, _ := krr.ParseTime("2025-01-10T09:30:00+01")
	p := krr.Person{
		Reservation: krr.NotReserved,
		Status:      krr.StatusActive,
		Email:       "kari@example.no", EmailUpdated: updated,
		Mobile: "+4791234567", MobileUpdated: updated,
	}
	for _, now := range []time.Time{
		time.Date(2026, 7, 10, 8, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 11, 8, 0, 0, 0, time.UTC),
	} {
		d := p.ContactDecision(now)
		fmt.Printf("%s: %s\n%s\n", now.Format(time.DateOnly), d.Method, d.Reason)
	}
	// Output:
	// 2026-07-10: notification
	// The person is not reserved. The person has no digital mailbox. Deliver digitally and notify them by e-mail and SMS.
	// 2026-07-11: paper
	// The person is not reserved, but cannot be reached digitally. The person has no digital mailbox. The e-mail address was last updated or confirmed on 2025-01-10, more than 18 months ago, so it may not be used for notifications (eForvaltningsforskriften §32). The mobile number was last updated or confirmed on 2025-01-10, more than 18 months ago, so it may not be used for notifications (eForvaltningsforskriften §32). Send by post.
}
