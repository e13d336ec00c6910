package account

import (
	"time"

	"github.com/hit4x4/dagbok/store"
)

// After some weeks in a treatment group (twelve at a frisklivssentral)
// the patient's trainer is prompted to suggest the next step: a peer
// group, an active life where the patient lives. Each group sets its own
// number of weeks.
const (
	DefaultNextStepWeeks = 12
	MaxNextStepWeeks     = 52
)

// NextStepWeeksOf is when group g suggests the next step, in weeks of
// membership: its own setting, DefaultNextStepWeeks when never set.
func NextStepWeeksOf(g store.Group) int {
	if g.NextStepWeeks <= 0 {
		return DefaultNextStepWeeks
	}
	return g.NextStepWeeks
}

// NextStep is where a member stands against their group's next-step
// setting.
type NextStep struct {
	Weeks int  // whole weeks in the group
	After int  // the group's setting (NextStepWeeksOf)
	Due   bool // Weeks >= After: time to suggest the next step
}

// NextStepOf is where a member who joined group g at joined stands at
// now. Weeks are whole weeks of seven days from the moment of joining.
func NextStepOf(g store.Group, joined, now time.Time) NextStep {
	weeks := 0
	if d := now.Sub(joined); d > 0 {
		weeks = int(d / (7 * 24 * time.Hour))
	}
	after := NextStepWeeksOf(g)
	return NextStep{Weeks: weeks, After: after, Due: weeks >= after}
}
