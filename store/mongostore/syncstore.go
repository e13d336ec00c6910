package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// How often a push retries a lost race before giving up with ErrConflict:
// a document compare-and-set, and a change-log sequence number.
const (
	maxCASAttempts    = 100
	maxAppendAttempts = 1000
)

// docRec is one revision of a document. The current state is the revision
// with the highest Rev; a write inserts Rev+1 and the unique index on
// (scope, id, rev) lets exactly one of two racing writers win. (A guarded
// update would not do: FerretDB runs an update as a read and a separate
// write, so two writers could both match the old revision.) Superseded
// revisions are deleted right after; a reader ignores any that linger.
type docRec struct {
	OID    bson.ObjectID `bson:"_id,omitempty"`
	Scope  string        `bson:"scope"`
	ID     string        `bson:"id"`
	Rev    int64         `bson:"rev"`
	Type   string        `bson:"type"`
	Fields string        `bson:"fields"` // store.EncodeFields
	// Size is len(Fields), summed for Usage (zero in records written
	// before it was kept).
	Size int64 `bson:"size,omitempty"`
	// WrittenAt is the server time of the write (ms); zero in records
	// written before it was kept. A tombstone ages from it (see Compact).
	WrittenAt time.Time `bson:"writtenAt,omitempty"`
	// Gone marks the revision that replaced a collected tombstone: the
	// document does not exist, but the next write still takes Rev+1.
	Gone   bool      `bson:"gone,omitempty"`
	GoneAt time.Time `bson:"goneAt,omitempty"`
}

// logRec is one change-log entry: the state of a document after a push.
// Its _id is logKey(scope, seq), so that one entry can be fetched by _id
// alone, the one lookup FerretDB does not answer by decoding the whole
// collection.
type logRec struct {
	Key    string `bson:"_id"`
	Scope  string `bson:"scope"`
	Seq    int64  `bson:"seq"`
	ID     string `bson:"id"`
	Type   string `bson:"type"`
	Fields string `bson:"fields"`
	Size   int64  `bson:"size,omitempty"` // len(Fields), as in docRec
	// WrittenAt is the server time (ms) of the push that logged this
	// state; zero in entries written before it was kept.
	WrittenAt time.Time `bson:"writtenAt,omitempty"`
}

// batchRec remembers an applied push batch; its _id is batchKey(scope, batchID).
type batchRec struct {
	Key       string    `bson:"_id"`
	Scope     string    `bson:"scope"`
	BatchID   string    `bson:"batchId"`
	Applied   int       `bson:"applied"`
	CreatedAt time.Time `bson:"createdAt"`
}

// markRec records what a compaction removed from a scope's log, before it
// removes anything. Horizon is the highest sequence number of a collected
// tombstone's entry: cursors below it missed a deletion. Floor is the
// highest sequence number the compaction saw: entries at or below it may be
// gone, and no entry is ever written at or below it again; above it the log
// has no gaps. A scope's marks are the largest of its records. Records are
// only inserted (an insert is atomic on FerretDB too); dominated ones are
// pruned.
type markRec struct {
	Scope   string `bson:"scope"`
	Horizon int64  `bson:"horizon"`
	Floor   int64  `bson:"floor"`
}

// doc decodes the revision's document.
func (r docRec) doc() (sync.Doc, error) {
	return store.StoredDoc{ID: r.ID, Type: r.Type, Fields: []byte(r.Fields)}.Doc()
}

// doc decodes the entry's document state.
func (e logRec) doc() (sync.Doc, error) {
	return store.StoredDoc{ID: e.ID, Type: e.Type, Fields: []byte(e.Fields)}.Doc()
}

// logKey is the _id of a change-log entry.
func logKey(scope string, seq int64) string { return scope + "/" + strconv.FormatInt(seq, 10) }

// batchKey is the _id of a batch record (batch IDs hold no '/').
func batchKey(scope, batchID string) string { return scope + "/" + batchID }

