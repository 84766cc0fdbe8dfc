package population

import (
	"testing"
	"time"
)

func TestMonthsBeforeClampsAndFreshIsInclusive(t *testing.T) {
	utc := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	for _, tc := range []struct{ in, want time.Time }{
		{utc(2026, 8, 31), utc(2025, 2, 28)},
		{utc(2025, 8, 31), utc(2024, 2, 29)}, // leap year
		{utc(2026, 11, 23), utc(2025, 5, 23)},
		{utc(2026, 3, 15), utc(2024, 9, 15)},
	} {
		if got := MonthsBefore(tc.in, 18); !got.Equal(tc.want) {
			t.Errorf("MonthsBefore(%v, 18) = %v, want %v", tc.in, got, tc.want)
		}
	}
	now := utc(2026, 8, 31)
	if !fresh(now, utc(2025, 2, 28)) {
		t.Error("updated exactly 18 months ago should still count")
	}
	if fresh(now, utc(2025, 2, 28).Add(-time.Second)) {
		t.Error("updated more than 18 months ago counts")
	}
	if !fresh(now, utc(2025, 3, 1)) {
		t.Error("1 March 2025 is within 18 months of 31 August 2026") // AddDate would say no
	}
}
