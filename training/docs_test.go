package training_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
	"github.com/hit4x4/dagbok/training"
)

func TestReadDiary(t *testing.T) {
	ts := synctest.Stamp(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), "d1")
	docs := []sync.Doc{
		synctest.Session(t, "late", ts, "protocol", "3x3", "startedAt", "2026-03-04T17:30:00+01:00",
			"durationMin", 30, "intervals", []map[string]int{{"rpe": 15, "hrPeak": 170}, {"hrAvg": 150, "inZoneSec": 95}},
			"sessionRpe", 0, "moodBefore", 2, "moodAfter", 4, "note", "godt"),
		synctest.Session(t, "early", ts, "startedAt", "2026-03-02T07:00:00Z", "durationMin", 1, "sessionRpe", nil),
		synctest.Session(t, "undated", ts, "durationMin", 40),
		synctest.Tombstone(t, "gone", ts),
		synctest.Doc(t, "plan", "plan", ts, "sessionsPerWeek", 2, "days", []int{1, 4}, "time", "17:00"),
		synctest.Doc(t, "measurement", "m2", ts, "date", "2026-05-01", "vo2max", 38.5, "vo2maxSource", "watch",
			"restingHr", 62, "weightKg", 80.4, "waistCm", 94, "systolic", 128, "diastolic", 82),
		synctest.Doc(t, "measurement", "m1", ts, "date", "2026-02-01", "weightKg", 82),
		synctest.Doc(t, "measurement", "m0", ts, "vo2max", 30),
		synctest.Doc(t, "measurement", "mx", ts, "vo2max", 30, "deleted", true),
		synctest.Doc(t, "medal", "x", ts, "weight", 80),
	}
	di, err := training.ReadDiary(docs)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range di.Sessions {
		ids = append(ids, s.ID)
	}
	if want := []string{"early", "late", "undated"}; !slices.Equal(ids, want) {
		t.Fatalf("sessions %v, want %v (by start, undated last, deleted left out)", ids, want)
	}
	early, late, undated := di.Sessions[0], di.Sessions[1], di.Sessions[2]
	if early.Protocol != "4x4" || early.SessionRPE != nil || early.Completion() != training.NoWork {
		t.Errorf("early = %+v, completion %s; want 4x4 by default, no rating, no work", early, early.Completion())
	}
	if _, ok := early.Load(); ok {
		t.Errorf("a session without a rating has a load")
	}
	if late.Protocol != "3x3" || len(late.Intervals) != 2 || late.Intervals[0] != (training.Interval{RPE: 15, HRPeak: 170}) ||
		late.Intervals[1] != (training.Interval{HRAvg: 150, InZoneSec: 95}) || *late.SessionRPE != 0 || *late.MoodBefore != 2 ||
		*late.MoodAfter != 4 || late.Note != "godt" || !late.StartedAt.Equal(time.Date(2026, 3, 4, 16, 30, 0, 0, time.UTC)) {
		t.Errorf("late = %+v", late)
	}
	if late.Completion() != training.Partial {
		t.Errorf("two of three intervals: %s, want partial", late.Completion())
	}
	if load, ok := late.Load(); !ok || load != 0 {
		t.Errorf("load = %g, %v; want 0, true (rated 0)", load, ok)
	}
	if undated.Completion() != training.Complete {
		t.Errorf("a 40-minute 4x4 entered by hand: %s, want complete", undated.Completion())
	}
	if !di.Plan.Planned() || di.Plan.SessionsPerWeek != 2 || !slices.Equal(di.Plan.Days, []int{1, 4}) || di.Plan.Time != "17:00" {
		t.Errorf("plan = %+v", di.Plan)
	}
	ids = ids[:0]
	for _, m := range di.Measurements {
		ids = append(ids, m.ID)
	}
	if want := []string{"m1", "m2", "m0"}; !slices.Equal(ids, want) {
		t.Fatalf("measurements %v, want %v (by date, undated last, deleted left out)", ids, want)
	}
	want := training.Measurement{ID: "m2", Date: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), VO2Max: 38.5,
		VO2MaxSource: "watch", RestingHR: 62, WeightKg: 80.4, WaistCm: 94, Systolic: 128, Diastolic: 82}
	if got := di.Measurements[1]; got != want {
		t.Errorf("measurement = %+v, want %+v", got, want)
	}
}

func TestReadMeasurementRefusesBadValues(t *testing.T) {
	ts := synctest.Stamp(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), "d1")
	for name, d := range map[string]sync.Doc{
		"wrong type": synctest.Session(t, "s", ts),
		"text vo2":   synctest.Doc(t, "measurement", "m", ts, "vo2max", "high"),
		"bad date":   synctest.Doc(t, "measurement", "m", ts, "date", "1. mai"),
	} {
		if _, err := training.ReadMeasurement(d); err == nil {
			t.Errorf("%s: read without an error", name)
		}
	}
}

// TestFitnessTrend: the trainer's page and the patient's see the same
// points: one per measurement with a VO2max, with the real age that year.
func TestFitnessTrend(t *testing.T) {
	ms := []training.Measurement{
		{ID: "a", Date: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), VO2Max: 31},
		{ID: "b", Date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), WeightKg: 80},
		{ID: "c", Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), VO2Max: 36},
	}
	got := training.FitnessTrend(ms, training.Female, 1970)
	want := []training.FitnessPoint{
		{Date: ms[0].Date, FitnessAge: training.FitnessAge{Years: 65}, Age: 55},
		{Date: ms[2].Date, FitnessAge: training.FitnessAge{Years: 50}, Age: 56},
	}
	if !slices.Equal(got, want) {
		t.Errorf("FitnessTrend = %+v, want %+v", got, want)
	}
	if got := training.FitnessTrend(ms, "", 1970); got != nil {
		t.Errorf("without a sex: %+v, want none", got)
	}
	if got := training.FitnessTrend(ms, training.Male, 0); len(got) != 2 || got[0].Age != 0 {
		t.Errorf("without a birth year: %+v, want ages 0", got)
	}
}

func TestReadPlanDeleted(t *testing.T) {
	ts := synctest.Stamp(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), "d1")
	p, err := training.ReadPlan(synctest.Doc(t, "plan", "plan", ts, "sessionsPerWeek", 3, "deleted", true))
	if err != nil || p.Planned() {
		t.Errorf("deleted plan read as %+v, %v; want no plan", p, err)
	}
}

func TestReadSessionRefusesBadValues(t *testing.T) {
	ts := synctest.Stamp(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), "d1")
	for name, d := range map[string]sync.Doc{
		"wrong type":      synctest.Doc(t, "plan", "plan", ts),
		"text duration":   synctest.Session(t, "s", ts, "durationMin", "long"),
		"bad start":       synctest.Session(t, "s", ts, "startedAt", "yesterday"),
		"object interval": synctest.Session(t, "s", ts, "intervals", map[string]int{"rpe": 15}),
	} {
		if _, err := training.ReadSession(d); err == nil {
			t.Errorf("%s: read without an error", name)
		}
	}
}
