package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"reflect"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"
)

// readBody reads the whole request body, already capped by the body limit
// middleware, and requires a JSON content type.
func readBody(c echo.Context) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != echo.MIMEApplicationJSON {
		return nil, errorf(CodeUnsupportedMedia, "send the body as application/json")
	}
	// One buffer of the announced size (bodyLimit has refused a larger
	// one), not one regrown as the body arrives; a body of unknown length
	// grows as it is read.
	var buf bytes.Buffer
	if n := c.Request().ContentLength; n > 0 {
		buf.Grow(int(n) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(c.Request().Body); err != nil {
		return nil, err // 413 from the limit, or the client went away
	}
	return buf.Bytes(), nil
}

// decodeJSON reads the body into v strictly: one JSON value, UTF-8, no
// unknown or repeated names (matched case-sensitively), no trailing data.
// Typed structs only: a value of the wrong JSON type (for example an object
// where a string belongs) is a validation error naming the field, so a
// query operator can never reach the store.
func decodeJSON(c echo.Context, v any) error {
	data, err := readBody(c)
	if err != nil {
		return err
	}
	return unmarshalStrict(data, v)
}

func unmarshalStrict(data []byte, v any) error {
	if len(bytes.TrimLeft(data, " \t\r\n")) == 0 {
		return errorf(CodeInvalidJSON, "empty body; expected a JSON object")
	}
	if err := json.Unmarshal(data, v, json.RejectUnknownMembers(true)); err != nil {
		return jsonError(err)
	}
	return nil
}

// jsonError explains a decoding error without echoing the input.
func jsonError(err error) error {
	var syn *jsontext.SyntacticError
	var sem *json.SemanticError
	switch {
	case errors.As(err, &syn) && errors.Is(syn.Err, io.ErrUnexpectedEOF):
		return errorf(CodeInvalidJSON, "truncated JSON")
	case errors.As(err, &syn) && errors.Is(syn.Err, jsontext.ErrDuplicateName):
		field := fieldName(syn.JSONPointer)
		return &Error{Code: CodeInvalidJSON, Message: "field " + field + " repeated",
			Details: []Detail{{Field: field, Reason: "repeated"}}, Cause: err}
	case errors.As(err, &syn):
		return &Error{Code: CodeInvalidJSON, Message: "malformed JSON", Cause: err}
	case errors.As(err, &sem) && errors.Is(sem.Err, json.ErrUnknownName):
		name := fieldName(sem.JSONPointer)
		return &Error{Code: CodeUnknownField, Message: "unknown field " + name,
			Details: []Detail{{Field: name, Reason: "unknown field"}}}
	case errors.As(err, &sem):
		field := fieldName(sem.JSONPointer)
		if field == "" {
			return errorf(CodeInvalidJSON, "expected a JSON object")
		}
		return invalid(field, "expected a JSON "+jsonKind(sem.GoType))
	}
	return &Error{Code: CodeInvalidJSON, Message: "malformed JSON", Cause: err}
}

// fieldName names the member p points to as encoding/json did: the names
// on the way, joined with dots, cut short.
func fieldName(p jsontext.Pointer) string {
	var names []string
	for name := range p.Tokens() {
		names = append(names, name)
	}
	name := strings.Join(names, ".")
	if len(name) > 80 {
		name = strings.ToValidUTF8(name[:80], "") + "…"
	}
	return name
}

// jsonKind names the JSON kind that a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "value of another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}
