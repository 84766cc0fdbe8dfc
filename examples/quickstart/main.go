// Quickstart is a guided tour of felles against the sandbox, the local
// imitation of the national services, started in-process:
//
//	go run ./examples/quickstart
//
// It gets a Maskinporten access token with the sandbox test client's
// enterprise certificate, calls a protected sandbox endpoint with it, and
// shows what a refusal looks like; then it builds an EHF invoice, validates
// it with the official rules and prints it; and it seals a PDF letter with
// the certificate (PAdES, timestamped by the sandbox's timestamp authority)
// and verifies it. With -config it uses a felles
// configuration file instead (for example the one `felles sandbox` writes).
package main

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/fellesgo/felles"
	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/registry/folkeregister"
	"github.com/fellesgo/felles/registry/krr"
	"github.com/fellesgo/felles/sandbox"
	"github.com/fellesgo/felles/sandbox/population"
)

func main() {
	cfgPath := flag.String("config", "", "felles configuration `FILE`; default: an in-process sandbox")
	person := flag.String("person", "", "fødselsnummer to look up in the registers; default in the sandbox: a synthetic resident")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, *cfgPath, *person, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// tour is what the steps need: where to get tokens and what to call.
type tour struct {
	mp        *maskinporten.Client
	cert      *identity.Certificate
	clientID  string
	scope     string
	whoamiURL string         // a protected endpoint; empty outside a sandbox
	krrURL    string         // KRR base URL; empty if not configured
	fregURL   string         // Folkeregisteret base URL; empty if not configured
	person    string         // whom to look up in the registers; empty: skip
	reserved  string         // a reserved person, for contrast; sandbox only
	tsaURL    string         // an RFC 3161 timestamp authority; empty: none
	roots     *x509.CertPool // trusted roots for verifying signatures; nil: the system's
}

func run(ctx context.Context, cfgPath, person string, out io.Writer) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	var t tour
	if cfgPath == "" {
		say("1. Starting the felles sandbox in-process (an imitation of Maskinporten and the registers).")
		sb, err := sandbox.Start()
		if err != nil {
			return err
		}
		defer sb.Close()
		say("   Sandbox running at %s; Maskinporten issuer %s", sb.URL(), sb.MaskinportenIssuer())
		tc := sb.TestClient()
		t.cert, t.clientID, t.scope = tc.Certificate, tc.ClientID, tc.Scopes[0]
		t.whoamiURL = sb.URL() + "/sandbox/whoami"
		t.krrURL, t.fregURL = sb.Endpoints()["krr"], sb.Endpoints()["folkeregister"]
		t.tsaURL, t.roots = sb.TSAURL(), sb.Roots()
		pop := sb.Population()
		if resident, ok := pop.Find(population.Person.CanReceiveDigitalPost); ok {
			t.person = resident.ID.Digits()
		}
		if reserved, ok := pop.Find(func(p population.Person) bool { return p.Alive() && p.Reserved }); ok {
			t.reserved = reserved.ID.Digits()
		}
		say("   Its registers hold %d synthetic persons (fødselsnummer with +80 on the month, as Skatteetaten's test data).", pop.Len())
		if t.mp, err = maskinporten.NewFromCertificate(tc.ClientID, tc.Certificate, maskinporten.WithIssuer(sb.MaskinportenIssuer())); err != nil {
			return err
		}
	} else {
		say("1. Reading the configuration %s.", cfgPath)
		cfg, err := felles.LoadConfig(cfgPath)
		if err != nil {
			return err
		}
		if t.cert, err = cfg.LoadCertificate(); err != nil {
			return err
		}
		if t.mp, err = cfg.Maskinporten(); err != nil {
			return err
		}
		t.clientID, t.scope = cfg.ClientID, "krr:global/kontaktinformasjon.read"
		if base, err := cfg.Endpoint("sandbox"); err == nil {
			t.whoamiURL = base + "whoami"
		}
		t.krrURL, _ = cfg.Endpoint(felles.ServiceKRR)
		t.fregURL, _ = cfg.Endpoint(felles.ServiceFolkeregister)
		t.tsaURL, _ = cfg.Endpoint(felles.ServiceTSA)
		if t.roots, err = cfg.LoadRoots(); err != nil {
			return err
		}
		if person == "" && t.fregURL != "" && t.krrURL != "" {
			if t.person, err = someoneFromTheFeed(ctx, t); err != nil {
				return err
			}
		}
	}
	if person != "" {
		t.person = person
	}

	orgnr, err := t.cert.OrganizationNumber()
	if err != nil {
		return err
	}
	leaf := t.cert.Leaf()
	say("\n2. The enterprise certificate (virksomhetssertifikat) of client %s:", t.clientID)
	name := leaf.Subject.CommonName
	if org := strings.Join(leaf.Subject.Organization, ", "); org != name {
		name += " (" + org + ")"
	}
	say("   %s", name)
	say("   issued by %s, valid until %s", leaf.Issuer.CommonName, leaf.NotAfter.Format(time.DateOnly))
	say("   organisation number %s", orgnr)

	say("\n3. Asking Maskinporten for an access token with scope %q.", t.scope)
	say("   felles signs a JWT grant (RS256, x5c = the certificate chain, a fresh jti) and posts it to the token endpoint.")
	req := maskinporten.Request{Scopes: []string{t.scope}}
	tok, err := t.mp.Token(ctx, req)
	if err != nil {
		return err
	}
	say("   Got a %s token valid until %s (%d characters).", tok.TokenType, tok.Expiry.Format(time.TimeOnly), len(tok.AccessToken))
	if payload, ok := jwtPayload(tok.AccessToken); ok {
		var claims struct {
			Scope    string `json:"scope"`
			ClientID string `json:"client_id"`
			Consumer struct {
				ID string `json:"ID"`
			} `json:"consumer"`
		}
		if json.Unmarshal(payload, &claims) == nil {
			say("   Its claims: client_id %s, consumer %s, scope %q.", claims.ClientID, claims.Consumer.ID, claims.Scope)
		}
	}
	again, err := t.mp.Token(ctx, req)
	if err != nil {
		return err
	}
	say("   Asking again returns the cached token (same token: %t); felles renews it ahead of expiry.", again.AccessToken == tok.AccessToken)

	if t.whoamiURL != "" {
		say("\n4. Calling a protected sandbox endpoint, %s, with an http.Client that adds the token.", t.whoamiURL)
		hc := t.mp.HTTPClient(req)
		hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, t.whoamiURL, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(hreq)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("whoami answered %s: %s", resp.Status, body)
		}
		say("   %s: %s", resp.Status, body)
	}

	if t.person != "" && t.krrURL != "" && t.fregURL != "" {
		say("\n5. Looking a resident up in Folkeregisteret and in the contact register (KRR).")
		if err := lookUp(ctx, say, t, t.person); err != nil {
			return err
		}
		if t.reserved != "" {
			say("   And a resident who has reserved against digital contact:")
			if err := lookUp(ctx, say, t, t.reserved); err != nil {
				return err
			}
		}
	}

	say("\n6. Asking for a scope the client has not been granted shows a typed error:")
	_, err = t.mp.Token(ctx, maskinporten.Request{Scopes: []string{"nav:example/not-granted"}})
	var mpErr *maskinporten.Error
	if !errors.As(err, &mpErr) {
		return fmt.Errorf("expected a Maskinporten refusal, got %v", err)
	}
	say("   HTTP %d, error %q: %s", mpErr.StatusCode, mpErr.Code, mpErr.Description)

	say("\n7. Building an EHF invoice (Peppol BIS Billing 3.0) from %s to Eksempel kommune, and validating it.", leaf.Subject.CommonName)
	if err := invoiceStep(say, orgnr, leaf.Subject.CommonName); err != nil {
		return err
	}

	say("\n8. Sealing a decision letter (PDF) with the enterprise certificate (e-segl), and verifying it.")
	if err := sealStep(ctx, say, t.cert, t.tsaURL, t.roots); err != nil {
		return err
	}

	say("\nDone. Next: `go run ./cmd/felles sandbox` runs the sandbox standalone and writes a felles.json to use with `felles token`.")
	return nil
}

