package mongostore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
)

// eq is a one-key filter or $set document.
func eq(key string, v any) bson.D { return bson.D{{Key: key, Value: v}} }

type userRec struct {
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	PasswordHash string    `bson:"passwordHash"`
	Name         string    `bson:"name"`
	Role         string    `bson:"role"`
	BirthYear    int       `bson:"birthYear"`
	HRMax        int       `bson:"hrMax"`
	Sex          string    `bson:"sex"`
	TimeZone     string    `bson:"timeZone"`
	Language     string    `bson:"language"`
	CreatedAt    time.Time `bson:"createdAt"`
	UpdatedAt    time.Time `bson:"updatedAt"`
}

func (r userRec) user() store.User {
	return store.User{ID: r.ID, Email: r.Email, PasswordHash: r.PasswordHash, Name: r.Name, Role: store.Role(r.Role),
		BirthYear: r.BirthYear, HRMax: r.HRMax, Sex: r.Sex, TimeZone: r.TimeZone, Language: r.Language,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// CreateUser stores a new account; ErrDuplicate when the id or email is taken.
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	_, err := s.users.InsertOne(ctx, userRec{ID: u.ID, Email: u.Email, PasswordHash: u.PasswordHash, Name: u.Name,
		Role: string(u.Role), BirthYear: u.BirthYear, HRMax: u.HRMax, Sex: u.Sex, TimeZone: u.TimeZone, Language: u.Language,
		CreatedAt: ms(u.CreatedAt), UpdatedAt: ms(u.UpdatedAt)})
	return mapErr("create user", err)
}

func (s *Store) findUser(ctx context.Context, filter bson.D) (store.User, error) {
	var r userRec
	if err := s.users.FindOne(ctx, filter).Decode(&r); err != nil {
		return store.User{}, mapErr("find user", err)
	}
	return r.user(), nil
}

// UserByID returns the account with that id.
func (s *Store) UserByID(ctx context.Context, id string) (store.User, error) {
	return s.findUser(ctx, eq("_id", id))
}

// UserByEmail returns the account with that (normalised) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (store.User, error) {
	return s.findUser(ctx, eq("email", email))
}

// UpdateUser replaces every field of the account but ID, Email and CreatedAt.
func (s *Store) UpdateUser(ctx context.Context, u store.User) error {
	res, err := s.users.UpdateOne(ctx, eq("_id", u.ID), eq("$set", bson.D{
		{Key: "passwordHash", Value: u.PasswordHash},
		{Key: "name", Value: u.Name},
		{Key: "role", Value: string(u.Role)},
		{Key: "birthYear", Value: u.BirthYear},
		{Key: "hrMax", Value: u.HRMax},
		{Key: "sex", Value: u.Sex},
		{Key: "timeZone", Value: u.TimeZone},
		{Key: "language", Value: u.Language},
		{Key: "updatedAt", Value: ms(u.UpdatedAt)},
	}))
	if err != nil {
		return mapErr("update user", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("mongostore: update user %s: %w", u.ID, store.ErrNotFound)
	}
	return nil
}

// DeleteUser erases the account with its memberships, refresh tokens and
// sync scope. The account record goes last, so an interrupted erase can be
// run again.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	if _, err := s.UserByID(ctx, id); err != nil {
		return err
	}
	steps := []struct {
		what string
		coll *mongo.Collection
		key  string
	}{
		{"memberships", s.memberships, "userId"},
		{"audit entries", s.audit, "userId"},
		{"reset codes", s.resets, "userId"},
		{"group session answers", s.rsvps, "userId"},
		{"group notices", s.notices(), "by"},
		{"group attendance", s.attendance, "userId"},
		{"invitations", s.invitations, "userId"},
		{"refresh tokens", s.tokens, "userId"},
		{"refresh token uses", s.tokenUses, "userId"},
		{"sync batches", s.batches, "scope"},
		{"sync documents", s.docs, "scope"},
		{"sync log", s.log, "scope"},
		{"sync compaction marks", s.horizons, "scope"},
		{"push subscriptions", s.pushSubs, "userId"},
		{"reminder settings", s.reminderSet, "_id"},
		{"reminder claims", s.claims, "userId"},
		{"user", s.users, "_id"},
	}
	s.heads.forget(id)
	for _, st := range steps {
		if _, err := st.coll.DeleteMany(ctx, eq(st.key, id)); err != nil {
			return mapErr("delete user: "+st.what, err)
		}
	}
	return nil
}

