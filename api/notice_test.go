package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

type noticeBody struct {
	Text     string    `json:"text"`
	PostedAt time.Time `json:"postedAt"`
	By       string    `json:"by"`
}

func (c *clinic) postNotice(s session, group, text string) *resp {
	return c.e.do(req{Method: "PUT", Path: "/api/v1/groups/" + group + "/notice", Token: s.Token, Body: map[string]string{"text": text}})
}

func (c *clinic) removeNotice(s session, group string) *resp {
	return c.e.do(req{Method: "DELETE", Path: "/api/v1/groups/" + group + "/notice", Token: s.Token})
}

// noticeAs reads the peer group's notice as s; nil when it has none.
func (c *clinic) noticeAs(t *testing.T, s session) *noticeBody {
	t.Helper()
	var g struct {
		Notice *noticeBody `json:"notice"`
	}
	c.e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup, Token: s.Token}, http.StatusOK, &g)
	return g.Notice
}

// TestGroupNoticeContract: the peer leader posts a notice, members and the
// leader read it with its time and the leader's name; a new one replaces
// it, the leader takes it down, and it expires on its own after 7 days.
// Only the group's own peer leader posts: a peer leader of another group
// and a member who left are told the group does not exist.
func TestGroupNoticeContract(t *testing.T) {
	c := newClinic(t)
	e := c.e
	if n := c.noticeAs(t, c.peerMember); n != nil {
		t.Fatalf("a notice before any was posted: %+v", n)
	}
	posted := e.clock.Now()
	r := c.postNotice(c.peerLeader, c.peerGroup, "  Vi trener inne i dag pga. regn \n")
	if r.Status != http.StatusOK {
		t.Fatalf("post notice: %d %s", r.Status, r.Body)
	}
	var got noticeBody
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	want := noticeBody{Text: "Vi trener inne i dag pga. regn", PostedAt: posted, By: c.peerLeader.User.Name}
	if !got.PostedAt.Equal(want.PostedAt) || got.Text != want.Text || got.By != want.By {
		t.Errorf("posted %+v, want %+v (trimmed)", got, want)
	}
	for _, s := range []session{c.peerMember, c.peerLeader, c.admin} {
		if n := c.noticeAs(t, s); n == nil || n.Text != want.Text || n.By != want.By || !n.PostedAt.Equal(posted) {
			t.Errorf("%s reads the notice %+v, want %+v", s.User.Email, n, want)
		}
	}

	for name, text := range map[string]string{
		"empty":            "   ",
		"281 characters":   strings.Repeat("å", 281),
		"a control char":   "Vi trener\u0007 inne",
		"an invisible BOM": "\ufeffVi trener inne",
	} {
		if r := c.postNotice(c.peerLeader, c.peerGroup, text); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"text"`) {
			t.Errorf("%s: %d %s, want 422 naming text", name, r.Status, r.Body)
		}
	}
	if r := c.postNotice(c.peerLeader, c.peerGroup, strings.Repeat("å", 280)); r.Status != http.StatusOK {
		t.Errorf("280 characters: %d %s, want 200", r.Status, r.Body)
	}
	// The leader's form is a text area: lines are kept, "\r\n" as "\n",
	// and an emoji joined by zero-width joiners is text, not a control.
	for sent, kept := range map[string]string{
		"Vi trener inne\r\nGymsalen, 2. etg.":                                   "Vi trener inne\nGymsalen, 2. etg.",
		"Hele familien er velkommen \U0001F468\u200d\U0001F469\u200d\U0001F467": "Hele familien er velkommen \U0001F468\u200d\U0001F469\u200d\U0001F467",
	} {
		r := c.postNotice(c.peerLeader, c.peerGroup, sent)
		var n noticeBody
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &n) != nil || n.Text != kept {
			t.Errorf("post %q: %d %s, want 200 with %q", sent, r.Status, r.Body, kept)
		}
	}

	// A new notice replaces the last.
	e.clock.Advance(time.Hour)
	c.peerLeader = e.login(c.peerLeader.User.Email, "correct horse battery")
	c.peerMember = e.login(c.peerMember.User.Email, "correct horse battery")
	if r := c.postNotice(c.peerLeader, c.peerGroup, "Vi møtes ute likevel"); r.Status != http.StatusOK {
		t.Fatalf("replace: %d %s", r.Status, r.Body)
	}
	if n := c.noticeAs(t, c.peerMember); n == nil || n.Text != "Vi møtes ute likevel" || !n.PostedAt.Equal(e.clock.Now()) {
		t.Errorf("after a new notice the member reads %+v", n)
	}

	// Taken down: gone, and taking down none is no error.
	for range 2 {
		if r := c.removeNotice(c.peerLeader, c.peerGroup); r.Status != http.StatusNoContent {
			t.Fatalf("remove: %d %s", r.Status, r.Body)
		}
	}
	if n := c.noticeAs(t, c.peerMember); n != nil {
		t.Errorf("after removal the member reads %+v", n)
	}

	// It expires on its own after 7 days.
	if r := c.postNotice(c.peerLeader, c.peerGroup, "Husk refleks"); r.Status != http.StatusOK {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	e.clock.Advance(7*24*time.Hour - time.Minute)
	c.peerMember = e.login(c.peerMember.User.Email, "correct horse battery")
	if n := c.noticeAs(t, c.peerMember); n == nil {
		t.Errorf("a minute before 7 days: no notice, want it shown")
	}
	e.clock.Advance(time.Minute)
	c.peerMember = e.login(c.peerMember.User.Email, "correct horse battery")
	c.peerLeader = e.login(c.peerLeader.User.Email, "correct horse battery")
	if n := c.noticeAs(t, c.peerMember); n != nil {
		t.Errorf("after 7 days the member reads %+v, want none", n)
	}

	// A peer leader of another group may not know this one exists.
	other := e.as("peer_leader", "pl2@example.org")
	otherGroup, _ := e.group(other, "Andre", "peer")
	if r := c.postNotice(other, c.peerGroup, "Hei"); r.Status != http.StatusNotFound {
		t.Errorf("another group's peer leader posts: %d, want 404", r.Status)
	}
	if r := c.removeNotice(other, c.peerGroup); r.Status != http.StatusNotFound {
		t.Errorf("another group's peer leader removes: %d, want 404", r.Status)
	}
	if r := c.postNotice(c.peerLeader, otherGroup, "Hei"); r.Status != http.StatusNotFound {
		t.Errorf("the peer leader posts to another's group: %d, want 404", r.Status)
	}

	// A member who left neither posts nor reads.
	if r := c.postNotice(c.peerLeader, c.peerGroup, "Siste nytt"); r.Status != http.StatusOK {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	if r := e.do(req{Method: "DELETE", Path: "/api/v1/me/groups/" + c.peerGroup, Token: c.peerMember.Token}); r.Status != http.StatusNoContent {
		t.Fatalf("leave: %d %s", r.Status, r.Body)
	}
	if r := c.postNotice(c.peerMember, c.peerGroup, "Hei"); r.Status != http.StatusNotFound {
		t.Errorf("a member who left posts: %d, want 404", r.Status)
	}
	if r := c.removeNotice(c.peerMember, c.peerGroup); r.Status != http.StatusNotFound {
		t.Errorf("a member who left removes: %d, want 404", r.Status)
	}
	if r := e.do(req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup, Token: c.peerMember.Token}); r.Status != http.StatusNotFound {
		t.Errorf("a member who left reads the group: %d, want 404", r.Status)
	}

	// An archived group has no notice, and takes none.
	if r := e.do(req{Method: "PATCH", Path: "/api/v1/groups/" + c.peerGroup, Token: c.peerLeader.Token, Body: map[string]bool{"archived": true}}); r.Status != http.StatusOK {
		t.Fatalf("archive: %d %s", r.Status, r.Body)
	}
	if n := c.noticeAs(t, c.peerLeader); n != nil {
		t.Errorf("an archived group shows the notice %+v", n)
	}
	if r := c.postNotice(c.peerLeader, c.peerGroup, "Hei"); r.Status != http.StatusConflict {
		t.Errorf("post to an archived group: %d, want 409", r.Status)
	}
}
