package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
)

// ReminderTargets reads a page of subscribed users in six queries: the
// subscriptions of the next users by ID (the userId index), then their
// accounts and settings by $in, then their groups (userGroupsOf). A
// subscription whose account is gone is skipped, and the page is filled
// from the users after it.
func (s *Store) ReminderTargets(ctx context.Context, after string, limit int) ([]store.ReminderTarget, error) {
	var out []store.ReminderTarget
	for len(out) < limit {
		subs, more, err := s.subscriptionsAfter(ctx, after, limit-len(out))
		if err != nil {
			return nil, err
		}
		if len(subs) == 0 {
			break
		}
		page, err := s.targetsOf(ctx, subs)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		after = subs[len(subs)-1].UserID
		if !more {
			break
		}
	}
	return out, nil
}

// subscriptionsAfter returns the subscriptions of the first n users with
// IDs after `after`, grouped by user, oldest first, and whether there may
// be more users.
func (s *Store) subscriptionsAfter(ctx context.Context, after string, n int) ([]subscriptionRec, bool, error) {
	cur, err := s.pushSubs.Find(ctx, bson.D{{Key: "userId", Value: bson.D{{Key: "$gt", Value: after}}}},
		options.Find().SetSort(bson.D{{Key: "userId", Value: 1}, {Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}).
			SetBatchSize(int32(min(n*2, 1000))))
	if err != nil {
		return nil, false, mapErr("reminder targets", err)
	}
	defer cur.Close(ctx)
	var out []subscriptionRec
	users := 0
	for cur.Next(ctx) {
		var r subscriptionRec
		if err := cur.Decode(&r); err != nil {
			return nil, false, mapErr("reminder targets", err)
		}
		if len(out) == 0 || out[len(out)-1].UserID != r.UserID {
			if users == n {
				return out, true, nil
			}
			users++
		}
		out = append(out, r)
	}
	return out, false, mapErr("reminder targets", cur.Err())
}

// targetsOf joins grouped subscriptions to their accounts, settings and
// groups.
func (s *Store) targetsOf(ctx context.Context, subs []subscriptionRec) ([]store.ReminderTarget, error) {
	var ids []string
	for _, r := range subs {
		if len(ids) == 0 || ids[len(ids)-1] != r.UserID {
			ids = append(ids, r.UserID)
		}
	}
	in := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
	var users []userRec
	cur, err := s.users.Find(ctx, in)
	if err == nil {
		err = cur.All(ctx, &users)
	}
	if err != nil {
		return nil, mapErr("reminder targets", err)
	}
	var settings []reminderSettingsRec
	cur, err = s.reminderSet.Find(ctx, in)
	if err == nil {
		err = cur.All(ctx, &settings)
	}
	if err != nil {
		return nil, mapErr("reminder targets", err)
	}
	groups, err := s.userGroupsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.User, len(users))
	for _, u := range users {
		byID[u.ID] = u.user()
	}
	setByID := make(map[string]*store.ReminderSettings, len(settings))
	for _, r := range settings {
		setByID[r.UserID] = &store.ReminderSettings{UserID: r.UserID, Off: r.Off, LeadMinutes: r.LeadMinutes,
			QuietStart: r.QuietStart, QuietEnd: r.QuietEnd}
	}
	var out []store.ReminderTarget
	for _, r := range subs {
		u, ok := byID[r.UserID]
		if !ok {
			continue
		}
		if len(out) == 0 || out[len(out)-1].User.ID != r.UserID {
			out = append(out, store.ReminderTarget{User: u, Settings: setByID[r.UserID], Groups: groups[r.UserID]})
		}
		last := &out[len(out)-1]
		last.Subscriptions = append(last.Subscriptions, store.Subscription{Endpoint: r.Endpoint, UserID: r.UserID,
			P256dh: r.P256dh, Auth: r.Auth, CreatedAt: r.CreatedAt.UTC()})
	}
	return out, nil
}
