package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
)

// noticeJSON is a peer group's notice on the wire: the leader's text,
// when it was posted and the leader's name.
type noticeJSON struct {
	Text     string    `json:"text"`
	PostedAt time.Time `json:"postedAt"`
	By       string    `json:"by"`
}

func toNoticeJSON(n account.Notice) *noticeJSON {
	return &noticeJSON{Text: n.Text, PostedAt: n.PostedAt.UTC(), By: n.By}
}

type noticeRequest struct {
	Text string `json:"text"`
}

// postNotice posts a peer group's notice, replacing the one before (its
// peer leader).
func (h *groupHandlers) postNotice(c echo.Context) error {
	var req noticeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	n, err := h.groups.PostNotice(c.Request().Context(), currentUser(c), c.Param("id"), req.Text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toNoticeJSON(n))
}

// removeNotice takes a peer group's notice down (its peer leader).
func (h *groupHandlers) removeNotice(c echo.Context) error {
	if err := h.groups.RemoveNotice(c.Request().Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
