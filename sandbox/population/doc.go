// Package population is the synthetic population behind the felles
// sandbox's KRR and Folkeregisteret: Norwegian residents with synthetic
// identity numbers, Tenor-style names, families, addresses, contact
// details and an event feed, all derived from a seed.
//
//	pop, err := population.New(1, 10_000)
//	...
//	pers, ok := pop.Find(population.Person.CanReceiveDigitalPost)
//	fmt.Println(pers.ID.Digits(), pers.Name(), pers.Address)
//
// # The persons
//
//   - Identity numbers are synthetic (+80 on the month, as in Tenor and
//     Skatteetaten's test environment; see package
//     [github.com/fellesgo/felles/registry/personid]), valid by mod 11, and
//     encode the birth date and sex. About 3 % are D-numbers, held by
//     foreign citizens with a temporary address (status "midlertidig",
//     oppholdsadresse instead of bostedsadresse).
//   - Names are an adjective and a noun in upper case, as Folkeregisteret
//     returns Tenor's persons: "VAKKER BLOMST"; some have a middle name.
//   - Households: single adults (some divorced, some widowed, some single
//     parents), couples (married or cohabiting, a few of the same sex) with
//     or without children. Relations hold both ways: a child's mother has
//     the child; a married person's spouse is married to them, or dead and
//     the survivor is a widow(er).
//   - Addresses are street addresses (vegadresse) in municipalities with
//     their real numbers: most in 4601 Bergen ([PrimaryMunicipality]), the
//     rest in nearby and large municipalities, with real-shaped postal
//     codes, five-digit street codes and dwelling units.
//   - KRR ([Contact]): about 15 % reserved, some without contact details or
//     with only one channel, about 8 % with contact details older than 18
//     months (the 18-month rule), some without a digital mailbox, the dead
//     and a few others SLETTET, children under 16 and a few adults not
//     registered; languages nb, nn, en and se; mailboxes at Digipost and
//     e-Boks.
//
// # The event feed
//
// The population's last four years ([Window]) are played as events, in the
// order and with the types of Folkeregisteret's feed: births
// (personErOpprettet for the child and endringIFamilierelasjon for each
// parent), deaths (personErDoed, and endringISivilstand for a surviving
// spouse), moves of households (endringIBostedsadresse for each member),
// name changes (endringINavn) and marriages of cohabiting couples
// (endringISivilstand for both). Every person's record is the starting
// values with that person's events applied: [Population.History] gives it
// as it was after any event, with earlier values kept as history, and
// [Population.Person] as it is now. [Population.Advance] lets more time
// pass.
//
// # Size
//
// Only compact arrays are kept (about 80 bytes a person, events included);
// names, addresses, contact details and histories are derived on demand. A
// million persons take about 85 MiB of heap and under two seconds to make
// on a two-core machine; BenchmarkNewMillion measures it.
//
// The same seed, size and reference day ([WithReference]) always give the
// same population.
package population