type groupRec struct {
	ID        string    `bson:"_id"`
	Name      string    `bson:"name"`
	Kind      string    `bson:"kind"`
	OwnerID   string    `bson:"ownerId"`
	CreatedAt time.Time `bson:"createdAt"`
	// ArchivedAt is absent (nil) while the group is active.
	ArchivedAt *time.Time `bson:"archivedAt,omitempty"`
	// NextStepWeeks is absent (0) until set.
	NextStepWeeks int `bson:"nextStepWeeks,omitempty"`
}

func (r groupRec) group() store.Group {
	g := store.Group{ID: r.ID, Name: r.Name, Kind: store.GroupKind(r.Kind), OwnerID: r.OwnerID, CreatedAt: r.CreatedAt.UTC(), NextStepWeeks: r.NextStepWeeks}
	if r.ArchivedAt != nil {
		g.ArchivedAt = r.ArchivedAt.UTC()
	}
	return g
}

// UpdateGroup replaces a group's name, ArchivedAt and NextStepWeeks.
func (s *Store) UpdateGroup(ctx context.Context, g store.Group) error {
	set := bson.D{{Key: "name", Value: g.Name}, {Key: "nextStepWeeks", Value: g.NextStepWeeks}}
	var update bson.D
	if g.ArchivedAt.IsZero() {
		update = bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: eq("archivedAt", "")}}
	} else {
		update = bson.D{{Key: "$set", Value: append(set, bson.E{Key: "archivedAt", Value: ms(g.ArchivedAt)})}}
	}
	res, err := s.groups.UpdateOne(ctx, eq("_id", g.ID), update)
	if err != nil {
		return mapErr("update group", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("mongostore: update group %s: %w", g.ID, store.ErrNotFound)
	}
	return nil
}

type memberRec struct {
	GroupID      string    `bson:"groupId"`
	UserID       string    `bson:"userId"`
	JoinedAt     time.Time `bson:"joinedAt"`
	ShareHistory bool      `bson:"shareHistory"`
	ShareNotes   bool      `bson:"shareNotes"`
	// What a peer group's member shows the others; absent before there
	// was any (false).
	ShareTrained  bool `bson:"shareTrained"`
	ShareSessions bool `bson:"shareSessions"`
}

func (r memberRec) sharing() store.Sharing {
	return store.Sharing{History: r.ShareHistory, Notes: r.ShareNotes, Trained: r.ShareTrained, Sessions: r.ShareSessions}
}

// CreateGroup stores a new group; ErrDuplicate when the id is taken.
func (s *Store) CreateGroup(ctx context.Context, g store.Group) error {
	_, err := s.groups.InsertOne(ctx, groupRec{ID: g.ID, Name: g.Name, Kind: string(g.Kind), OwnerID: g.OwnerID, CreatedAt: ms(g.CreatedAt), NextStepWeeks: g.NextStepWeeks})
	return mapErr("create group", err)
}

// GroupByID returns the group with that id.
func (s *Store) GroupByID(ctx context.Context, id string) (store.Group, error) {
	var r groupRec
	if err := s.groups.FindOne(ctx, eq("_id", id)).Decode(&r); err != nil {
		return store.Group{}, mapErr("find group", err)
	}
	return r.group(), nil
}

