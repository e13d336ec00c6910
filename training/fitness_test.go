package training_test

import (
	"math"
	"testing"

	"github.com/hit4x4/dagbok/training"
)

// TestVectorsFitnessAge checks the contract vectors that
// pwa/test/training.test.js reads too.
func TestVectorsFitnessAge(t *testing.T) {
	var cases []struct {
		Sex        training.Sex `json:"sex"`
		VO2Max     float64      `json:"vo2max"`
		FitnessAge float64      `json:"fitnessAge"`
	}
	readVectors(t, "fitness_age.json", &cases)
	if len(cases) < 12 {
		t.Fatalf("%d vectors, want at least 12", len(cases))
	}
	for _, c := range cases {
		got, ok := training.FitnessAgeOf(c.Sex, c.VO2Max)
		if !ok || math.Abs(got.Years-c.FitnessAge) > 1e-9 {
			t.Errorf("FitnessAgeOf(%s, %g) = %+v, %v; want %g", c.Sex, c.VO2Max, got, ok, c.FitnessAge)
		}
	}
}

// TestFitnessAgeBeyond: outside the reference the age is clamped and
// marked, so it reads "under 25" or "over 75"; at the ends it is exact.
func TestFitnessAgeBeyond(t *testing.T) {
	for _, c := range []struct {
		name   string
		sex    training.Sex
		vo2max float64
		want   training.FitnessAge
	}{
		{"fitter than the youngest women", training.Female, 43.1, training.FitnessAge{Years: 25, Beyond: true}},
		{"as the youngest women", training.Female, 43, training.FitnessAge{Years: 25}},
		{"as the oldest women", training.Female, 27, training.FitnessAge{Years: 75}},
		{"below the oldest women", training.Female, 26.9, training.FitnessAge{Years: 75, Beyond: true}},
		{"fitter than the youngest men", training.Male, 70, training.FitnessAge{Years: 25, Beyond: true}},
		{"below the oldest men", training.Male, 15, training.FitnessAge{Years: 75, Beyond: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, ok := training.FitnessAgeOf(c.sex, c.vo2max); !ok || got != c.want {
				t.Errorf("FitnessAgeOf(%s, %g) = %+v, %v; want %+v", c.sex, c.vo2max, got, ok, c.want)
			}
		})
	}
}

func TestFitnessAgeUnknown(t *testing.T) {
	for _, c := range []struct {
		sex    training.Sex
		vo2max float64
	}{{"", 40}, {"other", 40}, {training.Male, 0}, {training.Female, -3}, {training.Female, math.NaN()}} {
		if got, ok := training.FitnessAgeOf(c.sex, c.vo2max); ok {
			t.Errorf("FitnessAgeOf(%q, %g) = %+v, want none", c.sex, c.vo2max, got)
		}
	}
}
