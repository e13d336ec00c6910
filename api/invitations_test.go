package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/api"
)

type peerGroupBody struct {
	ID, Name, LeaderName string
	Schedule             *struct {
		Weekday     int
		Time, Place string
	}
	CodeExpiresAt time.Time
}

type invitationsBody struct {
	Invitations []struct {
		ID        string
		Group     peerGroupBody
		InvitedBy string
	}
}

// TestNextStepSuggestion: after the group's weeks the patient page and
// the group page say it is time for the next step; the trainer sets the
// weeks per group.
func TestNextStepSuggestion(t *testing.T) {
	c := newClinic(t)
	e := c.e
	page := func() (weeks, after int, due, boardDue bool) {
		t.Helper()
		var p struct {
			NextStep struct {
				Weeks, After int
				Due          bool
			}
		}
		e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.groupA + "/members/" + c.patientA.User.ID, Token: c.trainerA.Token}, http.StatusOK, &p)
		var b struct{ Members []struct{ NextStepDue bool } }
		e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.groupA + "/progress", Token: c.trainerA.Token}, http.StatusOK, &b)
		return p.NextStep.Weeks, p.NextStep.After, p.NextStep.Due, b.Members[0].NextStepDue
	}
	if w, a, due, board := page(); w != 0 || a != 12 || due || board {
		t.Fatalf("a day after joining: weeks %d after %d due %v board %v", w, a, due, board)
	}
	var g struct{ NextStepWeeks int }
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.groupA, Token: c.trainerA.Token}, http.StatusOK, &g)
	if g.NextStepWeeks != 12 {
		t.Fatalf("nextStepWeeks = %d, want the default 12", g.NextStepWeeks)
	}

	// Twelve weeks after the join (the clinic's clock is a day past it).
	e.clock.Advance(12*7*24*time.Hour - 24*time.Hour)
	c.trainerA = e.login(c.trainerA.User.Email, "correct horse battery")
	if w, _, due, board := page(); w != 12 || !due || !board {
		t.Fatalf("at twelve weeks: weeks %d due %v board %v", w, due, board)
	}
	e.client.Must(t, req{Method: "PATCH", Path: "/api/v1/groups/" + c.groupA, Token: c.trainerA.Token, Body: map[string]int{"nextStepWeeks": 16}}, http.StatusOK, &g)
	if g.NextStepWeeks != 16 {
		t.Fatalf("after PATCH: nextStepWeeks = %d", g.NextStepWeeks)
	}
	if _, a, due, board := page(); a != 16 || due || board {
		t.Fatalf("with 16 weeks set: after %d due %v board %v", a, due, board)
	}
	for _, bad := range []int{0, 53} {
		e.do(req{Method: "PATCH", Path: "/api/v1/groups/" + c.groupA, Token: c.trainerA.Token, Body: map[string]int{"nextStepWeeks": bad}}).
			ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
	}
	c.peerLeader = e.login(c.peerLeader.User.Email, "correct horse battery")
	e.do(req{Method: "PATCH", Path: "/api/v1/groups/" + c.peerGroup, Token: c.peerLeader.Token, Body: map[string]int{"nextStepWeeks": 12}}).
		ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
}

