package account

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

// Bounds of a progress request.
const (
	DefaultProgressWeeks = 12
	MaxProgressWeeks     = 53
)

// ClinicStore is what Clinic needs: groups and members, the patients'
// documents, and the audit log.
type ClinicStore interface {
	GroupByID(ctx context.Context, id string) (store.Group, error)
	Members(ctx context.Context, groupID string) ([]store.Membership, error)
	UserByID(ctx context.Context, id string) (store.User, error)
	Docs(ctx context.Context, scope string) ([]sync.Doc, error)
	Push(ctx context.Context, scope, batchID string, docs []sync.Doc) (store.PushResult, error)
	AppendAudit(ctx context.Context, entries []store.AuditEntry) error
}

// Clinic is what a trainer (or an admin) does with a treatment group's
// patients: read their progress and set their plans. Every read of a
// patient's data is recorded in the audit log first; when it cannot be,
// nothing is read.
type Clinic struct {
	store ClinicStore
	clock *sync.Clock
	now   func() time.Time
	rand  io.Reader
}

// NewClinic returns the clinic rules over st. The plans it writes are
// stamped by clock, the server's own.
func NewClinic(st ClinicStore, clock *sync.Clock, now func() time.Time, rand io.Reader) *Clinic {
	return &Clinic{store: st, clock: clock, now: now, rand: rand}
}

// Audit "what" values: what was read.
const (
	AuditGroupProgress = "group_progress" // the weekly figures on a group page
	AuditPatient       = "patient"        // a patient page: sessions and plan
)

// MemberProgress is one member's figures on a group page.
type MemberProgress struct {
	UserID        string
	Name          string
	Weeks         []training.WeekFigures
	LastSessionAt time.Time // zero when none is visible
	Flags         []training.Flag
	// NextStepDue: the member has been in the group for the group's
	// next-step weeks or more.
	NextStepDue bool
}

// GroupProgress is a group page: every member, those who need a call
// first.
type GroupProgress struct {
	Group   store.Group
	Weeks   []training.Week
	Members []MemberProgress
}

// treatmentGroup returns the group if by may see its patients' data: the
// trainer who leads it (while still a trainer) or an admin, and only a
// treatment group. To anyone else it does not exist.
func (c *Clinic) treatmentGroup(ctx context.Context, by store.User, id string) (store.Group, []store.Membership, error) {
	return treatmentGroup(ctx, c.store, by, id)
}

// groupMembers reads groups and their members.
type groupMembers interface {
	GroupByID(ctx context.Context, id string) (store.Group, error)
	Members(ctx context.Context, groupID string) ([]store.Membership, error)
}

// treatmentGroup is Clinic.treatmentGroup over any store of groups.
func treatmentGroup(ctx context.Context, st groupMembers, by store.User, id string) (store.Group, []store.Membership, error) {
	g, err := st.GroupByID(ctx, id)
	if err != nil {
		return g, nil, err
	}
	if g.Kind != store.GroupTreatment || !(by.Role == store.RoleAdmin || by.Role == store.RoleTrainer && g.OwnerID == by.ID) {
		return store.Group{}, nil, fmt.Errorf("group %s for %s: %w", id, by.ID, store.ErrNotFound)
	}
	ms, err := st.Members(ctx, g.ID)
	return g, ms, err
}

// treatmentMember returns the group and the membership of userID in
// treatment group id, for those who may see the group's patients.
func treatmentMember(ctx context.Context, st groupMembers, by store.User, groupID, userID string) (store.Group, store.Membership, error) {
	g, ms, err := treatmentGroup(ctx, st, by, groupID)
	if err != nil {
		return store.Group{}, store.Membership{}, err
	}
	i := slices.IndexFunc(ms, func(m store.Membership) bool { return m.UserID == userID })
	if i < 0 {
		return store.Group{}, store.Membership{}, fmt.Errorf("member %s of %s: %w", userID, groupID, store.ErrNotFound)
	}
	return g, ms[i], nil
}

// audit records that by reads what of each of ms, before the read.
func (c *Clinic) audit(ctx context.Context, by store.User, what string, ms []store.Membership) error {
	at := c.now().UTC()
	entries := make([]store.AuditEntry, len(ms))
	for i, m := range ms {
		entries[i] = store.AuditEntry{UserID: m.UserID, ActorID: by.ID, ActorName: by.Name, What: what, At: at}
	}
	if err := c.store.AppendAudit(ctx, entries); err != nil {
		return fmt.Errorf("audit before reading: %w", err)
	}
	return nil
}

// patientView is a member's diary as the trainer may see it.
type patientView struct {
	user  store.User
	diary training.Diary
	loc   *time.Location
	hrMax int
	since time.Time // the start of what the trainer sees; zero: everything
}

