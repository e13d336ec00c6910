package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/training"
)

// UpcomingSessions is how many weekly sessions a group's page lists, so
// the leader sees what is coming.
const UpcomingSessions = 4

// Limits of one-off changes: a cancellation's reason, in characters, and
// how far ahead a session may be changed.
const (
	maxReasonLen  = 140
	changeHorizon = 366 * 24 * time.Hour
)

// SessionChangeInput is a peer leader's one-off change of the session on
// one date: cancel it (with an optional short reason), or move it to
// another time, place or day of the same week. Empty fields keep the
// schedule's.
type SessionChangeInput struct {
	Cancelled bool
	Reason    string
	Date      string // another day of the same ISO week, "YYYY-MM-DD"
	Time      string // "HH:MM"
	Place     string
}

// upcoming returns the next n sessions of schedule sc as reader sees
// them, with their one-off changes and who is coming to each.
func (gs *Groups) upcoming(ctx context.Context, reader store.User, sc store.Schedule, n int) ([]Session, error) {
	list, err := NextSessions(ctx, gs.store, sc, gs.now(), n)
	if err != nil {
		return nil, err
	}
	in, err := gs.memberSet(ctx, sc.GroupID)
	if err != nil {
		return nil, err
	}
	out := make([]Session, len(list))
	for i, s := range list {
		if out[i], err = gs.view(ctx, reader, sc, s, in); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// answers fills in who is coming to s (members only, by name) and the
// reader's own answer.
func (gs *Groups) answers(ctx context.Context, reader store.User, groupID string, members map[string]bool, s *Session) error {
	answers, err := gs.store.RSVPs(ctx, groupID, s.Date)
	if err != nil {
		return err
	}
	for _, a := range answers {
		if !members[a.UserID] { // left the group since
			continue
		}
		if a.UserID == reader.ID {
			s.Answer = &a.Coming
		}
		if !a.Coming {
			continue
		}
		u, err := gs.store.UserByID(ctx, a.UserID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		s.Coming = append(s.Coming, u.Name)
	}
	return nil
}

// ChangeReader reads the one-off changes of a group's sessions.
type ChangeReader interface {
	SessionChanges(ctx context.Context, groupID, from, until string) ([]store.SessionChange, error)
}

// NextSessions returns the next n sessions of the weekly session sc from
// now on (training.GroupSessions), with the one-off changes st holds for
// them: the group page's and the reminders' one reading of a group's
// sessions. A time zone the server does not know reads as
// DefaultTimeZone, as everywhere in account.
func NextSessions(ctx context.Context, st ChangeReader, sc store.Schedule, now time.Time, n int) ([]training.GroupSession, error) {
	loc := location(sc.TimeZone)
	// Regular dates from last week (a session moved later in its week may
	// still be ahead) to the last one listed.
	from := now.In(loc).AddDate(0, 0, -8).Format(time.DateOnly)
	until := now.In(loc).AddDate(0, 0, 7*(n+1)).Format(time.DateOnly)
	stored, err := st.SessionChanges(ctx, sc.GroupID, from, until)
	if err != nil {
		return nil, fmt.Errorf("sessions of %s: %w", sc.GroupID, err)
	}
	list, err := training.GroupSessions(now, loc, sc.Weekday, sc.Time, sc.Place, trainingChanges(stored), n)
	if err != nil {
		return nil, fmt.Errorf("sessions of %s: %w", sc.GroupID, err)
	}
	return list, nil
}

func trainingChanges(cs []store.SessionChange) []training.SessionChange {
	out := make([]training.SessionChange, len(cs))
	for i, c := range cs {
		out[i] = trainingChange(c)
	}
	return out
}

// trainingChange is a stored change as training's rules read it.
func trainingChange(c store.SessionChange) training.SessionChange {
	return training.SessionChange{Date: c.Date, Cancelled: c.Cancelled, Reason: c.Reason, MovedTo: c.MovedTo, Time: c.Time, Place: c.Place}
}

// leaderSchedule loads peer group id and its schedule for a change by
// its peer leader.
func (gs *Groups) leaderSchedule(ctx context.Context, by store.User, id string) (store.Schedule, error) {
	g, _, err := gs.leaderOf(ctx, by, id, "change its sessions")
	if err == nil {
		err = active(g)
	}
	if err != nil {
		return store.Schedule{}, err
	}
	sc, err := gs.store.ScheduleOf(ctx, g.ID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Schedule{}, refuse(Conflict, "the group has no group session yet")
	}
	return sc, err
}

// leaderSession loads the schedule of peer group id for a change by its
// peer leader, and checks that date is one of its regular sessions, at
// most a year ahead, which it returns as scheduled.
func (gs *Groups) leaderSession(ctx context.Context, by store.User, id, date string) (store.Schedule, training.GroupSession, error) {
	sc, err := gs.leaderSchedule(ctx, by, id)
	if err != nil {
		return store.Schedule{}, training.GroupSession{}, err
	}
	loc := location(sc.TimeZone)
	day, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return sc, training.GroupSession{}, invalid("date", "YYYY-MM-DD")
	}
	if training.ISOWeekday(day) != sc.Weekday {
		return sc, training.GroupSession{}, invalid("date", "a date of the weekly group session")
	}
	s, err := training.SessionOn(date, loc, sc.Time, sc.Place, nil)
	if err != nil {
		return sc, training.GroupSession{}, err
	}
	if s.Start.After(gs.now().Add(changeHorizon)) {
		return sc, training.GroupSession{}, invalid("date", "at most a year ahead")
	}
	return sc, s, nil
}

// ChangeSession cancels or moves the group session of regular date date
// once; only the group's peer leader may. A session that is over (as it
// stands or as it would be moved) is not changed (Conflict).
func (gs *Groups) ChangeSession(ctx context.Context, by store.User, id, date string, in SessionChangeInput) (Session, error) {
	sc, regular, err := gs.leaderSession(ctx, by, id, date)
	if err != nil {
		return Session{}, err
	}
	loc := location(sc.TimeZone)
	var f fields
	ch := store.SessionChange{GroupID: sc.GroupID, Date: date, Cancelled: in.Cancelled, UpdatedAt: gs.now().UTC()}
	if in.Cancelled {
		ch.Reason, err = plainText(in.Reason, maxReasonLen)
		f.check("reason", err)
		if in.Date != "" || in.Time != "" || in.Place != "" {
			f.add("cancelled", "a cancelled session is not moved")
		}
	} else {
		if in.Reason != "" {
			f.add("reason", "only a cancellation has a reason")
		}
		if in.Date != "" && in.Date != date {
			day, err := time.ParseInLocation(time.DateOnly, in.Date, loc)
			if err != nil || training.WeekOf(day, loc) != training.WeekOf(regular.Start, loc) {
				f.add("date", "a day of the same week, YYYY-MM-DD")
			}
			ch.MovedTo = in.Date
		}
		if in.Time != "" {
			if _, _, err := training.ParseClock(in.Time); err != nil {
				f.add("time", "HH:MM, 00:00 to 23:59")
			}
			ch.Time = in.Time
		}
		ch.Place, err = plainText(in.Place, maxPlaceLen)
		f.check("place", err)
		if ch.MovedTo == "" && ch.Time == "" && ch.Place == "" {
			f.add("cancelled", "cancel the session, or give another date, time or place")
		}
	}
	if err := f.err(); err != nil {
		return Session{}, err
	}
	tc := trainingChange(ch)
	changed, err := training.SessionOn(date, loc, sc.Time, sc.Place, &tc)
	if err != nil {
		return Session{}, err
	}
	now := gs.now()
	if !now.Before(regular.Start.Add(training.SessionGrace)) || !now.Before(changed.Start.Add(training.SessionGrace)) {
		return Session{}, refuse(Conflict, "that group session is over")
	}
	if err := gs.store.SetSessionChange(ctx, ch); err != nil {
		return Session{}, err
	}
	return gs.sessionOn(ctx, by, sc, changed)
}

// RestoreSession undoes the one-off change of the session of regular
// date date: it is held as scheduled again. ErrNotFound when there was
// no change.
func (gs *Groups) RestoreSession(ctx context.Context, by store.User, id, date string) (Session, error) {
	sc, regular, err := gs.leaderSession(ctx, by, id, date)
	if err != nil {
		return Session{}, err
	}
	if !gs.now().Before(regular.Start.Add(training.SessionGrace)) {
		return Session{}, refuse(Conflict, "that group session is over")
	}
	if err := gs.store.DeleteSessionChange(ctx, sc.GroupID, date); err != nil {
		return Session{}, err
	}
	return gs.sessionOn(ctx, by, sc, regular)
}

// sessionOn is s as reader sees it, with who is coming.
func (gs *Groups) sessionOn(ctx context.Context, reader store.User, sc store.Schedule, s training.GroupSession) (Session, error) {
	in, err := gs.memberSet(ctx, sc.GroupID)
	if err != nil {
		return Session{}, err
	}
	return gs.view(ctx, reader, sc, s, in)
}

// memberSet is the IDs of a group's members.
func (gs *Groups) memberSet(ctx context.Context, groupID string) (map[string]bool, error) {
	members, err := gs.store.Members(ctx, groupID)
	if err != nil {
		return nil, err
	}
	in := make(map[string]bool, len(members))
	for _, m := range members {
		in[m.UserID] = true
	}
	return in, nil
}

// view is session s of schedule sc as reader sees it: who of the members
// in are coming, and the reader's own answer.
func (gs *Groups) view(ctx context.Context, reader store.User, sc store.Schedule, s training.GroupSession, in map[string]bool) (Session, error) {
	out := Session{Start: s.Start, Date: s.Date, Place: s.Place, Note: sc.Note, Coming: []string{},
		Cancelled: s.Cancelled, Reason: s.Reason, Moved: s.Moved}
	if err := gs.answers(ctx, reader, sc.GroupID, in, &out); err != nil {
		return Session{}, err
	}
	return out, nil
}
