package felles

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/identity/maskinporten"
)

// Environment names accepted in the "environment" member of a configuration.
const (
	EnvironmentProd    = "prod"    // the production services; endpoints from presets
	EnvironmentTest    = "test"    // Digdir's and Skatteetaten's test environments; endpoints from presets
	EnvironmentSandbox = "sandbox" // a felles sandbox (felles sandbox writes such a file)
)

// Service names used as keys of Config.Endpoints.
const (
	ServiceMaskinporten  = "maskinporten"
	ServiceKRR           = "krr"           // base URL; the client adds rest/v2/personer
	ServiceFolkeregister = "folkeregister" // base URL; the client adds folkeregisteret/<package>/...
	// ServiceTSA is an RFC 3161 timestamp authority's URL, for PAdES B-T
	// signatures and document timestamps. It has no preset: timestamps
	// come from a TSA the organisation has an agreement with (the enterprise
	// certificate issuers sell them); felles sandbox writes its own.
	ServiceTSA = "tsa"
)

// presets holds the endpoints of the real environments, by environment and
// service. Sources: shared/spec/identity-and-registers.md §0.
var presets = map[string]map[string]string{
	EnvironmentProd: {
		ServiceMaskinporten:  maskinporten.ProdIssuer,
		ServiceKRR:           "https://kontaktregisteret.no/",
		ServiceFolkeregister: "https://folkeregisteret.api.skatteetaten.no/",
	},
	EnvironmentTest: {
		ServiceMaskinporten:  maskinporten.TestIssuer,
		ServiceKRR:           "https://test.kontaktregisteret.no/",
		ServiceFolkeregister: "https://folkeregisteret-api-konsument.sits.no/",
	},
}

// PasswordEnv is the environment variable read for the certificate password
// when the configuration names neither a password nor a password_env.
const PasswordEnv = "FELLES_CERTIFICATE_PASSWORD"

// MaxConfigSize bounds the size of a configuration file (1 MiB).
const MaxConfigSize = 1 << 20

// Config is the felles configuration file: one JSON format, read by the CLI
// and the examples, for any environment. A minimal file for the Test
// environment:
//
//	{
//	  "environment": "test",
//	  "client_id": "0b2f6c1e-...",
//	  "organization_number": "991825827",
//	  "certificate": {"file": "virksomhetssertifikat.p12", "password_env": "FELLES_CERTIFICATE_PASSWORD"}
//	}
//
// felles sandbox writes one with "environment": "sandbox" and the sandbox's
// endpoints. Relative file names are relative to the configuration file's
// folder. Unknown members are an error, so that a misspelt name is caught.
type Config struct {
	// Environment is "prod", "test" or "sandbox"; it may be empty when
	// Endpoints names every service used.
	Environment string `json:"environment,omitempty"`
	// ClientID is the Maskinporten client id (integration id).
	ClientID string `json:"client_id"`
	// OrganizationNumber is the client's organisation number; it must match
	// the certificate's.
	OrganizationNumber string `json:"organization_number"`
	// Certificate locates the enterprise certificate.
	Certificate CertificateConfig `json:"certificate"`
	// KeyID, when set, makes grants carry this registered key id ("kid")
	// instead of the certificate chain ("x5c").
	KeyID string `json:"key_id,omitempty"`
	// Endpoints maps a service ("maskinporten", ...) to its base URL. For
	// Maskinporten it is the issuer, e.g. "https://test.maskinporten.no/".
	// Entries override the environment's presets.
	Endpoints map[string]string `json:"endpoints,omitempty"`
	// Roots names a PEM file of root certificates trusted when verifying
	// signatures (felles verify, esign); empty means the system's roots.
	// Norwegian enterprise certificates chain to the Buypass and Commfides
	// roots; felles sandbox writes its own CA's root here.
	Roots string `json:"roots,omitempty"`

	dir       string                      // folder of the file, for relative paths
	lookupEnv func(string) (string, bool) // os.LookupEnv unless a test sets it
}

