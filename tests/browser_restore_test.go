package tests

import (
	"fmt"
	"testing"
)

// TestBrowserEditOfDeletedSession: a session is deleted on a tablet while
// its edit form is open on the phone. Saving the form brings the session
// back with the phone's changes, and the app says so: an edit the user
// made on purpose is not hidden under a deletion they did not see.
func TestBrowserEditOfDeletedSession(t *testing.T) {
	srv := startServer(t)
	siv, phone, p := newPhone(t, srv, "siv@example.no")
	p.logManually("Før slettingen", 30, 14)
	p.waitSynced()
	id := eval[string](p, `document.querySelector('[data-testid=session-item]').dataset.id`)
	p.tapUntil("session-edit-"+id, "entry-save")

	tablet := newDevice("tablet", siv)
	if err := tablet.sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	tablet.edit(id, "session", map[string]any{"deleted": true})
	if err := tablet.sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The phone hears of it at its next sync (here: the network comes back).
	phone.setOffline(true)
	phone.setOffline(false)
	p.waitJS("the deletion to reach the phone", fmt.Sprintf(`(async () => {
		const d = await %s('docs', %q);
		return !!d && d.fields.deleted && d.fields.deleted.value === true;
	})()`, idbJS, id))

	p.setValue("entry-note", "Etter slettingen")
	p.click("entry-save")
	p.waitVisible("session-list")
	if got := p.text("notice"); got != "Økta var slettet på en annen enhet. Den er hentet tilbake med endringene dine." {
		t.Errorf("after saving, the app says %q", got)
	}
	if n := eval[int](p, `document.querySelectorAll('[data-testid=session-item]').length`); n != 1 {
		t.Errorf("history lists %d sessions, want the one brought back", n)
	}
	p.waitSynced()
	d, ok := serverDocs(t, siv)[id]
	if !ok || d.Deleted() || noteOf(t, d) != "Etter slettingen" {
		t.Errorf("the server's session = %+v, want it back with the new note", d)
	}
}
