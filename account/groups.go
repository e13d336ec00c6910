package account

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// GroupStore is what Groups needs.
type GroupStore interface {
	CreateGroup(ctx context.Context, g store.Group) error
	GroupByID(ctx context.Context, id string) (store.Group, error)
	UpdateGroup(ctx context.Context, g store.Group) error
	Members(ctx context.Context, groupID string) ([]store.Membership, error)
	AddMember(ctx context.Context, m store.Membership) error
	RemoveMember(ctx context.Context, groupID, userID string) error
	SetSharing(ctx context.Context, groupID, userID string, s store.Sharing) error
	CreateInvite(ctx context.Context, inv store.Invite) error
	InviteByCode(ctx context.Context, code string) (store.Invite, error)
	UseInvite(ctx context.Context, code string, now time.Time) (store.Invite, error)
	UserByID(ctx context.Context, id string) (store.User, error) // members' names
	SetSchedule(ctx context.Context, s store.Schedule) error
	ScheduleOf(ctx context.Context, groupID string) (store.Schedule, error)
	SetRSVP(ctx context.Context, r store.RSVP) error
	RSVPs(ctx context.Context, groupID, date string) ([]store.RSVP, error)
	SetSessionChange(ctx context.Context, c store.SessionChange) error
	DeleteSessionChange(ctx context.Context, groupID, date string) error
	SessionChanges(ctx context.Context, groupID, from, until string) ([]store.SessionChange, error)
	SetNotice(ctx context.Context, n store.GroupNotice) error
	DeleteNotice(ctx context.Context, groupID string) error
	NoticeOf(ctx context.Context, groupID string) (store.GroupNotice, error)
	Docs(ctx context.Context, scope string) ([]sync.Doc, error) // what members share with a peer group
	SetAttendance(ctx context.Context, groupID, date string, present []string, at time.Time) error
	AttendanceOf(ctx context.Context, groupID, from, to string) ([]store.Attendance, error)
	ForgetMember(ctx context.Context, groupID, userID string) error
	DeleteGroupInvitations(ctx context.Context, groupID string) error
}

// Groups creates groups, says who may see and lead them, and lets
// patients join by code.
type Groups struct {
	store GroupStore
	now   func() time.Time
	rand  io.Reader
}

// NewGroups returns the group rules over st.
func NewGroups(st GroupStore, now func() time.Time, rand io.Reader) *Groups {
	return &Groups{store: st, now: now, rand: rand}
}

