package mongostore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
)

type subscriptionRec struct {
	Endpoint  string    `bson:"_id"`
	UserID    string    `bson:"userId"`
	P256dh    string    `bson:"p256dh"`
	Auth      string    `bson:"auth"`
	CreatedAt time.Time `bson:"createdAt"`
}

// SaveSubscription adds a subscription or replaces the one with its endpoint.
func (s *Store) SaveSubscription(ctx context.Context, sub store.Subscription) error {
	_, err := s.pushSubs.ReplaceOne(ctx, eq("_id", sub.Endpoint), subscriptionRec{Endpoint: sub.Endpoint,
		UserID: sub.UserID, P256dh: sub.P256dh, Auth: sub.Auth, CreatedAt: ms(sub.CreatedAt)},
		options.Replace().SetUpsert(true))
	return mapErr("save subscription", err)
}

// DeleteSubscription removes one of the user's subscriptions.
func (s *Store) DeleteSubscription(ctx context.Context, userID, endpoint string) error {
	res, err := s.pushSubs.DeleteOne(ctx, bson.D{{Key: "_id", Value: endpoint}, {Key: "userId", Value: userID}})
	if err != nil {
		return mapErr("delete subscription", err)
	}
	if res.DeletedCount == 0 {
		return mapErr("delete subscription", mongo.ErrNoDocuments)
	}
	return nil
}

// Subscriptions lists a user's subscriptions, oldest first.
func (s *Store) Subscriptions(ctx context.Context, userID string) ([]store.Subscription, error) {
	cur, err := s.pushSubs.Find(ctx, eq("userId", userID),
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapErr("subscriptions", err)
	}
	var recs []subscriptionRec
	if err := cur.All(ctx, &recs); err != nil {
		return nil, mapErr("subscriptions", err)
	}
	out := make([]store.Subscription, 0, len(recs))
	for _, r := range recs {
		out = append(out, store.Subscription{Endpoint: r.Endpoint, UserID: r.UserID, P256dh: r.P256dh,
			Auth: r.Auth, CreatedAt: r.CreatedAt.UTC()})
	}
	return out, nil
}

// SubscribedUsers lists every user with a subscription. It reads the user
// ids only (no distinct: FerretDB's is slow and sorts differently).
func (s *Store) SubscribedUsers(ctx context.Context) ([]string, error) {
	cur, err := s.pushSubs.Find(ctx, bson.D{}, options.Find().SetProjection(eq("userId", 1)).
		SetSort(bson.D{{Key: "userId", Value: 1}}))
	if err != nil {
		return nil, mapErr("subscribed users", err)
	}
	var recs []struct {
		UserID string `bson:"userId"`
	}
	if err := cur.All(ctx, &recs); err != nil {
		return nil, mapErr("subscribed users", err)
	}
	var out []string
	for _, r := range recs {
		if len(out) == 0 || out[len(out)-1] != r.UserID {
			out = append(out, r.UserID)
		}
	}
	return out, nil
}

type reminderSettingsRec struct {
	UserID      string   `bson:"_id"`
	Off         []string `bson:"off"`
	LeadMinutes int      `bson:"leadMinutes"`
	QuietStart  int      `bson:"quietStart"`
	QuietEnd    int      `bson:"quietEnd"`
}

// ReminderSettings returns the user's reminder settings; ErrNotFound when
// the user never chose.
func (s *Store) ReminderSettings(ctx context.Context, userID string) (store.ReminderSettings, error) {
	var r reminderSettingsRec
	if err := s.reminderSet.FindOne(ctx, eq("_id", userID)).Decode(&r); err != nil {
		return store.ReminderSettings{}, mapErr("reminder settings", err)
	}
	return store.ReminderSettings{UserID: r.UserID, Off: r.Off, LeadMinutes: r.LeadMinutes,
		QuietStart: r.QuietStart, QuietEnd: r.QuietEnd}, nil
}

