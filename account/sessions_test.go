package account_test

import (
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

	// The first token again: someone has a copy. Its family dies, the
	// other phone's lives on.
	_, _, err = w.sessions.Refresh(ctx, first)
	wantCode(t, err, account.RefreshRefused)
	_, _, err = w.sessions.Refresh(ctx, second)
	wantCode(t, err, account.RefreshRefused)
	if _, _, err := w.sessions.Refresh(ctx, third); err != nil {
		t.Fatalf("the other family was revoked too: %v", err)
	}
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
