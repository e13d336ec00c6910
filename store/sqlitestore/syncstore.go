package sqlitestore

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// The hot queries of sync; TestQueryPlans checks that each is one index
// search.
const (
	// headSQL is the scope's last sequence number: the newest log entry,
	// or the head compaction recorded when it collected the entries at the
	// head, whichever is larger. A push thus writes no per-scope row.
	headSQL = `max(
		coalesce((SELECT max(seq) FROM sync_log WHERE scope = ?1), 0),
		coalesce((SELECT head FROM sync_scope WHERE scope = ?1), 0))`
	// pushReadSQL is everything a push reads, in one statement: a row
	// with no ID holding whether the batch was applied before and the
	// scope's head, and the current state of the batch's documents, whose
	// IDs ?3 lists as a JSON array (so one prepared statement serves every
	// batch size).
	pushReadSQL = `SELECT NULL, NULL, NULL, (SELECT applied FROM sync_batch WHERE scope = ?1 AND batch_id = ?2), ` + headSQL + `
		UNION ALL
		SELECT id, type, fields, NULL, NULL FROM sync_doc
		WHERE scope = ?1 AND id IN (SELECT value FROM json_each(?3))`
	// pullSQL reads the scope's horizon (a first row with key 0, when
	// compaction has recorded one) and the log after a cursor in one
	// statement, so both come from the same snapshot. ?3 is the page size
	// plus one, to tell whether more follows.
	pullSQL = `SELECT 0, horizon, '', NULL, NULL FROM sync_scope WHERE scope = ?1
		UNION ALL
		SELECT seq, 0, id, type, fields FROM sync_log WHERE scope = ?1 AND seq > ?2
		ORDER BY 1 LIMIT ?3 + 1`
	docsSQL = "SELECT id, type, fields FROM sync_doc WHERE scope = ? ORDER BY id"
)

// The statements of a push besides its multi-row writes, prepared once on
// the write connection.
const (
	recordBatchSQL = "INSERT INTO sync_batch (scope, batch_id, applied, created_at) VALUES (?,?,?,?)"
)

// pushStmts are the prepared statements of a push.
type pushStmts struct {
	read, recordBatch *sql.Stmt
}

func preparePush(ctx context.Context, db *sql.DB) (*pushStmts, error) {
	var p pushStmts
	for _, st := range []struct {
		dst **sql.Stmt
		sql string
	}{{&p.read, pushReadSQL}, {&p.recordBatch, recordBatchSQL}} {
		var err error
		if *st.dst, err = db.PrepareContext(ctx, st.sql); err != nil {
			p.close()
			return nil, fmt.Errorf("sqlitestore: prepare: %w", err)
		}
	}
	return &p, nil
}

func (p *pushStmts) close() {
	for _, st := range []*sql.Stmt{p.read, p.recordBatch} {
		if st != nil {
			st.Close()
		}
	}
}

// docRow is a document as written to sync_doc and sync_log. A deleted
// row's deleted_at is the server time of the write (see writeDocs), not
// part of the row.
type docRow struct {
	id      string
	typ     string
	deleted bool
	fields  []byte
}

// stored is a document as read back for a merge.
type stored struct {
	doc    sync.Doc
	fields []byte
}

