package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
)

type inviteHandlers struct {
	invites *account.Invites
	now     func() time.Time
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
	inv, err := h.invites.CreateRole(c.Request().Context(), currentUser(c), req.Role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toInviteJSON(inv, inv.CreatedAt))
}

type invitesResponse struct {
	Invites []inviteJSON `json:"invites"`
}

// list returns the invites the user created, newest first.
func (h *inviteHandlers) list(c echo.Context) error {
	invs, err := h.invites.List(c.Request().Context(), currentUser(c))
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

// revoke makes an invite unusable (account.Invites.Revoke).
func (h *inviteHandlers) revoke(c echo.Context) error {
	if err := h.invites.Revoke(c.Request().Context(), currentUser(c), c.Param("code")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
