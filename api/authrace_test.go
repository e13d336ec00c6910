package api_test

import (
	"context"
	"errors"
	"net/http"
	gosync "sync"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/sqlitestore"
)

// hookStore is the real SQLite store with hooks that run inside a request,
// so a test can put another request at an exact point of a handler (a
// deterministic interleaving instead of a timing race). Each hook runs
// once.
type hookStore struct {
	*sqlitestore.Store
	mu                  gosync.Mutex
	beforeCreateUser    func(ctx context.Context, u store.User)
	beforeCreateRefresh func(ctx context.Context, t store.RefreshToken)
	afterCreateRefresh  func(ctx context.Context, t store.RefreshToken)
}

// take returns the hook in *f and disarms it.
func take[F any](h *hookStore, f *F) F {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := *f
	var zero F
	*f = zero
	return out
}

func (h *hookStore) CreateUser(ctx context.Context, u store.User) error {
	if f := take(h, &h.beforeCreateUser); f != nil {
		f(ctx, u)
	}
	return h.Store.CreateUser(ctx, u)
}

func (h *hookStore) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	if f := take(h, &h.beforeCreateRefresh); f != nil {
		f(ctx, t)
	}
	err := h.Store.CreateRefreshToken(ctx, t)
	if f := take(h, &h.afterCreateRefresh); err == nil && f != nil {
		f(ctx, t)
	}
	return err
}

// newHookEnv is newEnv on a hookStore.
func newHookEnv(t *testing.T, configure ...func(*api.Config)) (*env, *hookStore) {
	t.Helper()
	hs := &hookStore{}
	e := newEnv(t, append([]func(*api.Config){func(c *api.Config) {
		hs.Store = c.Store.(*sqlitestore.Store)
		c.Store = hs
	}}, configure...)...)
	return e, hs
}

// post sends a request from inside a hook, where the test's Fatal may not
// be called; it returns the status, or 0 after reporting an error.
func (e *env) post(t *testing.T, path string, c *http.Cookie) int {
	res, err := e.client.Send(t.Context(), req{Method: "POST", Path: path, Cookies: []*http.Cookie{c},
		Header: map[string]string{api.CSRFHeader: api.CSRFValue}})
	if err != nil {
		t.Error(err)
		return 0
	}
	return res.Status
}

// A stolen, already used refresh token presented while its successor is
// being created revokes the family; the successor must die with it, whether
// it was stored just after or just before the revocation.
func TestRefreshReuseDuringRotationRevokesTheNewToken(t *testing.T) {
	for _, when := range []string{"before", "after"} {
		t.Run("reuse "+when+" the new token is stored", func(t *testing.T) {
			e, hs := newHookEnv(t)
			s := e.as("patient", "p@example.org")
			r := e.refresh(s.Cookie) // s.Cookie is now used: the thief's copy
			if r.Status != http.StatusOK {
				t.Fatalf("refresh: %d %s", r.Status, r.Body)
			}
			current := refreshCookieOf(r)
			e.clock.Advance(account.DefaultReuseGrace + time.Second) // a replay now is no retry

			var created string
			thief := 0
			hook := func(ctx context.Context, rt store.RefreshToken) {
				created = rt.Hash
				thief = e.post(t, "/api/v1/auth/refresh", s.Cookie)
			}
			if when == "before" {
				hs.beforeCreateRefresh = hook
			} else {
				hs.afterCreateRefresh = hook
			}
			r = e.refresh(current)
			if thief != http.StatusUnauthorized {
				t.Fatalf("the reused token got %d, want 401", thief)
			}
			r.ExpectError(t, http.StatusUnauthorized, api.CodeInvalidRefresh)
			if cl := refreshCookieOf(r); cl == nil || cl.MaxAge >= 0 {
				t.Fatalf("cookie not cleared: %+v", cl)
			}
			if created == "" {
				t.Fatal("the hook never ran")
			}
			if _, err := e.store.UseRefreshToken(t.Context(), created, e.clock.Now()); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the token created during the revocation is usable: %v", err)
			}
		})
	}
}

