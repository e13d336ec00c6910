package sync

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxValueDepth bounds nesting inside one field value. The schemas need two
// levels (an array of objects); the bound keeps hostile input from recursing
// deeply.
const maxValueDepth = 16

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
	v, err := parseValue(raw)
	if err != nil {
		return nil, err
	}
	return appendValue(nil, v), nil
}

// EncodeValue marshals v with encoding/json and returns its canonical form.
func EncodeValue(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return CanonicalValue(raw)
}

// parseValue parses exactly one JSON value (surrounding whitespace allowed)
// into nil, bool, *float64, string, []any or object.
func parseValue(raw []byte) (any, error) {
	p := parser{data: raw}
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.pos != len(p.data) {
		return nil, p.fail("unexpected data after the JSON value")
	}
	return v, nil
}

// parseError is a JSON syntax error at a byte offset.
type parseError struct {
	offset int
	msg    string
}

func (e *parseError) Error() string { return e.msg }

// parser is a strict RFC 8259 JSON parser over a byte slice. It is
// stricter than encoding/json in one way only: duplicate object keys are an
// error.
type parser struct {
	data []byte
	pos  int
	// text, when set, is data as a string and data is known to be valid
	// UTF-8: a string without escapes is then cut from text, neither
	// copied nor allocated.
	text string
	nums []float64 // the numbers parsed, allocated in chunks (see box)
}

func (p *parser) fail(msg string) error {
	return &parseError{offset: p.pos, msg: msg}
}

// ws skips whitespace.
func (p *parser) ws() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// next returns the next byte after whitespace without consuming it, or 0
// at the end.
func (p *parser) next() byte {
	p.ws()
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

// expect consumes byte c after whitespace.
func (p *parser) expect(c byte) error {
	if p.next() != c {
		if p.pos == len(p.data) {
			return p.fail("unexpected end of input")
		}
		return p.fail(fmt.Sprintf("want %q", c))
	}
	p.pos++
	return nil
}

// value parses the value starting at pos (no leading whitespace).
func (p *parser) value(depth int) (any, error) {
	if depth > maxValueDepth {
		return nil, p.fail(fmt.Sprintf("value nested deeper than %d levels", maxValueDepth))
	}
	if p.pos >= len(p.data) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.objectValue(depth)
	case c == '[':
		p.pos++
		a := make([]any, 0, 4) // one allocation for short arrays (the intervals)
		if p.next() == ']' {
			p.pos++
			return a, nil
		}
		for {
			p.ws()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
			switch p.next() {
			case ',':
				p.pos++
			case ']':
				p.pos++
				return a, nil
			default:
				return nil, p.fail("want ',' or ']' in an array")
			}
		}
	case c == '"':
		return p.string()
	case c == '-' || '0' <= c && c <= '9':
		f, err := p.number()
		if err != nil {
			return nil, err
		}
		return p.box(f), nil
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, p.fail("want a JSON value")
}

// object is a parsed JSON object: its members sorted by key (UTF-8 byte
// order), each key once. A slice costs one allocation where a map costs
// several, and keeps the order the canonical form needs.
type object []member

type member struct {
	key   string
	value any
}

// manyKeys is the size from which objectValue looks for repeated keys in a
// map instead of the members themselves.
const manyKeys = 16

// objectValue parses an object at pos into an object.
func (p *parser) objectValue(depth int) (object, error) {
	o := make(object, 0, 4)  // one allocation for small objects (an interval)
	var keys map[string]bool // of a large object
	err := p.object(func(key string) error {
		repeated := keys[key]
		if keys == nil { // a small object: look through its members
			repeated = slices.ContainsFunc(o, func(m member) bool { return m.key == key })
		}
		if repeated {
			return p.fail(fmt.Sprintf("duplicate key %q", truncate(key)))
		}
		v, err := p.value(depth + 1)
		o = append(o, member{key, v})
		switch {
		case keys != nil:
			keys[key] = true
		case len(o) == manyKeys:
			keys = make(map[string]bool, 2*manyKeys)
			for _, m := range o {
				keys[m.key] = true
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	byKey := func(a, b member) int { return strings.Compare(a.key, b.key) }
	if !slices.IsSortedFunc(o, byKey) {
		slices.SortFunc(o, byKey)
	}
	return o, nil
}

// object parses an object at pos, calling member after each key and its
// colon; member parses the value. Keys repeated are for member to refuse.
func (p *parser) object(member func(key string) error) error {
	if err := p.expect('{'); err != nil {
		return err
	}
	if p.next() == '}' {
		p.pos++
		return nil
	}
	for {
		if p.next() != '"' {
			return p.fail("want a string key")
		}
		key, err := p.string()
		if err != nil {
			return err
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		p.ws()
		if err := member(key); err != nil {
			return err
		}
		switch p.next() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return nil
		default:
			return p.fail("want ',' or '}' in an object")
		}
	}
}

// box returns f as a number of the parse tree: a pointer into a chunk of
// numbers, so that a number costs no allocation of its own (an interface
// holding a float64 would).
func (p *parser) box(f float64) *float64 {
	if len(p.nums) == cap(p.nums) {
		// Chunks grow from 4 to 64 numbers: a single value costs little,
		// a push of many documents few allocations.
		p.nums = make([]float64, 0, min(max(2*cap(p.nums), 4), 64))
	}
	p.nums = append(p.nums, f)
	return &p.nums[len(p.nums)-1]
}

func (p *parser) literal(word string) error {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return p.fail("want a JSON value")
	}
	p.pos += len(word)
	return nil
}

func (p *parser) digits() int {
	start := p.pos
	for p.pos < len(p.data) && '0' <= p.data[p.pos] && p.data[p.pos] <= '9' {
		p.pos++
	}
	return p.pos - start
}

// number parses -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? as float64.
func (p *parser) number() (float64, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '0' {
		p.pos++
	} else if p.digits() == 0 {
		return 0, p.fail("malformed number")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return 0, p.fail("malformed number")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return 0, p.fail("malformed number")
		}
	}
	if n := p.pos - start; n <= 15 {
		// Fast path for plain integers, exact in a float64.
		if v, ok := smallInt(p.data[start:p.pos]); ok {
			return v, nil
		}
	}
	lit := string(p.data[start:p.pos])
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) {
		p.pos = start
		return 0, p.fail(fmt.Sprintf("number %s out of range", truncate(lit)))
	}
	return f, nil
}

// smallInt parses -?[0-9]+ of at most 15 digits exactly.
func smallInt(b []byte) (float64, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -float64(n), true // -0 stays -0, as ParseFloat gives
	}
	return float64(n), true
}

// string parses a string at pos. Invalid UTF-8 and lone surrogate escapes
// become U+FFFD, as in encoding/json.
func (p *parser) string() (string, error) {
	p.pos++ // '"'
	start := p.pos
	// Fast path: no escapes, and plain ASCII unless the input is known to
	// be valid UTF-8.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			var s string
			if p.text != "" {
				s = p.text[start:p.pos]
			} else if s2, ok := known(p.data[start:p.pos]); ok {
				s = s2
			} else {
				s = string(p.data[start:p.pos])
			}
			p.pos++
			return s, nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf && p.text == "" {
			break
		}
		p.pos++
	}
	b := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(b), nil
		case c < 0x20:
			return "", p.fail("control character in a string")
		case c == '\\':
			r, err := p.escape()
			if err != nil {
				return "", err
			}
			b = utf8.AppendRune(b, r)
		case c < utf8.RuneSelf:
			b = append(b, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			b = utf8.AppendRune(b, r) // RuneError for invalid bytes
			p.pos += size
		}
	}
	return "", p.fail("unterminated string")
}

