package sqlitestore

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unsafe"

	"github.com/hit4x4/dagbok/sync"
)

// The fields of a document are stored as one JSON object, the canonical
// form of map[string]sync.Field as encoding/json writes it without HTML
// escaping: {"name":{"value":<value>,"ts":"<ts>"},…}, names sorted, no
// whitespace. Equal fields give equal bytes, which is how a push tells an
// unchanged document.
//
// Encoding and decoding run on every document pushed or pulled, so both
// have a fast path for what the store itself writes (plain names and
// stamps, compact values) and fall back to encoding/json for anything else.

// encodeFields returns the stored form of a document's fields.
func encodeFields(fields map[string]sync.Field) ([]byte, error) {
	type named struct {
		name string
		f    sync.Field
	}
	var buf [16]named // no allocation for the usual handful of fields
	list := buf[:0]
	size := 2
	for name, f := range fields {
		if !plain(name) || !plain(f.TS) || !compact(f.Value) {
			return encodeFieldsJSON(fields)
		}
		list = append(list, named{name, f})
		size += len(name) + len(f.TS) + len(f.Value) + len(`"":{"value":,"ts":""},`)
	}
	if len(list) <= len(buf) {
		// Insertion sort: a document has few fields.
		for i := 1; i < len(list); i++ {
			for j := i; j > 0 && list[j].name < list[j-1].name; j-- {
				list[j], list[j-1] = list[j-1], list[j]
			}
		}
	} else {
		slices.SortFunc(list, func(a, b named) int { return strings.Compare(a.name, b.name) })
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, n := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, n.name...)
		b = append(b, `":{"value":`...)
		b = append(b, n.f.Value...)
		b = append(b, `,"ts":"`...)
		b = append(b, n.f.TS...)
		b = append(b, `"}`...)
	}
	return append(b, '}'), nil
}

// encodeFieldsJSON is the general encoder: same bytes as encodeFields
// where both apply.
func encodeFieldsJSON(fields map[string]sync.Field) ([]byte, error) {
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

// plain reports whether s is written in JSON as itself between quotes:
// printable ASCII without '"' or '\'. Field names and HLC stamps are.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// compact reports whether v is one valid JSON value without whitespace
// outside strings, so encoding/json would write it unchanged.
func compact(v []byte) bool {
	end, ok := scanCompact(v, 0, 0)
	return ok && end == len(v)
}

// maxCompactDepth bounds the nesting scanCompact follows; deeper values
// take the encoding/json path.
const maxCompactDepth = 32

// scanCompact validates the compact JSON value starting at b[i] and returns
// the index just past it.
func scanCompact(b []byte, i, depth int) (end int, ok bool) {
	if i >= len(b) || depth > maxCompactDepth {
		return 0, false
	}
	switch c := b[i]; {
	case c == '"':
		return scanString(b, i)
	case c == '{' || c == '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i++
		if i < len(b) && b[i] == closing {
			return i + 1, true
		}
		for {
			if c == '{' {
				if i, ok = scanString(b, i); !ok || i >= len(b) || b[i] != ':' {
					return 0, false
				}
				i++
			}
			if i, ok = scanCompact(b, i, depth+1); !ok || i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case ',':
				i++
			case closing:
				return i + 1, true
			default:
				return 0, false
			}
		}
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	}
	return scanNumber(b, i)
}

func literal(b []byte, i int, word string) (int, bool) {
	if len(b)-i >= len(word) && string(b[i:i+len(word)]) == word {
		return i + len(word), true
	}
	return 0, false
}

// scanString validates the string starting at b[i] == '"'.
func scanString(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return 0, false
		case c == '\\':
			i++
			if i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i < 5 {
					return 0, false
				}
				for _, h := range b[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return 0, false
					}
				}
				i += 4
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

// scanNumber validates -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? at b[i].
func scanNumber(b []byte, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

// skipValue returns the index just past the JSON value starting at b[i].
// It follows strings and nesting only (json.Valid does the full check where
// needed); ok is false when the value is cut short or has whitespace
// outside strings.
func skipValue(b []byte, i int) (end int, ok bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end, ok := skipString(b, i)
				if !ok {
					return 0, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			case ' ', '\t', '\n', '\r':
				return 0, false
			}
			i++
		}
		return 0, false
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', '}', ']':
			return j, j > i
		case ' ', '\t', '\n', '\r':
			return 0, false
		}
		j++
	}
	return j, j > i
}

