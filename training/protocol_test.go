package training_test

import (
	"testing"
	"time"

	"github.com/hit4x4/dagbok/training"
)

func TestProtocols(t *testing.T) {
	for _, tc := range []struct {
		name    string
		total   time.Duration
		work    int
		pattern string // phase kinds in order: W warm-up, x work, r recovery, C cool-down
		workLen time.Duration
		restLen time.Duration
	}{
		{training.Protocol4x4, 40 * time.Minute, 4, "WxrxrxrxC", 4 * time.Minute, 3 * time.Minute},
		{training.Protocol3x3, 30 * time.Minute, 3, "WxrxrxC", 3 * time.Minute, 3 * time.Minute},
		{training.ProtocolTabata, 15*time.Minute + 8*20*time.Second + 7*10*time.Second, 8, "WxrxrxrxrxrxrxrxC", 20 * time.Second, 10 * time.Second},
		{training.ProtocolCustom, 0, 0, "", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := training.ProtocolByName(tc.name)
			if !ok {
				t.Fatal("not found")
			}
			if p.Total() != tc.total || p.WorkIntervals() != tc.work {
				t.Errorf("Total %v, work %d; want %v, %d", p.Total(), p.WorkIntervals(), tc.total, tc.work)
			}
			var pattern string
			for _, ph := range p.Phases {
				switch ph.Kind {
				case training.WarmUp:
					pattern += "W"
					if ph.Duration != 10*time.Minute {
						t.Errorf("warm-up %v", ph.Duration)
					}
				case training.Work:
					pattern += "x"
					if ph.Duration != tc.workLen {
						t.Errorf("work %v", ph.Duration)
					}
				case training.Recovery:
					pattern += "r"
					if ph.Duration != tc.restLen {
						t.Errorf("recovery %v", ph.Duration)
					}
				case training.CoolDown:
					pattern += "C"
					if ph.Duration != 5*time.Minute {
						t.Errorf("cool-down %v", ph.Duration)
					}
				}
			}
			if pattern != tc.pattern {
				t.Errorf("phases %q, want %q", pattern, tc.pattern)
			}
		})
	}
	if _, ok := training.ProtocolByName("5x5"); ok {
		t.Error("unknown protocol found")
	}
	// Callers get copies: changing one does not change the next.
	ps := training.Protocols()
	ps[0].Phases[0].Duration = 0
	if p, _ := training.ProtocolByName(training.Protocol4x4); p.Phases[0].Duration != 10*time.Minute {
		t.Error("Protocols shares its phases between calls")
	}
}
