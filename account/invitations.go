package account

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// InvitationStore is what Invitations needs.
type InvitationStore interface {
	GroupByID(ctx context.Context, id string) (store.Group, error)
	Members(ctx context.Context, groupID string) ([]store.Membership, error)
	UserByID(ctx context.Context, id string) (store.User, error)
	InviteByCode(ctx context.Context, code string) (store.Invite, error)
	ScheduleOf(ctx context.Context, groupID string) (store.Schedule, error)
	SaveInvitation(ctx context.Context, inv store.Invitation) error
	InvitationsOf(ctx context.Context, userID string) ([]store.Invitation, error)
	DeleteInvitation(ctx context.Context, userID, id string) error
}

// Invitations carry a patient from the clinic to everyday life: a
// treatment group's trainer hands a patient a peer group's code (the
// peer leader gave it to them), and the patient sees it as an invitation
// to accept or decline. Nothing happens without the patient's tap, and the
// trainer never learns what they chose.
type Invitations struct {
	store  InvitationStore
	groups *Groups
	now    func() time.Time
	rand   io.Reader
}

// NewInvitations returns the invitation rules over st; accepting joins
// through groups.
func NewInvitations(st InvitationStore, groups *Groups, now func() time.Time, rand io.Reader) *Invitations {
	return &Invitations{store: st, groups: groups, now: now, rand: rand}
}

// PeerGroup is a peer group as its code shows it to a trainer and an
// invitation to a patient: its name, who leads it, and its weekly session
// (nil when none is set).
type PeerGroup struct {
	Group      store.Group
	LeaderName string
	Schedule   *store.Schedule
	ExpiresAt  time.Time // when the code, and an invitation with it, expires
}

// errDeadCode is the answer for every code that does not lead to a live
// peer group, whatever the reason, so a code cannot be probed.
func errDeadCode() *Error { return invalid("code", "unknown, expired or revoked") }

// livePeerGroup returns the peer group of code if the code works now: it
// has the shape of a code, is a group's, is usable (not expired, revoked
// or used up), its maker still leads the group, and the group is a live
// peer group.
func (iv *Invitations) livePeerGroup(ctx context.Context, code string) (PeerGroup, error) {
	code, ok := ParseInviteCode(code)
	if !ok {
		return PeerGroup{}, invalid("code", "not a valid invite code")
	}
	inv, err := iv.store.InviteByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (inv.GroupID == "" || !inv.Usable(iv.now()))) {
		return PeerGroup{}, errDeadCode()
	}
	if err != nil {
		return PeerGroup{}, err
	}
	if ok, err := issuerMayInvite(ctx, iv.store, inv); err != nil {
		return PeerGroup{}, err
	} else if !ok {
		return PeerGroup{}, errDeadCode()
	}
	g, err := iv.store.GroupByID(ctx, inv.GroupID)
	if err != nil {
		return PeerGroup{}, err
	}
	if g.Kind != store.GroupPeer {
		return PeerGroup{}, invalid("code", "not a peer group's code")
	}
	leader, err := iv.store.UserByID(ctx, g.OwnerID)
	if err != nil {
		return PeerGroup{}, err
	}
	out := PeerGroup{Group: g, LeaderName: leader.Name, ExpiresAt: inv.ExpiresAt}
	sc, err := iv.store.ScheduleOf(ctx, g.ID)
	switch {
	case err == nil:
		out.Schedule = &sc
	case !errors.Is(err, store.ErrNotFound):
		return PeerGroup{}, err
	}
	return out, nil
}

// Preview shows the trainer of treatment group groupID (or an admin) the
// peer group of code before handing it to member userID: the check comes
// before the trainer confirms.
func (iv *Invitations) Preview(ctx context.Context, by store.User, groupID, userID, code string) (PeerGroup, error) {
	if _, _, err := treatmentMember(ctx, iv.store, by, groupID, userID); err != nil {
		return PeerGroup{}, err
	}
	return iv.livePeerGroup(ctx, code)
}

