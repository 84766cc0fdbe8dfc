package krr

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/jws"
	"github.com/fellesgo/felles/sandbox/maskinporten"
	"github.com/fellesgo/felles/sandbox/population"
)

// Scopes of the lookup service. The supplier scopes give the same data to
// a supplier acting for a customer (Altinn delegation).
const (
	ScopeContactInfo         = "krr:global/kontaktinformasjon.read"
	ScopeDigitalPost         = "krr:global/digitalpost.read"
	ScopeSupplierContactInfo = "krr:global/kontaktinfo.read"
	ScopeSupplierDigitalPost = "krr:global/postkasse.read"
)

// Paths below the server's root.
const (
	PathPersonsV1 = "/rest/v1/personer"
	PathPersonsV2 = "/rest/v2/personer"
	PathPrintCert = "/rest/v2/printSertifikat"
)

// DigdirOrganizationNumber is Digitaliseringsdirektoratet's organisation
// number, the subject of the certificate that signs application/jose
// answers.
const DigdirOrganizationNumber = "991825827"

// Limits.
const (
	// MaxPersons is the most identifiers a lookup takes.
	MaxPersons = 1000
	maxBody    = 1 << 20
)

// Provider is a digital mailbox provider (postkasseleverandør). As in
// reality, one certificate serves all its users: it is the sertifikat of
// every person whose mailbox the provider keeps.
type Provider struct {
	OrganizationNumber string // population.Digipost or population.EBoks
	Name               string
	Certificate        *identity.Certificate
}

// Config configures a [Server].
type Config struct {
	Population *population.Population // required
	Verifier   *maskinporten.Verifier // required
	// Signer signs application/jose answers: a certificate for
	// DigdirOrganizationNumber, whose chain goes in the x5c header.
	// Required.
	Signer *identity.Certificate
	// Providers are the mailbox providers, one per organisation number the
	// population uses; the first is also the print provider
	// (printSertifikat). Required.
	Providers []Provider
	// Now is the clock of the 18-month rule; nil means time.Now.
	Now func() time.Time
}

// Server imitates KRR's lookup service (oppslagstjenesten) over a
// synthetic population. Mount it with http.StripPrefix; it is safe for
// concurrent use.
type Server struct {
	pop       *population.Population
	signer    *identity.Certificate
	x5c       []string
	providers map[string]Provider
	print     Provider
	now       func() time.Time
	handle    http.Handler
}

// NewServer returns a server over c.Population.
func NewServer(c Config) (*Server, error) {
	if c.Population == nil || c.Verifier == nil || c.Signer == nil || len(c.Providers) == 0 {
		return nil, errors.New("krr: Population, Verifier, Signer and Providers are required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	s := &Server{pop: c.Population, signer: c.Signer, now: c.Now, providers: map[string]Provider{}, print: c.Providers[0]}
	for _, p := range c.Providers {
		if p.Certificate == nil {
			return nil, fmt.Errorf("krr: provider %s has no certificate", p.OrganizationNumber)
		}
		s.providers[p.OrganizationNumber] = p
	}
	for _, cert := range c.Signer.Chain {
		s.x5c = append(s.x5c, base64.StdEncoding.EncodeToString(cert.Raw))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathPersonsV1, s.persons(false))
	mux.HandleFunc("POST "+PathPersonsV2, s.persons(true))
	mux.HandleFunc("GET "+PathPrintCert, s.printCertificate)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusNotFound
		if r.URL.Path == PathPersonsV1 || r.URL.Path == PathPersonsV2 || r.URL.Path == PathPrintCert {
			status = http.StatusMethodNotAllowed
		}
		writeError(w, r, status, "No endpoint "+r.Method+" "+truncate(r.URL.Path, 100))
	})
	s.handle = c.Verifier.Middleware("")(mux)
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handle.ServeHTTP(w, r) }

// Request is the body of a lookup.
type Request struct {
	Personidentifikatorer []string `json:"personidentifikatorer"`
	// InkluderIkkeRegistrerte (v2): answer unknown identifiers with status
	// IKKE_REGISTRERT instead of leaving them out.
	InkluderIkkeRegistrerte bool `json:"inkluderIkkeRegistrerte"`
}

// ParseRequest decodes and checks a lookup body: 1 to [MaxPersons]
// identifiers of 11 digits.
func ParseRequest(body []byte) (Request, error) {
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		return req, fmt.Errorf(`the body is not JSON of the form {"personidentifikatorer":["..."]}: %v`, err)
	}
	if n := len(req.Personidentifikatorer); n < 1 || n > MaxPersons {
		return req, fmt.Errorf("personidentifikatorer must hold 1 to %d identifiers, not %d", MaxPersons, n)
	}
	for k, id := range req.Personidentifikatorer {
		if !elevenDigits(id) {
			return req, fmt.Errorf("personidentifikatorer[%d] is not 11 digits", k)
		}
	}
	return req, nil
}

