package population

import "time"

// Norway's time zones. Folkeregisteret and KRR write local time with an
// offset; the rules (EU summer time: last Sunday of March to last Sunday of
// October, 01:00 UTC) are computed here so that no time zone database is
// needed.
var (
	cet  = time.FixedZone("CET", 3600)
	cest = time.FixedZone("CEST", 7200)
)

// Oslo returns t in Norwegian local time.
func Oslo(t time.Time) time.Time {
	u := t.UTC()
	y := u.Year()
	start := lastSunday(y, time.March).Add(time.Hour)
	end := lastSunday(y, time.October).Add(time.Hour)
	if !u.Before(start) && u.Before(end) {
		return t.In(cest)
	}
	return t.In(cet)
}

// lastSunday returns midnight UTC of the last Sunday of month m in year y.
func lastSunday(y int, m time.Month) time.Time {
	d := time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return d.AddDate(0, 0, -int(d.Weekday()))
}

// epoch day numbers: days since 1970-01-01.
func dayOf(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func dateOf(day int32) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }

// localDay is the Norwegian calendar day of the instant ms (Unix ms).
func localDay(ms int64) int32 { return dayOf(Oslo(time.UnixMilli(ms))) }

// yearsBetween returns whole years from birth day b to day d.
func yearsBetween(b, d int32) int {
	bt, dt := dateOf(b), dateOf(d)
	y := dt.Year() - bt.Year()
	if dt.Month() < bt.Month() || (dt.Month() == bt.Month() && dt.Day() < bt.Day()) {
		y--
	}
	return y
}
