package account_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
)

func TestRegister(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	admin := w.user(store.RoleAdmin, "root@example.org")
	w.user(store.RolePatient, "taken@example.org")
	role, err := w.invites.CreateRole(ctx, admin, store.RoleTrainer)
	if err != nil {
		t.Fatal(err)
	}
	trainer := w.user(store.RoleTrainer, "trainer@example.org")
	group, groupInv, err := w.groups.Create(ctx, trainer, "Tirsdag", store.GroupTreatment)
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := w.invites.CreateRole(ctx, admin, store.RolePeerLeader)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.invites.Revoke(ctx, admin, revoked.Code); err != nil {
		t.Fatal(err)
	}

	reg := func(email, code string) account.Registration {
		return account.Registration{Email: email, Password: pw, Name: "Kari", InviteCode: code}
	}
	cases := []struct {
		name   string
		reg    account.Registration
		code   account.Code
		fields []string
		role   store.Role
		group  string
		lang   string
	}{
		{name: "patient", reg: reg("  Kari@Example.ORG ", ""), role: store.RolePatient},
		{name: "every field wrong", reg: account.Registration{Email: "no", Password: "short", Name: " ", InviteCode: "0000"},
			code: account.Invalid, fields: []string{"email", "password", "name", "inviteCode"}},
		{name: "control character in name", reg: account.Registration{Email: "c@example.org", Password: pw, Name: "a\x07b"},
			code: account.Invalid, fields: []string{"name"}},
		{name: "email taken", reg: reg("Taken@example.org", ""), code: account.EmailTaken},
		{name: "common password", reg: account.Registration{Email: "c1@example.org", Password: "12345678", Name: "C"},
			code: account.Invalid, fields: []string{"password"}},
		{name: "common password, any case", reg: account.Registration{Email: "c2@example.org", Password: " PassWord ", Name: "C"},
			code: account.Invalid, fields: []string{"password"}},
		{name: "common Norwegian password", reg: account.Registration{Email: "c3@example.org", Password: "Passord123", Name: "C"},
			code: account.Invalid, fields: []string{"password"}},
		{name: "eight spaces", reg: account.Registration{Email: "c4@example.org", Password: "        ", Name: "C"},
			code: account.Invalid, fields: []string{"password"}},
		{name: "one letter over and over", reg: account.Registration{Email: "c5@example.org", Password: "zzzzzzzzzz", Name: "C"},
			code: account.Invalid, fields: []string{"password"}},
		{name: "role invite", reg: reg("new-trainer@example.org", strings.ToLower(role.Code)), role: store.RoleTrainer},
		{name: "role invite used up", reg: reg("late@example.org", role.Code), code: account.Invalid, fields: []string{"inviteCode"}},
		{name: "revoked invite", reg: reg("rev@example.org", revoked.Code), code: account.Invalid, fields: []string{"inviteCode"}},
		{name: "unknown invite", reg: reg("unk@example.org", "ABCDEFGH"), code: account.Invalid, fields: []string{"inviteCode"}},
		{name: "group invite", reg: reg("member@example.org", groupInv.Code), role: store.RolePatient, group: group.ID},
		{name: "in English", reg: account.Registration{Email: "en@example.org", Password: pw, Name: "Kari", Language: "en"}, role: store.RolePatient, lang: "en"},
		{name: "unknown language", reg: account.Registration{Email: "sv@example.org", Password: pw, Name: "Kari", Language: "sv"},
			code: account.Invalid, fields: []string{"language"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, err := w.accounts.Register(ctx, tc.reg)
			if tc.fields != nil {
				wantFields(t, err, tc.fields...)
				return
			}
			wantCode(t, err, tc.code)
			if tc.code != "" {
				return
			}
			stored, err := w.store.UserByID(ctx, u.ID)
			lang := tc.lang
			if lang == "" {
				lang = account.DefaultLanguage
			}
			if err != nil || stored.Role != tc.role || stored.TimeZone != account.DefaultTimeZone ||
				stored.Language != lang || !stored.CreatedAt.Equal(t0) {
				t.Fatalf("stored %+v, %v", stored, err)
			}
			gs, err := w.store.UserGroups(ctx, u.ID)
			if err != nil || (tc.group == "") != (len(gs) == 0) || (tc.group != "" && gs[0].ID != tc.group) {
				t.Fatalf("groups %+v, %v; want %q", gs, err, tc.group)
			}
		})
	}
	t.Run("invite expired", func(t *testing.T) {
		inv, err := w.invites.CreateRole(ctx, admin, store.RolePeerLeader)
		if err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(account.RoleInviteTTL)
		defer func() { w.clock.now = t0 }()
		_, err = w.accounts.Register(ctx, reg("exp@example.org", inv.Code))
		wantFields(t, err, "inviteCode")
	})
}

