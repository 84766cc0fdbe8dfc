package sandbox

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/redact"
	"github.com/fellesgo/felles/internal/testpki"
	"github.com/fellesgo/felles/sandbox/folkeregister"
	"github.com/fellesgo/felles/sandbox/krr"
	"github.com/fellesgo/felles/sandbox/maskinporten"
	"github.com/fellesgo/felles/sandbox/population"
	"github.com/fellesgo/felles/sandbox/tsa"
)

// The sandbox's test client, registered at every start.
const (
	// TestClientID is the test client's Maskinporten client id.
	TestClientID = "5b0f6f2e-3c1d-4a8e-9b7a-2e6d4c8f1a03"
	// TestOrganizationNumber is the test client's organisation number, a
	// fictional one with a valid mod-11 check digit.
	TestOrganizationNumber = "311222333"
	// TestOrganizationName is the test client's organisation name.
	TestOrganizationName = "Sandbox Kommune"
)

// Scopes returns the scope catalogue: every scope of the services the
// sandbox imitates. The test client is allowed exactly these.
func Scopes() []string { return slices.Clone(scopes) }

var scopes = []string{
	"krr:global/kontaktinformasjon.read",
	"krr:global/digitalpost.read",
	"folkeregister:deling/offentligmedhjemmel",
	"folkeregister:deling/offentligutenhjemmel",
	"digitalpostinnbygger:send",
	"krr:global/kontaktinfo.read", // KRR's supplier scopes (Altinn delegation)
	"krr:global/postkasse.read",
}

// Client is a Maskinporten client to register with [Sandbox.RegisterClient].
type Client = maskinporten.Client

// Delegation is an Altinn delegation to record with [Sandbox.Delegate].
type Delegation = maskinporten.Delegation

// TestClient is the sandbox's ready-made Maskinporten client.
type TestClient struct {
	ClientID           string
	OrganizationNumber string
	OrganizationName   string
	// Certificate is an enterprise certificate for OrganizationNumber from
	// the sandbox's CA, with its key.
	Certificate *identity.Certificate
	// Scopes are the scopes the client may ask for: all of [Scopes]().
	Scopes []string
}

// CertificateRequest describes an enterprise certificate for
// [Sandbox.IssueCertificate].
type CertificateRequest struct {
	OrganizationNumber string // nine digits; required
	OrganizationName   string // required
	// LegacySubject puts the organisation number in the subject's
	// serialNumber, as older certificates do, instead of
	// organizationIdentifier "NTRNO-<number>".
	LegacySubject bool
	// NotBefore and NotAfter default to an hour before the sandbox's clock
	// and two years after NotBefore.
	NotBefore, NotAfter time.Time
}

// Option configures [Start].
type Option func(*settings) error

type settings struct {
	addr          string
	stateDir      string
	logger        *slog.Logger
	now           func() time.Time
	tokenLifetime time.Duration
	faults        []Fault
	popSize       int
	popSeed       uint64
	liveFeed      time.Duration
}

// Defaults of [WithPopulation]: a municipality of ten thousand.
const (
	DefaultPopulationSize = 10_000
	DefaultPopulationSeed = 1
)

// WithPopulation sets the size (1 to population.MaxSize) and seed of the
// synthetic population behind KRR and Folkeregisteret; the default is
// 10 000 persons from seed 1. The same size, seed and day give the same
// persons, numbers and documents. A million persons take a few seconds to
// make and under 100 MiB.
func WithPopulation(size int, seed uint64) Option {
	return func(s *settings) error {
		if size < 1 || size > population.MaxSize {
			return fmt.Errorf("sandbox: population size %d is not from 1 to %d", size, population.MaxSize)
		}
		s.popSize, s.popSeed = size, seed
		return nil
	}
}

// WithLiveFeed makes the sandbox add an event to Folkeregisteret's event
// feed every interval (at least 10ms), as [Sandbox.AdvanceFeed] does, so
// that a client following the feed has something to follow.
func WithLiveFeed(interval time.Duration) Option {
	return func(s *settings) error {
		if interval < 10*time.Millisecond {
			return fmt.Errorf("sandbox: live feed interval %v is under 10ms", interval)
		}
		s.liveFeed = interval
		return nil
	}
}

