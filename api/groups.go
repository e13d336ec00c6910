package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/store"
)

// groupStore is what the group endpoints need.
type groupStore interface {
	CreateGroup(ctx context.Context, g store.Group) error
	GroupByID(ctx context.Context, id string) (store.Group, error)
	Members(ctx context.Context, groupID string) ([]store.Membership, error)
	AddMember(ctx context.Context, m store.Membership) error
	CreateInvite(ctx context.Context, inv store.Invite) error
	InviteByCode(ctx context.Context, code string) (store.Invite, error)
	UseInvite(ctx context.Context, code string, now time.Time) (store.Invite, error)
}

// memberNames looks up members' display names.
type memberNames interface {
	UserByID(ctx context.Context, id string) (store.User, error)
}

type groupHandlers struct {
	store groupStore
	users memberNames
	now   func() time.Time
	rand  io.Reader
}

type createGroupRequest struct {
	Name string          `json:"name"`
	Kind store.GroupKind `json:"kind"`
}

type joinGroupRequest struct {
	Code string `json:"code"`
}

type groupJSON struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Kind            store.GroupKind `json:"kind"`
	OwnerID         string          `json:"ownerId"`
	CreatedAt       time.Time       `json:"createdAt"`
	InviteCode      string          `json:"inviteCode,omitempty"`
	InviteExpiresAt *time.Time      `json:"inviteExpiresAt,omitempty"`
	Members         []memberJSON    `json:"members,omitempty"`
}

type memberJSON struct {
	UserID   string    `json:"userId"`
	Name     string    `json:"name"`
	JoinedAt time.Time `json:"joinedAt"`
}

func toGroupJSON(g store.Group) groupJSON {
	return groupJSON{ID: g.ID, Name: g.Name, Kind: g.Kind, OwnerID: g.OwnerID, CreatedAt: g.CreatedAt}
}

// kindAllowed: trainers lead treatment groups, peer leaders peer groups,
// admins either.
func kindAllowed(r store.Role, k store.GroupKind) bool {
	switch r {
	case store.RoleAdmin:
		return k == store.GroupTreatment || k == store.GroupPeer
	case store.RoleTrainer:
		return k == store.GroupTreatment
	case store.RolePeerLeader:
		return k == store.GroupPeer
	}
	return false
}

// create makes a group led by the caller, with a first invite code.
func (h *groupHandlers) create(c echo.Context) error {
	var req createGroupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var v validator
	name, err := normalizeName(req.Name)
	v.check("name", err)
	if req.Kind != store.GroupTreatment && req.Kind != store.GroupPeer {
		v.add("kind", `"treatment" or "peer"`)
	}
	if err := v.err(); err != nil {
		return err
	}
	u := currentUser(c)
	if !kindAllowed(u.Role, req.Kind) {
		return errorf(CodeForbidden, "a %s may not lead a %s group", u.Role, req.Kind)
	}
	id, err := newID(h.rand)
	if err != nil {
		return err
	}
	now := h.now().UTC()
	g := store.Group{ID: id, Name: name, Kind: req.Kind, OwnerID: u.ID, CreatedAt: now}
	ctx := c.Request().Context()
	if err := h.store.CreateGroup(ctx, g); err != nil {
		return err
	}
	inv, err := h.newInvite(ctx, g, u, now)
	if err != nil {
		return err
	}
	out := toGroupJSON(g)
	out.InviteCode = inv.Code
	out.InviteExpiresAt = &inv.ExpiresAt
	return c.JSON(http.StatusCreated, out)
}

func (h *groupHandlers) newInvite(ctx context.Context, g store.Group, by store.User, now time.Time) (store.Invite, error) {
	return createInvite(ctx, h.store, h.rand, store.Invite{
		GroupID: g.ID, Role: store.RolePatient, CreatedBy: by.ID, CreatedAt: now,
		ExpiresAt: now.Add(GroupInviteTTL), MaxUses: groupInviteUses,
	})
}

// load returns the group if the user may see it: its owner (while still in
// a leading role) or an admin (manage = true), or a member. To anyone else it does not exist.
func (h *groupHandlers) load(ctx context.Context, id string, u store.User) (g store.Group, manage bool, members []store.Membership, err error) {
	g, err = h.store.GroupByID(ctx, id)
	if err != nil {
		return g, false, nil, err
	}
	members, err = h.store.Members(ctx, g.ID)
	if err != nil {
		return g, false, nil, err
	}
	// Leading needs the role too: a demoted trainer loses the group at once.
	if (g.OwnerID == u.ID && kindAllowed(u.Role, g.Kind)) || u.Role == store.RoleAdmin {
		return g, true, members, nil
	}
	for _, m := range members {
		if m.UserID == u.ID {
			return g, false, nil, nil
		}
	}
	return g, false, nil, store.ErrNotFound
}

// get returns a group; its owner and admins also see the members.
func (h *groupHandlers) get(c echo.Context) error {
	ctx := c.Request().Context()
	g, manage, members, err := h.load(ctx, c.Param("id"), currentUser(c))
	if err != nil {
		return err
	}
	out := toGroupJSON(g)
	if manage {
		out.Members = make([]memberJSON, 0, len(members))
		for _, m := range members {
			name := ""
			if mu, err := h.users.UserByID(ctx, m.UserID); err == nil {
				name = mu.Name
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			out.Members = append(out.Members, memberJSON{UserID: m.UserID, Name: name, JoinedAt: m.JoinedAt})
		}
	}
	return c.JSON(http.StatusOK, out)
}

// invite makes a new invite code for a group (owner or admin).
func (h *groupHandlers) invite(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	g, manage, _, err := h.load(ctx, c.Param("id"), u)
	if err != nil {
		return err
	}
	if !manage {
		return errorf(CodeForbidden, "only the group's leader may invite")
	}
	now := h.now().UTC()
	inv, err := h.newInvite(ctx, g, u, now)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toInviteJSON(inv, now))
}

// join adds the signed-in patient to the group of an invite code.
func (h *groupHandlers) join(c echo.Context) error {
	var req joinGroupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	code := NormalizeInviteCode(req.Code)
	if !validInviteCode(code) {
		return invalid("code", "not a valid invite code")
	}
	ctx := c.Request().Context()
	now := h.now().UTC()
	// Look first, so a role invite is never used up by a join.
	inv, err := h.store.InviteByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (inv.GroupID == "" || !inv.Usable(now))) {
		return invalid("code", "unknown, expired or revoked")
	}
	if err != nil {
		return err
	}
	inv, err = h.store.UseInvite(ctx, code, now)
	if errors.Is(err, store.ErrNotFound) {
		return invalid("code", "unknown, expired or revoked")
	}
	if err != nil {
		return err
	}
	if err := h.store.AddMember(ctx, store.Membership{GroupID: inv.GroupID, UserID: currentUser(c).ID, JoinedAt: now}); err != nil {
		return err
	}
	g, err := h.store.GroupByID(ctx, inv.GroupID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toGroupJSON(g))
}
