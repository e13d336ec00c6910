package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/api"
)

type group struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	OwnerID    string `json:"ownerId"`
	InviteCode string `json:"inviteCode"`
	Members    []struct {
		UserID string `json:"userId"`
		Name   string `json:"name"`
	} `json:"members"`
}

func (e *env) createGroup(s session, name, kind string) group {
	e.t.Helper()
	r := e.do(req{Method: "POST", Path: "/api/v1/groups", Token: s.Token, Body: map[string]string{"name": name, "kind": kind}})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("create group: %d %s", r.Status, r.Body)
	}
	var g group
	r.Decode(e.t, &g)
	return g
}

func (e *env) roleInvite(admin session, role string) string {
	e.t.Helper()
	r := e.do(req{Method: "POST", Path: "/api/v1/invites", Token: admin.Token, Body: map[string]string{"role": role}})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	var inv struct {
		Code      string    `json:"code"`
		Role      string    `json:"role"`
		ExpiresAt time.Time `json:"expiresAt"`
	}
	r.Decode(e.t, &inv)
	if len(inv.Code) != 12 || strings.ContainsAny(inv.Code, "0O1lI") || inv.Role != role ||
		!inv.ExpiresAt.Equal(e.clock.Now().Add(account.RoleInviteTTL)) {
		e.t.Fatalf("invite %+v", inv)
	}
	return inv.Code
}

// TestRoleChecks runs every route with a token of every role (and none)
// and checks who gets through.
func TestRoleChecks(t *testing.T) {
	e := newEnv(t)
	s := map[string]session{
		"patient":     e.as("patient", "patient@example.org"),
		"trainer":     e.as("trainer", "trainer@example.org"),
		"peer_leader": e.as("peer_leader", "peer@example.org"),
		"admin":       e.as("admin", "admin@example.org"),
	}
	tg := e.createGroup(s["trainer"], "Tirsdagsgruppa", "treatment")
	pg := e.createGroup(s["peer_leader"], "Likepersoner", "peer")

	type want map[string]int // role ("" = no token) → status
	cases := []struct {
		name   string
		method string
		path   string
		body   func(role string) any
		want   want
	}{
		{"me", "GET", "/api/v1/me", nil, want{"": 401, "patient": 200, "trainer": 200, "peer_leader": 200, "admin": 200}},
		{"patch me", "PATCH", "/api/v1/me", func(string) any { return map[string]string{"language": "en"} },
			want{"": 401, "patient": 200, "trainer": 200, "peer_leader": 200, "admin": 200}},
		{"create role invite", "POST", "/api/v1/invites", func(string) any { return map[string]string{"role": "trainer"} },
			want{"": 401, "patient": 403, "trainer": 403, "peer_leader": 403, "admin": 201}},
		{"list invites", "GET", "/api/v1/invites", nil, want{"": 401, "patient": 403, "trainer": 200, "peer_leader": 200, "admin": 200}},
		{"revoke unknown invite", "DELETE", "/api/v1/invites/ABCDEFGH", nil, want{"": 401, "patient": 403, "trainer": 404, "peer_leader": 404, "admin": 404}},
		{"create treatment group", "POST", "/api/v1/groups", func(string) any { return map[string]string{"name": "G", "kind": "treatment"} },
			want{"": 401, "patient": 403, "trainer": 201, "peer_leader": 403, "admin": 201}},
		{"create peer group", "POST", "/api/v1/groups", func(string) any { return map[string]string{"name": "G", "kind": "peer"} },
			want{"": 401, "patient": 403, "trainer": 403, "peer_leader": 201, "admin": 201}},
		{"get treatment group", "GET", "/api/v1/groups/" + tg.ID, nil, want{"": 401, "patient": 404, "trainer": 200, "peer_leader": 404, "admin": 200}},
		{"get peer group", "GET", "/api/v1/groups/" + pg.ID, nil, want{"": 401, "patient": 404, "trainer": 404, "peer_leader": 200, "admin": 200}},
		{"new group invite", "POST", "/api/v1/groups/" + tg.ID + "/invite", nil, want{"": 401, "patient": 403, "trainer": 201, "peer_leader": 404, "admin": 201}},
		{"join group", "POST", "/api/v1/groups/join", func(string) any { return map[string]string{"code": tg.InviteCode} },
			want{"": 401, "patient": 200, "trainer": 403, "peer_leader": 403, "admin": 403}},
		{"sync pull", "GET", "/api/v1/sync/pull", nil, want{"": 401, "patient": 200, "trainer": 200, "peer_leader": 200, "admin": 200}},
		{"sync push", "POST", "/api/v1/sync/push", func(role string) any { return map[string]any{"batchId": "b-" + role, "docs": []any{}} },
			want{"": 401, "patient": 200, "trainer": 200, "peer_leader": 200, "admin": 200}},
	}
	for _, tc := range cases {
		for _, role := range []string{"", "patient", "trainer", "peer_leader", "admin"} {
			t.Run(tc.name+"/"+role, func(t *testing.T) {
				r := req{Method: tc.method, Path: tc.path, Token: s[role].Token}
				if tc.body != nil {
					r.Body = tc.body(role)
				}
				res := e.do(r)
				if res.Status != tc.want[role] {
					t.Fatalf("status %d, want %d: %s", res.Status, tc.want[role], res.Body)
				}
				if res.Status >= 400 {
					res.Err(t)
				}
			})
		}
	}
}

