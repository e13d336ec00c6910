package push_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/mongostore"
	"github.com/hit4x4/dagbok/store/mongostore/ferrettest"
	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
	"github.com/hit4x4/dagbok/tests/fakepush"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// world is one store, a patient with a phone subscribed, and schedulers.
type world struct {
	t     *testing.T
	rig   *rig
	store store.Store
	clock *apitest.Clock
	phone *fakepush.Subscription
	batch int // numbers the sync batches pushed
}

func openSQLite(t testing.TB, path string) store.Store {
	t.Helper()
	st, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newWorld(t *testing.T, st store.Store, lang string) *world {
	t.Helper()
	w := &world{t: t, rig: newRig(t, push.Guard{Loopback: true}), store: st, clock: apitest.NewClock(utc("2026-03-02T00:00:00Z"))}
	ctx := context.Background()
	if err := st.CreateUser(ctx, store.User{ID: "ann", Email: "ann@example.org", PasswordHash: "x", Name: "Ann",
		Role: store.RolePatient, TimeZone: "Europe/Oslo", Language: lang}); err != nil {
		t.Fatal(err)
	}
	w.phone = w.rig.fake.Subscribe("ann-phone")
	if err := st.SaveSubscription(ctx, storeSub("ann", w.phone)); err != nil {
		t.Fatal(err)
	}
	return w
}

// plan pushes the patient's plan.
func (w *world) plan(perWeek int, days []int, at string) {
	w.t.Helper()
	w.batch++
	d := synctest.Doc(w.t, "plan", "plan", synctest.Stamp(utc("2026-01-01T00:00:00Z"), "dev"),
		"sessionsPerWeek", perWeek, "days", days, "time", at)
	if _, err := w.store.Push(context.Background(), "ann", fmt.Sprint("b", w.batch), []sync.Doc{d}); err != nil {
		w.t.Fatal(err)
	}
}

// logged pushes a finished 4x4 session started at start.
func (w *world) logged(id string, start time.Time) {
	w.t.Helper()
	w.batch++
	d := synctest.Session(w.t, id, synctest.Stamp(start, "dev"), "protocol", "4x4",
		"startedAt", start.Format(time.RFC3339), "durationMin", 38,
		"intervals", []map[string]int{{"rpe": 15}, {"rpe": 16}, {"rpe": 17}, {"rpe": 17}})
	if _, err := w.store.Push(context.Background(), "ann", fmt.Sprint("b", w.batch), []sync.Doc{d}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) scheduler(st store.Store, owner string) *push.Scheduler {
	w.t.Helper()
	s, err := push.NewScheduler(push.SchedulerConfig{Store: st, Sender: w.rig.sender, Owner: owner, Now: w.clock.Now})
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// tickAt runs one tick at the given time and returns the messages
// delivered by it.
func (w *world) tickAt(s *push.Scheduler, at time.Time) []fakepush.Message {
	w.t.Helper()
	before := len(w.rig.fake.Delivered())
	w.clock.Advance(at.Sub(w.clock.Now()))
	if _, err := s.Tick(context.Background()); err != nil {
		w.t.Fatalf("Tick at %s: %v", at, err)
	}
	if f := w.rig.fake.Failures(); len(f) > 0 {
		w.t.Fatalf("the push service refused: %v", f)
	}
	return w.rig.fake.Delivered()[before:]
}

func TestSlotRemindersAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		name string
		day  int
		// first is the first instant the reminder goes out: an hour
		// before 18:00 Oslo time on that day's own offset.
		first string
	}{
		{"Monday before spring forward (CET)", 1, "2026-03-23T16:00:00Z"},
		{"last Sunday of March (CEST from 02:00)", 7, "2026-03-29T15:00:00Z"},
		{"Monday after (CEST)", 1, "2026-03-30T15:00:00Z"},
		{"last Saturday of October (CEST)", 6, "2026-10-24T15:00:00Z"},
		{"last Sunday of October (CET from 03:00)", 7, "2026-10-25T16:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
			w.plan(1, []int{tc.day}, "18:00")
			s := w.scheduler(w.store, "a")
			first := utc(tc.first)
			if got := w.tickAt(s, first.Add(-time.Minute)); len(got) != 0 {
				t.Fatalf("a minute early: %d messages", len(got))
			}
			got := w.tickAt(s, first)
			if len(got) != 1 {
				t.Fatalf("at %s: %d messages, want 1", first, len(got))
			}
			if title, body := got[0].Text(); title != "Tid for økta di" || body != "Planlagt økt kl. 18:00. Du klarer det!" {
				t.Errorf("text %q / %q", title, body)
			}
			if got := w.tickAt(s, first.Add(5*time.Minute)); len(got) != 0 {
				t.Errorf("sent again on the next tick: %d messages", len(got))
			}
		})
	}
}

