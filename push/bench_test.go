package push_test

import (
	"testing"

	"github.com/hit4x4/dagbok/internal/bench/scenario"
)

// BenchmarkFanOut: a scheduler tick sending 10,000 due reminders over TLS
// on loopback against webpush-go's bare encryption and signing of as many
// messages (see scenario.FanOut; target fanout/encrypt ≥ 0.5).
func BenchmarkFanOut(b *testing.B) { scenario.FanOut(scenario.Full.Reminders)(b) }
