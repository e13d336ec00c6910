package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/sync"
)

// TestBrowserCursorExpired: a phone is offline while another device
// deletes two sessions and the server collects their tombstones, so the
// phone's pull cursor expires. Meanwhile the phone edits the deleted
// sessions (one of them in every field it had) and another one, and logs a
// new one. Back online it gets 410 cursor_expired, pulls everything again
// and replaces what it holds: the deleted sessions are gone from the phone
// and do not come back on the server, while every change made on the phone
// is still shown there and reaches the server.
func TestBrowserCursorExpired(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, "DATA_DIR="+dataDir)
	const email = "kari@example.no"
	kari := signUp(t, srv.URL, email)

	// Two sessions on the server before the phone signs in.
	tablet := newDevice("tablet", kari)
	gone, rewritten, kept := newID(), newID(), newID()
	started := time.Now().Add(-26 * time.Hour).UTC()
	tablet.edit(gone, "session", map[string]any{
		"protocol": "4x4", "startedAt": started.Format(time.RFC3339), "durationMin": 38, "sessionRpe": 6, "note": "Blir slettet",
	})
	tablet.edit(kept, "session", map[string]any{
		"protocol": "4x4", "startedAt": started.Add(time.Hour).Format(time.RFC3339), "durationMin": 40, "sessionRpe": 7, "note": "Første versjon",
	})
	// The phone will change every field this one has, so that nothing it
	// holds of it still carries the server's stamps.
	tablet.edit(rewritten, "session", map[string]any{
		"protocol": "4x4", "startedAt": started.Add(2 * time.Hour).Format(time.RFC3339), "durationMin": 30, "note": "Blir også slettet",
	})
	if err := tablet.sync(t.Context()); err != nil {
		t.Fatal(err)
	}

	phone := newBrowser(t, "phone", srv.URL)
	p := phone.signIn(email)
	p.click("nav-history")
	p.waitJS("the three sessions to arrive", `document.querySelectorAll('[data-testid=session-item]').length === 3`)
	p.waitSynced()
	cursor := eval[string](p, idbJS+`('meta', 'cursor')`)
	if cursor == "" {
		t.Fatal("the phone has no pull cursor after syncing")
	}

	phone.setOffline(true)

	// The tablet deletes a session, and the server collects its tombstone
	// (as its compaction does once the tombstone is old enough; here the
	// cut-off lies in the future so it is collected now).
	tablet.edit(gone, "session", map[string]any{"deleted": true})
	tablet.edit(rewritten, "session", map[string]any{"deleted": true})
	if err := tablet.sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	kari.must(http.MethodGet, "/api/v1/me", nil, &me, http.StatusOK)
	if me.User.ID == "" {
		t.Fatal("GET /api/v1/me answered without a user id")
	}
	st, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(dataDir, "app.db")})
	if err != nil {
		t.Fatalf("opening the server's database: %v", err)
	}
	res, err := st.Compact(t.Context(), me.User.ID, time.Now().Add(time.Hour))
	if cerr := st.Close(); cerr != nil {
		t.Errorf("closing the server's database: %v", cerr)
	}
	if err != nil {
		t.Fatalf("compacting: %v", err)
	}
	if res.Tombstones != 2 {
		t.Fatalf("compaction collected %d tombstones, want 2", res.Tombstones)
	}
	// The phone's cursor now predates what was collected.
	code, err := kari.do(t.Context(), http.MethodGet, "/api/v1/sync/pull?cursor="+cursor, nil, nil)
	if err != nil || code != http.StatusGone {
		t.Fatalf("a pull at the phone's cursor %s answered %d (%v), want 410", cursor, code, err)
	}

	// Offline, the phone edits the three sessions (it does not know two
	// are deleted) and logs a new one.
	p.editSession(kept, "entry-note", "Endret uten nett")
	p.editSession(gone, "entry-note", "Endret etter sletting")
	p.editSession(rewritten, "entry-protocol", "3x3", "entry-date", time.Now().AddDate(0, 0, -3).Format("2006-01-02"),
		"entry-duration", "41", "entry-note", "Alt endret etter sletting")
	for _, name := range []string{"protocol", "startedAt", "durationMin", "note"} {
		if !eval[bool](p, fmt.Sprintf(`(async () => (await %s('outbox')).some((e) => e.docId === %q && %q in e.doc.fields))()`, idbJS, rewritten, name)) {
			t.Fatalf("the phone's edit of %s did not rewrite its %s", rewritten, name)
		}
	}
	p.logManually("Ny uten nett", 30, 15, 16)
	if n := p.outboxLen(); n != 4 {
		t.Fatalf("outbox holds %d changes after four offline saves, want 4", n)
	}

	// Back online: the app syncs by itself, meets the expired cursor and
	// pulls everything again.
	phone.setOffline(false)
	p.waitSynced()
	if phone.gate.answers("/api/v1/sync/pull", http.StatusGone) == 0 {
		t.Errorf("the phone never got 410 for its old cursor; its calls:\n%s", phone.gate.calls())
	}
	p.click("nav-history")
	p.waitJS("the deleted session to leave the list", `document.querySelectorAll('[data-testid=session-item]').length === 2`)
	notes := p.historyNotes()
	if strings.Join(notes, "|") != "Ny uten nett|Endret uten nett" {
		t.Errorf("history after the re-pull shows %q, want the new session and the edited one", notes)
	}

	server := serverDocs(t, kari)
	if d, ok := server[kept]; !ok || noteOf(t, d) != "Endret uten nett" {
		t.Errorf("the server's edited session = %+v, want the phone's note", d)
	}
	var added string
	for id, d := range server {
		if id != kept && id != gone && id != rewritten && d.Type == "session" {
			added = id
			if noteOf(t, d) != "Ny uten nett" || d.Deleted() {
				t.Errorf("the server's new session = %+v", d)
			}
		}
	}
	if added == "" {
		t.Errorf("the session logged offline never reached the server; it holds %v", server)
	}
	// The phone's edits of the deleted sessions are kept, but as part of
	// deleted documents: they did not bring the sessions back.
	local := p.localDocs()
	for _, id := range []string{gone, rewritten} {
		if d, ok := server[id]; ok && !d.Deleted() {
			t.Errorf("deleted session %s is alive on the server again: %+v", id, d)
		}
		if d, ok := local[id]; ok && fieldValue(t, d, "deleted") != true {
			t.Errorf("deleted session %s is alive on the phone: %+v", id, d)
		}
	}
	for _, id := range []string{kept, added} {
		sameDoc(t, local[id], server[id])
	}
	if n := p.outboxLen(); n != 0 {
		t.Errorf("outbox holds %d changes after syncing", n)
	}

	// Opened again, the phone still shows the same two sessions.
	p.do("reloading", chromedp.Reload())
	p.waitVisible("session-list")
	p.waitSynced()
	if got := p.historyNotes(); fmt.Sprint(got) != fmt.Sprint(notes) {
		t.Errorf("history after reloading shows %q, want %q", got, notes)
	}
	phone.gate.noLeaks(t)
}

// noteOf returns a session document's note.
func noteOf(t *testing.T, d sync.Doc) string {
	t.Helper()
	var note string
	if f, ok := d.Fields["note"]; ok {
		if err := json.Unmarshal(f.Value, &note); err != nil {
			t.Fatalf("note of %s: %v", d.ID, err)
		}
	}
	return note
}

// answers counts the requests for path the gate passed that the server
// answered with status.
func (g *gate) answers(path string, status int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, line := range g.apiLog {
		if strings.Contains(line, " "+path+" → "+fmt.Sprint(status)) {
			n++
		}
	}
	return n
}

// calls returns the gate's log of API calls.
func (g *gate) calls() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return strings.Join(g.apiLog, "\n")
}
