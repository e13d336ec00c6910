package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/training"
)

// peerMembers lists a peer group's members in the order they joined
// (never by what they did: encouragement, not a ranking), each with what
// they chose to share with the group — only to its leader and members.
// What is shared is worked out from the member's diary now: the sessions
// that count (training.CompletionOf) in this ISO week on the member's own
// calendar. Nothing else of the diary leaves this function.
func (gs *Groups) peerMembers(ctx context.Context, reader store.User, g store.Group, members []store.Membership) ([]Member, error) {
	inGroup := leads(reader, g) || slices.ContainsFunc(members, func(m store.Membership) bool { return m.UserID == reader.ID })
	out := make([]Member, 0, len(members))
	for _, m := range members {
		mu, err := gs.store.UserByID(ctx, m.UserID)
		if errors.Is(err, store.ErrNotFound) {
			continue // erased between the two reads
		}
		if err != nil {
			return nil, err
		}
		v := Member{UserID: m.UserID, Name: mu.Name, JoinedAt: m.JoinedAt}
		if inGroup && (m.Sharing.Trained || m.Sharing.Sessions) {
			n, err := gs.sessionsThisWeek(ctx, mu)
			if err != nil {
				return nil, err
			}
			if m.Sharing.Trained {
				trained := n > 0
				v.Trained = &trained
			}
			if m.Sharing.Sessions {
				v.Sessions = &n
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// sessionsThisWeek counts u's sessions that count in the ISO week holding
// now, on u's calendar.
func (gs *Groups) sessionsThisWeek(ctx context.Context, u store.User) (int, error) {
	docs, err := gs.store.Docs(ctx, u.ID)
	if err != nil {
		return 0, err
	}
	di, err := training.ReadDiary(docs)
	if err != nil {
		return 0, fmt.Errorf("member %s: %w", u.ID, err)
	}
	loc := location(u.TimeZone)
	week := training.WeekOf(gs.now(), loc)
	return training.Weekly(di.Sessions, training.Plan{}, loc, 0, []training.Week{week})[0].Sessions, nil
}

// MaxAttendanceWeeks bounds an attendance record.
const MaxAttendanceWeeks = 53

// AttendanceWeek is how many members were ticked present in one ISO week.
type AttendanceWeek struct {
	Week  training.Week
	Count int
}

// AttendanceDate is the members ticked present at the session on Date.
type AttendanceDate struct {
	Date    string
	Present []string // user IDs, in the order of the group's members
}

// AttendanceMember is a member the leader may tick: from Since, the day
// they joined on the group's calendar.
type AttendanceMember struct {
	UserID string
	Name   string
	Since  string
}

// AttendanceRecord is a peer group's attendance over the last weeks, as
// its leader sees it: a count per week, and who was ticked at each
// session. No ranking of people.
type AttendanceRecord struct {
	Weeks []AttendanceWeek // oldest first
	// Dates are the dates the leader may tick, newest first: the weekly
	// session's dates in these weeks up to today, and any other date
	// with ticks (today when there is neither).
	Dates    []string
	Sessions []AttendanceDate // the dates with ticks, newest first
	Members  []AttendanceMember
}

// ledPeerGroup returns peer group id with its members if by leads it.
// Those who see the group without leading it (its members, an admin)
// are refused; to anyone else it does not exist.
func (gs *Groups) ledPeerGroup(ctx context.Context, by store.User, id string) (store.Group, []store.Membership, *time.Location, error) {
	g, members, err := gs.leaderOf(ctx, by, id, "keep its attendance")
	if err != nil {
		return g, nil, nil, err
	}
	// The group's calendar: its weekly session's time zone, else the
	// leader's.
	tz := by.TimeZone
	if sc, err := gs.store.ScheduleOf(ctx, g.ID); err == nil {
		tz = sc.TimeZone
	} else if !errors.Is(err, store.ErrNotFound) {
		return g, nil, nil, err
	}
	return g, members, location(tz), nil
}

// since is the day m joined, on loc's calendar.
func since(m store.Membership, loc *time.Location) string {
	return m.JoinedAt.In(loc).Format(time.DateOnly)
}

// SetAttendance replaces who was present at the group session on date
// (the leader ticks; an empty list unticks all). date is today or a past
// day of the group's life, on its calendar; everyone ticked must have
// been a member on that day and still be one.
func (gs *Groups) SetAttendance(ctx context.Context, by store.User, id, date string, present []string) (AttendanceDate, error) {
	g, members, loc, err := gs.ledPeerGroup(ctx, by, id)
	if err != nil {
		return AttendanceDate{}, err
	}
	if err := active(g); err != nil {
		return AttendanceDate{}, err
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return AttendanceDate{}, invalid("date", "YYYY-MM-DD")
	}
	if today := gs.now().In(loc).Format(time.DateOnly); date > today {
		return AttendanceDate{}, invalid("date", "a session that has not happened yet")
	}
	if date < g.CreatedAt.In(loc).Format(time.DateOnly) {
		return AttendanceDate{}, invalid("date", "before the group began")
	}
	ticked := make(map[string]bool, len(present))
	for _, u := range present {
		i := slices.IndexFunc(members, func(m store.Membership) bool { return m.UserID == u })
		if i < 0 || since(members[i], loc) > date {
			return AttendanceDate{}, invalid("present", "only members of the group on that day")
		}
		ticked[u] = true
	}
	out := AttendanceDate{Date: date, Present: []string{}}
	for _, m := range members {
		if ticked[m.UserID] {
			out.Present = append(out.Present, m.UserID)
		}
	}
	if err := gs.store.SetAttendance(ctx, g.ID, date, out.Present, gs.now().UTC()); err != nil {
		return AttendanceDate{}, err
	}
	return out, nil
}

// Attendance returns the group's attendance record over the last weeks
// ISO weeks (on the group's calendar), for its peer leader.
func (gs *Groups) Attendance(ctx context.Context, by store.User, id string, weeks int) (AttendanceRecord, error) {
	if weeks < 1 || weeks > MaxAttendanceWeeks {
		return AttendanceRecord{}, invalid("weeks", fmt.Sprintf("want 1–%d", MaxAttendanceWeeks))
	}
	g, members, loc, err := gs.ledPeerGroup(ctx, by, id)
	if err != nil {
		return AttendanceRecord{}, err
	}
	now := gs.now()
	today := now.In(loc).Format(time.DateOnly)
	began := g.CreatedAt.In(loc).Format(time.DateOnly)
	ws := training.Weeks(now, loc, weeks)
	from := ws[0].Start(loc).Format(time.DateOnly)
	ticks, err := gs.store.AttendanceOf(ctx, g.ID, from, today)
	if err != nil {
		return AttendanceRecord{}, err
	}
	rec := AttendanceRecord{Weeks: make([]AttendanceWeek, len(ws)), Dates: []string{}, Sessions: []AttendanceDate{}, Members: []AttendanceMember{}}
	index := make(map[training.Week]int, len(ws))
	for i, w := range ws {
		rec.Weeks[i] = AttendanceWeek{Week: w}
		index[w] = i
	}
	joined := make(map[string]string, len(members))
	order := make(map[string]int, len(members))
	for i, m := range members {
		joined[m.UserID] = since(m, loc)
		order[m.UserID] = i
		name := ""
		if u, err := gs.store.UserByID(ctx, m.UserID); err == nil {
			name = u.Name
		} else if !errors.Is(err, store.ErrNotFound) {
			return AttendanceRecord{}, err
		}
		rec.Members = append(rec.Members, AttendanceMember{UserID: m.UserID, Name: name, Since: joined[m.UserID]})
	}
	byDate := map[string][]string{}
	for _, a := range ticks {
		// Only those who are members, ticked for a day they were: what a
		// member who left, or left and came back, had is not shown.
		if d, ok := joined[a.UserID]; !ok || d > a.Date {
			continue
		}
		byDate[a.Date] = append(byDate[a.Date], a.UserID)
		day, err := time.Parse(time.DateOnly, a.Date)
		if err != nil {
			continue
		}
		if i, ok := index[training.WeekOf(day, time.UTC)]; ok {
			rec.Weeks[i].Count++
		}
	}
	dates := map[string]bool{}
	for d, who := range byDate {
		slices.SortFunc(who, func(a, b string) int { return order[a] - order[b] })
		rec.Sessions = append(rec.Sessions, AttendanceDate{Date: d, Present: who})
		dates[d] = true
	}
	slices.SortFunc(rec.Sessions, func(a, b AttendanceDate) int { return strings.Compare(b.Date, a.Date) })
	if sc, err := gs.store.ScheduleOf(ctx, g.ID); err == nil {
		for _, w := range ws {
			d := w.Start(loc).AddDate(0, 0, sc.Weekday-1).Format(time.DateOnly)
			if d <= today && d >= began {
				dates[d] = true
			}
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return AttendanceRecord{}, err
	}
	if len(dates) == 0 {
		dates[today] = true
	}
	for d := range dates {
		rec.Dates = append(rec.Dates, d)
	}
	slices.SortFunc(rec.Dates, func(a, b string) int { return strings.Compare(b, a) })
	return rec, nil
}