// Push merges a batch into the scope in one write transaction: replay
// check, read of the current documents, merge, upsert, log append with the
// next sequence numbers, batch record, commit. Documents the merge leaves
// unchanged are neither rewritten nor logged. Applied counts the distinct
// documents of the batch.
//
// Pushes that arrive while another is being written are committed
// together (see commitQueued); each returns only after the commit that
// holds it.
func (s *Store) Push(ctx context.Context, scope, batchID string, docs []sync.Doc) (store.PushResult, error) {
	incoming := sync.MergeByID(docs)
	idList, err := idArray(incoming)
	if err != nil {
		return store.PushResult{}, fmt.Errorf("sqlitestore: push: %w", err)
	}
	// Encode before queueing for the writer: a new document is written
	// as it came, and only a document the scope already holds is encoded
	// again after its merge, so the writer spends its time on SQL.
	rows := make([]docRow, len(incoming))
	var w store.FieldsWriter
	for i, d := range incoming {
		if rows[i], err = toRowWith(&w, d); err != nil {
			return store.PushResult{}, fmt.Errorf("sqlitestore: push: %w", err)
		}
	}
	p := &pendingPush{ctx: ctx, scope: scope, batchID: batchID, docs: incoming, rows: rows, idList: idList, done: make(chan struct{})}
	s.group.mu.Lock()
	s.group.queue = append(s.group.queue, p)
	s.group.mu.Unlock()
	select {
	case <-p.done: // another push's writer committed this one
	case s.group.writer <- struct{}{}:
		// Every group taken before is finished, so p is either done or
		// still queued: write groups from the front of the queue until
		// p's is written.
		for !p.finished() {
			s.commitQueued()
		}
		<-s.group.writer
	case <-ctx.Done():
		if !s.group.withdraw(p) {
			<-p.done // a writer has taken it: wait for the outcome
		}
	}
	if p.err != nil {
		return store.PushResult{}, fmt.Errorf("sqlitestore: push: %w", p.err)
	}
	return p.res, nil
}

// A group takes the queued pushes in order while it holds at most
// maxGroup pushes and maxGroupDocs documents (and always at least one
// push, however large). The document bound keeps the transaction of a
// group of large catch-up pushes as small as it was with 32 pushes of
// 100; the push bound is well above what the API lets in at once
// (PushesInFlight), so that when many phones each push a few documents
// together, each sync to disk commits every push that waited for it
// (with at most 32 a group, 2,000 phones pushing 3 documents at once
// needed twice the syncs and a third of their pushes found no place in
// time: docs/benchmarks.md).
const (
	maxGroup     = 256
	maxGroupDocs = 3200
)

// pushGroup queues pushes for the single writer. writer holds a token
// while a push is being written; pushes that queue meanwhile are written
// together by the next one to take the token (group commit): one
// transaction and one sync to disk for all of them.
type pushGroup struct {
	writer chan struct{} // capacity 1
	mu     gosync.Mutex
	queue  []*pendingPush
}

// withdraw removes p from the queue, reporting whether it was still there
// (then p.err is set to its context's error).
func (g *pushGroup) withdraw(p *pendingPush) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := slices.Index(g.queue, p)
	if i < 0 {
		return false
	}
	g.queue = slices.Delete(g.queue, i, i+1)
	p.err = p.ctx.Err()
	return true
}

// pendingPush is a push waiting for the writer, and its outcome once done
// is closed.
type pendingPush struct {
	ctx            context.Context
	scope, batchID string
	docs           []sync.Doc // no two with the same ID
	rows           []docRow   // docs encoded, as written when new
	idList         []byte
	res            store.PushResult
	err            error
	done           chan struct{}
}

// finished reports whether p's outcome is known.
func (p *pendingPush) finished() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *pendingPush) finish(res store.PushResult, err error) {
	p.res, p.err = res, err
	close(p.done)
}

// groupSize is how many pushes from the front of queue the next group
// takes: at most maxGroup pushes and maxGroupDocs documents, and at least
// one push when any waits.
func groupSize(queue []*pendingPush) int {
	n, docs := 0, 0
	for n < len(queue) && n < maxGroup && (n == 0 || docs+len(queue[n].docs) <= maxGroupDocs) {
		docs += len(queue[n].docs)
		n++
	}
	return n
}

