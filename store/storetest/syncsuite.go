package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	gosync "sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

func testPushMerges(t *testing.T, h harness) {
	s := h.fresh(t)
	t1, t2, t3 := stamp(time.Minute, 0, "phone"), stamp(2*time.Minute, 0, "tablet"), stamp(3*time.Minute, 0, "phone")
	first := synctest.Session(t, "s1", t1, "protocol", "4x4", "sessionRpe", 7)
	first.Fields["note"] = synctest.Field(t, "first note", t3)
	res := mustPush(t, s, "p1", "b1", first)
	if res.Applied != 1 || res.Replay {
		t.Errorf("first Push = %+v, want Applied 1", res)
	}
	// The tablet changed protocol later than the phone, and the note earlier.
	second := synctest.Session(t, "s1", t2, "protocol", "3x3", "note", "older note", "moodAfter", 4)
	res = mustPush(t, s, "p1", "b2", second)
	if res.Applied != 1 || res.Replay {
		t.Errorf("second Push = %+v, want Applied 1", res)
	}
	want := synctest.Session(t, "s1", t2, "protocol", "3x3", "moodAfter", 4)
	want.Fields["sessionRpe"] = synctest.Field(t, 7, t1)
	want.Fields["note"] = synctest.Field(t, "first note", t3)
	if m := sync.Merge(first, second); !m.Equal(want) {
		t.Fatalf("test premise: sync.Merge = %s, want %s", show(m), show(want))
	}
	sameDocs(t, "Docs after two pushes", mustDocs(t, s, "p1"), []sync.Doc{want})
	p, err := pull(s, ctx(t), "p1", 0, 10)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	sameDocs(t, "Pull after two pushes", p.Docs, []sync.Doc{want})

	// An older write of every field changes nothing.
	stale := synctest.Session(t, "s1", stamp(0, 0, "old"), "protocol", "tabata", "note", "stale", "sessionRpe", 1, "moodAfter", 1)
	mustPush(t, s, "p1", "b3", stale)
	sameDocs(t, "Docs after a stale push", mustDocs(t, s, "p1"), []sync.Doc{want})

	// Several documents in one batch, new and old, all applied.
	batch := []sync.Doc{
		synctest.Session(t, "s2", t1, "protocol", "4x4"),
		synctest.Session(t, "s1", t3, "moodBefore", 2),
		synctest.Tombstone(t, "s3", t2),
	}
	res = mustPush(t, s, "p1", "b4", batch...)
	if res.Applied != 3 {
		t.Errorf("Push of 3 documents: Applied = %d", res.Applied)
	}
	want.Fields["moodBefore"] = synctest.Field(t, 2, t3)
	sameDocs(t, "Docs after a batch", mustDocs(t, s, "p1"), []sync.Doc{want, batch[0], batch[2]})
}

func testPushDuplicateInBatch(t *testing.T, h harness) {
	s := h.fresh(t)
	a := synctest.Session(t, "s1", stamp(time.Minute, 0, "a"), "protocol", "4x4", "note", "a")
	b := synctest.Session(t, "s1", stamp(2*time.Minute, 0, "b"), "note", "b")
	mustPush(t, s, "p1", "b1", a, b)
	sameDocs(t, "Docs", mustDocs(t, s, "p1"), []sync.Doc{sync.Merge(a, b)})
	p, err := pull(s, ctx(t), "p1", 0, 10)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	sameDocs(t, "Pull", p.Docs, []sync.Doc{sync.Merge(a, b)})
}

