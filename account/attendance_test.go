package account_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// peerWorld is a peer group with its leader and two members, on the
// fixed clock (Monday 2 March 2026, 10:00 UTC).
type peerWorld struct {
	*world
	leader, ann, bo store.User
	group           store.Group
}

func newPeerWorld(t *testing.T) *peerWorld {
	t.Helper()
	w := newWorld(t)
	p := &peerWorld{world: w, leader: w.user(store.RolePeerLeader, "leader@example.org"),
		ann: w.user(store.RolePatient, "ann@example.org"), bo: w.user(store.RolePatient, "bo@example.org")}
	g, inv, err := w.groups.Create(t.Context(), p.leader, "Likepersoner", store.GroupPeer)
	if err != nil {
		t.Fatal(err)
	}
	p.group = g
	for _, u := range []store.User{p.ann, p.bo} {
		if _, err := w.groups.Join(t.Context(), u, inv.Code, false); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Minute)
	}
	return p
}

// logSession pushes a whole 4x4 session of u's that started at start.
func (p *peerWorld) logSession(u store.User, id string, start time.Time) {
	p.t.Helper()
	d := synctest.Session(p.t, id, synctest.Stamp(p.clock.Now(), "phone"),
		"startedAt", start.Format(time.RFC3339), "durationMin", 38, "sessionRpe", 7, "moodBefore", 2, "note", "tung dag",
		"intervals", []map[string]int{{"rpe": 16, "hrPeak": 170}, {"rpe": 16}, {"rpe": 17}, {"rpe": 17}})
	if _, err := p.store.Push(p.t.Context(), u.ID, "b-"+id, []sync.Doc{d}); err != nil {
		p.t.Fatal(err)
	}
}

func (p *peerWorld) share(u store.User, trained, sessions bool) {
	p.t.Helper()
	if err := p.groups.SetSharing(p.t.Context(), u, p.group.ID, account.SharingChange{Trained: &trained, Sessions: &sessions}); err != nil {
		p.t.Fatal(err)
	}
}

// shared reads the group as reader: each member's name with what they
// share, "" for nothing.
func (p *peerWorld) shared(reader store.User) []string {
	p.t.Helper()
	v, err := p.groups.Get(p.t.Context(), reader, p.group.ID)
	if err != nil {
		p.t.Fatal(err)
	}
	var out []string
	for _, m := range v.Members {
		s := m.Name + ":"
		if m.Trained != nil {
			s += map[bool]string{true: " trained", false: " not yet"}[*m.Trained]
		}
		if m.Sessions != nil {
			s += " " + string(rune('0'+*m.Sessions))
		}
		out = append(out, s)
	}
	return out
}

// TestPeerSharingWeekBoundary: what a member shares is counted in their
// own ISO week in Europe/Oslo: a session late on Sunday evening is last
// week's once it is Monday in Oslo, though it is still Sunday in UTC.
func TestPeerSharingWeekBoundary(t *testing.T) {
	p := newPeerWorld(t)
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	if p.ann.TimeZone != "Europe/Oslo" {
		t.Fatalf("ann's time zone is %q, want the default Europe/Oslo", p.ann.TimeZone)
	}
	if got := p.shared(p.bo); !slices.Equal(got, []string{"N ann@example.org:", "N bo@example.org:"}) {
		t.Fatalf("before anyone shares: %q, want names only", got)
	}
	p.share(p.ann, true, true)
	p.share(p.bo, true, false)

	// Sunday 8 March, 23:30 in Oslo (22:30 UTC): the week of 2 March.
	p.logSession(p.ann, "sun", time.Date(2026, 3, 8, 23, 30, 0, 0, oslo))
	p.clock.now = time.Date(2026, 3, 8, 23, 45, 0, 0, oslo)
	if got, want := p.shared(p.bo), []string{"N ann@example.org: trained 1", "N bo@example.org: not yet"}; !slices.Equal(got, want) {
		t.Errorf("Sunday night in Oslo: %q, want %q", got, want)
	}
	// Monday 00:10 in Oslo is still Sunday 23:10 in UTC: a new week.
	p.clock.now = time.Date(2026, 3, 9, 0, 10, 0, 0, oslo)
	if p.clock.now.UTC().Weekday() != time.Sunday {
		t.Fatalf("the test wants a moment that is Sunday in UTC, got %v", p.clock.now.UTC())
	}
	if got, want := p.shared(p.bo), []string{"N ann@example.org: not yet 0", "N bo@example.org: not yet"}; !slices.Equal(got, want) {
		t.Errorf("Monday just after midnight in Oslo: %q, want %q", got, want)
	}
	p.logSession(p.ann, "mon", time.Date(2026, 3, 9, 0, 5, 0, 0, oslo))
	p.logSession(p.bo, "bo-mon", time.Date(2026, 3, 9, 0, 1, 0, 0, oslo))
	if got, want := p.shared(p.leader), []string{"N ann@example.org: trained 1", "N bo@example.org: trained"}; !slices.Equal(got, want) {
		t.Errorf("the leader after Monday's sessions: %q, want %q", got, want)
	}
	// A warm-up alone does not count (CompletionOf).
	d := synctest.Session(t, "warm", synctest.Stamp(p.clock.Now(), "phone"), "startedAt", p.clock.now.Add(-time.Minute).Format(time.RFC3339), "durationMin", 4)
	if _, err := p.store.Push(t.Context(), p.ann.ID, "b-warm", []sync.Doc{d}); err != nil {
		t.Fatal(err)
	}
	if got := p.shared(p.ann); got[0] != "N ann@example.org: trained 1" {
		t.Errorf("after a warm-up alone: %q, want still one session", got[0])
	}

	// An admin sees the members by name, and nothing they shared with the group.
	admin := p.user(store.RoleAdmin, "root@example.org")
	if got := p.shared(admin); !slices.Equal(got, []string{"N ann@example.org:", "N bo@example.org:"}) {
		t.Errorf("an admin sees %q, want names only", got)
	}
	// Turned off, it is gone at once.
	p.share(p.ann, false, false)
	if got := p.shared(p.bo); got[0] != "N ann@example.org:" {
		t.Errorf("after ann stops sharing: %q", got[0])
	}
}