// commitQueued writes the queued pushes, a group of them (see maxGroup), in one
// transaction and reports to each after its commit. The caller holds the
// writer token. A push whose context has ended is dropped when taken;
// once taken, it is written to the end whatever its context does (see
// uninterrupted; a client that went away retries, and a batch applies
// once). When the group fails (a stored document that does not decode, a
// failed commit), each push is written again in a transaction of its own,
// so one bad push fails only itself.
func (s *Store) commitQueued() {
	s.group.mu.Lock()
	n := groupSize(s.group.queue)
	taken := slices.Clone(s.group.queue[:n])
	s.group.queue = slices.Delete(s.group.queue, 0, n)
	s.group.mu.Unlock()
	var live []*pendingPush
	for _, p := range taken {
		if err := p.ctx.Err(); err != nil {
			p.finish(store.PushResult{}, err)
			continue
		}
		live = append(live, p)
	}
	if len(live) > 1 {
		results := make([]store.PushResult, len(live))
		ctx := context.WithoutCancel(live[0].ctx)
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			for i, p := range live {
				var err error
				if results[i], err = s.applyPush(ctx, tx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			for i, p := range live {
				p.finish(results[i], nil)
			}
			return
		}
	}
	for _, p := range live {
		var res store.PushResult
		ctx := context.WithoutCancel(p.ctx)
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			res, err = s.applyPush(ctx, tx, p)
			return err
		})
		p.finish(res, err)
	}
}

// applyPush writes one push in tx.
func (s *Store) applyPush(ctx context.Context, tx *sql.Tx, p *pendingPush) (store.PushResult, error) {
	applied, head, current, err := pushRead(ctx, tx.StmtContext(ctx, s.push.read), p.scope, p.batchID, p.idList)
	if err != nil {
		return store.PushResult{}, err
	}
	if applied.Valid {
		return store.PushResult{Applied: int(applied.Int64), Replay: true}, nil
	}
	now := s.now().UnixMilli()
	rows := p.rows
	if len(current) > 0 {
		rows = make([]docRow, 0, len(p.docs))
		for i, d := range p.docs {
			old, ok := current[d.ID]
			if !ok {
				rows = append(rows, p.rows[i])
				continue
			}
			row, err := toRow(sync.Merge(old.doc, d))
			if err != nil {
				return store.PushResult{}, err
			}
			if bytes.Equal(row.fields, old.fields) && row.typ == old.doc.Type {
				continue
			}
			rows = append(rows, row)
		}
	}
	if len(rows) > 0 {
		if err := writeDocs(ctx, tx, p.scope, head+1, now, rows); err != nil {
			return store.PushResult{}, err
		}
	}
	if _, err := tx.StmtContext(ctx, s.push.recordBatch).ExecContext(ctx,
		p.scope, p.batchID, len(p.docs), now); err != nil {
		return store.PushResult{}, fmt.Errorf("record batch: %w", err)
	}
	return store.PushResult{Applied: len(p.docs)}, nil
}

// idArray returns the IDs of docs as a JSON array.
func idArray(docs []sync.Doc) ([]byte, error) {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return json.Marshal(ids)
}

