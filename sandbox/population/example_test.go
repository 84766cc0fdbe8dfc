package population_test

import (
	"fmt"
	"log"
	"time"

	"github.com/fellesgo/felles/sandbox/population"
)

// Example makes the sandbox's default population and picks a person to
// send digital post to, as the quickstart does.
func Example() {
	pop, err := population.New(1, 10_000, population.WithReference(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		log.Fatal(err)
	}
	pers, ok := pop.Find(population.Person.CanReceiveDigitalPost)
	if !ok {
		log.Fatal("no one can receive digital post")
	}
	fmt.Println(pop.Len(), "persons")
	fmt.Println(pers.Resident(), pers.Contact.Reserved, pers.HasMailbox)
	fmt.Println(len(pers.ID.Digits()), "digits")
	// Output:
	// 10000 persons
	// true false true
	// 11 digits
}
