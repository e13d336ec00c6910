// Package store holds the records the server keeps and the Store interface
// that every storage engine implements. Engines live in subpackages
// (sqlitestore, mongostore) and all pass the conformance suite in storetest.
//
// The package has no I/O of its own and knows nothing of HTTP.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/hit4x4/dagbok/sync"
)

// Sentinel errors every engine returns, wrapped or bare; callers test them
// with errors.Is.
var (
	// ErrNotFound: no record with that key (or, for invites, none usable now).
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: a record with that unique key exists already.
	ErrDuplicate = errors.New("duplicate")
	// ErrConflict: the record changed underneath the caller, or is in a state
	// that forbids the operation.
	ErrConflict = errors.New("conflict")
	// ErrTokenReused: a refresh token that was already rotated was presented
	// again. The caller must revoke the token's whole family.
	ErrTokenReused = errors.New("refresh token reused")
	// ErrStorageFull: the store has no room for the write (the disk, or
	// the size the operator allows the database, is full). Nothing of the
	// write was kept.
	ErrStorageFull = errors.New("storage full")
	// ErrCursorExpired: the pull cursor predates collected tombstones; the
	// client must pull again from the start.
	ErrCursorExpired = errors.New("cursor expired")
)

// Role of an account.
type Role string

const (
	RolePatient    Role = "patient"
	RoleTrainer    Role = "trainer"
	RolePeerLeader Role = "peer_leader"
	RoleAdmin      Role = "admin"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RolePatient, RoleTrainer, RolePeerLeader, RoleAdmin:
		return true
	}
	return false
}

