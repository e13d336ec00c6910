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
	srv, leader, group := startPeerGroup(t)
	leaderB := leaderBrowser(t, srv)
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

	// The member leaves from the group page: her answer goes with her, and
	// the phone forgets the group.
	p.close()
	p = phone.open("/group/" + group.ID)
	p.waitVisible("peer-leave")
	eval[bool](p, `(document.querySelector('[data-testid=peer-leave]').scrollIntoView({ block: 'center' }), true)`)
	p.screenshot("peer-member-leave-phone")
	eval[bool](p, `(window.confirm = (m) => { window.asked = m; return true; }, true)`)
	p.click("peer-leave")
	p.waitJS("back in Settings", `location.pathname === '/settings' && !!document.querySelector('[data-testid=my-groups]')`)
	if msg := p.text("notice"); !strings.Contains(msg, "gått ut av") {
		t.Errorf("after leaving, the notice says %q", msg)
	}
	if asked := eval[string](p, `window.asked`); !strings.Contains(asked, "Svarene dine") {
		t.Errorf("the member was asked %q", asked)
	}
	p.waitJS("the group gone from her groups", `!document.querySelector('[data-testid=peer-open]') && document.querySelector('[data-testid=my-groups]').textContent !== ''`)
	if kept := eval[bool](p, `new Promise((ok, fail) => { const r = indexedDB.open('dagbok'); r.onerror = () => fail(r.error); r.onsuccess = () => { const g = r.result.transaction('meta').objectStore('meta').get('peergroup:`+group.ID+`'); g.onerror = () => fail(g.error); g.onsuccess = () => ok(g.result !== undefined); }; })`); kept {
		t.Error("the phone still keeps the group it left")
	}
	leader.must(http.MethodGet, "/api/v1/groups/"+group.ID, nil, &g, http.StatusOK)
	if g.NextSession.Coming != 0 {
		t.Errorf("after she left, %d coming to the next session", g.NextSession.Coming)
	}
}

