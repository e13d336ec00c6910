package sync

import (
	"fmt"
	"math"
	"slices"
	"unicode/utf8"
)

// Document types.
const (
	TypeSession = "session"
	TypePlan    = "plan"
)

// PlanID is the id of the singleton plan document of a scope.
const PlanID = "plan"

// Schema limits.
const (
	MaxIntervals   = 20
	MaxNoteLen     = 2000 // Unicode code points
	MaxDurationMin = 300
)

// ValidationError names a document and field that break the schema. Field
// is "id" or "type" for those, otherwise the name of the offending field.
type ValidationError struct {
	Doc    string `json:"doc"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("document %q: %s", e.Doc, e.Reason)
	}
	return fmt.Sprintf("document %q: field %q: %s", e.Doc, e.Field, e.Reason)
}

// ValidationErrors lists every rejected document field of a push.
type ValidationErrors []ValidationError

func (es ValidationErrors) Error() string {
	switch len(es) {
	case 0:
		return "no validation errors"
	case 1:
		return es[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", es[0].Error(), len(es)-1)
}

// Validate checks a document against the schema of its type: a valid id,
// a known type, only known fields, each with a valid timestamp and a value
// of the right JSON type and range. It returns nil or a *ValidationError
// for the first problem (id, type, then fields by name).
//
// Schemas (every field optional, each a last-writer-wins register; a JSON
// null clears any field but "deleted"):
//
//	session: protocol "4x4"|"3x3"|"tabata"|"custom"; startedAt RFC 3339
//	  string; durationMin number 0–300; intervals array of at most 20
//	  {rpe?: int 6–20, hrPeak?: int 40–240, hrAvg?: int 40–240}, in order
//	  (an interval done but not rated has no rpe); sessionRpe
//	  int 0–10; moodBefore, moodAfter int 1–5; note string of at most 2,000
//	  characters; deleted bool.
//	plan (id "plan"): sessionsPerWeek int 1–7; days array of unique ints
//	  1–7 (ISO weekday, Monday = 1); time "HH:MM" (24 h); deleted bool.
func Validate(d Doc) error {
	if errs := validateDoc(d, nil); len(errs) > 0 {
		return &errs[0]
	}
	return nil
}

// parsedField is a field value as parsed by DecodePushRequest.
type parsedField struct {
	name  string
	value any
}

// parsedFields are the parsed values of one document's fields.
type parsedFields []parsedField

// get returns the parsed value of the named field. A document has few
// fields, and validateDoc asks only for those its schema knows.
func (ps parsedFields) get(name string) (any, bool) {
	for _, p := range ps {
		if p.name == name {
			return p.value, true
		}
	}
	return nil, false
}

// validateDoc returns every problem of d, at most one per field. parsed
// holds field values already parsed (by DecodePushRequest), or is nil.
func validateDoc(d Doc, parsed parsedFields) []ValidationError {
	id := truncate(d.ID)
	bad := func(field, reason string) ValidationError {
		return ValidationError{Doc: id, Field: truncate(field), Reason: reason}
	}
	var errs []ValidationError
	if err := checkID(d.ID); err != nil {
		errs = append(errs, bad("id", "bad document id: "+err.Error()))
	}
	switch d.Type {
	case TypeSession:
	case TypePlan:
		if d.ID != PlanID && len(errs) == 0 {
			errs = append(errs, bad("id", `a plan document must have id "plan"`))
		}
	default:
		return append(errs, bad("type", fmt.Sprintf("unknown document type %q", truncate(d.Type))))
	}
	var buf [16]string // no allocation for the usual handful of fields
	names := buf[:0]
	for name := range d.Fields {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f := d.Fields[name]
		check := checker(d.Type, name)
		if check == nil {
			errs = append(errs, bad(name, fmt.Sprintf("unknown field for a %s document", d.Type)))
			continue
		}
		if _, err := ParseTimestamp(f.TS); err != nil {
			errs = append(errs, bad(name, "bad timestamp: "+err.Error()))
			continue
		}
		v, ok := parsed.get(name)
		if !ok {
			if len(f.Value) == 0 {
				errs = append(errs, bad(name, "missing value"))
				continue
			}
			var err error
			if v, err = parseValue(f.Value); err != nil {
				errs = append(errs, bad(name, "value is not valid JSON: "+err.Error()))
				continue
			}
		}
		if v == nil && name != "deleted" {
			continue // null clears the field
		}
		if reason := check(v); reason != "" {
			errs = append(errs, bad(name, reason))
		}
	}
	return errs
}

// checker returns the check of one field of a document type, or nil when
// the type has no such field. A check returns "" or the reason it fails.
func checker(docType, name string) func(any) string {
	switch docType {
	case TypeSession:
		switch name {
		case "protocol":
			return checkProtocol
		case "startedAt":
			return checkRFC3339
		case "durationMin":
			return checkDuration
		case "intervals":
			return checkIntervals
		case "sessionRpe":
			return checkSessionRPE
		case "moodBefore", "moodAfter":
			return checkMood
		case "note":
			return checkNote
		case "deleted":
			return checkBool
		}
	case TypePlan:
		switch name {
		case "sessionsPerWeek":
			return checkSessionsPerWeek
		case "days":
			return checkDays
		case "time":
			return checkClockTime
		case "deleted":
			return checkBool
		}
	}
	return nil
}

func checkBool(v any) string {
	if _, ok := v.(bool); !ok {
		return "want true or false"
	}
	return ""
}

func checkProtocol(v any) string {
	switch v {
	case "4x4", "3x3", "tabata", "custom":
		return ""
	}
	return "want one of 4x4, 3x3, tabata, custom"
}

// number returns v as a float64 when it is a JSON number.
func number(v any) (float64, bool) {
	if f, ok := v.(*float64); ok {
		return *f, true
	}
	return 0, false
}

// The checks of numeric fields.
func checkDuration(v any) string        { return numberReason(v, 0, MaxDurationMin, false) }
func checkSessionRPE(v any) string      { return numberReason(v, 0, 10, true) }
func checkMood(v any) string            { return numberReason(v, 1, 5, true) }
func checkSessionsPerWeek(v any) string { return numberReason(v, 1, 7, true) }

func numberReason(v any, lo, hi float64, integer bool) string {
	f, ok := number(v)
	switch {
	case !ok && integer:
		return "want a whole number"
	case !ok:
		return "want a number"
	case integer && f != math.Trunc(f):
		return "want a whole number"
	case f < lo || f > hi:
		return fmt.Sprintf("out of range %g–%g", lo, hi)
	}
	return ""
}

func checkNote(v any) string {
	s, ok := v.(string)
	if !ok {
		return "want a string"
	}
	if utf8.RuneCountInString(s) > MaxNoteLen {
		return fmt.Sprintf("longer than %d characters", MaxNoteLen)
	}
	return ""
}

func checkIntervals(v any) string {
	items, ok := v.([]any)
	if !ok {
		return "want an array"
	}
	if len(items) > MaxIntervals {
		return fmt.Sprintf("more than %d intervals", MaxIntervals)
	}
	for i, it := range items {
		obj, ok := it.(object)
		if !ok {
			return fmt.Sprintf("interval %d: want an object", i)
		}
		for _, m := range obj {
			var r string
			switch k := m.key; k {
			case "rpe":
				r = numberReason(m.value, 6, 20, true)
			case "hrPeak", "hrAvg":
				r = numberReason(m.value, 40, 240, true)
			default:
				return fmt.Sprintf("interval %d: unknown key %q", i, truncate(k))
			}
			if r != "" {
				return fmt.Sprintf("interval %d: %s: %s", i, m.key, r)
			}
		}
	}
	return ""
}

func checkDays(v any) string {
	items, ok := v.([]any)
	if !ok {
		return "want an array"
	}
	var seen [8]bool
	for i, it := range items {
		if r := numberReason(it, 1, 7, true); r != "" {
			return fmt.Sprintf("day %d: %s", i, r)
		}
		f, _ := number(it)
		if seen[int(f)] {
			return fmt.Sprintf("day %d: %g repeated", i, f)
		}
		seen[int(f)] = true
	}
	return ""
}

// checkClockTime accepts "HH:MM", 00:00–23:59.
func checkClockTime(v any) string {
	s, ok := v.(string)
	if !ok || len(s) != 5 || s[2] != ':' || !digits(s[:2]) || !digits(s[3:]) || atoi(s[:2]) > 23 || atoi(s[3:]) > 59 {
		return `want "HH:MM" (24 h)`
	}
	return ""
}

// checkRFC3339 accepts YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM) with an
// upper-case T and Z, a real calendar date, hours 00–23, minutes and
// seconds 00–59 (no leap second), 1–9 fraction digits, offset up to ±23:59.
// pwa/js/merge.js applies the same rule.
func checkRFC3339(v any) string {
	const want = "want an RFC 3339 date-time like 2026-03-01T17:30:00+01:00"
	s, ok := v.(string)
	if !ok || len(s) < 20 || len(s) > 35 {
		return want
	}
	if !digits(s[0:4]) || s[4] != '-' || !digits(s[5:7]) || s[7] != '-' || !digits(s[8:10]) || s[10] != 'T' ||
		!digits(s[11:13]) || s[13] != ':' || !digits(s[14:16]) || s[16] != ':' || !digits(s[17:19]) {
		return want
	}
	year, month, day := atoi(s[0:4]), atoi(s[5:7]), atoi(s[8:10])
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		atoi(s[11:13]) > 23 || atoi(s[14:16]) > 59 || atoi(s[17:19]) > 59 {
		return want
	}
	rest := s[19:]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return want
		}
		rest = rest[n:]
	}
	switch {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && digits(rest[1:3]) && rest[3] == ':' && digits(rest[4:6]) &&
		atoi(rest[1:3]) <= 23 && atoi(rest[4:6]) <= 59:
	default:
		return want
	}
	return ""
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
