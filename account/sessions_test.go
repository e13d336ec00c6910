package account_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
)

func TestSessionRotation(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	u := w.user(store.RolePatient, "pat@example.org")
	first, err := w.sessions.Start(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, second, err := w.sessions.Refresh(ctx, first)
	if err != nil || got.ID != u.ID || second == "" || second == first {
		t.Fatalf("refresh: %+v %q %v", got, second, err)
	}
	third, err := w.sessions.Start(ctx, u.ID) // another phone: another family
	if err != nil {
		t.Fatal(err)
	}

	// The first token again, after the reuse grace: someone has a copy.
	// Its family dies, the other phone's lives on.
	w.clock.Advance(account.DefaultReuseGrace + time.Millisecond)
	_, _, err = w.sessions.Refresh(ctx, first)
	wantCode(t, err, account.RefreshRefused)
	_, _, err = w.sessions.Refresh(ctx, second)
	wantCode(t, err, account.RefreshRefused)
	if _, _, err := w.sessions.Refresh(ctx, third); err != nil {
		t.Fatalf("the other family was revoked too: %v", err)
	}
}

// TestSessionReuseGrace: a phone whose refresh answer was lost sends the
// token it just used again. Within the grace it gets the next token of the
// same login, and every token it was given still works; after the grace
// the same replay revokes the login.
func TestSessionReuseGrace(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	u := w.user(store.RolePatient, "pat@example.org")
	first, err := w.sessions.Start(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, lost, err := w.sessions.Refresh(ctx, first) // the answer never arrives
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(account.DefaultReuseGrace)
	got, again, err := w.sessions.Refresh(ctx, first)
	if err != nil || got.ID != u.ID || again == lost || again == first {
		t.Fatalf("replay within the grace: %+v %q %v", got, again, err)
	}
	next, err := w.refreshes(again)
	if err != nil {
		t.Fatalf("the token given on the replay: %v", err)
	}

	// After the grace the replayed token is a copy: the login ends, and
	// the phone's newest token with it.
	w.clock.Advance(time.Millisecond)
	_, _, err = w.sessions.Refresh(ctx, first)
	wantCode(t, err, account.RefreshRefused)
	_, err = w.refreshes(next)
	wantCode(t, err, account.RefreshRefused)

	t.Run("signed out within the grace", func(t *testing.T) {
		first, err := w.sessions.Start(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, second, err := w.sessions.Refresh(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.sessions.End(ctx, second); err != nil {
			t.Fatal(err)
		}
		_, _, err = w.sessions.Refresh(ctx, first)
		wantCode(t, err, account.RefreshRefused)
	})
	t.Run("no grace", func(t *testing.T) {
		s := account.NewSessions(w.store, w.clock.Now, rand.Reader, 0)
		first, err := s.Start(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Refresh(ctx, first); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Refresh(ctx, first)
		wantCode(t, err, account.RefreshRefused)
	})
}

// refreshes uses raw once and returns the next token.
func (w *world) refreshes(raw string) (string, error) {
	_, next, err := w.sessions.Refresh(w.t.Context(), raw)
	return next, err
}

func TestSessionRefusals(t *testing.T) {
	cases := []struct {
		name  string
		after func(w *world, u store.User, raw string)
	}{
		{"unknown token", func(w *world, u store.User, raw string) {}},
		{"expired", func(w *world, u store.User, raw string) { w.clock.Advance(account.RefreshTokenTTL + time.Second) }},
		{"signed out", func(w *world, u store.User, raw string) {
			if err := w.sessions.End(w.t.Context(), raw); err != nil {
				w.t.Fatal(err)
			}
		}},
		{"account erased", func(w *world, u store.User, raw string) {
			if err := w.accounts.Erase(w.t.Context(), u, pw); err != nil {
				w.t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			u := w.user(store.RolePatient, "pat@example.org")
			raw, err := w.sessions.Start(t.Context(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "unknown token" {
				raw = "never-issued"
			}
			tc.after(w, u, raw)
			_, _, err = w.sessions.Refresh(t.Context(), raw)
			wantCode(t, err, account.RefreshRefused)
		})
	}
	t.Run("ending an unknown session", func(t *testing.T) {
		w := newWorld(t)
		if err := w.sessions.End(t.Context(), "never-issued"); err != nil {
			t.Fatal(err)
		}
	})
}