func testPushReplay(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	d1 := synctest.Session(t, "s1", stamp(time.Minute, 0, "dev"), "protocol", "4x4")
	d2 := synctest.Session(t, "s2", stamp(time.Minute, 0, "dev"), "protocol", "3x3")
	first := mustPush(t, s, "p1", "batch-1", d1, d2)
	if first.Applied != 2 || first.Replay {
		t.Fatalf("Push = %+v, want Applied 2", first)
	}
	before := mustDocs(t, s, "p1")
	head, err := pull(s, c, "p1", 0, 100)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	// The same batch again, even with other content, changes nothing.
	changed := synctest.Session(t, "s1", stamp(time.Hour, 0, "dev"), "protocol", "tabata")
	again := mustPush(t, s, "p1", "batch-1", changed)
	if !again.Replay || again.Applied != first.Applied {
		t.Errorf("replayed Push = %+v, want Replay with Applied %d", again, first.Applied)
	}
	sameDocs(t, "Docs after replay", mustDocs(t, s, "p1"), before)
	p, err := pull(s, c, "p1", head.Cursor, 100)
	if err != nil {
		t.Fatalf("Pull after replay: %v", err)
	}
	if len(p.Docs) != 0 || p.Cursor != head.Cursor {
		t.Errorf("replay appended to the log: Pull(%d) = %+v", head.Cursor, p)
	}
	// Batch IDs are per scope.
	other := mustPush(t, s, "p2", "batch-1", changed)
	if other.Replay || other.Applied != 1 {
		t.Errorf("same batch ID in another scope: %+v, want applied", other)
	}
	sameDocs(t, "Docs of the other scope", mustDocs(t, s, "p2"), []sync.Doc{changed})
}

func testPullEmpty(t *testing.T, h harness) {
	s := h.fresh(t)
	p, err := pull(s, ctx(t), "nobody", 0, 10)
	if err != nil {
		t.Fatalf("Pull(empty scope): %v", err)
	}
	if len(p.Docs) != 0 || p.More || p.Cursor != 0 {
		t.Errorf("Pull(empty scope) = %+v, want an empty page at cursor 0", p)
	}
	if ds := mustDocs(t, s, "nobody"); len(ds) != 0 {
		t.Errorf("Docs(empty scope) = %s", showAll(ds))
	}
	mustPush(t, s, "p1", "b1", synctest.Session(t, "s1", stamp(0, 0, "d"), "protocol", "4x4"))
	p, err = pull(s, ctx(t), "p1", 1, 10)
	if err != nil {
		t.Fatalf("Pull(at head): %v", err)
	}
	if len(p.Docs) != 0 || p.More || p.Cursor != 1 {
		t.Errorf("Pull(at head) = %+v, want an empty page keeping cursor 1", p)
	}
}

// testPullOddDocuments pushes documents whose IDs, names, stamps and
// values need escaping in JSON (HTML characters, quotes, U+2028, non-ASCII,
// control characters) or are not compact, and checks that Pull and Docs
// give them back, each value compacted but otherwise in the bytes it was
// pushed with, and (in pullAll) in the stored form.
func testPullOddDocuments(t *testing.T, h harness) {
	s := h.fresh(t)
	ts := stamp(0, 0, "d")
	odd := sync.Doc{ID: "odd<&>", Type: "session", Fields: map[string]sync.Field{
		"a<b>&c":  {Value: []byte(`"x<y>&z \u2028 æøå"`), TS: ts},
		`q"uote`:  {Value: []byte("\"line\u2028sep\u2029para\""), TS: ts + "<&>"},
		"ærlig":   {Value: []byte(`[1, 2, {"k" : "v"}]`), TS: ts},
		"tab\tnl": {Value: []byte(`"\u003c already escaped"`), TS: ts},
		"plain":   {Value: []byte(`{"b":1,"a":[true,null]}`), TS: ts},
	}}
	plain := synctest.Session(t, "plain", ts, "note", "Gikk ute i regnet <3 & sola kom", "durationMin", 38)
	mustPush(t, s, "p1", "b1", odd, plain)
	want := sync.Doc{ID: odd.ID, Type: odd.Type, Fields: map[string]sync.Field{}}
	for name, f := range odd.Fields {
		v := jsontext.Value(bytes.Clone(f.Value))
		if err := v.Compact(); err != nil {
			t.Fatal(err)
		}
		want.Fields[name] = sync.Field{Value: []byte(v), TS: f.TS}
	}
	for _, limit := range []int{1, 10} {
		var got []sync.Doc
		for _, p := range pullAll(t, s, "p1", 0, limit) {
			got = append(got, p.Docs...)
		}
		sameDocs(t, fmt.Sprintf("Pull with limit %d", limit), got, []sync.Doc{want, plain})
	}
	sameDocs(t, "Docs", mustDocs(t, s, "p1"), byID([]sync.Doc{want, plain}))
}