// pushRead runs pushReadSQL: whether the batch was applied before (and
// its count), the scope's head, and the current state of the listed
// documents.
func pushRead(ctx context.Context, stmt *sql.Stmt, scope, batchID string, idList []byte) (applied sql.NullInt64, head int64, current map[string]stored, err error) {
	rows, err := stmt.QueryContext(ctx, scope, batchID, string(idList))
	if err != nil {
		return applied, 0, nil, fmt.Errorf("read: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, typ sql.NullString
		var fields []byte // a fresh copy each row: the document keeps it
		var a, h sql.NullInt64
		if err := rows.Scan(&id, &typ, &fields, &a, &h); err != nil {
			return applied, 0, nil, fmt.Errorf("read: %w", err)
		}
		if !id.Valid {
			applied, head = a, h.Int64
			continue
		}
		st := stored{fields: fields}
		if st.doc, err = (store.StoredDoc{ID: id.String, Type: typ.String, Fields: fields}).Doc(); err != nil {
			return applied, 0, nil, err
		}
		if current == nil {
			current = make(map[string]stored) // most batches hold new documents
		}
		current[st.doc.ID] = st
	}
	if err := rows.Err(); err != nil {
		return applied, 0, nil, fmt.Errorf("read: %w", err)
	}
	return applied, head, current, nil
}

// toRow encodes a document for storage.
func toRow(d sync.Doc) (docRow, error) {
	var w store.FieldsWriter
	return toRowWith(&w, d)
}

// toRowWith encodes a document for storage with w, which keeps a pushed
// document's fields as they were sent when that is their stored form.
func toRowWith(w *store.FieldsWriter, d sync.Doc) (docRow, error) {
	fields, err := w.Stored(d)
	if err != nil {
		return docRow{}, fmt.Errorf("document %s: %w", d.ID, err)
	}
	return docRow{id: d.ID, typ: d.Type, deleted: d.Deleted(), fields: fields}, nil
}

// Rows per multi-row statement: each sync_doc row binds 7 values, well
// under SQLite's limit of 32,766 bound parameters.
const rowsPerStatement = 250

// writeDocs upserts rows into sync_doc and appends them to sync_log with
// sequence numbers first, first+1, …. Each deleted row gets deleted_at =
// now (server time, ms): a tombstone ages from the last write of its
// document, whatever the stamps it carries (see Compact). It is the whole
// write path of a push (the benchmarks time it alone as the raw baseline).
func writeDocs(ctx context.Context, tx *sql.Tx, scope string, first, now int64, rows []docRow) error {
	for len(rows) > 0 {
		n := min(len(rows), rowsPerStatement)
		chunk := rows[:n]
		docArgs := make([]any, 0, 7*n)
		logArgs := make([]any, 0, 5*n)
		// Each value is boxed once for both statements (and the scope
		// once for all rows): the writer's time is the push's bottleneck.
		sc, deletedNow := any(scope), any(now)
		for i, r := range chunk {
			seq, id, typ, fields, deletedAt := any(first+int64(i)), any(r.id), any(r.typ), any(r.fields), any(int64(0))
			if r.deleted {
				deletedAt = deletedNow
			}
			docArgs = append(docArgs, sc, id, typ, r.deleted, deletedAt, seq, fields)
			logArgs = append(logArgs, sc, seq, id, typ, fields)
		}
		if _, err := tx.ExecContext(ctx, upsertDocSQL(n), docArgs...); err != nil {
			return fmt.Errorf("write documents: %w", err)
		}
		if _, err := tx.ExecContext(ctx, insertLogSQL(n), logArgs...); err != nil {
			return fmt.Errorf("append to log: %w", err)
		}
		rows = rows[n:]
		first += int64(n)
	}
	return nil
}

func upsertDocSQL(n int) string {
	return "INSERT INTO sync_doc (scope, id, type, deleted, deleted_at, seq, fields) VALUES (?,?,?,?,?,?,?)" +
		strings.Repeat(",(?,?,?,?,?,?,?)", n-1) +
		` ON CONFLICT (scope, id) DO UPDATE SET type = excluded.type, deleted = excluded.deleted,
		deleted_at = excluded.deleted_at, seq = excluded.seq, fields = excluded.fields`
}

func insertLogSQL(n int) string {
	return "INSERT INTO sync_log (scope, seq, id, type, fields) VALUES (?,?,?,?,?)" + strings.Repeat(",(?,?,?,?,?)", n-1)
}

// maxPullRows bounds one page whatever the caller asks (the API allows
// far fewer).
const maxPullRows = 1 << 16

// Pull reads the log after cursor with one indexed query. Within a page a
// document appears once, with the newest state the page holds, at the
// position of that state. The documents keep their stored form.
func (s *Store) Pull(ctx context.Context, scope string, cursor int64, limit int) (store.PullPage, error) {
	// Sized for a usual page so as not to grow.
	docs := make([]store.StoredDoc, 0, min(max(limit, 0), 256))
	var typ string // the type of the entry before, which most entries share
	next, more, err := s.pullLog(ctx, scope, cursor, limit, func(id string, t, fields []byte) error {
		if string(t) != typ {
			typ = string(t)
		}
		// A fresh copy: the page keeps it.
		docs = append(docs, store.StoredDoc{ID: id, Type: typ, Fields: bytes.Clone(fields)})
		return nil
	})
	if err != nil {
		return store.PullPage{}, fmt.Errorf("sqlitestore: pull: %w", err)
	}
	docs = newestOnly(docs)
	return store.PullPage{Docs: docs, Cursor: next, More: more}, nil
}

// newestOnly keeps each document's last entry of docs, in log order.
func newestOnly(docs []store.StoredDoc) []store.StoredDoc {
	last := make(map[string]int, len(docs))
	for i, d := range docs {
		last[d.ID] = i
	}
	if len(last) == len(docs) {
		return docs // no document twice, as in most pages
	}
	kept := docs[:0]
	for i, d := range docs {
		if last[d.ID] == i {
			kept = append(kept, d)
		}
	}
	return kept
}

// pullLog runs pullSQL and passes each log entry after cursor, at most
// limit of them, to entry in log order; the slices are valid only during
// the call. The id is the driver's own string, which no later row
// overwrites: scanned as bytes and made a string, it was copied twice
// (docs/benchmarks.md). It returns the cursor after the entries passed and whether
// more follow, or ErrCursorExpired when cursor predates the scope's
// horizon.
func (s *Store) pullLog(ctx context.Context, scope string, cursor int64, limit int, entry func(id string, typ, fields []byte) error) (next int64, more bool, err error) {
	switch {
	case limit <= 0:
		limit = sync.DefaultPullLimit
	case limit > maxPullRows:
		limit = maxPullRows
	}
	// One page is read to its end (milliseconds even at the API's largest).
	ctx, err = uninterrupted(ctx)
	if err != nil {
		return 0, false, err
	}
	rows, err := s.pull.QueryContext(ctx, scope, cursor, limit+1)
	if err != nil {
		return 0, false, err
	}
	defer rows.Close()
	next, n := cursor, 0
	var id string
	var typ, fields sql.RawBytes
	for rows.Next() {
		var key, horizon int64
		if err := rows.Scan(&key, &horizon, &id, &typ, &fields); err != nil {
			return 0, false, err
		}
		if key == 0 {
			// The horizon row sorts first.
			if cursor > 0 && cursor < horizon {
				return 0, false, fmt.Errorf("cursor %d, tombstones collected up to %d: %w", cursor, horizon, store.ErrCursorExpired)
			}
			continue
		}
		if n == limit {
			more = true
			break
		}
		if err := entry(id, typ, fields); err != nil {
			return 0, false, err
		}
		next, n = key, n+1
	}
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	return next, more, rows.Close()
}

// Docs returns the current state of every document of the scope, by ID.
func (s *Store) Docs(ctx context.Context, scope string) ([]sync.Doc, error) {
	rows, err := s.r.QueryContext(ctx, docsSQL, scope)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: docs: %w", err)
	}
	defer rows.Close()
	var out []sync.Doc
	for rows.Next() {
		var st store.StoredDoc
		var fields []byte // a fresh copy each row: the document keeps it
		if err := rows.Scan(&st.ID, &st.Type, &fields); err != nil {
			return nil, fmt.Errorf("sqlitestore: docs: %w", err)
		}
		st.Fields = fields
		d, err := st.Doc()
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: docs: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: docs: %w", err)
	}
	return out, nil
}