// An invite used up between its check and its use: the new account is
// deleted again, and the email is free.
// An invite-only server refuses a registration without a code and takes
// one with a group's code.
func TestRegisterInviteOnly(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	trainer := w.user(store.RoleTrainer, "trainer@example.org")
	_, inv, err := w.groups.Create(ctx, trainer, "Tirsdag", store.GroupTreatment)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := account.NewHasher(account.Argon2Params{Memory: 1024, Time: 1, Threads: 1}, 1, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	closed := account.NewAccounts(w.store, hash, nil, w.clock.Now, rand.Reader, account.InviteOnly())
	_, err = closed.Register(ctx, account.Registration{Email: "alone@example.org", Password: pw, Name: "A"})
	wantFields(t, err, "inviteCode")
	if _, err := closed.Register(ctx, account.Registration{Email: "invited@example.org", Password: pw, Name: "I", InviteCode: inv.Code}); err != nil {
		t.Fatalf("registering with a group's code: %v", err)
	}
}

func TestRegisterDeletesTheAccountWhenTheInviteIsGone(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	admin := w.user(store.RoleAdmin, "root@example.org")
	inv, err := w.invites.CreateRole(ctx, admin, store.RoleTrainer)
	if err != nil {
		t.Fatal(err)
	}
	hs := &hookStore{Store: w.store}
	hash, err := account.NewHasher(account.Argon2Params{Memory: 1024, Time: 1, Threads: 1}, 1, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	accounts := account.NewAccounts(hs, hash, nil, w.clock.Now, rand.Reader)
	hs.beforeCreateUser = func(ctx context.Context) {
		if _, err := w.store.UseInvite(ctx, inv.Code, t0); err != nil {
			t.Error(err)
		}
	}
	_, err = accounts.Register(ctx, account.Registration{Email: "slow@example.org", Password: pw, Name: "S", InviteCode: inv.Code})
	wantFields(t, err, "inviteCode")
	if _, err := w.store.UserByEmail(ctx, "slow@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the account was kept: %v", err)
	}
}

func TestSignIn(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	kari := w.user(store.RolePatient, "kari@example.org")
	cases := []struct {
		name, email, password string
		code                  account.Code
		fields                []string
		key                   string // the account whose try is taken
	}{
		{name: "right", email: " KARI@example.org", password: pw, key: "kari@example.org"},
		{name: "wrong password", email: "kari@example.org", password: pw + "!", code: account.BadCredentials, key: "kari@example.org"},
		{name: "unknown email", email: "ola@example.org", password: pw, code: account.BadCredentials, key: "ola@example.org"},
		{name: "malformed email", email: " Not An Email ", password: pw, code: account.BadCredentials, key: "not an email"},
		{name: "nothing given", code: account.Invalid, fields: []string{"email", "password"}},
		{name: "password too long", email: "kari@example.org", password: strings.Repeat("x", 1025), code: account.Invalid, fields: []string{"password"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.tries.taken, w.tries.refunds = map[string]int{}, nil
			u, err := w.accounts.SignIn(ctx, tc.email, tc.password, "192.0.2.1")
			if tc.fields != nil {
				wantFields(t, err, tc.fields...)
			} else {
				wantCode(t, err, tc.code)
			}
			if tc.code == "" && u.ID != kari.ID {
				t.Fatalf("signed in as %+v", u)
			}
			taken := 0
			if tc.key != "" && tc.code != "" {
				taken = 1
			}
			if tc.key != "" && w.tries.taken[tc.key] != taken {
				t.Fatalf("tries taken %v, want %d for %q", w.tries.taken, taken, tc.key)
			}
			if (tc.code == "") != (len(w.tries.refunds) == 1) {
				t.Fatalf("refunds %v", w.tries.refunds)
			}
		})
	}
	t.Run("no tries left", func(t *testing.T) {
		w.tries.taken, w.tries.limit = map[string]int{"kari@example.org": 1}, 1
		defer func() { w.tries.limit = 0 }()
		if _, err := w.accounts.SignIn(ctx, "kari@example.org", pw, "192.0.2.1"); !errors.Is(err, errNoTries) {
			t.Fatalf("error %v, want the tries' own", err)
		}
	})
}

func TestErase(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	admin := w.user(store.RoleAdmin, "root@example.org")
	pat := w.user(store.RolePatient, "pat@example.org")
	cases := []struct {
		name     string
		u        store.User
		password string
		code     account.Code
	}{
		{"no password", pat, "", account.Invalid},
		{"admin", admin, pw, account.Conflict},
		{"wrong password", pat, "guess", account.WrongPassword},
		{"right password", pat, pw, ""},
		{"gone already", pat, pw, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, w.accounts.Erase(ctx, tc.u, tc.password), tc.code)
		})
	}
	if _, err := w.store.UserByID(ctx, pat.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("patient after erase: %v", err)
	}
	if _, err := w.store.UserByID(ctx, admin.ID); err != nil {
		t.Fatalf("admin after refusal: %v", err)
	}
	if got := w.tries.taken["erase "+pat.ID]; got != 3 {
		t.Fatalf("%d erase tries taken, want one per password checked (3)", got)
	}
	if got := w.tries.taken["pat@example.org"]; got != 0 {
		t.Fatalf("erasing took %d sign-in tries, want none", got)
	}
}

