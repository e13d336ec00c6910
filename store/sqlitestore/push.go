package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// SaveSubscription adds a subscription or replaces the one with its endpoint.
func (s *Store) SaveSubscription(ctx context.Context, sub store.Subscription) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO push_subscription (endpoint, user_id, p256dh, auth, created_at)
		VALUES (?,?,?,?,?) ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id,
		p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`,
		sub.Endpoint, sub.UserID, sub.P256dh, sub.Auth, ms(sub.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlitestore: save subscription: %w", mapErr(err))
	}
	return nil
}

// DeleteSubscription removes one of the user's subscriptions.
func (s *Store) DeleteSubscription(ctx context.Context, userID, endpoint string) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM push_subscription WHERE endpoint = ? AND user_id = ?", endpoint, userID)
	return affectedOne(res, err, "delete subscription")
}

// Subscriptions lists a user's subscriptions, oldest first.
func (s *Store) Subscriptions(ctx context.Context, userID string) ([]store.Subscription, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT endpoint, user_id, p256dh, auth, created_at FROM push_subscription
		WHERE user_id = ? ORDER BY created_at, endpoint`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []store.Subscription
	for rows.Next() {
		var sub store.Subscription
		var created int64
		if err := rows.Scan(&sub.Endpoint, &sub.UserID, &sub.P256dh, &sub.Auth, &created); err != nil {
			return nil, fmt.Errorf("sqlitestore: subscriptions: %w", err)
		}
		sub.CreatedAt = fromMS(created)
		out = append(out, sub)
	}
	return out, rows.Err()
}

// SubscribedUsers lists every user with a subscription.
func (s *Store) SubscribedUsers(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT DISTINCT user_id FROM push_subscription ORDER BY user_id")
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: subscribed users: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlitestore: subscribed users: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ReminderSettings returns the user's reminder settings; ErrNotFound when
// the user never chose.
func (s *Store) ReminderSettings(ctx context.Context, userID string) (store.ReminderSettings, error) {
	rs := store.ReminderSettings{UserID: userID}
	var off string
	err := s.r.QueryRowContext(ctx, "SELECT off, lead_minutes, quiet_start, quiet_end FROM reminder_settings WHERE user_id = ?", userID).
		Scan(&off, &rs.LeadMinutes, &rs.QuietStart, &rs.QuietEnd)
	if err != nil {
		return store.ReminderSettings{}, notFound(err, "reminder settings")
	}
	if off != "" {
		rs.Off = strings.Split(off, ",")
	}
	return rs, nil
}

// SaveReminderSettings replaces the user's reminder settings.
func (s *Store) SaveReminderSettings(ctx context.Context, rs store.ReminderSettings) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO reminder_settings (user_id, off, lead_minutes, quiet_start, quiet_end)
		VALUES (?,?,?,?,?) ON CONFLICT (user_id) DO UPDATE SET off = excluded.off,
		lead_minutes = excluded.lead_minutes, quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end`,
		rs.UserID, strings.Join(rs.Off, ","), rs.LeadMinutes, rs.QuietStart, rs.QuietEnd)
	if err != nil {
		return fmt.Errorf("sqlitestore: save reminder settings: %w", mapErr(err))
	}
	return nil
}

// ClaimReminders takes the leases in one transaction (one write to disk
// for the batch); the single writer makes each insert-or-take-over atomic.
func (s *Store) ClaimReminders(ctx context.Context, cs []store.ReminderClaim, now time.Time) ([]store.ReminderClaim, error) {
	var won []store.ReminderClaim
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		won = won[:0]
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO reminder_claim (key, user_id, owner, gen, lease_until, done_at, created_at)
			VALUES (?,?,?,0,?,0,?) ON CONFLICT (key) DO UPDATE SET owner = excluded.owner,
			gen = reminder_claim.gen + 1, lease_until = excluded.lease_until
			WHERE reminder_claim.done_at = 0 AND reminder_claim.lease_until <= ? RETURNING gen`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, c := range cs {
			err := stmt.QueryRowContext(ctx, c.Key, c.UserID, c.Owner, ms(c.LeaseUntil), ms(now), ms(now)).Scan(&c.Gen)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			won = append(won, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: claim reminders: %w", mapErr(err))
	}
	return won, nil
}

// FinishReminders marks the claimed reminders done, in one transaction.
func (s *Store) FinishReminders(ctx context.Context, cs []store.ReminderClaim, at time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range cs {
			if _, err := tx.ExecContext(ctx, "UPDATE reminder_claim SET done_at = ? WHERE key = ?", max(ms(at), 1), c.Key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: finish reminders: %w", mapErr(err))
	}
	return nil
}

// DeleteClaimsBefore removes claims created before t.
func (s *Store) DeleteClaimsBefore(ctx context.Context, t time.Time) error {
	if _, err := s.w.ExecContext(ctx, "DELETE FROM reminder_claim WHERE created_at < ?", ms(t)); err != nil {
		return fmt.Errorf("sqlitestore: delete claims: %w", err)
	}
	return nil
}