// WithAddr makes the sandbox listen on addr, "HOST:PORT"; the default is
// "127.0.0.1:0", a free port on the loopback interface.
func WithAddr(addr string) Option {
	return func(s *settings) error {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("sandbox: address %q is not HOST:PORT", addr)
		}
		s.addr = addr
		return nil
	}
}

// WithStateDir keeps the sandbox's CA, token-signing key, test client's
// key and certificate, and KRR's signing and mailbox certificates in dir (created if missing, mode 0700; files 0600)
// and reuses them on the next start, so that certificates and tokens from
// an earlier run stay valid. Without it everything is new at every start.
func WithStateDir(dir string) Option {
	return func(s *settings) error {
		if dir == "" {
			return errors.New("sandbox: empty state directory")
		}
		s.stateDir = dir
		return nil
	}
}

// WithLogger makes the sandbox log to l: a record per request (method,
// path, status; never a query, a body or a credential) and per token
// request. nil, the default, logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// WithClock sets the sandbox's clock, used for grant and token times and
// certificate validity. The CA's certificates are valid from an hour before
// the real time of the first start, so a clock set before that makes every
// certificate invalid.
func WithClock(now func() time.Time) Option {
	return func(s *settings) error {
		if now == nil {
			return errors.New("sandbox: nil clock")
		}
		s.now = now
		return nil
	}
}

// WithTokenLifetime sets the lifetime of access tokens (expires_in), whole
// seconds from 1 s to 24 h; the default is 120 s, Digdir's default
// access_token_lifetime.
func WithTokenLifetime(d time.Duration) Option {
	return func(s *settings) error {
		if d < time.Second || d > 24*time.Hour || d%time.Second != 0 {
			return fmt.Errorf("sandbox: token lifetime %v is not whole seconds from 1s to 24h", d)
		}
		s.tokenLifetime = d
		return nil
	}
}

// WithFault installs f from the start, as [Sandbox.InjectFault] does.
func WithFault(f Fault) Option {
	return func(s *settings) error {
		if err := f.validate(); err != nil {
			return err
		}
		s.faults = append(s.faults, f)
		return nil
	}
}

// Sandbox is a running sandbox. Its methods are safe for concurrent use.
type Sandbox struct {
	url        string
	srv        *http.Server
	stop       context.CancelFunc
	handler    http.Handler
	ca         *testpki.CA
	mp         *maskinporten.Server
	testClient TestClient
	faults     faultSet
	log        *slog.Logger
	now        func() time.Time
	services   []service
	pop        *population.Population
	krr        *krr.Server
	freg       *folkeregister.Server
	tsa        lazyTSA
	closeOnce  sync.Once
	closeErr   error
	done       chan struct{} // closed when the live feed has stopped
}

// service is an imitated service mounted under a path prefix.
type service struct {
	name    string // the key in Endpoints
	prefix  string // "/maskinporten"; the service sees paths below it
	handler http.Handler
	// faultBody, when set, is the body of an injected fault's Status
	// answer, in the service's own error shape; path is below prefix.
	faultBody func(status int, path string) any
	// retryAfterUnit is the unit of the service's Retry-After values;
	// zero means seconds.
	retryAfterUnit time.Duration
	// exact also serves the prefix itself (POST /tsa), not only below it.
	exact bool
}

// serviceAt returns the service serving path, or nil.
func (s *Sandbox) serviceAt(path string) *service {
	for i := range s.services {
		if strings.HasPrefix(path, s.services[i].prefix+"/") {
			return &s.services[i]
		}
	}
	return nil
}

