package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

// syncStore is what the sync endpoints need.
type syncStore interface {
	Push(ctx context.Context, scope, batchID string, docs []sync.Doc) (store.PushResult, error)
	Pull(ctx context.Context, scope string, cursor int64, limit int) (store.PullPage, error)
	Usage(ctx context.Context, scope string) (store.Usage, error)
}

// Quota bounds what one user keeps on the server (store.Usage), so that no
// account can fill the disk for everyone. A push is refused while the user
// is at or over either bound; one that starts below may end a little over
// (by at most the pushes a user may have in flight).
type Quota struct {
	Docs  int64 // documents, tombstones included until collected
	Bytes int64 // bytes of fields in documents and change log
}

// syncHandlers serve the push/pull protocol. The scope is always the
// signed-in user's own id: nobody pushes to or pulls from another scope.
type syncHandlers struct {
	store syncStore
	now   func() time.Time
	usage *usageCache
	// bufs keeps buffers for pull answers: a page of a year of sessions is
	// about 100 kB, and growing a fresh one for every pull costs copies
	// and page faults. Unlike a sync.Pool, which the garbage collector
	// empties every cycle or two (on a busy server, every few pulls), a
	// buffer kept here stays.
	bufs chan []byte
}

// Pull answer buffers: at most pullBuffers kept, none larger than
// maxPooledBuf (a full page of 1,000 sessions fits).
const (
	pullBuffers  = 8
	maxPooledBuf = 1 << 20
)

// newSyncHandlers returns the sync endpoints on s, each user within quota.
func newSyncHandlers(s syncStore, now func() time.Time, quota Quota) *syncHandlers {
	return &syncHandlers{store: s, now: now, usage: newUsageCache(s.Usage, quota, now), bufs: make(chan []byte, pullBuffers)}
}

// push decodes and validates a batch (sync.DecodePushRequest lists every
// rejected document and field), refuses stamps too far in the future, and
// applies the batch whole or not at all.
func (h *syncHandlers) push(c echo.Context) error {
	data, err := readBody(c)
	if err != nil {
		return err
	}
	req, err := sync.DecodePushRequest(data, training.Schema{})
	if err != nil {
		return err
	}
	now := h.now()
	if err := sync.CheckSkew(req.Docs, now); err != nil {
		return err
	}
	ctx, scope := c.Request().Context(), currentUser(c).ID
	if err := h.usage.check(ctx, scope); err != nil {
		return err
	}
	res, err := h.store.Push(ctx, scope, req.BatchID, req.Docs)
	if err != nil {
		return err
	}
	h.usage.charge(scope, len(req.Docs), len(data))
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
	var buf []byte
	select {
	case buf = <-h.bufs:
	default:
	}
	buf, err = appendPullAnswer(buf[:0], page, h.now().UnixMilli())
	if err != nil {
		h.keep(buf)
		return err
	}
	// With its length known, the answer goes out in one write, not in
	// chunks.
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(buf)))
	err = c.Blob(http.StatusOK, echo.MIMEApplicationJSON, buf)
	h.keep(buf)
	return err
}

// keep offers buf for reuse by a later pull.
func (h *syncHandlers) keep(buf []byte) {
	if buf == nil || cap(buf) > maxPooledBuf {
		return
	}
	select {
	case h.bufs <- buf:
	default: // enough kept
	}
}

// appendPullAnswer appends the answer to a pull: the bytes encoding/json's
// Encoder writes for the sync.PullResponse of page (echo's c.JSON, the
// answer's form since the first release), newline included.
//
// The stored fields of a document are encoding/json's form of its fields
// map but for escaping for HTML, which the answer has (< > & and U+2028,
// U+2029 as \u escapes). So the answer is written from the stored bytes,
// and handed to the JSON library to escape only when it holds one of
// those characters; documents pushed through the API never do, their
// values being canonical. (Formatting every answer with the library costs
// nearly as much as the rest of a pull: docs/benchmarks.md.) A string with
// invalid UTF-8 gets U+FFFD in its place, as encoding/json does.
func appendPullAnswer(b []byte, page store.PullPage, serverTime int64) ([]byte, error) {
	start := len(b)
	b = append(b, `{"docs":[`...)
	for i, d := range page.Docs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b, _ = jsontext.AppendQuote(b, d.ID)
		b = append(b, `,"type":`...)
		b, _ = jsontext.AppendQuote(b, d.Type)
		b = append(b, `,"fields":`...)
		b = append(b, d.Fields...)
		b = append(b, '}')
	}
	b = append(b, `],"cursor":"`...)
	b = strconv.AppendInt(b, page.Cursor, 10)
	b = append(b, `","more":`...)
	b = strconv.AppendBool(b, page.More)
	b = append(b, `,"serverTime":`...)
	b = strconv.AppendInt(b, serverTime, 10)
	b = append(b, '}')
	if sync.NeedsHTMLEscape(b[start:]) {
		answer, err := jsontext.AppendFormat(nil, b[start:],
			jsontext.EscapeForHTML(true), jsontext.EscapeForJS(true),
			jsontext.PreserveRawStrings(true), jsontext.AllowInvalidUTF8(true))
		if err != nil {
			return b[:start], fmt.Errorf("pull: answer: %w", err)
		}
		b = append(b[:start], answer...)
	}
	return append(b, '\n'), nil
}