// AddMember adds a user to a group; adding again keeps the first JoinedAt.
// ErrNotFound when the group or the user does not exist.
func (s *Store) AddMember(ctx context.Context, m store.Membership) error {
	if _, err := s.GroupByID(ctx, m.GroupID); err != nil {
		return err
	}
	if _, err := s.UserByID(ctx, m.UserID); err != nil {
		return err
	}
	_, err := s.memberships.UpdateOne(ctx,
		bson.D{{Key: "groupId", Value: m.GroupID}, {Key: "userId", Value: m.UserID}},
		eq("$setOnInsert", bson.D{{Key: "joinedAt", Value: ms(m.JoinedAt)}, {Key: "shareHistory", Value: m.Sharing.History}, {Key: "shareNotes", Value: m.Sharing.Notes},
			{Key: "shareTrained", Value: m.Sharing.Trained}, {Key: "shareSessions", Value: m.Sharing.Sessions}}),
		options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		return nil // a concurrent AddMember inserted it first
	}
	return mapErr("add member", err)
}

// RemoveMember takes a user out of a group; ErrNotFound when not a member.
func (s *Store) RemoveMember(ctx context.Context, groupID, userID string) error {
	res, err := s.memberships.DeleteOne(ctx, bson.D{{Key: "groupId", Value: groupID}, {Key: "userId", Value: userID}})
	if err != nil {
		return mapErr("remove member", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("mongostore: remove member %s from %s: %w", userID, groupID, store.ErrNotFound)
	}
	return nil
}

// Members lists a group's members, longest-standing first.
func (s *Store) Members(ctx context.Context, groupID string) ([]store.Membership, error) {
	var recs []memberRec
	opts := options.Find().SetSort(bson.D{{Key: "joinedAt", Value: 1}, {Key: "userId", Value: 1}})
	if err := findAll(ctx, s.memberships, eq("groupId", groupID), opts, &recs); err != nil {
		return nil, mapErr("members", err)
	}
	out := make([]store.Membership, len(recs))
	for i, r := range recs {
		out[i] = store.Membership{GroupID: r.GroupID, UserID: r.UserID, JoinedAt: r.JoinedAt.UTC(), Sharing: r.sharing()}
	}
	return out, nil
}

// SetSharing changes what a member shares; ErrNotFound when the user is
// no member of the group.
func (s *Store) SetSharing(ctx context.Context, groupID, userID string, sh store.Sharing) error {
	res, err := s.memberships.UpdateOne(ctx,
		bson.D{{Key: "groupId", Value: groupID}, {Key: "userId", Value: userID}},
		eq("$set", bson.D{{Key: "shareHistory", Value: sh.History}, {Key: "shareNotes", Value: sh.Notes},
			{Key: "shareTrained", Value: sh.Trained}, {Key: "shareSessions", Value: sh.Sessions}}))
	if err != nil {
		return mapErr("set sharing", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("mongostore: set sharing of %s in %s: %w", userID, groupID, store.ErrNotFound)
	}
	return nil
}

type auditRec struct {
	UserID    string    `bson:"userId"`
	At        time.Time `bson:"at"`
	ActorID   string    `bson:"actorId"`
	ActorName string    `bson:"actorName"`
	What      string    `bson:"what"`
}

// AppendAudit inserts the entries. Without transactions a failed insert
// may leave some of them recorded: the caller then shows nothing, so the
// log holds at worst a read that did not happen, never misses one.
func (s *Store) AppendAudit(ctx context.Context, entries []store.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	recs := make([]auditRec, len(entries))
	for i, e := range entries {
		recs[i] = auditRec{UserID: e.UserID, At: ms(e.At), ActorID: e.ActorID, ActorName: e.ActorName, What: e.What}
	}
	_, err := s.audit.InsertMany(ctx, recs)
	return mapErr("append audit", err)
}

// AuditOf lists the entries about a user, newest first.
func (s *Store) AuditOf(ctx context.Context, userID string) ([]store.AuditEntry, error) {
	var recs []auditRec
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
	if err := findAll(ctx, s.audit, eq("userId", userID), opts, &recs); err != nil {
		return nil, mapErr("audit", err)
	}
	out := make([]store.AuditEntry, len(recs))
	for i, r := range recs {
		out[i] = store.AuditEntry{UserID: r.UserID, At: r.At.UTC(), ActorID: r.ActorID, ActorName: r.ActorName, What: r.What}
	}
	return out, nil
}

// UserGroups lists the groups a user leads or belongs to, oldest first (by
// JoinedAt; CreatedAt for groups the user leads).
func (s *Store) UserGroups(ctx context.Context, userID string) ([]store.UserGroup, error) {
	groups, err := s.userGroupsOf(ctx, []string{userID})
	return groups[userID], err
}

// userGroupsOf reads the groups of each of users (UserGroups) in three
// queries, however many users.
func (s *Store) userGroupsOf(ctx context.Context, users []string) (map[string][]store.UserGroup, error) {
	var owned []groupRec
	if err := findAll(ctx, s.groups, eq("ownerId", eq("$in", users)), nil, &owned); err != nil {
		return nil, mapErr("user groups", err)
	}
	var member []memberRec
	if err := findAll(ctx, s.memberships, eq("userId", eq("$in", users)), nil, &member); err != nil {
		return nil, mapErr("user groups", err)
	}
	byUser := make(map[string]map[string]store.UserGroup, len(users))
	add := func(user string, ug store.UserGroup) {
		if byUser[user] == nil {
			byUser[user] = map[string]store.UserGroup{}
		}
		byUser[user][ug.ID] = ug
	}
	for _, g := range owned {
		add(g.OwnerID, store.UserGroup{Group: g.group(), Owner: true, JoinedAt: g.CreatedAt.UTC()})
	}
	var ids []string
	for _, m := range member {
		ids = append(ids, m.GroupID)
	}
	groups := map[string]groupRec{}
	if len(ids) > 0 {
		var recs []groupRec
		if err := findAll(ctx, s.groups, eq("_id", eq("$in", ids)), nil, &recs); err != nil {
			return nil, mapErr("user groups", err)
		}
		for _, g := range recs {
			groups[g.ID] = g
		}
	}
	for _, m := range member {
		g, ok := groups[m.GroupID]
		if !ok || g.OwnerID == m.UserID {
			continue // gone meanwhile, or the member's own group
		}
		add(m.UserID, store.UserGroup{Group: g.group(), JoinedAt: m.JoinedAt.UTC(), Sharing: m.sharing()})
	}
	out := make(map[string][]store.UserGroup, len(byUser))
	for user, byID := range byUser {
		list := make([]store.UserGroup, 0, len(byID))
		for _, ug := range byID {
			list = append(list, ug)
		}
		sort.Slice(list, func(i, j int) bool {
			if !list[i].JoinedAt.Equal(list[j].JoinedAt) {
				return list[i].JoinedAt.Before(list[j].JoinedAt)
			}
			return list[i].ID < list[j].ID
		})
		out[user] = list
	}
	return out, nil
}

type inviteRec struct {
	Code      string     `bson:"_id"`
	Role      string     `bson:"role"`
	GroupID   string     `bson:"groupId"`
	CreatedBy string     `bson:"createdBy"`
	CreatedAt time.Time  `bson:"createdAt"`
	ExpiresAt time.Time  `bson:"expiresAt"`
	MaxUses   int        `bson:"maxUses"`
	Uses      int        `bson:"uses"` // uses when created; later ones are inviteUseRecs
	RevokedAt *time.Time `bson:"revokedAt"`
}

func (r inviteRec) invite(uses int) store.Invite {
	return store.Invite{Code: r.Code, Role: store.Role(r.Role), GroupID: r.GroupID, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), MaxUses: r.MaxUses, Uses: r.Uses + uses, RevokedAt: fromOpt(r.RevokedAt)}
}

// inviteUseRec is the n-th use of an invite. Its _id is code#n, so two
// concurrent uses cannot both take the same n.
type inviteUseRec struct {
	ID     string    `bson:"_id"`
	Code   string    `bson:"code"`
	N      int       `bson:"n"`
	UsedAt time.Time `bson:"usedAt"`
}

// CreateInvite stores a new invite; ErrDuplicate when the code is taken.
func (s *Store) CreateInvite(ctx context.Context, inv store.Invite) error {
	_, err := s.invites.InsertOne(ctx, inviteRec{Code: inv.Code, Role: string(inv.Role), GroupID: inv.GroupID,
		CreatedBy: inv.CreatedBy, CreatedAt: ms(inv.CreatedAt), ExpiresAt: ms(inv.ExpiresAt), MaxUses: inv.MaxUses,
		Uses: inv.Uses, RevokedAt: optTime(inv.RevokedAt)})
	return mapErr("create invite", err)
}

// inviteByCode returns the invite record and how many uses were recorded.
func (s *Store) inviteByCode(ctx context.Context, code string) (inviteRec, int, error) {
	var r inviteRec
	if err := s.invites.FindOne(ctx, eq("_id", code)).Decode(&r); err != nil {
		return r, 0, mapErr("find invite", err)
	}
	n, err := s.inviteUses.CountDocuments(ctx, eq("code", code))
	if err != nil {
		return r, 0, mapErr("count invite uses", err)
	}
	return r, int(n), nil
}

// InviteByCode returns the invite with that code, usable or not.
func (s *Store) InviteByCode(ctx context.Context, code string) (store.Invite, error) {
	r, uses, err := s.inviteByCode(ctx, code)
	if err != nil {
		return store.Invite{}, err
	}
	return r.invite(uses), nil
}

// maxInviteRaces bounds how often UseInvite retries after losing a use
// number to a concurrent use.
const maxInviteRaces = 1000

// UseInvite counts one use of a usable invite by inserting its next use
// record (code#n, unique): of concurrent uses each gets its own n, and no n
// beyond MaxUses is ever taken.
func (s *Store) UseInvite(ctx context.Context, code string, now time.Time) (store.Invite, error) {
	r, uses, err := s.inviteByCode(ctx, code)
	if err != nil {
		return store.Invite{}, err
	}
	if r.RevokedAt != nil || !now.Before(r.ExpiresAt) {
		return store.Invite{}, fmt.Errorf("mongostore: use invite: revoked or expired: %w", store.ErrNotFound)
	}
	for n := r.Uses + uses + 1; n <= r.Uses+uses+maxInviteRaces; n++ {
		if r.MaxUses > 0 && n > r.MaxUses {
			return store.Invite{}, fmt.Errorf("mongostore: use invite: used up: %w", store.ErrNotFound)
		}
		_, err := s.inviteUses.InsertOne(ctx, inviteUseRec{ID: fmt.Sprintf("%s#%d", code, n), Code: code, N: n, UsedAt: ms(now)})
		if mongo.IsDuplicateKeyError(err) {
			continue // taken by a concurrent use: try the next
		}
		if err != nil {
			return store.Invite{}, mapErr("use invite", err)
		}
		return r.invite(n - r.Uses), nil
	}
	return store.Invite{}, fmt.Errorf("mongostore: use invite: %w", store.ErrConflict)
}

// RevokeInvite marks an invite revoked; revoking again keeps the first time.
func (s *Store) RevokeInvite(ctx context.Context, code string, now time.Time) error {
	res, err := s.invites.UpdateOne(ctx, bson.D{{Key: "_id", Value: code}, {Key: "revokedAt", Value: nil}},
		eq("$set", eq("revokedAt", ms(now))))
	if err != nil {
		return mapErr("revoke invite", err)
	}
	if res.MatchedCount == 0 {
		_, err := s.InviteByCode(ctx, code)
		return err
	}
	return nil
}

// InvitesBy lists the invites a user created, newest first.
func (s *Store) InvitesBy(ctx context.Context, userID string) ([]store.Invite, error) {
	var recs []inviteRec
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}})
	if err := findAll(ctx, s.invites, eq("createdBy", userID), opts, &recs); err != nil {
		return nil, mapErr("invites by", err)
	}
	out := make([]store.Invite, len(recs))
	for i, r := range recs {
		n, err := s.inviteUses.CountDocuments(ctx, eq("code", r.Code))
		if err != nil {
			return nil, mapErr("count invite uses", err)
		}
		out[i] = r.invite(int(n))
	}
	return out, nil
}

