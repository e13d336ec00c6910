// Package scenario holds the project's published comparisons, each as a
// benchmark function over sizes given by the caller: the `go test -bench`
// entry points in store/sqlitestore, account and push run them at their
// documented sizes, and `go run ./tests/bench` runs them all in one
// process and prints their figures. Each reports its figure, its
// baseline's (under "raw-" and the same unit) and their ratio.
package scenario

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/mongostore"
	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/sync"
)

// Comparison is one published comparison: its stable name (the JSON
// contract of tests/bench), the unit of its figure, the metric holding the
// ratio, the target for that ratio, the benchmark that measures it and
// its `go test` entry point (which, unlike testing.Benchmark, prints why a
// run failed).
type Comparison struct {
	Name   string
	Unit   string
	Ratio  string
	Target string
	Run    func(b *testing.B)
	GoTest string
}

// Sizes are the sizes of the comparisons.
type Sizes struct {
	Phones    int // phones pushing at once in the push comparison
	Batches   int // batches of 100 documents each phone pushes per round
	Members   int // members of the group in the progress comparison
	Weeks     int // weeks of sessions (three a week) each member has
	Reminders int // reminders due in each round of the fan-out
}

// Full are the sizes docs/benchmarks.md publishes.
var Full = Sizes{Phones: 4, Batches: 8, Members: 200, Weeks: 52, Reminders: 10_000}

// All returns the published comparisons at sizes z, on the SQLite store.
func All(z Sizes) []Comparison {
	return append(StoreComparisons(z, SQLite, ""),
		Comparison{Name: "push_fanout_vs_encrypt", Unit: "reminders/s", Ratio: "fanout/encrypt", Target: ">= 0.5", Run: FanOut(z.Reminders),
			GoTest: "go test -run '^$' -bench FanOut ./push/"})
}

// StoreComparisons returns the comparisons of a store with its raw
// ceiling (push, pull, group progress) at sizes z on the stores open
// opens, each name followed by suffix.
func StoreComparisons(z Sizes, open Opener, suffix string) []Comparison {
	return []Comparison{
		{Name: "push_vs_raw_upsert" + suffix, Unit: "http-push-docs/s", Ratio: "push/raw", Target: ">= 0.8", Run: HTTPPushOn(open, z.Phones, z.Batches),
			GoTest: "go test -run '^$' -bench HTTPPushConcurrentVsRaw ./store/sqlitestore/"},
		{Name: "pull_year_vs_raw_find" + suffix, Unit: "ms", Ratio: "pull/raw", Target: "<= 2", Run: HTTPPullOn(open),
			GoTest: "go test -run '^$' -bench HTTPPullVsRaw ./store/sqlitestore/"},
		{Name: "group_progress_vs_raw_find" + suffix, Unit: "ms", Ratio: "page/raw", Target: "<= 10", Run: GroupProgressOn(open, z.Members, z.Weeks),
			GoTest: "go test -run '^$' -bench GroupProgress ./account/"},
	}
}

// Store is a store the comparisons run on, with its raw ceiling: the
// database's own batched write of a push and read of a pull, with nothing
// around them.
type Store interface {
	store.Store
	// EncodeRaw encodes a batch for WriteRaw, before the timer starts.
	EncodeRaw(docs []sync.Doc) (any, error)
	// WriteRaw writes encoded rows into scope as new documents with
	// sequence numbers from firstSeq.
	WriteRaw(ctx context.Context, scope string, firstSeq int64, rows any) error
	// RawRead reads the first limit log entries of scope without decoding
	// them and returns how many it read.
	RawRead(ctx context.Context, scope string, limit int) (int, error)
}

// Opener opens a fresh, empty store for one benchmark; the store is
// closed and removed when tb ends.
type Opener func(tb testing.TB) Store

// SQLite opens a fresh SQLite store in tb's temporary folder.
func SQLite(tb testing.TB) Store { return sqliteRaw{OpenSQLite(tb)} }

type sqliteRaw struct{ *sqlitestore.Store }

func (s sqliteRaw) EncodeRaw(docs []sync.Doc) (any, error) { return sqlitestore.EncodeRaw(docs) }

func (s sqliteRaw) WriteRaw(ctx context.Context, scope string, firstSeq int64, rows any) error {
	return s.RawWrite(ctx, scope, firstSeq, rows.(sqlitestore.RawRows))
}

// MongoDB opens each store as a new database of its own, bench_<random>,
// at the MongoDB uri, and drops the database when tb ends.
func MongoDB(uri string) Opener {
	return func(tb testing.TB) Store {
		tb.Helper()
		ctx := context.Background()
		name := make([]byte, 6)
		if _, err := rand.Read(name); err != nil {
			tb.Fatal(err)
		}
		s, err := mongostore.Open(ctx, mongostore.Config{URI: uri, Database: "bench_" + hex.EncodeToString(name)})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			if err := s.DropDatabase(ctx); err != nil {
				tb.Logf("drop the benchmark's database: %v", err)
			}
			s.Close()
		})
		return mongoRaw{s}
	}
}

type mongoRaw struct{ *mongostore.Store }

func (s mongoRaw) EncodeRaw(docs []sync.Doc) (any, error) { return mongostore.EncodeRaw(docs) }

func (s mongoRaw) WriteRaw(ctx context.Context, scope string, firstSeq int64, rows any) error {
	return s.RawWrite(ctx, scope, firstSeq, rows.(mongostore.RawRows))
}

// OpenSQLite opens a fresh SQLite store in b's temporary folder.
func OpenSQLite(b testing.TB) *sqlitestore.Store {
	b.Helper()
	s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: filepath.Join(b.TempDir(), "bench.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// serve serves the API on s over loopback HTTP and returns its base URL
// and a client that keeps a connection per concurrent phone (the default
// keeps two).
func serve(b *testing.B, s store.Store) (base string, c *http.Client) {
	b.Helper()
	h, err := api.New(api.Config{Store: s, Secret: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	return srv.URL, &http.Client{Transport: tr}
}

// login registers a patient and returns their access token and scope.
func login(b *testing.B, c *http.Client, base, email string) (token, scope string) {
	b.Helper()
	client := &apitest.Client{Base: base, HTTP: c}
	var reg struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	client.Must(b, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/register",
		Body: map[string]string{"email": email, "password": "benchmark password", "name": "Bench"}}, http.StatusCreated, &reg)
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	client.Must(b, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
		Body: map[string]string{"email": email, "password": "benchmark password"}}, http.StatusOK, &tok)
	return tok.AccessToken, reg.User.ID
}
