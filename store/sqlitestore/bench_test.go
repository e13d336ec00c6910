package sqlitestore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hit4x4/dagbok/internal/bench"
	"github.com/hit4x4/dagbok/internal/bench/scenario"
	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/sync"
)

// The benchmarks compare the store's operations with its raw ceiling
// (sqlitestore.RawWrite and RawRead) on the same machine in the same run:
//
//   - BenchmarkRawUpsert runs only the write SQL of a push (the multi-row
//     upsert into sync_doc and append to sync_log, 100 documents per
//     transaction) on documents encoded before the timer starts;
//   - BenchmarkPush runs Push with batches of 100 new documents: replay
//     check and head, read of the current documents, merge, encoding, the
//     same SQL, batch record;
//   - BenchmarkRawRead runs Pull's prepared query over a year of sessions
//     (150 documents) and scans the rows; BenchmarkPull runs Pull over the
//     same rows, each document kept in its stored form;
//   - BenchmarkPushVsRaw and BenchmarkPullVsRaw run both sides of each pair
//     in turn in one loop and report the ratios (of totals, of median
//     rounds and of CPU time). On a machine shared with other work these
//     are the numbers to read: separate benchmarks run minutes apart.
//     BenchmarkPushConcurrentVsRaw does the same with several pushes at
//     once (group commit), against the same sequential raw batches.
//
// The harness is internal/bench; the HTTP comparisons (http_bench_test.go)
// are in internal/bench/scenario, which `go run ./tests/bench` also runs.
// The target is Push ≥ 80 % of RawUpsert and Pull ≤ 2× RawRead.

func encode(b *testing.B, docs []sync.Doc) sqlitestore.RawRows {
	rows, err := sqlitestore.EncodeRaw(docs)
	if err != nil {
		b.Fatal(err)
	}
	return rows
}

func reportDocs(b *testing.B, docs int) {
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkRawUpsert(b *testing.B) {
	s := scenario.OpenSQLite(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		rows := encode(b, bench.Batch(b, i))
		b.StartTimer()
		if err := s.RawWrite(ctx, "bench", int64(i*bench.BatchSize+1), rows); err != nil {
			b.Fatal(err)
		}
	}
	reportDocs(b, b.N*bench.BatchSize)
}

func BenchmarkPush(b *testing.B) {
	s := scenario.OpenSQLite(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		docs := bench.Batch(b, i)
		b.StartTimer()
		if _, err := s.Push(ctx, "bench", fmt.Sprint("batch-", i), docs); err != nil {
			b.Fatal(err)
		}
	}
	reportDocs(b, b.N*bench.BatchSize)
}

// benchYear returns a store holding a year of sessions in scope "bench".
func benchYear(b *testing.B) *sqlitestore.Store {
	s := scenario.OpenSQLite(b)
	for i, batch := range bench.Year(b) {
		if _, err := s.Push(context.Background(), "bench", fmt.Sprint("batch-", i), batch); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func BenchmarkRawRead(b *testing.B) {
	s := benchYear(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		n, err := s.RawRead(ctx, "bench", 200)
		if err != nil {
			b.Fatal(err)
		}
		if n != bench.YearDocs {
			b.Fatalf("read %d rows", n)
		}
	}
	reportDocs(b, b.N*bench.YearDocs)
}

func BenchmarkPull(b *testing.B) {
	s := benchYear(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		p, err := s.Pull(ctx, "bench", 0, 200)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Docs) != bench.YearDocs {
			b.Fatalf("pulled %d documents", len(p.Docs))
		}
	}
	reportDocs(b, b.N*bench.YearDocs)
}

// BenchmarkPushVsRaw alternates one raw batch and one Push batch of 100 new
// documents on two stores, so that both see the same disk and CPU
// conditions, and reports their rates and ratio (target ≥ 0.8).
func BenchmarkPushVsRaw(b *testing.B) {
	rawStore, pushStore := scenario.OpenSQLite(b), scenario.OpenSQLite(b)
	ctx := context.Background()
	var raw, op bench.Spent
	b.ResetTimer()
	for i := range b.N {
		docs := bench.Batch(b, i)
		rows := encode(b, docs)
		rawStep := func() error { return rawStore.RawWrite(ctx, "bench", int64(i*bench.BatchSize+1), rows) }
		pushStep := func() error {
			_, err := pushStore.Push(ctx, "bench", fmt.Sprint("batch-", i), docs)
			return err
		}
		bench.DropSetupGarbage()
		bench.Alternate(b, i, &raw, &op, rawStep, pushStep)
	}
	bench.ReportRates(b, b.N*bench.BatchSize, "push-docs/s", "push/raw", raw, op)
}

// BenchmarkPushConcurrentVsRaw is BenchmarkPushVsRaw with 4 goroutines
// pushing 8 batches each at once (see scenario.Round and RawRound).
func BenchmarkPushConcurrentVsRaw(b *testing.B) {
	const phones, batches = 4, 8
	rawStore, pushStore := scenario.SQLite(b), scenario.OpenSQLite(b)
	scopes := make([]string, phones)
	for k := range scopes {
		scopes[k] = fmt.Sprint("bench-", k)
	}
	ctx := context.Background()
	var raw, op bench.Spent
	b.ResetTimer()
	for i := range b.N {
		docs, rows := scenario.Round(b, rawStore, i, phones, batches)
		rawStep := func() error { return scenario.RawRound(ctx, rawStore, i, scopes, rows) }
		pushStep := func() error {
			return scenario.OnEach(phones, func(k int) error {
				for j, d := range docs[k] {
					if _, err := pushStore.Push(ctx, scopes[k], fmt.Sprint("batch-", i, "-", j), d); err != nil {
						return err
					}
				}
				return nil
			})
		}
		bench.DropSetupGarbage()
		bench.Alternate(b, i, &raw, &op, rawStep, pushStep)
	}
	bench.ReportRates(b, b.N*phones*batches*bench.BatchSize, "push-docs/s", "push/raw", raw, op)
}

// BenchmarkPullVsRaw alternates the raw read and Pull of a year of
// sessions and reports their times and ratio (target ≤ 2).
func BenchmarkPullVsRaw(b *testing.B) {
	s := benchYear(b)
	ctx := context.Background()
	rawStep := func() error {
		_, err := s.RawRead(ctx, "bench", 200)
		return err
	}
	pullStep := func() error {
		_, err := s.Pull(ctx, "bench", 0, 200)
		return err
	}
	var raw, op bench.Spent
	b.ResetTimer()
	for i := range b.N {
		bench.Alternate(b, i, &raw, &op, rawStep, pullStep)
	}
	bench.ReportTimes(b, "pull/raw", raw, op)
}
