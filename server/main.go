// Command server runs the 4x4 training diary: the embedded web app at /
// and the API under /api/v1, on the SQLite store in DATA_DIR by default or
// on MongoDB when MONGODB_URI is set. Run it with -help for every setting.
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"time"
	_ "time/tzdata" // time zones work in minimal container images too

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/pwa"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/mongostore"
	"github.com/hit4x4/dagbok/store/sqlitestore"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stderr))
}

// run is the whole program; it returns the exit code.
func run(args []string, getenv func(string) string, stderr *os.File) int {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "dagbok: configuration:", err)
		return 2
	}
	log := newLogger(cfg.LogFormat, stderr)
	if cfg.BackupTo != "" {
		return backup(cfg, log)
	}
	if cfg.Check {
		return check(cfg, log)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	m := NewMain(cfg, log)
	if err := m.Run(ctx); err != nil {
		log.Error("cannot start: "+err.Error(), "err", err)
		m.Close()
		return 1
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-m.Failed():
		log.Error("server failed", "err", err)
		m.Close()
		return 1
	}
	if err := m.Close(); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// newLogger logs text on a terminal and JSON otherwise (or as configured).
func newLogger(format string, w *os.File) *slog.Logger {
	if format == "auto" {
		format = "json"
		if fi, err := w.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// Timeouts of the HTTP server. Reads allow a 1 MiB sync push from a phone
// on a poor connection; handlers get their own, shorter deadline.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	requestTimeout    = 15 * time.Second
	shutdownTimeout   = 10 * time.Second
	compactInterval   = time.Hour
	compactFirstRun   = time.Minute
	reminderInterval  = time.Minute
)

// Main is the running server: store, HTTP server, background compactor.
// Tests and main start it the same way: NewMain, Run, then Close.
type Main struct {
	cfg  Config
	log  *slog.Logger
	now  func() time.Time
	rand io.Reader

	store    store.Store
	ln       net.Listener
	srv      *http.Server
	url      string
	setupURL string // the first-run link, when one was opened
	failed   chan error
	cancel   context.CancelFunc // stops the compactor
	wg       gosync.WaitGroup
}

// NewMain returns a server for cfg; nothing starts until Run.
func NewMain(cfg Config, log *slog.Logger) *Main {
	return &Main{cfg: cfg, log: log, now: time.Now, rand: rand.Reader, failed: make(chan error, 1)}
}

// URL is the address the server listens on, e.g. http://127.0.0.1:41234/.
func (m *Main) URL() string { return m.url }

// Failed delivers an error if serving stops by itself.
func (m *Main) Failed() <-chan error { return m.failed }

// Run opens the store, creates the first admin when configured, starts
// listening and serving, and returns. Call Close to stop.
func (m *Main) Run(ctx context.Context) error {
	if err := ensureWritableDir(m.cfg.DataDir); err != nil {
		return err
	}
	secret, err := m.signingSecret()
	if err != nil {
		return err
	}
	st, kind, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	m.store = st

	var setup *account.Setup
	var setupToken string
	if m.cfg.AdminEmail != "" {
		if err := m.ensureAdmin(ctx); err != nil {
			return fmt.Errorf("first admin: %w", err)
		}
	} else if setup, setupToken, err = m.openSetup(ctx); err != nil {
		return fmt.Errorf("first-run setup: %w", err)
	}

	var poolStats []prometheus.Collector
	if sq, ok := st.(*sqlitestore.Store); ok {
		w, r := sq.Pools()
		poolStats = append(poolStats, collectors.NewDBStatsCollector(w, "sqlite_write"), collectors.NewDBStatsCollector(r, "sqlite_read"))
	}
	reg, err := newRegistry(poolStats...)
	if err != nil {
		return err
	}
	pushSvc, scheduler, err := m.push(reg)
	if err != nil {
		return err
	}
	handler, err := api.New(api.Config{
		Store:          st,
		Secret:         secret,
		Logger:         m.log,
		Now:            m.now,
		Rand:           m.rand,
		PublicURL:      m.cfg.PublicURL,
		TrustedProxies: m.cfg.TrustedProxies,
		Web:            pwa.Handler(),
		Registry:       reg,
		RequestTimeout: requestTimeout,
		RefreshGrace:   cmp.Or(m.cfg.RefreshGrace, -1), // 0 means none here, the default in api
		Quota:          api.Quota{Docs: m.cfg.QuotaDocs, Bytes: m.cfg.QuotaBytes},
		InviteOnly:     m.cfg.InviteOnly,
		Push:           pushSvc,
		Setup:          setup,
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", m.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.cfg.Addr, err)
	}
	m.ln = ln
	m.url = listenURL(ln.Addr())
	m.srv = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.failed <- err
		}
	}()

	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.compactLoop(cctx)
	}()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		scheduler.Run(cctx, reminderInterval)
	}()

	attrs := []any{"url", m.url, "store", kind}
	if m.cfg.PublicURL != nil {
		attrs = append(attrs, "public_url", m.cfg.PublicURL.String())
	}
	m.log.Info("listening: open the url in a browser", attrs...)
	if setupToken != "" {
		base := strings.TrimSuffix(m.url, "/")
		if m.cfg.PublicURL != nil {
			base = m.cfg.PublicURL.Scheme + "://" + m.cfg.PublicURL.Host
		}
		m.setupURL = base + "/setup#" + setupToken
		m.log.Warn("no admin yet: open this one-time link within an hour to create the first admin", "url", m.setupURL)
	}
	return nil
}

