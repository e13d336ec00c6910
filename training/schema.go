package training

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	gosync "sync"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/hit4x4/dagbok/sync"
)

// Document types.
const (
	TypeSession = "session"
	TypePlan    = "plan"
	// TypeMeasurement is a dated set of body measurements.
	TypeMeasurement = "measurement"
)

// PlanID is the id of the singleton plan document of a scope.
const PlanID = "plan"

// Schema limits.
const (
	MaxIntervals   = 20
	MaxNoteLen     = 2000 // Unicode code points
	MaxDurationMin = 300
	MaxInZoneSec   = 3600 // an interval's time in zone: an hour is plenty
)

// Schema is the sync.Schema of a patient's documents: sessions, the
// plan and measurements. Every field is optional, each a last-writer-wins register; a JSON
// null clears any field but "deleted".
//
//	session: protocol "4x4"|"3x3"|"tabata"|"custom"; startedAt RFC 3339
//	  string; durationMin number 0–300; intervals array of at most 20
//	  {rpe?: int 6–20, hrPeak?: int 40–240, hrAvg?: int 40–240, inZoneSec?:
//	  int 0–3600 (from a heart-rate sensor)}, in order (an interval done but
//	  not rated has no rpe); sessionRpe
//	  int 0–10; moodBefore, moodAfter int 1–5; note string of at most 2,000
//	  characters; deleted bool.
//	plan (id "plan"): sessionsPerWeek int 1–7; days array of unique ints
//	  1–7 (ISO weekday, Monday = 1); time "HH:MM" (24 h); setBy
//	  {id: string of 1–64 characters, name: string of at most 64} or null,
//	  who set the plan when it was not the patient (their trainer);
//	  deleted bool.
//	measurement: date "YYYY-MM-DD"; vo2max number 10–90 (ml/kg/min);
//	  vo2maxSource "test"|"watch"|"calculator" (a lab or clinic test, a
//	  watch's estimate, a calculator); restingHr int 25–150; weightKg
//	  number 20–400; waistCm number 40–250; systolic int 60–260 and
//	  diastolic int 30–160 (mmHg); deleted bool. Written by the patient or
//	  their trainer.
//
// pwa/js/merge.js applies the same rules; both pass the vectors in
// testdata/validate.json.
type Schema struct{}

// Validate checks a document against Schema (see sync.Validate).
func Validate(d sync.Doc) error {
	return sync.Validate(d, Schema{})
}

// CheckType knows sessions, measurements, and the plan, whose id is always
// PlanID.
func (Schema) CheckType(id, docType string) (reason string, known bool) {
	switch docType {
	case TypeSession, TypeMeasurement:
		return "", true
	case TypePlan:
		if id != PlanID {
			return `a plan document must have id "plan"`, true
		}
		return "", true
	}
	return "", false
}

// Field returns the check of one field of a document type, or nil when the
// type has no such field.
func (Schema) Field(docType, name string) sync.FieldCheck {
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
		case "setBy":
			return checkSetBy
		case "deleted":
			return checkBool
		}
	case TypeMeasurement:
		return measurementField(name)
	}
	return nil
}

// measurementField returns the check of a measurement's field, or nil.
func measurementField(name string) sync.FieldCheck {
	switch name {
	case "date":
		return checkDate
	case "vo2max":
		return checkVO2Max
	case "vo2maxSource":
		return checkVO2MaxSource
	case "restingHr":
		return checkRestingHR
	case "weightKg":
		return checkWeight
	case "waistCm":
		return checkWaist
	case "systolic":
		return checkSystolic
	case "diastolic":
		return checkDiastolic
	case "deleted":
		return checkBool
	}
	return nil
}

// MaxSetterLen bounds the id and the name of a plan's setter, in
// characters.
const MaxSetterLen = 64

// checkSetBy accepts {"id": string of 1–64 characters, "name": string of
// at most 64}, no other members.
func checkSetBy(v json.RawMessage) string {
	const want = "want an object {id, name}"
	var m map[string]jsontext.Value
	if len(v) == 0 || v[0] != '{' || jsonv2.Unmarshal(v, &m) != nil {
		return want
	}
	for k := range m {
		if k != "id" && k != "name" {
			return want
		}
	}
	if n, ok := textLen(json.RawMessage(m["id"])); !ok || n == 0 || n > MaxSetterLen {
		return fmt.Sprintf("id: want a string of 1–%d characters", MaxSetterLen)
	}
	if n, ok := textLen(json.RawMessage(m["name"])); !ok || n > MaxSetterLen {
		return fmt.Sprintf("name: want a string of at most %d characters", MaxSetterLen)
	}
	return ""
}

