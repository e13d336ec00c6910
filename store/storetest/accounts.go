package storetest

import (
	"errors"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync/synctest"
)

func user(id string, role store.Role) store.User {
	return store.User{
		ID: id, Email: id + "@example.org", PasswordHash: "$argon2id$" + id, Name: "Alias " + id,
		Role: role, TimeZone: "Europe/Oslo", Language: "nb", CreatedAt: at(0), UpdatedAt: at(0),
	}
}

func mustCreateUser(t *testing.T, s store.Store, u store.User) {
	t.Helper()
	if err := s.CreateUser(ctx(t), u); err != nil {
		t.Fatalf("CreateUser(%s): %v", u.ID, err)
	}
}

func equalUser(a, b store.User) bool {
	return a.ID == b.ID && a.Email == b.Email && a.PasswordHash == b.PasswordHash && a.Name == b.Name &&
		a.Role == b.Role && a.BirthYear == b.BirthYear && a.HRMax == b.HRMax && a.Sex == b.Sex && a.TimeZone == b.TimeZone &&
		a.Language == b.Language && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

func testUsers(t *testing.T, h harness) {
	s := h.fresh(t)
	u := user("u1", store.RolePatient)
	u.BirthYear, u.HRMax, u.Sex = 1984, 187, "female"
	mustCreateUser(t, s, u)

	for name, get := range map[string]func() (store.User, error){
		"UserByID":    func() (store.User, error) { return s.UserByID(ctx(t), "u1") },
		"UserByEmail": func() (store.User, error) { return s.UserByEmail(ctx(t), "u1@example.org") },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !equalUser(got, u) {
			t.Fatalf("%s = %+v, want %+v", name, got, u)
		}
	}

	upd := u
	upd.Email = "changed@example.org" // must be ignored
	upd.CreatedAt = at(time.Hour)     // must be ignored
	upd.PasswordHash, upd.Name, upd.Role = "$argon2id$new", "Ny", store.RoleTrainer
	upd.BirthYear, upd.HRMax, upd.Sex, upd.TimeZone, upd.Language = 1990, 0, "", "UTC", "en"
	upd.UpdatedAt = at(2 * time.Hour)
	if err := s.UpdateUser(ctx(t), upd); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	got, err := s.UserByID(ctx(t), "u1")
	if err != nil {
		t.Fatalf("UserByID after update: %v", err)
	}
	want := upd
	want.Email, want.CreatedAt = u.Email, u.CreatedAt
	if !equalUser(got, want) {
		t.Fatalf("after UpdateUser: %+v, want %+v", got, want)
	}
	if _, err := s.UserByEmail(ctx(t), "changed@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateUser changed the email: UserByEmail(new) err = %v", err)
	}
}

func testUserDuplicate(t *testing.T, h harness) {
	s := h.fresh(t)
	mustCreateUser(t, s, user("u1", store.RolePatient))
	sameEmail := user("u2", store.RolePatient)
	sameEmail.Email = "u1@example.org"
	sameID := user("u1", store.RolePatient)
	sameID.Email = "other@example.org"
	for name, u := range map[string]store.User{"email": sameEmail, "id": sameID} {
		if err := s.CreateUser(ctx(t), u); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("CreateUser with a taken %s: err = %v, want ErrDuplicate", name, err)
		}
	}
	if _, err := s.UserByID(ctx(t), "u2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the duplicate was stored: UserByID(u2) err = %v", err)
	}
}

func testUserNotFound(t *testing.T, h harness) {
	s := h.fresh(t)
	mustCreateUser(t, s, user("u1", store.RolePatient))
	calls := map[string]func() error{
		"UserByID":    func() error { _, err := s.UserByID(ctx(t), "nobody"); return err },
		"UserByEmail": func() error { _, err := s.UserByEmail(ctx(t), "nobody@example.org"); return err },
		"UpdateUser":  func() error { return s.UpdateUser(ctx(t), user("nobody", store.RolePatient)) },
		"DeleteUser":  func() error { return s.DeleteUser(ctx(t), "nobody") },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s(unknown): err = %v, want ErrNotFound", name, err)
		}
	}
}