// CertificateConfig locates an enterprise certificate: a PKCS#12 file with
// its password, or a PEM certificate chain and key.
type CertificateConfig struct {
	// File is a PKCS#12 (.p12/.pfx) file.
	File string `json:"file,omitempty"`
	// Password is the PKCS#12 password. Prefer PasswordEnv outside a sandbox.
	Password string `json:"password,omitempty"`
	// PasswordEnv names an environment variable holding the password.
	PasswordEnv string `json:"password_env,omitempty"`
	// CertFile and KeyFile are PEM files (chain, leaf first; unencrypted key),
	// used instead of File.
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
}

// ConfigError reports a configuration that cannot be used. Field names the
// JSON member at fault ("certificate.file"); it is empty for a syntax error.
type ConfigError struct {
	Path  string // the file, when read from one
	Field string
	Err   error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("felles: configuration")
	if e.Path != "" {
		b.WriteString(" " + e.Path)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }

// LoadConfig reads and validates the configuration file at path.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ConfigError{Path: path, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, &ConfigError{Path: path, Err: err}
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, &ConfigError{Path: path, Err: err}
	}
	c, err := ParseConfig(data, abs)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.Path = path
		}
		return nil, err
	}
	return c, nil
}

// ParseConfig parses and validates a configuration. dir is the folder that
// relative file names are resolved against.
func ParseConfig(data []byte, dir string) (*Config, error) {
	if len(data) > MaxConfigSize {
		return nil, &ConfigError{Err: fmt.Errorf("larger than %d bytes", MaxConfigSize)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, &ConfigError{Field: jsonField(err), Err: jsonError(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ConfigError{Err: errors.New("trailing data after the JSON object")}
	}
	c.dir = dir
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	return ""
}

// jsonError words a decoding error without echoing input values (a
// misplaced password must not end up in a log).
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return fmt.Errorf("want a JSON %s, got %s", te.Type.Kind(), te.Value)
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown member %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.EOF):
		return errors.New("empty file")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON")
	}
	return errors.New("invalid JSON")
}

