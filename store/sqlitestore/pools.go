package sqlitestore

import "database/sql"

// Pools returns the store's two connection pools — the writer's (one
// connection) and the readers' (readConns) — for their statistics only:
// the server exports them as metrics (go_sql_* with db_name sqlite_write
// and sqlite_read), where a growing wait count says that requests queue
// for a connection. The caller must neither close them nor run
// statements on them.
func (s *Store) Pools() (write, read *sql.DB) { return s.w, s.r }