func testDeleteUserCascades(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	trainer, patient, other := user("trainer", store.RoleTrainer), user("patient", store.RolePatient), user("other", store.RolePatient)
	for _, u := range []store.User{trainer, patient, other} {
		mustCreateUser(t, s, u)
	}
	led := store.Group{ID: "g-led", Name: "Led by the patient", Kind: store.GroupPeer, OwnerID: "patient", CreatedAt: at(0)}
	g := store.Group{ID: "g1", Name: "Tirsdag", Kind: store.GroupTreatment, OwnerID: "trainer", CreatedAt: at(0)}
	for _, gr := range []store.Group{led, g} {
		if err := s.CreateGroup(c, gr); err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
	}
	for _, uid := range []string{"patient", "other"} {
		if err := s.AddMember(c, store.Membership{GroupID: "g1", UserID: uid, JoinedAt: at(time.Minute)}); err != nil {
			t.Fatalf("AddMember: %v", err)
		}
	}
	for _, tok := range []store.RefreshToken{
		{Hash: "h-patient", UserID: "patient", Family: "f1", CreatedAt: at(0), ExpiresAt: at(24 * time.Hour)},
		{Hash: "h-other", UserID: "other", Family: "f2", CreatedAt: at(0), ExpiresAt: at(24 * time.Hour)},
	} {
		if err := s.CreateRefreshToken(c, tok); err != nil {
			t.Fatalf("CreateRefreshToken: %v", err)
		}
	}
	mustPush(t, s, "patient", "b1", synctest.Session(t, "s1", stamp(0, 0, "dev"), "protocol", "4x4"))
	mustPush(t, s, "other", "b1", synctest.Session(t, "s1", stamp(0, 0, "dev"), "protocol", "3x3"))

	if err := s.DeleteUser(c, "patient"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}

	if _, err := s.UserByID(c, "patient"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UserByID after delete: err = %v, want ErrNotFound", err)
	}
	if _, err := s.UserByEmail(c, patient.Email); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UserByEmail after delete: err = %v, want ErrNotFound", err)
	}
	members, err := s.Members(c, "g1")
	if err != nil {
		t.Fatalf("Members: %v", err)
	}
	if len(members) != 1 || members[0].UserID != "other" {
		t.Errorf("Members after delete = %+v, want only other", members)
	}
	if _, err := s.UseRefreshToken(c, "h-patient", at(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseRefreshToken of the deleted user: err = %v, want ErrNotFound", err)
	}
	if _, err := s.UseRefreshToken(c, "h-other", at(time.Hour)); err != nil {
		t.Errorf("UseRefreshToken of another user: %v", err)
	}
	if ds := mustDocs(t, s, "patient"); len(ds) != 0 {
		t.Errorf("Docs of the deleted scope = %s", showAll(ds))
	}
	p, err := pull(s, c, "patient", 0, 100)
	if err != nil || len(p.Docs) != 0 || p.More {
		t.Errorf("Pull of the deleted scope = %+v, %v; want an empty page", p, err)
	}
	if ds := mustDocs(t, s, "other"); len(ds) != 1 {
		t.Errorf("Docs of another scope = %s, want its one document", showAll(ds))
	}
	scopes, err := s.Scopes(c)
	if err != nil {
		t.Fatalf("Scopes: %v", err)
	}
	if fmt.Sprint(scopes) != "[other]" {
		t.Errorf("Scopes after delete = %v, want [other]", scopes)
	}
	if _, err := s.GroupByID(c, "g-led"); err != nil {
		t.Errorf("a group the deleted user led is gone: %v", err)
	}
	// The email is free again; a new account there starts empty.
	mustCreateUser(t, s, user("patient", store.RolePatient))
	if ds := mustDocs(t, s, "patient"); len(ds) != 0 {
		t.Errorf("a new account with the old id sees documents: %s", showAll(ds))
	}
}

func testGroups(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	g := store.Group{ID: "g1", Name: "Tirsdagsgruppa", Kind: store.GroupTreatment, OwnerID: "trainer", CreatedAt: at(time.Minute)}
	if err := s.CreateGroup(c, g); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	got, err := s.GroupByID(c, "g1")
	if err != nil {
		t.Fatalf("GroupByID: %v", err)
	}
	if got.ID != g.ID || got.Name != g.Name || got.Kind != g.Kind || got.OwnerID != g.OwnerID || !got.CreatedAt.Equal(g.CreatedAt) {
		t.Errorf("GroupByID = %+v, want %+v", got, g)
	}
	if err := s.CreateGroup(c, g); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("CreateGroup twice: err = %v, want ErrDuplicate", err)
	}
	if _, err := s.GroupByID(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GroupByID(unknown): err = %v, want ErrNotFound", err)
	}
}

