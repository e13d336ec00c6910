// Package storetest is the conformance suite of store.Store: every engine
// runs it from its own tests, so the guarantees the server relies on
// (unique emails, single-use invites, refresh-token reuse detection, a sync
// log that never skips a write) hold on each of them.
//
// The suite only uses the store.Store interface. It compares times at
// millisecond precision (what every engine keeps) and document values byte
// for byte (a store must return the canonical value bytes it was given,
// since merge breaks ties on them).
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// RunOptions sizes the suite's load tests for the engine under test, and
// lets the suite move the engine's clock.
type RunOptions struct {
	// OpenClocked, when set, opens a fresh, empty store like open, but one
	// that reads the time from now wherever it keeps time of its own (when
	// a batch was applied, when a document was written). The tests of
	// tombstone aging need it and are skipped without it.
	OpenClocked func(t *testing.T, now func() time.Time) store.Store
	// Pushers is the number of goroutines pushing concurrently to one scope
	// (default 8).
	Pushers int
	// Batches is the number of batches each pusher sends (default 100).
	Batches int
	// DocsPerBatch is the size of each concurrent batch (default 5).
	DocsPerBatch int
}

func (o RunOptions) withDefaults() RunOptions {
	if o.Pushers <= 0 {
		o.Pushers = 8
	}
	if o.Batches <= 0 {
		o.Batches = 100
	}
	if o.DocsPerBatch <= 0 {
		o.DocsPerBatch = 5
	}
	return o
}

// Run runs the suite with the default sizes. open must return a fresh,
// empty store for each call; the suite closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	RunWith(t, RunOptions{}, open)
}

// RunWith runs the suite with the given sizes (zero fields take the
// defaults), for engines too slow for the default load.
func RunWith(t *testing.T, opts RunOptions, open func(t *testing.T) store.Store) {
	opts = opts.withDefaults()
	h := harness{open: open, opts: opts}
	tests := []struct {
		name string
		fn   func(t *testing.T, h harness)
	}{
		{"Users", testUsers},
		{"UserDuplicate", testUserDuplicate},
		{"UserNotFound", testUserNotFound},
		{"DeleteUserCascades", testDeleteUserCascades},
		{"Groups", testGroups},
		{"Memberships", testMemberships},
		{"UserGroups", testUserGroups},
		{"Sharing", testSharing},
		{"Schedule", testSchedule},
		{"RSVPs", testRSVPs},
		{"SessionChanges", testSessionChanges},
		{"PeerSharing", testPeerSharing},
		{"Attendance", testAttendance},
		{"Audit", testAudit},
		{"Staff", testStaff},
		{"UpdateGroup", testUpdateGroup},
		{"ResetCodes", testResetCodes},
		{"Invites", testInvites},
		{"InviteUnusable", testInviteUnusable},
		{"InviteConcurrentUse", testInviteConcurrentUse},
		{"RefreshTokens", testRefreshTokens},
		{"RefreshTokenReuse", testRefreshTokenReuse},
		{"RefreshTokenConcurrentUse", testRefreshTokenConcurrentUse},
		{"RefreshTokenRevoke", testRefreshTokenRevoke},
		{"PushMerges", testPushMerges},
		{"PushDuplicateInBatch", testPushDuplicateInBatch},
		{"PushReplay", testPushReplay},
		{"PullEmpty", testPullEmpty},
		{"PullPaging", testPullPaging},
		{"PullNewestOncePerPage", testPullNewestOncePerPage},
		{"PullOddDocuments", testPullOddDocuments},
		{"DenseSeqs", testDenseSeqs},
		{"Compact", testCompact},
		{"CollectTombstones", testCollectTombstones},
		{"TombstoneAtHead", testTombstoneAtHead},
		{"OldDeletionKeptForTTL", testOldDeletionKeptForTTL},
		{"Scopes", testScopes},
		{"Usage", testUsage},
		{"ScopeIsolation", testScopeIsolation},
		{"ConcurrentPushPull", testConcurrentPushPull},
		{"Subscriptions", testSubscriptions},
		{"ReminderSettings", testReminderSettings},
		{"ReminderClaims", testReminderClaims},
		{"ReminderClaimRace", testReminderClaimRace},
		{"ReminderClaimBatch", testReminderClaimBatch},
		{"DeleteUserPush", testDeleteUserPush},
		{"PingClose", testPingClose},
		{"PullEach", testPullEach},
		{"ReminderTargets", testReminderTargets},
		{"Notices", testNotices},
		{"DeleteUserNotices", testDeleteUserNotices},
		{"NextStepWeeks", testNextStepWeeks},
		{"Invitations", testInvitations},
		{"DeleteUserInvitations", testDeleteUserInvitations},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

// harness opens stores for the subtests.
type harness struct {
	open func(t *testing.T) store.Store
	opts RunOptions
}

// closeOnce lets a test close the store itself and the cleanup skip it.
type closeOnce struct {
	store.Store
	closed atomic.Bool
}

func (c *closeOnce) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.Store.Close()
}

// fresh opens an empty store that is closed when the test ends.
func (h harness) fresh(t *testing.T) store.Store {
	t.Helper()
	return closeAtEnd(t, h.open(t))
}

// clocked opens an empty store whose clock reads start until the test
// moves it; the store is closed when the test ends. It skips the test when
// the engine gave no RunOptions.OpenClocked.
func (h harness) clocked(t *testing.T, start time.Time) (store.Store, *clock) {
	t.Helper()
	if h.opts.OpenClocked == nil {
		t.Skip("the engine sets no RunOptions.OpenClocked: its clock cannot be moved")
	}
	c := &clock{}
	c.set(start)
	return closeAtEnd(t, h.opts.OpenClocked(t, c.now)), c
}

func closeAtEnd(t *testing.T, st store.Store) store.Store {
	s := &closeOnce{Store: st}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// clock is a store's clock under a test's control, at millisecond
// precision. It is safe for concurrent use.
type clock struct{ ms atomic.Int64 }

func (c *clock) now() time.Time          { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *clock) set(t time.Time)         { c.ms.Store(t.UnixMilli()) }
func (c *clock) advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// base is a fixed, millisecond-aligned instant the suite's records use.
var base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// stamp returns the wire form of an HLC stamp at base+d on node.
func stamp(d time.Duration, counter uint16, node string) string {
	return sync.Timestamp{Wall: at(d).UnixMilli(), Counter: counter, Node: node}.String()
}

// show renders a document for failure messages.
func show(d sync.Doc) string {
	b, _ := json.Marshal(d)
	return string(b)
}

// sameDocs fails unless got and want hold the same documents byte for byte,
// in the same order.
func sameDocs(t *testing.T, what string, got, want []sync.Doc) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d documents, want %d\ngot  %s\nwant %s", what, len(got), len(want), showAll(got), showAll(want))
	}
	for i := range got {
		if !got[i].Equal(want[i]) {
			t.Fatalf("%s: document %d\ngot  %s\nwant %s", what, i, show(got[i]), show(want[i]))
		}
	}
}

