package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/hit4x4/dagbok/store"
)

// userByIDSQL reads an account by ID; the store prepares it once.
const userByIDSQL = "SELECT " + userCols + " FROM users WHERE id = ?"

const userCols = "id, email, password_hash, name, role, birth_year, hr_max, sex, time_zone, language, created_at, updated_at"

func scanUser(row interface{ Scan(...any) error }) (store.User, error) {
	var u store.User
	var created, updated int64
	err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Name, &u.Role, &u.BirthYear, &u.HRMax,
		&u.Sex, &u.TimeZone, &u.Language, &created, &updated)
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return u, err
}

// CreateUser adds an account; ErrDuplicate when the id or email is taken.
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	_, err := s.w.ExecContext(ctx, "INSERT INTO users ("+userCols+") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
		u.ID, u.Email, u.PasswordHash, u.Name, u.Role, u.BirthYear, u.HRMax, u.Sex, u.TimeZone, u.Language,
		ms(u.CreatedAt), ms(u.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlitestore: create user: %w", mapErr(err))
	}
	return nil
}

// UserByID returns the account with that id.
func (s *Store) UserByID(ctx context.Context, id string) (store.User, error) {
	// Every authenticated request runs this key lookup.
	ctx, err := uninterrupted(ctx)
	if err != nil {
		return store.User{}, fmt.Errorf("sqlitestore: user: %w", err)
	}
	u, err := scanUser(s.userByID.QueryRowContext(ctx, id))
	if err != nil {
		return store.User{}, notFound(err, "user")
	}
	return u, nil
}

// UserByEmail returns the account with that (normalised) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (store.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE email = ?", email))
	if err != nil {
		return store.User{}, notFound(err, "user")
	}
	return u, nil
}

// UpdateUser replaces every field of the account but ID, Email and CreatedAt.
func (s *Store) UpdateUser(ctx context.Context, u store.User) error {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET password_hash = ?, name = ?, role = ?, birth_year = ?,
		hr_max = ?, sex = ?, time_zone = ?, language = ?, updated_at = ? WHERE id = ?`,
		u.PasswordHash, u.Name, u.Role, u.BirthYear, u.HRMax, u.Sex, u.TimeZone, u.Language, ms(u.UpdatedAt), u.ID)
	return affectedOne(res, err, "update user")
}

// DeleteUser erases the account with its memberships, refresh tokens and
// every document, log entry and batch of its sync scope, in one transaction.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Memberships and refresh tokens go by ON DELETE CASCADE.
		res, err := tx.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id)
		if err := affectedOne(res, err, "delete user"); err != nil {
			return err
		}
		for _, table := range []string{"sync_doc", "sync_log", "sync_batch", "sync_scope"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE scope = ?", id); err != nil {
				return fmt.Errorf("sqlitestore: delete user: %s: %w", table, err)
			}
		}
		return nil
	})
}

// affectedOne checks that an UPDATE or DELETE hit a row.
func affectedOne(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("sqlitestore: %s: %w", what, mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlitestore: %s: %w", what, store.ErrNotFound)
	}
	return nil
}

// CreateGroup adds a group; ErrDuplicate when the id is taken.
func (s *Store) CreateGroup(ctx context.Context, g store.Group) error {
	_, err := s.w.ExecContext(ctx, "INSERT INTO grp (id, name, kind, owner_id, created_at, next_step_weeks) VALUES (?,?,?,?,?,?)",
		g.ID, g.Name, g.Kind, g.OwnerID, ms(g.CreatedAt), g.NextStepWeeks)
	if err != nil {
		return fmt.Errorf("sqlitestore: create group: %w", mapErr(err))
	}
	return nil
}

// GroupByID returns the group with that id.
func (s *Store) GroupByID(ctx context.Context, id string) (store.Group, error) {
	var g store.Group
	var created int64
	var archived int64
	err := s.r.QueryRowContext(ctx, "SELECT id, name, kind, owner_id, created_at, archived_at, next_step_weeks FROM grp WHERE id = ?", id).
		Scan(&g.ID, &g.Name, &g.Kind, &g.OwnerID, &created, &archived, &g.NextStepWeeks)
	if err != nil {
		return store.Group{}, notFound(err, "group")
	}
	g.CreatedAt, g.ArchivedAt = fromMS(created), fromMS(archived)
	return g, nil
}

// UpdateGroup replaces a group's name, ArchivedAt and NextStepWeeks.
func (s *Store) UpdateGroup(ctx context.Context, g store.Group) error {
	res, err := s.w.ExecContext(ctx, "UPDATE grp SET name = ?, archived_at = ?, next_step_weeks = ? WHERE id = ?",
		g.Name, ms(g.ArchivedAt), g.NextStepWeeks, g.ID)
	return affectedOne(res, err, "update group")
}

// AddMember makes the user a member of the group; joining twice keeps the
// first JoinedAt. ErrNotFound when the group or the user does not exist.
func (s *Store) AddMember(ctx context.Context, m store.Membership) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO membership (group_id, user_id, joined_at, share_history, share_notes, share_trained, share_sessions) VALUES (?,?,?,?,?,?,?)
		ON CONFLICT (group_id, user_id) DO NOTHING`, m.GroupID, m.UserID, ms(m.JoinedAt), m.Sharing.History, m.Sharing.Notes, m.Sharing.Trained, m.Sharing.Sessions)
	if err != nil {
		return fmt.Errorf("sqlitestore: add member: %w", mapErr(err))
	}
	return nil
}

