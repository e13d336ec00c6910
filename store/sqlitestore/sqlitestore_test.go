package sqlitestore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/store/storetest"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// open opens a store on a new file in the test's temporary folder, on the
// clock now (nil: time.Now).
func open(t *testing.T, now func() time.Time) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: filepath.Join(t.TempDir(), "app.db"), Now: now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	opts := storetest.RunOptions{OpenClocked: func(t *testing.T, now func() time.Time) store.Store {
		return open(t, now)
	}}
	storetest.RunWith(t, opts, func(t *testing.T) store.Store { return open(t, nil) })
}

// TestBackup copies the database while pushes go on; the copy opens as a
// store holding a consistent state (every batch whole or absent).
func TestBackup(t *testing.T) {
	ctx := context.Background()
	s := open(t, nil)
	defer s.Close()
	if err := s.CreateUser(ctx, store.User{ID: "u1", Email: "u1@example.org", Role: store.RolePatient}); err != nil {
		t.Fatal(err)
	}
	push := func(i int) error {
		ts := sync.Timestamp{Wall: int64(1_700_000_000_000 + i), Node: "dev"}.String()
		var batch []sync.Doc
		for j := range 10 {
			batch = append(batch, sync.Doc{ID: fmt.Sprintf("d%03d-%d", i, j), Type: "session",
				Fields: map[string]sync.Field{"note": {Value: []byte(`"x"`), TS: ts}}})
		}
		_, err := s.Push(ctx, "u1", fmt.Sprint("b", i), batch)
		return err
	}
	for i := range 20 {
		if err := push(i); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error)
	go func() {
		for i := 20; i < 60; i++ {
			if err := push(i); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, path); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("push during backup: %v", err)
	}
	if err := s.Backup(ctx, path); err == nil {
		t.Errorf("Backup over an existing file succeeded")
	}

	b, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: path})
	if err != nil {
		t.Fatalf("Open(backup): %v", err)
	}
	defer b.Close()
	if _, err := b.UserByID(ctx, "u1"); err != nil {
		t.Errorf("backup lacks the user: %v", err)
	}
	docs, err := b.Docs(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 200 || len(docs)%10 != 0 {
		t.Errorf("backup holds %d documents, want whole batches, at least 200", len(docs))
	}
	p, err := b.Pull(ctx, "u1", 0, 1000)
	if err != nil || len(p.Docs) != len(docs) || p.Cursor != int64(len(docs)) {
		t.Errorf("Pull(backup) = %d docs, cursor %d, %v; want %d", len(p.Docs), p.Cursor, err, len(docs))
	}
}

// TestPushAllOrNothing: a batch that fails part-way leaves no trace, and
// the same batch ID then applies normally.
func TestPushAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := open(t, nil)
	defer s.Close()
	ts := sync.Timestamp{Wall: 1_700_000_000_000, Node: "dev"}.String()
	good := sync.Doc{ID: "a", Type: "session", Fields: map[string]sync.Field{"note": {Value: []byte(`"ok"`), TS: ts}}}
	bad := sync.Doc{ID: "b", Type: "session", Fields: map[string]sync.Field{"note": {Value: []byte(`{broken`), TS: ts}}}
	if _, err := s.Push(ctx, "u1", "batch-1", []sync.Doc{good, bad}); err == nil {
		t.Fatal("Push with an unencodable value succeeded")
	}
	if docs, err := s.Docs(ctx, "u1"); err != nil || len(docs) != 0 {
		t.Fatalf("after a failed push: Docs = %v, %v; want none", docs, err)
	}
	if p, err := s.Pull(ctx, "u1", 0, 10); err != nil || len(p.Docs) != 0 || p.Cursor != 0 {
		t.Fatalf("after a failed push: Pull = %+v, %v; want an empty log", p, err)
	}
	res, err := s.Push(ctx, "u1", "batch-1", []sync.Doc{good})
	if err != nil || res.Replay || res.Applied != 1 {
		t.Fatalf("retry of the failed batch = %+v, %v; want it applied", res, err)
	}
	if p, err := s.Pull(ctx, "u1", 0, 10); err != nil || len(p.Docs) != 1 || p.Cursor != 1 {
		t.Fatalf("after the retry: Pull = %+v, %v; want one entry at seq 1", p, err)
	}
}

func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	if err := os.WriteFile(path, []byte("this is not an SQLite database, just some text long enough"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: path}); err == nil {
		s.Close()
		t.Fatal("Open of a text file succeeded")
	}
}

// A zero-length database this start did not create is refused: SQLite
// would take it for a new, empty database.
func TestOpenRefusesAnEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: path})
	if err == nil {
		s.Close()
		t.Fatal("Open of a zero-length file succeeded")
	}
	if !errors.Is(err, sqlitestore.ErrEmptyDatabase) {
		t.Fatalf("error %v, want ErrEmptyDatabase", err)
	}
}

// The database and its -wal and -shm files are readable by their owner
// only: they hold health data and password hashes.
func TestDatabaseFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: filepath.Join(dir, "app.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Push(t.Context(), "scope", "b1", nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app.db", "app.db-wal", "app.db-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %o, want 600", name, perm)
		}
	}
}

// A page damaged in the middle of the file is found by the quick check
// (which the server runs at start) and by the full one, without a pull
// having to touch it.
func TestCheckFindsADamagedPage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	for b := range 20 {
		docs := make([]sync.Doc, 50)
		for i := range docs {
			docs[i] = synctest.Session(t, fmt.Sprintf("d%d-%d", b, i), synctest.Stamp(time.Unix(1e9, 0), "n"), "note", fmt.Sprintf("%0500d", i))
		}
		if _, err := s.Push(t.Context(), "p1", fmt.Sprint("b", b), docs); err != nil {
			t.Fatal(err)
		}
	}
	for _, quick := range []bool{true, false} {
		if err := s.Check(t.Context(), quick); err != nil {
			t.Fatalf("Check(quick %v) of a sound database: %v", quick, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	page := fi.Size() / 4096 / 2
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 4096), page*4096); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = sqlitestore.Open(context.Background(), sqlitestore.Config{Path: path})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	for _, quick := range []bool{true, false} {
		if err := s.Check(t.Context(), quick); !errors.Is(err, sqlitestore.ErrDamaged) {
			t.Fatalf("Check(quick %v) of page %d of %d overwritten: %v", quick, page, fi.Size()/4096, err)
		}
	}
}