type tokenRec struct {
	Hash      string     `bson:"_id"`
	UserID    string     `bson:"userId"`
	Family    string     `bson:"family"`
	CreatedAt time.Time  `bson:"createdAt"`
	ExpiresAt time.Time  `bson:"expiresAt"`
	RevokedAt *time.Time `bson:"revokedAt"`
}

func (r tokenRec) token(usedAt time.Time) store.RefreshToken {
	return store.RefreshToken{Hash: r.Hash, UserID: r.UserID, Family: r.Family, CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), UsedAt: usedAt, RevokedAt: fromOpt(r.RevokedAt)}
}

// tokenUseRec records that a refresh token was used. Its _id is the token
// hash, so of concurrent uses exactly one can insert it.
type tokenUseRec struct {
	Hash   string    `bson:"_id"`
	UserID string    `bson:"userId"`
	UsedAt time.Time `bson:"usedAt"`
}

// CreateRefreshToken stores a new refresh token; ErrDuplicate when the hash is taken.
func (s *Store) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	_, err := s.tokens.InsertOne(ctx, tokenRec{Hash: t.Hash, UserID: t.UserID, Family: t.Family,
		CreatedAt: ms(t.CreatedAt), ExpiresAt: ms(t.ExpiresAt), RevokedAt: optTime(t.RevokedAt)})
	if err != nil {
		return mapErr("create refresh token", err)
	}
	if !t.UsedAt.IsZero() {
		_, err = s.tokenUses.InsertOne(ctx, tokenUseRec{Hash: t.Hash, UserID: t.UserID, UsedAt: ms(t.UsedAt)})
	}
	return mapErr("create refresh token", err)
}

