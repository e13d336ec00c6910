package account

import (
	"context"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// ExportStore is what Export reads.
type ExportStore interface {
	UserGroups(ctx context.Context, userID string) ([]store.UserGroup, error)
	Docs(ctx context.Context, scope string) ([]sync.Doc, error)
	AuditOf(ctx context.Context, userID string) ([]store.AuditEntry, error)
	UserRSVPs(ctx context.Context, userID string) ([]store.RSVP, error)
	UserAttendance(ctx context.Context, userID string) ([]store.Attendance, error)
	InvitationsOf(ctx context.Context, userID string) ([]store.Invitation, error)
}

// Export is everything the server keeps about a user, for the user: the
// right of access and portability of the GDPR.
type Export struct {
	User   store.User
	Groups []store.UserGroup
	Docs   []sync.Doc
	Audit  []store.AuditEntry // reads of the user's data by others, newest first
	// RSVPs are the answers for peer-group sessions, Attendance the
	// sessions a peer leader ticked the user present at (the sharing
	// choices are in Groups).
	RSVPs      []store.RSVP
	Attendance []store.Attendance
	// Invitations are the peer groups a trainer handed the user, not yet
	// accepted or declined.
	Invitations []store.Invitation
}

// ExportOf gathers u's data.
func ExportOf(ctx context.Context, st ExportStore, u store.User) (Export, error) {
	gs, err := st.UserGroups(ctx, u.ID)
	if err != nil {
		return Export{}, err
	}
	docs, err := st.Docs(ctx, u.ID)
	if err != nil {
		return Export{}, err
	}
	audit, err := st.AuditOf(ctx, u.ID)
	if err != nil {
		return Export{}, err
	}
	rsvps, err := st.UserRSVPs(ctx, u.ID)
	if err != nil {
		return Export{}, err
	}
	attendance, err := st.UserAttendance(ctx, u.ID)
	if err != nil {
		return Export{}, err
	}
	invitations, err := st.InvitationsOf(ctx, u.ID)
	if err != nil {
		return Export{}, err
	}
	return Export{User: u, Groups: gs, Docs: docs, Audit: audit, RSVPs: rsvps, Attendance: attendance, Invitations: invitations}, nil
}
