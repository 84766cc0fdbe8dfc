// Package folkeregister is a client for Folkeregisteret, the Norwegian
// National Population Register, through Skatteetaten's consumer API
// (konsumenttjenester): person lookups, bulk lookups and searches, and the
// event feed (hendelsesliste).
//
//	mp, _ := cfg.Maskinporten()
//	ts := mp.TokenSource(maskinporten.Request{Scopes: []string{folkeregister.OffentligMedHjemmel.Scope()}})
//	c, err := folkeregister.New("https://folkeregisteret.api.skatteetaten.no/", ts)
//	...
//	p, err := c.Person(ctx, "09052400284", folkeregister.PartNavn, folkeregister.PartBostedsadresse)
//	fmt.Println(p.CurrentName())
//
// # Rights packages and URLs
//
// A consumer is granted a rights package ([RightsPackage]), which decides
// the URL path of every resource and the Maskinporten scope: for
// [OffentligMedHjemmel], the default, the resources are below
// {base}folkeregisteret/offentlig-med-hjemmel/api/v1/ and the scope is
// folkeregister:deling/offentligmedhjemmel; the other packages are below
// {base}folkeregisteret/api/{package}/v1/. [WithPackage] chooses the package
// and [RightsPackage.Scope] gives the scope to ask Maskinporten for.
// Municipalities using KS Fiks Folkeregister instead use [KSFiks] with
// the proxy's URL and [WithHeader] for its IntegrasjonId and
// IntegrasjonPassord.
//
// # Person documents
//
// A [Person] mirrors Folkeregisteret's JSON. Go names are the API's with the
// first letter in upper case (navn → Navn, foedselsEllerDNummer →
// FoedselsEllerDNummer; "Id" becomes "ID"), so that the documentation of
// Folkeregisteret applies unchanged; the package's own functions and
// methods have English names. Every property is a slice of elements, each
// carrying its register [Metadata]; [Current] picks the current element
// (erGjeldende), [History] orders them, [ValidAt] finds the one that
// applied at a time.
//
// The documents are read leniently, because Folkeregisteret's model grows
// and its examples vary:
//
//   - members this package does not know are kept verbatim in the Extra
//     field of the object they were in, and written back by MarshalJSON;
//     so are known members whose value does not fit (the field then keeps
//     what could be read);
//   - enumerations are string types, so new values (such as
//     identitetsgrunnlagstatus "unik" from 2027) come through as they are;
//   - a string field also takes a number (foedselsaar is a string, "1924",
//     but 1924 is read too), integers take strings of digits, booleans take
//     "true" and "false", and a property given as one object rather than an
//     array is read as one element;
//   - timestamps may have any number of fractional digits and an offset
//     written +02:00, +0200 or +02; one without an offset is read as UTC;
//   - dates (foedselsdato, doedsdato, flyttedato, ...) are kept as the
//     strings Folkeregisteret sends; [ParseDate] parses them.
//
// # The event feed
//
// [Client.Events] walks the feed from a sequence number to its end, and
// [Client.Follow] keeps polling for new events. The consumer persists the
// Sequence of the last event it handled and resumes from the next: no
// event is lost or repeated across restarts, nor within an iteration when
// requests fail and are retried. Events whose type this package does not
// know come through with their type as Folkeregisteret wrote it, under
// either spelling of the member, hendelsetype or hendelsestype.
//
// # Errors and privacy
//
// Folkeregisteret's errors are *[APIError] values ({kode, melding}, or the
// support id of a firewall's HTML page); sentinels such as [ErrNotFound]
// and [ErrSequenceTooOld] are matched with errors.Is. Requests are retried
// on dropped connections, 408, 429 (honouring Retry-After, which
// Folkeregisteret gives in milliseconds) and 5xx. Identity numbers are
// [personid.Number] values in results and errors, which print only their
// birth date part; log records are redacted. Every lookup is logged by
// Folkeregisteret, and persons can see who looked them up.
//
// Skatteetaten's documentation:
// https://skatteetaten.github.io/folkeregisteret-api-dokumentasjon/ (source
// https://github.com/Skatteetaten/folkeregisteret-api-dokumentasjon), and
// the OpenAPI descriptions on SwaggerHub (organisation skatteetaten).
package folkeregister
