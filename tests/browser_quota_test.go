package tests

import (
	"net/http"
	"testing"
)

// TestBrowserQuotaExceeded: a patient who keeps as much as the server
// allows one user is told so in the app's words, and what they saved
// stays on the phone, waiting.
func TestBrowserQuotaExceeded(t *testing.T) {
	srv := startServer(t, "USER_QUOTA_DOCS=1")
	c, phone, p := newPhone(t, srv, "full@example.no")
	pushYesterdaysSession(t, c) // the one document the quota allows
	p.logManually("Over kvoten", 35, 14, 15)
	p.waitJS("the app to say the space is full", `document.querySelector('[data-testid=sync-status]').dataset.state === 'error'`)
	if got, want := p.text("sync-text"), "Plassen din på serveren er full. Øktene ligger trygt på telefonen."; got != want {
		t.Fatalf("sync status says %q, want %q", got, want)
	}
	if n := p.outboxLen(); n != 1 {
		t.Fatalf("outbox holds %d changes, want the refused session kept", n)
	}
	if phone.gate.answers("/api/v1/sync/push", http.StatusInsufficientStorage) == 0 {
		t.Fatalf("no push was refused with 507:\n%s", phone.gate.calls())
	}
	p.screenshot("quota-exceeded")
}
