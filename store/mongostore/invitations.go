package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
)

type invitationRec struct {
	Key         string    `bson:"_id"` // user/group: one per patient and peer group
	ID          string    `bson:"id"`
	UserID      string    `bson:"userId"`
	GroupID     string    `bson:"groupId"`
	Code        string    `bson:"code"`
	FromGroupID string    `bson:"fromGroupId"`
	InvitedBy   string    `bson:"invitedBy"`
	CreatedAt   time.Time `bson:"createdAt"`
}

// SaveInvitation stores an invitation, replacing the one of the same user
// and group: the _id is that natural key.
func (s *Store) SaveInvitation(ctx context.Context, inv store.Invitation) error {
	if _, err := s.UserByID(ctx, inv.UserID); err != nil {
		return err
	}
	if _, err := s.GroupByID(ctx, inv.GroupID); err != nil {
		return err
	}
	key := inv.UserID + "/" + inv.GroupID
	_, err := s.invitations.ReplaceOne(ctx, eq("_id", key), invitationRec{Key: key, ID: inv.ID, UserID: inv.UserID,
		GroupID: inv.GroupID, Code: inv.Code, FromGroupID: inv.FromGroupID, InvitedBy: inv.InvitedBy, CreatedAt: ms(inv.CreatedAt)},
		options.Replace().SetUpsert(true))
	return mapErr("save invitation", err)
}

// InvitationsOf lists a user's invitations, newest first.
func (s *Store) InvitationsOf(ctx context.Context, userID string) ([]store.Invitation, error) {
	cur, err := s.invitations.Find(ctx, eq("userId", userID),
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "id", Value: 1}}))
	if err != nil {
		return nil, mapErr("invitations", err)
	}
	var recs []invitationRec
	if err := cur.All(ctx, &recs); err != nil {
		return nil, mapErr("invitations", err)
	}
	out := make([]store.Invitation, len(recs))
	for i, r := range recs {
		out[i] = store.Invitation{ID: r.ID, UserID: r.UserID, GroupID: r.GroupID, Code: r.Code,
			FromGroupID: r.FromGroupID, InvitedBy: r.InvitedBy, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// DeleteInvitation removes one of the user's invitations.
func (s *Store) DeleteInvitation(ctx context.Context, userID, id string) error {
	res, err := s.invitations.DeleteOne(ctx, bson.D{{Key: "userId", Value: userID}, {Key: "id", Value: id}})
	if err != nil {
		return mapErr("delete invitation", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("mongostore: delete invitation %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// DeleteGroupInvitations removes every invitation to a group.
func (s *Store) DeleteGroupInvitations(ctx context.Context, groupID string) error {
	_, err := s.invitations.DeleteMany(ctx, eq("groupId", groupID))
	return mapErr("delete group invitations", err)
}
