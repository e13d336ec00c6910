package sqlitestore

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	s, err := Open(context.Background(), Config{Path: path})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// TestPragmas checks the settings on every connection of both pools: the
// durability promise (synchronous=FULL) depends on it.
func TestPragmas(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	want := map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2", // FULL
		"busy_timeout": "10000",
		"foreign_keys": "1",
	}
	for name, pool := range map[string]struct {
		db    *sql.DB
		conns int
	}{"write": {s.w, 1}, "read": {s.r, readConns}} {
		// Hold every connection of the pool at once so each one is checked.
		var conns []*sql.Conn
		for range pool.conns {
			c, err := pool.db.Conn(ctx)
			if err != nil {
				t.Fatalf("%s pool: Conn: %v", name, err)
			}
			conns = append(conns, c)
		}
		for i, c := range conns {
			for pragma, v := range want {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
					t.Fatalf("%s pool conn %d: PRAGMA %s: %v", name, i, pragma, err)
				}
				if got != v {
					t.Errorf("%s pool conn %d: PRAGMA %s = %s, want %s", name, i, pragma, got, v)
				}
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}
	if n := s.w.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("write pool allows %d connections, want 1", n)
	}
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatalf("PRAGMA user_version: %v", err)
	}
	return v
}

func TestMigrateReopenAppliesNothing(t *testing.T) {
	s, path := openTest(t)
	known, err := loadMigrations(migrations)
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	if v := userVersion(t, s.w); v != len(known) {
		t.Errorf("user_version after Open = %d, want %d", v, len(known))
	}
	s.Close()
	s2, err := Open(context.Background(), Config{Path: path})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	n, err := migrate(context.Background(), s2.w, migrations)
	if err != nil || n != 0 {
		t.Errorf("migrate on an up-to-date database applied %d (%v), want 0", n, err)
	}
	if v := userVersion(t, s2.w); v != len(known) {
		t.Errorf("user_version after reopen = %d, want %d", v, len(known))
	}
}

func TestMigrateNewerDatabase(t *testing.T) {
	s, path := openTest(t)
	if _, err := s.w.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), Config{Path: path})
	if err == nil || !strings.Contains(err.Error(), "newer than this program knows") {
		t.Fatalf("Open of a newer database: err = %v, want a clear version error", err)
	}
}

func TestMigrateSteps(t *testing.T) {
	db, err := openPool(context.Background(), filepath.Join(t.TempDir(), "m.db"), 1, "immediate", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	step1 := fstest.MapFS{
		"migrations/0002_fill.sql": {Data: []byte("INSERT INTO t VALUES (1);")},
		"migrations/0001_init.sql": {Data: []byte("CREATE TABLE t (a INTEGER);")},
		"migrations/README":        {Data: []byte("not a migration")},
	}
	if n, err := migrate(ctx, db, step1); err != nil || n != 2 {
		t.Fatalf("first migrate = %d, %v; want 2 applied", n, err)
	}
	// A failing step rolls back whole, leaving the version where it was.
	step2 := fstest.MapFS{
		"migrations/0003_bad.sql": {Data: []byte("CREATE TABLE u (a INTEGER); INSERT INTO missing VALUES (1);")},
	}
	for k, v := range step1 {
		step2[k] = v
	}
	if _, err := migrate(ctx, db, step2); err == nil || !strings.Contains(err.Error(), "0003_bad.sql") {
		t.Fatalf("migrate with a bad step: err = %v, want it named", err)
	}
	if v := userVersion(t, db); v != 2 {
		t.Errorf("user_version after a failed step = %d, want 2", v)
	}
	var tables int
	db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'u'").Scan(&tables)
	if tables != 0 {
		t.Errorf("the failed step's table exists: not rolled back")
	}
	tests := []struct {
		name string
		fs   fstest.MapFS
	}{
		{"gap", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}}},
		{"repeat", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/001_b.sql": {}}},
		{"unnumbered", fstest.MapFS{"migrations/init.sql": {}}},
	}
	for _, tc := range tests {
		if _, err := loadMigrations(tc.fs); err == nil {
			t.Errorf("loadMigrations(%s) accepted it", tc.name)
		}
	}
}

// TestQueryPlans checks that the hot sync queries are index searches with
// no table scan and no sort (the json_each list of IDs aside).
func TestQueryPlans(t *testing.T) {
	s, _ := openTest(t)
	queries := map[string]struct {
		sql  string
		args []any
	}{
		"pushRead": {pushReadSQL, []any{"scope", "batch", `["a","b","c"]`}},
		"pull":     {pullSQL, []any{"scope", 10, 200}},
		"docs":     {docsSQL, []any{"scope"}},
	}
	for name, q := range queries {
		rows, err := s.r.Query("EXPLAIN QUERY PLAN "+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		t.Logf("%s: %q", name, plan)
		for _, step := range plan {
			if (strings.HasPrefix(step, "SCAN ") && step != "SCAN CONSTANT ROW" && !strings.HasPrefix(step, "SCAN json_each")) || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%s: plan %q has %q", name, plan, step)
			}
		}
	}
}