// push sets up Web Push: the VAPID keys (from config, or generated once
// into the data folder), the sender with its endpoint guard, the service
// behind the API's push routes, and the reminder scheduler.
func (m *Main) push(reg *prometheus.Registry) (*push.Service, *push.Scheduler, error) {
	keys, err := m.vapidKeys()
	if err != nil {
		return nil, nil, err
	}
	subject := m.cfg.VAPIDSubject
	if subject == "" {
		subject = "mailto:postmaster@localhost"
		if u := m.cfg.PublicURL; u != nil && u.Scheme == "https" {
			subject = u.Scheme + "://" + u.Host
		}
		m.log.Warn("VAPID_SUBJECT is not set; push services may refuse reminders without a contact", "subject", subject)
	}
	guard := push.Guard{Hosts: m.cfg.PushHosts, Loopback: m.cfg.PushTestEndpoints, Relays: m.cfg.PushRelays}
	if guard.Loopback {
		m.log.Warn("PUSH_TEST_ENDPOINTS is on: push endpoints on loopback are accepted; never use it in production")
	}
	if len(guard.Relays) > 0 {
		m.log.Info("push endpoints on the relays' addresses are accepted", "relays", fmt.Sprint(guard.Relays))
	}
	tlsCfg, err := pushTLS(m.cfg.PushCAFile)
	if err != nil {
		return nil, nil, err
	}
	sender, err := push.NewSender(push.SenderConfig{Keys: keys, Subject: subject, Guard: guard, TLS: tlsCfg, Now: m.now})
	if err != nil {
		return nil, nil, err
	}
	metrics, err := push.NewMetrics(reg)
	if err != nil {
		return nil, nil, err
	}
	owner := make([]byte, 8)
	if _, err := io.ReadFull(m.rand, owner); err != nil {
		return nil, nil, err
	}
	host, _ := os.Hostname()
	kinds := push.DefaultKinds()
	scheduler, err := push.NewScheduler(push.SchedulerConfig{Store: m.store, Sender: sender, Kinds: kinds,
		Owner: host + "/" + hex.EncodeToString(owner), Now: m.now, Log: m.log, Metrics: metrics})
	if err != nil {
		return nil, nil, err
	}
	svc := push.NewService(m.store, sender, guard, push.Names(kinds), m.now, metrics)
	return svc, scheduler, nil
}

// pushTLS is the TLS configuration of the connections to push services:
// nil (the system's roots) without PUSH_CA_FILE, else the system's roots
// and the file's certificates.
func pushTLS(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("PUSH_CA_FILE: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("PUSH_CA_FILE %s: no PEM certificate in it", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// vapidKeys are the configured key pair, or the one kept in the key file.
func (m *Main) vapidKeys() (push.Keys, error) {
	if m.cfg.VAPIDPrivateKey != "" {
		return push.ParseKeys(m.cfg.VAPIDPublicKey, m.cfg.VAPIDPrivateKey)
	}
	path := m.cfg.VAPIDKeyFile
	if path == "" {
		path = filepath.Join(m.cfg.DataDir, "vapid.json")
	}
	keys, created, err := push.LoadOrCreateKeys(path, m.rand)
	if err != nil {
		return push.Keys{}, err
	}
	if created {
		m.log.Info("generated the VAPID key pair", "file", path)
	}
	return keys, nil
}

// SetupURL is the first-run link printed at start, "" when an admin
// existed or was configured.
func (m *Main) SetupURL() string { return m.setupURL }

// openSetup opens the first-run link when there is no admin.
func (m *Main) openSetup(ctx context.Context) (*account.Setup, string, error) {
	hash, err := account.NewHasher(account.DefaultArgon2(), 1, m.rand)
	if err != nil {
		return nil, "", err
	}
	setup := account.NewSetup(m.store, hash, m.now, m.rand)
	token, _, err := setup.Open(ctx)
	if err != nil || token == "" {
		return nil, "", err
	}
	return setup, token, nil
}

// ensureAdmin creates the first admin account from ADMIN_EMAIL and
// ADMIN_PASSWORD when it does not exist.
func (m *Main) ensureAdmin(ctx context.Context) error {
	hash, err := account.NewHasher(account.DefaultArgon2(), 1, m.rand)
	if err != nil {
		return err
	}
	created, err := account.NewAccounts(m.store, hash, nil, m.now, m.rand).EnsureAdmin(ctx, m.cfg.AdminEmail, m.cfg.AdminPassword)
	if err != nil {
		return err
	}
	if created {
		m.log.Info("admin account created", "email", strings.ToLower(strings.TrimSpace(m.cfg.AdminEmail)))
	}
	return nil
}

// Close stops accepting connections, lets in-flight requests finish (for
// at most shutdownTimeout), stops the compactor and closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		err := m.srv.Shutdown(ctx)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("drain requests: %w", err))
			m.srv.Close()
		}
	} else if m.ln != nil {
		m.ln.Close()
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	if m.store != nil {
		if err := m.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
		m.store = nil
	}
	return errors.Join(errs...)
}

