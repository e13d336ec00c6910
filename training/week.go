package training

import (
	"fmt"
	"time"
)

// Week is an ISO 8601 week: weeks start on Monday, and week 1 is the week
// holding the year's first Thursday.
type Week struct {
	Year, Week int
}

// WeekOf returns the ISO week that t falls in, on the calendar of loc —
// a session late on Sunday evening in Oslo belongs to that Sunday's week,
// whatever the UTC date.
func WeekOf(t time.Time, loc *time.Location) Week {
	y, w := t.In(loc).ISOWeek()
	return Week{Year: y, Week: w}
}

// ISOWeekday is t's day of the week on its own calendar as ISO numbers
// it: Monday = 1 … Sunday = 7.
func ISOWeekday(t time.Time) int {
	return (int(t.Weekday())+6)%7 + 1
}

// String returns the ISO form, e.g. "2026-W09".
func (w Week) String() string {
	return fmt.Sprintf("%04d-W%02d", w.Year, w.Week)
}

// Start returns Monday 00:00 of the week in loc. Weeks holding a daylight
// saving change are an hour shorter or longer than seven times 24 hours.
func (w Week) Start(loc *time.Location) time.Time {
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, loc)
	back := ISOWeekday(jan4) - 1 // days since Monday
	return time.Date(w.Year, time.January, 4-back+7*(w.Week-1), 0, 0, 0, 0, loc)
}

// Next returns the following week.
func (w Week) Next() Week {
	start := w.Start(time.UTC)
	return WeekOf(start.AddDate(0, 0, 7), time.UTC)
}

// Before reports whether w comes before v.
func (w Week) Before(v Week) bool {
	return w.Year < v.Year || w.Year == v.Year && w.Week < v.Week
}

// WeekAdherence compares the sessions done in one week with the plan.
type WeekAdherence struct {
	Week    Week
	Done    int
	Planned int
}

// Ratio is Done / Planned, capped at 1; a week with nothing planned counts
// as met (1).
func (a WeekAdherence) Ratio() float64 {
	if a.Planned <= 0 || a.Done >= a.Planned {
		return 1
	}
	return float64(a.Done) / float64(a.Planned)
}

// Met reports whether the week's plan was fulfilled.
func (a WeekAdherence) Met() bool { return a.Done >= a.Planned }

// Adherence counts sessions per ISO week (on loc's calendar) for every week
// from the one holding from to the one holding to, both included, against
// planned sessions per week. Sessions outside those weeks are ignored.
func Adherence(sessions []time.Time, planned int, loc *time.Location, from, to time.Time) []WeekAdherence {
	first, last := WeekOf(from, loc), WeekOf(to, loc)
	var out []WeekAdherence
	index := map[Week]int{}
	for w := first; !last.Before(w); w = w.Next() {
		index[w] = len(out)
		out = append(out, WeekAdherence{Week: w, Planned: planned})
	}
	for _, s := range sessions {
		if i, ok := index[WeekOf(s, loc)]; ok {
			out[i].Done++
		}
	}
	return out
}

// AdherenceRate is the share of planned sessions done over several weeks:
// the sum of min(Done, Planned) over the sum of Planned (1 when nothing
// was planned). Extra sessions in one week do not make up for another.
func AdherenceRate(weeks []WeekAdherence) float64 {
	done, planned := 0, 0
	for _, w := range weeks {
		done += min(w.Done, max(w.Planned, 0))
		planned += max(w.Planned, 0)
	}
	if planned == 0 {
		return 1
	}
	return float64(done) / float64(planned)
}

// ParseWeek reads the ISO form "2026-W09".
func ParseWeek(s string) (Week, error) {
	var w Week
	if _, err := fmt.Sscanf(s, "%04d-W%02d", &w.Year, &w.Week); err != nil || len(s) != 8 || w.Week < 1 || w.Week > 53 {
		return Week{}, fmt.Errorf("week %q: want the ISO form 2026-W09", s)
	}
	return w, nil
}
