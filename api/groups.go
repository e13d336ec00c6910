package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
)

type groupHandlers struct {
	groups *account.Groups
}

type createGroupRequest struct {
	Name string          `json:"name"`
	Kind store.GroupKind `json:"kind"`
}

type joinGroupRequest struct {
	Code         string `json:"code"`
	ShareHistory bool   `json:"shareHistory"`
}

// joinedJSON is the group a patient joined, naming its leader.
type joinedJSON struct {
	groupJSON
	OwnerName string `json:"ownerName"`
}

type groupJSON struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Kind            store.GroupKind   `json:"kind"`
	OwnerID         string            `json:"ownerId"`
	CreatedAt       time.Time         `json:"createdAt"`
	ArchivedAt      *time.Time        `json:"archivedAt,omitempty"`
	InviteCode      string            `json:"inviteCode,omitempty"`
	InviteExpiresAt *time.Time        `json:"inviteExpiresAt,omitempty"`
	NextStepWeeks   int               `json:"nextStepWeeks,omitempty"` // treatment groups
	Members         []memberJSON      `json:"members,omitempty"`
	Schedule        *scheduleJSON     `json:"schedule,omitempty"`
	NextSession     *groupSessionJSON `json:"nextSession,omitempty"`
	Upcoming        []upcomingJSON    `json:"upcoming,omitempty"`
	Notice          *noticeJSON       `json:"notice,omitempty"`
}

// memberJSON is a member by name; in a peer group, with what they chose
// to share with it (absent when not shared).
type memberJSON struct {
	UserID           string    `json:"userId"`
	Name             string    `json:"name"`
	JoinedAt         time.Time `json:"joinedAt"`
	TrainedThisWeek  *bool     `json:"trainedThisWeek,omitempty"`
	SessionsThisWeek *int      `json:"sessionsThisWeek,omitempty"`
}

func toGroupJSON(g store.Group) groupJSON {
	out := groupJSON{ID: g.ID, Name: g.Name, Kind: g.Kind, OwnerID: g.OwnerID, CreatedAt: g.CreatedAt, ArchivedAt: timeOrNull(g.ArchivedAt)}
	if g.Kind == store.GroupTreatment {
		out.NextStepWeeks = account.NextStepWeeksOf(g)
	}
	return out
}

// patchGroupRequest is account.GroupChange on the wire.
type patchGroupRequest struct {
	Name          *string `json:"name"`
	Archived      *bool   `json:"archived"`
	NextStepWeeks *int    `json:"nextStepWeeks"`
}

