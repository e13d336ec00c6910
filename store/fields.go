package store

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/hit4x4/dagbok/sync"
)

// EncodeFields returns the stored form of a document's fields (see
// StoredDoc): the bytes encoding/json wrote for the map without HTML
// escaping, the form the stores have always kept, apart from a name or
// stamp holding U+2028, U+2029 or invalid UTF-8, which encoding/json wrote
// escaped and this writes as the characters (they decode the same). Equal
// fields give equal bytes; a push tells an unchanged document by them.
//
// It runs for every document pushed, so it writes the object's frame
// itself and leaves the names, stamps and values to the JSON library's
// quoting and formatting: a quarter of the time json.Marshal of the map
// takes (docs/benchmarks.md).
func EncodeFields(fields map[string]sync.Field) (jsontext.Value, error) {
	names := make([]string, 0, len(fields))
	size := len("{}")
	for name, f := range fields {
		names = append(names, name)
		size += len(name) + len(f.Value) + len(f.TS) + len(`"":{"value":,"ts":""},`)
	}
	slices.Sort(names)
	return appendFields(make([]byte, 0, size), names, fields)
}

// appendFields appends the stored form of fields to b; names are the
// fields' names, sorted.
func appendFields(b []byte, names []string, fields map[string]sync.Field) ([]byte, error) {
	b = append(b, '{')
	for i, name := range names {
		f := fields[name]
		if i > 0 {
			b = append(b, ',')
		}
		// Invalid UTF-8 in a name or stamp becomes U+FFFD, as it did.
		b, _ = jsontext.AppendQuote(b, name)
		b = append(b, `:{"value":`...)
		if len(f.Value) == 0 {
			b = append(b, "null"...)
		} else {
			var err error
			// Written as it came but for whitespace, escapes and all:
			// merge breaks ties on the bytes.
			b, err = jsontext.AppendFormat(b, f.Value, jsontext.PreserveRawStrings(true), jsontext.AllowInvalidUTF8(true))
			if err != nil {
				return nil, fmt.Errorf("encode field %q: %w", name, err)
			}
		}
		b = append(b, `,"ts":`...)
		b, _ = jsontext.AppendQuote(b, f.TS)
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// A FieldsWriter writes the stored form of one document after another
// (EncodeFields), reusing its buffers, and keeps no copy of a document
// whose fields arrived in that form: a pushed document's SentFields, when
// they are byte for byte what EncodeFields writes, are returned as they
// are (a slice of the push body, which lives as long as the push). A
// client that sends names in order and "value" before "ts", without
// spaces, sends that form. Its zero value is ready.
type FieldsWriter struct {
	names   []string
	scratch []byte
}

// Stored returns the stored form of d's fields.
func (w *FieldsWriter) Stored(d sync.Doc) (jsontext.Value, error) {
	if len(d.SentFields) == 0 {
		return EncodeFields(d.Fields)
	}
	w.names = w.names[:0]
	for name := range d.Fields {
		w.names = append(w.names, name)
	}
	slices.Sort(w.names)
	b, err := appendFields(w.scratch[:0], w.names, d.Fields)
	if err != nil {
		return nil, err
	}
	w.scratch = b
	clear(w.names) // hold no names of this push after it
	if bytes.Equal(b, d.SentFields) {
		return jsontext.Value(d.SentFields), nil
	}
	return bytes.Clone(b), nil
}

// DecodeFields reads the stored form of a document's fields. It reads
// every document a store has written, including values that encoding/json
// let through with invalid UTF-8 inside strings.
func DecodeFields(b []byte) (map[string]sync.Field, error) {
	var fields map[string]sync.Field
	if err := json.Unmarshal(b, &fields, jsontext.AllowInvalidUTF8(true)); err != nil {
		return nil, fmt.Errorf("decode stored fields: %w", err)
	}
	return fields, nil
}