// UseRefreshToken marks an unused, unrevoked, unexpired token used by
// inserting its use record, so of concurrent uses exactly one succeeds. A
// token used before comes back with ErrTokenReused (even when revoked or
// expired since); anything else that cannot be used is ErrNotFound.
func (s *Store) UseRefreshToken(ctx context.Context, hash string, now time.Time) (store.RefreshToken, error) {
	var r tokenRec
	if err := s.tokens.FindOne(ctx, eq("_id", hash)).Decode(&r); err != nil {
		return store.RefreshToken{}, mapErr("use refresh token", err)
	}
	reused := func() (store.RefreshToken, error) {
		var u tokenUseRec
		if err := s.tokenUses.FindOne(ctx, eq("_id", hash)).Decode(&u); err != nil {
			return store.RefreshToken{}, mapErr("use refresh token", err)
		}
		return r.token(u.UsedAt.UTC()), fmt.Errorf("mongostore: use refresh token: %w", store.ErrTokenReused)
	}
	n, err := s.tokenUses.CountDocuments(ctx, eq("_id", hash))
	if err != nil {
		return store.RefreshToken{}, mapErr("use refresh token", err)
	}
	if n > 0 {
		return reused()
	}
	if r.RevokedAt != nil || !now.Before(r.ExpiresAt) {
		return store.RefreshToken{}, fmt.Errorf("mongostore: use refresh token: revoked or expired: %w", store.ErrNotFound)
	}
	_, err = s.tokenUses.InsertOne(ctx, tokenUseRec{Hash: hash, UserID: r.UserID, UsedAt: ms(now)})
	if mongo.IsDuplicateKeyError(err) {
		return reused() // a concurrent use won
	}
	if err != nil {
		return store.RefreshToken{}, mapErr("use refresh token", err)
	}
	return r.token(ms(now)), nil
}

