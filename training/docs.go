package training

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hit4x4/dagbok/sync"
)

// Session is a logged session as the server reads it from its synced
// document. Fields the patient left empty (or cleared) are zero; pointers
// tell "not rated" from a rating of 0.
type Session struct {
	ID          string
	Protocol    string    // "4x4" when not set
	StartedAt   time.Time // zero when not set
	DurationMin float64
	Intervals   []Interval // one per work interval done, in order
	SessionRPE  *int       // CR10 0–10
	MoodBefore  *int       // 1–5
	MoodAfter   *int       // 1–5
	Note        string
	Deleted     bool
}

// Duration is the session's length.
func (s Session) Duration() time.Duration {
	return time.Duration(s.DurationMin * float64(time.Minute))
}

// Completion judges the session by the one rule (CompletionOf).
func (s Session) Completion() Completion {
	return CompletionOf(s.Protocol, len(s.Intervals), s.Duration())
}

// Load is the session's Foster load, and false when it has no session RPE.
func (s Session) Load() (float64, bool) {
	if s.SessionRPE == nil {
		return 0, false
	}
	return Load(*s.SessionRPE, s.DurationMin), true
}

// Plan is the patient's weekly plan: how many sessions, on which ISO
// weekdays (Monday = 1), at what local time ("HH:MM"). The zero Plan means
// no plan.
type Plan struct {
	SessionsPerWeek int
	Days            []int
	Time            string
}

// PlanSetter is who set the plan when it was not the patient: their
// trainer. The zero PlanSetter means the patient set it.
type PlanSetter struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// PlanDoc is the plan document of p as set by by, every field stamped ts:
// what the server pushes when a trainer sets a patient's plan.
func PlanDoc(p Plan, by PlanSetter, ts string) (sync.Doc, error) {
	days := p.Days
	if days == nil {
		days = []int{}
	}
	values := map[string]any{"sessionsPerWeek": p.SessionsPerWeek, "days": days, "time": p.Time, "setBy": by, "deleted": false}
	if p.Time == "" {
		values["time"] = nil
	}
	d := sync.Doc{ID: PlanID, Type: TypePlan, Fields: make(map[string]sync.Field, len(values))}
	if err := setFields(&d, values, ts); err != nil {
		return sync.Doc{}, err
	}
	return d, nil
}

// MeasurementDoc is a new measurement document with the given values
// (field name → value, as the schema names them), every field stamped ts:
// how the server writes a measurement a trainer enters.
func MeasurementDoc(id string, values map[string]any, ts string) (sync.Doc, error) {
	d := sync.Doc{ID: id, Type: TypeMeasurement, Fields: make(map[string]sync.Field, len(values))}
	if err := setFields(&d, values, ts); err != nil {
		return sync.Doc{}, err
	}
	return d, nil
}

// setFields writes values into d's registers in their canonical form, each
// stamped ts.
func setFields(d *sync.Doc, values map[string]any, ts string) error {
	for name, v := range values {
		b, err := sync.EncodeValue(v)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", d.Type, name, err)
		}
		d.Fields[name] = sync.Field{Value: b, TS: ts}
	}
	return nil
}

// Planned reports whether the patient has a plan at all.
func (p Plan) Planned() bool { return p.SessionsPerWeek > 0 }

// intervalJSON is one element of a session's "intervals" field.
type intervalJSON struct {
	RPE    int `json:"rpe"`
	HRPeak int `json:"hrPeak"`
	HRAvg  int `json:"hrAvg"`
	// InZoneSec comes from a heart-rate sensor: seconds in the target zone.
	InZoneSec int `json:"inZoneSec"`
}

// ReadSession reads a session document. The document has passed Schema
// when it was pushed; a value that still does not read is an error naming
// the field.
func ReadSession(d sync.Doc) (Session, error) {
	if d.Type != TypeSession {
		return Session{}, fmt.Errorf("document %q is a %q, not a session", d.ID, d.Type)
	}
	s := Session{ID: d.ID, Protocol: Protocol4x4, Deleted: d.Deleted()}
	var startedAt string
	var intervals []intervalJSON
	for _, f := range []struct {
		name string
		into any
	}{
		{"protocol", &s.Protocol}, {"startedAt", &startedAt}, {"durationMin", &s.DurationMin},
		{"intervals", &intervals}, {"sessionRpe", &s.SessionRPE}, {"moodBefore", &s.MoodBefore},
		{"moodAfter", &s.MoodAfter}, {"note", &s.Note},
	} {
		if err := readField(d, f.name, f.into); err != nil {
			return Session{}, err
		}
	}
	if s.Protocol == "" {
		s.Protocol = Protocol4x4
	}
	if startedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, startedAt)
		if err != nil {
			return Session{}, fmt.Errorf("session %q: startedAt: %w", d.ID, err)
		}
		s.StartedAt = t
	}
	for _, iv := range intervals {
		s.Intervals = append(s.Intervals, Interval{RPE: iv.RPE, HRPeak: iv.HRPeak, HRAvg: iv.HRAvg, InZoneSec: iv.InZoneSec})
	}
	return s, nil
}

