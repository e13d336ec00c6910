package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// SetAttendance replaces the members ticked present at a group's session
// on date, in one transaction.
func (s *Store) SetAttendance(ctx context.Context, groupID, date string, present []string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM group_attendance WHERE group_id = ? AND date = ?", groupID, date); err != nil {
			return fmt.Errorf("sqlitestore: set attendance: %w", mapErr(err))
		}
		for _, u := range present {
			if _, err := tx.ExecContext(ctx, "INSERT INTO group_attendance (group_id, date, user_id, at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
				groupID, date, u, ms(at)); err != nil {
				return fmt.Errorf("sqlitestore: set attendance: %w", mapErr(err))
			}
		}
		return nil
	})
}

// AttendanceOf lists a group's ticks from one date to another.
func (s *Store) AttendanceOf(ctx context.Context, groupID, from, to string) ([]store.Attendance, error) {
	return s.attendance(ctx, "attendance", `SELECT group_id, date, user_id, at FROM group_attendance
		WHERE group_id = ? AND date >= ? AND date <= ? ORDER BY date, user_id`, groupID, from, to)
}

// UserAttendance lists every tick of one user.
func (s *Store) UserAttendance(ctx context.Context, userID string) ([]store.Attendance, error) {
	return s.attendance(ctx, "user attendance", `SELECT group_id, date, user_id, at FROM group_attendance
		WHERE user_id = ? ORDER BY group_id, date`, userID)
}

func (s *Store) attendance(ctx context.Context, what, query string, args ...any) ([]store.Attendance, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	defer rows.Close()
	var out []store.Attendance
	for rows.Next() {
		var a store.Attendance
		var at int64
		if err := rows.Scan(&a.GroupID, &a.Date, &a.UserID, &at); err != nil {
			return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
		}
		a.At = fromMS(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	return out, nil
}

// UserRSVPs lists every answer of one user.
func (s *Store) UserRSVPs(ctx context.Context, userID string) ([]store.RSVP, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT group_id, date, coming, at FROM group_rsvp WHERE user_id = ? ORDER BY group_id, date", userID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: user rsvps: %w", err)
	}
	defer rows.Close()
	var out []store.RSVP
	for rows.Next() {
		r := store.RSVP{UserID: userID}
		var at int64
		if err := rows.Scan(&r.GroupID, &r.Date, &r.Coming, &at); err != nil {
			return nil, fmt.Errorf("sqlitestore: user rsvps: %w", err)
		}
		r.At = fromMS(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: user rsvps: %w", err)
	}
	return out, nil
}

// ForgetMember removes one user's ticks and answers in one group, in one
// transaction.
func (s *Store) ForgetMember(ctx context.Context, groupID, userID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"group_attendance", "group_rsvp"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE group_id = ? AND user_id = ?", groupID, userID); err != nil {
				return fmt.Errorf("sqlitestore: forget member: %s: %w", table, mapErr(err))
			}
		}
		return nil
	})
}