// TestBrowserPeerSharingAndAttendance: a member turns on "trained this
// week" on their group page and logs a session; the leader's group page
// and another member's show the tick by her name, and nothing else of
// her training. The leader ticks who came to today's session, and the
// week's count shows it.
func TestBrowserPeerSharingAndAttendance(t *testing.T) {
	srv, leader, group := startPeerGroup(t)
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	today := int(time.Now().In(oslo).Weekday()+6)%7 + 1 // ISO: Monday = 1
	leader.must(http.MethodPut, "/api/v1/groups/"+group.ID+"/schedule",
		map[string]any{"weekday": today, "time": "18:00", "place": "Frognerparken", "note": ""}, nil, http.StatusOK)

	// Two members, by the names they chose.
	for _, m := range []struct{ email, name string }{{"mari@example.no", "Mari"}, {"ola@example.no", "Ola"}} {
		c := signUp(t, srv.URL, m.email)
		c.must(http.MethodPatch, "/api/v1/me", map[string]string{"name": m.name}, nil, http.StatusOK)
		c.must(http.MethodPost, "/api/v1/groups/join", map[string]string{"code": group.InviteCode}, nil, http.StatusOK)
	}

	// Mari turns on "trained this week", then logs a session.
	phone := newBrowser(t, "mari", srv.URL)
	p := phone.signIn("mari@example.no")
	p.close()
	p = phone.open("/group/" + group.ID)
	p.waitVisible("share-trained")
	if eval[bool](p, `document.querySelector('[data-testid=share-trained]').checked || document.querySelector('[data-testid=share-sessions]').checked`) {
		t.Fatal("a choice is on before the member made it")
	}
	p.click("share-trained")
	p.waitJS("the choice kept", `document.querySelector('[data-testid=share-trained]')?.checked && !document.querySelector('[data-testid=share-trained]').disabled`)
	p.screenshot("peer-share-choice-phone")
	p.logManually("Bakkeintervaller i parken", 38, 15, 16, 16, 17)
	p.waitSynced()
	p.close()
	p = phone.open("/group/" + group.ID)
	p.waitJS("her own tick", `[...document.querySelectorAll('[data-testid=peer-member]')].some((e) => e.textContent.includes('Mari') && e.querySelector('[data-testid=peer-trained]'))`)

	// Ola sees the tick by Mari's name, and nothing else of her training.
	olaPhone := newBrowser(t, "ola", srv.URL)
	o := olaPhone.signIn("ola@example.no")
	o.close()
	o = olaPhone.open("/group/" + group.ID)
	o.waitJS("Mari's tick", `[...document.querySelectorAll('[data-testid=peer-member]')].some((e) => e.textContent.includes('Mari') && e.querySelector('[data-testid=peer-trained]'))`)
	rows := eval[[]string](o, `[...document.querySelectorAll('[data-testid=peer-member]')].map((e) => e.textContent)`)
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "Mari") || !strings.HasPrefix(rows[1], "Ola") {
		t.Errorf("members on Ola's page: %q, want Mari then Ola (in join order)", rows)
	}
	if strings.Contains(rows[1], "✓") {
		t.Errorf("Ola shares nothing, yet his row says %q", rows[1])
	}
	page := eval[string](o, `document.querySelector('main').textContent`)
	for _, leak := range []string{"Bakkeintervaller", "38 min", "RPE"} {
		if strings.Contains(page, leak) {
			t.Errorf("Ola's group page mentions %q of Mari's training", leak)
		}
	}
	o.screenshot("peer-share-other-member-phone")
	readable(t, o, "a member's group page with what others share")

	// The leader sees the tick, and ticks who came to today's session.
	leaderB := leaderBrowser(t, srv)
	l := leaderB.open("/clinic/group/" + group.ID)
	l.viewport(1024, 768, false)
	l.waitVisible("attendance-save")
	l.waitJS("Mari's tick on the leader's page", `document.querySelector('[data-testid=member-trained]')?.closest('li').textContent.includes('Mari')`)
	if n := eval[int](l, `document.querySelectorAll('[data-testid=attendance-tick]').length`); n != 2 {
		t.Fatalf("%d members to tick, want 2", n)
	}
	eval[bool](l, `(document.querySelector('[data-testid=attendance-tick][value]').click(), true)`)
	l.click("attendance-save")
	l.waitJS("this week's count", `document.querySelector('[data-testid=attendance-weeks] li:last-child .n')?.textContent === '1' && document.querySelector('[data-testid=attendance-status]').textContent !== ''`)
	var rec struct {
		Sessions []struct {
			Date    string   `json:"date"`
			Present []string `json:"present"`
		} `json:"sessions"`
	}
	leader.must(http.MethodGet, "/api/v1/groups/"+group.ID+"/attendance", nil, &rec, http.StatusOK)
	if len(rec.Sessions) != 1 || len(rec.Sessions[0].Present) != 1 || rec.Sessions[0].Date != time.Now().In(oslo).Format(time.DateOnly) {
		t.Errorf("attendance kept: %+v, want one member ticked today", rec)
	}
	eval[bool](l, `(document.querySelector('[data-testid=attendance]').scrollIntoView(), true)`)
	l.screenshot("peer-attendance-tablet")
	readable(t, l, "the leader's group page with attendance")
	l.viewport(390, 844, true)
	eval[bool](l, `(document.querySelector('[data-testid=attendance]').scrollIntoView(), true)`)
	l.screenshot("peer-attendance-phone")
}

// startPeerGroup starts a server with an admin, who invites a peer leader
// (likeperson@example.no), who creates the peer group «Turgruppa».
func startPeerGroup(t *testing.T) (*server, *client, newGroup) {
	t.Helper()
	srv := startServer(t, "ADMIN_EMAIL=admin@example.no", "ADMIN_PASSWORD="+testPassword)
	leader, group := staffGroup(t, srv, "peer_leader", "likeperson@example.no", "Lise Likeperson", "Turgruppa", "peer")
	return srv, leader, group
}

// leaderBrowser is the peer leader's browser, the app installed and
// signed in on the staff home.
func leaderBrowser(t *testing.T, srv *server) *browser {
	t.Helper()
	b := newBrowser(t, "leader", srv.URL)
	b.install()
	in := b.open("/login")
	in.waitVisible("join-email")
	in.setValue("join-email", "likeperson@example.no")
	in.typeInto("join-password", testPassword)
	in.click("join-submit")
	in.waitJS("the staff home", `location.pathname === '/clinic' && document.querySelector('[data-testid=back-clinic], h1')`)
	in.close()
	return b
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
