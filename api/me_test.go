package api_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync/synctest"
)

const testPassword = "correct horse battery"

// erase asks DELETE /me with a password.
func (e *env) erase(s session, password string) *resp {
	e.t.Helper()
	return e.do(req{Method: "DELETE", Path: "/api/v1/me", Token: s.Token, Cookies: []*http.Cookie{s.Cookie},
		Body: map[string]string{"password": password}})
}

func TestEraseAccount(t *testing.T) {
	for _, role := range []string{"patient", "trainer", "peer_leader"} {
		t.Run(role, func(t *testing.T) {
			e := newEnv(t)
			email := role + "@example.org"
			s := e.as(role, email)
			if r := e.push(s, "b1", synctest.Session(t, "s1", synctest.Stamp(e.clock.Now(), "phone"), "protocol", "4x4", "note", "tung dag")); r.Status != http.StatusOK {
				t.Fatalf("push: %d %s", r.Status, r.Body)
			}

			r := e.erase(s, testPassword)
			if r.Status != http.StatusNoContent {
				t.Fatalf("erase: %d %s", r.Status, r.Body)
			}
			if c := refreshCookieOf(r); c == nil || c.MaxAge >= 0 || c.Value != "" {
				t.Errorf("refresh cookie not cleared: %+v", c)
			}

			// The account, its tokens and its data are gone.
			if _, err := e.store.UserByID(t.Context(), s.User.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("user after erase: %v", err)
			}
			docs, err := e.store.Docs(t.Context(), s.User.ID)
			if err != nil || len(docs) != 0 {
				t.Errorf("docs after erase: %v %v", docs, err)
			}
			e.do(req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).ExpectError(t, 401, api.CodeUnauthorized)
			if _, pr := e.pull(s, "", 0); pr.Status != http.StatusUnauthorized {
				t.Errorf("pull with the old token: %d %s", pr.Status, pr.Body)
			}
			e.refresh(s.Cookie).ExpectError(t, 401, api.CodeInvalidRefresh)
			e.do(req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": testPassword}}).
				ExpectError(t, 401, api.CodeInvalidCredentials)

			// The email is free again, and a new account starts empty.
			e.register(email, testPassword, "Ny", "")
			again := e.login(email, testPassword)
			if again.User.ID == s.User.ID {
				t.Fatal("new account reuses the old id")
			}
			if out, pr := e.pull(again, "", 0); pr.Status != http.StatusOK || len(out.Docs) != 0 {
				t.Errorf("pull of the new account: %d %+v", pr.Status, out.Docs)
			}
		})
	}
}

func TestEraseAccountRefusals(t *testing.T) {
	e := newEnv(t)
	pat := e.as("patient", "pat@example.org")
	admin := e.as("admin", "admin@example.org")
	del := func(s session, body any) *resp {
		return e.do(req{Method: "DELETE", Path: "/api/v1/me", Token: s.Token, Body: body})
	}

	tests := []struct {
		name   string
		r      func() *resp
		status int
		code   string
	}{
		{"no token", func() *resp {
			return e.do(req{Method: "DELETE", Path: "/api/v1/me", Body: map[string]string{"password": testPassword}})
		}, 401, api.CodeUnauthorized},
		{"bad token", func() *resp {
			return del(session{Token: "not.a.token"}, map[string]string{"password": testPassword})
		}, 401, api.CodeUnauthorized},
		{"wrong password", func() *resp { return e.erase(pat, "wrong horse battery") }, 403, api.CodeWrongPassword},
		{"no password", func() *resp { return del(pat, map[string]string{}) }, 422, api.CodeValidation},
		{"empty body", func() *resp { return del(pat, "") }, 400, api.CodeInvalidJSON},
		{"no body", func() *resp { return del(pat, nil) }, 415, api.CodeUnsupportedMedia},
		{"unknown field", func() *resp {
			return del(pat, map[string]string{"password": testPassword, "really": "yes"})
		}, 400, api.CodeUnknownField},
		{"admin", func() *resp { return e.erase(admin, testPassword) }, 409, api.CodeConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.r().ExpectError(t, tc.status, tc.code)
		})
	}
	// Nothing was erased.
	for _, s := range []session{pat, admin} {
		if _, err := e.store.UserByID(t.Context(), s.User.ID); err != nil {
			t.Errorf("%s after refusals: %v", s.User.Email, err)
		}
		e.login(s.User.Email, testPassword)
	}
}

// Erasing asks the password again and bounds the guesses, in a budget of
// its own: a stranger's wrong sign-ins never block it, and its guesses
// never lock the sign-in.
func TestEraseHasABudgetOfItsOwn(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.LoginPerAccountClient = api.Limit{Burst: 3, Every: time.Minute} })
	pat := e.as("patient", "pat@example.org") // a login that succeeds spends nothing
	for range 4 {
		e.do(req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "pat@example.org", "password": "stranger guess"}})
	}
	for range 3 {
		e.erase(pat, "guess").ExpectError(t, 403, api.CodeWrongPassword)
	}
	r := e.erase(pat, testPassword)
	r.ExpectError(t, 429, api.CodeRateLimited)
	if r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	e.clock.Advance(time.Minute)
	if r := e.erase(pat, testPassword); r.Status != http.StatusNoContent {
		t.Fatalf("erase after waiting: %d %s", r.Status, r.Body)
	}
}