func showAll(ds []sync.Doc) string {
	b, _ := json.Marshal(ds)
	return string(b)
}

// byID sorts documents by ID, as Docs returns them.
func byID(ds []sync.Doc) []sync.Doc {
	out := append([]sync.Doc(nil), ds...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// mustPush pushes a batch and fails the test on error.
func mustPush(t *testing.T, s store.Store, scope, batch string, docs ...sync.Doc) store.PushResult {
	t.Helper()
	res, err := s.Push(ctx(t), scope, batch, docs)
	if err != nil {
		t.Fatalf("Push(%s, %s): %v", scope, batch, err)
	}
	return res
}

// page is a store.PullPage with its documents decoded.
type page struct {
	Docs   []sync.Doc
	Cursor int64
	More   bool
}

// pull runs s.Pull and decodes the page. A document whose fields are not
// in the stored form (what store.EncodeFields writes for them) is an
// error: the API serves them as they are.
func pull(s store.Store, c context.Context, scope string, cursor int64, limit int) (page, error) {
	p, err := s.Pull(c, scope, cursor, limit)
	if err != nil {
		return page{}, err
	}
	out := page{Cursor: p.Cursor, More: p.More}
	for _, st := range p.Docs {
		d, err := st.Doc()
		if err != nil {
			return page{}, fmt.Errorf("pulled %w", err)
		}
		want, err := store.EncodeFields(d.Fields)
		if err != nil {
			return page{}, err
		}
		if !bytes.Equal(st.Fields, want) {
			return page{}, fmt.Errorf("pulled document %s: fields %s, not in the stored form %s", d.ID, st.Fields, want)
		}
		out.Docs = append(out.Docs, d)
	}
	return out, nil
}

// pullAll pulls from cursor to the end in pages of limit and returns every
// page.
func pullAll(t *testing.T, s store.Store, scope string, cursor int64, limit int) []page {
	t.Helper()
	var pages []page
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("Pull never reports More=false")
		}
		p, err := pull(s, ctx(t), scope, cursor, limit)
		if err != nil {
			t.Fatalf("Pull(%s, %d, %d): %v", scope, cursor, limit, err)
		}
		if len(p.Docs) > limit {
			t.Fatalf("Pull(%s, %d, %d) returned %d documents", scope, cursor, limit, len(p.Docs))
		}
		if p.More && p.Cursor <= cursor {
			t.Fatalf("Pull(%s, %d): More with cursor %d not after %d", scope, cursor, p.Cursor, cursor)
		}
		if p.Cursor < cursor {
			t.Fatalf("Pull(%s, %d): cursor went back to %d", scope, cursor, p.Cursor)
		}
		pages = append(pages, p)
		cursor = p.Cursor
		if !p.More {
			return pages
		}
	}
}

// replica is what a client holds after applying pulled pages: the merge of
// every document it saw.
type replica map[string]sync.Doc

func (r replica) apply(docs []sync.Doc) {
	for _, d := range docs {
		if old, ok := r[d.ID]; ok {
			d = sync.Merge(old, d)
		}
		r[d.ID] = d
	}
}

// docs returns the replica's documents by ID, without tombstones when
// live is true.
func (r replica) docs(live bool) []sync.Doc {
	var out []sync.Doc
	for _, d := range r {
		if live && d.Deleted() {
			continue
		}
		out = append(out, d)
	}
	return byID(out)
}

func (r replica) clone() replica {
	c := make(replica, len(r))
	for k, v := range r {
		c[k] = v
	}
	return c
}

// mustDocs returns Docs(scope) or fails.
func mustDocs(t *testing.T, s store.Store, scope string) []sync.Doc {
	t.Helper()
	ds, err := s.Docs(ctx(t), scope)
	if err != nil {
		t.Fatalf("Docs(%s): %v", scope, err)
	}
	return ds
}

// id returns a document ID for tests.
func id(prefix string, i int) string { return fmt.Sprintf("%s-%04d", prefix, i) }
