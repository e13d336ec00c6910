package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// The actors of the authorization matrix.
const (
	patientA   = "patient A"
	patientB   = "patient B"
	trainerA   = "trainer of A's group"
	trainerB   = "trainer of another group"
	peerLeader = "peer leader"
	peerMember = "peer-group member"
	peerOther  = "peer leader of another group"
	peerLeft   = "peer-group member who left"
	admin      = "admin"
	anonymous  = "anonymous"
)

var actors = []string{patientA, patientB, trainerA, trainerB, peerLeader, peerMember, peerOther, peerLeft, admin, anonymous}

func (c *clinic) session(actor string) (session, bool) {
	switch actor {
	case patientA:
		return c.patientA, true
	case patientB:
		return c.patientB, true
	case trainerA:
		return c.trainerA, true
	case trainerB:
		return c.trainerB, true
	case peerLeader:
		return c.peerLeader, true
	case peerMember:
		return c.peerMember, true
	case peerOther:
		return c.peerLeaderB, true
	case peerLeft:
		return c.peerLeft, true
	case admin:
		return c.admin, true
	}
	return session{}, false
}

// statuses maps actors to the status they must get; others is everyone
// not named.
type statuses struct {
	others int
	by     map[string]int
}

func (s statuses) of(actor string) int {
	if st, ok := s.by[actor]; ok {
		return st
	}
	return s.others
}

// signedIn: every signed-in actor gets ok, the anonymous 401.
func signedIn(ok int) statuses {
	return statuses{others: ok, by: map[string]int{anonymous: http.StatusUnauthorized}}
}

// only: the named actors get ok, other signed-in ones other, anonymous 401.
func only(ok, other int, who ...string) statuses {
	s := statuses{others: other, by: map[string]int{anonymous: http.StatusUnauthorized}}
	for _, w := range who {
		s.by[w] = ok
	}
	return s
}