// patch renames, archives or restores a group.
func (h *groupHandlers) patch(c echo.Context) error {
	var req patchGroupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := h.groups.Update(c.Request().Context(), currentUser(c), c.Param("id"), account.GroupChange(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toGroupJSON(g))
}

// create makes a group led by the caller, with a first invite code.
func (h *groupHandlers) create(c echo.Context) error {
	var req createGroupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, inv, err := h.groups.Create(c.Request().Context(), currentUser(c), req.Name, req.Kind)
	if err != nil {
		return err
	}
	out := toGroupJSON(g)
	out.InviteCode = inv.Code
	out.InviteExpiresAt = &inv.ExpiresAt
	return c.JSON(http.StatusCreated, out)
}

// get returns a group; its owner and admins also see the members, and
// so do the members of a peer group.
func (h *groupHandlers) get(c echo.Context) error {
	v, err := h.groups.Get(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	out := toGroupJSON(v.Group)
	if v.Schedule != nil {
		out.Schedule = toScheduleJSON(*v.Schedule)
	}
	if v.Next != nil {
		out.NextSession = toGroupSessionJSON(v.Next)
	}
	for _, s := range v.Upcoming {
		out.Upcoming = append(out.Upcoming, toUpcomingJSON(s))
	}
	if v.Notice != nil {
		out.Notice = toNoticeJSON(*v.Notice)
	}
	for _, m := range v.Members {
		out.Members = append(out.Members, memberJSON{UserID: m.UserID, Name: m.Name, JoinedAt: m.JoinedAt,
			TrainedThisWeek: m.Trained, SessionsThisWeek: m.Sessions})
	}
	return c.JSON(http.StatusOK, out)
}

// invite makes a new invite code for a group (owner or admin).
func (h *groupHandlers) invite(c echo.Context) error {
	inv, err := h.groups.Invite(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toInviteJSON(inv, inv.CreatedAt))
}

// join adds the signed-in patient to the group of an invite code.
func (h *groupHandlers) join(c echo.Context) error {
	var req joinGroupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	j, err := h.groups.Join(c.Request().Context(), currentUser(c), req.Code, req.ShareHistory)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, joinedJSON{groupJSON: toGroupJSON(j.Group), OwnerName: j.OwnerName})
}

// scheduleJSON is a peer group's weekly session on the wire.
type scheduleJSON struct {
	Weekday  int    `json:"weekday"`
	Time     string `json:"time"`
	Place    string `json:"place"`
	Note     string `json:"note"`
	TimeZone string `json:"timeZone"`
}

func toScheduleJSON(s store.Schedule) *scheduleJSON {
	return &scheduleJSON{Weekday: s.Weekday, Time: s.Time, Place: s.Place, Note: s.Note, TimeZone: s.TimeZone}
}

// groupSessionJSON is the next weekly session: when, where, and who is coming
// by name — never anything about their training.
type groupSessionJSON struct {
	upcomingJSON
	Note      string   `json:"note"`
	ComingWho []string `json:"comingNames"`
	MyAnswer  *bool    `json:"myAnswer"`
}

func toGroupSessionJSON(s *account.Session) *groupSessionJSON {
	return &groupSessionJSON{upcomingJSON: toUpcomingJSON(*s), Note: s.Note, ComingWho: s.Coming, MyAnswer: s.Answer}
}

// upcomingJSON is one weekly session in a group's list: the day it is
// held (Date, after a move) and the regular date that keys answers and
// one-off changes, whether it is cancelled or moved, and how many come.
type upcomingJSON struct {
	Date        string    `json:"date"`
	RegularDate string    `json:"regularDate"`
	Time        string    `json:"time"`
	Start       time.Time `json:"start"`
	Place       string    `json:"place"`
	Cancelled   bool      `json:"cancelled"`
	Reason      string    `json:"reason"`
	Moved       bool      `json:"moved"`
	Coming      int       `json:"coming"`
}

func toUpcomingJSON(s account.Session) upcomingJSON {
	return upcomingJSON{Date: s.Start.Format(time.DateOnly), RegularDate: s.Date, Time: s.Start.Format("15:04"), Start: s.Start.UTC(),
		Place: s.Place, Cancelled: s.Cancelled, Reason: s.Reason, Moved: s.Moved, Coming: len(s.Coming)}
}

type scheduleRequest struct {
	Weekday int    `json:"weekday"`
	Time    string `json:"time"`
	Place   string `json:"place"`
	Note    string `json:"note"`
}

// setSchedule sets a peer group's weekly session (its peer leader).
func (h *groupHandlers) setSchedule(c echo.Context) error {
	var req scheduleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	s, err := h.groups.SetSchedule(c.Request().Context(), currentUser(c), c.Param("id"), account.ScheduleInput(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toScheduleJSON(s))
}

type rsvpRequest struct {
	Date   string `json:"date"`
	Coming *bool  `json:"coming"`
}

// rsvp records a member's "coming" or "not this time" for the next
// session and returns it as it now stands.
func (h *groupHandlers) rsvp(c echo.Context) error {
	var req rsvpRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Coming == nil {
		return &account.Error{Code: account.Invalid, Message: "coming is required",
			Fields: []account.FieldError{{Field: "coming", Reason: "required"}}}
	}
	s, err := h.groups.RSVP(c.Request().Context(), currentUser(c), c.Param("id"), req.Date, *req.Coming)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toGroupSessionJSON(s))
}