// jwtPayload decodes the claims of a JWT without verifying it: fine for
// showing a token we just received, never for trusting one.
func jwtPayload(token string) ([]byte, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	return b, err == nil
}

// lookUp asks Folkeregisteret who id is and KRR how to reach them.
func lookUp(ctx context.Context, say func(string, ...any), t tour, id string) error {
	freg, err := folkeregister.New(t.fregURL, t.mp.TokenSource(maskinporten.Request{
		Scopes: []string{folkeregister.OffentligMedHjemmel.Scope()}}))
	if err != nil {
		return err
	}
	p, err := freg.Person(ctx, id)
	if err != nil {
		return err
	}
	born, _ := p.BirthDate()
	say("   Folkeregisteret: %s, born %s, status %s", p.CurrentName(), born.Format(time.DateOnly), p.CurrentStatus())
	if addr, ok := p.CurrentAddress(); ok {
		say("     lives at %s", strings.Join(addr.Lines(), ", "))
	}

	// One token with both KRR scopes: contact details and digital mailbox.
	kc, err := krr.New(t.krrURL, t.mp.TokenSource(maskinporten.Request{
		Scopes: []string{krr.ScopeContactInfo, krr.ScopeDigitalPost}}))
	if err != nil {
		return err
	}
	people, err := kc.Lookup(ctx, id)
	if err != nil {
		return err
	}
	k := people[0]
	reserved := string(k.Reservation)
	if reserved == "" {
		reserved = "not stated"
	}
	say("   KRR: status %s, reserved %s, mailbox %t", k.Status, reserved, k.Mailbox != nil)
	d := k.ContactDecision(time.Now())
	say("   Contact decision: %s. %s", d.Method, d.Reason)
	return nil
}

// someoneFromTheFeed returns the identity number of the person in one of
// Folkeregisteret's latest events, for a tour against a configured
// environment where no -person was given.
func someoneFromTheFeed(ctx context.Context, t tour) (string, error) {
	freg, err := folkeregister.New(t.fregURL, t.mp.TokenSource(maskinporten.Request{
		Scopes: []string{folkeregister.OffentligMedHjemmel.Scope()}}))
	if err != nil {
		return "", err
	}
	latest, err := freg.LatestSequence(ctx)
	if err != nil {
		return "", err
	}
	for ev, err := range freg.Events(ctx, max(1, latest-50)) {
		if err != nil {
			return "", err
		}
		if !ev.PersonID.IsZero() {
			return ev.PersonID.Digits(), nil
		}
	}
	return "", nil // an empty feed: the register step is skipped
}
