package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/sync/synctest"
)

type peerMemberBody struct {
	UserID, Name     string
	TrainedThisWeek  *bool
	SessionsThisWeek *int
}

// peerMembersAs reads the peer group's members as s, failing the test
// when any member carries a key beyond their name and what they may
// share: nothing of anyone's exertion, heart rate, mood, notes or plan.
func (c *clinic) peerMembersAs(t *testing.T, s session) []peerMemberBody {
	t.Helper()
	r := c.e.do(req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup, Token: s.Token})
	if r.Status != http.StatusOK {
		t.Fatalf("GET peer group: %d %s", r.Status, r.Body)
	}
	var raw struct {
		Members []map[string]json.RawMessage
	}
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	allowed := []string{"userId", "name", "joinedAt", "trainedThisWeek", "sessionsThisWeek"}
	for _, m := range raw.Members {
		for k := range m {
			if !slices.Contains(allowed, k) {
				t.Errorf("a member entry carries %q: %s", k, r.Body)
			}
		}
	}
	for _, health := range []string{"rpe", "sessionRpe", "hrPeak", "hrAvg", "moodBefore", "moodAfter", "intervals", "plan", "load", "vondt i kneet"} {
		if containsKeyOrText(r.Body, health) {
			t.Errorf("the group's JSON mentions %q: %s", health, r.Body)
		}
	}
	var out struct{ Members []peerMemberBody }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Members
}

// containsKeyOrText reports whether s occurs in body as a JSON key or
// string.
func containsKeyOrText(body []byte, s string) bool {
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == s || walk(x) {
					return true
				}
			}
		case []any:
			return slices.ContainsFunc(v, walk)
		case string:
			return v == s
		}
		return false
	}
	var v any
	_ = json.Unmarshal(body, &v)
	return walk(v)
}

func (c *clinic) share(t *testing.T, s session, body map[string]bool) *resp {
	t.Helper()
	return c.e.do(req{Method: "PATCH", Path: "/api/v1/me/groups/" + c.peerGroup, Token: s.Token, Body: body})
}

