package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// testNextStepWeeks: a group keeps when its trainer is prompted to
// suggest the next step, through creation and updates.
func testNextStepWeeks(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	mustCreateUser(t, s, user("trainer", store.RoleTrainer))
	g := store.Group{ID: "g1", Name: "Tirsdag", Kind: store.GroupTreatment, OwnerID: "trainer", CreatedAt: at(0), NextStepWeeks: 12}
	if err := s.CreateGroup(c, g); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GroupByID(c, "g1"); err != nil || got.NextStepWeeks != 12 {
		t.Fatalf("GroupByID after create = %+v, %v; want NextStepWeeks 12", got, err)
	}
	g.NextStepWeeks = 8
	if err := s.UpdateGroup(c, g); err != nil {
		t.Fatal(err)
	}
	g.ArchivedAt = at(time.Hour) // archiving keeps the setting
	if err := s.UpdateGroup(c, g); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GroupByID(c, "g1"); err != nil || got != g {
		t.Fatalf("GroupByID after update = %+v, %v; want %+v", got, err, g)
	}
	unset := store.Group{ID: "g2", Name: "Onsdag", Kind: store.GroupPeer, OwnerID: "trainer", CreatedAt: at(0)}
	if err := s.CreateGroup(c, unset); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GroupByID(c, "g2"); err != nil || got.NextStepWeeks != 0 {
		t.Fatalf("GroupByID(never set) = %+v, %v; want NextStepWeeks 0", got, err)
	}
}

// invitationWorld is a trainer's treatment group, two peer groups and
// two patients.
func invitationWorld(t *testing.T, s store.Store) {
	t.Helper()
	c := ctx(t)
	for _, u := range []store.User{user("trainer", store.RoleTrainer), user("leader", store.RolePeerLeader),
		user("p1", store.RolePatient), user("p2", store.RolePatient)} {
		mustCreateUser(t, s, u)
	}
	for _, g := range []store.Group{
		{ID: "clinic", Name: "Tirsdag", Kind: store.GroupTreatment, OwnerID: "trainer", CreatedAt: at(0)},
		{ID: "peer1", Name: "Parken", Kind: store.GroupPeer, OwnerID: "leader", CreatedAt: at(0)},
		{ID: "peer2", Name: "Stranda", Kind: store.GroupPeer, OwnerID: "leader", CreatedAt: at(0)},
	} {
		if err := s.CreateGroup(c, g); err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
	}
}

func invitation(id, userID, groupID, code string, created time.Duration) store.Invitation {
	return store.Invitation{ID: id, UserID: userID, GroupID: groupID, Code: code, FromGroupID: "clinic", InvitedBy: "trainer", CreatedAt: at(created)}
}

func mustSaveInvitation(t *testing.T, s store.Store, inv store.Invitation) {
	t.Helper()
	if err := s.SaveInvitation(ctx(t), inv); err != nil {
		t.Fatalf("SaveInvitation(%s): %v", inv.ID, err)
	}
}

func wantInvitations(t *testing.T, s store.Store, userID string, want ...store.Invitation) {
	t.Helper()
	got, err := s.InvitationsOf(ctx(t), userID)
	if err != nil {
		t.Fatalf("InvitationsOf(%s): %v", userID, err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("InvitationsOf(%s) = %+v\nwant %+v", userID, got, want)
	}
}

// testInvitations: one invitation per patient and peer group, newest
// first, replaced when handed again, removed one by one or with the group.
func testInvitations(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	invitationWorld(t, s)
	wantInvitations(t, s, "p1")

	first := invitation("i1", "p1", "peer1", "AAAABBBBCCCC", time.Minute)
	other := invitation("i2", "p1", "peer2", "DDDDEEEEFFFF", 2*time.Minute)
	p2 := invitation("i3", "p2", "peer1", "AAAABBBBCCCC", 3*time.Minute)
	for _, inv := range []store.Invitation{first, other, p2} {
		mustSaveInvitation(t, s, inv)
	}
	wantInvitations(t, s, "p1", other, first)
	wantInvitations(t, s, "p2", p2)

	// Handed again, with a fresh code: it replaces the first, id and all.
	again := invitation("i4", "p1", "peer1", "GGGGHHHHJJJJ", 4*time.Minute)
	mustSaveInvitation(t, s, again)
	wantInvitations(t, s, "p1", again, other)

	if err := s.DeleteInvitation(c, "p1", "i1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteInvitation(replaced id): err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteInvitation(c, "p2", "i4"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteInvitation(another user's): err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteInvitation(c, "p1", "i4"); err != nil {
		t.Fatalf("DeleteInvitation: %v", err)
	}
	wantInvitations(t, s, "p1", other)

	mustSaveInvitation(t, s, invitation("i5", "p1", "peer1", "GGGGHHHHJJJJ", 5*time.Minute))
	if err := s.DeleteGroupInvitations(c, "peer1"); err != nil {
		t.Fatalf("DeleteGroupInvitations: %v", err)
	}
	wantInvitations(t, s, "p1", other)
	wantInvitations(t, s, "p2")

	for name, inv := range map[string]store.Invitation{
		"no user":  invitation("i6", "nobody", "peer1", "AAAABBBBCCCC", 0),
		"no group": invitation("i7", "p1", "nogroup", "AAAABBBBCCCC", 0),
	} {
		if err := s.SaveInvitation(c, inv); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SaveInvitation(%s): err = %v, want ErrNotFound", name, err)
		}
	}
}

// testDeleteUserInvitations: erasing a patient erases their invitations,
// and only theirs.
func testDeleteUserInvitations(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	invitationWorld(t, s)
	mine := invitation("i1", "p1", "peer1", "AAAABBBBCCCC", time.Minute)
	theirs := invitation("i2", "p2", "peer1", "AAAABBBBCCCC", time.Minute)
	mustSaveInvitation(t, s, mine)
	mustSaveInvitation(t, s, theirs)
	if err := s.DeleteUser(c, "p1"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	wantInvitations(t, s, "p1")
	wantInvitations(t, s, "p2", theirs)
}