// TestHandPeerGroupCode: the trainer previews a peer group's code, hands
// it, and the patient sees the invitation and joins with a tap; the
// trainer gets the same answer whatever the patient did.
func TestHandPeerGroupCode(t *testing.T) {
	c := newClinic(t)
	e := c.e
	// B joins a second group of A's trainer, and is handed the code there.
	group, code := e.group(c.trainerA, "Fredag", "treatment")
	e.client.Must(t, req{Method: "POST", Path: "/api/v1/groups/join", Token: c.patientB.Token, Body: map[string]any{"code": code}}, http.StatusOK, nil)
	base := "/api/v1/groups/" + group + "/members/" + c.patientB.User.ID + "/invitations"

	var pg peerGroupBody
	e.client.Must(t, req{Method: "POST", Path: base + "/preview", Token: c.trainerA.Token, Body: map[string]string{"code": c.peerCode}}, http.StatusOK, &pg)
	if pg.ID != c.peerGroup || pg.Name != "Likepersoner" || pg.LeaderName != c.peerLeader.User.Name || pg.Schedule == nil || pg.Schedule.Place != "Inngangen til parken" {
		t.Fatalf("preview = %+v", pg)
	}
	var mine invitationsBody
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me/invitations", Token: c.patientB.Token}, http.StatusOK, &mine)
	if len(mine.Invitations) != 0 {
		t.Fatalf("a preview invited: %+v", mine)
	}

	e.client.Must(t, req{Method: "POST", Path: base, Token: c.trainerA.Token, Body: map[string]string{"code": c.peerCode}}, http.StatusCreated, &pg)
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me/invitations", Token: c.patientB.Token}, http.StatusOK, &mine)
	if len(mine.Invitations) != 1 || mine.Invitations[0].Group.ID != c.peerGroup || mine.Invitations[0].InvitedBy != c.trainerA.User.Name ||
		mine.Invitations[0].Group.Schedule.Time != "18:00" {
		t.Fatalf("invitations = %+v", mine)
	}
	id := mine.Invitations[0].ID
	// The patient's export holds it, with who handed it and where.
	var x struct {
		Invitations []struct{ ID, GroupID, FromGroupID, InvitedBy string }
	}
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me/export", Token: c.patientB.Token}, http.StatusOK, &x)
	if len(x.Invitations) != 1 || x.Invitations[0].ID != id || x.Invitations[0].GroupID != c.peerGroup ||
		x.Invitations[0].FromGroupID != group || x.Invitations[0].InvitedBy != c.trainerA.User.ID {
		t.Errorf("export invitations = %+v", x.Invitations)
	}
	var joined struct{ ID, Kind, OwnerName string }
	e.client.Must(t, req{Method: "POST", Path: "/api/v1/me/invitations/" + id + "/accept", Token: c.patientB.Token}, http.StatusOK, &joined)
	if joined.ID != c.peerGroup || joined.Kind != "peer" || joined.OwnerName != c.peerLeader.User.Name {
		t.Fatalf("accepted = %+v", joined)
	}
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup, Token: c.patientB.Token}, http.StatusOK, nil)
	e.do(req{Method: "POST", Path: "/api/v1/me/invitations/" + id + "/accept", Token: c.patientB.Token}).ExpectError(t, http.StatusNotFound, api.CodeNotFound)

	// Handed again: the same answer as before, and no invitation to a
	// group the patient is in.
	e.client.Must(t, req{Method: "POST", Path: base, Token: c.trainerA.Token, Body: map[string]string{"code": c.peerCode}}, http.StatusCreated, &pg)
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me/invitations", Token: c.patientB.Token}, http.StatusOK, &mine)
	if len(mine.Invitations) != 0 {
		t.Fatalf("invited to a group already joined: %+v", mine)
	}

	// Codes that are not a live peer group's.
	for _, code := range []string{"nope", "ABCDEFGHJKMN", c.inviteA} {
		e.do(req{Method: "POST", Path: base + "/preview", Token: c.trainerA.Token, Body: map[string]string{"code": code}}).
			ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
	}
}

// TestDeclineAndExpiry: "Nei takk" removes the invitation; one whose code
// has expired is gone.
func TestDeclineAndExpiry(t *testing.T) {
	c := newClinic(t)
	e := c.e
	e.client.Must(t, req{Method: "DELETE", Path: "/api/v1/me/invitations/" + c.invitationA, Token: c.patientA.Token}, http.StatusNoContent, nil)
	e.do(req{Method: "DELETE", Path: "/api/v1/me/invitations/" + c.invitationA, Token: c.patientA.Token}).ExpectError(t, http.StatusNotFound, api.CodeNotFound)
	var g struct{ Members []struct{ UserID string } }
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup, Token: c.peerLeader.Token}, http.StatusOK, &g)
	for _, m := range g.Members {
		if m.UserID == c.patientA.User.ID {
			t.Fatal("declining joined the group")
		}
	}

	id := e.hand(c.trainerA, c.groupA, c.patientA, c.peerCode)
	e.clock.Advance(31 * 24 * time.Hour) // group codes last 30 days
	c.patientA = e.login(c.patientA.User.Email, "correct horse battery")
	var mine invitationsBody
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me/invitations", Token: c.patientA.Token}, http.StatusOK, &mine)
	if len(mine.Invitations) != 0 {
		t.Fatalf("an expired invitation: %+v", mine)
	}
	e.do(req{Method: "POST", Path: "/api/v1/me/invitations/" + id + "/accept", Token: c.patientA.Token}).ExpectError(t, http.StatusNotFound, api.CodeNotFound)
}

// TestPeerCodeLookupsAreLimited: a trainer's failed code look-ups count
// like failed joins; the budget spent, even the right code waits.
func TestPeerCodeLookupsAreLimited(t *testing.T) {
	c := newClinic(t, func(cfg *api.Config) { cfg.JoinPerUser = api.Limit{Burst: 3, Every: time.Hour} })
	e := c.e
	preview := "/api/v1/groups/" + c.groupA + "/members/" + c.patientA.User.ID + "/invitations/preview"
	for range 3 {
		e.do(req{Method: "POST", Path: preview, Token: c.trainerA.Token, Body: map[string]string{"code": "ABCDEFGHJKMN"}}).
			ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
	}
	r := e.do(req{Method: "POST", Path: preview, Token: c.trainerA.Token, Body: map[string]string{"code": c.peerCode}})
	r.ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)
	e.do(req{Method: "POST", Path: "/api/v1/groups/" + c.groupA + "/members/" + c.patientA.User.ID + "/invitations", Token: c.trainerA.Token,
		Body: map[string]string{"code": c.peerCode}}).ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)
	// Another trainer is not held back.
	e.client.Must(t, req{Method: "POST", Path: preview, Token: c.admin.Token, Body: map[string]string{"code": c.peerCode}}, http.StatusOK, nil)
}
