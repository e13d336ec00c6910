package tests

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLanguage: a Norwegian phone gets bokmål on a first visit; the
// join screen offers English with one tap and keeps the choice after a
// reload.
func TestBrowserLanguage(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, "phone", srv.URL)
	p := b.open("/join")
	p.waitVisible("join-language")
	heading := `document.querySelector('h1').textContent`
	if got, lang := eval[string](p, heading), eval[string](p, `document.documentElement.lang`); got != "Velkommen!" || lang != "nb" {
		t.Fatalf("first visit: h1 %q, lang %q; want bokmål", got, lang)
	}
	p.screenshot("join")
	p.click("join-language")
	p.waitJS("the join screen in English", heading+` === 'Welcome!' && document.documentElement.lang === 'en'`)
	p.do("reloading", chromedp.Reload())
	p.waitVisible("join-language")
	p.waitJS("English after a reload", heading+` === 'Welcome!'`)
	p.click("join-language")
	p.waitJS("back to bokmål", heading+` === 'Velkommen!' && document.documentElement.lang === 'nb'`)
}

// TestBrowserLanguageFollowsTheAccount: a phone set to English (and no
// Norwegian) starts in English; a Norwegian phone on which English was
// chosen registers an English account; a second device, set to Norwegian,
// speaks English once that account signs in.
func TestBrowserLanguageFollowsTheAccount(t *testing.T) {
	srv := startServer(t)
	heading := `document.querySelector('h1').textContent`

	english := newBrowserIn(t, "english phone", srv.URL, "en-US,en")
	p := english.open("/join")
	p.waitVisible("join-language")
	if got := eval[string](p, heading); got != "Welcome!" {
		t.Fatalf("a browser that prefers English shows %q on the join screen, want English", got)
	}
	p.close()

	first := newBrowser(t, "first phone", srv.URL)
	p = first.open("/join")
	p.waitVisible("join-language")
	p.click("join-language")
	p.waitJS("the join screen in English", heading+` === 'Welcome!'`)
	p.typeInto("join-name", "Emma")
	p.typeInto("join-email", "emma@example.org")
	p.typeInto("join-password", testPassword)
	p.click("join-submit")
	p.waitVisible("week-progress")

	c := newClient(t, srv.URL)
	c.login("emma@example.org")
	var me struct{ User struct{ Language string } }
	c.must(http.MethodGet, "/api/v1/me", nil, &me, http.StatusOK)
	if me.User.Language != "en" {
		t.Fatalf("registered in English, the account's language is %q", me.User.Language)
	}

	second := newBrowser(t, "second phone", srv.URL)
	q := second.open("/login")
	if got := eval[string](q, `document.documentElement.lang`); got != "nb" {
		t.Fatalf("the second phone starts in %q, want bokmål before sign-in", got)
	}
	q.login("emma@example.org")
	q.waitJS("the account's English after sign-in", `document.documentElement.lang === 'en' && document.querySelector('[data-testid=nav-today]').textContent === 'Today'`)
}