// SaveReminderSettings replaces the user's reminder settings.
func (s *Store) SaveReminderSettings(ctx context.Context, rs store.ReminderSettings) error {
	off := rs.Off
	if off == nil {
		off = []string{}
	}
	_, err := s.reminderSet.ReplaceOne(ctx, eq("_id", rs.UserID), reminderSettingsRec{UserID: rs.UserID, Off: off,
		LeadMinutes: rs.LeadMinutes, QuietStart: rs.QuietStart, QuietEnd: rs.QuietEnd}, options.Replace().SetUpsert(true))
	return mapErr("save reminder settings", err)
}

// claimRec is one lease on a reminder. Every lease is its own record with a
// unique (key, gen), so taking a lease over is an insert that exactly one
// racing instance wins — no conditional update, which FerretDB does not
// make atomic, and no transaction.
type claimRec struct {
	ID         string    `bson:"_id"`
	Key        string    `bson:"key"`
	Gen        int       `bson:"gen"`
	UserID     string    `bson:"userId"`
	Owner      string    `bson:"owner"`
	LeaseUntil time.Time `bson:"leaseUntil"`
	Done       bool      `bson:"done"`
	CreatedAt  time.Time `bson:"createdAt"`
}

// ClaimReminders takes each claim's next lease where no lease of its key is
// finished and the newest has run out. Each key is its own round trip:
// there is no transaction to batch them in.
func (s *Store) ClaimReminders(ctx context.Context, cs []store.ReminderClaim, now time.Time) ([]store.ReminderClaim, error) {
	var won []store.ReminderClaim
	for _, c := range cs {
		c, ok, err := s.claimReminder(ctx, c, now)
		if err != nil {
			return nil, err
		}
		if ok {
			won = append(won, c)
		}
	}
	return won, nil
}

func (s *Store) claimReminder(ctx context.Context, c store.ReminderClaim, now time.Time) (store.ReminderClaim, bool, error) {
	cur, err := s.claims.Find(ctx, eq("key", c.Key))
	if err != nil {
		return store.ReminderClaim{}, false, mapErr("claim reminder", err)
	}
	var leases []claimRec
	if err := cur.All(ctx, &leases); err != nil {
		return store.ReminderClaim{}, false, mapErr("claim reminder", err)
	}
	gen := 0
	for _, l := range leases {
		if l.Done || l.LeaseUntil.After(now) {
			return store.ReminderClaim{}, false, nil
		}
		gen = max(gen, l.Gen+1)
	}
	c.Gen = gen
	_, err = s.claims.InsertOne(ctx, claimRec{ID: c.Key + "#" + strconv.Itoa(gen), Key: c.Key, Gen: gen,
		UserID: c.UserID, Owner: c.Owner, LeaseUntil: ms(c.LeaseUntil), CreatedAt: ms(now)})
	if err = mapErr("claim reminder", err); errors.Is(err, store.ErrDuplicate) {
		return store.ReminderClaim{}, false, nil
	}
	if err != nil {
		return store.ReminderClaim{}, false, err
	}
	return c, true, nil
}

// FinishReminders marks the claimed reminders done, in one update.
func (s *Store) FinishReminders(ctx context.Context, cs []store.ReminderClaim, at time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make(bson.A, len(cs))
	for i, c := range cs {
		ids[i] = c.Key + "#" + strconv.Itoa(c.Gen)
	}
	_, err := s.claims.UpdateMany(ctx, eq("_id", eq("$in", ids)),
		eq("$set", bson.D{{Key: "done", Value: true}, {Key: "doneAt", Value: ms(at)}}))
	return mapErr("finish reminders", err)
}

// DeleteClaimsBefore removes claims created before t.
func (s *Store) DeleteClaimsBefore(ctx context.Context, t time.Time) error {
	_, err := s.claims.DeleteMany(ctx, eq("createdAt", bson.D{{Key: "$lt", Value: ms(t)}}))
	return mapErr("delete claims", err)
}
