package training

import (
	"fmt"
	"slices"
	"time"
)

// SessionGrace is how long after it began a weekly group session is still
// "the next one": a member who opens the app at a quarter past still sees
// (and answers for) the session going on, not next week's.
const SessionGrace = time.Hour

// ParseClock parses a wall-clock time "HH:MM" (00:00–23:59).
func ParseClock(s string) (hour, minute int, err error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, 0, fmt.Errorf("clock %q: want HH:MM", s)
	}
	digits := func(a, b byte) (int, bool) {
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return 0, false
		}
		return int(a-'0')*10 + int(b-'0'), true
	}
	h, ok1 := digits(s[0], s[1])
	m, ok2 := digits(s[3], s[4])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, 0, fmt.Errorf("clock %q: want HH:MM", s)
	}
	return h, m, nil
}

// NextSession returns the start of the next weekly session held on ISO
// weekday (1 = Monday … 7 = Sunday) at clock ("HH:MM") on the calendar of
// loc, counting a session as next until SessionGrace after it began. The
// wall-clock time holds across daylight-saving changes: an 18:00 session
// is at 17:00 UTC in an Oslo winter and 16:00 UTC in summer. A clock that
// does not exist on the day (skipped by a spring-forward) is moved as
// time.Date moves it.
func NextSession(now time.Time, loc *time.Location, weekday int, clock string) (time.Time, error) {
	if weekday < 1 || weekday > 7 {
		return time.Time{}, fmt.Errorf("weekday %d: want 1–7", weekday)
	}
	h, m, err := ParseClock(clock)
	if err != nil {
		return time.Time{}, err
	}
	local := now.In(loc)
	y, mo, d := local.Date()
	today := ISOWeekday(local)
	ahead := (weekday - today + 7) % 7
	start := time.Date(y, mo, d+ahead, h, m, 0, 0, loc)
	if !now.Before(start.Add(SessionGrace)) {
		start = time.Date(y, mo, d+ahead+7, h, m, 0, 0, loc)
	}
	return start, nil
}

// SessionChange is a one-off change of the weekly group session held on
// Date, its regular date ("YYYY-MM-DD" on the group's calendar): the
// session is cancelled, or moved to another time, place or day of the
// same ISO week. Empty fields keep the schedule's.
type SessionChange struct {
	Date      string
	Cancelled bool
	Reason    string // why it is cancelled, may be empty
	MovedTo   string // another date of the same ISO week, "" for the regular one
	Time      string // "HH:MM", "" for the schedule's
	Place     string // "" for the schedule's
}

// GroupSession is one weekly group session with its one-off change
// applied. Date stays the regular date: the key of answers and changes,
// so answers given before a move still count after it.
type GroupSession struct {
	Date      string
	Start     time.Time // in the group's time zone, after a move
	Place     string
	Cancelled bool
	Reason    string
	Moved     bool // another day, time or place than the schedule's
}

// GroupSessions returns the next n weekly group sessions at now (weekday
// and clock as for NextSession, place the schedule's), with changes
// applied. A session is upcoming until SessionGrace after its start, as
// moved; a cancelled one stays in the list (and is shown as cancelled)
// instead of being skipped. Changes for dates that are not regular
// sessions (the schedule moved to another weekday since) are ignored.
func GroupSessions(now time.Time, loc *time.Location, weekday int, clock, place string, changes []SessionChange, n int) ([]GroupSession, error) {
	if weekday < 1 || weekday > 7 {
		return nil, fmt.Errorf("weekday %d: want 1–7", weekday)
	}
	h, m, err := ParseClock(clock)
	if err != nil {
		return nil, err
	}
	byDate := make(map[string]SessionChange, len(changes))
	for _, c := range changes {
		byDate[c.Date] = c
	}
	// Start a week back: last week's session, moved to a later day of
	// that week, may still be ahead.
	monday := WeekOf(now, loc).Start(loc)
	out := make([]GroupSession, 0, n+2)
	for week := -1; week <= n; week++ {
		regular := time.Date(monday.Year(), monday.Month(), monday.Day()+7*week+weekday-1, h, m, 0, 0, loc)
		s := GroupSession{Date: regular.Format(time.DateOnly), Start: regular, Place: place}
		if c, ok := byDate[s.Date]; ok {
			s.apply(c, loc)
		}
		if now.Before(s.Start.Add(SessionGrace)) {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b GroupSession) int { return a.Start.Compare(b.Start) })
	return out[:min(n, len(out))], nil
}

// apply makes s as c changes it; fields of c that do not parse are
// ignored (they were checked when the change was made).
func (s *GroupSession) apply(c SessionChange, loc *time.Location) {
	if c.Cancelled {
		s.Cancelled, s.Reason = true, c.Reason
		return
	}
	y, mo, d := s.Start.Date()
	h, m := s.Start.Hour(), s.Start.Minute()
	if day, err := time.ParseInLocation(time.DateOnly, c.MovedTo, loc); err == nil {
		y, mo, d = day.Date()
	}
	if hh, mm, err := ParseClock(c.Time); err == nil {
		h, m = hh, mm
	}
	start := time.Date(y, mo, d, h, m, 0, 0, loc)
	place := s.Place
	if c.Place != "" {
		place = c.Place
	}
	s.Moved = !start.Equal(s.Start) || place != s.Place
	s.Start, s.Place = start, place
}

// SessionOn is the weekly group session of regular date date ("YYYY-MM-DD"
// in loc) at clock and place, with change c applied (nil: none).
func SessionOn(date string, loc *time.Location, clock, place string, c *SessionChange) (GroupSession, error) {
	day, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return GroupSession{}, err
	}
	h, m, err := ParseClock(clock)
	if err != nil {
		return GroupSession{}, err
	}
	s := GroupSession{Date: date, Start: time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc), Place: place}
	if c != nil {
		s.apply(*c, loc)
	}
	return s, nil
}
