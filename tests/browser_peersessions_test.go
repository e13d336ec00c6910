package tests

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBrowserPeerSessionCancelled: the peer leader cancels the next group
// session on their phone, with a reason, and moves the one after; a member
// sees the next one cancelled (no answer buttons, the reason, the session
// after it) and the moved one at its new time; the leader's undo brings
// the buttons back, and when the leader moves that session the member
// sees it moved, with her answer.
func TestBrowserPeerSessionCancelled(t *testing.T) {
	srv, leader, group := startPeerGroup(t)
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	// The session two days from now, so it is the next one whatever the day.
	weekday := (int(time.Now().In(oslo).AddDate(0, 0, 2).Weekday())+6)%7 + 1
	leader.must(http.MethodPut, "/api/v1/groups/"+group.ID+"/schedule", map[string]any{
		"weekday": weekday, "time": "18:00", "place": "Frognerparken", "note": "Vi går uansett vær"}, nil, http.StatusOK)
	member := signUp(t, srv.URL, "medlem@example.no")
	member.must(http.MethodPost, "/api/v1/groups/join", map[string]string{"code": group.InviteCode}, nil, http.StatusOK)

	l := leaderBrowser(t, srv).open("/clinic/group/" + group.ID)
	l.viewport(390, 844, true)
	l.waitVisible("leader-upcoming")
	if n := eval[int](l, `document.querySelectorAll('[data-testid=upcoming-session]').length`); n != 4 {
		t.Errorf("the leader sees %d upcoming sessions, want 4", n)
	}
	l.click("session-cancel") // the first: the next session
	l.waitVisible("session-reason")
	l.typeInto("session-reason", "Snøstorm er meldt")
	l.screenshot("peer-leader-cancel-form-phone")
	l.click("session-cancel-confirm")
	l.waitJS("the next session cancelled", `document.querySelector('[data-testid=leader-upcoming] [data-testid=session-cancelled]')?.textContent.includes('Snøstorm')`)

	// The one after: 19:30 in the hall this once.
	l.click("session-change") // the cancelled one has none: this is the second
	l.waitVisible("move-place")
	l.setValue("move-time-hour", "19")
	l.setValue("move-time-minute", "30")
	l.setValue("move-place", "Idrettshallen")
	l.click("move-save")
	l.waitJS("the second session moved", `document.querySelectorAll('[data-testid=upcoming-session]')[1]?.querySelector('[data-testid=session-moved]') !== null`)
	if got := eval[string](l, `document.querySelectorAll('[data-testid=upcoming-session]')[1].innerText`); !strings.Contains(got, "19:30") || !strings.Contains(got, "Idrettshallen") {
		t.Errorf("the moved session reads %q, want 19:30 in Idrettshallen", got)
	}
	if got := eval[string](l, `document.querySelector('[data-testid=leader-upcoming]').innerText`); strings.Contains(got, "null") || strings.Contains(got, "undefined") {
		t.Errorf("the upcoming sessions read %q", got)
	}
	l.screenshot("peer-leader-upcoming-phone")
	readable(t, l, "the leader's upcoming sessions")

	// The member's page: cancelled, no buttons, the reason, what comes after.
	var g struct {
		NextSession struct {
			Date      string `json:"date"`
			Cancelled bool   `json:"cancelled"`
		} `json:"nextSession"`
	}
	member.must(http.MethodGet, "/api/v1/groups/"+group.ID, nil, &g, http.StatusOK)
	if !g.NextSession.Cancelled {
		t.Fatalf("the member's next session is not cancelled: %+v", g)
	}
	member.must(http.MethodPut, "/api/v1/groups/"+group.ID+"/rsvp", map[string]any{"date": g.NextSession.Date, "coming": true}, nil, http.StatusConflict)
	phone := newBrowser(t, "phone", srv.URL)
	p := phone.signIn("medlem@example.no")
	p.waitSynced()
	p.close()
	p = phone.open("/group/" + group.ID)
	p.waitVisible("session-cancelled")
	if got := p.text("session-cancelled"); !strings.Contains(got, "Avlyst") || !strings.Contains(got, "Snøstorm er meldt") {
		t.Errorf("the member reads %q, want it cancelled with the reason", got)
	}
	if eval[bool](p, `!!document.querySelector('[data-testid=peer-yes], [data-testid=peer-no]')`) {
		t.Error("the member is offered to answer for a cancelled session")
	}
	if got := p.text("peer-after"); !strings.Contains(got, "19:30") {
		t.Errorf("the session after reads %q, want the moved one at 19:30", got)
	}
	p.screenshot("peer-member-cancelled-phone")
	readable(t, p, "the member's cancelled session")

	// The leader undoes the cancellation: the member can answer again.
	l.click("session-undo")
	l.waitJS("the cancellation undone", `!document.querySelector('[data-testid=leader-upcoming] [data-testid=session-cancelled]')`)
	p.close()
	p = phone.open("/group/" + group.ID)
	p.waitVisible("peer-yes")
	p.click("peer-yes")
	p.waitJS("the yes chosen", `document.querySelector('[data-testid=peer-yes]').getAttribute('aria-pressed') === 'true'`)

	// The leader moves that session this once: the member sees it at its
	// new time and place, marked as moved, with her answer kept.
	leader.must(http.MethodPut, "/api/v1/groups/"+group.ID+"/sessions/"+g.NextSession.Date,
		map[string]any{"time": "19:30", "place": "Idrettshallen"}, nil, http.StatusOK)
	p.close()
	p = phone.open("/group/" + group.ID)
	p.waitVisible("session-moved")
	if got := p.text("peer-when"); !strings.Contains(got, "19:30") {
		t.Errorf("the moved session reads %q, want 19:30", got)
	}
	if got := p.text("peer-place"); !strings.Contains(got, "Idrettshallen") {
		t.Errorf("the moved session's place reads %q, want Idrettshallen", got)
	}
	if !eval[bool](p, `document.querySelector('[data-testid=peer-yes]')?.getAttribute('aria-pressed') === 'true'`) {
		t.Error("the member's answer is not shown for the moved session")
	}
	p.screenshot("peer-member-moved-phone")
}