// MayLead reports whether role r may lead a group of kind k: trainers
// lead treatment groups, peer leaders peer groups, admins either.
func MayLead(r store.Role, k store.GroupKind) bool {
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

// Create makes a group led by by, with a first invite code for it.
func (gs *Groups) Create(ctx context.Context, by store.User, name string, kind store.GroupKind) (store.Group, store.Invite, error) {
	var f fields
	name, err := normalizeName(name)
	f.check("name", err)
	if kind != store.GroupTreatment && kind != store.GroupPeer {
		f.add("kind", `"treatment" or "peer"`)
	}
	if err := f.err(); err != nil {
		return store.Group{}, store.Invite{}, err
	}
	if !MayLead(by.Role, kind) {
		return store.Group{}, store.Invite{}, refuse(Forbidden, fmt.Sprintf("a %s may not lead a %s group", by.Role, kind))
	}
	id, err := newID(gs.rand)
	if err != nil {
		return store.Group{}, store.Invite{}, err
	}
	now := gs.now().UTC()
	g := store.Group{ID: id, Name: name, Kind: kind, OwnerID: by.ID, CreatedAt: now}
	if err := gs.store.CreateGroup(ctx, g); err != nil {
		return store.Group{}, store.Invite{}, err
	}
	inv, err := gs.newInvite(ctx, g, by, now)
	if err != nil {
		return store.Group{}, store.Invite{}, err
	}
	return g, inv, nil
}

func (gs *Groups) newInvite(ctx context.Context, g store.Group, by store.User, now time.Time) (store.Invite, error) {
	return createInvite(ctx, gs.store, gs.rand, store.Invite{
		GroupID: g.ID, Role: store.RolePatient, CreatedBy: by.ID, CreatedAt: now,
		ExpiresAt: now.Add(GroupInviteTTL), MaxUses: groupInviteUses,
	})
}

// GroupView is a group as one user may see it.
type GroupView struct {
	store.Group
	// Members is set for those who manage the group (its leader, an
	// admin) and, in a peer group, for its members too; nil for a member
	// of a treatment group.
	Members []Member
	// Schedule is a peer group's weekly session, nil when none is set.
	Schedule *store.Schedule
	// Next is the next weekly session, nil without a schedule or when
	// the group is archived.
	Next *Session
	// Upcoming are the next UpcomingSessions sessions, Next first, with
	// their one-off changes (a cancelled one is listed as cancelled).
	Upcoming []Session
	// Notice is a peer group's latest notice, nil when there is none (or
	// it is older than NoticeTTL, or the group is archived).
	Notice *Notice
}

// Member is one member of a group, by display name. In a peer group, the
// group's leader and members also see what the member chose to share with
// it; nil is not shared (and always nil to anyone else, an admin too).
type Member struct {
	UserID   string
	Name     string // "" when the account is gone
	JoinedAt time.Time
	Trained  *bool // trained this week
	Sessions *int  // sessions this week
}

// load returns the group if u may see it: its owner (while still in a
// leading role) or an admin (manage = true), or a member. To anyone else
// it does not exist (store.ErrNotFound).
func (gs *Groups) load(ctx context.Context, id string, u store.User) (g store.Group, manage bool, members []store.Membership, err error) {
	g, err = gs.store.GroupByID(ctx, id)
	if err != nil {
		return g, false, nil, err
	}
	members, err = gs.store.Members(ctx, g.ID)
	if err != nil {
		return g, false, nil, err
	}
	// Leading needs the role too: a demoted trainer loses the group at once.
	if (g.OwnerID == u.ID && MayLead(u.Role, g.Kind)) || u.Role == store.RoleAdmin {
		return g, true, members, nil
	}
	for _, m := range members {
		if m.UserID == u.ID {
			return g, false, members, nil
		}
	}
	return g, false, nil, store.ErrNotFound
}

// Get returns the group id as u may see it; its leader and admins also
// see the members, and so do the members of a peer group, with what each
// chose to share with it (peerMembers).
func (gs *Groups) Get(ctx context.Context, u store.User, id string) (GroupView, error) {
	g, manage, members, err := gs.load(ctx, id, u)
	if err != nil {
		return GroupView{}, err
	}
	out := GroupView{Group: g}
	if err := gs.withSession(ctx, u, &out); err != nil {
		return GroupView{}, err
	}
	if err := gs.withNotice(ctx, &out); err != nil {
		return GroupView{}, err
	}
	if g.Kind == store.GroupPeer {
		out.Members, err = gs.peerMembers(ctx, u, g, members)
		if err != nil {
			return GroupView{}, err
		}
		return out, nil
	}
	if !manage {
		return out, nil
	}
	out.Members = make([]Member, 0, len(members))
	for _, m := range members {
		name := ""
		if mu, err := gs.store.UserByID(ctx, m.UserID); err == nil {
			name = mu.Name
		} else if !errors.Is(err, store.ErrNotFound) {
			return GroupView{}, err
		}
		out.Members = append(out.Members, Member{UserID: m.UserID, Name: name, JoinedAt: m.JoinedAt})
	}
	return out, nil
}

// Invite makes a new invite code for group id; only those who manage it
// may.
func (gs *Groups) Invite(ctx context.Context, by store.User, id string) (store.Invite, error) {
	g, manage, _, err := gs.load(ctx, id, by)
	if err != nil {
		return store.Invite{}, err
	}
	if !manage {
		return store.Invite{}, refuse(Forbidden, "only the group's leader may invite")
	}
	if !g.ArchivedAt.IsZero() {
		return store.Invite{}, refuse(Conflict, "the group is archived")
	}
	return gs.newInvite(ctx, g, by, gs.now().UTC())
}

// GroupChange is an edit of a group; nil fields stay as they are.
type GroupChange struct {
	Name     *string
	Archived *bool
	// NextStepWeeks: after how many weeks a treatment group's trainer is
	// prompted to suggest the next step (1 to MaxNextStepWeeks).
	NextStepWeeks *int
}

// Update renames, archives or restores group id (its leader or an admin).
// An archived group keeps its members and figures; its codes stop working.
func (gs *Groups) Update(ctx context.Context, by store.User, id string, ch GroupChange) (store.Group, error) {
	g, manage, _, err := gs.load(ctx, id, by)
	if err != nil {
		return store.Group{}, err
	}
	if !manage {
		return store.Group{}, refuse(Forbidden, "only the group's leader may change it")
	}
	if ch.Name != nil {
		name, err := normalizeName(*ch.Name)
		if err != nil {
			return store.Group{}, invalid("name", err.Error())
		}
		g.Name = name
	}
	if ch.NextStepWeeks != nil {
		switch n := *ch.NextStepWeeks; {
		case g.Kind != store.GroupTreatment:
			return store.Group{}, invalid("nextStepWeeks", "only a treatment group suggests a next step")
		case n < 1 || n > MaxNextStepWeeks:
			return store.Group{}, invalid("nextStepWeeks", fmt.Sprintf("want 1–%d", MaxNextStepWeeks))
		default:
			g.NextStepWeeks = n
		}
	}
	archiving := false
	if ch.Archived != nil {
		switch {
		case *ch.Archived && g.ArchivedAt.IsZero():
			g.ArchivedAt = gs.now().UTC()
			archiving = true
		case !*ch.Archived:
			g.ArchivedAt = time.Time{}
		}
	}
	if err := gs.store.UpdateGroup(ctx, g); err != nil {
		return store.Group{}, err
	}
	// The invitations to an archived group go with it: its codes no
	// longer work, and a restored group hands out new ones.
	if archiving {
		if err := gs.store.DeleteGroupInvitations(ctx, g.ID); err != nil {
			return store.Group{}, err
		}
	}
	return g, nil
}

// Joined is the group a patient joined, with the name of who leads it.
type Joined struct {
	store.Group
	OwnerName string
}

// Join adds u to the group of an invite code and returns the group.
// shareHistory lets the group's trainer see what u logged before joining.
// The code of a group whose leader was demoted or erased no longer works:
// a patient must not join a group nobody may lead.
func (gs *Groups) Join(ctx context.Context, u store.User, code string, shareHistory bool) (Joined, error) {
	code = NormalizeInviteCode(code)
	if !validInviteCode(code) {
		return Joined{}, invalid("code", "not a valid invite code")
	}
	unusable := invalid("code", "unknown, expired or revoked")
	now := gs.now().UTC()
	// Look first, so a role invite is never used up by a join.
	inv, err := gs.store.InviteByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (inv.GroupID == "" || !inv.Usable(now))) {
		return Joined{}, unusable
	}
	if err != nil {
		return Joined{}, err
	}
	g, err := gs.store.GroupByID(ctx, inv.GroupID)
	if errors.Is(err, store.ErrNotFound) {
		return Joined{}, unusable
	}
	if err != nil {
		return Joined{}, err
	}
	if ok, err := issuerMayInvite(ctx, gs.store, inv); err != nil {
		return Joined{}, err
	} else if !ok {
		return Joined{}, unusable
	}
	owner, err := gs.store.UserByID(ctx, g.OwnerID)
	if errors.Is(err, store.ErrNotFound) {
		return Joined{}, unusable
	}
	if err != nil {
		return Joined{}, err
	}
	if _, err = gs.store.UseInvite(ctx, code, now); errors.Is(err, store.ErrNotFound) {
		return Joined{}, unusable
	} else if err != nil {
		return Joined{}, err
	}
	m := store.Membership{GroupID: g.ID, UserID: u.ID, JoinedAt: now, Sharing: store.Sharing{History: shareHistory}}
	if err := gs.store.AddMember(ctx, m); err != nil {
		return Joined{}, err
	}
	return Joined{Group: g, OwnerName: owner.Name}, nil
}