func (s *Store) revokeTokens(ctx context.Context, key, value string, now time.Time) (matched int64, err error) {
	res, err := s.tokens.UpdateMany(ctx, bson.D{{Key: key, Value: value}, {Key: "revokedAt", Value: nil}},
		eq("$set", eq("revokedAt", ms(now))))
	if err != nil {
		return 0, mapErr("revoke refresh tokens", err)
	}
	return res.MatchedCount, nil
}

// RevokeRefreshToken revokes one token; ErrNotFound when there is no such token.
func (s *Store) RevokeRefreshToken(ctx context.Context, hash string, now time.Time) error {
	n, err := s.revokeTokens(ctx, "_id", hash, now)
	if err != nil || n > 0 {
		return err
	}
	var r tokenRec
	return mapErr("revoke refresh token", s.tokens.FindOne(ctx, eq("_id", hash)).Decode(&r))
}

// RevokeRefreshFamily revokes every token of a login's family.
func (s *Store) RevokeRefreshFamily(ctx context.Context, family string, now time.Time) error {
	_, err := s.revokeTokens(ctx, "family", family, now)
	return err
}

// RevokeUserRefreshTokens revokes every token of a user.
func (s *Store) RevokeUserRefreshTokens(ctx context.Context, userID string, now time.Time) error {
	_, err := s.revokeTokens(ctx, "userId", userID, now)
	return err
}

