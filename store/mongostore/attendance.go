package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
)

type attendanceRec struct {
	ID      string    `bson:"_id"` // group/date/user
	GroupID string    `bson:"groupId"`
	Date    string    `bson:"date"`
	UserID  string    `bson:"userId"`
	At      time.Time `bson:"at"`
}

// SetAttendance replaces the members ticked present at a group's session
// on date. Without multi-document transactions the old ticks go first and
// the new ones are then inserted; a retry after a failure in between
// writes the whole list again.
func (s *Store) SetAttendance(ctx context.Context, groupID, date string, present []string, at time.Time) error {
	recs := make([]any, 0, len(present))
	seen := make(map[string]bool, len(present))
	for _, u := range present {
		if seen[u] {
			continue
		}
		seen[u] = true
		if _, err := s.UserByID(ctx, u); err != nil {
			return err
		}
		recs = append(recs, attendanceRec{ID: groupID + "/" + date + "/" + u, GroupID: groupID, Date: date, UserID: u, At: ms(at)})
	}
	if _, err := s.attendance.DeleteMany(ctx, bson.D{{Key: "groupId", Value: groupID}, {Key: "date", Value: date}}); err != nil {
		return mapErr("set attendance", err)
	}
	if len(recs) == 0 {
		return nil
	}
	_, err := s.attendance.InsertMany(ctx, recs)
	return mapErr("set attendance", err)
}

// AttendanceOf lists a group's ticks from one date to another.
func (s *Store) AttendanceOf(ctx context.Context, groupID, from, to string) ([]store.Attendance, error) {
	filter := bson.D{{Key: "groupId", Value: groupID}, {Key: "date", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lte", Value: to}}}}
	return s.findAttendance(ctx, "attendance", filter, bson.D{{Key: "date", Value: 1}, {Key: "userId", Value: 1}})
}

// UserAttendance lists every tick of one user.
func (s *Store) UserAttendance(ctx context.Context, userID string) ([]store.Attendance, error) {
	return s.findAttendance(ctx, "user attendance", eq("userId", userID), bson.D{{Key: "groupId", Value: 1}, {Key: "date", Value: 1}})
}

func (s *Store) findAttendance(ctx context.Context, what string, filter, sort bson.D) ([]store.Attendance, error) {
	var recs []attendanceRec
	if err := findAll(ctx, s.attendance, filter, options.Find().SetSort(sort), &recs); err != nil {
		return nil, mapErr(what, err)
	}
	out := make([]store.Attendance, len(recs))
	for i, r := range recs {
		out[i] = store.Attendance{GroupID: r.GroupID, Date: r.Date, UserID: r.UserID, At: r.At.UTC()}
	}
	return out, nil
}

// UserRSVPs lists every answer of one user.
func (s *Store) UserRSVPs(ctx context.Context, userID string) ([]store.RSVP, error) {
	var recs []rsvpRec
	opts := options.Find().SetSort(bson.D{{Key: "groupId", Value: 1}, {Key: "date", Value: 1}})
	if err := findAll(ctx, s.rsvps, eq("userId", userID), opts, &recs); err != nil {
		return nil, mapErr("user rsvps", err)
	}
	out := make([]store.RSVP, len(recs))
	for i, r := range recs {
		out[i] = store.RSVP{GroupID: r.GroupID, UserID: r.UserID, Date: r.Date, Coming: r.Coming, At: r.At.UTC()}
	}
	return out, nil
}

// ForgetMember removes one user's ticks and answers in one group.
func (s *Store) ForgetMember(ctx context.Context, groupID, userID string) error {
	filter := bson.D{{Key: "groupId", Value: groupID}, {Key: "userId", Value: userID}}
	if _, err := s.attendance.DeleteMany(ctx, filter); err != nil {
		return mapErr("forget member: attendance", err)
	}
	_, err := s.rsvps.DeleteMany(ctx, filter)
	return mapErr("forget member: answers", err)
}
