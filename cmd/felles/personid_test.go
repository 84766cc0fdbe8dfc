package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// personIDInputs are numbers whose whole digits must never be printed.
var personIDInputs = []string{
	"23079421936", "16852749559", "30108299939", "41814061033", "55507608360",
	"23079421937", "0707614285", "070761-4285", "0101601235", "3201601234", "00000000191",
}

func assertMasked(t *testing.T, out string) {
	t.Helper()
	for _, s := range personIDInputs {
		digits := strings.ReplaceAll(s, "-", "")
		if strings.Contains(out, s) || strings.Contains(out, digits) || strings.Contains(out, s[6:]) {
			t.Errorf("output shows %s:\n%s", s, out)
		}
	}
}

func TestPersonIDCheck(t *testing.T) {
	code, out, errs := runCLI(t, "personid", "check",
		"23079421936", "16852749559", "30108299939", "41814061033", "55507608360", " 230794 21936 ",
		"070761-4285", "0101601235")
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	want := []string{
		"230794*****: valid fødselsnummer, born 1994-07-23, male, legacy check digits",
		"168527*****: valid fødselsnummer, synthetic (Skatteetaten/Tenor, +80), born 1927-05-16, male, legacy check digits",
		"301082*****: valid fødselsnummer, 2032 check digits (no birth date or sex encoded)",
		"418140*****: valid D-nummer, synthetic (Skatteetaten/Tenor, +80), born 1940-01-01, female, legacy check digits",
		"555076*****: valid D-nummer, synthetic (NAV/Dolly, +40), born 1976-10-15, male, legacy check digits",
		"230794*****: valid fødselsnummer, born 1994-07-23, male, legacy check digits",
		"070761-****: valid CPR, born 1961-07-07, male, modulus 11 ok",
		"010160-****: valid CPR, born 1960-01-01, male; warning: fails the modulus 11 check; CPR has issued such numbers since 2007, do not reject it",
	}
	if got := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("output:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}
	assertMasked(t, out)
}

func TestPersonIDCheckInvalid(t *testing.T) {
	code, out, errs := runCLI(t, "personid", "check", "23079421936", "23079421937", "00000000191", "3201601234", "12")
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(errs, "4 of 5 numbers invalid") {
		t.Errorf("stderr %q", errs)
	}
	for _, w := range []string{
		"230794*****: invalid: wrong second check digit",
		"000000*****: invalid: not a valid date",
		"320160****: invalid CPR: not a valid date",
		"12: invalid: want 11 digits",
	} {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	assertMasked(t, out+errs)
}

func TestPersonIDCheckJSON(t *testing.T) {
	// The flag may also follow the numbers.
	code, out, errs := runCLI(t, "personid", "check", "16852749559", "-json", "30108299939", "0101601235", "2307942193x")
	if code != exitFailure || !strings.Contains(errs, "1 of 4") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		got = append(got, m)
	}
	check := func(i int, key string, want any) {
		t.Helper()
		if got[i][key] != want {
			t.Errorf("line %d: %s = %v, want %v", i, key, got[i][key], want)
		}
	}
	check(0, "number", "168527*****")
	check(0, "valid", true)
	check(0, "type", "fødselsnummer")
	check(0, "synthetic", "skatteetaten")
	check(0, "scheme", "legacy")
	check(0, "birth_date", "1927-05-16")
	check(0, "sex", "male")
	check(1, "scheme", "2032")
	check(1, "birth_date", nil)
	check(1, "sex", nil)
	check(2, "type", "CPR")
	check(2, "modulus11", false)
	check(2, "valid", true)
	check(2, "warning", "fails the modulus 11 check; CPR has issued such numbers since 2007, do not reject it")
	check(3, "valid", false)
	check(3, "number", "230794*****")
	check(3, "error", "not all digits")
	assertMasked(t, out+errs)
}

func TestPersonIDUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"personid"}, exitUsage, "missing subcommand"},
		{[]string{"personid", "nope"}, exitUsage, `unknown subcommand "nope"`},
		{[]string{"personid", "check"}, exitUsage, "no NUMBER given"},
		{[]string{"personid", "check", "-bogus", "23079421936"}, exitUsage, "flag provided but not defined"},
		{[]string{"personid", "check", "-h"}, exitOK, "printed masked"},
		{[]string{"personid", "-h"}, exitOK, "-json"},
		{[]string{"help", "personid"}, exitOK, "printed masked"},
		{[]string{"personid", "check", "--", "23079421936"}, exitOK, "230794*****: valid"},
		{[]string{"personid", "check", "--", "-json"}, exitFailure, "-json: invalid CPR"},
	}
	for _, tc := range cases {
		code, out, errs := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("felles %v: exit %d, output %q; want exit %d and %q", tc.args, code, out+errs, tc.code, tc.want)
		}
	}
}