// findAll runs a query and decodes every result into out (a pointer to a slice).
func findAll(ctx context.Context, coll *mongo.Collection, filter bson.D, opts *options.FindOptionsBuilder, out any) error {
	var cur *mongo.Cursor
	var err error
	if opts != nil {
		cur, err = coll.Find(ctx, filter, opts)
	} else {
		cur, err = coll.Find(ctx, filter)
	}
	if err != nil {
		return err
	}
	return cur.All(ctx, out)
}

// Staff lists the accounts that are not patients, oldest first.
func (s *Store) Staff(ctx context.Context) ([]store.User, error) {
	var recs []userRec
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}})
	if err := findAll(ctx, s.users, eq("role", eq("$ne", string(store.RolePatient))), opts, &recs); err != nil {
		return nil, mapErr("staff", err)
	}
	out := make([]store.User, len(recs))
	for i, r := range recs {
		out[i] = r.user()
	}
	return out, nil
}

type resetRec struct {
	Hash      string    `bson:"_id"`
	UserID    string    `bson:"userId"`
	CreatedBy string    `bson:"createdBy"`
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// CreateResetCode stores a reset code in place of the user's earlier ones.
// The earlier ones go first: between the two writes the user has no code,
// never two.
func (s *Store) CreateResetCode(ctx context.Context, c store.ResetCode) error {
	if _, err := s.resets.DeleteMany(ctx, eq("userId", c.UserID)); err != nil {
		return mapErr("create reset code", err)
	}
	_, err := s.resets.InsertOne(ctx, resetRec{Hash: c.Hash, UserID: c.UserID, CreatedBy: c.CreatedBy, CreatedAt: ms(c.CreatedAt), ExpiresAt: ms(c.ExpiresAt)})
	return mapErr("create reset code", err)
}

// UseResetCode removes an unexpired code and returns it. The delete is
// what claims the code: of two concurrent uses only one deletes it.
func (s *Store) UseResetCode(ctx context.Context, hash string, now time.Time) (store.ResetCode, error) {
	var r resetRec
	if err := s.resets.FindOne(ctx, eq("_id", hash)).Decode(&r); err != nil {
		return store.ResetCode{}, mapErr("use reset code", err)
	}
	if !now.Before(r.ExpiresAt) {
		return store.ResetCode{}, fmt.Errorf("mongostore: reset code expired: %w", store.ErrNotFound)
	}
	res, err := s.resets.DeleteOne(ctx, eq("_id", hash))
	if err != nil {
		return store.ResetCode{}, mapErr("use reset code", err)
	}
	if res.DeletedCount == 0 {
		return store.ResetCode{}, fmt.Errorf("mongostore: reset code used meanwhile: %w", store.ErrNotFound)
	}
	return store.ResetCode{Hash: r.Hash, UserID: r.UserID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}, nil
}
