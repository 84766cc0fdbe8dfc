package folkeregister_test

// Tests of the client against the felles sandbox's Folkeregisteret, written
// from the same specification by someone else, behind the sandbox's
// Maskinporten.

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/registry/folkeregister"
	"github.com/fellesgo/felles/registry/personid"
	"github.com/fellesgo/felles/sandbox"
	"github.com/fellesgo/felles/sandbox/population"
)

func startSandbox(tb testing.TB, opts ...sandbox.Option) *sandbox.Sandbox {
	tb.Helper()
	sb, err := sandbox.Start(append([]sandbox.Option{sandbox.WithPopulation(2000, 7)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sb.Close() })
	if _, ok := sb.Endpoints()["folkeregister"]; !ok {
		tb.Skip("the sandbox has no Folkeregisteret")
	}
	return sb
}

// sandboxClient returns a client of the sandbox's Folkeregisteret for pkg,
// with tokens from the sandbox's Maskinporten for the package's scope.
func sandboxClient(tb testing.TB, sb *sandbox.Sandbox, pkg folkeregister.RightsPackage, opts ...folkeregister.Option) *folkeregister.Client {
	tb.Helper()
	tc := sb.TestClient()
	mp, err := maskinporten.NewFromCertificate(tc.ClientID, tc.Certificate, maskinporten.WithIssuer(sb.MaskinportenIssuer()))
	if err != nil {
		tb.Fatal(err)
	}
	ts := mp.TokenSource(maskinporten.Request{Scopes: []string{pkg.Scope()}})
	c, err := folkeregister.New(sb.Endpoints()["folkeregister"], ts, append([]folkeregister.Option{folkeregister.WithPackage(pkg)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestSandboxPerson(t *testing.T) {
	sb := startSandbox(t)
	c := sandboxClient(t, sb, folkeregister.OffentligMedHjemmel)
	ctx := t.Context()
	pop := sb.Population()
	var checked int
	for per := range pop.All() {
		if per.Index%97 != 0 {
			continue
		}
		p, err := c.Person(ctx, per.ID.Digits(), folkeregister.PartHistorikk, folkeregister.PartPersonBasis, folkeregister.PartRelasjonUtvidet)
		if err != nil {
			t.Fatalf("person %d: %v", per.Index, err)
		}
		checked++
		if id, ok := p.ID(); !ok || id != per.ID {
			t.Errorf("person %d: ID %v, want %v", per.Index, id, per.ID)
		}
		if got, want := p.CurrentName(), strings.Join(strings.Fields(per.GivenName+" "+per.MiddleName+" "+per.FamilyName), " "); got != want {
			t.Errorf("person %d: name %q, want %q", per.Index, got, want)
		}
		if got := string(p.CurrentStatus()); got != per.Status {
			t.Errorf("person %d: status %q, want %q", per.Index, got, per.Status)
		}
		if p.IsDead() != per.Dead {
			t.Errorf("person %d: IsDead %v, want %v", per.Index, p.IsDead(), per.Dead)
		}
		if bd, ok := p.BirthDate(); !ok || !bd.Equal(per.BirthDate) {
			t.Errorf("person %d: birth date %v, want %v", per.Index, bd, per.BirthDate)
		}
		if per.Resident() && !per.DNumber {
			a, ok := p.CurrentAddress()
			if !ok || a.Vegadresse == nil {
				t.Errorf("person %d: no current vegadresse: %+v", per.Index, p.Bostedsadresse)
			} else if v := a.Vegadresse; v.Kommunenummer != per.Address.Municipality || v.Adressenavn != per.Address.Street ||
				v.Poststed == nil || v.Poststed.Postnummer != per.Address.PostalCode {
				t.Errorf("person %d: vegadresse %+v, want %+v", per.Index, v, per.Address)
			}
		}
		if per.Mother >= 0 {
			var found bool
			for _, r := range p.Familierelasjon {
				found = found || r.RelatertPersonsRolle == folkeregister.RolleMor && r.RelatertPerson.Digits() == pop.Digits(per.Mother)
			}
			if !found {
				t.Errorf("person %d: mother not among %+v", per.Index, p.Familierelasjon)
			}
		}
		// Every element's metadata was read; nothing was left unread in a
		// known property.
		for _, n := range p.Navn {
			if n.Ajourholdstidspunkt.IsZero() {
				t.Errorf("person %d: a name without ajourholdstidspunkt", per.Index)
			}
			if _, bad := n.Extra["ajourholdstidspunkt"]; bad {
				t.Errorf("person %d: unreadable ajourholdstidspunkt", per.Index)
			}
		}
		assertRoundTrip(t, p)
	}
	if checked < 10 {
		t.Fatalf("only %d persons checked", checked)
	}
	// Unknown person, and a synthetic number nobody has.
	g := personid.NewGenerator(99)
	for {
		n, _ := g.Next(personid.Options{})
		if _, ok := pop.ByID(n.Digits()); ok {
			continue
		}
		if _, err := c.Person(ctx, n.Digits()); !errors.Is(err, folkeregister.ErrNotFound) {
			t.Errorf("unknown person: %v", err)
		}
		break
	}
}

func TestSandboxPackagesAndScopes(t *testing.T) {
	sb := startSandbox(t)
	per := sb.Population().Person(3)
	ctx := t.Context()
	uten := sandboxClient(t, sb, folkeregister.OffentligUtenHjemmel)
	p, err := uten.Person(ctx, per.ID.Digits())
	if err != nil || p.CurrentName() == "" {
		t.Fatalf("uten hjemmel: %v, %v", p, err)
	}
	// relasjon-utvidet is not in the package: 403.
	if _, err := uten.Person(ctx, per.ID.Digits(), folkeregister.PartRelasjonUtvidet); !errors.Is(err, folkeregister.ErrForbidden) {
		t.Errorf("a part outside the package: %v", err)
	}
	// A token for one package does not open the other.
	tc := sb.TestClient()
	mp, _ := maskinporten.NewFromCertificate(tc.ClientID, tc.Certificate, maskinporten.WithIssuer(sb.MaskinportenIssuer()))
	wrong, _ := folkeregister.New(sb.Endpoints()["folkeregister"],
		mp.TokenSource(maskinporten.Request{Scopes: []string{folkeregister.OffentligUtenHjemmel.Scope()}}))
	_, err = wrong.Person(ctx, per.ID.Digits())
	var ae *folkeregister.APIError
	if !errors.Is(err, folkeregister.ErrForbidden) || !errors.As(err, &ae) {
		t.Errorf("wrong scope: %v", err)
	} else if strings.Contains(err.Error(), per.ID.Digits()) {
		t.Errorf("the error holds the number: %v", err)
	}
}

func TestSandboxBulkSearch(t *testing.T) {
	sb := startSandbox(t)
	c := sandboxClient(t, sb, folkeregister.OffentligMedHjemmel)
	ctx := t.Context()
	pop := sb.Population()
	var ids []string
	for i := range 1500 {
		ids = append(ids, pop.Digits(i))
	}
	ids = append(ids, "12345678901") // invalid
	g := personid.NewGenerator(5)
	for {
		n, _ := g.Next(personid.Options{})
		if _, ok := pop.ByID(n.Digits()); !ok {
			ids = append(ids, n.Digits()) // valid, unknown
			break
		}
	}
	res, err := c.BulkPersons(ctx, ids, folkeregister.PartNavn, folkeregister.PartStatus)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1500 {
		if res[i].Err != nil || res[i].Person.CurrentName() != pop.Person(i).Name() && res[i].Person.CurrentName() == "" {
			t.Fatalf("result %d: %+v", i, res[i])
		}
		if len(res[i].Person.Bostedsadresse) != 0 {
			t.Errorf("result %d: bostedsadresse without the part", i)
		}
	}
	var ie *folkeregister.InvalidIDError
	if !errors.As(res[1500].Err, &ie) {
		t.Errorf("invalid: %+v", res[1500])
	}
	if !errors.Is(res[1501].Err, folkeregister.ErrNotFound) {
		t.Errorf("unknown: %+v", res[1501])
	}

	// Search for the family name and municipality of a resident.
	per, ok := pop.Find(func(p population.Person) bool { return p.Resident() && !p.DNumber && p.Alive() })
	if !ok {
		t.Fatal("no resident")
	}
	hits, err := c.Search(ctx, folkeregister.SearchQuery{Navn: per.FamilyName, Kommunenummer: per.Municipality})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(hits, per.ID) {
		t.Errorf("search: %d hits without the person", len(hits))
	}
	p, err := c.UniqueSearch(ctx, folkeregister.UniqueQuery{Identifikasjonsnummer: per.ID.Digits(), Navn: per.FamilyName}, folkeregister.PartNavn)
	if err != nil {
		t.Fatal(err)
	}
	if p.CurrentName() != per.Name() && len(p.Navn) == 0 {
		t.Errorf("unique search found %q", p.CurrentName())
	}
	if id, _ := p.ID(); id != per.ID {
		// Skatteetaten: identifikasjonsnummer is always part of the answer
		// (dataminimering.md), whatever the part selection.
		t.Errorf("entydigsoek with part=navn: identifikasjonsnummer %v, want %v", id, per.ID)
	}
	if _, err := c.UniqueSearch(ctx, folkeregister.UniqueQuery{Navn: "INGEN SLIK", Foedselsdato: time.Date(1901, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Error("unique search for nobody succeeded")
	}
}

func TestSandboxFeed(t *testing.T) {
	sb := startSandbox(t)
	c := sandboxClient(t, sb, folkeregister.OffentligMedHjemmel)
	ctx := t.Context()
	pop := sb.Population()
	latest, err := c.LatestSequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if latest != int64(pop.LastSeq()) {
		t.Errorf("LatestSequence %d, population %d", latest, pop.LastSeq())
	}
	from := max(latest-2500, int64(pop.SeqAt(time.Now().AddDate(-2, 0, 0))))
	// Read to the end, stopping and resuming every 700 events.
	var got []folkeregister.Event
	next := from
	for {
		n := 0
		for e, err := range c.Events(ctx, next) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, e)
			next = e.Sequence + 1
			if n++; n == 700 {
				break
			}
		}
		if n < 700 {
			break
		}
	}
	want := pop.Events(int(from), int(latest-from+1))
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i, e := range got {
		w := want[i]
		if e.Sequence != int64(w.Seq) || string(e.Type) != w.Type || e.PersonID.Digits() != pop.Digits(w.Person) || !e.UpdatedAt.Equal(w.Time) {
			t.Fatalf("event %d: %+v, want %+v", i, e, w)
		}
		if !e.Type.Known() {
			t.Errorf("unknown event type %q", e.Type)
		}
		if e.PersonDocument == "" {
			t.Errorf("event %d without persondokument", e.Sequence)
		}
	}
	// The person as it was after the last event.
	last := got[len(got)-1]
	p, err := c.Archive(ctx, last.PersonDocument)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := p.ID(); id != last.PersonID {
		t.Errorf("archived document of %v, want %v", id, last.PersonID)
	}
	// At the end: an empty page with an ETag, then 304.
	page, err := c.Feed(ctx, latest+1, "")
	if err != nil || len(page.Events) != 0 {
		t.Fatalf("past the end: %+v, %v", page, err)
	}
	if page.ETag != "" {
		again, err := c.Feed(ctx, latest+1, page.ETag)
		if err != nil || !again.NotModified {
			t.Errorf("with the ETag: %+v, %v", again, err)
		}
	} else {
		t.Error("the sandbox gives no ETag at the end of the feed")
	}
	// Too old.
	if _, err := collect(t, c.Events(ctx, 1)); !errors.Is(err, folkeregister.ErrSequenceTooOld) {
		t.Errorf("seq 1: %v, want ErrSequenceTooOld", err)
	}
}

func TestSandboxFollowAndFaults(t *testing.T) {
	sb := startSandbox(t)
	key := "freg-client-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	// Every feed request meets a 429 with Retry-After 50 ms, a 503 and a
	// dropped connection before its answer; the client's retries cover it.
	c := sandboxClient(t, sb, folkeregister.OffentligMedHjemmel)
	ctx := t.Context()
	latest, err := c.LatestSequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	from := max(latest-1500, int64(sb.Population().SeqAt(time.Now().AddDate(-2, 0, 0))))
	faulty := func(fault string) *folkeregister.Client {
		return sandboxClient(t, sb, folkeregister.OffentligMedHjemmel, folkeregister.WithHeader(sandbox.FaultHeader, fault))
	}
	for i, fault := range []string{
		"status=429; retry-after-ms=50; times=2; key=" + key + "-a",
		"status=503; times=2; key=" + key + "-b",
		"drop; times=2; key=" + key + "-c",
	} {
		events, err := collect(t, faulty(fault).Events(ctx, from))
		if err != nil || int64(len(events)) != latest-from+1 || events[0].Sequence != from || events[len(events)-1].Sequence != latest {
			t.Errorf("fault %d: %d events, %v", i, len(events), err)
		}
	}
	// Follow picks up what AdvanceFeed adds.
	fctx, cancel := context.WithCancel(ctx)
	seen := make(chan int64, 1000)
	done := make(chan error, 1)
	go func() {
		_, err := collect(t, func(yield func(folkeregister.Event, error) bool) {
			for e, err := range c.Follow(fctx, latest+1, 20*time.Millisecond) {
				if err == nil {
					seen <- e.Sequence
				}
				if !yield(e, err) {
					return
				}
			}
		})
		done <- err
	}()
	added := sb.AdvanceFeed(30)
	wantLast := int64(added[len(added)-1].Seq)
	var got []int64
	timeout := time.After(20 * time.Second)
	for len(got) == 0 || got[len(got)-1] < wantLast {
		select {
		case s := <-seen:
			got = append(got, s)
		case <-timeout:
			t.Fatalf("Follow saw %v, want up to %d", got, wantLast)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Follow ended with %v", err)
	}
	for i := range got {
		if got[i] != latest+1+int64(i) {
			t.Fatalf("Follow yielded %v", got)
		}
	}
}

// BenchmarkSandboxEvents consumes the sandbox's feed (a population of
// 10 000, the last two years of events) and reports events per second.
func BenchmarkSandboxEvents(b *testing.B) {
	sb, err := sandbox.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sb.Close() })
	if _, ok := sb.Endpoints()["folkeregister"]; !ok {
		b.Skip("the sandbox has no Folkeregisteret")
	}
	c := sandboxClient(b, sb, folkeregister.OffentligMedHjemmel)
	from := int64(sb.Population().SeqAt(time.Now().AddDate(-2, 0, 0)))
	ctx := b.Context()
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		for _, err := range c.Events(ctx, from) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64(n)/float64(b.N), "events/op")
}
