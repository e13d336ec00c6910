package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// maxValueDepth bounds how deeply arrays and objects nest in one field
// value. The schemas need two
// levels (an array of objects); the bound keeps hostile input from recursing
// deeply.
const maxValueDepth = 16

// errTooDeep reports a field value nested deeper than maxValueDepth.
var errTooDeep = fmt.Errorf("value nested deeper than %d levels", maxValueDepth)

// CanonicalValue returns the canonical encoding of one JSON value, the form
// in which every field value is stored and compared:
//
//   - no whitespace; object keys sorted by Unicode code point (UTF-8 byte
//     order); duplicate keys are an error;
//   - numbers as the shortest decimal that reads back as the same float64,
//     written the way ECMAScript's Number.prototype.toString writes it
//     ("1e+21", "1e-7", "0.000001", -0 as "0"); numbers beyond float64 are
//     an error;
//   - strings with \" \\ \b \f \n \r \t, \u00xx for other control
//     characters, \u003c \u003e \u0026 for < > &, \u2028 \u2029, and every
//     other character literal; invalid UTF-8 and lone surrogate escapes
//     become U+FFFD.
//
// This is exactly what encoding/json writes for the same value, so a
// canonical value survives json.Marshal and json.Unmarshal byte for byte,
// and pwa/js/merge.js's canonical() produces the same bytes.
func CanonicalValue(raw []byte) (json.RawMessage, error) {
	dec := newDecoder(raw)
	v, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return appendCanonical(nil, v)
}

// EncodeValue marshals v with encoding/json and returns its canonical form.
func EncodeValue(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return CanonicalValue(raw)
}

// newDecoder returns a strict decoder of data: RFC 8259 grammar, duplicate
// object names refused. Lone surrogate escapes and invalid UTF-8 are read
// as U+FFFD, as browsers and encoding/json read them; a push body is
// checked for UTF-8 before.
func newDecoder(data []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewBuffer(data), jsontext.AllowInvalidUTF8(true))
}

// appendCanonical appends the canonical form of v, one JSON value that a
// decoder has read (so well-formed, without duplicate names).
//
// jsontext formats values exactly as the canonical form wants them
// (RFC 8785 numbers and minimal strings, plus the escapes of
// encoding/json), with two exceptions handled here: it sorts object names
// by UTF-16 code units where the canonical form sorts by code point, and
// it writes a number beyond float64 as the largest float64.
func appendCanonical(dst []byte, v jsontext.Value) ([]byte, error) {
	switch v.Kind() {
	case '{', '[':
		if !sortsAlike(v) {
			return appendComposite(dst, newDecoder(v), 0)
		}
		at := len(dst)
		dst, err := jsontext.AppendFormat(dst, v, canonicalOptions(true))
		switch {
		case err != nil:
			return nil, err
		case nesting(dst[at:]) > maxValueDepth:
			return nil, errTooDeep
		case bytes.Contains(dst[at:], []byte(maxFloat)):
			// A number may have been clamped: find it, slowly.
			return appendComposite(dst[:at], newDecoder(v), 0)
		}
		return dst, nil
	case '0':
		if isCanonicalInt(v) {
			return append(dst, v...), nil
		}
		if err := checkFloat(v); err != nil {
			return nil, err
		}
	case '"':
		if isCanonicalString(v) {
			return append(dst, v...), nil
		}
	}
	return jsontext.AppendFormat(dst, v, canonicalOptions(false))
}

// canonicalOptions are the options of jsontext.AppendFormat that write the
// canonical form; reorder sorts object members (by UTF-16 code units).
func canonicalOptions(reorder bool) jsontext.Options {
	return jsonv2.JoinOptions(
		jsontext.AllowInvalidUTF8(true),
		jsontext.CanonicalizeRawInts(true),
		jsontext.CanonicalizeRawFloats(true),
		jsontext.EscapeForHTML(true),
		jsontext.EscapeForJS(true),
		jsontext.ReorderRawObjects(reorder))
}

