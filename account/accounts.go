package account

import (
	"context"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hit4x4/dagbok/store"
)

// Profile defaults of a new account.
const (
	DefaultTimeZone = "Europe/Oslo"
	DefaultLanguage = "nb"
)

// Length bounds: passwords in characters below, in bytes above (the
// hashing cost), display names in characters.
const (
	minPasswordLen = 8
	maxPasswordLen = 1024
	maxNameLen     = 64
)

// AccountStore is what Accounts needs.
type AccountStore interface {
	CreateUser(ctx context.Context, u store.User) error
	UserByEmail(ctx context.Context, email string) (store.User, error)
	UserByID(ctx context.Context, id string) (store.User, error)
	GroupByID(ctx context.Context, id string) (store.Group, error)
	UpdateUser(ctx context.Context, u store.User) error
	DeleteUser(ctx context.Context, id string) error
	InviteByCode(ctx context.Context, code string) (store.Invite, error)
	UseInvite(ctx context.Context, code string, now time.Time) (store.Invite, error)
	AddMember(ctx context.Context, m store.Membership) error
}

// Tries counts password guesses, following OWASP's authentication cheat
// sheet: a tight budget per account and client network, so one address
// cannot lock a user out from everywhere, and a much larger one per
// account from anywhere, so a botnet still meets a bound. account is the
// normalised email at sign-in; network is the client's address or /64.
// Take returns the error to answer with when either budget is spent;
// Refund gives back a try that guessed right, so only failures count.
type Tries interface {
	Take(account, network string) error
	Refund(account, network string)
}

// Accounts registers, signs in, edits and erases accounts.
type Accounts struct {
	store AccountStore
	hash  *Hasher
	tries Tries
	now   func() time.Time
	rand  io.Reader
	// inviteOnly refuses registrations without an invite code.
	inviteOnly bool
}

// Option changes a rule of Accounts from its default.
type Option func(*Accounts)

// InviteOnly refuses registrations without an invite code, for a
// deployment whose patients all come through a trainer. By default a
// patient may register alone (docs/security.md says why).
func InviteOnly() Option { return func(a *Accounts) { a.inviteOnly = true } }

