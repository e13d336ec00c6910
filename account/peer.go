package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/training"
)

// Limits of a weekly group session's texts, in characters.
const (
	maxPlaceLen = 120
	maxNoteLen  = 280
)

// ScheduleInput is a peer leader's weekly group session: ISO weekday
// (1 = Monday … 7 = Sunday), "HH:MM", where, and a short note.
type ScheduleInput struct {
	Weekday int
	Time    string
	Place   string
	Note    string
}

// Session is the next weekly group session as a member or the leader
// sees it: when and where, and who said they are coming — by their chosen
// names, nothing else about them.
type Session struct {
	Start time.Time // in the schedule's time zone, after a one-off move
	// Date is the regular date, "YYYY-MM-DD" on the group's calendar: the
	// key of answers and of one-off changes.
	Date   string
	Place  string
	Note   string
	Coming []string // names of those coming, in the order they answered
	// Answer is the reader's own answer for this date, nil when not given.
	Answer *bool
	// Cancelled for this date by the leader, with an optional reason;
	// Moved: held at another time, day or place than the schedule's.
	Cancelled bool
	Reason    string
	Moved     bool
}

// plainText trims s and checks it is at most max printable characters
// (empty allowed). The zero-width joiner that composes emoji is allowed.
func plainText(s string, max int) (string, error) {
	return text(s, max, false)
}

// multilineText is plainText that also keeps line breaks ("\r\n" becomes
// "\n"): a notice may have more than one line.
func multilineText(s string, max int) (string, error) {
	return text(strings.ReplaceAll(s, "\r\n", "\n"), max, true)
}

func text(s string, max int, lines bool) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return "", fmt.Errorf("at most %d characters", max)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != '\u200d' && !(lines && r == '\n') {
			return "", errors.New("control characters are not allowed")
		}
	}
	return s, nil
}

// leads reports whether u is the peer leader of g now (an admin manages
// a group but does not lead its sessions).
func leads(u store.User, g store.Group) bool {
	return g.OwnerID == u.ID && MayLead(u.Role, g.Kind)
}

// leaderOf loads peer group id, with its members, for its peer leader,
// who is about to do what ("set its session"): those who see the group
// without leading it (its members, an admin) are refused, and to anyone
// else it does not exist; a group of another kind is a conflict. Changes
// also check that the group is active (active).
func (gs *Groups) leaderOf(ctx context.Context, by store.User, id, what string) (store.Group, []store.Membership, error) {
	g, _, members, err := gs.load(ctx, id, by)
	switch {
	case err != nil:
		return store.Group{}, nil, err
	case !leads(by, g):
		return store.Group{}, nil, refuse(Forbidden, "only the group's peer leader may "+what)
	case g.Kind != store.GroupPeer:
		return store.Group{}, nil, refuse(Conflict, "only a peer group's leader may "+what)
	}
	return g, members, nil
}

// active refuses a change to an archived group.
func active(g store.Group) error {
	if !g.ArchivedAt.IsZero() {
		return refuse(Conflict, "the group is archived")
	}
	return nil
}

// SetSchedule sets the weekly session of peer group id. Only its peer
// leader may; the time is kept in the leader's time zone, so the session
// stays at the same wall-clock time across daylight-saving changes. Moved
// to another day, the coming sessions' one-off changes of the old day go.
func (gs *Groups) SetSchedule(ctx context.Context, by store.User, id string, in ScheduleInput) (store.Schedule, error) {
	g, _, err := gs.leaderOf(ctx, by, id, "set its session")
	if err == nil {
		err = active(g)
	}
	if err != nil {
		return store.Schedule{}, err
	}
	var f fields
	if in.Weekday < 1 || in.Weekday > 7 {
		f.add("weekday", "1 (Monday) to 7 (Sunday)")
	}
	if _, _, err := training.ParseClock(in.Time); err != nil {
		f.add("time", "HH:MM, 00:00 to 23:59")
	}
	place, err := plainText(in.Place, maxPlaceLen)
	f.check("place", err)
	note, err := plainText(in.Note, maxNoteLen)
	f.check("note", err)
	if err := f.err(); err != nil {
		return store.Schedule{}, err
	}
	sc := store.Schedule{GroupID: g.ID, Weekday: in.Weekday, Time: in.Time, Place: place, Note: note,
		TimeZone: location(by.TimeZone).String(), UpdatedAt: gs.now().UTC()}
	if err := gs.store.SetSchedule(ctx, sc); err != nil {
		return store.Schedule{}, err
	}
	if err := gs.dropStrayChanges(ctx, sc); err != nil {
		return store.Schedule{}, err
	}
	return sc, nil
}