// TestAuthorizationMatrix sends every route as each actor and checks the
// status: who may read and change what, and that nothing leaks to anyone
// else (a 404 to those who may not know a group exists).
func TestAuthorizationMatrix(t *testing.T) {
	const ok, created, none, forbidden, notFound, invalid = 200, 201, 204, 403, 404, 422
	patients := []string{patientA, patientB, peerMember, peerLeft}
	leaders := []string{trainerA, trainerB, peerLeader, peerOther, admin}
	type row struct {
		method, path string // {A} {gA} {gB} {gPeer} {code} are filled in
		body         func(actor string) any
		want         statuses
		// fresh: the request changes what the next actor would see, so
		// each actor gets a clinic of its own.
		fresh bool
	}
	body := func(v any) func(string) any { return func(string) any { return v } }
	rows := []row{
		{method: "GET", path: "/healthz", want: statuses{others: ok}},
		{method: "GET", path: "/readyz", want: statuses{others: ok}},
		{method: "GET", path: "/metrics", want: statuses{others: ok}},
		{method: "GET", path: "/api/v1/openapi.json", want: statuses{others: ok}},
		{method: "POST", path: "/api/v1/auth/register", body: func(actor string) any {
			return map[string]string{"email": strings.ReplaceAll(actor, " ", "-") + "@new.example.org", "password": "correct horse battery", "name": "N"}
		}, want: statuses{others: created}},
		{method: "POST", path: "/api/v1/auth/login", body: func(actor string) any {
			return map[string]string{"email": strings.ReplaceAll(actor, " ", "-") + "@nobody.example.org", "password": "wrong password!"}
		}, want: statuses{others: http.StatusUnauthorized}},
		{method: "POST", path: "/api/v1/auth/refresh", want: statuses{others: forbidden}},
		{method: "POST", path: "/api/v1/auth/logout", want: statuses{others: forbidden}},
		{method: "GET", path: "/api/v1/me", want: signedIn(ok)},
		{method: "PATCH", path: "/api/v1/me", body: body(map[string]any{}), want: signedIn(ok)},
		{method: "DELETE", path: "/api/v1/me", body: body(map[string]string{"password": "not the password"}), want: statuses{others: forbidden, by: map[string]int{
			admin: http.StatusConflict, anonymous: http.StatusUnauthorized}}},
		{method: "GET", path: "/api/v1/me/export", want: signedIn(ok)},
		{method: "GET", path: "/api/v1/me/audit", want: signedIn(ok)},
		{method: "PATCH", path: "/api/v1/me/groups/{gA}", body: body(map[string]bool{"shareHistory": true}), want: only(none, notFound, patientA)},
		{method: "DELETE", path: "/api/v1/me/groups/{gA}", want: only(none, notFound, patientA), fresh: true},
		{method: "POST", path: "/api/v1/invites", body: body(map[string]string{"role": "trainer"}), want: only(created, forbidden, admin)},
		{method: "GET", path: "/api/v1/invites", want: only(ok, forbidden, leaders...)},
		{method: "DELETE", path: "/api/v1/invites/{code}", want: statuses{others: notFound, by: map[string]int{
			trainerA: none, admin: none, anonymous: http.StatusUnauthorized, patientA: forbidden, patientB: forbidden, peerMember: forbidden, peerLeft: forbidden}}, fresh: true},
		{method: "GET", path: "/api/v1/invites/{code}/qr", want: statuses{others: ok}},
		{method: "POST", path: "/api/v1/groups", body: body(map[string]string{"name": "Ny", "kind": "treatment"}), want: statuses{others: forbidden, by: map[string]int{
			trainerA: created, trainerB: created, admin: created, anonymous: http.StatusUnauthorized}}},
		{method: "POST", path: "/api/v1/groups/join", body: body(map[string]string{"code": "ZZZZZZZZ"}), want: only(invalid, forbidden, patients...)},
		{method: "GET", path: "/api/v1/groups/{gA}", want: only(ok, notFound, patientA, trainerA, admin)},
		{method: "PATCH", path: "/api/v1/groups/{gA}", body: body(map[string]string{"name": "Nytt navn"}), want: statuses{others: notFound, by: map[string]int{
			trainerA: ok, admin: ok, anonymous: http.StatusUnauthorized, patientA: forbidden, patientB: forbidden, peerMember: forbidden, peerLeft: forbidden}}},
		{method: "POST", path: "/api/v1/groups/{gA}/invite", want: statuses{others: notFound, by: map[string]int{
			trainerA: created, admin: created, anonymous: http.StatusUnauthorized, patientA: forbidden, patientB: forbidden, peerMember: forbidden, peerLeft: forbidden}}},
		{method: "GET", path: "/api/v1/groups/{gPeer}", want: only(ok, notFound, peerLeader, peerMember, admin)},
		{method: "PUT", path: "/api/v1/groups/{gPeer}/schedule", body: body(peerSchedule), want: statuses{others: notFound, by: map[string]int{
			peerLeader: ok, anonymous: http.StatusUnauthorized, peerMember: forbidden, admin: forbidden}}},
		{method: "PUT", path: "/api/v1/groups/{gA}/schedule", body: body(peerSchedule), want: statuses{others: notFound, by: map[string]int{
			trainerA: http.StatusConflict, anonymous: http.StatusUnauthorized, patientA: forbidden, admin: forbidden}}},
		{method: "PUT", path: "/api/v1/groups/{gPeer}/rsvp", body: body(map[string]any{"date": peerNextDate, "coming": true}), want: statuses{others: notFound, by: map[string]int{
			peerMember: ok, anonymous: http.StatusUnauthorized, peerLeader: forbidden, admin: forbidden}}},
		// The leader cancels the session after the next and undoes it.
		{method: "PUT", path: "/api/v1/groups/{gPeer}/sessions/{peerDate}", body: body(map[string]any{"cancelled": true, "reason": "Vinterferie"}),
			want: statuses{others: notFound, by: map[string]int{peerLeader: ok, anonymous: http.StatusUnauthorized, peerMember: forbidden, admin: forbidden}}},
		{method: "DELETE", path: "/api/v1/groups/{gPeer}/sessions/{peerDate}", want: statuses{others: notFound, by: map[string]int{
			peerLeader: ok, anonymous: http.StatusUnauthorized, peerMember: forbidden, admin: forbidden}}},
		{method: "PUT", path: "/api/v1/groups/{gPeer}/notice", body: body(map[string]string{"text": "Vi trener inne i dag pga. regn"}), want: statuses{others: notFound, by: map[string]int{
			peerLeader: ok, anonymous: http.StatusUnauthorized, peerMember: forbidden, admin: forbidden}}},
		{method: "DELETE", path: "/api/v1/groups/{gPeer}/notice", want: statuses{others: notFound, by: map[string]int{
			peerLeader: none, anonymous: http.StatusUnauthorized, peerMember: forbidden, admin: forbidden}}},
		{method: "PUT", path: "/api/v1/groups/{gA}/notice", body: body(map[string]string{"text": "Vi trener inne i dag pga. regn"}), want: statuses{others: notFound, by: map[string]int{
			trainerA: http.StatusConflict, anonymous: http.StatusUnauthorized, patientA: forbidden, admin: forbidden}}},
		{method: "GET", path: "/api/v1/groups/{gPeer}/attendance", want: statuses{others: notFound, by: map[string]int{
			peerLeader: ok, anonymous: http.StatusUnauthorized, peerMember: forbidden, admin: forbidden}}},
		{method: "GET", path: "/api/v1/groups/{gA}/attendance", want: statuses{others: notFound, by: map[string]int{
			trainerA: http.StatusConflict, anonymous: http.StatusUnauthorized, patientA: forbidden, admin: forbidden}}},
		{method: "PUT", path: "/api/v1/groups/{gPeer}/attendance/{date}", body: body(map[string]any{"present": []string{}}), want: statuses{others: notFound, by: map[string]int{
			peerLeader: ok, anonymous: http.StatusUnauthorized, peerMember: forbidden, admin: forbidden}}},
		{method: "PUT", path: "/api/v1/groups/{gB}/attendance/{date}", body: body(map[string]any{"present": []string{}}), want: statuses{others: notFound, by: map[string]int{
			trainerB: http.StatusConflict, anonymous: http.StatusUnauthorized, admin: forbidden}}},
		{method: "PATCH", path: "/api/v1/me/groups/{gPeer}", body: body(map[string]bool{"shareTrained": true}), want: only(none, notFound, peerMember)},
		{method: "GET", path: "/api/v1/groups/{gA}/progress", want: only(ok, notFound, trainerA, admin)},
		{method: "GET", path: "/api/v1/groups/{gA}/progress.csv", want: only(ok, notFound, trainerA, admin)},
		{method: "GET", path: "/api/v1/groups/{gPeer}/progress", want: only(ok, notFound)},
		{method: "GET", path: "/api/v1/groups/{gB}/progress", want: only(ok, notFound, trainerB, admin)},
		{method: "GET", path: "/api/v1/groups/{gA}/members/{A}", want: only(ok, notFound, trainerA, admin)},
		{method: "GET", path: "/api/v1/groups/{gB}/members/{A}", want: only(ok, notFound)},
		{method: "PUT", path: "/api/v1/groups/{gA}/members/{A}/plan", body: body(map[string]any{"sessionsPerWeek": 2, "days": []int{1, 4}, "time": "17:00"}),
			want: only(ok, notFound, trainerA, admin)},
		{method: "POST", path: "/api/v1/groups/{gA}/members/{A}/measurements", body: body(map[string]any{"date": "2026-03-01", "vo2max": 40}),
			want: only(created, notFound, trainerA, admin)},
		{method: "DELETE", path: "/api/v1/groups/{gA}/members/{A}", want: only(none, notFound, trainerA, admin, patientA), fresh: true},
		{method: "POST", path: "/api/v1/groups/{gA}/members/{A}/invitations/preview", body: body(map[string]string{"code": "{peerCode}"}),
			want: only(ok, notFound, trainerA, admin)},
		{method: "POST", path: "/api/v1/groups/{gA}/members/{A}/invitations", body: body(map[string]string{"code": "{peerCode}"}),
			want: only(created, notFound, trainerA, admin), fresh: true},
		{method: "POST", path: "/api/v1/groups/{gPeer}/members/{A}/invitations", body: body(map[string]string{"code": "{peerCode}"}),
			want: only(created, notFound), fresh: true},
		{method: "GET", path: "/api/v1/me/invitations", want: signedIn(ok)},
		{method: "POST", path: "/api/v1/me/invitations/{inv}/accept", want: statuses{others: forbidden, by: map[string]int{
			patientA: ok, patientB: notFound, peerMember: notFound, peerLeft: notFound, anonymous: http.StatusUnauthorized}}, fresh: true},
		{method: "DELETE", path: "/api/v1/me/invitations/{inv}", want: only(none, notFound, patientA), fresh: true},
		{method: "POST", path: "/api/v1/auth/reset", body: func(actor string) any {
			return map[string]string{"email": strings.ReplaceAll(actor, " ", "-") + "@nobody.example.org", "code": "ABCD-EFGH-JKMN", "password": "a new long password"}
		}, want: statuses{others: invalid}},
		{method: "POST", path: "/api/v1/setup", body: body(map[string]string{"token": "x", "email": "s@example.org", "password": "correct horse battery", "name": "S"}),
			want: statuses{others: notFound}},
		{method: "GET", path: "/api/v1/staff", want: only(ok, forbidden, admin)},
		{method: "PATCH", path: "/api/v1/staff/{tA}", body: body(map[string]string{"role": "peer_leader"}), want: only(ok, forbidden, admin), fresh: true},
		{method: "DELETE", path: "/api/v1/staff/{tA}", want: only(none, forbidden, admin), fresh: true},
		{method: "POST", path: "/api/v1/users/{A}/reset-code", want: statuses{others: forbidden, by: map[string]int{
			trainerA: created, admin: created, trainerB: notFound, anonymous: http.StatusUnauthorized}}},
		{method: "GET", path: "/api/v1/push/vapid-public-key", want: statuses{others: ok}},
		{method: "GET", path: "/api/v1/push/subscriptions", want: signedIn(ok)},
		{method: "POST", path: "/api/v1/push/subscriptions", body: body(map[string]any{"endpoint": "https://127.0.0.1/push",
			"keys": map[string]string{"p256dh": "x", "auth": "y"}}), want: signedIn(invalid)},
		{method: "DELETE", path: "/api/v1/push/subscriptions", body: body(map[string]string{"endpoint": "https://fcm.googleapis.com/fcm/send/none"}), want: signedIn(notFound)},
		{method: "POST", path: "/api/v1/push/test", want: signedIn(ok)},
		{method: "GET", path: "/api/v1/push/settings", want: signedIn(ok)},
		{method: "PUT", path: "/api/v1/push/settings", body: body(map[string]any{"off": []string{}, "leadMinutes": 60, "quietStart": "22:00", "quietEnd": "08:00"}),
			want: signedIn(ok)},
		{method: "POST", path: "/api/v1/sync/push", body: body(map[string]any{"batchId": "matrix", "docs": []any{}}), want: signedIn(ok)},
		{method: "GET", path: "/api/v1/sync/pull", want: signedIn(ok)},
	}

	shared := newClinic(t)
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.method+" "+routePattern(r.path)] = true
		for _, actor := range actors {
			t.Run(r.method+" "+r.path+" as "+actor, func(t *testing.T) {
				c := shared
				if r.fresh {
					c = newClinic(t)
				}
				path := strings.NewReplacer("{A}", c.patientA.User.ID, "{tA}", c.trainerA.User.ID, "{gA}", c.groupA, "{gB}", c.groupB,
					"{gPeer}", c.peerGroup, "{code}", c.inviteA, "{peerDate}", peerDateAfter, "{date}", peerToday, "{inv}", c.invitationA).Replace(r.path)
				q := req{Method: r.method, Path: path}
				if r.body != nil {
					q.Body = r.body(actor)
					if m, ok := q.Body.(map[string]string); ok && m["code"] == "{peerCode}" {
						q.Body = map[string]string{"code": c.peerCode}
					}
				}
				if s, ok := c.session(actor); ok {
					q.Token = s.Token
				}
				res := c.e.do(q)
				if want := r.want.of(actor); res.Status != want {
					t.Errorf("%s %s as %s: %d %s, want %d", r.method, path, actor, res.Status, res.Body, want)
				}
			})
		}
	}
	for _, route := range shared.e.echo.Routes() {
		key := route.Method + " " + route.Path
		if strings.HasSuffix(route.Path, "*") || route.Method == "HEAD" || strings.HasPrefix(route.Method, "echo_route_") {
			continue
		}
		if !covered[key] {
			t.Errorf("route %s is not in the authorization matrix", key)
		}
	}
}

// routePattern turns a matrix path into Echo's route pattern.
func routePattern(path string) string {
	if strings.HasPrefix(path, "/api/v1/staff/") || strings.HasPrefix(path, "/api/v1/users/") {
		return strings.NewReplacer("{tA}", ":id", "{A}", ":id").Replace(path)
	}
	return strings.NewReplacer("{A}", ":userId", "{gA}", ":id", "{gB}", ":id", "{gPeer}", ":id", "{code}", ":code", "{peerDate}", ":date", "{date}", ":date", "{inv}", ":id").Replace(path)
}
