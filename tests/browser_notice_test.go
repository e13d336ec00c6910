package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/store"
)

// TestBrowserPeerNotice: a peer leader writes the group's notice on their
// group page (the counter keeps it within 280 characters); a member sees
// it first on the group page with its time, also offline from the copy on
// the phone; the notice arrives as a notification, and a tap on it takes
// the open app to the group page. Then the leader removes it.
func TestBrowserPeerNotice(t *testing.T) {
	srv, leader, group := startPeerGroup(t)
	leader.must(http.MethodPut, "/api/v1/groups/"+group.ID+"/schedule", map[string]any{"weekday": 3, "time": "18:00", "place": "Inngangen til Frognerparken"}, nil, http.StatusOK)

	// The leader writes the notice on their phone.
	l := leaderBrowser(t, srv).open("/clinic/group/" + group.ID)
	l.waitVisible("leader-notice-none")
	if !eval[bool](l, `document.querySelector('[data-testid=notice-post]').disabled`) {
		t.Error("the notice can be sent empty")
	}
	fill := func(v string) {
		eval[bool](l, fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid=notice-input]');
			el.value = %q; el.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, v))
	}
	fill(strings.Repeat("a", 281))
	l.waitJS("the counter to say it is too long", `document.querySelector('[data-testid=notice-count]').textContent.startsWith('281 tegn') &&
		document.querySelector('[data-testid=notice-post]').disabled`)
	fill("")
	const text = "Vi trener inne i dag pga. regn – gymsalen på Frogner skole."
	l.typeInto("notice-input", text)
	l.waitJS("the counter", fmt.Sprintf(`document.querySelector('[data-testid=notice-count]').textContent === '%d av 280 tegn'`, len([]rune(text))))
	eval[bool](l, `(document.querySelector('[data-testid=leader-notice]').scrollIntoView(), true)`)
	l.screenshot("notice-leader-writing-phone")
	l.click("notice-post")
	l.waitVisible("leader-notice-current")
	if got := l.text("notice-status"); !strings.HasPrefix(got, "Beskjeden er lagt ut") {
		t.Errorf("after posting the leader reads %q", got)
	}
	eval[bool](l, `(document.querySelector('[data-testid=leader-notice]').scrollIntoView(), true)`)
	l.screenshot("notice-leader-posted-phone")
	readable(t, l, "the leader's notice")

	// A member opens the group on a phone: the notice comes first.
	member := signUp(t, srv.URL, "medlem@example.no")
	member.must(http.MethodPost, "/api/v1/groups/join", map[string]string{"code": group.InviteCode}, nil, http.StatusOK)
	phone := newBrowser(t, "phone", srv.URL)
	p := phone.signIn("medlem@example.no")
	p.waitSynced()
	p.close()
	p = phone.open("/group/" + group.ID)
	p.waitVisible("notice-card")
	if got := p.text("notice-text"); got != text {
		t.Errorf("the member reads the notice %q, want %q", got, text)
	}
	if got := p.text("notice-when"); !strings.HasPrefix(got, "Lise Likeperson, i dag ") {
		t.Errorf("the notice's time reads %q, want the leader and \"i dag HH:MM\"", got)
	}
	if !eval[bool](p, `!!document.querySelector('[data-testid=peer-notice] + [data-testid=peer-session]')`) {
		t.Error("the notice does not come before the group session")
	}
	p.screenshot("notice-member-phone")
	readable(t, p, "the member's group page with a notice")

	// Offline, the page shows the group as last seen, notice and all.
	phone.setOffline(true)
	p.close()
	p = phone.open("/group/" + group.ID)
	p.waitVisible("notice-card")
	if got := p.text("notice-text"); got != text {
		t.Errorf("offline the member reads %q", got)
	}
	p.screenshot("notice-member-offline-phone")
	phone.setOffline(false)

	// The notice as the server sends it, delivered by DevTools to the
	// member's phone while the app is open on the Today screen.
	p.close()
	p = phone.open("/today")
	p.waitJS("the Today screen", `location.pathname === '/today' && !!document.querySelector('h1')`)
	phone.grantNotifications(p)
	due := push.Notice{}.Due(push.Patient{User: store.User{ID: "member"}, Notices: []push.GroupNotice{
		{GroupID: group.ID, GroupName: group.Name, Text: text, PostedAt: time.Now()}}}, time.Now())
	if len(due) != 1 {
		t.Fatalf("the notice kind made %d messages, want 1", len(due))
	}
	payload, err := json.Marshal(due[0].Message)
	if err != nil {
		t.Fatal(err)
	}
	phone.deliverPush(p, payload)
	p.waitJS("the notification to show", fmt.Sprintf(`navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) =>
		ns.length === 1 && ns[0].title === 'Turgruppa' && ns[0].body === %q && ns[0].actions.length === 0)`, text))

	// A tap on it sends the open window to the group page.
	phone.waitWorkerJS("a tap on the notification", `(self.__tapped ||= self.registration.getNotifications().then((ns) => {
		self.dispatchEvent(new NotificationEvent('notificationclick', { notification: ns[0] }));
		return true;
	}))`)
	p.waitJS("the group page", fmt.Sprintf(`location.pathname === '/group/%s' && !!document.querySelector('[data-testid=notice-card]')`, group.ID))
	p.waitJS("the notification to close", `navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) => ns.length === 0)`)

	// The leader takes it down; the member's group page has none.
	l.click("notice-remove")
	l.waitVisible("leader-notice-none")
	var g struct {
		Notice *struct{ Text string } `json:"notice"`
	}
	member.must(http.MethodGet, "/api/v1/groups/"+group.ID, nil, &g, http.StatusOK)
	if g.Notice != nil {
		t.Errorf("after removal the member's group has the notice %+v", g.Notice)
	}
	p.close()
	p = phone.open("/group/" + group.ID)
	p.waitVisible("peer-yes")
	if eval[bool](p, `!!document.querySelector('[data-testid=notice-card]')`) {
		t.Error("the member still sees the removed notice")
	}
}
