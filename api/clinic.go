package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

// clinicHandlers serve a trainer's group and patient pages, and the
// patient's own view of their groups, audit log and export.
type clinicHandlers struct {
	clinic *account.Clinic
	groups *account.Groups
	export account.ExportStore
}

type weekJSON struct {
	Week               string  `json:"week"`
	Sessions           int     `json:"sessions"`
	Planned            int     `json:"planned"`
	HighIntensityShare float64 `json:"highIntensityShare"`
	Load               float64 `json:"load"`
}

type flagJSON struct {
	Code    training.FlagCode `json:"code"`
	Message string            `json:"message"`
}

type memberProgressJSON struct {
	UserID        string     `json:"userId"`
	Name          string     `json:"name"`
	Weeks         []weekJSON `json:"weeks"`
	LastSessionAt *time.Time `json:"lastSessionAt"` // null when none
	Flags         []flagJSON `json:"flags"`
	NextStepDue   bool       `json:"nextStepDue"` // in the group for its next-step weeks or more
}

type progressResponse struct {
	Group   groupJSON            `json:"group"`
	Weeks   []string             `json:"weeks"`
	Members []memberProgressJSON `json:"members"`
}

func toWeeksJSON(ws []training.WeekFigures) []weekJSON {
	out := make([]weekJSON, len(ws))
	for i, w := range ws {
		out[i] = weekJSON{Week: w.Week.String(), Sessions: w.Sessions, Planned: w.Planned, HighIntensityShare: w.High, Load: w.Load}
	}
	return out
}

func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// weeksParam reads ?weeks=, DefaultProgressWeeks when absent.
func weeksParam(c echo.Context) (int, error) {
	s := c.QueryParam("weeks")
	if s == "" {
		return account.DefaultProgressWeeks, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		var v validator
		v.add("weeks", "a whole number")
		return 0, v.err()
	}
	return n, nil
}

// progress is a group page: every member's last weeks and flags.
func (h *clinicHandlers) progress(c echo.Context) error {
	weeks, err := weeksParam(c)
	if err != nil {
		return err
	}
	p, err := h.clinic.Progress(c.Request().Context(), currentUser(c), c.Param("id"), weeks)
	if err != nil {
		return err
	}
	out := progressResponse{Group: toGroupJSON(p.Group), Weeks: make([]string, len(p.Weeks)), Members: make([]memberProgressJSON, len(p.Members))}
	for i, w := range p.Weeks {
		out.Weeks[i] = w.String()
	}
	for i, m := range p.Members {
		flags := make([]flagJSON, len(m.Flags))
		for j, f := range m.Flags {
			flags[j] = flagJSON(f)
		}
		out.Members[i] = memberProgressJSON{UserID: m.UserID, Name: m.Name, Weeks: toWeeksJSON(m.Weeks),
			LastSessionAt: timeOrNull(m.LastSessionAt), Flags: flags, NextStepDue: m.NextStepDue}
	}
	return c.JSON(http.StatusOK, out)
}

type planJSON struct {
	SessionsPerWeek int                  `json:"sessionsPerWeek"`
	Days            []int                `json:"days"`
	Time            string               `json:"time"`
	SetBy           *training.PlanSetter `json:"setBy"` // null: set by the patient
}

type intervalJSON struct {
	RPE    *int `json:"rpe"`
	HRPeak *int `json:"hrPeak"`
	HRAvg  *int `json:"hrAvg"`
}

type sessionJSON struct {
	ID          string              `json:"id"`
	Protocol    string              `json:"protocol"`
	StartedAt   *time.Time          `json:"startedAt"`
	DurationMin float64             `json:"durationMin"`
	Completion  training.Completion `json:"completion"`
	Intervals   []intervalJSON      `json:"intervals"`
	SessionRPE  *int                `json:"sessionRpe"`
	MoodBefore  *int                `json:"moodBefore"`
	MoodAfter   *int                `json:"moodAfter"`
	Load        *float64            `json:"load"`
	Note        *string             `json:"note"` // null unless the patient shares notes
}

type patientJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"timeZone"`
	HRMax    *int   `json:"hrMax"`
}

type patientResponse struct {
	User        patientJSON   `json:"user"`
	JoinedAt    time.Time     `json:"joinedAt"`
	VisibleFrom *time.Time    `json:"visibleFrom"` // null: the whole history is shared
	Plan        *planJSON     `json:"plan"`        // null: no plan
	Weeks       []weekJSON    `json:"weeks"`
	Sessions    []sessionJSON `json:"sessions"`
	Fitness     fitnessJSON   `json:"fitness"`
	NextStep    nextStepJSON  `json:"nextStep"`
}

// nextStepJSON is how long the patient has been in the group against the
// group's next-step setting.
type nextStepJSON struct {
	Weeks int  `json:"weeks"` // whole weeks in the group
	After int  `json:"after"` // the group's setting
	Due   bool `json:"due"`
}

// fitnessJSON is the patient's fitness age over time. Without a sex in
// the profile there is no reference to read it from: sexKnown says so.
type fitnessJSON struct {
	SexKnown bool               `json:"sexKnown"`
	Points   []fitnessPointJSON `json:"points"`
}

type fitnessPointJSON struct {
	Date       string  `json:"date"` // YYYY-MM-DD
	FitnessAge float64 `json:"fitnessAge"`
	Beyond     bool    `json:"beyond"` // 25 reads "under 25", 75 "over 75"
	Age        *int    `json:"age"`    // null when the birth year is not known
}

func toFitnessJSON(sex string, points []training.FitnessPoint) fitnessJSON {
	out := fitnessJSON{SexKnown: training.Sex(sex).Valid(), Points: make([]fitnessPointJSON, len(points))}
	for i, p := range points {
		out.Points[i] = fitnessPointJSON{Date: p.Date.Format(time.DateOnly), FitnessAge: p.FitnessAge.Years,
			Beyond: p.FitnessAge.Beyond, Age: positive(p.Age)}
	}
	return out
}

func positive(n int) *int {
	if n <= 0 {
		return nil
	}
	return &n
}

func toPlanJSON(p training.Plan, by training.PlanSetter) *planJSON {
	if !p.Planned() {
		return nil
	}
	out := &planJSON{SessionsPerWeek: p.SessionsPerWeek, Days: p.Days, Time: p.Time}
	if out.Days == nil {
		out.Days = []int{}
	}
	if by != (training.PlanSetter{}) {
		out.SetBy = &by
	}
	return out
}

func toSessionJSON(s training.Session) sessionJSON {
	out := sessionJSON{ID: s.ID, Protocol: s.Protocol, StartedAt: timeOrNull(s.StartedAt), DurationMin: s.DurationMin,
		Completion: s.Completion(), Intervals: make([]intervalJSON, len(s.Intervals)),
		SessionRPE: s.SessionRPE, MoodBefore: s.MoodBefore, MoodAfter: s.MoodAfter}
	for i, iv := range s.Intervals {
		out.Intervals[i] = intervalJSON{RPE: positive(iv.RPE), HRPeak: positive(iv.HRPeak), HRAvg: positive(iv.HRAvg)}
	}
	if l, ok := s.Load(); ok {
		out.Load = &l
	}
	if s.Note != "" {
		out.Note = &s.Note
	}
	return out
}

// patient is a patient page: sessions, plan and weekly figures.
func (h *clinicHandlers) patient(c echo.Context) error {
	weeks, err := weeksParam(c)
	if err != nil {
		return err
	}
	p, err := h.clinic.Patient(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("userId"), weeks)
	if err != nil {
		return err
	}
	out := patientResponse{
		User:     patientJSON{ID: p.User.ID, Name: p.User.Name, TimeZone: p.User.TimeZone, HRMax: positive(p.HRMax)},
		JoinedAt: p.JoinedAt, VisibleFrom: timeOrNull(p.Since), Plan: toPlanJSON(p.Plan, p.PlanBy),
		Weeks: toWeeksJSON(p.Weeks), Sessions: make([]sessionJSON, len(p.Sessions)),
		Fitness:  toFitnessJSON(p.User.Sex, p.Fitness),
		NextStep: nextStepJSON(p.NextStep),
	}
	for i, s := range p.Sessions {
		out.Sessions[i] = toSessionJSON(s)
	}
	return c.JSON(http.StatusOK, out)
}

type setPlanRequest struct {
	SessionsPerWeek int    `json:"sessionsPerWeek"`
	Days            []int  `json:"days"`
	Time            string `json:"time"`
}

// setPlan writes a patient's plan as their trainer sets it.
func (h *clinicHandlers) setPlan(c echo.Context) error {
	var req setPlanRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	by := currentUser(c)
	p, err := h.clinic.SetPlan(c.Request().Context(), by, c.Param("id"), c.Param("userId"), training.Plan(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPlanJSON(p, training.PlanSetter{ID: by.ID, Name: by.Name}))
}

// measurementRequest is a body measurement as a trainer enters it; absent
// fields are left out of the document.
type measurementRequest struct {
	Date         *string  `json:"date"`
	VO2Max       *float64 `json:"vo2max"`
	VO2MaxSource *string  `json:"vo2maxSource"`
	RestingHR    *int     `json:"restingHr"`
	WeightKg     *float64 `json:"weightKg"`
	WaistCm      *float64 `json:"waistCm"`
	Systolic     *int     `json:"systolic"`
	Diastolic    *int     `json:"diastolic"`
}

// values are the fields given, by their names in the schema.
func (r measurementRequest) values() map[string]any {
	out := map[string]any{}
	given(out, "date", r.Date)
	given(out, "vo2max", r.VO2Max)
	given(out, "vo2maxSource", r.VO2MaxSource)
	given(out, "restingHr", r.RestingHR)
	given(out, "weightKg", r.WeightKg)
	given(out, "waistCm", r.WaistCm)
	given(out, "systolic", r.Systolic)
	given(out, "diastolic", r.Diastolic)
	return out
}

// given sets out[name] to *v when the request carried the field.
func given[T any](out map[string]any, name string, v *T) {
	if v != nil {
		out[name] = *v
	}
}

type idJSON struct {
	ID string `json:"id"`
}

// addMeasurement writes a measurement the patient's trainer enters.
func (h *clinicHandlers) addMeasurement(c echo.Context) error {
	var req measurementRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := h.clinic.AddMeasurement(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("userId"), req.values())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, idJSON{ID: id})
}

// removeMember takes a member out of a group (its leader or an admin).
func (h *clinicHandlers) removeMember(c echo.Context) error {
	if err := h.groups.RemoveMember(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("userId")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// leave takes the signed-in user out of a group they belong to.
func (h *clinicHandlers) leave(c echo.Context) error {
	u := currentUser(c)
	if err := h.groups.RemoveMember(c.Request().Context(), u, c.Param("id"), u.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type membershipPatch struct {
	ShareHistory  *bool `json:"shareHistory"`
	ShareNotes    *bool `json:"shareNotes"`
	ShareTrained  *bool `json:"shareTrained"`
	ShareSessions *bool `json:"shareSessions"`
}

// patchMembership changes the signed-in member's choices in a group.
func (h *clinicHandlers) patchMembership(c echo.Context) error {
	var req membershipPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch := account.SharingChange{History: req.ShareHistory, Notes: req.ShareNotes, Trained: req.ShareTrained, Sessions: req.ShareSessions}
	if err := h.groups.SetSharing(c.Request().Context(), currentUser(c), c.Param("id"), ch); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type auditJSON struct {
	ActorID   string    `json:"actorId"`
	ActorName string    `json:"actorName"`
	What      string    `json:"what"`
	At        time.Time `json:"at"`
}

func toAuditJSON(es []store.AuditEntry) []auditJSON {
	out := make([]auditJSON, len(es))
	for i, e := range es {
		out[i] = auditJSON{ActorID: e.ActorID, ActorName: e.ActorName, What: e.What, At: e.At}
	}
	return out
}

type auditResponse struct {
	Audit []auditJSON `json:"audit"`
}

// audit lists who read the signed-in user's data.
func (h *clinicHandlers) audit(c echo.Context) error {
	x, err := h.exportOf(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, auditResponse{Audit: toAuditJSON(x.Audit)})
}

func (h *clinicHandlers) exportOf(ctx context.Context, u store.User) (account.Export, error) {
	return account.ExportOf(ctx, h.export, u)
}

type exportResponse struct {
	User      userJSON        `json:"user"`
	Groups    []userGroupJSON `json:"groups"`
	Documents []sync.Doc      `json:"documents"`
	Audit     []auditJSON     `json:"audit"`
	// RSVPs are the answers for peer-group sessions; Attendance the
	// sessions a peer leader ticked the user present at.
	RSVPs      []exportRSVPJSON       `json:"rsvps"`
	Attendance []exportAttendanceJSON `json:"attendance"`
	// Invitations are the peer groups a trainer handed the user.
	Invitations []exportInvitationJSON `json:"invitations"`
}

type exportInvitationJSON struct {
	ID          string    `json:"id"`
	GroupID     string    `json:"groupId"`
	Code        string    `json:"code"`
	FromGroupID string    `json:"fromGroupId"`
	InvitedBy   string    `json:"invitedBy"`
	CreatedAt   time.Time `json:"createdAt"`
}

type exportRSVPJSON struct {
	GroupID string    `json:"groupId"`
	Date    string    `json:"date"`
	Coming  bool      `json:"coming"`
	At      time.Time `json:"at"`
}

type exportAttendanceJSON struct {
	GroupID string    `json:"groupId"`
	Date    string    `json:"date"`
	At      time.Time `json:"at"`
}

// exportMe returns everything kept about the signed-in user.
func (h *clinicHandlers) exportMe(c echo.Context) error {
	x, err := h.exportOf(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	out := exportResponse{User: toUserJSON(x.User), Groups: toUserGroupsJSON(x.Groups), Documents: x.Docs, Audit: toAuditJSON(x.Audit),
		RSVPs: make([]exportRSVPJSON, len(x.RSVPs)), Attendance: make([]exportAttendanceJSON, len(x.Attendance)),
		Invitations: make([]exportInvitationJSON, len(x.Invitations))}
	for i, r := range x.RSVPs {
		out.RSVPs[i] = exportRSVPJSON{GroupID: r.GroupID, Date: r.Date, Coming: r.Coming, At: r.At}
	}
	for i, a := range x.Attendance {
		out.Attendance[i] = exportAttendanceJSON{GroupID: a.GroupID, Date: a.Date, At: a.At}
	}
	for i, inv := range x.Invitations {
		out.Invitations[i] = exportInvitationJSON{ID: inv.ID, GroupID: inv.GroupID, Code: inv.Code, FromGroupID: inv.FromGroupID, InvitedBy: inv.InvitedBy, CreatedAt: inv.CreatedAt}
	}
	if out.Documents == nil {
		out.Documents = []sync.Doc{}
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="dagbok-export.json"`)
	return c.JSON(http.StatusOK, out)
}
