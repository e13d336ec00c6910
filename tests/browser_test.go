package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/hit4x4/dagbok/sync"
)

// The 4x4 protocol as the timer runs it, in seconds.
const (
	warmupSec   = 600
	workSec     = 240
	restSec     = 180
	cooldownSec = 300
	total4x4Sec = warmupSec + 4*workSec + 3*restSec + cooldownSec
)

// jumpTo moves the app's clock to the given number of seconds after the
// running session started (the start time is read from the app's stored
// timer state); the timer shows the new position at its next repaint.
func jumpTo(p *tab, sec float64) {
	p.t.Helper()
	eval[float64](p, fmt.Sprintf(`%s('meta', 'inprogress').then((s) => __testClock.setNow(s.startedAt + %d))`, idbJS, int64(sec*1000)))
}

// TestBrowserJoinAndLogSession: a patient joins with the group's invite
// code, runs a whole guided 4x4 session on a fast-forwarded clock (an
// exertion rating after each work interval, session RPE and mood at the
// end), sees it on Today and in history, and the server holds it.
func TestBrowserJoinAndLogSession(t *testing.T) {
	srv, code := startServerWithGroup(t)
	phone := newBrowser(t, "phone", srv.URL)
	phone.install()
	p := phone.open("/join?code=" + code)

	// Join: the code comes from the trainer's link.
	p.waitVisible("join-code")
	if got := eval[string](p, `document.querySelector('[data-testid=join-code]').value`); got != code {
		t.Fatalf("join form shows code %q, want %q from the link", got, code)
	}
	p.typeInto("join-name", "Kari")
	p.typeInto("join-email", "kari@example.no")
	p.typeInto("join-password", testPassword)
	p.click("join-submit")
	p.waitVisible("week-progress")
	p.waitVisible("start-4x4")
	p.screenshot("today-new")

	// Birth year in the profile, so the timer can show the heart-rate band:
	// HRmax 211 − 0.64 × 46 ≈ 182, work at 85–95 % → 155–173.
	p.click("nav-settings")
	p.waitVisible("profile-birth-year")
	p.setValue("profile-birth-year", fmt.Sprint(time.Now().Year()-46))
	p.click("profile-save")
	p.click("nav-today")

	// The guided session. The clock starts 41 minutes in the past and is
	// fast-forwarded through the session's 40 minutes. To the app that is a
	// device clock jumping: it calibrates against the server's time when it
	// syncs, so after a jump its stamps can run ahead, the server answers
	// clock_skew, and the app corrects its clock and stamps again — the end
	// state below is the same either way.
	p.tapUntil("start-4x4", "timer-begin")
	p.click("mood-before-3")
	eval[float64](p, fmt.Sprintf(`__testClock.set(%d)`, -int64(total4x4Sec+60)*1000))
	p.click("timer-begin")
	p.waitVisible("timer-running")
	p.waitJS("the warm-up", `document.querySelector('#timer-running.phase-warmup')`)

	jumpTo(p, warmupSec+10) // 3:50 into the first work interval
	p.waitJS("the first work interval", `document.querySelector('#timer-running.phase-work') &&
		/^3:(4\d|50)$/.test(document.querySelector('[data-testid=timer-countdown]').textContent.trim())`)
	if band := p.text("timer-band"); !strings.Contains(band, "155") || !strings.Contains(band, "173") {
		t.Errorf("work interval shows heart-rate band %q, want 155–173", band)
	}
	p.screenshot("timer")

	ratings := []int{14, 15, 16, 17}
	peaks := []int{158, 163, 166, 171} // optional peak heart rate per interval
	for i, rpe := range ratings {
		end := warmupSec + i*(workSec+restSec) + workSec
		jumpTo(p, float64(end)+2)
		p.waitVisible("rpe-picker")
		if i == 0 {
			p.screenshot("rpe-picker")
		}
		p.typeInto("hr-peak", fmt.Sprint(peaks[i]))
		p.click(fmt.Sprintf("rpe-%d", rpe))
		p.waitJS("the picker to close", `!document.querySelector('[data-testid=rpe-picker]')`)
		p.waitJS("the rating to be stored", fmt.Sprintf(`%s('meta', 'inprogress').then((s) => s.asked.includes(%d))`, idbJS, i))
		if i == 1 {
			// The app is reloaded mid-session (a killed tab, a phone
			// restart): it resumes the same session at the same point.
			p.do("reloading mid-session", chromedp.Reload())
			p.waitVisible("timer-running")
			p.waitJS("the session to resume in the second recovery", `document.querySelector('#timer-running.phase-recovery') &&
				/^2:5\d$/.test(document.querySelector('[data-testid=timer-countdown]').textContent.trim()) &&
				!document.querySelector('[data-testid=rpe-picker]')`)
		}
	}

	jumpTo(p, total4x4Sec+1)
	p.waitVisible("session-save")
	p.click("session-rpe-7")
	p.click("mood-after-4")
	p.typeInto("session-note", "Tungt, men godt")
	p.screenshot("finish")
	p.click("session-save")

	// Back on Today: the week counts it and the last session shows it.
	p.waitVisible("last-session")
	p.waitJS("Today to count the session", `/1/.test(document.querySelector('[data-testid=week-progress]').textContent)`)
	p.screenshot("today")

	// History lists it with the ratings.
	p.click("nav-history")
	p.waitVisible("session-list")
	items := eval[[]string](p, `[...document.querySelectorAll('[data-testid=session-item]')].map((e) => e.innerText)`)
	if len(items) != 1 {
		t.Fatalf("history lists %d sessions, want 1: %q", len(items), items)
	}
	for _, want := range []string{"14", "15", "16", "17", "Tungt, men godt"} {
		if !strings.Contains(items[0], want) {
			t.Errorf("history entry %q lacks %q", items[0], want)
		}
	}

	p.click("nav-progress")
	p.waitVisible("chart-adherence")
	p.waitVisible("chart-hr") // the peak heart rates give a trend
	p.screenshot("progress")
	p.screenshotBottom("progress-bottom")

	// The server holds what the phone saved.
	p.waitSynced()
	kari := newClient(t, srv.URL)
	kari.login("kari@example.no")
	var me struct {
		User struct {
			BirthYear *int `json:"birthYear"`
		} `json:"user"`
		Groups []struct {
			Name string `json:"name"`
		} `json:"groups"`
	}
	kari.must(http.MethodGet, "/api/v1/me", nil, &me, http.StatusOK)
	if y := me.User.BirthYear; y == nil || *y != time.Now().Year()-46 {
		t.Errorf("server's profile has birth year %v, want %d", y, time.Now().Year()-46)
	}
	if len(me.Groups) != 1 || me.Groups[0].Name != "Tirsdagsgruppa" {
		t.Errorf("joining with the group's code made the patient a member of %+v, want Tirsdagsgruppa", me.Groups)
	}
	docs := serverDocs(t, kari)
	var got []sync.Doc
	for _, d := range docs {
		if d.Type == "session" {
			got = append(got, d)
		}
	}
	if len(got) != 1 {
		t.Fatalf("server holds %d sessions, want 1: %+v", len(got), docs)
	}
	s := got[0]
	want := map[string]any{
		"protocol":    "4x4",
		"durationMin": float64(total4x4Sec / 60),
		"sessionRpe":  float64(7),
		"moodBefore":  float64(3),
		"moodAfter":   float64(4),
		"note":        "Tungt, men godt",
		"intervals": []any{
			map[string]any{"rpe": float64(14), "hrPeak": float64(158)},
			map[string]any{"rpe": float64(15), "hrPeak": float64(163)},
			map[string]any{"rpe": float64(16), "hrPeak": float64(166)},
			map[string]any{"rpe": float64(17), "hrPeak": float64(171)},
		},
	}
	for name, w := range want {
		var v any
		if err := json.Unmarshal(s.Fields[name].Value, &v); err != nil {
			t.Errorf("server's %s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(v, w) {
			t.Errorf("server's %s = %v, want %v", name, v, w)
		}
	}
	var started string
	_ = json.Unmarshal(s.Fields["startedAt"].Value, &started)
	if at, err := time.Parse(time.RFC3339, started); err != nil || time.Since(at) < 30*time.Minute || time.Since(at) > 50*time.Minute {
		t.Errorf("server's startedAt = %q, want about 41 minutes ago (%v)", started, err)
	}
	// The same document, stamp for stamp, on the phone and on the server.
	local := p.localDocs()[s.ID]
	sameDoc(t, local, s)
	phone.gate.noLeaks(t)
}

// sameDoc fails unless the phone's stored document has exactly the fields,
// values and stamps the server holds.
func sameDoc(t *testing.T, local storedDoc, remote sync.Doc) {
	t.Helper()
	type field struct {
		Value any    `json:"value"`
		TS    string `json:"ts"`
	}
	decode := func(raw json.RawMessage) field {
		var f field
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	l := map[string]field{}
	for name, raw := range local.Fields {
		l[name] = decode(raw)
	}
	r := map[string]field{}
	for name, f := range remote.Fields {
		var v any
		if err := json.Unmarshal(f.Value, &v); err != nil {
			t.Fatal(err)
		}
		r[name] = field{Value: v, TS: f.TS}
	}
	if !reflect.DeepEqual(l, r) {
		t.Errorf("document %s differs:\nbrowser %v\nserver  %v", remote.ID, l, r)
	}
}

// login signs in through the app's own form and waits for Today.
func (p *tab) login(email string) {
	p.t.Helper()
	p.waitVisible("join-email")
	p.setValue("join-email", email)
	p.typeInto("join-password", testPassword)
	p.click("join-submit")
	p.waitVisible("week-progress")
}

// waitControlled waits until the service worker controls the page and the
// app has (re)started under it.
func (p *tab) waitControlled() {
	p.t.Helper()
	p.waitJS("the service worker to control the page", `navigator.serviceWorker.controller && document.querySelector('[data-testid=week-progress]')`)
}

// historyNotes returns the notes the history screen shows, top to bottom.
func (p *tab) historyNotes() []string {
	p.t.Helper()
	return eval[[]string](p, `[...document.querySelectorAll('[data-testid=session-item]')].map((e) => { const n = e.querySelector('[data-testid=session-note-text]'); return n ? n.textContent : ''; })`)
}

// logManually saves a session through the manual entry form.
func (p *tab) logManually(note string, minutes int, rpes ...int) {
	p.t.Helper()
	p.click("nav-today")
	p.tapUntil("log-manual", "entry-save")
	p.setValue("entry-duration", fmt.Sprint(minutes))
	for i, r := range rpes {
		p.setValue(fmt.Sprintf("entry-rpe-%d", i), fmt.Sprint(r))
	}
	p.setValue("entry-session-rpe", "6")
	p.click("entry-mood-after-4")
	p.typeInto("entry-note", note)
	p.click("entry-save")
	p.waitVisible("session-list")
}

// editSession opens a session from the history list, sets the given form
// fields (pairs of data-testid and value) and saves.
func (p *tab) editSession(id string, fieldValues ...string) {
	p.t.Helper()
	p.tapUntil("session-edit-"+id, "entry-save")
	for i := 0; i+1 < len(fieldValues); i += 2 {
		p.setValue(fieldValues[i], fieldValues[i+1])
	}
	p.click("entry-save")
	p.waitVisible("session-list")
}

// TestBrowserOffline: after one visit the app works with no network at
// all. It opens from the service worker's cache, saves a session to the
// phone, keeps it when the page is closed and opened again offline, sends
// it by itself when the network is back (after the server restarted
// meanwhile), and a second device of the same user gets it.
func TestBrowserOffline(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, "DATA_DIR="+dataDir)
	const email = "ola@example.no"
	ola, phone, p := newPhone(t, srv, email)

	phone.setOffline(true)
	if !p.fetchFails("/healthz") || !p.fetchFails("/api/v1/sync/pull") {
		t.Fatal("the page still reaches the server in offline mode")
	}
	if n := phone.workerFetchesFail("/healthz"); n == 0 {
		t.Fatal("no service worker to check offline mode in")
	}
	p.do("reloading offline", chromedp.Reload())
	p.waitVisible("week-progress")
	if eval[bool](p, "navigator.onLine") {
		t.Error("navigator.onLine is true in offline mode")
	}

	p.logManually("Lagret uten nett", 38, 15, 16, 16, 17)
	if notes := p.historyNotes(); len(notes) != 1 || notes[0] != "Lagret uten nett" {
		t.Fatalf("history after an offline save shows %q", notes)
	}
	if n := p.outboxLen(); n != 1 {
		t.Fatalf("outbox holds %d changes after one offline save, want 1", n)
	}
	if state := eval[string](p, `document.querySelector('[data-testid=sync-status]').dataset.state`); state == "synced" || p.text("sync-text") == "" {
		t.Errorf("the sync status (%q, %q) does not say the change is only on the phone", state, p.text("sync-text"))
	}
	p.screenshot("offline-saved")

	// Close the app and open it again, still offline, with its service
	// worker stopped meanwhile.
	p.stopWorkers()
	p.close()
	p = phone.open("/history")
	p.waitVisible("session-list")
	if notes := p.historyNotes(); len(notes) != 1 || notes[0] != "Lagret uten nett" {
		t.Fatalf("history after reopening offline shows %q", notes)
	}
	phone.gate.noLeaks(t)
	if docs := serverDocs(t, ola); len(docs) != 0 {
		t.Fatalf("the server has documents before the phone was online: %v", docs)
	}

	// Meanwhile the server restarts (same data folder, another port behind
	// the same gate): the phone's sign-in and the server's data survive it.
	if err := srv.stop(); err != nil {
		t.Fatalf("stopping the server: %v", err)
	}
	srv = startServer(t, "DATA_DIR="+dataDir)
	phone.gate.setBackend(t, srv.URL)
	ola.api.Base = srv.URL

	// Back online: the app syncs with no help.
	phone.setOffline(false)
	p.waitSynced()
	var id string
	for docID, d := range serverDocs(t, ola) {
		if d.Type == "session" {
			id = docID
			var note string
			_ = json.Unmarshal(d.Fields["note"].Value, &note)
			if note != "Lagret uten nett" {
				t.Errorf("server's note = %q", note)
			}
		}
	}
	if id == "" {
		p.fail("the server did not get the session saved offline; it holds %v; the phone holds %v", serverDocs(t, ola), p.localDocs())
	}

	// A second device of the same user.
	tablet := newBrowser(t, "tablet", srv.URL)
	tablet.install()
	q := tablet.open("/login")
	q.login(email)
	q.click("nav-history")
	q.waitJS("the session to arrive", `document.querySelectorAll('[data-testid=session-item]').length === 1`)
	if notes := q.historyNotes(); len(notes) != 1 || notes[0] != "Lagret uten nett" {
		t.Fatalf("the second device shows %q", notes)
	}
	sameDoc(t, q.localDocs()[id], serverDocs(t, ola)[id])
}

// TestBrowserConcurrentEdits: two devices edit the same session while
// offline, partly the same field. Once both are back online and have
// synced, both show the same merged session: per field, the later edit
// wins, and edits to different fields are both kept.
func TestBrowserConcurrentEdits(t *testing.T) {
	srv := startServer(t)
	const email = "ida@example.no"
	ida := signUp(t, srv.URL, email)
	seed := newDevice("seed", ida)
	id := newID()
	seed.edit(id, "session", map[string]any{
		"protocol": "4x4", "startedAt": time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339),
		"durationMin": 35, "sessionRpe": 5, "note": "Første versjon",
	})
	if err := seed.push(t.Context()); err != nil {
		t.Fatal(err)
	}

	phone := newBrowser(t, "phone", srv.URL)
	tablet := newBrowser(t, "tablet", srv.URL)
	var tabs []*tab
	for _, b := range []*browser{phone, tablet} {
		b.install()
		p := b.open("/login")
		p.login(email)
		p.waitControlled()
		p.click("nav-history")
		p.waitJS("the session to arrive", `document.querySelectorAll('[data-testid=session-item]').length === 1`)
		p.waitSynced()
		tabs = append(tabs, p)
	}
	p, q := tabs[0], tabs[1]

	phone.setOffline(true)
	tablet.setOffline(true)
	// The tablet's clock runs a second ahead of the phone's, so its edit
	// is the later one however fast the two follow each other.
	eval[float64](q, `__testClock.set(1000)`)
	// The phone changes the note and the session RPE …
	p.editSession(id, "entry-note", "Fra telefonen", "entry-session-rpe", "8")
	// … and the tablet, later, the note and the duration.
	q.editSession(id, "entry-note", "Fra nettbrettet", "entry-duration", "42")

	phone.setOffline(false)
	tablet.setOffline(false)
	p.waitSynced()
	q.waitSynced()
	// Open the app again on both, as a user would the next time; each
	// pulls what the other sent.
	for _, x := range tabs {
		x.do("reloading", chromedp.Reload())
		x.waitVisible("session-list")
		x.waitSynced()
	}
	server := serverDocs(t, ida)[id]
	for _, x := range tabs {
		sameDoc(t, x.localDocs()[id], server)
		if notes := x.historyNotes(); len(notes) != 1 || notes[0] != "Fra nettbrettet" {
			t.Errorf("%s shows %q, want the tablet's later note", x.name, notes)
		}
	}
	want := map[string]any{"note": "Fra nettbrettet", "sessionRpe": float64(8), "durationMin": float64(42), "protocol": "4x4"}
	for name, w := range want {
		var v any
		_ = json.Unmarshal(server.Fields[name].Value, &v)
		if !reflect.DeepEqual(v, w) {
			t.Errorf("merged %s = %v, want %v", name, v, w)
		}
	}
	// The edit form on each device shows the merged values.
	for _, x := range tabs {
		x.tapUntil("session-edit-"+id, "entry-save")
		got := eval[[]string](x, `['entry-note', 'entry-session-rpe', 'entry-duration'].map((k) => document.querySelector('[data-testid=' + k + ']').value)`)
		if !reflect.DeepEqual(got, []string{"Fra nettbrettet", "8", "42"}) {
			t.Errorf("%s's edit form shows %q", x.name, got)
		}
	}
	phone.gate.noLeaks(t)
	tablet.gate.noLeaks(t)
}

