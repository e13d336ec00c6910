package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
)

func testSharing(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, u := range []store.User{user("trainer", store.RoleTrainer), user("p1", store.RolePatient), user("p2", store.RolePatient)} {
		mustCreateUser(t, s, u)
	}
	if err := s.CreateGroup(c, store.Group{ID: "g1", Name: "G", Kind: store.GroupTreatment, OwnerID: "trainer", CreatedAt: at(0)}); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	for _, m := range []store.Membership{
		{GroupID: "g1", UserID: "p1", JoinedAt: at(time.Minute), Sharing: store.Sharing{History: true}},
		{GroupID: "g1", UserID: "p2", JoinedAt: at(2 * time.Minute)},
	} {
		if err := s.AddMember(c, m); err != nil {
			t.Fatalf("AddMember(%s): %v", m.UserID, err)
		}
	}
	sharing := func() map[string]store.Sharing {
		t.Helper()
		ms, err := s.Members(c, "g1")
		if err != nil {
			t.Fatalf("Members: %v", err)
		}
		out := map[string]store.Sharing{}
		for _, m := range ms {
			out[m.UserID] = m.Sharing
		}
		return out
	}
	if got := sharing(); got["p1"] != (store.Sharing{History: true}) || got["p2"] != (store.Sharing{}) {
		t.Fatalf("Sharing as added = %+v, want p1's history only", got)
	}
	if err := s.SetSharing(c, "g1", "p1", store.Sharing{}); err != nil {
		t.Fatalf("SetSharing(p1): %v", err)
	}
	if err := s.SetSharing(c, "g1", "p2", store.Sharing{History: true, Notes: true}); err != nil {
		t.Fatalf("SetSharing(p2): %v", err)
	}
	if got := sharing(); got["p1"] != (store.Sharing{}) || got["p2"] != (store.Sharing{History: true, Notes: true}) {
		t.Fatalf("Sharing after changes = %+v, want p2 sharing both", got)
	}
	if gs, err := s.UserGroups(c, "p2"); err != nil || len(gs) != 1 || gs[0].Sharing != (store.Sharing{History: true, Notes: true}) {
		t.Fatalf("UserGroups(p2) = %+v, %v; want the group, shared", gs, err)
	}
	if err := s.SetSharing(c, "g1", "trainer", store.Sharing{History: true}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetSharing(no member): err = %v, want ErrNotFound", err)
	}
}

