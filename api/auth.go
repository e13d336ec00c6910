package api

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/store"
)

// accountStore is what registration and login need.
type accountStore interface {
	CreateUser(ctx context.Context, u store.User) error
	UserByEmail(ctx context.Context, email string) (store.User, error)
	UserByID(ctx context.Context, id string) (store.User, error)
	DeleteUser(ctx context.Context, id string) error
	InviteByCode(ctx context.Context, code string) (store.Invite, error)
	UseInvite(ctx context.Context, code string, now time.Time) (store.Invite, error)
	AddMember(ctx context.Context, m store.Membership) error
}

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

// Password length bounds (bytes for the upper bound: hashing cost).
const (
	minPasswordLen = 8
	maxPasswordLen = 1024
	maxNameLen     = 64
)

type authHandlers struct {
	accounts   accountStore
	tokens     store.TokenStore
	hash       *hasher
	tok        *tokens
	now        func() time.Time
	rand       io.Reader
	public     *url.URL
	perIP      *limiter
	perAccount *limiter
}

type registerRequest struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	Name       string `json:"name"`
	InviteCode string `json:"inviteCode"`
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

// register creates an account: a patient without an invite code (or with a
// group's code, joining that group), a trainer or peer leader with a role
// invite.
func (h *authHandlers) register(c echo.Context) error {
	if err := h.limit(h.perIP, "register "+clientKey(c.RealIP())); err != nil {
		return err
	}
	var req registerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var v validator
	email, err := NormalizeEmail(req.Email)
	if err != nil {
		v.add("email", err.Error())
	}
	v.check("password", validPassword(req.Password))
	name, nameErr := normalizeName(req.Name)
	v.check("name", nameErr)
	code := NormalizeInviteCode(req.InviteCode)
	if req.InviteCode != "" && !validInviteCode(code) {
		v.add("inviteCode", "not a valid invite code")
	}
	if err := v.err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.accounts.UserByEmail(ctx, email); err == nil {
		return errorf(CodeEmailTaken, "an account with this email exists already")
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	hash, err := h.hash.Hash(ctx, req.Password)
	if err != nil {
		return err
	}
	now := h.now().UTC()
	id, err := newID(h.rand)
	if err != nil {
		return err
	}
	u := store.User{ID: id, Email: email, PasswordHash: hash, Name: name, Role: store.RolePatient,
		TimeZone: DefaultTimeZone, Language: DefaultLanguage, CreatedAt: now, UpdatedAt: now}
	u, err = h.createAccount(ctx, u, code, now)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, userResponse{User: toUserJSON(u)})
}

// errInviteUnusable is the one answer for an unknown, expired, revoked or
// used-up invite code.
func errInviteUnusable() error {
	return invalid("inviteCode", "unknown, expired or already used")
}

// createAccount stores u, with what the invite code (if any) grants. The
// invite is used only once the account exists, so an account that cannot
// be created (its email taken in a race) does not use up a single-use
// invite; if the invite was used up meanwhile the new account is deleted.
func (h *authHandlers) createAccount(ctx context.Context, u store.User, code string, now time.Time) (store.User, error) {
	group := ""
	if code != "" {
		inv, err := h.accounts.InviteByCode(ctx, code)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !inv.Usable(now)) {
			return u, errInviteUnusable()
		} else if err != nil {
			return u, err
		}
		u.Role, group = grantOf(inv)
	}
	if err := h.accounts.CreateUser(ctx, u); errors.Is(err, store.ErrDuplicate) {
		return u, errorf(CodeEmailTaken, "an account with this email exists already")
	} else if err != nil {
		return u, err
	}
	if code == "" {
		return u, nil
	}
	if _, err := h.accounts.UseInvite(ctx, code, now); err != nil {
		if derr := h.accounts.DeleteUser(ctx, u.ID); derr != nil {
			return u, fmt.Errorf("delete account %s after its invite failed (%w): %w", u.ID, err, derr)
		}
		if errors.Is(err, store.ErrNotFound) {
			return u, errInviteUnusable()
		}
		return u, err
	}
	if group != "" {
		if err := h.accounts.AddMember(ctx, store.Membership{GroupID: group, UserID: u.ID, JoinedAt: now}); err != nil {
			return u, err
		}
	}
	return u, nil
}

