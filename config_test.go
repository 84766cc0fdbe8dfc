package felles

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/identity/maskinporten"
	"github.com/fellesgo/felles/internal/testpki"
)

const validOrg = "991825827" // Digdir's organisation number, mod-11 valid

func TestParseConfigPresets(t *testing.T) {
	for env, want := range map[string]string{"test": maskinporten.TestIssuer, "prod": maskinporten.ProdIssuer} {
		c, err := ParseConfig([]byte(`{"environment":"`+env+`","client_id":"c","organization_number":"`+validOrg+`","certificate":{"file":"a.p12"}}`), "/cfg")
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Endpoint("maskinporten")
		if err != nil || got != want {
			t.Errorf("%s: Endpoint = %q, %v; want %q", env, got, err, want)
		}
		if _, err := c.Endpoint("idporten"); err == nil {
			t.Errorf("%s: Endpoint(idporten) should fail: it has no preset", env)
		}
	}
}

func TestParseConfigEndpointOverridesPreset(t *testing.T) {
	c, err := ParseConfig([]byte(`{"environment":"test","client_id":"c","organization_number":"`+validOrg+`",
		"certificate":{"cert_file":"c.pem","key_file":"k.pem"},"endpoints":{"maskinporten":"http://127.0.0.1:9/maskinporten/"}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Endpoint("maskinporten"); got != "http://127.0.0.1:9/maskinporten/" {
		t.Errorf("Endpoint = %q", got)
	}
}

func TestParseConfigRefusals(t *testing.T) {
	base := func(extra string) string {
		return `{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"a.p12"}` + extra + `}`
	}
	cases := []struct {
		name, json, field, msg string
	}{
		{"syntax", `{"client_id":`, "", "truncated JSON"},
		{"empty", ``, "", "empty file"},
		{"trailing", base("") + `{}`, "", "trailing data"},
		{"stray brace", base("") + `}`, "", "trailing data"},
		{"stray bracket", base("") + `]`, "", "trailing data"},
		{"unknown member", base(`,"clientid":"x"`), "", `unknown member "clientid"`},
		{"wrong type", `{"client_id":5}`, "client_id", "want a JSON string"},
		{"no client id", `{"organization_number":"` + validOrg + `","certificate":{"file":"a"}}`, "client_id", "missing"},
		{"no org", `{"client_id":"c","certificate":{"file":"a"}}`, "organization_number", "missing"},
		{"bad org check digit", `{"client_id":"c","organization_number":"991825826","certificate":{"file":"a"}}`, "organization_number", "not a valid"},
		{"bad environment", base(`,"environment":"staging"`), "environment", "not one of"},
		{"no certificate", `{"client_id":"c","organization_number":"` + validOrg + `"}`, "certificate", "missing"},
		{"p12 and pem", `{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"a","cert_file":"b","key_file":"c"}}`, "certificate", "not both"},
		{"cert without key", `{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"cert_file":"b"}}`, "certificate", "go together"},
		{"password twice", `{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"a","password":"p","password_env":"X"}}`, "certificate", "not both"},
		{"relative endpoint", base(`,"endpoints":{"maskinporten":"/maskinporten/"}`), "endpoints.maskinporten", "absolute"},
		{"http outside sandbox", base(`,"environment":"test","endpoints":{"maskinporten":"http://example.no/"}`), "endpoints.maskinporten", "plain http"},
		{"query in endpoint", base(`,"endpoints":{"maskinporten":"https://example.no/?a=b"}`), "endpoints.maskinporten", "query"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.json), "")
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *ConfigError", err)
			}
			if ce.Field != tc.field || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %q (field %q); want field %q and %q", err, ce.Field, tc.field, tc.msg)
			}
		})
	}
}

func TestParseConfigHTTPAllowedForSandboxAndLoopback(t *testing.T) {
	for _, js := range []string{
		`{"environment":"sandbox","client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"a"},"endpoints":{"maskinporten":"http://10.0.0.5:8080/maskinporten/"}}`,
		`{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"a"},"endpoints":{"maskinporten":"http://localhost:8080/maskinporten/"}}`,
		`{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"a"},"endpoints":{"maskinporten":"http://[::1]:8080/maskinporten/"}}`,
	} {
		if _, err := ParseConfig([]byte(js), ""); err != nil {
			t.Errorf("%s: %v", js, err)
		}
	}
}

func TestConfigErrorsDoNotEchoSecrets(t *testing.T) {
	for _, js := range []string{
		`{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"a","password":["s3cr3t-value"]}}`,
		`{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"a","password":"s3cr3t-value"}, "x": 1}`,
		`{"client_id":"c","certificate":{"password":"s3cr3t-value"`,
	} {
		_, err := ParseConfig([]byte(js), "")
		if err == nil {
			t.Fatalf("%s: no error", js)
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("error echoes the password: %v", err)
		}
	}
}

