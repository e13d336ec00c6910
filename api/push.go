package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/store"
)

// limitPerUser takes a token of l for the signed-in user, after
// authentication.
func limitPerUser(l *limiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := l.Take(currentUser(c).ID); err != nil {
				return err
			}
			return next(c)
		}
	}
}

type pushHandlers struct {
	push *push.Service
}

type vapidKeyResponse struct {
	PublicKey string `json:"publicKey"`
}

// vapidKey gives browsers the key to subscribe with; no sign-in needed.
func (h *pushHandlers) vapidKey(c echo.Context) error {
	return c.JSON(http.StatusOK, vapidKeyResponse{PublicKey: h.push.PublicKey()})
}

// subscriptionRequest is the browser's PushSubscription.toJSON().
type subscriptionRequest struct {
	Endpoint       string   `json:"endpoint"`
	ExpirationTime *int64   `json:"expirationTime"`
	Keys           keysJSON `json:"keys"`
}

type keysJSON struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

type endpointJSON struct {
	Endpoint string `json:"endpoint"`
}

// subscribe keeps the caller's browser subscription (or moves it to the
// caller when another account had it).
func (h *pushHandlers) subscribe(c echo.Context) error {
	var req subscriptionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := h.push.Subscribe(c.Request().Context(), currentUser(c).ID, req.Endpoint, req.Keys.P256dh, req.Keys.Auth); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, endpointJSON{Endpoint: req.Endpoint})
}

type subscriptionsResponse struct {
	Subscriptions []subscriptionJSON `json:"subscriptions"`
}

type subscriptionJSON struct {
	Endpoint  string    `json:"endpoint"`
	CreatedAt time.Time `json:"createdAt"`
}

// subscriptions lists the caller's subscriptions, for their export (the
// keys stay on the server: they are the browser's, not the user's data).
func (h *pushHandlers) subscriptions(c echo.Context) error {
	subs, err := h.push.Subscriptions(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	out := subscriptionsResponse{Subscriptions: make([]subscriptionJSON, 0, len(subs))}
	for _, s := range subs {
		out.Subscriptions = append(out.Subscriptions, subscriptionJSON{Endpoint: s.Endpoint, CreatedAt: s.CreatedAt})
	}
	return c.JSON(http.StatusOK, out)
}

// unsubscribe removes one of the caller's subscriptions.
func (h *pushHandlers) unsubscribe(c echo.Context) error {
	var req endpointJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := h.push.Unsubscribe(c.Request().Context(), currentUser(c).ID, req.Endpoint); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type testResponse struct {
	Sent     int           `json:"sent"`
	Failed   int           `json:"failed"`
	Failures []failureJSON `json:"failures"`
}

type failureJSON struct {
	Endpoint string `json:"endpoint"`
	Reason   string `json:"reason"`
}

// test sends the test reminder to every device of the caller now.
func (h *pushHandlers) test(c echo.Context) error {
	rep, err := h.push.SendTest(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	out := testResponse{Sent: rep.Sent, Failed: rep.Failed, Failures: []failureJSON{}}
	for _, r := range rep.Results {
		if r.Outcome != push.Sent {
			out.Failures = append(out.Failures, failureJSON{Endpoint: r.Endpoint, Reason: r.Reason})
		}
	}
	return c.JSON(http.StatusOK, out)
}

// settingsJSON is a user's reminder settings on the wire: quiet hours as
// local clock times.
type settingsJSON struct {
	Off         []string `json:"off"`
	LeadMinutes int      `json:"leadMinutes"`
	QuietStart  string   `json:"quietStart"`
	QuietEnd    string   `json:"quietEnd"`
}

type settingsResponse struct {
	settingsJSON
	Kinds []string `json:"kinds"`
}

func (h *pushHandlers) settingsOut(c echo.Context, rs store.ReminderSettings) error {
	off := rs.Off
	if off == nil {
		off = []string{}
	}
	return c.JSON(http.StatusOK, settingsResponse{settingsJSON: settingsJSON{Off: off, LeadMinutes: rs.LeadMinutes,
		QuietStart: hhmm(rs.QuietStart), QuietEnd: hhmm(rs.QuietEnd)}, Kinds: h.push.Kinds()})
}

// getSettings returns the caller's reminder settings (the defaults until
// they choose).
func (h *pushHandlers) getSettings(c echo.Context) error {
	rs, err := h.push.Settings(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	return h.settingsOut(c, rs)
}

// putSettings replaces the caller's reminder settings.
func (h *pushHandlers) putSettings(c echo.Context) error {
	var req settingsJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var v validator
	start, ok1 := minutes(req.QuietStart)
	end, ok2 := minutes(req.QuietEnd)
	if !ok1 {
		v.add("quietStart", "want HH:MM")
	}
	if !ok2 {
		v.add("quietEnd", "want HH:MM")
	}
	if err := v.err(); err != nil {
		return err
	}
	rs := store.ReminderSettings{UserID: currentUser(c).ID, Off: req.Off, LeadMinutes: req.LeadMinutes,
		QuietStart: start, QuietEnd: end}
	if err := h.push.SaveSettings(c.Request().Context(), rs); err != nil {
		return err
	}
	return h.getSettings(c)
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func minutes(s string) (int, bool) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 || h < 0 || m < 0 {
		return 0, false
	}
	return h*60 + m, true
}