// Push applies a batch without multi-document transactions:
//
//  1. replay check: a batch recorded for the scope returns its first result;
//  2. each document is read, merged (sync.Merge) and written as its next
//     revision (a compare-and-set on the revision number, by unique insert),
//     read and merged again when another writer took that revision;
//  3. the test hook runs, when a test set one (see export_test.go);
//  4. the merged states are appended to the change log at head+1, head+2, …,
//     retried on a duplicate key, so sequence numbers are dense and in
//     commit order with any number of writers;
//  5. the batch is recorded.
//
// A push that fails after step 2 leaves documents whose state may be
// missing from the log; its retry (the batch is not recorded yet) finds them
// unchanged and logs every state the log does not hold yet, so nothing is
// lost and pullers never skip a write. Applied counts the distinct documents
// of the batch.
func (s *Store) Push(ctx context.Context, scope, batchID string, docs []sync.Doc) (store.PushResult, error) {
	var b batchRec
	err := s.batches.FindOne(ctx, eq("_id", batchKey(scope, batchID))).Decode(&b)
	if err == nil {
		return store.PushResult{Applied: b.Applied, Replay: true}, nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return store.PushResult{}, mapErr("push: replay check", err)
	}
	incoming := sync.MergeByID(docs)
	entries, err := s.writeDocs(ctx, scope, incoming)
	if err != nil {
		return store.PushResult{}, err
	}
	if s.afterWrite != nil {
		if err := s.afterWrite(ctx); err != nil {
			return store.PushResult{}, mapErr("push: after document write", err)
		}
	}
	if err := s.appendLog(ctx, scope, entries); err != nil {
		return store.PushResult{}, err
	}
	_, err = s.batches.InsertOne(ctx, batchRec{Key: batchKey(scope, batchID), Scope: scope, BatchID: batchID, Applied: len(incoming), CreatedAt: ms(s.now())})
	if err != nil && !mongo.IsDuplicateKeyError(err) { // a duplicate: the same batch, pushed concurrently
		return store.PushResult{}, mapErr("push: record batch", err)
	}
	return store.PushResult{Applied: len(incoming)}, nil
}

// stored is a document as read back for a merge: its newest revision and
// every revision read.
type stored struct {
	rec  docRec
	doc  sync.Doc        // zero when the newest revision is Gone
	oids []bson.ObjectID // every revision read, the newest included
}

