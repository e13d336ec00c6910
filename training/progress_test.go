package training_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/training"
)

func weekNames(ws []training.Week) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.String()
	}
	return out
}

func TestWeeks(t *testing.T) {
	loc := oslo(t)
	for _, tc := range []struct {
		name string
		now  string
		n    int
		want []string
	}{
		{"New Year's Eve ends 2026-W53", "2026-12-31T12:00:00Z", 3, []string{"2026-W51", "2026-W52", "2026-W53"}},
		{"Monday 00:30 in Oslo is 2027-W01 while UTC is in W53", "2027-01-03T23:30:00Z", 2, []string{"2026-W53", "2027-W01"}},
		{"across spring-forward", "2026-03-29T22:30:00Z", 2, []string{"2026-W13", "2026-W14"}},
		{"across fall-back", "2026-10-25T23:00:00Z", 2, []string{"2026-W43", "2026-W44"}},
		{"none", "2026-10-25T23:00:00Z", 0, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := weekNames(training.Weeks(utc(tc.now), loc, tc.n))
			if !slices.Equal(got, tc.want) {
				t.Errorf("Weeks = %v, want %v", got, tc.want)
			}
		})
	}
}

func ptr(i int) *int { return &i }

// done4x4 is a complete 4x4 session at start with the given Borg ratings
// of its four work intervals and session RPE.
func done4x4(start string, rpe int, borg ...int) training.Session {
	s := training.Session{ID: start, Protocol: "4x4", StartedAt: utc(start), DurationMin: 38, SessionRPE: ptr(rpe)}
	for _, b := range borg {
		s.Intervals = append(s.Intervals, training.Interval{RPE: b})
	}
	return s
}