// RemoveMember takes userID out of group id. Those who manage the group
// may remove anyone; a member may remove only themselves (leaving). The
// trainer's access ends with the membership.
//
// The member's ticks in the attendance record and answers for group
// sessions go first, then the membership with what they shared: nothing
// of them stays in the group's view.
func (gs *Groups) RemoveMember(ctx context.Context, by store.User, id, userID string) error {
	_, manage, _, err := gs.load(ctx, id, by)
	if err != nil {
		return err
	}
	if !manage && by.ID != userID {
		return refuse(Forbidden, "only the group's leader may remove a member")
	}
	if err := gs.store.ForgetMember(ctx, id, userID); err != nil {
		return err
	}
	return gs.store.RemoveMember(ctx, id, userID)
}

// SharingChange is a member's change of what they share; nil fields stay
// as they are.
type SharingChange struct {
	History *bool // what was logged before joining
	Notes   *bool // session notes
	// In a peer group only: what the other members and the leader see.
	Trained  *bool // "trained this week"
	Sessions *bool // the number of sessions this week
}

// SetSharing changes what u shares with their trainer in group id, or,
// in a peer group, with its members and leader. To anyone who is not a
// member the group does not exist.
func (gs *Groups) SetSharing(ctx context.Context, u store.User, id string, ch SharingChange) error {
	ms, err := gs.store.Members(ctx, id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ms, func(m store.Membership) bool { return m.UserID == u.ID })
	if i < 0 {
		return fmt.Errorf("member %s of %s: %w", u.ID, id, store.ErrNotFound)
	}
	if ch.Trained != nil || ch.Sessions != nil {
		g, err := gs.store.GroupByID(ctx, id)
		if err != nil {
			return err
		}
		if g.Kind != store.GroupPeer {
			var f fields
			if ch.Trained != nil {
				f.add("shareTrained", "only in a peer group")
			}
			if ch.Sessions != nil {
				f.add("shareSessions", "only in a peer group")
			}
			return f.err()
		}
	}
	s := ms[i].Sharing
	if ch.Trained != nil {
		s.Trained = *ch.Trained
	}
	if ch.Sessions != nil {
		s.Sessions = *ch.Sessions
	}
	if ch.History != nil {
		s.History = *ch.History
	}
	if ch.Notes != nil {
		s.Notes = *ch.Notes
	}
	return gs.store.SetSharing(ctx, id, u.ID, s)
}
