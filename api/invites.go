package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/store"
)

// Invite codes are 8 characters from an alphabet without look-alikes
// (no 0/O, 1/I/L): easy to read aloud and type on a phone.
const (
	inviteAlphabet  = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	inviteCodeLen   = 8
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

// newInviteCode draws a code uniformly from the alphabet (rejection
// sampling, so no letter is more likely than another).
func newInviteCode(r io.Reader) (string, error) {
	const n = len(inviteAlphabet)
	limit := 256 - 256%n
	out := make([]byte, 0, inviteCodeLen)
	buf := make([]byte, 16)
	for len(out) < inviteCodeLen {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("random invite code: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < inviteCodeLen {
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

// inviteStore is what the invite endpoints need.
type inviteStore interface {
	CreateInvite(ctx context.Context, inv store.Invite) error
	InviteByCode(ctx context.Context, code string) (store.Invite, error)
	RevokeInvite(ctx context.Context, code string, now time.Time) error
	InvitesBy(ctx context.Context, userID string) ([]store.Invite, error)
}

type inviteHandlers struct {
	store inviteStore
	now   func() time.Time
	rand  io.Reader
}

type createInviteRequest struct {
	Role store.Role `json:"role"`
}

type inviteJSON struct {
	Code      string     `json:"code"`
	Role      store.Role `json:"role,omitempty"`
	GroupID   string     `json:"groupId,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt time.Time  `json:"expiresAt"`
	MaxUses   int        `json:"maxUses"`
	Uses      int        `json:"uses"`
	Revoked   bool       `json:"revoked"`
	Usable    bool       `json:"usable"`
}

func toInviteJSON(inv store.Invite, now time.Time) inviteJSON {
	return inviteJSON{Code: inv.Code, Role: inv.Role, GroupID: inv.GroupID, CreatedAt: inv.CreatedAt,
		ExpiresAt: inv.ExpiresAt, MaxUses: inv.MaxUses, Uses: inv.Uses,
		Revoked: !inv.RevokedAt.IsZero(), Usable: inv.Usable(now)}
}

// create makes a single-use invite for a trainer or peer-leader account.
func (h *inviteHandlers) create(c echo.Context) error {
	var req createInviteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Role != store.RoleTrainer && req.Role != store.RolePeerLeader {
		return invalid("role", `"trainer" or "peer_leader"`)
	}
	now := h.now().UTC()
	inv, err := createInvite(c.Request().Context(), h.store, h.rand, store.Invite{
		Role: req.Role, CreatedBy: currentUser(c).ID, CreatedAt: now,
		ExpiresAt: now.Add(RoleInviteTTL), MaxUses: roleInviteUses,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toInviteJSON(inv, now))
}

type invitesResponse struct {
	Invites []inviteJSON `json:"invites"`
}

// list returns the invites the user created, newest first.
func (h *inviteHandlers) list(c echo.Context) error {
	invs, err := h.store.InvitesBy(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	now := h.now().UTC()
	out := invitesResponse{Invites: make([]inviteJSON, 0, len(invs))}
	for _, inv := range invs {
		out.Invites = append(out.Invites, toInviteJSON(inv, now))
	}
	return c.JSON(http.StatusOK, out)
}

// revoke makes an invite unusable. Only its creator or an admin may; to
// anyone else it does not exist.
func (h *inviteHandlers) revoke(c echo.Context) error {
	code := NormalizeInviteCode(c.Param("code"))
	if !validInviteCode(code) {
		return errorf(CodeNotFound, "no such invite")
	}
	ctx := c.Request().Context()
	inv, err := h.store.InviteByCode(ctx, code)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if inv.CreatedBy != u.ID && u.Role != store.RoleAdmin {
		return errorf(CodeNotFound, "no such invite")
	}
	if err := h.store.RevokeInvite(ctx, code, h.now().UTC()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
