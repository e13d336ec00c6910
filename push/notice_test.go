package push_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/tests/fakepush"
)

// noticeWorld is a world where ann is a member of peer group g1, led by
// lise, who has a phone subscribed too.
type noticeWorld struct {
	*world
	leaderPhone *fakepush.Subscription
}

func newNoticeWorld(t *testing.T, st store.Store) *noticeWorld {
	t.Helper()
	w := &noticeWorld{world: newWorld(t, st, "nb")}
	ctx := context.Background()
	if err := st.CreateUser(ctx, store.User{ID: "lise", Email: "lise@example.org", PasswordHash: "x", Name: "Lise",
		Role: store.RolePeerLeader, TimeZone: "Europe/Oslo", Language: "nb"}); err != nil {
		t.Fatal(err)
	}
	w.leaderPhone = w.rig.fake.Subscribe("lise-phone")
	if err := st.SaveSubscription(ctx, storeSub("lise", w.leaderPhone)); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateGroup(ctx, store.Group{ID: "g1", Name: "Turgruppa", Kind: store.GroupPeer, OwnerID: "lise", CreatedAt: utc("2026-02-01T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddMember(ctx, store.Membership{GroupID: "g1", UserID: "ann", JoinedAt: utc("2026-02-02T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	return w
}

// post is the leader posting a notice at the given time.
func (w *noticeWorld) post(text string, at time.Time) {
	w.t.Helper()
	if err := w.store.SetNotice(context.Background(), store.GroupNotice{GroupID: "g1", Text: text, PostedAt: at, By: "lise"}); err != nil {
		w.t.Fatal(err)
	}
}

// payload is what the phone's service worker gets.
type payload struct {
	Title, Body, URL, Tag string
	Actions               []any
}

func decoded(t *testing.T, m fakepush.Message) payload {
	t.Helper()
	var p payload
	if err := json.Unmarshal(m.Plain, &p); err != nil {
		t.Fatalf("payload %q: %v", m.Plain, err)
	}
	return p
}

// TestNoticeSentOnce: a member gets the notice once, with the leader's
// text under the group's name and the group page as where a tap goes —
// even on a day they already trained; the leader gets nothing.
func TestNoticeSentOnce(t *testing.T) {
	w := newNoticeWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")))
	w.logged("morning", utc("2026-03-03T06:00:00Z"))
	s := w.scheduler(w.store, "a")
	posted := utc("2026-03-03T10:00:00Z") // 11:00 in Oslo
	w.post("Vi trener inne i dag pga. regn", posted)
	got := w.tickAt(s, posted)
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	m := got[0]
	if !strings.HasSuffix(m.Endpoint, "/ann-phone") {
		t.Errorf("sent to %s, want the member's phone only", m.Endpoint)
	}
	p := decoded(t, m)
	if p.Title != "Turgruppa" || p.Body != "Vi trener inne i dag pga. regn" || p.URL != "/group/g1" || p.Tag != "notice-g1" || len(p.Actions) != 0 {
		t.Errorf("payload %+v, want the notice under the group's name, opening /group/g1, no actions", p)
	}
	if len(m.Topic) == 0 || len(m.Topic) > 32 || m.Topic == "notice" {
		t.Errorf("topic %q, want one per group of at most 32 characters", m.Topic)
	}
	if got := w.tickAt(s, posted.Add(5*time.Minute)); len(got) != 0 {
		t.Errorf("sent again on the next tick: %d messages", len(got))
	}
	if got := w.tickAt(s, posted.Add(11*time.Hour)); len(got) != 0 {
		t.Errorf("sent again later: %d messages", len(got))
	}
}

// TestNoticeQuietHours: a notice posted in the member's quiet hours waits
// for their end; one whose window closed before the scheduler looked is
// not sent late.
func TestNoticeQuietHours(t *testing.T) {
	w := newNoticeWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")))
	s := w.scheduler(w.store, "a")
	posted := utc("2026-03-02T21:30:00Z") // 22:30 in Oslo
	w.post("I morgen møtes vi ved inngangen", posted)
	for _, at := range []string{"2026-03-02T21:30:00Z", "2026-03-03T06:59:00Z"} { // up to 07:59 in Oslo
		if got := w.tickAt(s, utc(at)); len(got) != 0 {
			t.Fatalf("at %s, in quiet hours: %d messages", at, len(got))
		}
	}
	got := w.tickAt(s, utc("2026-03-03T07:00:00Z"))
	if len(got) != 1 || decoded(t, got[0]).Body != "I morgen møtes vi ved inngangen" {
		t.Fatalf("when quiet hours end: %d messages, want the notice", len(got))
	}

	// Posted at 21:30 in Oslo, and the server down until 12 hours later:
	// too late to be of use.
	w.post("Husk refleks", utc("2026-03-03T20:30:00Z"))
	if got := w.tickAt(s, utc("2026-03-04T08:30:00Z")); len(got) != 0 {
		t.Errorf("sent %d messages after the notice's window", len(got))
	}
}

// TestNoticeNotSent: what keeps a notice from going out, or sends only
// the newest.
func TestNoticeNotSent(t *testing.T) {
	posted := utc("2026-03-03T10:00:00Z")
	for _, tc := range []struct {
		name   string
		before func(w *noticeWorld)
		want   []string // the bodies sent
	}{
		{"replaced before it went out", func(w *noticeWorld) {
			w.post("Vi møtes ute likevel", posted.Add(time.Minute))
		}, []string{"Vi møtes ute likevel"}},
		{"removed", func(w *noticeWorld) {
			if err := w.store.DeleteNotice(context.Background(), "g1"); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"turned off", func(w *noticeWorld) {
			rs := push.DefaultSettings("ann")
			rs.Off = []string{push.KindNotice}
			if err := w.store.SaveReminderSettings(context.Background(), rs); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"the member left", func(w *noticeWorld) {
			if err := w.store.RemoveMember(context.Background(), "g1", "ann"); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"the group is archived", func(w *noticeWorld) {
			if err := w.store.UpdateGroup(context.Background(), store.Group{ID: "g1", Name: "Turgruppa", ArchivedAt: posted}); err != nil {
				t.Fatal(err)
			}
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newNoticeWorld(t, openSQLite(t, filepath.Join(t.TempDir(), "app.db")))
			s := w.scheduler(w.store, "a")
			w.post("Vi trener inne i dag pga. regn", posted)
			tc.before(w)
			var bodies []string
			for _, at := range []time.Time{posted.Add(2 * time.Minute), posted.Add(time.Hour)} {
				for _, m := range w.tickAt(s, at) {
					bodies = append(bodies, decoded(t, m).Body)
				}
			}
			if strings.Join(bodies, "|") != strings.Join(tc.want, "|") {
				t.Errorf("sent %q, want %q", bodies, tc.want)
			}
		})
	}
}

// TestNoticeTwoInstancesSendOnce: two instances on one store send a
// notice, and then its replacement, once each.
func TestNoticeTwoInstancesSendOnce(t *testing.T) {
	for name, open := range twoStores {
		t.Run(name, func(t *testing.T) {
			one, two := open(t)
			w := newNoticeWorld(t, one)
			a, b := w.scheduler(one, "a"), w.scheduler(two, "b")
			w.post("Vi trener inne i dag pga. regn", utc("2026-03-03T10:00:00Z"))
			w.tickTogether([]string{"2026-03-03T10:00:00Z", "2026-03-03T10:01:00Z"}, a, b)
			w.post("Vi møtes ute likevel", utc("2026-03-03T10:02:00Z"))
			w.tickTogether([]string{"2026-03-03T10:02:00Z", "2026-03-03T10:03:00Z"}, a, b)
			var bodies []string
			for _, m := range w.rig.fake.Delivered() {
				bodies = append(bodies, decoded(t, m).Body)
			}
			if want := "Vi trener inne i dag pga. regn|Vi møtes ute likevel"; strings.Join(bodies, "|") != want {
				t.Errorf("delivered %q, want each notice once", bodies)
			}
		})
	}
}
