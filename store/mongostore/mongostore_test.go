package mongostore_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/mongostore"
	"github.com/hit4x4/dagbok/store/mongostore/ferrettest"
	"github.com/hit4x4/dagbok/store/storetest"
)

// ferret is the one FerretDB the package's tests share (it takes seconds to
// start); each test gets a database of its own on it.
var ferret struct {
	once gosync.Once
	dir  string
	srv  *ferrettest.Server
	err  error
}

// dbSeq numbers test databases.
var dbSeq atomic.Int64

func TestMain(m *testing.M) {
	code := m.Run()
	if ferret.srv != nil {
		ferret.srv.Stop()
	}
	if ferret.dir != "" {
		os.RemoveAll(ferret.dir)
	}
	os.Exit(code)
}

// ferretURI starts the shared FerretDB on first use and returns its URI.
func ferretURI(t testing.TB) string {
	t.Helper()
	ferret.once.Do(func() {
		ferret.dir, ferret.err = os.MkdirTemp("", "mongostore-ferretdb-")
		if ferret.err == nil {
			ferret.srv, ferret.err = ferrettest.New(ferret.dir)
		}
	})
	if ferret.err != nil {
		t.Fatalf("start FerretDB: %v", ferret.err)
	}
	return ferret.srv.URI()
}

// dbName makes a fresh database name for a test.
func dbName(t testing.TB) string {
	var b strings.Builder
	fmt.Fprintf(&b, "t%d_", dbSeq.Add(1))
	for _, r := range t.Name() {
		if b.Len() >= 60 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// openAt opens a store on a new database at uri; the database is dropped
// when the test ends (the store itself is closed by the caller or the suite).
func openAt(t testing.TB, uri string, cfg mongostore.Config) *mongostore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg.URI = uri
	if cfg.Database == "" {
		cfg.Database = dbName(t)
	}
	s, err := mongostore.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, uri, cfg.Database) })
	return s
}

// backends lists where the tests run: the in-test FerretDB always, and a
// real MongoDB when TEST_MONGODB_URI names one.
func backends(t *testing.T) map[string]func(t testing.TB) string {
	b := map[string]func(t testing.TB) string{"FerretDB": ferretURI}
	if uri := os.Getenv("TEST_MONGODB_URI"); uri != "" {
		b["MongoDB"] = func(testing.TB) string { return uri }
	}
	return b
}

// TestConformance runs the store conformance suite. FerretDB is slow, so
// its concurrent load is small; a real MongoDB gets the default load.
func TestConformance(t *testing.T) {
	for name, uri := range backends(t) {
		t.Run(name, func(t *testing.T) {
			opts := storetest.RunOptions{}
			if name == "FerretDB" {
				opts = storetest.RunOptions{Pushers: 8, Batches: 6, DocsPerBatch: 2}
			}
			opts.OpenClocked = func(t *testing.T, now func() time.Time) store.Store {
				return openAt(t, uri(t), mongostore.Config{Now: now})
			}
			storetest.RunWith(t, opts, func(t *testing.T) store.Store {
				return openAt(t, uri(t), mongostore.Config{})
			})
		})
	}
}

// failWhile is an after-write hook (SetAfterDocWrite) that fails with err
// while on is set.
func failWhile(on *atomic.Bool, err error) func(context.Context) error {
	return func(context.Context) error {
		if on.Load() {
			return err
		}
		return nil
	}
}
