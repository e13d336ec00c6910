package account

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// RefreshTokenTTL is how long a refresh token is valid after it was issued.
const RefreshTokenTTL = 30 * 24 * time.Hour

// DefaultReuseGrace is how long a rotated refresh token may be presented
// again and still continue its family. Every start of the app refreshes,
// and an answer lost on a weak network (or a browser closed before it
// kept the new cookie) leaves the phone holding the token it just used:
// without a grace its next try would revoke the login. Auth0's reuse
// interval and Okta's grace period do the same; 30 s is the most the
// project allows, since a copy stolen in that window is honoured too.
const DefaultReuseGrace = 30 * time.Second

// SessionStore is what Sessions needs.
type SessionStore interface {
	UserByID(ctx context.Context, id string) (store.User, error)
	CreateRefreshToken(ctx context.Context, t store.RefreshToken) error
	UseRefreshToken(ctx context.Context, hash string, now time.Time) (store.RefreshToken, error)
	RevokeRefreshFamily(ctx context.Context, family string, now time.Time) error
}

// Sessions mints, rotates and revokes refresh tokens. A refresh token is
// opaque (256 random bits); only its hash is stored. The tokens of one
// sign-in form a family: each use rotates the token, and a token used a
// second time revokes its whole family, since someone else has a copy —
// unless it comes back within the reuse grace of its rotation, when it is
// taken for the same device retrying and gets the next token of the family.
type Sessions struct {
	store SessionStore
	now   func() time.Time
	rand  io.Reader
	grace time.Duration
}

// NewSessions returns the refresh-token rules over st. A used token
// presented again within grace of its use continues its family (0: never;
// at most DefaultReuseGrace).
func NewSessions(st SessionStore, now func() time.Time, rand io.Reader, grace time.Duration) *Sessions {
	return &Sessions{store: st, now: now, rand: rand, grace: min(max(grace, 0), DefaultReuseGrace)}
}

// Start begins a session for a user who just signed in and returns its
// first refresh token.
func (s *Sessions) Start(ctx context.Context, userID string) (string, error) {
	family, err := randomToken(s.rand, 16)
	if err != nil {
		return "", err
	}
	return s.create(ctx, userID, family)
}

// Refresh uses the refresh token raw and returns its user with the next
// token of the family. Refused (RefreshRefused): an unknown, expired or
// revoked token, a token used before outside the reuse grace (its family
// is revoked), or one whose account is gone.
func (s *Sessions) Refresh(ctx context.Context, raw string) (store.User, string, error) {
	now := s.now().UTC()
	rt, err := s.store.UseRefreshToken(ctx, hashRefresh(raw), now)
	switch {
	case errors.Is(err, store.ErrTokenReused) && s.inGrace(rt, now):
		// The same device again, its answer lost: carry on below.
	case errors.Is(err, store.ErrTokenReused):
		if err := s.store.RevokeRefreshFamily(ctx, rt.Family, now); err != nil {
			return store.User{}, "", err
		}
		return store.User{}, "", errReused()
	case errors.Is(err, store.ErrNotFound):
		return store.User{}, "", refuse(RefreshRefused, "refresh token invalid or expired; sign in again")
	case err != nil:
		return store.User{}, "", err
	}
	u, err := s.store.UserByID(ctx, rt.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, "", refuse(RefreshRefused, "account no longer exists")
	} else if err != nil {
		return store.User{}, "", err
	}
	next, err := s.create(ctx, u.ID, rt.Family)
	if err != nil {
		return store.User{}, "", err
	}
	// A copy of the old token presented between its use above and the
	// creation of the new one revoked the family before the new token was
	// in it. The old token tells: it was revoked with its family.
	revoked, err := s.familyRevoked(ctx, rt.Hash, now)
	if err != nil {
		return store.User{}, "", err
	}
	if revoked {
		if err := s.store.RevokeRefreshFamily(ctx, rt.Family, now); err != nil {
			return store.User{}, "", err
		}
		return store.User{}, "", errReused()
	}
	return u, next, nil
}

// inGrace reports whether the used token rt, presented again at now, is
// within the reuse grace: used no longer than grace ago, its family alive,
// and not expired.
func (s *Sessions) inGrace(rt store.RefreshToken, now time.Time) bool {
	return s.grace > 0 && rt.RevokedAt.IsZero() && now.Before(rt.ExpiresAt) &&
		!rt.UsedAt.IsZero() && now.Sub(rt.UsedAt) <= s.grace
}

func errReused() *Error {
	return refuse(RefreshRefused, "refresh token was used before; sign in again")
}

// familyRevoked reports whether the rotated token hash, and so its family,
// has been revoked since it was used. Presenting a used token again changes
// nothing in the store: it only returns the token as it is now.
func (s *Sessions) familyRevoked(ctx context.Context, hash string, now time.Time) (bool, error) {
	rt, err := s.store.UseRefreshToken(ctx, hash, now)
	switch {
	case errors.Is(err, store.ErrTokenReused):
		return !rt.RevokedAt.IsZero(), nil
	case errors.Is(err, store.ErrNotFound):
		return true, nil // gone: treat as revoked
	case err != nil:
		return false, err
	}
	return false, fmt.Errorf("refresh token %.8s… was unused after its rotation", hash)
}

// End revokes the refresh token raw and its whole family, as signing out
// does: the token rotated just before it must not continue the login
// through the reuse grace. An unknown token is no error: the session is
// over either way.
func (s *Sessions) End(ctx context.Context, raw string) error {
	now := s.now().UTC()
	rt, err := s.store.UseRefreshToken(ctx, hashRefresh(raw), now)
	switch {
	case err == nil, errors.Is(err, store.ErrTokenReused):
		return s.store.RevokeRefreshFamily(ctx, rt.Family, now)
	case errors.Is(err, store.ErrNotFound):
		return nil // unknown, expired or revoked: nothing left to end
	default:
		return err
	}
}

// create stores a new refresh token of family and returns it.
func (s *Sessions) create(ctx context.Context, userID, family string) (string, error) {
	raw, err := randomToken(s.rand, 32)
	if err != nil {
		return "", err
	}
	now := s.now().UTC()
	rt := store.RefreshToken{Hash: hashRefresh(raw), UserID: userID, Family: family,
		CreatedAt: now, ExpiresAt: now.Add(RefreshTokenTTL)}
	if err := s.store.CreateRefreshToken(ctx, rt); err != nil {
		return "", err
	}
	return raw, nil
}

// randomToken returns n random bytes, base64url-encoded without padding.
func randomToken(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashRefresh is the stored form of a refresh token. The token carries 256
// bits of randomness, so a plain SHA-256 is enough (no salt, no stretching).
func hashRefresh(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