func TestUpdateProfile(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	u := w.user(store.RolePatient, "pat@example.org")
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	cases := []struct {
		name   string
		ch     account.ProfileChange
		fields []string
		check  func(store.User) bool
	}{
		{"nothing", account.ProfileChange{}, nil, func(v store.User) bool { return v.Name == u.Name }},
		{"everything", account.ProfileChange{Name: str(" Ola "), BirthYear: num(1960), HRMax: num(182), TimeZone: str(" America/New_York "), Language: str("en")},
			nil, func(v store.User) bool {
				return v.Name == "Ola" && v.BirthYear == 1960 && v.HRMax == 182 && v.TimeZone == "America/New_York" && v.Language == "en"
			}},
		{"clear numbers", account.ProfileChange{BirthYear: num(0), HRMax: num(0)},
			nil, func(v store.User) bool { return v.BirthYear == 0 && v.HRMax == 0 }},
		{"sex", account.ProfileChange{Sex: str("female")}, nil, func(v store.User) bool { return v.Sex == "female" }},
		{"clear sex", account.ProfileChange{Sex: str("")}, nil, func(v store.User) bool { return v.Sex == "" }},
		{"unknown sex", account.ProfileChange{Sex: str("Female")}, []string{"sex"}, nil},
		{"born next year", account.ProfileChange{BirthYear: num(t0.Year() + 1)}, []string{"birthYear"}, nil},
		{"born too early", account.ProfileChange{BirthYear: num(1899)}, []string{"birthYear"}, nil},
		{"hrmax bounds", account.ProfileChange{HRMax: num(99)}, []string{"hrMax"}, nil},
		{"hrmax above", account.ProfileChange{HRMax: num(241)}, []string{"hrMax"}, nil},
		{"time zones", account.ProfileChange{TimeZone: str("Local")}, []string{"timeZone"}, nil},
		{"file path as zone", account.ProfileChange{TimeZone: str("/etc/localtime")}, []string{"timeZone"}, nil},
		{"every field wrong", account.ProfileChange{Name: str(""), BirthYear: num(3000), HRMax: num(30), TimeZone: str("Mars/Olympus"), Language: str("de")},
			[]string{"name", "birthYear", "hrMax", "timeZone", "language"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.clock.Advance(time.Minute)
			got, err := w.accounts.UpdateProfile(ctx, u, tc.ch)
			stored, serr := w.store.UserByID(ctx, u.ID)
			if serr != nil {
				t.Fatal(serr)
			}
			if tc.fields != nil {
				wantFields(t, err, tc.fields...)
				if stored != u {
					t.Fatalf("a refused change was stored: %+v", stored)
				}
				return
			}
			if err != nil || !tc.check(got) || !got.UpdatedAt.Equal(w.clock.Now()) {
				t.Fatalf("%+v, %v", got, err)
			}
			stored.PasswordHash, got.PasswordHash = "", ""
			if !stored.UpdatedAt.Equal(got.UpdatedAt) || stored.Name != got.Name || stored.TimeZone != got.TimeZone {
				t.Fatalf("stored %+v, want %+v", stored, got)
			}
			u = stored
		})
	}
}

func TestEnsureAdmin(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	created, err := w.accounts.EnsureAdmin(ctx, " Root@Example.org", pw)
	if err != nil || !created {
		t.Fatalf("first start: %v %v", created, err)
	}
	u, err := w.store.UserByEmail(ctx, "root@example.org")
	if err != nil || u.Role != store.RoleAdmin || !u.CreatedAt.Equal(t0) {
		t.Fatalf("admin %+v, %v", u, err)
	}
	// A later start leaves the account alone, whatever password it is given.
	if created, err := w.accounts.EnsureAdmin(ctx, "root@example.org", "another password"); err != nil || created {
		t.Fatalf("second start: %v %v", created, err)
	}
	if _, err := w.accounts.SignIn(ctx, "root@example.org", pw, "192.0.2.1"); err != nil {
		t.Fatalf("the first password no longer works: %v", err)
	}
	for _, tc := range []struct{ email, password, want string }{
		{"not an email", pw, "admin email"},
		{"admin@example.org", "short", "admin password"},
	} {
		if _, err := w.accounts.EnsureAdmin(ctx, tc.email, tc.password); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q/%q: %v, want an error naming %s", tc.email, tc.password, err, tc.want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		" Kari@Example.ORG ":      "kari@example.org",
		"a.b+tag@sub.example.no":  "a.b+tag@sub.example.no",
		"no-at-sign":              "",
		"Kari <kari@example.org>": "",
		"two@@example.org":        "",
		"":                        "",
		`{"$ne":""}`:              "",
	} {
		got, err := account.NormalizeEmail(in)
		if (want == "") != (err != nil) || got != want {
			t.Errorf("%q → %q, %v; want %q", in, got, err, want)
		}
	}
}
