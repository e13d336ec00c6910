package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
)

func testSchedule(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	mustCreateUser(t, s, user("leader", store.RolePeerLeader))
	if err := s.CreateGroup(c, store.Group{ID: "g1", Name: "G", Kind: store.GroupPeer, OwnerID: "leader", CreatedAt: at(0)}); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	if _, err := s.ScheduleOf(c, "g1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ScheduleOf before any: err = %v, want ErrNotFound", err)
	}
	want := store.Schedule{GroupID: "g1", Weekday: 3, Time: "18:00", Place: "Parken", Note: "ved inngangen", TimeZone: "Europe/Oslo", UpdatedAt: at(time.Minute)}
	if err := s.SetSchedule(c, want); err != nil {
		t.Fatalf("SetSchedule: %v", err)
	}
	want.Weekday, want.Time, want.Note, want.UpdatedAt = 5, "07:30", "", at(2*time.Minute)
	if err := s.SetSchedule(c, want); err != nil {
		t.Fatalf("SetSchedule (replace): %v", err)
	}
	got, err := s.ScheduleOf(c, "g1")
	if err != nil || got != want {
		t.Fatalf("ScheduleOf = %+v, %v; want %+v", got, err, want)
	}
	if err := s.SetSchedule(c, store.Schedule{GroupID: "nope", Weekday: 1, Time: "10:00", TimeZone: "UTC", UpdatedAt: at(0)}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetSchedule(no group): err = %v, want ErrNotFound", err)
	}
}

func testRSVPs(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, u := range []store.User{user("leader", store.RolePeerLeader), user("p1", store.RolePatient), user("p2", store.RolePatient)} {
		mustCreateUser(t, s, u)
	}
	if err := s.CreateGroup(c, store.Group{ID: "g1", Name: "G", Kind: store.GroupPeer, OwnerID: "leader", CreatedAt: at(0)}); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	for _, r := range []store.RSVP{
		{GroupID: "g1", UserID: "p2", Date: "2026-12-09", Coming: true, At: at(time.Minute)},
		{GroupID: "g1", UserID: "p1", Date: "2026-12-09", Coming: true, At: at(2 * time.Minute)},
		{GroupID: "g1", UserID: "p1", Date: "2026-12-16", Coming: true, At: at(3 * time.Minute)},
		{GroupID: "g1", UserID: "p1", Date: "2026-12-09", Coming: false, At: at(4 * time.Minute)}, // changed their mind
	} {
		if err := s.SetRSVP(c, r); err != nil {
			t.Fatalf("SetRSVP(%+v): %v", r, err)
		}
	}
	got, err := s.RSVPs(c, "g1", "2026-12-09")
	want := []store.RSVP{
		{GroupID: "g1", UserID: "p2", Date: "2026-12-09", Coming: true, At: at(time.Minute)},
		{GroupID: "g1", UserID: "p1", Date: "2026-12-09", Coming: false, At: at(4 * time.Minute)},
	}
	if err != nil || len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("RSVPs(12-09) = %+v, %v; want %+v", got, err, want)
	}
	if got, err := s.RSVPs(c, "g1", "2026-12-23"); err != nil || len(got) != 0 {
		t.Fatalf("RSVPs(no answers) = %+v, %v; want none", got, err)
	}
	if err := s.DeleteUser(c, "p1"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if got, err := s.RSVPs(c, "g1", "2026-12-16"); err != nil || len(got) != 0 {
		t.Errorf("RSVPs after the member was erased = %+v, %v; want none", got, err)
	}
}