// writePKCS12 issues a certificate for orgnr from a fresh test CA and writes
// it as dir/name with password.
func writePKCS12(t *testing.T, dir, name, orgnr, password string) {
	t.Helper()
	ca, err := testpki.New("Config Test")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(testpki.Request{OrganizationNumber: orgnr, OrganizationName: "Test Kommune"})
	if err != nil {
		t.Fatal(err)
	}
	p12, err := testpki.EncodePKCS12(cert, password)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), p12, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadConfigCertificate(t *testing.T) {
	dir := t.TempDir()
	writePKCS12(t, dir, "client.p12", validOrg, "pw-in-env")
	write := func(js string) string {
		p := filepath.Join(dir, "felles.json")
		if err := os.WriteFile(p, []byte(js), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("password_env", func(t *testing.T) {
		t.Setenv("MY_P12_PASSWORD", "pw-in-env")
		c, err := LoadConfig(write(`{"environment":"test","client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"client.p12","password_env":"MY_P12_PASSWORD"}}`))
		if err != nil {
			t.Fatal(err)
		}
		cert, err := c.LoadCertificate() // relative to the config's folder, not the working directory
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := cert.OrganizationNumber(); got != validOrg {
			t.Errorf("organisation number %q", got)
		}
	})
	t.Run("default env variable", func(t *testing.T) {
		t.Setenv(PasswordEnv, "pw-in-env")
		c, err := LoadConfig(write(`{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"client.p12"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.LoadCertificate(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("password_env unset", func(t *testing.T) {
		c, err := LoadConfig(write(`{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"client.p12","password_env":"FELLES_TEST_UNSET_VAR"}}`))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.LoadCertificate()
		if err == nil || !strings.Contains(err.Error(), "FELLES_TEST_UNSET_VAR is not set") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		c, err := LoadConfig(write(`{"client_id":"c","organization_number":"` + validOrg + `","certificate":{"file":"client.p12","password":"nope"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.LoadCertificate(); !errors.Is(err, identity.ErrWrongPassword) {
			t.Errorf("err = %v, want ErrWrongPassword", err)
		}
	})
	t.Run("organisation number mismatch", func(t *testing.T) {
		c, err := LoadConfig(write(`{"client_id":"c","organization_number":"974760673","certificate":{"file":"client.p12","password":"pw-in-env"}}`))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.LoadCertificate()
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != "organization_number" {
			t.Errorf("err = %v, want a ConfigError on organization_number", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadConfig(filepath.Join(dir, "nope.json"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestConfigWriteFileRoundTrip(t *testing.T) {
	in := &Config{Environment: EnvironmentSandbox, ClientID: "c", OrganizationNumber: validOrg,
		Certificate: CertificateConfig{File: "client.p12", Password: "x"},
		Endpoints:   map[string]string{"maskinporten": "http://127.0.0.1:1/maskinporten/"}}
	p := filepath.Join(t.TempDir(), "felles.json")
	if err := in.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 (the file may hold a password)", fi.Mode().Perm())
	}
	out, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if out.ClientID != in.ClientID || out.Certificate != in.Certificate || out.Endpoints["maskinporten"] != in.Endpoints["maskinporten"] {
		t.Errorf("round trip: got %+v", out)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"environment":"test","client_id":"c","organization_number":"991825827","certificate":{"file":"a.p12","password_env":"P"}}`))
	f.Add([]byte(`{"client_id":"c","organization_number":"991825827","certificate":{"cert_file":"c","key_file":"k"},"endpoints":{"maskinporten":"http://[::1]:1/x/"}}`))
	f.Add([]byte(`{"endpoints":{"a":"%zz"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data, "/base")
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ConfigError", err)
			}
			return
		}
		// A configuration that parses validates again after a round trip.
		p := filepath.Join(t.TempDir(), "c.json")
		if err := c.WriteFile(p); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadConfig(p); err != nil {
			t.Fatalf("round trip of a valid configuration failed: %v", err)
		}
	})
}

func TestConfigLoadRoots(t *testing.T) {
	dir := t.TempDir()
	parse := func(roots string) *Config {
		t.Helper()
		c, err := ParseConfig([]byte(`{"environment":"test","client_id":"c","organization_number":"`+validOrg+`",
			"certificate":{"file":"a.p12"}`+roots+`}`), dir)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if pool, err := parse("").LoadRoots(); pool != nil || err != nil {
		t.Errorf("no roots configured: %v, %v; want nil, nil (the system's roots)", pool, err)
	}
	ca, err := testpki.New("Roots Test")
	if err != nil {
		t.Fatal(err)
	}
	pemData, err := ca.MarshalPEM() // both certificates and their keys: only certificates count
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "roots.pem"), pemData, 0o600)
	pool, err := parse(`,"roots":"roots.pem"`).LoadRoots()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Issuing.Verify(x509.VerifyOptions{Roots: pool}); err != nil {
		t.Errorf("the issuing CA does not verify against the loaded roots: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "empty.pem"), []byte("not PEM"), 0o600)
	for roots, want := range map[string]string{
		`,"roots":"missing.pem"`: "missing.pem",
		`,"roots":"empty.pem"`:   "no PEM CERTIFICATE block found",
	} {
		var ce *ConfigError
		if _, err := parse(roots).LoadRoots(); !errors.As(err, &ce) || ce.Field != "roots" || !strings.Contains(err.Error(), want) {
			t.Errorf("roots %s: %v; want a *ConfigError on roots saying %q", roots, err, want)
		}
	}
	if _, err := parse(`,"roots":"empty.pem"`).LoadRoots(); !errors.Is(err, identity.ErrNoCertificate) {
		t.Errorf("roots without a certificate: %v; want identity.ErrNoCertificate", err)
	}
}
