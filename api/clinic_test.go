package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// clinic is a small clinic: a trainer with patient A in a treatment
// group, another trainer with patient B in theirs, a peer leader with a
// peer-group member (and one who joined and left), another peer leader
// with a peer group of their own, and an admin.
type clinic struct {
	e                                  *env
	admin, trainerA, trainerB          session
	patientA, patientB                 session
	peerLeader, peerMember             session
	peerLeaderB, peerLeft              session
	groupA, groupB, peerGroup          string
	peerGroupB                         string
	inviteA                            string
	peerCode, invitationA              string // the peer group's code, handed to A as an invitation
	joinedA                            time.Time
	beforeJoin, afterJoin, warmUpOnlyA string
}

func (e *env) group(lead session, name, kind string) (id, code string) {
	e.t.Helper()
	var g struct{ ID, InviteCode string }
	e.client.Must(e.t, req{Method: "POST", Path: "/api/v1/groups", Token: lead.Token, Body: map[string]string{"name": name, "kind": kind}}, http.StatusCreated, &g)
	return g.ID, g.InviteCode
}

func (e *env) join(s session, code string, share bool) *resp {
	e.t.Helper()
	return e.do(req{Method: "POST", Path: "/api/v1/groups/join", Token: s.Token, Body: map[string]any{"code": code, "shareHistory": share}})
}

