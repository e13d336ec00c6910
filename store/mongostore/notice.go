package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
)

// noticeRec is a group's notice, _id = group id.
type noticeRec struct {
	GroupID  string    `bson:"_id"`
	Text     string    `bson:"text"`
	PostedAt time.Time `bson:"postedAt"`
	By       string    `bson:"by"`
}

// notices is the collection of the groups' notices.
func (s *Store) notices() *mongo.Collection { return s.db.Collection("group_notices") }

// SetNotice creates or replaces a group's notice; the group and the
// poster must exist.
func (s *Store) SetNotice(ctx context.Context, n store.GroupNotice) error {
	if _, err := s.GroupByID(ctx, n.GroupID); err != nil {
		return err
	}
	if _, err := s.UserByID(ctx, n.By); err != nil {
		return err
	}
	_, err := s.notices().ReplaceOne(ctx, eq("_id", n.GroupID), noticeRec{GroupID: n.GroupID, Text: n.Text,
		PostedAt: ms(n.PostedAt), By: n.By}, options.Replace().SetUpsert(true))
	return mapErr("set notice", err)
}

// DeleteNotice removes a group's notice, if it has one.
func (s *Store) DeleteNotice(ctx context.Context, groupID string) error {
	_, err := s.notices().DeleteOne(ctx, eq("_id", groupID))
	return mapErr("delete notice", err)
}

// NoticeOf returns a group's notice.
func (s *Store) NoticeOf(ctx context.Context, groupID string) (store.GroupNotice, error) {
	var r noticeRec
	if err := s.notices().FindOne(ctx, eq("_id", groupID)).Decode(&r); err != nil {
		return store.GroupNotice{}, mapErr("notice", err)
	}
	return store.GroupNotice{GroupID: r.GroupID, Text: r.Text, PostedAt: r.PostedAt.UTC(), By: r.By}, nil
}