func (c *Config) validate() error {
	switch c.Environment {
	case "", EnvironmentProd, EnvironmentTest, EnvironmentSandbox:
	default:
		return &ConfigError{Field: "environment", Err: fmt.Errorf("%q is not one of prod, test, sandbox", c.Environment)}
	}
	if strings.TrimSpace(c.ClientID) == "" {
		return &ConfigError{Field: "client_id", Err: errors.New("missing")}
	}
	if c.OrganizationNumber == "" {
		return &ConfigError{Field: "organization_number", Err: errors.New("missing")}
	}
	if !identity.ValidOrganizationNumber(c.OrganizationNumber) {
		return &ConfigError{Field: "organization_number", Err: fmt.Errorf("%q is not a valid Norwegian organisation number", c.OrganizationNumber)}
	}
	cc := c.Certificate
	switch {
	case cc.File != "" && (cc.CertFile != "" || cc.KeyFile != ""):
		return &ConfigError{Field: "certificate", Err: errors.New("give either file (PKCS#12) or cert_file and key_file (PEM), not both")}
	case cc.File == "" && (cc.CertFile == "") != (cc.KeyFile == ""):
		return &ConfigError{Field: "certificate", Err: errors.New("cert_file and key_file go together")}
	case cc.File == "" && cc.CertFile == "":
		return &ConfigError{Field: "certificate", Err: errors.New("missing: give file (PKCS#12) or cert_file and key_file (PEM)")}
	case cc.Password != "" && cc.PasswordEnv != "":
		return &ConfigError{Field: "certificate", Err: errors.New("give either password or password_env, not both")}
	}
	for name, raw := range c.Endpoints {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return &ConfigError{Field: "endpoints." + name, Err: fmt.Errorf("%q is not an absolute http(s) URL", raw)}
		}
		if u.Scheme == "http" && c.Environment != EnvironmentSandbox && !isLoopback(u.Hostname()) {
			return &ConfigError{Field: "endpoints." + name, Err: errors.New("plain http is allowed only for a sandbox or a loopback address")}
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return &ConfigError{Field: "endpoints." + name, Err: errors.New("must not carry user info, a query or a fragment")}
		}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Endpoint returns the base URL of service: from Endpoints, else from the
// environment's presets.
func (c *Config) Endpoint(service string) (string, error) {
	if u, ok := c.Endpoints[service]; ok {
		return u, nil
	}
	if u, ok := presets[c.Environment][service]; ok {
		return u, nil
	}
	known := slices.Sorted(maps.Keys(c.Endpoints))
	return "", &ConfigError{Field: "endpoints." + service, Err: fmt.Errorf("no endpoint for %q (environment %q; endpoints given: %s)", service, c.Environment, strings.Join(known, ", "))}
}

func (c *Config) path(name string) string {
	if filepath.IsAbs(name) || c.dir == "" {
		return name
	}
	return filepath.Join(c.dir, name)
}

func (c *Config) password() (string, error) {
	cc := c.Certificate
	if cc.Password != "" {
		return cc.Password, nil
	}
	lookup := c.lookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	name := cc.PasswordEnv
	if name == "" {
		name = PasswordEnv
	}
	if v, ok := lookup(name); ok {
		return v, nil
	}
	if cc.PasswordEnv != "" {
		return "", &ConfigError{Field: "certificate.password_env", Err: fmt.Errorf("environment variable %s is not set", name)}
	}
	return "", nil // an empty password is legal in PKCS#12
}

// LoadCertificate loads the configured enterprise certificate and checks
// that its organisation number is the configured one.
func (c *Config) LoadCertificate() (*identity.Certificate, error) {
	var (
		cert *identity.Certificate
		err  error
	)
	if c.Certificate.File != "" {
		pw, perr := c.password()
		if perr != nil {
			return nil, perr
		}
		cert, err = identity.LoadPKCS12File(c.path(c.Certificate.File), pw)
	} else {
		cert, err = identity.LoadPEMFiles(c.path(c.Certificate.CertFile), c.path(c.Certificate.KeyFile))
	}
	if err != nil {
		return nil, err
	}
	orgnr, err := cert.OrganizationNumber()
	if err != nil {
		return nil, err
	}
	if orgnr != c.OrganizationNumber {
		return nil, &ConfigError{Field: "organization_number", Err: fmt.Errorf("%s does not match the certificate's organisation number %s", c.OrganizationNumber, orgnr)}
	}
	return cert, nil
}

// LoadRoots reads the root certificates named by Roots. It returns nil, and
// no error, when Roots is empty: callers then use the system's roots.
func (c *Config) LoadRoots() (*x509.CertPool, error) {
	if c.Roots == "" {
		return nil, nil
	}
	pool, err := identity.LoadCertPool(c.path(c.Roots))
	if err != nil {
		return nil, &ConfigError{Field: "roots", Err: err}
	}
	return pool, nil
}

// Maskinporten returns a Maskinporten client for this configuration: its
// certificate, client id and issuer (endpoint "maskinporten"). opts are
// applied after those, so they can add a logger or an HTTP client.
func (c *Config) Maskinporten(opts ...maskinporten.Option) (*maskinporten.Client, error) {
	issuer, err := c.Endpoint(ServiceMaskinporten)
	if err != nil {
		return nil, err
	}
	cert, err := c.LoadCertificate()
	if err != nil {
		return nil, err
	}
	base := []maskinporten.Option{maskinporten.WithIssuer(issuer)}
	if c.KeyID != "" {
		base = append(base, maskinporten.WithKeyID(c.KeyID))
		return maskinporten.New(c.ClientID, cert.Signer, append(base, opts...)...)
	}
	return maskinporten.NewFromCertificate(c.ClientID, cert, append(base, opts...)...)
}

// WriteFile writes c as indented JSON to path, readable by the owner only
// (it may hold a password). It writes a temporary file and renames it, so a
// reader never sees a half-written configuration.
func (c *Config) WriteFile(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".felles-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a successful rename there is nothing to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
