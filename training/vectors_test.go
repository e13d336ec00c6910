package training_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/training"
)

// The vectors in testdata pin the rules the PWA implements again in
// pwa/js/training.js; pwa/test/training.test.js reads the same files.

func readVectors(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// zone is a heart-rate band as the vectors write it.
type zone struct {
	Low  int `json:"low"`
	High int `json:"high"`
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func loadLocation(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestVectorsHRMax(t *testing.T) {
	var v struct {
		Estimate []struct {
			Age   int `json:"age"`
			HRMax int `json:"hrMax"`
		} `json:"estimate"`
		HRMax []struct {
			Name      string `json:"name"`
			Measured  int    `json:"measured"`
			BirthYear int    `json:"birthYear"`
			At        string `json:"at"`
			HRMax     *int   `json:"hrMax"`
		} `json:"hrMax"`
	}
	readVectors(t, "hrmax.json", &v)
	for _, c := range v.Estimate {
		if got := training.EstimateHRMax(c.Age); got != c.HRMax {
			t.Errorf("EstimateHRMax(%d) = %d, want %d", c.Age, got, c.HRMax)
		}
	}
	for _, c := range v.HRMax {
		t.Run(c.Name, func(t *testing.T) {
			got, ok := training.HRMax(c.Measured, c.BirthYear, parseTime(t, c.At))
			switch {
			case c.HRMax == nil && ok:
				t.Errorf("HRMax = %d, want unknown", got)
			case c.HRMax != nil && (!ok || got != *c.HRMax):
				t.Errorf("HRMax = %d, %v; want %d", got, ok, *c.HRMax)
			}
		})
	}
}

func TestVectorsZones(t *testing.T) {
	var v struct {
		Zones []struct {
			HRMax    int                         `json:"hrMax"`
			Work     zone                        `json:"work"`
			Recovery int                         `json:"recovery"`
			Phases   map[training.PhaseKind]zone `json:"phases"`
		} `json:"zones"`
		UnknownKinds []training.PhaseKind `json:"unknownKinds"`
	}
	readVectors(t, "zones.json", &v)
	for _, c := range v.Zones {
		want := training.Zones{Work: training.Zone(c.Work), Recovery: c.Recovery}
		if got := training.TargetZones(c.HRMax); got != want {
			t.Errorf("TargetZones(%d) = %+v, want %+v", c.HRMax, got, want)
		}
		for kind, want := range c.Phases {
			if got, ok := training.PhaseZone(kind, c.HRMax); !ok || got != training.Zone(want) {
				t.Errorf("PhaseZone(%s, %d) = %+v, %v; want %+v", kind, c.HRMax, got, ok, want)
			}
		}
	}
	for _, kind := range v.UnknownKinds {
		if z, ok := training.PhaseZone(kind, 190); ok {
			t.Errorf("PhaseZone(%q) = %+v, want none", kind, z)
		}
	}
}

func TestVectorsProtocols(t *testing.T) {
	var v struct {
		Protocols []struct {
			Name   string `json:"name"`
			Phases []struct {
				Kind    training.PhaseKind `json:"kind"`
				Seconds int                `json:"seconds"`
			} `json:"phases"`
			TotalSeconds  int `json:"totalSeconds"`
			WorkIntervals int `json:"workIntervals"`
		} `json:"protocols"`
		Unknown []string `json:"unknown"`
	}
	readVectors(t, "protocols.json", &v)
	if len(v.Protocols) != len(training.Protocols()) {
		t.Errorf("%d protocols in the vectors, %d in Go", len(v.Protocols), len(training.Protocols()))
	}
	for _, c := range v.Protocols {
		t.Run(c.Name, func(t *testing.T) {
			p, ok := training.ProtocolByName(c.Name)
			if !ok {
				t.Fatal("not found")
			}
			if len(p.Phases) != len(c.Phases) {
				t.Fatalf("%d phases, want %d", len(p.Phases), len(c.Phases))
			}
			for i, ph := range c.Phases {
				want := training.Phase{Kind: ph.Kind, Duration: time.Duration(ph.Seconds) * time.Second}
				if p.Phases[i] != want {
					t.Errorf("phase %d = %+v, want %+v", i, p.Phases[i], want)
				}
			}
			if got := p.Total(); got != time.Duration(c.TotalSeconds)*time.Second {
				t.Errorf("Total = %v, want %ds", got, c.TotalSeconds)
			}
			if got := p.WorkIntervals(); got != c.WorkIntervals {
				t.Errorf("WorkIntervals = %d, want %d", got, c.WorkIntervals)
			}
		})
	}
	for _, name := range v.Unknown {
		if _, ok := training.ProtocolByName(name); ok {
			t.Errorf("ProtocolByName(%q) found", name)
		}
	}
}

func TestVectorsWeeks(t *testing.T) {
	var v struct {
		Weeks []struct {
			Name string `json:"name"`
			At   string `json:"at"`
			Zone string `json:"zone"`
			Week string `json:"week"`
		} `json:"weeks"`
		Zoned []struct {
			Name  string `json:"name"`
			Local string `json:"local"`
			Zone  string `json:"zone"`
			At    string `json:"at"`
		} `json:"zoned"`
	}
	readVectors(t, "weeks.json", &v)
	for _, c := range v.Weeks {
		t.Run(c.Name, func(t *testing.T) {
			if got := training.WeekOf(parseTime(t, c.At), loadLocation(t, c.Zone)).String(); got != c.Week {
				t.Errorf("WeekOf(%s, %s) = %s, want %s", c.At, c.Zone, got, c.Week)
			}
		})
	}
	for _, c := range v.Zoned {
		t.Run(c.Name, func(t *testing.T) {
			local, err := time.ParseInLocation("2006-01-02T15:04", c.Local, loadLocation(t, c.Zone))
			if err != nil {
				t.Fatal(err)
			}
			if want := parseTime(t, c.At); !local.Equal(want) {
				t.Errorf("%s in %s = %s, want %s", c.Local, c.Zone, local.UTC().Format(time.RFC3339), c.At)
			}
		})
	}
}

func TestVectorsLoad(t *testing.T) {
	var v struct {
		Load []struct {
			SessionRPE int     `json:"sessionRpe"`
			Minutes    float64 `json:"minutes"`
			Load       float64 `json:"load"`
		} `json:"load"`
		Intensity []struct {
			Name   string   `json:"name"`
			RPE    []*int   `json:"rpe"`
			HRPeak []int    `json:"hrPeak"` // per interval, 0: not measured; absent: none measured
			HRMax  int      `json:"hrMax"`
			Share  *float64 `json:"share"`
		} `json:"intensity"`
	}
	readVectors(t, "load.json", &v)
	for _, c := range v.Load {
		if got := training.Load(c.SessionRPE, c.Minutes); got != c.Load {
			t.Errorf("Load(%d, %g) = %g, want %g", c.SessionRPE, c.Minutes, got, c.Load)
		}
	}
	for _, c := range v.Intensity {
		t.Run(c.Name, func(t *testing.T) {
			var ivs []training.Interval
			for i, r := range c.RPE {
				iv := training.Interval{}
				if r != nil {
					iv.RPE = *r
				}
				if i < len(c.HRPeak) {
					iv.HRPeak = c.HRPeak[i]
				}
				ivs = append(ivs, iv)
			}
			want := 0.0 // none rated: JS says null, Go 0
			if c.Share != nil {
				want = *c.Share
			}
			if got := training.IntensityShare(ivs, c.HRMax); got != want {
				t.Errorf("IntensityShare = %g, want %g", got, want)
			}
		})
	}
}

func TestVectorsCompletion(t *testing.T) {
	var v struct {
		Cases []struct {
			Name       string  `json:"name"`
			Protocol   string  `json:"protocol"`
			WorkDone   int     `json:"workDone"`
			Minutes    float64 `json:"minutes"`
			Completion string  `json:"completion"`
			Counts     bool    `json:"counts"`
		} `json:"cases"`
	}
	readVectors(t, "completion.json", &v)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			got := training.CompletionOf(c.Protocol, c.WorkDone, time.Duration(c.Minutes*float64(time.Minute)))
			if string(got) != c.Completion || got.Counts() != c.Counts {
				t.Errorf("CompletionOf(%q, %d, %g min) = %s (counts %v), want %s (counts %v)",
					c.Protocol, c.WorkDone, c.Minutes, got, got.Counts(), c.Completion, c.Counts)
			}
		})
	}
}
