package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// Reset codes: 12 characters of the invite alphabet (about 59 bits), good
// for one use within ResetCodeTTL.
const (
	resetCodeLen = 12
	ResetCodeTTL = 24 * time.Hour
)

// AuditResetIssued is the audit "what" of a reset code issued for a
// patient by someone else.
const AuditResetIssued = "password_reset_code"

// StaffStore is what Staff needs.
type StaffStore interface {
	Staff(ctx context.Context) ([]store.User, error)
	UserByID(ctx context.Context, id string) (store.User, error)
	UserByEmail(ctx context.Context, email string) (store.User, error)
	UpdateUser(ctx context.Context, u store.User) error
	DeleteUser(ctx context.Context, id string) error
	UserGroups(ctx context.Context, userID string) ([]store.UserGroup, error)
	Members(ctx context.Context, groupID string) ([]store.Membership, error)
	CreateResetCode(ctx context.Context, c store.ResetCode) error
	UseResetCode(ctx context.Context, hash string, now time.Time) (store.ResetCode, error)
	RevokeUserRefreshTokens(ctx context.Context, userID string, now time.Time) error
	AppendAudit(ctx context.Context, entries []store.AuditEntry) error
}

// Staff is what an admin does with the clinic's staff, and the password
// reset that needs no e-mail: a trainer or an admin issues a one-time code,
// the user enters it with a new password.
type Staff struct {
	store StaffStore
	hash  *Hasher
	tries Tries
	now   func() time.Time
	rand  io.Reader
}

// NewStaff returns the staff rules over st; tries bounds the guesses at
// reset codes per account, as at sign-in.
func NewStaff(st StaffStore, h *Hasher, tries Tries, now func() time.Time, rand io.Reader) *Staff {
	return &Staff{store: st, hash: h, tries: tries, now: now, rand: rand}
}

// StaffMember is one staff account with how many patients it leads.
type StaffMember struct {
	store.User
	Patients int // distinct members of the groups the account leads
}

// List lists the staff with how many patients each leads (admins only).
func (s *Staff) List(ctx context.Context, by store.User) ([]StaffMember, error) {
	if by.Role != store.RoleAdmin {
		return nil, refuse(Forbidden, "only an admin may list the staff")
	}
	users, err := s.store.Staff(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StaffMember, len(users))
	for i, u := range users {
		n, err := s.patients(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out[i] = StaffMember{User: u, Patients: n}
	}
	return out, nil
}

// patients counts the distinct members of the groups userID leads.
func (s *Staff) patients(ctx context.Context, userID string) (int, error) {
	gs, err := s.store.UserGroups(ctx, userID)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	for _, g := range gs {
		if !g.Owner {
			continue
		}
		ms, err := s.store.Members(ctx, g.ID)
		if err != nil {
			return 0, err
		}
		for _, m := range ms {
			seen[m.UserID] = true
		}
	}
	return len(seen), nil
}

// leadRole reports whether an admin may give or take role r.
func leadRole(r store.Role) bool { return r == store.RoleTrainer || r == store.RolePeerLeader }

// target returns the trainer or peer leader id for an admin to change.
// Admins are out of reach here, as at erasure: the operator manages them.
func (s *Staff) target(ctx context.Context, by store.User, id string) (store.User, error) {
	if by.Role != store.RoleAdmin {
		return store.User{}, refuse(Forbidden, "only an admin may change the staff")
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return store.User{}, err
	}
	if !leadRole(u.Role) {
		return store.User{}, refuse(Conflict, fmt.Sprintf("a %s is not changed here", u.Role))
	}
	return u, nil
}

// SetRole changes a trainer's or peer leader's role: to the other leading
// role, or to patient (a demotion). The groups they lead stay, but they
// lose them at once (see Groups), and the invite codes they made stop
// working (issuerMayInvite).
func (s *Staff) SetRole(ctx context.Context, by store.User, id string, role store.Role) (store.User, error) {
	if !leadRole(role) && role != store.RolePatient {
		return store.User{}, invalid("role", `"trainer", "peer_leader" or "patient"`)
	}
	u, err := s.target(ctx, by, id)
	if err != nil {
		return store.User{}, err
	}
	u.Role, u.UpdatedAt = role, s.now().UTC()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return store.User{}, err
	}
	return u, nil
}

