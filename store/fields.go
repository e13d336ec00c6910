package store

import (
	"bytes"
	"fmt"
	"slices"
	"unicode/utf8"

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
	defer clear(w.names) // hold no names of this push after it
	if isStoredForm(d.SentFields, w.names, d.Fields) {
		return jsontext.Value(d.SentFields), nil
	}
	b, err := appendFields(w.scratch[:0], w.names, d.Fields)
	if err != nil {
		return nil, err
	}
	w.scratch = b
	return bytes.Clone(b), nil
}

// isStoredForm reports whether sent is byte for byte what appendFields
// writes for fields (names sorted), without writing it: the frame around
// each field is compared in place, and the names, stamps and values are
// compared as they are. It answers false, and leaves the decision to
// appendFields, for a name or stamp that the JSON library would escape and
// for an absent value. A value is written as it came (Field.Value is
// compact JSON), so equal bytes are its stored form.
func isStoredForm(sent []byte, names []string, fields map[string]sync.Field) bool {
	c := cutter{rest: sent, ok: true}
	c.cut("{")
	for i, name := range names {
		f := fields[name]
		if len(f.Value) == 0 || !quotesAsItself(name) || !quotesAsItself(f.TS) {
			return false
		}
		if i > 0 {
			c.cut(",")
		}
		c.cut(`"`)
		c.cut(name)
		c.cut(`":{"value":`)
		c.cutBytes(f.Value)
		c.cut(`,"ts":"`)
		c.cut(f.TS)
		c.cut(`"}`)
		if !c.ok {
			return false
		}
	}
	c.cut("}")
	return c.ok && len(c.rest) == 0
}

// cutter takes expected prefixes off rest in turn; ok turns false at the
// first that is not there, and stays false.
type cutter struct {
	rest []byte
	ok   bool
}

func (c *cutter) cut(prefix string) {
	c.ok = c.ok && len(c.rest) >= len(prefix) && string(c.rest[:len(prefix)]) == prefix
	if c.ok {
		c.rest = c.rest[len(prefix):]
	}
}

func (c *cutter) cutBytes(prefix []byte) {
	c.ok = c.ok && bytes.HasPrefix(c.rest, prefix)
	if c.ok {
		c.rest = c.rest[len(prefix):]
	}
}

// quotesAsItself reports whether the JSON library quotes s as `"` + s +
// `"`: valid UTF-8 without control characters, quotes or backslashes.
func quotesAsItself(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.ValidString(s)
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
