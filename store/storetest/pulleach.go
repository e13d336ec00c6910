package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// testPullEach checks PullEach against Pull at every cursor and limit over
// a log in which documents change more than once: what PullEach hands out
// (copied, as a caller that keeps entries must), with each document's last
// entry of the page kept, is Pull's page byte for byte, with Pull's cursor
// and More. An error of emit stops the read and comes back.
func testPullEach(t *testing.T, h harness) {
	s := h.fresh(t)
	a1 := synctest.Session(t, "a", stamp(1*time.Minute, 0, "d"), "note", "v1")
	b := synctest.Session(t, "b", stamp(2*time.Minute, 0, "d"), "note", "b")
	a2 := synctest.Session(t, "a", stamp(3*time.Minute, 0, "d"), "note", "v2")
	c := synctest.Doc(t, "measurement", "c", stamp(4*time.Minute, 0, "d"), "weightKg", 81.5)
	a3 := synctest.Session(t, "a", stamp(5*time.Minute, 0, "d"), "note", "v3")
	b2 := synctest.Session(t, "b", stamp(6*time.Minute, 0, "d"), "durationMin", 38)
	for i, d := range []sync.Doc{a1, b, a2, c, a3, b2} {
		mustPush(t, s, "p1", id("b", i), d)
	}
	for cursor := int64(0); cursor <= 6; cursor++ {
		for _, limit := range []int{1, 2, 3, 4, 7} {
			what := fmt.Sprintf("cursor %d, limit %d", cursor, limit)
			want, err := s.Pull(ctx(t), "p1", cursor, limit)
			if err != nil {
				t.Fatalf("Pull, %s: %v", what, err)
			}
			var got []store.StoredDoc
			next, more, err := s.PullEach(ctx(t), "p1", cursor, limit, func(d store.StoredDoc) error {
				got = append(got, store.StoredDoc{ID: d.ID, Type: d.Type, Fields: bytes.Clone(d.Fields)})
				return nil
			})
			if err != nil {
				t.Fatalf("PullEach, %s: %v", what, err)
			}
			if next != want.Cursor || more != want.More {
				t.Errorf("PullEach, %s: cursor %d More %v, Pull's %d %v", what, next, more, want.Cursor, want.More)
			}
			got = lastOfEach(got)
			if !slices.EqualFunc(got, want.Docs, func(g, w store.StoredDoc) bool {
				return g.ID == w.ID && g.Type == w.Type && bytes.Equal(g.Fields, w.Fields)
			}) {
				t.Errorf("PullEach, %s: newest entries %v, Pull's page %v", what, got, want.Docs)
			}
		}
	}
	stop := errors.New("stop here")
	calls := 0
	if _, _, err := s.PullEach(ctx(t), "p1", 0, 100, func(store.StoredDoc) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("PullEach with emit failing: %v after %d calls, want the emit error after 1", err, calls)
	}
}

// lastOfEach keeps each document's last entry, in order.
func lastOfEach(docs []store.StoredDoc) []store.StoredDoc {
	last := map[string]int{}
	for i, d := range docs {
		last[d.ID] = i
	}
	var out []store.StoredDoc
	for i, d := range docs {
		if last[d.ID] == i {
			out = append(out, d)
		}
	}
	return out
}
