package push

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/training"
)

// KindGroupSession is the peer group's weekly session, as settings and
// the API spell it.
const KindGroupSession = "groupsession"

// Windows of the group-session reminders.
const (
	// hourBefore: the last reminder comes an hour before the session.
	hourBefore = time.Hour
	// cancelNotice: a cancellation is told at most this long before the
	// session. It stays under claimsKept, so a cancellation's claim
	// outlives its window and it is never told twice.
	cancelNotice = 7 * 24 * time.Hour
)

// PeerSession is a weekly session of a peer group the user is a member
// of or leads, with its one-off change applied, as the group-session
// reminders need it.
type PeerSession struct {
	GroupID, GroupName string
	training.GroupSession
	// NotComing: the user said "not this time" for it.
	NotComing bool
	// Leads: the user is the group's peer leader.
	Leads bool
}

// GroupSession reminds members of their peer group's weekly session the
// day before (from the session's clock time that day until an hour
// before) and an hour before it, at the session's time as moved; a
// cancelled session sends one cancellation instead, in the week before
// it. Nothing for a session the member said they will not come to. The
// group's peer leader gets the same two reminders, opening the group's
// page for leaders, and no cancellation (it is theirs). The texts name
// the group, the time and the place, nothing else.
type GroupSession struct{}

func (GroupSession) Name() string { return KindGroupSession }

// A group session is due whether or not the member trained that day.
func (GroupSession) notAboutTraining() {}

// Due returns the group-session reminders whose window holds now.
func (GroupSession) Due(p Patient, now time.Time) []Reminder {
	tx := groupTextsFor(p.User.Language)
	var out []Reminder
	for _, s := range p.PeerSessions {
		if s.NotComing || !now.Before(s.Start) {
			continue
		}
		key := fmt.Sprintf("%s/%s/%s/%s", p.User.ID, KindGroupSession, s.GroupID, s.Date)
		// One topic per session: its day-before, hour-before and
		// cancellation replace each other at the push service, never
		// another group's or another week's.
		topic := hashedTopic("gs", s.GroupID+"/"+s.Date)
		if s.Cancelled && s.Leads {
			continue
		}
		if s.Cancelled {
			if !now.Before(s.Start.Add(-cancelNotice)) {
				out = append(out, Reminder{Key: key + "/cancelled", Message: tx.cancelled(s), Topic: topic})
			}
			continue
		}
		// The key names the start, so a session moved after its reminder
		// went out is reminded of again at its new time.
		y, m, d := s.Start.Date()
		dayBefore := time.Date(y, m, d-1, s.Start.Hour(), s.Start.Minute(), 0, 0, s.Start.Location())
		switch {
		case !now.Before(s.Start.Add(-hourBefore)):
			out = append(out, Reminder{Key: fmt.Sprintf("%s/hour/%d", key, s.Start.Unix()), Message: tx.hourBefore(s), Topic: topic})
		case !now.Before(dayBefore):
			out = append(out, Reminder{Key: fmt.Sprintf("%s/day/%d", key, s.Start.Unix()), Message: tx.dayBefore(s), Topic: topic})
		}
	}
	return out
}

// peerSessions reads the sessions of the active peer groups userID is a
// member of or leads (from peerGroups) that a reminder could be due for
// from now: the next few of each, with their one-off changes and the
// member's answer.
func peerSessions(ctx context.Context, st SchedulerStore, userID string, member, led []store.UserGroup, now time.Time) ([]PeerSession, error) {
	var out []PeerSession
	for i, g := range slices.Concat(member, led) {
		leads := i >= len(member)
		sc, err := st.ScheduleOf(ctx, g.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		list, err := account.NextSessions(ctx, st, sc, now, 3)
		if err != nil {
			return nil, err
		}
		for _, s := range list {
			if s.Start.After(now.Add(cancelNotice)) {
				continue
			}
			ps := PeerSession{GroupID: g.ID, GroupName: g.Name, GroupSession: s, Leads: leads}
			if leads {
				out = append(out, ps)
				continue
			}
			answers, err := st.RSVPs(ctx, g.ID, s.Date)
			if err != nil {
				return nil, err
			}
			for _, a := range answers {
				if a.UserID == userID {
					ps.NotComing = !a.Coming
				}
			}
			out = append(out, ps)
		}
	}
	return out, nil
}

// groupTexts are the group-session reminders' words in one language:
// the group's name is the title; the body says when and where, never who
// comes or anything about anyone's training.
type groupTexts struct {
	ahead  string // takes the day ("onsdag"), the time and ", the place"
	soon   string // takes the time and ", the place"
	cancel string // takes the date ("onsdag 4. mars") and the time
	date   func(t time.Time) string
	day    func(t time.Time) string
}

func groupTextsFor(lang string) groupTexts {
	if lang == "en" {
		return groupTexts{
			ahead: "Group session %s at %s%s.", soon: "The group session starts at %s%s.",
			cancel: "The group session on %s at %s is cancelled.",
			day:    func(t time.Time) string { return t.Weekday().String() },
			date:   func(t time.Time) string { return t.Format("Monday 2 January") },
		}
	}
	weekdays := []string{"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"}
	months := []string{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"}
	return groupTexts{
		ahead: "Gruppetrening %s kl. %s%s.", soon: "Gruppetreninga starter kl. %s%s.",
		cancel: "Gruppetreninga %s kl. %s er avlyst.",
		day:    func(t time.Time) string { return weekdays[t.Weekday()] },
		date: func(t time.Time) string {
			return fmt.Sprintf("%s %d. %s", weekdays[t.Weekday()], t.Day(), months[t.Month()-1])
		},
	}
}

// message is a reminder about s with body that opens the group's page
// (the leaders' page for its leader). The reminders of one session share
// a tag: the newest replaces one not yet seen, and a cancellation is never
// hidden behind another session's.
func message(s PeerSession, body string) Message {
	url := "/group/" + s.GroupID
	if s.Leads {
		url = "/clinic/group/" + s.GroupID
	}
	return Message{Title: s.GroupName, Body: body, URL: url, Tag: KindGroupSession + "-" + s.GroupID + "-" + s.Date}
}

// where is ", the place", or nothing when the session names none.
func where(s PeerSession) string {
	if s.Place == "" {
		return ""
	}
	return ", " + s.Place
}

func (t groupTexts) dayBefore(s PeerSession) Message {
	return message(s, fmt.Sprintf(t.ahead, t.day(s.Start), s.Start.Format("15:04"), where(s)))
}

func (t groupTexts) hourBefore(s PeerSession) Message {
	return message(s, fmt.Sprintf(t.soon, s.Start.Format("15:04"), where(s)))
}

func (t groupTexts) cancelled(s PeerSession) Message {
	return message(s, fmt.Sprintf(t.cancel, t.date(s.Start), s.Start.Format("15:04")))
}
