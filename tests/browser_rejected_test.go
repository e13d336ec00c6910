package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRejectedChange: offline, a phone queues a session logged in
// the app and a change the server will refuse (one from a newer version of
// the app, with a field this server does not know). Back online both go in
// one push: the server answers 422 naming the refused document and field
// and applies nothing, so the phone pushes the rest again. The session
// reaches the server; the refused change stays on the phone, marked with
// the server's reason, and the app says so. It is not sent again until the
// app is another version or a day has passed, and signing out, which would
// remove it, asks first.
func TestBrowserRejectedChange(t *testing.T) {
	srv := startServer(t, "DATA_DIR="+t.TempDir())
	ola, phone, p := newPhone(t, srv, "ola@example.no")
	phone.setOffline(true)
	p.logManually("Logget før oppdateringen", 32, 14, 15, 16, 16)

	// The change as a newer app would queue it: a valid session but for
	// one field, stamped now by a device of its own.
	refused := newID()
	eval[bool](p, idbWriteJS("outbox", fmt.Sprintf(`
		const ts = (BigInt(Date.now()) << 16n).toString(16).padStart(16, '0') + '-newer';
		const doc = { id: %q, type: 'session', fields: {
			protocol: { value: '4x4', ts },
			hrvMs: { value: 48, ts },
		} };
		s.add({ docId: doc.id, doc, queuedAt: Date.now() })`, refused)))
	if n := p.outboxLen(); n != 2 {
		t.Fatalf("outbox holds %d changes, want the logged session and the newer app's change", n)
	}

	phone.setOffline(false)
	p.waitVisible("sync-rejected")
	if n := phone.gate.answers("/api/v1/sync/push", http.StatusUnprocessableEntity); n != 1 {
		t.Errorf("the server refused %d pushes, want 1; the phone's calls:\n%s", n, phone.gate.calls())
	}
	if got := p.text("sync-rejected"); !strings.Contains(got, "1 endring") {
		t.Errorf("the banner says %q, want it to count one refused change", got)
	}
	reason := eval[string](p, `document.querySelector('#banner .small').textContent`)
	if !strings.HasPrefix(reason, "hrvMs: ") {
		t.Errorf("the banner gives the reason %q, want the server's reason for field hrvMs", reason)
	}
	p.screenshot("rejected-change")

	// The session logged in the app reached the server; the refused
	// change did not, and is kept on the phone with the server's reason.
	var logged string
	for id, d := range serverDocs(t, ola) {
		if id == refused {
			t.Errorf("the refused change reached the server: %+v", d)
		}
		if d.Type == "session" && noteOf(t, d) == "Logget før oppdateringen" {
			logged = id
		}
	}
	if logged == "" {
		t.Error("the session logged in the app never reached the server")
	}
	p.waitJS("the sent session to leave the outbox", idbJS+`('outbox').then((l) => l.length === 1)`)
	raw := eval[[]byte](p, idbJS+`('outbox')`)
	var outbox []struct {
		DocID    string `json:"docId"`
		Rejected struct {
			Field    string   `json:"field"`
			Reason   string   `json:"reason"`
			Versions []string `json:"versions"`
		} `json:"rejected"`
	}
	if err := json.Unmarshal(raw, &outbox); err != nil {
		t.Fatalf("decoding the outbox %s: %v", raw, err)
	}
	version := eval[string](p, `document.getElementById('main').dataset.version`)
	if len(outbox) != 1 || outbox[0].DocID != refused || outbox[0].Rejected.Field != "hrvMs" ||
		outbox[0].Rejected.Reason == "" || !slices.Equal(outbox[0].Rejected.Versions, []string{version}) {
		t.Errorf("outbox after the push = %s, want only the refused change, marked with the server's reason for hrvMs and app version %s", raw, version)
	}

	// Opened again, the app does not send the refused change again: the
	// server would refuse it again.
	p.do("reloading", chromedp.Reload())
	p.waitVisible("sync-rejected")
	p.waitJS("the sync after reloading", `document.querySelector('[data-testid=sync-status]').dataset.state === 'synced'`)
	if n := phone.gate.answers("/api/v1/sync/push", http.StatusUnprocessableEntity); n != 1 {
		t.Errorf("the server refused %d pushes after reloading, want still 1", n)
	}

	// A change refused under another version of the app only (and so of
	// the server that serves it), or refused more than a day ago, is sent
	// again when the app opens.
	for i, c := range []struct{ what, edit, wantVersions string }{
		{"another version", `r.versions = ['earlier']`, `['earlier', ` + fmt.Sprintf("%q", version) + `]`},
		{"a day ago", `r.at -= 25 * 3600 * 1000`, `['earlier', ` + fmt.Sprintf("%q", version) + `]`},
	} {
		eval[bool](p, idbWriteJS("outbox", `s.openCursor().onsuccess = (ev) => {
			const c = ev.target.result;
			if (c) { const r = c.value.rejected; `+c.edit+`; c.update(c.value); c.continue(); }
		}`))
		p.do("reloading", chromedp.Reload())
		p.waitJS("the change refused "+c.what+" to be refused again", `(async () => {
			const out = await `+idbJS+`('outbox');
			return out.length === 1 && out[0].rejected && JSON.stringify(out[0].rejected.versions) === JSON.stringify(`+c.wantVersions+`) &&
				Date.now() - out[0].rejected.at < 3600 * 1000;
		})()`)
		p.waitVisible("sync-rejected")
		if n := phone.gate.answers("/api/v1/sync/push", http.StatusUnprocessableEntity); n != 2+i {
			t.Errorf("the server refused %d pushes, want %d: the first and one more for each retry", n, 2+i)
		}
	}

	// The phone's clock runs an hour ahead when the next session is saved:
	// the server answers clock_skew and the app stamps its changes again,
	// but not the refused one, which must not win over newer edits when it
	// is sent again one day.
	stampOf := `(async () => (await ` + idbJS + `('outbox')).find((e) => e.docId === ` + fmt.Sprintf("%q", refused) + `).doc.fields.protocol.ts)()`
	before := eval[string](p, stampOf)
	eval[float64](p, `__testClock.set(3600 * 1000)`)
	p.logManually("Med klokka en time foran", 30, 14)
	p.waitJS("the new session to be sent", idbJS+`('outbox').then((l) => l.length === 1)`)
	if phone.gate.answers("/api/v1/sync/push", http.StatusConflict) == 0 {
		t.Errorf("the server never answered clock_skew; the phone's calls:\n%s", phone.gate.calls())
	}
	if after := eval[string](p, stampOf); after != before {
		t.Errorf("the refused change was stamped again: %s, was %s", after, before)
	}
	eval[float64](p, `__testClock.set(0)`)

	// Signing out would remove the refused change from the phone: the app
	// asks first (the answer here is no).
	p.click("nav-settings")
	eval[bool](p, `(window.confirm = (m) => { window.asked = m; return false; }, true)`)
	p.click("sign-out")
	p.waitJS("the app to ask before signing out", `typeof window.asked === 'string'`)
	if asked := eval[string](p, `window.asked`); !strings.HasPrefix(asked, "1 endring er ikke synkronisert") {
		t.Errorf("before signing out the app asks %q, want it to warn of the one change", asked)
	}
	if n := p.outboxLen(); n != 1 {
		t.Errorf("outbox holds %d changes after declining to sign out, want 1", n)
	}
	// Signed out after all, the app no longer speaks of the change.
	eval[bool](p, `(window.confirm = () => true, true)`)
	p.click("sign-out")
	p.waitJS("the sign-in page without the banner", `location.pathname === '/login' && document.getElementById('banner').hidden`)
	phone.gate.noLeaks(t)
}
