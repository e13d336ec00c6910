// Package api is the HTTP layer: Echo routes under /api/v1, the health and
// metrics endpoints, the middleware (authentication, rate limits, body
// limits, security headers) and the one place errors become JSON.
//
// Handlers are thin: decode a typed struct, call one account or store
// function, encode. The rules of people (registering, signing in, refresh
// rotation, invites, groups, profiles) are the account package's; this one
// carries cookies, access tokens, rate limits and the one table that turns
// errors into statuses. It never talks to a database directly.
package api

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// Config is what New needs. Store and Secret are required; every other
// field has a working zero value. Settings arrive parsed: the server reads
// them once.
type Config struct {
	Store  store.Store
	Secret []byte // HS256 key for access tokens, at least 32 bytes

	Logger *slog.Logger     // nil: discard
	Now    func() time.Time // nil: time.Now
	Rand   io.Reader        // nil: crypto/rand

	// PublicURL is the origin users open (https://dagbok.example), an
	// absolute http(s) URL. It sets the token issuer, the origin refresh
	// and logout accept, and whether cookies are Secure. Nil: the
	// request's own host.
	PublicURL *url.URL
	// TrustedProxies are the networks whose X-Forwarded-For is believed
	// when finding the client IP. Empty: the direct peer address is used.
	TrustedProxies []netip.Prefix
	// Push is the Web Push service behind /api/v1/push. Nil: those
	// routes answer 404.
	Push *push.Service
	// Web serves every path outside the API (the PWA). Nil: 404.
	Web http.Handler
	// Registry receives the HTTP metrics and is served at /metrics. Nil: a
	// fresh registry.
	Registry *prometheus.Registry

	RequestTimeout  time.Duration        // per API request; 0: 15 s (sync push: at least PushTimeout)
	ReadyTimeout    time.Duration        // store ping in /readyz; 0: 2 s
	Argon2          account.Argon2Params // zero: account.DefaultArgon2()
	HashConcurrency int                  // concurrent password hashes; 0: number of CPUs
	LoginPerIP      Limit                // zero: 20 at once, then one per 3 s
	// Wrong passwords (account.Tries): per account and client network,
	// and per account from anywhere. The account's budget refills faster
	// than one network's, so no single network can drain it.
	LoginPerAccountClient Limit // zero: 5 at once, then one per 2 min
	LoginPerAccount       Limit // zero: 100 at once, then one per minute
	// Failed attempts at an invite code: joining a group per user, and per
	// client network joining or registering (docs/security.md has the odds).
	JoinPerUser    Limit // zero: 10 at once, then one per 10 min
	JoinPerNetwork Limit // zero: 20 at once, then one per minute
	RateLimitKeys  int   // buckets kept per limiter; 0: 10,000
	// Sync pushes: how many run at once per user and overall (a push over
	// the overall bound waits PushWait for a place, then 503), and how
	// many one user may send. The defaults admit one user's eight devices
	// catching up at once (8 pushers × 25 batches).
	PushesPerUser  int           // at once; 0: 8
	PushesInFlight int           // at once, everyone; 0: 64
	PushWait       time.Duration // 0: 2 s
	PushRate       Limit         // per user; zero: 1,000 at once, then one per second
	// Quota bounds what each user keeps; zero fields: DefaultQuotaDocs,
	// DefaultQuotaBytes.
	Quota Quota
	// InviteOnly refuses registrations without an invite code
	// (account.InviteOnly); by default a patient may register alone.
	InviteOnly bool
	// RefreshGrace is how long a rotated refresh token may be sent again
	// and continue its login (account.NewSessions); 0: account.DefaultReuseGrace,
	// negative: never.
	RefreshGrace time.Duration
	// Setup is the first-run link's token, when the server opened one
	// (no admin yet). Nil: POST /api/v1/setup answers 404.
	Setup *account.Setup
}

// Body limits: sync pushes may carry up to sync.MaxPushBytes, everything
// else is small.
const (
	smallBodyLimit = 64 << 10
	pushBodyLimit  = sync.MaxPushBytes
)