// Start starts a sandbox: it listens (on "127.0.0.1:0" unless [WithAddr]
// says otherwise), serves, and returns once it accepts connections. Close
// it when done.
func Start(opts ...Option) (*Sandbox, error) {
	st := settings{
		addr: "127.0.0.1:0", now: time.Now, tokenLifetime: maskinporten.DefaultTokenLifetime,
		popSize: DefaultPopulationSize, popSeed: DefaultPopulationSeed,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&st); err != nil {
			return nil, err
		}
	}
	log := slog.New(slog.DiscardHandler)
	if st.logger != nil {
		// Nothing logged should hold a credential; redact anyway.
		log = slog.New(redact.Handler(st.logger.Handler()))
	}
	state, err := loadState(st.stateDir, st.now())
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", st.addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	base := "http://" + reachable(ln.Addr())
	mp, err := maskinporten.NewServer(maskinporten.Config{
		Issuer: base + "/maskinporten/", Roots: state.ca.Roots(), SigningKey: state.tokenKey,
		TokenLifetime: st.tokenLifetime, Now: st.now, Logger: log,
	})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s := &Sandbox{url: base, ca: state.ca, mp: mp, log: log, now: st.now}
	s.tsa = lazyTSA{ca: state.ca, now: st.now, log: log}
	s.testClient = TestClient{
		ClientID: TestClientID, OrganizationNumber: TestOrganizationNumber, OrganizationName: TestOrganizationName,
		Certificate: state.testClient, Scopes: Scopes(),
	}
	if err := mp.RegisterClient(Client{ID: TestClientID, OrganizationNumber: TestOrganizationNumber, Scopes: s.testClient.Scopes}); err != nil {
		ln.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	for _, f := range st.faults {
		s.faults.add(f)
	}
	if err := s.startRegisters(st, state); err != nil {
		ln.Close()
		return nil, err
	}
	s.services = []service{
		{name: "maskinporten", prefix: "/maskinporten", handler: mp},
		{name: "sandbox", prefix: "/sandbox", handler: s.sandboxAPI()},
		{name: "krr", prefix: "/krr", handler: s.krr, faultBody: func(status int, path string) any {
			return krr.ErrorFor(status, path, s.now())
		}},
		{name: "folkeregister", prefix: "/folkeregister", handler: s.freg, retryAfterUnit: time.Millisecond, faultBody: func(status int, _ string) any {
			return folkeregister.ErrorFor(status)
		}},
		{name: "tsa", prefix: "/tsa", handler: &s.tsa, exact: true},
	}
	s.handler = s.routes()

	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	go s.srv.Serve(ln)
	s.done = make(chan struct{})
	go s.liveFeed(ctx, st.liveFeed)
	log.Info("sandbox: started", "url", base, "maskinporten", s.MaskinportenIssuer(), "state_dir", st.stateDir)
	return s, nil
}

// reachable returns the host:port a client can reach addr at: a listener
// on all interfaces is reached at the loopback address.
func reachable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// routes mounts the services under their prefixes; any other path is 404.
func (s *Sandbox) routes() http.Handler {
	mux := http.NewServeMux()
	for _, svc := range s.services {
		mux.Handle(svc.prefix+"/", http.StripPrefix(svc.prefix, svc.handler))
		if svc.exact {
			mux.Handle(svc.prefix, svc.handler)
		}
	}
	return s.logRequests(s.injectFaults(mux))
}

// sandboxAPI serves the sandbox's own endpoints, below /sandbox.
func (s *Sandbox) sandboxAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /whoami", s.mp.Verifier().Middleware("")(http.HandlerFunc(s.whoami)))
	return mux
}

// whoamiResponse is the body of /sandbox/whoami.
type whoamiResponse struct {
	ClientID             string                     `json:"client_id"`
	ClientAMR            string                     `json:"client_amr"`
	Consumer             maskinporten.Organization  `json:"consumer"`
	ConsumerOrgno        string                     `json:"consumer_orgno"`
	Supplier             *maskinporten.Organization `json:"supplier,omitempty"`
	Scope                string                     `json:"scope"`
	Audience             []string                   `json:"aud"`
	IssuedAt             time.Time                  `json:"issued_at"`
	ExpiresAt            time.Time                  `json:"expires_at"`
	AuthorizationDetails json.RawMessage            `json:"authorization_details,omitempty"`
}

func (s *Sandbox) whoami(w http.ResponseWriter, r *http.Request) {
	t, _ := maskinporten.FromContext(r.Context())
	writeJSON(w, http.StatusOK, whoamiResponse{
		ClientID: t.ClientID, ClientAMR: t.ClientAMR, Consumer: t.Consumer, ConsumerOrgno: t.Consumer.Number(),
		Supplier: t.Supplier, Scope: t.Scope, Audience: t.Audience,
		IssuedAt: t.IssuedAt.UTC(), ExpiresAt: t.Expiry.UTC(), AuthorizationDetails: t.AuthorizationDetails,
	})
}

