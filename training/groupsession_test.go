package training

import (
	"testing"
	"time"
)

func TestNextSession(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name    string
		now     string
		weekday int
		clock   string
		want    string // UTC
	}{
		{"later this week", "2026-03-23T11:00:00Z", 3, "18:00", "2026-03-25T17:00:00Z"},
		{"later today", "2026-03-25T10:00:00Z", 3, "18:00", "2026-03-25T17:00:00Z"},
		{"going on: still the next one", "2026-03-25T17:30:00Z", 3, "18:00", "2026-03-25T17:00:00Z"},
		{"an hour after it began: next week", "2026-03-25T18:00:00Z", 3, "18:00", "2026-04-01T16:00:00Z"},
		{"across spring-forward keeps 18:00 local", "2026-03-26T09:00:00Z", 3, "18:00", "2026-04-01T16:00:00Z"},
		{"across fall-back keeps 18:00 local", "2026-10-22T09:00:00Z", 3, "18:00", "2026-10-28T17:00:00Z"},
		{"Sunday is 7", "2026-12-02T09:00:00Z", 7, "10:00", "2026-12-06T09:00:00Z"},
		{"Monday is 1, from a Sunday", "2026-12-06T20:00:00Z", 1, "07:30", "2026-12-07T06:30:00Z"},
		{"late Sunday UTC is Monday in Oslo", "2026-12-06T23:30:00Z", 1, "07:30", "2026-12-07T06:30:00Z"},
		{"new year", "2026-12-31T12:00:00Z", 5, "09:00", "2027-01-01T08:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NextSession(utc(tc.now), oslo, tc.weekday, tc.clock)
			if err != nil {
				t.Fatalf("NextSession: %v", err)
			}
			if !got.Equal(utc(tc.want)) {
				t.Errorf("NextSession(%s, %d, %s) = %s, want %s", tc.now, tc.weekday, tc.clock, got.UTC().Format(time.RFC3339), tc.want)
			}
			if got.Location() != oslo {
				t.Errorf("location = %v, want the group's", got.Location())
			}
		})
	}
}

func TestNextSessionRefuses(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		weekday int
		clock   string
	}{{0, "18:00"}, {8, "18:00"}, {3, "24:00"}, {3, "18:60"}, {3, "8:00"}, {3, "18.00"}, {3, ""}, {3, "1a:00"}} {
		if _, err := NextSession(now, time.UTC, tc.weekday, tc.clock); err == nil {
			t.Errorf("NextSession(%d, %q): no error", tc.weekday, tc.clock)
		}
	}
}
