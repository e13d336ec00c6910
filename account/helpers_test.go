package account_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/sqlitestore"
)

// t0 is the fixed time every test starts at.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// clock is a test clock that moves only when told.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) Advance(d time.Duration) { c.now = c.now.Add(d) }

// world is the account rules over a fresh SQLite store in t.TempDir(),
// with a fixed clock and a seeded random source.
type world struct {
	t        *testing.T
	store    *sqlitestore.Store
	clock    *clock
	accounts *account.Accounts
	sessions *account.Sessions
	invites  *account.Invites
	groups   *account.Groups
	tries    *tries
	setup    *account.Setup
}

func newWorld(t *testing.T) *world {
	t.Helper()
	clk := &clock{now: t0}
	st, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(t.TempDir(), "app.db"), Now: clk.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	rnd := rand.NewChaCha8([32]byte{1})
	hash, err := account.NewHasher(account.Argon2Params{Memory: 1024, Time: 1, Threads: 1}, 2, rnd)
	if err != nil {
		t.Fatal(err)
	}
	tr := &tries{taken: map[string]int{}}
	return &world{
		t: t, store: st, clock: clk, tries: tr,
		accounts: account.NewAccounts(st, hash, tr, clk.Now, rnd),
		sessions: account.NewSessions(st, clk.Now, rnd, account.DefaultReuseGrace),
		invites:  account.NewInvites(st, clk.Now, rnd),
		groups:   account.NewGroups(st, clk.Now, rnd),
		setup:    account.NewSetup(st, hash, clk.Now, rnd),
	}
}

// tries is account.Tries with a fixed number of tries per account (the
// network is not told apart), counting refunds.
type tries struct {
	taken   map[string]int // tries taken and not refunded, by key
	limit   int            // 0: unlimited
	refunds []string
}

var errNoTries = errors.New("no tries left")

func (tr *tries) Take(key, _ string) error {
	if tr.limit > 0 && tr.taken[key] >= tr.limit {
		return errNoTries
	}
	tr.taken[key]++
	return nil
}

func (tr *tries) Refund(key, _ string) {
	tr.taken[key]--
	tr.refunds = append(tr.refunds, key)
}

const pw = "correct horse battery"

// user registers an account of role: patients by themselves, the others
// by an admin's invite.
func (w *world) user(role store.Role, email string) store.User {
	w.t.Helper()
	ctx := w.t.Context()
	if role == store.RoleAdmin {
		if _, err := w.accounts.EnsureAdmin(ctx, email, pw); err != nil {
			w.t.Fatal(err)
		}
		u, err := w.store.UserByEmail(ctx, email)
		if err != nil {
			w.t.Fatal(err)
		}
		return u
	}
	code := ""
	if role != store.RolePatient {
		admin := w.user(store.RoleAdmin, "root@example.org") // an invite works while its maker is an admin
		inv, err := w.invites.CreateRole(ctx, admin, role)
		if err != nil {
			w.t.Fatal(err)
		}
		code = inv.Code
	}
	u, err := w.accounts.Register(ctx, account.Registration{Email: email, Password: pw, Name: "N " + email, InviteCode: code})
	if err != nil {
		w.t.Fatalf("register %s: %v", email, err)
	}
	return u
}

// wantCode fails unless err is an *account.Error of code (or nil when
// code is "").
func wantCode(t *testing.T, err error, code account.Code) {
	t.Helper()
	if got := account.ErrorCode(err); got != code || (code == "" && err != nil) {
		t.Fatalf("error %v (code %q), want code %q", err, got, code)
	}
}

// wantFields fails unless err is Invalid naming exactly fields, in order.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	wantCode(t, err, account.Invalid)
	var e *account.Error
	errors.As(err, &e)
	if len(e.Fields) != len(fields) {
		t.Fatalf("fields %+v, want %v", e.Fields, fields)
	}
	for i, f := range fields {
		if e.Fields[i].Field != f || e.Fields[i].Reason == "" {
			t.Fatalf("fields %+v, want %v", e.Fields, fields)
		}
	}
}

// hookStore is the real store with a hook run before CreateUser, to put
// another request at an exact point of a rule.
type hookStore struct {
	*sqlitestore.Store
	beforeCreateUser func(ctx context.Context)
}

func (h *hookStore) CreateUser(ctx context.Context, u store.User) error {
	if f := h.beforeCreateUser; f != nil {
		h.beforeCreateUser = nil
		f(ctx)
	}
	return h.Store.CreateUser(ctx, u)
}