// User is an account. Email is stored normalised (see the api package);
// Name is a display name or alias, never required to be a real name.
type User struct {
	ID           string
	Email        string
	PasswordHash string
	Name         string
	Role         Role
	BirthYear    int    // 0 when unknown
	HRMax        int    // measured maximal heart rate, 0 when unknown
	Sex          string // "female" or "male" (the reference of fitness age), "" when not given
	TimeZone     string // IANA name, e.g. Europe/Oslo
	Language     string // "nb" or "en"
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// GroupKind tells a clinic's treatment group from a peer group.
type GroupKind string

const (
	GroupTreatment GroupKind = "treatment"
	GroupPeer      GroupKind = "peer"
)

// Group is a trainer's treatment group or a peer leader's peer group
// («likepersonsgruppe»). OwnerID is the trainer or peer leader who leads it.
type Group struct {
	ID        string
	Name      string
	Kind      GroupKind
	OwnerID   string
	CreatedAt time.Time
	// ArchivedAt is when the group was archived, zero while active. An
	// archived group keeps its members and history; its codes stop working.
	ArchivedAt time.Time
	// NextStepWeeks is how many weeks into a treatment group its trainer
	// is prompted to suggest the next step (a peer group, the
	// frisklivssentral); 0 when never set (the account package's default).
	NextStepWeeks int
}

// Membership ties a patient to a group.
type Membership struct {
	GroupID  string
	UserID   string
	JoinedAt time.Time
	Sharing  Sharing
}

// Sharing is what a member of a treatment group lets its trainer see
// beyond what was logged from the join on, except notes; and what a member
// of a peer group shows the others in it beyond their name.
type Sharing struct {
	// History: what was logged before the join too.
	History bool
	// Notes: the notes of the sessions; off, they are the patient's own.
	Notes bool
	// Trained (peer group): "trained this week", yes or no.
	Trained bool
	// Sessions (peer group): how many sessions this week.
	Sessions bool
}

// AuditEntry records one read of a patient's health data by someone else.
type AuditEntry struct {
	UserID    string // whose data was read
	ActorID   string
	ActorName string // the reader's name at the time, kept if they are erased
	What      string // what was read, e.g. "group_progress:<group id>"
	At        time.Time
}

// UserGroup is a group as seen from one user: the group and how the user
// belongs to it.
type UserGroup struct {
	Group
	Owner    bool      // the user leads the group
	JoinedAt time.Time // for members; CreatedAt for the owner
	Sharing  Sharing   // for members: see Membership
}

// Schedule is a peer group's weekly group session. Weekday is ISO (1 =
// Monday … 7 = Sunday), Time "HH:MM" in TimeZone (an IANA name, the
// leader's when the schedule was set), so the session keeps its wall-clock
// time across daylight-saving changes.
type Schedule struct {
	GroupID   string
	Weekday   int
	Time      string
	Place     string
	Note      string
	TimeZone  string
	UpdatedAt time.Time
}

// RSVP is a member's answer for the group session on Date ("YYYY-MM-DD"
// in the schedule's time zone): coming or not this time.
type RSVP struct {
	GroupID string
	UserID  string
	Date    string
	Coming  bool
	At      time.Time
}

// GroupNotice is the latest short notice a peer group's leader posted for
// its members (plain text, e.g. "Vi trener inne i dag pga. regn"). A new
// notice replaces the one before; a group has at most one.
type GroupNotice struct {
	GroupID  string
	Text     string
	PostedAt time.Time
	By       string // the user who posted it
}

// Attendance is one member ticked present by the peer leader at the
// group session on Date ("YYYY-MM-DD" on the group's calendar).
type Attendance struct {
	GroupID string
	Date    string
	UserID  string
	At      time.Time // when the leader ticked it
}

// Invite is a short code that either grants a role (Role set, GroupID empty:
// an admin inviting a trainer or peer leader) or joins a group (GroupID set,
// the new account is a patient).
type Invite struct {
	Code      string
	Role      Role
	GroupID   string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	MaxUses   int // 0 = unlimited until it expires
	Uses      int
	RevokedAt time.Time // zero while not revoked
}

// Usable reports whether the invite can be used at now.
func (i Invite) Usable(now time.Time) bool {
	return i.RevokedAt.IsZero() && now.Before(i.ExpiresAt) && (i.MaxUses == 0 || i.Uses < i.MaxUses)
}

// RefreshToken is the stored form of an opaque refresh token: only its hash
// is kept. Tokens of one login form a family; rotating a token marks it used
// and issues the next in the same family.
type RefreshToken struct {
	Hash      string
	UserID    string
	Family    string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until rotated
	RevokedAt time.Time // zero until revoked
}

// ResetCode is the stored form of a one-time password-reset code that a
// trainer or an admin issued for an account: only its hash is kept.
type ResetCode struct {
	Hash      string
	UserID    string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PushResult is what a sync push reports back.
type PushResult struct {
	Applied int  // documents merged in this batch
	Replay  bool // the batch had been applied before; nothing changed now
}

// PullPage is one page of a scope's change log.
type PullPage struct {
	Docs   []StoredDoc // newest state of each document changed after the cursor
	Cursor int64       // pass back to continue after this page
	More   bool        // another page follows
}

// StoredDoc is a document as a store keeps it: its fields are one JSON
// object in the stored form, {"name":{"value":<value>,"ts":"<stamp>"},…}
// with names in byte order, each value in the bytes it was pushed with
// but for whitespace (see EncodeFields). A pull hands documents on in this
// form, so that the answer to a phone is written from the stored bytes
// without decoding them into maps and encoding them again
// (docs/benchmarks.md); Doc decodes one where the fields are needed.
type StoredDoc struct {
	ID     string
	Type   string
	Fields jsontext.Value
}

// Doc decodes the stored document.
func (d StoredDoc) Doc() (sync.Doc, error) {
	fields, err := DecodeFields(d.Fields)
	if err != nil {
		return sync.Doc{}, fmt.Errorf("document %s: %w", d.ID, err)
	}
	return sync.Doc{ID: d.ID, Type: d.Type, Fields: fields}, nil
}

// CompactResult reports what a compaction removed.
type CompactResult struct {
	LogEntries int // superseded change-log entries removed
	Tombstones int // tombstoned documents collected (see SyncStore.Compact)
}

// UserStore keeps accounts.
type UserStore interface {
	CreateUser(ctx context.Context, u User) error // ErrDuplicate on email or id
	UserByID(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	UpdateUser(ctx context.Context, u User) error // replaces every field but ID, Email, CreatedAt
	// Staff lists the accounts that are not patients, oldest first.
	Staff(ctx context.Context) ([]User, error)
	// DeleteUser erases an account: the user, their memberships, refresh
	// tokens, push subscriptions, reminder settings and claims, the audit
	// entries about them and every document of their sync scope (the scope
	// is the user ID).
	// Groups the user leads are kept.
	DeleteUser(ctx context.Context, id string) error
}

// GroupStore keeps groups and memberships.
type GroupStore interface {
	CreateGroup(ctx context.Context, g Group) error
	GroupByID(ctx context.Context, id string) (Group, error)
	// UpdateGroup replaces the name, ArchivedAt and NextStepWeeks of a
	// group; ErrNotFound when there is none.
	UpdateGroup(ctx context.Context, g Group) error
	// AddMember is idempotent: joining a group twice keeps the first JoinedAt.
	AddMember(ctx context.Context, m Membership) error
	RemoveMember(ctx context.Context, groupID, userID string) error
	Members(ctx context.Context, groupID string) ([]Membership, error)
	// UserGroups lists the groups a user leads or belongs to, oldest first.
	UserGroups(ctx context.Context, userID string) ([]UserGroup, error)
	// SetSchedule creates or replaces the weekly session of a group.
	SetSchedule(ctx context.Context, s Schedule) error
	// ScheduleOf returns a group's weekly session; ErrNotFound when none is set.
	ScheduleOf(ctx context.Context, groupID string) (Schedule, error)
	// SetRSVP creates or replaces a member's answer for one date.
	SetRSVP(ctx context.Context, r RSVP) error
	// RSVPs lists the answers for one date of a group, oldest first.
	RSVPs(ctx context.Context, groupID, date string) ([]RSVP, error)
	// SetSharing changes what a member shares; ErrNotFound when the user
	// is no member of the group.
	SetSharing(ctx context.Context, groupID, userID string, s Sharing) error
}

// AuditStore keeps the log of reads of patients' data by others. Entries
// are only appended; they go with the account of the patient they are
// about.
type AuditStore interface {
	// AppendAudit records entries durably, all or none, before returning.
	AppendAudit(ctx context.Context, entries []AuditEntry) error
	// AuditOf lists the entries about one user, newest first.
	AuditOf(ctx context.Context, userID string) ([]AuditEntry, error)
}

// InviteStore keeps invite codes.
type InviteStore interface {
	CreateInvite(ctx context.Context, inv Invite) error // ErrDuplicate on code
	InviteByCode(ctx context.Context, code string) (Invite, error)
	// UseInvite atomically counts one use of a usable invite and returns it;
	// ErrNotFound when there is no such code or it is expired, revoked or
	// used up (callers must not tell these apart to the user).
	UseInvite(ctx context.Context, code string, now time.Time) (Invite, error)
	RevokeInvite(ctx context.Context, code string, now time.Time) error
	// InvitesBy lists the invites one user created, newest first.
	InvitesBy(ctx context.Context, userID string) ([]Invite, error)
}

// TokenStore keeps refresh tokens.
type TokenStore interface {
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	// UseRefreshToken atomically marks an unused, unrevoked, unexpired token
	// used and returns it. A token that was used before is returned with
	// ErrTokenReused; an unknown, revoked or expired one gives ErrNotFound.
	UseRefreshToken(ctx context.Context, hash string, now time.Time) (RefreshToken, error)
	RevokeRefreshToken(ctx context.Context, hash string, now time.Time) error
	RevokeRefreshFamily(ctx context.Context, family string, now time.Time) error
	RevokeUserRefreshTokens(ctx context.Context, userID string, now time.Time) error
	// CreateResetCode stores a reset code, replacing every earlier code
	// of the same user.
	CreateResetCode(ctx context.Context, c ResetCode) error
	// UseResetCode atomically removes an unexpired code and returns it:
	// each code works once. ErrNotFound when unknown, used or expired.
	UseResetCode(ctx context.Context, hash string, now time.Time) (ResetCode, error)
}

// SyncStore keeps each scope's documents and its change log.
//
// Push merges every document of a batch with the stored one (sync.Merge),
// writes the result, then appends the merged states to the scope's change
// log with dense sequence numbers, and only then returns. A batch ID seen
// before for the scope returns the earlier result and changes nothing. The
// documents are validated by the caller.
//
// Pull returns the newest state of every document logged after cursor
// (0 = from the start), at most limit documents, in log order.
type SyncStore interface {
	Push(ctx context.Context, scope, batchID string, docs []sync.Doc) (PushResult, error)
	Pull(ctx context.Context, scope string, cursor int64, limit int) (PullPage, error)
	// Docs returns the current state of every document in the scope (for
	// export and for trainers' reads), ordered by ID.
	Docs(ctx context.Context, scope string) ([]sync.Doc, error)
	// Compact drops change-log entries superseded by a newer entry of the
	// same document, and collects tombstones the store last wrote before
	// tombstonesBefore. A tombstone's age is measured by the store's clock
	// from the last push that changed the document, never from the stamps
	// it carries: a deletion made offline long ago and pushed today lives a
	// full TTL from today, and a later change to a deleted document only
	// keeps it longer. Cursors older than a collected entry then get
	// ErrCursorExpired.
	Compact(ctx context.Context, scope string, tombstonesBefore time.Time) (CompactResult, error)
	// Scopes lists every scope that holds documents, for the compactor.
	Scopes(ctx context.Context) ([]string, error)
	// Usage reports what a scope keeps, for per-user quotas.
	Usage(ctx context.Context, scope string) (Usage, error)
}

// Usage is what one scope keeps: its documents (tombstones included, until
// collected) and the bytes of their fields, counted once in the documents
// and once in each change-log entry not yet compacted away. It is measured
// the same way on every engine, so a quota means the same on each.
type Usage struct {
	Docs  int64
	Bytes int64
}

// Subscription is one browser's Web Push subscription. The endpoint is
// the push service's URL for that browser and is unique: a browser that
// signs in as another user moves its subscription to that user.
type Subscription struct {
	Endpoint  string
	UserID    string
	P256dh    string // the browser's public key, base64url
	Auth      string // the browser's authentication secret, base64url
	CreatedAt time.Time
}

// ReminderSettings are a user's choices about reminders. A user who never
// chose has none stored (ErrNotFound); the push package supplies defaults.
type ReminderSettings struct {
	UserID      string
	Off         []string // reminder kinds turned off
	LeadMinutes int      // how long before a planned session its reminder comes
	QuietStart  int      // quiet hours, minutes after local midnight; start == end: none
	QuietEnd    int
}

// ReminderClaim is the right to send one reminder. Key names the reminder
// (user, kind, slot and week) and is claimed by one scheduler instance at
// a time, until LeaseUntil; a finished claim is never handed out again.
type ReminderClaim struct {
	Key        string
	UserID     string
	Owner      string // the scheduler instance holding the lease
	Gen        int    // counts the leases taken on the key
	LeaseUntil time.Time
	CreatedAt  time.Time
}

// PushStore keeps Web Push subscriptions, reminder settings and the claims
// that keep several scheduler instances from sending a reminder twice.
// Erasing a user (DeleteUser) removes all three.
type PushStore interface {
	// SaveSubscription adds a subscription or replaces the one with the
	// same endpoint.
	SaveSubscription(ctx context.Context, s Subscription) error
	// DeleteSubscription removes one of the user's subscriptions;
	// ErrNotFound when the user has none with that endpoint.
	DeleteSubscription(ctx context.Context, userID, endpoint string) error
	// Subscriptions lists a user's subscriptions, oldest first.
	Subscriptions(ctx context.Context, userID string) ([]Subscription, error)
	// SubscribedUsers lists every user with a subscription, ordered by ID.
	SubscribedUsers(ctx context.Context) ([]string, error)
	ReminderSettings(ctx context.Context, userID string) (ReminderSettings, error)
	SaveReminderSettings(ctx context.Context, s ReminderSettings) error
	// ClaimReminders takes, for each claim, the lease on its Key for its
	// Owner until its LeaseUntil, where the key was never claimed, or its
	// last lease ran out before now and it was not finished. It returns
	// the claims won (with their Gen), in the order given; a key another
	// instance holds, or that is finished, is left out. Two instances
	// racing for a key never both win it. Batches let a scheduler claim
	// thousands of reminders in a few writes.
	ClaimReminders(ctx context.Context, cs []ReminderClaim, now time.Time) ([]ReminderClaim, error)
	// FinishReminders marks claimed reminders sent (or given up): they are
	// never claimed again. A lease taken over since still finishes its
	// key: the slow send went through.
	FinishReminders(ctx context.Context, cs []ReminderClaim, at time.Time) error
	// DeleteClaimsBefore removes claims created before t (the scheduler
	// keeps them only as long as a reminder could still be sent).
	DeleteClaimsBefore(ctx context.Context, t time.Time) error
}

// Invitation is a peer group's code a trainer handed to a patient: the
// patient sees it as an invitation and joins with the code only when they
// accept. One per patient and peer group; handing the group again
// replaces it.
type Invitation struct {
	ID          string
	UserID      string // the patient
	GroupID     string // the peer group
	Code        string // the peer group's invite code; it expires with it
	FromGroupID string // the treatment group it was handed in
	InvitedBy   string // the trainer (or admin) who handed it
	CreatedAt   time.Time
}

// Store is everything the server keeps.
type Store interface {
	UserStore
	GroupStore
	InviteStore
	TokenStore
	SyncStore
	PushStore
	AuditStore
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
	Close() error

	// A pull read straight from the log (the HTTP pull writes its
	// answer from the rows, without a page of copies in between).

	// PullEach reads the page Pull reads and hands its log entries to
	// emit in log order, lending each (its ID, Type and Fields may be
	// memory the store reuses) only until emit returns: a caller that
	// keeps one copies it. Unlike Pull it does not leave out an entry
	// that a later entry of the same document in the page supersedes, so
	// a document may come more than once; its last entry is its newest
	// state in the page, and Pull's page holds that state at that
	// position. It returns Pull's cursor and More, and Pull's errors
	// (ErrCursorExpired); an error from emit stops the read and is
	// returned as it is.
	PullEach(ctx context.Context, scope string, cursor int64, limit int, emit func(StoredDoc) error) (next int64, more bool, err error)

	// Reminder targets: the scheduler reads its users a page at a time.

	// ReminderTargets lists up to limit users with a push subscription
	// whose IDs sort after `after`, ordered by ID, each with their
	// reminder settings, subscriptions (oldest first) and groups (as
	// UserGroups lists them): what the scheduler needs of a page of users
	// besides their diaries, in a few queries instead of four for each
	// user. A page shorter than limit is the last.
	ReminderTargets(ctx context.Context, after string, limit int) ([]ReminderTarget, error)

	// Peer groups: one-off changes and cancellations of the weekly
	// group session.

	// SetSessionChange creates or replaces the change of one date of a
	// group's weekly session; ErrNotFound when there is no such group.
	SetSessionChange(ctx context.Context, c SessionChange) error
	// DeleteSessionChange removes it; ErrNotFound when there is none.
	DeleteSessionChange(ctx context.Context, groupID, date string) error
	// SessionChanges lists a group's changes for regular dates from
	// through until (both "YYYY-MM-DD", inclusive), by date.
	SessionChanges(ctx context.Context, groupID, from, until string) ([]SessionChange, error)

	// Group notices: the latest notice of each peer group. Erasing a
	// user (DeleteUser) removes the notices they posted.

	// SetNotice creates or replaces a group's notice; ErrNotFound when
	// there is no such group.
	SetNotice(ctx context.Context, n GroupNotice) error
	// DeleteNotice removes a group's notice; none is no error.
	DeleteNotice(ctx context.Context, groupID string) error
	// NoticeOf returns a group's notice; ErrNotFound when it has none.
	NoticeOf(ctx context.Context, groupID string) (GroupNotice, error)

	// Peer groups: attendance, the member's own records, and what leaving
	// takes away.

	// SetAttendance replaces the members ticked present at a group's
	// session on date (none clears the date). The users must exist.
	SetAttendance(ctx context.Context, groupID, date string, present []string, at time.Time) error
	// AttendanceOf lists a group's ticks with from <= date <= to, by date
	// then user.
	AttendanceOf(ctx context.Context, groupID, from, to string) ([]Attendance, error)
	// UserAttendance lists every tick of one user, by group then date.
	UserAttendance(ctx context.Context, userID string) ([]Attendance, error)
	// UserRSVPs lists every answer of one user, by group then date.
	UserRSVPs(ctx context.Context, userID string) ([]RSVP, error)
	// ForgetMember removes one user's ticks and answers in one group
	// (leaving takes them along). No error when there are none.
	ForgetMember(ctx context.Context, groupID, userID string) error

	// Peer-group invitations (from the clinic to everyday life). Erasing
	// the patient (DeleteUser) removes theirs.

	// SaveInvitation stores an invitation, replacing the one of the same
	// user and group (ID included); ErrNotFound when the user or the
	// group does not exist.
	SaveInvitation(ctx context.Context, inv Invitation) error
	// InvitationsOf lists a user's invitations, newest first.
	InvitationsOf(ctx context.Context, userID string) ([]Invitation, error)
	// DeleteInvitation removes one of the user's invitations; ErrNotFound
	// when the user has none with that id.
	DeleteInvitation(ctx context.Context, userID, id string) error
	// DeleteGroupInvitations removes every invitation to a group (when it
	// is archived).
	DeleteGroupInvitations(ctx context.Context, groupID string) error
}

// ReminderTarget is a user with push subscriptions, as the reminder
// scheduler reads them.
type ReminderTarget struct {
	User User
	// Settings are nil when the user never chose.
	Settings      *ReminderSettings
	Subscriptions []Subscription // oldest first
	Groups        []UserGroup    // as UserGroups lists them
}

// SessionChange is a one-off change of a peer group's weekly session on
// Date, its regular date ("YYYY-MM-DD" in the schedule's time zone): the
// session is cancelled (with an optional reason), or moved to MovedTo (a
// day of the same week), Time or Place; empty fields keep the schedule's.
// It is the group's, not any member's: erasing the leader keeps it.
type SessionChange struct {
	GroupID   string
	Date      string
	Cancelled bool
	Reason    string
	MovedTo   string
	Time      string
	Place     string
	UpdatedAt time.Time
}
