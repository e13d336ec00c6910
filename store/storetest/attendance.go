package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// peerGroup makes a peer group g1 led by "leader" with members p1 and p2.
func peerGroup(t *testing.T, s store.Store) {
	t.Helper()
	c := ctx(t)
	for _, u := range []store.User{user("leader", store.RolePeerLeader), user("p1", store.RolePatient), user("p2", store.RolePatient)} {
		mustCreateUser(t, s, u)
	}
	if err := s.CreateGroup(c, store.Group{ID: "g1", Name: "G", Kind: store.GroupPeer, OwnerID: "leader", CreatedAt: at(0)}); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	for i, u := range []string{"p1", "p2"} {
		if err := s.AddMember(c, store.Membership{GroupID: "g1", UserID: u, JoinedAt: at(time.Duration(i+1) * time.Minute)}); err != nil {
			t.Fatalf("AddMember(%s): %v", u, err)
		}
	}
}

// testPeerSharing: what a peer group's member shows the others is kept on
// the membership, beside the treatment-group choices, and seen in
// UserGroups.
func testPeerSharing(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	peerGroup(t, s)
	want := store.Sharing{Trained: true}
	if err := s.SetSharing(c, "g1", "p1", want); err != nil {
		t.Fatalf("SetSharing: %v", err)
	}
	if err := s.SetSharing(c, "g1", "p2", store.Sharing{Trained: true, Sessions: true}); err != nil {
		t.Fatalf("SetSharing: %v", err)
	}
	if err := s.SetSharing(c, "g1", "p2", store.Sharing{Sessions: true}); err != nil {
		t.Fatalf("SetSharing (change): %v", err)
	}
	ms, err := s.Members(c, "g1")
	if err != nil || len(ms) != 2 || ms[0].Sharing != want || ms[1].Sharing != (store.Sharing{Sessions: true}) {
		t.Fatalf("Members = %+v, %v; want p1 trained, p2 sessions", ms, err)
	}
	ugs, err := s.UserGroups(c, "p2")
	if err != nil || len(ugs) != 1 || ugs[0].Sharing != (store.Sharing{Sessions: true}) {
		t.Fatalf("UserGroups(p2) = %+v, %v", ugs, err)
	}
	if err := s.AddMember(c, store.Membership{GroupID: "g1", UserID: "leader", JoinedAt: at(time.Hour), Sharing: store.Sharing{Trained: true, Sessions: true}}); err != nil {
		t.Fatalf("AddMember with sharing: %v", err)
	}
	if ms, err := s.Members(c, "g1"); err != nil || len(ms) != 3 || ms[2].Sharing != (store.Sharing{Trained: true, Sessions: true}) {
		t.Fatalf("Members after AddMember with sharing = %+v, %v", ms, err)
	}
}

// testAttendance: a date's ticks are replaced whole, read by date range,
// per user, and go with a member who leaves or is erased.
func testAttendance(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	peerGroup(t, s)
	set := func(date string, present ...string) {
		t.Helper()
		if err := s.SetAttendance(c, "g1", date, present, at(time.Hour)); err != nil {
			t.Fatalf("SetAttendance(%s, %v): %v", date, present, err)
		}
	}
	set("2026-12-02", "p1", "p2")
	set("2026-12-09", "p2")
	set("2026-12-16", "p1")
	set("2026-12-09", "p1", "p1") // replaces p2; a repeated id counts once
	dates := func(as []store.Attendance) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Date+" "+a.UserID)
		}
		return out
	}
	got, err := s.AttendanceOf(c, "g1", "2026-12-02", "2026-12-09")
	if want := []string{"2026-12-02 p1", "2026-12-02 p2", "2026-12-09 p1"}; err != nil || !slices.Equal(dates(got), want) {
		t.Fatalf("AttendanceOf = %v, %v; want %v", dates(got), err, want)
	}
	if got[0].GroupID != "g1" || !got[0].At.Equal(at(time.Hour)) {
		t.Errorf("AttendanceOf[0] = %+v", got[0])
	}
	set("2026-12-16")
	if got, err := s.AttendanceOf(c, "g1", "2026-12-10", "2026-12-31"); err != nil || len(got) != 0 {
		t.Fatalf("AttendanceOf after clearing = %v, %v; want none", dates(got), err)
	}
	if got, err := s.UserAttendance(c, "p1"); err != nil || !slices.Equal(dates(got), []string{"2026-12-02 p1", "2026-12-09 p1"}) {
		t.Fatalf("UserAttendance(p1) = %v, %v", dates(got), err)
	}
	if err := s.SetAttendance(c, "g1", "2026-12-23", []string{"nobody"}, at(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetAttendance(unknown user): %v, want ErrNotFound", err)
	}

	if err := s.SetRSVP(c, store.RSVP{GroupID: "g1", UserID: "p1", Date: "2026-12-23", Coming: true, At: at(2 * time.Hour)}); err != nil {
		t.Fatalf("SetRSVP: %v", err)
	}
	if err := s.SetRSVP(c, store.RSVP{GroupID: "g1", UserID: "p1", Date: "2026-12-16", Coming: false, At: at(2 * time.Hour)}); err != nil {
		t.Fatalf("SetRSVP: %v", err)
	}
	rs, err := s.UserRSVPs(c, "p1")
	if err != nil || len(rs) != 2 || rs[0].Date != "2026-12-16" || rs[0].Coming || rs[1].Date != "2026-12-23" || !rs[1].Coming || rs[1].GroupID != "g1" {
		t.Fatalf("UserRSVPs(p1) = %+v, %v", rs, err)
	}

	// Leaving takes the member's ticks and answers along; the others' stay.
	if err := s.ForgetMember(c, "g1", "p1"); err != nil {
		t.Fatalf("ForgetMember: %v", err)
	}
	if err := s.ForgetMember(c, "g1", "p1"); err != nil {
		t.Fatalf("ForgetMember again: %v", err)
	}
	if got, err := s.UserAttendance(c, "p1"); err != nil || len(got) != 0 {
		t.Errorf("UserAttendance after ForgetMember = %v, %v; want none", dates(got), err)
	}
	if got, err := s.UserRSVPs(c, "p1"); err != nil || len(got) != 0 {
		t.Errorf("UserRSVPs after ForgetMember = %+v, %v; want none", got, err)
	}
	if got, err := s.AttendanceOf(c, "g1", "2026-01-01", "2026-12-31"); err != nil || !slices.Equal(dates(got), []string{"2026-12-02 p2"}) {
		t.Errorf("AttendanceOf after ForgetMember = %v, %v; want p2's tick only", dates(got), err)
	}

	// Erasing an account takes its ticks too.
	if err := s.DeleteUser(c, "p2"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if got, err := s.AttendanceOf(c, "g1", "2026-01-01", "2026-12-31"); err != nil || len(got) != 0 {
		t.Errorf("AttendanceOf after erasure = %v, %v; want none", dates(got), err)
	}
}
