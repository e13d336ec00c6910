package sync_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

// BenchmarkDecodePushRequest decodes a batch of 100 full session documents,
// the batch size of the sync benchmarks.
func BenchmarkDecodePushRequest(b *testing.B) {
	docs := make([]string, 100)
	for i := range docs {
		docs[i] = sessionJSON(fmt.Sprintf("3f2b8c1e-4d5a-4b6c-8d7e-%012d", i), strings.Join([]string{
			`"protocol":{"value":"4x4","ts":"` + ts1 + `"}`,
			`"startedAt":{"value":"2026-03-01T17:30:00+01:00","ts":"` + ts1 + `"}`,
			`"durationMin":{"value":40,"ts":"` + ts1 + `"}`,
			`"intervals":{"value":[{"rpe":15,"hrPeak":172,"hrAvg":160},{"rpe":16,"hrPeak":175,"hrAvg":163},{"rpe":17,"hrPeak":178,"hrAvg":166},{"rpe":18,"hrPeak":181,"hrAvg":170}],"ts":"` + ts1 + `"}`,
			`"sessionRpe":{"value":7,"ts":"` + ts1 + `"}`,
			`"moodBefore":{"value":2,"ts":"` + ts1 + `"}`,
			`"moodAfter":{"value":4,"ts":"` + ts1 + `"}`,
			`"note":{"value":"Tung, men bra i dag.","ts":"` + ts1 + `"}`,
		}, ","))
	}
	data := []byte(body(docs...))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sync.DecodePushRequest(data, training.Schema{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(docs))/b.Elapsed().Seconds(), "docs/s")
}
