package training

import "time"

// Sex selects the reference table of fitness age. The profile may leave it
// unknown; fitness age then cannot be given.
type Sex string

// The sexes of the reference tables.
const (
	Female Sex = "female"
	Male   Sex = "male"
)

// Valid reports whether s is one of the reference tables.
func (s Sex) Valid() bool { return s == Female || s == Male }

// The ends of the fitness-age scale: the middles of the youngest (20–29)
// and oldest (70+) reference groups.
const (
	FitnessAgeMin = 25
	FitnessAgeMax = 75
)

// fitnessReference is the mean VO2max (ml/kg/min) of healthy Norwegians by
// age group 20–29, 30–39, 40–49, 50–59, 60–69 and 70+, whose middles are
// 25, 35, … 75 years: the HUNT3 Fitness Study (Loe et al., PLOS ONE 2013).
// pwa/js/training.js holds the same table; testdata/fitness_age.json pins
// both.
func fitnessReference(sex Sex) ([6]float64, bool) {
	switch sex {
	case Female:
		return [6]float64{43, 40, 38, 34, 31, 27}, true
	case Male:
		return [6]float64{54, 49, 47, 42, 39, 34}, true
	}
	return [6]float64{}, false
}

// FitnessAge is the age at which the mean VO2max of healthy Norwegians of
// one's sex equals one's own.
type FitnessAge struct {
	// Years is 25–75, interpolated between the reference groups' middles.
	Years float64
	// Beyond is true when the VO2max lies outside the reference: Years 25
	// then reads "under 25", Years 75 "over 75" (never extrapolated).
	Beyond bool
}

// FitnessAgeOf returns the fitness age for a VO2max in ml/kg/min, and
// false when sex is unknown or vo2max is not positive.
func FitnessAgeOf(sex Sex, vo2max float64) (FitnessAge, bool) {
	ref, ok := fitnessReference(sex)
	if !ok || !(vo2max > 0) {
		return FitnessAge{}, false
	}
	switch last := len(ref) - 1; {
	case vo2max >= ref[0]:
		return FitnessAge{Years: FitnessAgeMin, Beyond: vo2max > ref[0]}, true
	case vo2max <= ref[last]:
		return FitnessAge{Years: FitnessAgeMax, Beyond: vo2max < ref[last]}, true
	}
	// The means fall with age: find the two middles whose means enclose
	// vo2max and interpolate linearly between them.
	i := 0
	for vo2max < ref[i+1] {
		i++
	}
	frac := (ref[i] - vo2max) / (ref[i] - ref[i+1])
	return FitnessAge{Years: FitnessAgeMin + 10*(float64(i)+frac)}, true
}

// FitnessPoint is a measurement's fitness age, beside the real age then.
type FitnessPoint struct {
	Date       time.Time
	FitnessAge FitnessAge
	// Age is the age in whole years in the measurement's year, 0 when the
	// birth year is not known.
	Age int
}

// FitnessTrend returns the fitness age of every measurement with a
// VO2max, oldest first (ms as ReadDiary orders them), for a person of sex
// born in birthYear (0 when unknown). It is nil when sex is unknown. The
// trainer's patient page and the PWA show the same points.
func FitnessTrend(ms []Measurement, sex Sex, birthYear int) []FitnessPoint {
	var out []FitnessPoint
	for _, m := range ms {
		if m.VO2Max == 0 {
			continue
		}
		fa, ok := FitnessAgeOf(sex, m.VO2Max)
		if !ok {
			return nil
		}
		p := FitnessPoint{Date: m.Date, FitnessAge: fa}
		if birthYear > 0 && !m.Date.IsZero() {
			p.Age = Age(birthYear, m.Date)
		}
		out = append(out, p)
	}
	return out
}
