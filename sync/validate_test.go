package sync_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hit4x4/dagbok/sync"
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
	readVectors(t, "validate.json", &v)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var d sync.Doc
			if err := json.Unmarshal(c.Doc, &d); err != nil {
				t.Fatal(err)
			}
			err := sync.Validate(d)
			var ve *sync.ValidationError
			switch {
			case c.Valid && err != nil:
				t.Fatalf("Validate: %v", err)
			case !c.Valid && !errors.As(err, &ve):
				t.Fatalf("Validate = %v, want a *ValidationError on %q", err, c.Fields[0])
			case !c.Valid && (ve.Field != c.Fields[0] || ve.Doc != d.ID || ve.Reason == ""):
				t.Fatalf("Validate = %+v, want doc %q field %q", ve, d.ID, c.Fields[0])
			}

			body, _ := json.Marshal(map[string]any{"batchId": "b1", "docs": []json.RawMessage{c.Doc}})
			req, err := sync.DecodePushRequest(body)
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
			var fields []string
			for _, e := range errs {
				fields = append(fields, e.Field)
			}
			if !slices.Equal(fields, c.Fields) {
				t.Errorf("rejected fields %q, want %q", fields, c.Fields)
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
			d := sync.Doc{ID: "s", Type: sync.TypeSession, Fields: map[string]sync.Field{"durationMin": {Value: tc.value, TS: ts}}}
			var ve *sync.ValidationError
			if err := sync.Validate(d); !errors.As(err, &ve) || ve.Field != "durationMin" {
				t.Errorf("Validate = %v", err)
			}
		})
	}
}

func TestValidationErrorText(t *testing.T) {
	e := &sync.ValidationError{Doc: "s1", Field: "note", Reason: "want a string"}
	if got, want := e.Error(), `document "s1": field "note": want a string`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	es := sync.ValidationErrors{*e, {Doc: "s2", Field: "id", Reason: "bad"}}
	if got, want := es.Error(), `document "s1": field "note": want a string (and 1 more)`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestValidationErrorTruncates: a hostile id or field name is cut short,
// between characters, so error messages stay small and valid UTF-8.
func TestValidationErrorTruncates(t *testing.T) {
	long := strings.Repeat("ø", 500)
	d := sync.Doc{ID: long, Type: sync.TypeSession, Fields: map[string]sync.Field{long: {Value: json.RawMessage(`1`), TS: "0000000000010000-a"}}}
	var ve *sync.ValidationError
	if err := sync.Validate(d); !errors.As(err, &ve) {
		t.Fatalf("Validate = %v", err)
	}
	if len(ve.Doc) > 90 || !utf8.ValidString(ve.Doc) || !utf8.ValidString(ve.Error()) {
		t.Errorf("Doc = %q", ve.Doc)
	}
}
