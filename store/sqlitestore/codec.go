package sqlitestore

import (
	"bytes"
	"encoding/json"

	"github.com/hit4x4/dagbok/sync"
)

// encodeFields is the canonical JSON of a document's fields as stored:
// keys sorted, values compacted, no HTML escaping. Equal fields give equal
// bytes, which is how a push tells an unchanged document.
func encodeFields(fields map[string]sync.Field) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if fields == nil {
		fields = map[string]sync.Field{}
	}
	if err := enc.Encode(fields); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decodeFields is the inverse of encodeFields.
func decodeFields(b []byte) (map[string]sync.Field, error) {
	var fields map[string]sync.Field
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	return fields, nil
}