func testMemberships(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, u := range []store.User{user("trainer", store.RoleTrainer), user("p1", store.RolePatient), user("p2", store.RolePatient)} {
		mustCreateUser(t, s, u)
	}
	if err := s.CreateGroup(c, store.Group{ID: "g1", Name: "G", Kind: store.GroupTreatment, OwnerID: "trainer", CreatedAt: at(0)}); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	add := func(uid string, joined time.Duration) {
		t.Helper()
		if err := s.AddMember(c, store.Membership{GroupID: "g1", UserID: uid, JoinedAt: at(joined)}); err != nil {
			t.Fatalf("AddMember(%s): %v", uid, err)
		}
	}
	add("p2", 2*time.Minute)
	add("p1", 3*time.Minute)
	add("p2", 9*time.Minute) // idempotent: keeps the first JoinedAt
	members, err := s.Members(c, "g1")
	if err != nil {
		t.Fatalf("Members: %v", err)
	}
	want := []store.Membership{{GroupID: "g1", UserID: "p2", JoinedAt: at(2 * time.Minute)}, {GroupID: "g1", UserID: "p1", JoinedAt: at(3 * time.Minute)}}
	if len(members) != len(want) {
		t.Fatalf("Members = %+v, want %+v", members, want)
	}
	for i := range want {
		if members[i].GroupID != want[i].GroupID || members[i].UserID != want[i].UserID || !members[i].JoinedAt.Equal(want[i].JoinedAt) {
			t.Fatalf("Members = %+v, want %+v (longest-standing first)", members, want)
		}
	}
	for name, m := range map[string]store.Membership{
		"unknown group": {GroupID: "nope", UserID: "p1", JoinedAt: at(0)},
		"unknown user":  {GroupID: "g1", UserID: "nobody", JoinedAt: at(0)},
	} {
		if err := s.AddMember(c, m); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("AddMember(%s): err = %v, want ErrNotFound", name, err)
		}
	}
	if err := s.RemoveMember(c, "g1", "p2"); err != nil {
		t.Fatalf("RemoveMember: %v", err)
	}
	if err := s.RemoveMember(c, "g1", "p2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RemoveMember twice: err = %v, want ErrNotFound", err)
	}
	members, err = s.Members(c, "g1")
	if err != nil {
		t.Fatalf("Members: %v", err)
	}
	if len(members) != 1 || members[0].UserID != "p1" {
		t.Errorf("Members after RemoveMember = %+v, want p1 only", members)
	}
	if members, err := s.Members(c, "empty"); err != nil || len(members) != 0 {
		t.Errorf("Members(unknown group) = %+v, %v; want none", members, err)
	}
}

func testUserGroups(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, u := range []store.User{user("leader", store.RolePeerLeader), user("trainer", store.RoleTrainer), user("p", store.RolePatient)} {
		mustCreateUser(t, s, u)
	}
	groups := []store.Group{
		{ID: "treat", Name: "Behandling", Kind: store.GroupTreatment, OwnerID: "trainer", CreatedAt: at(0)},
		{ID: "peer", Name: "Likepersoner", Kind: store.GroupPeer, OwnerID: "leader", CreatedAt: at(5 * time.Minute)},
		{ID: "peer2", Name: "Likepersoner 2", Kind: store.GroupPeer, OwnerID: "leader", CreatedAt: at(time.Minute)},
	}
	for _, g := range groups {
		if err := s.CreateGroup(c, g); err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
	}
	for _, m := range []store.Membership{
		{GroupID: "peer", UserID: "p", JoinedAt: at(10 * time.Minute)},
		{GroupID: "treat", UserID: "p", JoinedAt: at(3 * time.Minute)},
		{GroupID: "treat", UserID: "leader", JoinedAt: at(4 * time.Minute)},
	} {
		if err := s.AddMember(c, m); err != nil {
			t.Fatalf("AddMember: %v", err)
		}
	}
	type row struct {
		id     string
		owner  bool
		joined time.Time
	}
	tests := []struct {
		user string
		want []row
	}{
		{"p", []row{{"treat", false, at(3 * time.Minute)}, {"peer", false, at(10 * time.Minute)}}},
		{"leader", []row{{"peer2", true, at(time.Minute)}, {"treat", false, at(4 * time.Minute)}, {"peer", true, at(5 * time.Minute)}}},
		{"trainer", []row{{"treat", true, at(0)}}},
		{"nobody", nil},
	}
	for _, tc := range tests {
		got, err := s.UserGroups(c, tc.user)
		if err != nil {
			t.Fatalf("UserGroups(%s): %v", tc.user, err)
		}
		var rows []row
		for _, ug := range got {
			rows = append(rows, row{ug.ID, ug.Owner, ug.JoinedAt})
			if ug.Name == "" || ug.Kind == "" || ug.OwnerID == "" || ug.CreatedAt.IsZero() {
				t.Errorf("UserGroups(%s): group fields missing in %+v", tc.user, ug)
			}
		}
		if fmt.Sprint(rows) != fmt.Sprint(tc.want) {
			t.Errorf("UserGroups(%s) = %v, want %v", tc.user, rows, tc.want)
		}
	}
}

