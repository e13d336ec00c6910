package sync_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hit4x4/dagbok/sync"
)

// noteSchema is a schema of one type, "note", whose id must start with
// "n" and whose one field, "text", must be a string.
type noteSchema struct{}

func (noteSchema) CheckType(id, docType string) (string, bool) {
	if docType != "note" {
		return "", false
	}
	if !strings.HasPrefix(id, "n") {
		return "a note's id starts with n", true
	}
	return "", true
}

func (noteSchema) Field(docType, name string) sync.FieldCheck {
	if name == "deleted" {
		return func(v json.RawMessage) string {
			if s := string(v); s != "true" && s != "false" {
				return "want a boolean"
			}
			return ""
		}
	}
	if name != "text" {
		return nil
	}
	return func(v json.RawMessage) string {
		if v[0] != '"' {
			return "want a string"
		}
		return ""
	}
}

// TestValidateAsksTheSchema: Validate checks what every document shares
// and asks the schema the rest, at most one problem per field, in the
// order id, type, fields by name; null clears any field but "deleted".
func TestValidateAsksTheSchema(t *testing.T) {
	field := func(value string) sync.Field { return sync.Field{Value: json.RawMessage(value), TS: ts1} }
	for _, tc := range []struct {
		name string
		doc  sync.Doc
		want []string // Field of each error
	}{
		{"valid", sync.Doc{ID: "n1", Type: "note", Fields: map[string]sync.Field{"text": field(`"hi"`)}}, nil},
		{"null clears", sync.Doc{ID: "n1", Type: "note", Fields: map[string]sync.Field{"text": field(`null`)}}, nil},
		{"null is no tombstone", sync.Doc{ID: "n1", Type: "note", Fields: map[string]sync.Field{"deleted": field(`null`)}}, []string{"deleted"}},
		{"unknown type stops", sync.Doc{ID: "bad id", Type: "memo", Fields: map[string]sync.Field{"x": field(`1`)}}, []string{"id", "type"}},
		{"one problem for the id", sync.Doc{ID: "bad id", Type: "note"}, []string{"id"}},
		{"the schema's id rule", sync.Doc{ID: "m1", Type: "note"}, []string{"id"}},
		{"fields by name", sync.Doc{ID: "n1", Type: "note", Fields: map[string]sync.Field{
			"text": field(`1`), "a": field(`1`), "deleted": {Value: json.RawMessage(`true`), TS: "bad"}}},
			[]string{"a", "deleted", "text"}},
		{"value made canonical first", sync.Doc{ID: "n1", Type: "note", Fields: map[string]sync.Field{"text": field(` "x" `)}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := sync.Validate(tc.doc, noteSchema{})
			var errs sync.ValidationErrors
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if !errors.As(err, &errs) {
				t.Fatalf("Validate = %v, want ValidationErrors", err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors about %q, want %q (%v)", got, tc.want, err)
			}
		})
	}
	// The decoder asks the same schema.
	b := body(`{"id":"n1","type":"note","fields":{"text":{"value":"hi","ts":"` + ts1 + `"}}}`)
	if req, err := sync.DecodePushRequest([]byte(b), noteSchema{}); err != nil || len(req.Docs) != 1 {
		t.Errorf("DecodePushRequest = %+v, %v", req, err)
	}
}
