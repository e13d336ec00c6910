package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/mongostore"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
	"github.com/hit4x4/dagbok/training"
)

var base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func stamp(d time.Duration, counter uint16, node string) string {
	return sync.Timestamp{Wall: base.Add(d).UnixMilli(), Counter: counter, Node: node}.String()
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func closeStore(t testing.TB, s *mongostore.Store) {
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

// decoded decodes pulled documents.
func decoded(t testing.TB, docs []store.StoredDoc) []sync.Doc {
	t.Helper()
	out := make([]sync.Doc, len(docs))
	for i, st := range docs {
		d, err := st.Doc()
		if err != nil {
			t.Fatalf("pulled %v", err)
		}
		out[i] = d
	}
	return out
}

// pullFrom pulls pages of limit from cursor until More is false and merges
// them into held; it returns the new cursor and every page's cursor step.
func pullFrom(t testing.TB, ctx context.Context, s store.Store, scope string, cursor int64, limit int, held map[string]sync.Doc) int64 {
	t.Helper()
	for {
		p, err := s.Pull(ctx, scope, cursor, limit)
		if err != nil {
			t.Fatalf("Pull(%d): %v", cursor, err)
		}
		if p.Cursor < cursor || (len(p.Docs) > 0 && p.Cursor == cursor) {
			t.Fatalf("Pull(%d): cursor %d with %d documents", cursor, p.Cursor, len(p.Docs))
		}
		for _, d := range decoded(t, p.Docs) {
			if old, ok := held[d.ID]; ok {
				d = sync.Merge(old, d)
			}
			held[d.ID] = d
		}
		cursor = p.Cursor
		if !p.More {
			return cursor
		}
	}
}

// sameAsStore fails unless held equals Docs(scope).
func sameAsStore(t testing.TB, ctx context.Context, s store.Store, scope string, held map[string]sync.Doc) {
	t.Helper()
	docs, err := s.Docs(ctx, scope)
	if err != nil {
		t.Fatalf("Docs: %v", err)
	}
	if len(docs) != len(held) {
		t.Fatalf("puller holds %d documents, the store %d", len(held), len(docs))
	}
	for _, d := range docs {
		if h, ok := held[d.ID]; !ok || !h.Equal(d) {
			t.Fatalf("document %s: puller holds %+v, store %+v", d.ID, h, d)
		}
	}
}

// TestTwoInstancesConcurrentPush runs pushers on two Store instances
// sharing one database (as two server instances would) while a puller
// follows the cursor: no write is skipped, and the log is dense.
func TestTwoInstancesConcurrentPush(t *testing.T) {
	const pushers, batches, docsPerBatch = 8, 6, 3
	for name, uri := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			a := openAt(t, uri(t), mongostore.Config{})
			closeStore(t, a)
			b := openAt(t, uri(t), mongostore.Config{Database: a.Database()})
			closeStore(t, b)
			instances := []*mongostore.Store{a, b}

			start := time.Now()
			want := map[string]sync.Doc{}
			var wantMu gosync.Mutex
			var wg gosync.WaitGroup
			var failed atomic.Bool
			for w := range pushers {
				wg.Go(func() {
					s := instances[w%2]
					node := fmt.Sprintf("dev%d", w)
					for bn := range batches {
						var batch []sync.Doc
						for k := range docsPerBatch {
							// Documents shared by all pushers, and the pusher's own.
							id := fmt.Sprintf("shared-%d", (bn+k)%3)
							if k == 0 {
								id = fmt.Sprintf("own-%d-%d", w, bn%2)
							}
							batch = append(batch, synctest.Session(t, id, stamp(time.Duration(bn)*time.Second, uint16(k), node),
								"note", fmt.Sprintf("%s b%d k%d", node, bn, k), "durationMin", w*10+bn))
						}
						if _, err := s.Push(ctx, "p1", fmt.Sprintf("%s-%d", node, bn), batch); err != nil {
							t.Errorf("pusher %d batch %d: %v", w, bn, err)
							failed.Store(true)
							return
						}
						wantMu.Lock()
						for _, d := range batch {
							if old, ok := want[d.ID]; ok {
								d = sync.Merge(old, d)
							}
							want[d.ID] = d
						}
						wantMu.Unlock()
					}
				})
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()

			held := map[string]sync.Doc{}
			var cursor int64
			for running := true; running; {
				select {
				case <-done:
					running = false
				case <-time.After(5 * time.Millisecond):
				}
				cursor = pullFrom(t, ctx, b, "p1", cursor, 5, held)
			}
			if failed.Load() {
				t.FailNow()
			}
			sameAsStore(t, ctx, a, "p1", held)
			for id, d := range want {
				if !held[id].Equal(d) {
					t.Fatalf("document %s: puller holds %+v, the merge of every push is %+v", id, held[id], d)
				}
			}
			t.Logf("pushes done after %v", time.Since(start))
			// Dense: one entry per sequence number from 1 to the head.
			for seq := int64(0); seq < cursor; seq++ {
				p, err := a.Pull(ctx, "p1", seq, 1)
				if err != nil {
					t.Fatalf("Pull(%d, 1): %v", seq, err)
				}
				if p.Cursor != seq+1 || len(p.Docs) != 1 {
					t.Fatalf("Pull(%d, 1) = cursor %d with %d documents: sequence numbers not dense", seq, p.Cursor, len(p.Docs))
				}
			}
			t.Logf("%d pushers × %d batches of %d on two instances: head %d", pushers, batches, docsPerBatch, cursor)
		})
	}
}

