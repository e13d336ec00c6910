package api

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
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
	PullEach(ctx context.Context, scope string, cursor int64, limit int, emit func(store.StoredDoc) error) (int64, bool, error)
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
	// answers keeps writers of pull answers with their buffers: a page of
	// a year of sessions is about 100 kB, and growing a fresh one for
	// every pull costs copies and page faults. Unlike a sync.Pool, which
	// the garbage collector empties every cycle or two (on a busy server,
	// every few pulls), a writer kept here stays.
	answers chan *pullAnswer
	// decoders holds a place for each push being decoded: at most
	// GOMAXPROCS − 1 at once (at least one), so that the single writer,
	// which sets the pace of every push, always finds a core free
	// (docs/benchmarks.md, "The writer's core").
	decoders chan struct{}
}

// Pull answer buffers: at most pullBuffers kept, none larger than
// maxPooledBuf (a full page of 1,000 sessions fits).
const (
	pullBuffers  = 8
	maxPooledBuf = 1 << 20
)

// newSyncHandlers returns the sync endpoints on s, each user within quota.
func newSyncHandlers(s syncStore, now func() time.Time, quota Quota) *syncHandlers {
	return &syncHandlers{store: s, now: now, usage: newUsageCache(s.Usage, quota, now), answers: make(chan *pullAnswer, pullBuffers),
		decoders: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))}
}

// push decodes and validates a batch (sync.DecodePushRequest lists every
// rejected document and field), refuses stamps too far in the future, and
// applies the batch whole or not at all.
func (h *syncHandlers) push(c echo.Context) error {
	data, err := readBody(c)
	if err != nil {
		return err
	}
	req, err := h.decode(c.Request().Context(), data)
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

// decode decodes a push body when a decoder's place is free (see
// decoders), or answers busy if the request ends first (its deadline, or
// the client gone: the log tells them apart).
func (h *syncHandlers) decode(ctx context.Context, data []byte) (sync.PushRequest, error) {
	select {
	case h.decoders <- struct{}{}:
	case <-ctx.Done():
		e := busy()
		e.Cause = context.Cause(ctx)
		return sync.PushRequest{}, e
	}
	defer func() { <-h.decoders }()
	return sync.DecodePushRequest(data, training.Schema{})
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
	var a *pullAnswer
	select {
	case a = <-h.answers:
	default:
		a = &pullAnswer{seen: map[string]int{}}
	}
	defer h.keep(a)
	// The answer is written from the rows as the store reads them: no
	// page of copies in between (docs/benchmarks.md).
	a.begin(nil)
	next, more, err := h.store.PullEach(c.Request().Context(), currentUser(c).ID, cursor, limit, a.add)
	if err != nil {
		return err
	}
	buf, err := a.finish(next, more, h.now().UnixMilli())
	if err != nil {
		return err
	}
	// With its length known, the answer goes out in one write, not in
	// chunks.
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(buf)))
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, buf)
}

// keep offers a for reuse by a later pull, holding none of its
// documents' IDs.
func (h *syncHandlers) keep(a *pullAnswer) {
	clear(a.docs)
	clear(a.seen)
	if cap(a.b) > maxPooledBuf {
		return
	}
	select {
	case h.answers <- a:
	default: // enough kept
	}
}

// pullAnswer writes the answer to a pull as the store hands it the
// page's log entries (store.PullEach): the bytes encoding/json's Encoder
// writes for the sync.PullResponse of the page Pull would return (echo's
// c.JSON, the answer's form since the first release), newline included.
// An entry that a later one of the same document supersedes is taken out
// again at the end, so each document comes once, with its newest state,
// at the position of that state.
//
// The stored fields of a document are encoding/json's form of its fields
// map but for escaping for HTML, which the answer has (< > & and U+2028,
// U+2029 as \u escapes). So the answer is written from the stored bytes,
// and handed to the JSON library to escape only when it holds one of
// those characters; documents pushed through the API never do, their
// values being canonical. (Formatting every answer with the library costs
// nearly as much as the rest of a pull: docs/benchmarks.md.) A string with
// invalid UTF-8 gets U+FFFD in its place, as encoding/json does.
type pullAnswer struct {
	b     []byte
	start int            // where the answer begins in b
	docs  []docSpan      // the entries written, in order
	seen  map[string]int // index in docs of each document's last entry
}

// docSpan is where one entry of the answer lies in its buffer.
type docSpan struct {
	id         string
	start, end int
}

// docsAt is where the first document of an answer begins.
const docsAt = len(`{"docs":[`)

// begin starts an answer after the bytes of b (reused when nil).
func (a *pullAnswer) begin(b []byte) {
	if b == nil {
		b = a.b[:0]
	}
	a.start = len(b)
	a.b = append(b, `{"docs":[`...)
	a.docs = a.docs[:0]
	clear(a.seen)
}

// add writes one entry; d's bytes are not kept.
func (a *pullAnswer) add(d store.StoredDoc) error {
	b := a.b
	if len(a.docs) > 0 {
		b = append(b, ',')
	}
	start := len(b)
	b = append(b, `{"id":`...)
	b, _ = jsontext.AppendQuote(b, d.ID)
	b = append(b, `,"type":`...)
	b, _ = jsontext.AppendQuote(b, d.Type)
	b = append(b, `,"fields":`...)
	b = append(b, d.Fields...)
	b = append(b, '}')
	a.seen[d.ID] = len(a.docs)
	a.docs = append(a.docs, docSpan{id: d.ID, start: start, end: len(b)})
	a.b = b
	return nil
}

// finish ends the answer with the page's cursor and More and the server
// time, and returns it (from where begin started it).
func (a *pullAnswer) finish(cursor int64, more bool, serverTime int64) ([]byte, error) {
	b := a.b
	if len(a.seen) < len(a.docs) {
		// Some document came twice: keep its last entry. Each kept entry
		// moves towards the front, so copy never overwrites one unread.
		w := a.start + docsAt
		kept := 0
		for i, sp := range a.docs {
			if a.seen[sp.id] != i {
				continue
			}
			if kept > 0 {
				b[w] = ','
				w++
			}
			w += copy(b[w:], b[sp.start:sp.end])
			kept++
		}
		b = b[:w]
	}
	b = append(b, `],"cursor":"`...)
	b = strconv.AppendInt(b, cursor, 10)
	b = append(b, `","more":`...)
	b = strconv.AppendBool(b, more)
	b = append(b, `,"serverTime":`...)
	b = strconv.AppendInt(b, serverTime, 10)
	b = append(b, '}')
	if sync.NeedsHTMLEscape(b[a.start:]) {
		answer, err := jsontext.AppendFormat(nil, b[a.start:],
			jsontext.EscapeForHTML(true), jsontext.EscapeForJS(true),
			jsontext.PreserveRawStrings(true), jsontext.AllowInvalidUTF8(true))
		if err != nil {
			return nil, fmt.Errorf("pull: answer: %w", err)
		}
		b = append(b[:a.start], answer...)
	}
	a.b = append(b, '\n')
	return a.b[a.start:], nil
}
