package push_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/store"
)

// peerGroup makes a peer group «Turgjengen» led by lea, with the world's
// patient as a member and a weekly session in Oslo time.
func (w *world) peerGroup(weekday int, clock, place string) {
	w.t.Helper()
	ctx := context.Background()
	if err := w.store.CreateUser(ctx, store.User{ID: "lea", Email: "lea@example.org", PasswordHash: "x", Name: "Lea",
		Role: store.RolePeerLeader, TimeZone: "Europe/Oslo", Language: "nb"}); err != nil {
		w.t.Fatal(err)
	}
	if err := w.store.CreateGroup(ctx, store.Group{ID: "g1", Name: "Turgjengen", Kind: store.GroupPeer, OwnerID: "lea", CreatedAt: w.clock.Now()}); err != nil {
		w.t.Fatal(err)
	}
	if err := w.store.AddMember(ctx, store.Membership{GroupID: "g1", UserID: "ann", JoinedAt: w.clock.Now()}); err != nil {
		w.t.Fatal(err)
	}
	if err := w.store.SetSchedule(ctx, store.Schedule{GroupID: "g1", Weekday: weekday, Time: clock, Place: place,
		TimeZone: "Europe/Oslo", UpdatedAt: w.clock.Now()}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) change(c store.SessionChange) {
	w.t.Helper()
	c.GroupID, c.UpdatedAt = "g1", w.clock.Now()
	if err := w.store.SetSessionChange(context.Background(), c); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) answer(date string, coming bool) {
	w.t.Helper()
	if err := w.store.SetRSVP(context.Background(), store.RSVP{GroupID: "g1", UserID: "ann", Date: date, Coming: coming, At: w.clock.Now()}); err != nil {
		w.t.Fatal(err)
	}
}

// expect runs a tick at each time and checks the group-session
// reminders it sends: the bodies in order, none where want is empty.
func (w *world) expect(s *push.Scheduler, steps []step) {
	w.t.Helper()
	for _, st := range steps {
		got := w.tickAt(s, utc(st.at))
		var bodies []string
		for _, m := range got {
			title, body := m.Text()
			var payload struct{ URL string }
			if err := json.Unmarshal(m.Plain, &payload); err != nil {
				w.t.Fatal(err)
			}
			// The session's own topic (a push service allows 32 characters
			// of base64url), so another session's reminder never replaces
			// it at the push service.
			if !strings.HasPrefix(m.Topic, "gs") || len(m.Topic) != 32 || title != "Turgjengen" || payload.URL != "/group/g1" {
				w.t.Errorf("at %s: topic %q, title %q, url %q; want the session's topic, the group's name and its page", st.at, m.Topic, title, payload.URL)
			}
			bodies = append(bodies, body)
		}
		if len(bodies) != len(st.want) {
			w.t.Errorf("at %s: sent %q, want %q", st.at, bodies, st.want)
			continue
		}
		for i := range bodies {
			if bodies[i] != st.want[i] {
				w.t.Errorf("at %s: sent %q, want %q", st.at, bodies[i], st.want[i])
			}
		}
	}
}

type step struct {
	at   string // UTC
	want []string
}

func TestGroupSessionReminders(t *testing.T) {
	// Wednesday 4 March 2026 at 18:00 Oslo (CET) is 17:00 UTC.
	const (
		dayBefore  = "Gruppetrening onsdag kl. 18:00, Parken."
		hourBefore = "Gruppetreninga starter kl. 18:00, Parken."
	)
	for _, tc := range []struct {
		name  string
		setup func(w *world)
		steps []step
	}{
		{"the day before and an hour before", nil, []step{
			{"2026-03-03T16:59:00Z", nil},
			{"2026-03-03T17:00:00Z", []string{dayBefore}},
			{"2026-03-03T17:05:00Z", nil},
			{"2026-03-04T15:59:00Z", nil},
			{"2026-03-04T16:00:00Z", []string{hourBefore}},
			{"2026-03-04T16:30:00Z", nil},
			{"2026-03-04T17:00:00Z", nil},
			{"2026-03-10T17:00:00Z", []string{dayBefore}}, // and next week's
		}},
		{"moved before its reminders: at the moved time", func(w *world) {
			w.change(store.SessionChange{Date: "2026-03-04", MovedTo: "2026-03-05", Time: "19:30", Place: "Hallen"})
		}, []step{
			{"2026-03-03T17:00:00Z", nil},
			{"2026-03-04T16:00:00Z", nil},
			{"2026-03-04T18:30:00Z", []string{"Gruppetrening torsdag kl. 19:30, Hallen."}},
			{"2026-03-05T17:30:00Z", []string{"Gruppetreninga starter kl. 19:30, Hallen."}},
		}},
		{"a member who trained that day is reminded all the same", func(w *world) {
			w.logged("morning", utc("2026-03-04T06:00:00Z"))
		}, []step{
			{"2026-03-04T16:00:00Z", []string{hourBefore}},
		}},
		{"cancelled: one cancellation, no reminders", func(w *world) {
			w.change(store.SessionChange{Date: "2026-03-04", Cancelled: true, Reason: "Snøstorm"})
		}, []step{
			{"2026-03-02T09:00:00Z", []string{"Gruppetreninga onsdag 4. mars kl. 18:00 er avlyst."}},
			{"2026-03-02T09:01:00Z", nil},
			{"2026-03-03T17:00:00Z", nil},
			{"2026-03-04T16:00:00Z", nil},
		}},
		{"said not this time: nothing, not even the cancellation", func(w *world) {
			w.answer("2026-03-04", false)
			w.change(store.SessionChange{Date: "2026-03-04", Cancelled: true})
		}, []step{
			{"2026-03-02T09:00:00Z", nil},
			{"2026-03-03T17:00:00Z", nil},
			{"2026-03-04T16:00:00Z", nil},
		}},
		{"said coming: reminded", func(w *world) { w.answer("2026-03-04", true) }, []step{
			{"2026-03-03T17:00:00Z", []string{dayBefore}},
		}},
		{"turned off: nothing", func(w *world) {
			rs := push.DefaultSettings("ann")
			rs.Off = []string{push.KindGroupSession}
			if err := w.store.SaveReminderSettings(context.Background(), rs); err != nil {
				t.Fatal(err)
			}
			w.change(store.SessionChange{Date: "2026-03-11", Cancelled: true})
		}, []step{
			{"2026-03-03T17:00:00Z", nil},
			{"2026-03-04T16:00:00Z", nil},
			{"2026-03-05T09:00:00Z", nil},
		}},
		{"a session far ahead is cancelled a week before it", func(w *world) {
			w.change(store.SessionChange{Date: "2026-03-25", Cancelled: true})
			w.answer("2026-03-18", false) // that week's own reminders are not in the way
		}, []step{
			{"2026-03-02T09:00:00Z", nil},
			{"2026-03-18T16:59:00Z", nil},
			{"2026-03-18T17:00:00Z", []string{"Gruppetreninga onsdag 25. mars kl. 18:00 er avlyst."}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
			w.peerGroup(3, "18:00", "Parken")
			if tc.setup != nil {
				tc.setup(w)
			}
			w.expect(w.scheduler(w.store, "a"), tc.steps)
		})
	}
}

// TestGroupSessionRemindsItsLeader: the peer leader gets the day-before
// and hour-before reminders of their own group's session, opening the
// leaders' group page, and no cancellation of a session they cancelled;
// the member's reminders are as before. A leader demoted from the role
// gets none.
func TestGroupSessionRemindsItsLeader(t *testing.T) {
	w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
	w.peerGroup(3, "18:00", "Parken")
	lea := w.rig.fake.Subscribe("lea-phone")
	if err := w.store.SaveSubscription(context.Background(), storeSub("lea", lea)); err != nil {
		t.Fatal(err)
	}
	w.change(store.SessionChange{Date: "2026-03-11", Cancelled: true})
	s := w.scheduler(w.store, "a")
	for _, st := range []struct {
		at       string
		ann, lea []string // bodies to each
	}{
		{"2026-03-03T17:00:00Z", []string{"Gruppetrening onsdag kl. 18:00, Parken."}, []string{"Gruppetrening onsdag kl. 18:00, Parken."}},
		{"2026-03-04T16:00:00Z", []string{"Gruppetreninga starter kl. 18:00, Parken."}, []string{"Gruppetreninga starter kl. 18:00, Parken."}},
		{"2026-03-05T09:00:00Z", []string{"Gruppetreninga onsdag 11. mars kl. 18:00 er avlyst."}, nil},
		{"2026-03-10T17:00:00Z", nil, nil},
	} {
		got := map[string][]string{}
		for _, m := range w.tickAt(s, utc(st.at)) {
			_, body := m.Text()
			var payload struct{ URL string }
			if err := json.Unmarshal(m.Plain, &payload); err != nil {
				t.Fatal(err)
			}
			who, url := "ann", "/group/g1"
			if strings.HasSuffix(m.Endpoint, "/lea-phone") {
				who, url = "lea", "/clinic/group/g1"
			}
			if payload.URL != url {
				t.Errorf("at %s: %s's reminder opens %q, want %q", st.at, who, payload.URL, url)
			}
			got[who] = append(got[who], body)
		}
		if fmt.Sprint(got["ann"]) != fmt.Sprint(st.ann) || fmt.Sprint(got["lea"]) != fmt.Sprint(st.lea) {
			t.Errorf("at %s: the member got %q and the leader %q, want %q and %q", st.at, got["ann"], got["lea"], st.ann, st.lea)
		}
	}

	// Demoted, lea no longer leads the group: no more leader's reminders.
	ctx := context.Background()
	u, err := w.store.UserByID(ctx, "lea")
	if err != nil {
		t.Fatal(err)
	}
	u.Role = store.RolePatient
	if err := w.store.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, m := range w.tickAt(s, utc("2026-03-17T17:00:00Z")) {
		if strings.HasSuffix(m.Endpoint, "/lea-phone") {
			_, body := m.Text()
			t.Errorf("the demoted leader was reminded: %q", body)
		}
	}
}

// TestGroupSessionMovedAfterItsReminder: a move after the day-before
// reminder went out reminds again at the new time; an undone
// cancellation brings the reminders back.
func TestGroupSessionMovedAfterItsReminder(t *testing.T) {
	w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "en")
	w.peerGroup(3, "18:00", "")
	s := w.scheduler(w.store, "a")
	w.expect(s, []step{{"2026-03-03T17:00:00Z", []string{"Group session Wednesday at 18:00."}}})
	w.change(store.SessionChange{Date: "2026-03-04", Time: "19:00"})
	w.expect(s, []step{
		{"2026-03-04T10:00:00Z", []string{"Group session Wednesday at 19:00."}},
		{"2026-03-04T16:00:00Z", nil},
		{"2026-03-04T17:00:00Z", []string{"The group session starts at 19:00."}},
	})
	w.change(store.SessionChange{Date: "2026-03-11", Cancelled: true})
	w.expect(s, []step{{"2026-03-05T09:00:00Z", []string{"The group session on Wednesday 11 March at 18:00 is cancelled."}}})
	if err := w.store.DeleteSessionChange(context.Background(), "g1", "2026-03-11"); err != nil {
		t.Fatal(err)
	}
	w.expect(s, []step{{"2026-03-10T17:00:00Z", []string{"Group session Wednesday at 18:00."}}})
}

// TestGroupSessionRemindersAcrossDST: the reminders keep the session's
// wall-clock time in the week of each change (Oslo: the last Sundays of
// March and October), and quiet hours hold on the user's clock.
func TestGroupSessionRemindersAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		name        string
		weekday     int
		clock       string
		day, hour   string // UTC instants the reminders go out
		dayT, hourT string
	}{
		// Saturday 28 March 18:00 CET; Sunday 29 March 18:00 CEST.
		{"spring forward on the session's day", 7, "18:00", "2026-03-28T17:00:00Z", "2026-03-29T15:00:00Z",
			"Gruppetrening søndag kl. 18:00, Parken.", "Gruppetreninga starter kl. 18:00, Parken."},
		// Saturday 24 October 18:00 CEST; Sunday 25 October 18:00 CET.
		{"fall back on the session's day", 7, "18:00", "2026-10-24T16:00:00Z", "2026-10-25T16:00:00Z",
			"Gruppetrening søndag kl. 18:00, Parken.", "Gruppetreninga starter kl. 18:00, Parken."},
		// Monday 30 March 09:00 CEST; its day-before on Sunday 29 March 09:00 CEST.
		{"the day after spring forward", 1, "09:00", "2026-03-29T07:00:00Z", "2026-03-30T06:00:00Z",
			"Gruppetrening mandag kl. 09:00, Parken.", "Gruppetreninga starter kl. 09:00, Parken."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
			w.clock.Advance(utc(tc.day).Add(-48 * time.Hour).Sub(w.clock.Now()))
			w.peerGroup(tc.weekday, tc.clock, "Parken")
			s := w.scheduler(w.store, "a")
			day, hour := utc(tc.day), utc(tc.hour)
			w.expect(s, []step{
				{day.Add(-time.Minute).Format(time.RFC3339), nil},
				{tc.day, []string{tc.dayT}},
				{hour.Add(-time.Minute).Format(time.RFC3339), nil},
				{tc.hour, []string{tc.hourT}},
			})
		})
	}

	// A 07:30 session: its hour-before falls in quiet hours (22–08) and
	// is not sent; its day-before waits until 08:00 the day before.
	w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
	w.peerGroup(3, "07:30", "Parken")
	w.expect(w.scheduler(w.store, "a"), []step{
		{"2026-03-03T06:30:00Z", nil},
		{"2026-03-03T07:00:00Z", []string{"Gruppetrening onsdag kl. 07:30, Parken."}},
		{"2026-03-04T05:30:00Z", nil},
		{"2026-03-04T06:29:00Z", nil},
	})
}

