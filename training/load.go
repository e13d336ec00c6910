package training

// HardRPE is the Borg RPE (6–20) from which an interval counts as hard.
const HardRPE = 15

// Interval is one logged work interval: Borg RPE 6–20 (0 = done but not
// rated) and, when measured, peak and average heart rate (0 = not
// measured).
type Interval struct {
	RPE    int
	HRPeak int
	HRAvg  int
	// InZoneSec is the time a heart-rate sensor counted in the work zone.
	InZoneSec int
}

// Load is Foster's session load: session RPE (CR10, 0–10) × duration in
// minutes, in arbitrary units.
func Load(sessionRPE int, minutes float64) float64 {
	return float64(sessionRPE) * minutes
}

// HardHRFraction is the share of HRmax from which a work interval's peak
// heart rate counts as hard when the patient logged it.
const HardHRFraction = 0.85

// Hard reports whether the interval was at high intensity — Borg RPE ≥
// HardRPE, or a peak heart rate of at least 85 % of hrMax — and whether
// it says anything about its intensity at all: an interval done but
// neither rated nor measured (or measured with no HRmax to compare to)
// does not.
func (iv Interval) Hard(hrMax int) (hard, known bool) {
	byHR := hrMax > 0 && iv.HRPeak > 0
	if iv.RPE <= 0 && !byHR {
		return false, false
	}
	return iv.RPE >= HardRPE || byHR && float64(iv.HRPeak) >= HardHRFraction*float64(hrMax), true
}

// IntensityShare is the share (0–1) of work intervals at high intensity
// (Interval.Hard) among those that say anything about it, 0 when none
// does. hrMax is the patient's HRmax (measured or estimated), 0 when
// unknown.
func IntensityShare(intervals []Interval, hrMax int) float64 {
	known, hard := 0, 0
	for _, iv := range intervals {
		h, k := iv.Hard(hrMax)
		if !k {
			continue
		}
		known++
		if h {
			hard++
		}
	}
	if known == 0 {
		return 0
	}
	return float64(hard) / float64(known)
}