// layoutProblemsJS lists what breaks the quality bar on the screen shown:
// horizontal scrolling, and touch targets (or the label around them)
// smaller than 48 × 48 CSS pixels. Links inside a sentence are exempt.
const layoutProblemsJS = `(() => {
  const out = [];
  const de = document.documentElement;
  if (de.scrollWidth > de.clientWidth) out.push('scrolls sideways: ' + de.scrollWidth + ' px wide in ' + de.clientWidth);
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, [role=button], [role=radio]')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden' || el.closest('[hidden]')) continue;
    if (el.matches('.skip') || (el.tagName === 'A' && el.parentElement.tagName === 'P' && el.parentElement.childNodes.length > 1)) continue;
    const box = (el.closest('label') || el).getBoundingClientRect();
    if (box.width < 48 || box.height < 48) {
      out.push((el.dataset.testid || el.id || el.tagName.toLowerCase()) + ' is ' + Math.round(box.width) + '×' + Math.round(box.height));
    }
  }
  return out;
})()`

// TestBrowserLayout: with the browser's text size set large (24 px instead
// of 16), every main screen still fits the phone's width and keeps its touch
// targets at least 48 px.
func TestBrowserLayout(t *testing.T) {
	srv := startServer(t)
	const email = "large@example.no"
	c := signUp(t, srv.URL, email)
	pushYesterdaysSession(t, c)

	phone := newBrowser(t, "phone", srv.URL)
	phone.install()
	p := phone.open("/login")
	p.do("setting a large text size", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.SetFontSizes, page.SetFontSizesParams{FontSizes: &page.FontSizes{Standard: 24, Fixed: 20}})
		return err
	}))
	p.login(email)
	p.waitVisible("last-session")

	check := func(screen string) {
		t.Helper()
		p.screenshot("large-text-" + screen)
		for _, problem := range eval[[]string](p, layoutProblemsJS) {
			t.Errorf("%s with large text: %s", screen, problem)
		}
	}
	check("today")
	p.click("nav-history")
	p.waitVisible("session-list")
	check("history")
	p.click("nav-progress")
	p.waitVisible("chart-adherence")
	check("progress")
	p.click("nav-settings")
	p.waitVisible("profile-save")
	check("settings")
	eval[bool](p, `(document.querySelector('[data-testid=plan-day-1]').scrollIntoView({block: 'center'}), true)`)
	p.screenshot("large-text-settings-week")
	p.click("nav-today")
	p.tapUntil("start-4x4", "timer-begin")
	check("timer-setup")
	p.click("timer-begin")
	p.waitVisible("timer-running")
	check("timer")
	// The running timer is read at arm's length: its phase and countdown
	// must be in view, not under the top bar, when it starts.
	for _, id := range []string{"timer-phase", "timer-countdown"} {
		if !eval[bool](p, fmt.Sprintf(`document.querySelector('[data-testid=%s]').getBoundingClientRect().top >= document.getElementById('topbar').getBoundingClientRect().bottom`, id)) {
			t.Errorf("timer with large text: %s starts hidden under the top bar (the page stays scrolled down from the set-up screen)", id)
		}
	}
	jumpTo(p, warmupSec+workSec+1)
	p.waitVisible("rpe-picker")
	check("rpe-picker")
}