func TestRoleInvites(t *testing.T) {
	e := newEnv(t)
	admin := e.as("admin", "admin@example.org")

	t.Run("single use, code normalised", func(t *testing.T) {
		code := e.roleInvite(admin, "peer_leader")
		typed := strings.ToLower(code[:4]) + "-" + code[4:]
		u := e.register("leader@example.org", "leader password", "Leder", typed)
		if u.Role != "peer_leader" {
			t.Fatalf("role %s", u.Role)
		}
		r := e.do(req{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{"email": "two@example.org", "password": "leader password", "name": "To", "inviteCode": code}})
		eb := r.ExpectError(t, 422, api.CodeValidation)
		if eb.Error.Details[0].Field != "inviteCode" {
			t.Fatalf("details %+v", eb.Error.Details)
		}
	})
	t.Run("expires after 7 days", func(t *testing.T) {
		code := e.roleInvite(admin, "trainer")
		e.clock.Advance(account.RoleInviteTTL + time.Second)
		e.do(req{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{"email": "late@example.org", "password": "trainer password", "name": "Sen", "inviteCode": code}}).
			ExpectError(t, 422, api.CodeValidation)
	})
	t.Run("revoked", func(t *testing.T) {
		admin = e.login("admin@example.org", "correct horse battery") // the clock moved on
		code := e.roleInvite(admin, "trainer")
		r := e.do(req{Method: "DELETE", Path: "/api/v1/invites/" + code, Token: admin.Token})
		if r.Status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		e.do(req{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{"email": "rev@example.org", "password": "trainer password", "name": "R", "inviteCode": code}}).
			ExpectError(t, 422, api.CodeValidation)
		r = e.do(req{Method: "GET", Path: "/api/v1/invites", Token: admin.Token})
		var list struct {
			Invites []struct {
				Code    string `json:"code"`
				Revoked bool   `json:"revoked"`
				Usable  bool   `json:"usable"`
			} `json:"invites"`
		}
		r.Decode(t, &list)
		found := false
		for _, inv := range list.Invites {
			if inv.Code == code {
				found = inv.Revoked && !inv.Usable
			}
		}
		if !found {
			t.Fatalf("revoked invite not listed as revoked: %s", r.Body)
		}
	})
	t.Run("only trainer and peer_leader", func(t *testing.T) {
		for _, role := range []string{"admin", "patient", "boss"} {
			e.do(req{Method: "POST", Path: "/api/v1/invites", Token: admin.Token, Body: map[string]string{"role": role}}).
				ExpectError(t, 422, api.CodeValidation)
		}
	})
}

