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

// IntensityShare is the share (0–1) of rated intervals with RPE ≥
// HardRPE, 0 when none is rated. An interval done but not rated says
// nothing about its intensity, so it does not count.
func IntensityShare(intervals []Interval) float64 {
	rated, hard := 0, 0
	for _, iv := range intervals {
		if iv.RPE <= 0 {
			continue
		}
		rated++
		if iv.RPE >= HardRPE {
			hard++
		}
	}
	if rated == 0 {
		return 0
	}
	return float64(hard) / float64(rated)
}
