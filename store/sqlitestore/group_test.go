package sqlitestore

import (
	"context"
	"fmt"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// TestGroupCommit queues pushes behind a held writer so that they are
// written as one group: a push that fails in the group (its document's
// stored row is corrupt) fails alone, the others apply with dense sequence
// numbers, a batch sent twice in the group applies once, and a push whose
// context ends while queued is withdrawn and not applied. A push with an
// unencodable document fails before it waits for the writer.
func TestGroupCommit(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	ts := sync.Timestamp{Wall: 1_700_000_000_000, Node: "dev"}.String()
	doc := func(id, value string) []sync.Doc {
		return []sync.Doc{{ID: id, Type: "session", Fields: map[string]sync.Field{"note": {Value: []byte(value), TS: ts}}}}
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO sync_doc (scope, id, type, deleted, deleted_at, seq, fields)
		VALUES ('p1', 'd2', 'session', 0, 0, 0, '{broken')`); err != nil {
		t.Fatal(err)
	}
	pushes := []struct {
		batch string
		docs  []sync.Doc
		ctx   context.Context
	}{
		{"b0", doc("d0", `"zero"`), ctx},
		{"b1", doc("d1", `"one"`), ctx},
		{"bad", doc("d2", `"two"`), ctx},
		{"dup", doc("d3", `"three"`), ctx},
		{"dup", doc("d3", `"three"`), ctx},
		{"b5", doc("d5", `"five"`), ctx},
	}
	gone, cancel := context.WithCancel(ctx)
	pushes = append(pushes, struct {
		batch string
		docs  []sync.Doc
		ctx   context.Context
	}{"withdrawn", doc("d6", `"six"`), gone})

	s.group.writer <- struct{}{} // hold the writer: the pushes queue up
	if _, err := s.Push(ctx, "p1", "unencodable", doc("d7", `{broken`)); err == nil {
		t.Error("push with an unencodable value succeeded")
	}
	res := make([]store.PushResult, len(pushes))
	errs := make([]error, len(pushes))
	var wg gosync.WaitGroup
	for i, p := range pushes {
		wg.Go(func() { res[i], errs[i] = s.Push(p.ctx, "p1", p.batch, p.docs) })
	}
	waitQueued(t, s, len(pushes))
	cancel()
	waitQueued(t, s, len(pushes)-1)
	<-s.group.writer // release: one of the queued pushes writes them all
	wg.Wait()

	for i, p := range pushes {
		switch p.batch {
		case "bad":
			if errs[i] == nil {
				t.Errorf("push %s onto a corrupt stored document succeeded", p.batch)
			}
		case "withdrawn":
			if errs[i] == nil {
				t.Errorf("push %s with an ended context = %+v, want its error", p.batch, res[i])
			}
		default:
			if errs[i] != nil || res[i].Applied != 1 {
				t.Errorf("push %d (%s) = %+v, %v; want applied", i, p.batch, res[i], errs[i])
			}
		}
	}
	if res[3].Replay == res[4].Replay {
		t.Errorf("batch sent twice: replay %t and %t, want exactly one replay", res[3].Replay, res[4].Replay)
	}
	page, err := s.Pull(ctx, "p1", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range page.Docs {
		ids = append(ids, d.ID)
	}
	if len(ids) != 4 || page.Cursor != 4 || page.More {
		t.Fatalf("log after the group: %v, cursor %d; want d0, d1, d3, d5 at seqs 1–4", ids, page.Cursor)
	}
	for _, id := range []string{"d0", "d1", "d3", "d5"} {
		if !slices.Contains(ids, id) {
			t.Errorf("log after the group: %v, missing %s", ids, id)
		}
	}
}

// TestGroupCommitLongQueue queues more pushes than one group takes behind
// a held writer: they are written in several groups, and every push
// completes.
func TestGroupCommitLongQueue(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	ts := sync.Timestamp{Wall: 1_700_000_000_000, Node: "dev"}.String()
	const n = 3*maxGroup + 1
	s.group.writer <- struct{}{}
	var wg gosync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprint("d", i)
			d := sync.Doc{ID: id, Type: "session", Fields: map[string]sync.Field{"note": {Value: []byte(`"x"`), TS: ts}}}
			if _, err := s.Push(ctx, "p1", id, []sync.Doc{d}); err != nil {
				t.Errorf("Push %s: %v", id, err)
			}
		})
	}
	waitQueued(t, s, n)
	<-s.group.writer
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("pushes still waiting after 30 s")
	}
	if page, err := s.Pull(ctx, "p1", 0, 1000); err != nil || len(page.Docs) != n {
		t.Fatalf("Pull = %d documents, %v; want %d", len(page.Docs), err, n)
	}
}

// TestGroupCommitConcurrent pushes from many goroutines at once (run it
// with -race): every push is acknowledged, and the log holds every
// document once with dense sequence numbers.
func TestGroupCommitConcurrent(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	ts := sync.Timestamp{Wall: 1_700_000_000_000, Node: "dev"}.String()
	const workers, batches = 8, 10
	var wg gosync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for b := range batches {
				id := fmt.Sprintf("w%d-b%d", w, b)
				d := sync.Doc{ID: id, Type: "session", Fields: map[string]sync.Field{"note": {Value: []byte(`"x"`), TS: ts}}}
				if res, err := s.Push(ctx, fmt.Sprint("scope-", w%2), id, []sync.Doc{d}); err != nil || res.Applied != 1 {
					t.Errorf("Push %s = %+v, %v", id, res, err)
				}
			}
		})
	}
	wg.Wait()
	for scope := range 2 {
		page, err := s.Pull(ctx, fmt.Sprint("scope-", scope), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if want := workers / 2 * batches; len(page.Docs) != want || page.Cursor != int64(want) {
			t.Errorf("scope-%d: %d documents, cursor %d; want %d and %d", scope, len(page.Docs), page.Cursor, want, want)
		}
	}
}

// waitQueued waits until n pushes are queued for the writer.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		s.group.mu.Lock()
		got := len(s.group.queue)
		s.group.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pushes queued, want %d", got, n)
		}
	}
}

// TestGroupSize checks the bounds of a group: many small pushes go
// together up to maxGroup, large ones up to maxGroupDocs documents, and a
// push larger than that alone.
func TestGroupSize(t *testing.T) {
	queue := func(sizes ...int) []*pendingPush {
		var q []*pendingPush
		for _, n := range sizes {
			q = append(q, &pendingPush{docs: make([]sync.Doc, n)})
		}
		return q
	}
	repeat := func(n, size int) []int { return slices.Repeat([]int{size}, n) }
	for _, c := range []struct {
		name  string
		sizes []int
		want  int
	}{
		{"none waits", nil, 0},
		{"one small push", []int{3}, 1},
		{"2,000 pushes of 3", repeat(2000, 3), maxGroup},
		{"pushes of 1,000", repeat(5, 1000), maxGroupDocs / 1000},
		{"up to the bound exactly", repeat(maxGroupDocs/100+1, 100), maxGroupDocs / 100},
		{"one push over the bound", []int{maxGroupDocs + 1, 1}, 1},
	} {
		if got := groupSize(queue(c.sizes...)); got != c.want {
			t.Errorf("%s: group of %d, want %d", c.name, got, c.want)
		}
	}
}
