package sqlitestore

import (
	"context"
	"fmt"

	"github.com/hit4x4/dagbok/store"
)

// SetNotice creates or replaces a group's notice.
func (s *Store) SetNotice(ctx context.Context, n store.GroupNotice) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO group_notice (group_id, text, posted_at, by_id) VALUES (?,?,?,?)
		ON CONFLICT (group_id) DO UPDATE SET text = excluded.text, posted_at = excluded.posted_at, by_id = excluded.by_id`,
		n.GroupID, n.Text, ms(n.PostedAt), n.By)
	if err != nil {
		return fmt.Errorf("sqlitestore: set notice: %w", mapErr(err))
	}
	return nil
}

// DeleteNotice removes a group's notice, if it has one.
func (s *Store) DeleteNotice(ctx context.Context, groupID string) error {
	if _, err := s.w.ExecContext(ctx, "DELETE FROM group_notice WHERE group_id = ?", groupID); err != nil {
		return fmt.Errorf("sqlitestore: delete notice: %w", mapErr(err))
	}
	return nil
}

// NoticeOf returns a group's notice.
func (s *Store) NoticeOf(ctx context.Context, groupID string) (store.GroupNotice, error) {
	n := store.GroupNotice{GroupID: groupID}
	var posted int64
	err := s.r.QueryRowContext(ctx, "SELECT text, posted_at, by_id FROM group_notice WHERE group_id = ?", groupID).
		Scan(&n.Text, &posted, &n.By)
	if err != nil {
		return store.GroupNotice{}, notFound(err, "notice")
	}
	n.PostedAt = fromMS(posted)
	return n, nil
}