// maxFloat is how jsontext writes the largest float64, and any number
// beyond it.
const maxFloat = "1.7976931348623157e+308"

// sortsAlike reports whether the names in v sort the same by UTF-16 code
// units as by code point: they do unless a character beyond U+FFFF (four
// bytes in UTF-8, or an escaped surrogate pair) meets one of U+E000–U+FFFF.
func sortsAlike(v jsontext.Value) bool {
	for _, c := range v {
		if c == '\\' || c >= 0xF0 {
			return false
		}
	}
	return true
}

// nesting returns how deeply arrays and objects nest in v, a compact and
// well-formed JSON value: 0 for a scalar.
func nesting(v []byte) int {
	depth, most, inString := 0, 0, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case inString && c == '\\':
			i++ // the escaped character
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			most = max(most, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return most
}

// checkFloat refuses a number beyond float64, which jsontext would write
// as the largest float64 instead.
func checkFloat(v jsontext.Value) error {
	if _, err := strconv.ParseFloat(string(v), 64); err != nil {
		return fmt.Errorf("number %s out of range", truncate(string(v)))
	}
	return nil
}

// isCanonicalInt reports whether the JSON number v is already in canonical
// form, as the numbers clients send usually are: an integer of at most 15
// digits (exact in a float64) other than -0.
func isCanonicalInt(v jsontext.Value) bool {
	if len(v) > 15 || string(v) == "-0" {
		return false
	}
	for i, c := range v {
		if (c < '0' || c > '9') && (c != '-' || i > 0) {
			return false
		}
	}
	return true
}

// isCanonicalString reports whether the JSON string v is already in
// canonical form, as the strings clients send usually are: valid UTF-8
// without escapes, < > & or U+2028/U+2029.
func isCanonicalString(v jsontext.Value) bool {
	return bytes.IndexByte(v, '\\') < 0 && !NeedsHTMLEscape(v) && utf8.Valid(v)
}

// member is one member of an object: its name, and the member in
// canonical form ("name":value).
type member struct {
	key  string
	text []byte
}

// appendComposite appends the canonical form of the array or object dec
// is at, depth levels below the field value.
func appendComposite(dst []byte, dec *jsontext.Decoder, depth int) ([]byte, error) {
	if depth >= maxValueDepth {
		return nil, errTooDeep
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	if tok.Kind() == '[' {
		dst = append(dst, '[')
		for i := 0; dec.PeekKind() != ']'; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendNext(dst, dec, depth); err != nil {
				return nil, err
			}
		}
		_, err := dec.ReadToken()
		return append(dst, ']'), err
	}
	var members []member
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		key := unquote(name)
		text, err := appendCanonical(nil, name)
		if err != nil {
			return nil, err
		}
		if text, err = appendNext(append(text, ':'), dec, depth); err != nil {
			return nil, err
		}
		members = append(members, member{string(key), text})
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, m.text...)
	}
	return append(dst, '}'), nil
}

// appendNext appends the canonical form of the next value of dec, an
// element or member of a composite depth levels down.
func appendNext(dst []byte, dec *jsontext.Decoder, depth int) ([]byte, error) {
	switch dec.PeekKind() {
	case '{', '[':
		return appendComposite(dst, dec, depth+1)
	}
	v, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	return appendCanonical(dst, v)
}

// NeedsHTMLEscape reports whether b holds what the canonical form, like
// encoding/json, writes as an escape where it could stand for itself in
// JSON: < > & or U+2028/U+2029 (E2 80 A8/A9 in UTF-8). A JSON text without
// them is its own json.HTMLEscape.
func NeedsHTMLEscape(b []byte) bool {
	if bytes.IndexByte(b, '<') >= 0 || bytes.IndexByte(b, '>') >= 0 || bytes.IndexByte(b, '&') >= 0 {
		return true
	}
	for i := bytes.IndexByte(b, 0xE2); i >= 0; {
		if len(b)-i >= 3 && b[i+1] == 0x80 && b[i+2]&^1 == 0xA8 {
			return true
		}
		j := bytes.IndexByte(b[i+1:], 0xE2)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}
