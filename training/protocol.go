package training

import "time"

// Protocol names, as in a session document's "protocol" field.
const (
	Protocol4x4    = "4x4"
	Protocol3x3    = "3x3" // «hjernegym»
	ProtocolTabata = "tabata"
	ProtocolCustom = "custom"
)

// PhaseKind tells what a phase of a session is for.
type PhaseKind string

const (
	WarmUp   PhaseKind = "warmup"
	Work     PhaseKind = "work"
	Recovery PhaseKind = "recovery"
	CoolDown PhaseKind = "cooldown"
)

// Phase is one timed part of a session.
type Phase struct {
	Kind     PhaseKind
	Duration time.Duration
}

// Protocol is a session plan: its phases in order. A custom protocol has
// none; the user times it.
type Protocol struct {
	Name   string
	Phases []Phase
}

// Total is the planned length of the session.
func (p Protocol) Total() time.Duration {
	var d time.Duration
	for _, ph := range p.Phases {
		d += ph.Duration
	}
	return d
}

// WorkIntervals is the number of work phases.
func (p Protocol) WorkIntervals() int {
	n := 0
	for _, ph := range p.Phases {
		if ph.Kind == Work {
			n++
		}
	}
	return n
}

// intervals builds warm-up, n work phases with recovery between them, and
// cool-down.
func intervals(name string, warmUp time.Duration, n int, work, rest, coolDown time.Duration) Protocol {
	p := Protocol{Name: name, Phases: []Phase{{WarmUp, warmUp}}}
	for i := range n {
		if i > 0 {
			p.Phases = append(p.Phases, Phase{Recovery, rest})
		}
		p.Phases = append(p.Phases, Phase{Work, work})
	}
	p.Phases = append(p.Phases, Phase{CoolDown, coolDown})
	return p
}

// Protocols returns the known protocols, a fresh copy on every call:
//
//	4x4:    warm-up 10 min, 4 × 4 min work at 85–95 % HRmax with 3 × 3 min
//	        active recovery at about 70 % between them, cool-down 5 min (40 min).
//	3x3:    «hjernegym»: warm-up 10 min, 3 × 3 min work with 3 min recovery
//	        between them, cool-down 5 min (30 min).
//	tabata: warm-up 10 min, 8 × 20 s all-out work with 10 s rest between,
//	        cool-down 5 min.
//	custom: no fixed phases.
func Protocols() []Protocol {
	return []Protocol{
		intervals(Protocol4x4, 10*time.Minute, 4, 4*time.Minute, 3*time.Minute, 5*time.Minute),
		intervals(Protocol3x3, 10*time.Minute, 3, 3*time.Minute, 3*time.Minute, 5*time.Minute),
		intervals(ProtocolTabata, 10*time.Minute, 8, 20*time.Second, 10*time.Second, 5*time.Minute),
		{Name: ProtocolCustom},
	}
}

// ProtocolByName returns the protocol with that name.
func ProtocolByName(name string) (Protocol, bool) {
	for _, p := range Protocols() {
		if p.Name == name {
			return p, true
		}
	}
	return Protocol{}, false
}