// TestPeerSharingThroughTheAPI: a member's choice of what the group sees
// is off by default, shows to the leader and the other members as a tick
// and a count worked out from the diary, never any health field, in join
// order; an admin sees names only; a treatment group refuses the choice.
func TestPeerSharingThroughTheAPI(t *testing.T) {
	c := newClinic(t)
	e := c.e
	other := e.as("patient", "other@example.org")
	var inv struct{ Code string }
	e.client.Must(t, req{Method: "POST", Path: "/api/v1/groups/" + c.peerGroup + "/invite", Token: c.peerLeader.Token}, http.StatusCreated, &inv)
	if r := e.join(other, inv.Code, false); r.Status != http.StatusOK {
		t.Fatalf("join: %d %s", r.Status, r.Body)
	}

	ms := c.peerMembersAs(t, other)
	if len(ms) != 2 || ms[0].UserID != c.peerMember.User.ID || ms[1].UserID != other.User.ID || ms[0].TrainedThisWeek != nil || ms[0].SessionsThisWeek != nil {
		t.Fatalf("before sharing: %+v, want both by name only, in join order", ms)
	}
	var me struct {
		Groups []struct {
			ID                          string
			ShareTrained, ShareSessions bool
		}
	}
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me", Token: c.peerMember.Token}, http.StatusOK, &me)
	if len(me.Groups) != 1 || me.Groups[0].ShareTrained || me.Groups[0].ShareSessions {
		t.Fatalf("the member's choices by default: %+v, want off", me.Groups)
	}

	if r := c.share(t, c.peerMember, map[string]bool{"shareTrained": true}); r.Status != http.StatusNoContent {
		t.Fatalf("share: %d %s", r.Status, r.Body)
	}
	ms = c.peerMembersAs(t, other)
	if ms[0].TrainedThisWeek == nil || *ms[0].TrainedThisWeek || ms[0].SessionsThisWeek != nil {
		t.Errorf("shared, nothing logged: %+v, want trained this week: no", ms[0])
	}
	at := e.clock.Now().Add(-2 * time.Hour)
	if r := e.push(c.peerMember, "pm1", synctest.Session(t, "pm-s1", synctest.Stamp(e.clock.Now(), "phone"),
		"startedAt", at.Format(time.RFC3339), "durationMin", 38, "sessionRpe", 7, "moodBefore", 2, "moodAfter", 4, "note", "vondt i kneet",
		"intervals", []map[string]int{{"rpe": 16, "hrPeak": 171}, {"rpe": 16}, {"rpe": 17}, {"rpe": 17}})); r.Status != http.StatusOK {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	if r := c.share(t, c.peerMember, map[string]bool{"shareSessions": true}); r.Status != http.StatusNoContent {
		t.Fatalf("share: %d %s", r.Status, r.Body)
	}
	for _, s := range []session{other, c.peerLeader, c.peerMember} {
		ms = c.peerMembersAs(t, s)
		if ms[0].TrainedThisWeek == nil || !*ms[0].TrainedThisWeek || ms[0].SessionsThisWeek == nil || *ms[0].SessionsThisWeek != 1 || ms[1].TrainedThisWeek != nil {
			t.Errorf("as %s: %+v, want the member's tick and one session, nothing of the other", s.User.Email, ms)
		}
	}
	for _, m := range c.peerMembersAs(t, c.admin) {
		if m.TrainedThisWeek != nil || m.SessionsThisWeek != nil {
			t.Errorf("an admin sees %+v, want names only", m)
		}
	}

	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me", Token: c.peerMember.Token}, http.StatusOK, &me)
	if !me.Groups[0].ShareTrained || !me.Groups[0].ShareSessions {
		t.Errorf("the member's choices: %+v, want both on", me.Groups)
	}
	c.e.do(req{Method: "PATCH", Path: "/api/v1/me/groups/" + c.groupA, Token: c.patientA.Token, Body: map[string]bool{"shareTrained": true}}).
		ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
}

type attendanceBody struct {
	Weeks []struct {
		Week  string
		Count int
	}
	Dates    []string
	Sessions []struct {
		Date    string
		Present []string
	}
	Members []struct{ UserID, Name, Since string }
}

// TestAttendanceThroughTheAPI: the leader ticks and unticks who came,
// reads the weekly counts, and is refused future days and non-members.
func TestAttendanceThroughTheAPI(t *testing.T) {
	c := newClinic(t)
	e := c.e
	put := func(date string, ids ...string) *resp {
		if ids == nil {
			ids = []string{}
		}
		return e.do(req{Method: "PUT", Path: "/api/v1/groups/" + c.peerGroup + "/attendance/" + date, Token: c.peerLeader.Token,
			Body: map[string]any{"present": ids}})
	}
	var d struct {
		Date    string
		Present []string
	}
	e.client.Must(t, req{Method: "PUT", Path: "/api/v1/groups/" + c.peerGroup + "/attendance/" + peerToday, Token: c.peerLeader.Token,
		Body: map[string]any{"present": []string{c.peerMember.User.ID}}}, http.StatusOK, &d)
	if d.Date != peerToday || !slices.Equal(d.Present, []string{c.peerMember.User.ID}) {
		t.Errorf("tick: %+v", d)
	}
	put(peerNextDate, c.peerMember.User.ID).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	put(peerToday, c.patientA.User.ID).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	put(peerToday, c.peerLeft.User.ID).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
	e.do(req{Method: "PUT", Path: "/api/v1/groups/" + c.peerGroup + "/attendance/" + peerToday, Token: c.peerLeader.Token,
		Body: map[string]any{}}).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")

	var rec attendanceBody
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup + "/attendance?weeks=12", Token: c.peerLeader.Token}, http.StatusOK, &rec)
	if len(rec.Weeks) != 12 || rec.Weeks[11].Week != "2026-W10" || rec.Weeks[11].Count != 1 || len(rec.Sessions) != 1 ||
		rec.Sessions[0].Date != peerToday || len(rec.Members) != 1 || rec.Members[0].Name != "Pat pm@example.org" {
		t.Errorf("record: %+v", rec)
	}
	// The weekly session is on Wednesdays: none has happened yet, so
	// the dates offered are the ticked one.
	if !slices.Equal(rec.Dates, []string{peerToday}) {
		t.Errorf("dates: %v", rec.Dates)
	}
	if r := put(peerToday); r.Status != http.StatusOK {
		t.Fatalf("untick: %d %s", r.Status, r.Body)
	}
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup + "/attendance", Token: c.peerLeader.Token}, http.StatusOK, &rec)
	if rec.Weeks[11].Count != 0 || len(rec.Sessions) != 0 {
		t.Errorf("after unticking: %+v", rec)
	}
	e.do(req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup + "/attendance?weeks=54", Token: c.peerLeader.Token}).
		ExpectError(t, http.StatusUnprocessableEntity, "validation_failed")
}