func TestGroups(t *testing.T) {
	e := newEnv(t)
	trainer := e.as("trainer", "trainer@example.org")
	other := e.as("trainer", "other@example.org")
	g := e.createGroup(trainer, "Onsdagsgruppa", "treatment")
	if g.Kind != "treatment" || g.OwnerID != trainer.User.ID || len(g.InviteCode) != 12 {
		t.Fatalf("group %+v", g)
	}

	// A new patient registers with the group's code and is a member.
	e.register("ny@example.org", "patient password", "Ny", g.InviteCode)
	ny := e.login("ny@example.org", "patient password")
	// An existing patient joins with the code, typed loosely.
	pat := e.as("patient", "pat@example.org")
	loose := " " + strings.ToLower(g.InviteCode[:4]) + " " + g.InviteCode[4:]
	r := e.do(req{Method: "POST", Path: "/api/v1/groups/join", Token: pat.Token, Body: map[string]string{"code": loose}})
	if r.Status != http.StatusOK {
		t.Fatalf("join: %d %s", r.Status, r.Body)
	}
	var joined group
	r.Decode(t, &joined)
	if joined.ID != g.ID {
		t.Fatalf("joined %+v", joined)
	}

	var me struct {
		Groups []struct {
			ID    string `json:"id"`
			Owner bool   `json:"owner"`
		} `json:"groups"`
	}
	e.do(req{Method: "GET", Path: "/api/v1/me", Token: pat.Token}).Decode(t, &me)
	if len(me.Groups) != 1 || me.Groups[0].ID != g.ID || me.Groups[0].Owner {
		t.Fatalf("me groups %+v", me.Groups)
	}

	// The owner sees the members, a member sees the group only, a
	// stranger sees nothing.
	var full group
	e.do(req{Method: "GET", Path: "/api/v1/groups/" + g.ID, Token: trainer.Token}).Decode(t, &full)
	if len(full.Members) != 2 {
		t.Fatalf("members %+v", full.Members)
	}
	var seen group
	e.do(req{Method: "GET", Path: "/api/v1/groups/" + g.ID, Token: ny.Token}).Decode(t, &seen)
	if seen.ID != g.ID || len(seen.Members) != 0 {
		t.Fatalf("member view %+v", seen)
	}
	e.do(req{Method: "GET", Path: "/api/v1/groups/" + g.ID, Token: other.Token}).ExpectError(t, 404, api.CodeNotFound)

	// Another trainer cannot revoke the code; the owner can; then joining fails.
	e.do(req{Method: "DELETE", Path: "/api/v1/invites/" + g.InviteCode, Token: other.Token}).ExpectError(t, 404, api.CodeNotFound)
	if r := e.do(req{Method: "DELETE", Path: "/api/v1/invites/" + g.InviteCode, Token: trainer.Token}); r.Status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	late := e.as("patient", "late@example.org")
	e.do(req{Method: "POST", Path: "/api/v1/groups/join", Token: late.Token, Body: map[string]string{"code": g.InviteCode}}).
		ExpectError(t, 422, api.CodeValidation)

	// A fresh code works, until it expires after 30 days.
	r = e.do(req{Method: "POST", Path: "/api/v1/groups/" + g.ID + "/invite", Token: trainer.Token})
	var inv struct{ Code string }
	r.Decode(t, &inv)
	if r := e.do(req{Method: "POST", Path: "/api/v1/groups/join", Token: late.Token, Body: map[string]string{"code": inv.Code}}); r.Status != http.StatusOK {
		t.Fatalf("join with new code: %d %s", r.Status, r.Body)
	}
	e.clock.Advance(account.GroupInviteTTL + time.Second)
	later := e.as("patient", "later@example.org")
	e.do(req{Method: "POST", Path: "/api/v1/groups/join", Token: later.Token, Body: map[string]string{"code": inv.Code}}).
		ExpectError(t, 422, api.CodeValidation)

	// A role invite is not a group code, and joining with one does not use it up.
	admin := e.as("admin", "admin@example.org")
	code := e.roleInvite(admin, "trainer")
	e.do(req{Method: "POST", Path: "/api/v1/groups/join", Token: later.Token, Body: map[string]string{"code": code}}).
		ExpectError(t, 422, api.CodeValidation)
	if u := e.register("t3@example.org", "trainer password", "T3", code); u.Role != "trainer" {
		t.Fatalf("role %s", u.Role)
	}
}

