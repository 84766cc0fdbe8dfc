package folkeregister_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/fellesgo/felles/registry/folkeregister"
)

// exampleServer imitates Folkeregisteret for the examples: one person
// and a feed of five events.
func exampleServer() *httptest.Server {
	doc, err := os.ReadFile("testdata/person_spec.json")
	if err != nil {
		log.Fatal(err)
	}
	const root = "/folkeregisteret/offentlig-med-hjemmel/api/v1/"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+root+"personer/09052400284", func(w http.ResponseWriter, r *http.Request) {
		w.Write(doc)
	})
	mux.HandleFunc("GET "+root+"hendelser/feed", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString("[")
		var seq int
		fmt.Sscan(r.URL.Query().Get("seq"), &seq)
		for s := max(seq, 1); s <= 5; s++ {
			if s > max(seq, 1) {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"sekvensnummer":%d,"hendelse":{"folkeregisteridentifikator":"09052400284","hendelsetype":"endringINavn","persondokument":"p%d"}}`, s, s)
		}
		b.WriteString("]")
		w.Write([]byte(b.String()))
	})
	return httptest.NewServer(mux)
}

func ExampleClient_Person() {
	srv := exampleServer()
	defer srv.Close()
	// With Maskinporten: ts := mp.TokenSource(maskinporten.Request{Scopes:
	// []string{folkeregister.OffentligMedHjemmel.Scope()}})
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "example"})
	c, err := folkeregister.New(srv.URL, ts)
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.Person(context.Background(), "09052400284", folkeregister.PartNavn, folkeregister.PartBostedsadresse)
	if errors.Is(err, folkeregister.ErrNotFound) {
		fmt.Println("no such person")
		return
	} else if err != nil {
		log.Fatal(err)
	}
	id, _ := p.ID()
	fmt.Println(id) // masked: fmt never prints a whole number
	fmt.Println(p.CurrentName())
	if a, ok := p.CurrentAddress(); ok {
		fmt.Println(a.Matrikkeladresse.Matrikkelnummer.Kommunenummer, strings.Join(a.Lines(), ", "))
	}
	// Output:
	// 090524*****
	// FORSTÅELSESFULL RULLETRAPP
	// 0301 1163 OSLO
}

func ExampleClient_Events() {
	srv := exampleServer()
	defer srv.Close()
	c, err := folkeregister.New(srv.URL, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "example"}))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	last := int64(2) // the Sequence of the last event handled, from the consumer's store
	for e, err := range c.Events(ctx, last+1) {
		if err != nil {
			log.Fatal(err) // resume from last+1 later; nothing is lost
		}
		fmt.Println(e.Sequence, e.Type, e.PersonID, e.PersonDocument)
		last = e.Sequence // persist it
	}
	fmt.Println("caught up at", last)
	// Output:
	// 3 endringINavn 090524***** p3
	// 4 endringINavn 090524***** p4
	// 5 endringINavn 090524***** p5
	// caught up at 5
}

func ExampleClient_Follow() {
	srv := exampleServer()
	defer srv.Close()
	c, err := folkeregister.New(srv.URL, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "example"}))
	if err != nil {
		log.Fatal(err)
	}
	// Follow until the context ends: a signal.NotifyContext in a service.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	for e, err := range c.Follow(ctx, 4, 50*time.Millisecond) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.Sequence, e.Type)
	}
	// Output:
	// 4 endringINavn
	// 5 endringINavn
}

func ExampleCurrent() {
	statuses := []folkeregister.Status{
		{Metadata: folkeregister.Metadata{Gyldighetstidspunkt: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}, Status: folkeregister.PersonstatusUtflyttet},
		{Metadata: folkeregister.Metadata{ErGjeldende: true, Gyldighetstidspunkt: time.Date(2019, 6, 5, 0, 0, 0, 0, time.UTC)}, Status: folkeregister.PersonstatusBosatt},
	}
	s, ok := folkeregister.Current(statuses)
	fmt.Println(s.Status, ok)
	for _, s := range folkeregister.History(statuses) {
		fmt.Println(s.Gyldighetstidspunkt.Year(), s.Status)
	}
	// Output:
	// bosatt true
	// 2019 bosatt
	// 2001 utflyttet
}

func ExampleWithPackage() {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "example"})
	c, err := folkeregister.New("https://folkeregisteret.api.skatteetaten.no/", ts,
		folkeregister.WithPackage(folkeregister.OffentligUtenHjemmel))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Package().Scope())
	fmt.Println(c.URL("hendelser/feed", nil))
	// Output:
	// folkeregister:deling/offentligutenhjemmel
	// https://folkeregisteret.api.skatteetaten.no/folkeregisteret/api/offentligutenhjemmel/v1/hendelser/feed
}

// KS Fiks Folkeregister: the proxy's URL with the role, the ks:fiks
// scope, and the integration's id and password as headers.
func ExampleWithHeader() {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "example"})
	c, err := folkeregister.New("https://api.fiks.test.ks.no/folkeregister/api/v1/0b2f6c1e-rolle/", ts,
		folkeregister.WithPackage(folkeregister.KSFiks),
		folkeregister.WithHeader("IntegrasjonId", "6a7f5d1c-integrasjon"),
		folkeregister.WithHeader("IntegrasjonPassord", "from a secret store"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Package().Scope())
	fmt.Println(c.URL("personer/06076301709", nil))
	// Output:
	// ks:fiks
	// https://api.fiks.test.ks.no/folkeregister/api/v1/0b2f6c1e-rolle/v1/personer/06076301709
}
