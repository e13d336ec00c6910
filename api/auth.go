package api

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
)

// Refresh cookie names: with the __Host- prefix where the browser accepts
// it (a Secure cookie: https, or loopback), plain otherwise.
const (
	refreshCookieSecure = "__Host-dagbok_refresh"
	refreshCookiePlain  = "dagbok_refresh"
	// CSRFHeader must accompany refresh and logout with the value CSRFValue:
	// a cross-site form cannot set it, and a cross-site script cannot send
	// it without a CORS preflight this server never approves.
	CSRFHeader = "X-Requested-With"
	CSRFValue  = "dagbok"
)

// authHandlers serve registration, sign-in, refresh, sign-out and
// erasure: the account rules decide, these handlers carry the cookie and
// the access token.
type authHandlers struct {
	accounts *account.Accounts
	sessions *account.Sessions
	tok      *tokens
	public   *url.URL
	perIP    *limiter
}

// registerRequest is account.Registration on the wire.
type registerRequest struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	Name       string `json:"name"`
	InviteCode string `json:"inviteCode"`
	Language   string `json:"language"`
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type userResponse struct {
	User userJSON `json:"user"`
}

type tokenResponse struct {
	AccessToken string   `json:"accessToken"`
	TokenType   string   `json:"tokenType"`
	ExpiresIn   int      `json:"expiresIn"`
	User        userJSON `json:"user"`
}

// register creates an account (account.Accounts.Register).
func (h *authHandlers) register(c echo.Context) error {
	if err := h.perIP.Take("register " + clientKey(c.RealIP())); err != nil {
		return err
	}
	var req registerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.accounts.Register(c.Request().Context(), account.Registration(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, userResponse{User: toUserJSON(u)})
}

// login signs in and starts a session: a refresh token in the cookie, an
// access token in the answer.
func (h *authHandlers) login(c echo.Context) error {
	network := clientKey(c.RealIP())
	if err := h.perIP.Take("login " + network); err != nil {
		return err
	}
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := h.accounts.SignIn(ctx, req.Email, req.Password, network)
	if err != nil {
		return err
	}
	refresh, err := h.sessions.Start(ctx, u.ID)
	if err != nil {
		return err
	}
	return h.answer(c, u, refresh)
}

// refresh rotates the refresh token in the cookie and returns a new access
// token. A refused token clears the cookie.
func (h *authHandlers) refresh(c echo.Context) error {
	if err := h.checkOrigin(c); err != nil {
		return err
	}
	raw := h.refreshCookie(c)
	if raw == "" {
		return errorf(CodeInvalidRefresh, "no refresh token; sign in again")
	}
	u, next, err := h.sessions.Refresh(c.Request().Context(), raw)
	if account.ErrorCode(err) == account.RefreshRefused {
		h.clearCookie(c)
	}
	if err != nil {
		return err
	}
	return h.answer(c, u, next)
}

// logout revokes the refresh token in the cookie and clears the cookie.
// The access token stays valid until it expires (minutes).
func (h *authHandlers) logout(c echo.Context) error {
	if err := h.checkOrigin(c); err != nil {
		return err
	}
	if raw := h.refreshCookie(c); raw != "" {
		if err := h.sessions.End(c.Request().Context(), raw); err != nil {
			return err
		}
	}
	h.clearCookie(c)
	return c.NoContent(http.StatusNoContent)
}

// eraseRequest confirms an erasure with the account's password.
type eraseRequest struct {
	Password string `json:"password"`
}

// erase deletes the signed-in account for good (account.Accounts.Erase).
// A wrong password is a 403, not a 401: the access token is fine, and a
// 401 would make clients refresh and retry.
func (h *authHandlers) erase(c echo.Context) error {
	var req eraseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := h.accounts.Erase(c.Request().Context(), currentUser(c), req.Password); err != nil {
		return err
	}
	h.clearCookie(c)
	return c.NoContent(http.StatusNoContent)
}

// answer sets the refresh cookie and answers with a new access token.
func (h *authHandlers) answer(c echo.Context, u store.User, refresh string) error {
	access, err := h.tok.Issue(u.ID)
	if err != nil {
		return err
	}
	h.setCookie(c, refresh, account.RefreshTokenTTL)
	return c.JSON(http.StatusOK, tokenResponse{AccessToken: access, TokenType: "Bearer",
		ExpiresIn: int(AccessTokenTTL / time.Second), User: toUserJSON(u)})
}

// checkOrigin guards the cookie-authenticated endpoints against cross-site
// requests: the custom header is required, and an Origin header, when the
// browser sends one, must be this site.
func (h *authHandlers) checkOrigin(c echo.Context) error {
	req := c.Request()
	if req.Header.Get(CSRFHeader) != CSRFValue {
		return errorf(CodeForbidden, "missing %s: %s header", CSRFHeader, CSRFValue)
	}
	origin := req.Header.Get(echo.HeaderOrigin)
	if origin == "" {
		return nil
	}
	allowed := []string{requestScheme(req) + "://" + req.Host}
	if h.public != nil {
		allowed = append(allowed, h.public.Scheme+"://"+h.public.Host)
	}
	for _, a := range allowed {
		if strings.EqualFold(origin, a) {
			return nil
		}
	}
	return errorf(CodeForbidden, "cross-origin request refused")
}

func requestScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// secureCookies reports whether the browser will keep a Secure cookie for
// this request: over https, or on a loopback host.
func (h *authHandlers) secureCookies(r *http.Request) bool {
	if r.TLS != nil || (h.public != nil && h.public.Scheme == "https") {
		return true
	}
	host := r.Host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cookieName is the refresh cookie's name for this request: the __Host-
// name where the browser keeps a Secure cookie, the plain one elsewhere.
func (h *authHandlers) cookieName(r *http.Request) (name string, secure bool) {
	if h.secureCookies(r) {
		return refreshCookieSecure, true
	}
	return refreshCookiePlain, false
}

func (h *authHandlers) setCookie(c echo.Context, value string, ttl time.Duration) {
	name, secure := h.cookieName(c.Request())
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(ttl / time.Second),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
}

func (h *authHandlers) clearCookie(c echo.Context) {
	name, secure := h.cookieName(c.Request())
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
}

// refreshCookie reads the refresh token under this request's cookie name
// only. Where the __Host- name is in use the plain name is never read: a
// sibling subdomain or a plain-http page can set a plain cookie (cookie
// tossing), but not a __Host- one.
func (h *authHandlers) refreshCookie(c echo.Context) string {
	name, _ := h.cookieName(c.Request())
	if ck, err := c.Cookie(name); err == nil {
		return ck.Value
	}
	return ""
}
