package account_test

import (
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
)

func TestSetupLink(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	setup := w.setup
	token, expires, err := setup.Open(ctx)
	if err != nil || token == "" || !expires.Equal(w.clock.Now().Add(account.SetupTTL)) {
		t.Fatalf("Open = %q, %v, %v", token, expires, err)
	}
	admin := account.Registration{Email: "first@example.org", Password: "correct horse battery", Name: "Første"}
	if _, err := setup.CreateAdmin(ctx, "wrong", admin); account.ErrorCode(err) != account.Invalid {
		t.Fatalf("wrong token: %v", err)
	}
	typo := admin
	typo.Password = "short"
	if _, err := setup.CreateAdmin(ctx, token, typo); account.ErrorCode(err) != account.Invalid {
		t.Fatalf("short password: %v", err)
	}
	u, err := setup.CreateAdmin(ctx, token, admin) // the typo did not use the link up
	if err != nil || u.Role != store.RoleAdmin || u.Name != "Første" {
		t.Fatalf("CreateAdmin = %+v, %v", u, err)
	}
	again := admin
	again.Email = "second@example.org"
	if _, err := setup.CreateAdmin(ctx, token, again); account.ErrorCode(err) != account.Invalid {
		t.Errorf("the link worked twice: %v", err)
	}
	if token, _, err := setup.Open(ctx); token != "" || err != nil {
		t.Errorf("Open with an admin = %q, %v; want no link", token, err)
	}
}

func TestSetupLinkExpires(t *testing.T) {
	w := newWorld(t)
	setup := w.setup
	token, _, err := setup.Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(account.SetupTTL + time.Second)
	if _, err := setup.CreateAdmin(t.Context(), token, account.Registration{Email: "a@example.org", Password: "correct horse battery", Name: "A"}); account.ErrorCode(err) != account.Invalid {
		t.Errorf("an expired link worked: %v", err)
	}
}
