package tests

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hit4x4/dagbok/internal/apitest"
)

// TestBrowserRefreshAnswerLost: every start of the app rotates the refresh
// cookie, and on a weak network the answer can be lost after the server
// rotated it. The phone then sends the cookie it already used once more.
// Within the server's reuse grace that is the same phone retrying: it stays
// signed in and syncs. After the grace it is a copy, and the login ends.
func TestBrowserRefreshAnswerLost(t *testing.T) {
	syncState := `document.querySelector('[data-testid=sync-status]').dataset.state`
	// loseOne reloads the app with every refresh answer lost, until at
	// least one was.
	loseOne := func(phone *browser, p *tab) {
		t.Helper()
		phone.gate.loseRefreshAnswers(true)
		p.do("reloading", chromedp.Reload())
		if err := apitest.Poll(t.Context(), stepTimeout, func() bool { return phone.gate.refreshesLost() > 0 }); err != nil {
			t.Fatalf("the app sent no refresh after a reload (%v); calls:\n%s", err, phone.gate.calls())
		}
		p.waitJS("the app to give up on the lost answer", syncState+` !== 'syncing'`)
	}

	t.Run("within the grace", func(t *testing.T) {
		srv := startServer(t)
		c, phone, p := newPhone(t, srv, "kari@example.no")
		loseOne(phone, p)
		phone.gate.loseRefreshAnswers(false)
		p.do("reloading", chromedp.Reload())
		p.waitSynced()
		p.logManually("Etter tapt svar", 35, 14, 15)
		p.waitSynced()
		if got := p.text("sync-status"); got == "" || eval[string](p, syncState) != "synced" {
			t.Fatalf("sync status %q after the retried refresh", got)
		}
		if n := len(serverDocs(t, c)); n != 1 {
			t.Fatalf("the server holds %d documents after the retried refresh, want the one logged", n)
		}
		p.screenshot("refresh-answer-lost-within-grace")
		if phone.gate.answers("/api/v1/auth/refresh", http.StatusUnauthorized) != 0 {
			t.Fatalf("a refresh was refused:\n%s", phone.gate.calls())
		}
	})

	t.Run("after the grace", func(t *testing.T) {
		const grace = time.Second
		srv := startServer(t, "REFRESH_REUSE_GRACE="+grace.String())
		_, phone, p := newPhone(t, srv, "kari@example.no")
		loseOne(phone, p)
		// The server's clock is real: let its grace pass. Answers stay
		// lost until then, so a retry the app makes meanwhile (within the
		// grace, which would rotate the cookie) cannot sign it back in.
		time.Sleep(grace + 200*time.Millisecond)
		phone.gate.loseRefreshAnswers(false)
		p.do("reloading", chromedp.Reload())
		p.waitJS("the app to say it is signed out", syncState+` === 'signedout'`)
		if got := p.text("sync-text"); got != "Logg inn igjen for å synkronisere" {
			t.Fatalf("sync status says %q", got)
		}
		if phone.gate.answers("/api/v1/auth/refresh", http.StatusUnauthorized) == 0 {
			t.Fatalf("no refresh was refused:\n%s", phone.gate.calls())
		}
		p.screenshot("refresh-answer-lost-after-grace")
	})
}
