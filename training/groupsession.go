package training

import (
	"fmt"
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
	today := (int(local.Weekday())+6)%7 + 1
	ahead := (weekday - today + 7) % 7
	start := time.Date(y, mo, d+ahead, h, m, 0, 0, loc)
	if !now.Before(start.Add(SessionGrace)) {
		start = time.Date(y, mo, d+ahead+7, h, m, 0, 0, loc)
	}
	return start, nil
}