func elevenDigits(s string) bool {
	if len(s) != 11 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Response is the answer to a lookup.
type Response struct {
	Personer []Person `json:"personer"`
}

// Person is a person in a lookup's answer; fields the token's scopes do
// not cover are left out.
type Person struct {
	Personidentifikator   string              `json:"personidentifikator"`
	Reservasjon           string              `json:"reservasjon,omitempty"`
	Reservasjonstidspunkt string              `json:"reservasjonstidspunkt,omitempty"`
	ReservasjonOppdatert  string              `json:"reservasjon_oppdatert,omitempty"`
	Status                string              `json:"status"`
	Varslingsstatus       string              `json:"varslingsstatus,omitempty"`
	Kontaktinformasjon    *Kontaktinformasjon `json:"kontaktinformasjon,omitempty"`
	DigitalPost           *DigitalPost        `json:"digital_post,omitempty"`
	Sertifikat            string              `json:"sertifikat,omitempty"`
	Spraak                string              `json:"spraak,omitempty"`
	SpraakOppdatert       string              `json:"spraak_oppdatert,omitempty"`
}

// Kontaktinformasjon is a person's contact details.
type Kontaktinformasjon struct {
	Epostadresse                     string `json:"epostadresse,omitempty"`
	EpostadresseOppdatert            string `json:"epostadresse_oppdatert,omitempty"`
	EpostadresseSistVerifisert       string `json:"epostadresse_sist_verifisert,omitempty"`
	Mobiltelefonnummer               string `json:"mobiltelefonnummer,omitempty"`
	MobiltelefonnummerOppdatert      string `json:"mobiltelefonnummer_oppdatert,omitempty"`
	MobiltelefonnummerSistVerifisert string `json:"mobiltelefonnummer_sist_verifisert,omitempty"`
}

// DigitalPost is a person's digital mailbox.
type DigitalPost struct {
	Postkasseadresse            string `json:"postkasseadresse"`
	Postkasseleverandoeradresse string `json:"postkasseleverandoeradresse"`
}

// KRR writes times in two forms side by side: local time with an offset
// in whole hours ("2023-06-13T13:42:34+02") and UTC with milliseconds
// ("2023-08-05T10:45:15.768Z").
func hourOffset(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return population.Oslo(t).Format("2006-01-02T15:04:05-07")
}

func utcMillis(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// scopes says what a token may see.
type scopes struct{ contact, post bool }

func (s *Server) persons(v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, _ := maskinporten.FromContext(r.Context())
		sc := scopes{
			contact: tok != nil && (tok.HasScope(ScopeContactInfo) || tok.HasScope(ScopeSupplierContactInfo)),
			post:    tok != nil && (tok.HasScope(ScopeDigitalPost) || tok.HasScope(ScopeSupplierDigitalPost)),
		}
		if !sc.contact && !sc.post {
			insufficientScope(w, ScopeContactInfo+" "+ScopeDigitalPost)
			return
		}
		signed, ok := negotiate(r.Header.Values("Accept"))
		if !ok {
			writeError(w, r, http.StatusNotAcceptable, "Acceptable representations: [application/json, application/jose]")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			writeError(w, r, http.StatusBadRequest, "Required request body is missing or too large")
			return
		}
		req, err := ParseRequest(body)
		if err != nil {
			writeError(w, r, http.StatusBadRequest, err.Error())
			return
		}
		resp := s.lookup(req.Personidentifikatorer, v2 && req.InkluderIkkeRegistrerte, sc)
		payload, err := json.Marshal(resp)
		if err != nil {
			writeError(w, r, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		if !signed {
			w.Header().Set("Content-Type", "application/json")
			w.Write(payload)
			return
		}
		token, err := jws.Sign(s.signer.Signer, jws.RS256, map[string]any{"x5c": s.x5c}, payload)
		if err != nil {
			writeError(w, r, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		w.Header().Set("Content-Type", "application/jose")
		io.WriteString(w, token)
	}
}

// Lookup answers a lookup of ids as a token with both scopes would see
// it, without HTTP: for tests that compare.
func (s *Server) Lookup(ids []string, includeUnregistered bool) Response {
	return s.lookup(ids, includeUnregistered, scopes{contact: true, post: true})
}

func (s *Server) lookup(ids []string, includeUnregistered bool, sc scopes) Response {
	now := s.now()
	resp := Response{Personer: make([]Person, 0, len(ids))}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		var c population.Contact
		if per, ok := s.pop.ByID(id); ok {
			c = per.Contact
		} else {
			c.Status = population.KRRNotRegistered
		}
		if c.Status == population.KRRNotRegistered && !includeUnregistered {
			continue
		}
		resp.Personer = append(resp.Personer, s.person(id, c, sc, now))
	}
	return resp
}

func (s *Server) person(id string, c population.Contact, sc scopes, now time.Time) Person {
	p := Person{Personidentifikator: id, Status: c.Status}
	if sc.contact {
		p.Varslingsstatus = "KAN_IKKE_VARSLES"
		if c.Notifiable(now) {
			p.Varslingsstatus = "KAN_VARSLES"
		}
	}
	if c.Status == population.KRRNotRegistered {
		return p
	}
	p.Reservasjon = "NEI"
	if c.Reserved {
		p.Reservasjon = "JA"
		p.Reservasjonstidspunkt = hourOffset(c.ReservedAt)
	}
	p.ReservasjonOppdatert = hourOffset(c.ReservationUpdated)
	if c.Status != population.KRRActive {
		return p
	}
	if sc.contact {
		if c.Email != "" || c.Mobile != "" {
			p.Kontaktinformasjon = &Kontaktinformasjon{
				Epostadresse: c.Email, EpostadresseOppdatert: hourOffset(c.EmailUpdated), EpostadresseSistVerifisert: utcMillis(c.EmailVerified),
				Mobiltelefonnummer: c.Mobile, MobiltelefonnummerOppdatert: hourOffset(c.MobileUpdated), MobiltelefonnummerSistVerifisert: utcMillis(c.MobileVerified),
			}
		}
		p.Spraak, p.SpraakOppdatert = c.Language, utcMillis(c.LanguageUpdated)
	}
	if sc.post && c.MailboxProvider != "" {
		if prov, ok := s.providers[c.MailboxProvider]; ok {
			p.DigitalPost = &DigitalPost{Postkasseadresse: c.MailboxAddress, Postkasseleverandoeradresse: c.MailboxProvider}
			p.Sertifikat = base64.StdEncoding.EncodeToString(prov.Certificate.Leaf().Raw)
		}
	}
	return p
}

// negotiate picks the representation: JSON, or a JWS (signed) for
// application/jose. No Accept header means JSON.
func negotiate(values []string) (signed, ok bool) {
	if len(values) == 0 {
		return false, true
	}
	json := false
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || params["q"] == "0" {
				continue
			}
			switch mt {
			case "application/jose":
				return true, true
			case "application/json", "application/*", "*/*":
				json = true
			}
		}
	}
	return false, json
}

// PrintCertificate is the answer of printSertifikat.
type PrintCertificate struct {
	PostkasseleverandoerAdresse string `json:"postkasseleverandoerAdresse"`
	X509Sertifikat              string `json:"x509Sertifikat"`
}

func (s *Server) printCertificate(w http.ResponseWriter, r *http.Request) {
	tok, _ := maskinporten.FromContext(r.Context())
	if tok == nil || !(tok.HasScope(ScopeDigitalPost) || tok.HasScope(ScopeSupplierDigitalPost)) {
		insufficientScope(w, ScopeDigitalPost)
		return
	}
	writeJSON(w, http.StatusOK, PrintCertificate{
		PostkasseleverandoerAdresse: s.print.OrganizationNumber,
		X509Sertifikat:              base64.StdEncoding.EncodeToString(s.print.Certificate.Leaf().Raw),
	})
}

// insufficientScope answers 403 as the sandbox's Maskinporten verifier
// does (RFC 6750 §3).
func insufficientScope(w http.ResponseWriter, scope string) {
	desc := "the access token has none of the scopes " + scope
	w.Header().Set("WWW-Authenticate", `Bearer realm="felles-sandbox", error="insufficient_scope", error_description="`+desc+`", scope="`+scope+`"`)
	writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope", "error_description": desc})
}

// SpringError is the error body: Spring Boot's default.
type SpringError struct {
	Timestamp string `json:"timestamp"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Path      string `json:"path"`
}

func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeJSON(w, status, SpringError{
		Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000+00:00"), Status: status,
		Error: http.StatusText(status), Message: msg, Path: r.URL.Path,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// ErrorFor returns the error body KRR answers status with for a request
// to path (below the server's root), at now: the sandbox uses it for
// injected faults.
func ErrorFor(status int, path string, now time.Time) SpringError {
	return SpringError{
		Timestamp: now.UTC().Format("2006-01-02T15:04:05.000+00:00"), Status: status,
		Error: http.StatusText(status), Message: "Fault injected by the felles sandbox", Path: path,
	}
}

// Providers returns the mailbox providers, with their certificates and
// keys (a digital post sandbox decrypts with them).
func (s *Server) Providers() []Provider {
	out := make([]Provider, 0, len(s.providers))
	for _, orgnr := range []string{population.Digipost, population.EBoks} {
		if p, ok := s.providers[orgnr]; ok {
			out = append(out, p)
		}
	}
	for orgnr, p := range s.providers {
		if orgnr != population.Digipost && orgnr != population.EBoks {
			out = append(out, p)
		}
	}
	return out
}

// Signer returns the certificate that signs application/jose answers.
func (s *Server) Signer() *identity.Certificate { return s.signer }
