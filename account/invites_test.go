package account_test

import (
	"testing"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
)

func TestCreateRoleInvite(t *testing.T) {
	w := newWorld(t)
	admin := w.user(store.RoleAdmin, "root@example.org")
	for _, tc := range []struct {
		role store.Role
		code account.Code
	}{
		{store.RoleTrainer, ""},
		{store.RolePeerLeader, ""},
		{store.RolePatient, account.Invalid},
		{store.RoleAdmin, account.Invalid},
		{"", account.Invalid},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			inv, err := w.invites.CreateRole(t.Context(), admin, tc.role)
			wantCode(t, err, tc.code)
			if tc.code == "" && (inv.Role != tc.role || inv.MaxUses != 1 || inv.CreatedBy != admin.ID ||
				!inv.ExpiresAt.Equal(t0.Add(account.RoleInviteTTL)) || !inv.Usable(t0)) {
				t.Fatalf("invite %+v", inv)
			}
		})
	}
}

func TestRevokeInvite(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	admin := w.user(store.RoleAdmin, "root@example.org")
	trainer := w.user(store.RoleTrainer, "trainer@example.org")
	other := w.user(store.RoleTrainer, "other@example.org")
	_, inv, err := w.groups.Create(ctx, trainer, "Tirsdag", store.GroupTreatment)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		by   store.User
		code string
		want account.Code
	}{
		{"malformed code", trainer, "nonsense", account.NotFound},
		{"another trainer's", other, inv.Code, account.NotFound},
		{"its creator, in another spelling", trainer, inv.Code[:4] + "-" + inv.Code[4:], ""},
		{"an admin, again", admin, inv.Code, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, w.invites.Revoke(ctx, tc.by, tc.code), tc.want)
		})
	}
	list, err := w.invites.List(ctx, trainer)
	if err != nil || len(list) != 1 || list[0].Code != inv.Code || list[0].Usable(t0) {
		t.Fatalf("the trainer's invites: %+v, %v", list, err)
	}
	if list, err := w.invites.List(ctx, other); err != nil || len(list) != 0 {
		t.Fatalf("another trainer's invites: %+v, %v", list, err)
	}
}