// NewAccounts returns the account rules over st. Passwords are hashed with
// h; tries (nil: unlimited) bounds the guesses at each account's password.
func NewAccounts(st AccountStore, h *Hasher, tries Tries, now func() time.Time, rand io.Reader, opts ...Option) *Accounts {
	a := &Accounts{store: st, hash: h, tries: tries, now: now, rand: rand}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Registration is what a new user gives. Without an invite code the
// account is a patient's; a role invite makes a trainer or peer leader, a
// group's code a patient in that group.
type Registration struct {
	Email      string
	Password   string
	Name       string
	InviteCode string
	// Language is the language the person used to register ("nb" or "en");
	// empty means DefaultLanguage. It is kept, so that every device they
	// sign in on speaks it.
	Language string
}

// Register creates an account. Every invalid field is reported at once.
func (a *Accounts) Register(ctx context.Context, r Registration) (store.User, error) {
	var f fields
	email, err := NormalizeEmail(r.Email)
	f.check("email", err)
	f.check("password", validPassword(r.Password))
	name, err := normalizeName(r.Name)
	f.check("name", err)
	code := NormalizeInviteCode(r.InviteCode)
	switch {
	case r.InviteCode != "" && !validInviteCode(code):
		f.add("inviteCode", "not a valid invite code")
	case r.InviteCode == "" && a.inviteOnly:
		f.add("inviteCode", "required: this server registers only with an invite code")
	}
	lang := r.Language
	if lang == "" {
		lang = DefaultLanguage
	} else if !validLanguage(lang) {
		f.add("language", `"nb" or "en"`)
	}
	if err := f.err(); err != nil {
		return store.User{}, err
	}
	if _, err := a.store.UserByEmail(ctx, email); err == nil {
		return store.User{}, errEmailTaken()
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.User{}, err
	}
	now := a.now().UTC()
	u, err := newUser(ctx, a.hash, a.rand, now, newAccount{Email: email, Password: r.Password, Name: name,
		Role: store.RolePatient, Language: lang})
	if err != nil {
		return store.User{}, err
	}
	return a.create(ctx, u, code, now)
}

func errEmailTaken() *Error {
	return refuse(EmailTaken, "an account with this email exists already")
}

// errInviteUnusable is the one answer for an unknown, expired, revoked or
// used-up invite code at registration.
func errInviteUnusable() *Error {
	return invalid("inviteCode", "unknown, expired or already used")
}

// create stores u, with what the invite code (if any) grants. The invite
// is used only once the account exists, so an account that cannot be
// created (its email taken in a race) does not use up a single-use
// invite; if the invite was used up meanwhile the new account is deleted.
func (a *Accounts) create(ctx context.Context, u store.User, code string, now time.Time) (store.User, error) {
	group := ""
	if code != "" {
		inv, err := a.store.InviteByCode(ctx, code)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !inv.Usable(now)) {
			return u, errInviteUnusable()
		} else if err != nil {
			return u, err
		}
		if ok, err := issuerMayInvite(ctx, a.store, inv); err != nil {
			return u, err
		} else if !ok {
			return u, errInviteUnusable()
		}
		u.Role, group = grantOf(inv)
	}
	if err := a.store.CreateUser(ctx, u); errors.Is(err, store.ErrDuplicate) {
		return u, errEmailTaken()
	} else if err != nil {
		return u, err
	}
	if code == "" {
		return u, nil
	}
	if _, err := a.store.UseInvite(ctx, code, now); err != nil {
		if derr := a.store.DeleteUser(ctx, u.ID); derr != nil {
			return u, fmt.Errorf("delete account %s after its invite failed (%w): %w", u.ID, err, derr)
		}
		if errors.Is(err, store.ErrNotFound) {
			return u, errInviteUnusable()
		}
		return u, err
	}
	if group != "" {
		if err := a.store.AddMember(ctx, store.Membership{GroupID: group, UserID: u.ID, JoinedAt: now}); err != nil {
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

// SignIn checks email and password, sent from the client network, and
// returns the account. An unknown email and a wrong password give the same
// answer after the same work (a dummy hash is verified). Each attempt
// takes one of the account's tries from that network; a right password
// gives it back, so signing in on a second phone costs nothing. A device
// that is signed in needs no password to stay so (its refresh token does
// not touch these budgets): strangers spending them never sign it out.
func (a *Accounts) SignIn(ctx context.Context, email, password, network string) (store.User, error) {
	var f fields
	if strings.TrimSpace(email) == "" {
		f.add("email", "required")
	}
	f.check("password", boundedPassword(password))
	if err := f.err(); err != nil {
		return store.User{}, err
	}
	normal, emailErr := NormalizeEmail(email)
	if emailErr != nil {
		normal = strings.ToLower(strings.TrimSpace(email))
	}
	if err := a.take(normal, network); err != nil {
		return store.User{}, err
	}
	var u store.User
	if emailErr == nil {
		found, err := a.store.UserByEmail(ctx, normal)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return store.User{}, err
		}
		u = found
	}
	ok, err := a.verify(ctx, u.PasswordHash, password)
	if err != nil {
		return store.User{}, err
	}
	if !ok {
		return store.User{}, refuse(BadCredentials, "wrong email or password")
	}
	if a.tries != nil {
		a.tries.Refund(normal, network)
	}
	return u, nil
}

// Erase deletes u's account for good: the user, their memberships, refresh
// tokens and every document they synced. The password is asked again (a
// borrowed unlocked phone must not be enough) and counted in a budget of
// its own, keyed by the signed-in account: only the holder of its access
// token can spend it, so strangers guessing at the sign-in never block an
// erasure, and the borrowed phone gets no more guesses than a sign-in
// from one network would. Admin accounts
// are refused: the store cannot tell cheaply whether another admin exists,
// and the last one must not vanish.
func (a *Accounts) Erase(ctx context.Context, u store.User, password string) error {
	if err := boundedPassword(password); err != nil {
		return invalid("password", err.Error())
	}
	if u.Role == store.RoleAdmin {
		return refuse(Conflict, "an admin account cannot be erased here; ask the server's operator")
	}
	if err := a.take("erase "+u.ID, "signed in"); err != nil {
		return err
	}
	ok, err := a.verify(ctx, u.PasswordHash, password)
	if err != nil {
		return err
	}
	if !ok {
		return refuse(WrongPassword, "wrong password")
	}
	if err := a.store.DeleteUser(ctx, u.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("erase account %s: %w", u.ID, err)
	}
	return nil
}

// take spends one of the account's tries from network.
func (a *Accounts) take(account, network string) error {
	if a.tries == nil {
		return nil
	}
	return a.tries.Take(account, network)
}

// verify checks password against a stored hash; an unreadable hash is a
// wrong password, not a failure.
func (a *Accounts) verify(ctx context.Context, hash, password string) (bool, error) {
	ok, err := a.hash.Verify(ctx, hash, password)
	if err != nil && !errors.Is(err, errBadHash) {
		return false, err
	}
	return ok, nil
}

// EnsureAdmin creates the first admin account when none with that email
// exists. It reports whether it created one. An existing account is left
// as it is (its password is not reset).
func (a *Accounts) EnsureAdmin(ctx context.Context, email, password string) (bool, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return false, fmt.Errorf("admin email: %w", err)
	}
	if err := validPassword(password); err != nil {
		return false, fmt.Errorf("admin password: %w", err)
	}
	if _, err := a.store.UserByEmail(ctx, email); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	u, err := newUser(ctx, a.hash, a.rand, a.now().UTC(), newAccount{Email: email, Password: password, Name: "Admin",
		Role: store.RoleAdmin, Language: DefaultLanguage})
	if err != nil {
		return false, err
	}
	if err := a.store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// newAccount is what a new account is made of; the rest has defaults.
type newAccount struct {
	Email, Password, Name string
	Role                  store.Role
	Language              string
}

// newUser builds the record of a new account made at now: a fresh ID, the
// password hashed, the default time zone. It stores nothing.
func newUser(ctx context.Context, h *Hasher, rand io.Reader, now time.Time, n newAccount) (store.User, error) {
	hash, err := h.Hash(ctx, n.Password)
	if err != nil {
		return store.User{}, err
	}
	id, err := newID(rand)
	if err != nil {
		return store.User{}, err
	}
	return store.User{ID: id, Email: n.Email, PasswordHash: hash, Name: n.Name, Role: n.Role,
		TimeZone: DefaultTimeZone, Language: n.Language, CreatedAt: now, UpdatedAt: now}, nil
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

// validPassword is the rule for a new password.
func validPassword(p string) error {
	if utf8.RuneCountInString(p) < minPasswordLen {
		return fmt.Errorf("at least %d characters", minPasswordLen)
	}
	if err := boundedPassword(p); err != nil {
		return err
	}
	if commonPassword(p) {
		return errors.New(tooCommon)
	}
	return nil
}

// tooCommon is the reason a common password is refused; the PWA knows it.
const tooCommon = "too common; choose one that is harder to guess"

// commonPasswords is the list of passwords too common to accept, one a
// line, # for comments.
//
//go:embed common_passwords.txt
var commonPasswords string

// commonPassword reports whether p is on the list of common passwords
// (case-insensitively, without surrounding spaces), or is one character
// over and over ("        ", "aaaaaaaa"). No composition rules: NIST SP
// 800-63B asks for a check against known passwords instead.
func commonPassword(p string) bool {
	p = strings.ToLower(strings.TrimSpace(p))
	if first, _ := utf8.DecodeRuneInString(p); strings.Trim(p, string(first)) == "" {
		return true
	}
	for line := range strings.Lines(commonPasswords) {
		if strings.TrimRight(line, "\n") == p {
			return true
		}
	}
	return false
}

// boundedPassword is the rule for a password given to be checked: present,
// and not so long that hashing it is costly.
func boundedPassword(p string) error {
	switch {
	case p == "":
		return errors.New("required")
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
