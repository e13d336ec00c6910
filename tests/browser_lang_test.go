package tests

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLanguage: the app speaks bokmål on a first visit whatever the
// browser's own language (headless Chromium reports en-US), offers English
// with one tap on the join screen, and keeps the choice after a reload.
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
