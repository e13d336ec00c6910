package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// syncStore is what the sync endpoints need.
type syncStore interface {
	Push(ctx context.Context, scope, batchID string, docs []sync.Doc) (store.PushResult, error)
	Pull(ctx context.Context, scope string, cursor int64, limit int) (store.PullPage, error)
}

// syncHandlers serve the push/pull protocol. The scope is always the
// signed-in user's own id: nobody pushes to or pulls from another scope.
type syncHandlers struct {
	store syncStore
	now   func() time.Time
}

// push decodes and validates a batch (sync.DecodePushRequest lists every
// rejected document and field), refuses stamps too far in the future, and
// applies the batch whole or not at all.
func (h *syncHandlers) push(c echo.Context) error {
	data, err := readBody(c)
	if err != nil {
		return err
	}
	req, err := sync.DecodePushRequest(data)
	if err != nil {
		return err
	}
	now := h.now()
	if err := sync.CheckSkew(req.Docs, now); err != nil {
		return err
	}
	res, err := h.store.Push(c.Request().Context(), currentUser(c).ID, req.BatchID, req.Docs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sync.PushResponse{Applied: res.Applied, ServerTime: h.now().UnixMilli()})
}

// pull returns the next page of the user's change log after cursor.
func (h *syncHandlers) pull(c echo.Context) error {
	var v validator
	var cursor int64
	if s := c.QueryParam("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			v.add("cursor", "not a cursor returned by this server")
		}
		cursor = n
	}
	limit := sync.DefaultPullLimit
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			v.add("limit", "a positive whole number")
		}
		limit = min(n, sync.MaxPullLimit)
	}
	if err := v.err(); err != nil {
		return err
	}
	page, err := h.store.Pull(c.Request().Context(), currentUser(c).ID, cursor, limit)
	if err != nil {
		return err
	}
	docs := page.Docs
	if docs == nil {
		docs = []sync.Doc{}
	}
	return c.JSON(http.StatusOK, sync.PullResponse{Docs: docs, Cursor: strconv.FormatInt(page.Cursor, 10),
		More: page.More, ServerTime: h.now().UnixMilli()})
}
