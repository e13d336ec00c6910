package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hit4x4/dagbok/sync"
)

// The raw ceiling of the store: the SQL of a push and of a pull with
// nothing around them (no replay check, no merge, no encoding on the timed
// path). The benchmarks (internal/bench, go run ./tests/bench) compare
// Push and Pull with these in the same run, so the figures they publish
// are ratios to what this machine's SQLite can do, not absolute numbers
// that mean little on another machine. Nothing in the server calls them.

// RawRows is a batch of documents encoded as a push writes them.
type RawRows []docRow

// EncodeRaw encodes docs for RawWrite; the benchmarks call it before the
// timer starts, as a phone encodes its batch before sending it.
func EncodeRaw(docs []sync.Doc) (RawRows, error) {
	rows := make(RawRows, 0, len(docs))
	for _, d := range docs {
		r, err := toRow(d)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// RawWrite runs only the write SQL of a push — the multi-row upsert into
// sync_doc and the append to sync_log with sequence numbers from firstSeq
// — for rows into scope, in one committed transaction.
func (s *Store) RawWrite(ctx context.Context, scope string, firstSeq int64, rows RawRows) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("raw write: %w", err)
	}
	if err := writeDocs(ctx, tx, scope, firstSeq, s.now().UnixMilli(), rows); err != nil {
		tx.Rollback()
		return fmt.Errorf("raw write: %w", err)
	}
	return tx.Commit()
}

// RawRead runs Pull's prepared query for the first limit rows of scope
// and scans them without decoding, and returns how many documents it read
// (the horizon row left out).
func (s *Store) RawRead(ctx context.Context, scope string, limit int) (int, error) {
	rows, err := s.pull.QueryContext(ctx, scope, 0, limit+1)
	if err != nil {
		return 0, fmt.Errorf("raw read: %w", err)
	}
	n := 0
	for rows.Next() {
		var key, horizon int64
		var id, typ sql.NullString
		var fields []byte
		if err := rows.Scan(&key, &horizon, &id, &typ, &fields); err != nil {
			rows.Close()
			return 0, fmt.Errorf("raw read: %w", err)
		}
		if key != 0 {
			n++
		}
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("raw read: %w", err)
	}
	return n, rows.Err()
}