func newClinic(t *testing.T, configure ...func(*api.Config)) *clinic {
	e := newEnv(t, configure...)
	c := &clinic{e: e}
	c.admin = e.as("admin", "admin@example.org")
	c.trainerA = e.as("trainer", "ta@example.org")
	c.trainerB = e.as("trainer", "tb@example.org")
	c.peerLeader = e.as("peer_leader", "pl@example.org")
	c.patientA = e.as("patient", "a@example.org")
	c.patientB = e.as("patient", "b@example.org")
	c.peerMember = e.as("patient", "pm@example.org")
	c.peerLeaderB = e.as("peer_leader", "plb@example.org")
	c.peerLeft = e.as("patient", "left@example.org")

	// A logs a session the week before joining.
	before := e.clock.Now().Add(-5 * 24 * time.Hour)
	c.beforeJoin = "s-before"
	if r := e.push(c.patientA, "b1", synctest.Session(t, c.beforeJoin, synctest.Stamp(e.clock.Now(), "phone"),
		"startedAt", before.Format(time.RFC3339), "durationMin", 38, "sessionRpe", 7,
		"intervals", []map[string]int{{"rpe": 16}, {"rpe": 16}, {"rpe": 16}, {"rpe": 16}})); r.Status != http.StatusOK {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}

	c.groupA, c.inviteA = e.group(c.trainerA, "Tirsdag", "treatment")
	c.groupB, _ = e.group(c.trainerB, "Torsdag", "treatment")
	var code string
	c.peerGroup, code = e.group(c.peerLeader, "Likepersoner", "peer")
	c.peerCode = code
	c.joinedA = e.clock.Now()
	if r := e.join(c.patientA, c.inviteA, false); r.Status != http.StatusOK {
		t.Fatalf("join A: %d %s", r.Status, r.Body)
	}
	_, codeB := e.group(c.trainerB, "Torsdag 2", "treatment")
	if r := e.join(c.patientB, codeB, false); r.Status != http.StatusOK {
		t.Fatalf("join B: %d %s", r.Status, r.Body)
	}
	if r := e.join(c.peerMember, code, false); r.Status != http.StatusOK {
		t.Fatalf("join peer: %d %s", r.Status, r.Body)
	}
	c.peerGroupB, _ = e.group(c.peerLeaderB, "Likepersoner B", "peer")
	if r := e.join(c.peerLeft, code, false); r.Status != http.StatusOK {
		t.Fatalf("join peer (to leave): %d %s", r.Status, r.Body)
	}
	if r := e.do(req{Method: "DELETE", Path: "/api/v1/me/groups/" + c.peerGroup, Token: c.peerLeft.Token}); r.Status != http.StatusNoContent {
		t.Fatalf("leave peer: %d %s", r.Status, r.Body)
	}

	e.clock.Advance(24 * time.Hour)
	for _, s := range []*session{&c.admin, &c.trainerA, &c.trainerB, &c.peerLeader, &c.patientA, &c.patientB, &c.peerMember, &c.peerLeaderB, &c.peerLeft} {
		*s = e.login(s.User.Email, "correct horse battery") // the access tokens expired
	}
	c.afterJoin, c.warmUpOnlyA = "s-after", "s-warmup"
	at := e.clock.Now().Add(-time.Hour)
	if r := e.push(c.patientA, "b2",
		synctest.Session(t, c.afterJoin, synctest.Stamp(e.clock.Now(), "phone"),
			"startedAt", at.Format(time.RFC3339), "durationMin", 20, "sessionRpe", 5, "note", "vondt i kneet",
			"moodBefore", 3, "moodAfter", 4,
			"intervals", []map[string]int{{"rpe": 13, "hrPeak": 175}, {"rpe": 12, "hrPeak": 150}}),
		synctest.Session(t, c.warmUpOnlyA, synctest.Stamp(e.clock.Now(), "phone"),
			"startedAt", at.Add(-time.Hour).Format(time.RFC3339), "durationMin", 4)); r.Status != http.StatusOK {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	if r := e.do(req{Method: "PATCH", Path: "/api/v1/me", Token: c.patientA.Token, Body: map[string]any{"hrMax": 200}}); r.Status != http.StatusOK {
		t.Fatalf("hrMax: %d %s", r.Status, r.Body)
	}
	if r := e.do(req{Method: "PUT", Path: "/api/v1/groups/" + c.peerGroup + "/schedule", Token: c.peerLeader.Token,
		Body: peerSchedule}); r.Status != http.StatusOK {
		t.Fatalf("schedule: %d %s", r.Status, r.Body)
	}
	c.invitationA = e.hand(c.trainerA, c.groupA, c.patientA, c.peerCode)
	return c
}

// hand has trainer hand patient p of group a peer group's code, and
// returns the invitation's id as the patient sees it.
func (e *env) hand(trainer session, group string, p session, code string) string {
	e.t.Helper()
	e.client.Must(e.t, req{Method: "POST", Path: "/api/v1/groups/" + group + "/members/" + p.User.ID + "/invitations", Token: trainer.Token,
		Body: map[string]string{"code": code}}, http.StatusCreated, nil)
	var out struct{ Invitations []struct{ ID string } }
	e.client.Must(e.t, req{Method: "GET", Path: "/api/v1/me/invitations", Token: p.Token}, http.StatusOK, &out)
	if len(out.Invitations) == 0 {
		e.t.Fatalf("%s sees no invitation", p.User.Email)
	}
	return out.Invitations[0].ID
}

// peerSchedule is the peer group's weekly session in the clinic: on
// Wednesdays, so its next one is peerNextDate (the clinic's clock stands
// on Tuesday 3 March 2026).
var peerSchedule = map[string]any{"weekday": 3, "time": "18:00", "place": "Inngangen til parken", "note": "Ta med vann"}

const peerNextDate = "2026-03-04"

// peerToday is the clinic's day: the peer group began the day before.
const peerToday = "2026-03-03"

type progressBody struct {
	Group   struct{ ID string }
	Weeks   []string
	Members []struct {
		UserID, Name  string
		LastSessionAt *time.Time
		Weeks         []struct {
			Week               string
			Sessions, Planned  int
			HighIntensityShare float64
			Load               float64
		}
		Flags []struct{ Code, Message string }
	}
}

func TestGroupProgressContract(t *testing.T) {
	c := newClinic(t)
	e := c.e
	var p progressBody
	r := e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.groupA + "/progress?weeks=12", Token: c.trainerA.Token}, http.StatusOK, &p)
	if strings.Contains(string(r.Body), `"email"`) {
		t.Errorf("progress shows e-mail addresses: %s", r.Body)
	}
	if len(p.Weeks) != 12 || p.Weeks[11] != "2026-W10" || p.Weeks[0] != "2025-W51" {
		t.Fatalf("weeks = %v, want 12 ending with 2026-W10", p.Weeks)
	}
	if p.Group.ID != c.groupA || len(p.Members) != 1 {
		t.Fatalf("progress = %s", r.Body)
	}
	m := p.Members[0]
	if m.UserID != c.patientA.User.ID || len(m.Weeks) != 12 {
		t.Fatalf("member = %+v", m)
	}
	// Before the join is hidden (no shared history); the warm-up only
	// session does not count; HR 175 of HRmax 200 is hard, so is nothing
	// else: one of two intervals.
	last := m.Weeks[11]
	if last.Week != "2026-W10" || last.Sessions != 1 || last.Planned != 0 || last.HighIntensityShare != 0.5 || last.Load != 100 {
		t.Errorf("this week = %+v, want 1 session, nothing planned, share 0.5, load 100", last)
	}
	if m.Weeks[10].Sessions != 0 {
		t.Errorf("the week before the join shows %d sessions, want 0 (history not shared)", m.Weeks[10].Sessions)
	}
	if m.LastSessionAt == nil || !m.LastSessionAt.Equal(e.clock.Now().Add(-time.Hour)) {
		t.Errorf("lastSessionAt = %v", m.LastSessionAt)
	}

	// Sharing the history shows the week before.
	e.client.Must(t, req{Method: "PATCH", Path: "/api/v1/me/groups/" + c.groupA, Token: c.patientA.Token, Body: map[string]bool{"shareHistory": true}}, http.StatusNoContent, nil)
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.groupA + "/progress?weeks=2", Token: c.admin.Token}, http.StatusOK, &p)
	if got := p.Members[0].Weeks[0]; got.Week != "2026-W09" || got.Sessions != 1 || got.HighIntensityShare != 1 {
		t.Errorf("with history shared, 2026-W09 = %+v, want the session before the join", got)
	}

	// Both reads are in A's audit log, and in A's export.
	var audit struct {
		Audit []struct{ ActorID, ActorName, What string }
	}
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me/audit", Token: c.patientA.Token}, http.StatusOK, &audit)
	if len(audit.Audit) != 2 || audit.Audit[0].ActorID != c.admin.User.ID || audit.Audit[1].ActorID != c.trainerA.User.ID ||
		audit.Audit[1].ActorName != c.trainerA.User.Name || audit.Audit[1].What != "group_progress" {
		t.Errorf("audit = %+v, want the admin's read, then the trainer's", audit.Audit)
	}
	var x struct {
		User      struct{ ID string }
		Groups    []struct{ ID string }
		Documents []sync.Doc
		Audit     []struct{ ActorID, ActorName, What, At string }
	}
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me/export", Token: c.patientA.Token}, http.StatusOK, &x)
	if x.User.ID != c.patientA.User.ID || len(x.Groups) != 1 || len(x.Documents) != 3 || len(x.Audit) != 2 || x.Audit[0].At == "" {
		t.Errorf("export = %+v", x)
	}

	// Weeks out of range are refused.
	for _, q := range []string{"0", "54"} {
		e.do(req{Method: "GET", Path: "/api/v1/groups/" + c.groupA + "/progress?weeks=" + q, Token: c.trainerA.Token}).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	}
	e.do(req{Method: "GET", Path: "/api/v1/groups/" + c.groupA + "/progress?weeks=x", Token: c.trainerA.Token}).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
}