// URL returns the sandbox's base URL, such as "http://127.0.0.1:41234",
// without a trailing slash.
func (s *Sandbox) URL() string { return s.url }

// Close stops the sandbox at once, ending requests in progress.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		<-s.done
		if err := s.srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.closeErr = fmt.Errorf("sandbox: %w", err)
		}
		s.log.Info("sandbox: stopped", "url", s.url)
	})
	return s.closeErr
}

// Handler returns the handler the sandbox serves at [Sandbox.URL]. The
// issuer and endpoints it announces stay those under URL, wherever the
// handler is served.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// MaskinportenIssuer returns the issuer of the sandbox's Maskinporten,
// URL() + "/maskinporten/", with a trailing slash like
// "https://test.maskinporten.no/". Grants must carry it as aud; its
// metadata is at issuer + ".well-known/oauth-authorization-server".
func (s *Sandbox) MaskinportenIssuer() string { return s.mp.Issuer() }

// Endpoints returns the base URL of each imitated service, by the service
// names of felles configuration files: "maskinporten" (the issuer),
// "tsa" (URL()+"/tsa/", the timestamp authority; see [Sandbox.TSAURL]),
// "krr" (URL()+"/krr/"; the lookup service's paths, rest/v2/personer, go
// below it), "folkeregister" (URL()+"/folkeregister/"; below it
// folkeregisteret/offentlig-med-hjemmel/api/v1/... as on
// folkeregisteret.api.skatteetaten.no) and "sandbox" (the sandbox's own
// endpoints, such as whoami).
func (s *Sandbox) Endpoints() map[string]string {
	out := make(map[string]string, len(s.services))
	for _, svc := range s.services {
		out[svc.name] = s.url + svc.prefix + "/"
	}
	return out
}

// TestClient returns the sandbox's test client.
func (s *Sandbox) TestClient() TestClient {
	tc := s.testClient
	tc.Scopes = slices.Clone(tc.Scopes)
	return tc
}

// RegisterClient registers a Maskinporten client, replacing any with the
// same ID. Its Scopes need not be in [Scopes]().
func (s *Sandbox) RegisterClient(c Client) error { return s.mp.RegisterClient(c) }

// Delegate records an Altinn delegation: d.Supplier's clients may then ask
// for d.Scopes with consumer_org d.Consumer.
func (s *Sandbox) Delegate(d Delegation) error { return s.mp.Delegate(d) }

// IssueCertificate issues an enterprise certificate, with a new RSA key,
// from the sandbox's CA, for clients registered with RegisterClient or to
// test refusals (another organisation, an expired certificate).
func (s *Sandbox) IssueCertificate(r CertificateRequest) (*identity.Certificate, error) {
	nb, na := r.NotBefore, r.NotAfter
	if nb.IsZero() {
		nb = s.now().Add(-time.Hour)
	}
	if na.IsZero() {
		na = nb.AddDate(2, 0, 0)
	}
	if !na.After(nb) {
		return nil, errors.New("sandbox: NotAfter must be after NotBefore")
	}
	c, err := s.ca.Issue(testpki.Request{
		OrganizationNumber: r.OrganizationNumber, OrganizationName: r.OrganizationName,
		LegacySubject: r.LegacySubject, NotBefore: nb, NotAfter: na,
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return c, nil
}

// Roots returns a pool holding the sandbox CA's root certificate.
func (s *Sandbox) Roots() *x509.CertPool { return s.ca.Roots() }

// RootCertificate returns the sandbox CA's root certificate, the trust
// anchor of every certificate the sandbox issues (felles sandbox writes it
// to roots.pem).
func (s *Sandbox) RootCertificate() *x509.Certificate { return s.ca.Root }

// InjectFault installs f until the returned function is called (or, with
// f.Times set, until f has been applied that many times). Faults are tried
// in the order installed; the first whose PathPrefix matches applies.
// InjectFault returns an error, and installs nothing, if f is invalid (a
// Status outside 400–599, a negative duration, RetryAfter without Status,
// Drop with Status, or nothing to do).
func (s *Sandbox) InjectFault(f Fault) (remove func(), err error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	return s.faults.add(f), nil
}

// Verifier returns the verifier of the sandbox's Maskinporten access
// tokens, with which the sandbox's services protect their endpoints.
func (s *Sandbox) Verifier() *maskinporten.Verifier { return s.mp.Verifier() }

// logRequests logs a record per request: method, path, status, duration.
func (s *Sandbox) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "sandbox: request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}

// statusRecorder remembers the status a handler writes; 0 means none (a
// dropped connection).
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for Drop).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

// startRegisters makes the population and the KRR and Folkeregisteret
// servers.
func (s *Sandbox) startRegisters(st settings, state *state) error {
	pop, err := population.New(st.popSeed, st.popSize, population.WithReference(st.now()))
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	s.pop = pop
	s.krr, err = krr.NewServer(krr.Config{
		Population: pop, Verifier: s.mp.Verifier(), Signer: state.krrSigner, Now: s.now,
		Providers: []krr.Provider{
			{OrganizationNumber: population.Digipost, Name: "Digipost", Certificate: state.digipost},
			{OrganizationNumber: population.EBoks, Name: "e-Boks", Certificate: state.eboks},
		},
	})
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	s.freg, err = folkeregister.NewServer(folkeregister.Config{Population: pop, Verifier: s.mp.Verifier(), Now: s.now})
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// liveFeed adds an event every interval until ctx ends; interval 0 does
// nothing.
func (s *Sandbox) liveFeed(ctx context.Context, interval time.Duration) {
	defer close(s.done)
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.AdvanceFeed(1)
		}
	}
}

