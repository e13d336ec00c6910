package mongostore

import (
	"context"

	"github.com/hit4x4/dagbok/store"
)

// PullEach hands the documents of Pull's page to emit. The page is read
// whole first (its entries come by _id or in one query, and Pull keeps
// only each document's newest state), so nothing is lent: emit may keep
// what it gets.
func (s *Store) PullEach(ctx context.Context, scope string, cursor int64, limit int, emit func(store.StoredDoc) error) (int64, bool, error) {
	page, err := s.Pull(ctx, scope, cursor, limit)
	if err != nil {
		return 0, false, err
	}
	for _, d := range page.Docs {
		if err := emit(d); err != nil {
			return 0, false, err
		}
	}
	return page.Cursor, page.More, nil
}
