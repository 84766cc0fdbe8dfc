package personid_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/fellesgo/felles/registry/personid"
)

func ExampleParse() {
	n, err := personid.Parse("16852749559")
	if err != nil {
		fmt.Println(err)
		return
	}
	born, _ := n.BirthDate()
	sex, _ := n.Sex()
	fmt.Println(n, n.Kind(), n.Synthetic())
	fmt.Println(born.Format(time.DateOnly), sex, n.Scheme())
	// Output:
	// 168527***** fødselsnummer synthetic (Skatteetaten, +80)
	// 1927-05-16 male legacy
}

func ExampleParse_invalid() {
	_, err := personid.Parse("23079421937")
	var pe *personid.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Reason)
	}
	fmt.Println(err)
	// Output:
	// wrong second check digit
	// personid: invalid number "230794*****": wrong second check digit
}

// A number issued from 2032 may have a first check remainder of 1, 2 or 3.
// Parse accepts it; it encodes neither the birth date's century nor the sex.
// A caller that must accept only numbers issued before 2032 checks Scheme.
func ExampleNumber_Scheme() {
	n, err := personid.Parse("30108299939")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, hasDate := n.BirthDate()
	_, hasSex := n.Sex()
	fmt.Println(n.Scheme(), hasDate, hasSex)
	if n.Scheme() != personid.SchemeLegacy {
		fmt.Println("rejected by a strict pre-2032 check")
	}
	// Output:
	// 2032 false false
	// rejected by a strict pre-2032 check
}

// A Number prints, logs and marshals masked; Digits is for the wire.
func ExampleNumber_Digits() {
	n, _ := personid.Parse("23079421936")
	fmt.Printf("%v %+v %q\n", n, n, n)
	b, _ := json.Marshal(struct{ ID personid.Number }{n})
	fmt.Println(string(b))
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("lookup", "id", n)
	body, _ := json.Marshal(map[string][]string{"personidentifikatorer": {n.Digits()}})
	fmt.Println(string(body))
	// Output:
	// 230794***** 230794***** "230794*****"
	// {"ID":"230794*****"}
	// level=INFO msg=lookup id=230794*****
	// {"personidentifikatorer":["23079421936"]}
}

func ExampleParseCPR() {
	for _, s := range []string{"070761-4285", "010160-1235"} {
		c, err := personid.ParseCPR(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(c, c.BirthDate().Format(time.DateOnly), c.Sex(), c.Modulus11())
	}
	// Output:
	// 070761-**** 1961-07-07 male true
	// 010160-**** 1960-01-01 male false
}

func ExampleGenerator() {
	g := personid.NewGenerator(1)
	n, err := g.Next(personid.Options{
		BirthDate: time.Date(1985, 3, 1, 0, 0, 0, 0, time.UTC),
		Sex:       personid.Female,
		Kind:      personid.DNumber,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	born, _ := n.BirthDate()
	sex, _ := n.Sex()
	fmt.Println(n.Kind(), n.Synthetic(), born.Format(time.DateOnly), sex)
	// Output:
	// D-nummer synthetic (Skatteetaten, +80) 1985-03-01 female
}

func ExampleForBirthDate() {
	birth := time.Date(2001, 12, 24, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		n, ok := personid.ForBirthDate(birth, personid.Fodselsnummer, personid.SyntheticSkatteetaten, i)
		if !ok {
			break
		}
		fmt.Println(n.Digits())
	}
	count := 0
	for range personid.AllForBirthDate(birth, personid.Fodselsnummer, personid.SyntheticSkatteetaten) {
		count++
	}
	fmt.Println(count, "numbers in all")
	// Output:
	// 24920150027
	// 24920150108
	// 24920150299
	// 415 numbers in all
}