// Remove erases a trainer's or peer leader's account. Their groups stay,
// for an admin to see; their codes stop working.
func (s *Staff) Remove(ctx context.Context, by store.User, id string) error {
	u, err := s.target(ctx, by, id)
	if err != nil {
		return err
	}
	return s.store.DeleteUser(ctx, u.ID)
}

// mayReset reports whether by may issue a reset code for u: an admin for
// anyone but themselves, a trainer for the members of the treatment
// groups they lead.
func (s *Staff) mayReset(ctx context.Context, by, u store.User) (bool, error) {
	switch {
	case by.ID == u.ID:
		return false, nil
	case by.Role == store.RoleAdmin:
		return true, nil
	case by.Role != store.RoleTrainer:
		return false, nil
	}
	gs, err := s.store.UserGroups(ctx, u.ID)
	if err != nil {
		return false, err
	}
	for _, g := range gs {
		if !g.Owner && g.OwnerID == by.ID && g.Kind == store.GroupTreatment {
			return true, nil
		}
	}
	return false, nil
}

// IssueReset makes a one-time reset code for account id, replacing any
// earlier one, and records in the account's audit log who issued it. To
// whoever may not, the account does not exist.
func (s *Staff) IssueReset(ctx context.Context, by store.User, id string) (code string, expires time.Time, err error) {
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return "", time.Time{}, err
	}
	if ok, err := s.mayReset(ctx, by, u); err != nil {
		return "", time.Time{}, err
	} else if !ok {
		return "", time.Time{}, fmt.Errorf("reset code for %s by %s: %w", id, by.ID, store.ErrNotFound)
	}
	code, err = randomCode(s.rand, resetCodeLen)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.now().UTC()
	if err := s.store.AppendAudit(ctx, []store.AuditEntry{{UserID: u.ID, ActorID: by.ID, ActorName: by.Name, What: AuditResetIssued, At: now}}); err != nil {
		return "", time.Time{}, fmt.Errorf("audit before issuing a reset code: %w", err)
	}
	rc := store.ResetCode{Hash: hashResetCode(code), UserID: u.ID, CreatedBy: by.ID, CreatedAt: now, ExpiresAt: now.Add(ResetCodeTTL)}
	if err := s.store.CreateResetCode(ctx, rc); err != nil {
		return "", time.Time{}, err
	}
	return code[:4] + "-" + code[4:8] + "-" + code[8:], rc.ExpiresAt, nil
}

// hashResetCode is the stored form of a reset code. A plain SHA-256: a
// code works once, within a day, and guesses at it are rate limited, so
// a stolen database gives little that stretching would protect.
func hashResetCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// errResetRefused is the one answer for a wrong email, a wrong, used or
// expired code.
func errResetRefused() *Error {
	return invalid("code", "unknown, expired or already used")
}

// Reset sets a new password with a reset code, and signs the account out
// everywhere (every refresh token is revoked). Guesses count against the
// account's tries from the client's network, as at sign-in.
func (s *Staff) Reset(ctx context.Context, email, code, password, network string) (store.User, error) {
	var f fields
	normal, err := NormalizeEmail(email)
	f.check("email", err)
	code = NormalizeInviteCode(code)
	if len(code) != resetCodeLen || strings.Trim(code, inviteAlphabet) != "" {
		f.add("code", "not a reset code")
	}
	f.check("password", validPassword(password))
	if err := f.err(); err != nil {
		return store.User{}, err
	}
	if s.tries != nil {
		if err := s.tries.Take(normal, network); err != nil {
			return store.User{}, err
		}
	}
	u, err := s.store.UserByEmail(ctx, normal)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, errResetRefused()
	}
	if err != nil {
		return store.User{}, err
	}
	now := s.now().UTC()
	rc, err := s.store.UseResetCode(ctx, hashResetCode(code), now)
	if errors.Is(err, store.ErrNotFound) || err == nil && rc.UserID != u.ID {
		return store.User{}, errResetRefused()
	}
	if err != nil {
		return store.User{}, err
	}
	if u.PasswordHash, err = s.hash.Hash(ctx, password); err != nil {
		return store.User{}, err
	}
	u.UpdatedAt = now
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return store.User{}, err
	}
	if err := s.store.RevokeUserRefreshTokens(ctx, u.ID, now); err != nil {
		return store.User{}, err
	}
	if s.tries != nil {
		s.tries.Refund(normal, network)
	}
	return u, nil
}
