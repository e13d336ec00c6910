package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/store"
)

// Profile defaults of a new account.
const (
	DefaultTimeZone = "Europe/Oslo"
	DefaultLanguage = "nb"
)

type userJSON struct {
	ID        string     `json:"id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Role      store.Role `json:"role"`
	BirthYear *int       `json:"birthYear"` // null when unknown
	HRMax     *int       `json:"hrMax"`     // null when not measured
	TimeZone  string     `json:"timeZone"`
	Language  string     `json:"language"`
	CreatedAt time.Time  `json:"createdAt"`
}

func toUserJSON(u store.User) userJSON {
	out := userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role,
		TimeZone: u.TimeZone, Language: u.Language, CreatedAt: u.CreatedAt}
	if u.BirthYear != 0 {
		y := u.BirthYear
		out.BirthYear = &y
	}
	if u.HRMax != 0 {
		m := u.HRMax
		out.HRMax = &m
	}
	return out
}

type userGroupJSON struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Kind     store.GroupKind `json:"kind"`
	Owner    bool            `json:"owner"`
	JoinedAt time.Time       `json:"joinedAt"`
}

// meStore is what the profile endpoints need.
type meStore interface {
	UpdateUser(ctx context.Context, u store.User) error
	UserGroups(ctx context.Context, userID string) ([]store.UserGroup, error)
}

type meHandlers struct {
	store meStore
	now   func() time.Time
}

type meResponse struct {
	User   userJSON        `json:"user"`
	Groups []userGroupJSON `json:"groups"`
}

// get returns the signed-in user with the groups they lead or belong to.
func (h *meHandlers) get(c echo.Context) error {
	u := currentUser(c)
	gs, err := h.store.UserGroups(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	out := meResponse{User: toUserJSON(u), Groups: make([]userGroupJSON, 0, len(gs))}
	for _, g := range gs {
		out.Groups = append(out.Groups, userGroupJSON{ID: g.ID, Name: g.Name, Kind: g.Kind, Owner: g.Owner, JoinedAt: g.JoinedAt})
	}
	return c.JSON(http.StatusOK, out)
}

// patchMeRequest: absent fields stay as they are. birthYear and hrMax take
// 0 to clear.
type patchMeRequest struct {
	Name      *string `json:"name"`
	BirthYear *int    `json:"birthYear"`
	HRMax     *int    `json:"hrMax"`
	TimeZone  *string `json:"timeZone"`
	Language  *string `json:"language"`
}

// patch edits the profile: display name, birth year, measured HRmax, time
// zone and language.
func (h *meHandlers) patch(c echo.Context) error {
	var req patchMeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u := currentUser(c)
	now := h.now().UTC()
	var v validator
	if req.Name != nil {
		name, err := normalizeName(*req.Name)
		v.check("name", err)
		u.Name = name
	}
	if req.BirthYear != nil {
		y := *req.BirthYear
		if y != 0 && (y < 1900 || y > now.Year()) {
			v.add("birthYear", fmt.Sprintf("between 1900 and %d, or 0 to clear", now.Year()))
		}
		u.BirthYear = y
	}
	if req.HRMax != nil {
		m := *req.HRMax
		if m != 0 && (m < 100 || m > 240) {
			v.add("hrMax", "between 100 and 240, or 0 to clear")
		}
		u.HRMax = m
	}
	if req.TimeZone != nil {
		tz := strings.TrimSpace(*req.TimeZone)
		if !validTimeZone(tz) {
			v.add("timeZone", "not an IANA time zone name (e.g. Europe/Oslo)")
		}
		u.TimeZone = tz
	}
	if req.Language != nil {
		if *req.Language != "nb" && *req.Language != "en" {
			v.add("language", `"nb" or "en"`)
		}
		u.Language = *req.Language
	}
	if err := v.err(); err != nil {
		return err
	}
	u.UpdatedAt = now
	if err := h.store.UpdateUser(c.Request().Context(), u); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userResponse{User: toUserJSON(u)})
}

// validTimeZone accepts IANA names only: not "", "Local" or a file path.
func validTimeZone(tz string) bool {
	if tz == "" || tz == "Local" || strings.HasPrefix(tz, "/") || strings.Contains(tz, "..") || len(tz) > 64 {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}

// AdminStore is what EnsureAdmin needs.
type AdminStore interface {
	UserByEmail(ctx context.Context, email string) (store.User, error)
	CreateUser(ctx context.Context, u store.User) error
}

// EnsureAdmin creates the first admin account when none with that email
// exists. It reports whether it created one. An existing account is left
// as it is (its password is not reset).
func EnsureAdmin(ctx context.Context, st AdminStore, email, password string, now time.Time) (bool, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return false, fmt.Errorf("admin email: %w", err)
	}
	if err := validPassword(password); err != nil {
		return false, fmt.Errorf("admin password: %w", err)
	}
	if _, err := st.UserByEmail(ctx, email); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	h, err := newHasher(DefaultArgon2(), 1, rand.Reader)
	if err != nil {
		return false, err
	}
	hash, err := h.Hash(ctx, password)
	if err != nil {
		return false, err
	}
	id, err := newID(rand.Reader)
	if err != nil {
		return false, err
	}
	now = now.UTC()
	u := store.User{ID: id, Email: email, PasswordHash: hash, Name: "Admin", Role: store.RoleAdmin,
		TimeZone: DefaultTimeZone, Language: DefaultLanguage, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// eraseRequest confirms an erasure with the account's password.
type eraseRequest struct {
	Password string `json:"password"`
}

// erase deletes the signed-in account for good: the user, their
// memberships, refresh tokens and every document they synced. The password
// is asked again (a borrowed unlocked phone must not be enough) and checked
// like a login: the same hasher, and the same per-account rate limit, so
// this endpoint gives no extra guesses. A wrong password is a 403, not a
// 401: the access token is fine, and a 401 would make clients refresh and
// retry. Admin accounts are refused: the store cannot tell cheaply whether
// another admin exists, and the last one must not vanish.
func (h *authHandlers) erase(c echo.Context) error {
	var req eraseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	switch {
	case req.Password == "":
		return invalid("password", "required")
	case len(req.Password) > maxPasswordLen:
		return invalid("password", fmt.Sprintf("at most %d bytes", maxPasswordLen))
	}
	u := currentUser(c)
	if u.Role == store.RoleAdmin {
		return errorf(CodeConflict, "an admin account cannot be erased here; ask the server's operator")
	}
	if err := h.limit(h.perAccount, u.Email); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ok, err := h.hash.Verify(ctx, u.PasswordHash, req.Password)
	if err != nil && !errors.Is(err, errBadHash) {
		return err
	}
	if !ok {
		return errorf(CodeWrongPassword, "wrong password")
	}
	if err := h.accounts.DeleteUser(ctx, u.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("erase account %s: %w", u.ID, err)
	}
	h.clearCookie(c)
	return c.NoContent(http.StatusNoContent)
}
