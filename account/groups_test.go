package account_test

import (
	"errors"
	"testing"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
)

func TestCreateGroup(t *testing.T) {
	w := newWorld(t)
	users := map[store.Role]store.User{
		store.RoleAdmin:      w.user(store.RoleAdmin, "root@example.org"),
		store.RoleTrainer:    w.user(store.RoleTrainer, "trainer@example.org"),
		store.RolePeerLeader: w.user(store.RolePeerLeader, "peer@example.org"),
		store.RolePatient:    w.user(store.RolePatient, "pat@example.org"),
	}
	cases := []struct {
		role store.Role
		kind store.GroupKind
		want account.Code
	}{
		{store.RoleTrainer, store.GroupTreatment, ""},
		{store.RoleTrainer, store.GroupPeer, account.Forbidden},
		{store.RolePeerLeader, store.GroupPeer, ""},
		{store.RolePeerLeader, store.GroupTreatment, account.Forbidden},
		{store.RoleAdmin, store.GroupTreatment, ""},
		{store.RoleAdmin, store.GroupPeer, ""},
		{store.RolePatient, store.GroupPeer, account.Forbidden},
		{store.RoleTrainer, "club", account.Invalid},
	}
	for _, tc := range cases {
		t.Run(string(tc.role)+" "+string(tc.kind), func(t *testing.T) {
			by := users[tc.role]
			g, inv, err := w.groups.Create(t.Context(), by, " Tirsdag ", tc.kind)
			wantCode(t, err, tc.want)
			if tc.want != "" {
				return
			}
			if g.Name != "Tirsdag" || g.OwnerID != by.ID || g.Kind != tc.kind || inv.GroupID != g.ID ||
				inv.MaxUses != 0 || !inv.ExpiresAt.Equal(t0.Add(account.GroupInviteTTL)) {
				t.Fatalf("group %+v, invite %+v", g, inv)
			}
		})
	}
	_, _, err := w.groups.Create(t.Context(), users[store.RoleTrainer], "", "club")
	wantFields(t, err, "name", "kind")
}

func TestGroupVisibilityAndJoining(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	admin := w.user(store.RoleAdmin, "root@example.org")
	trainer := w.user(store.RoleTrainer, "trainer@example.org")
	member := w.user(store.RolePatient, "member@example.org")
	stranger := w.user(store.RolePatient, "stranger@example.org")
	g, inv, err := w.groups.Create(ctx, trainer, "Tirsdag", store.GroupTreatment)
	if err != nil {
		t.Fatal(err)
	}
	role, err := w.invites.CreateRole(ctx, admin, store.RoleTrainer)
	if err != nil {
		t.Fatal(err)
	}

	// Joining: only a usable group code, and a role invite is not spent.
	_, err = w.groups.Join(ctx, member, "bad", false)
	wantFields(t, err, "code")
	_, err = w.groups.Join(ctx, member, role.Code, false)
	wantFields(t, err, "code")
	if got, err := w.store.InviteByCode(ctx, role.Code); err != nil || got.Uses != 0 {
		t.Fatalf("the role invite after a join: %+v, %v", got, err)
	}
	joined, err := w.groups.Join(ctx, member, inv.Code, false)
	if err != nil || joined.ID != g.ID {
		t.Fatalf("join: %+v, %v", joined, err)
	}

	cases := []struct {
		name    string
		u       store.User
		members int // -1: not shown
		err     error
	}{
		{"leader", trainer, 1, nil},
		{"admin", admin, 1, nil},
		{"member", member, -1, nil},
		{"stranger", stranger, 0, store.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run("get as "+tc.name, func(t *testing.T) {
			v, err := w.groups.Get(ctx, tc.u, g.ID)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if v.ID != g.ID || (tc.members < 0) != (v.Members == nil) || (tc.members >= 0 && len(v.Members) != tc.members) {
				t.Fatalf("view %+v", v)
			}
			if tc.members > 0 && (v.Members[0].UserID != member.ID || v.Members[0].Name != member.Name) {
				t.Fatalf("members %+v", v.Members)
			}
		})
	}

	_, err = w.groups.Invite(ctx, member, g.ID)
	wantCode(t, err, account.Forbidden)
	if _, err := w.groups.Invite(ctx, stranger, g.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a stranger's invite: %v", err)
	}
	if next, err := w.groups.Invite(ctx, trainer, g.ID); err != nil || next.GroupID != g.ID || next.Code == inv.Code {
		t.Fatalf("the leader's invite: %+v, %v", next, err)
	}

	// A demoted trainer loses the group at once.
	trainer.Role = store.RolePatient
	if err := w.store.UpdateUser(ctx, trainer); err != nil {
		t.Fatal(err)
	}
	if _, err := w.groups.Get(ctx, trainer, g.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a demoted leader's view: %v", err)
	}
}