// TestFaultAfterDocWrite injects a failure between the document write and
// the log append: the push fails, pullers see either nothing of it or a
// consistent state, and the client's retry of the same batch repairs both
// the documents and the log.
func TestFaultAfterDocWrite(t *testing.T) {
	errCrash := errors.New("injected crash")
	for name, uri := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			var fail atomic.Bool
			faulty := openAt(t, uri(t), mongostore.Config{})
			mongostore.SetAfterDocWrite(faulty, failWhile(&fail, errCrash))
			closeStore(t, faulty)
			healthy := openAt(t, uri(t), mongostore.Config{Database: faulty.Database()})
			closeStore(t, healthy)

			old := synctest.Session(t, "s1", stamp(time.Minute, 0, "phone"), "protocol", "4x4", "note", "before")
			if _, err := healthy.Push(ctx, "p1", "b0", []sync.Doc{old}); err != nil {
				t.Fatalf("Push: %v", err)
			}
			held := map[string]sync.Doc{}
			cursor := pullFrom(t, ctx, healthy, "p1", 0, 10, held)

			edit := synctest.Session(t, "s1", stamp(2*time.Minute, 0, "phone"), "note", "after")
			created := synctest.Session(t, "s2", stamp(2*time.Minute, 0, "phone"), "protocol", "3x3")
			batch := []sync.Doc{edit, created}
			fail.Store(true)
			if _, err := faulty.Push(ctx, "p1", "b1", batch); !errors.Is(err, errCrash) {
				t.Fatalf("Push with a crash after the document write: err = %v, want the injected error", err)
			}
			// Nothing of the failed push is in the log yet.
			p, err := healthy.Pull(ctx, "p1", cursor, 10)
			if err != nil || len(p.Docs) != 0 || p.Cursor != cursor {
				t.Fatalf("Pull after the failed push = %+v, %v; want nothing new", p, err)
			}

			// A concurrent push of unrelated data still works and is logged.
			other := synctest.Session(t, "s3", stamp(3*time.Minute, 0, "tablet"), "protocol", "tabata")
			if _, err := healthy.Push(ctx, "p1", "b-other", []sync.Doc{other}); err != nil {
				t.Fatalf("Push: %v", err)
			}

			// The client retries the same batch; the crash is gone.
			fail.Store(false)
			res, err := faulty.Push(ctx, "p1", "b1", batch)
			if err != nil {
				t.Fatalf("retried Push: %v", err)
			}
			if res.Replay || res.Applied != 2 {
				t.Errorf("retried Push = %+v, want Applied 2, not a replay", res)
			}
			pullFrom(t, ctx, healthy, "p1", cursor, 1, held)
			sameAsStore(t, ctx, healthy, "p1", held)
			if want := sync.Merge(old, edit); !held["s1"].Equal(want) {
				t.Errorf("s1 = %+v, want %+v", held["s1"], want)
			}
			if !held["s2"].Equal(created) {
				t.Errorf("s2 = %+v, want %+v", held["s2"], created)
			}
			// The batch is recorded now: a third send is a replay.
			if res, err := faulty.Push(ctx, "p1", "b1", batch); err != nil || !res.Replay {
				t.Errorf("third Push = %+v, %v; want a replay", res, err)
			}
		})
	}
}