func TestPatientPageNotesOnlyWhenShared(t *testing.T) {
	c := newClinic(t)
	var p struct {
		User        struct{ ID string }
		VisibleFrom *time.Time
		Sessions    []struct {
			ID, Completion string
		}
	}
	r := c.e.client.Must(t, req{Method: "GET", Path: fmt.Sprintf("/api/v1/groups/%s/members/%s", c.groupA, c.patientA.User.ID), Token: c.trainerA.Token}, http.StatusOK, &p)
	if strings.Contains(string(r.Body), "kneet") || strings.Contains(string(r.Body), `"email"`) {
		t.Errorf("patient page shows the note or an e-mail: %s", r.Body)
	}
	if p.VisibleFrom == nil || !p.VisibleFrom.Equal(c.joinedA) {
		t.Errorf("visibleFrom = %v, want the join %v", p.VisibleFrom, c.joinedA)
	}
	// Partial sessions are shown as such, never hidden.
	if len(p.Sessions) != 2 || p.Sessions[0].ID != c.warmUpOnlyA || p.Sessions[0].Completion != "none" || p.Sessions[1].Completion != "partial" {
		t.Errorf("sessions = %+v, want the warm-up (none) and the 2-interval session (partial)", p.Sessions)
	}
	// Shared notes are shown.
	c.e.client.Must(t, req{Method: "PATCH", Path: "/api/v1/me/groups/" + c.groupA, Token: c.patientA.Token, Body: map[string]bool{"shareNotes": true}}, http.StatusNoContent, nil)
	r = c.e.client.Must(t, req{Method: "GET", Path: fmt.Sprintf("/api/v1/groups/%s/members/%s", c.groupA, c.patientA.User.ID), Token: c.trainerA.Token}, http.StatusOK, &p)
	if !strings.Contains(string(r.Body), "vondt i kneet") || p.VisibleFrom == nil {
		t.Errorf("with notes shared (and history not), the page = %s", r.Body)
	}
}