func (m *Main) openStore(ctx context.Context) (store.Store, string, error) {
	if m.cfg.MongoURI != "" {
		octx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		st, err := mongostore.Open(octx, mongostore.Config{URI: m.cfg.MongoURI, Database: m.cfg.MongoDB, Now: m.now})
		if err != nil {
			return nil, "", fmt.Errorf("open MongoDB store: %w", err)
		}
		return st, "mongodb", nil
	}
	path := filepath.Join(m.cfg.DataDir, "app.db")
	st, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: path, Now: m.now, MaxBytes: m.cfg.MaxDBBytes})
	if err != nil {
		return nil, "", fmt.Errorf("open SQLite store %s: %w", path, err)
	}
	// A damaged page would otherwise be found only by the pull that
	// touches it, long after the last good backup may have been replaced.
	if err := st.Check(ctx, true); err != nil {
		st.Close()
		return nil, "", fmt.Errorf("SQLite store %s: %w (dagbok check says more; restore app.db from a backup)", path, err)
	}
	return st, "sqlite", nil
}

// signingSecret is JWT_SECRET, or the secret kept in JWT_SECRET_FILE,
// generated on first start.
func (m *Main) signingSecret() ([]byte, error) {
	if m.cfg.JWTSecret != "" {
		return []byte(m.cfg.JWTSecret), nil
	}
	path := m.cfg.JWTSecretFile
	if path == "" {
		path = filepath.Join(m.cfg.DataDir, "jwt.key")
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := writeNewSecret(path, m.rand); err != nil {
			return nil, err
		}
		m.log.Info("generated a signing key", "file", path)
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	secret := strings.TrimSpace(string(data))
	if len(secret) < 32 {
		return nil, fmt.Errorf("signing key %s: shorter than 32 bytes", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		m.log.Warn("signing key file is readable by others; chmod 600 it", "file", path)
	}
	return []byte(secret), nil
}

func writeNewSecret(path string, r io.Reader) error {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil // another instance wrote it first
	}
	if err != nil {
		return fmt.Errorf("create signing key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(b) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("write signing key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write signing key: %w", err)
	}
	return f.Close()
}

// ensureWritableDir creates the data folder when missing and proves it
// can be written.
func ensureWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data folder %s cannot be created: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("data folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// listenURL is the URL of a listener, with a usable host for wildcard
// addresses.
func listenURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port)) + "/"
}

// compactLoop compacts every scope's change log now and then, collecting
// tombstones older than TombstoneTTL.
func (m *Main) compactLoop(ctx context.Context) {
	timer := time.NewTimer(compactFirstRun)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		m.compact(ctx)
		timer.Reset(compactInterval)
	}
}

func (m *Main) compact(ctx context.Context) {
	scopes, err := m.store.Scopes(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Error("compaction: list scopes", "err", err)
		}
		return
	}
	before := m.now().Add(-m.cfg.TombstoneTTL)
	var total store.CompactResult
	for _, s := range scopes {
		if ctx.Err() != nil {
			return
		}
		r, err := m.store.Compact(ctx, s, before)
		if err != nil {
			m.log.Error("compaction", "scope", s, "err", err)
			continue
		}
		total.LogEntries += r.LogEntries
		total.Tombstones += r.Tombstones
	}
	if total.LogEntries > 0 || total.Tombstones > 0 {
		m.log.Info("compacted change logs", "scopes", len(scopes), "log_entries", total.LogEntries, "tombstones", total.Tombstones)
	}
}

// newRegistry returns a metrics registry with the Go runtime and process
// collectors and any extra ones. A collector that cannot be registered is
// an error for the caller to return, not a panic at start-up.
func newRegistry(extra ...prometheus.Collector) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	cs := append([]prometheus.Collector{collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}, extra...)
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	return reg, nil
}