func checkBool(v json.RawMessage) string {
	if s := string(v); s != "true" && s != "false" {
		return "want true or false"
	}
	return ""
}

func checkProtocol(v json.RawMessage) string {
	switch string(v) {
	case `"4x4"`, `"3x3"`, `"tabata"`, `"custom"`:
		return ""
	}
	return "want one of 4x4, 3x3, tabata, custom"
}

// number returns v as a float64 when it is a JSON number.
func number(v []byte) (float64, bool) {
	if len(v) == 0 || v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return 0, false
	}
	// Most numbers are small integers, which Atoi reads in a fraction of
	// ParseFloat's time (docs/benchmarks.md).
	if n, err := strconv.Atoi(string(v)); err == nil && len(v) <= 15 {
		return float64(n), true
	}
	f, err := strconv.ParseFloat(string(v), 64)
	return f, err == nil
}

// text returns v, a canonical JSON value, as a Go string when it is a
// JSON string.
func text(v json.RawMessage) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), true
	}
	var s string
	return s, jsonv2.Unmarshal(v, &s) == nil
}

// textLen returns the number of characters of v, a canonical JSON value,
// when it is a JSON string. A string without escapes (what clients send)
// is counted where it lies, not copied: a push of long notes would
// otherwise allocate each note again.
func textLen(v json.RawMessage) (int, bool) {
	if len(v) >= 2 && v[0] == '"' && bytes.IndexByte(v, '\\') < 0 {
		// Not utf8.RuneCount, which copies a long text into a string.
		n := 0
		for b := v[1 : len(v)-1]; len(b) > 0; n++ {
			_, size := utf8.DecodeRune(b)
			b = b[size:]
		}
		return n, true
	}
	s, ok := text(v)
	return utf8.RuneCountInString(s), ok
}

// The checks of numeric fields.
func checkDuration(v json.RawMessage) string        { return numberReason(v, 0, MaxDurationMin, false) }
func checkSessionRPE(v json.RawMessage) string      { return numberReason(v, 0, 10, true) }
func checkMood(v json.RawMessage) string            { return numberReason(v, 1, 5, true) }
func checkSessionsPerWeek(v json.RawMessage) string { return numberReason(v, 1, 7, true) }
func checkVO2Max(v json.RawMessage) string          { return numberReason(v, 10, 90, false) }
func checkRestingHR(v json.RawMessage) string       { return numberReason(v, 25, 150, true) }
func checkWeight(v json.RawMessage) string          { return numberReason(v, 20, 400, false) }
func checkWaist(v json.RawMessage) string           { return numberReason(v, 40, 250, false) }
func checkSystolic(v json.RawMessage) string        { return numberReason(v, 60, 260, true) }
func checkDiastolic(v json.RawMessage) string       { return numberReason(v, 30, 160, true) }

func checkVO2MaxSource(v json.RawMessage) string {
	switch string(v) {
	case `"test"`, `"watch"`, `"calculator"`:
		return ""
	}
	return "want one of test, watch, calculator"
}

