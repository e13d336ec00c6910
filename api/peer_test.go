package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"
)

type groupSessionBody struct {
	Date, Time, Place, Note string
	Coming                  int
	ComingNames             []string
	MyAnswer                *bool
}

// peerGroupAs reads the peer group as s, with its top-level keys.
func (c *clinic) peerGroupAs(t *testing.T, s session) (keys []string, next *groupSessionBody) {
	t.Helper()
	r := c.e.do(req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup, Token: s.Token})
	if r.Status != http.StatusOK {
		t.Fatalf("GET peer group: %d %s", r.Status, r.Body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if n, ok := raw["nextSession"]; ok {
		next = new(groupSessionBody)
		if err := json.Unmarshal(n, next); err != nil {
			t.Fatal(err)
		}
	}
	return keys, next
}

func (c *clinic) rsvp(s session, date string, coming bool) *resp {
	return c.e.do(req{Method: "PUT", Path: "/api/v1/groups/" + c.peerGroup + "/rsvp", Token: s.Token,
		Body: map[string]any{"date": date, "coming": coming}})
}

// TestGroupSessionContract: a member sees the schedule and the next
// session with who is coming by name — and nothing about anyone's
// training; answers count until the member leaves; a late answer from an
// offline queue does not land on next week's session.
func TestGroupSessionContract(t *testing.T) {
	c := newClinic(t)
	e := c.e
	keys, next := c.peerGroupAs(t, c.peerMember)
	if want := []string{"createdAt", "id", "kind", "members", "name", "nextSession", "ownerId", "schedule", "upcoming"}; !slices.Equal(keys, want) {
		t.Errorf("a member sees %v, want %v (the members by name, nothing of anyone's training)", keys, want)
	}
	if next == nil || next.Date != peerNextDate || next.Time != "18:00" || next.Place != "Inngangen til parken" || next.Coming != 0 || next.MyAnswer != nil {
		t.Fatalf("nextSession = %+v, want %s 18:00 at the park, nobody coming yet", next, peerNextDate)
	}

	if r := c.rsvp(c.peerMember, peerNextDate, true); r.Status != http.StatusOK {
		t.Fatalf("rsvp: %d %s", r.Status, r.Body)
	}
	_, next = c.peerGroupAs(t, c.peerLeader)
	if next.Coming != 1 || !slices.Equal(next.ComingNames, []string{"Pat pm@example.org"}) || next.MyAnswer != nil {
		t.Errorf("the leader sees %+v, want the member coming", next)
	}
	if r := c.rsvp(c.peerMember, peerNextDate, false); r.Status != http.StatusOK {
		t.Fatalf("rsvp (not this time): %d %s", r.Status, r.Body)
	}
	_, next = c.peerGroupAs(t, c.peerMember)
	if next.Coming != 0 || next.MyAnswer == nil || *next.MyAnswer {
		t.Errorf("after \"not this time\": %+v, want nobody coming and the member's no", next)
	}

	if r := c.rsvp(c.peerMember, "2026-03-11", true); r.Status != http.StatusConflict {
		t.Errorf("answer for a session that is not the next: %d %s, want 409", r.Status, r.Body)
	}
	if r := c.rsvp(c.peerMember, "4 March", true); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("answer with a bad date: %d %s, want 422", r.Status, r.Body)
	}
	bad := e.do(req{Method: "PUT", Path: "/api/v1/groups/" + c.peerGroup + "/schedule", Token: c.peerLeader.Token,
		Body: map[string]any{"weekday": 8, "time": "25:00", "place": "P", "note": string(make([]byte, 281))}})
	if bad.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad schedule: %d %s, want 422", bad.Status, bad.Body)
	}

	// An hour after it began the session is over: next week's is next,
	// and the queued yes for the past one is refused.
	if r := c.rsvp(c.peerMember, peerNextDate, true); r.Status != http.StatusOK {
		t.Fatalf("rsvp: %d %s", r.Status, r.Body)
	}
	e.clock.Advance(time.Date(2026, 3, 4, 18, 0, 0, 0, time.UTC).Sub(e.clock.Now()))
	c.peerMember = e.login(c.peerMember.User.Email, "correct horse battery")
	c.peerLeader = e.login(c.peerLeader.User.Email, "correct horse battery")
	_, next = c.peerGroupAs(t, c.peerMember)
	if next.Date != "2026-03-11" || next.Coming != 0 || next.MyAnswer != nil {
		t.Errorf("after the session: %+v, want 2026-03-11 with no answers", next)
	}
	if r := c.rsvp(c.peerMember, peerNextDate, true); r.Status != http.StatusConflict {
		t.Errorf("late answer for the past session: %d %s, want 409", r.Status, r.Body)
	}

	// A member who left sees nothing, answers nothing, and is not counted.
	if r := c.rsvp(c.peerMember, "2026-03-11", true); r.Status != http.StatusOK {
		t.Fatalf("rsvp: %d %s", r.Status, r.Body)
	}
	if r := e.do(req{Method: "DELETE", Path: "/api/v1/me/groups/" + c.peerGroup, Token: c.peerMember.Token}); r.Status != http.StatusNoContent {
		t.Fatalf("leave: %d %s", r.Status, r.Body)
	}
	if r := e.do(req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup, Token: c.peerMember.Token}); r.Status != http.StatusNotFound {
		t.Errorf("a member who left reads the group: %d, want 404", r.Status)
	}
	if r := c.rsvp(c.peerMember, "2026-03-11", true); r.Status != http.StatusNotFound {
		t.Errorf("a member who left answers: %d, want 404", r.Status)
	}
	if r := e.do(req{Method: "PUT", Path: "/api/v1/groups/" + c.peerGroup + "/schedule", Token: c.peerMember.Token, Body: peerSchedule}); r.Status != http.StatusNotFound {
		t.Errorf("a member who left sets the schedule: %d, want 404", r.Status)
	}
	_, next = c.peerGroupAs(t, c.peerLeader)
	if next.Coming != 0 {
		t.Errorf("after the member left: %+v, want nobody coming", next)
	}
}
