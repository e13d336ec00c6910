package training_test

import (
	"testing"

	"github.com/hit4x4/dagbok/training"
)

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		rpe     int
		minutes float64
		want    float64
	}{
		{7, 38, 266},
		{0, 38, 0},
		{10, 0, 0},
		{5, 32.5, 162.5},
	} {
		if got := training.Load(tc.rpe, tc.minutes); got != tc.want {
			t.Errorf("Load(%d, %g) = %g, want %g", tc.rpe, tc.minutes, got, tc.want)
		}
	}
}

func TestIntensityShare(t *testing.T) {
	iv := func(rpes ...int) []training.Interval {
		out := make([]training.Interval, len(rpes))
		for i, r := range rpes {
			out[i] = training.Interval{RPE: r}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   []training.Interval
		want float64
	}{
		{"none", nil, 0},
		{"all hard", iv(15, 17, 19, 20), 1},
		{"14 is not hard", iv(14, 15, 13, 16), 0.5},
		{"one of four", iv(12, 13, 14, 15), 0.25},
		{"all easy", iv(6, 11), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := training.IntensityShare(tc.in, 0); got != tc.want {
				t.Errorf("IntensityShare = %g, want %g", got, tc.want)
			}
		})
	}
}
