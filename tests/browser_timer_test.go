package tests

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestBrowserTimerSkips: a patient skips the warm-up, gives a heart rate
// out of range (the app says so and keeps the prompt open), skips the
// first rating but keeps its heart rate, and rates the other three. The
// session is saved with the minutes actually trained and with every
// rating in the place of its interval; the manual form shows them so, and
// rating the first interval there later keeps its heart rate.
func TestBrowserTimerSkips(t *testing.T) {
	srv := startServer(t)
	eva, _, p := newPhone(t, srv, "eva@example.no")

	p.click("nav-today")
	p.tapUntil("start-4x4", "timer-begin")
	p.click("mood-before-4")
	// The device clock starts in the past, as in TestBrowserJoinAndLogSession,
	// so that the fast-forwarding below does not run ahead of the server.
	eval[float64](p, fmt.Sprintf(`__testClock.set(%d)`, -int64(total4x4Sec+60)*1000))
	p.click("timer-begin")
	p.waitJS("the warm-up", `document.querySelector('#timer-running.phase-warmup')`)
	p.click("timer-skip")
	p.waitJS("the first work interval", `document.querySelector('#timer-running.phase-work')`)
	skipped := eval[float64](p, idbJS+`('meta', 'inprogress').then((s) => s.skippedMs)`) / 1000
	if skipped < warmupSec-30 || skipped > warmupSec {
		t.Fatalf("skipping the warm-up skipped %.0f s, want most of its %d s", skipped, warmupSec)
	}
	// at moves the clock to sec into the session as the timer counts it
	// (the skipped warm-up included).
	at := func(sec int) { jumpTo(p, float64(sec)-skipped) }

	at(warmupSec + workSec + 5)
	p.waitVisible("rpe-picker")
	p.typeInto("hr-peak", "300")
	p.click("rpe-16")
	p.waitVisible("hr-error")
	p.screenshot("rpe-picker-bad-heart-rate")
	if got := p.text("hr-error"); !strings.Contains(got, "40") || !strings.Contains(got, "240") {
		t.Errorf("a heart rate of 300 gives the message %q, want the range 40–240", got)
	}
	if !eval[bool](p, `!!document.querySelector('[data-testid=rpe-picker]')`) {
		t.Fatal("the rating prompt closed on a heart rate out of range")
	}
	p.setValue("hr-peak", "170")
	p.click("rpe-skip")
	p.waitJS("the prompt to close", `!document.querySelector('[data-testid=rpe-picker]')`)

	for i, rpe := range []int{16, 17, 18} {
		at(warmupSec + (i+1)*(workSec+restSec) + workSec + 5)
		p.waitVisible("rpe-picker")
		p.click(fmt.Sprintf("rpe-%d", rpe))
		p.waitJS("the prompt to close", `!document.querySelector('[data-testid=rpe-picker]')`)
	}

	at(total4x4Sec + 1)
	p.waitVisible("session-save")
	lead := eval[string](p, `document.querySelector('.lead').textContent`)
	wantMin := (total4x4Sec - warmupSec) / 60
	if !strings.Contains(lead, fmt.Sprintf(" %d minutter", wantMin)) {
		t.Errorf("the finish screen says %q, want %d minutes trained (the warm-up skipped)", lead, wantMin)
	}
	if body := eval[string](p, `document.body.innerText`); !strings.Contains(body, "–, 16, 17, 18") {
		t.Errorf("the finish screen does not list the ratings as –, 16, 17, 18:\n%s", body)
	}
	p.click("session-rpe-6")
	p.click("session-save")
	p.waitVisible("last-session")
	p.waitSynced()

	id, fields := onlySession(t, eva)
	wantIntervals := []any{
		map[string]any{"hrPeak": float64(170)},
		map[string]any{"rpe": float64(16)},
		map[string]any{"rpe": float64(17)},
		map[string]any{"rpe": float64(18)},
	}
	if got := fields["intervals"]; !reflect.DeepEqual(got, wantIntervals) {
		t.Errorf("server's intervals = %v, want %v", got, wantIntervals)
	}
	if got := fields["durationMin"]; got != float64(wantMin) {
		t.Errorf("server's durationMin = %v, want %d", got, wantMin)
	}

	p.click("nav-history")
	p.waitVisible("session-list")
	if item := p.text("session-item"); !strings.Contains(item, "– · 16 · 17 · 18") {
		t.Errorf("history shows %q, want the ratings – · 16 · 17 · 18", item)
	}
	p.tapUntil("session-edit-"+id, "entry-save")
	form := eval[[]string](p, `[0, 1, 2, 3].map((i) => document.querySelector('#entry-rpe-' + i).value + '/' + document.querySelector('#entry-hr-' + i).value)`)
	if want := []string{"/170", "16/", "17/", "18/"}; !reflect.DeepEqual(form, want) {
		t.Errorf("the form's intervals (rating/heart rate) = %q, want %q", form, want)
	}
	p.setValue("entry-rpe-0", "15")
	p.click("entry-save")
	p.waitVisible("session-list")
	p.waitSynced()
	_, fields = onlySession(t, eva)
	wantIntervals[0] = map[string]any{"rpe": float64(15), "hrPeak": float64(170)}
	if got := fields["intervals"]; !reflect.DeepEqual(got, wantIntervals) {
		t.Errorf("server's intervals after rating the first = %v, want %v", got, wantIntervals)
	}
}

// onlySession returns the id and field values of the one session the
// server holds for c.
func onlySession(t *testing.T, c *client) (string, map[string]any) {
	t.Helper()
	var id string
	values := map[string]any{}
	for _, d := range serverDocs(t, c) {
		if d.Type != "session" {
			continue
		}
		if id != "" {
			t.Fatalf("the server holds more than one session")
		}
		id = d.ID
		for name, f := range d.Fields {
			var v any
			if err := json.Unmarshal(f.Value, &v); err != nil {
				t.Fatalf("session field %s: %v", name, err)
			}
			values[name] = v
		}
	}
	if id == "" {
		t.Fatal("the server holds no session")
	}
	return id, values
}
