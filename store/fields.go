package store

import (
	"fmt"

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
func EncodeFields(fields map[string]sync.Field) (jsontext.Value, error) {
	b, err := json.Marshal(fields,
		json.Deterministic(true), // names sorted
		// Values are written as they came but for whitespace, escapes
		// and all: merge breaks ties on their bytes.
		jsontext.PreserveRawStrings(true),
		// Like encoding/json, write invalid UTF-8 in a name or stamp as
		// U+FFFD rather than refuse it.
		jsontext.AllowInvalidUTF8(true))
	if err != nil {
		return nil, fmt.Errorf("encode fields: %w", err)
	}
	return b, nil
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
