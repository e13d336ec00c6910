package tests

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/internal/apitest"
)

// TestBrowserPeerGroupJourney: a peer leader sets the weekly group session
// on their group page; a member opens the group on a phone, says "Jeg
// kommer" while offline — the answer is kept on the phone — and it reaches
// the server when the phone is back online; the leader sees who is coming.
func TestBrowserPeerGroupJourney(t *testing.T) {
	srv, leader, group := startServerWithLeader(t, "peer_leader", "likeperson@example.no", "Lise Likeperson", "Turgruppa", "peer")

	// The leader sets the session on their group page, on a tablet.
	leaderB := newBrowser(t, "leader", srv.URL)
	leaderB.signInStaff("likeperson@example.no")
	l := leaderB.open("/clinic/group/" + group.ID)
	l.viewport(1024, 768, false)
	l.waitVisible("schedule-save")
	l.typeInto("schedule-place", "Inngangen til Frognerparken")
	l.typeInto("schedule-note", "Vi går uansett vær")
	l.click("schedule-save")
	l.waitVisible("leader-next")
	l.screenshot("peer-leader-tablet")

	// A member joins and opens the group on a phone.
	member := signUp(t, srv.URL, "medlem@example.no")
	member.must(http.MethodPost, "/api/v1/groups/join", map[string]string{"code": group.InviteCode}, nil, http.StatusOK)
	phone := newBrowser(t, "phone", srv.URL)
	p := phone.signIn("medlem@example.no")
	p.waitSynced()
	p.close()
	p = phone.open("/settings")
	p.click("peer-open")
	p.waitVisible("peer-yes")
	if got := p.text("peer-place"); !strings.Contains(got, "Frognerparken") {
		t.Errorf("the member sees the place %q", got)
	}

	// Offline: the answer is kept on the phone.
	phone.setOffline(true)
	p.click("peer-yes")
	p.waitJS("the answer kept on the phone", `document.querySelector('[data-testid=peer-status]').textContent !== ''`)
	p.waitJS("the yes chosen", `document.querySelector('[data-testid=peer-yes]').getAttribute('aria-pressed') === 'true'`)
	p.screenshot("peer-member-offline-phone")

	// Back online: the next sync sends it.
	phone.setOffline(false)
	var g struct {
		NextSession struct {
			Coming      int      `json:"coming"`
			ComingNames []string `json:"comingNames"`
		} `json:"nextSession"`
	}
	if err := apitest.Poll(t.Context(), 20*time.Second, func() bool {
		leader.must(http.MethodGet, "/api/v1/groups/"+group.ID, nil, &g, http.StatusOK)
		return g.NextSession.Coming == 1
	}); err != nil {
		t.Fatalf("the answer given offline did not reach the server: %v (%+v)", err, g)
	}
	p.close()
	p = phone.open("/group/" + group.ID)
	p.waitJS("the member counted", `document.querySelector('[data-testid=peer-coming]')?.textContent.startsWith('1')`)
	p.screenshot("peer-member-phone")
	readable(t, p, "the member's group page")

	l.close()
	l = leaderB.open("/clinic/group/" + group.ID)
	l.viewport(1024, 768, false)
	l.waitJS("who is coming", `document.querySelector('[data-testid=leader-coming]')?.textContent.includes('Test')`)
	l.screenshot("peer-leader-coming-tablet")
	readable(t, l, "the leader's group page")
	l.viewport(390, 844, true)
	l.screenshot("peer-leader-phone")
}

// signInStaff installs the app and signs a member of staff in through its
// form, up to their home (/clinic).
func (b *browser) signInStaff(email string) {
	b.t.Helper()
	b.install()
	in := b.open("/login")
	in.waitVisible("join-email")
	in.setValue("join-email", email)
	in.typeInto("join-password", testPassword)
	in.click("join-submit")
	in.waitJS("the staff home", `location.pathname === '/clinic' && document.querySelector('[data-testid=back-clinic], h1')`)
	in.close()
}

// readable checks a screen's text contrast and semantics (labels, names,
// headings) with the accessibility test's own checks.
func readable(t *testing.T, p *tab, screen string) {
	t.Helper()
	for _, f := range eval[contrastResult](p, contrastJS).Failures {
		t.Errorf("%s: contrast: %s", screen, f)
	}
	for _, problem := range eval[[]string](p, semanticsJS) {
		t.Errorf("%s: %s", screen, problem)
	}
}
