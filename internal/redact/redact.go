// Package redact removes credentials and personal data from text meant for
// logs and error messages: JSON Web Tokens, Authorization values, OAuth 2.0
// parameters such as assertion and access_token, and Norwegian national
// identity numbers (fødselsnummer and d-nummer, 11 digits).
//
// Redaction is best effort and errs towards removing too much. The output of
// each function is stable under a second pass.
package redact

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// mask replaces a redacted value in text and headers.
const mask = "[REDACTED]"

// queryMask replaces every query value in [URL]; it needs no escaping.
const queryMask = "REDACTED"

// secretParams are the form, query and JSON keys whose values are secret.
const secretParams = `access_token|refresh_token|id_token|client_assertion|client_secret|assertion|code|password|token`

var (
	// authRe matches an Authorization or Proxy-Authorization value in a
	// header dump, a printed http.Header or JSON: an optional scheme and the
	// credentials, which may be a JWT already masked.
	authRe = regexp.MustCompile(`(?i)\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?\[?)((?:[a-z][\w-]*\s+)?(?:\[REDACTED\]|[^\s\[\]"',;&]+))`)
	// bearerRe matches a bearer token outside an Authorization header.
	bearerRe = regexp.MustCompile(`(?i)\b(bearer\s+)[\w.~+/-]{8,}=*`)
	// jwtRe matches a compact JWS or JWT (three parts) or JWE (five parts);
	// the header of all of them is base64url JSON, so it starts with "eyJ".
	jwtRe = regexp.MustCompile(`eyJ[\w-]*\.[\w-]*\.[\w-]*(?:\.[\w-]*\.[\w-]*)?`)
	// formRe matches a secret form or query parameter.
	formRe = regexp.MustCompile(`(?i)\b((?:` + secretParams + `)=)([^\s&"'<>\[][^\s&"'<>]*)`)
	// jsonRe matches a secret JSON string member.
	jsonRe = regexp.MustCompile(`(?i)("(?:` + secretParams + `)"\s*:\s*)"(?:[^"\\]|\\.)*"`)
)

// String returns s with secrets and personal data replaced by "[REDACTED]":
// compact JWS, JWT and JWE; Authorization and Proxy-Authorization values
// and bearer tokens; the values of the form, query or JSON parameters
// assertion, client_assertion, access_token, refresh_token, id_token,
// client_secret, code, password and token; and every run of exactly 11
// digits, the shape of a Norwegian national identity number.
func String(s string) string {
	// JWTs go first, as their digits could look like a person number, then
	// person numbers, as a mask in their place can start a word.
	s = jwtRe.ReplaceAllString(s, mask)
	s = personNumbers(s)
	s = replace(authRe, s, mask[1:len(mask)-1]) // ${1} ends in the mask's "["
	s = bearerRe.ReplaceAllString(s, "${1}"+mask)
	s = replace(formRe, s, queryMask)
	return jsonRe.ReplaceAllString(s, `${1}"`+mask+`"`)
}

// replace replaces the second submatch of every match of re in s, unless it
// equals done, the mark of an earlier redaction.
func replace(re *regexp.Regexp, s, done string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		if s[m[4]:m[5]] == done {
			continue
		}
		b.WriteString(s[last:m[4]])
		b.WriteString(mask)
		last = m[5]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// personNumbers replaces each run of exactly 11 ASCII digits in s, except
// inside a hexadecimal identifier (a run of 16 or more hex digits with a
// letter among them, such as a Maskinporten trace_id), which is not a
// person number and is needed to ask for support.
func personNumbers(s string) string {
	var b strings.Builder
	last := 0 // s[last:] is not yet copied to b
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i == 11 && !inHexID(s, i, j) {
			b.WriteString(s[last:i])
			b.WriteString(mask)
			last = j
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHexLetter(c byte) bool { return 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// inHexID reports whether the digits s[i:j] lie in a run of at least 16 hex
// digits that holds a letter.
func inHexID(s string, i, j int) bool {
	letter := false
	for i > 0 && (isDigit(s[i-1]) || isHexLetter(s[i-1])) {
		i--
		letter = letter || isHexLetter(s[i])
	}
	for j < len(s) && (isDigit(s[j]) || isHexLetter(s[j])) {
		letter = letter || isHexLetter(s[j])
		j++
	}
	return letter && j-i >= 16
}

// URL returns u as a string without its userinfo and fragment, with every
// query value replaced by "REDACTED" and the rest passed through [String],
// so a national identity number in the path is removed too. It returns ""
// for a nil u.
func URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	v := *u
	v.User = nil
	v.RawQuery, v.ForceQuery = "", false
	v.Fragment, v.RawFragment = "", ""
	s := String(v.String())
	if u.RawQuery == "" {
		return s
	}
	q, _ := url.ParseQuery(u.RawQuery) // keep what parses
	var b strings.Builder
	b.WriteString(s)
	for i, k := range slices.Sorted(maps.Keys(q)) {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(String(k)))
		b.WriteString("=" + queryMask)
	}
	return b.String()
}

// secretHeaders are the canonical names of the headers [Header] redacts.
var secretHeaders = []string{"Authorization", "Cookie", "Proxy-Authorization", "Set-Cookie"}

// Header returns a copy of h in which every value of Authorization, Cookie,
// Proxy-Authorization and Set-Cookie is replaced by "[REDACTED]". It returns
// nil for a nil h.
func Header(h http.Header) http.Header {
	c := h.Clone()
	for k, vs := range c {
		if slices.Contains(secretHeaders, http.CanonicalHeaderKey(k)) {
			for i := range vs {
				vs[i] = mask
			}
		}
	}
	return c
}

// Handler returns a slog.Handler that passes every record to h after
// redacting its message and attributes with [String], including attributes
// added with WithAttrs and those inside groups. Errors and fmt.Stringer
// values are redacted as their text, *url.URL values as by [URL],
// http.Header values as by [Header], and integers of 11 digits entirely.
// Other values are passed on unchanged.
// Handler returns h itself if h already redacts.
func Handler(h slog.Handler) slog.Handler {
	if _, ok := h.(handler); ok {
		return h
	}
	return handler{h}
}

type handler struct{ h slog.Handler }

func (r handler) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(attr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r handler) WithAttrs(as []slog.Attr) slog.Handler {
	return handler{r.h.WithAttrs(attrs(as))}
}

func (r handler) WithGroup(name string) slog.Handler { return handler{r.h.WithGroup(name)} }

func attrs(as []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = attr(a)
	}
	return out
}

func attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		v = slog.StringValue(String(v.String()))
	case slog.KindInt64, slog.KindUint64:
		if n := v.String(); len(strings.TrimPrefix(n, "-")) == 11 {
			v = slog.StringValue(mask)
		}
	case slog.KindGroup:
		v = slog.GroupValue(attrs(v.Group())...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case *url.URL:
			v = slog.StringValue(URL(x))
		case http.Header:
			v = slog.AnyValue(Header(x))
		case error, fmt.Stringer:
			// fmt survives a nil receiver that x.Error would panic on.
			v = slog.StringValue(String(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
