package tests

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// What a walk-through as a new patient on a phone found (issue 15), each
// pinned by a test here.

// startTimer signs a new patient in on a phone, starts a 4x4 session with
// the device clock in the past (so that jumping ahead does not outrun the
// server) and returns the tab on the running warm-up.
func startTimer(t *testing.T, email string) *tab {
	t.Helper()
	srv := startServer(t)
	_, _, p := newPhone(t, srv, email)
	p.click("nav-today")
	p.tapUntil("start-4x4", "timer-begin")
	eval[float64](p, fmt.Sprintf(`__testClock.set(%d)`, -int64(total4x4Sec+60)*1000))
	p.click("timer-begin")
	p.waitJS("the warm-up", `document.querySelector('#timer-running.phase-warmup')`)
	return p
}

// TestBrowserTimerEndsOnlyOnPurpose: one tap on "Avslutt økta" does not
// end a workout: it asks, the timer running on; "Avslutt" is set apart
// from "Neste fase"; and the finish screen of a session ended early leads
// back to the running timer.
func TestBrowserTimerEndsOnlyOnPurpose(t *testing.T) {
	p := startTimer(t, "tap@example.no")
	jumpTo(p, warmupSec+60)
	p.waitJS("the first work interval", `document.querySelector('#timer-running.phase-work')`)

	gap := eval[float64](p, `document.querySelector('#timer-finish').getBoundingClientRect().top - document.querySelector('#timer-skip').getBoundingClientRect().bottom`)
	if gap < 32 {
		t.Errorf("«Avslutt økta» is %.0f px below «Neste fase», want it set apart (32 px or more)", gap)
	}
	p.click("timer-finish")
	p.waitVisible("timer-finish-confirm")
	p.screenshot("timer-finish-asks")
	if !eval[bool](p, `!!document.querySelector('#timer-running.phase-work:not(.paused)')`) {
		t.Fatal("one tap on «Avslutt økta» stopped the running timer")
	}
	p.click("timer-finish-keep")
	p.waitJS("the question to go", `!document.querySelector('[data-testid=timer-finish-confirm]')`)

	p.click("timer-finish")
	p.click("timer-finish-confirm")
	p.waitVisible("session-save")
	p.click("session-rpe-5")
	p.screenshot("finish-ended-early")
	p.click("finish-back")
	p.waitJS("the timer running again in the first work interval", `!!document.querySelector('#timer-running.phase-work:not(.paused)')`)
	p.screenshot("timer-back-from-finish")
}

// TestBrowserExertionSheetGivesWay: the exertion sheet left unanswered
// gives way when the next work interval starts, so its countdown and
// target show, and can be opened again to answer.
func TestBrowserExertionSheetGivesWay(t *testing.T) {
	p := startTimer(t, "sheet@example.no")
	jumpTo(p, warmupSec+workSec+5)
	p.waitVisible("rpe-picker")
	jumpTo(p, warmupSec+workSec+restSec+5)
	p.waitJS("the second work interval", `document.querySelector('#timer-running.phase-work')`)
	p.waitJS("the sheet to give way", `!document.querySelector('[data-testid=rpe-picker]') || document.querySelector('[data-testid=rpe-picker]').hidden`)
	p.waitVisible("timer-countdown")
	p.waitVisible("rpe-later")
	p.screenshot("timer-sheet-gave-way")
	p.click("rpe-later")
	p.waitVisible("rpe-picker")
	if got := eval[string](p, `document.querySelector('#rpe-h').textContent`); got != "Hvor tungt var drag 1?" {
		t.Errorf("the sheet opened again asks %q, want drag 1", got)
	}
	p.click("rpe-14")
	p.waitJS("the sheet to close", `!document.querySelector('[data-testid=rpe-picker]') && document.querySelector('[data-testid=rpe-later]').hidden`)
	rated := eval[float64](p, idbJS+`('meta', 'inprogress').then((s) => s.intervals[0].rpe)`)
	if rated != 14 {
		t.Errorf("the first interval's rating is %v, want 14", rated)
	}
}

