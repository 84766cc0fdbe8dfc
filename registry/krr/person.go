package krr

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/fellesgo/felles/internal/redact"
	"github.com/fellesgo/felles/registry/personid"
)

// Reservation is whether a person has reserved themselves against digital
// communication from the public sector ("reservasjon"). The zero value means
// the register did not say; treat it as reserved.
type Reservation string

// The values of [Reservation] KRR sends.
const (
	Reserved    Reservation = "JA"  // reserved: communicate on paper
	NotReserved Reservation = "NEI" // not reserved
)

// Status is a person's status in the register ("status"). Values other than
// the constants are kept as KRR sent them.
type Status string

// The values of [Status] KRR documents.
const (
	StatusActive        Status = "AKTIV"           // in the register
	StatusDeleted       Status = "SLETTET"         // deleted from the register
	StatusNotRegistered Status = "IKKE_REGISTRERT" // not in the register
)

// NotificationStatus is KRR's own verdict on whether a person may be notified
// ("varslingsstatus"). Values other than the constants are kept as KRR sent
// them; the zero value means KRR did not say (the token lacks
// [ScopeContactInfo]).
type NotificationStatus string

// The values of [NotificationStatus] KRR documents.
const (
	CanBeNotified    NotificationStatus = "KAN_VARSLES"
	CannotBeNotified NotificationStatus = "KAN_IKKE_VARSLES" // contact information expired, reserved, deleted or not found
)

// Person is one person's entry in KRR. Fields appear only as the access
// token's scopes allow (see [ScopeContactInfo], [ScopeDigitalPost]); a field
// KRR left out is zero. Times are zero when absent.
//
// Person holds personal data. Its ID prints masked; log a Person as a whole
// only through log/slog, which uses [Person.LogValue] and shows no contact
// information.
type Person struct {
	// ID is the person's fødselsnummer or d-nummer.
	ID personid.Number

	Reservation        Reservation
	ReservedAt         time.Time // "reservasjonstidspunkt": only when reserved
	ReservationUpdated time.Time // "reservasjon_oppdatert"

	Status             Status
	NotificationStatus NotificationStatus

	// Email is the e-mail address; EmailUpdated is when the person last
	// changed it and EmailVerified when they last confirmed it.
	Email                         string
	EmailUpdated, EmailVerified   time.Time
	Mobile                        string // mobile number, e.g. "+4799999999"
	MobileUpdated, MobileVerified time.Time

	// Mailbox is the person's digital mailbox ("digital_post"), nil if
	// none. MailboxCertificate is the certificate to encrypt digital post
	// to the person with ("sertifikat"), nil if none or if it could not be
	// parsed (then Err says so). Both need [ScopeDigitalPost]. Persons
	// with the same certificate (a provider's) share one
	// *x509.Certificate: do not modify it.
	Mailbox            *Mailbox
	MailboxCertificate *x509.Certificate

	Language        string    // "spraak": "nb", "nn", "en" or "se"
	LanguageUpdated time.Time // "spraak_oppdatert"

	// Err reports fields of this person that KRR sent but that could not
	// be read: a certificate that does not parse, a timestamp in an
	// unknown format. Those fields are zero; the others are good. Err is
	// nil or wraps one [*FieldError] per field (errors.As finds the
	// first). It does not make the lookup fail.
	Err error
}

// Mailbox is a digital mailbox for digital post to citizens.
type Mailbox struct {
	Address  string // "postkasseadresse", e.g. "ola.nordmann#9YDT"
	Provider string // "postkasseleverandoeradresse": the provider's organisation number, e.g. "984661185" (Digipost)
}

// LogValue implements slog.LogValuer: the masked ID, the reservation and
// the status, and which channels are present, never their values.
func (p Person) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", p.ID.String()),
		slog.String("reservation", string(p.Reservation)),
		slog.String("status", string(p.Status)),
		slog.Bool("email", p.Email != ""),
		slog.Bool("mobile", p.Mobile != ""),
		slog.Bool("mailbox", p.Mailbox != nil),
	)
}

// Wire format, from identity-and-registers.md §3.4.

type wireResponse struct {
	Personer *[]wirePerson `json:"personer"`
}

type wirePerson struct {
	ID                    string           `json:"personidentifikator"`
	Reservasjon           string           `json:"reservasjon"`
	Reservasjonstidspunkt wireTime         `json:"reservasjonstidspunkt"`
	ReservasjonOppdatert  wireTime         `json:"reservasjon_oppdatert"`
	Status                string           `json:"status"`
	Varslingsstatus       string           `json:"varslingsstatus"`
	Kontaktinformasjon    *wireContact     `json:"kontaktinformasjon"`
	DigitalPost           *wireDigitalPost `json:"digital_post"`
	Sertifikat            string           `json:"sertifikat"`
	Spraak                string           `json:"spraak"`
	SpraakOppdatert       wireTime         `json:"spraak_oppdatert"`
}

