package sqlitestore

import (
	"context"
	"fmt"

	"github.com/hit4x4/dagbok/store"
)

// PullEach hands the log entries of the page Pull reads to emit as the
// rows come, each lending the row's bytes (valid until the next row): no
// copy of the page is made. A document changed twice after cursor comes
// twice, as the log holds it.
func (s *Store) PullEach(ctx context.Context, scope string, cursor int64, limit int, emit func(store.StoredDoc) error) (int64, bool, error) {
	var typ string // the type of the entry before, which most entries share
	var stopped error
	next, more, err := s.pullLog(ctx, scope, cursor, limit, func(id string, t, fields []byte) error {
		if string(t) != typ {
			typ = string(t)
		}
		stopped = emit(store.StoredDoc{ID: id, Type: typ, Fields: fields})
		return stopped
	})
	switch {
	case err != nil && err == stopped:
		return 0, false, err
	case err != nil:
		return 0, false, fmt.Errorf("sqlitestore: pull: %w", err)
	}
	return next, more, nil
}
