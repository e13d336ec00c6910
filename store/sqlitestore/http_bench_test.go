package sqlitestore_test

import (
	"testing"

	"github.com/hit4x4/dagbok/internal/bench/scenario"
)

// The HTTP benchmarks put the whole server path — routing, auth, body
// limits, strict decoding, validation, skew check, the store and the JSON
// answer — against the store's raw SQL, in one process and one run. They
// are the comparisons `go run ./tests/bench` publishes (see
// internal/bench/scenario).

// BenchmarkHTTPPushVsRaw: one phone, one push of 100 new documents a round
// (target ≥ 0.8).
func BenchmarkHTTPPushVsRaw(b *testing.B) { scenario.HTTPPush(1, 1)(b) }

// BenchmarkHTTPPushConcurrentVsRaw: four phones at once, each pushing 8
// batches of 100 a round, against the same batches written raw one after
// the other.
func BenchmarkHTTPPushConcurrentVsRaw(b *testing.B) {
	scenario.HTTPPush(scenario.Full.Phones, scenario.Full.Batches)(b)
}

// BenchmarkHTTPPullVsRaw: a year of sessions over loopback HTTP against
// the raw indexed read (target ≤ 2).
func BenchmarkHTTPPullVsRaw(b *testing.B) { scenario.HTTPPull(b) }

// BenchmarkPushMemory: what the server allocates for the largest push (500
// sessions with long notes, just under 1 MiB), as a multiple of the body:
// with the fields in the form the store keeps them, and in another.
func BenchmarkPushMemory(b *testing.B) {
	b.Run("stored-form", scenario.PushMemory(true))
	b.Run("other-form", scenario.PushMemory(false))
}
