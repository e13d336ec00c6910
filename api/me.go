package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
)

type userJSON struct {
	ID        string     `json:"id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Role      store.Role `json:"role"`
	BirthYear *int       `json:"birthYear"` // null when unknown
	HRMax     *int       `json:"hrMax"`     // null when not measured
	Sex       *string    `json:"sex"`       // null when not given
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
	if u.Sex != "" {
		s := u.Sex
		out.Sex = &s
	}
	return out
}

type userGroupJSON struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Kind     store.GroupKind `json:"kind"`
	Owner    bool            `json:"owner"`
	JoinedAt time.Time       `json:"joinedAt"`
	// ShareHistory: a member lets the trainer see what was logged before
	// joining.
	ShareHistory bool `json:"shareHistory"`
	ShareNotes   bool `json:"shareNotes"` // the trainer may read session notes
	// In a peer group: the others see "trained this week" and the
	// number of sessions this week.
	ShareTrained  bool `json:"shareTrained"`
	ShareSessions bool `json:"shareSessions"`
	// ArchivedAt is set for an archived group.
	ArchivedAt *time.Time `json:"archivedAt,omitempty"`
}

func toUserGroupsJSON(gs []store.UserGroup) []userGroupJSON {
	out := make([]userGroupJSON, 0, len(gs))
	for _, g := range gs {
		out = append(out, userGroupJSON{ID: g.ID, Name: g.Name, Kind: g.Kind, Owner: g.Owner, JoinedAt: g.JoinedAt, ShareHistory: g.Sharing.History, ShareNotes: g.Sharing.Notes,
			ShareTrained: g.Sharing.Trained, ShareSessions: g.Sharing.Sessions, ArchivedAt: timeOrNull(g.ArchivedAt)})
	}
	return out
}

// userGroups lists the groups a user leads or belongs to.
type userGroups interface {
	UserGroups(ctx context.Context, userID string) ([]store.UserGroup, error)
}

type meHandlers struct {
	groups   userGroups
	accounts *account.Accounts
}

type meResponse struct {
	User   userJSON        `json:"user"`
	Groups []userGroupJSON `json:"groups"`
}

// get returns the signed-in user with the groups they lead or belong to.
func (h *meHandlers) get(c echo.Context) error {
	u := currentUser(c)
	gs, err := h.groups.UserGroups(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, meResponse{User: toUserJSON(u), Groups: toUserGroupsJSON(gs)})
}

// patchMeRequest is account.ProfileChange on the wire: absent fields stay
// as they are; birthYear and hrMax take 0 to clear, sex "".
type patchMeRequest struct {
	Name      *string `json:"name"`
	BirthYear *int    `json:"birthYear"`
	HRMax     *int    `json:"hrMax"`
	Sex       *string `json:"sex"`
	TimeZone  *string `json:"timeZone"`
	Language  *string `json:"language"`
}

// patch edits the profile (account.Accounts.UpdateProfile).
func (h *meHandlers) patch(c echo.Context) error {
	var req patchMeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.accounts.UpdateProfile(c.Request().Context(), currentUser(c), account.ProfileChange(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userResponse{User: toUserJSON(u)})
}
