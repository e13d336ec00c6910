package tests

import (
	"fmt"
	"testing"
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