// TestBrowserWhatCountsAsASession: a first open invents no plan: Today
// asks how many sessions a week the patient wants. A one-minute 4x4 counts
// toward nothing and a 4x4 stopped after two intervals counts as partial;
// Today, Progress and history say so.
func TestBrowserWhatCountsAsASession(t *testing.T) {
	srv := startServer(t)
	c := signUp(t, srv.URL, "count@example.no")
	seed := newDevice("seed", c)
	now := time.Now().UTC()
	// Sessions on Monday of this week, the earliest of it (Oslo time).
	monday := weekStart(t, now)
	seed.edit(newID(), "session", map[string]any{"protocol": "4x4", "startedAt": monday.Format(time.RFC3339), "durationMin": 1})
	seed.edit(newID(), "session", map[string]any{"protocol": "4x4", "startedAt": monday.Add(time.Hour).Format(time.RFC3339), "durationMin": 24,
		"intervals": []map[string]int{{"rpe": 15}, {"rpe": 16}}})
	if err := seed.push(t.Context()); err != nil {
		t.Fatal(err)
	}
	phone := newBrowser(t, "phone", srv.URL)
	p := phone.signIn("count@example.no")
	p.waitJS("Today to show the synced sessions", `/Delvis/.test(document.querySelector('[data-testid=last-session]').textContent)`)
	p.waitVisible("plan-ask-2")
	p.screenshot("today-no-plan")
	if got := p.text("week-progress"); got != "1 økt" {
		t.Errorf("Today's week says %q, want 1 økt (the one-minute session counts toward nothing)", got)
	}
	if body := p.text("week-card"); !strings.Contains(body, "delvis") || !strings.Contains(body, "telles ikke") {
		t.Errorf("Today's week does not say which sessions were partial or did not count:\n%s", body)
	}
	p.click("plan-ask-2")
	p.waitJS("the week against the plan chosen", `document.querySelector('[data-testid=week-progress]').textContent === '1 av 2 økter'`)
	p.screenshot("today-plan-chosen")

	p.click("nav-history")
	p.waitVisible("session-list")
	marks := eval[[]string](p, `[...document.querySelectorAll('[data-testid=session-item]')].map((e) => (e.querySelector('[data-testid=session-completion]') || {}).textContent || '')`)
	if want := []string{"Delvis økt", "Telles ikke: ingen drag"}; !reflect.DeepEqual(marks, want) {
		t.Errorf("history marks the sessions %q, want %q", marks, want)
	}
	p.screenshot("history-partial")

	p.click("nav-progress")
	p.waitVisible("progress-adherence")
	if got := p.text("progress-adherence"); !strings.HasPrefix(got, "Denne uka: 1 av 2") {
		t.Errorf("Progress says %q, want 1 of 2 this week", got)
	}
}

// weekStart is the Monday 00:30 (Oslo time) of the ISO week of t.
func weekStart(t *testing.T, at time.Time) time.Time {
	t.Helper()
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	l := at.In(oslo)
	back := (int(l.Weekday()) + 6) % 7
	d := time.Date(l.Year(), l.Month(), l.Day()-back, 0, 30, 0, 0, oslo)
	return d.UTC()
}

// TestBrowserSignInFirst: a device signed out lands on sign-in, which asks
// for the e-mail (filled in with the one this device last used) and the
// password first, the invite code only on request.
func TestBrowserSignInFirst(t *testing.T) {
	srv := startServer(t)
	_, _, p := newPhone(t, srv, "again@example.no")
	p.tapUntil("nav-settings", "sign-out")
	p.click("sign-out")
	p.waitVisible("join-submit")
	p.screenshot("signin-again")
	if got := eval[string](p, `location.pathname`); got != "/login" {
		t.Errorf("signed out, the device shows %s, want /login", got)
	}
	order := eval[[]string](p, `[...document.querySelectorAll('form input')].filter((e) => e.offsetParent).map((e) => e.dataset.testid)`)
	if want := []string{"join-email", "join-password"}; !reflect.DeepEqual(order, want) {
		t.Errorf("the sign-in form shows %q, want %q (the invite code on request)", order, want)
	}
	if got := eval[string](p, `document.querySelector('[data-testid=join-email]').value`); got != "again@example.no" {
		t.Errorf("the e-mail field holds %q, want the one this device last used", got)
	}
	if !eval[bool](p, `document.activeElement === document.querySelector('[data-testid=join-password]')`) {
		t.Error("the e-mail is filled in, but the password field does not have the focus")
	}
	p.click("join-show-code")
	p.waitVisible("join-code")

	// A link with a trainer's code shows the code at once.
	q := p.b.open("/login?code=ABCD2345")
	q.waitVisible("join-code")
}