// Population returns the synthetic population behind KRR and
// Folkeregisteret; see package
// [github.com/fellesgo/felles/sandbox/population] for what it holds and how
// to pick a person, such as one who can receive digital post:
//
//	pers, ok := sb.Population().Find(population.Person.CanReceiveDigitalPost)
func (s *Sandbox) Population() *population.Population { return s.pop }

// KRR returns the sandbox's KRR (Kontakt- og reservasjonsregisteret),
// served below URL()+"/krr/"; it holds the mailbox providers' certificates
// and keys.
func (s *Sandbox) KRR() *krr.Server { return s.krr }

// Folkeregister returns the sandbox's Folkeregisteret, served below
// URL()+"/folkeregister/".
func (s *Sandbox) Folkeregister() *folkeregister.Server { return s.freg }

// AdvanceFeed lets time pass in the population: births, deaths, moves,
// name changes and marriages happen now, and at least n events are added
// to Folkeregisteret's feed (fewer only in a population too small for
// anything to happen). Persons' documents reflect them at once. It returns
// the new events.
func (s *Sandbox) AdvanceFeed(n int) []population.Event {
	if n < 1 {
		return nil
	}
	evs := s.pop.Advance(n, s.now())
	s.log.Debug("sandbox: the population advanced", "events", len(evs), "last_seq", s.pop.LastSeq())
	return evs
}

// TSAURL returns the URL of the sandbox's RFC 3161 timestamp authority,
// URL() + "/tsa": POST an application/timestamp-query to it. Its
// certificate is issued by the sandbox CA (so [Sandbox.Roots] verifies
// its tokens) with a critical id-kp-timeStamping extended key usage; it is
// made when the first request arrives, anew at every start.
func (s *Sandbox) TSAURL() string { return s.url + "/tsa" }

// lazyTSA creates the timestamp authority's key and certificate on first
// use, so that sandboxes that never timestamp do not pay for a key.
type lazyTSA struct {
	ca   *testpki.CA
	now  func() time.Time
	log  *slog.Logger
	once sync.Once
	h    http.Handler
	err  error
}

func (l *lazyTSA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.once.Do(func() {
		cert, err := l.ca.IssueTSA("Felles Sandbox TSA", nil)
		if err != nil {
			l.err = err
			return
		}
		l.h, l.err = tsa.New(cert, tsa.WithClock(l.now), tsa.WithLogger(l.log))
	})
	if l.err != nil {
		l.log.Error("sandbox: timestamp authority unavailable", "error", l.err)
		http.Error(w, "timestamp authority unavailable", http.StatusInternalServerError)
		return
	}
	l.h.ServeHTTP(w, r)
}