// loadDocs reads the newest revision of the given documents of a scope.
func (s *Store) loadDocs(ctx context.Context, scope string, ids []string) (map[string]stored, error) {
	out := make(map[string]stored, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var recs []docRec
	filter := bson.D{{Key: "scope", Value: scope}, {Key: "id", Value: eq("$in", ids)}}
	if err := findAll(ctx, s.docs, filter, nil, &recs); err != nil {
		return nil, mapErr("read documents", err)
	}
	for _, r := range newestRevisions(recs, out) {
		st := out[r.ID]
		if !r.Gone {
			d, err := r.doc()
			if err != nil {
				return nil, fmt.Errorf("mongostore: scope %s: %w", scope, err)
			}
			st.doc = d
		}
		out[r.ID] = st
	}
	return out, nil
}

// newestRevisions fills into with each document's newest revision and the
// object ids of all its revisions, and returns the newest revisions in the
// order first seen.
func newestRevisions(recs []docRec, into map[string]stored) []docRec {
	var order []string
	for _, r := range recs {
		st, ok := into[r.ID]
		if !ok {
			order = append(order, r.ID)
			st.rec = r
		} else if r.Rev > st.rec.Rev {
			st.rec = r
		}
		st.oids = append(st.oids, r.OID)
		into[r.ID] = st
	}
	out := make([]docRec, len(order))
	for i, id := range order {
		out[i] = into[id].rec
	}
	return out
}

// writeDocs merges incoming into the stored documents and writes each
// result as the next revision; documents that lost a race to another writer
// are read and merged again. It returns the log entries (without sequence
// numbers) the push must append: every state it wrote, and every unchanged
// state the log does not hold yet.
func (s *Store) writeDocs(ctx context.Context, scope string, incoming []sync.Doc) ([]logRec, error) {
	states := make([]logRec, len(incoming)) // the merged state of incoming[i]
	wrote := make([]bool, len(incoming))    // this push wrote states[i]
	todo := make([]int, len(incoming))
	for i := range todo {
		todo[i] = i
	}
	for attempt := 0; len(todo) > 0; attempt++ {
		if attempt == maxCASAttempts {
			return nil, fmt.Errorf("mongostore: push: %d documents still contended after %d attempts: %w", len(todo), attempt, store.ErrConflict)
		}
		ids := make([]string, len(todo))
		for k, i := range todo {
			ids[k] = incoming[i].ID
		}
		current, err := s.loadDocs(ctx, scope, ids)
		if err != nil {
			return nil, err
		}
		var writes []int
		var recs []any
		now := ms(s.now())
		for _, i := range todo {
			d := incoming[i]
			cur, exists := current[d.ID]
			merged := sync.Merge(cur.doc, d) // cur.doc is the zero Doc for a new document
			fields, err := store.EncodeFields(merged.Fields)
			if err != nil {
				return nil, fmt.Errorf("mongostore: push: document %s: %w", merged.ID, err)
			}
			states[i] = logRec{Scope: scope, ID: merged.ID, Type: merged.Type, Fields: string(fields), Size: int64(len(fields)), WrittenAt: now}
			if exists && !cur.rec.Gone && states[i].Fields == cur.rec.Fields && states[i].Type == cur.rec.Type {
				continue // nothing new for this document
			}
			writes = append(writes, i)
			recs = append(recs, docRec{Scope: scope, ID: merged.ID, Rev: cur.rec.Rev + 1, Type: merged.Type, Fields: states[i].Fields,
				Size: states[i].Size, WrittenAt: now})
		}
		var retry []int
		var superseded []bson.ObjectID
		for start := 0; start < len(writes); start += maxBulk {
			end := min(start+maxBulk, len(writes))
			_, err := s.docs.InsertMany(ctx, recs[start:end], options.InsertMany().SetOrdered(false))
			lost, err := duplicateIndexes(err)
			if err != nil {
				return nil, mapErr("push: write documents", err)
			}
			for k, i := range writes[start:end] {
				if lost[k] {
					retry = append(retry, i) // another writer took this revision: merge with it
					continue
				}
				wrote[i] = true
				superseded = append(superseded, current[incoming[i].ID].oids...)
			}
		}
		if err := s.deleteRevisions(ctx, superseded); err != nil {
			return nil, err
		}
		todo = retry
	}
	var unchanged []int
	for i := range incoming {
		if !wrote[i] {
			unchanged = append(unchanged, i)
		}
	}
	logged, err := s.loggedStates(ctx, scope, states, unchanged)
	if err != nil {
		return nil, err
	}
	entries := make([]logRec, 0, len(incoming))
	for i, st := range states {
		if wrote[i] || !logged[i] {
			entries = append(entries, st)
		}
	}
	return entries, nil
}

// deleteRevisions deletes superseded document revisions, one delete by _id
// each (FerretDB decodes the whole collection for an $in), in bulk writes.
func (s *Store) deleteRevisions(ctx context.Context, oids []bson.ObjectID) error {
	for start := 0; start < len(oids); start += maxBulk {
		chunk := oids[start:min(start+maxBulk, len(oids))]
		models := make([]mongo.WriteModel, len(chunk))
		for i, oid := range chunk {
			models[i] = mongo.NewDeleteOneModel().SetFilter(eq("_id", oid))
		}
		if _, err := s.docs.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return mapErr("delete superseded revisions", err)
		}
	}
	return nil
}

// loggedStates reports which of states[idx...] the change log holds
// already (an unchanged document whose push failed before its log append
// does not).
func (s *Store) loggedStates(ctx context.Context, scope string, states []logRec, idx []int) (map[int]bool, error) {
	out := make(map[int]bool, len(idx))
	for start := 0; start < len(idx); start += maxBulk {
		chunk := idx[start:min(start+maxBulk, len(idx))]
		ids := make([]string, len(chunk))
		fields := make([]string, len(chunk))
		for k, i := range chunk {
			ids[k], fields[k] = states[i].ID, states[i].Fields
		}
		var found []logRec
		filter := bson.D{{Key: "scope", Value: scope}, {Key: "id", Value: eq("$in", ids)}, {Key: "fields", Value: eq("$in", fields)}}
		opts := options.Find().SetProjection(bson.D{{Key: "id", Value: 1}, {Key: "fields", Value: 1}})
		if err := findAll(ctx, s.log, filter, opts, &found); err != nil {
			return nil, mapErr("push: read log", err)
		}
		have := make(map[[2]string]bool, len(found))
		for _, e := range found {
			have[[2]string{e.ID, e.Fields}] = true
		}
		for _, i := range chunk {
			out[i] = have[[2]string{states[i].ID, states[i].Fields}]
		}
	}
	return out, nil
}