// TestLeavingEndsPeerSharing: before leaving, the member's export holds
// their answers, ticks and choices; after, their name, shared tick,
// answer for the next session and ticks are gone from the group's view,
// and from the store.
func TestLeavingEndsPeerSharing(t *testing.T) {
	c := newClinic(t)
	e := c.e
	if r := c.share(t, c.peerMember, map[string]bool{"shareTrained": true, "shareSessions": true}); r.Status != http.StatusNoContent {
		t.Fatalf("share: %d %s", r.Status, r.Body)
	}
	if r := c.rsvp(c.peerMember, peerNextDate, true); r.Status != http.StatusOK {
		t.Fatalf("rsvp: %d %s", r.Status, r.Body)
	}
	if r := e.do(req{Method: "PUT", Path: "/api/v1/groups/" + c.peerGroup + "/attendance/" + peerToday, Token: c.peerLeader.Token,
		Body: map[string]any{"present": []string{c.peerMember.User.ID}}}); r.Status != http.StatusOK {
		t.Fatalf("tick: %d %s", r.Status, r.Body)
	}

	type exportBody struct {
		Groups []struct {
			ID                          string
			ShareTrained, ShareSessions bool
		}
		RSVPs []struct {
			GroupID, Date string
			Coming        bool
		}
		Attendance []struct{ GroupID, Date string }
	}
	var x exportBody
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me/export", Token: c.peerMember.Token}, http.StatusOK, &x)
	if len(x.Groups) != 1 || !x.Groups[0].ShareTrained || !x.Groups[0].ShareSessions ||
		len(x.RSVPs) != 1 || x.RSVPs[0].GroupID != c.peerGroup || x.RSVPs[0].Date != peerNextDate || !x.RSVPs[0].Coming ||
		len(x.Attendance) != 1 || x.Attendance[0].Date != peerToday || x.Attendance[0].GroupID != c.peerGroup {
		t.Errorf("export before leaving: %+v", x)
	}

	if r := e.do(req{Method: "DELETE", Path: "/api/v1/me/groups/" + c.peerGroup, Token: c.peerMember.Token}); r.Status != http.StatusNoContent {
		t.Fatalf("leave: %d %s", r.Status, r.Body)
	}
	if ms := c.peerMembersAs(t, c.peerLeader); len(ms) != 0 {
		t.Errorf("the leader sees %+v after the member left, want nobody", ms)
	}
	_, next := c.peerGroupAs(t, c.peerLeader)
	if next.Coming != 0 || len(next.ComingNames) != 0 {
		t.Errorf("next session after the member left: %+v, want nobody coming", next)
	}
	var rec attendanceBody
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup + "/attendance", Token: c.peerLeader.Token}, http.StatusOK, &rec)
	if rec.Weeks[11].Count != 0 || len(rec.Sessions) != 0 || len(rec.Members) != 0 {
		t.Errorf("attendance after the member left: %+v, want no tick and nobody", rec)
	}
	x = exportBody{}
	e.client.Must(t, req{Method: "GET", Path: "/api/v1/me/export", Token: c.peerMember.Token}, http.StatusOK, &x)
	if len(x.Groups) != 0 || len(x.RSVPs) != 0 || len(x.Attendance) != 0 {
		t.Errorf("export after leaving: %+v, want nothing of the group kept", x)
	}
}
