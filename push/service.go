package push

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// ServiceStore is what the API's push routes need of the store.
type ServiceStore interface {
	subscriptionStore
	SaveSubscription(ctx context.Context, s store.Subscription) error
	ReminderSettings(ctx context.Context, userID string) (store.ReminderSettings, error)
	SaveReminderSettings(ctx context.Context, s store.ReminderSettings) error
}

// Service holds the rules of the push routes: which subscriptions are
// taken, which settings are valid, and the test reminder.
type Service struct {
	store   ServiceStore
	sender  *Sender
	guard   Guard
	kinds   []string
	now     func() time.Time
	metrics *Metrics
}

// NewService returns the service. kinds are the reminder kinds a user may
// turn off (the scheduler's Kind names); now nil: time.Now.
func NewService(st ServiceStore, snd *Sender, g Guard, kinds []string, now func() time.Time, m *Metrics) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, sender: snd, guard: g, kinds: kinds, now: now, metrics: m}
}

// PublicKey is the VAPID public key browsers subscribe with.
func (s *Service) PublicKey() string { return s.sender.PublicKey() }

// Kinds lists the reminder kinds a user can turn off.
func (s *Service) Kinds() []string { return slices.Clone(s.kinds) }

// Subscribe keeps a browser's subscription for the user, after the guard
// accepted its endpoint and its keys proved to be a P-256 point and a
// 16-byte secret (webpush-go would otherwise fail at every send).
func (s *Service) Subscribe(ctx context.Context, userID, endpoint, p256dh, auth string) error {
	if err := s.guard.Check(endpoint); err != nil {
		return err
	}
	if key, err := decodeKey(p256dh); err != nil || len(key) != 65 {
		return &InvalidError{"keys.p256dh", "not an uncompressed P-256 public key in base64url"}
	} else if _, err := ecdh.P256().NewPublicKey(key); err != nil {
		return &InvalidError{"keys.p256dh", "not a point on P-256"}
	}
	if key, err := decodeKey(auth); err != nil || len(key) != 16 {
		return &InvalidError{"keys.auth", "not a 16-byte secret in base64url"}
	}
	return s.store.SaveSubscription(ctx, store.Subscription{Endpoint: endpoint, UserID: userID,
		P256dh: p256dh, Auth: auth, CreatedAt: s.now()})
}

// decodeKey reads base64url with or without padding, as browsers give it.
func decodeKey(v string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(v, "="))
}

// Subscriptions lists the user's subscriptions (for their export).
func (s *Service) Subscriptions(ctx context.Context, userID string) ([]store.Subscription, error) {
	return s.store.Subscriptions(ctx, userID)
}

// Unsubscribe removes one of the user's subscriptions.
func (s *Service) Unsubscribe(ctx context.Context, userID, endpoint string) error {
	return s.store.DeleteSubscription(ctx, userID, endpoint)
}

// SendTest sends the test reminder to every device of the user now.
func (s *Service) SendTest(ctx context.Context, u store.User) (Report, error) {
	return deliver(ctx, s.store, s.sender, s.metrics, u.ID, textsFor(u.Language).test(), "test")
}

// Settings returns the user's reminder settings, the defaults when the
// user never chose.
func (s *Service) Settings(ctx context.Context, userID string) (store.ReminderSettings, error) {
	rs, err := s.store.ReminderSettings(ctx, userID)
	if !errors.Is(err, store.ErrNotFound) {
		return rs, err
	}
	return DefaultSettings(userID), nil
}

// SaveSettings checks and keeps the user's reminder settings.
func (s *Service) SaveSettings(ctx context.Context, rs store.ReminderSettings) error {
	for _, k := range rs.Off {
		if !slices.Contains(s.kinds, k) {
			return &InvalidError{"off", "unknown reminder kind " + k}
		}
	}
	rs.Off = slices.Compact(slices.Sorted(slices.Values(rs.Off)))
	switch {
	case rs.LeadMinutes < 0 || rs.LeadMinutes > 24*60:
		return &InvalidError{"leadMinutes", "must be 0–1440"}
	case rs.QuietStart < 0 || rs.QuietStart >= 24*60:
		return &InvalidError{"quietStart", "must be 0–1439 minutes after midnight"}
	case rs.QuietEnd < 0 || rs.QuietEnd >= 24*60:
		return &InvalidError{"quietEnd", "must be 0–1439 minutes after midnight"}
	}
	return s.store.SaveReminderSettings(ctx, rs)
}
