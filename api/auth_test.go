package api_test

import (
	"encoding/base64"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/api"
)

func TestRegisterLoginRefreshLogout(t *testing.T) {
	e := newEnv(t)
	u := e.register("  Kari@Example.ORG ", "long enough pw", "Kari", "")
	if u.Email != "kari@example.org" || u.Role != "patient" || u.TimeZone != "Europe/Oslo" || u.Language != "nb" {
		t.Fatalf("registered user %+v", u)
	}
	e.do(req{Method: "POST", Path: "/api/v1/auth/register",
		Body: map[string]string{"email": "KARI@example.org", "password": "another pw 123", "name": "K"}}).
		ExpectError(t, http.StatusConflict, api.CodeEmailTaken)
	// The language the person registered in is kept.
	r := e.do(req{Method: "POST", Path: "/api/v1/auth/register",
		Body: map[string]string{"email": "emma@example.org", "password": "long enough pw", "name": "Emma", "language": "en"}})
	var en struct{ User struct{ Language string } }
	if r.Status != http.StatusCreated {
		t.Fatalf("register in English: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &en)
	if en.User.Language != "en" {
		t.Fatalf("registered in English, the account's language is %q", en.User.Language)
	}

	s := e.login("kari@EXAMPLE.org", "long enough pw")
	c := s.Cookie
	if c.Name != "__Host-dagbok_refresh" || !c.HttpOnly || !c.Secure || c.Path != "/" || c.SameSite != http.SameSiteStrictMode {
		t.Fatalf("refresh cookie %+v", c)
	}
	if r := e.do(req{Method: "GET", Path: "/api/v1/me", Token: s.Token}); r.Status != http.StatusOK {
		t.Fatalf("me: %d %s", r.Status, r.Body)
	}

	// Rotation: each refresh gives a new token; the old one is spent.
	r = e.refresh(c)
	if r.Status != http.StatusOK {
		t.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	c2 := refreshCookieOf(r)
	if c2 == nil || c2.Value == c.Value {
		t.Fatalf("refresh did not rotate the cookie: %+v", c2)
	}
	var tr struct{ AccessToken string }
	r.Decode(t, &tr)
	if r := e.do(req{Method: "GET", Path: "/api/v1/me", Token: tr.AccessToken}); r.Status != http.StatusOK {
		t.Fatalf("me with refreshed token: %d", r.Status)
	}

	// Reuse of the rotated token after the reuse grace revokes the family:
	// the newest token dies too.
	e.clock.Advance(account.DefaultReuseGrace + time.Second)
	e.refresh(c).ExpectError(t, http.StatusUnauthorized, api.CodeInvalidRefresh)
	e.refresh(c2).ExpectError(t, http.StatusUnauthorized, api.CodeInvalidRefresh)

	// A new login is a new family; logout revokes it.
	s = e.login("kari@example.org", "long enough pw")
	r = e.do(req{Method: "POST", Path: "/api/v1/auth/logout", Cookies: []*http.Cookie{s.Cookie},
		Header: map[string]string{api.CSRFHeader: api.CSRFValue}})
	if r.Status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if cl := refreshCookieOf(r); cl == nil || cl.MaxAge >= 0 {
		t.Fatalf("logout did not clear the cookie: %+v", cl)
	}
	e.refresh(s.Cookie).ExpectError(t, http.StatusUnauthorized, api.CodeInvalidRefresh)
}

func TestRefreshExpires(t *testing.T) {
	e := newEnv(t)
	s := e.as("patient", "p@example.org")
	e.clock.Advance(account.RefreshTokenTTL + time.Minute)
	e.refresh(s.Cookie).ExpectError(t, http.StatusUnauthorized, api.CodeInvalidRefresh)
}

func TestRefreshAndLogoutRefuseCrossSite(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.PublicURL = &url.URL{Scheme: "https", Host: "dagbok.example"} })
	s := e.as("patient", "p@example.org")
	for _, path := range []string{"/api/v1/auth/refresh", "/api/v1/auth/logout"} {
		t.Run(path, func(t *testing.T) {
			for name, h := range map[string]map[string]string{
				"no custom header": {"Origin": "https://dagbok.example"},
				"foreign origin":   {"Origin": "https://evil.example", api.CSRFHeader: api.CSRFValue},
				"null origin":      {"Origin": "null", api.CSRFHeader: api.CSRFValue},
			} {
				r := e.do(req{Method: "POST", Path: path, Cookies: []*http.Cookie{s.Cookie}, Header: h})
				if r.Status != http.StatusForbidden {
					t.Errorf("%s: status %d, want 403", name, r.Status)
				}
			}
		})
	}
	r := e.do(req{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{s.Cookie},
		Header: map[string]string{"Origin": "https://dagbok.example", api.CSRFHeader: api.CSRFValue}})
	if r.Status != http.StatusOK {
		t.Fatalf("same-origin refresh: %d %s", r.Status, r.Body)
	}
}

func TestLoginUnknownEmailAndWrongPasswordLookAlike(t *testing.T) {
	e := newEnv(t)
	e.register("ola@example.org", "right password", "Ola", "")
	wrong := e.do(req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "ola@example.org", "password": "wrong password"}})
	unknown := e.do(req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "nobody@example.org", "password": "wrong password"}})
	wrong.ExpectError(t, http.StatusUnauthorized, api.CodeInvalidCredentials)
	unknown.ExpectError(t, http.StatusUnauthorized, api.CodeInvalidCredentials)
	if string(wrong.Body) != string(unknown.Body) {
		t.Fatalf("bodies differ:\n%s\n%s", wrong.Body, unknown.Body)
	}
}

