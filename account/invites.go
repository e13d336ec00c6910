package account

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// Invite codes are 12 characters from an alphabet without look-alikes
// (no 0/O, 1/I/L): easy to read aloud and type on a phone, and with the
// join rate limits (api) too many to guess: docs/security.md works out
// the odds.
const (
	inviteAlphabet  = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	inviteCodeLen   = 12
	RoleInviteTTL   = 7 * 24 * time.Hour
	GroupInviteTTL  = 30 * 24 * time.Hour
	inviteAttempts  = 5
	roleInviteUses  = 1
	groupInviteUses = 0 // unlimited until it expires or is revoked
)

// NormalizeInviteCode upper-cases a code and drops spaces and dashes, so
// "abcd-efgh" and "ABCD EFGH" are the same code.
func NormalizeInviteCode(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

func validInviteCode(code string) bool {
	if len(code) != inviteCodeLen {
		return false
	}
	for _, r := range code {
		if !strings.ContainsRune(inviteAlphabet, r) {
			return false
		}
	}
	return true
}

// newInviteCode draws an invite code.
func newInviteCode(r io.Reader) (string, error) { return randomCode(r, inviteCodeLen) }

// randomCode draws size characters uniformly from the invite alphabet
// (rejection sampling, so no letter is more likely than another).
func randomCode(r io.Reader, size int) (string, error) {
	const n = len(inviteAlphabet)
	limit := 256 - 256%n
	out := make([]byte, 0, size)
	buf := make([]byte, 16)
	for len(out) < size {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("random code: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < size {
				out = append(out, inviteAlphabet[int(b)%n])
			}
		}
	}
	return string(out), nil
}

// inviteCreator stores invites.
type inviteCreator interface {
	CreateInvite(ctx context.Context, inv store.Invite) error
}

// createInvite stores a fresh invite, drawing a new code on the rare
// collision.
func createInvite(ctx context.Context, st inviteCreator, r io.Reader, inv store.Invite) (store.Invite, error) {
	for range inviteAttempts {
		code, err := newInviteCode(r)
		if err != nil {
			return inv, err
		}
		inv.Code = code
		err = st.CreateInvite(ctx, inv)
		if errors.Is(err, store.ErrDuplicate) {
			continue
		}
		return inv, err
	}
	return inv, errors.New("no free invite code after several attempts")
}

// InviteStore is what Invites needs.
type InviteStore interface {
	CreateInvite(ctx context.Context, inv store.Invite) error
	InviteByCode(ctx context.Context, code string) (store.Invite, error)
	RevokeInvite(ctx context.Context, code string, now time.Time) error
	InvitesBy(ctx context.Context, userID string) ([]store.Invite, error)
}

// Invites hands out and revokes role invites, and lists what a user
// handed out (group invites included).
type Invites struct {
	store InviteStore
	now   func() time.Time
	rand  io.Reader
}

// NewInvites returns the invite rules over st.
func NewInvites(st InviteStore, now func() time.Time, rand io.Reader) *Invites {
	return &Invites{store: st, now: now, rand: rand}
}

// CreateRole makes a single-use invite for a trainer or peer-leader
// account, handed out by by (the caller lets only admins).
func (iv *Invites) CreateRole(ctx context.Context, by store.User, role store.Role) (store.Invite, error) {
	if role != store.RoleTrainer && role != store.RolePeerLeader {
		return store.Invite{}, invalid("role", `"trainer" or "peer_leader"`)
	}
	now := iv.now().UTC()
	return createInvite(ctx, iv.store, iv.rand, store.Invite{
		Role: role, CreatedBy: by.ID, CreatedAt: now,
		ExpiresAt: now.Add(RoleInviteTTL), MaxUses: roleInviteUses,
	})
}

// List returns the invites the user created, newest first.
func (iv *Invites) List(ctx context.Context, by store.User) ([]store.Invite, error) {
	return iv.store.InvitesBy(ctx, by.ID)
}

// Revoke makes an invite unusable. Only its creator or an admin may; to
// anyone else it does not exist.
func (iv *Invites) Revoke(ctx context.Context, by store.User, code string) error {
	code = NormalizeInviteCode(code)
	if !validInviteCode(code) {
		return errNoInvite()
	}
	inv, err := iv.store.InviteByCode(ctx, code)
	if err != nil {
		return err
	}
	if inv.CreatedBy != by.ID && by.Role != store.RoleAdmin {
		return errNoInvite()
	}
	return iv.store.RevokeInvite(ctx, code, iv.now().UTC())
}

func errNoInvite() *Error { return refuse(NotFound, "no such invite") }

// issuerStore finds who made an invite and for which group.
type issuerStore interface {
	UserByID(ctx context.Context, id string) (store.User, error)
	GroupByID(ctx context.Context, id string) (store.Group, error)
}

// issuerMayInvite reports whether the maker of inv may still make it: an
// admin, or for a group's code the group's leader while still in a leading
// role, and only while the group is not archived. The codes of a demoted
// or erased trainer, or of an archived group, stop working at once,
// without revoking them one by one.
func issuerMayInvite(ctx context.Context, st issuerStore, inv store.Invite) (bool, error) {
	by, err := st.UserByID(ctx, inv.CreatedBy)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if inv.GroupID == "" {
		return by.Role == store.RoleAdmin, nil // only admins make role invites
	}
	g, err := st.GroupByID(ctx, inv.GroupID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	leads := by.Role == store.RoleAdmin || g.OwnerID == by.ID && MayLead(by.Role, g.Kind)
	return err == nil && leads && g.ArchivedAt.IsZero(), err
}

// ParseInviteCode normalises code and reports whether it has the shape of
// an invite code (whether it works is another matter).
func ParseInviteCode(code string) (string, bool) {
	code = NormalizeInviteCode(code)
	return code, validInviteCode(code)
}