// Hand records an invitation for member userID of treatment group
// groupID to the peer group of code, as by (its trainer or an admin)
// hands it. Handing the same peer group again replaces the earlier
// invitation. The answer is the same whether or not the patient already
// belongs to the peer group: the trainer learns nothing of what the
// patient chose.
func (iv *Invitations) Hand(ctx context.Context, by store.User, groupID, userID, code string) (PeerGroup, error) {
	pg, err := iv.Preview(ctx, by, groupID, userID, code)
	if err != nil {
		return PeerGroup{}, err
	}
	id, err := newID(iv.rand)
	if err != nil {
		return PeerGroup{}, err
	}
	code, _ = ParseInviteCode(code)
	inv := store.Invitation{ID: id, UserID: userID, GroupID: pg.Group.ID, Code: code, FromGroupID: groupID,
		InvitedBy: by.ID, CreatedAt: iv.now().UTC()}
	if err := iv.store.SaveInvitation(ctx, inv); err != nil {
		return PeerGroup{}, err
	}
	return pg, nil
}

// Invitation is an invitation as the patient sees it.
type Invitation struct {
	ID        string
	PeerGroup PeerGroup
	InvitedBy string // the trainer's name, "" when their account is gone
	InvitedAt time.Time
}

// Mine lists u's invitations that still stand, newest first. An
// invitation whose code no longer works, or to a group u already belongs
// to, is dropped on the way.
func (iv *Invitations) Mine(ctx context.Context, u store.User) ([]Invitation, error) {
	invs, err := iv.store.InvitationsOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Invitation, 0, len(invs))
	for _, inv := range invs {
		pg, err := iv.standing(ctx, u, inv)
		if errors.Is(err, errGone) {
			if err := iv.store.DeleteInvitation(ctx, u.ID, inv.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		name := ""
		if by, err := iv.store.UserByID(ctx, inv.InvitedBy); err == nil {
			name = by.Name
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		out = append(out, Invitation{ID: inv.ID, PeerGroup: pg, InvitedBy: name, InvitedAt: inv.CreatedAt})
	}
	return out, nil
}

// errGone marks an invitation that no longer stands.
var errGone = errors.New("invitation no longer stands")

// standing returns the peer group of inv while the invitation stands:
// its code works and u is not yet a member. errGone otherwise.
func (iv *Invitations) standing(ctx context.Context, u store.User, inv store.Invitation) (PeerGroup, error) {
	pg, err := iv.livePeerGroup(ctx, inv.Code)
	if ErrorCode(err) == Invalid || errors.Is(err, store.ErrNotFound) {
		return PeerGroup{}, errGone
	}
	if err != nil {
		return PeerGroup{}, err
	}
	ms, err := iv.store.Members(ctx, pg.Group.ID)
	if err != nil {
		return PeerGroup{}, err
	}
	if slices.ContainsFunc(ms, func(m store.Membership) bool { return m.UserID == u.ID }) {
		return PeerGroup{}, errGone
	}
	return pg, nil
}

func errNoInvitation() *Error { return refuse(NotFound, "no such invitation, or it has expired") }

// find returns u's invitation id.
func (iv *Invitations) find(ctx context.Context, u store.User, id string) (store.Invitation, error) {
	invs, err := iv.store.InvitationsOf(ctx, u.ID)
	if err != nil {
		return store.Invitation{}, err
	}
	i := slices.IndexFunc(invs, func(inv store.Invitation) bool { return inv.ID == id })
	if i < 0 {
		return store.Invitation{}, errNoInvitation()
	}
	return invs[i], nil
}

// Accept joins u to the peer group of invitation id, through the same
// rules as joining with the code (Groups.Join): the code must still work.
// A peer group's leader never sees a member's history, so the join shares
// none. The invitation is used up.
func (iv *Invitations) Accept(ctx context.Context, u store.User, id string) (Joined, error) {
	inv, err := iv.find(ctx, u, id)
	if err != nil {
		return Joined{}, err
	}
	j, err := iv.groups.Join(ctx, u, inv.Code, false)
	if ErrorCode(err) == Invalid { // the code stopped working
		if err := iv.store.DeleteInvitation(ctx, u.ID, inv.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return Joined{}, err
		}
		return Joined{}, errNoInvitation()
	}
	if err != nil {
		return Joined{}, err
	}
	if err := iv.store.DeleteInvitation(ctx, u.ID, inv.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return Joined{}, err
	}
	return j, nil
}

// Decline removes u's invitation id ("Nei takk"); nobody is told.
func (iv *Invitations) Decline(ctx context.Context, u store.User, id string) error {
	err := iv.store.DeleteInvitation(ctx, u.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return errNoInvitation()
	}
	return err
}
