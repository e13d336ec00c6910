package training_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zone files

	"github.com/hit4x4/dagbok/training"
)

func oslo(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWeekOf(t *testing.T) {
	loc := oslo(t)
	for _, tc := range []struct {
		name string
		at   string
		want string
	}{
		{"Sunday evening before spring-forward, local week 13", "2026-03-29T21:30:00Z", "2026-W13"}, // 23:30 CEST Sunday
		{"Monday 00:30 local is already week 14", "2026-03-29T22:30:00Z", "2026-W14"},
		{"Monday 00:30 CET although UTC says Sunday", "2026-03-22T23:30:00Z", "2026-W13"},
		{"autumn: Sunday 23:59 CET", "2026-10-25T22:59:00Z", "2026-W43"},
		{"autumn: Monday 00:00 CET", "2026-10-25T23:00:00Z", "2026-W44"},
		{"New Year's Day 2027 is in 2026-W53", "2026-12-31T23:30:00Z", "2026-W53"},
		{"3 January 2021 is in 2020-W53", "2021-01-03T12:00:00Z", "2020-W53"},
		{"29 December 2025 is in 2026-W01", "2025-12-29T08:00:00Z", "2026-W01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := training.WeekOf(utc(tc.at), loc).String(); got != tc.want {
				t.Errorf("WeekOf(%s) = %s, want %s", tc.at, got, tc.want)
			}
		})
	}
}

func TestWeekStart(t *testing.T) {
	loc := oslo(t)
	for _, tc := range []struct {
		week training.Week
		want string // UTC instant of Monday 00:00 in Oslo
		len  time.Duration
	}{
		{training.Week{Year: 2026, Week: 13}, "2026-03-22T23:00:00Z", 7*24*time.Hour - time.Hour}, // spring forward
		{training.Week{Year: 2026, Week: 14}, "2026-03-29T22:00:00Z", 7 * 24 * time.Hour},
		{training.Week{Year: 2026, Week: 43}, "2026-10-18T22:00:00Z", 7*24*time.Hour + time.Hour}, // fall back
		{training.Week{Year: 2026, Week: 1}, "2025-12-28T23:00:00Z", 7 * 24 * time.Hour},
		{training.Week{Year: 2026, Week: 53}, "2026-12-27T23:00:00Z", 7 * 24 * time.Hour},
		{training.Week{Year: 2021, Week: 1}, "2021-01-03T23:00:00Z", 7 * 24 * time.Hour},
	} {
		t.Run(tc.week.String(), func(t *testing.T) {
			start := tc.week.Start(loc)
			if !start.Equal(utc(tc.want)) {
				t.Errorf("Start = %s, want %s", start.UTC().Format(time.RFC3339), tc.want)
			}
			if got := tc.week.Next().Start(loc).Sub(start); got != tc.len {
				t.Errorf("week lasts %v, want %v", got, tc.len)
			}
			if training.WeekOf(start, loc) != tc.week || training.WeekOf(start.Add(-time.Second), loc) == tc.week {
				t.Errorf("Start is not the first instant of the week")
			}
		})
	}
}

func TestWeekNext(t *testing.T) {
	for _, tc := range []struct{ w, want training.Week }{
		{training.Week{Year: 2026, Week: 13}, training.Week{Year: 2026, Week: 14}},
		{training.Week{Year: 2026, Week: 52}, training.Week{Year: 2026, Week: 53}},
		{training.Week{Year: 2026, Week: 53}, training.Week{Year: 2027, Week: 1}},
		{training.Week{Year: 2025, Week: 52}, training.Week{Year: 2026, Week: 1}},
	} {
		if got := tc.w.Next(); got != tc.want {
			t.Errorf("%s.Next() = %s, want %s", tc.w, got, tc.want)
		}
	}
}

func TestAdherence(t *testing.T) {
	loc := oslo(t)
	sessions := []time.Time{
		utc("2026-03-16T17:00:00Z"), // W12
		utc("2026-03-22T23:30:00Z"), // Monday 00:30 local: W13, not W12
		utc("2026-03-25T17:00:00Z"), // W13
		utc("2026-03-27T17:00:00Z"), // W13 (one extra)
		utc("2026-04-07T17:00:00Z"), // W15
		utc("2026-05-01T17:00:00Z"), // outside the range
	}
	got := training.Adherence(sessions, 2, loc, utc("2026-03-16T00:00:00Z"), utc("2026-04-12T12:00:00Z"))
	want := []training.WeekAdherence{
		{Week: training.Week{Year: 2026, Week: 12}, Done: 1, Planned: 2},
		{Week: training.Week{Year: 2026, Week: 13}, Done: 3, Planned: 2},
		{Week: training.Week{Year: 2026, Week: 14}, Done: 0, Planned: 2},
		{Week: training.Week{Year: 2026, Week: 15}, Done: 1, Planned: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d weeks, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("week %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	ratios := []float64{0.5, 1, 0, 0.5}
	for i, r := range ratios {
		if got[i].Ratio() != r || got[i].Met() != (r == 1) {
			t.Errorf("week %d: Ratio %g Met %v, want %g", i, got[i].Ratio(), got[i].Met(), r)
		}
	}
	if rate := training.AdherenceRate(got); rate != 4.0/8.0 {
		t.Errorf("AdherenceRate = %g, want 0.5", rate)
	}
	if rate := training.AdherenceRate(nil); rate != 1 {
		t.Errorf("AdherenceRate(nil) = %g, want 1", rate)
	}
	if w := (training.WeekAdherence{Done: 0, Planned: 0}); w.Ratio() != 1 || !w.Met() {
		t.Errorf("nothing planned: Ratio %g Met %v", w.Ratio(), w.Met())
	}
	if got := training.Adherence(nil, 2, loc, utc("2026-04-12T00:00:00Z"), utc("2026-03-01T00:00:00Z")); len(got) != 0 {
		t.Errorf("reversed range gave %d weeks", len(got))
	}
	year := training.Adherence(nil, 2, loc, utc("2026-01-01T12:00:00Z"), utc("2026-12-31T12:00:00Z"))
	if len(year) != 53 || year[0].Week != (training.Week{Year: 2026, Week: 1}) || year[52].Week != (training.Week{Year: 2026, Week: 53}) {
		t.Errorf("2026 has %d weeks, from %v to %v", len(year), year[0].Week, year[len(year)-1].Week)
	}
}

// TestISOWeekday: Monday is 1 and Sunday 7, on the time's own calendar.
func TestISOWeekday(t *testing.T) {
	oslo := oslo(t)
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), 1},           // a Monday
		{time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC), 7},           // a Sunday
		{time.Date(2026, 3, 8, 23, 30, 0, 0, time.UTC).In(oslo), 1}, // Sunday in UTC, Monday in Oslo
	} {
		if got := training.ISOWeekday(tc.at); got != tc.want {
			t.Errorf("ISOWeekday(%s) = %d, want %d", tc.at, got, tc.want)
		}
	}
}
