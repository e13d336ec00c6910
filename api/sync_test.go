package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

func (e *env) push(s session, batch string, docs ...sync.Doc) *resp {
	e.t.Helper()
	return e.do(req{Method: "POST", Path: "/api/v1/sync/push", Token: s.Token,
		Body: sync.PushRequest{BatchID: batch, Docs: docs}})
}

func (e *env) pull(s session, cursor string, limit int) (sync.PullResponse, *resp) {
	e.t.Helper()
	path := "/api/v1/sync/pull?cursor=" + cursor
	if limit > 0 {
		path += fmt.Sprintf("&limit=%d", limit)
	}
	r := e.do(req{Method: "GET", Path: path, Token: s.Token})
	var out sync.PullResponse
	if r.Status == http.StatusOK {
		r.Decode(e.t, &out)
	}
	return out, r
}

func TestSyncPushPull(t *testing.T) {
	e := newEnv(t)
	a := e.as("patient", "a@example.org")
	b := e.as("patient", "b@example.org")
	now := e.clock.Now()

	r := e.push(a, "batch-1",
		synctest.Session(t, "s1", synctest.Stamp(now, "phone"), "protocol", "4x4", "durationMin", 38, "sessionRpe", 7),
		synctest.Session(t, "s2", synctest.Stamp(now, "phone"), "protocol", "3x3", "moodBefore", 2, "moodAfter", 4))
	if r.Status != http.StatusOK {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	var pr sync.PushResponse
	r.Decode(t, &pr)
	if pr.Applied != 2 || pr.ServerTime != now.UnixMilli() {
		t.Fatalf("push answer %s", r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}

	// Replaying the batch changes nothing.
	if r := e.push(a, "batch-1", synctest.Session(t, "s1", synctest.Stamp(now, "phone"), "protocol", "4x4", "durationMin", 38, "sessionRpe", 7),
		synctest.Session(t, "s2", synctest.Stamp(now, "phone"), "protocol", "3x3", "moodBefore", 2, "moodAfter", 4)); r.Status != http.StatusOK {
		t.Fatalf("replay: %d %s", r.Status, r.Body)
	}

	page, _ := e.pull(a, "", 1)
	if len(page.Docs) != 1 || !page.More || page.Cursor == "" {
		t.Fatalf("first page %+v", page)
	}
	page2, _ := e.pull(a, page.Cursor, 0)
	if len(page2.Docs) != 1 || page2.More || page2.Docs[0].ID == page.Docs[0].ID {
		t.Fatalf("second page %+v", page2)
	}
	if page3, _ := e.pull(a, page2.Cursor, 0); len(page3.Docs) != 0 || page3.Cursor != page2.Cursor {
		t.Fatalf("third page %+v", page3)
	}
	// A replay after the pull still logs nothing new.
	e.push(a, "batch-1", synctest.Session(t, "s1", synctest.Stamp(now, "phone"), "protocol", "4x4", "durationMin", 38, "sessionRpe", 7),
		synctest.Session(t, "s2", synctest.Stamp(now, "phone"), "protocol", "3x3", "moodBefore", 2, "moodAfter", 4))
	if page3, _ := e.pull(a, page2.Cursor, 0); len(page3.Docs) != 0 {
		t.Fatalf("replay logged %d documents", len(page3.Docs))
	}

	// A later edit wins and shows up after the cursor.
	e.clock.Advance(time.Minute)
	e.push(a, "batch-2", synctest.Session(t, "s1", synctest.Stamp(e.clock.Now(), "phone"), "note", "tung dag"))
	page4, _ := e.pull(a, page2.Cursor, 0)
	if len(page4.Docs) != 1 || string(page4.Docs[0].Fields["note"].Value) != `"tung dag"` || string(page4.Docs[0].Fields["durationMin"].Value) != "38" {
		t.Fatalf("after edit %+v", page4)
	}

	// Scope isolation: b sees none of a's documents, and pushing the same
	// ids lands in b's own scope.
	if pb, _ := e.pull(b, "", 0); len(pb.Docs) != 0 {
		t.Fatalf("b sees %+v", pb.Docs)
	}
	e.push(b, "batch-1", synctest.Session(t, "s1", synctest.Stamp(e.clock.Now(), "phone"), "note", "b sin"))
	pa, _ := e.pull(a, "", 0)
	for _, d := range pa.Docs {
		if string(d.Fields["note"].Value) == `"b sin"` {
			t.Fatal("b's write reached a's scope")
		}
	}
	if pb, _ := e.pull(b, "", 0); len(pb.Docs) != 1 {
		t.Fatalf("b has %d docs", len(pb.Docs))
	}
}

func TestSyncPushRejects(t *testing.T) {
	e := newEnv(t)
	a := e.as("patient", "a@example.org")
	now := e.clock.Now()

	t.Run("clock skew", func(t *testing.T) {
		r := e.push(a, "skew", synctest.Session(t, "s1", synctest.Stamp(now.Add(sync.MaxSkew+time.Minute), "phone"), "sessionRpe", 5))
		eb := r.ExpectError(t, http.StatusConflict, api.CodeClockSkew)
		if eb.Error.ServerTime != now.UnixMilli() {
			t.Fatalf("serverTime %d, want %d", eb.Error.ServerTime, now.UnixMilli())
		}
	})
	t.Run("validation lists every rejected field", func(t *testing.T) {
		r := e.push(a, "bad",
			synctest.Session(t, "ok", synctest.Stamp(now, "phone"), "sessionRpe", 5),
			synctest.Session(t, "bad1", synctest.Stamp(now, "phone"), "sessionRpe", 11, "moodAfter", 9),
			synctest.Session(t, "bad2", synctest.Stamp(now, "phone"), "colour", "red"))
		eb := r.ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
		got := map[string]bool{}
		for _, d := range eb.Error.Details {
			got[d.Doc+"."+d.Field] = true
		}
		for _, want := range []string{"bad1.sessionRpe", "bad1.moodAfter", "bad2.colour"} {
			if !got[want] {
				t.Errorf("details %s lack %s", r.Body, want)
			}
		}
	})
	t.Run("malformed", func(t *testing.T) {
		e.do(req{Method: "POST", Path: "/api/v1/sync/push", Token: a.Token, Body: `{"batchId":"x","docs":[`}).
			ExpectError(t, http.StatusBadRequest, api.CodeInvalidJSON)
		e.do(req{Method: "POST", Path: "/api/v1/sync/push", Token: a.Token, Body: `{"batchId":"x","docs":[],"scope":"someone"}`}).
			ExpectError(t, http.StatusBadRequest, api.CodeInvalidJSON)
	})
	t.Run("too many documents", func(t *testing.T) {
		docs := make([]sync.Doc, sync.MaxPushDocs+1)
		for i := range docs {
			docs[i] = sync.Doc{ID: fmt.Sprintf("d%d", i), Type: "session", Fields: map[string]sync.Field{}}
		}
		e.push(a, "many", docs...).ExpectError(t, http.StatusRequestEntityTooLarge, api.CodePayloadTooLarge)
	})
	t.Run("body over 1 MiB", func(t *testing.T) {
		body := `{"batchId":"big","docs":[{"id":"x","type":"session","fields":{"note":{"value":"` +
			strings.Repeat("a", sync.MaxPushBytes) + `","ts":"` + synctest.Stamp(now, "p") + `"}}}]}`
		e.do(req{Method: "POST", Path: "/api/v1/sync/push", Token: a.Token, Body: body}).
			ExpectError(t, http.StatusRequestEntityTooLarge, api.CodePayloadTooLarge)
	})
	t.Run("nothing was applied", func(t *testing.T) {
		if page, _ := e.pull(a, "", 0); len(page.Docs) != 0 {
			t.Fatalf("rejected pushes left %d docs", len(page.Docs))
		}
	})
	t.Run("bad cursor and limit", func(t *testing.T) {
		_, r := e.pull(a, "abc", 0)
		r.ExpectError(t, 422, api.CodeValidation)
		for _, q := range []string{"limit=-1", "limit=0", "limit=x", "cursor=-5"} {
			e.do(req{Method: "GET", Path: "/api/v1/sync/pull?" + q, Token: a.Token}).ExpectError(t, 422, api.CodeValidation)
		}
	})
}

func TestSyncCursorExpired(t *testing.T) {
	e := newEnv(t)
	a := e.as("patient", "a@example.org")
	start := e.clock.Now()
	e.push(a, "b1", synctest.Session(t, "keep", synctest.Stamp(start, "phone"), "sessionRpe", 4))
	page, _ := e.pull(a, "", 0)

	e.push(a, "b2", synctest.Session(t, "gone", synctest.Stamp(start, "phone"), "deleted", true))
	e.clock.Advance(100 * 24 * time.Hour)
	// The store ages tombstones by its own clock (real time): a cut-off
	// past it collects the tombstone just written.
	if _, err := e.store.Compact(t.Context(), a.User.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	a = e.login("a@example.org", "correct horse battery")
	_, r := e.pull(a, page.Cursor, 0)
	r.ExpectError(t, http.StatusGone, api.CodeCursorExpired)

	// Pulling from the start works and holds the kept document.
	full, _ := e.pull(a, "", 0)
	if len(full.Docs) != 1 || full.Docs[0].ID != "keep" {
		t.Fatalf("after expiry %+v", full.Docs)
	}
}