// TestPeerSharingOnlyInPeerGroups: the peer choices are refused in a
// treatment group; to a non-member the group does not exist.
func TestPeerSharingOnlyInPeerGroups(t *testing.T) {
	p := newPeerWorld(t)
	trainer := p.user(store.RoleTrainer, "trainer@example.org")
	g, inv, err := p.groups.Create(t.Context(), trainer, "Tirsdag", store.GroupTreatment)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.groups.Join(t.Context(), p.ann, inv.Code, false); err != nil {
		t.Fatal(err)
	}
	yes := true
	err = p.groups.SetSharing(t.Context(), p.ann, g.ID, account.SharingChange{Trained: &yes})
	wantFields(t, err, "shareTrained")
	stranger := p.user(store.RolePatient, "stranger@example.org")
	if err := p.groups.SetSharing(t.Context(), stranger, p.group.ID, account.SharingChange{Trained: &yes}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a stranger's choice: %v, want not found", err)
	}
}

// TestAttendance: the leader ticks who came to today's or a past session,
// members of the group on that day only; the record counts per week.
func TestAttendance(t *testing.T) {
	p := newPeerWorld(t)
	ctx := t.Context()
	// The clock moves to Wednesday 11 March; the group began Monday 2 March.
	p.clock.now = time.Date(2026, 3, 11, 17, 0, 0, 0, time.UTC)
	late := p.user(store.RolePatient, "late@example.org")
	inv, err := p.groups.Invite(ctx, p.leader, p.group.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.groups.Join(ctx, late, inv.Code, false); err != nil {
		t.Fatal(err)
	}

	set := func(by store.User, date string, who ...store.User) error {
		ids := []string{}
		for _, u := range who {
			ids = append(ids, u.ID)
		}
		_, err := p.groups.SetAttendance(ctx, by, p.group.ID, date, ids)
		return err
	}
	if err := set(p.leader, "2026-03-04", p.bo, p.ann, p.ann); err != nil {
		t.Fatal(err)
	}
	if err := set(p.leader, "2026-03-11", p.ann, late); err != nil {
		t.Fatal(err)
	}
	wantFields(t, set(p.leader, "2026-03-04", late), "present") // joined after that day
	wantFields(t, set(p.leader, "2026-03-12", p.ann), "date")   // not yet
	wantFields(t, set(p.leader, "2026-03-01", p.ann), "date")   // before the group
	wantFields(t, set(p.leader, "4 March", p.ann), "date")
	wantFields(t, set(p.leader, "2026-03-11", p.leader), "present") // not a member
	wantCode(t, set(p.ann, "2026-03-11", p.ann), account.Forbidden)
	outsider := p.user(store.RolePeerLeader, "other@example.org")
	if err := set(outsider, "2026-03-11"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another peer leader ticks: %v, want not found", err)
	}

	rec, err := p.groups.Attendance(ctx, p.leader, p.group.ID, 12)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Weeks) != 12 || rec.Weeks[11].Week.String() != "2026-W11" || rec.Weeks[11].Count != 2 || rec.Weeks[10].Count != 2 || rec.Weeks[9].Count != 0 {
		t.Errorf("weeks = %+v, want two ticks in W10 and in W11", rec.Weeks)
	}
	if len(rec.Sessions) != 2 || rec.Sessions[0].Date != "2026-03-11" || !slices.Equal(rec.Sessions[1].Present, []string{p.ann.ID, p.bo.ID}) {
		t.Errorf("sessions = %+v, want 11 March first, and 4 March in join order", rec.Sessions)
	}
	if len(rec.Members) != 3 || rec.Members[2].UserID != late.ID || rec.Members[2].Since != "2026-03-11" {
		t.Errorf("members = %+v", rec.Members)
	}

	// With a weekly session on Wednesdays, its dates are offered.
	if _, err := p.groups.SetSchedule(ctx, p.leader, p.group.ID, account.ScheduleInput{Weekday: 3, Time: "18:00", Place: "Parken"}); err != nil {
		t.Fatal(err)
	}
	if err := set(p.leader, "2026-03-11"); err != nil { // unticked
		t.Fatal(err)
	}
	rec, err = p.groups.Attendance(ctx, p.leader, p.group.ID, 12)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.Dates, []string{"2026-03-11", "2026-03-04"}) || rec.Weeks[11].Count != 0 || len(rec.Sessions) != 1 {
		t.Errorf("after unticking: dates %v, weeks %+v, sessions %+v", rec.Dates, rec.Weeks[10:], rec.Sessions)
	}

	// Leaving takes the member's ticks along.
	if err := p.groups.RemoveMember(ctx, p.bo, p.group.ID, p.bo.ID); err != nil {
		t.Fatal(err)
	}
	rec, err = p.groups.Attendance(ctx, p.leader, p.group.ID, 12)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Weeks[10].Count != 1 || !slices.Equal(rec.Sessions[0].Present, []string{p.ann.ID}) || len(rec.Members) != 2 {
		t.Errorf("after bo left: weeks %+v, sessions %+v, members %+v", rec.Weeks[10:], rec.Sessions, rec.Members)
	}
	if got, err := p.store.UserAttendance(ctx, p.bo.ID); err != nil || len(got) != 0 {
		t.Errorf("bo's ticks after leaving: %+v, %v; want none kept", got, err)
	}
}
