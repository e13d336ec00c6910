package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
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
//     other character literal; invalid UTF-8 becomes U+FFFD.
//
// This is exactly what encoding/json writes for the same value, so a
// canonical value survives json.Marshal and json.Unmarshal byte for byte,
// and pwa/js/merge.js's canonical() produces the same bytes.
func CanonicalValue(raw []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	b, err := appendCanonical(nil, dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return b, nil
}

// EncodeValue marshals v with encoding/json and returns its canonical form.
func EncodeValue(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return CanonicalValue(raw)
}

type member struct {
	key string
	val []byte
}

// appendCanonical reads the next JSON value from dec and appends its
// canonical form to b.
func appendCanonical(b []byte, dec *json.Decoder, depth int) ([]byte, error) {
	if depth > maxValueDepth {
		return nil, fmt.Errorf("value nested deeper than %d levels", maxValueDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, t), nil
	case string:
		return appendString(b, t), nil
	case json.Number:
		return appendNumber(b, string(t))
	case json.Delim:
		switch t {
		case '[':
			b = append(b, '[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					b = append(b, ',')
				}
				if b, err = appendCanonical(b, dec, depth+1); err != nil {
					return nil, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return append(b, ']'), nil
		case '{':
			var ms []member
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := appendCanonical(nil, dec, depth+1)
				if err != nil {
					return nil, err
				}
				ms = append(ms, member{k, v})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			slices.SortStableFunc(ms, func(x, y member) int { return strings.Compare(x.key, y.key) })
			b = append(b, '{')
			for i, m := range ms {
				if i > 0 {
					if ms[i-1].key == m.key {
						return nil, fmt.Errorf("duplicate key %q", truncate(m.key))
					}
					b = append(b, ',')
				}
				b = appendString(b, m.key)
				b = append(b, ':')
				b = append(b, m.val...)
			}
			return append(b, '}'), nil
		}
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// appendNumber appends the canonical form of a JSON number literal.
func appendNumber(b []byte, lit string) ([]byte, error) {
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("number %s out of range", truncate(lit))
	}
	return appendFloat(b, f), nil
}

// appendFloat writes f as ECMAScript's Number::toString does (and
// encoding/json too): fixed notation for 1e-6 <= |f| < 1e21, otherwise
// exponent notation without a leading zero in the exponent.
func appendFloat(b []byte, f float64) []byte {
	if f == 0 {
		return append(b, '0') // also -0
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
