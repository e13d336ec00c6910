package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// testSessionChanges: one change per group and regular date, replaced by
// a newer one, listed by date within a range, removed, and kept when the
// leader who made it is erased.
func testSessionChanges(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	mustCreateUser(t, s, user("leader", store.RolePeerLeader))
	for _, id := range []string{"g1", "g10"} {
		if err := s.CreateGroup(c, store.Group{ID: id, Name: "G", Kind: store.GroupPeer, OwnerID: "leader", CreatedAt: at(0)}); err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
	}
	if got, err := s.SessionChanges(c, "g1", "2026-01-01", "2026-12-31"); err != nil || len(got) != 0 {
		t.Fatalf("SessionChanges before any = %+v, %v; want none", got, err)
	}
	changes := []store.SessionChange{
		{GroupID: "g1", Date: "2026-03-11", Cancelled: true, Reason: "Vinterferie", UpdatedAt: at(time.Minute)},
		{GroupID: "g1", Date: "2026-03-04", Time: "19:00", Place: "Hallen", MovedTo: "2026-03-05", UpdatedAt: at(2 * time.Minute)},
		{GroupID: "g1", Date: "2026-03-18", Cancelled: true, UpdatedAt: at(3 * time.Minute)},
		{GroupID: "g10", Date: "2026-03-11", Cancelled: true, Reason: "Other group", UpdatedAt: at(4 * time.Minute)},
		// The leader changed their mind: the 11th is moved, not cancelled.
		{GroupID: "g1", Date: "2026-03-11", Time: "17:00", UpdatedAt: at(5 * time.Minute)},
	}
	for _, ch := range changes {
		if err := s.SetSessionChange(c, ch); err != nil {
			t.Fatalf("SetSessionChange(%+v): %v", ch, err)
		}
	}
	got, err := s.SessionChanges(c, "g1", "2026-03-04", "2026-03-11")
	if want := []store.SessionChange{changes[1], changes[4]}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("SessionChanges(g1, 03-04…03-11) = %+v, %v; want %+v", got, err, want)
	}
	if got, err := s.SessionChanges(c, "g10", "2026-01-01", "2026-12-31"); err != nil || !slices.Equal(got, []store.SessionChange{changes[3]}) {
		t.Errorf("SessionChanges(g10) = %+v, %v; want only its own", got, err)
	}
	if err := s.DeleteSessionChange(c, "g1", "2026-03-11"); err != nil {
		t.Fatalf("DeleteSessionChange: %v", err)
	}
	if err := s.DeleteSessionChange(c, "g1", "2026-03-11"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteSessionChange again: err = %v, want ErrNotFound", err)
	}
	if err := s.SetSessionChange(c, store.SessionChange{GroupID: "nope", Date: "2026-03-11", Cancelled: true, UpdatedAt: at(0)}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetSessionChange(no group): err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteUser(c, "leader"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	got, err = s.SessionChanges(c, "g1", "2026-01-01", "2026-12-31")
	if want := []store.SessionChange{changes[1], changes[2]}; err != nil || !slices.Equal(got, want) {
		t.Errorf("after the leader was erased: %+v, %v; want the group's changes kept %+v", got, err, want)
	}
}
