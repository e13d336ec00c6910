package mongostore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hit4x4/dagbok/sync"
)

// encodeFields renders a document's fields as the JSON string the store
// keeps: names sorted, each value written verbatim, so the exact value
// bytes come back (merge breaks ties on them) and equal fields give equal
// strings, which is how a push tells an unchanged document and how
// compaction recognises a logged state.
func encodeFields(fields map[string]sync.Field) string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		f := fields[name]
		writeString(&b, name)
		b.WriteString(`:{"value":`)
		if len(f.Value) == 0 {
			b.WriteString("null")
		} else {
			b.Write(f.Value)
		}
		b.WriteString(`,"ts":`)
		writeString(&b, f.TS)
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.String()
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}

// decodeFields is the inverse of encodeFields; json.RawMessage keeps each
// value's bytes as written.
func decodeFields(s string) (map[string]sync.Field, error) {
	fields := map[string]sync.Field{}
	if err := json.Unmarshal([]byte(s), &fields); err != nil {
		return nil, fmt.Errorf("decode stored fields: %w", err)
	}
	return fields, nil
}
