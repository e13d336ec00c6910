// Package bench is the comparison harness every benchmark of the project
// shares: both sides of a comparison (the operation and its raw ceiling)
// run in turn, round by round, in one process, so that they see the same
// disk, CPU and neighbours, and the figures to read are their ratios. The
// comparisons themselves are in internal/bench/scenario; the `go test
// -bench` entry points and `go run ./tests/bench` both run them.
package bench

import (
	"fmt"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// BatchSize is the number of documents in one push of the push
// comparisons: a phone that was offline for a while.
const BatchSize = 100

// YearDocs is the number of sessions in a year of a patient's diary as the
// pull comparisons read it.
const YearDocs = 150

// Spent is the wall and CPU time one side of a comparison took, in total
// and per round.
type Spent struct {
	Wall, CPU time.Duration
	Rounds    []time.Duration // wall time of each round
}

// Median is the median wall time of a round: on a machine shared with
// other work it is steadier than the total, which a few slow rounds (a
// neighbour's burst of I/O) can swing.
func (s Spent) Median() time.Duration {
	r := slices.Clone(s.Rounds)
	slices.Sort(r)
	return r[len(r)/2]
}

// Alternate runs round i of a comparison: rawStep and opStep, taking turns
// going first so that neither side always pays for the garbage the round's
// set-up left behind.
func Alternate(b *testing.B, i int, raw, op *Spent, rawStep, opStep func() error) {
	if i%2 == 0 {
		Measure(b, raw, rawStep)
		Measure(b, op, opStep)
	} else {
		Measure(b, op, opStep)
		Measure(b, raw, rawStep)
	}
}

// Measure runs f and adds its wall and CPU time to into.
func Measure(b *testing.B, into *Spent, f func() error) {
	c, t := cpuTime(), time.Now()
	if err := f(); err != nil {
		b.Fatal(err)
	}
	d := time.Since(t)
	into.Wall += d
	into.CPU += cpuTime() - c
	into.Rounds = append(into.Rounds, d)
}

// DropSetupGarbage collects what a round's set-up left behind (its
// documents, rows and request bodies are made just before the round), so
// that the collection it would cause falls on neither side's time. Each
// side's own garbage is still collected on its time.
func DropSetupGarbage() { runtime.GC() }

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportRates reports a comparison whose figure is a rate (higher is
// better): items a side per round count, both rates (baseline under
// "raw-"+unit), the ratio op rate ÷ raw rate of the totals under ratio,
// and of the median rounds and the CPU times under "median-"+ratio and
// "cpu-"+ratio.
func ReportRates(b *testing.B, items int, unit, ratio string, raw, op Spent) {
	b.ReportMetric(float64(items)/op.Wall.Seconds(), unit)
	b.ReportMetric(float64(items)/raw.Wall.Seconds(), "raw-"+unit)
	b.ReportMetric(raw.Wall.Seconds()/op.Wall.Seconds(), ratio)
	b.ReportMetric(raw.Median().Seconds()/op.Median().Seconds(), "median-"+ratio)
	b.ReportMetric(raw.CPU.Seconds()/op.CPU.Seconds(), "cpu-"+ratio)
}

// ReportTimes reports a comparison whose figure is a time (lower is
// better): both mean times per round in milliseconds (baseline under
// "raw-ms"), the ratio op time ÷ raw time of the totals under ratio, and
// of the median rounds and the CPU times.
func ReportTimes(b *testing.B, ratio string, raw, op Spent) {
	n := float64(len(op.Rounds))
	b.ReportMetric(op.Wall.Seconds()*1000/n, "ms")
	b.ReportMetric(raw.Wall.Seconds()*1000/n, "raw-ms")
	b.ReportMetric(op.Wall.Seconds()/raw.Wall.Seconds(), ratio)
	b.ReportMetric(op.Median().Seconds()/raw.Median().Seconds(), "median-"+ratio)
	b.ReportMetric(op.CPU.Seconds()/raw.CPU.Seconds(), "cpu-"+ratio)
}

// Session is a realistic session document: every field a patient fills
// in after a 4x4 session, stamped at wall (ms).
func Session(tb testing.TB, id string, wall int64) sync.Doc {
	return synctest.Session(tb, id, sync.Timestamp{Wall: wall, Node: "bench-device"}.String(),
		"protocol", "4x4",
		"startedAt", time.UnixMilli(wall).UTC().Format(time.RFC3339),
		"durationMin", 38,
		"intervals", []map[string]int{
			{"rpe": 15, "hrPeak": 172, "hrAvg": 160}, {"rpe": 16, "hrPeak": 175, "hrAvg": 163},
			{"rpe": 17, "hrPeak": 178, "hrAvg": 166}, {"rpe": 17, "hrPeak": 180, "hrAvg": 168},
		},
		"sessionRpe", 7,
		"moodBefore", 2,
		"moodAfter", 4,
		"note", "Tung start, men bedre etter andre drag. Gikk ute i regnet.",
	)
}

// Batch returns batch i: BatchSize new documents. The benchmarks make each
// batch just before using it, outside the timed part, so that the heap
// holds one batch and not the whole run (a large live heap would make
// every garbage collection, and so the side that allocates more, slower).
func Batch(tb testing.TB, i int) []sync.Doc {
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	out := make([]sync.Doc, BatchSize)
	for j := range out {
		out[j] = Session(tb, fmt.Sprintf("doc-%06d-%03d", i, j), wall+int64(i*BatchSize+j))
	}
	return out
}

// Year returns a year of sessions (YearDocs), one an hour apart, in
// batches of 10 as a phone pushes them.
func Year(tb testing.TB) [][]sync.Doc {
	wall := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	var out [][]sync.Doc
	for i := range YearDocs / 10 {
		var batch []sync.Doc
		for j := range 10 {
			batch = append(batch, Session(tb, fmt.Sprintf("session-%03d", i*10+j), wall+int64(i*10+j)*int64(time.Hour/time.Millisecond)))
		}
		out = append(out, batch)
	}
	return out
}