// duplicateIndexes splits the error of an unordered InsertMany into the
// indexes that failed on a duplicate key, and any other error.
func duplicateIndexes(err error) (map[int]bool, error) {
	if err == nil {
		return nil, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return nil, err
	}
	lost := make(map[int]bool, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return nil, err
		}
		lost[we.Index] = true
	}
	return lost, nil
}

// appendLog appends entries to the scope's change log at head+1, head+2, …
// Inserts are ordered, so a duplicate key stops at the first sequence
// number another writer took; the rest is retried above it.
//
// The head is found by walking forward by _id from the last one this Store
// saw (above the floor the log has no gaps, so the first missing number is
// head+1). An entry that landed at or below the floor (a compaction ran
// meanwhile) is taken out and appended again above it.
func (s *Store) appendLog(ctx context.Context, scope string, entries []logRec) error {
	if len(entries) == 0 {
		return nil
	}
	head, err := s.knownHead(ctx, scope)
	if err != nil {
		return err
	}
	for attempt := 0; len(entries) > 0; attempt++ {
		if attempt == maxAppendAttempts {
			return fmt.Errorf("mongostore: push: log append still contended after %d attempts: %w", attempt, store.ErrConflict)
		}
		for {
			found, err := s.logEntry(ctx, s.log, scope, head+1, nil)
			if err != nil {
				return err
			}
			if !found {
				break
			}
			head++
		}
		for i := range entries {
			entries[i].Seq = head + 1 + int64(i)
			entries[i].Key = logKey(scope, entries[i].Seq)
		}
		n, err := s.insertOrdered(ctx, entries)
		if err != nil {
			return err
		}
		if n == 0 {
			continue // lost the race for head+1
		}
		_, floor, err := s.marks(ctx, scope)
		if err != nil {
			return err
		}
		// Entries inserted at or below the floor sit where pullers no
		// longer look: take them out and append them again.
		bad := 0
		for bad < n && entries[bad].Seq <= floor {
			bad++
		}
		if bad > 0 {
			models := make([]mongo.WriteModel, bad)
			for i := range models {
				models[i] = mongo.NewDeleteOneModel().SetFilter(eq("_id", entries[i].Key))
			}
			if _, err := s.log.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
				return mapErr("push: withdraw log entries", err)
			}
			head = max(head, floor)
		} else {
			head = entries[n-1].Seq
		}
		entries = append(entries[:bad:bad], entries[n:]...)
	}
	s.heads.note(scope, head)
	return nil
}

// knownHead returns a sequence number of the scope's log at or below its
// head: the last one this Store saw, else the head read by a sorted query.
func (s *Store) knownHead(ctx context.Context, scope string) (int64, error) {
	if h, ok := s.heads.get(scope); ok {
		return h, nil
	}
	var e logRec
	opts := options.FindOne().SetSort(eq("seq", -1)).SetProjection(eq("seq", 1))
	err := s.log.FindOne(ctx, eq("scope", scope), opts).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, mapErr("read log head", err)
	}
	return e.Seq, nil
}

// logEntry fetches the entry at seq by _id from log (s.log or s.pullLog)
// into e (nil: only test for it).
func (s *Store) logEntry(ctx context.Context, log *mongo.Collection, scope string, seq int64, e *logRec) (bool, error) {
	var into logRec
	if e == nil {
		e = &into
	}
	err := log.FindOne(ctx, eq("_id", logKey(scope, seq))).Decode(e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, mapErr("read log", err)
	}
	return true, nil
}

// insertOrdered inserts entries in order, in chunks, and returns how many
// went in before the first duplicate key.
func (s *Store) insertOrdered(ctx context.Context, entries []logRec) (int, error) {
	n := 0
	for n < len(entries) {
		end := min(n+maxBulk, len(entries))
		chunk := make([]any, 0, end-n)
		for _, e := range entries[n:end] {
			chunk = append(chunk, e)
		}
		_, err := s.log.InsertMany(ctx, chunk, options.InsertMany().SetOrdered(true))
		if err == nil {
			n = end
			continue
		}
		lost, err := duplicateIndexes(err)
		if err != nil {
			return n, mapErr("push: append to log", err)
		}
		first := end - n
		for k := range lost {
			first = min(first, k)
		}
		return n + first, nil
	}
	return n, nil
}

