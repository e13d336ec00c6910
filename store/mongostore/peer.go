package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
)

type scheduleRec struct {
	GroupID   string    `bson:"_id"`
	Weekday   int       `bson:"weekday"`
	Time      string    `bson:"time"`
	Place     string    `bson:"place"`
	Note      string    `bson:"note"`
	TimeZone  string    `bson:"timeZone"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

// SetSchedule creates or replaces the weekly session of a group; the
// group must exist.
func (s *Store) SetSchedule(ctx context.Context, sc store.Schedule) error {
	if _, err := s.GroupByID(ctx, sc.GroupID); err != nil {
		return err
	}
	_, err := s.schedules.ReplaceOne(ctx, eq("_id", sc.GroupID), scheduleRec{GroupID: sc.GroupID, Weekday: sc.Weekday,
		Time: sc.Time, Place: sc.Place, Note: sc.Note, TimeZone: sc.TimeZone, UpdatedAt: ms(sc.UpdatedAt)},
		options.Replace().SetUpsert(true))
	return mapErr("set schedule", err)
}

// ScheduleOf returns a group's weekly session.
func (s *Store) ScheduleOf(ctx context.Context, groupID string) (store.Schedule, error) {
	var r scheduleRec
	if err := s.schedules.FindOne(ctx, eq("_id", groupID)).Decode(&r); err != nil {
		return store.Schedule{}, mapErr("schedule", err)
	}
	return store.Schedule{GroupID: r.GroupID, Weekday: r.Weekday, Time: r.Time, Place: r.Place, Note: r.Note,
		TimeZone: r.TimeZone, UpdatedAt: r.UpdatedAt.UTC()}, nil
}

type rsvpRec struct {
	ID      string    `bson:"_id"` // group/date/user
	GroupID string    `bson:"groupId"`
	Date    string    `bson:"date"`
	UserID  string    `bson:"userId"`
	Coming  bool      `bson:"coming"`
	At      time.Time `bson:"at"`
}

// SetRSVP creates or replaces a member's answer for one date. The _id is
// the natural key, so a repeated answer replaces the first.
func (s *Store) SetRSVP(ctx context.Context, r store.RSVP) error {
	if _, err := s.UserByID(ctx, r.UserID); err != nil {
		return err
	}
	id := r.GroupID + "/" + r.Date + "/" + r.UserID
	_, err := s.rsvps.ReplaceOne(ctx, eq("_id", id), rsvpRec{ID: id, GroupID: r.GroupID, Date: r.Date, UserID: r.UserID,
		Coming: r.Coming, At: ms(r.At)}, options.Replace().SetUpsert(true))
	return mapErr("set rsvp", err)
}

// RSVPs lists the answers for one date of a group, oldest first.
func (s *Store) RSVPs(ctx context.Context, groupID, date string) ([]store.RSVP, error) {
	cur, err := s.rsvps.Find(ctx, bson.D{{Key: "groupId", Value: groupID}, {Key: "date", Value: date}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "userId", Value: 1}}))
	if err != nil {
		return nil, mapErr("rsvps", err)
	}
	var recs []rsvpRec
	if err := cur.All(ctx, &recs); err != nil {
		return nil, mapErr("rsvps", err)
	}
	out := make([]store.RSVP, len(recs))
	for i, r := range recs {
		out[i] = store.RSVP{GroupID: r.GroupID, UserID: r.UserID, Date: r.Date, Coming: r.Coming, At: r.At.UTC()}
	}
	return out, nil
}
