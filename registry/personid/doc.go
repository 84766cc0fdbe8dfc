// Package personid parses and generates national identity numbers: the
// Norwegian fødselsnummer and D-nummer ([Number]) and the Danish CPR number
// ([CPR]).
//
// # Norwegian numbers
//
// [Parse] accepts 11 digits, DDMMYY III K1 K2, and checks both check digits
// and the date. It understands
//
//   - D-nummer: 4 added to the first digit of the day (day 41–71);
//   - synthetic test numbers: 80 added to the month by Skatteetaten (Tenor,
//     Digdir's test users, KRR; first month digit 8 or 9) and 40 added to
//     the month by NAV (Dolly, and the older H-nummer; first month digit 4 or
//     5), see [Number.Synthetic];
//   - the check digits of numbers issued from 1 January 2032, whose first
//     check remainder may be 0, 1, 2 or 3 instead of only 0, see
//     [Number.Scheme].
//
// Skatteetaten documents the rules in
// https://github.com/Skatteetaten/folkeregisteret-api-dokumentasjon:
// src/om-tjenestene/nyttfnr2032.md for the 2032 check digits and
// src/spm-og-svar/sos-utvidelse-av-dnr-serien.md for the D-nummer series
// extended in 2021.
//
// Parse accepts both check digit schemes: Skatteetaten asks every system to
// read them side by side. A caller that must accept only numbers issued
// before 2032 rejects n.Scheme() == Scheme2032; no option is needed for it.
//
// The birth date and the legal sex in a number are only a best effort. Numbers
// of the 2032 scheme encode neither ([Number.BirthDate] and [Number.Sex]
// report false), numbers issued from 2032 whose first check remainder happens
// to be 0 look like older numbers but their individnummer no longer gives the
// century, and a D-nummer's date may differ from the real birth date.
// Folkeregisteret's foedselsdato and kjoenn are authoritative.
//
// # Masking
//
// A national identity number is personal data. [Number] and [CPR] show only
// the birth date part wherever they are printed, logged or marshalled: with
// fmt (every verb), log/slog, encoding/json and encoding (text). The full
// number comes only from [Number.Digits] and [CPR.Digits]; use them to put
// the number on the wire. A [*ParseError] masks the input the same way.
//
// # Danish numbers
//
// [ParseCPR] accepts DDMMYY-SSSS or 10 digits, checks the date and derives the
// century from the seventh digit. The modulus 11 check is only a warning
// ([CPR.Modulus11]): since 2007 CPR numbers that fail it are issued and must
// not be rejected. https://www.cpr.dk/cpr-systemet/personnumre-uden-kontrolciffer-modulus-11-kontrol/
//
// # Test numbers
//
// [Generator] makes random valid synthetic numbers for tests, and
// [Synthesize], [ForBirthDate] and [AllForBirthDate] build them
// deterministically, for example to fill a sandbox population.
package personid
