package training_test

import (
	"testing"
	"time"

	"github.com/hit4x4/dagbok/training"
)

func TestEstimateHRMax(t *testing.T) {
	for _, tc := range []struct{ age, want int }{
		{20, 198}, // 198.2
		{25, 195}, // 195.0
		{33, 190}, // 189.88
		{40, 185}, // 185.4
		{45, 182}, // 182.2
		{50, 179}, // 179.0
		{62, 171}, // 171.32
		{70, 166}, // 166.2
	} {
		if got := training.EstimateHRMax(tc.age); got != tc.want {
			t.Errorf("EstimateHRMax(%d) = %d, want %d", tc.age, got, tc.want)
		}
	}
}

func TestHRMax(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name                string
		measured, birthYear int
		want                int
		ok                  bool
	}{
		{"measured wins over the estimate", 201, 1980, 201, true},
		{"measured without birth year", 176, 0, 176, true},
		{"estimate from birth year", 0, 1986, 185, true}, // age 40
		{"unknown", 0, 0, 0, false},
		{"birth year in the future", 0, 2030, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := training.HRMax(tc.measured, tc.birthYear, at)
			if got != tc.want || ok != tc.ok {
				t.Errorf("HRMax = %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestTargetZones(t *testing.T) {
	for _, tc := range []struct {
		hrMax int
		want  training.Zones
	}{
		{185, training.Zones{Work: training.Zone{Low: 157, High: 176}, Recovery: 130}}, // 157.25, 175.75, 129.5
		{200, training.Zones{Work: training.Zone{Low: 170, High: 190}, Recovery: 140}},
		{171, training.Zones{Work: training.Zone{Low: 145, High: 162}, Recovery: 120}}, // 145.35, 162.45, 119.7
		{190, training.Zones{Work: training.Zone{Low: 162, High: 181}, Recovery: 133}}, // 161.5, 180.5, 133
	} {
		if got := training.TargetZones(tc.hrMax); got != tc.want {
			t.Errorf("TargetZones(%d) = %+v, want %+v", tc.hrMax, got, tc.want)
		}
	}
	z := training.Zone{Low: 157, High: 176}
	for bpm, want := range map[int]bool{156: false, 157: true, 170: true, 176: true, 177: false} {
		if z.Contains(bpm) != want {
			t.Errorf("Contains(%d) = %v", bpm, !want)
		}
	}
}