// A rotation with no reuse in between still succeeds (the re-check does
// not trip on the token just used).
func TestRefreshRotationChain(t *testing.T) {
	e := newEnv(t)
	c := e.as("patient", "p@example.org").Cookie
	for i := range 3 {
		r := e.refresh(c)
		if r.Status != http.StatusOK {
			t.Fatalf("refresh %d: %d %s", i, r.Status, r.Body)
		}
		c = refreshCookieOf(r)
	}
}

func TestRegisterUsesAnInviteOnlyForACreatedAccount(t *testing.T) {
	t.Run("email taken in a race: the invite stays usable", func(t *testing.T) {
		e, hs := newHookEnv(t)
		code := e.roleInvite(e.as("admin", "root@example.org"), "trainer")
		hs.beforeCreateUser = func(ctx context.Context, u store.User) {
			u.ID = "someone-else"
			if err := hs.Store.CreateUser(ctx, u); err != nil {
				t.Error(err)
			}
		}
		e.do(req{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{
			"email": "t@example.org", "password": "long enough pw", "name": "T", "inviteCode": code}}).
			ExpectError(t, http.StatusConflict, api.CodeEmailTaken)
		if u := e.register("t2@example.org", "long enough pw", "T2", code); u.Role != "trainer" {
			t.Fatalf("registered with the invite as %q", u.Role)
		}
	})
	t.Run("invite used up meanwhile: no account is left behind", func(t *testing.T) {
		e, hs := newHookEnv(t)
		code := e.roleInvite(e.as("admin", "root@example.org"), "trainer")
		hs.beforeCreateUser = func(ctx context.Context, u store.User) {
			if _, err := hs.Store.UseInvite(ctx, code, e.clock.Now()); err != nil {
				t.Error(err)
			}
		}
		r := e.do(req{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{
			"email": "t@example.org", "password": "long enough pw", "name": "T", "inviteCode": code}})
		if eb := r.ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation); eb.Error.Details[0].Field != "inviteCode" {
			t.Fatalf("details %+v", eb.Error.Details)
		}
		if _, err := e.store.UserByEmail(t.Context(), "t@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("account left behind: %v", err)
		}
		if u := e.register("t@example.org", "long enough pw", "T", ""); u.Role != "patient" {
			t.Fatalf("role %q", u.Role)
		}
	})
	t.Run("a used invite is refused before any account is made", func(t *testing.T) {
		e := newEnv(t)
		code := e.roleInvite(e.as("admin", "root@example.org"), "peer_leader")
		e.register("a@example.org", "long enough pw", "A", code)
		e.do(req{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{
			"email": "b@example.org", "password": "long enough pw", "name": "B", "inviteCode": code}}).
			ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
		if _, err := e.store.UserByEmail(t.Context(), "b@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("account made with a used invite: %v", err)
		}
	})
}

// In the Secure-cookie context only the __Host- cookie is read: a plain
// cookie of the same base name can be set by a sibling subdomain or a
// plain-http page (cookie tossing) and must not be used.
func TestRefreshIgnoresAPlainCookieWhereHostPrefixIsUsed(t *testing.T) {
	e := newEnv(t)
	s := e.as("patient", "p@example.org")
	if s.Cookie.Name != "__Host-dagbok_refresh" {
		t.Fatalf("cookie %q on loopback", s.Cookie.Name)
	}
	tossed := &http.Cookie{Name: "dagbok_refresh", Value: s.Cookie.Value}
	e.refresh(tossed).ExpectError(t, http.StatusUnauthorized, api.CodeInvalidRefresh)
	// The tossed copy was never read, so the real cookie was not rotated.
	if r := e.refresh(s.Cookie); r.Status != http.StatusOK {
		t.Fatalf("refresh with the real cookie: %d %s", r.Status, r.Body)
	}
}
