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
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/store/sqlitestore"
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

// All returns the published comparisons at sizes z.
func All(z Sizes) []Comparison {
	return []Comparison{
		{Name: "push_vs_raw_upsert", Unit: "http-push-docs/s", Ratio: "push/raw", Target: ">= 0.8", Run: HTTPPush(z.Phones, z.Batches),
			GoTest: "go test -run '^$' -bench HTTPPushConcurrentVsRaw ./store/sqlitestore/"},
		{Name: "pull_year_vs_raw_find", Unit: "ms", Ratio: "pull/raw", Target: "<= 2", Run: HTTPPull,
			GoTest: "go test -run '^$' -bench HTTPPullVsRaw ./store/sqlitestore/"},
		{Name: "group_progress_vs_raw_find", Unit: "ms", Ratio: "page/raw", Target: "<= 10", Run: GroupProgress(z.Members, z.Weeks),
			GoTest: "go test -run '^$' -bench GroupProgress ./account/"},
		{Name: "push_fanout_vs_encrypt", Unit: "reminders/s", Ratio: "fanout/encrypt", Target: ">= 0.5", Run: FanOut(z.Reminders),
			GoTest: "go test -run '^$' -bench FanOut ./push/"},
	}
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
func serve(b *testing.B, s *sqlitestore.Store) (base string, c *http.Client) {
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