// RemoveMember ends a membership; ErrNotFound when there was none.
func (s *Store) RemoveMember(ctx context.Context, groupID, userID string) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM membership WHERE group_id = ? AND user_id = ?", groupID, userID)
	return affectedOne(res, err, "remove member")
}

// Members lists a group's members, longest-standing first.
func (s *Store) Members(ctx context.Context, groupID string) ([]store.Membership, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT group_id, user_id, joined_at, share_history, share_notes, share_trained, share_sessions FROM membership
		WHERE group_id = ? ORDER BY joined_at, user_id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: members: %w", err)
	}
	defer rows.Close()
	var out []store.Membership
	for rows.Next() {
		var m store.Membership
		var joined int64
		if err := rows.Scan(&m.GroupID, &m.UserID, &joined, &m.Sharing.History, &m.Sharing.Notes, &m.Sharing.Trained, &m.Sharing.Sessions); err != nil {
			return nil, fmt.Errorf("sqlitestore: members: %w", err)
		}
		m.JoinedAt = fromMS(joined)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: members: %w", err)
	}
	return out, nil
}

// SetSharing changes what a member shares; ErrNotFound when the user is
// no member of the group.
func (s *Store) SetSharing(ctx context.Context, groupID, userID string, sh store.Sharing) error {
	res, err := s.w.ExecContext(ctx, `UPDATE membership SET share_history = ?, share_notes = ?, share_trained = ?, share_sessions = ?
		WHERE group_id = ? AND user_id = ?`, sh.History, sh.Notes, sh.Trained, sh.Sessions, groupID, userID)
	return affectedOne(res, err, "set sharing")
}

// AppendAudit records entries in one transaction.
func (s *Store) AppendAudit(ctx context.Context, entries []store.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, "INSERT INTO audit (user_id, at, actor_id, actor_name, what) VALUES (?,?,?,?,?)")
		if err != nil {
			return fmt.Errorf("sqlitestore: append audit: %w", err)
		}
		defer st.Close()
		for _, e := range entries {
			if _, err := st.ExecContext(ctx, e.UserID, ms(e.At), e.ActorID, e.ActorName, e.What); err != nil {
				return fmt.Errorf("sqlitestore: append audit: %w", mapErr(err))
			}
		}
		return nil
	})
}

// AuditOf lists the entries about a user, newest first.
func (s *Store) AuditOf(ctx context.Context, userID string) ([]store.AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT user_id, at, actor_id, actor_name, what FROM audit
		WHERE user_id = ? ORDER BY at DESC, rowid DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: audit: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		if err := rows.Scan(&e.UserID, &at, &e.ActorID, &e.ActorName, &e.What); err != nil {
			return nil, fmt.Errorf("sqlitestore: audit: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: audit: %w", err)
	}
	return out, nil
}

// UserGroups lists the groups the user leads or belongs to, oldest first
// (by JoinedAt, which is CreatedAt for a group the user leads).
func (s *Store) UserGroups(ctx context.Context, userID string) ([]store.UserGroup, error) {
	groups, err := s.userGroupsOf(ctx, []string{userID})
	return groups[userID], err
}

