package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/hit4x4/dagbok/store/sqlitestore"
)

// backup writes an online copy of the SQLite database (VACUUM INTO) to
// cfg.BackupTo and returns the exit code. It runs beside a serving server:
// SQLite in WAL mode lets the copy read a consistent snapshot while writes go
// on. MongoDB deployments back up with mongodump or their provider's tools.
func backup(cfg Config, log *slog.Logger) int {
	if cfg.MongoURI != "" {
		log.Error("backup copies the SQLite store; with MONGODB_URI set, use mongodump")
		return 2
	}
	if _, err := os.Stat(cfg.BackupTo); err == nil {
		log.Error("backup file exists already; choose a new name", "file", cfg.BackupTo)
		return 1
	} else if !errors.Is(err, os.ErrNotExist) {
		log.Error("backup file", "file", cfg.BackupTo, "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, _, ok := openExisting(ctx, cfg, log)
	if !ok {
		return 1
	}
	defer st.Close()
	if err := st.Backup(ctx, cfg.BackupTo); err != nil {
		log.Error("backup failed", "file", cfg.BackupTo, "err", err)
		return 1
	}
	log.Info("backup written", "file", cfg.BackupTo)
	return 0
}

// check runs the full integrity check of the SQLite database in the data
// folder and returns the exit code: 0 sound, 1 damaged or unreadable. It
// runs beside a serving server (it only reads).
func check(cfg Config, log *slog.Logger) int {
	if cfg.MongoURI != "" {
		log.Error("check reads the SQLite store; with MONGODB_URI set, use MongoDB's own validate command")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, db, ok := openExisting(ctx, cfg, log)
	if !ok {
		return 1
	}
	defer st.Close()
	if err := st.Check(ctx, false); err != nil {
		log.Error("the database failed its integrity check; restore it from a backup", "file", db, "err", err)
		return 1
	}
	log.Info("the database is sound", "file", db)
	return 0
}

// openExisting opens the SQLite database in the data folder for the
// commands that work on one; it never creates one. ok is false, with the
// reason logged, when there is none or it does not open.
func openExisting(ctx context.Context, cfg Config, log *slog.Logger) (st *sqlitestore.Store, db string, ok bool) {
	db = filepath.Join(cfg.DataDir, "app.db")
	if _, err := os.Stat(db); err != nil {
		log.Error("no database in the data folder", "file", db, "err", err)
		return nil, db, false
	}
	st, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: db})
	if err != nil {
		log.Error("opening the database", "file", db, "err", err)
		return nil, db, false
	}
	return st, db, true
}