func TestLoginRateLimits(t *testing.T) {
	t.Run("per account", func(t *testing.T) {
		e := newEnv(t, func(c *api.Config) { c.LoginPerAccount = api.Limit{Burst: 3, Every: time.Minute} })
		e.register("ola@example.org", "right password", "Ola", "")
		// Only failures count: signing in on several devices uses nothing up.
		for range 5 {
			e.login("ola@example.org", "right password")
		}
		for i := range 3 {
			r := e.do(req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "ola@example.org", "password": "nope nope"}})
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i, r.Status)
			}
		}
		r := e.do(req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "OLA@example.org", "password": "right password"}})
		r.ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		e.clock.Advance(time.Minute)
		e.login("ola@example.org", "right password")
	})
	t.Run("per IP, X-Forwarded-For ignored", func(t *testing.T) {
		e := newEnv(t, func(c *api.Config) { c.LoginPerIP = api.Limit{Burst: 3, Every: time.Minute} })
		var last *resp
		for i := range 4 {
			last = e.do(req{Method: "POST", Path: "/api/v1/auth/login",
				Body:   map[string]string{"email": "u" + string(rune('a'+i)) + "@example.org", "password": "whatever1"},
				Header: map[string]string{"X-Forwarded-For": "203.0.113." + string(rune('1'+i))}})
		}
		last.ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)
	})
	t.Run("per IP, IPv6 by /64", func(t *testing.T) {
		proxies := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		e := newEnv(t, func(c *api.Config) {
			c.LoginPerIP = api.Limit{Burst: 3, Every: time.Minute}
			c.TrustedProxies = proxies
		})
		login := func(ip string) *resp {
			return e.do(req{Method: "POST", Path: "/api/v1/auth/login",
				Body:   map[string]string{"email": "u@example.org", "password": "whatever1"},
				Header: map[string]string{"X-Forwarded-For": ip}})
		}
		// One subscriber's /64 holds 2^64 addresses: they share one bucket.
		for _, ip := range []string{"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:aaaa::3"} {
			if r := login(ip); r.Status != http.StatusUnauthorized {
				t.Fatalf("%s: %d %s", ip, r.Status, r.Body)
			}
		}
		login("2001:db8:1:2:ffff:ffff:ffff:ffff").ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)
		if r := login("2001:db8:1:3::1"); r.Status != http.StatusUnauthorized {
			t.Fatalf("the next /64 is another client: %d %s", r.Status, r.Body)
		}
	})
}

