package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// peerDateAfter is the regular session a week after peerNextDate.
const peerDateAfter = "2026-03-11"

type upcomingBody struct {
	Date, RegularDate, Time, Place, Reason string
	Cancelled, Moved                       bool
	Coming                                 int
}

func (c *clinic) changeSession(s session, date string, body map[string]any) *resp {
	return c.e.do(req{Method: "PUT", Path: "/api/v1/groups/" + c.peerGroup + "/sessions/" + date, Token: s.Token, Body: body})
}

func (c *clinic) upcomingAs(t *testing.T, s session) (next upcomingBody, myAnswer *bool, list []upcomingBody) {
	t.Helper()
	r := c.e.do(req{Method: "GET", Path: "/api/v1/groups/" + c.peerGroup, Token: s.Token})
	if r.Status != http.StatusOK {
		t.Fatalf("GET peer group: %d %s", r.Status, r.Body)
	}
	var g struct {
		NextSession struct {
			upcomingBody
			MyAnswer *bool
		}
		Upcoming []upcomingBody
	}
	if err := json.Unmarshal(r.Body, &g); err != nil {
		t.Fatal(err)
	}
	return g.NextSession.upcomingBody, g.NextSession.MyAnswer, g.Upcoming
}

func decodeUpcoming(t *testing.T, r *resp) upcomingBody {
	t.Helper()
	var u upcomingBody
	if err := json.Unmarshal(r.Body, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSessionChanges: the peer leader cancels one date and moves
// another; members see the cancelled session as cancelled (and cannot
// answer for it) and the moved one at its new day, time and place; the
// leader undoes the cancellation; answers follow a moved session.
func TestSessionChanges(t *testing.T) {
	c := newClinic(t)
	_, _, list := c.upcomingAs(t, c.peerLeader)
	if len(list) != 4 || list[0].Date != peerNextDate || list[1].Date != peerDateAfter || list[3].Date != "2026-03-25" || list[0].Cancelled {
		t.Fatalf("upcoming = %+v, want the next 4 Wednesdays from %s", list, peerNextDate)
	}
	if r := c.rsvp(c.peerMember, peerNextDate, true); r.Status != http.StatusOK {
		t.Fatalf("rsvp: %d %s", r.Status, r.Body)
	}

	r := c.changeSession(c.peerLeader, peerNextDate, map[string]any{"cancelled": true, "reason": "Snøstorm"})
	if r.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if got := decodeUpcoming(t, r); !got.Cancelled || got.Reason != "Snøstorm" || got.Date != peerNextDate || got.Coming != 1 {
		t.Errorf("cancel answers %+v, want the cancelled session with its reason", got)
	}
	next, mine, list := c.upcomingAs(t, c.peerMember)
	if !next.Cancelled || next.Reason != "Snøstorm" || next.Date != peerNextDate || mine == nil || !*mine {
		t.Errorf("the member's next session = %+v (answer %v), want it shown cancelled, not skipped", next, mine)
	}
	if len(list) != 4 || !list[0].Cancelled || list[1].Cancelled {
		t.Errorf("the member's upcoming = %+v, want only the first cancelled", list)
	}
	if r := c.rsvp(c.peerMember, peerNextDate, false); r.Status != http.StatusConflict {
		t.Errorf("answer for a cancelled session: %d %s, want 409", r.Status, r.Body)
	}

	r = c.changeSession(c.peerLeader, peerDateAfter, map[string]any{"date": "2026-03-12", "time": "19:00", "place": "Hallen"})
	if r.Status != http.StatusOK {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	if got := decodeUpcoming(t, r); got.Date != "2026-03-12" || got.RegularDate != peerDateAfter || got.Time != "19:00" || got.Place != "Hallen" || !got.Moved || got.Cancelled {
		t.Errorf("move answers %+v, want Thursday 12th at 19:00 in Hallen", got)
	}

	for name, tc := range map[string]struct {
		date   string
		body   map[string]any
		status int
	}{
		"a day that is no session":        {"2026-03-05", map[string]any{"cancelled": true}, http.StatusUnprocessableEntity},
		"not a date":                      {"onsdag", map[string]any{"cancelled": true}, http.StatusUnprocessableEntity},
		"moved to another week":           {peerDateAfter, map[string]any{"date": "2026-03-17"}, http.StatusUnprocessableEntity},
		"cancelled and moved at once":     {peerDateAfter, map[string]any{"cancelled": true, "time": "19:00"}, http.StatusUnprocessableEntity},
		"nothing to change":               {peerDateAfter, map[string]any{}, http.StatusUnprocessableEntity},
		"a reason without cancelling":     {peerDateAfter, map[string]any{"reason": "x", "time": "19:00"}, http.StatusUnprocessableEntity},
		"a bad time":                      {peerDateAfter, map[string]any{"time": "25:00"}, http.StatusUnprocessableEntity},
		"a reason too long":               {peerDateAfter, map[string]any{"cancelled": true, "reason": string(make([]rune, 141))}, http.StatusUnprocessableEntity},
		"more than a year ahead":          {"2027-03-17", map[string]any{"cancelled": true}, http.StatusUnprocessableEntity},
		"a session that is over":          {"2026-02-25", map[string]any{"cancelled": true}, http.StatusConflict},
		"moved back to a time now over":   {peerNextDate, map[string]any{"date": "2026-03-02", "time": "08:00"}, http.StatusConflict},
		"an unknown field is refused too": {peerNextDate, map[string]any{"cancelled": true, "weekday": 4}, http.StatusBadRequest},
	} {
		if r := c.changeSession(c.peerLeader, tc.date, tc.body); r.Status != tc.status {
			t.Errorf("%s: %d %s, want %d", name, r.Status, r.Body, tc.status)
		}
	}

	undo := func(date string) *resp {
		return c.e.do(req{Method: "DELETE", Path: "/api/v1/groups/" + c.peerGroup + "/sessions/" + date, Token: c.peerLeader.Token})
	}
	if r := undo(peerNextDate); r.Status != http.StatusOK || decodeUpcoming(t, r).Cancelled {
		t.Fatalf("undo: %d %s, want the session held again", r.Status, r.Body)
	}
	if r := undo(peerNextDate); r.Status != http.StatusNotFound {
		t.Errorf("undo with no change: %d %s, want 404", r.Status, r.Body)
	}
	if r := c.rsvp(c.peerMember, peerNextDate, false); r.Status != http.StatusOK {
		t.Errorf("answer after the undo: %d %s", r.Status, r.Body)
	}

	// After the 4th, the moved session is next: answered by its day or
	// its regular date, kept under the regular one.
	c.e.clock.Advance(time.Date(2026, 3, 4, 18, 0, 0, 0, time.UTC).Sub(c.e.clock.Now()))
	c.peerMember = c.e.login(c.peerMember.User.Email, "correct horse battery")
	c.peerLeader = c.e.login(c.peerLeader.User.Email, "correct horse battery")
	for _, date := range []string{"2026-03-12", peerDateAfter} {
		if r := c.rsvp(c.peerMember, date, true); r.Status != http.StatusOK {
			t.Errorf("answer for the moved session by %s: %d %s", date, r.Status, r.Body)
		}
	}
	next, mine, _ = c.upcomingAs(t, c.peerLeader)
	if next.Date != "2026-03-12" || next.RegularDate != peerDateAfter || next.Time != "19:00" || next.Coming != 1 || mine != nil {
		t.Errorf("the leader's next session = %+v, want the moved one with the member coming", next)
	}
	if r := undo(peerNextDate); r.Status != http.StatusConflict {
		t.Errorf("undo for a session that is over: %d %s, want 409", r.Status, r.Body)
	}
}

// TestScheduleMovedToAnotherDay: when the leader moves the weekly session
// to another day, the coming sessions' changes of the old day go, so
// moving it back does not bring back a cancellation nobody saw any more;
// a new time on the same day keeps them.
func TestScheduleMovedToAnotherDay(t *testing.T) {
	c := newClinic(t)
	if r := c.changeSession(c.peerLeader, peerNextDate, map[string]any{"cancelled": true, "reason": "Snøstorm"}); r.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	schedule := func(weekday int, clock string) {
		t.Helper()
		body := map[string]any{"weekday": weekday, "time": clock, "place": "Inngangen til parken", "note": ""}
		if r := c.e.do(req{Method: "PUT", Path: "/api/v1/groups/" + c.peerGroup + "/schedule", Token: c.peerLeader.Token, Body: body}); r.Status != http.StatusOK {
			t.Fatalf("schedule: %d %s", r.Status, r.Body)
		}
	}
	schedule(3, "17:00") // the same day, another time
	if next, _, _ := c.upcomingAs(t, c.peerMember); !next.Cancelled || next.Date != peerNextDate {
		t.Fatalf("after a new time the next session = %+v, want it still cancelled", next)
	}
	schedule(4, "18:00") // Thursdays
	next, _, list := c.upcomingAs(t, c.peerMember)
	if next.Date != "2026-03-05" || next.Cancelled {
		t.Errorf("moved to Thursdays, the next session = %+v, want Thursday the 5th, held", next)
	}
	for _, s := range list {
		if s.Cancelled || s.Moved {
			t.Errorf("moved to Thursdays, a coming session is changed: %+v", s)
		}
	}
	schedule(3, "18:00") // back to Wednesdays
	if next, _, _ := c.upcomingAs(t, c.peerMember); next.Date != peerNextDate || next.Cancelled {
		t.Errorf("back on Wednesdays, the next session = %+v, want the 4th held: its cancellation went with the move", next)
	}
}
