package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
)

// sessionChangeRequest is account.SessionChangeInput on the wire.
type sessionChangeRequest struct {
	Cancelled bool   `json:"cancelled"`
	Reason    string `json:"reason"`
	Date      string `json:"date"`
	Time      string `json:"time"`
	Place     string `json:"place"`
}

// changeSession cancels or moves one date of a peer group's weekly
// session (its peer leader) and returns that session as it now stands.
func (h *groupHandlers) changeSession(c echo.Context) error {
	var req sessionChangeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	s, err := h.groups.ChangeSession(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("date"), account.SessionChangeInput(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUpcomingJSON(s))
}

// restoreSession undoes the change of one date: the session is held as
// scheduled again.
func (h *groupHandlers) restoreSession(c echo.Context) error {
	s, err := h.groups.RestoreSession(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("date"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUpcomingJSON(s))
}
