package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
)

// invitationHandlers serve peer-group codes handed by a trainer on the
// patient page, and the patient's invitations.
type invitationHandlers struct {
	invitations *account.Invitations
}

type codeRequest struct {
	Code string `json:"code"`
}

// peerGroupJSON is a peer group as its code shows it: no members, nothing
// about anyone's training.
type peerGroupJSON struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	LeaderName    string        `json:"leaderName"`
	Schedule      *scheduleJSON `json:"schedule"` // null when none is set
	CodeExpiresAt time.Time     `json:"codeExpiresAt"`
}

func toPeerGroupJSON(pg account.PeerGroup) peerGroupJSON {
	out := peerGroupJSON{ID: pg.Group.ID, Name: pg.Group.Name, LeaderName: pg.LeaderName, CodeExpiresAt: pg.ExpiresAt}
	if pg.Schedule != nil {
		out.Schedule = toScheduleJSON(*pg.Schedule)
	}
	return out
}

// preview shows the trainer the peer group of a code before handing it.
func (h *invitationHandlers) preview(c echo.Context) error {
	var req codeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	pg, err := h.invitations.Preview(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("userId"), req.Code)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPeerGroupJSON(pg))
}

// hand records a peer group's code as an invitation for a patient.
func (h *invitationHandlers) hand(c echo.Context) error {
	var req codeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	pg, err := h.invitations.Hand(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("userId"), req.Code)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toPeerGroupJSON(pg))
}

type invitationJSON struct {
	ID        string        `json:"id"`
	Group     peerGroupJSON `json:"group"`
	InvitedBy string        `json:"invitedBy"` // "" when the trainer's account is gone
	InvitedAt time.Time     `json:"invitedAt"`
}

type invitationsResponse struct {
	Invitations []invitationJSON `json:"invitations"`
}

// mine lists the signed-in user's standing invitations.
func (h *invitationHandlers) mine(c echo.Context) error {
	invs, err := h.invitations.Mine(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	out := invitationsResponse{Invitations: make([]invitationJSON, len(invs))}
	for i, inv := range invs {
		out.Invitations[i] = invitationJSON{ID: inv.ID, Group: toPeerGroupJSON(inv.PeerGroup), InvitedBy: inv.InvitedBy, InvitedAt: inv.InvitedAt}
	}
	return c.JSON(http.StatusOK, out)
}

// accept joins the peer group of an invitation ("Bli med").
func (h *invitationHandlers) accept(c echo.Context) error {
	j, err := h.invitations.Accept(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, joinedJSON{groupJSON: toGroupJSON(j.Group), OwnerName: j.OwnerName})
}

// decline removes an invitation ("Nei takk").
func (h *invitationHandlers) decline(c echo.Context) error {
	if err := h.invitations.Decline(c.Request().Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
