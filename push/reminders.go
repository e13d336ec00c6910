package push

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/training"
)

// Patient is what a reminder kind decides from: the user, their time
// zone, their diary and their reminder settings (defaults filled in).
type Patient struct {
	User     store.User
	Loc      *time.Location
	Diary    training.Diary
	Settings store.ReminderSettings
	// PeerSessions are the coming sessions of the peer groups the user
	// is a member of (the GroupSession kind's).
	PeerSessions []PeerSession
	// Notices are the latest notices of the peer groups the user is a
	// member of (the Notice kind's).
	Notices []GroupNotice
}

// Reminder is one reminder due now.
type Reminder struct {
	// Key is unique per user, kind, slot and week: it is claimed once.
	Key     string
	Message Message
	// Topic is the push Topic when it is not the kind's name: a newer
	// message with the same topic replaces one a push service still holds.
	Topic string
}

// Kind is one sort of reminder. Another sort is added by implementing
// Kind and listing it in SchedulerConfig.Kinds: the scheduler does the
// claiming, quiet hours, the already-logged check (for kinds about the
// day's training; see aboutTraining) and the sending for every kind alike.
type Kind interface {
	// Name is what settings turn off ("slot") and the push Topic (unless
	// a Reminder names its own), so a newer reminder of the kind replaces
	// an older one not yet shown.
	Name() string
	// Due lists p's reminders whose sending window holds now: from when
	// it should go out until it is no longer useful, so one missed while
	// the server was down is sent late only while it still helps.
	Due(p Patient, now time.Time) []Reminder
}

// Reminder kinds' names, as settings and the API spell them.
const (
	KindSlot  = "slot"
	KindNudge = "nudge"
)

// Defaults of a user's reminder settings.
const (
	DefaultLeadMinutes = 60
	DefaultQuietStart  = 22 * 60
	DefaultQuietEnd    = 8 * 60
)

// DefaultSettings are the settings of a user who never chose.
func DefaultSettings(userID string) store.ReminderSettings {
	return store.ReminderSettings{UserID: userID, LeadMinutes: DefaultLeadMinutes,
		QuietStart: DefaultQuietStart, QuietEnd: DefaultQuietEnd}
}

// quiet reports whether t falls in the settings' quiet hours, on loc's clock.
func quiet(rs store.ReminderSettings, t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	m := l.Hour()*60 + l.Minute()
	switch {
	case rs.QuietStart == rs.QuietEnd:
		return false
	case rs.QuietStart < rs.QuietEnd:
		return m >= rs.QuietStart && m < rs.QuietEnd
	}
	return m >= rs.QuietStart || m < rs.QuietEnd
}

// loggedOn reports whether a session that counts was started on t's day,
// on loc's calendar.
func loggedOn(d training.Diary, t time.Time, loc *time.Location) bool {
	y, m, day := t.In(loc).Date()
	for _, s := range d.Sessions {
		if s.StartedAt.IsZero() || !s.Completion().Counts() {
			continue
		}
		sy, sm, sd := s.StartedAt.In(loc).Date()
		if sy == y && sm == m && sd == day {
			return true
		}
	}
	return false
}

// dayAt is the instant of clock time hhmm ("18:00") on the given ISO
// weekday (Monday = 1) of week w, in loc. time.Date resolves it on that
// day's own offset, so a slot keeps its wall-clock time across a
// daylight-saving change.
func dayAt(w training.Week, weekday int, hhmm string, loc *time.Location) (time.Time, bool) {
	h, m, ok := clock(hhmm)
	if !ok || weekday < 1 || weekday > 7 {
		return time.Time{}, false
	}
	start := w.Start(loc)
	return time.Date(start.Year(), start.Month(), start.Day()+weekday-1, h, m, 0, 0, loc), true
}

func clock(hhmm string) (h, m int, ok bool) {
	hs, ms, found := strings.Cut(hhmm, ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	return h, m, found && err1 == nil && err2 == nil && h >= 0 && h < 24 && m >= 0 && m < 60
}

// Slots reminds of each planned session LeadMinutes before its time.
type Slots struct {
	// Grace is how long after the planned time a late reminder is still
	// sent; 0: 15 minutes.
	Grace time.Duration
}

func (Slots) Name() string { return KindSlot }

// Due returns the slot reminders whose window [time − lead, time + grace)
// holds now. This week and the next are looked at, so a Monday slot's
// reminder can fall on Sunday evening.
func (k Slots) Due(p Patient, now time.Time) []Reminder {
	plan := p.Diary.Plan
	if !plan.Planned() || plan.Time == "" {
		return nil
	}
	grace := k.Grace
	if grace == 0 {
		grace = 15 * time.Minute
	}
	lead := time.Duration(p.Settings.LeadMinutes) * time.Minute
	var out []Reminder
	this := training.WeekOf(now, p.Loc)
	for _, w := range []training.Week{this, this.Next()} {
		for _, day := range slices.Compact(slices.Sorted(slices.Values(plan.Days))) {
			at, ok := dayAt(w, day, plan.Time, p.Loc)
			if !ok || now.Before(at.Add(-lead)) || !now.Before(at.Add(grace)) {
				continue
			}
			out = append(out, Reminder{
				Key:     fmt.Sprintf("%s/%s/%s/%d", p.User.ID, KindSlot, w, day),
				Message: textsFor(p.User.Language).slot(at.In(p.Loc).Format("15:04")),
			})
		}
	}
	return out
}

// Nudge is a gentle mid-week reminder when the week's plan is behind:
// fewer sessions done than the plan had placed before the nudge's day
// (half the week's sessions when the plan names no days). Never when the
// week's plan is met.
type Nudge struct {
	// Weekday (ISO, Monday = 1) and the window on it, local clock times;
	// zero: Thursday 12:00–20:00.
	Weekday     int
	From, Until string
}

func (Nudge) Name() string { return KindNudge }

// Due returns the week's nudge while its window holds now and the plan is
// behind.
func (k Nudge) Due(p Patient, now time.Time) []Reminder {
	if k.Weekday == 0 {
		k.Weekday, k.From, k.Until = 4, "12:00", "20:00"
	}
	plan := p.Diary.Plan
	if !plan.Planned() {
		return nil
	}
	w := training.WeekOf(now, p.Loc)
	from, ok1 := dayAt(w, k.Weekday, k.From, p.Loc)
	until, ok2 := dayAt(w, k.Weekday, k.Until, p.Loc)
	if !ok1 || !ok2 || now.Before(from) || !now.Before(until) {
		return nil
	}
	done := 0
	for _, s := range p.Diary.Sessions {
		if !s.StartedAt.IsZero() && s.Completion().Counts() && training.WeekOf(s.StartedAt, p.Loc) == w && s.StartedAt.Before(now) {
			done++
		}
	}
	expected := plan.SessionsPerWeek / 2
	if len(plan.Days) > 0 {
		expected = 0
		for _, d := range slices.Compact(slices.Sorted(slices.Values(plan.Days))) {
			if d < k.Weekday {
				expected++
			}
		}
	}
	if done >= plan.SessionsPerWeek || done >= expected {
		return nil
	}
	return []Reminder{{
		Key:     fmt.Sprintf("%s/%s/%s", p.User.ID, KindNudge, w),
		Message: textsFor(p.User.Language).nudge(),
	}}
}