// marks returns the scope's collected horizon and floor (see markRec), 0
// when its log was never compacted.
func (s *Store) marks(ctx context.Context, scope string) (horizon, floor int64, err error) {
	var recs []markRec
	if err := findAll(ctx, s.horizons, eq("scope", scope), nil, &recs); err != nil {
		return 0, 0, mapErr("read compaction marks", err)
	}
	for _, r := range recs {
		horizon, floor = max(horizon, r.Horizon), max(floor, r.Floor)
	}
	return horizon, floor, nil
}

// probeLimit is the largest page Pull reads entry by entry (by _id) rather
// than with one query; on FerretDB the query decodes the whole log.
const probeLimit = 64

// Pull reads the log after cursor in sequence order. Within a page a
// document appears once, at the position of its last entry, with the merge
// of all its entries in the page: what a client pulling entry by entry
// would hold from them. The last entry alone would not do: a push that
// lost the race for a document's revision merges, writes and may log
// before the push that took that revision, so a document's entries are not
// always in the order of its revisions (its states are, each revision being
// the merge of the one before and a push).
//
// Small pages above the floor are read entry by entry by _id, stopping at
// the first missing number (the head: above the floor the log has no
// gaps); others with one sorted query. The marks are read after the
// entries: a compaction records them before deleting entries, so a page
// that misses a deleted entry sees them (an expired cursor, or a walk
// that stopped at a gap and continues by query on the next pull).
//
// On a replica set the entries are read with read concern majority: an
// entry a puller has passed can then never be rolled back and its sequence
// number given to another write by a new primary. (Entries become majority
// committed in log order, so this hides no entry behind a later one.)
func (s *Store) Pull(ctx context.Context, scope string, cursor int64, limit int) (store.PullPage, error) {
	if limit <= 0 {
		limit = sync.DefaultPullLimit
	}
	_, floor, err := s.marks(ctx, scope)
	if err != nil {
		return store.PullPage{}, err
	}
	var entries []logRec
	if limit <= probeLimit && cursor >= floor {
		for seq := cursor + 1; seq <= cursor+int64(limit)+1; seq++ {
			var e logRec
			found, err := s.logEntry(ctx, s.pullLog, scope, seq, &e)
			if err != nil {
				return store.PullPage{}, err
			}
			if !found {
				break
			}
			entries = append(entries, e)
		}
	} else {
		filter := bson.D{{Key: "scope", Value: scope}, {Key: "seq", Value: eq("$gt", cursor)}}
		opts := options.Find().SetSort(eq("seq", 1)).SetLimit(int64(limit) + 1)
		if err := findAll(ctx, s.pullLog, filter, opts, &entries); err != nil {
			return store.PullPage{}, mapErr("pull", err)
		}
	}
	horizon, _, err := s.marks(ctx, scope)
	if err != nil {
		return store.PullPage{}, err
	}
	if cursor > 0 && cursor < horizon {
		return store.PullPage{}, fmt.Errorf("mongostore: pull at %d, tombstones collected up to %d: %w", cursor, horizon, store.ErrCursorExpired)
	}
	page := store.PullPage{Cursor: cursor}
	if len(entries) > limit {
		entries, page.More = entries[:limit], true
	}
	if len(entries) == 0 {
		return page, nil
	}
	page.Cursor = entries[len(entries)-1].Seq
	docs := make([]sync.Doc, len(entries))
	for i, e := range entries {
		d, err := e.doc()
		if err != nil {
			return store.PullPage{}, fmt.Errorf("mongostore: pull: %w", err)
		}
		docs[len(entries)-1-i] = d
	}
	// Newest first, merged by ID, oldest first again: each document at the
	// position of its last entry, with the merge of all of them.
	docs = sync.MergeByID(docs)
	slices.Reverse(docs)
	page.Docs = make([]store.StoredDoc, len(docs))
	for i, d := range docs {
		fields, err := store.EncodeFields(d.Fields)
		if err != nil {
			return store.PullPage{}, fmt.Errorf("mongostore: pull: document %s: %w", d.ID, err)
		}
		page.Docs[i] = store.StoredDoc{ID: d.ID, Type: d.Type, Fields: fields}
	}
	return page, nil
}

