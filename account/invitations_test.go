package account_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// handover is a clinic and a peer group: a trainer with patient p in a
// treatment group, and a peer leader's group with a weekly session.
type handover struct {
	*world
	clinic      *account.Clinic
	invitations *account.Invitations
	trainer     store.User
	other       store.User // a trainer of another group
	leader      store.User
	p           store.User
	clinicGroup store.Group
	peer        store.Group
	peerCode    string
}

func newHandover(t *testing.T) *handover {
	t.Helper()
	w := newWorld(t)
	ctx := t.Context()
	rnd := rand.NewChaCha8([32]byte{2})
	h := &handover{world: w,
		clinic:      account.NewClinic(w.store, sync.NewClock("server", w.clock.Now), w.clock.Now, rnd),
		invitations: account.NewInvitations(w.store, w.groups, w.clock.Now, rnd),
	}
	h.trainer = w.user(store.RoleTrainer, "t@example.org")
	h.other = w.user(store.RoleTrainer, "t2@example.org")
	h.leader = w.user(store.RolePeerLeader, "l@example.org")
	h.p = w.user(store.RolePatient, "p@example.org")
	var inv store.Invite
	var err error
	h.clinicGroup, inv, err = w.groups.Create(ctx, h.trainer, "Tirsdag", store.GroupTreatment)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.groups.Join(ctx, h.p, inv.Code, false); err != nil {
		t.Fatal(err)
	}
	h.peer, inv, err = w.groups.Create(ctx, h.leader, "Parkgjengen", store.GroupPeer)
	if err != nil {
		t.Fatal(err)
	}
	h.peerCode = inv.Code
	if _, err := w.groups.SetSchedule(ctx, h.leader, h.peer.ID, account.ScheduleInput{Weekday: 3, Time: "18:00", Place: "Parken"}); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestNextStepAfterWeeks(t *testing.T) {
	h := newHandover(t)
	ctx := t.Context()
	due := func() account.NextStep {
		t.Helper()
		p, err := h.clinic.Patient(ctx, h.trainer, h.clinicGroup.ID, h.p.ID, 12)
		if err != nil {
			t.Fatal(err)
		}
		gp, err := h.clinic.Progress(ctx, h.trainer, h.clinicGroup.ID, 12)
		if err != nil || len(gp.Members) != 1 {
			t.Fatalf("Progress = %+v, %v", gp, err)
		}
		if gp.Members[0].NextStepDue != p.NextStep.Due {
			t.Fatalf("group page says due %v, patient page %v", gp.Members[0].NextStepDue, p.NextStep.Due)
		}
		return p.NextStep
	}
	// The boundary: a second short of twelve weeks is eleven whole weeks.
	h.clock.Advance(12*7*24*time.Hour - time.Second)
	if got := due(); got != (account.NextStep{Weeks: 11, After: account.DefaultNextStepWeeks, Due: false}) {
		t.Fatalf("just before 12 weeks: %+v", got)
	}
	h.clock.Advance(time.Second)
	if got := due(); got != (account.NextStep{Weeks: 12, After: 12, Due: true}) {
		t.Fatalf("at 12 weeks: %+v", got)
	}

	// The group's own setting moves the prompt.
	n := 13
	g, err := h.groups.Update(ctx, h.trainer, h.clinicGroup.ID, account.GroupChange{NextStepWeeks: &n})
	if err != nil || account.NextStepWeeksOf(g) != 13 {
		t.Fatalf("Update(13) = %+v, %v", g, err)
	}
	if got := due(); got.Due || got.After != 13 {
		t.Fatalf("with 13 weeks set, at 12: %+v", got)
	}
	for _, bad := range []int{0, 53, -1} {
		_, err := h.groups.Update(ctx, h.trainer, h.clinicGroup.ID, account.GroupChange{NextStepWeeks: &bad})
		wantFields(t, err, "nextStepWeeks")
	}
	_, err = h.groups.Update(ctx, h.leader, h.peer.ID, account.GroupChange{NextStepWeeks: &n})
	wantFields(t, err, "nextStepWeeks")
	_, err = h.groups.Update(ctx, h.other, h.clinicGroup.ID, account.GroupChange{NextStepWeeks: &n})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another trainer's change: %v, want not found", err)
	}
}

