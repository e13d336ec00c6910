package tests

import (
	"strings"
	"testing"
)

// TestBrowserSignInMessages: what the server refuses at sign-up and
// sign-in is said in the app's words: an email it does not take, an invite
// code that does not work (at sign-up, and after signing in with one), a
// password too common to take, and
// too many wrong passwords, with how long to wait.
func TestBrowserSignInMessages(t *testing.T) {
	srv := startServer(t)
	signUp(t, srv.URL, "per@example.no")
	phone := newBrowser(t, "phone", srv.URL)
	phone.install()
	p := phone.open("/join")

	errorAfter := func(want string, fields ...string) {
		t.Helper()
		for i := 0; i+1 < len(fields); i += 2 {
			p.setValue(fields[i], fields[i+1])
		}
		eval[bool](p, `(document.querySelector('[data-testid=join-error]').textContent = '', true)`)
		p.click("join-submit")
		p.waitJS("the form's message", `document.querySelector('[data-testid=join-error]').textContent !== ''`)
		if got := p.text("join-error"); !strings.HasPrefix(got, want) {
			t.Errorf("the form says %q, want %q…", got, want)
		}
	}
	errorAfter("Sjekk e-postadressen", "join-name", "Per", "join-email", "per@", "join-password", testPassword)
	errorAfter("Det passordet er for vanlig", "join-email", "ny@example.no", "join-password", "Passord123")
	p.setValue("join-password", testPassword)
	errorAfter("Invitasjonskoden virker ikke", "join-code", "BADCODE9")

	p.click("goto-login")
	p.waitVisible("join-email")
	p.setValue("join-code", "BADCODE9")
	p.login("per@example.no")
	if got := p.text("notice"); !strings.Contains(got, "invitasjonskoden virket ikke") {
		t.Errorf("after signing in with a bad code, Today says %q", got)
	}

	p.click("nav-settings")
	p.click("sign-out")
	p.waitVisible("join-email")
	for i := 0; i < 5; i++ {
		errorAfter("E-post eller passord stemmer ikke", "join-email", "per@example.no", "join-password", "wrong password")
	}
	errorAfter("For mange forsøk. Vent ", "join-email", "per@example.no", "join-password", "wrong password")
	if got := p.text("join-error"); !strings.HasSuffix(got, "sekunder og prøv igjen.") {
		t.Errorf("the form says %q, want how many seconds to wait", got)
	}
}