// Compact collects the scope's tombstones last written before
// tombstonesBefore (server time, sync_doc.deleted_at; the stamps the
// documents carry play no part: a deletion made offline long ago still
// lives a full TTL after it reached the server), raises the scope's
// horizon to the newest collected entry (older cursors then get
// ErrCursorExpired), drops every log entry that no longer holds the
// current state of a document, and forgets batches older than
// tombstonesBefore (no client retries a batch that long). One transaction.
func (s *Store) Compact(ctx context.Context, scope string, tombstonesBefore time.Time) (store.CompactResult, error) {
	cutoff := tombstonesBefore.UnixMilli()
	if tombstonesBefore.After(time.UnixMilli(cutoff)) {
		cutoff++ // a write at cutoff-1 ms plus a fraction is still before
	}
	var res store.CompactResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		var newest sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT count(*), max(seq) FROM sync_doc
			WHERE scope = ? AND deleted = 1 AND deleted_at < ?`, scope, cutoff).Scan(&n, &newest)
		if err != nil {
			return fmt.Errorf("find tombstones: %w", err)
		}
		if n > 0 {
			if _, err := tx.ExecContext(ctx, "DELETE FROM sync_doc WHERE scope = ? AND deleted = 1 AND deleted_at < ?",
				scope, cutoff); err != nil {
				return fmt.Errorf("collect tombstones: %w", err)
			}
			// Record the head before its entries may go, and the horizon.
			// (WHERE true keeps ON CONFLICT from parsing as a join.)
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_scope (scope, head, horizon)
				SELECT ?1, `+headSQL+`, ?2 WHERE true
				ON CONFLICT (scope) DO UPDATE SET head = excluded.head, horizon = max(horizon, excluded.horizon)`,
				scope, newest.Int64); err != nil {
				return fmt.Errorf("raise horizon: %w", err)
			}
			res.Tombstones = n
		}
		r, err := tx.ExecContext(ctx, `DELETE FROM sync_log WHERE scope = ?1
			AND seq NOT IN (SELECT seq FROM sync_doc WHERE scope = ?1)`, scope)
		if err != nil {
			return fmt.Errorf("drop superseded entries: %w", err)
		}
		dropped, err := r.RowsAffected()
		if err != nil {
			return err
		}
		res.LogEntries = int(dropped)
		if _, err := tx.ExecContext(ctx, "DELETE FROM sync_batch WHERE scope = ? AND created_at < ?", scope, cutoff); err != nil {
			return fmt.Errorf("forget old batches: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.CompactResult{}, fmt.Errorf("sqlitestore: compact %s: %w", scope, err)
	}
	return res, nil
}