func TestWeekly(t *testing.T) {
	loc := oslo(t)
	plan := training.Plan{SessionsPerWeek: 2}
	warmUpOnly := training.Session{ID: "w", Protocol: "4x4", StartedAt: utc("2026-12-29T17:00:00Z"), DurationMin: 5, SessionRPE: ptr(3)}
	oneInterval := done4x4("2026-12-30T17:00:00Z", 5, 16)
	oneInterval.DurationMin = 15
	for _, tc := range []struct {
		name     string
		sessions []training.Session
		weeks    []string
		want     []training.WeekFigures
	}{
		{
			name: "New Year: Sunday 3 January 23:30 in Oslo is still 2026-W53",
			sessions: []training.Session{
				done4x4("2026-12-27T23:10:00Z", 5, 15, 15, 15, 15), // Monday 28 Dec 00:10 in Oslo
				done4x4("2027-01-03T22:30:00Z", 6, 15, 14, 15, 14), // Sunday 23:30 in Oslo
				done4x4("2027-01-03T23:30:00Z", 7, 17, 17, 17, 17), // Monday 00:30: 2027-W01
			},
			weeks: []string{"2026-W52", "2026-W53", "2027-W01"},
			want: []training.WeekFigures{
				{Planned: 2},
				{Sessions: 2, Planned: 2, High: 0.75, Load: 5*38 + 6*38},
				{Sessions: 1, Planned: 2, High: 1, Load: 7 * 38},
			},
		},
		{
			name: "DST: the night of spring-forward splits weeks 13 and 14 on local time",
			sessions: []training.Session{
				done4x4("2026-03-29T21:30:00Z", 4, 12, 12, 12, 12), // Sunday 23:30 CEST
				done4x4("2026-03-29T22:30:00Z", 8, 18, 18, 18, 18), // Monday 00:30 CEST
			},
			weeks: []string{"2026-W13", "2026-W14"},
			want: []training.WeekFigures{
				{Sessions: 1, Planned: 2, High: 0, Load: 4 * 38},
				{Sessions: 1, Planned: 2, High: 1, Load: 8 * 38},
			},
		},
		{
			name:     "a warm-up only session does not count; a single work interval does",
			sessions: []training.Session{warmUpOnly, oneInterval},
			weeks:    []string{"2026-W53"},
			want:     []training.WeekFigures{{Sessions: 1, Planned: 2, High: 1, Load: 5 * 15}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var weeks []training.Week
			for _, name := range tc.weeks {
				w, err := training.ParseWeek(name)
				if err != nil {
					t.Fatal(err)
				}
				weeks = append(weeks, w)
			}
			got := training.Weekly(tc.sessions, plan, loc, 0, weeks)
			for i := range tc.want {
				tc.want[i].Week = weeks[i]
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Weekly =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

func TestWeeklyHeartRate(t *testing.T) {
	s := done4x4("2026-06-01T10:00:00Z", 6, 13, 13, 13, 13)
	for i := range s.Intervals {
		s.Intervals[i].HRPeak = 160 + 5*i // 160, 165, 170, 175 against 85 % of 200 = 170
	}
	w := training.WeekOf(s.StartedAt, time.UTC)
	got := training.Weekly([]training.Session{s}, training.Plan{}, time.UTC, 200, []training.Week{w})
	if got[0].High != 0.5 || got[0].Planned != 0 {
		t.Errorf("Weekly with HRmax 200 = %+v, want High 0.5 and nothing planned", got[0])
	}
}

func codes(fs []training.Flag) []training.FlagCode {
	out := []training.FlagCode{}
	for _, f := range fs {
		if f.Message == "" {
			panic("flag " + string(f.Code) + " has no message")
		}
		out = append(out, f.Code)
	}
	return out
}

func withMood(s training.Session, before, after int) training.Session {
	s.MoodBefore, s.MoodAfter = ptr(before), ptr(after)
	return s
}

func TestFlags(t *testing.T) {
	loc := oslo(t)
	now := utc("2027-01-05T12:00:00Z") // Tuesday of 2027-W01
	weeks := training.Weeks(now, loc, 3)
	hard := func(at string) training.Session { return done4x4(at, 6, 16, 16, 16, 16) }
	easy := func(at string) training.Session { return done4x4(at, 6, 12, 13, 12, 13) }
	for _, tc := range []struct {
		name     string
		sessions []training.Session
		since    string
		want     []training.FlagCode
	}{
		{"all well", []training.Session{hard("2026-12-22T17:00:00Z"), hard("2026-12-29T17:00:00Z"), hard("2027-01-04T17:00:00Z")}, "2026-12-01T00:00:00Z", nil},
		{"quiet for 10 days across New Year", []training.Session{hard("2026-12-25T12:00:00Z")}, "2026-12-01T00:00:00Z", []training.FlagCode{training.FlagNoSession}},
		{"quiet for 9 days is fine", []training.Session{hard("2026-12-27T12:00:00Z")}, "2026-12-01T00:00:00Z", nil},
		{"joined 3 days ago with nothing logged yet", nil, "2027-01-02T12:00:00Z", nil},
		{"joined 12 days ago and nothing logged", nil, "2026-12-24T12:00:00Z", []training.FlagCode{training.FlagNoSession}},
		{"a warm-up only session does not end the quiet", []training.Session{
			{ID: "w", Protocol: "4x4", StartedAt: utc("2027-01-04T17:00:00Z"), DurationMin: 4},
			hard("2026-12-20T17:00:00Z")}, "2026-12-01T00:00:00Z", []training.FlagCode{training.FlagNoSession}},
		{"not a 4x4 yet", []training.Session{easy("2026-12-22T17:00:00Z"), easy("2026-12-29T17:00:00Z"), easy("2027-01-04T17:00:00Z")}, "2026-12-01T00:00:00Z",
			[]training.FlagCode{training.FlagLowIntensity}},
		{"two easy sessions are not yet persistent", []training.Session{easy("2026-12-29T17:00:00Z"), easy("2027-01-04T17:00:00Z")}, "2026-12-01T00:00:00Z", nil},
		{"load jump from W53 to W01", []training.Session{
			hard("2026-12-22T17:00:00Z"), hard("2026-12-29T17:00:00Z"), hard("2027-01-04T17:00:00Z"), hard("2027-01-05T07:00:00Z")}, "2026-12-01T00:00:00Z",
			[]training.FlagCode{training.FlagLoadJump}},
		{"mood lower after three sessions in a row", []training.Session{
			withMood(hard("2026-12-22T17:00:00Z"), 4, 3), withMood(hard("2026-12-29T17:00:00Z"), 4, 2), withMood(hard("2027-01-04T17:00:00Z"), 3, 2)}, "2026-12-01T00:00:00Z",
			[]training.FlagCode{training.FlagMoodDrop}},
		{"one session where mood held up breaks the run", []training.Session{
			withMood(hard("2026-12-22T17:00:00Z"), 4, 3), withMood(hard("2026-12-29T17:00:00Z"), 4, 4), withMood(hard("2027-01-04T17:00:00Z"), 3, 2)}, "2026-12-01T00:00:00Z", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			figures := training.Weekly(tc.sessions, training.Plan{SessionsPerWeek: 2}, loc, 0, weeks)
			got := codes(training.Flags(tc.sessions, figures, 0, utc(tc.since), now))
			if !slices.Equal(got, append([]training.FlagCode{}, tc.want...)) {
				t.Errorf("Flags = %v, want %v", got, tc.want)
			}
		})
	}
}
