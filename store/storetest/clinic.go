package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
)

func testShareHistory(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, u := range []store.User{user("trainer", store.RoleTrainer), user("p1", store.RolePatient), user("p2", store.RolePatient)} {
		mustCreateUser(t, s, u)
	}
	if err := s.CreateGroup(c, store.Group{ID: "g1", Name: "G", Kind: store.GroupTreatment, OwnerID: "trainer", CreatedAt: at(0)}); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	for _, m := range []store.Membership{
		{GroupID: "g1", UserID: "p1", JoinedAt: at(time.Minute), ShareHistory: true},
		{GroupID: "g1", UserID: "p2", JoinedAt: at(2 * time.Minute)},
	} {
		if err := s.AddMember(c, m); err != nil {
			t.Fatalf("AddMember(%s): %v", m.UserID, err)
		}
	}
	share := func() map[string]bool {
		t.Helper()
		ms, err := s.Members(c, "g1")
		if err != nil {
			t.Fatalf("Members: %v", err)
		}
		out := map[string]bool{}
		for _, m := range ms {
			out[m.UserID] = m.ShareHistory
		}
		return out
	}
	if got := share(); !got["p1"] || got["p2"] {
		t.Fatalf("ShareHistory as added = %v, want p1 only", got)
	}
	if err := s.SetShareHistory(c, "g1", "p1", false); err != nil {
		t.Fatalf("SetShareHistory(p1, false): %v", err)
	}
	if err := s.SetShareHistory(c, "g1", "p2", true); err != nil {
		t.Fatalf("SetShareHistory(p2, true): %v", err)
	}
	if got := share(); got["p1"] || !got["p2"] {
		t.Fatalf("ShareHistory after changes = %v, want p2 only", got)
	}
	if err := s.SetShareHistory(c, "g1", "trainer", true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetShareHistory(no member): err = %v, want ErrNotFound", err)
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
