package training

import "time"

// Heart-rate targets of a 4x4 session, in percent of HRmax.
const (
	WorkLowPct  = 85 // work intervals: 85–95 %
	WorkHighPct = 95
	RecoveryPct = 70 // active recovery: about 70 %
)

// EstimateHRMax estimates maximal heart rate from age with the HUNT
// formula, 211 − 0.64 × age (Nes et al., 2013), rounded to whole beats.
func EstimateHRMax(age int) int {
	return roundDiv(21100-64*age, 100)
}

// Age is the age in whole years reached during at's calendar year, the best
// estimate when only the birth year is known.
func Age(birthYear int, at time.Time) int {
	return at.Year() - birthYear
}

// HRMax returns the maximal heart rate to train by: the measured value
// when there is one (> 0), else the HUNT estimate from the birth year at
// time at. ok is false when neither is known.
func HRMax(measured, birthYear int, at time.Time) (hrMax int, ok bool) {
	switch {
	case measured > 0:
		return measured, true
	case birthYear > 0 && Age(birthYear, at) > 0:
		return EstimateHRMax(Age(birthYear, at)), true
	}
	return 0, false
}

// Zone is a heart-rate range in beats per minute, both ends included.
type Zone struct {
	Low, High int
}

// Contains reports whether bpm lies in the zone.
func (z Zone) Contains(bpm int) bool { return z.Low <= bpm && bpm <= z.High }

// Zones are the heart-rate targets of a session for one HRmax.
type Zones struct {
	Work     Zone // 85–95 % HRmax
	Recovery int  // about 70 % HRmax
}

// TargetZones returns the work zone and recovery target for hrMax,
// rounded to whole beats.
func TargetZones(hrMax int) Zones {
	return Zones{
		Work:     Zone{Low: Percent(hrMax, WorkLowPct), High: Percent(hrMax, WorkHighPct)},
		Recovery: Percent(hrMax, RecoveryPct),
	}
}

// PhaseZone returns the heart-rate band to hold during a phase of kind for
// hrMax, rounded to whole beats: the work zone, about 70 % in recovery
// (65–75 %), and gentler bands to warm up (60–70 %) and cool down
// (50–65 %) in. ok is false for an unknown kind.
func PhaseZone(kind PhaseKind, hrMax int) (z Zone, ok bool) {
	var low, high int
	switch kind {
	case WarmUp:
		low, high = 60, 70
	case Work:
		low, high = WorkLowPct, WorkHighPct
	case Recovery:
		low, high = 65, 75
	case CoolDown:
		low, high = 50, 65
	default:
		return Zone{}, false
	}
	return Zone{Low: Percent(hrMax, low), High: Percent(hrMax, high)}, true
}

// Percent returns pct % of hrMax rounded to whole beats (halves up),
// computed in integers so that 70 % of 185 is 130, not 129.
func Percent(hrMax, pct int) int {
	return roundDiv(hrMax*pct, 100)
}

// roundDiv divides and rounds halves away from zero.
func roundDiv(a, b int) int {
	if a < 0 {
		return -roundDiv(-a, b)
	}
	return (a + b/2) / b
}
