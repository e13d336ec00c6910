package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/store/sqlitestore"
)

// clock is a settable test clock.
type clock struct {
	mu  gosync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is one API server over real HTTP on loopback, on a fresh SQLite
// store in t.TempDir().
type env struct {
	t      *testing.T
	srv    *httptest.Server
	store  *sqlitestore.Store
	clock  *clock
	secret []byte
	root   *session // an admin who hands out role invites
}

const testSecret = "test-secret-0123456789-abcdefghijklmnop"

func newEnv(t *testing.T, configure ...func(*api.Config)) *env {
	t.Helper()
	st, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(t.TempDir(), "app.db")})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	cfg := api.Config{
		Store:  st,
		Secret: []byte(testSecret),
		Now:    clk.Now,
		Argon2: api.Argon2Params{Memory: 1024, Time: 1, Threads: 1},
		Web: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!doctype html><title>app</title>")
		}),
	}
	for _, f := range configure {
		f(&cfg)
	}
	e, err := api.New(cfg)
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: st, clock: clk, secret: cfg.Secret}
}

// resp is a finished response with its body read.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
	Res    *http.Response
}

// errBody is the JSON error shape.
type errBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Doc    string `json:"doc"`
			Field  string `json:"field"`
			Reason string `json:"reason"`
		} `json:"details"`
		ServerTime int64 `json:"serverTime"`
	} `json:"error"`
}

func (r *resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r *resp) err(t *testing.T) errBody {
	t.Helper()
	var e errBody
	r.decode(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not the JSON error shape: %s", r.Body)
	}
	return e
}

// expectError checks status and code of a JSON error answer.
func (r *resp) expectError(t *testing.T, status int, code string) errBody {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); status != http.StatusMethodNotAllowed && !bytes.HasPrefix([]byte(ct), []byte("application/json")) {
		t.Fatalf("content type %q for an error", ct)
	}
	e := r.err(t)
	if e.Error.Code != code {
		t.Fatalf("code %q, want %q; body %s", e.Error.Code, code, r.Body)
	}
	return e
}

// req describes one request.
type req struct {
	Method  string
	Path    string
	Body    any // string or []byte: sent as is; else JSON-encoded
	Token   string
	Cookies []*http.Cookie
	Header  map[string]string
}

func (e *env) do(r req) *resp {
	e.t.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = bytes.NewReader([]byte(b))
	case []byte:
		body = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(data)
	}
	hr, err := http.NewRequestWithContext(e.t.Context(), r.Method, e.srv.URL+r.Path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for _, c := range r.Cookies {
		hr.AddCookie(c)
	}
	for k, v := range r.Header {
		hr.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(hr)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &resp{Status: res.StatusCode, Header: res.Header, Body: data, Res: res}
}

type user struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	BirthYear *int   `json:"birthYear"`
	HRMax     *int   `json:"hrMax"`
	TimeZone  string `json:"timeZone"`
	Language  string `json:"language"`
}

type session struct {
	Token  string
	Cookie *http.Cookie
	User   user
}

// register creates an account and checks it was created.
func (e *env) register(email, password, name, code string) user {
	e.t.Helper()
	body := map[string]string{"email": email, "password": password, "name": name}
	if code != "" {
		body["inviteCode"] = code
	}
	r := e.do(req{Method: "POST", Path: "/api/v1/auth/register", Body: body})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("register %s: %d %s", email, r.Status, r.Body)
	}
	var out struct{ User user }
	r.decode(e.t, &out)
	return out.User
}

func refreshCookieOf(r *resp) *http.Cookie {
	for _, c := range r.Res.Cookies() {
		if c.Name == "__Host-dagbok_refresh" || c.Name == "dagbok_refresh" {
			return c
		}
	}
	return nil
}

func (e *env) login(email, password string) session {
	e.t.Helper()
	r := e.do(req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": password}})
	if r.Status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	var out struct {
		AccessToken string `json:"accessToken"`
		ExpiresIn   int    `json:"expiresIn"`
		User        user   `json:"user"`
	}
	r.decode(e.t, &out)
	if out.AccessToken == "" || out.ExpiresIn != 900 {
		e.t.Fatalf("login answer %s", r.Body)
	}
	c := refreshCookieOf(r)
	if c == nil {
		e.t.Fatalf("login set no refresh cookie: %v", r.Header)
	}
	return session{Token: out.AccessToken, Cookie: c, User: out.User}
}

// as registers and signs in a user of the given role: admins come from
// EnsureAdmin, trainers and peer leaders from an admin's invite.
func (e *env) as(role, email string) session {
	e.t.Helper()
	const pw = "correct horse battery"
	switch role {
	case "admin":
		if _, err := api.EnsureAdmin(e.t.Context(), e.store, email, pw, e.clock.Now()); err != nil {
			e.t.Fatal(err)
		}
	case "patient":
		e.register(email, pw, "Pat "+email, "")
	default:
		if e.root == nil {
			root := e.as("admin", "root@example.org")
			e.root = &root
		}
		admin := e.login("root@example.org", pw)
		r := e.do(req{Method: "POST", Path: "/api/v1/invites", Token: admin.Token, Body: map[string]string{"role": role}})
		if r.Status != http.StatusCreated {
			e.t.Fatalf("invite %s: %d %s", role, r.Status, r.Body)
		}
		var inv struct{ Code string }
		r.decode(e.t, &inv)
		e.register(email, pw, "Lead "+email, inv.Code)
	}
	s := e.login(email, pw)
	if s.User.Role != role {
		e.t.Fatalf("%s has role %s, want %s", email, s.User.Role, role)
	}
	return s
}

// refresh calls /auth/refresh the way the PWA does.
func (e *env) refresh(c *http.Cookie) *resp {
	e.t.Helper()
	return e.do(req{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{c},
		Header: map[string]string{api.CSRFHeader: api.CSRFValue}})
}