func testPullPaging(t *testing.T, h harness) {
	s := h.fresh(t)
	var want []sync.Doc
	for i := range 10 {
		d := synctest.Session(t, id("s", i), stamp(time.Duration(i)*time.Minute, 0, "d"), "protocol", "4x4", "durationMin", 30+i)
		mustPush(t, s, "p1", id("b", i), d)
		want = append(want, d)
	}
	for _, limit := range []int{1, 3, 10, 11, 1000} {
		pages := pullAll(t, s, "p1", 0, limit)
		var got []sync.Doc
		for i, p := range pages {
			if i < len(pages)-1 && (!p.More || len(p.Docs) != limit) {
				t.Errorf("limit %d: page %d has %d documents, More=%v", limit, i, len(p.Docs), p.More)
			}
			got = append(got, p.Docs...)
		}
		sameDocs(t, fmt.Sprintf("Pull with limit %d", limit), got, want)
		wantPages := (10 + limit - 1) / limit
		if len(pages) != wantPages {
			t.Errorf("limit %d: %d pages, want %d", limit, len(pages), wantPages)
		}
		if last := pages[len(pages)-1]; last.Cursor != 10 || last.More {
			t.Errorf("limit %d: last page cursor %d More %v, want 10, false", limit, last.Cursor, last.More)
		}
	}
}

func testPullNewestOncePerPage(t *testing.T, h harness) {
	s := h.fresh(t)
	a1 := synctest.Session(t, "a", stamp(1*time.Minute, 0, "d"), "note", "v1")
	b := synctest.Session(t, "b", stamp(2*time.Minute, 0, "d"), "note", "b")
	a2 := synctest.Session(t, "a", stamp(3*time.Minute, 0, "d"), "note", "v2")
	c := synctest.Session(t, "c", stamp(4*time.Minute, 0, "d"), "note", "c")
	a3 := synctest.Session(t, "a", stamp(5*time.Minute, 0, "d"), "note", "v3")
	for i, d := range []sync.Doc{a1, b, a2, c, a3} {
		mustPush(t, s, "p1", id("b", i), d)
	}
	p, err := pull(s, ctx(t), "p1", 0, 100)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	// Each document once, with its newest state, in log order of that state.
	sameDocs(t, "Pull", p.Docs, []sync.Doc{b, c, a3})
	if p.Cursor != 5 || p.More {
		t.Errorf("Pull cursor %d More %v, want 5, false", p.Cursor, p.More)
	}
	// Any paging gives each document at most once per page, and ends with
	// the newest state of each.
	for _, limit := range []int{1, 2, 3, 4} {
		r := replica{}
		for _, p := range pullAll(t, s, "p1", 0, limit) {
			seen := map[string]bool{}
			for _, d := range p.Docs {
				if seen[d.ID] {
					t.Errorf("limit %d: %s twice in one page", limit, d.ID)
				}
				seen[d.ID] = true
			}
			r.apply(p.Docs)
		}
		sameDocs(t, fmt.Sprintf("replica after pulls with limit %d", limit), r.docs(false), mustDocs(t, s, "p1"))
	}
}

// testDenseSeqs checks that every change takes the next sequence number:
// with limit 1 each page is one log entry and the cursor steps by one.
func testDenseSeqs(t *testing.T, h harness) {
	s := h.fresh(t)
	n := 0
	for i := range 6 {
		var batch []sync.Doc
		for j := range i%3 + 1 {
			batch = append(batch, synctest.Session(t, id("s", (i+j)%4), stamp(time.Duration(n+1)*time.Minute, 0, "d"), "sessionRpe", n%10))
			n++
		}
		mustPush(t, s, "p1", id("b", i), batch...)
	}
	pages := nonEmpty(pullAll(t, s, "p1", 0, 1))
	for i, p := range pages {
		if p.Cursor != int64(i+1) || len(p.Docs) != 1 {
			t.Fatalf("page %d: cursor %d with %d documents, want cursor %d with one (sequence numbers must be dense)", i, p.Cursor, len(p.Docs), i+1)
		}
	}
	if len(pages) != n {
		t.Errorf("%d pages of one, want %d (one per change)", len(pages), n)
	}
}