// Docs returns the current state of every document of the scope, by ID.
func (s *Store) Docs(ctx context.Context, scope string) ([]sync.Doc, error) {
	var recs []docRec
	opts := options.Find().SetSort(bson.D{{Key: "id", Value: 1}, {Key: "rev", Value: 1}})
	if err := findAll(ctx, s.docs, eq("scope", scope), opts, &recs); err != nil {
		return nil, mapErr("docs", err)
	}
	out := make([]sync.Doc, 0, len(recs))
	for _, r := range newestRevisions(recs, map[string]stored{}) {
		if r.Gone {
			continue
		}
		d, err := r.doc()
		if err != nil {
			return nil, fmt.Errorf("mongostore: docs: %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}

// goneTTL is how long the revision that replaced a collected tombstone is
// kept: long enough for any push that read the tombstone to finish (it then
// takes the next revision number instead of starting a new document).
const goneTTL = time.Hour

// Compact works on the scope's log as read at the start:
//
//   - of each document's entries it keeps the one holding its newest
//     state, the merge of all the others (see newestStates); not always
//     its last entry (see Pull);
//   - a document whose kept entry is a tombstone written before
//     tombstonesBefore (server time, WrittenAt; for entries without it,
//     the stamp of the deleted field) is collected if its newest revision
//     still holds that state, written before tombstonesBefore too: a Gone
//     revision is inserted after it (so a racing push loses
//     and merges again) and the older revisions are deleted;
//   - the marks are recorded before any entry goes: the horizon raised to
//     the newest collected entry, the floor to the newest entry read (see
//     markRec), so pulls and pushes that miss an entry see them;
//   - the collected tombstones' entries and every entry not kept are
//     deleted;
//   - batches applied before tombstonesBefore are forgotten (no client
//     retries a batch that long), and so are Gone revisions older than an
//     hour.
func (s *Store) Compact(ctx context.Context, scope string, tombstonesBefore time.Time) (store.CompactResult, error) {
	now := s.now()
	var res store.CompactResult
	var entries []logRec
	opts := options.Find().SetSort(eq("seq", 1))
	if err := findAll(ctx, s.log, eq("scope", scope), opts, &entries); err != nil {
		return res, mapErr("compact: read log", err)
	}
	keep, drop, err := s.newestStates(ctx, scope, entries)
	if err != nil {
		return res, err
	}
	var candidates []logRec
	for _, k := range keep {
		if at, ok := tombstoneAge(k); ok && at.Before(tombstonesBefore) {
			candidates = append(candidates, k.logRec)
		}
	}
	oldHorizon, oldFloor, err := s.marks(ctx, scope)
	if err != nil {
		return res, err
	}
	horizon := oldHorizon
	for start := 0; start < len(candidates); start += maxBulk {
		chunk := candidates[start:min(start+maxBulk, len(candidates))]
		collected, n, err := s.collectTombstones(ctx, scope, chunk, tombstonesBefore, now)
		if err != nil {
			return res, err
		}
		res.Tombstones += n
		for _, e := range collected {
			drop = append(drop, e.Seq)
			horizon = max(horizon, e.Seq)
			// Entries of an earlier life of the document go with it.
			for _, k := range keep {
				if k.ID == e.ID && k.Seq < e.Seq {
					drop = append(drop, k.Seq)
				}
			}
		}
	}
	if len(drop) > 0 {
		// Record the marks before anything goes (see markRec).
		floor := max(oldFloor, entries[len(entries)-1].Seq)
		if _, err := s.horizons.InsertOne(ctx, markRec{Scope: scope, Horizon: horizon, Floor: floor}); err != nil {
			return res, mapErr("compact: record marks", err)
		}
		dominated := bson.D{{Key: "scope", Value: scope}, {Key: "horizon", Value: eq("$lte", horizon)}, {Key: "floor", Value: eq("$lt", floor)}}
		if _, err := s.horizons.DeleteMany(ctx, dominated); err != nil {
			return res, mapErr("compact: prune marks", err)
		}
	}
	for start := 0; start < len(drop); start += 500 {
		chunk := drop[start:min(start+500, len(drop))]
		del, err := s.log.DeleteMany(ctx, bson.D{{Key: "scope", Value: scope}, {Key: "seq", Value: eq("$in", chunk)}})
		if err != nil {
			return res, mapErr("compact: drop log entries", err)
		}
		res.LogEntries += int(del.DeletedCount)
	}
	if _, err := s.batches.DeleteMany(ctx, bson.D{{Key: "scope", Value: scope}, {Key: "createdAt", Value: eq("$lt", ms(tombstonesBefore))}}); err != nil {
		return res, mapErr("compact: forget old batches", err)
	}
	old := bson.D{{Key: "scope", Value: scope}, {Key: "gone", Value: true}, {Key: "goneAt", Value: eq("$lt", ms(now.Add(-goneTTL)))}}
	if _, err := s.docs.DeleteMany(ctx, old); err != nil {
		return res, mapErr("compact: forget collected documents", err)
	}
	return res, nil
}

// keptEntry is a change-log entry compaction keeps, with its state decoded.
type keptEntry struct {
	logRec
	doc sync.Doc
}

// tombstoneAge returns the time a tombstone ages from: the server time
// its entry was written at, or for an entry written before that was kept,
// the stamp of its deleted field. ok is false when k is no tombstone.
func tombstoneAge(k keptEntry) (time.Time, bool) {
	if !k.doc.Deleted() {
		return time.Time{}, false
	}
	if !k.WrittenAt.IsZero() {
		return k.WrittenAt, true
	}
	return k.doc.DeletedAt()
}

// newestStates splits a scope's log, in sequence order, into the entries
// compaction keeps and the sequence numbers of those it drops.
//
// An entry goes when another entry of its document holds a state at least
// as new (merging the two gives the other's state; of two equal states the
// later entry stays). The states a document is logged with are its
// revisions, each the merge of the one before and a push, so one entry per
// document stays: the newest state, whatever its position. States that do
// not compare come from different lives of a document (written again after
// its tombstone was collected, or a push's entry appended late): of these
// the ones not contained in the document's current state go, the rest stay.
func (s *Store) newestStates(ctx context.Context, scope string, entries []logRec) ([]keptEntry, []int64, error) {
	docs := make([]sync.Doc, len(entries))
	for i, e := range entries {
		d, err := e.doc()
		if err != nil {
			return nil, nil, fmt.Errorf("mongostore: compact: %w", err)
		}
		docs[i] = d
	}
	// within reports whether state a is contained in state b.
	within := func(a, b sync.Doc) bool { return sync.Merge(a, b).Equal(b) }
	// Per document, the entries no other one contains so far.
	tops := make(map[string][]int, len(entries))
	dropped := make([]bool, len(entries))
	for i, d := range docs {
		var still []int
		for _, t := range tops[d.ID] {
			if within(docs[t], d) {
				dropped[t] = true
			} else {
				still = append(still, t)
			}
		}
		if slices.ContainsFunc(still, func(t int) bool { return within(d, docs[t]) }) {
			dropped[i] = true
		} else {
			still = append(still, i)
		}
		tops[d.ID] = still
	}
	var split []string // documents with states of several lives
	for id, t := range tops {
		if len(t) > 1 {
			split = append(split, id)
		}
	}
	current, err := s.loadDocs(ctx, scope, split)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range split {
		cur, ok := current[id]
		if !ok || cur.rec.Gone {
			continue // a collected document: its tombstone's entry goes as such
		}
		for _, t := range tops[id] {
			if !within(docs[t], cur.doc) {
				dropped[t] = true
			}
		}
	}
	var keep []keptEntry
	var drop []int64
	for i, e := range entries {
		if dropped[i] {
			drop = append(drop, e.Seq)
		} else {
			keep = append(keep, keptEntry{logRec: e, doc: docs[i]})
		}
	}
	return keep, drop, nil
}

// collectTombstones collects the documents whose newest log entries are the
// given tombstones, where the document still holds that state and its
// revision was written before tombstonesBefore (or carries no write time).
// It returns
// the entries whose documents are gone now (collected here or by an earlier,
// interrupted run) and how many it collected itself.
func (s *Store) collectTombstones(ctx context.Context, scope string, tombs []logRec, tombstonesBefore, now time.Time) ([]logRec, int, error) {
	ids := make([]string, len(tombs))
	for i, e := range tombs {
		ids[i] = e.ID
	}
	current, err := s.loadDocs(ctx, scope, ids)
	if err != nil {
		return nil, 0, err
	}
	var gone []logRec
	var pending []logRec
	var markers []any
	for _, e := range tombs {
		cur, ok := current[e.ID]
		switch {
		case !ok || cur.rec.Gone:
			gone = append(gone, e)
		case cur.rec.Fields == e.Fields && cur.rec.Type == e.Type && cur.rec.WrittenAt.Before(tombstonesBefore):
			pending = append(pending, e)
			markers = append(markers, docRec{Scope: scope, ID: e.ID, Rev: cur.rec.Rev + 1, Gone: true, GoneAt: ms(now)})
		}
		// Otherwise the document changed since, or was written again with
		// the same state (after an earlier collection): leave it for a
		// later run.
	}
	if len(markers) == 0 {
		return gone, 0, nil
	}
	_, err = s.docs.InsertMany(ctx, markers, options.InsertMany().SetOrdered(false))
	lost, err := duplicateIndexes(err)
	if err != nil {
		return nil, 0, mapErr("compact: collect tombstones", err)
	}
	var superseded []bson.ObjectID
	n := 0
	for k, e := range pending {
		if lost[k] {
			continue // a push wrote the document meanwhile
		}
		n++
		gone = append(gone, e)
		superseded = append(superseded, current[e.ID].oids...)
	}
	if err := s.deleteRevisions(ctx, superseded); err != nil {
		return nil, 0, err
	}
	return gone, n, nil
}

// Scopes lists the scopes that hold documents, in order. (A $group
// without accumulators: FerretDB's distinct refuses the driver's maxTimeMS.)
func (s *Store) Scopes(ctx context.Context) ([]string, error) {
	pipeline := bson.A{
		eq("$match", eq("gone", eq("$ne", true))),
		eq("$group", eq("_id", "$scope")),
		eq("$sort", eq("_id", 1)),
	}
	cur, err := s.docs.Aggregate(ctx, pipeline)
	if err != nil {
		return nil, mapErr("scopes", err)
	}
	var rows []struct {
		Scope string `bson:"_id"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, mapErr("scopes", err)
	}
	scopes := make([]string, len(rows))
	for i, r := range rows {
		scopes[i] = r.Scope
	}
	return scopes, nil
}

// Usage counts the scope's documents (by id, past the revisions that
// replaced collected tombstones) and sums the sizes kept with every
// document revision and log entry. Records written before sizes were kept
// count as empty.
func (s *Store) Usage(ctx context.Context, scope string) (store.Usage, error) {
	live := eq("$match", bson.D{{Key: "scope", Value: scope}, {Key: "gone", Value: eq("$ne", true)}})
	var u store.Usage
	var ids []struct {
		N int64 `bson:"n"`
	}
	if err := aggregate(ctx, s.docs, bson.A{live, eq("$group", eq("_id", "$id")), eq("$count", "n")}, &ids); err != nil {
		return store.Usage{}, mapErr("usage", err)
	}
	if len(ids) > 0 {
		u.Docs = ids[0].N
	}
	sum := eq("$group", bson.D{{Key: "_id", Value: nil}, {Key: "bytes", Value: eq("$sum", "$size")}})
	for _, q := range []struct {
		coll     *mongo.Collection
		pipeline bson.A
	}{
		{s.docs, bson.A{live, sum}},
		{s.log, bson.A{eq("$match", eq("scope", scope)), sum}},
	} {
		var rows []struct {
			Bytes int64 `bson:"bytes"`
		}
		if err := aggregate(ctx, q.coll, q.pipeline, &rows); err != nil {
			return store.Usage{}, mapErr("usage", err)
		}
		if len(rows) > 0 {
			u.Bytes += rows[0].Bytes
		}
	}
	return u, nil
}

// aggregate runs pipeline on coll and decodes every result into out.
func aggregate(ctx context.Context, coll *mongo.Collection, pipeline bson.A, out any) error {
	cur, err := coll.Aggregate(ctx, pipeline)
	if err != nil {
		return err
	}
	return cur.All(ctx, out)
}
