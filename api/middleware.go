package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hit4x4/dagbok/store"
)

// noStore keeps API answers out of every cache: they hold health data and
// tokens.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}

// limits gives a route its body limit and deadline. A body over the limit
// fails with 413 before or while it is read. Store calls honour the
// deadline in the request's context where they wait (a push queued for the
// writer, a MongoDB round trip) and an expired deadline answers 503;
// statements of a few milliseconds run to their end, and a push the writer
// has taken is written to the end (the SQLite store's uninterrupted).
func limits(body int64, timeout time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength > body {
				return errorf(CodePayloadTooLarge, "request body too large (at most %d bytes)", body)
			}
			ctx, cancel := context.WithTimeout(req.Context(), timeout)
			defer cancel()
			req = req.WithContext(ctx)
			req.Body = http.MaxBytesReader(c.Response(), req.Body, body)
			c.SetRequest(req)
			return next(c)
		}
	}
}

// recoverPanics turns a panic into an internal error (logged with its
// stack, never sent).
func recoverPanics(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == http.ErrAbortHandler {
						panic(r)
					}
					log.ErrorContext(c.Request().Context(), "panic", "request_id",
						c.Response().Header().Get(echo.HeaderXRequestID), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err = &Error{Code: CodeInternal, Message: "internal error", Cause: fmt.Errorf("panic: %v", r)}
				}
			}()
			return next(c)
		}
	}
}

// contentSecurityPolicy allows only the app's own scripts, styles and
// connections; no inline script, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

// permissionsPolicy allows, for the app's own origin only, the powerful
// features the PWA uses (keeping the screen on during a session) and denies
// the rest. Web Bluetooth (the heart-rate strap) is left out: its default is
// already the app's own origin only, and Chromium, which does not know the
// feature in this header, logs an error for it on every page.
const permissionsPolicy = "screen-wake-lock=(self), camera=(), microphone=(), geolocation=(), " +
	"payment=(), usb=(), serial=(), hid=(), midi=(), magnetometer=(), gyroscope=(), " +
	"accelerometer=(), display-capture=(), browsing-topics=()"

// securityHeaders sets the headers every response carries, the PWA's and
// the API's. HSTS only when the request came over TLS or the public URL is
// https (a TLS-terminating proxy in front).
func securityHeaders(public *url.URL) echo.MiddlewareFunc {
	httpsPublic := public != nil && public.Scheme == "https"
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Permissions-Policy", permissionsPolicy)
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			if c.Request().TLS != nil || httpsPublic {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			return next(c)
		}
	}
}

// userKey is the echo.Context key of the authenticated store.User.
const userKey = "dagbok.user"

// authUsers is what authentication needs from the store.
type authUsers interface {
	UserByID(ctx context.Context, id string) (store.User, error)
}

// authenticator checks the bearer access token and loads the user it
// names from the store on every request, so a changed role or a deleted
// account takes effect at once.
type authenticator struct {
	tokens *tokens
	users  authUsers
}

func (a *authenticator) require(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		unauthorized := func(msg string) error {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="dagbok"`)
			return errorf(CodeUnauthorized, "%s", msg)
		}
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, raw, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
			return unauthorized("sign in first")
		}
		sub, err := a.tokens.Parse(strings.TrimSpace(raw))
		if err != nil {
			return unauthorized("access token invalid or expired")
		}
		u, err := a.users.UserByID(c.Request().Context(), sub)
		if errors.Is(err, store.ErrNotFound) {
			return unauthorized("account no longer exists")
		}
		if err != nil {
			return fmt.Errorf("load user: %w", err)
		}
		c.Set(userKey, u)
		return next(c)
	}
}

// currentUser is the user the authenticator loaded.
func currentUser(c echo.Context) store.User {
	u, _ := c.Get(userKey).(store.User)
	return u
}

// allow lets only the given roles through (after require).
func allow(roles ...store.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !slices.Contains(roles, currentUser(c).Role) {
				return errorf(CodeForbidden, "your role may not do this")
			}
			return next(c)
		}
	}
}

// metrics counts requests and their latency by route template, method and
// status. Every label comes from a bounded set, so no request can add
// series without end: the route is a declared template (a catch-all like
// /api/v1/* for paths no route matched, "unmatched" when not even that),
// a method outside HTTP's standard ones is "other", and a status is one of
// the few the server writes.
type metrics struct {
	reg      *prometheus.Registry
	log      *slog.Logger
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// full is set while the store is out of room: from a write that
	// failed with store.ErrStorageFull until one that succeeds.
	full        atomic.Bool
	storageFull prometheus.Gauge
}

func newMetrics(reg *prometheus.Registry, log *slog.Logger) (*metrics, error) {
	m := &metrics{
		reg: reg,
		log: log,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request latency by route template, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
		storageFull: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dagbok_storage_full",
			Help: "1 while the store has no room for writes (since the last write that failed for it, until one succeeds).",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.storageFull} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

// middleware counts the request and writes its one access-log line:
// method, route template, status, duration and request id. Never a body,
// a query, a token or an e-mail address: the route template is logged,
// not the path.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // write the error now, so its status is counted
		}
		elapsed := time.Since(start)
		m.noteStorage(c.Request().Method, c.Response().Status, err)
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		method := methodLabel(c.Request().Method)
		status := strconv.Itoa(c.Response().Status)
		m.requests.WithLabelValues(route, method, status).Inc()
		m.latency.WithLabelValues(route, method, status).Observe(elapsed.Seconds())
		m.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
			slog.String("method", method), slog.String("route", route),
			slog.Int("status", c.Response().Status), slog.Duration("duration", elapsed),
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)))
		return nil
	}
}

// noteStorage keeps track of whether the store is full: a write that
// failed for want of room says it is, a write that succeeded says it is
// not any more.
func (m *metrics) noteStorage(method string, status int, err error) {
	switch {
	case errors.Is(err, store.ErrStorageFull):
		m.full.Store(true)
		m.storageFull.Set(1)
	case method != http.MethodGet && method != http.MethodHead && status < http.StatusBadRequest && m.full.Load():
		m.full.Store(false)
		m.storageFull.Set(0)
	}
}

// methodLabel is the request method when it is one of HTTP's standard
// methods, "other" otherwise.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}

// healthStore is what the health checks need.
type healthStore interface {
	Ping(ctx context.Context) error
}

type healthHandlers struct {
	store   healthStore
	timeout time.Duration
	full    func() bool // the store has no room for writes
}

// healthz answers while the process runs.
func (h *healthHandlers) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the store answers a ping in time and has
// room for writes.
func (h *healthHandlers) readyz(c echo.Context) error {
	if h.full() {
		return &Error{Code: CodeUnavailable, Message: "storage full: the store has no room for writes"}
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.timeout)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		return &Error{Code: CodeUnavailable, Message: "store not reachable", Cause: err}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