// read reads member m's diary as the trainer may see it: sessions logged
// before the join only when the patient shares their history, notes only
// when the patient shares them. A member
// whose account is gone reads as store.ErrNotFound.
func (c *Clinic) read(ctx context.Context, m store.Membership) (patientView, error) {
	u, err := c.store.UserByID(ctx, m.UserID)
	if err != nil {
		return patientView{}, err
	}
	docs, err := c.store.Docs(ctx, u.ID)
	if err != nil {
		return patientView{}, err
	}
	di, err := training.ReadDiary(docs)
	if err != nil {
		return patientView{}, fmt.Errorf("patient %s: %w", u.ID, err)
	}
	v := patientView{user: u, diary: di, loc: location(u.TimeZone), since: m.JoinedAt}
	if !m.Sharing.Notes {
		for i := range v.diary.Sessions {
			v.diary.Sessions[i].Note = ""
		}
	}
	if m.Sharing.History {
		v.since = time.Time{}
	} else {
		v.diary.Sessions = slices.DeleteFunc(v.diary.Sessions, func(s training.Session) bool {
			return s.StartedAt.Before(m.JoinedAt)
		})
		// A measurement is dated by its day: one taken on the day of the
		// join is the patient's first in the group.
		joinDay := time.Date(m.JoinedAt.Year(), m.JoinedAt.Month(), m.JoinedAt.Day(), 0, 0, 0, 0, time.UTC)
		v.diary.Measurements = slices.DeleteFunc(v.diary.Measurements, func(ms training.Measurement) bool {
			return ms.Date.Before(joinDay)
		})
	}
	v.hrMax, _ = training.HRMax(u.HRMax, u.BirthYear, c.now())
	return v, nil
}