func TestQuietHoursAndLateButUseful(t *testing.T) {
	w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "en")
	w.plan(1, []int{3}, "08:30") // Wednesday; the reminder at 07:30 is in quiet hours
	s := w.scheduler(w.store, "a")
	if got := w.tickAt(s, utc("2026-03-04T06:30:00Z")); len(got) != 0 { // 07:30 Oslo
		t.Fatalf("sent in quiet hours: %d", len(got))
	}
	got := w.tickAt(s, utc("2026-03-04T07:00:00Z")) // 08:00, quiet hours over, still before the session
	if len(got) != 1 {
		t.Fatalf("after quiet hours: %d messages, want 1", len(got))
	}
	if title, _ := got[0].Text(); title != "Time for your session" {
		t.Errorf("English user got %q", title)
	}
	// Missed entirely (the server was down): not sent once it is useless.
	w.plan(1, []int{4}, "10:00")
	if got := w.tickAt(s, utc("2026-03-05T09:30:00Z")); len(got) != 0 { // 10:30, after the session
		t.Errorf("sent %d reminders after the session's time", len(got))
	}
}

func TestNoReminderWhenLoggedThatDay(t *testing.T) {
	w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
	w.plan(2, []int{2, 5}, "18:00")
	w.logged("morning", utc("2026-03-03T06:00:00Z")) // Tuesday 07:00 Oslo
	s := w.scheduler(w.store, "a")
	if got := w.tickAt(s, utc("2026-03-03T16:00:00Z")); len(got) != 0 {
		t.Errorf("reminded on a day already trained: %d", len(got))
	}
	if got := w.tickAt(s, utc("2026-03-06T16:00:00Z")); len(got) != 1 {
		t.Errorf("Friday: %d messages, want 1", len(got))
	}
}

func TestNudgeOnlyWhenBehind(t *testing.T) {
	thursdayNoon := utc("2026-03-05T11:00:00Z")
	for _, tc := range []struct {
		name   string
		logged []string
		want   int
	}{
		{"nothing done by Thursday", nil, 1},
		{"one of two done", []string{"2026-03-02T17:00:00Z"}, 1},
		{"on track", []string{"2026-03-02T17:00:00Z", "2026-03-04T17:00:00Z"}, 0},
		{"week met", []string{"2026-03-02T17:00:00Z", "2026-03-03T17:00:00Z", "2026-03-04T17:00:00Z"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
			w.plan(3, []int{1, 3, 6}, "19:00")
			for i, at := range tc.logged {
				w.logged(fmt.Sprint("s", i), utc(at))
			}
			s := w.scheduler(w.store, "a")
			got := w.tickAt(s, thursdayNoon)
			if len(got) != tc.want {
				t.Fatalf("%d nudges, want %d", len(got), tc.want)
			}
			if tc.want == 1 {
				if title, _ := got[0].Text(); title != "En liten påminnelse" || got[0].Topic != "nudge" {
					t.Errorf("nudge %q topic %q", title, got[0].Topic)
				}
				if got := w.tickAt(s, thursdayNoon.Add(time.Hour)); len(got) != 0 {
					t.Errorf("nudged twice in a week")
				}
			}
		})
	}
}