// ServerNode is the node id of the server's HLC stamps: the plans a
// trainer sets carry it.
const ServerNode = "server"

// The default quota is far above honest use: a year of 4x4 is about 150
// sessions and 300 KB, and one user's eight devices catching up at once
// (8 × 25 batches of 100 documents) stay well inside it.
const (
	DefaultQuotaDocs  = 50_000
	DefaultQuotaBytes = 128 << 20
)

// PushTimeout is the least time a sync push is given. Servers should
// allow writes at least this long.
const PushTimeout = 45 * time.Second

// New builds the HTTP handler: an Echo instance with every route.
func New(cfg Config) (*echo.Echo, error) {
	if cfg.Store == nil {
		return nil, errors.New("api: Config.Store is required")
	}
	if len(cfg.Secret) < 32 {
		return nil, errors.New("api: Config.Secret must be at least 32 bytes")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 15 * time.Second
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 2 * time.Second
	}
	if cfg.Argon2 == (account.Argon2Params{}) {
		cfg.Argon2 = account.DefaultArgon2()
	}
	if cfg.HashConcurrency == 0 {
		cfg.HashConcurrency = runtime.NumCPU()
	}
	if cfg.LoginPerIP == (Limit{}) {
		cfg.LoginPerIP = Limit{Burst: 20, Every: 3 * time.Second}
	}
	if cfg.LoginPerAccountClient == (Limit{}) {
		cfg.LoginPerAccountClient = Limit{Burst: 5, Every: 2 * time.Minute}
	}
	if cfg.LoginPerAccount == (Limit{}) {
		cfg.LoginPerAccount = Limit{Burst: 100, Every: time.Minute}
	}
	if cfg.RefreshGrace == 0 {
		cfg.RefreshGrace = account.DefaultReuseGrace
	}
	if cfg.JoinPerUser == (Limit{}) {
		cfg.JoinPerUser = Limit{Burst: 10, Every: 10 * time.Minute}
	}
	if cfg.JoinPerNetwork == (Limit{}) {
		cfg.JoinPerNetwork = Limit{Burst: 20, Every: time.Minute}
	}
	if cfg.PushesPerUser == 0 {
		cfg.PushesPerUser = 8
	}
	if cfg.PushesInFlight == 0 {
		cfg.PushesInFlight = 64
	}
	if cfg.PushWait == 0 {
		cfg.PushWait = 2 * time.Second
	}
	if cfg.PushRate == (Limit{}) {
		cfg.PushRate = Limit{Burst: 1000, Every: time.Second}
	}
	if cfg.Quota.Docs == 0 {
		cfg.Quota.Docs = DefaultQuotaDocs
	}
	if cfg.Quota.Bytes == 0 {
		cfg.Quota.Bytes = DefaultQuotaBytes
	}
	if cfg.RateLimitKeys == 0 {
		cfg.RateLimitKeys = 10_000
	}
	issuer := DefaultIssuer
	if cfg.PublicURL != nil {
		issuer = cfg.PublicURL.Scheme + "://" + cfg.PublicURL.Host
	}

	hash, err := account.NewHasher(cfg.Argon2, cfg.HashConcurrency, cfg.Rand)
	if err != nil {
		return nil, err
	}
	tok := newTokens(cfg.Secret, issuer, cfg.Now, cfg.Rand)
	met, err := newMetrics(cfg.Registry, cfg.Logger)
	if err != nil {
		return nil, err
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(cfg.Logger)
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)

	e.Use(middleware.RequestID())
	e.Use(met.middleware)
	e.Use(recoverPanics(cfg.Logger))
	e.Use(securityHeaders(cfg.PublicURL))

	health := &healthHandlers{store: cfg.Store, timeout: cfg.ReadyTimeout, full: met.full.Load}
	e.GET("/healthz", health.healthz, noStore)
	e.GET("/readyz", health.readyz, noStore)
	e.GET("/metrics", met.handler(), noStore)

	tries := lockout{
		perClient:  newLimiter(cfg.LoginPerAccountClient, cfg.RateLimitKeys, cfg.Now),
		perAccount: newLimiter(cfg.LoginPerAccount, cfg.RateLimitKeys, cfg.Now),
	}
	var rules []account.Option
	if cfg.InviteOnly {
		rules = append(rules, account.InviteOnly())
	}
	accounts := account.NewAccounts(cfg.Store, hash, tries, cfg.Now, cfg.Rand, rules...)
	authn := &authenticator{tokens: tok, users: cfg.Store}
	auth := &authHandlers{
		accounts: accounts, sessions: account.NewSessions(cfg.Store, cfg.Now, cfg.Rand, cfg.RefreshGrace),
		tok: tok, public: cfg.PublicURL,
		perIP: newLimiter(cfg.LoginPerIP, cfg.RateLimitKeys, cfg.Now),
	}
	staff := &staffHandlers{staff: account.NewStaff(cfg.Store, hash, tries, cfg.Now, cfg.Rand), perIP: auth.perIP}
	me := &meHandlers{groups: cfg.Store, accounts: accounts}
	inv := &inviteHandlers{invites: account.NewInvites(cfg.Store, cfg.Now, cfg.Rand), now: cfg.Now}
	grp := &groupHandlers{groups: account.NewGroups(cfg.Store, cfg.Now, cfg.Rand)}
	handover := &invitationHandlers{invitations: account.NewInvitations(cfg.Store, grp.groups, cfg.Now, cfg.Rand)}
	syn := newSyncHandlers(cfg.Store, cfg.Now, cfg.Quota)
	cli := &clinicHandlers{
		clinic: account.NewClinic(cfg.Store, sync.NewClock(ServerNode, cfg.Now), cfg.Now, cfg.Rand),
		groups: grp.groups, export: cfg.Store,
	}

	// Each route carries its body limit and deadline, ahead of the
	// authentication (which reads the store). A push of 500 documents may
	// take a while on a slow store: it gets more time than the rest, still
	// below the HTTP server's write timeout.
	small := limits(smallBodyLimit, cfg.RequestTimeout)
	push := limits(pushBodyLimit, max(cfg.RequestTimeout, PushTimeout))
	v1 := e.Group("/api/v1", noStore)

	// Codes can be guessed wherever they are taken: every failure counts.
	codesPerUser := failures(newLimiter(cfg.JoinPerUser, cfg.RateLimitKeys, cfg.Now), byUser)
	codesPerNetwork := failures(newLimiter(cfg.JoinPerNetwork, cfg.RateLimitKeys, cfg.Now), byNetwork)

	v1.GET("/openapi.json", serveOpenAPI, small)
	v1.POST("/auth/register", auth.register, small, codesPerNetwork)
	v1.POST("/auth/login", auth.login, small)
	v1.POST("/auth/refresh", auth.refresh, small)
	v1.POST("/auth/logout", auth.logout, small)
	v1.POST("/auth/reset", staff.reset, small)
	v1.POST("/setup", (&setupHandlers{setup: cfg.Setup, perIP: auth.perIP}).create, small)

	user := authn.require
	admin := allow(store.RoleAdmin)
	leader := allow(store.RoleTrainer, store.RolePeerLeader, store.RoleAdmin)
	patient := allow(store.RolePatient)

	v1.GET("/me", me.get, small, user)
	v1.PATCH("/me", me.patch, small, user)
	v1.DELETE("/me", auth.erase, small, user)
	v1.GET("/me/export", cli.exportMe, small, user)
	v1.GET("/me/audit", cli.audit, small, user)
	v1.PATCH("/me/groups/:id", cli.patchMembership, small, user)
	v1.DELETE("/me/groups/:id", cli.leave, small, user)

	v1.POST("/invites", inv.create, small, user, admin)
	v1.GET("/invites", inv.list, small, user, leader)
	v1.DELETE("/invites/:code", inv.revoke, small, user, leader)
	v1.GET("/invites/:code/qr", joinQR(cfg.PublicURL), small)

	v1.POST("/groups", grp.create, small, user, leader)
	v1.POST("/groups/join", grp.join, small, codesPerNetwork, user, patient, codesPerUser)
	v1.GET("/groups/:id", grp.get, small, user)
	v1.PATCH("/groups/:id", grp.patch, small, user, leader)
	v1.POST("/groups/:id/invite", grp.invite, small, user, leader)
	v1.PUT("/groups/:id/schedule", grp.setSchedule, small, user)
	v1.PUT("/groups/:id/rsvp", grp.rsvp, small, user)
	v1.PUT("/groups/:id/sessions/:date", grp.changeSession, small, user)
	v1.DELETE("/groups/:id/sessions/:date", grp.restoreSession, small, user)
	v1.PUT("/groups/:id/notice", grp.postNotice, small, user)
	v1.DELETE("/groups/:id/notice", grp.removeNotice, small, user)
	v1.GET("/groups/:id/attendance", grp.attendance, small, user)
	v1.PUT("/groups/:id/attendance/:date", grp.setAttendance, small, user)
	v1.GET("/groups/:id/progress", cli.progress, small, user)
	v1.GET("/groups/:id/progress.csv", cli.progressCSV, small, user)
	v1.GET("/groups/:id/members/:userId", cli.patient, small, user)
	v1.PUT("/groups/:id/members/:userId/plan", cli.setPlan, small, user)
	v1.POST("/groups/:id/members/:userId/measurements", cli.addMeasurement, small, user)
	v1.DELETE("/groups/:id/members/:userId", cli.removeMember, small, user)
	// A trainer hands a patient a peer group's code; looking a code up is
	// guessing it as much as joining with it.
	v1.POST("/groups/:id/members/:userId/invitations/preview", handover.preview, small, codesPerNetwork, user, codesPerUser)
	v1.POST("/groups/:id/members/:userId/invitations", handover.hand, small, codesPerNetwork, user, codesPerUser)
	v1.GET("/me/invitations", handover.mine, small, user)
	v1.POST("/me/invitations/:id/accept", handover.accept, small, user, patient)
	v1.DELETE("/me/invitations/:id", handover.decline, small, user)

	v1.GET("/staff", staff.list, small, user, admin)
	v1.PATCH("/staff/:id", staff.setRole, small, user, admin)
	v1.DELETE("/staff/:id", staff.remove, small, user, admin)
	v1.POST("/users/:id/reset-code", staff.issueReset, small, user, allow(store.RoleTrainer, store.RoleAdmin))

	pushRate := newLimiter(cfg.PushRate, cfg.RateLimitKeys, cfg.Now)
	pushGuard := newPushGuard(cfg.PushesInFlight, cfg.PushesPerUser, cfg.PushWait)
	v1.POST("/sync/push", syn.push, push, user, rate(pushRate, byUser), pushGuard.middleware)
	v1.GET("/sync/pull", syn.pull, small, user)

	if cfg.Push != nil {
		ph := &pushHandlers{push: cfg.Push}
		v1.GET("/push/vapid-public-key", ph.vapidKey, small)
		v1.GET("/push/subscriptions", ph.subscriptions, small, user)
		v1.POST("/push/subscriptions", ph.subscribe, small, user)
		v1.DELETE("/push/subscriptions", ph.unsubscribe, small, user)
		// The test reminder posts to push services; one every few seconds
		// is plenty for a person and bounds what a script can make us send.
		v1.POST("/push/test", ph.test, small, user, limitPerUser(newLimiter(Limit{Burst: 3, Every: 10 * time.Second}, cfg.RateLimitKeys, cfg.Now)))
		v1.GET("/push/settings", ph.getSettings, small, user)
		v1.PUT("/push/settings", ph.putSettings, small, user)
	}

	v1.Any("/*", notFound)
	e.Any("/api/*", notFound, noStore)

	if cfg.Web != nil {
		web := echo.WrapHandler(cfg.Web)
		e.GET("/*", web)
		e.HEAD("/*", web)
	}
	return e, nil
}

func notFound(echo.Context) error { return errorf(CodeNotFound, "no such endpoint") }

// ipExtractor trusts X-Forwarded-For only from the configured proxies;
// without any, the peer address is the client, so the header cannot be used
// to dodge a rate limit.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
