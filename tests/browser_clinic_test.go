package tests

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// viewport sets the tab's size: a tablet (1024×768) for the clinic, a
// phone (390×844) for everyone.
func (p *tab) viewport(w, h int64, mobile bool) {
	p.t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	p.do("viewport", chromedp.EmulateViewport(w, h, opts...))
}

var setupLink = regexp.MustCompile(`/setup#[A-Za-z0-9_-]{43}`)

// TestBrowserClinicJourney: a server started with no admin prints a setup
// link; the first admin is made with it in the browser, invites a trainer;
// the trainer makes a group and shows its code; a patient joins with it on
// a phone and trains; the trainer sees the patient on the group page, opens
// the patient page and sets the plan; the patient sees who read their data.
// Staff screens are shot at tablet and phone size.
func TestBrowserClinicJourney(t *testing.T) {
	srv := startServer(t)
	// The link follows the "listening" line that startServer waits for.
	var link string
	if err := apitest.Poll(t.Context(), 10*time.Second, func() bool {
		link = setupLink.FindString(srv.logs.String())
		return link != ""
	}); err != nil {
		t.Fatalf("the server printed no setup link: %v\n%s", err, srv.logs)
	}

	// First run: the admin, on a tablet.
	adminB := newBrowser(t, "admin", srv.URL)
	a := adminB.open(link)
	a.viewport(1024, 768, false)
	a.waitVisible("setup-name")
	a.screenshot("clinic-setup-tablet")
	a.typeInto("setup-name", "Anne Admin")
	a.typeInto("setup-email", "admin@klinikk.no")
	a.typeInto("setup-password", testPassword)
	a.click("setup-submit")
	a.waitVisible("invite-create")
	a.click("invite-create")
	a.waitVisible("staff-invite-code")
	trainerCode := a.text("staff-invite-code")
	a.waitJS("the QR code", `document.querySelector('[data-testid=staff-invite-qr]').naturalWidth > 0`)
	a.screenshot("clinic-admin-tablet")
	// The link works once.
	if code, _ := newClient(t, srv.URL).do(t.Context(), http.MethodPost, "/api/v1/setup",
		map[string]string{"token": strings.TrimPrefix(link, "/setup#"), "email": "x@klinikk.no", "password": testPassword, "name": "X"}, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("the setup link worked twice: %d", code)
	}

	// The trainer joins with the admin's code and makes a group.
	trainerB := newBrowser(t, "trainer", srv.URL)
	tr := trainerB.open("/join?code=" + trainerCode)
	tr.viewport(1024, 768, false)
	tr.typeInto("join-name", "Tor Trener")
	tr.typeInto("join-email", "tor@klinikk.no")
	tr.typeInto("join-password", testPassword)
	tr.click("join-submit")
	tr.waitVisible("group-name")
	tr.typeInto("group-name", "Tirsdagsgruppa")
	tr.click("group-create")
	tr.waitVisible("new-group-invite-code")
	groupCode := tr.text("new-group-invite-code")
	tr.waitJS("the QR code", `document.querySelector('[data-testid=new-group-invite-qr]').naturalWidth > 0`)
	tr.screenshot("clinic-trainer-home-tablet")

	// The patient joins on a phone, then trains (as their phone syncs).
	phone := newBrowser(t, "patient", srv.URL)
	p := phone.open("/join?code=" + groupCode)
	p.typeInto("join-name", "Pia")
	p.typeInto("join-email", "pia@example.no")
	p.typeInto("join-password", testPassword)
	p.click("join-submit")
	p.waitVisible("week-progress")
	pia := newClient(t, srv.URL)
	pia.login("pia@example.no")
	// Pia lets the trainer see what she logged before joining.
	p.click("nav-settings")
	p.click("share-history")
	if err := apitest.Poll(t.Context(), 10*time.Second, func() bool {
		var me struct{ Groups []struct{ ShareHistory bool } }
		pia.must(http.MethodGet, "/api/v1/me", nil, &me, http.StatusOK)
		return len(me.Groups) == 1 && me.Groups[0].ShareHistory
	}); err != nil {
		t.Fatalf("sharing the history did not reach the server: %v", err)
	}
	p.click("nav-today")
	now := time.Now()
	var docs []sync.Doc
	for i, days := range []int{20, 13, 12, 6, 2} {
		at := now.Add(-time.Duration(days) * 24 * time.Hour)
		docs = append(docs, synctest.Session(t, "s"+string(rune('a'+i)), synctest.Stamp(now, "phone"),
			"startedAt", at.Format(time.RFC3339), "durationMin", 38, "sessionRpe", 6+i%3, "moodBefore", 3, "moodAfter", 4,
			"intervals", []map[string]int{{"rpe": 13 + i}, {"rpe": 14 + i}, {"rpe": 15}, {"rpe": 12 + i}}))
	}
	pia.must(http.MethodPost, "/api/v1/sync/push", sync.PushRequest{BatchID: "clinic-journey", Docs: docs}, nil, http.StatusOK)

	// The trainer's group page and patient page, on the tablet.
	tr.click("group-link")
	tr.waitVisible("board-member")
	tr.waitVisible("code-revoke")
	if got := tr.text("group-codes"); !strings.Contains(got, groupCode) {
		t.Errorf("the group's codes say %q, want %s", got, groupCode)
	}
	tr.screenshot("clinic-group-tablet")
	tr.click("patient-link")
	tr.waitVisible("plan-save")
	tr.click("plan-day-2")
	tr.click("plan-day-4")
	tr.click("plan-save")
	tr.waitJS("the saved plan", `document.querySelector('[data-testid=plan-status]').textContent.includes('Tor Trener') || document.querySelector('[data-testid=plan-status]').textContent.includes('lagret')`)
	tr.screenshot("clinic-patient-tablet")
	eval[bool](tr, `(document.querySelector('[data-testid=patient-chart-adherence]').scrollIntoView(), true)`)
	tr.screenshot("clinic-patient-charts-tablet")
	// The patient has given no sex: the fitness age card says what is missing.
	tr.waitJS("the fitness card", `!!document.getElementById('p-fitness')`)
	if got := eval[string](tr, `document.getElementById('p-fitness').parentElement.textContent`); !strings.Contains(got, "kjønn") {
		t.Errorf("the fitness card says %q, want the missing sex named", got)
	}
	// The trainer enters a test taken at the clinic; the server writes it
	// into the patient's diary.
	tr.click("m-open")
	tr.typeInto("m-vo2max", "38")
	tr.typeInto("m-weight", "82.5")
	tr.click("m-save")
	tr.waitJS("the saved measurement", `document.getElementById('notice').textContent.includes('lagret')`)
	// The same staff screens on a phone.
	tr.viewport(390, 844, true)
	tr.screenshot("clinic-patient-phone")
	tr.click("back-group")
	tr.waitVisible("board-member")
	tr.screenshot("clinic-group-phone")

	// The patient's phone pulls the plan the trainer set, and Settings
	// says who read the data.
	var pull sync.PullResponse
	pia.must(http.MethodGet, "/api/v1/sync/pull?cursor=0", nil, &pull, http.StatusOK)
	found := false
	for _, d := range pull.Docs {
		if d.ID == "plan" && strings.Contains(string(d.Fields["setBy"].Value), "Tor Trener") {
			found = true
		}
	}
	if !found {
		t.Errorf("the patient's pull holds no plan set by the trainer: %+v", pull.Docs)
	}
	p.click("nav-settings")
	p.waitVisible("audit-entry")
	if got := p.text("audit-list"); !strings.Contains(got, "Tor Trener") {
		t.Errorf("Hvem har sett mine data says %q, want the trainer", got)
	}
	p.waitVisible("my-group")
	eval[bool](p, `(document.querySelector('[data-testid=my-groups]').scrollIntoView(), true)`)
	p.screenshot("clinic-patient-settings-phone")
}

// TestBrowserClinicIsStaffOnly: a patient who opens a clinic address lands
// on Today with the tab bar, not on a staff form the server would refuse.
func TestBrowserClinicIsStaffOnly(t *testing.T) {
	srv := startServer(t)
	_, phone, _ := newPhone(t, srv, "pasient@example.no")
	for _, path := range []string{"/clinic", "/clinic/group/0123456789abcdef0123456789abcdef"} {
		p := phone.open(path)
		p.waitVisible("week-progress")
		if got := eval[string](p, `location.pathname`); got != "/" {
			t.Errorf("%s took the patient to %s, want /", path, got)
		}
		if eval[bool](p, `!!document.querySelector('[data-testid=group-create]')`) {
			t.Errorf("%s offers the patient the new-group form", path)
		}
		p.close()
	}
}