// dropStrayChanges removes the one-off changes of coming sessions that
// are no longer on the weekly session's day: they show nowhere, and would
// come back if the leader moved the session back to that day.
func (gs *Groups) dropStrayChanges(ctx context.Context, sc store.Schedule) error {
	today := gs.now().In(location(sc.TimeZone))
	changes, err := gs.store.SessionChanges(ctx, sc.GroupID, today.Format(time.DateOnly), today.Add(changeHorizon).Format(time.DateOnly))
	if err != nil {
		return err
	}
	for _, c := range changes {
		day, err := time.Parse(time.DateOnly, c.Date)
		if err != nil || training.ISOWeekday(day) == sc.Weekday {
			continue
		}
		if err := gs.store.DeleteSessionChange(ctx, sc.GroupID, c.Date); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// withSession adds the schedule and the next session of a peer group to
// v; an archived group has no next session.
func (gs *Groups) withSession(ctx context.Context, u store.User, v *GroupView) error {
	if v.Kind != store.GroupPeer {
		return nil
	}
	sc, err := gs.store.ScheduleOf(ctx, v.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	v.Schedule = &sc
	if !v.ArchivedAt.IsZero() {
		return nil
	}
	v.Upcoming, err = gs.upcoming(ctx, u, sc, UpcomingSessions)
	if err == nil && len(v.Upcoming) > 0 {
		v.Next = &v.Upcoming[0]
	}
	return err
}

// RSVP records u's answer for the session on date: coming or not this
// time. Only members answer; date must be the next session's (its
// regular date or, when moved to another day, that day), so an answer
// queued offline and sent after the session has passed is refused
// (Conflict) instead of landing on next week's; so is an answer for a
// cancelled session. The answer is kept under the regular date, so it
// holds when the session is moved.
func (gs *Groups) RSVP(ctx context.Context, u store.User, id, date string, coming bool) (*Session, error) {
	g, manage, _, err := gs.load(ctx, id, u)
	if err != nil {
		return nil, err
	}
	if manage { // the leader or an admin
		return nil, refuse(Forbidden, "only members answer for a group session")
	}
	if g.Kind != store.GroupPeer || !g.ArchivedAt.IsZero() {
		return nil, refuse(Conflict, "the group has no group sessions")
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, invalid("date", "YYYY-MM-DD")
	}
	sc, err := gs.store.ScheduleOf(ctx, g.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(Conflict, "the group has no group session yet")
	}
	if err != nil {
		return nil, err
	}
	next, err := gs.upcoming(ctx, u, sc, 1)
	if err != nil {
		return nil, err
	}
	if len(next) == 0 || (next[0].Date != date && next[0].Start.Format(time.DateOnly) != date) {
		return nil, refuse(Conflict, "that is not the next group session")
	}
	if next[0].Cancelled {
		return nil, refuse(Conflict, "the group session is cancelled")
	}
	if err := gs.store.SetRSVP(ctx, store.RSVP{GroupID: g.ID, UserID: u.ID, Date: next[0].Date, Coming: coming, At: gs.now().UTC()}); err != nil {
		return nil, err
	}
	next, err = gs.upcoming(ctx, u, sc, 1)
	if err != nil || len(next) == 0 {
		return nil, err
	}
	return &next[0], nil
}
