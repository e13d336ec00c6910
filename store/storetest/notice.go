package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// testNotices: a group has at most one notice, a new one replaces it, it
// can be removed (twice is no error), it needs a group and a poster, and
// it goes with the group's other data only for its own group.
func testNotices(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	mustCreateUser(t, s, user("leader", store.RolePeerLeader))
	for _, id := range []string{"g1", "g2"} {
		if err := s.CreateGroup(c, store.Group{ID: id, Name: "G " + id, Kind: store.GroupPeer, OwnerID: "leader", CreatedAt: at(0)}); err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
	}
	if _, err := s.NoticeOf(c, "g1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("NoticeOf before any: err = %v, want ErrNotFound", err)
	}
	first := store.GroupNotice{GroupID: "g1", Text: "Vi trener inne i dag pga. regn", PostedAt: at(time.Minute), By: "leader"}
	other := store.GroupNotice{GroupID: "g2", Text: "Ta med vann", PostedAt: at(time.Minute), By: "leader"}
	for _, n := range []store.GroupNotice{first, other} {
		if err := s.SetNotice(c, n); err != nil {
			t.Fatalf("SetNotice(%s): %v", n.GroupID, err)
		}
	}
	next := store.GroupNotice{GroupID: "g1", Text: "Vi møtes ute likevel", PostedAt: at(2 * time.Minute), By: "leader"}
	if err := s.SetNotice(c, next); err != nil {
		t.Fatalf("SetNotice (replace): %v", err)
	}
	if got, err := s.NoticeOf(c, "g1"); err != nil || got != next {
		t.Fatalf("NoticeOf = %+v, %v; want %+v", got, err, next)
	}
	if err := s.DeleteNotice(c, "g1"); err != nil {
		t.Fatalf("DeleteNotice: %v", err)
	}
	if _, err := s.NoticeOf(c, "g1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("NoticeOf after delete: err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteNotice(c, "g1"); err != nil {
		t.Errorf("DeleteNotice with none: %v, want no error", err)
	}
	if got, err := s.NoticeOf(c, "g2"); err != nil || got != other {
		t.Errorf("the other group's notice = %+v, %v; want %+v", got, err, other)
	}
	if err := s.SetNotice(c, store.GroupNotice{GroupID: "nope", Text: "x", PostedAt: at(0), By: "leader"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetNotice(no group): err = %v, want ErrNotFound", err)
	}
	if err := s.SetNotice(c, store.GroupNotice{GroupID: "g1", Text: "x", PostedAt: at(0), By: "nobody"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetNotice(no poster): err = %v, want ErrNotFound", err)
	}
}

// testDeleteUserNotices: erasing the leader removes the notices they
// posted; the group stays.
func testDeleteUserNotices(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	mustCreateUser(t, s, user("leader", store.RolePeerLeader))
	mustCreateUser(t, s, user("admin", store.RoleAdmin))
	for _, id := range []string{"g1", "g2"} {
		if err := s.CreateGroup(c, store.Group{ID: id, Name: "G " + id, Kind: store.GroupPeer, OwnerID: "leader", CreatedAt: at(0)}); err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
	}
	kept := store.GroupNotice{GroupID: "g2", Text: "Fra admin", PostedAt: at(time.Minute), By: "admin"}
	for _, n := range []store.GroupNotice{{GroupID: "g1", Text: "Fra lederen", PostedAt: at(time.Minute), By: "leader"}, kept} {
		if err := s.SetNotice(c, n); err != nil {
			t.Fatalf("SetNotice: %v", err)
		}
	}
	if err := s.DeleteUser(c, "leader"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := s.NoticeOf(c, "g1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the erased leader's notice: err = %v, want ErrNotFound", err)
	}
	if got, err := s.NoticeOf(c, "g2"); err != nil || got != kept {
		t.Errorf("another's notice = %+v, %v; want %+v kept", got, err, kept)
	}
	if _, err := s.GroupByID(c, "g1"); err != nil {
		t.Errorf("the group after its leader's erasure: %v, want kept", err)
	}
}