// TestBrowserLargeTextAndLandscape: at 200 % text the top bar keeps its
// «Logg inn» on the screen and the main screens fit; held sideways, the
// running timer shows its countdown and Pause without scrolling.
func TestBrowserLargeTextAndLandscape(t *testing.T) {
	srv := startServer(t)
	const email = "big@example.no"
	c := signUp(t, srv.URL, email)
	pushYesterdaysSession(t, c)
	phone := newBrowser(t, "phone", srv.URL)
	phone.install()
	p := phone.open("/login")
	p.do("setting the text size to 200 %", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.SetFontSizes, page.SetFontSizesParams{FontSizes: &page.FontSizes{Standard: 32, Fixed: 26}})
		return err
	}))
	p.login(email)
	p.waitVisible("last-session")
	check := func(screen string) {
		t.Helper()
		p.screenshot("text-200-" + screen)
		for _, problem := range eval[[]string](p, layoutProblemsJS) {
			t.Errorf("%s at 200 %% text: %s", screen, problem)
		}
	}
	check("today")
	p.tapUntil("nav-settings", "open-report")
	p.tapUntil("open-report", "report-print")
	check("report")
	p.click("nav-history")
	p.waitVisible("session-list")
	check("history")

	// Signed out elsewhere: the top bar offers to sign in again.
	eval[bool](p, `fetch('/api/v1/auth/logout', {method: 'POST', headers: {'X-Requested-With': 'dagbok'}}).then((r) => r.ok)`)
	p.do("reloading", chromedp.Reload())
	p.waitVisible("sync-signin")
	check("signed-out")
	if right := eval[float64](p, `document.querySelector('[data-testid=sync-signin]').getBoundingClientRect().right`); right > 390 {
		t.Errorf("at 200 %% text the top bar's «Logg inn» ends at x = %.0f, off a 390 px screen", right)
	}

	q := phone.signIn(email)
	q.do("turning the phone sideways", chromedp.EmulateViewport(844, 390, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateLandscape))
	q.tapUntil("start-4x4", "timer-begin")
	q.click("timer-begin")
	q.waitVisible("timer-running")
	q.waitJS("the timer at the top", `document.querySelector('[data-testid=timer-pause]').getBoundingClientRect().height > 0`)
	q.screenshot("timer-landscape")
	for _, id := range []string{"timer-countdown", "timer-pause"} {
		if bottom := eval[float64](q, fmt.Sprintf(`document.querySelector('[data-testid=%s]').getBoundingClientRect().bottom`, id)); bottom > 390 {
			t.Errorf("held sideways, the timer's %s ends at y = %.0f, below a 390 px screen", id, bottom)
		}
	}
	if eval[bool](q, `(() => { const a = document.querySelector('[data-testid=timer-countdown]').getBoundingClientRect(), b = document.querySelector('[data-testid=timer-pause]').getBoundingClientRect();
		const w = document.createRange(); w.selectNodeContents(document.querySelector('[data-testid=timer-countdown]')); const c = w.getBoundingClientRect();
		return c.right > b.left && c.left < b.right && c.bottom > b.top && c.top < b.bottom; })()`) {
		t.Error("held sideways, the countdown's digits run into the Pause button")
	}
}

// TestBrowserManualEntryWordsAndChartText: the manual form's exertion
// choices carry the words the timer shows, and the charts' axis text is
// readable on a phone (13 px or more as drawn).
func TestBrowserManualEntryWordsAndChartText(t *testing.T) {
	srv := startServer(t)
	c, _, p := newPhone(t, srv, "words@example.no")
	_ = c
	p.tapUntil("log-manual", "entry-save")
	options := eval[[]string](p, `[...document.querySelectorAll('[data-testid=entry-rpe-0] option')].map((o) => o.textContent)`)
	for _, want := range []string{"15 – Tungt, korte setninger", "6 – Helt i ro", "20 – Kunne ikke gitt mer", "8"} {
		found := false
		for _, o := range options {
			found = found || o == want
		}
		if !found {
			t.Errorf("the manual form's exertion choices %q lack %q", options, want)
		}
	}
	p.setValue("entry-rpe-0", "15")
	p.screenshot("entry-words")
	for _, problem := range eval[[]string](p, layoutProblemsJS) {
		t.Errorf("manual entry: %s", problem)
	}

	pushYesterdaysSession(t, c)
	p.do("reloading", chromedp.Reload())
	p.tapUntil("nav-progress", "chart-adherence")
	sizes := eval[[]float64](p, `[...document.querySelectorAll('.chart .tick, .chart .val')].map((el) => {
		const svg = el.ownerSVGElement; const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
		return parseFloat(getComputedStyle(el).fontSize) * scale; })`)
	if len(sizes) == 0 {
		t.Fatal("the charts have no axis text")
	}
	for _, s := range sizes {
		if s < 13 {
			t.Fatalf("chart text is drawn at %.1f px, want 13 px or more", s)
		}
	}
	p.screenshot("progress-chart-text")
}

