package api_test

import (
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/store/sqlitestore"
)

// env is one API server over real HTTP on loopback, on a fresh SQLite
// store in t.TempDir().
type env struct {
	t      *testing.T
	echo   *echo.Echo
	client *apitest.Client // checks every exchange against the OpenAPI document
	store  *sqlitestore.Store
	clock  *apitest.Clock
	secret []byte
	root   *session          // an admin who hands out role invites
	admins *account.Accounts // creates admins as the server does at start
}

// loadSpec loads the API's OpenAPI document.
func loadSpec(t *testing.T) *apitest.Spec {
	t.Helper()
	spec, err := apitest.LoadSpec(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

const testSecret = "test-secret-0123456789-abcdefghijklmnop"

// testArgon2 is a cheap hashing cost, for fast tests.
var testArgon2 = account.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

func newEnv(t *testing.T, configure ...func(*api.Config)) *env {
	t.Helper()
	st, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(t.TempDir(), "app.db")})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	clk := apitest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	cfg := api.Config{
		Store:  st,
		Secret: []byte(testSecret),
		Now:    clk.Now,
		Argon2: testArgon2,
		Web: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!doctype html><title>app</title>")
		}),
	}
	cfg.Push = testPushService(t, cfg, nil)
	for _, f := range configure {
		f(&cfg)
	}
	e, err := api.New(cfg)
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	hash, err := account.NewHasher(testArgon2, 1, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	admins := account.NewAccounts(st, hash, nil, clk.Now, rand.Reader)
	client := &apitest.Client{Base: srv.URL, HTTP: srv.Client(), Spec: loadSpec(t)}
	return &env{t: t, echo: e, client: client, store: st, clock: clk, secret: cfg.Secret, admins: admins}
}

// req and resp are the shared test client's request and answer.
type (
	req  = apitest.Request
	resp = apitest.Response
)

// do sends r; the request and the answer must match the OpenAPI document.
func (e *env) do(r req) *resp {
	e.t.Helper()
	return e.client.Do(e.t, r)
}

type user struct {
	ID        string  `json:"id"`
	Email     string  `json:"email"`
	Name      string  `json:"name"`
	Role      string  `json:"role"`
	BirthYear *int    `json:"birthYear"`
	HRMax     *int    `json:"hrMax"`
	Sex       *string `json:"sex"`
	TimeZone  string  `json:"timeZone"`
	Language  string  `json:"language"`
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
	r.Decode(e.t, &out)
	return out.User
}

func refreshCookieOf(r *resp) *http.Cookie {
	return r.Cookie("__Host-dagbok_refresh", "dagbok_refresh")
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
	r.Decode(e.t, &out)
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
		if _, err := e.admins.EnsureAdmin(e.t.Context(), email, pw); err != nil {
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
		r.Decode(e.t, &inv)
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
