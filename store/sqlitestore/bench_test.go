package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// The benchmarks compare the store's operations with its raw ceiling on the
// same machine in the same run:
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
// The target is Push ≥ 80 % of RawUpsert and Pull ≤ 2× RawRead.

const benchBatch = 100

// benchSession is a realistic session document: every field a patient
// fills in after a 4x4 session.
func benchSession(b testing.TB, id string, wall int64) sync.Doc {
	return synctest.Session(b, id, sync.Timestamp{Wall: wall, Node: "bench-device"}.String(),
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

// benchBatch returns batch i: benchBatch new documents. The benchmarks
// make each batch just before using it, outside the timed part, so that the
// heap holds one batch and not the whole run (a large live heap would make
// every garbage collection, and so the side that allocates more, slower).
func benchBatchDocs(b testing.TB, i int) []sync.Doc {
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	out := make([]sync.Doc, benchBatch)
	for j := range out {
		out[j] = benchSession(b, fmt.Sprintf("doc-%06d-%03d", i, j), wall+int64(i*benchBatch+j))
	}
	return out
}

// benchRows encodes a batch as the raw benchmark writes it.
func benchRows(b testing.TB, docs []sync.Doc) []docRow {
	rows := make([]docRow, 0, len(docs))
	for _, d := range docs {
		r, err := toRow(d)
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, r)
	}
	return rows
}

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(context.Background(), Config{Path: filepath.Join(b.TempDir(), "bench.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// rawBatch is the raw side of every push comparison: the write SQL of a
// push for one batch of encoded rows into scope, in one committed
// transaction.
func rawBatch(ctx context.Context, s *Store, scope string, firstSeq int64, rows []docRow) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := writeDocs(ctx, tx, scope, firstSeq, s.now().UnixMilli(), rows); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// The concurrent comparisons: pushClients phones, each in its own scope,
// push pushBatches batches one after the other in every round, all at
// once; the raw side writes the same rows into the same scopes one batch
// after the other. The clients run through a round independently, as
// phones do, so the writer is rarely left waiting for a straggler.
const (
	pushClients = 4
	pushBatches = 8
)

// roundBatches returns round i of a concurrent comparison: batches[k][j]
// is the j-th batch client k pushes, and rows the same batches encoded for
// the raw side.
func roundBatches(b testing.TB, i int) (batches [][][]sync.Doc, rows [][][]docRow) {
	batches = make([][][]sync.Doc, pushClients)
	rows = make([][][]docRow, pushClients)
	for k := range pushClients {
		for j := range pushBatches {
			docs := benchBatchDocs(b, (i*pushBatches+j)*pushClients+k)
			batches[k] = append(batches[k], docs)
			rows[k] = append(rows[k], benchRows(b, docs))
		}
	}
	return batches, rows
}

// rawRound writes round i's rows the raw way: each batch in a transaction
// of its own, into the scope of the client that pushes it, with the
// sequence numbers the push gives it.
func rawRound(ctx context.Context, s *Store, i int, scopes []string, rows [][][]docRow) error {
	for j := range pushBatches {
		for k := range pushClients {
			first := int64((i*pushBatches+j)*benchBatch + 1)
			if err := rawBatch(ctx, s, scopes[k], first, rows[k][j]); err != nil {
				return err
			}
		}
	}
	return nil
}

// onEachClient runs f for every one of pushClients clients at once and
// returns the first error.
func onEachClient(f func(k int) error) error {
	errs := make(chan error, pushClients)
	for k := range pushClients {
		go func() { errs <- f(k) }()
	}
	var first error
	for range pushClients {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func reportDocs(b *testing.B, docs int) {
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkRawUpsert(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		rows := benchRows(b, benchBatchDocs(b, i))
		b.StartTimer()
		if err := rawBatch(ctx, s, "bench", int64(i*benchBatch+1), rows); err != nil {
			b.Fatal(err)
		}
	}
	reportDocs(b, b.N*benchBatch)
}

func BenchmarkPush(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		docs := benchBatchDocs(b, i)
		b.StartTimer()
		if _, err := s.Push(ctx, "bench", fmt.Sprint("batch-", i), docs); err != nil {
			b.Fatal(err)
		}
	}
	reportDocs(b, b.N*benchBatch)
}

// benchYear returns a store holding a year of sessions (150) in scope
// "bench", pushed in batches of 10 as a phone would.
func benchYear(b *testing.B) *Store {
	s := benchStore(b)
	wall := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for i := range 15 {
		var batch []sync.Doc
		for j := range 10 {
			batch = append(batch, benchSession(b, fmt.Sprintf("session-%03d", i*10+j), wall+int64(i*10+j)*int64(time.Hour/time.Millisecond)))
		}
		if _, err := s.Push(context.Background(), "bench", fmt.Sprint("batch-", i), batch); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

const yearDocs = 150

func BenchmarkRawRead(b *testing.B) {
	s := benchYear(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		rows, err := s.pull.QueryContext(ctx, "bench", 0, 201)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var key, horizon int64
			var id, typ sql.NullString
			var fields []byte
			if err := rows.Scan(&key, &horizon, &id, &typ, &fields); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := rows.Close(); err != nil {
			b.Fatal(err)
		}
		if n != yearDocs {
			b.Fatalf("read %d rows", n)
		}
	}
	reportDocs(b, b.N*yearDocs)
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
		if len(p.Docs) != yearDocs {
			b.Fatalf("pulled %d documents", len(p.Docs))
		}
	}
	reportDocs(b, b.N*yearDocs)
}

// BenchmarkPushVsRaw alternates one raw batch and one Push batch of 100 new
// documents on two stores, so that both see the same disk and CPU
// conditions, and reports their rates and ratio (target ≥ 0.8).
func BenchmarkPushVsRaw(b *testing.B) {
	rawStore, pushStore := benchStore(b), benchStore(b)
	ctx := context.Background()
	var raw, op spent
	b.ResetTimer()
	for i := range b.N {
		docs := benchBatchDocs(b, i)
		rows := benchRows(b, docs)
		rawStep := func() error { return rawBatch(ctx, rawStore, "bench", int64(i*benchBatch+1), rows) }
		pushStep := func() error {
			_, err := pushStore.Push(ctx, "bench", fmt.Sprint("batch-", i), docs)
			return err
		}
		dropSetupGarbage()
		alternate(b, i, &raw, &op, rawStep, pushStep)
	}
	reportPush(b, b.N*benchBatch, "push-docs/s", raw, op)
}

// BenchmarkPushConcurrentVsRaw is BenchmarkPushVsRaw with pushClients
// goroutines pushing at once (see roundBatches and rawRound).
func BenchmarkPushConcurrentVsRaw(b *testing.B) {
	rawStore, pushStore := benchStore(b), benchStore(b)
	scopes := make([]string, pushClients)
	for k := range scopes {
		scopes[k] = fmt.Sprint("bench-", k)
	}
	ctx := context.Background()
	var raw, op spent
	b.ResetTimer()
	for i := range b.N {
		batches, rows := roundBatches(b, i)
		rawStep := func() error { return rawRound(ctx, rawStore, i, scopes, rows) }
		pushStep := func() error {
			return onEachClient(func(k int) error {
				for j, docs := range batches[k] {
					if _, err := pushStore.Push(ctx, scopes[k], fmt.Sprint("batch-", i, "-", j), docs); err != nil {
						return err
					}
				}
				return nil
			})
		}
		dropSetupGarbage()
		alternate(b, i, &raw, &op, rawStep, pushStep)
	}
	reportPush(b, b.N*pushClients*pushBatches*benchBatch, "push-docs/s", raw, op)
}

// spent is the wall and CPU time one side of a comparison took, in total
// and per round.
type spent struct {
	wall, cpu time.Duration
	rounds    []time.Duration // wall time of each round
}

// median is the median wall time of a round: on a machine shared with
// other work it is steadier than the total, which a few slow rounds (a
// neighbour's burst of I/O) can swing.
func (s spent) median() time.Duration {
	r := slices.Clone(s.rounds)
	slices.Sort(r)
	return r[len(r)/2]
}

// dropSetupGarbage collects what a round's set-up left behind (its
// documents, rows and request bodies are made just before the round), so
// that the collection it would cause falls on neither side's time. Each
// side's own garbage is still collected on its time.
func dropSetupGarbage() { runtime.GC() }

// reportPush reports a push comparison of docs documents a side: both
// rates (raw-docs/s and rate, e.g. "push-docs/s") and the ratio raw time /
// push time (higher is better) of the totals (push/raw), of the median
// rounds and of the process CPU time (which leaves out waiting for the
// disk).
func reportPush(b *testing.B, docs int, rate string, raw, op spent) {
	reportVsRaw(b, docs, rate, raw, op)
	b.ReportMetric(raw.wall.Seconds()/op.wall.Seconds(), "push/raw")
	b.ReportMetric(raw.median().Seconds()/op.median().Seconds(), "median-push/raw")
	b.ReportMetric(raw.cpu.Seconds()/op.cpu.Seconds(), "cpu-push/raw")
}

// reportPull is reportPush for a pull comparison, whose ratio is pull time
// / raw time (lower is better).
func reportPull(b *testing.B, docs int, rate string, raw, op spent) {
	reportVsRaw(b, docs, rate, raw, op)
	b.ReportMetric(op.wall.Seconds()/raw.wall.Seconds(), "pull/raw")
	b.ReportMetric(op.median().Seconds()/raw.median().Seconds(), "median-pull/raw")
	b.ReportMetric(op.cpu.Seconds()/raw.cpu.Seconds(), "cpu-pull/raw")
}

// reportVsRaw reports the rates of both sides of a comparison.
func reportVsRaw(b *testing.B, docs int, rate string, raw, op spent) {
	b.ReportMetric(float64(docs)/raw.wall.Seconds(), "raw-docs/s")
	b.ReportMetric(float64(docs)/op.wall.Seconds(), rate)
}

// alternate runs round i of a comparison: rawStep and opStep, taking turns
// going first so that neither side always pays for the garbage the round's
// set-up left behind.
func alternate(b *testing.B, i int, raw, op *spent, rawStep, opStep func() error) {
	if i%2 == 0 {
		measure(b, raw, rawStep)
		measure(b, op, opStep)
	} else {
		measure(b, op, opStep)
		measure(b, raw, rawStep)
	}
}

// measure runs f and adds its wall and CPU time to into.
func measure(b *testing.B, into *spent, f func() error) {
	c, t := cpuTime(), time.Now()
	if err := f(); err != nil {
		b.Fatal(err)
	}
	d := time.Since(t)
	into.wall += d
	into.cpu += cpuTime() - c
	into.rounds = append(into.rounds, d)
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPullVsRaw alternates the raw read and Pull of a year of
// sessions and reports their rates and the time ratio (target ≤ 2).
func BenchmarkPullVsRaw(b *testing.B) {
	benchPullVsRaw(b, func(s *Store) error {
		_, err := s.Pull(context.Background(), "bench", 0, 200)
		return err
	})
}

func benchPullVsRaw(b *testing.B, pull func(s *Store) error) {
	s := benchYear(b)
	ctx := context.Background()
	rawStep := func() error {
		rows, err := s.pull.QueryContext(ctx, "bench", 0, 201)
		if err != nil {
			return err
		}
		for rows.Next() {
			var key, horizon int64
			var id, typ sql.NullString
			var fields []byte
			if err := rows.Scan(&key, &horizon, &id, &typ, &fields); err != nil {
				return err
			}
		}
		return rows.Close()
	}
	pullStep := func() error { return pull(s) }
	var raw, op spent
	b.ResetTimer()
	for i := range b.N {
		alternate(b, i, &raw, &op, rawStep, pullStep)
	}
	reportPull(b, b.N*yearDocs, "pull-docs/s", raw, op)
}
