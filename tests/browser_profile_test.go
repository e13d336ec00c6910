package tests

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestBrowserProfile: a patient saves a year of birth, then clears it on
// the same visit to the screen, and the server ends without one. Saved
// offline, a change says it waits for the network, and once it has reached
// the server the screen says it is saved. Text that is no number is refused.
func TestBrowserProfile(t *testing.T) {
	srv := startServer(t)
	ida, phone, p := newPhone(t, srv, "ida@example.no")
	birthYear := func() *int {
		t.Helper()
		var me struct {
			User struct {
				BirthYear *int `json:"birthYear"`
			} `json:"user"`
		}
		ida.must(http.MethodGet, "/api/v1/me", nil, &me, http.StatusOK)
		return me.User.BirthYear
	}
	saved := func(what string) {
		t.Helper()
		p.waitJS(what+" to reach the server and say so", `(async () => !(await `+idbJS+`('meta', 'pendingProfile')) &&
			document.querySelector('[data-testid=profile-status]').textContent === 'Lagret.')()`)
	}

	p.click("nav-settings")
	p.waitVisible("profile-save")
	p.setValue("profile-birth-year", "1970")
	p.click("profile-save")
	saved("saving 1970")
	if y := birthYear(); y == nil || *y != 1970 {
		t.Fatalf("the server's year of birth is %v after saving 1970", y)
	}
	p.setValue("profile-birth-year", "")
	p.click("profile-save")
	saved("clearing the year")
	if y := birthYear(); y != nil {
		t.Errorf("the server's year of birth is %d after clearing it, want none", *y)
	}

	phone.setOffline(true)
	year := time.Now().Year() - 60
	p.setValue("profile-birth-year", strconv.Itoa(year))
	p.click("profile-save")
	p.waitJS("the save to wait for the network", `document.querySelector('[data-testid=profile-status]').textContent.startsWith('Lagret på telefonen')`)
	phone.setOffline(false)
	saved("going online")
	if y := birthYear(); y == nil || *y != year {
		t.Errorf("the server's year of birth is %v after going online, want %d", y, year)
	}

	// Typed text that is no number is refused, not taken for an empty
	// field that clears the year.
	p.setValue("profile-birth-year", "")
	p.typeInto("profile-birth-year", "19e")
	if !eval[bool](p, `document.querySelector('[data-testid=profile-birth-year]').validity.badInput`) {
		t.Fatal("typing 19e did not make the year field hold bad input")
	}
	p.click("profile-save")
	p.waitVisible("profile-error")
	if pending := eval[bool](p, `(async () => !!(await `+idbJS+`('meta', 'pendingProfile')))()`); pending {
		t.Error("a year of 19e was saved")
	}
	if y := birthYear(); y == nil || *y != year {
		t.Errorf("the server's year of birth is %v after typing 19e, want still %d", y, year)
	}
	phone.gate.noLeaks(t)
}
