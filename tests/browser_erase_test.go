package tests

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserEraseAccount: a patient signs in, logs a session, and erases
// the account from Settings. A wrong password and being offline are
// refused with a message and erase nothing; with the right password and a
// second tap in the page the account goes: the app lands on /join with a
// goodbye, the phone's database holds nothing, the password no longer
// signs in, and the server holds no data under the email.
func TestBrowserEraseAccount(t *testing.T) {
	// Sign-ins and erase attempts share one rate limit per email (five at
	// once): this test spends exactly five.
	srv := startServer(t)
	const email = "eva@example.no"
	creds := map[string]string{"email": email, "password": testPassword, "name": "Eva"}
	newClient(t, srv.URL).must(http.MethodPost, "/api/v1/auth/register", creds, nil, http.StatusCreated)

	phone := newBrowser(t, "phone", srv.URL)
	p := phone.open("/login")
	p.login(email) // 1
	p.logManually("Siste økt før jeg slettet", 36, 14, 15, 16, 16)
	p.waitSynced() // the server has it

	p.tapUntil("nav-settings", "erase-password")

	// A wrong password: told so, nothing erased.
	p.typeInto("erase-password", "not my password")
	p.click("erase-start")
	p.click("erase-confirm") // 2
	p.waitJS("the wrong-password message", `document.querySelector('[data-testid=erase-error]').textContent.includes('Feil passord')`)
	if docs := p.localDocs(); len(docs) != 1 {
		t.Fatalf("the phone holds %d documents after a refused erase, want 1", len(docs))
	}

	// Offline: erasing needs the server, and the page says so.
	p.setValue("erase-password", testPassword)
	phone.setOffline(true)
	p.click("erase-start")
	p.waitJS("the offline message", `document.querySelector('[data-testid=erase-error]').textContent.includes('nett')`)
	phone.setOffline(false)
	p.waitJS("the page to be online again", `navigator.onLine`)

	// The real thing.
	p.click("erase-start")
	p.waitVisible("erase-confirm")
	p.screenshotBottom("settings-erase")
	p.click("erase-confirm") // 3
	p.waitJS("the join screen", `location.pathname === '/join' && document.querySelector('[data-testid=join-email]')`)
	if msg := p.text("notice"); !strings.Contains(msg, "slettet") {
		t.Errorf("no goodbye on /join: notice %q", msg)
	}
	if docs := p.localDocs(); len(docs) != 0 {
		ids := make([]string, 0, len(docs))
		for id := range docs {
			ids = append(ids, id)
		}
		t.Errorf("the phone still holds %d documents: %v", len(docs), ids)
	}
	if n := p.outboxLen(); n != 0 {
		t.Errorf("the phone's outbox still holds %d changes", n)
	}
	if user := eval[bool](p, idbJS+`('meta', 'user').then((u) => u !== null)`); user {
		t.Error("the phone still remembers the user")
	}

	// The password signs in no more.
	p.do("opening the sign-in screen", chromedp.Navigate(phone.gate.URL+"/login"))
	p.waitVisible("join-email")
	p.setValue("join-email", email)
	p.typeInto("join-password", testPassword)
	p.click("join-submit") // 4
	p.waitJS("the sign-in to be refused", `document.querySelector('[data-testid=join-error]')?.textContent.trim()`)
	if path := eval[string](p, `location.pathname`); path != "/login" {
		t.Errorf("after a refused sign-in the app shows %s", path)
	}

	// Nothing is left under the email: registered anew, it starts empty.
	again := signUp(t, srv.URL, email) // 5
	if docs := serverDocs(t, again); len(docs) != 0 {
		t.Errorf("a new account under the erased email holds %d documents", len(docs))
	}
}