func numberReason(v []byte, lo, hi float64, integer bool) string {
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

func checkNote(v json.RawMessage) string {
	n, ok := textLen(v)
	if !ok {
		return "want a string"
	}
	if n > MaxNoteLen {
		return fmt.Sprintf("longer than %d characters", MaxNoteLen)
	}
	return ""
}

// elements calls check on each element of v, a canonical JSON array,
// until one returns a problem, and returns the number of elements and
// that problem. check reads its element from dec (only its element).
// ok is false when v is not an array.
func elements(v json.RawMessage, check func(i int, dec *jsontext.Decoder) string) (n int, problem string, ok bool) {
	a := arrayDecoders.Get().(*arrayDecoder)
	defer a.release()
	a.buf = *bytes.NewBuffer(v)
	// A canonical value repeats no name: no need to look for that again.
	a.dec.Reset(&a.buf, jsontext.AllowDuplicateNames(true))
	dec := &a.dec
	if dec.PeekKind() != '[' {
		return 0, "", false
	}
	if _, err := dec.ReadToken(); err != nil {
		return 0, "", false
	}
	for ; more(dec, ']'); n++ {
		if problem != "" {
			if dec.SkipValue() != nil {
				return n, problem, false
			}
			continue
		}
		problem = check(n, dec)
	}
	_, err := dec.ReadToken()
	return n, problem, err == nil
}

// arrayDecoders keeps the decoders elements reads arrays with: a push
// checks an array in every session, and a fresh decoder is a few hundred
// bytes.
var arrayDecoders = gosync.Pool{New: func() any { return new(arrayDecoder) }}

// arrayDecoder is a decoder and the buffer it reads.
type arrayDecoder struct {
	buf bytes.Buffer
	dec jsontext.Decoder
}

// release lets go of the value read and returns a to the pool.
func (a *arrayDecoder) release() {
	a.buf = bytes.Buffer{}
	a.dec.Reset(&a.buf)
	arrayDecoders.Put(a)
}

// more reports whether dec has more members or elements before the end
// token. It is false at the end and when PeekKind finds an error; the
// reads inside a loop on more stop at errors that PeekKind passes on.
func more(dec *jsontext.Decoder, end jsontext.Kind) bool {
	kind := dec.PeekKind()
	return kind != end && kind != 0
}

func checkIntervals(v json.RawMessage) string {
	n, problem, ok := elements(v, checkInterval)
	switch {
	case !ok:
		return "want an array"
	case n > MaxIntervals:
		return fmt.Sprintf("more than %d intervals", MaxIntervals)
	}
	return problem
}

// checkInterval reads the element i of a session's intervals from dec and
// returns its first problem in the order of its keys, or "".
func checkInterval(i int, dec *jsontext.Decoder) string {
	if dec.PeekKind() != '{' {
		dec.SkipValue()
		return fmt.Sprintf("interval %d: want an object", i)
	}
	problem := ""
	dec.ReadToken()
	for more(dec, '}') {
		key, err := dec.ReadValue()
		if err != nil {
			return fmt.Sprintf("interval %d: want an object", i)
		}
		if problem != "" {
			dec.SkipValue()
			continue
		}
		// Canonical names are quoted without escapes.
		name, lo, hi := "rpe", 6.0, 20.0
		switch string(key) {
		case `"rpe"`:
		case `"hrPeak"`:
			name, lo, hi = "hrPeak", 40, 240
		case `"hrAvg"`:
			name, lo, hi = "hrAvg", 40, 240
		case `"inZoneSec"`:
			name, lo, hi = "inZoneSec", 0, MaxInZoneSec
		default:
			unquoted, _ := jsontext.AppendUnquote(nil, key)
			problem = fmt.Sprintf("interval %d: unknown key %.80q", i, unquoted) // a long key cut short
			dec.SkipValue()
			continue
		}
		value, _ := dec.ReadValue()
		if r := numberReason(value, lo, hi, true); r != "" {
			problem = fmt.Sprintf("interval %d: %s: %s", i, name, r)
		}
	}
	dec.ReadToken()
	return problem
}

func checkDays(v json.RawMessage) string {
	var seen [8]bool
	_, problem, ok := elements(v, func(i int, dec *jsontext.Decoder) string {
		day, _ := dec.ReadValue()
		if r := numberReason(day, 1, 7, true); r != "" {
			return fmt.Sprintf("day %d: %s", i, r)
		}
		f, _ := number(day)
		if seen[int(f)] {
			return fmt.Sprintf("day %d: %g repeated", i, f)
		}
		seen[int(f)] = true
		return ""
	})
	if !ok {
		return "want an array"
	}
	return problem
}

// checkClockTime accepts "HH:MM", 00:00–23:59.
func checkClockTime(v json.RawMessage) string {
	s, ok := text(v)
	if !ok || len(s) != 5 || s[2] != ':' || !digits(s[:2]) || !digits(s[3:]) || atoi(s[:2]) > 23 || atoi(s[3:]) > 59 {
		return `want "HH:MM" (24 h)`
	}
	return ""
}

// checkDate accepts a calendar date "YYYY-MM-DD" from 1900 to 9999.
func checkDate(v json.RawMessage) string {
	s, ok := text(v)
	if !ok || len(s) != 10 || !digits(s[0:4]) || s[4] != '-' || !digits(s[5:7]) || s[7] != '-' || !digits(s[8:10]) {
		return `want a date "YYYY-MM-DD"`
	}
	year, month, day := atoi(s[0:4]), atoi(s[5:7]), atoi(s[8:10])
	if year < 1900 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return `want a date "YYYY-MM-DD"`
	}
	return ""
}

// checkRFC3339 accepts YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM) with an
// upper-case T and Z, a real calendar date, hours 00–23, minutes and
// seconds 00–59 (no leap second), 1–9 fraction digits, offset up to ±23:59.
// pwa/js/merge.js applies the same rule.
func checkRFC3339(v json.RawMessage) string {
	const want = "want an RFC 3339 date-time like 2026-03-01T17:30:00+01:00"
	s, ok := text(v)
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