// TestOpenTwice opens two stores on one database: index creation is
// idempotent, and FerretDB is not a replica set.
func TestOpenTwice(t *testing.T) {
	uri := ferretURI(t)
	a := openAt(t, uri, mongostore.Config{})
	closeStore(t, a)
	b := openAt(t, uri, mongostore.Config{Database: a.Database()})
	closeStore(t, b)
	if a.Replicated() {
		t.Errorf("Replicated() on FerretDB = true, want false")
	}
	if _, err := mongostore.Open(testCtx(t), mongostore.Config{}); err == nil {
		t.Errorf("Open without a URI succeeded")
	}
}

// TestValueBytesSurvive checks that value bytes come back as pushed,
// escapes included (merge breaks ties on them), only without whitespace
// outside strings (the stored form of both stores; values pushed through
// the API are canonical and have none).
func TestValueBytesSurvive(t *testing.T) {
	ctx := testCtx(t)
	s := openAt(t, ferretURI(t), mongostore.Config{})
	closeStore(t, s)
	ts := stamp(time.Minute, 0, "d")
	d := sync.Doc{ID: "s1", Type: training.TypeSession, Fields: map[string]sync.Field{
		"note":      {Value: []byte(`"\u003cb\u003e & \u00e6 ø \"q\""`), TS: ts},
		"intervals": {Value: []byte(`[ {"rpe": 15} ,{"hrPeak":170,"rpe":16}]`), TS: ts},
		"protocol":  {Value: []byte(`null`), TS: ts},
	}}
	if _, err := s.Push(ctx, "p1", "b1", []sync.Doc{d}); err != nil {
		t.Fatalf("Push: %v", err)
	}
	d.Fields["intervals"] = sync.Field{Value: []byte(`[{"rpe":15},{"hrPeak":170,"rpe":16}]`), TS: ts}
	docs, err := s.Docs(ctx, "p1")
	if err != nil || len(docs) != 1 || !docs[0].Equal(d) {
		t.Fatalf("Docs = %+v, %v; want %+v byte for byte", docs, err, d)
	}
	p, err := s.Pull(ctx, "p1", 0, 10)
	if err != nil || len(p.Docs) != 1 || !decoded(t, p.Docs)[0].Equal(d) {
		t.Fatalf("Pull = %+v, %v; want %+v byte for byte", p, err, d)
	}
}

// TestCollectedScopeIsGone checks that a scope whose only document was a
// collected tombstone is no longer listed, and that the document can be
// written again afterwards.
func TestCollectedScopeIsGone(t *testing.T) {
	ctx := testCtx(t)
	s := openAt(t, ferretURI(t), mongostore.Config{Now: func() time.Time { return base }})
	closeStore(t, s)
	del := synctest.Session(t, "s1", stamp(time.Minute, 0, "d"), "deleted", true)
	if _, err := s.Push(ctx, "p1", "b1", []sync.Doc{del}); err != nil {
		t.Fatalf("Push: %v", err)
	}
	res, err := s.Compact(ctx, "p1", base.Add(time.Hour))
	if err != nil || res.Tombstones != 1 || res.LogEntries != 1 {
		t.Fatalf("Compact = %+v, %v; want one tombstone and its entry", res, err)
	}
	if scopes, err := s.Scopes(ctx); err != nil || len(scopes) != 0 {
		t.Errorf("Scopes after collecting the only document = %v, %v; want none", scopes, err)
	}
	if docs, err := s.Docs(ctx, "p1"); err != nil || len(docs) != 0 {
		t.Errorf("Docs after collecting = %+v, %v; want none", docs, err)
	}
	again := synctest.Session(t, "s1", stamp(2*time.Hour, 0, "d"), "note", "new")
	if _, err := s.Push(ctx, "p1", "b2", []sync.Doc{again}); err != nil {
		t.Fatalf("Push after collecting: %v", err)
	}
	p, err := s.Pull(ctx, "p1", 1, 10)
	if err != nil || len(p.Docs) != 1 || !decoded(t, p.Docs)[0].Equal(again) || p.Cursor != 2 {
		t.Fatalf("Pull(1) = %+v, %v; want the new document at seq 2", p, err)
	}
	if scopes, err := s.Scopes(ctx); err != nil || len(scopes) != 1 {
		t.Errorf("Scopes = %v, %v; want [p1]", scopes, err)
	}
}

