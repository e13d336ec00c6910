package sqlitestore

import (
	"context"
	"fmt"

	"github.com/hit4x4/dagbok/store"
)

// SetSessionChange creates or replaces the change of one date of a
// group's weekly session.
func (s *Store) SetSessionChange(ctx context.Context, c store.SessionChange) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO group_session_change (group_id, date, cancelled, reason, moved_to, time, place, updated_at)
		VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT (group_id, date) DO UPDATE SET cancelled = excluded.cancelled, reason = excluded.reason,
			moved_to = excluded.moved_to, time = excluded.time, place = excluded.place, updated_at = excluded.updated_at`,
		c.GroupID, c.Date, c.Cancelled, c.Reason, c.MovedTo, c.Time, c.Place, ms(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlitestore: set session change: %w", mapErr(err))
	}
	return nil
}

// DeleteSessionChange removes the change of one date.
func (s *Store) DeleteSessionChange(ctx context.Context, groupID, date string) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM group_session_change WHERE group_id = ? AND date = ?", groupID, date)
	return affectedOne(res, err, "delete session change")
}

// SessionChanges lists a group's changes for dates from through until.
func (s *Store) SessionChanges(ctx context.Context, groupID, from, until string) ([]store.SessionChange, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT date, cancelled, reason, moved_to, time, place, updated_at FROM group_session_change
		WHERE group_id = ? AND date >= ? AND date <= ? ORDER BY date`, groupID, from, until)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: session changes: %w", err)
	}
	defer rows.Close()
	var out []store.SessionChange
	for rows.Next() {
		c := store.SessionChange{GroupID: groupID}
		var updated int64
		if err := rows.Scan(&c.Date, &c.Cancelled, &c.Reason, &c.MovedTo, &c.Time, &c.Place, &updated); err != nil {
			return nil, fmt.Errorf("sqlitestore: session changes: %w", err)
		}
		c.UpdatedAt = fromMS(updated)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: session changes: %w", err)
	}
	return out, nil
}