// ReadPlan reads the plan document and who set it; a deleted plan is no
// plan.
func ReadPlan(d sync.Doc) (Plan, PlanSetter, error) {
	if d.Type != TypePlan {
		return Plan{}, PlanSetter{}, fmt.Errorf("document %q is a %q, not the plan", d.ID, d.Type)
	}
	if d.Deleted() {
		return Plan{}, PlanSetter{}, nil
	}
	var p Plan
	var by PlanSetter
	for _, f := range []struct {
		name string
		into any
	}{{"sessionsPerWeek", &p.SessionsPerWeek}, {"days", &p.Days}, {"time", &p.Time}, {"setBy", &by}} {
		if err := readField(d, f.name, f.into); err != nil {
			return Plan{}, PlanSetter{}, err
		}
	}
	return p, by, nil
}

// Measurement is a dated set of body measurements as the server reads it;
// a value not measured is 0.
type Measurement struct {
	ID           string
	Date         time.Time // midnight UTC of the day measured; zero when not set
	VO2Max       float64   // ml/kg/min
	VO2MaxSource string    // "test", "watch" or "calculator"; "" when not said
	RestingHR    int
	WeightKg     float64
	WaistCm      float64
	Systolic     int // mmHg
	Diastolic    int
	Deleted      bool
}

// FitnessAge is the measurement's fitness age for a person of sex, and
// false without a VO2max or a known sex.
func (m Measurement) FitnessAge(sex Sex) (FitnessAge, bool) {
	return FitnessAgeOf(sex, m.VO2Max)
}

// ReadMeasurement reads a measurement document.
func ReadMeasurement(d sync.Doc) (Measurement, error) {
	if d.Type != TypeMeasurement {
		return Measurement{}, fmt.Errorf("document %q is a %q, not a measurement", d.ID, d.Type)
	}
	m := Measurement{ID: d.ID, Deleted: d.Deleted()}
	var date string
	for _, f := range []struct {
		name string
		into any
	}{
		{"date", &date}, {"vo2max", &m.VO2Max}, {"vo2maxSource", &m.VO2MaxSource}, {"restingHr", &m.RestingHR},
		{"weightKg", &m.WeightKg}, {"waistCm", &m.WaistCm}, {"systolic", &m.Systolic}, {"diastolic", &m.Diastolic},
	} {
		if err := readField(d, f.name, f.into); err != nil {
			return Measurement{}, err
		}
	}
	if date != "" {
		t, err := time.Parse(time.DateOnly, date)
		if err != nil {
			return Measurement{}, fmt.Errorf("measurement %q: date: %w", d.ID, err)
		}
		m.Date = t
	}
	return m, nil
}

// Diary is a patient's documents read: every session that is not deleted,
// ordered by StartedAt, every measurement that is not deleted, ordered by
// Date, and the plan with who set it.
type Diary struct {
	Sessions     []Session
	Measurements []Measurement
	Plan         Plan
	PlanBy       PlanSetter
}

// ReadDiary reads a scope's documents, skipping deleted sessions and
// documents of types it does not know.
func ReadDiary(docs []sync.Doc) (Diary, error) {
	var di Diary
	for _, d := range docs {
		switch d.Type {
		case TypeSession:
			s, err := ReadSession(d)
			if err != nil {
				return Diary{}, err
			}
			if !s.Deleted {
				di.Sessions = append(di.Sessions, s)
			}
		case TypePlan:
			p, by, err := ReadPlan(d)
			if err != nil {
				return Diary{}, err
			}
			di.Plan, di.PlanBy = p, by
		case TypeMeasurement:
			m, err := ReadMeasurement(d)
			if err != nil {
				return Diary{}, err
			}
			if !m.Deleted {
				di.Measurements = append(di.Measurements, m)
			}
		}
	}
	sortSessions(di.Sessions)
	sortMeasurements(di.Measurements)
	return di, nil
}

// readField decodes the named field's value into v; an absent field or a
// null leaves v as it is.
func readField(d sync.Doc, name string, v any) error {
	f, ok := d.Fields[name]
	if !ok || string(f.Value) == "null" || len(f.Value) == 0 {
		return nil
	}
	if err := json.Unmarshal(f.Value, v); err != nil {
		return fmt.Errorf("%s %q: %s: %w", d.Type, d.ID, name, err)
	}
	return nil
}

// sortMeasurements orders measurements by date, undated ones last, ties by
// ID.
func sortMeasurements(ms []Measurement) {
	slices.SortStableFunc(ms, func(a, b Measurement) int { return byTimeThenID(a.Date, b.Date, a.ID, b.ID) })
}

// sortSessions orders sessions by start, those without a start last, ties
// by ID.
func sortSessions(ss []Session) {
	slices.SortStableFunc(ss, func(a, b Session) int { return byTimeThenID(a.StartedAt, b.StartedAt, a.ID, b.ID) })
}

// byTimeThenID compares two documents by a time, zero times last, ties by
// ID, so every reader sees the same order.
func byTimeThenID(a, b time.Time, aID, bID string) int {
	switch {
	case a.IsZero() != b.IsZero():
		if a.IsZero() {
			return 1
		}
		return -1
	case !a.Equal(b):
		return a.Compare(b)
	}
	return strings.Compare(aID, bID)
}
