package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
)

// sessionChangeRec is one changed date of a group's weekly session. The
// _id is "<group id>/<date>": the natural key, and dates sort as text, so
// a group's changes in a range are one range of _id with no other index.
type sessionChangeRec struct {
	ID        string    `bson:"_id"`
	GroupID   string    `bson:"groupId"`
	Date      string    `bson:"date"`
	Cancelled bool      `bson:"cancelled"`
	Reason    string    `bson:"reason"`
	MovedTo   string    `bson:"movedTo"`
	Time      string    `bson:"time"`
	Place     string    `bson:"place"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

func (s *Store) sessionChanges() *mongo.Collection { return s.db.Collection("group_session_changes") }

// SetSessionChange creates or replaces the change of one date of a
// group's weekly session; the group must exist.
func (s *Store) SetSessionChange(ctx context.Context, c store.SessionChange) error {
	if _, err := s.GroupByID(ctx, c.GroupID); err != nil {
		return err
	}
	id := c.GroupID + "/" + c.Date
	_, err := s.sessionChanges().ReplaceOne(ctx, eq("_id", id), sessionChangeRec{ID: id, GroupID: c.GroupID, Date: c.Date,
		Cancelled: c.Cancelled, Reason: c.Reason, MovedTo: c.MovedTo, Time: c.Time, Place: c.Place, UpdatedAt: ms(c.UpdatedAt)},
		options.Replace().SetUpsert(true))
	return mapErr("set session change", err)
}

// DeleteSessionChange removes the change of one date.
func (s *Store) DeleteSessionChange(ctx context.Context, groupID, date string) error {
	res, err := s.sessionChanges().DeleteOne(ctx, eq("_id", groupID+"/"+date))
	if err != nil {
		return mapErr("delete session change", err)
	}
	if res.DeletedCount == 0 {
		return mapErr("delete session change", mongo.ErrNoDocuments)
	}
	return nil
}

// SessionChanges lists a group's changes for dates from through until.
func (s *Store) SessionChanges(ctx context.Context, groupID, from, until string) ([]store.SessionChange, error) {
	filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: groupID + "/" + from}, {Key: "$lte", Value: groupID + "/" + until}}}}
	cur, err := s.sessionChanges().Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapErr("session changes", err)
	}
	var recs []sessionChangeRec
	if err := cur.All(ctx, &recs); err != nil {
		return nil, mapErr("session changes", err)
	}
	out := make([]store.SessionChange, 0, len(recs))
	for _, r := range recs {
		if r.GroupID != groupID { // an id that merely shares the prefix
			continue
		}
		out = append(out, store.SessionChange{GroupID: r.GroupID, Date: r.Date, Cancelled: r.Cancelled, Reason: r.Reason,
			MovedTo: r.MovedTo, Time: r.Time, Place: r.Place, UpdatedAt: r.UpdatedAt.UTC()})
	}
	return out, nil
}