func TestHandAndAcceptInvitation(t *testing.T) {
	h := newHandover(t)
	ctx := t.Context()

	pg, err := h.invitations.Preview(ctx, h.trainer, h.clinicGroup.ID, h.p.ID, h.peerCode)
	if err != nil || pg.Group.ID != h.peer.ID || pg.Schedule == nil || pg.Schedule.Place != "Parken" || pg.LeaderName != h.leader.Name {
		t.Fatalf("Preview = %+v, %v", pg, err)
	}
	if mine, err := h.invitations.Mine(ctx, h.p); err != nil || len(mine) != 0 {
		t.Fatalf("a preview invites nobody: %+v, %v", mine, err)
	}
	// Codes are pasted as they were read out: lower case, dashes.
	loose := h.peerCode[:4] + "-" + h.peerCode[4:8] + " " + h.peerCode[8:]
	if _, err := h.invitations.Hand(ctx, h.trainer, h.clinicGroup.ID, h.p.ID, loose); err != nil {
		t.Fatal(err)
	}
	mine, err := h.invitations.Mine(ctx, h.p)
	if err != nil || len(mine) != 1 {
		t.Fatalf("Mine = %+v, %v", mine, err)
	}
	inv := mine[0]
	if inv.PeerGroup.Group.Name != "Parkgjengen" || inv.InvitedBy != h.trainer.Name || inv.PeerGroup.Schedule.Time != "18:00" {
		t.Fatalf("invitation = %+v", inv)
	}
	// Nothing happens before the patient's tap.
	if ms, _ := h.store.Members(ctx, h.peer.ID); len(ms) != 0 {
		t.Fatalf("members before accepting: %+v", ms)
	}
	j, err := h.invitations.Accept(ctx, h.p, inv.ID)
	if err != nil || j.ID != h.peer.ID {
		t.Fatalf("Accept = %+v, %v", j, err)
	}
	ms, err := h.store.Members(ctx, h.peer.ID)
	if err != nil || len(ms) != 1 || ms[0].UserID != h.p.ID || ms[0].Sharing.History {
		t.Fatalf("members after accepting: %+v, %v (no history shared)", ms, err)
	}
	// Accepting twice: the invitation is used up.
	_, err = h.invitations.Accept(ctx, h.p, inv.ID)
	wantCode(t, err, account.NotFound)
	if mine, err := h.invitations.Mine(ctx, h.p); err != nil || len(mine) != 0 {
		t.Fatalf("after accepting: %+v, %v", mine, err)
	}

	// Handed again once the patient is in: the trainer gets the same
	// answer, and the patient sees no invitation to a group they are in.
	if _, err := h.invitations.Hand(ctx, h.trainer, h.clinicGroup.ID, h.p.ID, h.peerCode); err != nil {
		t.Fatalf("hand again: %v", err)
	}
	if mine, err := h.invitations.Mine(ctx, h.p); err != nil || len(mine) != 0 {
		t.Fatalf("invited to a group already joined: %+v, %v", mine, err)
	}
}

func TestDeclineInvitation(t *testing.T) {
	h := newHandover(t)
	ctx := t.Context()
	if _, err := h.invitations.Hand(ctx, h.trainer, h.clinicGroup.ID, h.p.ID, h.peerCode); err != nil {
		t.Fatal(err)
	}
	mine, _ := h.invitations.Mine(ctx, h.p)
	if len(mine) != 1 {
		t.Fatalf("Mine = %+v", mine)
	}
	stranger := h.user(store.RolePatient, "s@example.org")
	wantCode(t, h.invitations.Decline(ctx, stranger, mine[0].ID), account.NotFound)
	_, err := h.invitations.Accept(ctx, stranger, mine[0].ID)
	wantCode(t, err, account.NotFound)
	if err := h.invitations.Decline(ctx, h.p, mine[0].ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, h.invitations.Decline(ctx, h.p, mine[0].ID), account.NotFound)
	if ms, _ := h.store.Members(ctx, h.peer.ID); len(ms) != 0 {
		t.Fatalf("declining joined: %+v", ms)
	}
}