func TestTrainerSetsPlanThroughTheCRDT(t *testing.T) {
	c := newClinic(t)
	e := c.e
	// The phone's clock runs 90 s ahead: its plan carries stamps later
	// than the server's clock.
	ahead := synctest.Stamp(e.clock.Now().Add(90*time.Second), "phone")
	if r := e.push(c.patientA, "plan-1", synctest.Doc(t, "plan", "plan", ahead, "sessionsPerWeek", 2, "days", []int{1, 4}, "time", "17:00")); r.Status != http.StatusOK {
		t.Fatalf("push plan: %d %s", r.Status, r.Body)
	}
	path := fmt.Sprintf("/api/v1/groups/%s/members/%s/plan", c.groupA, c.patientA.User.ID)
	var set struct {
		SessionsPerWeek int
		SetBy           *struct{ ID, Name string }
	}
	e.client.Must(t, req{Method: "PUT", Path: path, Token: c.trainerA.Token, Body: map[string]any{"sessionsPerWeek": 3, "days": []int{1, 3, 5}, "time": "07:30"}}, http.StatusOK, &set)
	if set.SessionsPerWeek != 3 || set.SetBy == nil || set.SetBy.ID != c.trainerA.User.ID {
		t.Fatalf("set plan answer %+v", set)
	}

	// The phone pulls the trainer's plan, stamped after its own.
	page, _ := e.pull(c.patientA, "0", 0)
	var plan sync.Doc
	for _, raw := range page.Docs {
		if raw.ID == "plan" {
			plan = raw
		}
	}
	if string(plan.Fields["sessionsPerWeek"].Value) != "3" || !strings.Contains(string(plan.Fields["setBy"].Value), c.trainerA.User.ID) {
		t.Fatalf("pulled plan %+v", plan)
	}
	for name, f := range plan.Fields {
		if f.TS <= ahead {
			t.Errorf("field %s stamped %s, not after the phone's %s", name, f.TS, ahead)
		}
	}

	// A bad plan is refused field by field; only the group's trainer may set it.
	e.do(req{Method: "PUT", Path: path, Token: c.trainerA.Token, Body: map[string]any{"sessionsPerWeek": 9, "days": []int{8}, "time": "25:00"}}).
		ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	e.do(req{Method: "PUT", Path: path, Token: c.trainerB.Token, Body: map[string]any{"sessionsPerWeek": 1, "days": []int{}, "time": "07:30"}}).
		ExpectError(t, http.StatusNotFound, "not_found")
}

// failingAudit is a store whose audit log cannot be written.
type failingAudit struct{ store.Store }

func (failingAudit) AppendAudit(context.Context, []store.AuditEntry) error {
	return errors.New("audit log unavailable")
}