func TestPatchMe(t *testing.T) {
	e := newEnv(t)
	s := e.as("patient", "p@example.org")
	r := e.do(req{Method: "PATCH", Path: "/api/v1/me", Token: s.Token,
		Body: map[string]any{"name": "Alias", "birthYear": 1985, "hrMax": 188, "sex": "male", "timeZone": "America/New_York", "language": "en"}})
	var out struct{ User user }
	r.Decode(t, &out)
	u := out.User
	if r.Status != 200 || u.Name != "Alias" || *u.BirthYear != 1985 || *u.HRMax != 188 || u.Sex == nil || *u.Sex != "male" || u.TimeZone != "America/New_York" || u.Language != "en" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	e.do(req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Decode(t, &out)
	if out.User.Name != "Alias" || out.User.TimeZone != "America/New_York" || out.User.Sex == nil || *out.User.Sex != "male" {
		t.Fatalf("not stored: %+v", out.User)
	}
	e.do(req{Method: "PATCH", Path: "/api/v1/me", Token: s.Token, Body: map[string]any{"sex": ""}}).Decode(t, &out)
	if out.User.Sex != nil {
		t.Fatalf("sex not cleared: %q", *out.User.Sex)
	}
	for field, v := range map[string]any{
		"timeZone": "Mars/Olympus", "language": "de", "birthYear": 1800, "hrMax": 20, "name": "", "sex": "other",
	} {
		t.Run(field, func(t *testing.T) {
			eb := e.do(req{Method: "PATCH", Path: "/api/v1/me", Token: s.Token, Body: map[string]any{field: v}}).
				ExpectError(t, 422, api.CodeValidation)
			if eb.Error.Details[0].Field != field {
				t.Fatalf("details %+v", eb.Error.Details)
			}
		})
	}
	t.Run("local time zone refused", func(t *testing.T) {
		e.do(req{Method: "PATCH", Path: "/api/v1/me", Token: s.Token, Body: map[string]any{"timeZone": "Local"}}).
			ExpectError(t, 422, api.CodeValidation)
	})
	t.Run("role cannot be patched", func(t *testing.T) {
		e.do(req{Method: "PATCH", Path: "/api/v1/me", Token: s.Token, Body: map[string]any{"role": "admin"}}).
			ExpectError(t, 400, api.CodeUnknownField)
	})
}

// TestAccessFollowsTheStore: the token names the user only, so a demoted
// trainer and a removed member lose access at once, with the same token.
func TestAccessFollowsTheStore(t *testing.T) {
	e := newEnv(t)
	trainer := e.as("trainer", "trainer@example.org")
	g := e.createGroup(trainer, "Gruppa", "treatment")
	pat := e.as("patient", "pat@example.org")
	if r := e.do(req{Method: "POST", Path: "/api/v1/groups/join", Token: pat.Token, Body: map[string]string{"code": g.InviteCode}}); r.Status != 200 {
		t.Fatalf("join: %d %s", r.Status, r.Body)
	}
	if r := e.do(req{Method: "GET", Path: "/api/v1/groups/" + g.ID, Token: pat.Token}); r.Status != 200 {
		t.Fatalf("member view: %d", r.Status)
	}
	if err := e.store.RemoveMember(t.Context(), g.ID, pat.User.ID); err != nil {
		t.Fatal(err)
	}
	e.do(req{Method: "GET", Path: "/api/v1/groups/" + g.ID, Token: pat.Token}).ExpectError(t, 404, api.CodeNotFound)

	u, err := e.store.UserByID(t.Context(), trainer.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	u.Role = "patient"
	if err := e.store.UpdateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	e.do(req{Method: "POST", Path: "/api/v1/groups", Token: trainer.Token, Body: map[string]string{"name": "Ny", "kind": "treatment"}}).
		ExpectError(t, 403, api.CodeForbidden)
	e.do(req{Method: "GET", Path: "/api/v1/groups/" + g.ID, Token: trainer.Token}).ExpectError(t, 404, api.CodeNotFound)

	if err := e.store.DeleteUser(t.Context(), pat.User.ID); err != nil {
		t.Fatal(err)
	}
	e.do(req{Method: "GET", Path: "/api/v1/me", Token: pat.Token}).ExpectError(t, 401, api.CodeUnauthorized)
}
