package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/training"
)

// ProfileChange is an edit of one's own profile: nil fields stay as they
// are; BirthYear and HRMax take 0 to clear, Sex "".
type ProfileChange struct {
	Name      *string
	BirthYear *int
	HRMax     *int
	Sex       *string // "female", "male" or "" (not given): the reference of fitness age
	TimeZone  *string
	Language  *string
}

// Bounds of the profile's numbers.
const (
	minBirthYear = 1900
	minHRMax     = 100
	maxHRMax     = 240
)

// UpdateProfile applies ch to u, the signed-in user, and stores the
// result. Every invalid field is reported at once, and nothing is stored
// then.
func (a *Accounts) UpdateProfile(ctx context.Context, u store.User, ch ProfileChange) (store.User, error) {
	now := a.now().UTC()
	var f fields
	if ch.Name != nil {
		name, err := normalizeName(*ch.Name)
		f.check("name", err)
		u.Name = name
	}
	if ch.BirthYear != nil {
		y := *ch.BirthYear
		if y != 0 && (y < minBirthYear || y > now.Year()) {
			f.add("birthYear", fmt.Sprintf("between %d and %d, or 0 to clear", minBirthYear, now.Year()))
		}
		u.BirthYear = y
	}
	if ch.HRMax != nil {
		m := *ch.HRMax
		if m != 0 && (m < minHRMax || m > maxHRMax) {
			f.add("hrMax", fmt.Sprintf("between %d and %d, or 0 to clear", minHRMax, maxHRMax))
		}
		u.HRMax = m
	}
	if ch.Sex != nil {
		if s := training.Sex(*ch.Sex); s != "" && !s.Valid() {
			f.add("sex", `"female", "male", or "" to clear`)
		}
		u.Sex = *ch.Sex
	}
	if ch.TimeZone != nil {
		tz := strings.TrimSpace(*ch.TimeZone)
		if !validTimeZone(tz) {
			f.add("timeZone", "not an IANA time zone name (e.g. Europe/Oslo)")
		}
		u.TimeZone = tz
	}
	if ch.Language != nil {
		if !validLanguage(*ch.Language) {
			f.add("language", `"nb" or "en"`)
		}
		u.Language = *ch.Language
	}
	if err := f.err(); err != nil {
		return store.User{}, err
	}
	u.UpdatedAt = now
	if err := a.store.UpdateUser(ctx, u); err != nil {
		return store.User{}, err
	}
	return u, nil
}

// validTimeZone accepts IANA names only: not "", "Local" or a file path.
func validTimeZone(tz string) bool {
	if tz == "" || tz == "Local" || strings.HasPrefix(tz, "/") || strings.Contains(tz, "..") || len(tz) > 64 {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}

// validLanguage reports whether the app speaks lang.
func validLanguage(lang string) bool {
	return lang == "nb" || lang == "en"
}