func TestHandRefusesWhatIsNotALivePeerGroupCode(t *testing.T) {
	h := newHandover(t)
	ctx := t.Context()
	treatmentInv, err := h.groups.Invite(ctx, h.trainer, h.clinicGroup.ID)
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := h.groups.Invite(ctx, h.leader, h.peer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.invites.Revoke(ctx, h.leader, revoked.Code); err != nil {
		t.Fatal(err)
	}
	for name, code := range map[string]string{
		"not a code":              "hello",
		"unknown":                 "ABCDEFGHJKMN",
		"a treatment group's":     treatmentInv.Code,
		"revoked":                 revoked.Code,
		"a role invite's (admin)": mustRoleInvite(t, h.world),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := h.invitations.Preview(ctx, h.trainer, h.clinicGroup.ID, h.p.ID, code)
			wantFields(t, err, "code")
			_, err = h.invitations.Hand(ctx, h.trainer, h.clinicGroup.ID, h.p.ID, code)
			wantFields(t, err, "code")
		})
	}
	if mine, _ := h.invitations.Mine(ctx, h.p); len(mine) != 0 {
		t.Fatalf("refused codes invited: %+v", mine)
	}
	// Only the patient's own trainer hands codes, and only to members.
	if _, err := h.invitations.Hand(ctx, h.other, h.clinicGroup.ID, h.p.ID, h.peerCode); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another trainer: %v, want not found", err)
	}
	if _, err := h.invitations.Hand(ctx, h.leader, h.peer.ID, h.p.ID, h.peerCode); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the peer leader: %v, want not found", err)
	}
	outsider := h.user(store.RolePatient, "o@example.org")
	if _, err := h.invitations.Hand(ctx, h.trainer, h.clinicGroup.ID, outsider.ID, h.peerCode); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a patient outside the group: %v, want not found", err)
	}
}

func mustRoleInvite(t *testing.T, w *world) string {
	t.Helper()
	admin := w.user(store.RoleAdmin, "root@example.org")
	inv, err := w.invites.CreateRole(t.Context(), admin, store.RoleTrainer)
	if err != nil {
		t.Fatal(err)
	}
	return inv.Code
}

// An invitation expires with its code, and goes when its group is
// archived.
func TestInvitationExpiresWithItsCode(t *testing.T) {
	t.Run("expired", func(t *testing.T) {
		h := newHandover(t)
		ctx := t.Context()
		if _, err := h.invitations.Hand(ctx, h.trainer, h.clinicGroup.ID, h.p.ID, h.peerCode); err != nil {
			t.Fatal(err)
		}
		mine, _ := h.invitations.Mine(ctx, h.p)
		if len(mine) != 1 || !mine[0].PeerGroup.ExpiresAt.Equal(t0.Add(account.GroupInviteTTL)) {
			t.Fatalf("Mine = %+v", mine)
		}
		h.clock.Advance(account.GroupInviteTTL)
		_, err := h.invitations.Accept(ctx, h.p, mine[0].ID)
		wantCode(t, err, account.NotFound)
		if ms, _ := h.store.Members(ctx, h.peer.ID); len(ms) != 0 {
			t.Fatalf("an expired invitation joined: %+v", ms)
		}
		if mine, err := h.invitations.Mine(ctx, h.p); err != nil || len(mine) != 0 {
			t.Fatalf("Mine after expiry = %+v, %v", mine, err)
		}
	})
	t.Run("the peer leader demoted", func(t *testing.T) {
		h := newHandover(t)
		ctx := t.Context()
		if _, err := h.invitations.Hand(ctx, h.trainer, h.clinicGroup.ID, h.p.ID, h.peerCode); err != nil {
			t.Fatal(err)
		}
		h.leader.Role = store.RolePatient
		if err := h.store.UpdateUser(ctx, h.leader); err != nil {
			t.Fatal(err)
		}
		if mine, err := h.invitations.Mine(ctx, h.p); err != nil || len(mine) != 0 {
			t.Fatalf("Mine after the leader's demotion = %+v, %v", mine, err)
		}
	})
	t.Run("archived", func(t *testing.T) {
		h := newHandover(t)
		ctx := t.Context()
		if _, err := h.invitations.Hand(ctx, h.trainer, h.clinicGroup.ID, h.p.ID, h.peerCode); err != nil {
			t.Fatal(err)
		}
		yes, no := true, false
		if _, err := h.groups.Update(ctx, h.leader, h.peer.ID, account.GroupChange{Archived: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.groups.Update(ctx, h.leader, h.peer.ID, account.GroupChange{Archived: &no}); err != nil {
			t.Fatal(err)
		}
		// Restored, its code works again, but the invitation is gone.
		if invs, err := h.store.InvitationsOf(ctx, h.p.ID); err != nil || len(invs) != 0 {
			t.Fatalf("stored invitations after archiving = %+v, %v", invs, err)
		}
	})
}
