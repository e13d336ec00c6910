package tests

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/hit4x4/dagbok/internal/apitest"
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

// TestBrowserExport: the patient downloads their data, offline and online,
// and the file holds their account, their sessions and documents, and what
// waits to be sent.
func TestBrowserExport(t *testing.T) {
	srv := startServer(t)
	_, phone, p := newPhone(t, srv, "eli@example.no")
	p.logManually("Til eksporten", 33, 15, 16)
	p.waitSynced()
	phone.setOffline(true)
	p.logManually("Ikke sendt ennå", 20, 13)
	p.click("nav-settings")

	type export struct {
		User struct {
			Email string `json:"email"`
		} `json:"user"`
		Groups   []any `json:"groups"`
		Sessions []struct {
			Note string `json:"note"`
		} `json:"sessions"`
		Documents []storedDoc `json:"documents"`
		Unsynced  []any       `json:"unsynced"`
		Reminders *struct {
			Settings struct {
				LeadMinutes int `json:"leadMinutes"`
			} `json:"settings"`
			Subscriptions []any `json:"subscriptions"`
		} `json:"reminders"`
	}
	download := func() (export, []byte) {
		t.Helper()
		raw := p.exportFile()
		var data export
		if err := json.Unmarshal(raw, &data); err != nil {
			t.Fatalf("the export is not JSON: %v\n%s", err, raw)
		}
		return data, raw
	}
	check := func(when string, unsynced int) export {
		t.Helper()
		data, raw := download()
		var notes []string
		for _, s := range data.Sessions {
			notes = append(notes, s.Note)
		}
		slices.Sort(notes)
		if data.User.Email != "eli@example.no" || data.Groups == nil || len(data.Documents) != 2 || len(data.Unsynced) != unsynced ||
			!slices.Equal(notes, []string{"Ikke sendt ennå", "Til eksporten"}) {
			t.Errorf("%s, the export holds user %q, groups %v, %d documents, %d unsynced changes and sessions %q; want the account, both sessions and %d unsent changes:\n%s",
				when, data.User.Email, data.Groups, len(data.Documents), len(data.Unsynced), notes, unsynced, raw)
		}
		return data
	}
	check("offline", 1)
	phone.setOffline(false)
	p.waitSynced()
	// Online, the server's part comes along: reminder settings and devices.
	if r := check("online", 0).Reminders; r == nil || r.Settings.LeadMinutes != 60 || r.Subscriptions == nil {
		t.Errorf("the export online holds reminders %+v, want the settings and the (empty) list of devices", r)
	}
	phone.gate.noLeaks(t)
}

// exportFile taps "download my data" on the Settings screen and returns
// the file the browser saved.
func (p *tab) exportFile() []byte {
	p.t.Helper()
	dir := p.t.TempDir()
	p.do("allowing downloads", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	}))
	p.click("export-data")
	var file string
	err := apitest.Poll(p.ctx, stepTimeout, func() bool {
		if m, _ := filepath.Glob(filepath.Join(dir, "4x4-dagbok-*.json")); len(m) == 1 {
			file = m[0]
		}
		return file != ""
	})
	if err != nil {
		p.t.Fatalf("no export file in %s: %v", dir, err)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		p.t.Fatal(err)
	}
	return raw
}