func testAudit(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, u := range []store.User{user("trainer", store.RoleTrainer), user("p1", store.RolePatient), user("p2", store.RolePatient)} {
		mustCreateUser(t, s, u)
	}
	if got, err := s.AuditOf(c, "p1"); err != nil || len(got) != 0 {
		t.Fatalf("AuditOf before any read = %+v, %v; want none", got, err)
	}
	entries := []store.AuditEntry{
		{UserID: "p1", ActorID: "trainer", ActorName: "Trener", What: "group_progress:g1", At: at(time.Minute)},
		{UserID: "p2", ActorID: "trainer", ActorName: "Trener", What: "group_progress:g1", At: at(time.Minute)},
	}
	if err := s.AppendAudit(c, entries); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	if err := s.AppendAudit(c, []store.AuditEntry{{UserID: "p1", ActorID: "trainer", ActorName: "Trener", What: "patient:p1", At: at(2 * time.Minute)}}); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	if err := s.AppendAudit(c, nil); err != nil {
		t.Fatalf("AppendAudit(nothing): %v", err)
	}
	got, err := s.AuditOf(c, "p1")
	if err != nil {
		t.Fatalf("AuditOf: %v", err)
	}
	if len(got) != 2 || got[0].What != "patient:p1" || !got[0].At.Equal(at(2*time.Minute)) ||
		got[1] != (store.AuditEntry{UserID: "p1", ActorID: "trainer", ActorName: "Trener", What: "group_progress:g1", At: got[1].At}) || !got[1].At.Equal(at(time.Minute)) {
		t.Fatalf("AuditOf(p1) = %+v, want the two reads of p1, newest first", got)
	}
	if err := s.DeleteUser(c, "p1"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if got, err := s.AuditOf(c, "p1"); err != nil || len(got) != 0 {
		t.Errorf("AuditOf an erased user = %+v, %v; want none", got, err)
	}
	if got, err := s.AuditOf(c, "p2"); err != nil || len(got) != 1 {
		t.Errorf("AuditOf(p2) after erasing p1 = %+v, %v; want its one entry", got, err)
	}
}

func testStaff(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for i, u := range []store.User{user("p1", store.RolePatient), user("t1", store.RoleTrainer), user("a1", store.RoleAdmin), user("l1", store.RolePeerLeader)} {
		u.CreatedAt = at(time.Duration(i) * time.Minute)
		mustCreateUser(t, s, u)
	}
	got, err := s.Staff(c)
	if err != nil {
		t.Fatalf("Staff: %v", err)
	}
	var ids []string
	for _, u := range got {
		ids = append(ids, u.ID)
	}
	if len(ids) != 3 || ids[0] != "t1" || ids[1] != "a1" || ids[2] != "l1" {
		t.Errorf("Staff = %v, want t1, a1, l1 (no patients, oldest first)", ids)
	}
}

func testResetCodes(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	mustCreateUser(t, s, user("p1", store.RolePatient))
	code := func(hash string) store.ResetCode {
		return store.ResetCode{Hash: hash, UserID: "p1", CreatedBy: "t1", CreatedAt: at(0), ExpiresAt: at(24 * time.Hour)}
	}
	for _, hash := range []string{"h1", "h2"} {
		if err := s.CreateResetCode(c, code(hash)); err != nil {
			t.Fatalf("CreateResetCode(%s): %v", hash, err)
		}
	}
	if _, err := s.UseResetCode(c, "h1", at(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseResetCode(replaced code): err = %v, want ErrNotFound", err)
	}
	if _, err := s.UseResetCode(c, "h2", at(24*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseResetCode(expired): err = %v, want ErrNotFound", err)
	}
	got, err := s.UseResetCode(c, "h2", at(time.Hour))
	if err != nil || got.UserID != "p1" || got.CreatedBy != "t1" || !got.ExpiresAt.Equal(at(24*time.Hour)) {
		t.Fatalf("UseResetCode = %+v, %v; want p1's code", got, err)
	}
	if _, err := s.UseResetCode(c, "h2", at(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseResetCode twice: err = %v, want ErrNotFound", err)
	}
	if err := s.CreateResetCode(c, code("h3")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(c, "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseResetCode(c, "h3", at(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseResetCode after erasure: err = %v, want ErrNotFound", err)
	}
}

func testUpdateGroup(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	mustCreateUser(t, s, user("trainer", store.RoleTrainer))
	g := store.Group{ID: "g1", Name: "Tirsdag", Kind: store.GroupTreatment, OwnerID: "trainer", CreatedAt: at(0)}
	if err := s.CreateGroup(c, g); err != nil {
		t.Fatal(err)
	}
	g.Name, g.ArchivedAt = "Onsdag", at(time.Hour)
	if err := s.UpdateGroup(c, g); err != nil {
		t.Fatalf("UpdateGroup: %v", err)
	}
	got, err := s.GroupByID(c, "g1")
	if err != nil || got.Name != "Onsdag" || !got.ArchivedAt.Equal(at(time.Hour)) {
		t.Fatalf("after archiving: %+v, %v", got, err)
	}
	if gs, err := s.UserGroups(c, "trainer"); err != nil || len(gs) != 1 || !gs[0].ArchivedAt.Equal(at(time.Hour)) {
		t.Fatalf("UserGroups = %+v, %v; want the archived group", gs, err)
	}
	g.ArchivedAt = time.Time{}
	if err := s.UpdateGroup(c, g); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GroupByID(c, "g1"); err != nil || !got.ArchivedAt.IsZero() {
		t.Fatalf("after restoring: %+v, %v", got, err)
	}
	if err := s.UpdateGroup(c, store.Group{ID: "nope", Name: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateGroup(unknown): err = %v, want ErrNotFound", err)
	}
}
