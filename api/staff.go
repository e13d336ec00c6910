package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
)

// staffHandlers serve the admin console's staff list and the password
// reset without e-mail.
type staffHandlers struct {
	staff *account.Staff
	perIP *limiter
}

type staffJSON struct {
	userJSON
	Patients int `json:"patients"`
}

type staffList struct {
	Staff []staffJSON `json:"staff"`
}

// list lists the staff with how many patients each leads.
func (h *staffHandlers) list(c echo.Context) error {
	ss, err := h.staff.List(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	out := staffList{Staff: make([]staffJSON, len(ss))}
	for i, s := range ss {
		out.Staff[i] = staffJSON{userJSON: toUserJSON(s.User), Patients: s.Patients}
	}
	return c.JSON(http.StatusOK, out)
}

type setRoleRequest struct {
	Role store.Role `json:"role"`
}

// setRole promotes, moves or demotes a trainer or peer leader.
func (h *staffHandlers) setRole(c echo.Context) error {
	var req setRoleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.staff.SetRole(c.Request().Context(), currentUser(c), c.Param("id"), req.Role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userResponse{User: toUserJSON(u)})
}

// remove erases a trainer's or peer leader's account.
func (h *staffHandlers) remove(c echo.Context) error {
	if err := h.staff.Remove(c.Request().Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type resetCodeJSON struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// issueReset makes a one-time reset code for an account.
func (h *staffHandlers) issueReset(c echo.Context) error {
	code, exp, err := h.staff.IssueReset(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, resetCodeJSON{Code: code, ExpiresAt: exp})
}

type resetRequest struct {
	Email    string `json:"email"`
	Code     string `json:"code"`
	Password string `json:"password"`
}

// reset sets a new password with a reset code; the user then signs in.
func (h *staffHandlers) reset(c echo.Context) error {
	if err := h.perIP.Take("reset " + clientKey(c.RealIP())); err != nil {
		return err
	}
	var req resetRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := h.staff.Reset(c.Request().Context(), req.Email, req.Code, req.Password, clientKey(c.RealIP())); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type setupRequest struct {
	Token    string `json:"token"`
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// setupHandlers serve the first-run link.
type setupHandlers struct {
	setup *account.Setup // nil: no setup link was printed
	perIP *limiter
}

// create makes the first admin with the setup token.
func (h *setupHandlers) create(c echo.Context) error {
	if err := h.perIP.Take("setup " + clientKey(c.RealIP())); err != nil {
		return err
	}
	if h.setup == nil {
		return errorf(CodeNotFound, "no setup link is open")
	}
	var req setupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.setup.CreateAdmin(c.Request().Context(), req.Token, account.Registration{Email: req.Email, Password: req.Password, Name: req.Name})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, userResponse{User: toUserJSON(u)})
}
