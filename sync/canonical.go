package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// maxValueDepth bounds how deeply arrays and objects nest in one field
// value. The schemas need two levels (an array of objects); the bound
// keeps hostile input from recursing deeply.
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
	var c canonicalizer
	v, err := c.appendValue(nil, dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
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

// canonicalizer writes the canonical form of the values a decoder reads.
// jsontext formats scalars exactly as the canonical form wants them
// (RFC 8785 numbers and minimal strings, plus the escapes of
// encoding/json), except that it writes a number beyond float64 as the
// largest float64, which is refused here instead. Objects are sorted here
// too: RFC 8785 sorts names by UTF-16 code units, the canonical form by
// code point.
//
// Its zero value is ready; its scratch space serves one value after
// another.
type canonicalizer struct {
	members []member // of the objects being read, innermost last
	scratch []byte   // the names and texts of members
}

// member is one member of an object: scratch[key:text] holds its name,
// scratch[text:end] the member in canonical form ("name":value).
type member struct{ key, text, end int }

// appendValue appends the canonical form of the next value of dec.
func (c *canonicalizer) appendValue(dst []byte, dec *jsontext.Decoder) ([]byte, error) {
	return c.appendNext(dst, dec, -1)
}

// appendNext appends the canonical form of the next value of dec, which
// is depth+1 levels below the field value.
func (c *canonicalizer) appendNext(dst []byte, dec *jsontext.Decoder, depth int) ([]byte, error) {
	switch dec.PeekKind() {
	case '[':
		return c.appendArray(dst, dec, depth+1)
	case '{':
		return c.appendObject(dst, dec, depth+1)
	}
	v, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	return appendScalar(dst, v)
}

func (c *canonicalizer) appendArray(dst []byte, dec *jsontext.Decoder, depth int) ([]byte, error) {
	if depth >= maxValueDepth {
		return nil, errTooDeep
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	dst = append(dst, '[')
	for i := 0; dec.PeekKind() != ']'; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = c.appendNext(dst, dec, depth); err != nil {
			return nil, err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	return append(dst, ']'), nil
}

// appendObject writes the members into scratch as they come, then appends
// them to dst in order of their names.
func (c *canonicalizer) appendObject(dst []byte, dec *jsontext.Decoder, depth int) ([]byte, error) {
	if depth >= maxValueDepth {
		return nil, errTooDeep
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	base, scratch := len(c.members), len(c.scratch)
	defer func() { c.members, c.scratch = c.members[:base], c.scratch[:scratch] }()
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		m := member{key: len(c.scratch)}
		if isCanonicalString(name) {
			// Its text and its canonical form are the name as sent.
			c.scratch = append(c.scratch, name[1:len(name)-1]...)
			m.text = len(c.scratch)
			c.scratch = append(c.scratch, name...)
		} else {
			c.scratch = append(c.scratch, unquote(name)...)
			m.text = len(c.scratch)
			text, err := appendScalar(c.scratch, name)
			if err != nil {
				return nil, err
			}
			c.scratch = text
		}
		c.scratch = append(c.scratch, ':')
		if kind := dec.PeekKind(); kind == '[' || kind == '{' {
			// A nested composite uses scratch itself: write it apart.
			v, err := c.appendNext(nil, dec, depth)
			if err != nil {
				return nil, err
			}
			c.scratch = append(c.scratch, v...)
		} else {
			text, err := c.appendNext(c.scratch, dec, depth)
			if err != nil {
				return nil, err
			}
			c.scratch = text
		}
		m.end = len(c.scratch)
		c.members = append(c.members, m)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	members := c.members[base:]
	name := func(m member) []byte { return c.scratch[m.key:m.text] }
	byName := func(a, b member) int { return bytes.Compare(name(a), name(b)) }
	if !slices.IsSortedFunc(members, byName) {
		slices.SortFunc(members, byName)
	}
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, c.scratch[m.text:m.end]...)
	}
	return append(dst, '}'), nil
}

// appendScalar appends the canonical form of v, a literal, number or
// string that a decoder has read.
func appendScalar(dst []byte, v jsontext.Value) ([]byte, error) {
	switch v.Kind() {
	case '0':
		if isCanonicalInt(v) {
			return append(dst, v...), nil
		}
		if _, err := strconv.ParseFloat(string(v), 64); err != nil {
			return nil, fmt.Errorf("number %s out of range", truncate(string(v)))
		}
	case '"':
		if isCanonicalString(v) {
			return append(dst, v...), nil
		}
	case 'n', 't', 'f':
		return append(dst, v...), nil
	}
	return jsontext.AppendFormat(dst, v,
		jsontext.AllowInvalidUTF8(true),
		jsontext.CanonicalizeRawInts(true),
		jsontext.CanonicalizeRawFloats(true),
		jsontext.EscapeForHTML(true),
		jsontext.EscapeForJS(true))
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
// without escapes, < > & or U+2028/U+2029. Its text is then the bytes
// between the quotes.
//
// Most strings of a push are a few ASCII characters (names, stamps, enum
// values), for which one pass over the bytes costs a third of a search
// per character class (docs/benchmarks.md); past the first non-ASCII byte
// the rest is searched.
func isCanonicalString(v jsontext.Value) bool {
	for i, c := range v {
		switch {
		case c == '\\' || c == '<' || c == '>' || c == '&':
			return false
		case c >= utf8.RuneSelf:
			rest := v[i:]
			return bytes.IndexByte(rest, '\\') < 0 && !NeedsHTMLEscape(rest) && utf8.Valid(rest)
		}
	}
	return true
}

// unquote returns the text of a JSON string that a decoder has read: a
// slice of it when it has no escapes. Lone surrogate escapes and invalid
// UTF-8 become U+FFFD.
func unquote(raw jsontext.Value) []byte {
	if isCanonicalString(raw) {
		return raw[1 : len(raw)-1]
	}
	// The error reports invalid UTF-8, which unquoting has replaced.
	b, _ := jsontext.AppendUnquote(nil, raw)
	return b
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