type wireContact struct {
	Epost           string   `json:"epostadresse"`
	EpostOppdatert  wireTime `json:"epostadresse_oppdatert"`
	EpostVerifisert wireTime `json:"epostadresse_sist_verifisert"`
	Mobil           string   `json:"mobiltelefonnummer"`
	MobilOppdatert  wireTime `json:"mobiltelefonnummer_oppdatert"`
	MobilVerifisert wireTime `json:"mobiltelefonnummer_sist_verifisert"`
}

type wireDigitalPost struct {
	Adresse     string `json:"postkasseadresse"`
	Leverandoer string `json:"postkasseleverandoeradresse"`
}

// wireTime is a KRR timestamp, parsed leniently. A value that does not
// parse is kept in err, not returned from UnmarshalJSON, so that one odd
// timestamp does not fail a whole batch.
type wireTime struct {
	t   time.Time
	err error
}

func (w *wireTime) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*w = wireTime{}
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		t, err := ParseTime(s)
		*w = wireTime{t, err}
	default:
		// Jackson writes dates as epoch milliseconds unless told otherwise.
		ms, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			*w = wireTime{err: errors.New("neither a string nor whole epoch milliseconds")}
			return nil
		}
		*w = wireTime{t: time.UnixMilli(ms).UTC()}
	}
	return nil
}

// timeLayouts are the layouts ParseTime tries, in order. Parsing accepts a
// fractional second after the seconds with any of them.
var timeLayouts = []string{
	time.RFC3339,               // 2023-08-05T10:45:15.768Z, 2023-06-13T13:42:34+02:00
	"2006-01-02T15:04:05Z07",   // 2023-06-13T13:42:34+02 (not RFC 3339)
	"2006-01-02T15:04:05Z0700", // 2023-06-13T13:42:34+0200
	"2006-01-02T15:04:05",      // no zone: taken as UTC
	"2006-01-02T15:04Z07:00",   // no seconds
	"2006-01-02",               // a date: midnight UTC
}

// ParseTime parses a KRR timestamp. KRR mixes formats: RFC 3339
// ("2023-08-05T10:45:15.768Z", "2023-06-29T10:14:52+02:00") and an offset
// without minutes ("2023-06-29T10:14:52+02"), which time.RFC3339 rejects.
// ParseTime accepts those with or without fractional seconds, an offset
// written "+0200", a space instead of the "T", a lower-case "t" or "z", and,
// taken as UTC, a time without an offset or a bare date.
func ParseTime(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	if len(v) > 10 && (v[10] == ' ' || v[10] == 't') {
		v = v[:10] + "T" + v[11:]
	}
	if strings.HasSuffix(v, "z") {
		v = v[:len(v)-1] + "Z"
	}
	// An offset without minutes ("+02") is KRR's most common form; try its
	// layout first to spare a failed attempt.
	if n := len(v); n > 3 && (v[n-3] == '+' || v[n-3] == '-') {
		if t, err := time.Parse(timeLayouts[1], v); err == nil {
			return t, nil
		}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	// Redact before clipping, so that a clipped identity number does not
	// escape the redaction.
	return time.Time{}, fmt.Errorf("unrecognised timestamp %q", clip(redact.String(s), 40))
}

// decodeResponse decodes KRR's answer to a lookup. It fails only if data is
// not the documented shape; problems with single fields of a person end up in
// that Person's Err, and persons whose identifier is not valid are skipped
// (they cannot be matched to a request).
func decodeResponse(data []byte) (persons []Person, skipped int, err error) {
	var r wireResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, 0, &DecodeError{Reason: "not the JSON KRR documents", Err: jsonError(err)}
	}
	if r.Personer == nil {
		return nil, 0, &DecodeError{Reason: `no "personer" member`}
	}
	persons = make([]Person, 0, len(*r.Personer))
	// A mailbox provider has one certificate for all its users, so a batch
	// holds few distinct ones: parse each once.
	certs := make(map[string]parsedCert)
	for _, w := range *r.Personer {
		p, ok := w.person(certs)
		if !ok {
			skipped++
			continue
		}
		persons = append(persons, p)
	}
	return persons, skipped, nil
}

// jsonError words a decoding error without echoing values from the input.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Errorf("member %s: want a JSON %s, got %s", te.Field, te.Type.Kind(), te.Value)
		}
		return fmt.Errorf("want a JSON %s, got %s", te.Type.Kind(), te.Value)
	case errors.Is(err, errEmpty):
		return err
	}
	if strings.Contains(err.Error(), "unexpected end of JSON input") {
		return errors.New("truncated JSON")
	}
	return errors.New("invalid JSON")
}

