// Package sqlitestore is the default, embedded store.Store: one SQLite file
// (modernc.org/sqlite, pure Go) opened in WAL mode with synchronous=FULL, so
// an acknowledged write survives a power cut.
//
// Writes go through a pool of exactly one connection, so there is one
// writer; a sync push is one transaction, shared with the pushes that
// queued while the one before was written (group commit). Reads use a
// second pool. The
// schema comes from the numbered migrations embedded in migrations/.
//
// Times are kept to the millisecond, in UTC. The package never logs and
// never starts goroutines of its own.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hit4x4/dagbok/store"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// busyTimeout is how long a connection waits for a lock held by another
// connection (a backup, a second process) before giving up.
const busyTimeout = 10 * time.Second

// readConns is the size of the read pool. Every authenticated request
// reads its user, and every pull its page, on this pool. Each read takes
// microseconds, but on a busy machine one can be held up for milliseconds
// (its goroutine descheduled, or waiting while the writer updates the WAL
// index), and with 4 connections the requests behind it queued: the load
// test's 200 devices waited for a reader 1,300–1,500 times in 30 s, and
// 470–900 times with 16; its 2,000 devices at once waited 240 s in all in
// a minute, and 16 s with 16 (go_sql_wait_*{db_name="sqlite_read"};
// docs/benchmarks.md). SQLite's WAL lets readers run beside the writer;
// each connection costs at most its page cache (2 MiB).
const readConns = 16

// Store is a store.Store on one SQLite file. It is safe for concurrent use.
type Store struct {
	path  string  // the database file, absolute
	w     *sql.DB // exactly one connection: every write
	r     *sql.DB // reads, all of them short (see uninterrupted)
	push  *pushStmts
	group pushGroup
	pull  *sql.Stmt // pullSQL on the read pool
	// userByIDSQL on the read pool: every authenticated request runs it.
	userByID *sql.Stmt
	// now is the server's clock: when a batch was applied, when a
	// tombstone was written (its age for Compact).
	now func() time.Time
}

var _ store.Store = (*Store)(nil)

// Config says where the store lives.
type Config struct {
	// Path is the database file, created if needed.
	Path string
	// Now reads the clock for the store's own bookkeeping (when a batch was
	// applied, when a tombstone was written: the time it ages from); nil
	// means time.Now.
	Now func() time.Time
	// MaxBytes caps the size of the database file (SQLite's
	// max_page_count); a write that would grow it further fails with
	// store.ErrStorageFull, as on a full disk. 0: no cap.
	MaxBytes int64
}

// Open opens the database file, applies the pending migrations and
// returns the store. The caller must Close it.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlitestore: no path")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	abs, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, err
	}
	w, err := openPool(ctx, abs, 1, "immediate", cfg.MaxBytes)
	if err != nil {
		return nil, err
	}
	if _, err := migrate(ctx, w, migrations); err != nil {
		w.Close()
		return nil, err
	}
	push, err := preparePush(ctx, w)
	if err != nil {
		w.Close()
		return nil, err
	}
	r, err := openPool(ctx, abs, readConns, "deferred", 0)
	if err != nil {
		push.close()
		w.Close()
		return nil, err
	}
	pull, err := r.PrepareContext(ctx, pullSQL)
	if err != nil {
		push.close()
		r.Close()
		w.Close()
		return nil, fmt.Errorf("sqlitestore: prepare: %w", err)
	}
	userByID, err := r.PrepareContext(ctx, userByIDSQL)
	if err != nil {
		pull.Close()
		push.close()
		r.Close()
		w.Close()
		return nil, fmt.Errorf("sqlitestore: prepare: %w", err)
	}
	return &Store{path: abs, w: w, r: r, push: push, pull: pull, userByID: userByID, now: now,
		group: pushGroup{writer: make(chan struct{}, 1)}}, nil
}

// dsn builds the driver's connection string: a file URI whose _pragma
// parameters the driver runs on every new connection of the pool.
func dsn(abs, txlock string, maxBytes int64) string {
	q := url.Values{}
	if maxBytes > 0 {
		// Pages are 4 KiB (SQLite's default page_size, which this store keeps).
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", max(maxBytes/4096, 1)))
	}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", txlock)
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String()
}

func openPool(ctx context.Context, abs string, conns int, txlock string, maxBytes int64) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(abs, txlock, maxBytes))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", abs, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", abs, err)
	}
	return db, nil
}

