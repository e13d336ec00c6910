package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
)

// attendanceRequest is who was present at a group session.
type attendanceRequest struct {
	Present []string `json:"present"`
}

// attendanceDateJSON is the members ticked present at one session.
type attendanceDateJSON struct {
	Date    string   `json:"date"`
	Present []string `json:"present"`
}

type attendanceWeekJSON struct {
	Week  string `json:"week"`
	Count int    `json:"count"`
}

type attendanceMemberJSON struct {
	UserID string `json:"userId"`
	Name   string `json:"name"`
	Since  string `json:"since"`
}

// attendanceResponse is a peer group's attendance record: a count per
// week, the dates that may be ticked, who was ticked at each session, and
// the members by name.
type attendanceResponse struct {
	Weeks    []attendanceWeekJSON   `json:"weeks"`
	Dates    []string               `json:"dates"`
	Sessions []attendanceDateJSON   `json:"sessions"`
	Members  []attendanceMemberJSON `json:"members"`
}

// setAttendance replaces who was present at the session on a date (the
// group's peer leader).
func (h *groupHandlers) setAttendance(c echo.Context) error {
	var req attendanceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Present == nil {
		return &account.Error{Code: account.Invalid, Message: "present is required",
			Fields: []account.FieldError{{Field: "present", Reason: "required"}}}
	}
	d, err := h.groups.SetAttendance(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("date"), req.Present)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, attendanceDateJSON(d))
}

// attendance returns the group's attendance record (its peer leader).
func (h *groupHandlers) attendance(c echo.Context) error {
	weeks, err := weeksParam(c)
	if err != nil {
		return err
	}
	r, err := h.groups.Attendance(c.Request().Context(), currentUser(c), c.Param("id"), weeks)
	if err != nil {
		return err
	}
	out := attendanceResponse{Weeks: make([]attendanceWeekJSON, len(r.Weeks)), Dates: r.Dates,
		Sessions: make([]attendanceDateJSON, len(r.Sessions)), Members: make([]attendanceMemberJSON, len(r.Members))}
	for i, w := range r.Weeks {
		out.Weeks[i] = attendanceWeekJSON{Week: w.Week.String(), Count: w.Count}
	}
	for i, s := range r.Sessions {
		out.Sessions[i] = attendanceDateJSON(s)
	}
	for i, m := range r.Members {
		out.Members[i] = attendanceMemberJSON(m)
	}
	return c.JSON(http.StatusOK, out)
}
