package training

import "time"

// Completion tells how much of its protocol a logged session covers. It is
// the one rule for what counts toward the week's plan: the patient's Today
// and Progress, the trainer's figures and the reminders all use it.
type Completion string

const (
	// NoWork: not one work interval was done (the session was stopped
	// during the warm-up, say). It is shown, and counts toward nothing.
	NoWork Completion = "none"
	// Partial: some work intervals were done, fewer than the protocol has.
	// It counts toward the week and is shown as partial.
	Partial Completion = "partial"
	// Complete: every work interval of the protocol was done.
	Complete Completion = "complete"
)

// Counts reports whether a session of this completion counts toward the
// week's plan: at least one work interval was done.
func (c Completion) Counts() bool { return c == Partial || c == Complete }

// customWork is how long a session of the custom protocol, which has no
// phases to count, must last to count as done.
const customWork = 10 * time.Minute

// CompletionOf judges a session of the named protocol from the work
// intervals logged (workDone, one per work interval done, rated or not)
// and its duration. A session entered by hand may log no intervals at all;
// then its duration tells: the warm-up and the first work interval make it
// partial, three quarters of the planned length complete. An unknown
// protocol is judged as custom.
func CompletionOf(protocol string, workDone int, duration time.Duration) Completion {
	p, ok := ProtocolByName(protocol)
	if !ok || p.WorkIntervals() == 0 {
		if workDone > 0 || duration >= customWork {
			return Complete
		}
		return NoWork
	}
	want := p.WorkIntervals()
	switch {
	case workDone >= want:
		return Complete
	case workDone > 0:
		return Partial
	case duration >= p.Total()*3/4:
		return Complete
	case duration >= p.firstWorkEnd():
		return Partial
	}
	return NoWork
}

// firstWorkEnd is how long into the session the first work phase ends.
func (p Protocol) firstWorkEnd() time.Duration {
	var d time.Duration
	for _, ph := range p.Phases {
		d += ph.Duration
		if ph.Kind == Work {
			return d
		}
	}
	return d
}