// known returns the strings every pushed document repeats (the keys of
// the envelope, documents and fields, the types, the schemas' field names
// and interval keys) without allocating a copy.
func known(b []byte) (string, bool) {
	switch string(b) { // no allocation: the compiler compares the bytes
	case "value":
		return "value", true
	case "ts":
		return "ts", true
	case "id":
		return "id", true
	case "type":
		return "type", true
	case "fields":
		return "fields", true
	case "batchId":
		return "batchId", true
	case "docs":
		return "docs", true
	case "session":
		return "session", true
	case "plan":
		return "plan", true
	case "protocol":
		return "protocol", true
	case "startedAt":
		return "startedAt", true
	case "durationMin":
		return "durationMin", true
	case "intervals":
		return "intervals", true
	case "rpe":
		return "rpe", true
	case "hrPeak":
		return "hrPeak", true
	case "hrAvg":
		return "hrAvg", true
	case "sessionRpe":
		return "sessionRpe", true
	case "moodBefore":
		return "moodBefore", true
	case "moodAfter":
		return "moodAfter", true
	case "note":
		return "note", true
	case "deleted":
		return "deleted", true
	case "sessionsPerWeek":
		return "sessionsPerWeek", true
	case "days":
		return "days", true
	case "time":
		return "time", true
	case "4x4":
		return "4x4", true
	}
	return "", false
}

// escape parses one escape sequence at pos, joining surrogate pairs.
func (p *parser) escape() (rune, error) {
	if p.pos+1 >= len(p.data) {
		return 0, p.fail("unterminated string")
	}
	c := p.data[p.pos+1]
	p.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		r, ok := p.hex4(p.pos)
		if !ok {
			return 0, p.fail("malformed \\u escape")
		}
		p.pos += 4
		if utf16.IsSurrogate(r) {
			if r2, ok := p.hex4(p.pos + 2); ok && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					p.pos += 6
					return dec, nil
				}
			}
			return utf8.RuneError, nil
		}
		return r, nil
	}
	p.pos -= 2
	return 0, p.fail("malformed escape")
}

// hex4 reads four hex digits at i.
func (p *parser) hex4(i int) (rune, bool) {
	if i+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// appendValue appends the canonical form of a parsed value.
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case *float64:
		return appendFloat(b, *v)
	case string:
		return appendString(b, v)
	case []any:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, x)
		}
		return append(b, ']')
	case object:
		b = append(b, '{')
		for i, m := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.key)
			b = append(b, ':')
			b = appendValue(b, m.value)
		}
		return append(b, '}')
	}
	panic(fmt.Sprintf("sync: appendValue of %T", v)) // unreachable: parseValue makes only the types above
}

// appendFloat writes f as ECMAScript's Number::toString does (and
// encoding/json too): fixed notation for 1e-6 <= |f| < 1e21, otherwise
// exponent notation without a leading zero in the exponent.
func appendFloat(b []byte, f float64) []byte {
	if f == 0 {
		return append(b, '0') // also -0
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(b, int64(f), 10) // what 'f' gives, faster
	}
	format := byte('f')
	if a := math.Abs(f); a < 1e-6 || a >= 1e21 {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// "1e-07" → "1e-7"
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
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

const hexDigits = "0123456789abcdef"

// appendString appends s as a canonical JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = utf8.AppendRune(b, utf8.RuneError)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