// skipString returns the index just past the string starting at b[i].
func skipString(b []byte, i int) (end int, ok bool) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, false
		}
		j += k
		// The quote ends the string unless an odd number of backslashes
		// escape it.
		n := 0
		for m := j - 1; m > i && b[m] == '\\'; m-- {
			n++
		}
		if n%2 == 0 {
			return j + 1, true
		}
		j++
	}
}

// appendWireDoc appends the wire form of a stored document (see
// store.EncodedPage): what encoding/json writes for the sync.Doc with ID
// id, type typ and the fields decodeFields reads from fields.
//
// The stored fields are already encoding/json's form of the map, only
// without HTML escaping, and decoding then encoding them again gives the
// same bytes but for two things: < > & and U+2028/U+2029 get escaped,
// which json.HTMLEscape does here, and a name or stamp stored with invalid
// UTF-8 (written as \ufffd) would come back as a literal U+FFFD. That
// rare case is encoded the long way.
func appendWireDoc(b, id, typ, fields []byte) ([]byte, error) {
	if bytes.Contains(fields, []byte(`\ufffd`)) {
		decoded, err := decodeFields(bytes.Clone(fields))
		if err != nil {
			return nil, err
		}
		doc, err := json.Marshal(sync.Doc{ID: string(id), Type: string(typ), Fields: decoded})
		if err != nil {
			return nil, err
		}
		return append(b, doc...), nil
	}
	b = append(b, `{"id":`...)
	b = appendJSONString(b, id)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, typ)
	b = append(b, `,"fields":`...)
	if sync.NeedsHTMLEscape(fields) {
		var esc bytes.Buffer
		json.HTMLEscape(&esc, fields)
		b = append(b, esc.Bytes()...)
	} else {
		b = append(b, fields...)
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as encoding/json writes a string: as itself
// between quotes when it is printable ASCII without " \ < > & (document IDs
// and types are), else through json.Marshal.
func appendJSONString(b, s []byte) []byte {
	for _, c := range s {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(string(s)) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

var errFallback = errors.New("not in the store's own form")

// decodeFields is the inverse of encodeFields. The result aliases b, which
// the caller must not change afterwards.
func decodeFields(b []byte) (map[string]sync.Field, error) {
	if fields, err := decodeFieldsFast(b); err == nil {
		return fields, nil
	}
	var fields map[string]sync.Field
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	return fields, nil
}

// decodeFieldsFast parses exactly the form encodeFields writes with plain
// names and stamps; anything else returns errFallback.
func decodeFieldsFast(b []byte) (map[string]sync.Field, error) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, errFallback
	}
	// A session has up to 9 fields.
	fields := make(map[string]sync.Field, 8)
	// Names and stamps are substrings of b viewed as a string, without a
	// copy: the caller hands over b (a fresh copy scanned from the
	// database) and never changes it. Values alias b as well, but no value
	// overlaps a name or a stamp, so even a change to a value's bytes could
	// not change a string.
	s := unsafe.String(unsafe.SliceData(b), len(b))
	i := 1
	if s == "{}" {
		return fields, nil
	}
	for {
		name, next, ok := plainString(s, i)
		if !ok || !hasAt(s, next, `:{"value":`) {
			return nil, errFallback
		}
		i = next + len(`:{"value":`)
		end, ok := skipValue(b, i)
		if !ok || end == i {
			return nil, errFallback
		}
		value := b[i:end:end]
		i = end
		if !hasAt(s, i, `,"ts":`) {
			return nil, errFallback
		}
		ts, next, ok := plainString(s, i+len(`,"ts":`))
		if !ok || !hasAt(s, next, "}") {
			return nil, errFallback
		}
		fields[name] = sync.Field{Value: value, TS: ts}
		i = next + 1
		switch {
		case hasAt(s, i, ","):
			i++
		case i == len(s)-1:
			return fields, nil
		default:
			return nil, errFallback
		}
	}
}

// plainString reads a string without escapes starting at s[i] == '"'.
func plainString(s string, i int) (str string, next int, ok bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	n := strings.IndexByte(s[i+1:], '"')
	if n < 0 {
		return "", 0, false
	}
	str = s[i+1 : i+1+n]
	if strings.IndexByte(str, '\\') >= 0 {
		return "", 0, false
	}
	return str, i + 2 + n, true
}

func hasAt(s string, i int, prefix string) bool {
	return i <= len(s) && len(s)-i >= len(prefix) && s[i:i+len(prefix)] == prefix
}