func TestAuditFailsClosed(t *testing.T) {
	c := newClinic(t, func(cfg *api.Config) { cfg.Store = failingAudit{cfg.Store} })
	for _, path := range []string{
		"/api/v1/groups/" + c.groupA + "/progress",
		fmt.Sprintf("/api/v1/groups/%s/members/%s", c.groupA, c.patientA.User.ID),
	} {
		r := c.e.do(req{Method: "GET", Path: path, Token: c.trainerA.Token})
		r.ExpectError(t, http.StatusInternalServerError, "internal")
		if strings.Contains(string(r.Body), c.patientA.User.ID) || strings.Contains(string(r.Body), "Pat ") {
			t.Errorf("%s shows data although the read was not recorded: %s", path, r.Body)
		}
	}
}

func TestDemotedTrainersCodesStop(t *testing.T) {
	c := newClinic(t)
	e := c.e
	ctx := t.Context()
	tr, err := e.store.UserByID(ctx, c.trainerA.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	tr.Role = store.RolePatient
	if err := e.store.UpdateUser(ctx, tr); err != nil {
		t.Fatal(err)
	}
	late := e.as("patient", "late@example.org")
	e.join(late, c.inviteA, false).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	r := e.do(req{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{
		"email": "late2@example.org", "password": "correct horse battery", "name": "L", "inviteCode": c.inviteA}})
	r.ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
}

func TestPasswordResetByTrainer(t *testing.T) {
	c := newClinic(t)
	e := c.e
	var rc struct{ Code string }
	e.client.Must(t, req{Method: "POST", Path: "/api/v1/users/" + c.patientA.User.ID + "/reset-code", Token: c.trainerA.Token}, http.StatusCreated, &rc)
	if len(rc.Code) != 14 {
		t.Fatalf("code %q", rc.Code)
	}
	reset := func(email, code string) *resp {
		return e.do(req{Method: "POST", Path: "/api/v1/auth/reset", Body: map[string]string{"email": email, "code": code, "password": "a brand new password"}})
	}
	reset("b@example.org", rc.Code).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	// A wrong e-mail used the code up; the trainer issues another.
	e.client.Must(t, req{Method: "POST", Path: "/api/v1/users/" + c.patientA.User.ID + "/reset-code", Token: c.trainerA.Token}, http.StatusCreated, &rc)
	if r := reset("a@example.org", strings.ToLower(rc.Code)); r.Status != http.StatusNoContent {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	reset("a@example.org", rc.Code).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	// Signed out everywhere; the new password works.
	e.refresh(c.patientA.Cookie).ExpectError(t, http.StatusUnauthorized, "invalid_refresh")
	e.login("a@example.org", "a brand new password")
	var audit struct{ Audit []struct{ What string } }
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me/audit", Token: e.login("a@example.org", "a brand new password").Token}, http.StatusOK, &audit)
	if len(audit.Audit) == 0 || audit.Audit[0].What != "password_reset_code" {
		t.Errorf("audit = %+v, want the reset code issued", audit.Audit)
	}
}

func TestProgressCSV(t *testing.T) {
	c := newClinic(t)
	r := c.e.do(req{Method: "GET", Path: "/api/v1/groups/" + c.groupA + "/progress.csv?weeks=2", Token: c.trainerA.Token})
	if r.Status != http.StatusOK {
		t.Fatalf("csv: %d %s", r.Status, r.Body)
	}
	want := "\uFEFFgruppe;navn;uke;økter;planlagt;andel harde drag;belastning\r\n" +
		"Tirsdag;Pat a@example.org;2026-W09;0;0;0,00;0\r\n" +
		"Tirsdag;Pat a@example.org;2026-W10;1;0;0,50;100\r\n"
	if string(r.Body) != want {
		t.Errorf("csv =\n%q\nwant\n%q", r.Body, want)
	}
}

func TestAdminDemotesAndRemovesStaff(t *testing.T) {
	c := newClinic(t)
	e := c.e
	var staff struct {
		Staff []struct {
			ID       string
			Role     string
			Patients int
		}
	}
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/staff", Token: c.admin.Token}, http.StatusOK, &staff)
	patients := map[string]int{}
	for _, s := range staff.Staff {
		patients[s.ID] = s.Patients
	}
	if patients[c.trainerA.User.ID] != 1 || patients[c.trainerB.User.ID] != 1 || len(staff.Staff) != 6 {
		t.Errorf("staff = %+v, want six with one patient each for the trainers", staff.Staff)
	}

	// Demoted: the group and its code stop working at once.
	e.client.Must(t, req{Method: "PATCH", Path: "/api/v1/staff/" + c.trainerA.User.ID, Token: c.admin.Token, Body: map[string]string{"role": "patient"}}, http.StatusOK, nil)
	e.do(req{Method: "GET", Path: "/api/v1/groups/" + c.groupA + "/progress", Token: c.trainerA.Token}).ExpectError(t, http.StatusNotFound, "not_found")
	late := e.as("patient", "late@example.org")
	e.join(late, c.inviteA, false).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")

	// Removed: the same for trainer B's codes.
	var inv struct{ Code string }
	e.client.Must(t, req{Method: "POST", Path: "/api/v1/groups/" + c.groupB + "/invite", Token: c.trainerB.Token}, http.StatusCreated, &inv)
	e.client.Must(t, req{Method: "DELETE", Path: "/api/v1/staff/" + c.trainerB.User.ID, Token: c.admin.Token}, http.StatusNoContent, nil)
	e.join(late, inv.Code, false).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")

	// Admins are not changed here.
	e.do(req{Method: "PATCH", Path: "/api/v1/staff/" + c.admin.User.ID, Token: c.admin.Token, Body: map[string]string{"role": "patient"}}).ExpectError(t, http.StatusConflict, "conflict")
}

func TestArchivedGroupsCodesStop(t *testing.T) {
	c := newClinic(t)
	e := c.e
	var g struct{ ArchivedAt *time.Time }
	e.client.Must(t, req{Method: "PATCH", Path: "/api/v1/groups/" + c.groupA, Token: c.trainerA.Token, Body: map[string]bool{"archived": true}}, http.StatusOK, &g)
	if g.ArchivedAt == nil {
		t.Fatal("archiving set no archivedAt")
	}
	late := e.as("patient", "late@example.org")
	e.join(late, c.inviteA, false).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	e.do(req{Method: "POST", Path: "/api/v1/groups/" + c.groupA + "/invite", Token: c.trainerA.Token}).ExpectError(t, http.StatusConflict, "conflict")
	// The figures stay.
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.groupA + "/progress", Token: c.trainerA.Token}, http.StatusOK, nil)
	e.client.Must(t, req{Method: "PATCH", Path: "/api/v1/groups/" + c.groupA, Token: c.trainerA.Token, Body: map[string]bool{"archived": false}}, http.StatusOK, &g)
	if r := e.join(late, c.inviteA, false); r.Status != http.StatusOK {
		t.Errorf("restored group's code: %d %s", r.Status, r.Body)
	}
}