// TestGroupSessionTwoInstancesSendOnce: two schedulers on one store send
// each group-session reminder, and a cancellation, once.
func TestGroupSessionTwoInstancesSendOnce(t *testing.T) {
	for name, open := range twoStores {
		t.Run(name, func(t *testing.T) {
			one, two := open(t)
			w := newWorld(t, one, "nb")
			w.peerGroup(3, "18:00", "Parken")
			w.change(store.SessionChange{Date: "2026-03-11", Cancelled: true})
			a, b := w.scheduler(one, "a"), w.scheduler(two, "b")
			w.tickTogether([]string{"2026-03-03T17:00:00Z", "2026-03-03T17:01:00Z", "2026-03-04T16:00:00Z", "2026-03-04T16:01:00Z",
				"2026-03-04T17:00:00Z", "2026-03-04T17:01:00Z"}, a, b)
			bodies := map[string]int{}
			for _, m := range w.rig.fake.Delivered() {
				_, body := m.Text()
				bodies[body]++
			}
			want := map[string]int{"Gruppetrening onsdag kl. 18:00, Parken.": 1, "Gruppetreninga starter kl. 18:00, Parken.": 1,
				"Gruppetreninga onsdag 11. mars kl. 18:00 er avlyst.": 1}
			if len(bodies) != len(want) {
				t.Errorf("delivered %v, want %v", bodies, want)
			}
			for b, n := range want {
				if bodies[b] != n {
					t.Errorf("delivered %v, want %v", bodies, want)
				}
			}
		})
	}
}
