package account

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	gosync "sync"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// SetupTTL is how long a first-run setup link works.
const SetupTTL = time.Hour

// SetupStore is what Setup needs.
type SetupStore interface {
	Staff(ctx context.Context) ([]store.User, error)
	CreateUser(ctx context.Context, u store.User) error
	UserByEmail(ctx context.Context, email string) (store.User, error)
}

// Setup is the first run of a clinic with no admin and none configured:
// the server prints a link holding a one-time token, and whoever opens it
// first creates the first admin in the browser (as PocketBase does for its
// first superuser). The token lives in this process only, works once and
// expires; a restart prints a new one while there is still no admin.
type Setup struct {
	store SetupStore
	hash  *Hasher
	now   func() time.Time
	rand  io.Reader

	mu      gosync.Mutex
	token   string
	expires time.Time
}

// NewSetup returns the first-run rules over st.
func NewSetup(st SetupStore, h *Hasher, now func() time.Time, rand io.Reader) *Setup {
	return &Setup{store: st, hash: h, now: now, rand: rand}
}

// hasAdmin reports whether an admin account exists.
func (s *Setup) hasAdmin(ctx context.Context) (bool, error) {
	staff, err := s.store.Staff(ctx)
	if err != nil {
		return false, err
	}
	for _, u := range staff {
		if u.Role == store.RoleAdmin {
			return true, nil
		}
	}
	return false, nil
}

// Open draws the setup token when no admin exists, and returns it with
// its expiry; "" when there is an admin already.
func (s *Setup) Open(ctx context.Context) (token string, expires time.Time, err error) {
	if ok, err := s.hasAdmin(ctx); err != nil || ok {
		return "", time.Time{}, err
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", time.Time{}, fmt.Errorf("setup token: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token, s.expires = base64.RawURLEncoding.EncodeToString(b), s.now().Add(SetupTTL)
	return s.token, s.expires, nil
}

// claim uses the token up if it is the open one and has not expired.
func (s *Setup) claim(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := s.token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1 && s.now().Before(s.expires)
	if ok {
		s.token = ""
	}
	return ok
}

// CreateAdmin creates the first admin with the setup token. Every field
// is checked before the token is used up, so a typo does not cost the
// link; a wrong, used or expired token, or an admin that exists already,
// gets the same refusal.
func (s *Setup) CreateAdmin(ctx context.Context, token string, r Registration) (store.User, error) {
	var f fields
	email, err := NormalizeEmail(r.Email)
	f.check("email", err)
	f.check("password", validPassword(r.Password))
	name, err := normalizeName(r.Name)
	f.check("name", err)
	if err := f.err(); err != nil {
		return store.User{}, err
	}
	refused := invalid("token", "this setup link is used or expired; restart the server for a new one")
	if ok, err := s.hasAdmin(ctx); err != nil {
		return store.User{}, err
	} else if ok || !s.claim(token) {
		return store.User{}, refused
	}
	u, err := newUser(ctx, s.hash, s.rand, s.now().UTC(), newAccount{Email: email, Password: r.Password, Name: name,
		Role: store.RoleAdmin, Language: DefaultLanguage})
	if err != nil {
		return store.User{}, err
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return store.User{}, err
	}
	return u, nil
}
