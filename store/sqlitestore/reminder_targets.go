package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hit4x4/dagbok/store"
)

// ReminderTargets reads a page of subscribed users in two queries: their
// subscriptions joined to their account and settings, one row per
// subscription, and then the page's users' groups.
func (s *Store) ReminderTargets(ctx context.Context, after string, limit int) ([]store.ReminderTarget, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT u.id, u.email, u.password_hash, u.name, u.role, u.birth_year, u.hr_max,
		u.sex, u.time_zone, u.language, u.created_at, u.updated_at,
		p.endpoint, p.p256dh, p.auth, p.created_at,
		r.off, r.lead_minutes, r.quiet_start, r.quiet_end
		FROM push_subscription p
		JOIN users u ON u.id = p.user_id
		LEFT JOIN reminder_settings r ON r.user_id = p.user_id
		WHERE p.user_id IN (SELECT DISTINCT user_id FROM push_subscription WHERE user_id > ? ORDER BY user_id LIMIT ?)
		ORDER BY p.user_id, p.created_at, p.endpoint`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: reminder targets: %w", err)
	}
	defer rows.Close()
	var out []store.ReminderTarget
	for rows.Next() {
		var (
			u                store.User
			sub              store.Subscription
			created, updated int64
			subCreated       int64
			off              sql.NullString
			lead, qs, qe     sql.NullInt64
		)
		if err := rows.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Name, &u.Role, &u.BirthYear, &u.HRMax,
			&u.Sex, &u.TimeZone, &u.Language, &created, &updated,
			&sub.Endpoint, &sub.P256dh, &sub.Auth, &subCreated, &off, &lead, &qs, &qe); err != nil {
			return nil, fmt.Errorf("sqlitestore: reminder targets: %w", err)
		}
		sub.UserID, sub.CreatedAt = u.ID, fromMS(subCreated)
		if n := len(out); n == 0 || out[n-1].User.ID != u.ID {
			u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
			t := store.ReminderTarget{User: u}
			if lead.Valid {
				rs := &store.ReminderSettings{UserID: u.ID, LeadMinutes: int(lead.Int64), QuietStart: int(qs.Int64), QuietEnd: int(qe.Int64)}
				if off.String != "" {
					rs.Off = strings.Split(off.String, ",")
				}
				t.Settings = rs
			}
			out = append(out, t)
		}
		last := &out[len(out)-1]
		last.Subscriptions = append(last.Subscriptions, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: reminder targets: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]string, len(out))
	for i, t := range out {
		ids[i] = t.User.ID
	}
	groups, err := s.userGroupsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Groups = groups[out[i].User.ID]
	}
	return out, nil
}