// Ping reports whether both pools answer.
func (s *Store) Ping(ctx context.Context) error {
	for _, db := range []*sql.DB{s.w, s.r} {
		var one int
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			return fmt.Errorf("sqlitestore: ping: %w", err)
		}
	}
	return nil
}

// Close closes both pools. The write-ahead log is checkpointed by SQLite
// when the last connection closes.
func (s *Store) Close() error {
	s.push.close()
	s.pull.Close()
	s.userByID.Close()
	return errors.Join(s.r.Close(), s.w.Close())
}

// Backup writes a consistent copy of the database to path with VACUUM INTO,
// while the store keeps serving reads and writes. path must not exist yet.
// It reads on a connection of its own, so that a long backup never holds
// one of the read pool's connections (see uninterrupted).
func (s *Store) Backup(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("sqlitestore: backup: %w", err)
	}
	db, err := openPool(ctx, s.path, 1, "deferred", 0)
	if err != nil {
		return fmt.Errorf("sqlitestore: backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		return fmt.Errorf("sqlitestore: backup to %s: %w", abs, err)
	}
	return nil
}

// ErrDamaged: SQLite's integrity check found the database damaged.
var ErrDamaged = errors.New("sqlitestore: the database is damaged")

// Check runs SQLite's integrity check and returns ErrDamaged with what it
// found (at most 20 problems) when the database is damaged. quick runs
// quick_check, which skips comparing indexes with their tables: it reads
// every page once, so a page damaged in the middle of the file is found
// at start rather than by the pull that touches it. The full check is
// `dagbok check`'s.
func (s *Store) Check(ctx context.Context, quick bool) error {
	pragma := "PRAGMA integrity_check(20)"
	if quick {
		pragma = "PRAGMA quick_check(20)"
	}
	rows, err := s.r.QueryContext(ctx, pragma)
	if err != nil {
		return damaged(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("sqlitestore: check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return damaged(err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrDamaged, strings.Join(problems, "; "))
	}
	return nil
}

// damaged marks err as ErrDamaged when SQLite found the file corrupt or
// not a database at all.
func damaged(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_CORRUPT || se.Code()&0xff == sqlite3.SQLITE_NOTADB) {
		return fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	return fmt.Errorf("sqlitestore: check: %w", err)
}

// mapErr turns constraint violations and a full disk into the store's
// sentinel errors.
func mapErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		if se.Code()&0xff == sqlite3.SQLITE_FULL {
			return full(err)
		}
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", store.ErrDuplicate, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %w", store.ErrNotFound, err)
		}
	}
	return err
}

// ms is a time as stored: Unix milliseconds, 0 for the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// notFound wraps sql.ErrNoRows as store.ErrNotFound.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlitestore: %s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("sqlitestore: %s: %w", what, mapErr(err))
}

// uninterrupted returns ctx without its cancellation, for work too short
// to be worth interrupting. The driver watches a cancellable context with
// a goroutine and a progress callback for every statement, which costs
// more than a key lookup, one page of a pull or a push's write takes. A
// ctx that has already ended still fails the call.
//
// Such a call also waits for a connection without the deadline. That wait
// is short: the read pool serves only short statements (Backup uses a
// connection of its own), and the write connection is held only by short
// transactions.
func uninterrupted(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// inTx runs fn in a write transaction and commits it when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return full(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return full(err)
	}
	return full(tx.Commit())
}

// full marks err as store.ErrStorageFull when SQLite found no room
// (SQLITE_FULL: the disk, or the MaxBytes cap), and returns it as it is
// otherwise.
func full(err error) error {
	var se *sqlite.Error
	if errors.Is(err, store.ErrStorageFull) || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_FULL {
		return err
	}
	return fmt.Errorf("%w: %w", store.ErrStorageFull, err)
}

// ErrEmptyDatabase: the database file exists but holds nothing, and this
// start did not create it. SQLite would take it for a new database and the
// server would start empty, as if every account were gone; more likely the
// file was truncated or a restore went wrong.
var ErrEmptyDatabase = errors.New("sqlitestore: the database file is empty (0 bytes) but was not created now; " +
	"restore it from a backup, or delete it to start a new database")

// createPrivate creates the database file with mode 0600 when it does not
// exist (SQLite gives its -wal and -shm files the same mode), and refuses
// an existing file of zero length.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("sqlitestore: create %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	if fi.Mode().IsRegular() && fi.Size() == 0 {
		return fmt.Errorf("%s: %w", path, ErrEmptyDatabase)
	}
	return nil
}