func invite(code string, maxUses int) store.Invite {
	return store.Invite{Code: code, Role: store.RolePatient, GroupID: "g1", CreatedBy: "trainer",
		CreatedAt: at(0), ExpiresAt: at(7 * 24 * time.Hour), MaxUses: maxUses}
}

func testInvites(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	roleInvite := store.Invite{Code: "TRN4X4", Role: store.RoleTrainer, CreatedBy: "admin",
		CreatedAt: at(time.Minute), ExpiresAt: at(time.Hour), MaxUses: 1}
	for _, inv := range []store.Invite{invite("ABC234", 0), invite("XYZ789", 2), roleInvite} {
		if err := s.CreateInvite(c, inv); err != nil {
			t.Fatalf("CreateInvite(%s): %v", inv.Code, err)
		}
	}
	if err := s.CreateInvite(c, invite("ABC234", 1)); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("CreateInvite with a taken code: err = %v, want ErrDuplicate", err)
	}
	got, err := s.InviteByCode(c, "TRN4X4")
	if err != nil {
		t.Fatalf("InviteByCode: %v", err)
	}
	if got.Code != roleInvite.Code || got.Role != store.RoleTrainer || got.GroupID != "" || got.CreatedBy != "admin" ||
		!got.CreatedAt.Equal(roleInvite.CreatedAt) || !got.ExpiresAt.Equal(roleInvite.ExpiresAt) ||
		got.MaxUses != 1 || got.Uses != 0 || !got.RevokedAt.IsZero() {
		t.Errorf("InviteByCode = %+v, want %+v", got, roleInvite)
	}
	if _, err := s.InviteByCode(c, "NOPE"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("InviteByCode(unknown): err = %v, want ErrNotFound", err)
	}

	// Unlimited invites count uses until they expire.
	for i := 1; i <= 3; i++ {
		used, err := s.UseInvite(c, "ABC234", at(time.Hour))
		if err != nil {
			t.Fatalf("UseInvite #%d: %v", i, err)
		}
		if used.Uses != i || used.GroupID != "g1" {
			t.Fatalf("UseInvite #%d = %+v, want Uses %d", i, used, i)
		}
	}
	got, _ = s.InviteByCode(c, "ABC234")
	if got.Uses != 3 {
		t.Errorf("Uses after 3 uses = %d", got.Uses)
	}

	if err := s.CreateInvite(c, store.Invite{Code: "OLD222", Role: store.RoleTrainer, CreatedBy: "admin",
		CreatedAt: at(-time.Hour), ExpiresAt: at(time.Hour)}); err != nil {
		t.Fatalf("CreateInvite: %v", err)
	}
	list, err := s.InvitesBy(c, "admin")
	if err != nil {
		t.Fatalf("InvitesBy: %v", err)
	}
	var codes []string
	for _, inv := range list {
		codes = append(codes, inv.Code)
	}
	if fmt.Sprint(codes) != "[TRN4X4 OLD222]" {
		t.Errorf("InvitesBy(admin) = %v, want newest first [TRN4X4 OLD222]", codes)
	}
	if list, err := s.InvitesBy(c, "nobody"); err != nil || len(list) != 0 {
		t.Errorf("InvitesBy(nobody) = %v, %v", list, err)
	}
}