// TestBrowserPrintableReport: Settings leads to a page of the last three
// months a patient can print to PDF for a doctor: the plan, the weekly
// chart and every session (partial ones marked), without the app's
// chrome. The PDF is saved under artifacts/ (and a PNG of its first page
// when pdftoppm is there) to be looked at.
func TestBrowserPrintableReport(t *testing.T) {
	srv := startServer(t)
	c := signUp(t, srv.URL, "report@example.no")
	seed := newDevice("seed", c)
	now := time.Now().UTC()
	seed.edit("plan", "plan", map[string]any{"sessionsPerWeek": 2, "days": []int{2, 5}, "time": "17:30"})
	for i, days := range []int{2, 9, 16, 30, 60, 80, 120} {
		v := map[string]any{"protocol": "4x4", "startedAt": now.Add(-time.Duration(days) * 24 * time.Hour).Format(time.RFC3339),
			"durationMin": 40, "sessionRpe": 6 + i%3, "moodBefore": 3, "moodAfter": 4,
			"intervals": []map[string]int{{"rpe": 15, "hrPeak": 160 + i}, {"rpe": 16, "hrPeak": 163 + i}, {"rpe": 16}, {"rpe": 17, "hrPeak": 168 + i}}}
		if i == 1 {
			v["durationMin"] = 22
			v["intervals"] = []map[string]int{{"rpe": 15}, {"rpe": 16}}
			v["note"] = "Stoppet etter to drag, vondt i kneet"
		}
		seed.edit(newID(), "session", v)
	}
	if err := seed.push(t.Context()); err != nil {
		t.Fatal(err)
	}
	phone := newBrowser(t, "phone", srv.URL)
	p := phone.signIn("report@example.no")
	p.tapUntil("nav-settings", "open-report")
	p.tapUntil("open-report", "report")
	p.waitJS("the sessions in the report", `document.querySelectorAll('[data-testid=report-session]').length > 0`)
	p.screenshot("report")
	if n := eval[int](p, `document.querySelectorAll('[data-testid=report-session]').length`); n != 6 {
		t.Errorf("the report lists %d sessions, want the 6 of the last three months", n)
	}
	for _, want := range []string{"2 økter i uka", "Delvis økt", "vondt i kneet"} {
		if body := p.text("report"); !strings.Contains(body, want) {
			t.Errorf("the report does not say %q", want)
		}
	}
	p.waitVisible("report-chart-adherence")

	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}
	p.do("printing as for paper", media("print"))
	if shown := eval[[]string](p, `['topbar', 'tabs', 'report-print'].filter((id) => { const el = document.getElementById(id); return el && el.checkVisibility(); })`); len(shown) > 0 {
		t.Errorf("printed, the report still shows %q", shown)
	}
	p.do("back to the screen", media(""))
	var pdf []byte
	p.do("printing to PDF on A4", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69})
		pdf = res.Data
		return err
	}))
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 10_000 {
		t.Fatalf("printing the report gave %d bytes, not a PDF with content", len(pdf))
	}
	out := filepath.Join("artifacts", "report.pdf")
	if err := os.WriteFile(out, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if tool, err := exec.LookPath("pdftoppm"); err == nil {
		if msg, err := exec.Command(tool, "-png", "-r", "60", out, filepath.Join("artifacts", "report-pdf")).CombinedOutput(); err != nil {
			t.Errorf("pdftoppm: %v: %s", err, msg)
		}
	}
}