// userGroupsOf reads the groups of each of users (UserGroups) in one
// query, whose IDs it takes as a JSON array.
func (s *Store) userGroupsOf(ctx context.Context, users []string) (map[string][]store.UserGroup, error) {
	ids, err := json.Marshal(users)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: user groups: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT u.value, g.id, g.name, g.kind, g.owner_id, g.created_at, 1, g.created_at, 0, 0, 0, 0, g.archived_at
		  FROM json_each(?1) u JOIN grp g ON g.owner_id = u.value
		UNION ALL
		SELECT u.value, g.id, g.name, g.kind, g.owner_id, g.created_at, 0, m.joined_at, m.share_history, m.share_notes, m.share_trained, m.share_sessions, g.archived_at
		  FROM json_each(?1) u JOIN membership m ON m.user_id = u.value JOIN grp g ON g.id = m.group_id
		 WHERE g.owner_id <> u.value
		ORDER BY 1, 8, 2`, string(ids))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: user groups: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]store.UserGroup, len(users))
	for rows.Next() {
		var user string
		var ug store.UserGroup
		var created, joined, archived int64
		if err := rows.Scan(&user, &ug.ID, &ug.Name, &ug.Kind, &ug.OwnerID, &created, &ug.Owner, &joined, &ug.Sharing.History, &ug.Sharing.Notes, &ug.Sharing.Trained, &ug.Sharing.Sessions, &archived); err != nil {
			return nil, fmt.Errorf("sqlitestore: user groups: %w", err)
		}
		ug.CreatedAt, ug.JoinedAt, ug.ArchivedAt = fromMS(created), fromMS(joined), fromMS(archived)
		out[user] = append(out[user], ug)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: user groups: %w", err)
	}
	return out, nil
}

const inviteCols = "code, role, group_id, created_by, created_at, expires_at, max_uses, uses, revoked_at"

func scanInvite(row interface{ Scan(...any) error }) (store.Invite, error) {
	var i store.Invite
	var created, expires, revoked int64
	err := row.Scan(&i.Code, &i.Role, &i.GroupID, &i.CreatedBy, &created, &expires, &i.MaxUses, &i.Uses, &revoked)
	i.CreatedAt, i.ExpiresAt, i.RevokedAt = fromMS(created), fromMS(expires), fromMS(revoked)
	return i, err
}

// CreateInvite stores an invite; ErrDuplicate when the code is taken.
func (s *Store) CreateInvite(ctx context.Context, inv store.Invite) error {
	_, err := s.w.ExecContext(ctx, "INSERT INTO invite ("+inviteCols+") VALUES (?,?,?,?,?,?,?,?,?)",
		inv.Code, inv.Role, inv.GroupID, inv.CreatedBy, ms(inv.CreatedAt), ms(inv.ExpiresAt),
		inv.MaxUses, inv.Uses, ms(inv.RevokedAt))
	if err != nil {
		return fmt.Errorf("sqlitestore: create invite: %w", mapErr(err))
	}
	return nil
}

// InviteByCode returns the invite, usable or not.
func (s *Store) InviteByCode(ctx context.Context, code string) (store.Invite, error) {
	inv, err := scanInvite(s.r.QueryRowContext(ctx, "SELECT "+inviteCols+" FROM invite WHERE code = ?", code))
	if err != nil {
		return store.Invite{}, notFound(err, "invite")
	}
	return inv, nil
}

// UseInvite counts one use of a usable invite in a single UPDATE, so two
// concurrent uses of the last slot cannot both succeed.
func (s *Store) UseInvite(ctx context.Context, code string, now time.Time) (store.Invite, error) {
	inv, err := scanInvite(s.w.QueryRowContext(ctx, `UPDATE invite SET uses = uses + 1
		WHERE code = ? AND revoked_at = 0 AND expires_at > ? AND (max_uses = 0 OR uses < max_uses)
		RETURNING `+inviteCols, code, now.UnixMilli()))
	if err != nil {
		return store.Invite{}, notFound(err, "use invite")
	}
	return inv, nil
}

// RevokeInvite revokes the invite; revoking it again keeps the first time.
func (s *Store) RevokeInvite(ctx context.Context, code string, now time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE invite SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END
		WHERE code = ?`, ms(now), code)
	return affectedOne(res, err, "revoke invite")
}

// InvitesBy lists the invites a user created, newest first.
func (s *Store) InvitesBy(ctx context.Context, userID string) ([]store.Invite, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+inviteCols+` FROM invite WHERE created_by = ?
		ORDER BY created_at DESC, code`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: invites: %w", err)
	}
	defer rows.Close()
	var out []store.Invite
	for rows.Next() {
		inv, err := scanInvite(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: invites: %w", err)
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: invites: %w", err)
	}
	return out, nil
}

const tokenCols = "hash, user_id, family, created_at, expires_at, used_at, revoked_at"

func scanToken(row interface{ Scan(...any) error }) (store.RefreshToken, error) {
	var t store.RefreshToken
	var created, expires, used, revoked int64
	err := row.Scan(&t.Hash, &t.UserID, &t.Family, &created, &expires, &used, &revoked)
	t.CreatedAt, t.ExpiresAt, t.UsedAt, t.RevokedAt = fromMS(created), fromMS(expires), fromMS(used), fromMS(revoked)
	return t, err
}