// nonEmpty drops pages without documents (an engine may end with one).
func nonEmpty(pages []page) []page {
	var out []page
	for _, p := range pages {
		if len(p.Docs) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// history pushes a sequence of single-document batches to scope p1 and
// returns, for each cursor 0…n, what a client holds after pulling up to it.
func history(t *testing.T, s store.Store, docs []sync.Doc) []replica {
	t.Helper()
	return historyAt(t, s, nil, docs)
}

// historyAt is history with the store's clock c, when not nil, set to the
// newest stamp of each document before it is pushed: the store receives
// every change when it was made.
func historyAt(t *testing.T, s store.Store, c *clock, docs []sync.Doc) []replica {
	t.Helper()
	for i, d := range docs {
		if c != nil {
			ts, err := sync.ParseTimestamp(d.MaxTS())
			if err != nil {
				t.Fatalf("document %d: %v", i, err)
			}
			c.set(ts.Time())
		}
		mustPush(t, s, "p1", id("h", i), d)
	}
	states := []replica{{}}
	r := replica{}
	for _, p := range pullAll(t, s, "p1", 0, 1) {
		if len(p.Docs) == 0 {
			continue
		}
		r.apply(p.Docs)
		states = append(states, r.clone())
	}
	if len(states) != len(docs)+1 {
		t.Fatalf("history: %d log entries for %d changes", len(states)-1, len(docs))
	}
	return states
}

func testCompact(t *testing.T, h harness) {
	s := h.fresh(t)
	docs := []sync.Doc{
		synctest.Session(t, "a", stamp(1*time.Minute, 0, "d"), "note", "a1"),
		synctest.Session(t, "b", stamp(2*time.Minute, 0, "d"), "note", "b1"),
		synctest.Session(t, "a", stamp(3*time.Minute, 0, "d"), "note", "a2", "sessionRpe", 5),
		synctest.Session(t, "c", stamp(4*time.Minute, 0, "d"), "note", "c1"),
		synctest.Session(t, "a", stamp(5*time.Minute, 0, "d"), "note", "a3"),
		synctest.Tombstone(t, "b", stamp(6*time.Minute, 0, "d")),
		synctest.Session(t, "d", stamp(7*time.Minute, 0, "d"), "note", "d1"),
	}
	states := history(t, s, docs)
	want := mustDocs(t, s, "p1")

	// Tombstones written long after the limit stay; only superseded entries go.
	res, err := s.Compact(ctx(t), "p1", at(-time.Hour))
	if err != nil {
		t.Fatalf("Compact: %v", err)
	}
	if res.LogEntries != 3 || res.Tombstones != 0 {
		t.Errorf("Compact = %+v, want 3 superseded entries (a1, b1, a2) and no tombstones", res)
	}
	sameDocs(t, "Docs after Compact", mustDocs(t, s, "p1"), want)
	// A client at any old cursor catches up to exactly the store's state.
	for cursor, st := range states {
		r := st.clone()
		for _, p := range pullAll(t, s, "p1", int64(cursor), 2) {
			r.apply(p.Docs)
		}
		sameDocs(t, fmt.Sprintf("client at cursor %d after Compact", cursor), r.docs(false), want)
	}
	pages := nonEmpty(pullAll(t, s, "p1", 0, 1))
	if n := len(pages); n != 4 {
		t.Errorf("log after Compact holds %d entries, want 4 (one per document)", n)
	}
	// Compacting again finds nothing.
	if res, err := s.Compact(ctx(t), "p1", at(-time.Hour)); err != nil || res != (store.CompactResult{}) {
		t.Errorf("second Compact = %+v, %v; want nothing removed", res, err)
	}
	// New writes continue after the old head.
	e := synctest.Session(t, "e", stamp(8*time.Minute, 0, "d"), "note", "e1")
	mustPush(t, s, "p1", "after", e)
	p, err := pull(s, ctx(t), "p1", int64(len(docs)), 10)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	sameDocs(t, "Pull after Compact from the old head", p.Docs, []sync.Doc{e})
	if p.Cursor != int64(len(docs))+1 {
		t.Errorf("cursor after Compact and a push = %d, want %d", p.Cursor, len(docs)+1)
	}
}

func testCollectTombstones(t *testing.T, h harness) {
	s, clk := h.clocked(t, base)
	c := ctx(t)
	docs := []sync.Doc{
		synctest.Session(t, "a", stamp(1*time.Minute, 0, "d"), "note", "a"),
		synctest.Session(t, "b", stamp(2*time.Minute, 0, "d"), "note", "b"),
		synctest.Tombstone(t, "a", stamp(3*time.Minute, 0, "d")),  // seq 3, written at 3 min: collected below
		synctest.Tombstone(t, "c", stamp(20*time.Minute, 0, "d")), // written at 20 min: too recent to collect
		synctest.Session(t, "b", stamp(5*time.Minute, 0, "d"), "note", "b2"),
	}
	// A document deleted and then restored is not a tombstone.
	restored := synctest.Session(t, "r", stamp(1*time.Minute, 0, "d"), "note", "r")
	restored.Fields["deleted"] = synctest.Field(t, true, stamp(1*time.Minute, 0, "d"))
	undelete := sync.Doc{ID: "r", Type: "session", Fields: map[string]sync.Field{"deleted": synctest.Field(t, false, stamp(2*time.Minute, 0, "d"))}}
	docs = append(docs, restored, undelete)
	historyAt(t, s, clk, docs)

	res, err := s.Compact(c, "p1", at(10*time.Minute))
	if err != nil {
		t.Fatalf("Compact: %v", err)
	}
	if res.Tombstones != 1 {
		t.Errorf("Compact collected %d tombstones, want 1 (a)", res.Tombstones)
	}
	got := mustDocs(t, s, "p1")
	var ids []string
	for _, d := range got {
		ids = append(ids, d.ID)
	}
	if fmt.Sprint(ids) != "[b c r]" {
		t.Errorf("Docs after collecting tombstones: %v, want [b c r]", ids)
	}
	// Cursors that could have missed the deletion of a must start over.
	for cursor := int64(1); cursor < 3; cursor++ {
		if _, err := pull(s, c, "p1", cursor, 10); !errors.Is(err, store.ErrCursorExpired) {
			t.Errorf("Pull(%d) after collecting seq 3: err = %v, want ErrCursorExpired", cursor, err)
		}
	}
	// Cursors at or after the collected entry go on; a fresh pull works.
	for cursor := int64(3); cursor <= int64(len(docs)); cursor++ {
		if _, err := pull(s, c, "p1", cursor, 10); err != nil {
			t.Errorf("Pull(%d) after collecting seq 3: %v", cursor, err)
		}
	}
	r := replica{}
	for _, p := range pullAll(t, s, "p1", 0, 2) {
		r.apply(p.Docs)
	}
	sameDocs(t, "fresh pull after collecting tombstones", r.docs(false), got)

	// Collecting the rest later.
	res, err = s.Compact(c, "p1", at(time.Hour))
	if err != nil || res.Tombstones != 1 {
		t.Errorf("second Compact = %+v, %v; want c collected", res, err)
	}
	if _, err := pull(s, c, "p1", 3, 10); !errors.Is(err, store.ErrCursorExpired) {
		t.Errorf("Pull(3) after collecting c at seq 4: err = %v, want ErrCursorExpired", err)
	}
}

// testTombstoneAtHead collects a tombstone that is the newest log entry: the
// next write must still get a new sequence number, never a reused one.
func testTombstoneAtHead(t *testing.T, h harness) {
	s, clk := h.clocked(t, base)
	c := ctx(t)
	historyAt(t, s, clk, []sync.Doc{
		synctest.Session(t, "a", stamp(1*time.Minute, 0, "d"), "note", "a"),
		synctest.Session(t, "b", stamp(2*time.Minute, 0, "d"), "note", "b"),
		synctest.Tombstone(t, "b", stamp(3*time.Minute, 0, "d")),
	})
	if res, err := s.Compact(c, "p1", at(time.Hour)); err != nil || res.Tombstones != 1 {
		t.Fatalf("Compact = %+v, %v; want one tombstone", res, err)
	}
	if _, err := pull(s, c, "p1", 2, 10); !errors.Is(err, store.ErrCursorExpired) {
		t.Errorf("Pull(2): err = %v, want ErrCursorExpired", err)
	}
	p, err := pull(s, c, "p1", 3, 10)
	if err != nil || len(p.Docs) != 0 {
		t.Fatalf("Pull(3) = %+v, %v; want an empty page", p, err)
	}
	d := synctest.Session(t, "d", stamp(4*time.Minute, 0, "d"), "note", "d")
	mustPush(t, s, "p1", "next", d)
	p, err = pull(s, c, "p1", 3, 10)
	if err != nil {
		t.Fatalf("Pull(3): %v", err)
	}
	sameDocs(t, "Pull(3) after a new push", p.Docs, []sync.Doc{d})
	if p.Cursor != 4 {
		t.Errorf("cursor %d, want 4: a collected sequence number was handed out again", p.Cursor)
	}
}

// testOldDeletionKeptForTTL: a tombstone ages from the last time the store
// received a change to its document, by the store's clock, never from the
// stamps it carries. A deletion made offline 200 days ago and pushed now
// outlives compactions with a 90-day TTL until 90 days after the push; an
// edit that reaches the deleted document keeps it 90 days more; a push
// that changes nothing does not.
func testOldDeletionKeptForTTL(t *testing.T, h harness) {
	const day = 24 * time.Hour
	const ttl = 90 * day
	pushed := at(200 * day)
	s, clk := h.clocked(t, pushed)
	c := ctx(t)
	compact := func(want int) {
		t.Helper()
		res, err := s.Compact(c, "p1", clk.now().Add(-ttl))
		if err != nil {
			t.Fatalf("Compact: %v", err)
		}
		if res.Tombstones != want {
			t.Fatalf("Compact %v after the deletion was pushed collected %d tombstones, want %d",
				clk.now().Sub(pushed), res.Tombstones, want)
		}
	}
	// The tablet holds a cursor from before the deletion.
	kept := synctest.Session(t, "kept", stamp(0, 0, "tablet"), "note", "kept")
	mustPush(t, s, "p1", "b1", kept)
	p, err := pull(s, c, "p1", 0, 10)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	cursor := p.Cursor
	stillThere := func() {
		t.Helper()
		p, err := pull(s, c, "p1", cursor, 10)
		if err != nil || len(p.Docs) != 1 || p.Docs[0].ID != "old" || !p.Docs[0].Deleted() {
			t.Fatalf("the tablet's Pull(%d) = %s, %v; want the tombstone of old", cursor, showAll(p.Docs), err)
		}
	}

	// The phone deleted a session 200 days ago while offline and syncs now.
	old := synctest.Session(t, "old", stamp(0, 0, "phone"), "note", "old")
	old.Fields["deleted"] = synctest.Field(t, true, stamp(time.Minute, 0, "phone"))
	mustPush(t, s, "p1", "b2", old)
	compact(0)
	stillThere()
	clk.advance(89 * day)
	compact(0)
	stillThere()

	// A late edit from another device, stamped long ago too, reaches the
	// deleted document: it stays deleted and is kept a full TTL more.
	mustPush(t, s, "p1", "b3", synctest.Session(t, "old", stamp(2*time.Minute, 0, "watch"), "moodAfter", 4))
	edited := clk.now()
	clk.advance(2 * day) // 91 days after the push of the deletion
	compact(0)
	stillThere()

	// A push that changes nothing is no change.
	clk.set(edited.Add(ttl + day))
	mustPush(t, s, "p1", "b4", old)
	compact(1)
	if _, err := pull(s, c, "p1", cursor, 10); !errors.Is(err, store.ErrCursorExpired) {
		t.Errorf("the tablet's Pull(%d) after the collection: err = %v, want ErrCursorExpired", cursor, err)
	}
	sameDocs(t, "Docs after the collection", mustDocs(t, s, "p1"), []sync.Doc{kept})
}

func testScopes(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	if scopes, err := s.Scopes(c); err != nil || len(scopes) != 0 {
		t.Errorf("Scopes of an empty store = %v, %v", scopes, err)
	}
	for _, scope := range []string{"p3", "p1", "p2"} {
		mustPush(t, s, scope, "b1", synctest.Session(t, "s1", stamp(0, 0, "d"), "note", scope))
	}
	scopes, err := s.Scopes(c)
	if err != nil {
		t.Fatalf("Scopes: %v", err)
	}
	if fmt.Sprint(scopes) != "[p1 p2 p3]" {
		t.Errorf("Scopes = %v, want [p1 p2 p3]", scopes)
	}
}

// testUsage: a scope's usage counts its documents, tombstones included,
// and the bytes of their fields in the documents and in the change log;
// other scopes count apart.
func testUsage(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	usage := func(scope string) store.Usage {
		t.Helper()
		u, err := s.Usage(c, scope)
		if err != nil {
			t.Fatalf("Usage(%s): %v", scope, err)
		}
		return u
	}
	if u := usage("p1"); u != (store.Usage{}) {
		t.Errorf("Usage of an empty scope = %+v", u)
	}
	docs := []sync.Doc{
		synctest.Session(t, "s1", stamp(0, 0, "d"), "note", "first"),
		synctest.Session(t, "s2", stamp(0, 0, "d"), "note", "second", "durationMin", 40),
		synctest.Tombstone(t, "s3", stamp(0, 0, "d")),
	}
	mustPush(t, s, "p1", "b1", docs...)
	mustPush(t, s, "p2", "b1", synctest.Session(t, "s1", stamp(0, 0, "d"), "note", "other scope"))
	var size int64
	for _, d := range docs {
		b, err := json.Marshal(d.Fields)
		if err != nil {
			t.Fatal(err)
		}
		size += int64(len(b))
	}
	first := usage("p1")
	// Each document's fields are kept twice: as the document and as its
	// log entry. Engines store them compactly or not: allow a little.
	if first.Docs != 3 || first.Bytes < size || first.Bytes > 4*size {
		t.Errorf("Usage after 3 documents of %d bytes = %+v, want 3 documents and about %d bytes", size, first, 2*size)
	}
	mustPush(t, s, "p1", "b2", synctest.Session(t, "s1", stamp(time.Minute, 0, "d"), "note", "changed"))
	second := usage("p1")
	if second.Docs != 3 || second.Bytes <= first.Bytes {
		t.Errorf("Usage after a change = %+v, want 3 documents and more than %d bytes (the log grew)", second, first.Bytes)
	}
	if u := usage("p2"); u.Docs != 1 {
		t.Errorf("Usage of another scope = %+v, want 1 document", u)
	}
}

func testScopeIsolation(t *testing.T, h harness) {
	s, _ := h.clocked(t, at(3*time.Minute))
	c := ctx(t)
	mine := synctest.Session(t, "same-id", stamp(time.Minute, 0, "me"), "note", "mine")
	theirs := synctest.Session(t, "same-id", stamp(2*time.Minute, 0, "them"), "note", "theirs")
	only := synctest.Session(t, "their-only", stamp(2*time.Minute, 0, "them"), "note", "secret")
	mustPush(t, s, "me", "b1", mine)
	mustPush(t, s, "them", "b1", theirs, only)
	mustPush(t, s, "them", "b2", synctest.Tombstone(t, "their-only", stamp(3*time.Minute, 0, "them")))
	sameDocs(t, "Docs(me)", mustDocs(t, s, "me"), []sync.Doc{mine})
	var got []sync.Doc
	for _, p := range pullAll(t, s, "me", 0, 1) {
		got = append(got, p.Docs...)
	}
	sameDocs(t, "Pull(me)", got, []sync.Doc{mine})
	// Each scope numbers its own log from 1.
	p, err := pull(s, c, "me", 0, 10)
	if err != nil || p.Cursor != 1 {
		t.Errorf("Pull(me) cursor = %d (%v), want 1", p.Cursor, err)
	}
	if res, err := s.Compact(c, "them", at(time.Hour)); err != nil || res.Tombstones != 1 {
		t.Fatalf("Compact(them) = %+v, %v; want their-only collected", res, err)
	}
	if _, err := pull(s, c, "me", 0, 10); err != nil {
		t.Errorf("Pull(me) after compacting another scope: %v", err)
	}
	sameDocs(t, "Docs(me) after compacting another scope", mustDocs(t, s, "me"), []sync.Doc{mine})
}

// testConcurrentPushPull has several pushers write overlapping documents to
// one scope while a puller follows the cursor. Nothing may be skipped: the
// puller ends with exactly the store's state, which is the merge of every
// write pushed.
func testConcurrentPushPull(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	o := h.opts
	docsPerPusher := max(o.DocsPerBatch*2, 4)
	pushed := make([][]sync.Doc, o.Pushers)
	var wg gosync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, o.Pushers+1)
	for w := range o.Pushers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			node := fmt.Sprintf("dev%d", w)
			for b := range o.Batches {
				var batch []sync.Doc
				for k := range o.DocsPerBatch {
					// The first document of a batch is written once only (a
					// skipped log entry would lose it for good); the others
					// are rewritten often, by every pusher or by this one.
					var docID string
					switch {
					case k == 0:
						docID = fmt.Sprintf("once-%d-%04d", w, b)
					case k%2 == 0:
						docID = id("shared", rng.IntN(docsPerPusher))
					default:
						docID = id(fmt.Sprintf("own%d", w), rng.IntN(docsPerPusher))
					}
					ts := sync.Timestamp{Wall: at(time.Duration(b) * time.Second).UnixMilli(), Counter: uint16(k), Node: node}.String()
					d := sync.Doc{ID: docID, Type: "session", Fields: map[string]sync.Field{
						// ASCII strings quoted by %q are canonical JSON.
						"note":        {Value: []byte(fmt.Sprintf("%q", fmt.Sprintf("%s b%d k%d", node, b, k))), TS: ts},
						"durationMin": {Value: []byte(fmt.Sprint(rng.IntN(300))), TS: ts},
						"moodBefore":  {Value: []byte(fmt.Sprint(1 + rng.IntN(5))), TS: ts},
					}}
					batch = append(batch, d)
				}
				if _, err := s.Push(c, "p1", fmt.Sprintf("%s-b%d", node, b), batch); err != nil {
					errs <- fmt.Errorf("pusher %d batch %d: %w", w, b, err)
					return
				}
				pushed[w] = append(pushed[w], batch...)
			}
		})
	}
	go func() { wg.Wait(); close(done) }()

	r := replica{}
	var cursor int64
	pulls := 0
	follow := func() error {
		for {
			p, err := pull(s, c, "p1", cursor, 7)
			if err != nil {
				return err
			}
			pulls++
			if p.Cursor < cursor || (len(p.Docs) > 0 && p.Cursor == cursor) {
				return fmt.Errorf("cursor moved from %d to %d with %d documents", cursor, p.Cursor, len(p.Docs))
			}
			r.apply(p.Docs)
			cursor = p.Cursor
			if !p.More {
				return nil
			}
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			time.Sleep(time.Millisecond)
		}
		if err := follow(); err != nil {
			t.Fatalf("puller: %v", err)
		}
	}
	close(errs)
	for err := range errs {
		t.Fatalf("Push: %v", err)
	}
	want := replica{}
	for _, ds := range pushed {
		want.apply(ds)
	}
	stored := mustDocs(t, s, "p1")
	sameDocs(t, "Docs vs the merge of every write", stored, want.docs(false))
	sameDocs(t, "puller vs Docs", r.docs(false), stored)
	t.Logf("%d pushers × %d batches of %d: %d pulls, final cursor %d", o.Pushers, o.Batches, o.DocsPerBatch, pulls, cursor)
}

func testPingClose(t *testing.T, h harness) {
	s := h.fresh(t)
	if err := s.Ping(ctx(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Ping(ctx(t)); err == nil {
		t.Errorf("Ping after Close succeeded")
	}
}
