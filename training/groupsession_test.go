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

func TestGroupSessions(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, oslo)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	type want struct {
		date, start, place string // start on the Oslo clock
		cancelled, moved   bool
		reason             string
	}
	tests := []struct {
		name    string
		now     string // Oslo clock
		changes []SessionChange
		want    []want
	}{
		{"no changes: weekly", "2026-03-23 12:00", nil, []want{
			{date: "2026-03-25", start: "2026-03-25 18:00", place: "Parken"},
			{date: "2026-04-01", start: "2026-04-01 18:00", place: "Parken"},
			{date: "2026-04-08", start: "2026-04-08 18:00", place: "Parken"},
		}},
		{"a cancelled session is listed, not skipped", "2026-03-23 12:00", []SessionChange{{Date: "2026-03-25", Cancelled: true, Reason: "Påske"}}, []want{
			{date: "2026-03-25", start: "2026-03-25 18:00", place: "Parken", cancelled: true, reason: "Påske"},
			{date: "2026-04-01", start: "2026-04-01 18:00", place: "Parken"},
			{date: "2026-04-08", start: "2026-04-08 18:00", place: "Parken"},
		}},
		{"moved to another time and place", "2026-03-23 12:00", []SessionChange{{Date: "2026-04-01", Time: "19:30", Place: "Hallen"}}, []want{
			{date: "2026-03-25", start: "2026-03-25 18:00", place: "Parken"},
			{date: "2026-04-01", start: "2026-04-01 19:30", place: "Hallen", moved: true},
			{date: "2026-04-08", start: "2026-04-08 18:00", place: "Parken"},
		}},
		{"moved to the Monday before: order by the moved start", "2026-03-23 12:00", []SessionChange{{Date: "2026-04-01", MovedTo: "2026-03-30"}}, []want{
			{date: "2026-03-25", start: "2026-03-25 18:00", place: "Parken"},
			{date: "2026-04-01", start: "2026-03-30 18:00", place: "Parken", moved: true},
			{date: "2026-04-08", start: "2026-04-08 18:00", place: "Parken"},
		}},
		{"last week's session moved to Sunday is still ahead on Sunday", "2026-03-29 12:00", []SessionChange{{Date: "2026-03-25", MovedTo: "2026-03-29", Time: "17:00"}}, []want{
			{date: "2026-03-25", start: "2026-03-29 17:00", place: "Parken", moved: true},
			{date: "2026-04-01", start: "2026-04-01 18:00", place: "Parken"},
			{date: "2026-04-08", start: "2026-04-08 18:00", place: "Parken"},
		}},
		{"a moved session is over an hour after its moved start", "2026-03-25 19:31", []SessionChange{{Date: "2026-03-25", Time: "18:30"}}, []want{
			{date: "2026-04-01", start: "2026-04-01 18:00", place: "Parken"},
			{date: "2026-04-08", start: "2026-04-08 18:00", place: "Parken"},
			{date: "2026-04-15", start: "2026-04-15 18:00", place: "Parken"},
		}},
		{"a change for a date that is no session is ignored", "2026-03-23 12:00", []SessionChange{{Date: "2026-03-26", Cancelled: true}}, []want{
			{date: "2026-03-25", start: "2026-03-25 18:00", place: "Parken"},
			{date: "2026-04-01", start: "2026-04-01 18:00", place: "Parken"},
			{date: "2026-04-08", start: "2026-04-08 18:00", place: "Parken"},
		}},
		{"a move to the same time and place is no move", "2026-03-23 12:00", []SessionChange{{Date: "2026-03-25", Time: "18:00", Place: "Parken"}}, []want{
			{date: "2026-03-25", start: "2026-03-25 18:00", place: "Parken"},
			{date: "2026-04-01", start: "2026-04-01 18:00", place: "Parken"},
			{date: "2026-04-08", start: "2026-04-08 18:00", place: "Parken"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := GroupSessions(at(tc.now), oslo, 3, "18:00", "Parken", tc.changes, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d sessions %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Date != w.date || !g.Start.Equal(at(w.start)) || g.Place != w.place || g.Cancelled != w.cancelled || g.Moved != w.moved || g.Reason != w.reason {
					t.Errorf("session %d = %+v (start %s), want %+v", i, g, g.Start.Format("2006-01-02 15:04"), w)
				}
				if g.Start.Location() != oslo {
					t.Errorf("session %d: location %v, want the group's", i, g.Start.Location())
				}
			}
		})
	}
	// The first regular session agrees with NextSession.
	for _, now := range []string{"2026-03-25 18:59", "2026-10-25 02:30", "2026-12-31 23:59"} {
		got, err := GroupSessions(at(now), oslo, 3, "18:00", "P", nil, 1)
		next, err2 := NextSession(at(now), oslo, 3, "18:00")
		if err != nil || err2 != nil || len(got) != 1 || !got[0].Start.Equal(next) {
			t.Errorf("at %s: GroupSessions %+v, NextSession %s (%v, %v)", now, got, next, err, err2)
		}
	}
	if _, err := GroupSessions(at("2026-03-23 12:00"), oslo, 0, "18:00", "P", nil, 2); err == nil {
		t.Error("weekday 0: no error")
	}
}