// grantOf is what registering with an invite gives: a role invite sets the
// role; a group's invite keeps the patient role and names the group to join.
func grantOf(inv store.Invite) (role store.Role, group string) {
	if inv.GroupID == "" {
		return inv.Role, ""
	}
	return store.RolePatient, inv.GroupID
}

// login checks email and password. An unknown email and a wrong password
// give the same answer after the same work (a dummy hash is verified).
func (h *authHandlers) login(c echo.Context) error {
	if err := h.limit(h.perIP, "login "+clientKey(c.RealIP())); err != nil {
		return err
	}
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var v validator
	if strings.TrimSpace(req.Email) == "" {
		v.add("email", "required")
	}
	if req.Password == "" {
		v.add("password", "required")
	}
	if len(req.Password) > maxPasswordLen {
		v.add("password", fmt.Sprintf("at most %d bytes", maxPasswordLen))
	}
	if err := v.err(); err != nil {
		return err
	}
	email, emailErr := NormalizeEmail(req.Email)
	if emailErr != nil {
		email = strings.ToLower(strings.TrimSpace(req.Email))
	}
	if err := h.limit(h.perAccount, email); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var u store.User
	if emailErr == nil {
		found, err := h.accounts.UserByEmail(ctx, email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		u = found
	}
	ok, err := h.hash.Verify(ctx, u.PasswordHash, req.Password)
	if err != nil && !errors.Is(err, errBadHash) {
		return err
	}
	if !ok {
		return errorf(CodeInvalidCredentials, "wrong email or password")
	}
	// Signing in on a second phone costs the account none of its tries.
	h.perAccount.Refund(email)
	family, err := randomToken(h.rand, 16)
	if err != nil {
		return err
	}
	return h.issue(c, u, family)
}

// refresh rotates the refresh token in the cookie and returns a new access
// token. A token presented a second time revokes its whole family: someone
// else has a copy.
func (h *authHandlers) refresh(c echo.Context) error {
	if err := h.checkOrigin(c); err != nil {
		return err
	}
	raw := h.refreshCookie(c)
	if raw == "" {
		return errorf(CodeInvalidRefresh, "no refresh token; sign in again")
	}
	ctx := c.Request().Context()
	now := h.now().UTC()
	rt, err := h.tokens.UseRefreshToken(ctx, hashRefresh(raw), now)
	switch {
	case errors.Is(err, store.ErrTokenReused):
		if rerr := h.tokens.RevokeRefreshFamily(ctx, rt.Family, now); rerr != nil {
			return rerr
		}
		h.clearCookie(c)
		return errorf(CodeInvalidRefresh, "refresh token was used before; sign in again")
	case errors.Is(err, store.ErrNotFound):
		h.clearCookie(c)
		return errorf(CodeInvalidRefresh, "refresh token invalid or expired; sign in again")
	case err != nil:
		return err
	}
	u, err := h.accounts.UserByID(ctx, rt.UserID)
	if errors.Is(err, store.ErrNotFound) {
		h.clearCookie(c)
		return errorf(CodeInvalidRefresh, "account no longer exists")
	} else if err != nil {
		return err
	}
	next, err := h.createRefresh(ctx, u.ID, rt.Family)
	if err != nil {
		return err
	}
	// A copy of the old token presented between its use above and the
	// creation of the new one revoked the family before the new token was
	// in it. The old token tells: it was revoked with its family.
	revoked, err := h.familyRevoked(ctx, rt.Hash, now)
	if err != nil {
		return err
	}
	if revoked {
		if err := h.tokens.RevokeRefreshFamily(ctx, rt.Family, now); err != nil {
			return err
		}
		h.clearCookie(c)
		return errorf(CodeInvalidRefresh, "refresh token was used before; sign in again")
	}
	return h.answer(c, u, next)
}

// familyRevoked reports whether the rotated token hash, and so its family,
// has been revoked since it was used. Presenting a used token again changes
// nothing in the store: it only returns the token as it is now.
func (h *authHandlers) familyRevoked(ctx context.Context, hash string, now time.Time) (bool, error) {
	rt, err := h.tokens.UseRefreshToken(ctx, hash, now)
	switch {
	case errors.Is(err, store.ErrTokenReused):
		return !rt.RevokedAt.IsZero(), nil
	case errors.Is(err, store.ErrNotFound):
		return true, nil // gone: treat as revoked
	case err != nil:
		return false, err
	}
	return false, fmt.Errorf("refresh token %.8s… was unused after its rotation", hash)
}

// logout revokes the refresh token in the cookie and clears the cookie.
// The access token stays valid until it expires (minutes).
func (h *authHandlers) logout(c echo.Context) error {
	if err := h.checkOrigin(c); err != nil {
		return err
	}
	if raw := h.refreshCookie(c); raw != "" {
		err := h.tokens.RevokeRefreshToken(c.Request().Context(), hashRefresh(raw), h.now().UTC())
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	h.clearCookie(c)
	return c.NoContent(http.StatusNoContent)
}

// issue stores a new refresh token of family, sets its cookie and answers
// with a new access token.
func (h *authHandlers) issue(c echo.Context, u store.User, family string) error {
	raw, err := h.createRefresh(c.Request().Context(), u.ID, family)
	if err != nil {
		return err
	}
	return h.answer(c, u, raw)
}

// createRefresh stores a new refresh token of family and returns it.
func (h *authHandlers) createRefresh(ctx context.Context, userID, family string) (string, error) {
	raw, err := randomToken(h.rand, 32)
	if err != nil {
		return "", err
	}
	now := h.now().UTC()
	rt := store.RefreshToken{Hash: hashRefresh(raw), UserID: userID, Family: family,
		CreatedAt: now, ExpiresAt: now.Add(RefreshTokenTTL)}
	if err := h.tokens.CreateRefreshToken(ctx, rt); err != nil {
		return "", err
	}
	return raw, nil
}

// answer sets the refresh cookie and answers with a new access token.
func (h *authHandlers) answer(c echo.Context, u store.User, refresh string) error {
	access, err := h.tok.Issue(u.ID)
	if err != nil {
		return err
	}
	h.setCookie(c, refresh, RefreshTokenTTL)
	return c.JSON(http.StatusOK, tokenResponse{AccessToken: access, TokenType: "Bearer",
		ExpiresIn: int(AccessTokenTTL / time.Second), User: toUserJSON(u)})
}

// limit takes a token from l for key, or fails with 429 and Retry-After.
func (h *authHandlers) limit(l *limiter, key string) error {
	ok, wait := l.Allow(key)
	if ok {
		return nil
	}
	return &Error{Code: CodeRateLimited, Message: "too many attempts; wait a little and try again",
		RetryAfter: int(math.Max(1, math.Ceil(wait.Seconds())))}
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

// NormalizeEmail trims and lower-cases an email address and checks its
// shape (one plain address, no display name).
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", errors.New("required")
	}
	if len(s) > 254 {
		return "", errors.New("too long")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", errors.New("not a valid email address")
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || domain == "" || strings.ContainsAny(s, " <>\"") || strings.HasPrefix(domain, "[") {
		return "", errors.New("not a valid email address")
	}
	return s, nil
}

func validPassword(p string) error {
	switch {
	case utf8.RuneCountInString(p) < minPasswordLen:
		return fmt.Errorf("at least %d characters", minPasswordLen)
	case len(p) > maxPasswordLen:
		return fmt.Errorf("at most %d bytes", maxPasswordLen)
	}
	return nil
}

// normalizeName trims a display name and checks it: 1–64 characters,
// printable. Aliases are welcome.
func normalizeName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("required")
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxNameLen {
		return "", fmt.Errorf("at most %d characters", maxNameLen)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return "", errors.New("control characters are not allowed")
		}
	}
	return s, nil
}

// newID returns a random 128-bit id in hex: a user or group id, also used
// as the user's sync scope.
func newID(r io.Reader) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// validator collects field errors for one 422 answer.
type validator struct{ details []Detail }

func (v *validator) add(field, reason string) {
	v.details = append(v.details, Detail{Field: field, Reason: reason})
}

func (v *validator) check(field string, err error) {
	if err != nil {
		v.add(field, err.Error())
	}
}

func (v *validator) err() error {
	if len(v.details) == 0 {
		return nil
	}
	msg := make([]string, len(v.details))
	for i, d := range v.details {
		msg[i] = d.Field + ": " + d.Reason
	}
	return &Error{Code: CodeValidation, Message: strings.Join(msg, "; "), Details: v.details}
}
