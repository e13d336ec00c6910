package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestBrowserRejectedChange: offline, a phone queues a session logged in
// the app and a change the server will refuse (one from a newer version of
// the app, with a field this server does not know). Back online both go in
// one push: the server answers 422 naming the refused document and field
// and applies the rest. The session reaches the server; the refused change
// stays on the phone, marked with the server's reason, and the app says so.
func TestBrowserRejectedChange(t *testing.T) {
	srv := startServer(t, "DATA_DIR="+t.TempDir())
	ola, phone, p := newPhone(t, srv, "ola@example.no")
	phone.setOffline(true)
	p.logManually("Logget før oppdateringen", 32, 14, 15, 16, 16)

	// The change as a newer app would queue it: a valid session but for
	// one field, stamped now by a device of its own.
	refused := newID()
	eval[bool](p, fmt.Sprintf(`(async () => {
		const ts = (BigInt(Date.now()) << 16n).toString(16).padStart(16, '0') + '-newer';
		const doc = { id: %q, type: 'session', fields: {
			protocol: { value: '4x4', ts },
			hrvMs: { value: 48, ts },
		} };
		const db = await new Promise((res, rej) => { const o = indexedDB.open('dagbok'); o.onsuccess = () => res(o.result); o.onerror = () => rej(o.error); });
		try {
			const tx = db.transaction('outbox', 'readwrite');
			tx.objectStore('outbox').add({ docId: doc.id, doc, queuedAt: Date.now() });
			await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
		} finally { db.close(); }
		return true;
	})()`, refused))
	if n := p.outboxLen(); n != 2 {
		t.Fatalf("outbox holds %d changes, want the logged session and the newer app's change", n)
	}

	phone.setOffline(false)
	p.waitVisible("sync-rejected")
	if !phone.gate.answered("/api/v1/sync/push", http.StatusUnprocessableEntity) {
		t.Errorf("the server never answered a push with 422; the phone's calls:\n%s", phone.gate.calls())
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
			Field  string `json:"field"`
			Reason string `json:"reason"`
		} `json:"rejected"`
	}
	if err := json.Unmarshal(raw, &outbox); err != nil {
		t.Fatalf("decoding the outbox %s: %v", raw, err)
	}
	if len(outbox) != 1 || outbox[0].DocID != refused || outbox[0].Rejected.Field != "hrvMs" || outbox[0].Rejected.Reason == "" {
		t.Errorf("outbox after the push = %s, want only the refused change, marked with the server's reason for hrvMs", raw)
	}
	phone.gate.noLeaks(t)
}
