package sqlitestore

import (
	"context"
	"fmt"

	"github.com/hit4x4/dagbok/store"
)

// SaveInvitation stores an invitation, replacing the one of the same user
// and group. The rows go with the user and the group (ON DELETE CASCADE).
func (s *Store) SaveInvitation(ctx context.Context, inv store.Invitation) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO invitation (user_id, group_id, id, code, from_group_id, invited_by, created_at)
		VALUES (?,?,?,?,?,?,?)
		ON CONFLICT (user_id, group_id) DO UPDATE SET id = excluded.id, code = excluded.code,
			from_group_id = excluded.from_group_id, invited_by = excluded.invited_by, created_at = excluded.created_at`,
		inv.UserID, inv.GroupID, inv.ID, inv.Code, inv.FromGroupID, inv.InvitedBy, ms(inv.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlitestore: save invitation: %w", mapErr(err))
	}
	return nil
}

// InvitationsOf lists a user's invitations, newest first.
func (s *Store) InvitationsOf(ctx context.Context, userID string) ([]store.Invitation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, group_id, code, from_group_id, invited_by, created_at FROM invitation
		WHERE user_id = ? ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: invitations: %w", err)
	}
	defer rows.Close()
	var out []store.Invitation
	for rows.Next() {
		inv := store.Invitation{UserID: userID}
		var created int64
		if err := rows.Scan(&inv.ID, &inv.GroupID, &inv.Code, &inv.FromGroupID, &inv.InvitedBy, &created); err != nil {
			return nil, fmt.Errorf("sqlitestore: invitations: %w", err)
		}
		inv.CreatedAt = fromMS(created)
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: invitations: %w", err)
	}
	return out, nil
}

// DeleteInvitation removes one of the user's invitations.
func (s *Store) DeleteInvitation(ctx context.Context, userID, id string) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM invitation WHERE user_id = ? AND id = ?", userID, id)
	return affectedOne(res, err, "delete invitation")
}

// DeleteGroupInvitations removes every invitation to a group.
func (s *Store) DeleteGroupInvitations(ctx context.Context, groupID string) error {
	if _, err := s.w.ExecContext(ctx, "DELETE FROM invitation WHERE group_id = ?", groupID); err != nil {
		return fmt.Errorf("sqlitestore: delete group invitations: %w", mapErr(err))
	}
	return nil
}