// CreateRefreshToken stores a token; ErrDuplicate when the hash exists,
// ErrNotFound when the user does not.
func (s *Store) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	_, err := s.w.ExecContext(ctx, "INSERT INTO refresh_token ("+tokenCols+") VALUES (?,?,?,?,?,?,?)",
		t.Hash, t.UserID, t.Family, ms(t.CreatedAt), ms(t.ExpiresAt), ms(t.UsedAt), ms(t.RevokedAt))
	if err != nil {
		return fmt.Errorf("sqlitestore: create refresh token: %w", mapErr(err))
	}
	return nil
}

// UseRefreshToken marks an unused, unrevoked, unexpired token used and
// returns it. A token used before is returned with ErrTokenReused (whether
// or not it has been revoked since); an unknown, revoked or expired token
// gives ErrNotFound.
func (s *Store) UseRefreshToken(ctx context.Context, hash string, now time.Time) (store.RefreshToken, error) {
	var out store.RefreshToken
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		t, err := scanToken(tx.QueryRowContext(ctx, "SELECT "+tokenCols+" FROM refresh_token WHERE hash = ?", hash))
		if err != nil {
			return notFound(err, "refresh token")
		}
		switch {
		case !t.UsedAt.IsZero():
			out = t
			return fmt.Errorf("sqlitestore: refresh token: %w", store.ErrTokenReused)
		case !t.RevokedAt.IsZero() || !now.Before(t.ExpiresAt):
			return fmt.Errorf("sqlitestore: refresh token: %w", store.ErrNotFound)
		}
		t.UsedAt = fromMS(now.UnixMilli())
		if _, err := tx.ExecContext(ctx, "UPDATE refresh_token SET used_at = ? WHERE hash = ?", ms(t.UsedAt), hash); err != nil {
			return fmt.Errorf("sqlitestore: use refresh token: %w", err)
		}
		out = t
		return nil
	})
	if errors.Is(err, store.ErrTokenReused) {
		return out, err
	}
	if err != nil {
		return store.RefreshToken{}, err
	}
	return out, nil
}

// RevokeRefreshToken revokes one token; ErrNotFound when unknown.
func (s *Store) RevokeRefreshToken(ctx context.Context, hash string, now time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE refresh_token SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END
		WHERE hash = ?`, ms(now), hash)
	return affectedOne(res, err, "revoke refresh token")
}

// RevokeRefreshFamily revokes every not yet revoked token of a family.
func (s *Store) RevokeRefreshFamily(ctx context.Context, family string, now time.Time) error {
	if _, err := s.w.ExecContext(ctx, "UPDATE refresh_token SET revoked_at = ? WHERE family = ? AND revoked_at = 0",
		ms(now), family); err != nil {
		return fmt.Errorf("sqlitestore: revoke refresh family: %w", err)
	}
	return nil
}

// RevokeUserRefreshTokens revokes every not yet revoked token of a user.
func (s *Store) RevokeUserRefreshTokens(ctx context.Context, userID string, now time.Time) error {
	if _, err := s.w.ExecContext(ctx, "UPDATE refresh_token SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0",
		ms(now), userID); err != nil {
		return fmt.Errorf("sqlitestore: revoke user refresh tokens: %w", err)
	}
	return nil
}

// Staff lists the accounts that are not patients, oldest first.
func (s *Store) Staff(ctx context.Context) ([]store.User, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+userCols+" FROM users WHERE role <> ? ORDER BY created_at, id", store.RolePatient)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: staff: %w", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: staff: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: staff: %w", err)
	}
	return out, nil
}

// CreateResetCode stores a reset code in place of the user's earlier ones.
func (s *Store) CreateResetCode(ctx context.Context, c store.ResetCode) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM reset_code WHERE user_id = ?", c.UserID); err != nil {
			return fmt.Errorf("sqlitestore: create reset code: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO reset_code (hash, user_id, created_by, created_at, expires_at) VALUES (?,?,?,?,?)",
			c.Hash, c.UserID, c.CreatedBy, ms(c.CreatedAt), ms(c.ExpiresAt)); err != nil {
			return fmt.Errorf("sqlitestore: create reset code: %w", mapErr(err))
		}
		return nil
	})
}

// UseResetCode removes an unexpired code and returns it.
func (s *Store) UseResetCode(ctx context.Context, hash string, now time.Time) (store.ResetCode, error) {
	var c store.ResetCode
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var created, expires int64
		err := tx.QueryRowContext(ctx, "DELETE FROM reset_code WHERE hash = ? RETURNING user_id, created_by, created_at, expires_at", hash).
			Scan(&c.UserID, &c.CreatedBy, &created, &expires)
		if err != nil {
			return notFound(err, "reset code")
		}
		c.Hash, c.CreatedAt, c.ExpiresAt = hash, fromMS(created), fromMS(expires)
		if !now.Before(c.ExpiresAt) {
			return fmt.Errorf("sqlitestore: reset code expired: %w", store.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return store.ResetCode{}, err
	}
	return c, nil
}
