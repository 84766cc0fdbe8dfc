package maskinporten

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/fellesgo/felles/internal/redact"
)

// GrantType is the OAuth 2.0 grant type of the JWT-bearer grant (RFC 7523).
const GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// AuthorizationDetailsSystemUser is the authorization_details type of
// Altinn's system user ("systembruker"), the one the sandbox supports.
const AuthorizationDetailsSystemUser = "urn:altinn:systemuser"

// DefaultTokenLifetime is the access-token lifetime (expires_in) when
// [Config] sets none: 120 seconds, the default access_token_lifetime of a
// Digdir client.
const DefaultTokenLifetime = 120 * time.Second

// Config configures a [Server].
type Config struct {
	// Issuer is the server's issuer: an absolute http(s) URL ending in "/",
	// such as "http://127.0.0.1:8080/maskinporten/". Grants must carry it
	// as aud, and access tokens carry it as iss. Required.
	Issuer string
	// Roots are the trust anchors for the certificate chains in x5c.
	// Required.
	Roots *x509.CertPool
	// SigningKey signs the access tokens (RS256). An RSA key of at least
	// 2048 bits. Required.
	SigningKey crypto.Signer
	// TokenLifetime is the access-token lifetime, whole seconds; zero means
	// [DefaultTokenLifetime].
	TokenLifetime time.Duration
	// Now is the server's clock; nil means time.Now.
	Now func() time.Time
	// Logger receives a record per token request (never a grant or a
	// token; the records are passed through a redacting handler all the
	// same); nil logs nothing.
	Logger *slog.Logger
}

// Server imitates Maskinporten's token service: discovery metadata, the
// JWKS of its token-signing key, the token endpoint and an error page per
// error code. Its handler serves these paths relative to where it is
// mounted, which must be the path of Config.Issuer:
//
//	/.well-known/oauth-authorization-server
//	/jwk
//	/token
//	/errors/MP-xxx
//
// A Server is safe for concurrent use.
type Server struct {
	issuer   string
	roots    *x509.CertPool
	signer   crypto.Signer
	kid      string
	lifetime time.Duration
	now      func() time.Time
	log      *slog.Logger
	verifier *Verifier
	mux      *http.ServeMux
	metadata []byte
	jwks     []byte

	mu          sync.Mutex
	clients     map[string]*client
	delegations map[delegationKey]bool
	replay      replayCache
}

// NewServer returns a Server for cfg.
func NewServer(cfg Config) (*Server, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasSuffix(u.Path, "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("maskinporten: issuer %q is not an absolute http(s) URL ending in \"/\"", cfg.Issuer)
	}
	if cfg.Roots == nil {
		return nil, errors.New("maskinporten: Config.Roots is required")
	}
	if cfg.SigningKey == nil {
		return nil, errors.New("maskinporten: Config.SigningKey is required")
	}
	pub, ok := cfg.SigningKey.Public().(*rsa.PublicKey)
	if !ok || pub.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("maskinporten: the signing key must be RSA of at least %d bits", minRSABits)
	}
	lifetime := cfg.TokenLifetime
	if lifetime == 0 {
		lifetime = DefaultTokenLifetime
	}
	if lifetime < time.Second || lifetime%time.Second != 0 {
		return nil, fmt.Errorf("maskinporten: token lifetime %v is not a positive whole number of seconds", lifetime)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := slog.New(slog.DiscardHandler)
	if cfg.Logger != nil {
		log = slog.New(redact.Handler(cfg.Logger.Handler()))
	}
	jwk := jose.JSONWebKey{Key: pub, Algorithm: string(jose.RS256), Use: "sig"}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("maskinporten: %w", err)
	}
	jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk}})
	if err != nil {
		return nil, fmt.Errorf("maskinporten: %w", err)
	}
	metadata, err := json.Marshal(serverMetadata{
		AuthorizationDetailsTypesSupported: []string{AuthorizationDetailsSystemUser},
		GrantTypesSupported:                []string{GrantType},
		Issuer:                             cfg.Issuer,
		JWKSURI:                            cfg.Issuer + "jwk",
		TokenEndpoint:                      cfg.Issuer + "token",
		TokenEndpointAuthMethodsSupported:  []string{"private_key_jwt"},
		TokenEndpointAuthSigningAlgValuesSupported: strings.Split(algList(grantAlgorithms), ", "),
	})
	if err != nil {
		return nil, fmt.Errorf("maskinporten: %w", err)
	}
	s := &Server{
		issuer:      cfg.Issuer,
		roots:       cfg.Roots,
		signer:      cfg.SigningKey,
		kid:         jwk.KeyID,
		lifetime:    lifetime,
		now:         now,
		log:         log,
		metadata:    metadata,
		jwks:        jwks,
		clients:     map[string]*client{},
		delegations: map[delegationKey]bool{},
	}
	s.verifier = &Verifier{issuer: cfg.Issuer, keys: map[string]*rsa.PublicKey{jwk.KeyID: pub}, now: now}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.serveStatic(s.metadata))
	s.mux.HandleFunc("GET /jwk", s.serveStatic(s.jwks))
	s.mux.HandleFunc("/token", s.handleToken)
	s.mux.HandleFunc("GET /errors/{code}", serveErrorPage)
	return s, nil
}

// serverMetadata is the RFC 8414 metadata, in the members and order of
// https://test.maskinporten.no/.well-known/oauth-authorization-server.
type serverMetadata struct {
	AuthorizationDetailsTypesSupported         []string `json:"authorization_details_types_supported"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	Issuer                                     string   `json:"issuer"`
	JWKSURI                                    string   `json:"jwks_uri"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported"`
}

// Issuer returns the server's issuer.
func (s *Server) Issuer() string { return s.issuer }

// Verifier returns a [Verifier] of the server's access tokens.
func (s *Server) Verifier() *Verifier { return s.verifier }

// RegisterClient registers c, replacing any client with the same ID.
func (s *Server) RegisterClient(c Client) error {
	cl, err := newClient(c)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[cl.id] = cl
	return nil
}

// Delegate records d: the consumer delegates d.Scopes to the supplier, who
// may then ask for them with consumer_org set to the consumer.
func (s *Server) Delegate(d Delegation) error {
	if err := checkDelegation(d); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, scope := range d.Scopes {
		s.delegations[delegationKey{d.Consumer, d.Supplier, scope}] = true
	}
	return nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) serveStatic(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

func serveErrorPage(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	p, ok := errorPages[code]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "%s: %s\n\n%s\n\nThis is the felles sandbox's imitation of Maskinporten. Digdir's explanation of the codes:\nhttps://docs.digdir.no/docs/Maskinporten/maskinporten_feilsoking\n", code, p.title, p.help)
}

// writeJSON writes v as a JSON response that no cache may store (RFC 6749
// §5.1).
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	w.Write(body)
}