// TestPatientPageFitnessAge: the trainer sees the fitness age of the
// measurements the patient shares (from the join on, as with sessions),
// and is told when the profile names no sex to read it by.
func TestPatientPageFitnessAge(t *testing.T) {
	c := newClinic(t)
	e := c.e
	now := e.clock.Now()
	ts := synctest.Stamp(now, "phone")
	if r := e.push(c.patientA, "m",
		synctest.Doc(t, "measurement", "m-before", ts, "date", c.joinedA.AddDate(0, 0, -30).Format(time.DateOnly), "vo2max", 30),
		synctest.Doc(t, "measurement", "m-after", ts, "date", now.Format(time.DateOnly), "vo2max", 40),
		synctest.Doc(t, "measurement", "m-weight", ts, "date", now.Format(time.DateOnly), "weightKg", 80)); r.Status != http.StatusOK {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	type page struct {
		Fitness struct {
			SexKnown bool
			Points   []struct {
				Date       string
				FitnessAge float64
				Beyond     bool
				Age        *int
			}
		}
	}
	path := fmt.Sprintf("/api/v1/groups/%s/members/%s", c.groupA, c.patientA.User.ID)
	var p page
	e.client.Must(t, req{Method: "GET", Path: path, Token: c.trainerA.Token}, http.StatusOK, &p)
	if p.Fitness.SexKnown || len(p.Fitness.Points) != 0 {
		t.Fatalf("without a sex: %+v, want sexKnown false and no points", p.Fitness)
	}
	e.client.Must(t, req{Method: "PATCH", Path: "/api/v1/me", Token: c.patientA.Token,
		Body: map[string]any{"sex": "female", "birthYear": 1976}}, http.StatusOK, nil)
	p = page{}
	e.client.Must(t, req{Method: "GET", Path: path, Token: c.trainerA.Token}, http.StatusOK, &p)
	// Women's reference: 40 ml/kg/min is the mean at 35 (30–39).
	if !p.Fitness.SexKnown || len(p.Fitness.Points) != 1 || p.Fitness.Points[0].Date != now.Format(time.DateOnly) ||
		p.Fitness.Points[0].FitnessAge != 35 || p.Fitness.Points[0].Beyond || p.Fitness.Points[0].Age == nil ||
		*p.Fitness.Points[0].Age != now.Year()-1976 {
		t.Errorf("fitness = %+v, want the one measurement since the join: fitness age 35 at age %d", p.Fitness, now.Year()-1976)
	}
	// With the history shared, the earlier measurement shows too.
	e.client.Must(t, req{Method: "PATCH", Path: "/api/v1/me/groups/" + c.groupA, Token: c.patientA.Token,
		Body: map[string]bool{"shareHistory": true}}, http.StatusNoContent, nil)
	p = page{}
	e.client.Must(t, req{Method: "GET", Path: path, Token: c.trainerA.Token}, http.StatusOK, &p)
	if len(p.Fitness.Points) != 2 || p.Fitness.Points[0].FitnessAge <= p.Fitness.Points[1].FitnessAge {
		t.Errorf("fitness with history shared = %+v, want the older, lower VO2max first with the higher fitness age", p.Fitness)
	}
}

// TestTrainerEntersMeasurement: a measurement the trainer enters (a test
// at the clinic) is written into the patient's synced documents, reaches
// the phone by its next pull and shows in the fitness age; values the
// schema refuses are named.
func TestTrainerEntersMeasurement(t *testing.T) {
	c := newClinic(t)
	e := c.e
	path := fmt.Sprintf("/api/v1/groups/%s/members/%s/measurements", c.groupA, c.patientA.User.ID)
	e.do(req{Method: "POST", Path: path, Token: c.trainerA.Token, Body: map[string]any{"date": "2026-03-01", "vo2max": 95, "restingHr": 10}}).
		ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	e.do(req{Method: "POST", Path: path, Token: c.trainerA.Token, Body: map[string]any{}}).
		ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	var created struct{ ID string }
	e.client.Must(t, req{Method: "POST", Path: path, Token: c.trainerA.Token,
		Body: map[string]any{"date": e.clock.Now().Format(time.DateOnly), "vo2max": 40, "vo2maxSource": "test", "weightKg": 81.5}}, http.StatusCreated, &created)
	page, _ := e.pull(c.patientA, "", 0)
	var found bool
	for _, d := range page.Docs {
		if d.ID == created.ID {
			found = d.Type == "measurement" && string(d.Fields["vo2max"].Value) == "40" && string(d.Fields["vo2maxSource"].Value) == `"test"`
		}
	}
	if !found {
		t.Fatalf("the phone's pull has no measurement %s with the trainer's values: %+v", created.ID, page.Docs)
	}
	e.client.Must(t, req{Method: "PATCH", Path: "/api/v1/me", Token: c.patientA.Token, Body: map[string]any{"sex": "female"}}, http.StatusOK, nil)
	var p struct {
		Fitness struct {
			Points []struct{ FitnessAge float64 }
		}
	}
	e.client.Must(t, req{Method: "GET", Path: fmt.Sprintf("/api/v1/groups/%s/members/%s", c.groupA, c.patientA.User.ID), Token: c.trainerA.Token}, http.StatusOK, &p)
	if len(p.Fitness.Points) != 1 || p.Fitness.Points[0].FitnessAge != 35 {
		t.Errorf("fitness after the trainer's measurement = %+v, want one point at 35", p.Fitness)
	}
}