var errEmpty = errors.New("empty body")

type parsedCert struct {
	cert *x509.Certificate
	err  error
}

func (w *wirePerson) person(certs map[string]parsedCert) (Person, bool) {
	id, err := personid.Parse(w.ID)
	if err != nil {
		return Person{}, false
	}
	p := Person{
		ID:                 id,
		Reservation:        Reservation(w.Reservasjon),
		Status:             Status(w.Status),
		NotificationStatus: NotificationStatus(w.Varslingsstatus),
		Language:           w.Spraak,
	}
	var errs []error
	get := func(field string, wt wireTime) time.Time {
		if wt.err != nil {
			errs = append(errs, &FieldError{Field: field, Err: wt.err})
		}
		return wt.t
	}
	p.ReservedAt = get("reservasjonstidspunkt", w.Reservasjonstidspunkt)
	p.ReservationUpdated = get("reservasjon_oppdatert", w.ReservasjonOppdatert)
	p.LanguageUpdated = get("spraak_oppdatert", w.SpraakOppdatert)
	if k := w.Kontaktinformasjon; k != nil {
		p.Email = k.Epost
		p.EmailUpdated = get("kontaktinformasjon.epostadresse_oppdatert", k.EpostOppdatert)
		p.EmailVerified = get("kontaktinformasjon.epostadresse_sist_verifisert", k.EpostVerifisert)
		p.Mobile = k.Mobil
		p.MobileUpdated = get("kontaktinformasjon.mobiltelefonnummer_oppdatert", k.MobilOppdatert)
		p.MobileVerified = get("kontaktinformasjon.mobiltelefonnummer_sist_verifisert", k.MobilVerifisert)
	}
	if d := w.DigitalPost; d != nil && (d.Adresse != "" || d.Leverandoer != "") {
		p.Mailbox = &Mailbox{Address: d.Adresse, Provider: d.Leverandoer}
	}
	if w.Sertifikat != "" {
		pc, ok := certs[w.Sertifikat]
		if !ok {
			pc.cert, pc.err = parseCertificate(w.Sertifikat)
			certs[w.Sertifikat] = pc
		}
		if pc.err != nil {
			errs = append(errs, &FieldError{Field: "sertifikat", Err: pc.err})
		}
		p.MailboxCertificate = pc.cert
	}
	p.Err = errors.Join(errs...)
	return p, true
}

// maxCertificateSize bounds one certificate in base64 (64 KiB); real ones
// are 1–3 KiB.
const maxCertificateSize = 64 << 10

// parseCertificate parses a certificate sent as base64 DER (standard or URL
// alphabet, padded or not, line breaks allowed) or as PEM.
func parseCertificate(s string) (*x509.Certificate, error) {
	if len(s) > maxCertificateSize {
		return nil, fmt.Errorf("certificate larger than %d bytes", maxCertificateSize)
	}
	var der []byte
	if strings.HasPrefix(strings.TrimSpace(s), "-----BEGIN") {
		block, _ := pem.Decode([]byte(s))
		if block == nil || block.Type != "CERTIFICATE" {
			return nil, errors.New("not a PEM certificate")
		}
		der = block.Bytes
	} else if d, err := base64.StdEncoding.DecodeString(s); err == nil {
		der = d
	} else {
		clean := strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\n', '\r', '\t':
				return -1
			case '-':
				return '+'
			case '_':
				return '/'
			}
			return r
		}, s)
		clean = strings.TrimRight(clean, "=")
		der, err = base64.RawStdEncoding.DecodeString(clean)
		if err != nil {
			return nil, errors.New("certificate is not base64")
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("certificate does not parse: %w", err)
	}
	return cert, nil
}

// PrintCertificate is the certificate to encrypt digital post with when
// the post is to be printed and sent on paper through the print provider
// ("printSertifikat").
type PrintCertificate struct {
	// Provider is the print provider's organisation number
	// ("postkasseleverandoerAdresse").
	Provider    string
	Certificate *x509.Certificate
}

type wirePrint struct {
	Leverandoer string `json:"postkasseleverandoerAdresse"`
	Sertifikat  string `json:"x509Sertifikat"`
}

func decodePrintCertificate(data []byte) (*PrintCertificate, error) {
	var w wirePrint
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &DecodeError{Reason: "not the JSON KRR documents", Err: errEmpty}
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, &DecodeError{Reason: "not the JSON KRR documents", Err: jsonError(err)}
	}
	if w.Sertifikat == "" {
		return nil, &DecodeError{Reason: `no "x509Sertifikat" member`}
	}
	cert, err := parseCertificate(w.Sertifikat)
	if err != nil {
		return nil, &DecodeError{Reason: "x509Sertifikat", Err: err}
	}
	return &PrintCertificate{Provider: w.Leverandoer, Certificate: cert}, nil
}
