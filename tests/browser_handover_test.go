package tests

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "modernc.org/sqlite" // to move a membership's join time back in the server's database
)

// TestBrowserHandover: from the clinic to everyday life. A patient has
// been twelve weeks in a treatment group: the trainer's group page marks
// them, the patient page suggests the next step, and the trainer hands
// them a peer group's code there, on a tablet, after seeing the group it
// belongs to. The patient sees the invitation on Today on their phone,
// taps "Bli med" and lands on the peer group's page.
func TestBrowserHandover(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, "DATA_DIR="+dataDir, "ADMIN_EMAIL=admin@example.no", "ADMIN_PASSWORD="+testPassword)
	trainer := staffMember(t, srv, "trainer", "tor@klinikk.no", "Tor Trener")
	leader := staffMember(t, srv, "peer_leader", "lise@example.no", "Lise Likeperson")
	type group struct {
		ID         string `json:"id"`
		InviteCode string `json:"inviteCode"`
	}
	var clinic, peer group
	trainer.must(http.MethodPost, "/api/v1/groups", map[string]string{"name": "Tirsdagsgruppa", "kind": "treatment"}, &clinic, http.StatusCreated)
	leader.must(http.MethodPost, "/api/v1/groups", map[string]string{"name": "Turgruppa på Frogner", "kind": "peer"}, &peer, http.StatusCreated)
	leader.must(http.MethodPut, "/api/v1/groups/"+peer.ID+"/schedule",
		map[string]any{"weekday": 3, "time": "18:00", "place": "Inngangen til Frognerparken", "note": "Vi går uansett vær"}, nil, http.StatusOK)

	patient := signUp(t, srv.URL, "kari@example.no")
	patient.must(http.MethodPost, "/api/v1/groups/join", map[string]string{"code": clinic.InviteCode}, nil, http.StatusOK)
	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	patient.must(http.MethodGet, "/api/v1/me", nil, &me, http.StatusOK)
	// The server keeps real time: the patient's twelve weeks are made by
	// moving their join back in its database.
	joinedWeeksAgo(t, filepath.Join(dataDir, "app.db"), clinic.ID, me.User.ID, 12)

	// The trainer, on a tablet: the group page marks the patient.
	trainerB := newBrowser(t, "trainer", srv.URL)
	trainerB.install()
	in := trainerB.open("/login")
	in.waitVisible("join-email")
	in.setValue("join-email", "tor@klinikk.no")
	in.typeInto("join-password", testPassword)
	in.click("join-submit")
	in.waitJS("the staff home", `location.pathname === '/clinic'`)
	in.close()
	g := trainerB.open("/clinic/group/" + clinic.ID)
	g.viewport(1024, 768, false)
	g.waitVisible("next-step-badge")
	says(t, g, "next-step-badge", "Neste steg?")
	g.screenshot("handover-group-tablet")
	g.click("patient-link")

	// The patient page suggests the next step; the trainer checks the
	// peer leader's code (pasted as its join link, as a scanner types it)
	// and sends it.
	g.waitVisible("next-step-title")
	says(t, g, "next-step-title", "12 uker i gruppa — tid for neste steg?")
	g.typeInto("handover-code", srv.URL+"/join?code="+peer.InviteCode)
	g.click("handover-check")
	g.waitVisible("handover-preview")
	says(t, g, "handover-group", "Turgruppa på Frogner")
	says(t, g, "handover-session", "Hver onsdag kl. 18:00 · Inngangen til Frognerparken")
	g.screenshot("handover-preview-tablet")
	g.click("handover-send")
	g.waitVisible("handover-sent")
	g.screenshot("handover-sent-tablet")
	readable(t, g, "the patient page with the handover")

	// The patient's phone: the invitation on Today, then the group.
	phone := newBrowser(t, "phone", srv.URL)
	p := phone.signIn("kari@example.no")
	p.waitVisible("invitation")
	says(t, p, "invitation-group", "Turgruppa på Frogner")
	says(t, p, "invitation-session", "Hver onsdag kl. 18:00 · Inngangen til Frognerparken")
	says(t, p, "invitation-from", "Treneren din, Tor Trener, inviterer deg. Lise Likeperson leder gruppa.")
	p.screenshot("handover-invitation-phone")
	readable(t, p, "Today with an invitation")
	// Settings → my groups shows it too.
	p.click("nav-settings")
	p.waitJS("the invitation among my groups", `document.querySelector('[data-testid=my-groups]') && document.querySelector('[data-testid=invitation]')`)
	says(t, p, "invitation-group", "Turgruppa på Frogner")
	p.click("nav-today")
	p.waitVisible("invitation")
	type member struct {
		UserID string `json:"userId"`
	}
	var members struct {
		Members []member `json:"members"`
	}
	leader.must(http.MethodGet, "/api/v1/groups/"+peer.ID, nil, &members, http.StatusOK)
	if len(members.Members) != 0 {
		t.Fatalf("the peer group has members before the patient's tap: %+v", members)
	}
	p.click("invitation-accept")
	p.waitJS("the peer group's page", `location.pathname === '/group/`+peer.ID+`' && document.querySelector('[data-testid=peer-yes]')`)
	p.screenshot("handover-joined-phone")
	leader.must(http.MethodGet, "/api/v1/groups/"+peer.ID, nil, &members, http.StatusOK)
	if !slices.ContainsFunc(members.Members, func(m member) bool { return m.UserID == me.User.ID }) {
		t.Fatalf("the patient is not in the peer group after joining: %+v", members)
	}
	// Today no longer shows the invitation.
	p.close()
	p = phone.open("/")
	p.waitVisible("week-progress")
	p.waitJS("Today without the invitation", `!document.querySelector('[data-testid=invitation]')`)
}

// says checks the text of an element (by data-testid).
func says(t *testing.T, p *tab, testid, want string) {
	t.Helper()
	if got := p.text(testid); got != want {
		t.Errorf("%s says %q, want %q", testid, got, want)
	}
}

// joinedWeeksAgo moves userID's join of group back by weeks in the
// server's SQLite database (the server reads memberships afresh on every
// request).
func joinedWeeksAgo(t *testing.T, path, group, userID string, weeks int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	back := (time.Duration(weeks) * 7 * 24 * time.Hour).Milliseconds()
	res, err := db.ExecContext(t.Context(), "UPDATE membership SET joined_at = joined_at - ? WHERE group_id = ? AND user_id = ?", back, group, userID)
	if err != nil {
		t.Fatalf("moving the join back: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("moving the join back changed %d rows", n)
	}
}