// TestAppendAfterCompactionOnOtherInstance has one instance append after
// another compacted the log below and at the first one's last known head:
// its entries must land above everything compaction saw, never in a gap.
func TestAppendAfterCompactionOnOtherInstance(t *testing.T) {
	ctx := testCtx(t)
	atBase := func() time.Time { return base } // the documents are written at base
	a := openAt(t, ferretURI(t), mongostore.Config{Now: atBase})
	closeStore(t, a)
	b := openAt(t, ferretURI(t), mongostore.Config{Database: a.Database(), Now: atBase})
	closeStore(t, b)
	push := func(s *mongostore.Store, batch string, d sync.Doc) {
		t.Helper()
		if _, err := s.Push(ctx, "p1", batch, []sync.Doc{d}); err != nil {
			t.Fatalf("Push(%s): %v", batch, err)
		}
	}
	// a knows the head at 2; b takes the log to 6 and ends it with a
	// tombstone, then compacts: 1–5 are superseded, 6 is collected.
	push(a, "a1", synctest.Session(t, "x", stamp(1*time.Minute, 0, "a"), "note", "x1"))
	push(a, "a2", synctest.Session(t, "x", stamp(2*time.Minute, 0, "a"), "note", "x2"))
	for i := 3; i <= 5; i++ {
		push(b, fmt.Sprintf("b%d", i), synctest.Session(t, "x", stamp(time.Duration(i)*time.Minute, 0, "b"), "note", fmt.Sprintf("x%d", i)))
	}
	push(b, "b6", synctest.Session(t, "x", stamp(6*time.Minute, 0, "b"), "deleted", true))
	res, err := b.Compact(ctx, "p1", base.Add(time.Hour))
	if err != nil || res.Tombstones != 1 || res.LogEntries != 6 {
		t.Fatalf("Compact = %+v, %v; want the tombstone and all 6 entries", res, err)
	}

	for _, s := range []*mongostore.Store{a, b} {
		z := synctest.Session(t, fmt.Sprintf("z-%p", s), stamp(7*time.Minute, 0, "a"), "note", "z")
		push(s, fmt.Sprintf("z-%p", s), z)
	}
	p, err := a.Pull(ctx, "p1", 6, 10)
	if err != nil {
		t.Fatalf("Pull(6): %v", err)
	}
	if len(p.Docs) != 2 || p.Cursor != 8 {
		t.Fatalf("Pull(6) = %d documents up to %d, want both new documents at 7 and 8", len(p.Docs), p.Cursor)
	}
	for seq := int64(6); seq < 8; seq++ {
		p, err := b.Pull(ctx, "p1", seq, 1)
		if err != nil || len(p.Docs) != 1 || p.Cursor != seq+1 {
			t.Fatalf("Pull(%d, 1) = %+v, %v; want one entry at %d", seq, p, err, seq+1)
		}
	}
	if _, err := a.Pull(ctx, "p1", 2, 10); !errors.Is(err, store.ErrCursorExpired) {
		t.Errorf("Pull(2) after collecting the tombstone at 6: err = %v, want ErrCursorExpired", err)
	}
}

// TestTombstoneWithoutWriteTime: records written before the store kept
// the server time of a write age from the stamp of their deleted field,
// as they did then; records with it age from that time.
func TestTombstoneWithoutWriteTime(t *testing.T) {
	ctx := testCtx(t)
	uri := ferretURI(t)
	pushed := base.Add(200 * 24 * time.Hour)
	s := openAt(t, uri, mongostore.Config{Now: func() time.Time { return pushed }})
	closeStore(t, s)
	for _, id := range []string{"legacy", "recent"} {
		if _, err := s.Push(ctx, "p1", "b-"+id, []sync.Doc{synctest.Session(t, id, stamp(time.Minute, 0, "d"), "deleted", true)}); err != nil {
			t.Fatalf("Push(%s): %v", id, err)
		}
	}
	// Take the write time out of legacy's records, as an older version
	// wrote them.
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database(s.Database())
	for _, coll := range []string{"sync_docs", "sync_log"} {
		res, err := db.Collection(coll).UpdateMany(ctx, bson.D{{Key: "id", Value: "legacy"}},
			bson.D{{Key: "$unset", Value: bson.D{{Key: "writtenAt", Value: ""}}}})
		if err != nil || res.ModifiedCount != 1 {
			t.Fatalf("unset writtenAt in %s: %+v, %v; want one record changed", coll, res, err)
		}
	}
	res, err := s.Compact(ctx, "p1", base.Add(time.Hour))
	if err != nil || res.Tombstones != 1 {
		t.Fatalf("Compact = %+v, %v; want only legacy collected", res, err)
	}
	p, err := s.Pull(ctx, "p1", 0, 10)
	if err != nil || len(p.Docs) != 1 || p.Docs[0].ID != "recent" {
		t.Errorf("Pull after Compact = %+v, %v; want only recent", p, err)
	}
}
