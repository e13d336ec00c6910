package sqlitestore

import (
	"context"
	"fmt"

	"github.com/hit4x4/dagbok/store"
)

// SetSchedule creates or replaces the weekly session of a group.
func (s *Store) SetSchedule(ctx context.Context, sc store.Schedule) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO group_schedule (group_id, weekday, time, place, note, time_zone, updated_at)
		VALUES (?,?,?,?,?,?,?)
		ON CONFLICT (group_id) DO UPDATE SET weekday = excluded.weekday, time = excluded.time, place = excluded.place,
			note = excluded.note, time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
		sc.GroupID, sc.Weekday, sc.Time, sc.Place, sc.Note, sc.TimeZone, ms(sc.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlitestore: set schedule: %w", mapErr(err))
	}
	return nil
}

// ScheduleOf returns a group's weekly session.
func (s *Store) ScheduleOf(ctx context.Context, groupID string) (store.Schedule, error) {
	sc := store.Schedule{GroupID: groupID}
	var updated int64
	err := s.r.QueryRowContext(ctx, "SELECT weekday, time, place, note, time_zone, updated_at FROM group_schedule WHERE group_id = ?", groupID).
		Scan(&sc.Weekday, &sc.Time, &sc.Place, &sc.Note, &sc.TimeZone, &updated)
	if err != nil {
		return store.Schedule{}, notFound(err, "schedule")
	}
	sc.UpdatedAt = fromMS(updated)
	return sc, nil
}

// SetRSVP creates or replaces a member's answer for one date.
func (s *Store) SetRSVP(ctx context.Context, r store.RSVP) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO group_rsvp (group_id, date, user_id, coming, at) VALUES (?,?,?,?,?)
		ON CONFLICT (group_id, date, user_id) DO UPDATE SET coming = excluded.coming, at = excluded.at`,
		r.GroupID, r.Date, r.UserID, r.Coming, ms(r.At))
	if err != nil {
		return fmt.Errorf("sqlitestore: set rsvp: %w", mapErr(err))
	}
	return nil
}

// RSVPs lists the answers for one date of a group, oldest first.
func (s *Store) RSVPs(ctx context.Context, groupID, date string) ([]store.RSVP, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT user_id, coming, at FROM group_rsvp WHERE group_id = ? AND date = ? ORDER BY at, user_id", groupID, date)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: rsvps: %w", err)
	}
	defer rows.Close()
	var out []store.RSVP
	for rows.Next() {
		r := store.RSVP{GroupID: groupID, Date: date}
		var at int64
		if err := rows.Scan(&r.UserID, &r.Coming, &at); err != nil {
			return nil, fmt.Errorf("sqlitestore: rsvps: %w", err)
		}
		r.At = fromMS(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: rsvps: %w", err)
	}
	return out, nil
}