// location is the patient's time zone, DefaultTimeZone when it does not
// load.
func location(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Progress returns the group page of group id over the last weeks ISO
// weeks (on by's calendar), for the trainer who leads it or an admin.
func (c *Clinic) Progress(ctx context.Context, by store.User, id string, weeks int) (GroupProgress, error) {
	if weeks < 1 || weeks > MaxProgressWeeks {
		return GroupProgress{}, invalid("weeks", fmt.Sprintf("want 1–%d", MaxProgressWeeks))
	}
	g, ms, err := c.treatmentGroup(ctx, by, id)
	if err != nil {
		return GroupProgress{}, err
	}
	if err := c.audit(ctx, by, AuditGroupProgress, ms); err != nil {
		return GroupProgress{}, err
	}
	now := c.now()
	out := GroupProgress{Group: g, Weeks: training.Weeks(now, location(by.TimeZone), weeks), Members: make([]MemberProgress, 0, len(ms))}
	for _, m := range ms {
		v, err := c.read(ctx, m)
		if errors.Is(err, store.ErrNotFound) {
			continue // erased between the two reads
		}
		if err != nil {
			return GroupProgress{}, err
		}
		figures := training.Weekly(v.diary.Sessions, v.diary.Plan, v.loc, v.hrMax, out.Weeks)
		since := m.JoinedAt
		out.Members = append(out.Members, MemberProgress{
			UserID: v.user.ID, Name: v.user.Name, Weeks: figures,
			LastSessionAt: training.LastSession(v.diary.Sessions),
			Flags:         training.Flags(v.diary.Sessions, figures, v.hrMax, since, now),
			NextStepDue:   NextStepOf(g, m.JoinedAt, now).Due,
		})
	}
	slices.SortStableFunc(out.Members, func(a, b MemberProgress) int {
		if d := len(b.Flags) - len(a.Flags); d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// Patient is a patient page: the patient's sessions (as far as the
// trainer may see them), plan and weekly figures.
type Patient struct {
	User     store.User
	JoinedAt time.Time
	// Since is where the trainer's view begins: the join, or zero when
	// the patient shares their history.
	Since    time.Time
	Sessions []training.Session
	Plan     training.Plan
	PlanBy   training.PlanSetter
	Weeks    []training.WeekFigures
	HRMax    int
	// Fitness is the fitness age of each measurement with a VO2max, as
	// the patient sees it (training.FitnessTrend); nil when the profile
	// names no sex, which the reference needs.
	Fitness []training.FitnessPoint
	// NextStep says how long the patient has been in the group, and
	// whether it is time to suggest the next step.
	NextStep NextStep
}

// member returns the membership of userID in group id, for those who may
// see the group's patients.
func (c *Clinic) member(ctx context.Context, by store.User, groupID, userID string) (store.Membership, error) {
	_, m, err := treatmentMember(ctx, c.store, by, groupID, userID)
	return m, err
}

// Patient returns the patient page of member userID of group groupID over
// the last weeks ISO weeks. Session notes are left out unless the patient
// shares them.
func (c *Clinic) Patient(ctx context.Context, by store.User, groupID, userID string, weeks int) (Patient, error) {
	if weeks < 1 || weeks > MaxProgressWeeks {
		return Patient{}, invalid("weeks", fmt.Sprintf("want 1–%d", MaxProgressWeeks))
	}
	g, m, err := treatmentMember(ctx, c.store, by, groupID, userID)
	if err != nil {
		return Patient{}, err
	}
	if err := c.audit(ctx, by, AuditPatient, []store.Membership{m}); err != nil {
		return Patient{}, err
	}
	v, err := c.read(ctx, m)
	if err != nil {
		return Patient{}, err
	}
	ws := training.Weeks(c.now(), location(by.TimeZone), weeks)
	return Patient{
		User: v.user, JoinedAt: m.JoinedAt, Since: v.since,
		Sessions: v.diary.Sessions, Plan: v.diary.Plan, PlanBy: v.diary.PlanBy,
		Weeks: training.Weekly(v.diary.Sessions, v.diary.Plan, v.loc, v.hrMax, ws), HRMax: v.hrMax,
		Fitness:  training.FitnessTrend(v.diary.Measurements, training.Sex(v.user.Sex), v.user.BirthYear),
		NextStep: NextStepOf(g, m.JoinedAt, c.now()),
	}, nil
}

// SetPlan writes member userID's plan as by sets it. The plan is the
// patient's synced document, written through the CRDT like a phone's
// change, with stamps of the server's clock later than every stamp the
// stored plan holds: the trainer's change wins over what is stored even
// when a phone's clock runs ahead, and reaches the phone by its next pull.
func (c *Clinic) SetPlan(ctx context.Context, by store.User, groupID, userID string, p training.Plan) (training.Plan, error) {
	m, err := c.member(ctx, by, groupID, userID)
	if err != nil {
		return training.Plan{}, err
	}
	docs, err := c.store.Docs(ctx, m.UserID)
	if err != nil {
		return training.Plan{}, err
	}
	var latest string
	if i := slices.IndexFunc(docs, func(d sync.Doc) bool { return d.Type == training.TypePlan }); i >= 0 {
		latest = docs[i].MaxTS()
	}
	ts := c.clock.Now()
	if latest != "" {
		seen, err := sync.ParseTimestamp(latest)
		if err != nil {
			return training.Plan{}, fmt.Errorf("stored plan of %s: %w", m.UserID, err)
		}
		ts = c.clock.Update(seen)
	}
	doc, err := training.PlanDoc(p, training.PlanSetter{ID: by.ID, Name: by.Name}, ts.String())
	if err != nil {
		return training.Plan{}, err
	}
	if err := training.Validate(doc); err != nil {
		return training.Plan{}, schemaInvalid(err)
	}
	batch, err := newID(c.rand)
	if err != nil {
		return training.Plan{}, err
	}
	if _, err := c.store.Push(ctx, m.UserID, "plan-"+batch, []sync.Doc{doc}); err != nil {
		return training.Plan{}, err
	}
	return p, nil
}

// AddMeasurement writes a new body measurement into member userID's
// synced documents as by, their trainer, enters it (a test at the clinic,
// say): through the CRDT like a phone's change, so it reaches the phone
// by its next pull. values are the measurement's fields as the schema
// names them; it returns the new document's id.
func (c *Clinic) AddMeasurement(ctx context.Context, by store.User, groupID, userID string, values map[string]any) (string, error) {
	m, err := c.member(ctx, by, groupID, userID)
	if err != nil {
		return "", err
	}
	if len(values) == 0 {
		return "", invalid("date", "a measurement needs at least one value")
	}
	id, err := newID(c.rand)
	if err != nil {
		return "", err
	}
	doc, err := training.MeasurementDoc(id, values, c.clock.Now().String())
	if err != nil {
		return "", err
	}
	if err := training.Validate(doc); err != nil {
		return "", schemaInvalid(err)
	}
	if _, err := c.store.Push(ctx, m.UserID, "measurement-"+id, []sync.Doc{doc}); err != nil {
		return "", err
	}
	return id, nil
}

// schemaInvalid reports a document's rejected fields as account fields.
func schemaInvalid(err error) error {
	var errs sync.ValidationErrors
	if !errors.As(err, &errs) {
		return err
	}
	var f fields
	for _, e := range errs {
		f.add(e.Field, e.Reason)
	}
	return f.err()
}