func TestRemindersTurnedOff(t *testing.T) {
	w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
	w.plan(3, []int{4}, "18:00")
	rs := push.DefaultSettings("ann")
	rs.Off = []string{push.KindSlot, push.KindNudge}
	if err := w.store.SaveReminderSettings(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	s := w.scheduler(w.store, "a")
	for _, at := range []string{"2026-03-05T11:00:00Z", "2026-03-05T16:00:00Z"} {
		if got := w.tickAt(s, utc(at)); len(got) != 0 {
			t.Errorf("at %s: %d reminders while turned off", at, len(got))
		}
	}
}

func TestGoneSubscriptionRemoved(t *testing.T) {
	w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
	w.plan(1, []int{1}, "18:00")
	w.rig.fake.Answer(w.phone, 410)
	s := w.scheduler(w.store, "a")
	w.tickAt(s, utc("2026-03-02T16:30:00Z"))
	subs, err := w.store.Subscriptions(context.Background(), "ann")
	if err != nil || len(subs) != 0 {
		t.Errorf("after 410: subscriptions %v, %v; want none", subs, err)
	}
}

func TestRetryOn429(t *testing.T) {
	w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
	w.plan(1, []int{1}, "18:00")
	w.rig.fake.Answer(w.phone, 429)
	s := w.scheduler(w.store, "a")
	if got := w.tickAt(s, utc("2026-03-02T16:30:00Z")); len(got) != 1 {
		t.Fatalf("%d messages after a 429, want 1", len(got))
	}
	if got := w.rig.waits.all(); len(got) != 1 || got[0] != 7*time.Second {
		t.Errorf("waited %v, want the Retry-After of 7s", got)
	}
}

// A reminder whose every send failed is not finished: once the lease runs
// out another tick (here another instance) sends it, still in its window.
func TestFailedReminderRetriedAfterLease(t *testing.T) {
	w := newWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")), "nb")
	w.plan(1, []int{1}, "18:00")
	w.rig.fake.Answer(w.phone, 500, 500, 500, 500)
	a, b := w.scheduler(w.store, "a"), w.scheduler(w.store, "b")
	if got := w.tickAt(a, utc("2026-03-02T16:30:00Z")); len(got) != 0 {
		t.Fatalf("delivered through 500s")
	}
	if got := w.tickAt(b, utc("2026-03-02T16:39:00Z")); len(got) != 0 {
		t.Fatalf("b sent while a's lease held")
	}
	if got := w.tickAt(b, utc("2026-03-02T16:40:00Z")); len(got) != 1 {
		t.Fatalf("after the lease: %d messages, want 1", len(got))
	}
}

// twoInstances opens two stores on one database per engine: two server
// instances sharing it.
func twoInstances() map[string]func(t *testing.T) (store.Store, store.Store) {
	return map[string]func(t *testing.T) (store.Store, store.Store){
		"SQLite": func(t *testing.T) (store.Store, store.Store) {
			path := filepath.Join(t.TempDir(), "app.db")
			return openSQLite(t, path), openSQLite(t, path)
		},
		"FerretDB": func(t *testing.T) (store.Store, store.Store) {
			srv := ferrettest.Start(t)
			open := func() store.Store {
				st, err := mongostore.Open(context.Background(), mongostore.Config{URI: srv.URI(), Database: "push"})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}
			return open(), open()
		},
	}
}

// tickTogether runs one tick of each scheduler at once, at the given time.
func (w *world) tickTogether(at time.Time, ss ...*push.Scheduler) {
	w.t.Helper()
	w.clock.Advance(at.Sub(w.clock.Now()))
	var wg gosync.WaitGroup
	errs := make([]error, len(ss))
	for i, s := range ss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Tick(context.Background())
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		w.t.Fatal(err)
	}
}

func TestTwoInstancesSendOnce(t *testing.T) {
	engines := twoInstances()
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			one, two := open(t)
			w := newWorld(t, one, "nb")
			w.plan(3, []int{1, 3, 5}, "18:00")
			a, b := w.scheduler(one, "a"), w.scheduler(two, "b")
			for _, at := range []string{"2026-03-02T16:10:00Z", "2026-03-02T16:20:00Z", "2026-03-05T11:00:00Z"} {
				w.tickTogether(utc(at), a, b)
			}
			got := w.rig.fake.Delivered()
			topics := map[string]int{}
			for _, m := range got {
				topics[m.Topic]++
			}
			if topics["slot"] != 1 || topics["nudge"] != 1 || len(got) != 2 {
				t.Errorf("delivered %v, want one slot reminder and one nudge", topics)
			}
		})
	}
}
