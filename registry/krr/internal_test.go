package krr

import (
	"testing"
	"time"
)

// FuzzDecodeResponse: the decoder of KRR's answers never panics, and what
// it accepts has a valid identifier for every person.
func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(`{"personer":[{"personidentifikator":"20914695016","reservasjon":"NEI","reservasjonstidspunkt":"2023-06-13T13:42:34+02",` +
		`"status":"AKTIV","varslingsstatus":"KAN_VARSLES","kontaktinformasjon":{"epostadresse":"a@b.no","epostadresse_oppdatert":"2023-06-29T10:14:52+02",` +
		`"epostadresse_sist_verifisert":"2023-08-05T10:45:15.768Z","mobiltelefonnummer":"+4799999999"},` +
		`"digital_post":{"postkasseadresse":"x#1","postkasseleverandoeradresse":"984661185"},"sertifikat":"MIIC2jCCAkMCAg38","spraak":"nb","spraak_oppdatert":1691232315768}]}`))
	f.Add([]byte(`{"personer":[]}`))
	f.Add([]byte(`{"personer":null}`))
	f.Add([]byte(`{"personer":[{"personidentifikator":"20914695016","sertifikat":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}]}`))
	f.Add([]byte(`{"personer":[{"personidentifikator":"20914695016","reservasjon_oppdatert":1e400,"digital_post":{}}]}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		persons, _, err := decodeResponse(data)
		if err != nil {
			if persons != nil {
				t.Error("persons with an error")
			}
			return
		}
		for _, p := range persons {
			if p.ID.IsZero() {
				t.Error("person without ID")
			}
			_ = p.ContactDecision(time.Now())
		}
	})
}

// FuzzParseTime: ParseTime never panics, and a time it accepts survives a
// round trip through RFC 3339.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2023-06-13T13:42:34+02", "2023-08-05T10:45:15.768Z", "2023-08-05", "2023-08-05 10:45:15", "2023-08-05t10:45:15z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err != nil {
			return
		}
		back, err := time.Parse(time.RFC3339Nano, tm.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(tm) {
			t.Errorf("ParseTime(%q) = %v does not round-trip", s, tm)
		}
	})
}

// FuzzVerifySigned: signature verification of arbitrary bodies never
// panics and never accepts without a trusted chain.
func FuzzVerifySigned(f *testing.F) {
	f.Add([]byte("eyJhbGciOiJSUzI1NiJ9.eyJwZXJzb25lciI6W119.c2ln"))
	f.Add([]byte(`eyJhbGciOiJSUzI1NiIsIng1YyI6WyJNSUlDIl19.e30.AAAA`))
	f.Add([]byte("..."))
	c := &Client{signerOrg: DigdirOrganizationNumber, now: time.Now}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := c.verifySigned(data); err == nil {
			t.Error("accepted")
		}
	})
}

func TestMonthsBefore(t *testing.T) {
	loc := time.FixedZone("x", 3600)
	for y := 2020; y < 2027; y++ {
		for m := time.January; m <= time.December; m++ {
			for _, d := range []int{1, 15, 28, 29, 30, 31} {
				now := time.Date(y, m, d, 13, 14, 15, 16, loc)
				if now.Day() != d {
					continue // no such day
				}
				got := monthsBefore(now, 18)
				wy, wm := y, int(m)-18
				for wm < 1 {
					wm += 12
					wy--
				}
				last := time.Date(wy, time.Month(wm)+1, 0, 0, 0, 0, 0, loc).Day()
				want := time.Date(wy, time.Month(wm), min(d, last), 13, 14, 15, 16, loc)
				if !got.Equal(want) {
					t.Errorf("monthsBefore(%v) = %v, want %v", now, got, want)
				}
			}
		}
	}
}
