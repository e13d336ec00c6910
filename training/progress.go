package training

import (
	"fmt"
	"slices"
	"time"
)

// WeekFigures are one ISO week of a patient's training as a trainer reads
// it. Only sessions that count (Completion.Counts) enter the figures.
type WeekFigures struct {
	Week     Week
	Sessions int     // sessions that count toward the week
	Planned  int     // sessions per week of the plan, 0 without one
	High     float64 // IntensityShare of the week's work intervals, 0–1
	Load     float64 // sum of the sessions' Foster load
}

// Weeks returns the n ISO weeks ending with the one holding now on loc's
// calendar, oldest first.
func Weeks(now time.Time, loc *time.Location, n int) []Week {
	if n <= 0 {
		return nil
	}
	out := make([]Week, n)
	start := WeekOf(now, loc).Start(time.UTC)
	for i := range n {
		out[n-1-i] = WeekOf(start.AddDate(0, 0, -7*i), time.UTC)
	}
	return out
}

// Weekly computes the figures of each of weeks from the sessions of the
// diary, each placed in its ISO week on loc's calendar (the patient's time
// zone). Sessions without a start, or outside weeks, are left out. hrMax
// is the patient's HRmax, 0 when unknown (see Interval.Hard).
func Weekly(sessions []Session, plan Plan, loc *time.Location, hrMax int, weeks []Week) []WeekFigures {
	out := make([]WeekFigures, len(weeks))
	index := make(map[Week]int, len(weeks))
	intervals := make([][]Interval, len(weeks))
	for i, w := range weeks {
		out[i] = WeekFigures{Week: w, Planned: plan.SessionsPerWeek}
		index[w] = i
	}
	for _, s := range sessions {
		if s.StartedAt.IsZero() || !s.Completion().Counts() {
			continue
		}
		i, ok := index[WeekOf(s.StartedAt, loc)]
		if !ok {
			continue
		}
		out[i].Sessions++
		if l, ok := s.Load(); ok {
			out[i].Load += l
		}
		intervals[i] = append(intervals[i], s.Intervals...)
	}
	for i := range out {
		out[i].High = IntensityShare(intervals[i], hrMax)
	}
	return out
}

// LastSession is the start of the latest session that counts, zero when
// there is none.
func LastSession(sessions []Session) time.Time {
	var last time.Time
	for _, s := range sessions {
		if s.Completion().Counts() && s.StartedAt.After(last) {
			last = s.StartedAt
		}
	}
	return last
}

// FlagCode names something a trainer should act on.
type FlagCode string

// The flags, in the order a trainer should act on them.
const (
	FlagNoSession    FlagCode = "no_session"    // no session for FlagQuietDays days or more
	FlagLowIntensity FlagCode = "low_intensity" // intensity persistently below target
	FlagLoadJump     FlagCode = "load_jump"     // week-on-week load up by more than half
	FlagMoodDrop     FlagCode = "mood_drop"     // mood after sessions consistently below before
)

// The thresholds of the flags.
const (
	// FlagQuietDays without a session that counts raises FlagNoSession.
	FlagQuietDays = 10
	// LowIntensityShare: below this share of hard work intervals over
	// the sessions of the last LowIntensityDays, intensity is too low.
	LowIntensityShare = 0.5
	LowIntensityDays  = 28
	// LowIntensitySessions is how many rated sessions "persistently"
	// needs.
	LowIntensitySessions = 3
	// LoadJump: a week's load above this multiple of the week before's.
	LoadJump = 1.5
	// MoodSessions: the latest sessions with both moods logged that must
	// all end lower than they began.
	MoodSessions = 3
)

// Flag is one thing a trainer should act on, explained in words.
type Flag struct {
	Code    FlagCode
	Message string
}

// Flags returns what a trainer should act on about one patient at now,
// in the order of the codes above. since is when the trainer's view of
// the patient begins (the join, unless the history is shared): a patient
// who joined yesterday has not been quiet for ten days. weeks are the
// patient's figures (Weekly), oldest first, ending with now's week;
// sessions are in ReadDiary's order.
func Flags(sessions []Session, weeks []WeekFigures, hrMax int, since, now time.Time) []Flag {
	var out []Flag
	counted := make([]Session, 0, len(sessions))
	for _, s := range sessions {
		if !s.StartedAt.IsZero() && s.Completion().Counts() && !s.StartedAt.After(now) {
			counted = append(counted, s)
		}
	}
	last := LastSession(counted)
	quietFrom := last
	if quietFrom.IsZero() {
		quietFrom = since
	}
	if !quietFrom.IsZero() {
		if days := int(now.Sub(quietFrom).Hours() / 24); days >= FlagQuietDays {
			msg := fmt.Sprintf("No session for %d days.", days)
			if last.IsZero() {
				msg = fmt.Sprintf("No session logged in the %d days since joining.", days)
			}
			out = append(out, Flag{FlagNoSession, msg})
		}
	}

	var recent []Interval
	rated := 0
	for _, s := range counted {
		if now.Sub(s.StartedAt) > LowIntensityDays*24*time.Hour {
			continue
		}
		if anyKnown(s.Intervals, hrMax) {
			rated++
			recent = append(recent, s.Intervals...)
		}
	}
	if share := IntensityShare(recent, hrMax); rated >= LowIntensitySessions && share < LowIntensityShare {
		out = append(out, Flag{FlagLowIntensity, fmt.Sprintf(
			"Not a 4x4 yet: %.0f %% of work intervals were hard in the last %d days (target at least %.0f %%).",
			share*100, LowIntensityDays, LowIntensityShare*100)})
	}

	for i := len(weeks) - 1; i >= 1 && i >= len(weeks)-2; i-- {
		prev, cur := weeks[i-1].Load, weeks[i].Load
		if prev > 0 && cur > LoadJump*prev {
			out = append(out, Flag{FlagLoadJump, fmt.Sprintf(
				"Training load rose %.0f %% from week %d to week %d.", (cur/prev-1)*100, weeks[i-1].Week.Week, weeks[i].Week.Week)})
			break
		}
	}

	var moods []Session
	for _, s := range slices.Backward(counted) {
		if s.MoodBefore != nil && s.MoodAfter != nil {
			moods = append(moods, s)
			if len(moods) == MoodSessions {
				break
			}
		}
	}
	if len(moods) == MoodSessions && !slices.ContainsFunc(moods, func(s Session) bool { return *s.MoodAfter >= *s.MoodBefore }) {
		out = append(out, Flag{FlagMoodDrop, fmt.Sprintf(
			"Mood after the last %d sessions was lower than before each of them.", MoodSessions)})
	}
	return out
}

// anyKnown reports whether any interval says anything of its intensity.
func anyKnown(intervals []Interval, hrMax int) bool {
	return slices.ContainsFunc(intervals, func(iv Interval) bool {
		_, known := iv.Hard(hrMax)
		return known
	})
}
