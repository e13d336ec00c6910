package training_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

type validateCase struct {
	Name   string          `json:"name"`
	Doc    json.RawMessage `json:"doc"`
	Valid  bool            `json:"valid"`
	Fields []string        `json:"fields"`
}

// TestValidateVectors checks every schema vector through Validate and
// through DecodePushRequest, which must list every rejected field.
func TestValidateVectors(t *testing.T) {
	var v struct {
		Cases []validateCase `json:"cases"`
	}
	data, err := os.ReadFile(filepath.Join("testdata", "validate.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var d sync.Doc
			if err := json.Unmarshal(c.Doc, &d); err != nil {
				t.Fatal(err)
			}
			err := training.Validate(d)
			var ves sync.ValidationErrors
			switch {
			case c.Valid && err != nil:
				t.Fatalf("Validate: %v", err)
			case !c.Valid && !errors.As(err, &ves):
				t.Fatalf("Validate = %v, want ValidationErrors on %q", err, c.Fields)
			case !c.Valid && !slices.Equal(fieldsOf(ves), c.Fields):
				t.Fatalf("Validate rejects %q, want %q", fieldsOf(ves), c.Fields)
			case !c.Valid && (ves[0].Doc != d.ID || ves[0].Reason == ""):
				t.Fatalf("Validate = %+v, want doc %q", ves[0], d.ID)
			}

			body, _ := json.Marshal(map[string]any{"batchId": "b1", "docs": []json.RawMessage{c.Doc}})
			req, err := sync.DecodePushRequest(body, training.Schema{})
			if c.Valid {
				if err != nil || len(req.Docs) != 1 {
					t.Fatalf("DecodePushRequest: %v", err)
				}
				return
			}
			var errs sync.ValidationErrors
			if !errors.As(err, &errs) {
				t.Fatalf("DecodePushRequest = %v, want ValidationErrors", err)
			}
			if !slices.Equal(fieldsOf(errs), c.Fields) {
				t.Errorf("rejected fields %q, want %q", fieldsOf(errs), c.Fields)
			}
			if len(req.Docs) != 0 {
				t.Errorf("rejected document returned in the request")
			}
		})
	}
}

func TestValidateMissingOrMalformedValue(t *testing.T) {
	ts := "0000000000010000-a"
	for _, tc := range []struct {
		name  string
		value json.RawMessage
	}{
		{"missing", nil},
		{"not JSON", json.RawMessage(`{`)},
		{"two values", json.RawMessage(`1 2`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := sync.Doc{ID: "s", Type: training.TypeSession, Fields: map[string]sync.Field{"durationMin": {Value: tc.value, TS: ts}}}
			var ves sync.ValidationErrors
			if err := training.Validate(d); !errors.As(err, &ves) || ves[0].Field != "durationMin" {
				t.Errorf("Validate = %v", err)
			}
		})
	}
}

// TestValidationErrorTruncates: a hostile id or field name is cut short,
// between characters, so error messages stay small and valid UTF-8.
func TestValidationErrorTruncates(t *testing.T) {
	long := strings.Repeat("ø", 500)
	d := sync.Doc{ID: long, Type: training.TypeSession, Fields: map[string]sync.Field{long: {Value: json.RawMessage(`1`), TS: "0000000000010000-a"}}}
	var ves sync.ValidationErrors
	if err := training.Validate(d); !errors.As(err, &ves) {
		t.Fatalf("Validate = %v", err)
	}
	if ve := ves[0]; len(ve.Doc) > 90 || !utf8.ValidString(ve.Doc) || !utf8.ValidString(ve.Error()) {
		t.Errorf("Doc = %q", ve.Doc)
	}
}

// fieldsOf lists the fields errs are about, in order.
func fieldsOf(errs sync.ValidationErrors) []string {
	fields := make([]string, len(errs))
	for i, e := range errs {
		fields[i] = e.Field
	}
	return fields
}

// FuzzFieldChecks: every check of the schema returns, without a panic or
// a loop, for any bytes, not only the canonical values sync gives it (what
// it says of those is unspecified).
func FuzzFieldChecks(f *testing.F) {
	for _, seed := range []string{`[{"rpe":15}]`, `[1,3]`, `"07:00"`, `[{"rpe":`, `[1,`, `{`, ``, `"\u00e6"`, `[{"rpe":6,"rpe":7}]`} {
		f.Add(seed)
	}
	fields := map[string][]string{
		training.TypeSession: {"protocol", "startedAt", "durationMin", "intervals", "sessionRpe", "moodBefore", "note", "deleted"},
		training.TypePlan:    {"sessionsPerWeek", "days", "time", "deleted"},
		training.TypeMeasurement: {"date", "vo2max", "vo2maxSource", "restingHr", "weightKg", "waistCm",
			"systolic", "diastolic", "deleted"},
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for docType, names := range fields {
			for _, name := range names {
				training.Schema{}.Field(docType, name)(json.RawMessage(raw))
			}
		}
	})
}
