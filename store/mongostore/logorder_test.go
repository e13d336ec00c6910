package mongostore_test

import (
	"context"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store/mongostore"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// TestLogOrderDiffersFromRevisionOrder has a push write a document's
// revision and stall before its log append, while a second push loses the
// race for that revision, merges, writes the next one and logs first: the
// log then ends with the older state. Pulls of any page size, and pulls
// after a compaction, must still give a client the document's current
// state, not the older one logged last.
func TestLogOrderDiffersFromRevisionOrder(t *testing.T) {
	for name, uri := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			written := make(chan struct{})
			proceed := make(chan struct{})
			var stallOnce gosync.Once
			slow := openAt(t, uri(t), mongostore.Config{})
			mongostore.SetAfterDocWrite(slow, func(ctx context.Context) error {
				stallOnce.Do(func() {
					close(written)
					<-proceed
				})
				return nil
			})
			closeStore(t, slow)
			fast := openAt(t, uri(t), mongostore.Config{Database: slow.Database()})
			closeStore(t, fast)

			older := synctest.Session(t, "doc", stamp(time.Second, 0, "a"), "note", "older", "protocol", "4x4")
			newer := synctest.Session(t, "doc", stamp(2*time.Second, 0, "b"), "note", "newer")
			other := synctest.Session(t, "other", stamp(3*time.Second, 0, "b"), "note", "other")
			errc := make(chan error, 1)
			go func() {
				_, err := slow.Push(ctx, "p1", "b-older", []sync.Doc{older})
				errc <- err
			}()
			select {
			case <-written:
			case err := <-errc:
				t.Fatalf("the stalled push ended early: %v", err)
			}
			if _, err := fast.Push(ctx, "p1", "b-newer", []sync.Doc{newer}); err != nil {
				close(proceed)
				t.Fatalf("Push(newer): %v", err)
			}
			close(proceed)
			if err := <-errc; err != nil {
				t.Fatalf("Push(older): %v", err)
			}
			if _, err := fast.Push(ctx, "p1", "b-other", []sync.Doc{other}); err != nil {
				t.Fatalf("Push(other): %v", err)
			}

			want := sync.Merge(older, newer)
			docs, err := fast.Docs(ctx, "p1")
			if err != nil || len(docs) != 2 || !docs[0].Equal(want) {
				t.Fatalf("Docs = %+v, %v; want %+v and other", docs, err, want)
			}
			// The log: the merged state at 1, the older one at 2, other at 3.
			for seq, wantDoc := range []sync.Doc{want, older, other} {
				p, err := fast.Pull(ctx, "p1", int64(seq), 1)
				if err != nil || len(p.Docs) != 1 || !decoded(t, p.Docs)[0].Equal(wantDoc) {
					t.Fatalf("Pull(%d, 1) = %+v, %v; want %+v: the race did not happen as planned", seq, p, err, wantDoc)
				}
			}

			// 2 and 3 read by _id, 100 by query; 1 takes one entry a page.
			check := func(when string) {
				t.Helper()
				for _, limit := range []int{1, 2, 3, 100} {
					held := map[string]sync.Doc{}
					pullFrom(t, ctx, fast, "p1", 0, limit, held)
					t.Run(fmt.Sprintf("%s limit %d", when, limit), func(t *testing.T) {
						sameAsStore(t, ctx, fast, "p1", held)
					})
				}
			}
			check("before compaction")
			res, err := fast.Compact(ctx, "p1", base)
			if err != nil {
				t.Fatalf("Compact: %v", err)
			}
			if res.LogEntries != 1 || res.Tombstones != 0 {
				t.Errorf("Compact = %+v, want the older state's entry removed", res)
			}
			check("after compaction")
			p, err := fast.Pull(ctx, "p1", 0, 10)
			if err != nil || len(p.Docs) != 2 || !decoded(t, p.Docs)[0].Equal(want) || p.Cursor != 3 {
				t.Errorf("Pull(0) after compaction = %+v, %v; want the merged state at 1 and other at 3", p, err)
			}
		})
	}
}

// TestCompactDropsStatesOfAnEarlierLife has a push stall before its log
// append while its document is deleted and collected; the stalled entry is
// appended after the collection, and the document is written again. Its
// two entries then hold states that do not compare: compaction keeps the
// one its current state contains.
func TestCompactDropsStatesOfAnEarlierLife(t *testing.T) {
	ctx := testCtx(t)
	uri := ferretURI(t)
	written := make(chan struct{})
	proceed := make(chan struct{})
	var stallOnce gosync.Once
	atBase := func() time.Time { return base } // the documents are written at base
	slow := openAt(t, uri, mongostore.Config{Now: atBase})
	mongostore.SetAfterDocWrite(slow, func(ctx context.Context) error {
		stallOnce.Do(func() {
			close(written)
			<-proceed
		})
		return nil
	})
	closeStore(t, slow)
	fast := openAt(t, uri, mongostore.Config{Database: slow.Database(), Now: atBase})
	closeStore(t, fast)
	push := func(batch string, d sync.Doc) {
		t.Helper()
		if _, err := fast.Push(ctx, "p1", batch, []sync.Doc{d}); err != nil {
			t.Fatalf("Push(%s): %v", batch, err)
		}
	}

	push("b1", synctest.Session(t, "x", stamp(time.Second, 0, "a"), "note", "first"))
	errc := make(chan error, 1)
	go func() {
		_, err := slow.Push(ctx, "p1", "b-stalled", []sync.Doc{synctest.Session(t, "x", stamp(2*time.Second, 0, "a"), "protocol", "4x4")})
		errc <- err
	}()
	<-written
	push("b2", synctest.Session(t, "x", stamp(3*time.Second, 0, "b"), "deleted", true))
	res, err := fast.Compact(ctx, "p1", base.Add(time.Hour))
	if err != nil || res.Tombstones != 1 {
		close(proceed)
		t.Fatalf("Compact = %+v, %v; want the tombstone collected", res, err)
	}
	close(proceed)
	if err := <-errc; err != nil {
		t.Fatalf("stalled Push: %v", err)
	}
	again := synctest.Session(t, "x", stamp(4*time.Second, 0, "c"), "note", "again")
	push("b3", again)

	if _, err := fast.Compact(ctx, "p1", base.Add(time.Hour)); err != nil {
		t.Fatalf("second Compact: %v", err)
	}
	p, err := fast.Pull(ctx, "p1", 2, 10)
	if err != nil || len(p.Docs) != 1 || !decoded(t, p.Docs)[0].Equal(again) {
		t.Fatalf("Pull(2) after the second compaction = %+v, %v; want only %+v", p, err, again)
	}
	held := map[string]sync.Doc{}
	pullFrom(t, ctx, fast, "p1", 0, 10, held)
	sameAsStore(t, ctx, fast, "p1", held)
}
