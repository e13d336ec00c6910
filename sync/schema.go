package sync

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// A Schema says which documents an application keeps: the types, what id
// each allows, and what each field may hold. Validate and
// DecodePushRequest check what every document shares — a well-formed id,
// a valid timestamp and one JSON value in every field — and ask the
// Schema the rest.
//
// A null value clears a register, and so passes any field but "deleted",
// which marks a tombstone (Doc.Deleted); the Schema's checks never see it.
type Schema interface {
	// CheckType returns whether the schema has documents of type docType,
	// and if it has, why such a document may not have id, or "". A
	// malformed id is reported by the caller; a reason about it is not.
	CheckType(id, docType string) (reason string, known bool)
	// Field returns the check of the named field of documents of type
	// docType, or nil when such documents have no such field.
	Field(docType, name string) FieldCheck
}

// FieldCheck returns why a field cannot hold value, given in canonical
// form (CanonicalValue), or "".
type FieldCheck func(value json.RawMessage) string

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

// Validate checks a document against s: a valid id, a type s knows, only
// fields s knows, each with a valid timestamp and a value s accepts. It
// returns nil or the ValidationErrors of every problem, at most one per
// field: the id, the type, then the fields by name.
func Validate(d Doc, s Schema) error {
	if errs := validateDoc(d, s, false); len(errs) > 0 {
		return ValidationErrors(errs)
	}
	return nil
}

// validateDoc returns every problem of d, at most one per field. canonical
// says that every field value is known to be one canonical JSON value, as
// DecodePushRequest makes them.
func validateDoc(d Doc, s Schema, canonical bool) []ValidationError {
	id := truncate(d.ID)
	bad := func(field, reason string) ValidationError {
		return ValidationError{Doc: id, Field: truncate(field), Reason: reason}
	}
	var errs []ValidationError
	if err := checkID(d.ID); err != nil {
		errs = append(errs, bad("id", "bad document id: "+err.Error()))
	}
	reason, known := s.CheckType(d.ID, d.Type)
	switch {
	case !known:
		return append(errs, bad("type", fmt.Sprintf("unknown document type %q", truncate(d.Type))))
	case reason != "" && len(errs) == 0:
		errs = append(errs, bad("id", reason))
	}
	// The fields are checked in the map's order and their problems sorted
	// by name, so that valid documents, nearly all of them, skip sorting
	// their names (≈ 4 % of decoding a push: docs/benchmarks.md).
	type problem struct{ name, reason string }
	var problems []problem
	for name, f := range d.Fields {
		if reason := checkField(s, d.Type, name, f, canonical); reason != "" {
			problems = append(problems, problem{name, reason})
		}
	}
	slices.SortFunc(problems, func(a, b problem) int { return strings.Compare(a.name, b.name) })
	for _, p := range problems {
		errs = append(errs, bad(p.name, p.reason))
	}
	return errs
}

// checkField returns the problem of field name of a document of type typ,
// or "". canonical is validateDoc's.
func checkField(s Schema, typ, name string, f Field, canonical bool) string {
	check := s.Field(typ, name)
	if check == nil {
		return fmt.Sprintf("unknown field for a %s document", typ)
	}
	if _, err := ParseTimestamp(f.TS); err != nil {
		return "bad timestamp: " + err.Error()
	}
	value := f.Value
	if !canonical {
		if len(value) == 0 {
			return "missing value"
		}
		var err error
		if value, err = CanonicalValue(value); err != nil {
			return "value is not valid JSON: " + err.Error()
		}
	}
	if string(value) == "null" && name != "deleted" {
		return "" // null clears the field
	}
	return check(value)
}