// sign makes an HS256 token with the given claims and key.
func sign(t *testing.T, key []byte, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenAttacks(t *testing.T) {
	e := newEnv(t)
	s := e.as("patient", "p@example.org")
	admin := e.as("admin", "admin@example.org")
	now := e.clock.Now()
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": api.DefaultIssuer, "aud": api.Audience, "sub": s.User.ID,
			"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": "x"}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	b64 := base64.RawURLEncoding.EncodeToString
	parts := strings.Split(s.Token, ".")
	tamperedSub := parts[0] + "." + b64([]byte(`{"iss":"dagbok","aud":["dagbok-api"],"sub":"`+admin.User.ID+`","exp":9999999999,"iat":1}`)) + "." + parts[2]
	tamperedRole := parts[0] + "." + b64([]byte(`{"iss":"dagbok","aud":["dagbok-api"],"sub":"`+s.User.ID+`","role":"admin","exp":9999999999,"iat":1}`)) + "." + parts[2]
	noneToken := b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64([]byte(`{"iss":"dagbok","aud":"dagbok-api","sub":"`+s.User.ID+`","exp":9999999999,"iat":1}`)) + "."

	cases := map[string]string{
		"alg none":              noneToken,
		"other key":             sign(t, []byte("another-secret-another-secret-012345"), good()),
		"role claim, other key": sign(t, []byte("another-secret-another-secret-012345"), with("role", "admin")),
		"tampered sub":          tamperedSub,
		"tampered role":         tamperedRole,
		"expired":               sign(t, []byte(testSecret), with("exp", now.Add(-time.Minute).Unix())),
		"no exp":                sign(t, []byte(testSecret), with("exp", nil)),
		"no iat":                sign(t, []byte(testSecret), with("iat", nil)),
		"no jti":                sign(t, []byte(testSecret), with("jti", nil)),
		"empty jti":             sign(t, []byte(testSecret), with("jti", "")),
		"no sub":                sign(t, []byte(testSecret), with("sub", nil)),
		"issued in future":      sign(t, []byte(testSecret), with("iat", now.Add(time.Hour).Unix())),
		"wrong audience":        sign(t, []byte(testSecret), with("aud", "someone-else")),
		"wrong issuer":          sign(t, []byte(testSecret), with("iss", "https://evil.example")),
		"unknown subject":       sign(t, []byte(testSecret), with("sub", "no-such-user")),
		"garbage":               "not.a.token",
		"empty":                 "",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			r := e.do(req{Method: "GET", Path: "/api/v1/me", Token: tok})
			r.ExpectError(t, http.StatusUnauthorized, api.CodeUnauthorized)
		})
	}
	t.Run("control: a well-formed token works", func(t *testing.T) {
		if r := e.do(req{Method: "GET", Path: "/api/v1/me", Token: sign(t, []byte(testSecret), good())}); r.Status != http.StatusOK {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("access token expires after 15 minutes", func(t *testing.T) {
		e.clock.Advance(api.AccessTokenTTL + time.Minute)
		e.do(req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).ExpectError(t, http.StatusUnauthorized, api.CodeUnauthorized)
	})
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t)
	big := `{"email":"a@b.org","password":"` + strings.Repeat("x", 100<<10) + `","name":"n"}`
	cases := []struct {
		name   string
		body   string
		ctype  string
		status int
		code   string
		field  string
	}{
		{"malformed JSON", `{"email":`, "", 400, api.CodeInvalidJSON, ""},
		{"not JSON at all", `email=a@b.org`, "", 400, api.CodeInvalidJSON, ""},
		{"trailing data", `{"email":"a@b.org","password":"x"} {}`, "", 400, api.CodeInvalidJSON, ""},
		{"empty body", ``, "", 400, api.CodeInvalidJSON, ""},
		{"array", `[]`, "", 400, api.CodeInvalidJSON, ""},
		{"unknown field", `{"email":"a@b.org","password":"xxxxxxxx","admin":true}`, "", 400, api.CodeUnknownField, "admin"},
		{"field name in another case", `{"Email":"a@b.org","password":"xxxxxxxx"}`, "", 400, api.CodeUnknownField, "Email"},
		{"repeated field", `{"email":"a@b.org","password":"xxxxxxxx","email":"c@d.org"}`, "", 400, api.CodeInvalidJSON, "email"},
		{"invalid UTF-8", "{\"email\":\"a\xff@b.org\",\"password\":\"xxxxxxxx\"}", "", 400, api.CodeInvalidJSON, ""},
		{"operator injection", `{"email":{"$ne":""},"password":"xxxxxxxx"}`, "", 422, api.CodeValidation, "email"},
		{"password missing", `{"email":"a@b.org"}`, "", 422, api.CodeValidation, "password"},
		{"oversized body", big, "", 413, api.CodePayloadTooLarge, ""},
		{"form content type", `{"email":"a@b.org","password":"xxxxxxxx"}`, "application/x-www-form-urlencoded", 415, api.CodeUnsupportedMedia, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := req{Method: "POST", Path: "/api/v1/auth/login", Body: []byte(tc.body)}
			if tc.ctype != "" {
				r.Header = map[string]string{"Content-Type": tc.ctype}
			}
			res := e.do(r)
			eb := res.ExpectError(t, tc.status, tc.code)
			if tc.field != "" && (len(eb.Error.Details) == 0 || eb.Error.Details[0].Field != tc.field) {
				t.Fatalf("details %+v do not name %q", eb.Error.Details, tc.field)
			}
		})
	}
	t.Run("register validation names every field", func(t *testing.T) {
		res := e.do(req{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{"email": "not-an-email", "password": "short", "name": " "}})
		eb := res.ExpectError(t, 422, api.CodeValidation)
		got := map[string]bool{}
		for _, d := range eb.Error.Details {
			got[d.Field] = true
		}
		for _, f := range []string{"email", "password", "name"} {
			if !got[f] {
				t.Errorf("details %s do not name %s", res.Body, f)
			}
		}
	})
	t.Run("unknown API path is a JSON 404", func(t *testing.T) {
		e.do(req{Method: "GET", Path: "/api/v1/nope"}).ExpectError(t, 404, api.CodeNotFound)
	})
}