func testInviteUnusable(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, inv := range []store.Invite{invite("EXPIRE", 0), invite("REVOKE", 0), invite("ONCE22", 1)} {
		if err := s.CreateInvite(c, inv); err != nil {
			t.Fatalf("CreateInvite: %v", err)
		}
	}
	if err := s.RevokeInvite(c, "REVOKE", at(time.Minute)); err != nil {
		t.Fatalf("RevokeInvite: %v", err)
	}
	if err := s.RevokeInvite(c, "NOPE", at(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeInvite(unknown): err = %v, want ErrNotFound", err)
	}
	got, err := s.InviteByCode(c, "REVOKE")
	if err != nil || !got.RevokedAt.Equal(at(time.Minute)) {
		t.Errorf("InviteByCode(revoked) = %+v, %v; want RevokedAt set", got, err)
	}
	if _, err := s.UseInvite(c, "ONCE22", at(time.Hour)); err != nil {
		t.Fatalf("UseInvite(single use): %v", err)
	}
	tests := []struct {
		name, code string
		now        time.Time
	}{
		{"unknown", "NOPE", at(time.Hour)},
		{"expired", "EXPIRE", at(7 * 24 * time.Hour)},
		{"revoked", "REVOKE", at(time.Hour)},
		{"used up", "ONCE22", at(time.Hour)},
	}
	for _, tc := range tests {
		if _, err := s.UseInvite(c, tc.code, tc.now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UseInvite(%s): err = %v, want ErrNotFound", tc.name, err)
		}
	}
	for code, uses := range map[string]int{"EXPIRE": 0, "REVOKE": 0, "ONCE22": 1} {
		if got, err := s.InviteByCode(c, code); err != nil || got.Uses != uses {
			t.Errorf("InviteByCode(%s).Uses = %d (%v), want %d: a refused use was counted", code, got.Uses, err, uses)
		}
	}
}

func testInviteConcurrentUse(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, inv := range []store.Invite{invite("SINGLE", 1), invite("THREE3", 3)} {
		if err := s.CreateInvite(c, inv); err != nil {
			t.Fatalf("CreateInvite: %v", err)
		}
	}
	for code, max := range map[string]int{"SINGLE": 1, "THREE3": 3} {
		const tries = 10
		ok := concurrently(t, tries, store.ErrNotFound, func() error {
			_, err := s.UseInvite(c, code, at(time.Hour))
			return err
		})
		if ok != max {
			t.Errorf("%d concurrent uses of %s (max %d) succeeded %d times", tries, code, max, ok)
		}
		if got, err := s.InviteByCode(c, code); err != nil || got.Uses != max {
			t.Errorf("InviteByCode(%s).Uses = %d (%v), want %d", code, got.Uses, err, max)
		}
	}
}

func token(hash, userID, family string) store.RefreshToken {
	return store.RefreshToken{Hash: hash, UserID: userID, Family: family, CreatedAt: at(0), ExpiresAt: at(30 * 24 * time.Hour)}
}

func tokenSetup(t *testing.T, h harness, toks ...store.RefreshToken) store.Store {
	t.Helper()
	s := h.fresh(t)
	mustCreateUser(t, s, user("u1", store.RolePatient))
	mustCreateUser(t, s, user("u2", store.RolePatient))
	for _, tok := range toks {
		if err := s.CreateRefreshToken(ctx(t), tok); err != nil {
			t.Fatalf("CreateRefreshToken(%s): %v", tok.Hash, err)
		}
	}
	return s
}

func testRefreshTokens(t *testing.T, h harness) {
	short := token("short", "u1", "f2")
	short.ExpiresAt = at(time.Hour)
	s := tokenSetup(t, h, token("t1", "u1", "f1"), short)
	c := ctx(t)
	if err := s.CreateRefreshToken(c, token("t1", "u1", "f9")); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("CreateRefreshToken with a taken hash: err = %v, want ErrDuplicate", err)
	}
	got, err := s.UseRefreshToken(c, "t1", at(time.Minute))
	if err != nil {
		t.Fatalf("UseRefreshToken: %v", err)
	}
	if got.Hash != "t1" || got.UserID != "u1" || got.Family != "f1" || !got.CreatedAt.Equal(at(0)) ||
		!got.ExpiresAt.Equal(at(30*24*time.Hour)) || !got.UsedAt.Equal(at(time.Minute)) || !got.RevokedAt.IsZero() {
		t.Errorf("UseRefreshToken = %+v, want t1 of u1/f1 used at %v", got, at(time.Minute))
	}
	if _, err := s.UseRefreshToken(c, "nope", at(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseRefreshToken(unknown): err = %v, want ErrNotFound", err)
	}
	if _, err := s.UseRefreshToken(c, "short", at(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseRefreshToken(expired): err = %v, want ErrNotFound", err)
	}
	// An expired token that was refused is not marked used: still ErrNotFound.
	if _, err := s.UseRefreshToken(c, "short", at(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseRefreshToken(expired, again): err = %v, want ErrNotFound", err)
	}
}

func testRefreshTokenReuse(t *testing.T, h harness) {
	s := tokenSetup(t, h, token("t1", "u1", "f1"), token("t2", "u1", "f1"), token("o1", "u1", "other"))
	c := ctx(t)
	if _, err := s.UseRefreshToken(c, "t1", at(time.Minute)); err != nil {
		t.Fatalf("UseRefreshToken: %v", err)
	}
	got, err := s.UseRefreshToken(c, "t1", at(2*time.Minute))
	if !errors.Is(err, store.ErrTokenReused) {
		t.Fatalf("second UseRefreshToken: err = %v, want ErrTokenReused", err)
	}
	if got.Hash != "t1" || got.Family != "f1" || got.UserID != "u1" || !got.UsedAt.Equal(at(time.Minute)) {
		t.Errorf("reused token returned as %+v, want t1 of family f1 first used at %v", got, at(time.Minute))
	}
	// What the caller does next: revoke the family.
	if err := s.RevokeRefreshFamily(c, "f1", at(2*time.Minute)); err != nil {
		t.Fatalf("RevokeRefreshFamily: %v", err)
	}
	if _, err := s.UseRefreshToken(c, "t2", at(3*time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseRefreshToken of a revoked family: err = %v, want ErrNotFound", err)
	}
	// A used token stays recognisable as reused after its family is revoked.
	if _, err := s.UseRefreshToken(c, "t1", at(3*time.Minute)); !errors.Is(err, store.ErrTokenReused) {
		t.Errorf("UseRefreshToken(used, then revoked): err = %v, want ErrTokenReused", err)
	}
	if _, err := s.UseRefreshToken(c, "o1", at(3*time.Minute)); err != nil {
		t.Errorf("UseRefreshToken of another family: %v", err)
	}
}

func testRefreshTokenConcurrentUse(t *testing.T, h harness) {
	s := tokenSetup(t, h, token("t1", "u1", "f1"))
	c := ctx(t)
	const tries = 8
	ok := concurrently(t, tries, store.ErrTokenReused, func() error {
		_, err := s.UseRefreshToken(c, "t1", at(time.Minute))
		return err
	})
	if ok != 1 {
		t.Errorf("%d concurrent uses of one refresh token succeeded %d times, want once", tries, ok)
	}
}

func testRefreshTokenRevoke(t *testing.T, h harness) {
	s := tokenSetup(t, h, token("a1", "u1", "fa"), token("a2", "u1", "fa"), token("b1", "u1", "fb"),
		token("c1", "u2", "fc"), token("one", "u2", "fd"))
	c := ctx(t)
	if err := s.RevokeRefreshToken(c, "one", at(time.Minute)); err != nil {
		t.Fatalf("RevokeRefreshToken: %v", err)
	}
	if err := s.RevokeRefreshToken(c, "nope", at(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeRefreshToken(unknown): err = %v, want ErrNotFound", err)
	}
	if _, err := s.UseRefreshToken(c, "one", at(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseRefreshToken(revoked): err = %v, want ErrNotFound", err)
	}
	if err := s.RevokeUserRefreshTokens(c, "u1", at(time.Minute)); err != nil {
		t.Fatalf("RevokeUserRefreshTokens: %v", err)
	}
	for _, hash := range []string{"a1", "a2", "b1"} {
		if _, err := s.UseRefreshToken(c, hash, at(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UseRefreshToken(%s) after RevokeUserRefreshTokens: err = %v, want ErrNotFound", hash, err)
		}
	}
	if _, err := s.UseRefreshToken(c, "c1", at(2*time.Minute)); err != nil {
		t.Errorf("another user's token was revoked: %v", err)
	}
	for _, call := range []func() error{
		func() error { return s.RevokeRefreshFamily(c, "no-such-family", at(0)) },
		func() error { return s.RevokeUserRefreshTokens(c, "nobody", at(0)) },
	} {
		if err := call(); err != nil {
			t.Errorf("revoking nothing: %v", err)
		}
	}
}

// concurrently runs f from n goroutines at once and returns how many calls
// succeeded; every failure must be refused.
func concurrently(t *testing.T, n int, refused error, f func() error) int {
	t.Helper()
	var wg gosync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() { errs <- f() })
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, refused):
			t.Errorf("concurrent call: %v, want success or %v", err, refused)
		}
	}
	return ok
}