// Scopes lists the scopes that hold documents, in order.
func (s *Store) Scopes(ctx context.Context) ([]string, error) {
	// A skip scan: one index search per scope, not one row per document.
	rows, err := s.r.QueryContext(ctx, `WITH RECURSIVE scopes (scope) AS (
			SELECT min(scope) FROM sync_doc
			UNION ALL
			SELECT (SELECT min(scope) FROM sync_doc WHERE scope > scopes.scope) FROM scopes WHERE scope IS NOT NULL)
		SELECT scope FROM scopes WHERE scope IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: scopes: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sc string
		if err := rows.Scan(&sc); err != nil {
			return nil, fmt.Errorf("sqlitestore: scopes: %w", err)
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: scopes: %w", err)
	}
	return out, nil
}

// Usage counts the scope's documents and the bytes of their fields in the
// documents and the change log. length() of a blob reads its size from the
// record header, not its content.
func (s *Store) Usage(ctx context.Context, scope string) (store.Usage, error) {
	var u store.Usage
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sync_doc WHERE scope = ?1),
		(SELECT coalesce(sum(length(fields)), 0) FROM sync_doc WHERE scope = ?1) +
		(SELECT coalesce(sum(length(fields)), 0) FROM sync_log WHERE scope = ?1)`, scope).Scan(&u.Docs, &u.Bytes)
	if err != nil {
		return store.Usage{}, fmt.Errorf("sqlitestore: usage: %w", err)
	}
	return u, nil
}
